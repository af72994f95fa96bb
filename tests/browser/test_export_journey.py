"""The ways out, in Debian's Chromium: the queue's CSV download, the dashboard, the API
page and a public fact-check page, with no CSP violation on any of them.

Screenshots of the dashboard and the public page at 1366x800 are kept in tests/artifacts/.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from app.workflow import service
from tests.conftest import ARTIFACTS, browser_login

pytestmark = pytest.mark.browser


def watch_console(page) -> list[str]:
    """Console errors and CSP violations of the page, collected as they happen."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


@pytest.fixture
def worked_desk(seed, editor, reviewer):
    """The seed with three approved claims, two in review and one dismissed."""
    ids = [c.id for c in seed.claims]
    for claim_id, verdict in ((ids[5], "mostly_true"), (ids[6], "misleading"), (ids[13], "false")):
        service.link_evidence(claim_id, user=editor, evidence=service.EvidenceInput(
            url=f"https://example.org/source/{claim_id}", title=f"Official record {claim_id}", stance="contradicts",
            publisher="Example Records"))
        service.propose_verdict(claim_id, user=editor, verdict=verdict,
                                rationale="The official record shows a different figure.\n\nSee the source.")
        service.approve(claim_id, user=reviewer)
    for claim_id in (ids[7], ids[9]):
        service.link_evidence(claim_id, user=editor, evidence=service.EvidenceInput(
            url="https://example.org/pending", title="Pending", stance="context"))
        service.propose_verdict(claim_id, user=editor, verdict="mixed", rationale="Partly.")
    service.dismiss(ids[10], user=editor, reason="Opinion.")
    return ids


def test_queue_export_downloads_what_the_queue_shows(worked_desk, editor, page):
    browser_login(page, editor)
    page.goto("/queue?status=approved")
    shown = page.locator("tr.queue-row").evaluate_all("rows => rows.map(r => r.dataset.claim)")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("claims-") and download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read(), newline="")))
    assert [r[0] for r in rows[1:]] == shown and len(shown) == 3


def test_dashboard_reads_well_on_a_laptop(worked_desk, editor, page):
    problems = watch_console(page)
    browser_login(page, editor)
    page.set_viewport_size({"width": 1366, "height": 800})
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dashboard")
    chart = page.get_by_role("img", name="Claims approved per day, last 30 days")
    assert chart.is_visible() and chart.bounding_box()["width"] > 400
    assert page.locator("#stat-approved").inner_text() == "3"
    assert page.locator("#waiting-table tbody tr").count() == 2
    assert page.locator("#status-table .fill").count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-1366x800.png"))
    page.get_by_role("link", name="API", exact=True).click()
    page.wait_for_url("**/help/api")
    assert "Every user makes their own tokens on API tokens" in page.locator("main").inner_text()
    assert problems == []


def test_public_fact_check_page_without_login(worked_desk, new_page):
    page = new_page(1366, 800)
    problems = watch_console(page)
    claim_id = worked_desk[6]
    response = page.goto(f"/fact-checks/{claim_id}")
    assert response.status == 200
    assert page.locator(".fact-check-label").inner_text() == "Misleading"
    assert not page.get_by_role("button", name="Sign out").count()
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "ClaimReview" and data["reviewRating"]["ratingValue"] == 2
    assert data["url"] == page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fact-check-1366x800.png"))
    assert problems == []
    assert page.goto(f"/fact-checks/{worked_desk[7]}").status == 404  # in review: not public
