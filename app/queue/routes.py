"""Queue views: thin wrappers over app.workflow.queries and app.workflow.service."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.ids import parse_id
from app.links import local_path
from app.models import CLAIM_KINDS, CLAIM_STATUSES
from app.queue.forms import BulkForm
from app.workflow import service
from app.workflow.queries import SORT_LABELS, ClaimFilters, desk_users, search_claims

bp = Blueprint("queue", __name__)


@bp.route("/")
@login_required
def home():
    return redirect(url_for("queue.index"))


@bp.route("/queue")
@login_required
def index():
    """The review queue with filters from the query string."""
    view = request.args.get("view", "all")
    title, filters = ClaimFilters.for_view(view, request.args, user=current_user)
    page = search_claims(filters, page=request.args.get("page", 1, type=int),
                         per_page=request.args.get("per_page", current_app.config["QUEUE_PAGE_SIZE"], type=int),
                         estimate_above=current_app.config.get("CLAIMDESK_QUEUE_EXACT_COUNT_UP_TO"))
    users = desk_users()
    bulk = BulkForm(next=request.full_path)
    bulk.assignee.choices = [(str(u.id), u.name) for u in users]
    return render_template(
        "queue/index.html", page=page, filters=filters, view=view, title=title, users=users,
        statuses=CLAIM_STATUSES, kinds=CLAIM_KINDS, sorts=SORT_LABELS, bulk=bulk,
    )


@bp.route("/queue/bulk", methods=["POST"])
@login_required
def bulk_action():
    """Assign or dismiss the ticked claims; report which were refused and why."""
    form = BulkForm()
    form.assignee.choices = [(str(u.id), u.name) for u in desk_users()]
    ids = [i for i in map(parse_id, request.form.getlist("claim_ids")) if i is not None]
    target = local_path(form.next.data) or url_for("queue.index")
    if not ids:
        flash("Tick at least one claim first.", "warning")
        return redirect(target)
    if not form.validate_on_submit():
        flash("The bulk action could not be read; try again.", "danger")
        return redirect(target)
    kwargs = {}
    if form.action.data == "assign":
        kwargs["assignee"] = form.assignee.data
    elif form.action.data == "dismiss":
        kwargs["reason"] = form.reason.data
    outcomes = service.bulk(form.action.data, ids, user=current_user, **kwargs)
    for message, category in bulk_messages(outcomes):
        flash(message, category)
    return redirect(target)


def bulk_messages(outcomes: list[service.BulkOutcome]) -> list[tuple[str, str]]:
    """One line for what was done and one per reason for what was refused, naming the claims."""
    def numbers(items: list[service.BulkOutcome]) -> str:
        shown = ", ".join(f"#{o.claim_id}" for o in items[:20])
        return shown + (f" and {len(items) - 20} more" if len(items) > 20 else "")

    messages = []
    done = [o for o in outcomes if o.ok]
    if done:
        messages.append((f"{len(done)} claim{'s' if len(done) != 1 else ''} updated: {numbers(done)}.", "success"))
    refused: dict[str, list[service.BulkOutcome]] = {}
    for outcome in outcomes:
        if not outcome.ok:
            refused.setdefault(outcome.error or "refused", []).append(outcome)
    for reason, items in refused.items():
        label = "Claim" if len(items) == 1 else f"{len(items)} claims"
        messages.append((f"{label} refused ({numbers(items)}): {reason}", "warning"))
    return messages
