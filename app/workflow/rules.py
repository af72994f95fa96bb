"""The desk's rules that several layers ask about, each defined here once: who does desk
work, who signs verdicts off, which statuses end the work, when a verdict is published.

Services, queries, exports, the CLI and templates call these; none re-derives them.
"""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa

from app.models import ROLES, Claim, Verdict

DESK_ROLES = ROLES  # every role does desk work; the rules below tell them apart
REVIEWER_ROLES = ("reviewer", "admin")
WORKING_STATUSES = ("new", "in_progress")  # evidence, verdicts and dismissals happen here
TERMINAL_STATUSES = ("approved", "dismissed")  # locked until an admin reopens
OPEN_STATUSES = ("new", "in_progress", "in_review")  # on someone's desk


def can_edit(user: Any) -> bool:
    """Editors, reviewers and admins all do desk work; only the rules below differ."""
    return bool(user.is_authenticated and user.active and user.role in DESK_ROLES)


def can_review(user: Any) -> bool:
    """Reviewers and admins may approve or return a verdict, never their own."""
    return bool(user.is_authenticated and getattr(user, "role", None) in REVIEWER_ROLES)


def can_manage_sources(user: Any) -> bool:
    """Only admins add, change, poll or remove monitored sources; the desk sees them."""
    return bool(user.is_authenticated and getattr(user, "role", None) == "admin")


def can_reopen(user: Any) -> bool:
    """Only admins reopen approved or dismissed claims."""
    return bool(user.is_authenticated and getattr(user, "role", None) == "admin")


def can_administer(user: Any) -> bool:
    """Only active admins manage people (invitations, roles, deactivation, resets) and webhooks."""
    return bool(user is not None and user.is_authenticated and user.active and getattr(user, "role", None) == "admin")


def is_published(claim_status: str, verdict_state: Optional[str]) -> bool:
    """A claim's verdict is public when the claim is approved and so is its latest verdict."""
    return claim_status == "approved" and verdict_state == "approved"


def published_in_sql() -> sa.ColumnElement[bool]:
    """``is_published`` as a WHERE clause over Claim joined to its latest Verdict."""
    return sa.and_(Claim.status == "approved", Verdict.state == "approved")


def published_verdict(claim: Claim) -> Optional[Verdict]:
    """The verdict that makes the claim public (see ``is_published``), else None."""
    verdict = claim.current_verdict
    if verdict is None or not is_published(claim.status, verdict.state):
        return None
    return verdict
