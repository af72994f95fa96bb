"""API routes: parse the request, call a service, serialise. Errors are JSON (app.web)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask import Blueprint, g, jsonify, request, url_for

from app import related
from app.api import serializers as ser
from app.auth.service import user_for_token
from app.errors import Forbidden, Invalid, UnsupportedMedia
from app.extensions import csrf
from app.ingest import ArticleText, ingest_article, ingest_url, is_web_address, read_upload
from app.models import User
from app.workflow import service
from app.workflow.queries import ClaimFilters, search_claims

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token auth, no cookies: nothing for CSRF to protect

PUBLIC_ENDPOINTS: set[str] = {"api.openapi"}


class Unauthorized(Forbidden):
    code, status = "unauthorized", 401


@bp.before_request
def authenticate_token():
    """Every API call carries ``Authorization: Bearer <token>``; sessions are not used here."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token as 'Authorization: Bearer <token>' (flask --app app create-token EMAIL).")
    user = user_for_token(secret.strip())
    if user is None:
        raise Unauthorized("The API token is unknown, revoked, or its user is inactive.")
    g.api_user = user
    return None


def api_user() -> User:
    return g.api_user


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 415/400 error that says what was wrong."""
    if not request.is_json:
        raise UnsupportedMedia("Send JSON with 'Content-Type: application/json'.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object.")
    return data


def _date(value: Any, name: str) -> Optional[datetime]:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise Invalid(f"{name} must be an ISO 8601 date.", field=name) from None


def _web_url(data: dict, name: str) -> Optional[str]:
    """An http(s) address or None; anything else (``javascript:``, ``data:``) is refused."""
    value = _str(data, name)
    if value and not is_web_address(value):
        raise Invalid(f"{name} must start with http:// or https://.", field=name)
    return value


def _str(data: dict, name: str, limit: int = 2000) -> Optional[str]:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string.", field=name)
    return value.strip()[:limit] or None


def _id(data: dict, name: str) -> Optional[int]:
    """An optional id field: a whole number or absent (``true`` and ``"7"`` are refused)."""
    value = data.get(name)
    if value is None:
        return None
    if type(value) is not int:
        raise Invalid(f"{name} must be an integer.", field=name)
    return value


# --- articles -------------------------------------------------------------------------------

@bp.post("/articles")
def create_article():
    """Ingest an article from JSON text, a multipart file upload, or ``{"url": ...}`` alone
    (the page is fetched under the fetcher's rules)."""
    if request.files.get("file"):
        upload = request.files["file"]
        doc = read_upload(upload.read(), filename=upload.filename or "", content_type=upload.mimetype)
        source, filename, data = "api", upload.filename, request.form.to_dict()
    else:
        data = json_body()
        text = data.get("text")
        if text is not None and not isinstance(text, str):
            raise Invalid("text must be a string.", field="text")
        if not (text or "").strip() and _str(data, "url"):
            result = ingest_url(_str(data, "url"), user=api_user(), source="api", title=_str(data, "title", 500),
                                publisher=_str(data, "publisher", 200),
                                published_at=_date(data.get("published_at"), "published_at"))
            return _article_created(result)
        doc, source, filename = ArticleText(text=text or ""), "api", None
    doc.title = _str(data, "title", 500) or doc.title
    doc.publisher = _str(data, "publisher", 200) or doc.publisher
    doc.url = _web_url(data, "url") or doc.url
    doc.published_at = _date(data.get("published_at"), "published_at") or doc.published_at
    return _article_created(ingest_article(doc, user=api_user(), source=source, filename=filename))


def _article_created(result):
    body = {"id": result.article.id, "title": result.article.title, "claims": [c.id for c in result.claims]}
    return jsonify(body), 201, {"Location": url_for("articles.show", article_id=result.article.id)}


# --- claims ---------------------------------------------------------------------------------

@bp.get("/claims")
def list_claims():
    filters = ClaimFilters.from_args(request.args, current_user_id=api_user().id)
    page = search_claims(filters, page=request.args.get("page", 1, type=int),
                         per_page=request.args.get("per_page", 50, type=int))
    return jsonify({"items": [ser.claim_summary(c) for c in page.items], "total": page.total,
                    "page": page.page, "per_page": page.per_page, "pages": page.pages})


@bp.get("/claims/<int:claim_id>")
def get_claim(claim_id: int):
    claim = service.get_claim(claim_id)
    return jsonify(ser.claim_detail(claim, service.history(claim_id)))


@bp.patch("/claims/<int:claim_id>")
def patch_claim(claim_id: int):
    """Change content, speaker, kind, span, cue, assignee or status; ``version`` is required."""
    data = json_body()
    if "version" not in data:
        raise Invalid("Send the claim's current 'version' with your change.", field="version")
    try:
        version = int(data["version"])
    except (TypeError, ValueError):
        raise Invalid("version must be an integer.", field="version") from None
    changes = {k: v for k, v in data.items() if k != "version"}
    claim = service.update_claim(claim_id, user=api_user(), version=version, changes=changes)
    return jsonify(ser.claim_detail(claim, service.history(claim_id)))


@bp.post("/claims/<int:claim_id>/evidence")
def add_evidence(claim_id: int):
    data = json_body()
    evidence_id, source_claim_id = _id(data, "evidence_id"), _id(data, "source_claim_id")
    link = service.link_evidence(
        claim_id, user=api_user(), evidence_id=evidence_id, source_claim_id=source_claim_id,
        stance=_str(data, "stance", 20), note=_str(data, "note", 5000),
        evidence=None if evidence_id or source_claim_id else service.EvidenceInput(
            url=_str(data, "url"), title=_str(data, "title", 500) or "", stance=_str(data, "stance", 20) or "",
            publisher=_str(data, "publisher", 200), published_at=_date(data.get("published_at"), "published_at"),
            excerpt=_str(data, "excerpt", 20_000), note=_str(data, "note", 5000),
        ),
    )
    return jsonify(ser.evidence_link(link)), 201


@bp.post("/claims/<int:claim_id>/verdict")
def propose_verdict(claim_id: int):
    data = json_body()
    service.propose_verdict(claim_id, user=api_user(), verdict=_str(data, "verdict", 20) or "",
                            rationale=_str(data, "rationale", 20_000) or "", version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/approve")
def approve(claim_id: int):
    data = json_body() if request.data else {}
    service.approve(claim_id, user=api_user(), comment=_str(data, "comment", 10_000), version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/return")
def return_claim(claim_id: int):
    data = json_body()
    service.return_claim(claim_id, user=api_user(), comment=_str(data, "comment", 10_000) or "",
                         version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/comments")
def add_comment(claim_id: int):
    data = json_body()
    comment = service.add_comment(claim_id, user=api_user(), body=_str(data, "body", 10_000) or "")
    return jsonify(ser.comment_json(comment)), 201


@bp.get("/claims/<int:claim_id>/history")
def history(claim_id: int):
    return jsonify({"items": [ser.history_item(e) for e in service.history(claim_id)]})


@bp.get("/claims/<int:claim_id>/related")
def related_claims(claim_id: int):
    """The claims most similar to this one, best first (cosine score)."""
    claim = service.get_claim(claim_id)
    k = max(1, min(request.args.get("k", 5, type=int) or 5, 50))
    items = related.related_claims(claim, k=k, prefer_elsewhere=False)
    return jsonify({"items": [{
        "id": item.claim.id, "content": item.claim.content,
        "speaker": {"id": item.claim.speaker.id, "name": item.claim.speaker.name} if item.claim.speaker else None,
        "status": item.claim.status, "score": round(item.score, 4),
        "verdict": item.claim.current_verdict.verdict if item.claim.current_verdict
        and item.claim.current_verdict.state == "approved" else None,
        "article_id": item.claim.article_id,
    } for item in items]})


def _claim_response(claim_id: int):
    claim = service.get_claim(claim_id)
    return jsonify(ser.claim_detail(claim, service.history(claim_id)))
