"""Admin pages for webhooks: register, pause/resume, delete, and each endpoint's deliveries."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.errors import DomainError
from app.webhooks import service
from app.webhooks.forms import EVENT_LABELS, WebhookActionForm, WebhookForm

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@bp.before_request
@login_required
def admins_only():
    service.check_admin(current_user)
    return None


def render_index(form: WebhookForm | None = None, status: int = 200):
    return render_template("webhooks/index.html", hooks=service.webhooks(), form=form or WebhookForm(formdata=None),
                           action_form=WebhookActionForm(formdata=None), labels=EVENT_LABELS,
                           title="Webhooks"), status


@bp.route("")
def index():
    return render_index()


@bp.route("", methods=["POST"])
def create():
    form = WebhookForm()
    if not form.validate_on_submit():
        return render_index(form, 422)
    try:
        hook = service.register(url=form.url.data, secret=form.secret.data, events=form.events.data, by=current_user)
    except DomainError as exc:
        field = getattr(form, exc.details.get("field", ""), None) or form.url
        field.errors = [*field.errors, exc.message]
        return render_index(form, exc.status)
    flash(f"Webhook #{hook.id} registered: {', '.join(hook.events)} will be sent to {hook.url}.", "success")
    return redirect(url_for("webhooks.index"))


def _act(action, done: str, back: str = "webhooks.index", **values):
    if not WebhookActionForm().validate_on_submit():
        flash("The request could not be read; try again.", "danger")
        return redirect(url_for(back, **values))
    try:
        action()
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(back, **values))
    flash(done, "success")
    return redirect(url_for(back, **values))


@bp.route("/<int:webhook_id>/pause", methods=["POST"])
def pause(webhook_id: int):
    return _act(lambda: service.set_active(webhook_id, False, by=current_user),
                f"Webhook #{webhook_id} paused: no new deliveries are queued for it.")


@bp.route("/<int:webhook_id>/resume", methods=["POST"])
def resume(webhook_id: int):
    return _act(lambda: service.set_active(webhook_id, True, by=current_user), f"Webhook #{webhook_id} resumed.")


@bp.route("/<int:webhook_id>/delete", methods=["POST"])
def delete(webhook_id: int):
    return _act(lambda: service.delete(webhook_id, by=current_user), f"Webhook #{webhook_id} deleted.")


@bp.route("/<int:webhook_id>")
def deliveries(webhook_id: int):
    """The endpoint's deliveries, newest first: event, state, attempts, last answer or error."""
    hook = service.get_webhook(webhook_id)
    return render_template("webhooks/deliveries.html", hook=hook, deliveries=service.deliveries_of(hook.id, limit=200),
                           title=f"Webhook #{hook.id}")
