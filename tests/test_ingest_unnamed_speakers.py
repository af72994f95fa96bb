"""Ingest: a role or pronoun the text never names is not stored as a speaker (issue 15)."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Speaker


def test_role_without_a_name_is_not_a_speaker(ingest):
    text = ('"We will win," the mayor said.\n\n'
            '"The budget is balanced," Lena Park, the treasurer, said.')
    result = ingest(text)
    by_content = {c.content: c for c in result.claims}
    mayor = by_content["We will win"]
    assert mayor.speaker is None
    assert result.article.text[mayor.speaker_start:mayor.speaker_end] == "the mayor"
    assert by_content["The budget is balanced"].speaker.name == "Lena Park"
    names = set(db.session.scalars(sa.select(Speaker.name)))
    assert names == {"Lena Park"}


def test_two_articles_mayors_are_not_merged(ingest):
    ingest('"We will win," the mayor said.')
    ingest('"We will lose," the mayor said on Friday.')
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 0
