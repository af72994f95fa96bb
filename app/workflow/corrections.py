"""Corrections an editor makes by selecting text: add a missed claim from a span, split a
claim at a point, merge a claim with another of its article, set a claim's span from a
selection, remove a claim that is not a quote.

Offsets are character offsets into ``Article.text`` (code points, end exclusive), as the
extractor writes them; spaces at either end of a selection are dropped. A claim's
``content`` is always ``text[start:end]``; ``spans`` lists its quoted pieces when it has
more than one (a quote interrupted by "he said"). Removed and merged claims keep their row
and history (``removed_at``, ``merged_into_id``): lists and highlights leave them out.
Each action is one write transaction, audited on every claim it touches, checked against
the ``version`` it was made from, and refused with a named error before anything is written.
"""
from __future__ import annotations

import re
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app import related
from app.errors import BadStatus, DuplicateClaim, Invalid, NotFound, StaleVersion
from app.extensions import db
from app.ids import parse_id
from app.ingest.speakers import find_or_create_speaker
from app.models import CLAIM_KINDS, Article, Claim, User, utcnow
from app.workflow.audit import claim_snapshot, record
from app.workflow.service import CUE_MAX, atomic, check_editor, check_version, get_claim, update_claim

SPEAKER_MAX = 200  # Speaker.name's column
Piece = tuple[int, int]


# --- reading offsets ------------------------------------------------------------------------

def offset(value: Any, name: str) -> int:
    """A character offset from JSON or a form: a whole number (``"12"`` from a form is fine;
    ``true``, ``1.5`` and ``"x"`` are refused, naming the field)."""
    if isinstance(value, bool) or value is None:
        raise Invalid(f"{name} must be a character offset (a whole number).", field=name)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise Invalid(f"{name} must be a character offset (a whole number).", field=name)


def trimmed(text: str, start: int, end: int) -> Piece:
    """(start, end) without the spaces at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def span_in(text: str, start: Any, end: Any) -> Piece:
    """A selection's (start, end) checked against the article text and trimmed of spaces.

    Raises Invalid when an offset is not a whole number, lies outside the text, end is not
    after start, or the selection holds only spaces.
    """
    start, end = offset(start, "start"), offset(end, "end")
    if not (0 <= start <= len(text)):
        raise Invalid(f"start {start} lies outside the article's text (0\u2013{len(text)}).", field="start")
    if not (0 <= end <= len(text)):
        raise Invalid(f"end {end} lies outside the article's text (0\u2013{len(text)}).", field="end")
    if end <= start:
        raise Invalid(f"The span is empty: end ({end}) must come after start ({start}).", field="end")
    start, end = trimmed(text, start, end)
    if end <= start:
        raise Invalid("The selected text is only spaces: select the words of the claim.", field="start")
    return start, end


def _union(pieces: list[Piece]) -> list[Piece]:
    """Pieces sorted, with overlapping or touching ones joined."""
    out: list[Piece] = []
    for a, b in sorted(pieces):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _set_pieces(claim: Claim, text: str, pieces: list[Piece]) -> None:
    """Point the claim at ``pieces``: span from the first to the last, content the text between."""
    claim.start, claim.end = pieces[0][0], pieces[-1][1]
    claim.spans = [list(p) for p in pieces] if len(pieces) > 1 else None
    claim.content = text[claim.start:claim.end]


# --- rules shared by the actions ----------------------------------------------------------------

def check_correctable(claim: Claim, *, which: str = "This claim") -> None:
    """Removed claims and approved (locked) claims are not corrected."""
    if claim.removed:
        into = f" into claim #{claim.merged_into_id}" if claim.merged_into_id else ""
        raise BadStatus(f"{which} was removed{' (merged' + into + ')' if into else ''} and cannot be corrected.")
    if claim.status == "approved":
        raise BadStatus(f"{which} is approved and locked; an admin must reopen it before it can change.")


def _speaker(name: Any):
    if name is not None and not isinstance(name, str):
        raise Invalid("speaker must be a name (text), or empty for an unknown speaker.", field="speaker")
    name = " ".join((name or "").split())
    if len(name) > SPEAKER_MAX:
        raise Invalid(f"The speaker's name is {len(name)} characters long; the limit is {SPEAKER_MAX}.",
                      field="speaker")
    return find_or_create_speaker(name) if name else None


def _kind(kind: Any) -> str:
    if kind not in CLAIM_KINDS:
        raise Invalid(f"Kind must be one of {', '.join(CLAIM_KINDS)}.", field="kind")
    return kind


def _cue(cue: Any) -> Optional[str]:
    if cue is not None and not isinstance(cue, str):
        raise Invalid("cue must be text (said, told reporters ...).", field="cue")
    cue = " ".join((cue or "").split()) or None
    if cue is not None and len(cue) > CUE_MAX:
        raise Invalid(f"The cue is {len(cue)} characters long; the limit is {CUE_MAX}.", field="cue")
    return cue


def _flush() -> None:
    """Flush now (versions bump, new ids exist), a concurrent save to the same claim being StaleVersion."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion("Someone saved this claim at the same moment; nothing of yours was saved. "
                           "Reload and try again.") from None


def _span_fields(claim: Claim) -> dict[str, Any]:
    return {"content": claim.content, "start": claim.start, "end": claim.end,
            "spans": [list(p) for p in claim.pieces], "version": claim.version}


def _duplicate_of(article_id: int, start: int, end: int, *, besides: tuple[int, ...] = ()) -> Optional[Claim]:
    return db.session.scalar(sa.select(Claim).where(
        Claim.article_id == article_id, Claim.start == start, Claim.end == end, Claim.removed_at.is_(None),
        Claim.id.not_in(besides or (0,))).limit(1))


# --- the actions ------------------------------------------------------------------------------------

@atomic
def add_claim(article_id: Any, *, user: User, start: Any, end: Any, speaker: Any = None, kind: Any = "direct",
              cue: Any = None) -> Claim:
    """Add a claim the extractor missed, from a span of the article's text.

    ``speaker`` is a name (an existing speaker or alias is reused; empty for unknown). The
    claim arrives ``new`` in the queue, marked as edited, with a ``claim_added`` event.

    Raises:
        NotFound: no such article. Invalid: span outside the text, empty or only spaces; bad
        kind, speaker or cue. DuplicateClaim: a claim already has exactly this span.
    """
    check_editor(user)
    article = db.session.get(Article, parse_id(article_id)) if parse_id(article_id) else None
    if article is None:
        raise NotFound(f"Article {article_id} does not exist.")
    start, end = span_in(article.text, start, end)
    kind, cue = _kind(kind), _cue(cue)
    existing = _duplicate_of(article.id, start, end)
    if existing is not None:
        raise DuplicateClaim(f"Claim #{existing.id} already covers exactly this text; correct that one instead.",
                             existing_id=existing.id)
    claim = Claim(article=article, speaker=_speaker(speaker), kind=kind, cue=cue, status="new", edited=True,
                  start=start, end=end, content=article.text[start:end])
    db.session.add(claim)
    _flush()
    related.embed_claims([claim])
    record("claim_added", user=user, claim=claim, after={**claim_snapshot(claim), "version": claim.version})
    db.session.commit()
    return claim


@atomic
def split_claim(claim_id: Any, *, user: User, at: Any, version: Optional[int]) -> tuple[Claim, Claim]:
    """Split a claim in two at ``at``, a character offset in the article text strictly inside
    the claim's span. The first part keeps the claim (its id, status, evidence, verdicts);
    the second becomes a new claim with the same speaker, kind and cue. A quoted piece that
    ``at`` falls inside is cut there; between pieces (in the narration of an interrupted
    quote) the pieces are shared out.

    Raises:
        Invalid: ``at`` not a whole number, outside the span, or leaving a part with no text.
        StaleVersion, BadStatus: see ``check_version`` and ``check_correctable``.
    """
    check_editor(user)
    claim = get_claim(claim_id)
    check_version(claim, version)
    check_correctable(claim)
    at = offset(at, "at")
    if not claim.start < at < claim.end:
        raise Invalid(f"Split at a character inside the claim's span ({claim.start}\u2013{claim.end}); "
                      f"{at} is outside it.", field="at")
    text = claim.article.text
    first: list[Piece] = []
    second: list[Piece] = []
    for a, b in claim.pieces:
        if b <= at:
            first.append((a, b))
        elif a >= at:
            second.append((a, b))
        else:
            first.append((a, at))
            second.append((at, b))
    first = [p for p in (trimmed(text, a, b) for a, b in first) if p[0] < p[1]]
    second = [p for p in (trimmed(text, a, b) for a, b in second) if p[0] < p[1]]
    if not first or not second:
        raise Invalid(f"Splitting at {at} leaves one part with no text: split between words of the claim.",
                      field="at")
    before = _span_fields(claim)
    new = Claim(article=claim.article, speaker=claim.speaker, speaker_start=claim.speaker_start,
                speaker_end=claim.speaker_end, kind=claim.kind, cue=claim.cue, status="new", edited=True,
                start=0, end=0, content="")
    _set_pieces(new, text, second)
    _set_pieces(claim, text, first)
    claim.edited = True
    claim.updated_at = utcnow()
    db.session.add(new)
    _flush()
    related.embed_claims([claim, new])
    record("claim_split", user=user, claim=claim, before=before, after={**_span_fields(claim), "split_into": new.id})
    record("claim_added", user=user, claim=new,
           after={**claim_snapshot(new), "version": new.version, "split_from": claim.id})
    db.session.commit()
    return claim, new


@atomic
def merge_claims(claim_id: Any, *, user: User, with_id: Any, version: Optional[int]) -> Claim:
    """Merge claim ``with_id`` into this one (two pieces of one quote the extractor cut
    apart). This claim keeps its id, status, speaker and verdicts and spans both; the other
    is removed (``merged_into_id`` points here, its history stays) and its evidence links
    move here.

    Raises:
        Invalid: ``with_id`` is not a claim, is this claim, or is in another article.
        BadStatus: either claim is removed or approved, or the other waits for review.
        StaleVersion: ``version`` is not this claim's current one.
    """
    check_editor(user)
    claim = get_claim(claim_id)
    other_id = with_id if type(with_id) is int else parse_id(with_id) if isinstance(with_id, str) else None
    if other_id is None:
        raise Invalid("with must be the id of the claim to merge with (a whole number).", field="with")
    other = db.session.get(Claim, other_id)
    if other is None:
        raise Invalid(f"There is no claim #{other_id} to merge with.", field="with")
    check_version(claim, version)
    if other.id == claim.id:
        raise Invalid("A claim cannot be merged with itself.", field="with")
    if other.article_id != claim.article_id:
        raise Invalid(f"Claims of different articles cannot be merged: #{claim.id} is in article "
                      f"{claim.article_id}, #{other.id} in article {other.article_id}.", field="with")
    check_correctable(claim)
    check_correctable(other, which=f"Claim #{other.id}")
    if other.status == "in_review":
        raise BadStatus(f"Claim #{other.id} has a verdict waiting for review; return or approve it first.")
    text = claim.article.text
    before, other_before = _span_fields(claim), {**claim_snapshot(other), "version": other.version}
    moved = []
    linked = {link.evidence_id for link in claim.evidence_links}
    for link in list(other.evidence_links):
        if link.evidence_id not in linked:
            link.claim = claim
            moved.append(link.evidence.title)
    _set_pieces(claim, text, _union(claim.pieces + other.pieces))
    if claim.speaker is None and other.speaker is not None:
        claim.speaker, claim.speaker_start, claim.speaker_end = other.speaker, other.speaker_start, other.speaker_end
    claim.cue = claim.cue or other.cue
    claim.edited = True
    claim.updated_at = other.updated_at = other.removed_at = utcnow()
    other.merged_into_id = claim.id
    _flush()
    related.embed_claims([claim])
    record("claims_merged", user=user, claim=claim, before=before,
           after={**_span_fields(claim), "merged": other.id, "evidence_moved": moved})
    record("merged_into", user=user, claim=other, before=other_before,
           after={"merged_into": claim.id, "version": other.version, "evidence_moved": moved})
    db.session.commit()
    return claim


def adjust_span(claim_id: Any, *, user: User, start: Any, end: Any, version: Optional[int]) -> Claim:
    """Set the claim's span from a selection (spaces at the ends dropped); its text follows.
    The correction is ``update_claim``'s, so it is recorded as ``claim_edited`` like any other."""
    check_editor(user)
    claim = get_claim(claim_id)
    start, end = span_in(claim.article.text, start, end)
    return update_claim(claim.id, user=user, version=version, changes={"start": start, "end": end})


@atomic
def remove_claim(claim_id: Any, *, user: User, reason: Optional[str] = None, version: Optional[int]) -> Claim:
    """Take out a claim that is not a quote at all (the extractor's mistake, unlike dismiss,
    which keeps a quote that cannot be checked). The row and its history stay."""
    check_editor(user)
    claim = get_claim(claim_id)
    check_version(claim, version)
    check_correctable(claim)
    if claim.status == "in_review":
        raise BadStatus("This claim has a verdict waiting for review; return or approve it first.")
    reason = " ".join((reason or "").split())[:500] or None
    before = {**claim_snapshot(claim), "version": claim.version}
    claim.removed_at = claim.updated_at = utcnow()
    _flush()
    record("claim_removed", user=user, claim=claim, before=before,
           after={"removed": True, "reason": reason, "version": claim.version})
    db.session.commit()
    return claim


def next_claim(claim: Claim) -> Optional[Claim]:
    """The live claim that follows ``claim`` in reading order (what "merge with the next" merges)."""
    return db.session.scalar(sa.select(Claim).where(
        Claim.article_id == claim.article_id, Claim.removed_at.is_(None), Claim.id != claim.id,
        sa.or_(Claim.start > claim.start, sa.and_(Claim.start == claim.start, Claim.id > claim.id)),
    ).order_by(Claim.start, Claim.id).limit(1))


def suggested_split(claim: Claim) -> int:
    """Where the split tool starts: the second quoted piece of an interrupted quote, else the
    sentence end nearest the middle of the claim, else the space nearest the middle."""
    pieces = claim.pieces
    if len(pieces) > 1:
        return pieces[1][0]
    content = claim.article.text[claim.start:claim.end]
    middle = len(content) // 2
    for pattern in (r"[.!?;][\"\u201d\u2019']?\s+", r"\s+"):
        points = [m.end() for m in re.finditer(pattern, content) if 0 < m.end() < len(content)]
        if points:
            return claim.start + min(points, key=lambda i: abs(i - middle))
    return claim.start + max(1, middle)
