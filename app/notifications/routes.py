"""The notifications page: newest first, open one (marks it read, goes to its claim), mark all read."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.notifications import service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


class MarkAllReadForm(FlaskForm):
    pass


@bp.route("")
@login_required
def index():
    unread_only = request.args.get("unread") in ("1", "true", "on")
    page = service.notifications_of(current_user, unread_only=unread_only,
                                    page=request.args.get("page", 1, type=int) or 1)
    return render_template("notifications/index.html", page=page, unread_only=unread_only,
                           form=MarkAllReadForm(formdata=None), title="Notifications")


@bp.route("/<int:notification_id>")
@login_required
def open(notification_id: int):
    """Mark the notification read and go to its claim."""
    item = service.open_notification(current_user, notification_id)
    if item.claim_id:
        return redirect(url_for("claims.show", claim_id=item.claim_id))
    return redirect(url_for("notifications.index"))


@bp.route("/read", methods=["POST"])
@login_required
def mark_all_read():
    if not MarkAllReadForm().validate_on_submit():
        flash("The request could not be read; try again.", "danger")
        return redirect(url_for("notifications.index"))
    changed = service.mark_read(current_user)
    flash(f"{changed} notification{'' if changed == 1 else 's'} marked as read.", "success")
    return redirect(url_for("notifications.index"))
