"""API routes: the schema validates the request, the view calls a service, the schema dumps
the result. Errors are JSON (app.web); every route is described by its decorators."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import jsonify, request, url_for
from flask_smorest import abort

from app import related
from app.api import schemas as s
from app.api import serializers as ser
from app.api.blueprint import api_user, bp, errors
from app.api.views import claim_view
from app.errors import Invalid
from app.factchecks import service as factchecks
from app.ingest import Metadata, Upload, article_claim_ids, get_article
from app.tasks import IngestRequest, get_job, job_error, submit_job
from app.tasks.jobs import job_claim_ids
from app.workflow import service
from app.workflow.queries import ClaimFilters, search_claims
from app.workflow.rules import published_verdict


def load_or_422(schema: ma.Schema, data: Any, location: str) -> dict[str, Any]:
    """``schema.load(data)``, a failure answered as the parser's own 422."""
    try:
        return schema.load(data)
    except ma.ValidationError as exc:
        abort(422, messages={location: exc.messages})


CLAIM_OPERATIONS = ("getClaim", "updateClaim", "takeClaim", "assignClaim", "dismissClaim", "reopenClaim",
                    "linkEvidence", "proposeVerdict", "approveClaim", "returnClaim", "addComment", "claimHistory",
                    "relatedClaims")


def _links_to_claim(pointer: str, *, version: str | None = None) -> dict[str, Any]:
    """OpenAPI links from an operation's response to the claim it names: what a client does
    next (schemathesis follows them in its stateful run)."""
    links = {}
    for op in CLAIM_OPERATIONS:
        link: dict[str, Any] = {"operationId": op, "parameters": {"claim_id": pointer}}
        if version and op not in ("getClaim", "claimHistory", "relatedClaims", "addComment"):
            link["requestBody"] = {"version": version}
        links[op[0].upper() + op[1:]] = link
    return links


# --- articles -------------------------------------------------------------------------------

@bp.post("/articles", tags=["articles"])
@bp.doc(operationId="createArticle", requestBody={"required": True, "content": {
    "application/json": {"schema": s.ArticleInSchema},
    "multipart/form-data": {"schema": s.ArticleUploadSchema},
}}, responses={201: {"links": _links_to_claim("$response.body#/claims/0")}})
@bp.response(201, s.ArticleCreatedSchema, description="Stored; `Location` is the article's page.")
@bp.alt_response(202, schema=s.JobAcceptedSchema, description="Queued or running; `Location` is the job to poll.")
@errors(400, 409, 413, 415, 422)
def create_article():
    """Ingest an article and extract its claims

    JSON text, `{"url": ...}` alone to fetch a web page, or a multipart upload of a .txt/.html
    file; the claims arrive with status `new`. Ingest is a job: 201 with the article when it
    is done within `CLAIMDESK_INGEST_WAIT` seconds, else 202 with the job to poll
    (`GET /jobs/{job_id}`). A refused fetch is 422 `fetch_refused`; a page answering an error
    is 422 `fetch_failed` (`details.remote_status`).
    """
    upload = None
    if request.files.get("file") or request.mimetype == "multipart/form-data":
        data = load_or_422(s.ArticleUploadSchema(), {**request.form.to_dict(), **request.files.to_dict()}, "form")
        file = data["file"]
        if not hasattr(file, "read"):
            abort(422, messages={"form": {"file": ["Send the article as a file."]}})
        upload = Upload(file.read(), file.filename or "", file.mimetype)
    else:
        data = bp.ARGUMENTS_PARSER.parse(s.ArticleInSchema(), request, location="json")
    job = submit_job(IngestRequest(
        text=data.get("text"), upload=upload, url=data.get("url"), user_id=api_user().id, source="api",
        metadata=Metadata(title=(data.get("title") or "").strip() or None,
                          publisher=(data.get("publisher") or "").strip() or None,
                          published_at=data.get("published_at")),
    ))
    if job.status == "failed":
        raise job_error(job)
    if job.status != "done":
        url = url_for("api.get_job", job_id=job.id)
        response = jsonify(s.JobAcceptedSchema().dump({"job": {"id": job.id, "status": job.status, "url": url}}))
        response.status_code, response.headers["Location"] = 202, url
        return response
    body = {"id": job.article_id, "title": job.article.title, "claims": job_claim_ids(job)}
    return body, 201, {"Location": url_for("articles.show", article_id=job.article_id)}


@bp.get("/jobs/<job_id>", endpoint="get_job", tags=["articles"])
@bp.doc(operationId="getJob")
@bp.response(200, s.JobSchema, description="The job.")
@errors(404)
def job_status(job_id: str):
    """Where an ingest job stands: queued, running, done (its article, claims) or failed (its error)"""
    return ser.job(get_job(job_id))


@bp.get("/articles/<int:article_id>", tags=["articles"])
@bp.doc(operationId="getArticle", responses={200: {"links": _links_to_claim("$response.body#/claims/0")}})
@bp.response(200, s.ArticleSchema, description="The article.")
@errors(404)
def get_article_json(article_id: int):
    """An article: metadata, claim ids, and the article it copies (`copy_of`)"""
    article = get_article(article_id)
    return {"article": article, "claims": article_claim_ids(article.id)}


# --- claims ---------------------------------------------------------------------------------

@bp.get("/claims", tags=["claims"])
@bp.doc(operationId="listClaims", responses={200: {"links": _links_to_claim("$response.body#/items/0/id")}})
@bp.arguments(s.ClaimListQuerySchema, location="query", as_kwargs=True)
@bp.response(200, s.ClaimPageSchema, description="One page of claims.")
@errors(422)
def list_claims(page: int = 1, per_page: int = 50, **_filters: Any):
    """List claims (the queue's filters)"""
    filters = ClaimFilters.from_args(request.args, current_user_id=api_user().id)
    return search_claims(filters, page=page, per_page=per_page)


@bp.get("/claims/<int:claim_id>", tags=["claims"])
@bp.doc(operationId="getClaim", responses={200: {"links": _links_to_claim("$response.body#/id")}})
@bp.response(200, s.ClaimDetailSchema, description="The claim.")
@errors(404)
def get_claim(claim_id: int):
    """A claim with evidence, verdict and history"""
    return claim_view(claim_id)


@bp.patch("/claims/<int:claim_id>", tags=["claims"])
@bp.doc(operationId="updateClaim")
@bp.arguments(s.ClaimPatchSchema)
@bp.response(200, s.ClaimDetailSchema, description="The claim after the change.")
@errors(400, 403, 404, 409, 415, 422)
def patch_claim(data: dict[str, Any], claim_id: int):
    """Correct the extraction (content, span, speaker, kind, cue)

    Status and assignee are not fields here (422 `invalid`): use take, assign, dismiss and reopen.
    """
    changes = {k: v for k, v in data.items() if k != "version"}
    service.update_claim(claim_id, user=api_user(), version=data["version"], changes=changes)
    return claim_view(claim_id)


@bp.post("/claims/<int:claim_id>/take", tags=["workflow"])
@bp.doc(operationId="takeClaim")
@bp.arguments(s.VersionInSchema, required=False)
@bp.response(200, s.ClaimDetailSchema, description="The claim, assigned to you.")
@errors(400, 403, 404, 409, 415, 422)
def take(data: dict[str, Any], claim_id: int):
    """Assign the claim to the token's user (a new claim goes in progress)"""
    service.take(claim_id, user=api_user(), version=data.get("version"))
    return claim_view(claim_id)


@bp.post("/claims/<int:claim_id>/assign", tags=["workflow"])
@bp.doc(operationId="assignClaim")
@bp.arguments(s.AssignInSchema)
@bp.response(200, s.ClaimDetailSchema, description="The claim after the assignment.")
@errors(400, 403, 404, 409, 415, 422)
def assign(data: dict[str, Any], claim_id: int):
    """Assign the claim to someone, or to nobody (a new claim goes in progress)"""
    service.assign(claim_id, user=api_user(), assignee=data["assignee"], version=data.get("version"))
    return claim_view(claim_id)


@bp.post("/claims/<int:claim_id>/dismiss", tags=["workflow"])
@bp.doc(operationId="dismissClaim")
@bp.arguments(s.DismissInSchema)
@bp.response(200, s.ClaimDetailSchema, description="The claim, dismissed.")
@errors(400, 403, 404, 409, 415, 422)
def dismiss(data: dict[str, Any], claim_id: int):
    """Dismiss a new or in-progress claim that is not checkable, with a reason"""
    service.dismiss(claim_id, user=api_user(), reason=data["reason"].strip(), version=data.get("version"))
    return claim_view(claim_id)


@bp.post("/claims/<int:claim_id>/reopen", tags=["workflow"])
@bp.doc(operationId="reopenClaim")
@bp.arguments(s.ReopenInSchema, required=False)
@bp.response(200, s.ClaimDetailSchema, description="The claim, in progress again.")
@errors(400, 403, 404, 409, 415, 422)
def reopen(data: dict[str, Any], claim_id: int):
    """Reopen an approved or dismissed claim (admins); it goes back in progress"""
    service.reopen(claim_id, user=api_user(), reason=(data.get("reason") or "").strip(), version=data.get("version"))
    return claim_view(claim_id)


@bp.post("/claims/<int:claim_id>/evidence", tags=["workflow"])
@bp.doc(operationId="linkEvidence")
@bp.arguments(s.EvidenceInSchema)
@bp.response(201, s.EvidenceLinkSchema, description="The new link.")
@errors(400, 403, 404, 409, 415, 422)
def add_evidence(data: dict[str, Any], claim_id: int):
    """Link evidence to a claim: new, or already in the desk, or an approved claim, or an imported fact-check"""
    evidence_id, source_claim_id = data.get("evidence_id"), data.get("source_claim_id")
    factcheck_id = data.get("factcheck_id")
    text = {name: (data.get(name) or "").strip() or None for name in ("url", "title", "publisher", "excerpt", "note")}
    return service.link_evidence(
        claim_id, user=api_user(), evidence_id=evidence_id, source_claim_id=source_claim_id,
        factcheck_id=factcheck_id, stance=data["stance"], note=text["note"], existing=data.get("existing"),
        evidence=None if evidence_id or source_claim_id or factcheck_id else service.EvidenceInput(
            url=text["url"], title=text["title"] or "", stance=data["stance"], publisher=text["publisher"],
            published_at=data.get("published_at"), excerpt=text["excerpt"], note=text["note"],
        ),
    )


@bp.post("/claims/<int:claim_id>/verdict", tags=["workflow"])
@bp.doc(operationId="proposeVerdict")
@bp.arguments(s.VerdictInSchema)
@bp.response(200, s.ClaimDetailSchema, description="The claim, now in review.")
@errors(400, 403, 404, 409, 415, 422)
def propose_verdict(data: dict[str, Any], claim_id: int):
    """Propose a verdict; the claim goes to review"""
    service.propose_verdict(claim_id, user=api_user(), verdict=data["verdict"], rationale=data["rationale"].strip(),
                            version=data["version"])
    return claim_view(claim_id)


@bp.post("/claims/<int:claim_id>/approve", tags=["workflow"])
@bp.doc(operationId="approveClaim")
@bp.arguments(s.ApproveInSchema)
@bp.response(200, s.ClaimDetailSchema, description="The claim, approved and locked.")
@errors(400, 403, 404, 409, 415, 422)
def approve(data: dict[str, Any], claim_id: int):
    """Approve the proposed verdict (reviewers and admins; never one's own)"""
    service.approve(claim_id, user=api_user(), comment=(data.get("comment") or "").strip() or None,
                    version=data["version"])
    return claim_view(claim_id)


@bp.post("/claims/<int:claim_id>/return", tags=["workflow"])
@bp.doc(operationId="returnClaim")
@bp.arguments(s.ReturnInSchema)
@bp.response(200, s.ClaimDetailSchema, description="The claim, in progress again.")
@errors(400, 403, 404, 409, 415, 422)
def return_claim(data: dict[str, Any], claim_id: int):
    """Send the proposed verdict back with a comment"""
    service.return_claim(claim_id, user=api_user(), comment=data["comment"].strip(), version=data["version"])
    return claim_view(claim_id)


@bp.post("/claims/<int:claim_id>/comments", tags=["workflow"])
@bp.doc(operationId="addComment")
@bp.arguments(s.CommentInSchema)
@bp.response(201, s.CommentSchema, description="The comment.")
@errors(400, 404, 409, 415, 422)
def add_comment(data: dict[str, Any], claim_id: int):
    """Comment on a claim"""
    return service.add_comment(claim_id, user=api_user(), body=data["body"].strip())


@bp.get("/claims/<int:claim_id>/history", tags=["claims"])
@bp.doc(operationId="claimHistory")
@bp.response(200, s.HistorySchema, description="The history.")
@errors(404)
def history(claim_id: int):
    """A claim's history, oldest first"""
    return {"items": service.history(claim_id)}


@bp.get("/claims/<int:claim_id>/related", tags=["claims"])
@bp.doc(operationId="relatedClaims")
@bp.arguments(s.RelatedQuerySchema, location="query", as_kwargs=True)
@bp.response(200, s.RelatedClaimsSchema, description="Related claims, in the claim page's order.")
@errors(404, 422)
def related_claims(claim_id: int, k: int = 5):
    """Claims most similar to this one (sentence embeddings fused with BM25)

    In the claim page's order: a same-speaker repeat of an approved claim first, then by
    score, the same article's claims last (`same_article`)."""
    claim = service.get_claim(claim_id)
    items = related.related_claims(claim, k=max(1, min(k, 50)))
    return {"items": [{
        "id": item.claim.id, "content": item.claim.content, "speaker": item.claim.speaker,
        "status": item.claim.status, "score": round(item.score, 4),
        "verdict": verdict.verdict if (verdict := published_verdict(item.claim)) else None,
        "article_id": item.claim.article_id, "same_article": item.same_article, "same_speaker": item.same_speaker,
        "repeat_of_approved": item.repeat_of_approved,
    } for item in items]}


# --- fact-checks from other publishers -----------------------------------------------------

@bp.get("/factchecks", tags=["factchecks"])
@bp.doc(operationId="listFactChecks")
@bp.arguments(s.FactCheckQuerySchema, location="query", as_kwargs=True)
@bp.response(200, s.FactCheckPageSchema, description="One page of imported fact-checks.")
@errors(422)
def list_factchecks(q: str = "", page: int = 1, per_page: int = 50):
    """Imported fact-checks whose claim, headline, publisher or claimant contain every word of `q`"""
    found = factchecks.search_factchecks(q, page=page, per_page=per_page)
    return {"items": [ser.factcheck_json(f) for f in found.items], "total": found.total,
            "page": found.page, "per_page": found.per_page, "pages": found.pages}


@bp.post("/factchecks/import", tags=["factchecks"])
@bp.doc(operationId="importFactChecks", requestBody={"required": True, "content": {
    "multipart/form-data": {"schema": s.FactCheckUploadSchema},
    "application/ld+json": {"schema": {"type": "object"}},
    "application/json": {"schema": {}},
    "text/csv": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
}})
@bp.arguments(s.FactCheckImportQuerySchema, location="query", as_kwargs=True)
@bp.response(200, s.ImportReportSchema, description="What was imported, and each refused item's reason.")
@errors(403, 413, 422)
def import_factchecks(name: str | None = None):
    """Import ClaimReview fact-checks (JSON-LD, HTML with JSON-LD, CSV)

    Files sent as multipart `file` fields, or one file as the raw body (named by `?name=`,
    else by its content type). 422 when nothing could be imported."""
    files = [factchecks.FactCheckFile(f.filename or "upload", f.read()) for f in request.files.getlist("file")]
    if not files and request.data:
        files = [factchecks.FactCheckFile(name or _name_for(request.mimetype), request.data)]
    report = factchecks.import_factchecks(files, user_id=api_user().id)
    body = report.to_json()
    if report.refused and not (report.new or report.updated or report.unchanged):
        raise Invalid(f"Nothing was imported: {len(report.refused)} item(s) refused.", refused=body["refused"])
    return body


def _name_for(mimetype: str) -> str:
    return {"text/csv": "upload.csv", "text/html": "upload.html"}.get(mimetype, "upload.json")
