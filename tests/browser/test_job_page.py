"""A slow ingest in Debian's Chromium: the form hands over to the job page, which follows
the job on its own and offers the article when the consumer is done."""
import pytest

from app.tasks.consumer import RunningConsumer
from tests.conftest import browser_login

pytestmark = pytest.mark.browser

STORY = ("Ferry timetable changes from Monday\n\n"
         "\u201cThe early ferry will leave at six from now on,\u201d harbour master Lena Berg told reporters.\n\n"
         "\u201cWe have heard the commuters,\u201d councillor Carl Dahl said.")


def test_a_slow_ingest_shows_a_job_page_that_updates_itself(app, editor, page, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_INGEST_WAIT", 0)  # every ingest is "slow"
    browser_login(page, editor)
    page.goto("/ingest")
    page.get_by_label("Article text").fill(STORY)
    page.get_by_label("Title").fill("Ferry timetable")
    with RunningConsumer(app):
        page.get_by_role("button", name="Extract quotes").click()
        page.wait_for_url("**/jobs/*")
        assert page.get_by_role("heading", name="Ingesting Ferry timetable").is_visible()
        link = page.get_by_role("link", name="Open the article")
        link.wait_for(state="visible", timeout=60_000)  # the page's script saw the job done
        assert "2 quotes added to the queue" in page.locator("#job-state").inner_text()
    link.click()
    page.wait_for_url("**/articles/*")
    assert page.get_by_role("heading", name="Ferry timetable").is_visible()
    page.goto("/jobs")
    row = page.locator("tr", has_text="Ferry timetable")
    assert "done" in row.inner_text() and "paste" in row.inner_text()
