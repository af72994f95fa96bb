"""Read side of the desk: the filtered, sorted claim list that the queue, API and export share."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Optional, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import CLAIM_KINDS, CLAIM_STATUSES, Article, Claim, Speaker, User, Verdict

SORTS = {
    # Newest articles first, each article's claims in reading order.
    "newest": (Claim.article_id.desc(), Claim.start.asc(), Claim.id.asc()),
    "oldest": (Claim.article_id.asc(), Claim.start.asc(), Claim.id.asc()),
    "updated": (Claim.updated_at.desc(), Claim.id.desc()),
    "speaker": (Speaker.name.asc(), Claim.id.asc()),
    "status": (Claim.status.asc(), Claim.id.desc()),
}
SORT_LABELS = {
    "newest": "Newest first", "oldest": "Oldest first", "updated": "Recently updated",
    "speaker": "By speaker", "status": "By status",
}


@dataclass
class ClaimFilters:
    """What the editor asked to see. Empty values mean "any"."""

    status: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    speaker_id: Optional[int] = None
    speaker: str = ""  # part of a speaker's name
    article_id: Optional[int] = None
    assignee_id: Optional[int] = None
    unassigned: bool = False
    review_for: Optional[int] = None  # claims in review that this user may sign off
    q: str = ""
    since: Optional[date] = None
    until: Optional[date] = None
    hide_duplicates: bool = False
    sort: str = "newest"

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, current_user_id: Optional[int] = None) -> "ClaimFilters":
        """Build filters from query-string style arguments; unknown values are dropped."""
        def many(name: str) -> list[str]:
            if hasattr(args, "getlist"):
                values = args.getlist(name)
            else:
                value = args.get(name)
                values = value if isinstance(value, list) else ([value] if value else [])
            out: list[str] = []
            for v in values:
                out.extend(part for part in str(v).split(",") if part)
            return out

        def integer(name: str) -> Optional[int]:
            try:
                return int(args.get(name) or "") or None
            except (TypeError, ValueError):
                return None

        def day(name: str) -> Optional[date]:
            try:
                return date.fromisoformat(str(args.get(name) or ""))
            except ValueError:
                return None

        assignee = str(args.get("assignee") or "")
        filters = cls(
            status=[s for s in many("status") if s in CLAIM_STATUSES],
            kind=[k for k in many("kind") if k in CLAIM_KINDS],
            speaker_id=integer("speaker_id"),
            speaker=str(args.get("speaker") or "").strip()[:200],
            article_id=integer("article") or integer("article_id"),
            q=str(args.get("q") or "").strip()[:500],
            since=day("since"),
            until=day("until"),
            hide_duplicates=str(args.get("hide_duplicates") or "") in ("1", "true", "on", "y"),
            sort=str(args.get("sort") or "newest") if str(args.get("sort") or "newest") in SORTS else "newest",
        )
        if assignee == "me" and current_user_id:
            filters.assignee_id = current_user_id
        elif assignee == "none":
            filters.unassigned = True
        elif assignee.isdigit():
            filters.assignee_id = int(assignee)
        if str(args.get("review") or "") in ("me", "1") and current_user_id:
            filters.review_for = current_user_id
        return filters

    def is_empty(self) -> bool:
        default = ClaimFilters()
        return all(getattr(self, f.name) == getattr(default, f.name) for f in fields(self) if f.name != "sort")


def claims_select(filters: ClaimFilters) -> sa.Select:
    """A SELECT of claims matching ``filters``, sorted, with speaker and article loaded."""
    stmt = (
        sa.select(Claim)
        .outerjoin(Speaker, Claim.speaker_id == Speaker.id)
        .options(so.contains_eager(Claim.speaker), so.joinedload(Claim.article).load_only(
            Article.id, Article.title, Article.url, Article.publisher, Article.published_at),
            so.joinedload(Claim.assignee))
    )
    return apply_filters(stmt, filters).order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def apply_filters(stmt: sa.Select, filters: ClaimFilters) -> sa.Select:
    """Add the WHERE clauses of ``filters`` to a SELECT that already joins Speaker."""
    if filters.status:
        stmt = stmt.where(Claim.status.in_(filters.status))
    if filters.kind:
        stmt = stmt.where(Claim.kind.in_(filters.kind))
    if filters.speaker_id:
        stmt = stmt.where(Claim.speaker_id == filters.speaker_id)
    if filters.speaker:
        stmt = stmt.where(Speaker.name.ilike(f"%{_escape_like(filters.speaker)}%", escape="\\"))
    if filters.article_id:
        stmt = stmt.where(Claim.article_id == filters.article_id)
    if filters.assignee_id:
        stmt = stmt.where(Claim.assignee_id == filters.assignee_id)
    if filters.unassigned:
        stmt = stmt.where(Claim.assignee_id.is_(None))
    if filters.review_for:
        pending = sa.select(Verdict.id).where(
            Verdict.claim_id == Claim.id, Verdict.state == "proposed",
            Verdict.proposed_by_id != filters.review_for,
        )
        stmt = stmt.where(Claim.status == "in_review", pending.exists())
    if filters.q:
        for term in filters.q.split()[:10]:
            pattern = f"%{_escape_like(term)}%"
            stmt = stmt.where(sa.or_(Claim.content.ilike(pattern, escape="\\"),
                                     Speaker.name.ilike(pattern, escape="\\")))
    if filters.since:
        stmt = stmt.where(Claim.created_at >= datetime.combine(filters.since, datetime.min.time()))
    if filters.until:
        stmt = stmt.where(Claim.created_at < datetime.combine(filters.until + timedelta(days=1), datetime.min.time()))
    if filters.hide_duplicates:
        stmt = stmt.where(Claim.duplicate_of_id.is_(None))
    return stmt


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class Page:
    items: Sequence[Claim]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_claims(filters: ClaimFilters, *, page: int = 1, per_page: int = 50) -> Page:
    """One page of claims matching ``filters`` and the total count."""
    per_page = max(1, min(per_page, 200))
    page = max(1, page)
    count_stmt = apply_filters(
        sa.select(sa.func.count(Claim.id)).select_from(Claim).outerjoin(Speaker, Claim.speaker_id == Speaker.id),
        filters,
    )
    total = db.session.scalar(count_stmt) or 0
    stmt = claims_select(filters).options(so.selectinload(Claim.verdicts))  # the queue shows verdicts
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def desk_users() -> list[User]:
    """Active users, for assignee pickers."""
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)))
