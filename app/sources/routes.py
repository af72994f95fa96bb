"""Source pages: the list (admins add sources there), one source's state and items, and its
admin actions (change, pause, poll now, delete). Each calls ``app.sources.service``."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.errors import DomainError
from app.sources import service
from app.sources.forms import SourceActionForm, SourceEditForm, SourceForm

bp = Blueprint("sources", __name__, url_prefix="/sources")


def _user():
    return current_user._get_current_object()


def render_index(form: SourceForm | None = None, status: int = 200):
    sources = service.list_sources()
    return make_response(render_template(
        "sources/index.html", sources=sources, form=form or SourceForm(formdata=None),
        ingested=service.articles_ingested([s.id for s in sources])), status)


@bp.route("")
@login_required
def index():
    return render_index()


@bp.route("", methods=["POST"])
@login_required
def create():
    service.require_admin(_user())  # refused before the form is read
    form = SourceForm()
    if not form.validate_on_submit():
        flash("Please correct the highlighted fields.", "danger")
        return render_index(form, 422)
    try:
        source = service.create_source(user=_user(), url=form.url.data, kind=form.kind.data, name=form.name.data,
                                       every_minutes=form.every_minutes.data)
    except DomainError as exc:
        field = getattr(form, exc.details.get("field", ""), None)
        if field is not None:
            field.errors = [*field.errors, exc.message]
        flash(exc.message + " Nothing was stored.", "danger")
        return render_index(form, exc.status)
    flash(f"Source \u201c{source.name}\u201d added; its first poll is due now.", "success")
    return redirect(url_for("sources.show", source_id=source.id))


def render_source(source_id: int, edit: SourceEditForm | None = None, status: int = 200):
    source = service.get_source(source_id)
    if edit is None:
        edit = SourceEditForm(formdata=None, obj=source)
    return make_response(render_template(
        "sources/show.html", source=source, edit=edit, action=SourceActionForm(formdata=None),
        ingested=service.articles_ingested([source.id])[source.id], items=service.recent_items(source.id)), status)


@bp.route("/<int:source_id>")
@login_required
def show(source_id: int):
    return render_source(source_id)


@bp.route("/<int:source_id>", methods=["POST"])
@login_required
def edit(source_id: int):
    service.require_admin(_user())
    form = SourceEditForm()
    if not form.validate_on_submit():
        flash("Please correct the highlighted fields.", "danger")
        return render_source(source_id, form, 422)
    try:
        service.update_source(source_id, user=_user(), changes={
            "name": form.name.data, "every_minutes": form.every_minutes.data, "paused": bool(form.paused.data)})
    except DomainError as exc:
        flash(exc.message + " Nothing was changed.", "danger")
        return render_source(source_id, form, exc.status)
    flash("Source saved.", "success")
    return redirect(url_for("sources.show", source_id=source_id))


@bp.route("/<int:source_id>/poll", methods=["POST"])
@login_required
def poll(source_id: int):
    service.require_admin(_user())
    if not SourceActionForm().validate_on_submit():
        flash("The request could not be read; try again.", "danger")
        return redirect(url_for("sources.show", source_id=source_id))
    outcome = service.request_poll(source_id, user=_user())
    flash("Polled: see the items below." if outcome == "done" else
          "Poll queued: a consumer polls the source in a moment (reload to see it).", "info")
    return redirect(url_for("sources.show", source_id=source_id))


@bp.route("/<int:source_id>/delete", methods=["POST"])
@login_required
def delete(source_id: int):
    service.require_admin(_user())
    if not SourceActionForm().validate_on_submit():
        flash("The request could not be read; try again.", "danger")
        return redirect(url_for("sources.show", source_id=source_id))
    service.delete_source(source_id, user=_user())
    flash("Source removed; the articles it brought stay.", "info")
    return redirect(url_for("sources.index"))
