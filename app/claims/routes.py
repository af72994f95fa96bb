"""Claim page and claim actions. Each POST calls one workflow service function and
turns a refusal into a message; the rules live in app.workflow.service."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import related
from app.articles.highlight import article_marks, context_window, highlight
from app.claims.forms import (
    AssignForm, CiteClaimForm, ClaimEditForm, CommentForm, DismissForm, EvidenceForm, LinkExistingForm,
    DueDateForm, LinkFactCheckForm, ReopenForm, ReviewForm, TakeForm, UnlinkForm, VerdictForm, WordingForm,
)
from app.factchecks.service import factchecks_for_claim
from app.priority.checked import already_checked
from app.claims.timeline import timeline
from app.errors import DomainError, EvidenceExists, NotFound, StaleVersion
from app.ids import parse_id
from app.links import local_path
from app.extensions import db
from app.models import Claim, ClaimEvidence, Comment, Verdict
from app.workflow import service
from app.workflow.queries import claims_of_article, desk_users, next_open_claim_id

bp = Blueprint("claims", __name__, url_prefix="/claims")


def _edit_form(claim: Claim) -> ClaimEditForm:
    """The correction form filled from the claim; the speaker by name (``obj`` would give the
    Speaker object, whose repr then came back as the speaker's name on save)."""
    form = ClaimEditForm(obj=claim, formdata=None)
    form.speaker.data = claim.speaker.name if claim.speaker else ""
    return form


def _forms(claim: Claim, users: list, **overrides):
    forms = {
        "edit": _edit_form(claim),
        "wording": WordingForm(formdata=None, publication_wording=claim.wording),
        "due": DueDateForm(formdata=None, due_date=claim.due_date),
        "assign": AssignForm(version=claim.version, formdata=None),
        "take": TakeForm(version=claim.version, formdata=None),
        "evidence": EvidenceForm(formdata=None),
        "verdict": VerdictForm(version=claim.version, formdata=None),
        "review": ReviewForm(version=claim.version, formdata=None),
        "dismiss": DismissForm(version=claim.version, formdata=None),
        "reopen": ReopenForm(version=claim.version, formdata=None),
        "comment": CommentForm(formdata=None),
        "unlink": UnlinkForm(formdata=None),
        "link_existing": LinkExistingForm(formdata=None),
        "link_factcheck": LinkFactCheckForm(formdata=None),
        "cite": CiteClaimForm(formdata=None, prefix="cite"),  # its stance and note beside the evidence form's
    }
    returned = claim.current_verdict
    if returned is not None and returned.state == "returned":  # start the next proposal from the last one
        forms["verdict"].verdict.data, forms["verdict"].rationale.data = returned.verdict, returned.rationale
    forms["assign"].assignee.choices = [("", "Nobody")] + [(str(u.id), u.name) for u in users]
    forms["assign"].assignee.data = str(claim.assignee_id or "")
    forms.update(overrides)
    return forms


def render_claim(claim: Claim, status: int = 200, conflicts: Optional[dict[str, Any]] = None,
                 evidence_exists: Optional[dict[str, Any]] = None, **form_overrides):
    """The claim page: text, speaker, article context, actions, evidence, history.

    ``conflicts`` maps edit-form fields to the value saved meanwhile by someone else;
    ``evidence_exists`` is EvidenceExists' details (the stored source beside the editor's).
    """
    claim = _load_for_page(claim.id)
    window = context_window(claim)
    context = highlight(claim.article.text, article_marks(claims_of_article(claim.article_id)),
                        focus=claim.id, window=window)
    users = desk_users()
    names = {u.email: u.name for u in users}
    return render_template(
        "claims/show.html", claim=claim, context=context, forms=_forms(claim, users, **form_overrides),
        history=timeline(service.history(claim.id), names), related=_related(claim), conflicts=conflicts or {},
        checked=already_checked(claim), linked_urls={link.evidence.url for link in claim.evidence_links},
        actions=service.allowed_actions(claim, current_user), evidence_exists=evidence_exists,
        next_claim_id=next_open_claim_id(claim),
    ), status


def _load_for_page(claim_id: int) -> Claim:
    """The claim with everything its page shows, in a handful of queries instead of dozens."""
    claim = db.session.scalar(sa.select(Claim).where(Claim.id == claim_id).options(
        so.joinedload(Claim.article), so.joinedload(Claim.speaker),
        so.joinedload(Claim.assignee),
        so.selectinload(Claim.evidence_links).joinedload(ClaimEvidence.evidence),
        so.selectinload(Claim.evidence_links).joinedload(ClaimEvidence.added_by),
        so.selectinload(Claim.verdicts).joinedload(Verdict.proposed_by),
        so.selectinload(Claim.verdicts).joinedload(Verdict.reviewed_by),
        so.selectinload(Claim.comments).joinedload(Comment.author),
    ).execution_options(populate_existing=True))
    if claim is None:
        raise NotFound(f"Claim {claim_id} does not exist.")
    return claim


def _related(claim: Claim):
    """Related claims (the API's order: a same-speaker repeat of an approved claim first, then
    by score, the same article last) and evidence used for similar claims."""
    return {"claims": related.related_claims(claim), "evidence": related.related_evidence(claim),
            "factchecks": factchecks_for_claim(claim), "indexed": related.is_indexed(claim)}


@bp.route("/<int:claim_id>")
@login_required
def show(claim_id: int):
    return render_claim(service.get_claim(claim_id))


def _act(claim_id: int, form, action: Callable[[], object], done: str, form_key: str,
         back_to: Optional[str] = None):
    """Run one service action for a validated form; on refusal re-render with the input kept.

    With ``back_to`` (a page on this site, e.g. the queue a shortcut was pressed in) the
    outcome is flashed there instead.
    """
    claim = service.get_claim(claim_id)
    if not form.validate_on_submit():
        version_errors = getattr(getattr(form, "version", None), "errors", None)
        flash(version_errors[0] if version_errors else "Please correct the highlighted fields.", "danger")
        return render_claim(claim, 422, **{form_key: form})
    try:
        action()
    except StaleVersion as exc:
        claim = service.get_claim(claim_id)
        if hasattr(form, "version"):
            form.version.data = claim.version
        if back_to:
            flash(f"Claim #{claim_id}: {exc.message}", "warning")
            return redirect(back_to)
        flash(exc.message + " Your input is kept in the form below: check it against what was saved, "
              "then save again.", "warning")
        return render_claim(claim, 409, conflicts=_conflicts(form, exc), **{form_key: form})
    except EvidenceExists as exc:  # the editor chooses: the stored source, or theirs
        flash(exc.message, "warning")
        return render_claim(service.get_claim(claim_id), exc.status, evidence_exists=exc.details, **{form_key: form})
    except DomainError as exc:
        if back_to:
            flash(f"Claim #{claim_id}: {exc.message}", "danger")
            return redirect(back_to)
        flash(exc.message, "danger")
        return render_claim(service.get_claim(claim_id), exc.status, **{form_key: form})
    flash(done, "success")
    return redirect(back_to or url_for("claims.show", claim_id=claim_id))


def _conflicts(form, exc: StaleVersion) -> dict[str, Any]:
    """Fields of the posted edit form whose saved value is now different from the editor's."""
    current = exc.details.get("current") or {}
    if not isinstance(form, ClaimEditForm):
        return {}
    conflicts = {}
    for name in ("content", "speaker", "kind", "cue"):
        mine = " ".join(str(getattr(form, name).data or "").split())
        saved = current.get(name)
        if mine != " ".join(str(saved or "").split()):
            conflicts[name] = saved if saved not in (None, "") else "(empty)"
    return conflicts


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


@bp.route("/<int:claim_id>/edit", methods=["POST"])
@login_required
def edit(claim_id: int):
    form = ClaimEditForm()
    claim = service.get_claim(claim_id)
    changes = {"content": form.content.data, "speaker": form.speaker.data, "kind": form.kind.data,
               "cue": form.cue.data}
    if form.start.data is not None and form.end.data is not None and (
            form.start.data, form.end.data) != (claim.start, claim.end):
        changes.update(start=form.start.data, end=form.end.data)
    return _act(claim_id, form, lambda: service.update_claim(
        claim_id, user=current_user, version=_version(form), changes=changes), "Correction saved.", "edit")


@bp.route("/<int:claim_id>/wording", methods=["POST"])
@login_required
def wording(claim_id: int):
    """Set the wording the fact-check is published with (empty: the claim text)."""
    form = WordingForm()
    return _act(claim_id, form, lambda: service.update_claim(
        claim_id, user=current_user, version=_version(form),
        changes={"publication_wording": form.publication_wording.data}), "Publication wording saved.", "wording")


@bp.route("/<int:claim_id>/due", methods=["POST"])
@login_required
def due(claim_id: int):
    """Set or clear the claim's due date."""
    form = DueDateForm()
    return _act(claim_id, form, lambda: service.set_due_date(
        claim_id, user=current_user, due=form.due_date.data, version=_version(form)), "Due date saved.", "due")


@bp.route("/<int:claim_id>/take", methods=["POST"])
@login_required
def take(claim_id: int):
    form = TakeForm()
    return _act(claim_id, form, lambda: service.take(claim_id, user=current_user, version=_version(form)),
                f"Claim #{claim_id} is assigned to you.", "take", back_to=local_path(form.next.data))


@bp.route("/<int:claim_id>/assign", methods=["POST"])
@login_required
def assign(claim_id: int):
    form = AssignForm()
    form.assignee.choices = [("", "Nobody")] + [(str(u.id), u.name) for u in desk_users()]
    return _act(claim_id, form, lambda: service.assign(
        claim_id, user=current_user, assignee=form.assignee.data or None, version=_version(form)),
        "Assignment saved.", "assign")


@bp.route("/<int:claim_id>/evidence", methods=["POST"])
@login_required
def add_evidence(claim_id: int):
    form = EvidenceForm()
    data = service.EvidenceInput(
        url=form.url.data, title=form.title.data, stance=form.stance.data, publisher=form.publisher.data,
        published_at=None, excerpt=form.excerpt.data, note=form.note.data,
    )
    if form.published_at.data:
        data.published_at = datetime.combine(form.published_at.data, datetime.min.time())
    existing = request.form.get("existing") or None  # the editor's choice when the URL is stored already
    done = {"update": "Stored source updated and linked.", "keep": "Stored source linked as it was."}
    return _act(claim_id, form, lambda: service.link_evidence(claim_id, user=current_user, evidence=data,
                                                              existing=existing),
                done.get(existing or "", "Evidence linked."), "evidence")


@bp.route("/<int:claim_id>/evidence/existing", methods=["POST"])
@login_required
def link_existing(claim_id: int):
    form = LinkExistingForm()
    return _act(claim_id, form, lambda: service.link_evidence(
        claim_id, user=current_user, evidence_id=_evidence_id(form.evidence_id.data),
        stance=form.stance.data), "Evidence linked.", "link_existing")


@bp.route("/<int:claim_id>/evidence/claim", methods=["POST"])
@login_required
def cite_claim(claim_id: int):
    """Link another claim the desk has checked (approved) as evidence."""
    form = CiteClaimForm(prefix="cite")
    return _act(claim_id, form, lambda: service.link_evidence(
        claim_id, user=current_user, source_claim_id=form.source_claim_id.data, stance=form.stance.data,
        note=form.note.data), "Desk fact-check linked as evidence.", "cite")


@bp.route("/<int:claim_id>/evidence/factcheck", methods=["POST"])
@login_required
def link_factcheck(claim_id: int):
    """Link an imported fact-check (e.g. the "already checked" match) as evidence, in one click."""
    form = LinkFactCheckForm()
    return _act(claim_id, form, lambda: service.link_evidence(
        claim_id, user=current_user, factcheck_id=parse_id(form.factcheck_id.data) or form.factcheck_id.data,
        stance=form.stance.data), "Fact-check linked as evidence.", "link_factcheck")


def _evidence_id(value: Any) -> int:
    evidence_id = parse_id(value)
    if evidence_id is None:
        raise NotFound(f"There is no evidence {value!r} in the desk.")
    return evidence_id


@bp.route("/<int:claim_id>/evidence/<int:link_id>/remove", methods=["POST"])
@login_required
def remove_evidence(claim_id: int, link_id: int):
    form = UnlinkForm()
    return _act(claim_id, form, lambda: service.unlink_evidence(claim_id, link_id, user=current_user),
                "Evidence removed from this claim.", "unlink")


@bp.route("/<int:claim_id>/verdict", methods=["POST"])
@login_required
def propose(claim_id: int):
    form = VerdictForm()
    return _act(claim_id, form, lambda: service.propose_verdict(
        claim_id, user=current_user, verdict=form.verdict.data, rationale=form.rationale.data,
        version=_version(form)), "Verdict proposed: the claim is waiting for review.", "verdict")


@bp.route("/<int:claim_id>/review", methods=["POST"])
@login_required
def review(claim_id: int):
    form = ReviewForm()
    if form.send_back.data:
        return _act(claim_id, form, lambda: service.return_claim(
            claim_id, user=current_user, comment=form.comment.data, version=_version(form)),
            "Returned to the editor.", "review")
    return _act(claim_id, form, lambda: service.approve(
        claim_id, user=current_user, comment=form.comment.data, version=_version(form)),
        "Verdict approved.", "review")


@bp.route("/<int:claim_id>/dismiss", methods=["POST"])
@login_required
def dismiss(claim_id: int):
    form = DismissForm()
    return _act(claim_id, form, lambda: service.dismiss(
        claim_id, user=current_user, reason=form.reason.data, version=_version(form)), "Claim dismissed.", "dismiss")


@bp.route("/<int:claim_id>/reopen", methods=["POST"])
@login_required
def reopen(claim_id: int):
    form = ReopenForm()
    return _act(claim_id, form, lambda: service.reopen(
        claim_id, user=current_user, reason=form.reason.data or "", version=_version(form)),
        "Claim reopened.", "reopen")


@bp.route("/<int:claim_id>/comments", methods=["POST"])
@login_required
def comment(claim_id: int):
    form = CommentForm()
    return _act(claim_id, form, lambda: service.add_comment(claim_id, user=current_user, body=form.body.data),
                "Comment added.", "comment")
