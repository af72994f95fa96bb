"""Speakers as records in Debian's Chromium: an editor merges a duplicate speaker, an admin undoes it."""
from datetime import datetime

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser

LATER = """"Russia must lose this war," Prime Minister Kallas told reporters on Friday."""


def test_editor_merges_a_duplicate_and_an_admin_undoes_it(claims, make_article, make_claim, editor, admin,
                                                          new_page):
    later = make_article(LATER, title="Kallas in Brussels", published_at=datetime(2023, 3, 3))
    duplicate = make_claim(later, "Russia must lose this war", speaker="Prime Minister Kallas",
                           speaker_role="Prime Minister").speaker
    kallas = claims[4].speaker

    edith = new_page()
    browser_login(edith, editor)
    edith.get_by_role("link", name="Speakers", exact=True).click()
    edith.get_by_role("link", name="Prime Minister Kallas").click()
    edith.wait_for_url(f"**/speakers/{duplicate.id}")
    suggestions = edith.locator("#duplicates")
    assert "Kaja Kallas" in suggestions.inner_text()
    with edith.expect_navigation():
        suggestions.get_by_role("button", name="Merge into Kaja Kallas").click()
    assert edith.url.endswith(f"/speakers/{kallas.id}")
    assert "Merged Prime Minister Kallas into Kaja Kallas" in edith.locator(".flash-area").inner_text()
    assert "Prime Minister Kallas" in edith.locator("#merged-from").inner_text()
    assert "Prime Minister Kallas" in edith.locator("#speaker-aliases").inner_text()
    roles = edith.locator("#speaker-roles").inner_text()
    assert "Prime Minister" in roles and "Estonian Prime Minister" in roles
    assert edith.locator("#recent-claims li").count() == 2
    assert "merged two speakers" in edith.locator("#history").inner_text()

    # The editor corrects the survivor's affiliation on the same page.
    edith.locator("#edit-panel summary").click()
    edith.get_by_role("textbox", name="Affiliation").fill("Reform Party")
    with edith.expect_navigation():
        edith.get_by_role("button", name="Save speaker").click()
    assert edith.locator("#speaker-affiliation").inner_text() == "Reform Party"

    # The merged speaker's page says where it went; only an admin may undo.
    edith.goto(f"/speakers/{duplicate.id}")
    assert "Only an admin can undo" in edith.locator("#merged-notice").inner_text()
    assert edith.locator("#undo-merge").count() == 0

    ada = new_page()
    browser_login(ada, admin)
    ada.goto(f"/speakers/{duplicate.id}")
    with ada.expect_navigation():
        ada.get_by_role("button", name="Undo this merge").click()
    assert "Merge undone" in ada.locator(".flash-area").inner_text()
    assert ada.locator("#merged-notice").count() == 0
    assert ada.locator("#recent-claims li").count() == 1
    ada.goto(f"/speakers/{kallas.id}")
    assert ada.locator("#recent-claims li").count() == 1
    assert "undid a merge of two speakers" in ada.locator("#history").inner_text()
