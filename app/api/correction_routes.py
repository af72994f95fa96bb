"""API routes for corrections by span: add a claim from a span of an article, split a claim,
merge two, remove one (app.workflow.corrections; the web's article page calls the same)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from app.api import serializers as ser
from app.api.blueprint import api_user, bp
from app.api.inputs import json_body, str_field
from app.errors import Invalid
from app.models import CLAIM_KINDS
from app.workflow import corrections, service


def _whole(data: dict[str, Any], name: str) -> int:
    """A required whole-number field (``true``, ``1.5`` and ``"3"`` are refused, naming it)."""
    value = data.get(name)
    if type(value) is not int:
        what = "missing" if value is None else f"{value!r}, not a whole number"
        raise Invalid(f"{name} must be a whole number ({what}).", field=name)
    return value


def _detail(claim) -> dict[str, Any]:
    return ser.claim_detail(claim, service.history(claim.id))


@bp.post("/articles/<int:article_id>/claims")
def add_claim(article_id: int):
    """A claim the extractor missed, from the span [start, end) of the article's text."""
    data = json_body()
    start, end = _whole(data, "start"), _whole(data, "end")
    if "kind" not in data:
        raise Invalid("Say which kind of claim this is: " + ", ".join(CLAIM_KINDS) + ".", field="kind")
    claim = corrections.add_claim(article_id, user=api_user(), start=start, end=end, speaker=data.get("speaker"),
                                  kind=data.get("kind"), cue=data.get("cue"))
    return jsonify(_detail(claim)), 201, {"Location": url_for("claims.show", claim_id=claim.id)}


@bp.post("/claims/<int:claim_id>/split")
def split_claim(claim_id: int):
    """Split the claim at ``at`` (an offset in the article's text inside its span)."""
    data = json_body()
    first, second = corrections.split_claim(claim_id, user=api_user(), at=_whole(data, "at"),
                                            version=_whole(data, "version"))
    return jsonify({"claims": [_detail(first), _detail(second)]})


@bp.post("/claims/<int:claim_id>/merge")
def merge_claims(claim_id: int):
    """Merge claim ``with`` (same article) into this one; the other is removed, history kept."""
    data = json_body()
    claim = corrections.merge_claims(claim_id, user=api_user(), with_id=_whole(data, "with"),
                                     version=_whole(data, "version"))
    return jsonify(_detail(claim))


@bp.post("/claims/<int:claim_id>/remove")
def remove_claim(claim_id: int):
    """Take out a claim that is not a quote (history kept); ``dismiss`` is for quotes that cannot be checked."""
    data = json_body()
    claim = corrections.remove_claim(claim_id, user=api_user(), reason=str_field(data, "reason", 500),
                                     version=_whole(data, "version"))
    return jsonify(_detail(claim))
