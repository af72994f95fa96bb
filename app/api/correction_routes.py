"""API routes for corrections by span: add a claim from a span of an article, split a claim,
merge two, remove one (app.workflow.corrections; the web's article page calls the same)."""
from __future__ import annotations

from typing import Any

from flask import url_for

from app.api import schemas as s
from app.api.blueprint import api_user, bp, errors
from app.api.views import ClaimView
from app.workflow import corrections


@bp.post("/articles/<int:article_id>/claims", tags=["corrections"])
@bp.doc(operationId="addClaim")
@bp.arguments(s.ClaimInSchema)
@bp.response(201, s.ClaimDetailSchema, description="The new claim; `Location` is its page.")
@errors(400, 403, 404, 409, 415, 422)
def add_claim(data: dict[str, Any], article_id: int):
    """Add a claim the extractor missed, from a span of the article's text

    The claim arrives `new`, marked edited, with a `claim_added` event. A span outside the text,
    an empty one or only spaces is 422 `invalid` (`details.field`); a claim with exactly this
    span already is 409 `duplicate_claim` (`details.existing_id`).
    """
    claim = corrections.add_claim(article_id, user=api_user(), start=data["start"], end=data["end"],
                                  speaker=data.get("speaker"), kind=data["kind"], cue=data.get("cue"))
    return ClaimView(claim), 201, {"Location": url_for("claims.show", claim_id=claim.id)}


@bp.post("/claims/<int:claim_id>/split", tags=["corrections"])
@bp.doc(operationId="splitClaim")
@bp.arguments(s.SplitInSchema)
@bp.response(200, s.ClaimPairSchema, description="Both claims, in reading order.")
@errors(400, 403, 404, 409, 415, 422)
def split_claim(data: dict[str, Any], claim_id: int):
    """Split a claim in two at a character offset inside its span

    The first part keeps the claim (id, status, evidence); the second is a new claim with the same
    speaker, kind and cue. `at` outside the span or leaving a part with no text is 422; a stale
    `version` 409 `stale_version`; an approved or removed claim 409 `bad_status`.
    """
    first, second = corrections.split_claim(claim_id, user=api_user(), at=data["at"], version=data["version"])
    return {"claims": [ClaimView(first), ClaimView(second)]}


@bp.post("/claims/<int:claim_id>/merge", tags=["corrections"])
@bp.doc(operationId="mergeClaims")
@bp.arguments(s.MergeInSchema)
@bp.response(200, s.ClaimDetailSchema, description="The merged claim.")
@errors(400, 403, 404, 409, 415, 422)
def merge_claims(data: dict[str, Any], claim_id: int):
    """Merge another claim of the same article into this one

    This claim spans both (`spans` lists the pieces) and keeps its id and status; the other is
    removed with `merged_into` set and its history kept; its evidence moves here. Claims of
    different articles, or a claim with itself, are 422.
    """
    return ClaimView(corrections.merge_claims(claim_id, user=api_user(), with_id=data["with_"],
                                              version=data["version"]))


@bp.post("/claims/<int:claim_id>/remove", tags=["corrections"])
@bp.doc(operationId="removeClaim")
@bp.arguments(s.RemoveInSchema)
@bp.response(200, s.ClaimDetailSchema, description="The removed claim.")
@errors(400, 403, 404, 409, 415, 422)
def remove_claim(data: dict[str, Any], claim_id: int):
    """Take out a claim that is not a quote (its row and history stay)

    Unlike `dismiss` (a quote that cannot be checked), a removed claim leaves the queue, the
    article's highlights and the exports.
    """
    return ClaimView(corrections.remove_claim(claim_id, user=api_user(),
                                              reason=(data.get("reason") or "").strip() or None,
                                              version=data["version"]))
