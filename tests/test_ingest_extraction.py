"""Ingest and the extractor (issue 15): roles with no name, and a failed extraction."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.errors import ExtractionError
from app.extensions import db
from app.extraction.passes import reported
from app.ingest import submit_each
from app.ingest import service as ingest_service
from app.models import Article, Speaker


def test_role_without_a_name_is_not_a_speaker(ingest):
    text = ('"We will win," the mayor said.\n\n'
            '"The budget is balanced," Lena Park, the treasurer, said.')
    result = ingest(text)
    by_content = {c.content: c for c in result.claims}
    mayor = by_content["We will win"]
    assert mayor.speaker is None
    assert result.article.text[mayor.speaker_start:mayor.speaker_end] == "the mayor"
    assert by_content["The budget is balanced"].speaker.name == "Lena Park"
    assert set(db.session.scalars(sa.select(Speaker.name))) == {"Lena Park"}


def test_two_articles_mayors_are_not_merged(ingest):
    ingest('"We will win," the mayor said.')
    ingest('"We will lose," the mayor said on Friday.')
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 0


@pytest.fixture
def failing_pass(monkeypatch):
    """Make the reported-speech pass fail on texts holding 'BROKEN', in production mode."""
    real = reported.content_spans

    def content_spans(view, cue):
        if "BROKEN" in view.text:
            raise RuntimeError("a rule crashed")
        return real(view, cue)

    monkeypatch.setattr(reported, "content_spans", content_spans)
    monkeypatch.setattr(ingest_service.get_extractor(), "strict", False)


def test_failed_extraction_stores_nothing_and_says_so(ingest, failing_pass, caplog):
    with pytest.raises(ExtractionError) as err:
        ingest('BROKEN: "We will win," Lena Park said.')
    assert err.value.details["stage"] == "passes.reported"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
    assert "quote extraction failed" in caplog.text


def test_failed_article_in_a_batch_does_not_stop_the_others(app, tmp_path, failing_pass):
    (tmp_path / "a.txt").write_text('"We will win," Lena Park said.', encoding="utf-8")
    (tmp_path / "b.txt").write_text('BROKEN. "We will lose," Tom Becker said.', encoding="utf-8")
    summary = submit_each([tmp_path / "a.txt", tmp_path / "b.txt"], user_id=None)
    assert [path.endswith("a.txt") for path, _, _ in summary.ingested] == [True]
    assert len(summary.failed) == 1 and summary.failed[0][0].endswith("b.txt")
    assert "extraction failed" in summary.failed[0][1]


def test_the_factory_claims_are_what_the_extractor_finds(ingest):
    """tests/conftest.py stores DESK_STORY's claims directly (fast); they must stay what
    real ingest makes of the same text."""
    from tests.conftest import DESK_QUOTES, DESK_STORY

    result = ingest(DESK_STORY)
    found = [(c.content, c.kind, c.cue, c.speaker.name if c.speaker else None) for c in result.claims]
    assert found == [(content, kind, cue, who["speaker"]) for content, kind, cue, who in DESK_QUOTES]
