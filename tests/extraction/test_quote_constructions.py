"""Issue 15, part 1: the quote constructions of wire copy, on texts written for these tests.

Quotation marks straight, curly and mixed; the attribution before, inside and after the
quote; quotes running over paragraphs; quotes inside quotes; apostrophes; stray marks.
"""
import pytest

from app.extraction import Extractor

MARKS = {
    "straight": ('"', '"'),
    "curly": ("“", "”"),
    "curly-open-straight-close": ("“", '"'),
    "straight-open-curly-close": ('"', "”"),
}


def quoted(text: str, marks: str) -> str:
    """Write ``text`` with ``«`` / ``»`` replaced by the named pair of marks."""
    o, c = MARKS[marks]
    return text.replace("«", o).replace("»", c)


# -- the attribution inside: one claim per quoted piece, both attributed ---------------------

@pytest.mark.parametrize("marks", MARKS)
def test_quote_interrupted_by_attribution_sentence_is_two_claims(extract, marks):
    text = quoted("«We have seen more drones in the past month than ever before,» Stoltenberg "
                  "told reporters in Brussels. «Every air-defence system we deliver saves "
                  "lives.»", marks)
    first, second = extract(text)
    assert first.content == "We have seen more drones in the past month than ever before"
    assert second.content == "Every air-defence system we deliver saves lives."
    assert first.speaker == second.speaker == "Stoltenberg"
    assert first.cue == second.cue == "told"
    assert first.kind == second.kind == "direct"
    assert first.continues is None and second.continues == 0


@pytest.mark.parametrize("marks", MARKS)
def test_interrupted_quote_with_a_role_speaker_is_two_attributed_claims(extract, marks):
    text = quoted("«Prices will fall,» the minister said. «Wages will rise.»", marks)
    first, second = extract(text)
    assert (first.content, second.content) == ("Prices will fall", "Wages will rise.")
    for q in (first, second):
        assert q.speaker_role == "minister" and not q.speaker_named
        assert q.speaker_kind == "person" and q.cue == "said"
        assert text[q.speaker_start:q.speaker_end] == "the minister"


def test_quote_interrupted_mid_sentence_is_two_claims(extract):
    text = ('"The plan is dead," said Tom Becker, a city councillor, '
            '"and nobody will revive it this year."')
    first, second = extract(text)
    assert first.content == "The plan is dead"
    assert second.content == "and nobody will revive it this year."
    assert first.speaker == second.speaker == "Tom Becker"
    assert second.continues == 0


def test_interrupted_quote_grouped_on_request(extractor):
    text = '"Prices will fall," the minister said. "Wages will rise."'
    (q,) = Extractor(extractor.nlp, group_interrupted=True).extract(text)
    assert [text[s:e] for s, e in q.content_spans] == ["Prices will fall", "Wages will rise."]
    assert q.content == text[q.content_start:q.content_end]
    assert q.speaker_role == "minister"


def test_two_quotes_with_their_own_attributions_are_not_joined(extract):
    text = ('"The bridge is safe," Lena Park said. "It is not," Tom Becker replied.')
    first, second = extract(text)
    assert first.speaker == "Lena Park" and second.speaker == "Tom Becker"
    assert second.continues is None


# -- the attribution before and after ----------------------------------------------------

@pytest.mark.parametrize("marks", MARKS)
def test_attribution_before_with_a_colon(extract, marks):
    text = quoted("Maria Lopez told the council: «The tunnel will open on time.»", marks)
    (q,) = extract(text)
    assert q.content == "The tunnel will open on time."
    assert q.speaker == "Maria Lopez" and q.cue == "told" and q.kind == "direct"


@pytest.mark.parametrize("marks", MARKS)
def test_attribution_after(extract, marks):
    text = quoted("«We will cut the fares next spring,» Maria Lopez said on Tuesday.", marks)
    (q,) = extract(text)
    assert q.content == "We will cut the fares next spring"  # the comma is the frame's
    assert q.content_spans == ((1, 34),)
    assert q.speaker == "Maria Lopez" and q.speaker_named and q.cue == "said"


@pytest.mark.parametrize("marks", MARKS)
def test_attribution_after_inverted(extract, marks):
    text = quoted("«The harbour will reopen in May,» said Ines Duarte, the harbour master.",
                  marks)
    (q,) = extract(text)
    assert q.content == "The harbour will reopen in May"
    assert q.speaker == "Ines Duarte" and q.speaker_role == "harbour master"


def test_question_and_exclamation_marks_stay_with_the_quote(extract):
    text = '"Who will pay for it?" Maria Lopez asked. "Not the farmers!" Tom Becker said.'
    first, second = extract(text)
    assert first.content == "Who will pay for it?" and first.speaker == "Maria Lopez"
    assert second.content == "Not the farmers!" and second.speaker == "Tom Becker"


# -- quotes running over paragraphs --------------------------------------------------------

@pytest.mark.parametrize("marks", ["straight", "curly"])
def test_quote_over_three_paragraphs(extract, marks):
    text = quoted("«The rains came too late this year.\n\n«The wheat is thin and the barley "
                  "is worse.\n\n«Farmers will need help before winter,» said Piet Janssen.",
                  marks)
    quotes = extract(text)
    assert [q.content for q in quotes] == [
        "The rains came too late this year.", "The wheat is thin and the barley is worse.",
        "Farmers will need help before winter"]
    assert {q.speaker for q in quotes} == {"Piet Janssen"}
    assert [q.continues for q in quotes] == [None, 0, 1]


def test_quote_over_paragraphs_joined_on_request(extractor):
    text = ('"The rains came too late this year.\n\n'
            '"Farmers will need help before winter," said Piet Janssen.')
    (q,) = Extractor(extractor.nlp, join_paragraphs=True).extract(text)
    assert len(q.content_spans) == 2 and q.speaker == "Piet Janssen"


def test_stand_alone_quote_paragraph_continues_the_speaker(extract):
    text = ('"Prices will fall," Jan Novak said.\n\n'
            '"Wages will rise, and pensions will follow them next year."')
    first, second = extract(text)
    assert first.speaker == second.speaker == "Jan Novak"


# -- quotes inside quotes ------------------------------------------------------------------

def test_single_quotes_nested_in_straight_double_quotes(extract):
    text = ("\"He told me, 'we will never give up,' and I believed him,\" "
            "Anna Weiss said.")
    (q,) = extract(text)
    assert q.content == "He told me, 'we will never give up,' and I believed him"
    assert q.speaker == "Anna Weiss" and q.kind == "direct"


def test_single_curly_quotes_nested_in_double_curly_quotes(extract):
    text = "“The sign said ‘no entry’ so we turned back,” Anna Weiss said."
    (q,) = extract(text)
    assert q.content == "The sign said ‘no entry’ so we turned back"
    assert q.speaker == "Anna Weiss"


def test_quoted_title_inside_a_quote_is_not_a_quote_of_its_own(extract):
    text = "“We read ‘The Long Winter’ every year in school,” Anna Weiss said."
    (q,) = extract(text)
    assert q.speaker == "Anna Weiss" and "Long Winter" in q.content


# -- apostrophes ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "\"Russia's army is not ready for a long war,\" Lena Park said.",
    "“Russia’s army is not ready for a long war,” Lena Park said.",
    "‘Russia’s army is not ready for a long war,’ Lena Park said.",
])
def test_possessive_apostrophe_inside_a_quote(extract, text):
    (q,) = extract(text)
    assert q.content.endswith("army is not ready for a long war")
    assert q.speaker == "Lena Park"


@pytest.mark.parametrize("text", [
    "\"Prices have not been this high since the '90s,\" Lena Park said.",
    "“Prices have not been this high since the ’90s,” Lena Park said.",
    "‘Prices have not been this high since the ’90s,’ Lena Park said.",
])
def test_decade_apostrophe_inside_a_quote(extract, text):
    (q,) = extract(text)
    assert q.content.startswith("Prices") and q.content.endswith("90s")
    assert q.speaker == "Lena Park"


def test_apostrophes_outside_quotes_make_no_quote(extract):
    text = "Lena Park's office said the budget had not been this tight since the '90s."
    (q,) = extract(text)
    assert q.kind == "indirect" and q.content.startswith("the budget")


# -- stray marks ---------------------------------------------------------------------------

def test_stray_inch_mark_does_not_pair_with_the_quote(extract):
    text = 'The storm left 6" of rain overnight. "We are fine," Lena Park said.'
    (q,) = extract(text)
    assert q.content == "We are fine" and q.speaker == "Lena Park"


def test_stray_opening_mark_closes_at_its_paragraph_end(extract, by_content):
    text = ('The minister said the "plan is fine and will go ahead.\n\n'
            '"We will build it by May," Lena Park said.')
    q = by_content(extract(text), "build it")
    assert q.content == "We will build it by May" and q.speaker == "Lena Park"


def test_stray_opening_mark_before_a_real_quote_in_one_paragraph(extract, by_content):
    text = 'Voters called the "plan a mess. "We will build it by May," Lena Park said.'
    q = by_content(extract(text), "build it")
    assert q.content == "We will build it by May" and q.speaker == "Lena Park"


def test_unclosed_quote_at_the_end_never_raises(extract):
    quotes = extract('Lena Park said: "We will build it by May')
    assert all(q.speaker == "Lena Park" for q in quotes)


# -- speakers: a role with no name is not a name ------------------------------------------

def test_generic_nominal_is_a_role_with_an_unknown_name(extract):
    text = '"We will win," the mayor said.'
    (q,) = extract(text)
    assert q.speaker_role == "mayor" and not q.speaker_named
    assert q.speaker_kind == "person" and q.speaker == "the mayor"
    assert text[q.speaker_start:q.speaker_end] == "the mayor"


def test_role_nominal_of_a_named_person_takes_the_name(extract, by_content):
    text = ("Mayor Lena Park opened the dam on Monday.\n\n"
            '"It will hold," the mayor said.')
    q = by_content(extract(text), "hold")
    assert q.speaker == "Lena Park" and q.speaker_named


def test_unresolved_pronoun_is_not_a_name(extract):
    (q,) = extract('"It will hold," she said.')
    assert q.speaker == "she" and not q.speaker_named
