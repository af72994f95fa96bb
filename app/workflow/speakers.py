"""Speakers as records: their profile (verdicts, recent claims, roles over time), edits,
and merges of two speakers that an admin can undo.

Like ``app.workflow.service``: each change takes ids and the acting user, checks the rules,
writes the change with its AuditEvents and commits once; refusals are domain errors and
write nothing. The speaker page, the API and the tests all come through here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.errors import BadStatus, Forbidden, Invalid, NotFound
from app.extensions import db
from app.ids import parse_id
from app.ingest.speakers import find_speaker, surviving
from app.models import (
    VERDICT_LABELS, VERDICTS, Article, AuditEvent, Claim, Speaker, SpeakerAlias, SpeakerMerge, User, Verdict,
    normalise_name, utcnow,
)
from app.workflow.audit import record
from app.workflow.queries import escape_like
from app.workflow.rules import can_edit, can_reopen, published_in_sql
from app.workflow.service import _commit, _touch, atomic, check_editor

EDITABLE = ("name", "role", "affiliation")
FIELD_MAX = 200  # Speaker.name, role and affiliation columns


# --- reading ------------------------------------------------------------------------------

def get_speaker(speaker_id: Any, *, field_name: Optional[str] = None) -> Speaker:
    """The speaker or NotFound (``field_name`` names the request field that gave the id)."""
    found = db.session.get(Speaker, parse_id(speaker_id)) if parse_id(speaker_id) else None
    if found is None:
        details = {"field": field_name} if field_name else {}
        raise NotFound(f"Speaker {speaker_id} does not exist.", **details)
    return found


def list_speakers(q: str = "", *, limit: int = 500) -> list[tuple[Speaker, int]]:
    """Speakers not merged into another, with their claim counts, most claims first."""
    n = sa.func.count(Claim.id)
    stmt = (sa.select(Speaker, n).outerjoin(Claim, sa.and_(Claim.speaker_id == Speaker.id, Claim.removed_at.is_(None)))
            .where(Speaker.merged_into_id.is_(None))
            .group_by(Speaker.id).order_by(n.desc(), Speaker.name).limit(limit))
    q = " ".join((q or "").split())
    if q:
        stmt = stmt.where(Speaker.name.ilike(f"%{escape_like(q)}%", escape="\\"))
    return [(speaker, count) for speaker, count in db.session.execute(stmt).all()]


@dataclass
class RoleSeen:
    """One role as the articles give it, with the first and last article that did."""

    role: str
    first_at: datetime
    last_at: datetime
    articles: int
    last_article_id: int
    last_article_title: str


@dataclass
class Profile:
    speaker: Speaker
    claims: int
    tally: list[tuple[str, str, int]]  # (verdict, label, approved claims), in verdict order
    roles: list[RoleSeen]
    recent: list[Claim]
    merged_from: list[Speaker] = field(default_factory=list)  # speakers merged into this one
    merge: Optional[SpeakerMerge] = None  # when this speaker was merged into another: that merge

    @property
    def approved(self) -> int:
        return sum(n for _, _, n in self.tally)


def verdict_tally(speaker_id: int) -> list[tuple[str, str, int]]:
    """How the speaker's published (approved) claims were rated, every verdict that occurs."""
    latest = sa.select(sa.func.max(Verdict.id)).where(Verdict.claim_id == Claim.id).correlate(Claim).scalar_subquery()
    counts = dict(db.session.execute(
        sa.select(Verdict.verdict, sa.func.count(Claim.id))
        .join(Verdict, sa.and_(Verdict.claim_id == Claim.id, Verdict.id == latest))
        .where(Claim.speaker_id == speaker_id, Claim.removed_at.is_(None), published_in_sql())
        .group_by(Verdict.verdict)).all())
    return [(v, VERDICT_LABELS[v], counts[v]) for v in VERDICTS if counts.get(v)]


def roles_over_time(speaker_id: int) -> list[RoleSeen]:
    """The roles the articles gave the speaker, oldest first (by the article's date)."""
    when = sa.func.coalesce(Article.published_at, Article.ingested_at)
    rows = db.session.execute(
        sa.select(Claim.speaker_role, Article.id, Article.title, when)
        .join(Article, Article.id == Claim.article_id)
        .where(Claim.speaker_id == speaker_id, Claim.speaker_role.is_not(None), Claim.removed_at.is_(None))
        .distinct().order_by(when, Article.id)).all()
    seen: dict[str, RoleSeen] = {}
    counted: set[tuple[str, int]] = set()
    for role, article_id, title, at in rows:
        key = normalise_name(role)
        if (key, article_id) in counted:
            continue
        counted.add((key, article_id))
        if key not in seen:
            seen[key] = RoleSeen(role, at, at, 0, article_id, title)
        item = seen[key]
        item.articles += 1
        item.last_at, item.last_article_id, item.last_article_title = at, article_id, title
    return sorted(seen.values(), key=lambda r: (r.first_at, r.last_at))


def recent_claims(speaker_id: int, limit: int = 10) -> list[Claim]:
    """The speaker's latest claims: newest article first (its date, else when it came in)."""
    when = sa.func.coalesce(Article.published_at, Article.ingested_at)
    return list(db.session.scalars(
        sa.select(Claim).join(Article, Article.id == Claim.article_id)
        .where(Claim.speaker_id == speaker_id, Claim.removed_at.is_(None))
        .order_by(when.desc(), Article.id.desc(), Claim.start)
        .options(so.contains_eager(Claim.article), so.selectinload(Claim.verdicts)).limit(limit)))


def profile(speaker_id: Any) -> Profile:
    """Everything the speaker page shows."""
    speaker = get_speaker(speaker_id)
    count = db.session.scalar(sa.select(sa.func.count(Claim.id)).where(
        Claim.speaker_id == speaker.id, Claim.removed_at.is_(None))) or 0
    merged_from = list(db.session.scalars(
        sa.select(Speaker).where(Speaker.merged_into_id == speaker.id).order_by(Speaker.name)))
    return Profile(speaker=speaker, claims=count, tally=verdict_tally(speaker.id), roles=roles_over_time(speaker.id),
                   recent=recent_claims(speaker.id), merged_from=merged_from,
                   merge=active_merge(speaker) if speaker.merged_into_id else None)


def active_merge(source: Speaker) -> Optional[SpeakerMerge]:
    """The merge (not undone) that took ``source`` into another speaker, if any."""
    return db.session.scalar(
        sa.select(SpeakerMerge).where(SpeakerMerge.source_id == source.id, SpeakerMerge.undone_at.is_(None))
        .order_by(SpeakerMerge.id.desc()).limit(1))


def history(speaker_id: Any) -> list[AuditEvent]:
    """The speaker's own history (edits, merges), and that of the speakers merged into it."""
    speaker = get_speaker(speaker_id)
    ids, frontier = {speaker.id}, [speaker.id]
    while frontier:  # speakers merged into this one, and into those
        frontier = [i for i in db.session.scalars(sa.select(Speaker.id).where(Speaker.merged_into_id.in_(frontier)))
                    if i not in ids]
        ids.update(frontier)
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.speaker_id.in_(ids)).order_by(AuditEvent.at, AuditEvent.id)
        .options(so.joinedload(AuditEvent.user))))


def likely_duplicates(speaker: Speaker, limit: int = 5) -> list[tuple[Speaker, int]]:
    """Other speakers (not merged) that may be the same one: the same last name ("Stoltenberg"
    and "Jens Stoltenberg"), or a name that is one of the other's aliases. With claim counts."""
    keys = {speaker.name_key} | {a.alias_key for a in speaker.aliases}
    last = speaker.name_key.split()[-1] if speaker.name_key.split() else ""
    alias_owner = sa.select(SpeakerAlias.speaker_id).where(SpeakerAlias.alias_key.in_(keys))
    alike = [Speaker.name_key.in_(keys), Speaker.id.in_(alias_owner)]
    if len(last) >= 3:
        pattern = escape_like(last)
        alike += [Speaker.name_key == last, Speaker.name_key.like(f"% {pattern}", escape="\\")]
    n = sa.func.count(Claim.id)
    rows = db.session.execute(
        sa.select(Speaker, n).outerjoin(Claim, sa.and_(Claim.speaker_id == Speaker.id, Claim.removed_at.is_(None)))
        .where(Speaker.id != speaker.id, Speaker.merged_into_id.is_(None), sa.or_(*alike))
        .group_by(Speaker.id).order_by(n.desc(), Speaker.name).limit(limit)).all()
    return [(other, count) for other, count in rows]


def can_undo_merge(user: Any) -> bool:
    """Only admins undo a merge of two speakers."""
    return can_reopen(user)


def find_by_reference(ref: Any) -> Speaker:
    """The speaker a person typed: an id ("12", "#12") or a name or alias (merges followed)."""
    text = " ".join(str(ref or "").split())
    if not text:
        raise Invalid("Say which speaker: a name or a number.", field="into")
    speaker_id = parse_id(text.lstrip("#"))
    if speaker_id is not None:
        return get_speaker(speaker_id, field_name="into")
    found = find_speaker(text)
    if found is None:
        raise NotFound(f"No speaker is called {text!r} (or several are): give the speaker's number.", field="into")
    return found


# --- edits --------------------------------------------------------------------------------

def _clean(value: Any, name: str, *, required: bool = False) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{name} must be text.", field=name)
    text = " ".join((value or "").split())
    if required and not text:
        raise Invalid("The speaker's name cannot be empty.", field=name)
    if len(text) > FIELD_MAX:
        raise Invalid(f"The {name} is {len(text)} characters long; the limit is {FIELD_MAX}.", field=name)
    return text or None


def _check_not_merged(speaker: Speaker) -> None:
    if speaker.merged_into_id is not None:
        target = surviving(speaker)
        raise BadStatus(f"{speaker.name} was merged into {target.name}; change {target.name} instead.",
                        merged_into=target.id)


@atomic
def update_speaker(speaker_id: Any, *, user: User, changes: Mapping[str, Any]) -> Speaker:
    """Correct a speaker's name, role and affiliation in one audited change. A new name keeps
    the old one as an alias (so later articles still find the speaker by it).

    Raises:
        Invalid: an unknown field, an empty name, a value too long, or a name that another
        speaker has (``details['existing_id']``: merge the two instead). BadStatus: merged.
    """
    check_editor(user)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Invalid(f"These fields cannot be changed: {', '.join(unknown)}. A speaker has "
                      f"{', '.join(EDITABLE)}.", fields=unknown)
    speaker = get_speaker(speaker_id)
    _check_not_merged(speaker)
    before = {"name": speaker.name, "role": speaker.role, "affiliation": speaker.affiliation}
    with db.session.no_autoflush:
        if "name" in changes:
            name = _clean(changes["name"], "name", required=True)
            key = normalise_name(name)
            if key != speaker.name_key:
                other = db.session.scalar(sa.select(Speaker).where(Speaker.name_key == key))
                if other is not None:
                    raise Invalid(f"{other.name} is another speaker already (#{other.id}): merge the two instead "
                                  "of renaming.", field="name", existing_id=other.id)
                _keep_alias(speaker, speaker.name)
                speaker.name_key = key
            speaker.name = name
        for name in ("role", "affiliation"):
            if name in changes:
                setattr(speaker, name, _clean(changes[name], name))
    after = {"name": speaker.name, "role": speaker.role, "affiliation": speaker.affiliation}
    changed = [k for k in after if before[k] != after[k]]
    if not changed:
        db.session.rollback()
        return get_speaker(speaker_id)
    record("speaker_edited", user=user, speaker=speaker, before={k: before[k] for k in changed},
           after={k: after[k] for k in changed})
    db.session.commit()
    return speaker


def _keep_alias(speaker: Speaker, mention: str) -> Optional[SpeakerAlias]:
    """Add ``mention`` to the speaker's aliases unless it is there already."""
    key = normalise_name(mention)
    if not key or any(a.alias_key == key for a in speaker.aliases):
        return None
    alias = SpeakerAlias(alias=" ".join(mention.split())[:FIELD_MAX], alias_key=key)
    speaker.aliases.append(alias)
    return alias


# --- merges -------------------------------------------------------------------------------

@atomic
def merge(speaker_id: Any, *, into: Any, user: User) -> Speaker:
    """Merge one speaker into another, which survives: the claims (each with a history
    event and a new version), the aliases and the history move to it, the merged speaker's
    name becomes one of its aliases, and an empty role or affiliation is taken over.

    Raises:
        NotFound: either speaker (``details['field'] == 'into'`` for the survivor).
        Invalid: a speaker merged into itself. BadStatus: either one was merged already.
    Returns:
        The surviving speaker.
    """
    check_editor(user)
    source = get_speaker(speaker_id)
    if into is None or isinstance(into, bool) or (parse_id(into) is None and not isinstance(into, Speaker)):
        raise Invalid("Say which speaker to merge into: 'into' is that speaker's id.", field="into")
    target = into if isinstance(into, Speaker) else get_speaker(into, field_name="into")
    if source.id == target.id:
        raise Invalid(f"A speaker cannot be merged into itself ({source.name}).", field="into")
    if source.merged_into_id is not None:
        raise BadStatus(f"{source.name} was merged into {surviving(source).name} already.",
                        merged_into=surviving(source).id)
    if target.merged_into_id is not None:
        raise BadStatus(f"{target.name} was merged into {surviving(target).name}: merge into that speaker instead.",
                        field="into", merged_into=surviving(target).id)

    with db.session.no_autoflush:
        claims = list(db.session.scalars(sa.select(Claim).where(Claim.speaker_id == source.id).order_by(Claim.id)))
        for claim in claims:
            version = claim.version
            claim.speaker = target
            _touch(claim)
            record("speaker_merged", user=user, claim=claim, before={"speaker": source.name, "version": version},
                   after={"speaker": target.name, "version": version + 1})
        known = {target.name_key} | {a.alias_key for a in target.aliases}
        moved = []
        for alias in list(source.aliases):
            if alias.alias_key not in known:
                alias.speaker = target
                known.add(alias.alias_key)
                moved.append(alias)
        added = _keep_alias(target, source.name) if source.name_key not in known else None
        filled = {}
        for name in ("role", "affiliation"):
            if not getattr(target, name) and getattr(source, name):
                filled[name] = getattr(source, name)
                setattr(target, name, filled[name])
        source.merged_into = target
    db.session.flush()
    entry = SpeakerMerge(source=source, target=target, claim_ids=[c.id for c in claims],
                         alias_ids=[a.id for a in moved], added_alias_id=added.id if added else None,
                         filled=filled, merged_by=user)
    db.session.add(entry)
    record("speaker_merged", user=user, speaker=target,
           before={"speaker": source.name, "speaker_id": source.id},
           after={"speaker": target.name, "speaker_id": target.id, "claims": len(claims),
                  "aliases": [a.alias for a in moved], **filled})
    _commit(target)
    return target


@atomic
def undo_merge(speaker_id: Any, *, user: User) -> Speaker:
    """An admin undoes the merge of ``speaker_id`` into another: the claims and aliases that
    moved go back (those changed since stay), as do fields taken over; returns the speaker.

    Raises:
        Forbidden: not an admin. BadStatus: not merged, or its survivor was merged since
        (undo that merge first).
    """
    if not can_undo_merge(user):
        raise Forbidden("Only an admin can undo a merge of two speakers.")
    source = get_speaker(speaker_id)
    entry = active_merge(source) if source.merged_into_id is not None else None
    if entry is None:
        raise BadStatus(f"{source.name} is not merged into another speaker.")
    target = entry.target
    if target.merged_into_id is not None:
        raise BadStatus(f"{target.name} was merged into {surviving(target).name} since: undo that merge first.",
                        merged_into=target.merged_into_id)
    with db.session.no_autoflush:
        back = list(db.session.scalars(sa.select(Claim).where(
            Claim.id.in_(entry.claim_ids or [-1]), Claim.speaker_id == target.id).order_by(Claim.id)))
        for claim in back:
            version = claim.version
            claim.speaker = source
            _touch(claim)
            record("speaker_unmerged", user=user, claim=claim, before={"speaker": target.name, "version": version},
                   after={"speaker": source.name, "version": version + 1})
        aliases = list(db.session.scalars(sa.select(SpeakerAlias).where(
            SpeakerAlias.id.in_(entry.alias_ids or [-1]), SpeakerAlias.speaker_id == target.id)))
        for alias in aliases:
            alias.speaker = source
        if entry.added_alias_id:
            added = db.session.get(SpeakerAlias, entry.added_alias_id)
            if added is not None and added.speaker_id == target.id:
                target.aliases.remove(added)
        for name, value in (entry.filled or {}).items():
            if getattr(target, name) == value:
                setattr(target, name, None)
        source.merged_into = None
        entry.undone_by, entry.undone_at = user, utcnow()
    record("speaker_unmerged", user=user, speaker=target,
           before={"speaker": target.name, "speaker_id": target.id},
           after={"speaker": source.name, "speaker_id": source.id, "claims": len(back),
                  "aliases": [a.alias for a in aliases]})
    _commit(source)
    return source


def may_edit(user: Any) -> bool:
    """Editors, reviewers and admins correct speakers and merge duplicates."""
    return can_edit(user)
