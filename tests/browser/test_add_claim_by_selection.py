"""An editor selects a missed quote in the article with the mouse and adds it as a claim:
the offsets come from the selection (static/js/corrections.js), the new claim is
highlighted exactly where the words are, and the history says who added it."""
import pytest

from app.extensions import db
from app.related.service import embedder
from app.workflow import service
from tests.conftest import browser_login
from tests.workflow.test_corrections import WIRE

pytestmark = pytest.mark.browser

MISSED = "Every air-defence system we deliver saves lives"


def drag_select(page, words: str) -> None:
    """Select ``words`` in the article with a real mouse drag, from the first character's
    left edge to the last character's right edge (their boxes measured in the page)."""
    box = page.evaluate("""(words) => {
        const body = document.getElementById('article-body');
        const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode, at = node.data.indexOf(words);
            if (at < 0) continue;
            const first = document.createRange(), last = document.createRange();
            first.setStart(node, at); first.setEnd(node, at + 1);
            last.setStart(node, at + words.length - 1); last.setEnd(node, at + words.length);
            const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
            return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
        }
        return null;
    }""", words)
    assert box, f"{words!r} is not in the article's text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=12)
    page.mouse.up()


def test_select_text_and_add_it_as_a_claim(make_article, make_claim, editor, page):
    embedder().encode(["a claim"])  # the model loads once per process: not inside the click's wait
    article = make_article(WIRE, title="Wire copy")
    make_claim(article, "We have seen more drones in the past month than ever before", speaker="Jens Stoltenberg")
    browser_login(page, editor)
    page.goto(f"/articles/{article.id}")
    drag_select(page, MISSED)

    button = page.locator("#selection-button")
    button.wait_for(state="visible")
    start, end = WIRE.index(MISSED), WIRE.index(MISSED) + len(MISSED)
    assert page.get_by_label("Start").first.input_value() == str(start)
    assert page.get_by_label("End").first.input_value() == str(end)
    assert MISSED in page.locator("#selection-preview").inner_text()
    button.click()
    speaker = page.locator("#add-speaker")
    assert speaker.evaluate("el => el === document.activeElement")  # the form takes over, keyboard-ready
    speaker.fill("Jens Stoltenberg")  # one of the article's speakers (offered in the list)
    page.locator("#add-kind").select_option("direct")
    page.locator("#add-cue").fill("told")
    with page.expect_navigation(url=f"**/articles/{article.id}?claim=*", timeout=60_000):
        page.get_by_role("button", name="Add as claim").last.click()

    assert "added" in page.locator(".flash-area").inner_text()
    focus = page.locator("#article-body a.quote-focus")
    assert focus.inner_text() == MISSED  # highlighted exactly where the words are
    db.session.rollback()  # end this test's read snapshot: the server wrote meanwhile
    claim = service.get_claim(int(focus.get_attribute("data-claim")))
    assert (claim.start, claim.end, claim.content) == (start, end, MISSED)
    assert claim.speaker.name == "Jens Stoltenberg" and claim.cue == "told" and claim.kind == "direct"
    assert [e.action for e in service.history(claim.id)] == ["claim_added"]
    assert page.locator("#article-body mark").count() == 2


def test_select_words_inside_a_highlight_and_set_them_as_its_span(make_article, make_claim, editor, page):
    """Adjusting a span by selection: the drag starts inside the claim's highlight (which must
    select, not drag a link), the claim's "Use selected text" fills the offsets."""
    embedder().encode(["a claim"])
    article = make_article(WIRE, title="Wire copy")
    claim = make_claim(article, "We have seen more drones in the past month than ever before", speaker="Stoltenberg")
    browser_login(page, editor)
    page.goto(f"/articles/{article.id}#claim-{claim.id}")  # its tools open
    drag_select(page, "more drones in the past month")
    page.get_by_role("button", name="Use selected text").click()
    start = WIRE.index("more drones")
    assert page.locator(f"#span-{claim.id}-start").input_value() == str(start)
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Set span").click()
    assert page.locator("#article-body a.quote-focus").inner_text() == "more drones in the past month"
    page.locator("#article-body a.quote-focus").click()  # a plain click still opens the claim
    page.wait_for_url(f"**/claims/{claim.id}")
