"""The data model, split by aggregate; import models from here."""
from app.models.articles import Article
from app.models.base import iso_utc, utcnow
from app.models.copies import ArticleBand, ArticleCopy
from app.models.claims import (
    CLAIM_KINDS,
    CLAIM_STATUSES,
    STANCES,
    STATUS_LABELS,
    VERDICT_LABELS,
    VERDICTS,
    AuditEvent,
    Claim,
    ClaimEvidence,
    Comment,
    Evidence,
    Verdict,
)
from app.models.notices import (
    DELIVERY_STATES, NOTIFICATION_KINDS, WEBHOOK_EVENTS, Notification, Webhook, WebhookDelivery,
)
from app.models.embeddings import OWNER_KINDS, Embedding
from app.models.factchecks import FactCheck
from app.models.jobs import JOB_STATUSES, Consumer, Job, PeriodicRun
from app.models.sources import ITEM_STATUSES, SOURCE_KINDS, FetchHost, Source, SourceItem
from app.models.speakers import SPEAKER_KINDS, Speaker, SpeakerAlias, SpeakerMerge, normalise_name
from app.models.users import LINK_PURPOSES, ROLES, AccountLink, ApiToken, LoginSession, User, hash_token

__all__ = [
    "AccountLink", "LINK_PURPOSES", "Article", "ArticleBand", "ArticleCopy", "DELIVERY_STATES", "NOTIFICATION_KINDS",
    "Notification", "WEBHOOK_EVENTS", "Webhook", "WebhookDelivery", "ApiToken", "Consumer", "Embedding", "Job",
    "JOB_STATUSES", "PeriodicRun", "LoginSession", "OWNER_KINDS", "AuditEvent", "Claim", "ClaimEvidence", "Comment",
    "Evidence", "FetchHost", "ITEM_STATUSES", "SOURCE_KINDS", "Source", "SourceItem", "FactCheck",
    "Speaker", "SpeakerAlias", "SpeakerMerge", "User", "Verdict", "CLAIM_KINDS", "CLAIM_STATUSES", "ROLES",
    "SPEAKER_KINDS", "STANCES", "STATUS_LABELS", "VERDICTS", "VERDICT_LABELS", "hash_token",
    "iso_utc", "normalise_name", "utcnow",
]
