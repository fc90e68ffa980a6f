from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult


class JobOrigin(models.Model):
    """The request during which a job was enqueued: the worker runs the job under that request id, so the job's
    log lines can be found next to the request's (portal.ops.job_context). Removed with its job."""

    job = models.OneToOneField(DBTaskResult, primary_key=True, on_delete=models.CASCADE, related_name="origin")
    request_id = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.job_id} ← {self.request_id}"
