"""The review journey in Debian's Chromium: an editor checks a seed claim, a reviewer signs it off.

Two browser contexts, two people: nothing is prepared through the service layer.
"""
import re

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_editor_proposes_and_reviewer_approves(seed, editor, reviewer, new_page):
    # The editor finds Kaja Kallas's quote in the queue and opens it.
    edith = new_page()
    browser_login(edith, editor)
    edith.locator("tr.queue-row", has_text="most effective response").locator("a.claim-link").click()
    edith.wait_for_url(re.compile(r"/claims/\d+$"))
    claim_url = edith.url
    assert "link evidence" in edith.locator("#next-step").inner_text()
    assert edith.get_by_role("button", name="Propose verdict for review").is_disabled()

    # Evidence first: the form is open while the claim has none.
    form = edith.locator("#evidence-form")
    form.get_by_label("Source URL").fill("https://twitter.com/kajakallas/status/1496758040436338692")
    form.get_by_label("Title").fill("Kaja Kallas on Twitter, 24 February 2022")
    form.get_by_label("Publisher").fill("Twitter")
    form.get_by_label("Date").fill("2022-02-24")
    form.get_by_label("Stance").select_option("supports")
    form.get_by_label("Excerpt").fill("The most effective response to Russia's aggression is unity.")
    form.get_by_label("Note").fill("Her own account; quoted word for word.")
    with edith.expect_navigation():
        form.get_by_role("button", name="Link evidence").click()
    assert "Evidence linked." in edith.locator(".flash-area").inner_text()
    assert edith.locator("article.evidence", has_text="Kaja Kallas on Twitter").is_visible()
    assert "In progress" in edith.locator("h1").inner_text()

    # Then the verdict.
    verdict = edith.locator("#verdict-form")
    verdict.get_by_label("Verdict").select_option(label="True")
    verdict.get_by_label("Rationale").fill("She tweeted exactly this on 24 February 2022.")
    with edith.expect_navigation():
        verdict.get_by_role("button", name="Propose verdict for review").click()
    assert "waiting for review" in edith.locator(".flash-area").inner_text()
    assert "In review" in edith.locator("h1").inner_text()
    assert edith.locator("#review-form").count() == 0

    # The reviewer, in a browser of his own, finds it waiting for him.
    rafael = new_page()
    browser_login(rafael, reviewer)
    rafael.get_by_role("link", name="Waiting for my review").click()
    rafael.wait_for_url("**/queue?view=review")
    rows = rafael.locator("tr.queue-row")
    assert rows.count() == 1 and "most effective response" in rows.first.inner_text()
    assert "True (proposed)" in rows.first.inner_text()
    rows.first.locator("a.claim-link").click()
    rafael.wait_for_url(claim_url)
    assert "Waiting for your review" in rafael.locator("#next-step").inner_text()
    assert "She tweeted exactly this" in rafael.locator(".verdict-card").inner_text()
    rafael.locator("#review-form").get_by_label("Comment for the editor").fill("Checked the tweet. Good.")
    with rafael.expect_navigation():
        rafael.get_by_role("button", name="Approve").click()
    assert "Verdict approved." in rafael.locator(".flash-area").inner_text()
    heading = rafael.locator("h1").inner_text()
    assert "Approved" in heading and "True" in heading
    assert rafael.locator("#review-form").count() == 0

    # The editor sees the claim approved and locked, with its history.
    edith.reload()
    assert "Approved" in edith.locator("h1").inner_text()
    assert "Approved by Rafael Reviewer" in edith.locator("#next-step").inner_text()
    assert edith.locator("#evidence-form").count() == 0 and edith.locator("#verdict-form").count() == 0
    history = edith.locator("#history").inner_text()
    for line in ("linked evidence", "proposed a verdict", "approved the verdict", "Checked the tweet. Good."):
        assert line in history


def test_keyboard_a_assigns_the_current_claim_to_me(seed, editor, page):
    browser_login(page, editor)
    page.keyboard.press("j")
    page.keyboard.press("j")
    current = page.locator("tr.queue-row.is-current")
    claim_id = current.get_attribute("data-claim")
    assert current.locator("td").nth(5).inner_text().strip() == "—"
    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.url.endswith("/queue")  # back in the queue, not on the claim page
    assert f"Claim #{claim_id} is assigned to you." in page.locator(".flash-area").inner_text()
    row = page.locator(f'tr.queue-row[data-claim="{claim_id}"]')
    assert row.locator("td").nth(5).inner_text().strip() == "Edith Editor"
    assert "In progress" in row.inner_text()
    # "My claims" now lists it.
    page.get_by_role("link", name="My claims").click()
    page.wait_for_url("**view=mine")
    assert page.locator(f'tr.queue-row[data-claim="{claim_id}"]').count() == 1


def test_help_overlay_lists_the_assign_shortcut(seed, editor, page):
    browser_login(page, editor)
    page.keyboard.press("?")
    help_box = page.locator("#shortcut-help")
    assert help_box.is_visible() and "assign the claim to me" in help_box.inner_text()
    page.keyboard.press("Escape")
    assert not help_box.is_visible()
    # While the help is closed and nothing is selected, "a" does nothing.
    page.keyboard.press("a")
    assert page.url.endswith("/queue") and page.locator(".flash-area").count() == 0


def test_correcting_the_cue_keeps_everything_else(seed, editor, page):
    claim = next(c for c in seed.claims if c.content.startswith("Russia has attacked Ukraine"))
    browser_login(page, editor)
    page.goto(f"/claims/{claim.id}")
    page.locator("#fix-panel summary").click()
    form = page.locator("#edit-form")
    assert form.get_by_label("Speaker").input_value() == "Jens Stoltenberg"
    form.get_by_label("Cue").fill("told reporters")
    with page.expect_navigation():
        form.get_by_role("button", name="Save correction").click()
    assert "Correction saved." in page.locator(".flash-area").inner_text()
    assert page.locator("#claim-speaker").inner_text() == "Jens Stoltenberg"
    history = page.locator("#history > li").last.inner_text()
    assert "corrected the extraction" in history and "cue: told → told reporters" in history
    assert "speaker" not in history and "text:" not in history
