"""A consumer: ``flask --app app worker`` runs huey's consumer for the app's queue.

It loads spaCy and the embedder once, before taking work, then beats every
``CLAIMDESK_HEARTBEAT_SECONDS`` (a ``consumers`` row: the web uses it to decide whether
to run ingests in-process; other consumers use it to take over the jobs of one that died)
and reaps with each beat (``app.tasks.jobs.reap``).
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from typing import Optional

from flask import Flask
from huey.consumer import Consumer as HueyConsumer

from app.tasks.huey import get_huey

log = logging.getLogger(__name__)
_CONSUMER_ID: Optional[str] = None


def current_consumer_id() -> Optional[str]:
    """The id of the consumer running in this process (None outside one)."""
    return _CONSUMER_ID


def load_engines(app: Flask) -> None:
    """Load spaCy and the embedding model now, so the first job does not wait for them."""
    from app.extraction.gender import first_name_gender
    from app.ingest.service import get_extractor
    from app.related.service import embedder

    with app.app_context():
        get_extractor().extract("\u201cWe start now,\u201d the mayor said.")
        first_name_gender("Anna")  # the first-name table (1-2 s to read), else read by the first job naming someone
        embedder().encode(["warm up"])


class EmbeddedConsumer(HueyConsumer):
    """huey's consumer without its signal handlers, to run beside other code (tests, benches)."""

    def _set_signal_handlers(self) -> None:
        pass


class Heartbeat:
    """A thread that records the consumer as alive and reaps, until stopped."""

    def __init__(self, app: Flask, consumer_id: str) -> None:
        self.app, self.consumer_id = app, consumer_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="claimdesk-heartbeat", daemon=True)

    def start(self) -> "Heartbeat":
        self.beat_once()
        self._thread.start()
        return self

    def beat_once(self) -> None:
        from app.tasks import jobs

        with self.app.app_context():
            try:
                jobs.beat(self.consumer_id, hostname=socket.gethostname(), pid=os.getpid())
                jobs.reap()
            except Exception:  # noqa: BLE001 - a database or queue hiccup: beat again next time
                log.exception("consumer %s: heartbeat failed", self.consumer_id)

    def _run(self) -> None:
        interval = float(self.app.config["CLAIMDESK_HEARTBEAT_SECONDS"])
        while not self._stop.wait(interval):
            self.beat_once()

    def stop(self) -> None:
        from app.tasks import jobs

        self._stop.set()
        self._thread.join(timeout=5)
        with self.app.app_context():
            try:
                jobs.forget_consumer(self.consumer_id)
            except Exception:  # noqa: BLE001
                log.exception("consumer %s: could not sign off", self.consumer_id)


def new_consumer_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def make_consumer(app: Flask, *, workers: int = 1, embedded: bool = False) -> HueyConsumer:
    """huey's consumer for the app's queue: ``workers`` threads, periodic tasks on."""
    global _CONSUMER_ID
    _CONSUMER_ID = _CONSUMER_ID or new_consumer_id()
    cls = EmbeddedConsumer if embedded else HueyConsumer
    return cls(get_huey(app), workers=workers, worker_type="thread", periodic=True, initial_delay=0.05,
               max_delay=1.0, backoff=1.3, scheduler_interval=1)


def run(app: Flask, *, workers: int = 1) -> None:
    """Serve the queue until SIGINT/SIGTERM: load the engines, beat, consume."""
    load_engines(app)
    consumer = make_consumer(app, workers=workers)
    heartbeat = Heartbeat(app, _CONSUMER_ID or new_consumer_id()).start()
    log.info("consumer %s ready", _CONSUMER_ID)
    try:
        consumer.run()
    finally:
        heartbeat.stop()


class RunningConsumer:
    """A consumer in this process's threads (tests and benches): ``with RunningConsumer(app):``."""

    def __init__(self, app: Flask, *, workers: int = 1) -> None:
        self.app, self.workers = app, workers

    def __enter__(self) -> "RunningConsumer":
        self.consumer = make_consumer(self.app, workers=self.workers, embedded=True)
        self.consumer.start()
        self.heartbeat = Heartbeat(self.app, _CONSUMER_ID or new_consumer_id()).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.consumer.stop(graceful=True)
        self.heartbeat.stop()
