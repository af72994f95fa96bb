"""API routes for the ways out: CSV export, ClaimReview, and the OpenAPI description.

They hang off the same blueprint (and token check) as app.api.routes; the OpenAPI
description is public (listed in ``app.api.blueprint.PUBLIC_ENDPOINTS``).
"""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for

from app.api.blueprint import api_user, bp
from app.api.openapi import openapi_document
from app.errors import Invalid
from app.export.claimreview import claim_review, get_published_claim, parse_since, published_claims
from app.export.download import csv_response
from app.workflow.queries import ClaimFilters


def _claim_review(claim) -> dict:
    return claim_review(
        claim, url=url_for("export.fact_check", claim_id=claim.id, _external=True),
        publisher=current_app.config["CLAIMDESK_PUBLISHER"],
        publisher_url=current_app.config.get("CLAIMDESK_PUBLISHER_URL") or None,
    )


@bp.get("/export.csv")
def export_csv():
    """The claims matching the same filters as ``GET /claims``, as a streamed CSV file."""
    return csv_response(ClaimFilters.from_args(request.args, current_user_id=api_user().id))


@bp.get("/claims/<int:claim_id>/claimreview")
def claimreview(claim_id: int):
    """The schema.org ClaimReview of an approved claim (404 for any other)."""
    body = _claim_review(get_published_claim(claim_id))
    return current_app.response_class(current_app.json.dumps(body), mimetype="application/ld+json")


@bp.get("/claimreviews")
def claimreviews():
    """ClaimReviews of claims approved at or after ``since``, oldest first, for a CMS to pull."""
    try:
        since = parse_since(request.args.get("since"))
    except ValueError:
        raise Invalid("since must be an ISO 8601 date or date-time, e.g. 2024-05-01.", field="since") from None
    limit = max(1, min(request.args.get("limit", 100, type=int) or 100, 1000))
    claims = published_claims(since=since, limit=limit + 1)
    items = [_claim_review(c) for c in claims[:limit]]
    return jsonify({"items": items, "count": len(items), "has_more": len(claims) > limit,
                    "next_since": items[-1]["datePublished"] if items else None})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of every /api/v1 route (no token needed)."""
    return jsonify(openapi_document(server_url=request.url_root.rstrip("/") + bp.url_prefix))
