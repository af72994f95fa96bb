"""Background work on a task queue (huey): ingest jobs, consumers, periodic tasks.

- ``app.tasks.huey``: the queue built from the settings (SqliteHuey in ``instance/`` or
  RedisHuey), the ``task`` / ``periodic_task`` registry other packages use, ``enqueue``.
- ``app.tasks.jobs``: the Job service (``submit_job``, ``run_job``, ``get_job``, ``reap``).
- ``app.tasks.consumer``: what ``flask --app app worker`` runs (engines loaded once, heartbeat).

Not ``app.queue``: that is the review queue's web pages.
"""
from app.tasks import jobs  # noqa: F401  (registers the jobs.run task)
from app.tasks.huey import QueueUnavailable, enqueue, get_huey, init_app, periodic_task, queue_is_embedded, task
from app.tasks.jobs import IngestRequest, get_job, job_error, submit_job

__all__ = ["IngestRequest", "QueueUnavailable", "enqueue", "get_huey", "get_job", "init_app", "job_error",
           "periodic_task", "queue_is_embedded", "submit_job", "task"]
