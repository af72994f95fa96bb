"""Quotation-mark spans (character level, no model)."""
from app.extraction.quotes import find_quotations


def inner(text, q):
    return [text[s:e] for s, e in q.pieces]


def test_straight_and_curly_marks():
    text = 'He said "one thing" and “another thing” today.'
    qs = find_quotations(text)
    assert [inner(text, q) for q in qs] == [["one thing"], ["another thing"]]


def test_two_apostrophe_convention():
    text = "''We are ready,'' she said."
    (q,) = find_quotations(text)
    assert inner(text, q) == ["We are ready,"]


def test_single_curly_marks_but_not_apostrophes():
    text = "The minister’s aide called it ‘a mistake’ on Friday."
    (q,) = find_quotations(text)
    assert inner(text, q) == ["a mistake"]


def test_quote_running_over_paragraphs_is_joined():
    text = '"First paragraph of the speech.\n\n"Second paragraph," she said.'
    (q,) = find_quotations(text)
    assert inner(text, q) == ["First paragraph of the speech.", "Second paragraph,"]
    assert len(find_quotations(text, join_paragraphs=False)) == 2


def test_unbalanced_mark_closes_at_paragraph_end():
    text = 'He said "this never closes\n\nNext paragraph.'
    (q,) = find_quotations(text)
    assert inner(text, q) == ["this never closes"] and not q.closed


def test_no_marks_no_quotes():
    assert find_quotations("") == []
    assert find_quotations("Plain text with Trump’s apostrophe.") == []


def test_opening_mark_typed_as_closing_mark():
    text = "“The levy is unfair,“ said Hana Berg, a farmer. “We cannot pay it.”"
    qs = find_quotations(text)
    assert [inner(text, q) for q in qs] == [["The levy is unfair,"], ["We cannot pay it."]]
    assert all(q.closed for q in qs)


def test_opening_mark_inside_a_word_still_opens():
    text = "She called it “the “best” plan” twice."
    assert [inner(text, q) for q in find_quotations(text)][0] == ["the"]
