"""Read side of the desk: the filtered, sorted claim list that the queue, API and export share."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Optional, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.ids import parse_id
from app.models import CLAIM_KINDS, CLAIM_STATUSES, Article, Claim, Speaker, User, Verdict
from app.workflow.rules import OPEN_STATUSES, can_review

SORTS = {
    # What to check first (app/priority): check-worthiness; repeats and claims already checked lower.
    "priority": (Claim.priority.desc(), Claim.id.desc()),
    # Newest articles first, each article's claims in reading order.
    "newest": (Claim.article_id.desc(), Claim.start.asc(), Claim.id.asc()),
    "oldest": (Claim.article_id.asc(), Claim.start.asc(), Claim.id.asc()),
    "updated": (Claim.updated_at.desc(), Claim.id.desc()),
    "speaker": (Speaker.name.asc(), Claim.id.asc()),
    "status": (Claim.status.asc(), Claim.id.desc()),
    # New work first: repeats (of a quote already in the desk, e.g. in a wire copy's original) last.
    "repeats_last": (sa.case((Claim.duplicate_of_id.is_(None), 0), else_=1), Claim.article_id.desc(),
                     Claim.start.asc(), Claim.id.asc()),
    # Soonest due first; claims without a due date after them.
    "due": (Claim.due_date.is_(None).asc(), Claim.due_date.asc(), Claim.id.asc()),
}
SORT_LABELS = {
    "priority": "Priority", "newest": "Newest first", "oldest": "Oldest first", "updated": "Recently updated",
    "speaker": "By speaker", "status": "By status", "repeats_last": "New work first, repeats last",
    "due": "Due date",
}

DEFAULT_SORT = "priority"

MAX_PAGE = 1_000_000

# The queue's views: a title and the filters they preset (the query string adds to them).
VIEWS = {
    "all": ("Review queue", {}),
    "mine": ("My claims", {"assignee": "me", "status": list(OPEN_STATUSES)}),
    "review": ("Waiting for my review", {"review": "me"}),
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
    already_checked: Optional[bool] = None  # True: only claims flagged "already checked"; False: only others
    match_nothing: bool = False  # e.g. "waiting for my review" for someone who does not review
    sort: str = DEFAULT_SORT

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
            return parse_id(args.get(name))

        def day(name: str) -> Optional[date]:
            try:
                value = date.fromisoformat(str(args.get(name) or ""))
            except ValueError:
                return None
            return value if date(1900, 1, 1) <= value <= date(9000, 1, 1) else None

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
            already_checked=_flag(args.get("already_checked")),
            sort=str(args.get("sort") or DEFAULT_SORT) if str(args.get("sort") or DEFAULT_SORT) in SORTS else DEFAULT_SORT,
        )
        if assignee == "me" and current_user_id:
            filters.assignee_id = current_user_id
        elif assignee == "none":
            filters.unassigned = True
        elif parse_id(assignee):
            filters.assignee_id = parse_id(assignee)
        elif assignee.isdecimal():  # a number no user has (beyond the id column)
            filters.match_nothing = True
        if str(args.get("review") or "") in ("me", "1") and current_user_id:
            filters.review_for = current_user_id
        return filters

    @classmethod
    def for_view(cls, view: str, args: Mapping[str, Any], *, user) -> tuple[str, "ClaimFilters"]:
        """(title, filters) of a queue view for ``user``, the query string's filters added.

        The queue page, its CSV export and the API all read the desk through this."""
        title, preset = VIEWS.get(view, VIEWS["all"])
        if hasattr(args, "to_dict"):
            args = {k: v if len(v) > 1 else v[0] for k, v in args.to_dict(flat=False).items()}
        args = {**preset, **args}
        filters = cls.from_args(args, current_user_id=user.id)
        if view == "review" and not can_review(user):
            filters.match_nothing = True
        return title, filters

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
    return apply_filters(stmt, filters).order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def apply_filters(stmt: sa.Select, filters: ClaimFilters, *, live_only: bool = True) -> sa.Select:
    """Add the WHERE clauses of ``filters`` to a SELECT that already joins Speaker; with
    ``live_only`` (always, but for the planner's estimate) claims a correction removed or
    merged away are left out."""
    if filters.match_nothing:
        return stmt.where(sa.false())
    if live_only:
        stmt = stmt.where(Claim.removed_at.is_(None))
    if filters.status:
        stmt = stmt.where(Claim.status.in_(filters.status))
    if filters.kind:
        stmt = stmt.where(Claim.kind.in_(filters.kind))
    if filters.speaker_id:
        stmt = stmt.where(Claim.speaker_id == filters.speaker_id)
    if filters.speaker:
        stmt = stmt.where(Speaker.name.ilike(f"%{escape_like(filters.speaker)}%", escape="\\"))
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
            stmt = stmt.where(Claim.id.in_(_matching_claim_ids(term)))
    if filters.since:
        stmt = stmt.where(Claim.created_at >= datetime.combine(filters.since, datetime.min.time()))
    if filters.until:
        stmt = stmt.where(Claim.created_at < datetime.combine(filters.until + timedelta(days=1), datetime.min.time()))
    if filters.hide_duplicates:
        stmt = stmt.where(Claim.duplicate_of_id.is_(None))
    if filters.already_checked is True:
        stmt = stmt.where(Claim.checked_kind.is_not(None))
    elif filters.already_checked is False:
        stmt = stmt.where(Claim.checked_kind.is_(None))
    return stmt


def _flag(value: Any) -> Optional[bool]:
    """``true``/``1`` -> True, ``false``/``0`` -> False, anything else (or nothing) -> None."""
    text = str(value or "").strip().lower()
    return True if text in ("1", "true", "yes", "on") else False if text in ("0", "false", "no", "off") else None


def _matching_claim_ids(term: str) -> sa.CompoundSelect:
    """Ids of claims whose text or speaker's name contains ``term`` (any case).

    A UNION of the two sides rather than one OR across the join: each side can then use
    its own index (the pg_trgm GIN indexes on PostgreSQL, migration d22a44a75836)."""
    pattern = f"%{escape_like(term)}%"
    return sa.union(
        sa.select(Claim.id).where(Claim.content.ilike(pattern, escape="\\")),
        sa.select(Claim.id).join(Speaker, Claim.speaker_id == Speaker.id)
        .where(Speaker.name.ilike(pattern, escape="\\")),
    )


def escape_like(term: str) -> str:
    """``term`` with LIKE wildcards escaped (use with ``escape="\\"``)."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class Page:
    items: Sequence[Claim]
    total: int
    page: int
    per_page: int
    total_is_estimate: bool = False  # the planner's row estimate, for very long lists

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(stmt: sa.Select, *, page: int, per_page: int, order_by: Sequence[Any],
             options: Sequence[Any] = ()) -> Page:
    """One page of the rows ``stmt`` selects (exact count; ``per_page`` brought within 1-200,
    ``page`` within the pages there are): the paging the desk's shorter lists share."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    per_page = max(1, min(per_page, 200))
    page = max(1, min(page or 1, max(1, math.ceil(total / per_page))))
    items = list(db.session.scalars(stmt.order_by(*order_by).offset((page - 1) * per_page).limit(per_page)
                                    .options(*options)))
    return Page(items, total, page, per_page)


def search_claims(filters: ClaimFilters, *, page: int = 1, per_page: int = 50,
                  estimate_above: Optional[int] = None) -> Page:
    """One page of claims matching ``filters`` and the total count.

    With ``estimate_above`` (PostgreSQL only), a total the planner expects to be larger than
    that is its estimate rather than an exact count(*): counting 100k rows costs more than
    the rest of the queue page, and "about 100,000" is all a reader of that number needs.
    """
    per_page = max(1, min(per_page, 200))
    page = max(1, min(page, MAX_PAGE))
    total, estimated = count_claims(filters, estimate_above=estimate_above)
    stmt = claims_select(filters).options(  # the queue shows verdicts and "already checked" matches
        so.selectinload(Claim.verdicts), so.selectinload(Claim.checked_factcheck),
        so.selectinload(Claim.checked_claim).selectinload(Claim.verdicts))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=items, total=total, page=page, per_page=per_page, total_is_estimate=estimated)


def count_claims(filters: ClaimFilters, *, estimate_above: Optional[int] = None) -> tuple[int, bool]:
    """(number of claims matching ``filters``, whether it is the planner's estimate)."""
    claims = sa.select(Claim.id).select_from(Claim).outerjoin(Speaker, Claim.speaker_id == Speaker.id)
    matching = apply_filters(claims, filters)
    if estimate_above:
        # Removed claims are few, and a fresh table has no statistics on removed_at (the
        # planner would guess 0.5% of rows are NULL): estimate without that condition.
        estimate = planner_rows(apply_filters(claims, filters, live_only=False))
        if estimate is not None and estimate > estimate_above:
            return estimate, True
    return db.session.scalar(sa.select(sa.func.count()).select_from(matching.subquery())) or 0, False


def planner_rows(stmt: sa.Select) -> Optional[int]:
    """PostgreSQL's estimate of the rows ``stmt`` returns (EXPLAIN, nothing is run); None elsewhere."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return None
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def claims_of_article(article_id: int) -> list[Claim]:
    """An article's live claims in reading order, speakers loaded (for highlighting): a claim a
    correction removed or merged away is not highlighted any more."""
    return list(db.session.scalars(sa.select(Claim).where(Claim.article_id == article_id, Claim.removed_at.is_(None))
                                   .options(so.selectinload(Claim.speaker)).order_by(Claim.start, Claim.id)))


def desk_users() -> list[User]:
    """Active users, for assignee pickers."""
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)))


def next_open_claim_id(claim: Claim) -> Optional[int]:
    """The claim after ``claim`` in the queue's default order (newest article first, each in
    reading order) that is still open, wrapping round to the first; None when none is."""
    after = sa.or_(Claim.article_id < claim.article_id,
                   sa.and_(Claim.article_id == claim.article_id,
                           sa.or_(Claim.start > claim.start, sa.and_(Claim.start == claim.start, Claim.id > claim.id))))
    stmt = (sa.select(Claim.id).where(Claim.status.in_(OPEN_STATUSES), Claim.removed_at.is_(None), Claim.id != claim.id)
            .order_by(*SORTS["newest"]))
    return db.session.scalar(stmt.where(after).limit(1)) or db.session.scalar(stmt.limit(1))
