"""One fact-check from upload to export, in Debian's Chromium, through the UI only.

An editor uploads an HTML article, finds its quote in the queue, links the evidence the
related-claims panel suggests (a colleague used it for a similar claim), proposes a verdict;
a reviewer signs in and approves it; the editor exports the queue to CSV and the file holds
the claim with its verdict. Screenshots land in tests/artifacts/ on failure.
"""
import csv

import pytest

from app.workflow import service
from tests.conftest import browser_login

pytestmark = pytest.mark.browser

ARTICLE_HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Allies repeat their territorial pledge</title>
<meta property="og:site_name" content="Baltic Wire"></head><body><article>
<h1>Allies repeat their territorial pledge</h1>
<p>\xe2\x80\x9cWe will defend every inch of NATO territory against any attack,\xe2\x80\x9d Secretary General Jens
Stoltenberg told reporters in Brussels on Thursday after a second emergency session of the alliance.</p>
<p>Envoys from the eastern members asked for more air defence systems along the border.</p>
<p>\xe2\x80\x9cOur support for Ukraine will continue for as long as it takes,\xe2\x80\x9d Polish President
Andrzej Duda said after the meeting.</p>
</article></body></html>"""

EVIDENCE_TITLE = "North Atlantic Treaty, Article 5"


@pytest.fixture
def earlier_fact_check(seed, editor2, admin):
    """A colleague's finished check of the seed quote, with the treaty as evidence."""
    claim = next(c for c in seed.claims if "every inch of NATO territory" in c.content)
    service.link_evidence(claim.id, user=editor2, evidence=service.EvidenceInput(
        url="https://www.nato.int/cps/en/natolive/official_texts_17120.htm", title=EVIDENCE_TITLE,
        stance="supports", publisher="NATO", excerpt="An armed attack against one or more of them in Europe or "
        "North America shall be considered an attack against them all."))
    claim = service.get_claim(claim.id)
    service.propose_verdict(claim.id, user=editor2, verdict="true", version=claim.version,
                            rationale="Article 5 commits every ally to the defence of the others.")
    service.approve(claim.id, user=admin, comment="Checked against the treaty text.")
    return claim


def test_editor_checks_an_uploaded_quote_and_a_reviewer_approves(earlier_fact_check, editor, reviewer, new_page):
    page = new_page()
    browser_login(page, editor)

    # 1. Upload the HTML article.
    page.get_by_role("link", name="Add article").click()
    page.get_by_label("…or upload a .txt or .html file").set_input_files(
        files=[{"name": "pledge.html", "mimeType": "text/html", "buffer": ARTICLE_HTML}])
    page.get_by_role("button", name="Extract quotes").click()
    page.wait_for_url("**/articles/*")
    assert "Allies repeat their territorial pledge" in page.locator(".flash-area").inner_text()

    # 2. Find its quote in the queue.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue", exact=True).click()
    page.get_by_label("Search claim text or speaker").fill("every inch")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tr.queue-row", has_text="Allies repeat their territorial pledge").first
    assert "Jens Stoltenberg" in row.inner_text()
    row.locator("a.claim-link").click()
    page.wait_for_url("**/claims/*")
    claim_url = page.url
    assert "We will defend every inch of NATO territory" in page.locator("#claim-text").inner_text()

    # 3. Link the evidence the related-claims panel suggests.
    related = page.locator("#related")
    assert "Evidence used for similar claims" in related.inner_text()
    suggestion = related.locator(".related-evidence", has_text=EVIDENCE_TITLE)
    suggestion.get_by_label("Stance").select_option("supports")
    suggestion.get_by_role("button", name="Link here").click()
    assert "Evidence linked." in page.locator(".flash-area").inner_text()
    assert EVIDENCE_TITLE in page.locator("article.evidence").first.inner_text()

    # 4. Propose a verdict.
    page.get_by_role("combobox", name="Verdict").select_option("true")
    page.get_by_label("Rationale").fill("Article 5 of the North Atlantic Treaty binds every ally to defend the others.")
    page.get_by_role("button", name="Propose verdict for review").click()
    assert "waiting for review" in page.locator(".flash-area").inner_text()

    # 5. A reviewer signs in, finds it waiting for review, approves.
    desk = new_page()
    browser_login(desk, reviewer)
    desk.get_by_role("link", name="Waiting for my review").click()
    desk.locator("tr.queue-row", has_text="Allies repeat their territorial pledge").locator("a.claim-link").click()
    assert desk.url == claim_url
    desk.get_by_label("Comment for the editor").fill("Good sourcing.")
    desk.get_by_role("button", name="Approve").click()
    assert "Verdict approved." in desk.locator(".flash-area").inner_text()
    assert "Approved" in desk.locator("#claim-heading").inner_text()

    # 6. The editor sees the approved verdict on the claim.
    page.goto(claim_url)
    assert "True" in page.locator(".verdict-card").inner_text()
    assert "Approved by" in page.locator(".verdict-card").inner_text()

    # 7. The editor exports the queue; the file holds the claim with its verdict.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue", exact=True).click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    with open(info.value.path(), encoding="utf-8", newline="") as f:
        rows = {row["claim_url"]: row for row in csv.DictReader(f)}
    row = rows[claim_url]
    assert row["status"] == "approved" and row["verdict"] == "true"
    assert row["content"].startswith("We will defend every inch of NATO territory")
    assert row["article_title"] == "Allies repeat their territorial pledge" and row["speaker"] == "Jens Stoltenberg"
    assert row["approved_by"] == reviewer.name and EVIDENCE_TITLE not in row["evidence_urls"]
    assert "nato.int" in row["evidence_urls"]
