"""The claim history: append-only AuditEvents, written in the caller's transaction."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import AuditEvent, Claim, Speaker, User

# Fields of a claim that an editor can change and the history shows.
CLAIM_FIELDS = ("content", "publication_wording", "kind", "start", "end", "speaker", "cue", "status", "assignee")


def claim_snapshot(claim: Claim, fields: tuple[str, ...] = CLAIM_FIELDS) -> dict[str, Any]:
    """The claim's values as plain JSON, speaker and assignee by name."""
    values: dict[str, Any] = {}
    for name in fields:
        if name == "speaker":
            values[name] = claim.speaker.name if claim.speaker else None
        elif name == "assignee":
            values[name] = claim.assignee.email if claim.assignee else None
        else:
            values[name] = getattr(claim, name)
    return values


def record(
    action: str,
    *,
    user: Optional[User],
    claim: Optional[Claim] = None,
    article_id: Optional[int] = None,
    subject_user: Optional[User] = None,
    speaker: Optional[Speaker] = None,
    before: Optional[dict[str, Any]] = None,
    after: Optional[dict[str, Any]] = None,
) -> AuditEvent:
    """Add one history event to the session; the caller commits it with the change.

    Claim events hang off the claim; ``article_id`` is for article-level events (ingest),
    ``speaker`` for a speaker's own (edits, merges); ``subject_user`` is the person an admin
    action was about (app.admin).
    """
    event = AuditEvent(action=action, user=user, claim=claim, article_id=article_id, subject_user=subject_user,
                       before=before, after=after)
    if speaker is not None:
        event.speaker_id = speaker.id
    db.session.add(event)
    return event


class HistoryIsAppendOnly(RuntimeError):
    """Code tried to change or delete a recorded AuditEvent (a bug, not a user's mistake)."""


@sa.event.listens_for(AuditEvent, "before_update")
def _refuse_history_update(_mapper, _connection, event: AuditEvent) -> None:
    session = so.object_session(event)
    if session is not None and session.is_modified(event, include_collections=False):
        raise HistoryIsAppendOnly(f"The history is append-only: event {event.id} cannot be changed.")


@sa.event.listens_for(AuditEvent, "before_delete")
def _refuse_history_delete(_mapper, _connection, event: AuditEvent) -> None:
    raise HistoryIsAppendOnly(f"The history is append-only: event {event.id} cannot be deleted.")
