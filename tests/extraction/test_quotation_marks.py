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


def test_straight_mark_after_a_word_does_not_open_a_quote():
    text = 'The storm left 6" of rain. "We are fine," she said.'
    (q,) = find_quotations(text)
    assert inner(text, q) == ["We are fine,"]


def test_straight_mark_opening_inside_a_quote_starts_a_new_one():
    text = 'Voters called the "plan a mess. "We will build it," she said.'
    qs = find_quotations(text)
    assert [inner(text, q) for q in qs] == [["plan a mess."], ["We will build it,"]]
    assert [q.closed for q in qs] == [False, True]


def test_decade_apostrophe_does_not_close_a_single_quote():
    text = "‘Not since the ’90s,’ she said."
    (q,) = find_quotations(text)
    assert inner(text, q) == ["Not since the ’90s,"]


def test_mixed_curly_and_straight_marks_pair():
    text = '“Prices will fall," he said. "Wages will rise.”'
    assert [inner(text, q) for q in find_quotations(text)] == [
        ["Prices will fall,"], ["Wages will rise."]]


def test_single_quotes_inside_double_quotes_stay_inside():
    text = "\"He said 'no' twice,\" she said. “The sign said ‘no entry’,” he said."
    assert [inner(text, q) for q in find_quotations(text)] == [
        ["He said 'no' twice,"], ["The sign said ‘no entry’,"]]
