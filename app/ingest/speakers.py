"""Find or create the Speaker a quote is attributed to, merging by name and alias."""
from __future__ import annotations

from typing import Iterable, Optional

import sqlalchemy as sa

from app.extensions import db
from app.models import SPEAKER_KINDS, Speaker, SpeakerAlias, normalise_name

# Mentions that name nobody on their own: never stored as aliases.
_NOT_ALIASES = {
    "he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "his", "hers", "their",
    "who", "which", "that", "this", "officials", "the official", "the spokesman",
    "the spokeswoman", "a spokesman", "a spokeswoman", "sources", "a source",
}


def is_usable_alias(mention: str) -> bool:
    """True when a surface mention identifies a speaker by itself (not a pronoun)."""
    key = normalise_name(mention)
    return bool(key) and key not in _NOT_ALIASES and len(key) <= 200


def find_speaker(name: str) -> Optional[Speaker]:
    """The speaker whose canonical name or one alias matches ``name``, if exactly one does.

    A speaker merged into another leads to the one it was merged into."""
    key = normalise_name(name)
    if not key:
        return None
    speaker = db.session.scalar(sa.select(Speaker).where(Speaker.name_key == key))
    if speaker is not None:
        return surviving(speaker)
    matches = db.session.scalars(
        sa.select(Speaker).join(SpeakerAlias).where(SpeakerAlias.alias_key == key, Speaker.merged_into_id.is_(None))
        .distinct().limit(2)
    ).all()
    return matches[0] if len(matches) == 1 else None


def surviving(speaker: Speaker) -> Speaker:
    """The speaker that ``speaker`` was merged into (through any chain of merges), or itself."""
    seen = {speaker.id}
    while speaker.merged_into is not None and speaker.merged_into.id not in seen:
        speaker = speaker.merged_into
        seen.add(speaker.id)
    return speaker


def find_or_create_speaker(
    name: str,
    *,
    kind: str = "person",
    role: Optional[str] = None,
    aliases: Iterable[str] = (),
    named: Optional[dict[str, Speaker]] = None,
) -> Speaker:
    """Merge into an existing speaker by canonical name or alias, else create one.

    Args:
        name: the canonical name the extractor resolved ("Jens Stoltenberg").
        kind: person / organisation / group / country / document / unknown.
        role: a title kept as the speaker's role, filled in when the speaker has none yet.
        aliases: other mentions of the same speaker; pronouns are skipped.
        named: speakers found or made by their canonical name so far (one article's
            quotes: its speakers mostly speak more than once), kept up to date here; the
            name's look-up is skipped when it is there (a speaker's name key does not
            change while an article is stored).
    Returns:
        The speaker, added to the session (not committed).
    """
    name = " ".join(name.split())[:200]
    key = normalise_name(name)
    speaker = named.get(key) if named is not None and key else None
    if speaker is None:
        speaker = find_speaker(name)
        if speaker is None:
            speaker = Speaker(
                name=name, name_key=key,
                kind=kind if kind in SPEAKER_KINDS else "unknown", role=role,
            )
            db.session.add(speaker)
        if named is not None and key and speaker.name_key == key:  # found by its name (not an alias), or new
            named[key] = speaker
    if role and not speaker.role:
        speaker.role = role
    known = {speaker.name_key} | {a.alias_key for a in speaker.aliases}
    for alias in [name, *aliases]:
        key = normalise_name(alias)
        if key not in known and is_usable_alias(alias):
            speaker.aliases.append(SpeakerAlias(alias=" ".join(alias.split())[:200], alias_key=key))
            known.add(key)
    return speaker


def speaker_for_quote(quote, named: Optional[dict[str, Speaker]] = None) -> Optional[Speaker]:
    """The desk's speaker for an extracted quote, or None when the text names nobody.

    A mention that is only a role or a pronoun ("the mayor", "she": the extractor's
    ``speaker_named`` is False) is not a speaker of its own: every article's "the mayor"
    would merge into one. The claim keeps the mention's offsets (``speaker_start/end``),
    so the text still shows who spoke, and an editor can name the speaker.
    """
    if not quote.speaker or not getattr(quote, "speaker_named", True):
        return None
    return find_or_create_speaker(quote.speaker, kind=quote.speaker_kind, role=quote.speaker_role,
                                  aliases=quote.speaker_aliases, named=named)
