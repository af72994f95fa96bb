"""Domain errors raised by the service layer.

Each error carries a stable ``code`` (what API clients switch on), the HTTP ``status`` the
web and API layers answer with, a message for people, and optional ``details``.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code, status = "not_found", 404


class Forbidden(DomainError):
    code, status = "forbidden", 403


class FourEyes(Forbidden):
    """The person who proposed a verdict tries to sign it off."""

    code = "four_eyes"


class Invalid(DomainError):
    code, status = "invalid", 422


class EmptyText(Invalid):
    code = "empty_text"


class EvidenceRequired(Invalid):
    code = "evidence_required"


class EvidenceExists(DomainError):
    """The evidence URL is stored already with another title or excerpt: link it as stored
    (``existing="keep"``) or update it with the editor's (``existing="update"``).
    ``details['stored']`` is the stored evidence, ``details['differs']`` the fields that differ."""

    code, status = "evidence_exists", 409


class TooLarge(DomainError):
    code, status = "too_large", 413


class UnsupportedMedia(DomainError):
    code, status = "unsupported_media_type", 415


class DuplicateArticle(DomainError):
    """The normalised text was ingested before; ``details['existing_id']`` names it."""

    code, status = "duplicate_article", 409

    def __init__(self, message: str, existing_id: int, **details: Any) -> None:
        super().__init__(message, existing_id=existing_id, **details)
        self.existing_id = existing_id


class DuplicateClaim(DomainError):
    """A live claim of the article already has exactly this span; ``details['existing_id']``."""

    code, status = "duplicate_claim", 409


class StaleVersion(DomainError):
    """Someone saved the claim since this editor loaded it; nothing was written."""

    code, status = "stale_version", 409


class Busy(DomainError):
    """SQLite could not take its write lock in time (another save was running)."""

    code, status = "busy", 409


class BadStatus(DomainError):
    code, status = "bad_status", 409


class FetchRefused(DomainError):
    code, status = "fetch_refused", 422


class ExtractionError(DomainError):
    """The quote extractor failed on an article: nothing was stored (not "no quotes")."""

    code, status = "extraction_failed", 500


class FetchFailed(FetchRefused):
    """The page was reached but answered an error (404, 500 ...); ``details['remote_status']``."""

    code = "fetch_failed"
