"""The queue's work for webhooks: ``webhooks.deliver_due`` runs every minute (once across
all consumers) and makes one attempt at each delivery whose next attempt is due, so the
outbox written with a change is sent without anyone running ``flask deliver-webhooks``.
Backoff lives in the deliveries' ``next_attempt_at`` (app.webhooks.delivery), not here."""
from __future__ import annotations

from huey import crontab

from app.tasks import periodic_task
from app.webhooks.delivery import deliver_due

DUE_TASK = "webhooks.deliver_due"


@periodic_task(crontab(minute="*"), DUE_TASK)
def send_due() -> None:
    deliver_due()
