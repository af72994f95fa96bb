"""Admin pages (admins only): people and the audit log. Each POST calls one service
function of app.admin.service and shows its refusal; one-time links are shown once, here."""
from __future__ import annotations

from typing import Optional

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.admin import service
from app.admin.forms import ActionForm, InviteForm, RoleForm
from app.errors import DomainError
from app.models import AccountLink, utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    """Every admin page: signed in (else the login page), and an admin (else 403)."""
    service.check_admin(current_user)
    return None


def render_people(invite_form: Optional[InviteForm] = None, *, link: Optional[AccountLink] = None,
                  secret: Optional[str] = None, status: int = 200):
    """The people page; ``link``/``secret``: a one-time link just made, shown this once."""
    link_url = None
    if secret and link is not None:
        endpoint = "links.welcome" if link.purpose == "invite" else "links.reset"
        link_url = url_for(endpoint, token=secret, _external=True)
    response = make_response(render_template(
        "admin/people.html", people=service.people(), invitations=service.pending_invitations(),
        invite_form=invite_form or InviteForm(formdata=None), role_form=RoleForm(formdata=None),
        action_form=ActionForm(formdata=None), new_link=link, link_url=link_url, now=utcnow(), title="People",
    ), status)
    response.headers["Cache-Control"] = "no-store"  # a one-time link must not stay in any cache
    return response


@bp.route("/people")
def people():
    return render_people()


@bp.route("/people/invite", methods=["POST"])
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        flash("Please correct the highlighted fields.", "danger")
        return render_people(form, status=422)
    try:
        link, secret = service.invite(form.email.data, name=form.name.data, role=form.role.data, by=current_user)
    except DomainError as exc:
        field = getattr(form, exc.details.get("field", ""), None) or form.email
        field.errors = [*field.errors, exc.message]
        return render_people(form, status=exc.status)
    flash(f"Invitation for {link.email} created. Copy the link below and send it to them: it is shown only "
          "this once.", "success")
    return render_people(link=link, secret=secret, status=201)


def _act(action, done: str):
    """Run one admin action for a valid form; refusals are flashed on the people page."""
    if not ActionForm().validate_on_submit():
        flash("The request could not be read; try again.", "danger")
        return redirect(url_for("admin.people"))
    try:
        result = action()
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_people(status=exc.status)
    flash(done.format(result=result), "success")
    return redirect(url_for("admin.people"))


@bp.route("/people/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the roles.", "danger")
        return render_people(status=422)
    try:
        user = service.change_role(user_id, form.role.data, by=current_user)
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_people(status=exc.status)
    flash(f"{user.name} is now {user.role}.", "success")
    return redirect(url_for("admin.people"))


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int):
    return _act(lambda: service.set_active(user_id, False, by=current_user),
                "{result.name} is deactivated: every sign-in of theirs ended and their API tokens stopped working.")


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int):
    return _act(lambda: service.set_active(user_id, True, by=current_user),
                "{result.name} is active again and signs in afresh.")


@bp.route("/people/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int):
    if not ActionForm().validate_on_submit():
        flash("The request could not be read; try again.", "danger")
        return redirect(url_for("admin.people"))
    try:
        link, secret = service.reset_password(user_id, by=current_user)
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_people(status=exc.status)
    flash(f"The password of {link.user.name} no longer works and every sign-in of theirs ended. Send them the "
          "link below to choose a new one: it is shown only this once.", "success")
    return render_people(link=link, secret=secret, status=201)


@bp.route("/links/<int:link_id>/revoke", methods=["POST"])
def revoke_link(link_id: int):
    return _act(lambda: service.revoke_link(link_id, by=current_user), "The link to {result.email} is withdrawn.")


@bp.route("/audit")
def audit():
    """Every admin action, newest first, filtered by action and person."""
    action, person = request.args.get("action", ""), request.args.get("person", "")
    try:
        page = service.audit_log(action=action, person=person, page=request.args.get("page", 1, type=int) or 1)
    except DomainError as exc:
        flash(exc.message, "danger")
        action, person = "", ""
        page = service.audit_log()
    return render_template("admin/audit.html", page=page, action=action, person=person, actions=service.ADMIN_ACTIONS,
                           people=service.people(), title="Audit log")
