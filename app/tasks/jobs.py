"""Ingest jobs: every ingest (web form, API, CLI, URL, source item) is a Job row plus a
queue message carrying its id; a consumer runs it through ``app.ingest.submit``.

- ``submit_job``: what the web form, the API and the CLI call. It stores the job, then runs
  it in-process (embedded SQLite queue and no consumer alive: ``flask run`` alone works)
  or enqueues it and waits up to ``wait`` seconds.
- ``run_job``: one try. A job is claimed (queued -> running) by one runner at a time; the
  article and the job's ``done`` are committed in one transaction, so a run killed midway
  leaves both undone and the next run stores the article exactly once.
- A passing failure (database busy or gone, a page that answered 5xx, an unexpected error)
  is tried again after ``CLAIMDESK_JOB_RETRY_DELAY`` x 1, 2 ... seconds, up to
  ``CLAIMDESK_JOB_TRIES`` tries; a refusal (empty text, duplicate, refused address ...)
  fails at once. Either way the job keeps its error.
- ``reap``: run by every consumer with its heartbeat: jobs held by a consumer that stopped
  beating are queued again, and queued jobs whose message was lost (Redis restarted with
  nothing kept) are enqueued again.
"""
from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional, Sequence

import sqlalchemy as sa
from flask import current_app

from app.database import begin_write
from app.errors import Busy, DomainError, DuplicateArticle, FetchFailed, NotFound
from app.extensions import db
from app.ingest.service import Metadata, Upload, parsed_together, submission_kind, submit
from app.models import Article, Claim, Consumer, Job, utcnow
from app.tasks.huey import enqueue, get_huey, queue_is_embedded, task
from app.transaction import rollback_on_error

log = logging.getLogger(__name__)

RUN_TASK = "jobs.run"
BUSY_MESSAGE = "The desk was busy; the job was not stored. Try again."


@dataclass(frozen=True)
class IngestRequest:
    """What ``submit`` takes, as plain values a job row can keep."""

    text: Optional[str] = None
    upload: Optional[Upload] = None
    url: Optional[str] = None
    metadata: Metadata = Metadata()
    user_id: Optional[int] = None
    source: Optional[str] = None

    @property
    def kind(self) -> str:
        return submission_kind(text=self.text, upload=self.upload, url=self.url)

    def label(self) -> str:
        """What the jobs page names it by: title, file name, address, or the text's start."""
        if self.metadata.title:
            return self.metadata.title[:500]
        if self.upload is not None:
            return (self.upload.filename or "upload")[:500]
        if self.kind == "url":
            return (self.url or "")[:500]
        return " ".join((self.text or "").split())[:80]


# --- creating and waiting -----------------------------------------------------------------


def create_job(request: IngestRequest) -> Job:
    """Store a queued job holding everything ``submit`` needs (nothing is enqueued)."""
    meta = {"title": request.metadata.title, "publisher": request.metadata.publisher,
            "published_at": request.metadata.published_at.isoformat() if request.metadata.published_at else None}
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        job = Job(id=secrets.token_hex(16), status="queued", source=request.source or request.kind,
                  label=request.label(), text=request.text, url=(request.url or "").strip()[:2000] or None,
                  data=request.upload.data if request.upload else None,
                  filename=request.upload.filename[:255] if request.upload else None,
                  content_type=request.upload.content_type if request.upload else None,
                  meta=meta, user_id=request.user_id, created_at=utcnow(), updated_at=utcnow())
        db.session.add(job)
        db.session.commit()
    return job


def runs_in_process() -> bool:
    """True when a job should run in the caller's process: the embedded (SQLite) queue and
    no consumer seen alive lately. With Redis, jobs always go to the consumers."""
    return queue_is_embedded() and not consumers_alive()


def submit_job(request: IngestRequest, *, wait: Optional[float] = None) -> Job:
    """Store the job and run it in-process or enqueue it and wait up to ``wait`` seconds
    (default ``CLAIMDESK_INGEST_WAIT``). Returns the job as it stands then.

    Raises:
        the job's own error (``job_error``) when it ran in-process and failed;
        QueueUnavailable when the queue did not answer (the job is failed with it).
    """
    job = create_job(request)
    if runs_in_process():
        run_job(job.id, consumer_id=None, reraise=True)
        return get_job(job.id)
    send(job.id)
    wait = current_app.config["CLAIMDESK_INGEST_WAIT"] if wait is None else wait
    return wait_for(job.id, wait)


def send(job_id: str, *, delay: Optional[float] = None) -> None:
    """Enqueue a run of the job; a queue that does not answer fails the job with that error."""
    try:
        enqueue(RUN_TASK, job_id, delay=delay)
    except DomainError as exc:
        _finish_failed(job_id, exc)
        raise


def get_job(job_id: str) -> Job:
    """The job as committed now (never a stale copy from this session).

    Raises:
        NotFound: no such job.
    """
    db.session.rollback()  # a new snapshot: another process may have moved the job
    job = db.session.get(Job, job_id, populate_existing=True) if isinstance(job_id, str) and job_id else None
    if job is None:
        raise NotFound(f"There is no job {job_id!r}.")
    return job


def wait_for(job_id: str, timeout: float) -> Job:
    """The job once it is done or failed, or as it stands after ``timeout`` seconds."""
    deadline = time.monotonic() + max(0.0, timeout)
    pause = 0.05
    while True:
        job = get_job(job_id)
        if job.finished or time.monotonic() >= deadline:
            return job
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 1.5, 0.5)


def wait_for_all(job_ids: Sequence[str], *, on_finished=lambda job: None, poll: float = 0.3) -> list[Job]:
    """Wait until every job is done or failed, calling ``on_finished`` once for each."""
    pending, finished = list(job_ids), {}
    while pending:
        db.session.rollback()
        rows = db.session.scalars(sa.select(Job).where(Job.id.in_(pending)).execution_options(
            populate_existing=True)).all()
        for job in rows:
            if job.finished:
                finished[job.id] = job
                on_finished(job)
        pending = [job_id for job_id in pending if job_id not in finished]
        if pending:
            time.sleep(poll)
    return [finished[job_id] for job_id in job_ids]


def job_error(job: Job) -> DomainError:
    """The failed job's error as the domain error it was (for the 4xx/5xx answer of today)."""
    details = dict(job.error_details or {})
    if job.error_code == DuplicateArticle.code and "existing_id" in details:
        return DuplicateArticle(job.error_message or "", details.pop("existing_id"), **details)
    error = DomainError(job.error_message or "The job failed.", **details)
    error.code, error.status = job.error_code or "error", job.error_status or 500
    return error


def job_claim_ids(job: Job) -> list[int]:
    """The ids of the claims the done job stored, in reading order."""
    return list(db.session.scalars(sa.select(Claim.id).where(Claim.article_id == job.article_id).order_by(Claim.id)))


def recent_jobs(limit: int = 100) -> list[Job]:
    """The latest jobs first, for the jobs page."""
    return list(db.session.scalars(sa.select(Job).options(sa.orm.defer(Job.text), sa.orm.defer(Job.data))
                                   .order_by(Job.created_at.desc()).limit(limit)))


# --- running ------------------------------------------------------------------------------


@task(RUN_TASK)
def run_queued_job(job_id: str) -> None:
    """The queue's task: one try of the job, by this consumer, together with up to
    ``CLAIMDESK_JOB_BATCH`` - 1 other queued text jobs (see ``take_more``): their texts are
    parsed and their quotes encoded together, then each job runs on its own as before."""
    from app.tasks.consumer import current_consumer_id

    consumer_id = current_consumer_id()
    if not _claim(job_id, consumer_id):
        return
    batch = [job_id, *take_more(job_id, consumer_id)]
    if len(batch) == 1:
        run_claimed(job_id, consumer_id=consumer_id)
        return
    texts = list(db.session.scalars(sa.select(Job.text).where(Job.id.in_(batch))))
    db.session.rollback()
    with parsed_together(texts):
        for each in batch:
            try:
                run_claimed(each, consumer_id=consumer_id)
            except Exception:  # noqa: BLE001 - the queue did not answer a retry: the others still run
                db.session.rollback()
                log.exception("job %s: its run failed unrecorded; the next ones still run", each)


def take_more(job_id: str, consumer_id: Optional[str]) -> list[str]:
    """Claim for this consumer up to ``CLAIMDESK_JOB_BATCH`` - 1 more queued jobs of pasted
    text (``CLAIMDESK_JOB_BATCH_CHARS`` characters in all), oldest first; a job waiting for
    a retry, a file or an address is left to its own message. Their messages, when a
    consumer takes them, find them claimed and do nothing. Returns their ids."""
    room = int(current_app.config["CLAIMDESK_JOB_BATCH"]) - 1
    chars = int(current_app.config["CLAIMDESK_JOB_BATCH_CHARS"])
    if room <= 0:
        return []
    taken: list[str] = []
    try:
        with rollback_on_error(BUSY_MESSAGE):
            begin_write()
            rows = db.session.execute(
                sa.select(Job.id, sa.func.length(Job.text)).where(
                    Job.status == "queued", Job.attempts == 0, Job.text.is_not(None), Job.data.is_(None),
                    Job.id != job_id).order_by(Job.created_at, Job.id).limit(room)).all()
            now = utcnow()
            for other, length in rows:
                chars -= int(length or 0)
                if chars < 0:
                    break
                if db.session.execute(
                        sa.update(Job).where(Job.id == other, Job.status == "queued")
                        .values(status="running", consumer_id=consumer_id, attempts=Job.attempts + 1, started_at=now,
                                updated_at=now)).rowcount:
                    taken.append(other)
            db.session.commit()
    except DomainError:  # busy: run the one job alone
        return []
    return taken


def run_job(job_id: str, *, consumer_id: Optional[str], reraise: bool = False) -> Optional[str]:
    """One try of a job; returns its status afterwards, None when someone else holds it or
    it is finished already.

    Args:
        consumer_id: the consumer running it (None: the caller's own process).
        reraise: raise the failure (in-process runs: the caller answers with it, as before jobs).
    """
    if not _claim(job_id, consumer_id):
        return None
    return run_claimed(job_id, consumer_id=consumer_id, reraise=reraise)


def run_claimed(job_id: str, *, consumer_id: Optional[str], reraise: bool = False) -> str:
    """One try of a job this runner has claimed (``_claim``, ``take_more``); returns its
    status afterwards (see ``run_job``)."""
    job = db.session.get(Job, job_id)
    request = _request_of(job)
    attempts = job.attempts
    try:
        submit(text=request.text, upload=request.upload, url=request.url, metadata=request.metadata,
               user_id=request.user_id, source=job.source, on_stored=lambda article, claims: _mark_done(
                   job_id, article, claims))
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
        db.session.rollback()
        if isinstance(exc, DuplicateArticle) and _status(job_id) == "done":
            return "done"  # a run of this very job, reaped while alive, stored it first
        tries = int(current_app.config["CLAIMDESK_JOB_TRIES"])
        if consumer_id is not None and retryable(exc) and attempts < tries:
            delay = float(current_app.config["CLAIMDESK_JOB_RETRY_DELAY"]) * 2 ** (attempts - 1)
            log.warning("job %s: try %d of %d failed (%s); again in %.1f s", job_id, attempts, tries, exc, delay)
            _requeue(job_id, exc)
            send(job_id, delay=delay)
            return "queued"
        log.log(logging.INFO if isinstance(exc, DomainError) else logging.ERROR, "job %s failed: %s", job_id, exc,
                exc_info=not isinstance(exc, DomainError))
        _finish_failed(job_id, exc)
        if reraise:
            raise
        return "failed"
    return "done"


def retryable(exc: BaseException) -> bool:
    """Failures that may pass: a busy or unreachable database, a page that failed on its
    side (5xx) or did not answer, anything unexpected. Refusals of the input do not."""
    if isinstance(exc, Busy):
        return True
    if isinstance(exc, FetchFailed):
        status = exc.details.get("remote_status")
        return status is None or int(status) >= 500
    return not isinstance(exc, DomainError)


def _request_of(job: Job) -> IngestRequest:
    meta = job.meta or {}
    published = meta.get("published_at")
    return IngestRequest(
        text=job.text, url=job.url, user_id=job.user_id, source=job.source,
        upload=Upload(job.data, job.filename or "", job.content_type) if job.data is not None else None,
        metadata=Metadata(title=meta.get("title"), publisher=meta.get("publisher"),
                          published_at=datetime.fromisoformat(published) if published else None),
    )


def _claim(job_id: str, consumer_id: Optional[str]) -> bool:
    """queued -> running for this runner; False if it is running elsewhere or finished."""
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        now = utcnow()
        claimed = db.session.execute(
            sa.update(Job).where(Job.id == job_id, Job.status == "queued")
            .values(status="running", consumer_id=consumer_id, attempts=Job.attempts + 1, started_at=now,
                    updated_at=now)).rowcount
        db.session.commit()
    return bool(claimed)


def _status(job_id: str) -> Optional[str]:
    db.session.rollback()
    return db.session.scalar(sa.select(Job.status).where(Job.id == job_id))


def _mark_done(job_id: str, article: Article, claims: list[Claim]) -> None:
    """Inside the ingest transaction: the job is done with this article (its input dropped)."""
    now = utcnow()
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(
        status="done", article_id=article.id, claims=len(claims), finished_at=now, updated_at=now, text=None,
        data=None, error_code=None, error_message=None, error_status=None, error_details=None))


def _error_values(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, DomainError):
        details = {k: v for k, v in exc.details.items() if isinstance(v, (str, int, float, bool, type(None)))}
        return {"error_code": exc.code, "error_message": exc.message, "error_status": exc.status,
                "error_details": details or None}
    return {"error_code": "internal_error", "error_status": 500, "error_details": None,
            "error_message": f"The job failed unexpectedly ({exc.__class__.__name__}); the error is in the "
                             "consumer's log."}


def _requeue(job_id: str, exc: BaseException) -> None:
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(
            status="queued", consumer_id=None, updated_at=utcnow(), **_error_values(exc)))
        db.session.commit()


def _finish_failed(job_id: str, exc: BaseException) -> None:
    now = utcnow()
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        db.session.execute(sa.update(Job).where(Job.id == job_id, Job.status != "done").values(
            status="failed", finished_at=now, updated_at=now, **_error_values(exc)))
        db.session.commit()


# --- consumers: heartbeat and recovery ---------------------------------------------------------


def consumers_alive() -> int:
    """How many consumers beat within ``CLAIMDESK_CONSUMER_STALE`` seconds."""
    since = utcnow() - timedelta(seconds=float(current_app.config["CLAIMDESK_CONSUMER_STALE"]))
    return db.session.scalar(sa.select(sa.func.count(Consumer.id)).where(Consumer.seen_at >= since)) or 0


def beat(consumer_id: str, *, hostname: str, pid: int) -> None:
    """Record that the consumer is alive now."""
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        consumer = db.session.get(Consumer, consumer_id)
        if consumer is None:
            db.session.add(Consumer(id=consumer_id, hostname=hostname[:255], pid=pid, started_at=utcnow(),
                                    seen_at=utcnow()))
        else:
            consumer.seen_at = utcnow()
        db.session.commit()


def forget_consumer(consumer_id: str) -> None:
    """A consumer stopping cleanly: its row goes (its running jobs, if any, are reaped)."""
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        db.session.execute(sa.update(Consumer).where(Consumer.id == consumer_id).values(seen_at=datetime(2000, 1, 1)))
        db.session.commit()


def reap() -> list[str]:
    """Queue again the jobs of consumers that stopped beating, and the queued jobs whose
    message is gone from an empty queue. Returns the ids enqueued."""
    stale = float(current_app.config["CLAIMDESK_CONSUMER_STALE"])
    now = utcnow()
    since = now - timedelta(seconds=stale)
    dead = sa.select(Consumer.id).where(Consumer.seen_at < since)
    sent: list[str] = []
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        orphans = list(db.session.scalars(sa.select(Job.id).where(Job.status == "running", Job.consumer_id.in_(dead))))
        for job_id in orphans:
            if db.session.execute(sa.update(Job).where(Job.id == job_id, Job.status == "running",
                                                       Job.consumer_id.in_(dead))
                                  .values(status="queued", consumer_id=None, updated_at=now)).rowcount:
                sent.append(job_id)
        db.session.execute(sa.delete(Consumer).where(Consumer.seen_at < now - timedelta(seconds=stale * 20)))
        db.session.commit()
    lost = _lost_messages(since)
    for job_id in [*sent, *lost]:
        log.warning("job %s: its consumer is gone or its message was lost; queued again", job_id)
        enqueue(RUN_TASK, job_id)  # a queue that does not answer: the job stays queued, sent again later
    return [*sent, *lost]


def _lost_messages(since: datetime) -> list[str]:
    """Queued jobs untouched since ``since`` while the queue holds nothing at all: their
    messages are gone (a Redis restart keeps nothing here). Touched, so sent once."""
    huey = get_huey()
    if huey.pending_count() or huey.scheduled_count():
        return []
    ids = list(db.session.scalars(sa.select(Job.id).where(Job.status == "queued", Job.updated_at < since)))
    if not ids:
        db.session.rollback()
        return []
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        db.session.execute(sa.update(Job).where(Job.id.in_(ids), Job.status == "queued").values(updated_at=utcnow()))
        db.session.commit()
    return ids
