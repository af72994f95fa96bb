"""Figures for the dashboard, read from the desk's own data (no Flask here)."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import CLAIM_STATUSES, Claim, Speaker, Verdict, utcnow
from app.workflow.rules import OPEN_STATUSES


@dataclass
class SpeakerCount:
    speaker_id: int
    name: str
    role: Optional[str]
    claims: int


@dataclass
class Waiting:
    claim: Claim
    verdict: Verdict
    waiting: timedelta


@dataclass
class TimeToApproval:
    median: Optional[timedelta]
    claims: int  # approvals it was measured over
    days: int


@dataclass
class DeskStats:
    by_status: dict[str, int]
    by_speaker: list[SpeakerCount]
    approved_per_day: list[tuple[date, int]]
    time_to_approval: TimeToApproval
    waiting: list[Waiting]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def open(self) -> int:
        return sum(self.by_status[s] for s in OPEN_STATUSES)


def claims_by_status() -> dict[str, int]:
    """Claims per status, every status present (zero when none), in workflow order."""
    counts = dict(db.session.execute(sa.select(Claim.status, sa.func.count(Claim.id))
                               .where(Claim.removed_at.is_(None)).group_by(Claim.status)).all())
    return {status: counts.get(status, 0) for status in CLAIM_STATUSES}


def claims_by_speaker(limit: int = 10) -> list[SpeakerCount]:
    """The speakers with the most claims, most first."""
    n = sa.func.count(Claim.id).label("n")
    stmt = (
        sa.select(Speaker.id, Speaker.name, Speaker.role, n)
        .join(Claim, sa.and_(Claim.speaker_id == Speaker.id, Claim.removed_at.is_(None)))
        .group_by(Speaker.id, Speaker.name, Speaker.role)
        .order_by(n.desc(), Speaker.name)
        .limit(limit)
    )
    return [SpeakerCount(*row) for row in db.session.execute(stmt)]


def approved_per_day(days: int = 30, *, today: Optional[date] = None) -> list[tuple[date, int]]:
    """Approvals on each of the last ``days`` days (UTC), oldest first, zero days included."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    stamps = db.session.scalars(
        sa.select(Verdict.reviewed_at).where(
            Verdict.state == "approved", Verdict.reviewed_at >= datetime.combine(first, datetime.min.time()),
            Verdict.reviewed_at < datetime.combine(today + timedelta(days=1), datetime.min.time()),
        )
    )
    counts = {first + timedelta(days=i): 0 for i in range(days)}
    for stamp in stamps:
        counts[stamp.date()] += 1
    return list(counts.items())


def time_to_approval(days: int = 90, *, now: Optional[datetime] = None) -> TimeToApproval:
    """Median time from a claim's extraction (status new) to its first approval, over the
    claims first approved in the last ``days`` days."""
    now = now or utcnow()
    first_approval = sa.func.min(Verdict.reviewed_at).label("approved_at")
    stmt = (
        sa.select(Claim.created_at, first_approval)
        .join(Verdict, Verdict.claim_id == Claim.id)
        .where(Verdict.state == "approved")
        .group_by(Claim.id, Claim.created_at)
        .having(first_approval >= now - timedelta(days=days))
    )
    durations = [(approved - created).total_seconds() for created, approved in db.session.execute(stmt)]
    median = timedelta(seconds=statistics.median(durations)) if durations else None
    return TimeToApproval(median=median, claims=len(durations), days=days)


def waiting_for_review(limit: int = 10, *, now: Optional[datetime] = None) -> list[Waiting]:
    """Claims in review, the longest-waiting first (since their verdict was proposed)."""
    now = now or utcnow()
    stmt = (
        sa.select(Claim, Verdict)
        .join(Verdict, sa.and_(Verdict.claim_id == Claim.id, Verdict.state == "proposed"))
        .where(Claim.status == "in_review")
        .options(so.joinedload(Claim.speaker), so.joinedload(Verdict.proposed_by))
        .order_by(Verdict.proposed_at, Claim.id)
        .limit(limit)
    )
    return [Waiting(claim, verdict, now - verdict.proposed_at) for claim, verdict in db.session.execute(stmt)]


def desk_stats(*, days: int = 30, now: Optional[datetime] = None) -> DeskStats:
    """Everything the dashboard shows."""
    now = now or utcnow()
    return DeskStats(
        by_status=claims_by_status(),
        by_speaker=claims_by_speaker(),
        approved_per_day=approved_per_day(days, today=now.date()),
        time_to_approval=time_to_approval(now=now),
        waiting=waiting_for_review(now=now),
    )


def humanise(delta: Optional[timedelta]) -> str:
    """A duration as the desk says it: 3 d 4 h, 5 h 12 min, 7 min."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    d, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    if d:
        return f"{d} d {h} h"
    if h:
        return f"{h} h {m} min"
    return f"{m} min"
