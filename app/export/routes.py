"""Web side of the exports: the queue's CSV download and the public fact-check pages."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import NotFound
from app.export.claimreview import claim_review, get_published_claim
from app.export.download import csv_response
from app.workflow.queries import ClaimFilters
from app.workflow.publication import published_record

bp = Blueprint("export", __name__)


class FactCheckNotFound:
    """The public 404 for a claim that is not (or no longer) published."""

    code, title = 404, "Fact-check not found"

    def __init__(self, claim_id: int) -> None:
        self.description = (f"There is no published fact-check {claim_id}: it does not exist, has not been "
                            "approved yet, or was withdrawn for corrections.")


def queue_filters() -> ClaimFilters:
    """The filters the queue applies for this query string, its view presets included."""
    return ClaimFilters.for_view(request.args.get("view", "all"), request.args, user=current_user)[1]


@bp.route("/queue/export.csv")
@login_required
def queue_csv():
    """Download exactly the claims the queue shows with the same query string."""
    return csv_response(queue_filters())


@bp.route("/fact-checks/<int:claim_id>")
def fact_check(claim_id: int):
    """The public, read-only page of an approved claim, with its ClaimReview JSON-LD."""
    try:
        claim = get_published_claim(claim_id)
    except NotFound:
        return render_template("errors/error.html", error=FactCheckNotFound(claim_id)), 404
    url = url_for("export.fact_check", claim_id=claim.id, _external=True)
    review = claim_review(claim, url=url, publisher=current_app.config["CLAIMDESK_PUBLISHER"],
                          publisher_url=current_app.config.get("CLAIMDESK_PUBLISHER_URL") or None)
    return render_template("export/fact_check.html", record=published_record(claim), review=review, url=url)
