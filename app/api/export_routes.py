"""API routes for the ways out: CSV export, ClaimReview, and the OpenAPI description.

They hang off the same blueprint (and token check) as app.api.routes; the OpenAPI
description is public (listed in ``app.api.blueprint.PUBLIC_ENDPOINTS``).
"""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request, url_for

from app.api import schemas as s
from app.api.blueprint import api_user, bp, errors
from app.api.openapi import openapi_document
from app.errors import Invalid
from app.export.claimreview import claim_review, get_published_claim, parse_since, published_claims
from app.export.download import csv_response
from app.workflow.queries import ClaimFilters

CSV_COLUMNS_TEXT = (
    "One row per claim after a header row: claim_id, status, kind, speaker, speaker_role, content, "
    "article_title, article_url, publisher, published_at, verdict, rationale, evidence_urls (space-separated), "
    "proposed_by, approved_by, approved_at, claim_url. UTF-8; dates ISO 8601; a cell starting with "
    "= + - @ (after any spaces or invisible characters) is prefixed with ' so spreadsheets never run it. "
    "Streamed as it is read."
)


def _claim_review(claim) -> dict:
    return claim_review(
        claim, url=url_for("export.fact_check", claim_id=claim.id, _external=True),
        publisher=current_app.config["CLAIMDESK_PUBLISHER"],
        publisher_url=current_app.config.get("CLAIMDESK_PUBLISHER_URL") or None,
    )


@bp.get("/export.csv", tags=["export"])
@bp.doc(operationId="exportCsv", description=CSV_COLUMNS_TEXT, responses={200: {
    "description": "The CSV file (attachment).", "content": {"text/csv": {"schema": {"type": "string"}}}}})
@bp.arguments(s.ExportQuerySchema, location="query", as_kwargs=True)
@errors(422)
def export_csv(**_filters: Any):
    """Export claims as CSV (the queue's filters)"""
    return csv_response(ClaimFilters.from_args(request.args, current_user_id=api_user().id))


@bp.get("/claims/<int:claim_id>/claimreview", tags=["export"])
@bp.doc(operationId="getClaimReview")
@bp.response(200, s.ClaimReviewSchema, content_type="application/ld+json", description="JSON-LD.")
@errors(404)
def claimreview(claim_id: int):
    """The schema.org ClaimReview of an approved claim"""
    body = _claim_review(get_published_claim(claim_id))
    return current_app.response_class(current_app.json.dumps(body), mimetype="application/ld+json")


@bp.get("/claimreviews", tags=["export"])
@bp.doc(operationId="listClaimReviews")
@bp.arguments(s.ClaimReviewsQuerySchema, location="query", as_kwargs=True)
@bp.response(200, s.ClaimReviewListSchema, description="ClaimReviews.")
@errors(422)
def claimreviews(since: str | None = None, limit: int = 100):
    """ClaimReviews approved since a moment, oldest first (for a CMS to pull)"""
    try:
        since_at = parse_since(since)
    except ValueError:
        raise Invalid("since must be an ISO 8601 date or date-time, e.g. 2024-05-01.", field="since") from None
    limit = max(1, min(limit, 1000))
    claims = published_claims(since=since_at, limit=limit + 1)
    items = [_claim_review(c) for c in claims[:limit]]
    return jsonify({"items": items, "count": len(items), "has_more": len(claims) > limit,
                    "next_since": items[-1]["datePublished"] if items else None})


@bp.get("/openapi.json", tags=["meta"])
@bp.doc(operationId="getOpenApi", security=[], responses={200: {
    "description": "OpenAPI 3.1 document.", "content": {"application/json": {"schema": {"type": "object"}}}}})
def openapi():
    """This description (no token needed)"""
    return jsonify(openapi_document(server_url=request.url_root.rstrip("/") + bp.url_prefix))
