"""The API's contract: every request body, query and response of /api/v1 as a marshmallow schema.

Request schemas (``...In``, ``...Query``) validate what comes in (a wrong type, an unknown
field, a missing field: 422 ``invalid`` naming each field); response schemas dump the models
into the JSON the API sends. ``/api/v1/openapi.json`` is generated from these same classes
(apispec names each component after its class, without ``Schema``).
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.api.fields import (
    Choice, Flag, Id, QuerySchema, Span, StrictSchema, Text, UserRef, UtcDateTime, Version, WebUrl, WholeNumber,
)
from app.models import (
    CLAIM_KINDS, CLAIM_STATUSES, DELIVERY_STATES, NOTIFICATION_KINDS, SOURCE_KINDS, STANCES, VERDICTS,
    WEBHOOK_EVENTS,
)
from app.priority import priority_reason
from app.priority.checked import already_checked
from app.workflow.queries import SORTS

ACTION_FIELDS_MESSAGE = "Status and assignee are not corrections: use take, assign, dismiss and reopen."


# --- errors -----------------------------------------------------------------------------------

class ErrorBodySchema(ma.Schema):
    code = fields.String(required=True, metadata={"description": "Stable code to switch on, e.g. `stale_version`."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people."})
    fields_ = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields", metadata={
        "description": "With 422 `invalid`: each field that was wrong (dotted for nested ones) and why."})
    details = fields.Dict(metadata={"description": "More about the error, e.g. `field`, `current_version`."})


class ErrorSchema(ma.Schema):
    """Every API error: ``{"error": {"code", "message", "fields"?, "details"?}}``."""

    error = fields.Nested(ErrorBodySchema, required=True)


# --- responses --------------------------------------------------------------------------------

class SpeakerRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(allow_none=True)
    kind = fields.String()


class ArticleRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    url = fields.String(allow_none=True)


class UserRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AlreadyCheckedSchema(ma.Schema):
    kind = Choice(("claim", "factcheck"), required=True)
    id = fields.Integer(metadata={"description": "The approved claim (kind `claim`)."})
    url = fields.String(metadata={"description": "The fact-check's address (kind `factcheck`)."})
    factcheck_id = fields.Integer(metadata={"description": "Link it as evidence with this (kind `factcheck`)."})
    verdict = fields.String(allow_none=True, required=True, metadata={
        "description": "The desk's verdict, or the fact-check's rating (alternateName)."})
    publisher = fields.String(allow_none=True, required=True)
    score = fields.Float(required=True, metadata={"description": "Probability that the match is right (0..1)."})




class ClaimSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    content = fields.String(required=True)
    publication_wording = fields.String(attribute="wording", required=True, metadata={
        "description": "What the published fact-check states (claimReviewed); the claim text unless an editor "
                       "changed it."})
    kind = Choice(CLAIM_KINDS, required=True)
    status = Choice(CLAIM_STATUSES, required=True)
    version = fields.Integer(required=True, metadata={"description": "Send it back with a change (optimistic locking)."})
    speaker = fields.Nested(SpeakerRefSchema, allow_none=True, required=True)
    article = fields.Nested(ArticleRefSchema, required=True)
    span = Span(required=True)
    cue = fields.String(allow_none=True, required=True)
    assignee = fields.Nested(UserRefSchema, allow_none=True, required=True)
    duplicate_of = fields.Integer(attribute="duplicate_of_id", allow_none=True, required=True)
    due_date = fields.Date(allow_none=True, required=True, metadata={"description": "The claim's optional deadline."})
    checkworthiness = fields.Float(allow_none=True, required=True, metadata={
        "minimum": 0, "maximum": 1, "description": "How much the claim is worth checking (set at ingest)."})
    priority = fields.Float(required=True, metadata={
        "description": "The Priority sort's key: check-worthiness, minus 1 for a repeat, minus 2 when already checked."})
    priority_reason = fields.String(required=True, metadata={
        "description": "Why, in a word or two: `number`, `comparison`, `repeat of #12`, `already checked by …`."})
    already_checked = fields.Nested(AlreadyCheckedSchema, allow_none=True, required=True, metadata={
        "description": "The claim's best match already checked (an approved claim or an imported fact-check) "
                       "when it scores above the flag's threshold; null otherwise."})
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)

    def get_attribute(self, obj, attr, default):
        if attr == "priority_reason":
            return priority_reason(obj)
        if attr == "already_checked":
            found = already_checked(obj)
            return found.to_json() if found else None
        return super().get_attribute(obj, attr, default)


class PagedSchema(ma.Schema):
    """What every page of a list says about the paging (a subclass adds ``items``)."""

    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class ClaimPageSchema(PagedSchema):
    items = fields.List(fields.Nested(ClaimSummarySchema), required=True)


class EvidenceLinkSchema(ma.Schema):
    id = fields.Integer(required=True)
    evidence_id = fields.Function(lambda link: link.evidence.id, required=True, metadata={"type": "integer"})
    url = fields.String(attribute="evidence.url", allow_none=True, required=True)
    title = fields.String(attribute="evidence.title", required=True)
    publisher = fields.String(attribute="evidence.publisher", allow_none=True, required=True)
    published_at = UtcDateTime(attribute="evidence.published_at", allow_none=True, required=True)
    excerpt = fields.String(attribute="evidence.excerpt", allow_none=True, required=True)
    stance = Choice(STANCES, required=True)
    note = fields.String(allow_none=True, required=True)
    source_claim_id = fields.Integer(attribute="evidence.source_claim_id", allow_none=True, required=True)
    added_by = fields.Function(lambda link: link.added_by.name if link.added_by else None, allow_none=True,
                               required=True, metadata={"type": "string"})
    added_at = UtcDateTime(required=True)


class VerdictSchema(ma.Schema):
    id = fields.Integer(required=True)
    verdict = Choice(VERDICTS, required=True)
    label = fields.String(required=True)
    rationale = fields.String(required=True)
    state = Choice(("proposed", "approved", "returned"), required=True)
    proposed_by = fields.String(attribute="proposed_by.name", required=True)
    proposed_at = UtcDateTime(required=True)
    reviewed_by = fields.Function(lambda v: v.reviewed_by.name if v.reviewed_by else None, allow_none=True,
                                  required=True, metadata={"type": "string"})
    reviewed_at = UtcDateTime(allow_none=True, required=True)
    review_comment = fields.String(allow_none=True, required=True)


class CommentSchema(ma.Schema):
    id = fields.Integer(required=True)
    author = fields.String(attribute="author.name", required=True)
    body = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class HistoryItemSchema(ma.Schema):
    at = UtcDateTime(required=True)
    user = fields.Function(lambda e: e.user.name if e.user else None, allow_none=True, required=True,
                           metadata={"type": "string"})
    action = fields.String(required=True)
    before = fields.Dict(allow_none=True, required=True)
    after = fields.Dict(allow_none=True, required=True)


class HistorySchema(ma.Schema):
    items = fields.List(fields.Nested(HistoryItemSchema), required=True)


class ClaimDetailSchema(ClaimSummarySchema):
    """A claim with its evidence, verdict, comments and history (dumps ``app.api.views.ClaimView``)."""

    spans = fields.List(fields.List(fields.Integer()), allow_none=True, required=True)
    edited = fields.Boolean(required=True)
    removed_at = UtcDateTime(allow_none=True, required=True, metadata={
        "description": "When a correction removed the claim (or merged it into `merged_into`); null for a live claim."})
    merged_into = fields.Integer(attribute="merged_into_id", allow_none=True, required=True)
    dismiss_reason = fields.String(allow_none=True, required=True)
    evidence = fields.List(fields.Nested(EvidenceLinkSchema), attribute="evidence_links", required=True)
    verdict = fields.Nested(VerdictSchema, attribute="current_verdict", allow_none=True, required=True)
    comments = fields.List(fields.Nested(CommentSchema), required=True)
    history = fields.List(fields.Nested(HistoryItemSchema), required=True)


class RelatedSpeakerSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class RelatedClaimSchema(ma.Schema):
    id = fields.Integer(required=True)
    content = fields.String(required=True)
    speaker = fields.Nested(RelatedSpeakerSchema, allow_none=True, required=True)
    status = Choice(CLAIM_STATUSES, required=True)
    score = fields.Float(required=True, metadata={"description": "Fused similarity, higher is closer."})
    verdict = Choice(VERDICTS, allow_none=True, required=True)
    article_id = fields.Integer(required=True)
    same_article = fields.Boolean(required=True, metadata={"description": "From the same article (listed last)."})
    same_speaker = fields.Boolean(required=True)
    repeat_of_approved = fields.Boolean(required=True, metadata={
        "description": "The same speaker repeating a claim the desk approved (listed first)."})


class RelatedClaimsSchema(ma.Schema):
    items = fields.List(fields.Nested(RelatedClaimSchema), required=True)


class ArticleCreatedSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    claims = fields.List(fields.Integer(), required=True)


class CopyOfSchema(ma.Schema):
    id = fields.Integer(required=True)
    similarity = fields.Float(required=True)


class ArticleSchema(ma.Schema):
    """An article (dumps ``{"article": Article, "claims": [ids]}``)."""

    id = fields.Integer(attribute="article.id", required=True)
    title = fields.String(attribute="article.title", required=True)
    url = fields.String(attribute="article.url", allow_none=True, required=True)
    publisher = fields.String(attribute="article.publisher", allow_none=True, required=True)
    published_at = UtcDateTime(attribute="article.published_at", allow_none=True, required=True)
    ingested_at = UtcDateTime(attribute="article.ingested_at", required=True)
    source = fields.String(attribute="article.source", required=True)
    claims = fields.List(fields.Integer(), required=True, metadata={"description": "Claim ids in reading order."})
    copy_of = fields.Nested(CopyOfSchema, attribute="article.copy_of", allow_none=True, required=True, metadata={
        "description": "The earlier article this one copies (a wire copy) and the Jaccard similarity of their "
                       "word shingles."})


class SpeakerRoleSchema(ma.Schema):
    role = fields.String(required=True)
    first_seen = UtcDateTime(required=True)
    last_seen = UtcDateTime(required=True)
    articles = fields.Integer(required=True)


class SpeakerSchema(ma.Schema):
    """A speaker (dumps ``app.api.speaker_routes.speaker_record``); the list leaves out the record's
    verdicts, roles, recent claims and history."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(allow_none=True)
    affiliation = fields.String(allow_none=True)
    kind = fields.String(required=True)
    aliases = fields.List(fields.String(), required=True)
    merged_into = fields.Integer(allow_none=True, required=True,
                                 metadata={"description": "Set while merged into that speaker."})
    claims = fields.Integer()
    verdicts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Approved claims per verdict key, e.g. `{\"false\": 2}`."})
    roles = fields.List(fields.Nested(SpeakerRoleSchema), metadata={
        "description": "Roles as the articles gave them, oldest first."})
    recent_claims = fields.List(fields.Integer())
    merged_from = fields.List(fields.Integer())
    history = fields.List(fields.Nested(HistoryItemSchema))


class SpeakerListSchema(ma.Schema):
    items = fields.List(fields.Nested(SpeakerSchema), required=True)


class ThingSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    type_ = fields.String(data_key="@type", required=True)
    name = fields.String()


class JsonLdSchema(ma.Schema):
    """JSON-LD written by app.export.claimreview (not dumped here): open to more properties."""

    class Meta:
        unknown = ma.EXCLUDE


class RatingSchema(JsonLdSchema):
    type_ = fields.Constant("Rating", data_key="@type", required=True, metadata={"const": "Rating", "type": "string"})
    ratingValue = fields.Integer(validate=validate.Range(1, 5), metadata={
        "description": "5 true, 4 mostly true, 3 mixed, 2 mostly false or misleading, 1 false; absent for "
                       "unverifiable."})
    bestRating = fields.Constant(5, required=True, metadata={"const": 5, "type": "integer"})
    worstRating = fields.Constant(1, required=True, metadata={"const": 1, "type": "integer"})
    alternateName = fields.String(required=True, metadata={"description": "The verdict's label, e.g. `Mostly false`."})


class ReviewedClaimSchema(JsonLdSchema):
    type_ = fields.Constant("Claim", data_key="@type", required=True, metadata={"const": "Claim", "type": "string"})
    author = fields.Nested(ThingSchema)
    datePublished = fields.String(metadata={"format": "date-time"})
    appearance = fields.Nested(ThingSchema)


class ClaimReviewSchema(JsonLdSchema):
    """schema.org ClaimReview (JSON-LD), as ``app.export.claimreview`` writes it."""

    context = fields.Constant("https://schema.org", data_key="@context", required=True,
                              metadata={"const": "https://schema.org", "type": "string"})
    type_ = fields.Constant("ClaimReview", data_key="@type", required=True,
                            metadata={"const": "ClaimReview", "type": "string"})
    url = fields.String(required=True, metadata={"format": "uri", "description": "The public fact-check page."})
    claimReviewed = fields.String(required=True)
    itemReviewed = fields.Nested(ReviewedClaimSchema, required=True)
    author = fields.Nested(ThingSchema, required=True)
    datePublished = fields.String(required=True, metadata={"format": "date-time"})
    reviewRating = fields.Nested(RatingSchema, required=True)


class ClaimReviewListSchema(JsonLdSchema):
    items = fields.List(fields.Nested(ClaimReviewSchema), required=True)
    count = fields.Integer(required=True)
    has_more = fields.Boolean(required=True, metadata={"description": "More approvals follow: ask again with "
                                                                      "`next_since`."})
    next_since = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})


# --- request bodies ---------------------------------------------------------------------------

class ArticleInSchema(StrictSchema):
    """An article as JSON: ``text``, or ``url`` alone to fetch the page."""

    text = fields.String(metadata={"description": "The article text (plain)."})
    title = Text(500)
    publisher = Text(200)
    url = WebUrl(metadata={"description": "With `text`: the article's address, kept as metadata. Without "
                              "`text`: the page is fetched (public addresses only, HTML only)."})
    published_at = UtcDateTime()


class ArticleUploadSchema(StrictSchema):
    """An article as a multipart upload of a .txt or .html file."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "A .txt or .html file."})
    title = Text(500)
    publisher = Text(200)
    url = WebUrl()
    published_at = UtcDateTime()


class ClaimPatchSchema(StrictSchema):
    """A correction of the extraction. Status and assignee change through the action routes."""

    version = Version()
    content = fields.String(validate=validate.Length(min=1, max=20_000))
    speaker = Text(200, allow_none=True, metadata={"description": "Canonical name; null or empty: no speaker."})
    kind = Choice(CLAIM_KINDS)
    start = WholeNumber(validate=validate.Range(min=0, max=2**31 - 1))
    end = WholeNumber(validate=validate.Range(min=0, max=2**31 - 1))
    cue = Text(100, allow_none=True)
    publication_wording = Text(5_000, allow_none=True, metadata={
        "description": "Editable until approval; empty or null: the claim text."})

    @ma.pre_load
    def no_actions_here(self, data, **kwargs):
        if isinstance(data, dict):
            wrong = {name: ACTION_FIELDS_MESSAGE for name in ("status", "assignee", "reason", "dismiss_reason")
                     if name in data}
            if wrong:
                raise ma.ValidationError(wrong)
        return data


class ClaimInSchema(StrictSchema):
    """A claim the extractor missed, from a span of the article's text."""

    start = WholeNumber(required=True, validate=validate.Range(min=0, max=2**31 - 1), metadata={
        "description": "Offset of the first character in the article's text (code points); spaces at either end "
                       "of the span are dropped."})
    end = WholeNumber(required=True, validate=validate.Range(min=0, max=2**31 - 1),
                         metadata={"description": "Offset just after the last character."})
    speaker = Text(200, allow_none=True, metadata={"description": "A name; an existing speaker or alias is reused. "
                                                                  "Empty or null: unknown speaker."})
    kind = Choice(CLAIM_KINDS, required=True)
    cue = Text(100, allow_none=True, metadata={"description": "said, told reporters, tweeted ..."})


class SplitInSchema(StrictSchema):
    at = WholeNumber(required=True, validate=validate.Range(min=0, max=2**31 - 1), metadata={
        "description": "A character offset in the article's text strictly inside the claim's span: the second "
                       "claim starts there."})
    version = Version()


class MergeInSchema(StrictSchema):
    with_ = Id(required=True, data_key="with", metadata={"description": "The claim (same article) merged into "
                                                                         "this one."})
    version = Version()


class RemoveInSchema(StrictSchema):
    reason = Text(500)
    version = Version()


class ClaimPairSchema(ma.Schema):
    claims = fields.List(fields.Nested(ClaimDetailSchema), required=True, validate=validate.Length(equal=2))


class SpeakerPatchSchema(StrictSchema):
    name = Text(200)
    role = Text(200, allow_none=True)
    affiliation = Text(200, allow_none=True)

    @ma.validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Send name, role or affiliation.", "body")


class SpeakerMergeInSchema(StrictSchema):
    into = Id(required=True, metadata={"description": "The speaker that stays."})


class SpeakersQuerySchema(QuerySchema):
    q = fields.String(metadata={"description": "Part of the name."})
    limit = fields.Integer(metadata={"description": "At most this many (default 100, at most 500)."})


class NoFieldsInSchema(StrictSchema):
    """An action with nothing to say: no body, or an empty JSON object."""


class VersionInSchema(StrictSchema):
    version = Version(required=False)


class AssignInSchema(StrictSchema):
    assignee = UserRef(required=True)
    version = Version(required=False)


class DismissInSchema(StrictSchema):
    reason = Text(500, required=True, metadata={"description": "Why the claim is not checkable."})
    version = Version(required=False)


class ReopenInSchema(StrictSchema):
    reason = Text(500)
    version = Version(required=False)


class EvidenceInSchema(StrictSchema):
    """New evidence (``url``, ``title``...), or ``evidence_id`` / ``source_claim_id`` to link what the desk has."""

    url = WebUrl()
    title = Text(500)
    stance = Choice(STANCES, required=True)
    publisher = Text(200)
    published_at = UtcDateTime()
    excerpt = Text(20_000)
    note = Text(5_000)
    evidence_id = Id(metadata={"description": "Link evidence already in the desk instead."})
    source_claim_id = Id(metadata={"description": "Link an approved claim as evidence instead."})
    factcheck_id = Id(metadata={"description": "Link an imported fact-check as evidence instead."})
    existing = Choice(("keep", "update"), metadata={
        "description": "When `url` is stored already with another title, excerpt, publisher or date (409 "
                       "`evidence_exists`, `details.stored`): `keep` links the stored one, `update` updates it "
                       "with these values first."})


class VerdictInSchema(StrictSchema):
    verdict = Choice(VERDICTS, required=True)
    rationale = Text(20_000, required=True)
    version = Version()


class ApproveInSchema(StrictSchema):
    comment = Text(10_000)
    version = Version()


class ReturnInSchema(StrictSchema):
    comment = Text(10_000, required=True, metadata={"description": "What needs to change."})
    version = Version()


class CommentInSchema(StrictSchema):
    body = Text(10_000, required=True)


# --- query strings ----------------------------------------------------------------------------

class ClaimFiltersQuerySchema(QuerySchema):
    """The queue's filters (``GET /claims``, ``GET /export.csv``)."""

    status = fields.String(metadata={"description": "Statuses, comma-separated or repeated: "
                                                    + ", ".join(CLAIM_STATUSES) + ".", "example": "new,in_progress"})
    kind = fields.String(metadata={"description": "Kinds, comma-separated or repeated: " + ", ".join(CLAIM_KINDS) + "."})
    speaker = fields.String(metadata={"description": "Part of the speaker's name."})
    speaker_id = fields.Integer(metadata={"description": "The speaker's id."})
    article = fields.Integer(metadata={"description": "Only the claims of this article (id)."})
    article_id = fields.Integer(metadata={"description": "The same as `article`."})
    assignee = fields.String(metadata={"description": "`me`, `none`, or a user id."})
    review = fields.String(metadata={"description": "`me`: claims in review that the token's user may sign off."})
    q = fields.String(metadata={"description": "Words that must all appear in the claim text or the speaker's name."})
    since = fields.Date(metadata={"description": "Claims extracted on or after this day."})
    until = fields.Date(metadata={"description": "Claims extracted on or before this day."})
    hide_duplicates = Choice(("0", "1"), metadata={"description": "`1` leaves out repeats of a quote."})
    already_checked = Choice(("true", "false", "1", "0"), metadata={
        "description": "`true`: only claims flagged \"already checked\"; `false`: only the others."})
    sort = Choice(tuple(SORTS), metadata={"description": "Order of the claims (default `priority`: check-worthiness, "
                                                    "repeats and claims already checked lower)."})


class ClaimListQuerySchema(ClaimFiltersQuerySchema):
    page = fields.Integer(metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(metadata={"description": "Claims per page (1-200; beyond is brought within)."})


class ExportQuerySchema(ClaimFiltersQuerySchema):
    bom = Choice(("0", "1"), metadata={"description": "`1` starts the file with a UTF-8 byte-order mark (for Excel)."})


class RelatedQuerySchema(QuerySchema):
    k = fields.Integer(metadata={"description": "How many (1-50, default 5; beyond is brought within)."})


class ClaimReviewsQuerySchema(QuerySchema):
    since = fields.String(metadata={"description": "ISO 8601 date or date-time (UTC); inclusive.",
                                    "example": "2024-05-01"})
    limit = fields.Integer(metadata={"description": "At most this many (default 100, at most 1000)."})


# --- ingest jobs ------------------------------------------------------------------------------

class JobRefSchema(ma.Schema):
    id = fields.String(required=True)
    status = Choice(("queued", "running"), required=True)
    url = fields.String(required=True, metadata={"description": "`GET` it to follow the job."})


class JobAcceptedSchema(ma.Schema):
    job = fields.Nested(JobRefSchema, required=True)


class IdOnlySchema(ma.Schema):
    id = fields.Integer(required=True)


class JobErrorSchema(ma.Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)


class JobSchema(ma.Schema):
    id = fields.String(required=True)
    status = Choice(("queued", "running", "done", "failed"), required=True)
    article = fields.Nested(IdOnlySchema, allow_none=True, required=True)
    claims = fields.Integer(required=True, metadata={"description": "Claims stored (0 until done)."})
    error = fields.Nested(JobErrorSchema, allow_none=True, required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})


# --- fact-checks from other publishers --------------------------------------------------------

class FactCheckRatingSchema(ma.Schema):
    alternateName = fields.String(allow_none=True)
    ratingValue = fields.Float(allow_none=True)
    bestRating = fields.Float(allow_none=True)
    worstRating = fields.Float(allow_none=True)


class FactCheckSchema(ma.Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    publisher = fields.String(allow_none=True)
    claimReviewed = fields.String(required=True)
    title = fields.String(allow_none=True)
    rating = fields.Nested(FactCheckRatingSchema)
    date = fields.String(allow_none=True, metadata={"format": "date-time"})
    claimant = fields.String(allow_none=True)
    imported_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})


class FactCheckPageSchema(PagedSchema):
    items = fields.List(fields.Nested(FactCheckSchema), required=True)


class FactCheckQuerySchema(QuerySchema):
    q = fields.String(metadata={"description": "Words that must all appear in the claim, headline, publisher or "
                                               "claimant."})
    page = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(validate=validate.Range(min=1, max=200), metadata={
        "description": "Items per page (at most 200)."})


class FactCheckImportQuerySchema(QuerySchema):
    name = Text(255, metadata={"description": "The file name when the body is the raw file (tells JSON-LD, CSV "
                                              "and HTML apart)."})


class FactCheckUploadSchema(ma.Schema):
    file = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}), required=True)


class RefusedItemSchema(ma.Schema):
    where = fields.String(required=True)
    reason = fields.String(required=True)
    url = fields.String(allow_none=True)


class ImportReportSchema(ma.Schema):
    new = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    refused = fields.List(fields.Nested(RefusedItemSchema), required=True)


# --- notifications, webhooks, due dates -------------------------------------------------------

class NotificationSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = Choice(NOTIFICATION_KINDS, required=True)
    message = fields.String(required=True)
    claim_id = fields.Integer(allow_none=True)
    actor = fields.Function(lambda n: n.actor.name if n.actor else None, allow_none=True,
                            metadata={"type": "string"})
    created_at = UtcDateTime(required=True)
    read_at = UtcDateTime(allow_none=True)


class NotificationPageSchema(PagedSchema):
    items = fields.List(fields.Nested(NotificationSchema), required=True)
    unread = fields.Integer(required=True)


class NotificationsQuerySchema(QuerySchema):
    unread = Choice(("0", "1", "true", "false"), metadata={"description": "`1`: unread ones only."})
    page = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={"description": "Page number."})
    per_page = fields.Integer(validate=validate.Range(min=1, max=200), metadata={"description": "At most 200."})


class NotificationsReadInSchema(StrictSchema):
    ids = fields.List(Id(), validate=validate.Length(max=10_000), metadata={
        "description": "The notifications to mark read; none: all of them."})


class NotificationsReadSchema(ma.Schema):
    marked = fields.Integer(required=True)
    unread = fields.Integer(required=True)


class WebhookSchema(ma.Schema):
    """A webhook; its secret is never sent back (only its length)."""

    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    secret_length = fields.Function(lambda hook: len(hook.secret), metadata={"type": "integer"})
    created_at = UtcDateTime(required=True)


class WebhookListSchema(ma.Schema):
    items = fields.List(fields.Nested(WebhookSchema), required=True)


class WebhookInSchema(StrictSchema):
    url = WebUrl(required=True, metadata={"description": "The endpoint (public addresses only)."})
    secret = fields.String(required=True, validate=validate.Length(min=16, max=200), metadata={
        "description": "Signs each delivery (HMAC-SHA256)."})
    events = fields.List(Choice(WEBHOOK_EVENTS), required=True, validate=validate.Length(min=1, max=len(WEBHOOK_EVENTS)))


class DeliverySchema(ma.Schema):
    id = fields.Integer(required=True)
    event = fields.String(required=True)
    event_id = fields.String(required=True)
    state = Choice(DELIVERY_STATES, required=True)
    attempts = fields.Integer(required=True)
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)
    last_attempt_at = UtcDateTime(allow_none=True)
    next_attempt_at = UtcDateTime(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)


class DeliveryListSchema(ma.Schema):
    items = fields.List(fields.Nested(DeliverySchema), required=True)


class DeliveriesQuerySchema(QuerySchema):
    limit = fields.Integer(validate=validate.Range(min=1, max=500), metadata={"description": "At most 500 (default 100)."})


class DueInSchema(StrictSchema):
    due_date = fields.Date(required=True, allow_none=True, metadata={
        "description": "YYYY-MM-DD, or null for none."})
    version = Version()


# --- monitored sources ------------------------------------------------------------------------

EVERY_MINUTES = validate.Range(min=1, max=7 * 24 * 60)


class SourceInSchema(StrictSchema):
    url = WebUrl(required=True, metadata={"description": "The feed, sitemap or front page (http/https)."})
    kind = Choice(SOURCE_KINDS, required=True, metadata={
        "description": "`page`: a front page whose announced RSS/Atom feed is polled."})
    name = Text(200, allow_none=True, metadata={"description": "Shown in the desk; by default the address."})
    every_minutes = WholeNumber(allow_none=True, validate=EVERY_MINUTES, metadata={
        "description": "Poll interval; by default `CLAIMDESK_SOURCE_EVERY_MINUTES` (30)."})


class SourcePatchSchema(StrictSchema):
    url = WebUrl()
    kind = Choice(SOURCE_KINDS)
    name = Text(200, allow_none=True)
    every_minutes = WholeNumber(validate=EVERY_MINUTES)
    paused = Flag()


class SourceSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True)
    kind = Choice(SOURCE_KINDS, required=True)
    every_minutes = fields.Integer(required=True)
    paused = fields.Boolean(required=True)
    feed_url = fields.String(allow_none=True, metadata={"description": "A front page's feed, found at its first poll."})
    last_poll_at = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
    next_poll_at = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
    items_seen = fields.Integer(required=True)
    articles_ingested = fields.Integer(required=True)
    last_error = fields.String(allow_none=True, required=True)
    last_error_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    created_at = fields.String(metadata={"format": "date-time"})


class SourceListSchema(ma.Schema):
    items = fields.List(fields.Nested(SourceSchema), required=True)


class PollSchema(ma.Schema):
    source = fields.Nested(SourceSchema, required=True)
    poll = Choice(("queued", "done"), required=True, metadata={
        "description": "`queued` (a consumer polls it) or `done` (polled in this process: the embedded queue with "
                       "no consumer alive)."})
