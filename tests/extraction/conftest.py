"""Fixtures for the extraction engine tests: the real spaCy pipeline, loaded once."""
import pytest

from app.extraction import Extractor, get_extractor


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The process-wide extractor (the model loads once per test session)."""
    return get_extractor()


@pytest.fixture
def extract(extractor):
    """Extract quotes from a text and check the offset invariants on the way."""

    def _extract(text: str):
        quotes = extractor.extract(text)
        for q in quotes:
            assert q.content == text[q.content_start:q.content_end]
            assert q.content_spans[0][0] == q.content_start
            assert q.content_spans[-1][1] == q.content_end
            if q.speaker_start is not None:
                assert 0 <= q.speaker_start < q.speaker_end <= len(text)
            if q.cue is not None:
                assert q.cue == text[q.cue_start:q.cue_end]
        return quotes

    return _extract


@pytest.fixture
def by_content():
    """Pick the one quote whose content contains some words."""

    def _by_content(quotes, words: str):
        found = [q for q in quotes if words in q.content]
        assert len(found) == 1, (words, [q.content for q in quotes])
        return found[0]

    return _by_content
