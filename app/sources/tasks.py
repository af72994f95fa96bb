"""The queue's work for sources: ``sources.poll`` (one source) and ``sources.due`` (every
minute, once across all consumers: queue a poll of each due source)."""
from __future__ import annotations

from huey import crontab

from app.sources import service
from app.tasks import periodic_task, task


@task(service.POLL_TASK)
def poll(source_id: int) -> None:
    from app.tasks.consumer import current_consumer_id

    service.poll_source(source_id, owner=current_consumer_id() or service.owner_id())


@periodic_task(crontab(minute="*"), service.DUE_TASK)
def poll_due() -> None:
    service.poll_due()
