"""Background jobs: Django's Tasks API (django-tasks, `django.tasks` from Django 6) on the database queue of
django-tasks-db, with what the portal adds on top of it — retries with backoff, periodic (cron-like) jobs
claimed once across any number of workers, enqueue-after-commit, an admin view, health and metrics.

Domain and infrastructure packages declare their jobs in a `jobs` module (auto-discovered):

    from portal.jobs import job, periodic

    @periodic(every=timedelta(minutes=1))
    @job(max_attempts=8)
    def deliver_pending_mail() -> int: ...

and enqueue them with `enqueue_on_commit(deliver_pending_mail)`. This package imports no domain app and no
adapter.
"""

from portal.jobs.registry import Backoff, enqueue_on_commit, enqueue_unique, job, periodic

__all__ = ["Backoff", "enqueue_on_commit", "enqueue_unique", "job", "periodic"]
