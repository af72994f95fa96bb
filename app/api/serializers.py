"""Plain-JSON views of the models for the API."""
from __future__ import annotations

from typing import Any, Optional

from app.models import Article, AuditEvent, Claim, ClaimEvidence, Comment, FactCheck, Job, Verdict, iso_utc
from app.priority import priority_reason
from app.priority.checked import already_checked


iso = iso_utc


def claim_summary(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "content": claim.content,
        "publication_wording": claim.wording,
        "kind": claim.kind,
        "status": claim.status,
        "version": claim.version,
        "speaker": {"id": claim.speaker.id, "name": claim.speaker.name, "role": claim.speaker.role,
                    "kind": claim.speaker.kind} if claim.speaker else None,
        "article": {"id": claim.article.id, "title": claim.article.title, "url": claim.article.url},
        "span": [claim.start, claim.end],
        "cue": claim.cue,
        "due_date": claim.due_date.isoformat() if claim.due_date else None,
        "assignee": {"id": claim.assignee.id, "name": claim.assignee.name} if claim.assignee else None,
        "duplicate_of": claim.duplicate_of_id,
        "checkworthiness": claim.checkworthiness,
        "priority": claim.priority,
        "priority_reason": priority_reason(claim),
        "already_checked": _already_checked(claim),
        "created_at": iso(claim.created_at),
        "updated_at": iso(claim.updated_at),
    }


def _already_checked(claim: Claim) -> Optional[dict[str, Any]]:
    found = already_checked(claim)
    return found.to_json() if found else None


def factcheck_json(fc: FactCheck) -> dict[str, Any]:
    return {
        "id": fc.id, "url": fc.url, "publisher": fc.publisher, "claimReviewed": fc.claim_reviewed,
        "title": fc.title, "rating": {"alternateName": fc.rating_name, "ratingValue": fc.rating_value,
                                      "bestRating": fc.best_rating, "worstRating": fc.worst_rating},
        "date": iso(fc.published_at), "claimant": fc.claimant,
        "imported_at": iso(fc.created_at), "updated_at": iso(fc.updated_at),
    }


def article_detail(article: Article, claim_ids: list[int]) -> dict[str, Any]:
    return {
        "id": article.id, "title": article.title, "url": article.url, "publisher": article.publisher,
        "published_at": iso(article.published_at), "ingested_at": iso(article.ingested_at),
        "source": article.source, "claims": claim_ids, "copy_of": article.copy_of,
    }


def evidence_link(link: ClaimEvidence) -> dict[str, Any]:
    ev = link.evidence
    return {
        "id": link.id, "evidence_id": ev.id, "url": ev.url, "title": ev.title, "publisher": ev.publisher,
        "published_at": iso(ev.published_at), "excerpt": ev.excerpt, "stance": link.stance, "note": link.note,
        "source_claim_id": ev.source_claim_id, "added_by": link.added_by.name if link.added_by else None,
        "added_at": iso(link.added_at),
    }


def verdict_json(verdict: Optional[Verdict]) -> Optional[dict[str, Any]]:
    if verdict is None:
        return None
    return {
        "id": verdict.id, "verdict": verdict.verdict, "label": verdict.label, "rationale": verdict.rationale,
        "state": verdict.state, "proposed_by": verdict.proposed_by.name, "proposed_at": iso(verdict.proposed_at),
        "reviewed_by": verdict.reviewed_by.name if verdict.reviewed_by else None,
        "reviewed_at": iso(verdict.reviewed_at), "review_comment": verdict.review_comment,
    }


def history_item(event: AuditEvent) -> dict[str, Any]:
    return {"at": iso(event.at), "user": event.user.name if event.user else None, "action": event.action,
            "before": event.before, "after": event.after}


def comment_json(comment: Comment) -> dict[str, Any]:
    return {"id": comment.id, "author": comment.author.name, "body": comment.body, "created_at": iso(comment.created_at)}


def claim_detail(claim: Claim, history: list[AuditEvent]) -> dict[str, Any]:
    return {
        **claim_summary(claim),
        "spans": claim.spans,
        "edited": claim.edited,
        "removed_at": iso(claim.removed_at),
        "merged_into": claim.merged_into_id,
        "dismiss_reason": claim.dismiss_reason,
        "evidence": [evidence_link(link) for link in claim.evidence_links],
        "verdict": verdict_json(claim.current_verdict),
        "comments": [comment_json(c) for c in claim.comments],
        "history": [history_item(e) for e in history],
    }


def job(job: Job) -> dict[str, Any]:
    """``GET /api/v1/jobs/<id>``: where an ingest stands and what came of it."""
    return {
        "id": job.id,
        "status": job.status,
        "article": {"id": job.article_id} if job.article_id is not None else None,
        "claims": job.claims,
        "error": {"code": job.error_code, "message": job.error_message} if job.error_code else None,
        "created_at": iso(job.created_at),
        "finished_at": iso(job.finished_at),
    }
