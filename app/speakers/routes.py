"""Speaker list and speaker page: the speaker's record (verdicts, roles over time, recent
claims), corrections and merges. Each POST calls one service in app.workflow.speakers."""
from __future__ import annotations

from typing import Callable, Optional

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.claims.timeline import timeline
from app.errors import DomainError
from app.speakers.forms import MergeForm, SpeakerForm, UndoMergeForm
from app.workflow import speakers as service
from app.workflow.queries import desk_users

bp = Blueprint("speakers", __name__, url_prefix="/speakers")


@bp.route("/")
@login_required
def index():
    q = request.args.get("q", "").strip()
    return render_template("speakers/index.html", rows=service.list_speakers(q), q=q)


def render_speaker(speaker_id: int, status: int = 200, *, edit: Optional[SpeakerForm] = None,
                   merge: Optional[MergeForm] = None, undo: Optional[UndoMergeForm] = None):
    info = service.profile(speaker_id)
    speaker = info.speaker
    names = {u.email: u.name for u in desk_users()}
    return render_template(
        "speakers/show.html", info=info, speaker=speaker,
        edit=edit or SpeakerForm(obj=speaker, formdata=None), merge=merge or MergeForm(formdata=None),
        undo=undo or UndoMergeForm(formdata=None), duplicates=service.likely_duplicates(speaker),
        history=timeline(service.history(speaker.id), names),
        may_edit=service.may_edit(current_user), may_undo=service.can_undo_merge(current_user),
    ), status


@bp.route("/<int:speaker_id>")
@login_required
def show(speaker_id: int):
    return render_speaker(speaker_id)


def _act(speaker_id: int, form, action: Callable[[], object], done: Callable[[object], str], form_key: str,
         go_to: Callable[[object], int]):
    """Run one service action for a validated form; on refusal re-render with the input kept."""
    service.get_speaker(speaker_id)
    if not form.validate_on_submit():
        flash("Please correct the highlighted fields.", "danger")
        return render_speaker(speaker_id, 422, **{form_key: form})
    try:
        result = action()
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_speaker(speaker_id, exc.status, **{form_key: form})
    flash(done(result), "success")
    return redirect(url_for("speakers.show", speaker_id=go_to(result)))


@bp.route("/<int:speaker_id>/edit", methods=["POST"])
@login_required
def edit(speaker_id: int):
    form = SpeakerForm()
    changes = {"name": form.name.data, "role": form.role.data, "affiliation": form.affiliation.data}
    return _act(speaker_id, form, lambda: service.update_speaker(speaker_id, user=current_user, changes=changes),
                lambda s: "Speaker saved.", "edit", lambda s: s.id)


@bp.route("/<int:speaker_id>/merge", methods=["POST"])
@login_required
def merge(speaker_id: int):
    form = MergeForm()
    source_name = service.get_speaker(speaker_id).name

    def run():
        return service.merge(speaker_id, into=service.find_by_reference(form.into.data), user=current_user)

    return _act(speaker_id, form, run, lambda s: f"Merged {source_name} into {s.name}: its claims, aliases and "
                "history are here now. An admin can undo the merge from the merged speaker's page.",
                "merge", lambda s: s.id)


@bp.route("/<int:speaker_id>/unmerge", methods=["POST"])
@login_required
def unmerge(speaker_id: int):
    form = UndoMergeForm()
    return _act(speaker_id, form, lambda: service.undo_merge(speaker_id, user=current_user),
                lambda s: f"Merge undone: {s.name} is a speaker of its own again.", "undo", lambda s: s.id)
