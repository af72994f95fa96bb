"""``flask --app app worker``: a consumer of the app's task queue."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--threads", default=1, show_default=True,
              help="Jobs run at once in this process (spaCy holds the GIL: start more processes instead).")
@with_appcontext
def worker_command(threads: int) -> None:
    """Run a consumer: load spaCy and the embedder once, then take jobs until Ctrl-C."""
    from app.tasks import consumer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config.get("CLAIMDESK_QUEUE_URL") or "SQLite queue in instance/queue.db"
    click.echo(f"Consumer for {url}: loading spaCy and the embedder ...", err=True)
    consumer.run(app, workers=threads)
