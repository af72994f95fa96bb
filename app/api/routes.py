"""API routes: parse the request, call a service, serialise. Errors are JSON (app.web)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from app import related
from app.api import serializers as ser
from app.api.blueprint import api_user, bp
from app.api.inputs import date_field, id_field, json_body, str_field
from app.errors import Invalid
from app.ingest import Metadata, Upload, article_claim_ids, get_article
from app.tasks import IngestRequest, get_job, job_error, submit_job
from app.tasks.jobs import job_claim_ids
from app.workflow import service
from app.workflow.queries import ClaimFilters, search_claims
from app.workflow.rules import published_verdict

# --- articles -------------------------------------------------------------------------------

@bp.post("/articles")
def create_article():
    """Ingest an article from JSON text, a multipart file upload, or ``{"url": ...}`` alone
    (the page is fetched under the fetcher's rules). A job: 201 with the article when it is
    done within ``CLAIMDESK_INGEST_WAIT`` seconds, else 202 with the job to poll."""
    upload = None
    if request.files.get("file"):
        file = request.files["file"]
        upload, data = Upload(file.read(), file.filename or "", file.mimetype), request.form.to_dict()
    else:
        data = json_body()
        if data.get("text") is not None and not isinstance(data["text"], str):
            raise Invalid("text must be a string.", field="text")
    job = submit_job(IngestRequest(
        text=data.get("text"), upload=upload, url=str_field(data, "url"), user_id=api_user().id, source="api",
        metadata=Metadata(title=str_field(data, "title", 500), publisher=str_field(data, "publisher", 200),
                          published_at=date_field(data, "published_at")),
    ))
    if job.status == "failed":
        raise job_error(job)
    if job.status != "done":
        url = url_for("api.get_job", job_id=job.id)
        return jsonify({"job": {"id": job.id, "status": job.status, "url": url}}), 202, {"Location": url}
    body = {"id": job.article_id, "title": job.article.title, "claims": job_claim_ids(job)}
    return jsonify(body), 201, {"Location": url_for("articles.show", article_id=job.article_id)}


@bp.get("/jobs/<job_id>", endpoint="get_job")
def job_status(job_id: str):
    """Where an ingest job stands: queued, running, done (its article, claims) or failed (its error)."""
    return jsonify(ser.job(get_job(job_id)))


@bp.get("/articles/<int:article_id>")
def get_article_json(article_id: int):
    """An article's metadata, its claim ids in reading order and ``copy_of`` (a wire copy's original)."""
    article = get_article(article_id)
    return jsonify(ser.article_detail(article, article_claim_ids(article.id)))


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
    return _claim_response(claim_id)


@bp.patch("/claims/<int:claim_id>")
def patch_claim(claim_id: int):
    """Correct the extraction (content, speaker, kind, span, cue); ``version`` is required.
    Status and assignee change through the action routes below."""
    data = json_body()
    changes = {k: v for k, v in data.items() if k != "version"}
    service.update_claim(claim_id, user=api_user(), version=_required_version(data), changes=changes)
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/take")
def take(claim_id: int):
    """Assign the claim to the token's user."""
    data = _optional_body()
    service.take(claim_id, user=api_user(), version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/assign")
def assign(claim_id: int):
    """Assign the claim to a user (id or e-mail), or to nobody (``null``)."""
    data = json_body()
    if "assignee" not in data:
        raise Invalid("Say who to assign: a user id, an e-mail, or null for nobody.", field="assignee")
    assignee = data["assignee"]
    if assignee is not None and (isinstance(assignee, bool) or not isinstance(assignee, (int, str))):
        raise Invalid("assignee must be a user id, an e-mail, or null.", field="assignee")
    service.assign(claim_id, user=api_user(), assignee=assignee, version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/dismiss")
def dismiss(claim_id: int):
    """Dismiss a claim that is not checkable, with a reason."""
    data = json_body()
    service.dismiss(claim_id, user=api_user(), reason=str_field(data, "reason", 500) or "", version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/reopen")
def reopen(claim_id: int):
    """Reopen an approved or dismissed claim (admins)."""
    data = _optional_body()
    service.reopen(claim_id, user=api_user(), reason=str_field(data, "reason", 500) or "", version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/evidence")
def add_evidence(claim_id: int):
    data = json_body()
    evidence_id, source_claim_id = id_field(data, "evidence_id"), id_field(data, "source_claim_id")
    link = service.link_evidence(
        claim_id, user=api_user(), evidence_id=evidence_id, source_claim_id=source_claim_id,
        stance=str_field(data, "stance", 20), note=str_field(data, "note", 5000),
        existing=str_field(data, "existing", 20),
        evidence=None if evidence_id or source_claim_id else service.EvidenceInput(
            url=str_field(data, "url"), title=str_field(data, "title", 500) or "",
            stance=str_field(data, "stance", 20) or "", publisher=str_field(data, "publisher", 200),
            published_at=date_field(data, "published_at"), excerpt=str_field(data, "excerpt", 20_000),
            note=str_field(data, "note", 5000),
        ),
    )
    return jsonify(ser.evidence_link(link)), 201


@bp.post("/claims/<int:claim_id>/verdict")
def propose_verdict(claim_id: int):
    data = json_body()
    service.propose_verdict(claim_id, user=api_user(), verdict=str_field(data, "verdict", 20) or "",
                            rationale=str_field(data, "rationale", 20_000) or "", version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/approve")
def approve(claim_id: int):
    data = _optional_body()
    service.approve(claim_id, user=api_user(), comment=str_field(data, "comment", 10_000), version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/return")
def return_claim(claim_id: int):
    data = json_body()
    service.return_claim(claim_id, user=api_user(), comment=str_field(data, "comment", 10_000) or "",
                         version=data.get("version"))
    return _claim_response(claim_id)


@bp.post("/claims/<int:claim_id>/comments")
def add_comment(claim_id: int):
    data = json_body()
    comment = service.add_comment(claim_id, user=api_user(), body=str_field(data, "body", 10_000) or "")
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
        "verdict": published_verdict(item.claim).verdict if published_verdict(item.claim) else None,
        "article_id": item.claim.article_id,
    } for item in items]})


def _optional_body() -> dict[str, Any]:
    """The JSON body of an action whose fields are all optional (an empty body is fine)."""
    return json_body() if request.data else {}


def _required_version(data: dict[str, Any]) -> int:
    """The claim ``version`` a correction was made from: required, a whole number."""
    if "version" not in data:
        raise Invalid("Send the claim's current 'version' with your change.", field="version")
    try:
        return int(data["version"])
    except (TypeError, ValueError):
        raise Invalid("version must be an integer.", field="version") from None


def _claim_response(claim_id: int):
    claim = service.get_claim(claim_id)
    return jsonify(ser.claim_detail(claim, service.history(claim_id)))
