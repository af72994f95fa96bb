"""The engine around the passes: strict mode, named failures, word lists, gender, results."""
from __future__ import annotations

import pytest

from app.extraction import ExtractionFailed, Extractor
from app.extraction.gender import first_name_gender
from app.extraction.passes import reported
from app.extraction.result import Quote, split_at_paragraphs
from app.extraction.wordlists import WORDS_DIR, table, words


@pytest.fixture
def broken_on_marker(monkeypatch):
    """The reported-speech pass raises on any text holding 'BROKEN'."""
    real = reported.content_spans

    def content_spans(view, cue):
        if "BROKEN" in view.text:
            raise RuntimeError("a rule crashed")
        return real(view, cue)

    monkeypatch.setattr(reported, "content_spans", content_spans)


def test_strict_mode_raises_the_pass_exception(extractor, broken_on_marker):
    strict = Extractor(extractor.nlp, strict=True)
    with pytest.raises(RuntimeError, match="a rule crashed"):
        strict.extract("BROKEN text: Lena Park said the dam will hold.")


def test_tests_run_strict(extractor):
    assert extractor.strict  # CLAIMDESK_EXTRACTION_STRICT=1 in tests/conftest.py


def test_production_mode_raises_a_named_failure_not_an_empty_list(extractor, broken_on_marker):
    lenient = Extractor(extractor.nlp, strict=False)
    with pytest.raises(ExtractionFailed) as err:
        lenient.extract("BROKEN text: Lena Park said the dam will hold.")
    assert err.value.stage == "passes.reported" and err.value.index == 0
    assert isinstance(err.value.__cause__, RuntimeError)


def test_extract_many_returns_a_failure_in_place_and_goes_on(extractor, broken_on_marker):
    lenient = Extractor(extractor.nlp, strict=False)
    texts = ["Lena Park said the dam will hold.", "BROKEN: Tom Becker said it will not.",
             "Ann Lee said the river is low."]
    first, failed, third = lenient.extract_many(texts, on_error="return")
    assert first[0].speaker == "Lena Park" and third[0].speaker == "Ann Lee"
    assert isinstance(failed, ExtractionFailed) and failed.index == 1
    out = lenient.extract_many(texts)
    assert next(out)[0].speaker == "Lena Park"
    with pytest.raises(ExtractionFailed):
        next(out)


def test_word_lists_are_data_files():
    assert {"say", "tell", "warn"} <= words("speech_cues")
    assert table("honorifics")["mrs"] == "f" and table("honorifics")["dr"] is None
    assert all(p.suffix in (".txt", ".tsv") for p in WORDS_DIR.iterdir())


@pytest.mark.parametrize("name, gender", [("Maria", "f"), ("Peter", "m"), ("Kim", "f"),
                                          ("Zxqv", None), ("Andrea", "f"), ("7", None)])
def test_first_name_gender_from_the_name_dataset(name, gender):
    assert first_name_gender(name) == gender


def test_pronoun_follows_the_gender_of_the_first_name(extract, by_content):
    text = ("Maria Lopez met Peter Hollis on Friday.\n\n"
            "She said the harbour budget is balanced.")
    assert by_content(extract(text), "budget").speaker == "Maria Lopez"
    text = text.replace("She", "He")
    assert by_content(extract(text), "budget").speaker == "Peter Hollis"


def _quote(spans, continues=None):
    s, e = spans[0][0], spans[-1][1]
    return Quote("x", s, e, tuple(spans), "A", None, None, "person", None, (), None, None,
                 None, "direct", continues=continues)


def test_split_at_paragraphs_renumbers_continues():
    text = "aa\n\nbb cc\n\ndd"
    quotes = [_quote([(0, 2), (4, 6)]), _quote([(7, 9)], continues=0), _quote([(11, 13)])]
    out = split_at_paragraphs(quotes, text)
    assert [q.content_spans for q in out] == [((0, 2),), ((4, 6),), ((7, 9),), ((11, 13),)]
    assert [q.continues for q in out] == [None, 0, 1, None]
