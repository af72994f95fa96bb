"""The task queue: a huey instance per app, built from its settings, and the task registry.

Other packages register their work with the decorators here, at import time, without a
huey instance in sight::

    from app.tasks import periodic_task, task
    from huey import crontab

    @task("sources.poll")               # enqueue("sources.poll", source_id)
    def poll(source_id: int) -> None: ...

    @periodic_task(crontab(minute="*/5"), "sources.due")
    def poll_due_sources() -> None: ...

Each task runs inside the app context of the app whose queue carried it. A periodic task
runs once per minute slot however many consumers' schedulers enqueue it (``PeriodicRun``).

The queue: ``SqliteHuey`` in ``instance/queue.db`` by default (one machine),
``RedisHuey`` when ``CLAIMDESK_QUEUE_URL`` is ``redis://...`` (every host shares it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import sqlalchemy as sa
from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from redis import ConnectionPool

from app.errors import DomainError

EXTENSION_KEY = "claimdesk_huey"


class QueueUnavailable(DomainError):
    """The task queue (Redis) did not answer: nothing was enqueued."""

    code, status = "queue_unavailable", 503


@dataclass(frozen=True)
class TaskSpec:
    name: str
    func: Callable[..., Any]
    schedule: Optional[Callable] = None  # a huey crontab: periodic
    options: dict = field(default_factory=dict)


REGISTRY: dict[str, TaskSpec] = {}


def task(name: str, **options: Any) -> Callable:
    """Register ``func`` as the task ``name`` (huey options: ``priority``, ``expires`` ...).
    The function itself is returned unchanged; enqueue it with ``enqueue(name, *args)``."""
    def register(func: Callable) -> Callable:
        REGISTRY[name] = TaskSpec(name, func, None, options)
        return func
    return register


def periodic_task(schedule: Callable, name: str, **options: Any) -> Callable:
    """Register ``func`` to run on ``schedule`` (``huey.crontab(...)``), once per minute slot
    across all consumers."""
    def register(func: Callable) -> Callable:
        REGISTRY[name] = TaskSpec(name, func, schedule, options)
        return func
    return register


def is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://", "unix://"))


def make_huey(app: Flask) -> Huey:
    """A huey for ``app``'s settings with every registered task bound to it."""
    url = app.config.get("CLAIMDESK_QUEUE_URL") or ""
    name = app.config.get("CLAIMDESK_QUEUE_NAME") or "claimdesk"
    if is_redis(url):
        # Timeouts and health checks: a restarted Redis is reconnected to, never waited on forever.
        pool = ConnectionPool.from_url(url, socket_connect_timeout=5, socket_timeout=10, socket_keepalive=True,
                                       health_check_interval=10)
        huey: Huey = RedisHuey(name, connection_pool=pool, results=False)
    else:
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else str(Path(app.instance_path) / "queue.db")
        huey = SqliteHuey(name, filename=path, results=False)
    huey.claimdesk_tasks = {spec.name: _bind(huey, app, spec) for spec in REGISTRY.values()}
    return huey


def _bind(huey: Huey, app: Flask, spec: TaskSpec):
    def run(*args: Any, **kwargs: Any) -> Any:
        with app.app_context():
            if spec.schedule is not None and not _claim_periodic_slot(spec.name):
                return None
            return spec.func(*args, **kwargs)

    run.__name__ = run.__qualname__ = spec.name.replace(".", "_")
    if spec.schedule is not None:
        return huey.periodic_task(spec.schedule, name=spec.name, **spec.options)(run)
    return huey.task(name=spec.name, **spec.options)(run)


def _claim_periodic_slot(name: str) -> bool:
    """True for the first consumer to run ``name`` in this minute; False for the others."""
    from app.database import begin_write
    from app.extensions import db
    from app.models import PeriodicRun, utcnow

    slot = utcnow().replace(second=0, microsecond=0)
    begin_write()
    moved = db.session.execute(sa.update(PeriodicRun).where(PeriodicRun.name == name, PeriodicRun.slot < slot)
                               .values(slot=slot)).rowcount
    if not moved:
        if db.session.get(PeriodicRun, name) is not None:
            db.session.rollback()
            return False
        db.session.add(PeriodicRun(name=name, slot=slot))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # another consumer inserted it first
        db.session.rollback()
        return False
    return True


def get_huey(app: Optional[Flask] = None) -> Huey:
    """The app's huey, built on first use (after every package has registered its tasks)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    huey = app.extensions.get(EXTENSION_KEY)
    if huey is None:
        huey = app.extensions[EXTENSION_KEY] = make_huey(app)
    return huey


def enqueue(name: str, *args: Any, delay: Optional[float] = None) -> None:
    """Put task ``name`` on the queue (to run after ``delay`` seconds).

    Raises:
        QueueUnavailable: the queue's store did not answer.
    """
    wrapper = get_huey().claimdesk_tasks[name]
    try:
        if delay:
            wrapper.schedule(args, delay=delay)
        else:
            wrapper(*args)
    except Exception as exc:  # redis.ConnectionError, sqlite3.OperationalError ...
        raise QueueUnavailable(f"The task queue did not answer ({exc.__class__.__name__}); nothing was queued. "
                               "Try again in a moment.") from exc


def queue_is_embedded(app: Optional[Flask] = None) -> bool:
    """True for the SQLite queue (one machine), False for Redis."""
    app = app or current_app
    return not is_redis(app.config.get("CLAIMDESK_QUEUE_URL") or "")


def init_app(app: Flask) -> None:
    """Nothing is opened here: the queue is built on first use."""
    app.extensions.setdefault(EXTENSION_KEY, None)
