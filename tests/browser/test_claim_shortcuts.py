"""The claim page's keyboard shortcuts in Debian's Chromium (the queue's script and help):
an editor links evidence and proposes with e / v, a reviewer approves with y, n goes on."""
import re

import pytest

from app.related.service import embedder
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.name || ''")


def test_editor_and_reviewer_work_a_claim_from_the_keyboard(claims, editor, reviewer, new_page):
    claim = claims[4]  # Kaja Kallas, the last of the excerpt in reading order
    embedder().encode(["warm"])  # linking evidence embeds it: load the model before the clock runs
    edith = new_page()
    browser_login(edith, editor)
    edith.goto(f"/claims/{claim.id}")
    assert "extracted by Claimdesk" in edith.locator("#last-saved").inner_text()

    edith.keyboard.press("?")
    help_box = edith.locator("#shortcut-help")
    assert help_box.is_visible()
    for line in ("link evidence", "propose a verdict", "assign the claim to me", "next open claim"):
        assert line in help_box.inner_text()
    assert "approve" not in help_box.inner_text()  # an editor does not sign off
    edith.keyboard.press("Escape")
    assert not help_box.is_visible()

    edith.keyboard.press("a")  # assign to me, as in the queue
    edith.wait_for_load_state()
    assert "assigned to you" in edith.locator(".flash-area").inner_text()

    edith.keyboard.press("e")
    assert focused(edith) == "url"
    edith.keyboard.type("https://twitter.com/kajakallas/status/1496758040436338692")
    edith.keyboard.press("Tab")
    edith.keyboard.type("Kaja Kallas on Twitter")
    with edith.expect_navigation():
        edith.keyboard.press("Enter")
    assert "Evidence linked." in edith.locator(".flash-area").inner_text()
    assert "by Edith Editor at" in edith.locator("#last-saved").inner_text()

    edith.keyboard.press("v")
    assert focused(edith) == "verdict"
    edith.locator("#verdict-form").get_by_label("Verdict").select_option(label="True")
    edith.locator("#verdict-form").get_by_label("Rationale").fill("She tweeted it on 24 February 2022.")
    with edith.expect_navigation():
        edith.locator("#verdict-form").get_by_role("button", name="Propose verdict for review").click()
    assert "In review" in edith.locator("h1").inner_text()

    rafael = new_page()
    browser_login(rafael, reviewer)
    rafael.goto(f"/claims/{claim.id}")
    rafael.keyboard.press("?")
    assert "approve" in rafael.locator("#shortcut-help").inner_text()
    rafael.keyboard.press("Escape")
    rafael.keyboard.press("r")
    assert focused(rafael) == "comment"
    rafael.evaluate("document.activeElement.blur()")  # shortcuts wait while one types
    rafael.keyboard.press("y")
    assert focused(rafael) == "approve"
    with rafael.expect_navigation():
        rafael.keyboard.press("Enter")
    assert "Verdict approved." in rafael.locator(".flash-area").inner_text()
    assert "by Rafael Reviewer at" in rafael.locator("#last-saved").inner_text()

    # n: the next open claim in the queue's order (wrapping round to the first)
    next_url = rafael.locator("#next-claim").get_attribute("href")
    rafael.keyboard.press("n")
    rafael.wait_for_url(f"**{next_url}")
    assert re.search(r"/claims/\d+$", rafael.url) and not rafael.url.endswith(f"/claims/{claim.id}")


def test_the_queue_at_390_px_is_cards_without_sideways_scroll(claims, editor, new_page):
    page = new_page(width=390, height=844)
    browser_login(page, editor)
    widths = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    row = page.locator("tr.queue-row").first
    box = row.bounding_box()
    assert box["width"] <= 390
    assert row.locator(".claim-link").is_visible()
    assert "Kind" in row.inner_text() or row.locator("td[data-label]").count() >= 5
    wide = new_page(width=1366)
    browser_login(wide, editor)
    assert wide.locator("table.queue-table thead").is_visible()  # a table again on a laptop
