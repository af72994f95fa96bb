"""Every rule about changing a claim: edits, assignment, evidence, verdicts, review, comments.

Each function takes ids and the acting user, checks permissions and status, writes the
change and its AuditEvent, and commits once. Refusals are domain errors (app.errors);
nothing is written when one is raised. Web views, the API, bulk actions and the tests
all come through here, so no route can get around a rule.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm.exc import StaleDataError

from app import priority, related
from app.priority import checked
from app.database import begin_write
from app.errors import BadStatus, DomainError, EvidenceExists, EvidenceRequired, Forbidden, FourEyes, Invalid, NotFound, StaleVersion
from app.export.urls import external_url
from app.extensions import db
from app.ids import parse_id
from app.ingest.speakers import find_or_create_speaker
from app.links import is_web_url
from app.models import (
    CLAIM_KINDS, STANCES, STATUS_LABELS, VERDICT_LABELS, VERDICTS, AuditEvent, Claim, ClaimEvidence, Comment, Evidence,
    FactCheck,
    User, Verdict, utcnow,
)
from app.transaction import rollback_on_error
from app.notifications import service as notifications
from app.webhooks import service as webhooks
from app.workflow import publication
from app.workflow.audit import CLAIM_FIELDS, claim_snapshot, record
from app.workflow.rules import TERMINAL_STATUSES, WORKING_STATUSES, can_edit, can_reopen, can_review

# What ``update_claim`` corrects: the extraction. Status and assignee have their own actions.
EDITABLE_FIELDS = ("content", "speaker", "kind", "start", "end", "cue", "publication_wording")
ACTION_FIELDS = ("status", "assignee", "reason", "dismiss_reason")
BUSY_MESSAGE = "Another change was being saved at the same moment; nothing of yours was saved. Try again."
CUE_MAX = 100  # Claim.cue's column
WORDING_MAX = 5000  # publication wording: a sentence or two, never an article


log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def atomic(func: F) -> F:
    """A write transaction (SQLite: BEGIN IMMEDIATE, app.database) that writes nothing when
    the action is refused or fails: the session is rolled back on any error."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with rollback_on_error(BUSY_MESSAGE):
            begin_write()
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


# --- permission helpers (the rules themselves are in app.workflow.rules) ----------------

def check_editor(user: User) -> None:
    """Refuse users who may not change claims."""
    if not can_edit(user):
        raise Forbidden("You may not change claims.")


@dataclass(frozen=True)
class Actions:
    """What a user may do to a claim right now: the claim page shows exactly these, and
    each one is checked again by its service function."""

    work: bool  # link evidence, propose a verdict, dismiss (new or in progress)
    review: bool  # approve or return the verdict waiting for review
    own_verdict: bool  # waiting for review, proposed by this reviewer: four eyes forbid signing it
    reopen: bool  # approved or dismissed, and the user is an admin
    edit: bool  # correct the extraction (anything but an approved claim)
    assign: bool  # neither approved nor dismissed
    take: bool  # may be assigned, and is not assigned to this user already


def allowed_actions(claim: Claim, user: User) -> Actions:
    """The actions of ``user`` on ``claim`` under the rules below."""
    desk = can_edit(user) and not claim.removed
    pending = claim.current_verdict if claim.status == "in_review" else None
    own = pending is not None and pending.state == "proposed" and pending.proposed_by_id == user.id
    return Actions(
        work=desk and claim.status in WORKING_STATUSES,
        review=desk and can_review(user) and pending is not None and pending.state == "proposed" and not own,
        own_verdict=own and can_review(user),
        reopen=can_reopen(user) and claim.status in TERMINAL_STATUSES and not claim.removed,
        edit=desk and claim.status != "approved",
        assign=desk and claim.status not in TERMINAL_STATUSES,
        take=desk and claim.status not in TERMINAL_STATUSES and claim.assignee_id != user.id,
    )


# --- loading and locking -----------------------------------------------------------------

def get_claim(claim_id: int) -> Claim:
    """The claim or NotFound."""
    claim = db.session.get(Claim, parse_id(claim_id)) if parse_id(claim_id) else None
    if claim is None:
        raise NotFound(f"Claim {claim_id} does not exist.")
    return claim


def check_live(claim: Claim) -> None:
    """Refuse any change to a claim a correction removed (or merged into another)."""
    if claim.removed:
        where = f" into claim #{claim.merged_into_id}" if claim.merged_into_id else ""
        raise BadStatus(f"This claim was {'merged' + where if where else 'removed'} by a correction; "
                        "it no longer changes.")


def check_version(claim: Claim, version: Optional[int]) -> None:
    """Refuse a save made from a stale copy, telling what changed since that version."""
    if version is None:
        return
    try:
        version = int(str(version).strip())
    except ValueError:
        raise Invalid("version must be the claim's version number.", field="version") from None
    if version == claim.version:
        return
    changes = changes_since(claim, version)
    summary = "; ".join(changes) if changes else "the claim was changed"
    raise StaleVersion(
        f"Someone saved this claim after you opened it (you had version {version}, it is now "
        f"version {claim.version}): {summary}. Nothing of yours was saved; reload and apply your change again.",
        current_version=claim.version, your_version=version, changes=changes,
        current=claim_snapshot(claim),
    )


def changes_since(claim: Claim, version: int) -> list[str]:
    """Readable lines for the history events recorded after ``version`` of the claim."""
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.claim_id == claim.id).order_by(AuditEvent.id)
    ).all()
    lines = []
    for event in events:
        after = event.after or {}
        if not isinstance(after, dict) or (after.get("version") or 0) <= version:
            continue
        who = event.user.name if event.user else "the system"
        before = event.before or {}
        fields = _in_field_order(k for k in after if k != "version" and before.get(k) != after.get(k))
        detail = ", ".join(f"{k} \u2192 {_short(after[k])!r}" for k in fields[:4])
        lines.append(f"{who} ({event.action.replace('_', ' ')}{': ' + detail if detail else ''})")
    return lines


def _in_field_order(names: Iterable[str]) -> list[str]:
    """Claim fields in the order the claim page shows them, then any others as given."""
    names = list(dict.fromkeys(names))
    known = [f for f in CLAIM_FIELDS if f in names]
    return known + [n for n in names if n not in known]


def _short(value: Any, limit: int = 80) -> Any:
    """Long texts cut to ``limit`` characters for a message."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "\u2026"
    return value


def _status(claim: Claim) -> str:
    """The claim's status as a message says it: "in review", not "in_review"."""
    return STATUS_LABELS[claim.status].lower()


def _commit(claim: Claim) -> None:
    """Commit, turning a concurrent write to the same claim into StaleVersion."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion("Someone saved this claim at the same moment; nothing of yours was saved. Reload and try again.")


def _touch(claim: Claim) -> None:
    """Mark the claim changed: bumps ``version`` and ``updated_at`` on flush."""
    claim.updated_at = utcnow()


def _snapshot(claim: Claim) -> dict[str, Any]:
    return {**claim_snapshot(claim), "version": claim.version}


def _after(claim: Claim) -> dict[str, Any]:
    # version_id_col increments on flush; the event records the version it produces.
    return {**claim_snapshot(claim), "version": claim.version + 1}


def _take_if_new(claim: Claim, user: User) -> None:
    """Working on a new claim takes it: in_progress, assigned to the worker."""
    if claim.status == "new":
        claim.status = "in_progress"
        if claim.assignee is None:
            claim.assignee = user


# --- extraction fixes and fields --------------------------------------------------------

@atomic
def update_claim(claim_id: int, *, user: User, version: Optional[int], changes: Mapping[str, Any]) -> Claim:
    """Apply an editor's corrections of the extraction (content, span, speaker, kind, cue)
    and the publication wording in one audited change (blank wording: the extracted content). Status and assignee are not edited here: ``take``, ``assign``,
    ``dismiss`` and ``reopen`` change them.

    Raises:
        Invalid: status, assignee or an unknown field; a bad value. StaleVersion: ``version``
        is not current. BadStatus: the claim is approved (locked).
    """
    check_editor(user)
    actions = sorted(set(changes) & set(ACTION_FIELDS))
    if actions:
        raise Invalid(f"{' and '.join(actions)} cannot be changed with a correction of the extraction: use the "
                      "claim's actions (take, assign, dismiss, reopen).", fields=actions)
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"version"}
    if unknown:
        raise Invalid(f"These fields cannot be changed: {', '.join(sorted(unknown))}.", fields=sorted(unknown))
    claim = get_claim(claim_id)
    check_live(claim)
    check_version(claim, version)
    if claim.status == "approved":
        raise BadStatus("This claim is approved and locked; an admin must reopen it before it can change.")
    before = _snapshot(claim)
    text = claim.article.text
    # One flush at commit: lookups below must not flush (and bump the version) halfway.
    with db.session.no_autoflush:
        if _content_changes(claim, changes):
            _apply_span(claim, text, changes)
        if "speaker" in changes:
            name = " ".join(str(changes["speaker"] or "").split())
            speaker = find_or_create_speaker(name) if name else None
            if speaker is not claim.speaker:  # the speaker's place in the text belongs to the old one
                claim.speaker = speaker
                claim.speaker_start = claim.speaker_end = None
        if "kind" in changes:
            if changes["kind"] not in CLAIM_KINDS:
                raise Invalid(f"Kind must be one of {', '.join(CLAIM_KINDS)}.", field="kind")
            claim.kind = changes["kind"]
        if "cue" in changes:
            cue = str(changes["cue"] or "").strip() or None
            if cue is not None and len(cue) > CUE_MAX:
                raise Invalid(f"The cue is {len(cue)} characters long; the limit is {CUE_MAX}.", field="cue")
            claim.cue = cue
        if "publication_wording" in changes:
            claim.publication_wording = _wording(changes["publication_wording"], claim.content)

    after = _after(claim)
    changed = _in_field_order(k for k in after if k != "version" and before.get(k) != after.get(k))
    if not changed:
        return claim
    claim.edited = True
    if "content" in changed:
        with db.session.no_autoflush:  # a flush here would bump the version twice in one save
            vectors = related.embed_claims([claim])
            if vectors is not None:  # the new text is scored on its own, and matched again
                priority.rescore_claim(claim, vectors[0])
                checked.apply_match(claim, checked.best_match(claim.content, vectors[0], exclude_claim_id=claim.id))
    _touch(claim)
    record("claim_edited", user=user, claim=claim,
           before={k: before[k] for k in changed} | {"version": before["version"]},
           after={k: after[k] for k in changed} | {"version": after["version"]})
    _commit(claim)
    return claim


def _wording(value: Any, content: str) -> Optional[str]:
    """The publication wording to store: None (follow the extracted content) when it is
    blank or the same as the content."""
    if value is not None and not isinstance(value, str):
        raise Invalid("publication_wording must be text (or null for the extracted wording).",
                      field="publication_wording")
    wording = " ".join((value or "").split())
    if len(wording) > WORDING_MAX:
        raise Invalid(f"The publication wording is {len(wording):,} characters long; the limit is {WORDING_MAX:,}.",
                      field="publication_wording")
    return wording if wording and wording != " ".join(content.split()) else None


def _content_changes(claim: Claim, changes: Mapping[str, Any]) -> bool:
    """True when ``changes`` move the span or change the text (whitespace aside): a form that
    posts the text back unchanged must not re-anchor the span or forget a split quote's pieces."""
    if changes.get("start") is not None or changes.get("end") is not None:
        return True
    if "content" not in changes:
        return False
    return " ".join(str(changes["content"] or "").split()) != " ".join(claim.content.split())


def _apply_span(claim: Claim, text: str, changes: Mapping[str, Any]) -> None:
    """Set content and span together so that content always equals text[start:end]
    when the editor's content is found in the article (spacing and line breaks aside), and
    stays free text otherwise. New offsets with the text posted back unchanged (the claim
    form sends every field): the text follows the offsets."""
    content = " ".join(str(changes.get("content", claim.content)).split()) if "content" in changes else claim.content
    if not content.strip():
        raise Invalid("The claim text cannot be empty.", field="content")
    start, end = changes.get("start"), changes.get("end")
    if start is not None or end is not None:
        try:
            start, end = int(start if start is not None else claim.start), int(end if end is not None else claim.end)
        except (TypeError, ValueError):
            raise Invalid("start and end must be character offsets.", field="start") from None
        if not (0 <= start < end <= len(text)):
            raise Invalid(f"The span must lie inside the article (0\u2013{len(text)}).", field="start")
        unchanged = " ".join(content.split()) == " ".join(claim.content.split())
        claim.start, claim.end = start, end
        claim.content = text[start:end] if "content" not in changes or unchanged else content
    else:
        found = _find_near(text, content, claim.start)
        if found is not None:
            claim.start, claim.end = found
            content = text[found[0]:found[1]]
        claim.content = content
    claim.spans = None


def _find_near(text: str, content: str, near: int) -> Optional[tuple[int, int]]:
    """(start, end) of ``content`` in ``text`` closest to ``near``, any run of spaces or line
    breaks in either matching any other (the editor's text is normalised, the article's
    may wrap lines); None when it is not there."""
    pattern = re.compile(r"\s+".join(re.escape(word) for word in content.split()))
    best: Optional[tuple[int, int]] = None
    for match in pattern.finditer(text):
        if best is None or abs(match.start() - near) < abs(best[0] - near):
            best = match.span()
    return best


def _user_by_ref(ref: Any) -> Optional[User]:
    """The active user ``ref`` names (a User, an id, or an e-mail); None for nobody."""
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        return None
    if isinstance(ref, User):
        return ref
    user_id = parse_id(ref)
    if user_id is not None:
        user = db.session.get(User, user_id)
    elif isinstance(ref, str):
        user = db.session.scalar(sa.select(User).where(User.email == ref.strip().lower()))
    else:
        user = None
    if user is None or not user.active:
        raise Invalid(f"No active user {ref!r} to assign.", field="assignee")
    return user


# --- assignment -------------------------------------------------------------------------

@atomic
def assign(claim_id: int, *, user: User, assignee: Any, version: Optional[int] = None) -> Claim:
    """Assign the claim to someone (a User, user id or e-mail) or nobody (None); assigning
    a new claim starts work on it."""
    check_editor(user)
    claim = get_claim(claim_id)
    check_live(claim)
    check_version(claim, version)
    if claim.status in TERMINAL_STATUSES:
        raise BadStatus(f"This claim is {claim.status}; an admin must reopen it before it can be assigned.")
    before = _snapshot(claim)
    claim.assignee = _user_by_ref(assignee)
    if claim.assignee is not None:
        _take_if_new(claim, claim.assignee)
    if _snapshot(claim) == before:
        return claim
    _touch(claim)
    record("assigned", user=user, claim=claim, before=before, after=_after(claim))
    if claim.assignee is not None:
        notifications.notify([claim.assignee], "assigned", claim, actor=user,
                             message=f"{user.name} assigned claim #{claim.id} to you.")
    _commit(claim)
    return claim


@atomic
def set_due_date(claim_id: int, *, user: User, due: Any, version: Optional[int] = None) -> Claim:
    """Give the claim a due date (an ISO date, a ``date``) or none (None or "")."""
    check_editor(user)
    claim = get_claim(claim_id)
    check_version(claim, version)
    if claim.status in TERMINAL_STATUSES:
        raise BadStatus(f"This claim is {_status(claim)}; it has nothing left to be due.")
    value = _due(due)
    if value == claim.due_date:
        return claim
    before = claim.due_date
    claim.due_date = value
    _touch(claim)
    record("due_date_set", user=user, claim=claim,
           before={"due_date": before.isoformat() if before else None, "version": claim.version},
           after={"due_date": value.isoformat() if value else None, "version": claim.version + 1})
    if claim.assignee is not None and value is not None:
        notifications.notify([claim.assignee], "assigned", claim, actor=user,
                             message=f"{user.name} set claim #{claim.id} (assigned to you) due on {value:%Y-%m-%d}.")
    _commit(claim)
    return claim


def _due(value: Any) -> Optional[date]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and date(2000, 1, 1) <= parsed <= date(2100, 12, 31):
            return parsed
    raise Invalid("due_date must be a date as YYYY-MM-DD (or null for none).", field="due_date")


def take(claim_id: int, *, user: User, version: Optional[int] = None) -> Claim:
    """Assign the claim to the acting user (recorded as ``assigned``, like ``assign``)."""
    return assign(claim_id, user=user, assignee=user, version=version)


# --- evidence ---------------------------------------------------------------------------

@dataclass
class EvidenceInput:
    url: Optional[str]
    title: str
    stance: str
    publisher: Optional[str] = None
    published_at: Optional[datetime] = None
    excerpt: Optional[str] = None
    note: Optional[str] = None


@atomic
def link_evidence(
    claim_id: int,
    *,
    user: User,
    evidence: Optional[EvidenceInput] = None,
    evidence_id: Optional[int] = None,
    source_claim_id: Optional[int] = None,
    factcheck_id: Optional[int] = None,
    stance: Optional[str] = None,
    note: Optional[str] = None,
    existing: Optional[str] = None,
) -> ClaimEvidence:
    """Link evidence to a claim: new evidence, evidence already in the desk (``evidence_id``),
    another claim already checked (``source_claim_id``) or an imported fact-check
    (``factcheck_id``). Working on a new claim takes it.

    New evidence whose URL is stored already with another title, excerpt, publisher or date
    raises EvidenceExists (nothing written) unless ``existing`` says what to do: ``"keep"``
    links the stored one as it is, ``"update"`` first updates it with the editor's values
    (an ``evidence_updated`` event in this claim's history).
    """
    check_editor(user)
    claim = get_claim(claim_id)
    check_live(claim)
    if claim.status not in WORKING_STATUSES:
        raise BadStatus(f"Evidence can be linked while a claim is new or in progress; this one is {_status(claim)}.")
    stance = (evidence.stance if evidence else stance) or ""
    if stance not in STANCES:
        raise Invalid(f"Stance must be one of {', '.join(STANCES)}.", field="stance")
    note = (evidence.note if evidence else note) or None
    if evidence_id is not None:
        item = db.session.get(Evidence, parse_id(evidence_id)) if parse_id(evidence_id) else None
        if item is None:
            raise NotFound(f"Evidence {evidence_id} does not exist.")
    elif source_claim_id is not None:
        item = _evidence_from_claim(source_claim_id, claim, user)
    elif factcheck_id is not None:
        item = _evidence_from_factcheck(factcheck_id, user, claim)
    elif evidence is not None:
        item = _new_or_existing_evidence(evidence, user, claim=claim, existing=existing)
    else:
        raise Invalid("Give the evidence's URL and title, or pick evidence already in the desk.")
    if item.id is not None and db.session.scalar(sa.select(ClaimEvidence.id).where(
            ClaimEvidence.claim_id == claim.id, ClaimEvidence.evidence_id == item.id)):
        raise Invalid("This evidence is already linked to the claim.", field="url")
    before = _snapshot(claim)
    link = ClaimEvidence(claim=claim, evidence=item, stance=stance, note=note, added_by=user)
    db.session.add(link)
    _take_if_new(claim, user)
    _touch(claim)
    record("evidence_linked", user=user, claim=claim, before={"status": before["status"], "version": before["version"]},
           after={"status": claim.status, "version": before["version"] + 1, "evidence": item.title,
                  "url": item.url, "stance": stance})
    _commit(claim)
    return link


EXISTING_CHOICES = ("keep", "update")
EVIDENCE_FIELDS = ("title", "publisher", "published_at", "excerpt")  # what an editor may update


def _new_or_existing_evidence(data: EvidenceInput, user: User, *, claim: Claim,
                              existing: Optional[str] = None) -> Evidence:
    """Evidence is stored once: a URL already in the desk is reused. When the editor typed
    other values for it, they choose (``existing``): keep the stored ones or update them."""
    title = " ".join((data.title or "").split())
    url = (data.url or "").strip() or None
    if not title:
        raise Invalid("Evidence needs a title.", field="title")
    if not url:
        raise Invalid("Evidence needs the URL of its source.", field="url")
    if not is_web_url(url):
        raise Invalid("The evidence URL must start with http:// or https://.", field="url")
    if existing is not None and existing not in EXISTING_CHOICES:
        raise Invalid("existing must be 'keep' (link the stored source as it is) or 'update' (update it with "
                      "these values).", field="existing")
    mine = {"title": title[:500], "publisher": (data.publisher or "").strip() or None,
            "published_at": data.published_at, "excerpt": (data.excerpt or "").strip() or None}
    stored = db.session.scalar(sa.select(Evidence).where(Evidence.url == url).order_by(Evidence.id).limit(1))
    if stored is not None:
        if db.session.scalar(sa.select(ClaimEvidence.id).where(ClaimEvidence.claim_id == claim.id,
                                                                ClaimEvidence.evidence_id == stored.id)):
            raise Invalid("This evidence is already linked to the claim.", field="url")
        # Fields the editor left empty keep the stored value; the others are compared.
        differs = [k for k in EVIDENCE_FIELDS if mine[k] is not None and _norm(mine[k]) != _norm(getattr(stored, k))]
        if not differs or existing == "keep":
            return stored
        if existing is None:
            raise EvidenceExists(
                f"This source is in the desk already as \u201c{stored.title}\u201d"
                f"{' with another ' + ', '.join(_FIELD_WORDS[k] for k in differs) if differs else ''}. "
                "Link it as stored, or update the stored source with what you typed (every claim that "
                "uses it will show the update).",
                evidence_id=stored.id, differs=differs, stored=evidence_values(stored), yours=_jsonable(mine))
        _update_evidence(stored, {k: mine[k] for k in differs}, user=user, claim=claim)
        return stored
    item = Evidence(url=url, title=mine["title"], publisher=mine["publisher"], published_at=data.published_at,
                    excerpt=mine["excerpt"], created_by=user)
    db.session.add(item)
    related.embed_evidence([item])
    return item


def _evidence_from_factcheck(factcheck_id: int, user: User, claim: Claim) -> Evidence:
    """An imported fact-check as evidence (stored once per url, like any evidence)."""
    fc = db.session.get(FactCheck, parse_id(factcheck_id)) if parse_id(factcheck_id) else None
    if fc is None:
        raise NotFound(f"There is no imported fact-check {factcheck_id!r}.")
    rating = f": {fc.rating_name}" if fc.rating_name else ""
    return _new_or_existing_evidence(EvidenceInput(
        url=fc.url, title=f"{fc.publisher or 'Fact-check'}{rating}: {fc.title or fc.claim_reviewed}"[:500],
        stance="context", publisher=fc.publisher, published_at=fc.published_at,
        excerpt=f"Claim reviewed: {fc.claim_reviewed}" + (f" (claimed by {fc.claimant})" if fc.claimant else "")),
        user, claim=claim, existing="keep")  # a url stored already is linked as it is


_FIELD_WORDS = {"title": "title", "publisher": "publisher", "published_at": "date", "excerpt": "excerpt"}


def _norm(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.date().isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def evidence_values(item: Evidence) -> dict[str, Any]:
    """The stored evidence as plain JSON (for a message, the API and the history)."""
    return {"id": item.id, "url": item.url, **_jsonable({k: getattr(item, k) for k in EVIDENCE_FIELDS})}


def _update_evidence(item: Evidence, changes: Mapping[str, Any], *, user: User, claim: Claim) -> None:
    """Update stored evidence (not linked to an approved claim) and record it in ``claim``'s history."""
    locked = db.session.scalar(sa.select(Claim.id).join(ClaimEvidence, ClaimEvidence.claim_id == Claim.id).where(
        ClaimEvidence.evidence_id == item.id, Claim.status == "approved").limit(1))
    if locked is not None:
        raise BadStatus(f"The stored source backs approved claim #{locked}, which is locked: link it as stored, "
                        "or give this version its own URL.", claim_id=locked)
    before = _jsonable({k: getattr(item, k) for k in changes})
    for name, value in changes.items():
        setattr(item, name, value)
    related.embed_evidence([item])
    record("evidence_updated", user=user, claim=claim, before={"url": item.url, **before},
           after={"url": item.url, **_jsonable(changes)})


def _evidence_from_claim(source_claim_id: int, claim: Claim, user: User) -> Evidence:
    source = get_claim(source_claim_id)
    if source.id == claim.id:
        raise Invalid("A claim cannot be evidence for itself.")
    if source.status != "approved":
        raise BadStatus("Only a claim already checked (approved) can serve as evidence.")
    existing = db.session.scalar(sa.select(Evidence).where(Evidence.source_claim_id == source.id).limit(1))
    if existing is not None:
        return existing
    verdict = source.current_verdict
    item = Evidence(
        source_claim=source, url=source.article.url,
        title=f"Desk fact-check #{source.id}: {VERDICT_LABELS[verdict.verdict] if verdict else 'checked'}",
        publisher=source.article.publisher, excerpt=source.content, created_by=user,
    )
    db.session.add(item)
    related.embed_evidence([item])
    return item


@atomic
def unlink_evidence(claim_id: int, link_id: int, *, user: User) -> None:
    """Remove one evidence link (the evidence itself stays for other claims)."""
    check_editor(user)
    claim = get_claim(claim_id)
    check_live(claim)
    if claim.status not in WORKING_STATUSES:
        raise BadStatus(f"Evidence can be removed while a claim is new or in progress; this one is {_status(claim)}.")
    link = db.session.get(ClaimEvidence, link_id)
    if link is None or link.claim_id != claim.id:
        raise NotFound("That evidence is not linked to this claim.")
    version = claim.version
    db.session.delete(link)
    _touch(claim)
    record("evidence_unlinked", user=user, claim=claim,
           before={"evidence": link.evidence.title, "url": link.evidence.url, "stance": link.stance, "version": version},
           after={"version": version + 1})
    _commit(claim)


# --- verdicts and review ------------------------------------------------------------------

@atomic
def propose_verdict(claim_id: int, *, user: User, verdict: str, rationale: str,
                    version: Optional[int] = None) -> Verdict:
    """An editor proposes a verdict with a rationale; the claim goes to review.

    Raises:
        Invalid: unknown verdict or empty rationale. EvidenceRequired: no evidence linked.
        BadStatus: not new or in progress.
    """
    check_editor(user)
    claim = get_claim(claim_id)
    check_live(claim)
    check_version(claim, version)
    if claim.status not in WORKING_STATUSES:
        raise BadStatus(f"A verdict can be proposed for a new or in-progress claim; this one is {_status(claim)}.")
    if verdict not in VERDICTS:
        raise Invalid(f"Verdict must be one of {', '.join(VERDICTS)}.", field="verdict")
    rationale = (rationale or "").strip()
    if not rationale:
        raise Invalid("Explain the verdict: the rationale cannot be empty.", field="rationale")
    if not claim.evidence_links:
        raise EvidenceRequired("Link at least one piece of evidence before proposing a verdict.")
    before = _snapshot(claim)
    _take_if_new(claim, user)
    item = Verdict(claim=claim, verdict=verdict, rationale=rationale, proposed_by=user)
    db.session.add(item)
    claim.status = "in_review"
    _touch(claim)
    record("verdict_proposed", user=user, claim=claim, before=before,
           after=_after(claim) | {"verdict": verdict, "rationale": rationale})
    _commit(claim)
    return item


def check_reviewer(user: User) -> None:
    """Refuse users who may not sign verdicts off (checked before anything about the claim)."""
    if not can_review(user):
        raise Forbidden("Only reviewers and admins sign verdicts off.")


def _pending_verdict(claim: Claim, user: User) -> Verdict:
    """The verdict waiting for review, after the role, status and four-eyes checks."""
    check_reviewer(user)
    if claim.status != "in_review":
        raise BadStatus(f"Only a claim in review can be approved or returned; this one is {_status(claim)}.")
    pending = claim.current_verdict
    if pending is None or pending.state != "proposed":
        raise BadStatus("This claim has no verdict waiting for review.")
    if pending.proposed_by_id == user.id:
        raise FourEyes("You proposed this verdict; another reviewer must sign it off.")
    return pending


@atomic
def approve(claim_id: int, *, user: User, comment: Optional[str] = None, version: Optional[int] = None) -> Claim:
    """A reviewer (never the verdict's author) approves: the claim is approved and locked."""
    check_reviewer(user)
    claim = get_claim(claim_id)
    check_live(claim)
    check_version(claim, version)
    pending = _pending_verdict(claim, user)
    before = _snapshot(claim)
    pending.state, pending.reviewed_by, pending.reviewed_at = "approved", user, utcnow()
    pending.review_comment = (comment or "").strip() or None
    publication.freeze(claim, pending)  # published as signed off, until reopened
    claim.status = "approved"
    _touch(claim)
    if pending.review_comment:
        db.session.add(Comment(claim=claim, author=user, body=pending.review_comment))
    record("verdict_approved", user=user, claim=claim, before=before,
           after=_after(claim) | {"verdict": pending.verdict, "comment": pending.review_comment})
    notifications.notify([pending.proposed_by, claim.assignee], "approved", claim, actor=user,
                         message=f"{user.name} approved your verdict on claim #{claim.id} ({pending.label}).")
    if pending.review_comment:
        _notify_mentions(claim, user, pending.review_comment, told=(pending.proposed_by, claim.assignee))
    event = _event_data(claim) | {"verdict": pending.verdict, "label": pending.label,
                                  "approved_by": user.name}
    webhooks.emit("claim.approved", event)
    webhooks.emit("factcheck.published", event | {
        "public_url": external_url("export.fact_check", "claim_id")(claim.id),
        "claimreview_url": external_url("api.claimreview", "claim_id")(claim.id)})
    _commit(claim)
    _refresh_matches_near(claim.id)  # claims it now answers are "already checked"
    return claim


@atomic
def return_claim(claim_id: int, *, user: User, comment: str, version: Optional[int] = None) -> Claim:
    """A reviewer sends the verdict back with a comment; the claim is in progress again."""
    check_reviewer(user)
    claim = get_claim(claim_id)
    check_live(claim)
    check_version(claim, version)
    pending = _pending_verdict(claim, user)
    comment = (comment or "").strip()
    if not comment:
        raise Invalid("Say what needs to change: a comment is required to return a claim.", field="comment")
    before = _snapshot(claim)
    pending.state, pending.reviewed_by, pending.reviewed_at = "returned", user, utcnow()
    pending.review_comment = comment
    claim.status = "in_progress"
    _touch(claim)
    db.session.add(Comment(claim=claim, author=user, body=comment))
    record("verdict_returned", user=user, claim=claim, before=before, after=_after(claim) | {"comment": comment})
    notifications.notify([pending.proposed_by, claim.assignee], "returned", claim, actor=user,
                         message=f"{user.name} returned claim #{claim.id} to you: \u201c{_short(comment, 120)}\u201d")
    _notify_mentions(claim, user, comment, told=(pending.proposed_by, claim.assignee))
    webhooks.emit("claim.returned", _event_data(claim) | {"verdict": pending.verdict, "comment": comment,
                                                          "returned_by": user.name})
    _commit(claim)
    return claim


# --- dismiss and reopen -------------------------------------------------------------------

@atomic
def dismiss(claim_id: int, *, user: User, reason: str, version: Optional[int] = None) -> Claim:
    """Dismiss a new or in-progress claim that is not checkable, with a reason."""
    check_editor(user)
    claim = get_claim(claim_id)
    check_live(claim)
    check_version(claim, version)
    if claim.status not in WORKING_STATUSES:
        raise BadStatus(f"This claim is {_status(claim)} and cannot be dismissed.")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Say why the claim is dismissed (for example: not checkable, opinion).", field="reason")
    before = _snapshot(claim)
    claim.status = "dismissed"
    claim.dismiss_reason = reason
    _touch(claim)
    record("dismissed", user=user, claim=claim, before=before, after=_after(claim) | {"reason": claim.dismiss_reason})
    _commit(claim)
    return claim


@atomic
def reopen(claim_id: int, *, user: User, reason: str = "", version: Optional[int] = None) -> Claim:
    """An admin reopens an approved or dismissed claim; it goes back to in progress."""
    if not can_reopen(user):
        raise Forbidden("Only an admin can reopen a claim.")
    claim = get_claim(claim_id)
    check_live(claim)
    check_version(claim, version)
    if claim.status not in TERMINAL_STATUSES:
        raise BadStatus(f"Only approved or dismissed claims are reopened; this one is {_status(claim)}.")
    before = _snapshot(claim)
    claim.status = "in_progress"
    claim.dismiss_reason = None
    _touch(claim)
    record("reopened", user=user, claim=claim, before=before,
           after=_after(claim) | {"reason": (reason or "").strip() or None})
    _commit(claim)
    _refresh_matches_near(claim.id)  # claims it answered are no longer "already checked" by it
    return claim


def _refresh_matches_near(claim_id: int) -> None:
    """After the commit: the "already checked" match of nearby claims (derived data; a
    failure is logged, the action stands)."""
    try:
        checked.refresh_near_claim(claim_id)
    except Exception:
        log.exception("refreshing 'already checked' matches near claim %s failed", claim_id)
        db.session.rollback()


# --- comments -----------------------------------------------------------------------------

@atomic
def add_comment(claim_id: int, *, user: User, body: str) -> Comment:
    """Add a comment to the claim's thread (recorded in its history too)."""
    if not user.is_authenticated:
        raise Forbidden("Log in to comment.")
    claim = get_claim(claim_id)
    body = (body or "").strip()
    if not body:
        raise Invalid("The comment is empty.", field="body")
    if len(body) > 10_000:
        raise Invalid("The comment is longer than 10,000 characters.", field="body")
    comment = Comment(claim=claim, author=user, body=body)
    db.session.add(comment)
    record("commented", user=user, claim=claim, after={"body": body})
    _notify_mentions(claim, user, body)
    db.session.commit()
    return comment


def _notify_mentions(claim: Claim, user: User, text: str, told: Iterable[Optional[User]] = ()) -> None:
    """Tell the people ``text`` mentions (``@name``) about it, but for those ``told`` already."""
    notifications.notify(notifications.mentioned_users(text), "mentioned", claim, actor=user, told=told,
                         message=f"{user.name} mentioned you on claim #{claim.id}: \u201c{_short(text, 120)}\u201d")


def _event_data(claim: Claim) -> dict[str, Any]:
    """What a webhook event says about a claim (its ``data``)."""
    return {"claim_id": claim.id, "article_id": claim.article_id,
            "claim_url": external_url("claims.show", "claim_id")(claim.id),
            "content": claim.content, "publication_wording": claim.wording,
            "speaker": claim.speaker.name if claim.speaker else None}


# --- bulk -----------------------------------------------------------------------------------

@dataclass
class BulkOutcome:
    claim_id: int
    ok: bool
    error: Optional[str] = None
    code: Optional[str] = None


def bulk(action: str, claim_ids: Iterable[int], *, user: User, **kwargs: Any) -> list[BulkOutcome]:
    """Run ``assign`` or ``dismiss`` on each claim through the same rules, one commit each;
    the outcome says which were refused and why."""
    actions = {"assign": assign, "dismiss": dismiss, "take": take}
    if action not in actions:
        raise Invalid(f"Unknown bulk action {action!r}.")
    outcomes = []
    for claim_id in dict.fromkeys(int(i) for i in claim_ids):
        try:
            actions[action](claim_id, user=user, **kwargs)
            outcomes.append(BulkOutcome(claim_id, True))
        except DomainError as exc:
            db.session.rollback()
            outcomes.append(BulkOutcome(claim_id, False, exc.message, exc.code))
    return outcomes


def history(claim_id: int) -> list[AuditEvent]:
    """The claim's history, oldest first."""
    get_claim(claim_id)
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.claim_id == claim_id).order_by(AuditEvent.at, AuditEvent.id)
        .options(so.joinedload(AuditEvent.user))
    ))
