"""An editor's first minutes, in Debian's Chromium: log in, find Kaja Kallas, open her claim."""
import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_editor_finds_kallas_claim_highlighted_in_article(seed, editor, page):
    browser_login(page, editor)
    row = page.locator("tr.queue-row", has_text="Kaja Kallas").first
    assert row.is_visible()
    row.locator("a.claim-link").click()
    page.wait_for_url("**/claims/*")
    focus = page.locator(".article-context a.quote-focus mark").first
    assert focus.is_visible()
    claim_text = page.locator("#claim-text").inner_text().strip()
    assert focus.inner_text().strip() in claim_text
    assert "Kaja Kallas" in page.locator("#claim-speaker").inner_text()


def test_keyboard_moves_through_queue_and_opens_claim(seed, editor, page):
    browser_login(page, editor)
    page.keyboard.press("j")
    page.keyboard.press("j")
    current = page.locator("tr.queue-row.is-current")
    assert current.count() == 1
    url = current.get_attribute("data-url")
    page.keyboard.press("o")
    page.wait_for_url(f"**{url}")
    page.go_back()
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_visible()
