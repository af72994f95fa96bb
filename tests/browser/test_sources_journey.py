"""An admin adds a feed on a local test server as a source, polls it, and its quotes arrive
in the queue: the whole way through a real browser (jobs run in the server's process: the
embedded queue with no consumer alive)."""
import pytest

from tests import test_sources
from tests.conftest import browser_login

pytestmark = pytest.mark.browser
web, site = test_sources.web, test_sources.site  # the fake web on 127.0.0.1, reset for each test


def test_a_feed_source_brings_its_quotes_into_the_queue(admin, site, page):
    browser_login(page, admin)
    page.get_by_role("link", name="Sources").click()
    page.get_by_label("Address").fill(site.url("/feed.xml"))
    page.get_by_label("Kind").select_option("feed")
    page.get_by_label("Name").fill("Coast Courier")
    page.get_by_role("button", name="Add source").click()
    assert "Source \u201cCoast Courier\u201d added" in page.locator(".flash-area").inner_text()
    assert page.locator("#last-poll").inner_text() == "never"

    # The poll runs in the server's process and ingests two articles (spaCy and the embedder
    # may load first): a longer wait than a page's.
    with page.expect_navigation(timeout=180_000):
        page.get_by_role("button", name="Poll now").click(no_wait_after=True)
    assert page.locator("#items-seen").inner_text() == "3"
    assert page.locator("#articles-ingested").inner_text() == "2"
    assert page.locator("#last-error").inner_text() == "none"
    items = page.locator("#source-items").inner_text()
    assert "Harbour reopens after storm" in items and "skipped: robots.txt" in items

    page.get_by_role("link", name="Queue").first.click()
    queue = page.locator("main").inner_text()
    assert "The harbour will reopen to ferries on Thursday morning" in queue
    assert "We have balanced the books without closing a single library" in queue
