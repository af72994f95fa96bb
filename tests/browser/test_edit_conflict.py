"""Two editors correct the same claim in two browsers: one save wins, the other is told."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Claim
from tests.conftest import browser_login

pytestmark = pytest.mark.browser

FIRST = "Russia has attacked Ukraine. This is a brutal act of war."
SECOND = "Russia has attacked Ukraine."


def open_correction(page, claim_id: int) -> None:
    page.goto(f"/claims/{claim_id}")
    page.locator("#fix-panel summary").click()
    assert page.get_by_label("Claim text").is_visible()


def test_second_save_is_refused_with_what_changed_and_input_kept(seed, editor, editor2, new_page):
    claim = next(c for c in seed.claims if c.content.startswith("Russia has attacked Ukraine"))
    edith, evan = new_page(), new_page()
    browser_login(edith, editor)
    browser_login(evan, editor2)
    open_correction(edith, claim.id)
    open_correction(evan, claim.id)  # both now hold the same version of the claim

    edith.get_by_label("Claim text").fill(FIRST)
    edith.get_by_role("button", name="Save correction").click()
    assert "Correction saved." in edith.locator(".flash-area").inner_text()

    evan.get_by_label("Claim text").fill(SECOND)
    evan.get_by_label("Kind").select_option("partial")
    with evan.expect_response(lambda r: r.url.endswith(f"/claims/{claim.id}/edit")) as answer:
        evan.get_by_role("button", name="Save correction").click()
    assert answer.value.status == 409
    told = evan.locator(".flash-area").inner_text()
    assert "Someone saved this claim after you opened it" in told
    assert "Edith Editor" in told and "content" in told and "Nothing of yours was saved" in told
    assert evan.get_by_label("Claim text").input_value() == SECOND  # his input is kept to re-apply
    assert evan.get_by_label("Kind").input_value() == "partial"
    assert evan.locator("#claim-text").inner_text().strip() == FIRST  # and he sees what is stored now

    evan.goto(f"/claims/{claim.id}")
    edits = evan.locator(".timeline li.event-claim_edited")
    assert edits.count() == 1 and FIRST in edits.inner_text()
    db.session.rollback()  # end the test's own read transaction: see what the server wrote
    assert db.session.get(Claim, claim.id).content == FIRST
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.claim_id == claim.id, AuditEvent.action == "claim_edited")) == 1
