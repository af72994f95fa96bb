"""Monitored sources: admins add feeds, sitemaps and front pages; the queue's periodic task
polls each when due and every new item becomes an ingest job (``app.tasks.submit_job``, the
path every ingest takes).

A poll (``poll_source``):

1. takes the source's lease (one poll per source at a time, whatever the number of consumers);
2. reads the host's robots.txt (a missing one allows all; one that cannot be read keeps the
   desk out) and stops if the source itself is disallowed;
3. fetches the feed / sitemap / front page through the SSRF-safe fetcher, conditionally
   (ETag / Last-Modified): a 304 means nothing new;
4. keeps the items not seen before, at most ``CLAIMDESK_SOURCE_MAX_ITEMS`` (newest first for
   feeds; the rest wait for the next poll, a minute later and unconditional), records each
   as a ``SourceItem`` and submits an ingest job for those robots.txt allows;
5. records the outcome (last poll, next poll, items seen, last error) and frees the lease.

Every request to a host waits for its slot (``pace``): at least
``CLAIMDESK_FETCH_HOST_INTERVAL`` seconds apart across all processes (table ``fetch_hosts``),
or longer when robots.txt asks for a crawl delay. Writes by people are admin-only and audited.
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Optional

import sqlalchemy as sa
from flask import current_app

from app.database import begin_write
from app.errors import DomainError, FetchFailed, FetchRefused, Forbidden, Invalid, NotFound
from app.extensions import db
from app.ingest.fetch import FetchSettings, fetch_document, fetch_html
from app.ingest.service import BUSY_MESSAGE, Metadata, fetch_settings
from app.links import is_web_url
from app.ingest.pacing import pace
from app.models import Job, Source, SourceItem, User, utcnow
from app.models.sources import SOURCE_KINDS
from app.sources import parse
from app.transaction import rollback_on_error
from app.workflow.audit import record
from app.workflow.rules import can_manage_sources

log = logging.getLogger(__name__)

MAX_CHILD_SITEMAPS = 3  # child sitemaps of a sitemap index read per poll
EDITABLE = ("name", "url", "kind", "every_minutes", "paused")


class SourceError(DomainError):
    """A poll that could not read its source (the message is shown as the source's last error)."""

    code, status = "source_error", 422


@dataclass
class PollOutcome:
    source_id: int
    polled: bool  # False: another poll holds the source, or it is gone
    not_modified: bool = False
    new_items: int = 0
    queued: int = 0
    skipped: int = 0
    error: Optional[str] = None
    left: int = 0  # new items beyond this poll's limit, left for the next poll
    job_ids: list[str] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------


def get_source(source_id: Any) -> Source:
    source = db.session.get(Source, source_id) if isinstance(source_id, int) else None
    if source is None:
        raise NotFound(f"Source {source_id} does not exist.")
    return source


def list_sources() -> list[Source]:
    return list(db.session.scalars(sa.select(Source).order_by(Source.name, Source.id)))


def articles_ingested(source_ids: list[int]) -> dict[int, int]:
    """How many of each source's items became an article."""
    if not source_ids:
        return {}
    rows = db.session.execute(
        sa.select(SourceItem.source_id, sa.func.count(SourceItem.id))
        .join(Job, Job.id == SourceItem.job_id)
        .where(SourceItem.source_id.in_(source_ids), Job.article_id.is_not(None))
        .group_by(SourceItem.source_id))
    counts = {source_id: 0 for source_id in source_ids}
    counts.update({source_id: n for source_id, n in rows})
    return counts


def recent_items(source_id: int, limit: int = 50) -> list[SourceItem]:
    return list(db.session.scalars(sa.select(SourceItem).where(SourceItem.source_id == source_id)
                                   .options(sa.orm.selectinload(SourceItem.job))
                                   .order_by(SourceItem.seen_at.desc(), SourceItem.id.desc()).limit(limit)))


def snapshot(source: Source) -> dict[str, Any]:
    """What the history records of a source."""
    return {"source_id": source.id, "name": source.name, "url": source.url, "kind": source.kind,
            "every_minutes": source.every_minutes, "paused": source.paused}


# --- admins' changes ------------------------------------------------------------------------------


def require_admin(user: Optional[User]) -> None:
    """Forbidden unless ``user`` may add, change, poll and remove sources."""
    if user is None or not can_manage_sources(user):
        raise Forbidden("Only admins add, change or remove sources.")


def _clean(values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The fields of a create or change, checked; unknown fields are refused."""
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise Invalid(f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                      f"A source has {', '.join(EDITABLE)}.", field=unknown[0])
    out: dict[str, Any] = {}
    if "url" in values or creating:
        url = values.get("url")
        if not isinstance(url, str) or not url.strip():
            raise Invalid("Give the source's address (url).", field="url")
        url = url.strip()
        if not is_web_url(url) or len(url) > 2000:
            raise Invalid("The source's address must start with http:// or https:// (2,000 characters at most).",
                          field="url")
        out["url"] = url
    if "kind" in values or creating:
        kind = values.get("kind")
        if kind not in SOURCE_KINDS:
            raise Invalid(f"kind must be one of {', '.join(SOURCE_KINDS)}.", field="kind")
        out["kind"] = kind
    if "name" in values:
        name = values["name"]
        if name is not None and not isinstance(name, str):
            raise Invalid("name must be a string.", field="name")
        out["name"] = (name or "").strip()[:200] or None
    if "every_minutes" in values:
        every = values["every_minutes"]
        if every is None and creating:
            pass
        elif type(every) is not int or not 1 <= every <= 7 * 24 * 60:
            raise Invalid("every_minutes must be a whole number of minutes from 1 to 10080 (a week).",
                          field="every_minutes")
        else:
            out["every_minutes"] = every
    if "paused" in values:
        if not isinstance(values["paused"], bool):
            raise Invalid("paused must be true or false.", field="paused")
        out["paused"] = values["paused"]
    return out


def create_source(*, user: Optional[User], url: Any, kind: Any, name: Any = None,
                  every_minutes: Any = None) -> Source:
    """Add a source (admins); its first poll is due at once."""
    require_admin(user)
    values = _clean({"url": url, "kind": kind, "name": name, "every_minutes": every_minutes}, creating=True)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        source = Source(url=values["url"], kind=values["kind"],
                        name=values.get("name") or parse.display_name(values["url"]),
                        every_minutes=values.get("every_minutes") or _default_every(),
                        paused=False, next_poll_at=utcnow(), created_by_id=user.id)
        db.session.add(source)
        db.session.flush()
        record("source_added", user=user, after=snapshot(source))
        db.session.commit()
    return source


def update_source(source_id: int, *, user: Optional[User], changes: dict[str, Any]) -> Source:
    """Change a source's name, address, kind, interval or pause it (admins)."""
    require_admin(user)
    values = _clean(changes, creating=False)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        source = get_source(source_id)
        before = snapshot(source)
        if values.get("name", "") is None:
            values["name"] = parse.display_name(values.get("url", source.url))
        for name, value in values.items():
            setattr(source, name, value)
        if "url" in values or "kind" in values:  # another document: forget what the old one said
            source.etag = source.last_modified = source.feed_url = None
        if "every_minutes" in values and source.last_polled_at is not None:
            source.next_poll_at = source.last_polled_at + timedelta(minutes=source.every_minutes)
        if values.get("paused") is False and before["paused"]:
            source.next_poll_at = min(source.next_poll_at or utcnow(), utcnow())
        after = snapshot(source)
        if after != before:
            record("source_changed", user=user, before=before, after=after)
        db.session.commit()
    return source


def delete_source(source_id: int, *, user: Optional[User]) -> None:
    """Remove a source and its list of seen items (admins); its articles stay."""
    require_admin(user)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        source = get_source(source_id)
        record("source_removed", user=user, before=snapshot(source))
        db.session.delete(source)
        db.session.commit()


def request_poll(source_id: int, *, user: Optional[User]) -> str:
    """Poll now (admins): queued for a consumer, or run here when jobs run in-process
    (embedded queue, no consumer alive). Returns ``queued`` or ``done``."""
    from app.tasks.jobs import runs_in_process

    require_admin(user)
    source = get_source(source_id)
    record_poll_request = {"source_id": source.id, "name": source.name}
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        record("source_poll_requested", user=user, after=record_poll_request)
        db.session.commit()
    if runs_in_process():
        poll_source(source_id, owner=owner_id())
        return "done"
    from app.tasks import enqueue

    enqueue(POLL_TASK, source_id)
    return "queued"


# --- polling ------------------------------------------------------------------------------------

POLL_TASK = "sources.poll"
DUE_TASK = "sources.due"


def _default_every() -> int:
    return int(current_app.config.get("CLAIMDESK_SOURCE_EVERY_MINUTES", 30))


def owner_id() -> str:
    """A name for this process as a poll's lease holder."""
    return f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"[:100]


def due_sources(now: Optional[datetime] = None) -> list[int]:
    """Ids of the sources whose next poll is due and that no poll holds."""
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(Source.id).where(~Source.paused, Source.next_poll_at <= now,
                                   sa.or_(Source.lease_until.is_(None), Source.lease_until < now))
        .order_by(Source.next_poll_at, Source.id)))


def poll_due() -> list[int]:
    """The periodic task's body: a poll of each due source, queued (or run here when jobs
    run in-process). Returns the source ids."""
    from app.tasks import enqueue
    from app.tasks.jobs import runs_in_process

    due = due_sources()
    db.session.rollback()
    for source_id in due:
        if runs_in_process():
            poll_source(source_id, owner=owner_id())
        else:
            enqueue(POLL_TASK, source_id)
    return due


def _take_lease(source_id: int, owner: str) -> bool:
    now = utcnow()
    seconds = float(current_app.config.get("CLAIMDESK_SOURCE_LEASE_SECONDS", 600))
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        taken = db.session.execute(
            sa.update(Source).where(Source.id == source_id,
                                    sa.or_(Source.lease_until.is_(None), Source.lease_until < now))
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=seconds))).rowcount
        db.session.commit()
    return bool(taken)


def poll_source(source_id: int, *, owner: str) -> PollOutcome:
    """One poll of a source (see the module docstring); never raises for the source's own
    failures: they become its ``last_error``."""
    if not _take_lease(source_id, owner):
        return PollOutcome(source_id, polled=False)
    outcome = PollOutcome(source_id, polled=True)
    found: dict[str, Any] = {}
    try:
        source = get_source(source_id)
        _read(source, found)
        db.session.rollback()
        if not found.get("not_modified"):
            _submit_new(source_id, found["items"], found["robots"], outcome)
        outcome.not_modified = bool(found.get("not_modified"))
    except DomainError as exc:
        db.session.rollback()
        outcome.error = exc.message
        log.info("source %s: poll failed: %s", source_id, exc.message)
    except Exception as exc:  # noqa: BLE001 - a bug must not keep the lease until it expires
        db.session.rollback()
        outcome.error = f"The poll failed unexpectedly ({exc.__class__.__name__}); the error is in the log."
        log.exception("source %s: poll failed", source_id)
    _finish(source_id, owner, outcome, found)
    return outcome


def _finish(source_id: int, owner: str, outcome: PollOutcome, found: dict[str, Any]) -> None:
    now = utcnow()
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        source = db.session.get(Source, source_id)
        if source is None:
            db.session.rollback()
            return
        source.polls += 1
        source.last_polled_at = now
        # Items left beyond the limit: poll again in a minute, and fetch in full (a conditional
        # request would answer 304 while they wait).
        source.next_poll_at = now + timedelta(minutes=1 if outcome.left else source.every_minutes)
        source.items_seen += outcome.new_items
        if found.get("feed_url"):
            source.feed_url = found["feed_url"][:2000]
        elif found.get("forget_feed"):
            source.feed_url = None
        if "items" in found and not found.get("not_modified") and not outcome.error:
            source.etag = None if outcome.left else (found.get("etag") or None) and found["etag"][:500]
            source.last_modified = None if outcome.left else (found.get("last_modified") or None) and \
                found["last_modified"][:100]
        if outcome.error:
            source.last_error, source.last_error_at = outcome.error, now
        else:
            source.last_error = None
        if source.lease_owner == owner:
            source.lease_owner, source.lease_until = None, None
        db.session.commit()


class RobotsCache:
    """robots.txt per host for one poll, and the pacing it asks for."""

    def __init__(self) -> None:
        self._rules: dict[str, parse.Robots] = {}
        self.settings: FetchSettings = replace(fetch_settings(), before_request=self.pace)
        self.agent = self.settings.user_agent.split("/")[0]

    def rules(self, url: str) -> parse.Robots:
        key = parse.robots_url(url)
        if key not in self._rules:
            try:
                document = fetch_document(key, self.settings, types=parse.ROBOTS_TYPES)
                self._rules[key] = parse.Robots(document.text)
            except FetchFailed as exc:
                status = int(exc.details.get("remote_status") or 500)
                self._rules[key] = parse.Robots.allow_all() if 400 <= status < 500 else parse.Robots.deny_all()
            except FetchRefused as exc:
                if exc.details.get("content_type") is not None:  # served, but not as text: no rules
                    self._rules[key] = parse.Robots.allow_all()
                else:
                    raise SourceError(f"robots.txt of {parse.host_of(url)} could not be read: {exc.message}") from None
        return self._rules[key]

    def allowed(self, url: str) -> bool:
        return self.rules(url).allowed(url, self.agent)

    def pace(self, host: str) -> None:
        delay = None
        for key, rules in self._rules.items():
            if parse.host_of(key) == host:
                delay = rules.crawl_delay(self.agent)
        pace(host, at_least=delay)


def _read(source: Source, found: dict[str, Any]) -> None:
    """Fetch and read the source into ``found``: "items", "robots", "etag", "last_modified",
    "feed_url", "not_modified" ("forget_feed" when a page's feed is gone). Raises SourceError /
    FetchRefused with the reason."""
    robots = RobotsCache()
    if not robots.allowed(source.url):
        raise SourceError(f"robots.txt of {parse.host_of(source.url)} does not allow the desk to read {source.url}.")
    found.update(robots=robots)
    document_url, validators = source.url, (source.etag, source.last_modified)
    if source.kind == "page":
        if source.feed_url:
            document_url = source.feed_url
        else:
            page = fetch_html(source.url, robots.settings)
            feeds = [u for u in parse.discover_feeds(page.html, page.url) if robots.allowed(u)]
            if not feeds:
                raise SourceError(f"No RSS or Atom feed is announced on {source.url}: add its feed or sitemap "
                                  "as the source instead.")
            document_url, validators = feeds[0], (None, None)
            found["feed_url"] = document_url
    types = parse.SITEMAP_TYPES if source.kind == "sitemap" else parse.FEED_TYPES
    try:
        document = fetch_document(document_url, robots.settings, types=types, etag=validators[0],
                                  last_modified=validators[1])
    except FetchFailed:
        if source.kind == "page" and "feed_url" not in found:
            found["forget_feed"] = True  # the page's feed moved: look for it on the page next time
        raise
    found["etag"], found["last_modified"] = document.etag, document.last_modified
    if document.not_modified:
        found["not_modified"] = True
        return
    if source.kind == "sitemap":
        items, children = parse.sitemap_links(document.text, document.url)
        for child in children[:MAX_CHILD_SITEMAPS]:
            if robots.allowed(child):
                more, _ = parse.sitemap_links(
                    fetch_document(child, robots.settings, types=parse.SITEMAP_TYPES).text, child)
                items.extend(more)
        if not items and not children:
            raise SourceError(f"{document_url} lists no pages: is it a sitemap?")
    else:
        try:
            items = parse.feed_items(document.text, document.url)
        except parse.NotAFeed as exc:
            raise SourceError(str(exc)) from None
    found["items"] = items


def _sha1(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def _submit_new(source_id: int, items: list[parse.Item], robots: RobotsCache, outcome: PollOutcome) -> None:
    """Record the items not seen before (at most N) and submit an ingest job for each."""
    from app.tasks.jobs import IngestRequest, create_job, run_job, runs_in_process, send

    limit = int(current_app.config.get("CLAIMDESK_SOURCE_MAX_ITEMS", 20))
    unique = list({_sha1(item.url): item for item in reversed(items)}.items())[::-1]  # first of each address
    seen = set(db.session.scalars(sa.select(SourceItem.url_sha1).where(
        SourceItem.source_id == source_id, SourceItem.url_sha1.in_([sha for sha, _ in unique]))))
    unseen = [(sha, item) for sha, item in unique if sha not in seen]
    new, outcome.left = unseen[:limit], max(0, len(unseen) - limit)
    source_name = db.session.scalar(sa.select(Source.name).where(Source.id == source_id))
    for sha, item in new:
        allowed = robots.allowed(item.url)
        with rollback_on_error(BUSY_MESSAGE):
            begin_write()
            row = SourceItem(source_id=source_id, url=item.url[:2000], url_sha1=sha, title=item.title,
                             published_at=item.published_at, status="queued" if allowed else "skipped",
                             note=None if allowed else "robots.txt does not allow it", seen_at=utcnow())
            db.session.add(row)
            try:
                db.session.commit()
            except sa.exc.IntegrityError:  # recorded meanwhile (a poll whose lease had expired)
                db.session.rollback()
                continue
            item_id = row.id
        outcome.new_items += 1
        if not allowed:
            outcome.skipped += 1
            continue
        request = IngestRequest(url=item.url, source="source", metadata=Metadata(
            title=item.title, publisher=source_name, published_at=item.published_at))
        job_id = create_job(request).id
        _attach(item_id, job_id)
        outcome.job_ids.append(job_id)
        outcome.queued += 1
        if runs_in_process():  # embedded queue, no consumer: as submit_job does (a failure stays on the job)
            run_job(job_id, consumer_id=None)
        else:
            send(job_id)


def _attach(item_id: int, job_id: str) -> None:
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        db.session.execute(sa.update(SourceItem).where(SourceItem.id == item_id).values(job_id=job_id))
        db.session.commit()
