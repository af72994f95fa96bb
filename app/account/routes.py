"""The account page (change password, sign out everywhere) and the API tokens page: create
one (its secret shown once), list yours by prefix, revoke. Admins also see, and may revoke,
everyone else's active tokens."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.account.forms import PasswordForm, RevokeForm, SignOutEverywhereForm, TokenForm
from app.auth import sessions
from app.auth.service import active_tokens_of_others, change_password, create_token, revoke_token, tokens_of
from app.errors import DomainError

bp = Blueprint("account", __name__, url_prefix="/account")


def render_account(form: PasswordForm | None = None, status: int = 200):
    response = make_response(render_template(
        "account/index.html", form=form or PasswordForm(formdata=None), everywhere=SignOutEverywhereForm(formdata=None),
        sign_ins=sessions.active_session_count(current_user),
    ), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("")
@login_required
def index():
    return render_account()


@bp.route("/password", methods=["POST"])
@login_required
def password():
    """Change the password: every sign-in of the user ends, then this browser signs in afresh."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_account(form, status=422)
    user = current_user._get_current_object()
    remember = sessions.is_remembered()
    try:
        change_password(user, form.password.data, current_password=form.current_password.data)
    except DomainError as exc:
        field = getattr(form, exc.details.get("field", ""), None) or form.password
        field.errors = [*field.errors, exc.message]
        return render_account(form, status=exc.status)
    sessions.sign_in(user, remember=remember)
    flash("Password changed. Every other browser signed in as you has been signed out.", "success")
    return redirect(url_for("account.index"))


@bp.route("/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """End every sign-in of the user, this one included (remember-me cookies too)."""
    if not SignOutEverywhereForm().validate_on_submit():
        flash("The request could not be read; try again.", "danger")
        return redirect(url_for("account.index"))
    ended = sessions.sign_out_everywhere(current_user._get_current_object())
    flash(f"Signed out everywhere ({ended} sign-in{'s' if ended != 1 else ''} ended).", "info")
    return redirect(url_for("auth.login"))


def render_tokens(form: TokenForm | None = None, secret: str | None = None, status: int = 200):
    response = make_response(render_template(
        "account/tokens.html", form=form or TokenForm(formdata=None), revoke=RevokeForm(formdata=None),
        mine=tokens_of(current_user), others=active_tokens_of_others(current_user), secret=secret,
    ), status)
    response.headers["Cache-Control"] = "no-store"  # a new secret must not stay in any cache
    return response


@bp.route("/tokens")
@login_required
def tokens():
    return render_tokens()


@bp.route("/tokens", methods=["POST"])
@login_required
def create():
    """Create a token; the secret is in this response only, never stored or flashed."""
    form = TokenForm()
    if not form.validate_on_submit():
        flash("Give the token a name.", "danger")
        return render_tokens(form, status=422)
    token, secret = create_token(current_user.email, name=form.name.data.strip())
    flash(f"Token \u201c{token.name}\u201d created. Copy it now: it is shown only this once.", "success")
    return render_tokens(secret=secret, status=201)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke a token: its owner's or, for an admin, anyone's."""
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("The request could not be read; try again.", "danger")
        return redirect(url_for("account.tokens"))
    try:
        token = revoke_token(token_id, user=current_user)
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_tokens(status=exc.status)
    owner = "" if token.user_id == current_user.id else f" of {token.user.name}"
    flash(f"Token {token.prefix}\u2026{owner} revoked: it no longer opens the API.", "success")
    return redirect(url_for("account.tokens"))
