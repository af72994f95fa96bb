"""Login and logout views."""
from __future__ import annotations


from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from app.auth.forms import LoginForm
from app.links import local_path
from app.auth import sessions
from app.auth.service import authenticate
from app.extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")

TOO_MANY_SIGN_INS = "Too many sign-in attempts. Wait a minute, then try again."


def address_and_email() -> str:
    """The rate-limit key of a sign-in attempt: client address plus the e-mail tried."""
    return f"{get_remote_address()}|{(request.form.get('email') or '').strip().lower()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CLAIMDESK_LOGIN_LIMIT"], key_func=address_and_email,
               methods=["POST"], error_message=TOO_MANY_SIGN_INS, scope="login-email")
@limiter.limit(lambda: current_app.config["CLAIMDESK_LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               error_message=TOO_MANY_SIGN_INS, scope="login-address")
def login():
    """Sign in by e-mail and password; a failure never says which of the two was wrong."""
    if current_user.is_authenticated:
        return redirect(url_for("queue.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            flash("Wrong e-mail or password.", "danger")
            return render_template("auth/login.html", form=form), 401
        sessions.sign_in(user, remember=form.remember.data)
        return redirect(local_path(request.args.get("next")) or url_for("queue.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: this browser's login session ends on the server, not just in its cookies."""
    sessions.sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
