"""The pages behind an admin's one-time links (no sign-in needed): join the desk from an
invitation, choose a new password after a reset. The token in the URL is the credential."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin.forms import JoinForm, NewPasswordForm
from app.admin.service import LinkClosed, accept_invite, complete_reset, open_link
from app.auth import sessions
from app.errors import DomainError, NotFound

links_bp = Blueprint("links", __name__)

LinkClosedOrMissing = (LinkClosed, NotFound)

def _link_page(template: str, form, *, token: str, purpose: str, title: str, status: int = 200, **context):
    """The page of a one-time link: its form, or why the link no longer works (404/410)."""
    try:
        link = open_link(token, purpose)
    except DomainError as exc:
        return render_template("errors/error.html", error=LinkProblem(exc)), exc.status
    response = make_response(render_template(template, form=form, link=link, title=title, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


class LinkProblem:
    """The error page's wording for a one-time link that does not work."""

    def __init__(self, exc: DomainError) -> None:
        self.code, self.description = exc.status, exc.message
        self.title = "Link not valid" if exc.status == 404 else "Link no longer valid"


@links_bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):
    """Join the desk from an admin's invitation: choose a name and a password."""
    form = JoinForm()
    if request.method == "GET":
        try:
            form.name.data = open_link(token, "invite").name or ""
        except DomainError:
            pass  # _link_page explains
        return _link_page("links/welcome.html", form, token=token, purpose="invite", title="Join Claimdesk")
    if form.validate_on_submit():
        try:
            user = accept_invite(token, name=form.name.data, password=form.password.data)
        except LinkClosedOrMissing as exc:
            return render_template("errors/error.html", error=LinkProblem(exc)), exc.status
        except DomainError as exc:
            field = getattr(form, exc.details.get("field", ""), None) or form.password
            field.errors = [*field.errors, exc.message]
            return _link_page("links/welcome.html", form, token=token, purpose="invite", title="Join Claimdesk",
                              status=exc.status)
        if current_user.is_authenticated:
            sessions.sign_out()
        sessions.sign_in(user)
        flash(f"Welcome, {user.name}. You are signed in as {user.role}.", "success")
        return redirect(url_for("queue.index"))
    return _link_page("links/welcome.html", form, token=token, purpose="invite", title="Join Claimdesk", status=422)


@links_bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password from an admin's reset link."""
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = complete_reset(token, password=form.password.data)
        except LinkClosedOrMissing as exc:
            return render_template("errors/error.html", error=LinkProblem(exc)), exc.status
        except DomainError as exc:
            form.password.errors = [*form.password.errors, exc.message]
            return _link_page("links/reset.html", form, token=token, purpose="reset", title="Choose a new password",
                              status=exc.status)
        if current_user.is_authenticated:
            sessions.sign_out()
        sessions.sign_in(user)
        flash("Your new password is set. You are signed in.", "success")
        return redirect(url_for("queue.index"))
    status = 422 if request.method == "POST" else 200
    return _link_page("links/reset.html", form, token=token, purpose="reset", title="Choose a new password",
                      status=status)
