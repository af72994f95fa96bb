"""Speakers: people, organisations, groups and countries that claims are attributed to."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import one_of, utcnow

if TYPE_CHECKING:
    from app.models.claims import Claim
    from app.models.users import User

SPEAKER_KINDS = ("person", "organisation", "group", "country", "document", "unknown")


def normalise_name(name: str) -> str:
    """The key speakers are merged on: case, spacing and a leading 'the' do not count."""
    key = " ".join(name.replace("\u2019", "'").split()).lower()
    if key.startswith("the "):
        key = key[4:]
    return key


class Speaker(db.Model):
    __tablename__ = "speakers"
    __table_args__ = (one_of("kind", SPEAKER_KINDS, "kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)  # the queue sorts by speaker
    name_key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    role: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    affiliation: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    # Set when an editor merged this speaker into another (undone by clearing it): the row
    # stays so that the merge can be undone, and lookups by its name lead to the survivor.
    merged_into_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("speakers.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default="person")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    aliases: so.Mapped[list["SpeakerAlias"]] = so.relationship(
        back_populates="speaker", cascade="all, delete-orphan", order_by="SpeakerAlias.alias"
    )
    claims: so.WriteOnlyMapped["Claim"] = so.relationship(back_populates="speaker")
    merged_into: so.Mapped[Optional["Speaker"]] = so.relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Speaker {self.name!r}>"


class SpeakerAlias(db.Model):
    """Another way the same speaker is written ("Mr Stoltenberg", "NATO's chief")."""

    __tablename__ = "speaker_aliases"
    __table_args__ = (sa.UniqueConstraint("speaker_id", "alias_key", name="uq_speaker_aliases_speaker_alias"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    speaker_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    alias: so.Mapped[str] = so.mapped_column(sa.String(200))
    alias_key: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)

    speaker: so.Mapped[Speaker] = so.relationship(back_populates="aliases")


class SpeakerMerge(db.Model):
    """One merge of ``source`` into ``target``, with what moved, so that an admin can undo it."""

    __tablename__ = "speaker_merges"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("speakers.id"), index=True)
    target_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("speakers.id"), index=True)
    claim_ids: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    alias_ids: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)  # moved from source to target
    added_alias_id: so.Mapped[Optional[int]]  # the source's name, added to the target as an alias
    filled: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)  # target fields taken from source
    merged_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    merged_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    undone_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    undone_at: so.Mapped[Optional[datetime]]

    source: so.Mapped[Speaker] = so.relationship(foreign_keys=[source_id])
    target: so.Mapped[Speaker] = so.relationship(foreign_keys=[target_id])
    merged_by: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[merged_by_id])
    undone_by: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[undone_by_id])
