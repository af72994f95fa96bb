"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Adding an API route? Describe it in ``PATHS`` below: the path as it follows ``/api/v1``
with ``{name}`` for ``<int:name>``, then the lower-case method, then the operation (the
helpers ``json_response``, ``errors``, ``body`` and the ``SCHEMAS`` keep each one short).
tests/test_openapi.py compares ``PATHS`` with the app's routes and names every route
that has no description here, and every description that has no route.
"""
from __future__ import annotations

import copy
from typing import Any

from app.models import (
    CLAIM_KINDS, CLAIM_STATUSES, DELIVERY_STATES, NOTIFICATION_KINDS, SOURCE_KINDS, STANCES, VERDICTS, WEBHOOK_EVENTS,
)

API_PREFIX = "/api/v1"
OPENAPI_VERSION = "3.1.0"

Schema = dict[str, Any]


# --- helpers ---------------------------------------------------------------------------------

def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null (JSON Schema 2020-12, as OpenAPI 3.1 uses it)."""
    return {"anyOf": [schema, {"type": "null"}]}


def string(fmt: str | None = None, **extra: Any) -> Schema:
    return {"type": "string", **({"format": fmt} if fmt else {}), **extra}


def obj(properties: dict[str, Schema], required: tuple[str, ...] = (), **extra: Any) -> Schema:
    body: Schema = {"type": "object", "properties": properties, **extra}
    if required:
        body["required"] = list(required)
    return body


def json_response(description: str, schema: Schema, media_type: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media_type: {"schema": schema}}}


ERROR_TEXT = {
    "400": "The request could not be read.",
    "401": "No token, or an unknown or revoked one (`unauthorized`).",
    "403": "The token's user may not do this (`forbidden`, `four_eyes`).",
    "404": "No such claim, article or source (`not_found`).",
    "409": "The claim changed meanwhile or is in the wrong status (`stale_version`, `bad_status`, "
           "`duplicate_article`, `duplicate_claim`; `evidence_exists`: the URL is stored with other values, see "
           "`details.stored`).",
    "413": "The upload is too large (`too_large`).",
    "415": "The body is not JSON (`unsupported_media_type`).",
    "422": "A value is missing or wrong (`invalid`, `empty_text`, `evidence_required`); "
           "`details.field` names it.",
    "500": "The quote extractor or the job failed (`extraction_failed`, `internal_error`).",
    "503": "The task queue did not answer (`queue_unavailable`); nothing was queued.",
}


def errors(*codes: int) -> dict[str, Any]:
    """Error responses: every API error is ``{"error": {"code", "message", "details"}}``."""
    return {str(code): json_response(ERROR_TEXT[str(code)], ref("Error")) for code in codes}


def body(schema: Schema, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1}}


def query(name: str, description: str, schema: Schema | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or string()}


CLAIM_ID = path_param("claim_id", "The claim's id.")
SOURCE_ID = path_param("source_id", "The source's id.")
CLAIM_FILTERS = [
    query("status", "Statuses, comma-separated or repeated: " + ", ".join(CLAIM_STATUSES) + ".",
          string(examples=["new,in_progress"])),
    query("kind", "Kinds, comma-separated or repeated: " + ", ".join(CLAIM_KINDS) + "."),
    query("speaker", "Part of the speaker's name."),
    query("speaker_id", "The speaker's id.", {"type": "integer"}),
    query("article", "Only the claims of this article (id).", {"type": "integer"}),
    query("assignee", "`me`, `none`, or a user id."),
    query("review", "`me`: claims in review that the token's user may sign off."),
    query("q", "Words that must all appear in the claim text or the speaker's name."),
    query("since", "Claims extracted on or after this day.", string("date")),
    query("until", "Claims extracted on or before this day.", string("date")),
    query("hide_duplicates", "`1` leaves out repeats of a quote.", {"type": "string", "enum": ["0", "1"]}),
    query("already_checked", "`true`: only claims flagged \"already checked\"; `false`: only the others.",
          {"type": "string", "enum": ["true", "false"]}),
    query("sort", "Order of the claims (default `priority`: check-worthiness, repeats and claims already "
          "checked lower).", {"type": "string", "enum": ["priority", "newest", "oldest", "updated", "speaker",
                                                          "status", "repeats_last", "due"]}),
]
DATETIME = string("date-time")


# --- schemas ---------------------------------------------------------------------------------

SCHEMAS: dict[str, Schema] = {
    "Error": obj({"error": obj({
        "code": string(description="Stable code to switch on, e.g. `stale_version`."),
        "message": string(description="What went wrong, for people."),
        "details": {"type": "object", "description": "More about the error, e.g. `field`."},
    }, ("code", "message"))}, ("error",)),
    "SpeakerRef": obj({"id": {"type": "integer"}, "name": string(), "role": nullable(string()),
                       "kind": string()}, ("id", "name")),
    "ClaimSummary": obj({
        "id": {"type": "integer"},
        "content": string(),
        "publication_wording": string(description="What the published fact-check states (claimReviewed); "
                                                  "the claim text unless an editor changed it."),
        "kind": {"type": "string", "enum": list(CLAIM_KINDS)},
        "status": {"type": "string", "enum": list(CLAIM_STATUSES)},
        "version": {"type": "integer", "description": "Send it back with a change (optimistic locking)."},
        "speaker": nullable(ref("SpeakerRef")),
        "article": obj({"id": {"type": "integer"}, "title": string(), "url": nullable(string())}),
        "span": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
                 "description": "Character offsets [start, end) in the article text."},
        "cue": nullable(string()),
        "due_date": nullable(string("date", description="The claim's optional deadline.")),
        "assignee": nullable(obj({"id": {"type": "integer"}, "name": string()})),
        "duplicate_of": nullable({"type": "integer"}),
        "checkworthiness": nullable({"type": "number", "minimum": 0, "maximum": 1,
                                     "description": "How much the claim is worth checking (set at ingest)."}),
        "priority": {"type": "number", "description": "The Priority sort's key: check-worthiness, minus 1 for "
                                                      "a repeat, minus 2 when already checked."},
        "priority_reason": string(description="Why, in a word or two: `number`, `comparison`, "
                                              "`repeat of #12`, `already checked by …`."),
        "already_checked": nullable(ref("AlreadyChecked")),
        "created_at": DATETIME,
        "updated_at": DATETIME,
    }, ("id", "content", "kind", "status", "version")),
    "AlreadyChecked": obj({
        "kind": {"type": "string", "enum": ["claim", "factcheck"]},
        "id": {"type": "integer", "description": "The approved claim (kind `claim`)."},
        "url": string(description="The fact-check's address (kind `factcheck`)."),
        "factcheck_id": {"type": "integer", "description": "Link it as evidence with this (kind `factcheck`)."},
        "verdict": nullable(string(description="The desk's verdict, or the fact-check's rating (alternateName).")),
        "publisher": nullable(string()),
        "score": {"type": "number", "description": "Probability that the match is right (0..1)."},
    }, ("kind", "verdict", "publisher", "score")),
    "FactCheck": obj({
        "id": {"type": "integer"}, "url": string(), "publisher": nullable(string()), "claimReviewed": string(),
        "title": nullable(string()),
        "rating": obj({"alternateName": nullable(string()), "ratingValue": nullable({"type": "number"}),
                       "bestRating": nullable({"type": "number"}), "worstRating": nullable({"type": "number"})}),
        "date": nullable(DATETIME), "claimant": nullable(string()), "imported_at": DATETIME,
        "updated_at": DATETIME,
    }, ("id", "url", "claimReviewed")),
    "FactCheckPage": obj({
        "items": {"type": "array", "items": ref("FactCheck")},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "pages": {"type": "integer"},
    }, ("items", "total", "page", "per_page", "pages")),
    "FactCheckImport": obj({
        "new": {"type": "integer"}, "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
        "refused": {"type": "array", "items": obj({"where": string(), "reason": string(),
                                                   "url": nullable(string())}, ("where", "reason"))},
    }, ("new", "updated", "unchanged", "refused")),
    "Notification": obj({
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(NOTIFICATION_KINDS)}, "message": string(),
        "claim_id": nullable({"type": "integer"}), "actor": nullable(string()), "created_at": DATETIME,
        "read_at": nullable(DATETIME),
    }, ("id", "kind", "message", "created_at")),
    "Webhook": obj({
        "id": {"type": "integer"}, "url": string(), "events": {"type": "array", "items": string()},
        "active": {"type": "boolean"}, "secret_length": {"type": "integer"}, "created_at": DATETIME,
    }, ("id", "url", "events", "active")),
    "WebhookDelivery": obj({
        "id": {"type": "integer"}, "event": string(), "event_id": string(),
        "state": {"type": "string", "enum": list(DELIVERY_STATES)}, "attempts": {"type": "integer"},
        "last_status": nullable({"type": "integer"}), "last_error": nullable(string()), "created_at": DATETIME,
        "last_attempt_at": nullable(DATETIME), "next_attempt_at": nullable(DATETIME),
        "delivered_at": nullable(DATETIME),
    }, ("id", "event", "state", "attempts")),
    "ClaimPage": obj({
        "items": {"type": "array", "items": ref("ClaimSummary")},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "pages": {"type": "integer"},
    }, ("items", "total", "page", "per_page", "pages")),
    "EvidenceLink": obj({
        "id": {"type": "integer"}, "evidence_id": {"type": "integer"}, "url": nullable(string()),
        "title": string(), "publisher": nullable(string()), "published_at": nullable(DATETIME),
        "excerpt": nullable(string()), "stance": {"type": "string", "enum": list(STANCES)},
        "note": nullable(string()), "source_claim_id": nullable({"type": "integer"}),
        "added_by": nullable(string()), "added_at": DATETIME,
    }, ("id", "evidence_id", "title", "stance")),
    "Verdict": obj({
        "id": {"type": "integer"}, "verdict": {"type": "string", "enum": list(VERDICTS)}, "label": string(),
        "rationale": string(), "state": {"type": "string", "enum": ["proposed", "approved", "returned"]},
        "proposed_by": string(), "proposed_at": DATETIME, "reviewed_by": nullable(string()),
        "reviewed_at": nullable(DATETIME), "review_comment": nullable(string()),
    }, ("id", "verdict", "state")),
    "Comment": obj({"id": {"type": "integer"}, "author": string(), "body": string(), "created_at": DATETIME},
                   ("id", "author", "body")),
    "HistoryItem": obj({"at": DATETIME, "user": nullable(string()), "action": string(),
                        "before": nullable({"type": "object"}), "after": nullable({"type": "object"})},
                       ("at", "action")),
    "ClaimDetail": {"allOf": [ref("ClaimSummary"), obj({
        "spans": nullable({"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}),
        "edited": {"type": "boolean"},
        "removed_at": nullable({**DATETIME, "description": "When a correction removed the claim (or merged it "
                                                          "into `merged_into`); null for a live claim."}),
        "merged_into": nullable({"type": "integer"}),
        "dismiss_reason": nullable(string()),
        "evidence": {"type": "array", "items": ref("EvidenceLink")},
        "verdict": nullable(ref("Verdict")),
        "comments": {"type": "array", "items": ref("Comment")},
        "history": {"type": "array", "items": ref("HistoryItem")},
    })]},
    "ArticleIn": obj({
        "text": string(description="The article text (plain)."), "title": string(), "publisher": string(),
        "url": string("uri", description="With `text`: the article's address, kept as metadata. Without "
                      "`text`: the page is fetched (http/https, public addresses only, HTML only)."),
        "published_at": DATETIME,
    }, anyOf=[{"required": ["text"]}, {"required": ["url"]}]),
    "ArticleUpload": obj({
        "file": string(contentMediaType="application/octet-stream", description="A .txt or .html file."),
        "title": string(), "publisher": string(), "url": string("uri"), "published_at": DATETIME,
    }, ("file",)),
    "ArticleCreated": obj({"id": {"type": "integer"}, "title": string(),
                           "claims": {"type": "array", "items": {"type": "integer"}}}, ("id", "title", "claims")),
    "JobQueued": obj({"job": obj({"id": string(), "status": {"type": "string", "enum": ["queued", "running"]},
                                  "url": string(description="`GET` it to follow the job.")},
                                 ("id", "status", "url"))}, ("job",)),
    "Job": obj({
        "id": string(), "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "article": nullable(obj({"id": {"type": "integer"}}, ("id",))),
        "claims": {"type": "integer", "description": "Claims stored (0 until done)."},
        "error": nullable(obj({"code": string(), "message": string()}, ("code", "message"))),
        "created_at": DATETIME, "finished_at": nullable(DATETIME),
    }, ("id", "status", "article", "claims", "error", "created_at", "finished_at")),
    "Article": obj({
        "id": {"type": "integer"}, "title": string(), "url": nullable(string()), "publisher": nullable(string()),
        "published_at": nullable(DATETIME), "ingested_at": DATETIME, "source": string(),
        "claims": {"type": "array", "items": {"type": "integer"}, "description": "Claim ids in reading order."},
        "copy_of": nullable(obj({"id": {"type": "integer"}, "similarity": {"type": "number"}}, ("id", "similarity"),
                                description="The earlier article this one copies (a wire copy) and the Jaccard "
                                            "similarity of their word shingles.")),
    }, ("id", "title", "url", "publisher", "published_at", "claims", "copy_of")),
    "SourceIn": obj({
        "url": string("uri", description="The feed, sitemap or front page (http/https)."),
        "kind": {"type": "string", "enum": list(SOURCE_KINDS),
                 "description": "`page`: a front page whose announced RSS/Atom feed is polled."},
        "name": string(description="Shown in the desk; by default the address."),
        "every_minutes": {"type": "integer", "minimum": 1, "maximum": 10080,
                          "description": "Poll interval; by default `CLAIMDESK_SOURCE_EVERY_MINUTES` (30)."},
    }, ("url", "kind"), additionalProperties=False),
    "SourcePatch": obj({
        "url": string("uri"), "kind": {"type": "string", "enum": list(SOURCE_KINDS)}, "name": nullable(string()),
        "every_minutes": {"type": "integer", "minimum": 1, "maximum": 10080}, "paused": {"type": "boolean"},
    }, additionalProperties=False),
    "Source": obj({
        "id": {"type": "integer"}, "name": string(), "url": string(), "kind": {"type": "string", "enum": list(SOURCE_KINDS)},
        "every_minutes": {"type": "integer"}, "paused": {"type": "boolean"},
        "feed_url": nullable(string(description="A front page's feed, found at its first poll.")),
        "last_poll_at": nullable(DATETIME), "next_poll_at": nullable(DATETIME),
        "items_seen": {"type": "integer"}, "articles_ingested": {"type": "integer"},
        "last_error": nullable(string()), "last_error_at": nullable(DATETIME), "created_at": DATETIME,
    }, ("id", "name", "url", "kind", "every_minutes", "paused", "last_poll_at", "next_poll_at", "items_seen",
        "articles_ingested", "last_error")),
    "ClaimPatch": obj({
        "version": {"type": "integer"}, "content": string(), "speaker": nullable(string()),
        "kind": {"type": "string", "enum": list(CLAIM_KINDS)}, "start": {"type": "integer"},
        "end": {"type": "integer"}, "cue": nullable(string()),
        "publication_wording": nullable(string(description="Editable until approval; empty or null: the claim text.")),
    }, ("version",), additionalProperties=False),
    "ClaimIn": obj({
        "start": {"type": "integer", "minimum": 0, "description": "Offset of the first character in the "
                  "article's text (code points); spaces at either end of the span are dropped."},
        "end": {"type": "integer", "minimum": 0, "description": "Offset just after the last character."},
        "speaker": nullable(string(maxLength=200, description="A name; an existing speaker or alias is "
                                                              "reused. Empty or null: unknown speaker.")),
        "kind": {"type": "string", "enum": list(CLAIM_KINDS)},
        "cue": nullable(string(maxLength=100, description="said, told reporters, tweeted ...")),
    }, ("start", "end", "kind")),
    "SplitIn": obj({
        "at": {"type": "integer", "description": "A character offset in the article's text strictly inside the "
                                                 "claim's span: the second claim starts there."},
        "version": {"type": "integer"},
    }, ("at", "version")),
    "MergeIn": obj({"with": {"type": "integer", "description": "The claim (same article) merged into this one."},
                    "version": {"type": "integer", "description": "This claim's version."}}, ("with", "version")),
    "RemoveIn": obj({"reason": string(maxLength=500), "version": {"type": "integer"}}, ("version",)),
    "VersionIn": obj({"version": {"type": "integer", "description": "The version the change was made from; "
                                                                     "a stale one answers 409."}}),
    "AssignIn": obj({
        "assignee": nullable({"type": ["integer", "string"], "description": "User id or e-mail; null for nobody."}),
        "version": {"type": "integer"},
    }, ("assignee",)),
    "DismissIn": obj({"reason": string(description="Why the claim is not checkable."), "version": {"type": "integer"}},
                     ("reason",)),
    "ReopenIn": obj({"reason": string(), "version": {"type": "integer"}}),
    "EvidenceIn": obj({
        "url": string("uri"), "title": string(), "stance": {"type": "string", "enum": list(STANCES)},
        "publisher": string(), "published_at": DATETIME, "excerpt": string(), "note": string(),
        "evidence_id": {"type": "integer", "description": "Link evidence already in the desk instead."},
        "source_claim_id": {"type": "integer", "description": "Link an approved claim as evidence instead."},
        "factcheck_id": {"type": "integer", "description": "Link an imported fact-check as evidence instead."},
        "existing": {"type": "string", "enum": ["keep", "update"],
                     "description": "When `url` is stored already with another title, excerpt, publisher or "
                                    "date (409 `evidence_exists`, `details.stored`): `keep` links the stored one, "
                                    "`update` updates it with these values first."},
    }, ("stance",)),
    "VerdictIn": obj({"verdict": {"type": "string", "enum": list(VERDICTS)}, "rationale": string(),
                      "version": {"type": "integer"}}, ("verdict", "rationale")),
    "ReviewIn": obj({"comment": string(), "version": {"type": "integer"}}),
    "CommentIn": obj({"body": string(maxLength=10_000)}, ("body",)),
    "Thing": obj({"@type": string(), "name": string()}, ("@type",), additionalProperties=True),
    "Rating": obj({
        "@type": {"const": "Rating"},
        "ratingValue": {"type": "integer", "minimum": 1, "maximum": 5,
                        "description": "5 true, 4 mostly true, 3 mixed, 2 mostly false or misleading, 1 false; "
                                       "absent for unverifiable."},
        "bestRating": {"const": 5}, "worstRating": {"const": 1},
        "alternateName": string(description="The verdict's label, e.g. `Mostly false`."),
    }, ("@type", "bestRating", "worstRating", "alternateName")),
    "ClaimReview": obj({
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": string("uri", description="The public fact-check page."),
        "claimReviewed": string(),
        "itemReviewed": obj({
            "@type": {"const": "Claim"}, "author": ref("Thing"), "datePublished": DATETIME,
            "appearance": ref("Thing"),
        }, ("@type",)),
        "author": ref("Thing"),
        "datePublished": DATETIME,
        "reviewRating": ref("Rating"),
    }, ("@context", "@type", "url", "claimReviewed", "itemReviewed", "author", "datePublished", "reviewRating")),
    "ClaimReviewList": obj({
        "items": {"type": "array", "items": ref("ClaimReview")},
        "count": {"type": "integer"},
        "has_more": {"type": "boolean", "description": "More approvals follow: ask again with `next_since`."},
        "next_since": nullable(DATETIME),
    }, ("items", "count", "has_more", "next_since")),
}

SPEAKER_ID = path_param("speaker_id", "The speaker's id.")
SCHEMAS.update({
    "Speaker": obj({
        "id": {"type": "integer"}, "name": string(), "role": nullable(string()), "affiliation": nullable(string()),
        "kind": string(), "aliases": {"type": "array", "items": string()},
        "merged_into": nullable({"type": "integer", "description": "Set while merged into that speaker."}),
        "claims": {"type": "integer"},
        "verdicts": {"type": "object", "additionalProperties": {"type": "integer"},
                     "description": "Approved claims per verdict key, e.g. `{\"false\": 2}`."},
        "roles": {"type": "array", "items": obj({
            "role": string(), "first_seen": DATETIME, "last_seen": DATETIME, "articles": {"type": "integer"},
        }, ("role", "first_seen", "last_seen", "articles")), "description": "Roles as the articles gave them, "
                                                                            "oldest first."},
        "recent_claims": {"type": "array", "items": {"type": "integer"}},
        "merged_from": {"type": "array", "items": {"type": "integer"}},
        "history": {"type": "array", "items": ref("HistoryItem")},
    }, ("id", "name", "kind", "aliases", "merged_into")),
    "SpeakerPatch": obj({"name": string(maxLength=200), "role": nullable(string(maxLength=200)),
                         "affiliation": nullable(string(maxLength=200))}, additionalProperties=False),
    "MergeIn": obj({"into": {"type": "integer", "description": "The speaker that stays."}}, ("into",)),
})

CSV_COLUMNS_TEXT = (
    "One row per claim after a header row: claim_id, status, kind, speaker, speaker_role, content, "
    "article_title, article_url, publisher, published_at, verdict, rationale, evidence_urls (space-separated), "
    "proposed_by, approved_by, approved_at, claim_url, then verdict_label, publication_wording, evidence_titles "
    "and evidence_stances (one per line), review_comment, public_url (published claims). An approved claim is "
    "written as it was approved. UTF-8 (`bom=1`: with a byte-order mark, for Excel); dates ISO 8601; a cell "
    "starting with = + - @ (after any blanks or invisible characters) is prefixed with ' so spreadsheets never "
    "run it. Streamed as it is read."
)


# --- paths (relative to /api/v1) -----------------------------------------------------------

PATHS: dict[str, dict[str, Any]] = {
    "/articles": {"post": {
        "operationId": "createArticle", "tags": ["articles"],
        "summary": "Ingest an article and extract its claims",
        "description": "JSON text, `{\"url\": ...}` alone to fetch a web page, or a multipart upload of a "
                       ".txt/.html file. The claims arrive with status `new`. A refused fetch is 422 "
                       "`fetch_refused`; a page answering an error is 422 `fetch_failed` (`details.remote_status`). "
                       "Every ingest is a job: done within `CLAIMDESK_INGEST_WAIT` seconds (default 10) it "
                       "answers 201 (or the job's error) as here; otherwise 202 with the job, whose URL "
                       "(also in `Location`) tells when it is done.",
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": ref("ArticleIn")},
            "multipart/form-data": {"schema": ref("ArticleUpload")},
        }},
        "responses": {"201": json_response("Stored; `Location` is the article's page.", ref("ArticleCreated")),
                      "202": json_response("Queued or running; `Location` is the job.", ref("JobQueued")),
                      **errors(400, 401, 409, 413, 415, 422, 500, 503)},
    }},
    "/jobs/{job_id}": {"get": {
        "operationId": "getJob", "tags": ["articles"], "summary": "Where an ingest job stands",
        "parameters": [{"name": "job_id", "in": "path", "required": True, "description": "The job's id.",
                        "schema": string()}],
        "responses": {"200": json_response("The job: `article` and `claims` once done, `error` once failed.",
                                           ref("Job")), **errors(401, 404)},
    }},
    "/articles/{article_id}/claims": {"post": {
        "operationId": "addClaim", "tags": ["corrections"],
        "summary": "Add a claim the extractor missed, from a span of the article's text",
        "description": "The claim arrives `new`, marked edited, with a `claim_added` event. A span outside "
                       "the text, an empty one or only spaces is 422 `invalid` (`details.field`); a claim "
                       "with exactly this span already is 409 `duplicate_claim` (`details.existing_id`).",
        "parameters": [path_param("article_id", "The article's id.")], "requestBody": body(ref("ClaimIn")),
        "responses": {"201": json_response("The new claim; `Location` is its page.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/articles/{article_id}": {"get": {
        "operationId": "getArticle", "tags": ["articles"],
        "summary": "An article: metadata, claim ids, and the article it copies (`copy_of`)",
        "parameters": [path_param("article_id", "The article's id.")],
        "responses": {"200": json_response("The article.", ref("Article")), **errors(401, 404)},
    }},
    "/sources": {
        "get": {
            "operationId": "listSources", "tags": ["sources"], "summary": "The monitored sources",
            "responses": {"200": json_response("Every source, by name.", obj(
                {"items": {"type": "array", "items": ref("Source")}}, ("items",))), **errors(401)},
        },
        "post": {
            "operationId": "createSource", "tags": ["sources"], "summary": "Add a source (admins)",
            "description": "Its first poll is due at once; each new item becomes an ingest job.",
            "requestBody": body(ref("SourceIn")),
            "responses": {"201": json_response("Added; `Location` is the source.", ref("Source")),
                          **errors(400, 401, 403, 415, 422)},
        },
    },
    "/sources/{source_id}": {
        "get": {
            "operationId": "getSource", "tags": ["sources"],
            "summary": "A source: last and next poll, items seen, articles ingested, last error",
            "parameters": [SOURCE_ID],
            "responses": {"200": json_response("The source.", ref("Source")), **errors(401, 404)},
        },
        "patch": {
            "operationId": "updateSource", "tags": ["sources"], "summary": "Change or pause a source (admins)",
            "parameters": [SOURCE_ID], "requestBody": body(ref("SourcePatch")),
            "responses": {"200": json_response("The source as saved.", ref("Source")),
                          **errors(400, 401, 403, 404, 415, 422)},
        },
        "delete": {
            "operationId": "deleteSource", "tags": ["sources"],
            "summary": "Remove a source (admins); its articles stay",
            "parameters": [SOURCE_ID],
            "responses": {"204": {"description": "Removed."}, **errors(401, 403, 404)},
        },
    },
    "/sources/{source_id}/poll": {"post": {
        "operationId": "pollSource", "tags": ["sources"], "summary": "Poll now (admins)",
        "description": "202: `poll` is `queued` (a consumer polls it) or `done` (polled in this process: "
                       "the embedded queue with no consumer alive).",
        "parameters": [SOURCE_ID],
        "responses": {"202": json_response("Accepted.", obj({"source": ref("Source"), "poll": {
            "type": "string", "enum": ["queued", "done"]}}, ("source", "poll"))), **errors(401, 403, 404)},
    }},
    "/claims": {"get": {
        "operationId": "listClaims", "tags": ["claims"], "summary": "List claims (the queue's filters)",
        "parameters": [*CLAIM_FILTERS,
                       query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
                       query("per_page", "Claims per page (at most 200).", {"type": "integer", "maximum": 200})],
        "responses": {"200": json_response("One page of claims.", ref("ClaimPage")), **errors(401)},
    }},
    "/claims/{claim_id}": {
        "get": {
            "operationId": "getClaim", "tags": ["claims"], "summary": "A claim with evidence, verdict and history",
            "parameters": [CLAIM_ID],
            "responses": {"200": json_response("The claim.", ref("ClaimDetail")), **errors(401, 404)},
        },
        "patch": {
            "operationId": "updateClaim", "tags": ["claims"],
            "summary": "Correct the extraction (content, span, speaker, kind, cue)",
            "description": "Status and assignee are not fields here (422 `invalid`): use take, assign, "
                           "dismiss and reopen.",
            "parameters": [CLAIM_ID], "requestBody": body(ref("ClaimPatch")),
            "responses": {"200": json_response("The claim after the change.", ref("ClaimDetail")),
                          **errors(401, 403, 404, 409, 415, 422)},
        },
    },
    "/claims/{claim_id}/split": {"post": {
        "operationId": "splitClaim", "tags": ["corrections"],
        "summary": "Split a claim in two at a character offset inside its span",
        "description": "The first part keeps the claim (id, status, evidence); the second is a new claim "
                       "with the same speaker, kind and cue. `at` outside the span or leaving a part with "
                       "no text is 422; a stale `version` 409 `stale_version`; an approved or removed claim "
                       "409 `bad_status`.",
        "parameters": [CLAIM_ID], "requestBody": body(ref("SplitIn")),
        "responses": {"200": json_response("Both claims, in reading order.", obj(
            {"claims": {"type": "array", "items": ref("ClaimDetail"), "minItems": 2, "maxItems": 2}},
            ("claims",))), **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/merge": {"post": {
        "operationId": "mergeClaims", "tags": ["corrections"],
        "summary": "Merge another claim of the same article into this one",
        "description": "This claim spans both (`spans` lists the pieces) and keeps its id and status; the "
                       "other is removed with `merged_into` set and its history kept; its evidence moves "
                       "here. Claims of different articles, or a claim with itself, are 422.",
        "parameters": [CLAIM_ID], "requestBody": body(ref("MergeIn")),
        "responses": {"200": json_response("The merged claim.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/remove": {"post": {
        "operationId": "removeClaim", "tags": ["corrections"],
        "summary": "Take out a claim that is not a quote (its row and history stay)",
        "description": "Unlike `dismiss` (a quote that cannot be checked), a removed claim leaves the queue, "
                       "the article's highlights and the exports.",
        "parameters": [CLAIM_ID], "requestBody": body(ref("RemoveIn")),
        "responses": {"200": json_response("The removed claim.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/take": {"post": {
        "operationId": "takeClaim", "tags": ["workflow"],
        "summary": "Assign the claim to the token's user (a new claim goes in progress)",
        "parameters": [CLAIM_ID], "requestBody": body(ref("VersionIn"), required=False),
        "responses": {"200": json_response("The claim, assigned to you.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/assign": {"post": {
        "operationId": "assignClaim", "tags": ["workflow"],
        "summary": "Assign the claim to someone, or to nobody (a new claim goes in progress)",
        "parameters": [CLAIM_ID], "requestBody": body(ref("AssignIn")),
        "responses": {"200": json_response("The claim after the assignment.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/dismiss": {"post": {
        "operationId": "dismissClaim", "tags": ["workflow"],
        "summary": "Dismiss a new or in-progress claim that is not checkable, with a reason",
        "parameters": [CLAIM_ID], "requestBody": body(ref("DismissIn")),
        "responses": {"200": json_response("The claim, dismissed.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/reopen": {"post": {
        "operationId": "reopenClaim", "tags": ["workflow"],
        "summary": "Reopen an approved or dismissed claim (admins); it goes back in progress",
        "parameters": [CLAIM_ID], "requestBody": body(ref("ReopenIn"), required=False),
        "responses": {"200": json_response("The claim, in progress again.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/factchecks": {"get": {
        "operationId": "listFactChecks", "tags": ["factchecks"],
        "summary": "Imported fact-checks (ClaimReview) from other publishers, newest first",
        "parameters": [query("q", "Words that must all appear in the claim, headline, publisher or claimant."),
                       query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
                       query("per_page", "Items per page (at most 200).", {"type": "integer", "maximum": 200})],
        "responses": {"200": json_response("One page of fact-checks.", ref("FactCheckPage")), **errors(401)},
    }},
    "/factchecks/import": {"post": {
        "operationId": "importFactChecks", "tags": ["factchecks"],
        "summary": "Import ClaimReview JSON-LD (object, list, @graph, DataFeed), HTML or CSV files; "
                   "a known url is updated",
        "parameters": [query("name", "The file name when the body is the raw file (tells JSON-LD, CSV and "
                                     "HTML apart).")],
        "requestBody": {"required": True, "content": {
            "multipart/form-data": {"schema": obj({"file": {"type": "array", "items": string("binary")}},
                                                  ("file",))},
            "application/ld+json": {"schema": {}}, "application/json": {"schema": {}},
            "text/csv": {"schema": string()}}},
        "responses": {"200": json_response("Counts, and each refused item with its reason.", ref("FactCheckImport")),
                      **errors(401, 403, 413, 422)},
    }},
    "/claims/{claim_id}/evidence": {"post": {
        "operationId": "linkEvidence", "tags": ["workflow"], "summary": "Link evidence to a claim",
        "parameters": [CLAIM_ID], "requestBody": body(ref("EvidenceIn")),
        "responses": {"201": json_response("The new link.", ref("EvidenceLink")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/verdict": {"post": {
        "operationId": "proposeVerdict", "tags": ["workflow"],
        "summary": "Propose a verdict; the claim goes to review",
        "parameters": [CLAIM_ID], "requestBody": body(ref("VerdictIn")),
        "responses": {"200": json_response("The claim, now in review.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/approve": {"post": {
        "operationId": "approveClaim", "tags": ["workflow"],
        "summary": "Approve the proposed verdict (reviewers and admins; never one's own)",
        "parameters": [CLAIM_ID], "requestBody": body(ref("ReviewIn"), required=False),
        "responses": {"200": json_response("The claim, approved and locked.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415)},
    }},
    "/claims/{claim_id}/return": {"post": {
        "operationId": "returnClaim", "tags": ["workflow"],
        "summary": "Send the proposed verdict back with a comment",
        "parameters": [CLAIM_ID], "requestBody": body(obj({"comment": string(), "version": {"type": "integer"}},
                                                          ("comment",))),
        "responses": {"200": json_response("The claim, in progress again.", ref("ClaimDetail")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/claims/{claim_id}/comments": {"post": {
        "operationId": "addComment", "tags": ["workflow"], "summary": "Comment on a claim",
        "parameters": [CLAIM_ID], "requestBody": body(ref("CommentIn")),
        "responses": {"201": json_response("The comment.", ref("Comment")), **errors(401, 404, 415, 422)},
    }},
    "/claims/{claim_id}/history": {"get": {
        "operationId": "claimHistory", "tags": ["claims"], "summary": "A claim's history, oldest first",
        "parameters": [CLAIM_ID],
        "responses": {"200": json_response("The history.", obj({"items": {"type": "array",
                                                                           "items": ref("HistoryItem")}})),
                      **errors(401, 404)},
    }},
    "/claims/{claim_id}/related": {"get": {
        "operationId": "relatedClaims", "tags": ["claims"],
        "summary": "Claims most similar to this one, as the claim page lists them: a same-speaker repeat of an "
                   "approved claim first, then by score, the same article's claims last",
        "parameters": [CLAIM_ID, query("k", "How many (1-50, default 5).", {"type": "integer", "minimum": 1,
                                                                             "maximum": 50})],
        "responses": {"200": json_response("Related claims; score is the cosine similarity.", obj({"items": {
            "type": "array", "items": obj({
                "id": {"type": "integer"}, "content": string(),
                "speaker": nullable(obj({"id": {"type": "integer"}, "name": string()}, ("id", "name"))),
                "status": string(), "score": {"type": "number"}, "verdict": nullable(string()),
                "article_id": {"type": "integer"}, "same_article": {"type": "boolean"},
                "same_speaker": {"type": "boolean"},
                "repeat_of_approved": {"type": "boolean", "description": "The same speaker repeating a claim "
                                                                         "the desk approved (listed first)."},
            }, ("id", "content", "speaker", "status", "score"))}}, ("items",))),
                      **errors(401, 404)},
    }},
    "/export.csv": {"get": {
        "operationId": "exportCsv", "tags": ["export"], "summary": "Export claims as CSV (the queue's filters)",
        "description": CSV_COLUMNS_TEXT,
        "parameters": [*CLAIM_FILTERS,
                       query("bom", "`1` starts the file with a UTF-8 byte-order mark (for Excel).",
                             {"type": "string", "enum": ["0", "1"]})],
        "responses": {"200": {"description": "The CSV file (attachment).",
                              "content": {"text/csv": {"schema": string()}}}, **errors(401)},
    }},
    "/claims/{claim_id}/claimreview": {"get": {
        "operationId": "getClaimReview", "tags": ["export"],
        "summary": "The schema.org ClaimReview of an approved claim",
        "parameters": [CLAIM_ID],
        "responses": {"200": json_response("JSON-LD.", ref("ClaimReview"), "application/ld+json"),
                      **errors(401, 404)},
    }},
    "/claimreviews": {"get": {
        "operationId": "listClaimReviews", "tags": ["export"],
        "summary": "ClaimReviews approved since a moment, oldest first (for a CMS to pull)",
        "parameters": [
            query("since", "ISO 8601 date or date-time (UTC); inclusive.", string(examples=["2024-05-01"])),
            query("limit", "At most this many (default 100, at most 1000).",
                  {"type": "integer", "minimum": 1, "maximum": 1000}),
        ],
        "responses": {"200": json_response("ClaimReviews.", ref("ClaimReviewList")), **errors(401, 422)},
    }},
    "/claims/{claim_id}/due": {"post": {
        "operationId": "setDueDate", "tags": ["workflow"], "summary": "Set or clear a claim's due date",
        "parameters": [CLAIM_ID],
        "requestBody": body(obj({"due_date": nullable(string("date")), "version": {"type": "integer"}},
                                ("due_date",))),
        "responses": {"200": json_response("The claim.", ref("ClaimDetail")), **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/notifications": {"get": {
        "operationId": "listNotifications", "tags": ["notifications"],
        "summary": "The token user's notifications, newest first",
        "parameters": [query("unread", "`1`: unread ones only."), query("page", "Page number.", {"type": "integer"}),
                       query("per_page", "At most 200.", {"type": "integer"})],
        "responses": {"200": json_response("A page of notifications and the unread count.", obj({
            "items": {"type": "array", "items": ref("Notification")}, "unread": {"type": "integer"},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
        }, ("items", "unread", "total", "page", "pages"))), **errors(401)},
    }},
    "/notifications/read": {"post": {
        "operationId": "readNotifications", "tags": ["notifications"],
        "summary": "Mark notifications read: `ids`, or all of them with an empty body",
        "requestBody": body(obj({"ids": {"type": "array", "items": {"type": "integer"}}}), required=False),
        "responses": {"200": json_response("How many were marked, how many stay unread.", obj({
            "marked": {"type": "integer"}, "unread": {"type": "integer"}}, ("marked", "unread"))),
            **errors(401, 415, 422)},
    }},
    "/webhooks": {
        "get": {
            "operationId": "listWebhooks", "tags": ["webhooks"], "summary": "Registered webhooks (admins)",
            "responses": {"200": json_response("The webhooks.", obj({"items": {"type": "array",
                                                                              "items": ref("Webhook")}})),
                          **errors(401, 403)},
        },
        "post": {
            "operationId": "createWebhook", "tags": ["webhooks"],
            "summary": "Register an endpoint, its secret and events (admins; public addresses only)",
            "requestBody": body(obj({
                "url": string("uri"), "secret": string(minLength=16, maxLength=200),
                "events": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(WEBHOOK_EVENTS)}},
            }, ("url", "secret", "events"), additionalProperties=False)),
            "responses": {"201": json_response("The webhook (its secret is not sent back).", ref("Webhook")),
                          **errors(401, 403, 415, 422)},
        },
    },
    "/webhooks/{webhook_id}/deliveries": {"get": {
        "operationId": "webhookDeliveries", "tags": ["webhooks"],
        "summary": "An endpoint's deliveries, newest first (admins)",
        "parameters": [path_param("webhook_id", "The webhook's id."), query("limit", "At most 500.", {"type": "integer"})],
        "responses": {"200": json_response("The deliveries.", obj({"items": {"type": "array",
                                                                              "items": ref("WebhookDelivery")}})),
                      **errors(401, 403, 404)},
    }},
    "/speakers": {"get": {
        "operationId": "listSpeakers", "tags": ["speakers"], "summary": "Speakers (not merged), most claims first",
        "parameters": [query("q", "Part of the name."),
                       query("limit", "At most this many (default 100, at most 500).", {"type": "integer"})],
        "responses": {"200": json_response("Speakers with their claim counts.", obj({
            "items": {"type": "array", "items": ref("Speaker")}}, ("items",))), **errors(401)},
    }},
    "/speakers/{speaker_id}": {
        "get": {
            "operationId": "getSpeaker", "tags": ["speakers"],
            "summary": "A speaker: verdicts of approved claims, roles over time, recent claims, history",
            "parameters": [SPEAKER_ID],
            "responses": {"200": json_response("The speaker.", ref("Speaker")), **errors(401, 404)},
        },
        "patch": {
            "operationId": "updateSpeaker", "tags": ["speakers"], "summary": "Correct name, role, affiliation",
            "description": "A new name keeps the old one as an alias. A name another speaker has is 422 "
                           "(`details.existing_id`): merge the two instead. A merged speaker is 409 `bad_status`.",
            "parameters": [SPEAKER_ID], "requestBody": body(ref("SpeakerPatch")),
            "responses": {"200": json_response("The speaker after the change.", ref("Speaker")),
                          **errors(401, 403, 404, 409, 415, 422)},
        },
    },
    "/speakers/{speaker_id}/merge": {"post": {
        "operationId": "mergeSpeaker", "tags": ["speakers"],
        "summary": "Merge this speaker into another, which stays (claims, aliases and history move)",
        "description": "Into itself: 422 `invalid`; a missing `into`: 404 `not_found` (`details.field` = `into`); "
                       "either one merged already: 409 `bad_status`. An admin can undo it (`/unmerge`).",
        "parameters": [SPEAKER_ID], "requestBody": body(ref("MergeIn")),
        "responses": {"200": json_response("The surviving speaker.", ref("Speaker")),
                      **errors(401, 403, 404, 409, 415, 422)},
    }},
    "/speakers/{speaker_id}/unmerge": {"post": {
        "operationId": "unmergeSpeaker", "tags": ["speakers"],
        "summary": "Undo this speaker's merge into another (admins): what moved goes back",
        "parameters": [SPEAKER_ID],
        "responses": {"200": json_response("This speaker, on its own again.", ref("Speaker")),
                      **errors(401, 403, 404, 409)},
    }},
    "/openapi.json": {"get": {
        "operationId": "getOpenApi", "tags": ["meta"], "summary": "This description (no token needed)",
        "security": [],
        "responses": {"200": json_response("OpenAPI 3.1 document.", {"type": "object"})},
    }},
}


def openapi_document(*, server_url: str = API_PREFIX) -> dict[str, Any]:
    """The whole OpenAPI document, with ``server_url`` as the base of every path."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Claimdesk API",
            "version": "1",
            "summary": "Claims, evidence, verdicts and exports of the Claimdesk fact-check desk.",
            "description": (
                "Every call carries `Authorization: Bearer <token>` (every user makes their own on the "
                "desk's API tokens page, `/account/tokens`), except this description. Errors are JSON: "
                '`{"error": {"code": ..., "message": ..., "details": ...}}`. Changes to a claim send its '
                "`version` back; a stale one answers 409 `stale_version`."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in ("articles", "claims", "corrections", "workflow", "speakers", "export",
                                             "meta")],
        "paths": copy.deepcopy(PATHS),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A Claimdesk API token (cd_...)."}},
        },
    }


def described_operations() -> set[tuple[str, str]]:
    """(METHOD, full path) of every operation described, e.g. ("GET", "/api/v1/claims/{claim_id}")."""
    return {(method.upper(), API_PREFIX + path) for path, item in PATHS.items() for method in item}
