"""Real `portal worker` processes on PostgreSQL: two workers share the queue without running any job twice (nor
sending any e-mail twice, even when two delivery jobs name the same message), and SIGTERM lets the job in
progress finish before the worker exits 0."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.core import mail
from portal.core.jobs import deliver_mail
from portal.core.models import OutboundMail
from tests.jobs import sample_jobs
from tests.jobs.conftest import WorkerProcess, free_port, wait_for
from tests.jobs.test_mail import SmtpServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_queue", "runs_table")]

STARTUP = 240  # seconds: importing Django and Wagtail on two loaded shared cores


def _finished(count: int) -> Callable[[], bool]:
    return lambda: DBTaskResult.objects.filter(status__in=[TaskResultStatus.SUCCESSFUL,
                                                           TaskResultStatus.FAILED]).count() >= count


def _stop(worker: WorkerProcess) -> int:
    worker.process.send_signal(signal.SIGTERM)
    return worker.process.wait(timeout=60)


def test_two_workers_share_the_queue_and_never_run_a_job_twice(start_worker: Callable[..., WorkerProcess]) -> None:
    smtp = SmtpServer(free_port())
    smtp.start()
    environment = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                   "EMAIL_PORT": str(smtp.port)}
    try:
        workers = [start_worker("--no-scheduler", env=environment) for _ in range(2)]
        # Both workers are polling before the jobs arrive: jobs longer than the poll interval, one more whenever
        # none waits, until each worker has taken one.
        def both_started() -> bool:
            if not DBTaskResult.objects.ready().exists():
                sample_jobs.record.enqueue(f"warm-up-{DBTaskResult.objects.count()}", 1.5)
            return len({worker for row in DBTaskResult.objects.all() for worker in row.worker_ids}) == 2

        assert wait_for(both_started, STARTUP, 0.2), [w.output()[-2000:] for w in workers]
        assert wait_for(lambda: not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists(), 60)
        warm_up = DBTaskResult.objects.count()

        keys = [f"job-{number}" for number in range(120)]
        for key in keys:
            sample_jobs.record.enqueue(key, 0.02)
        with transaction.atomic():
            messages = [mail.send_mail(to=[f"partner{number}@example.org"], subject=f"Сообщение {number}", body="b")
                        for number in range(20)]
        for message in messages:  # a second delivery job for every message: two workers race for each
            assert message is not None
            deliver_mail.enqueue(message.pk)
        total = warm_up + len(keys) + 2 * len(messages)
        assert wait_for(_finished(total), 180), [w.output()[-2000:] for w in workers]

        ran = Counter(sample_jobs.runs())
        assert all(ran[key] == 1 for key in keys) and len(ran) == len(keys) + warm_up
        assert all(len(row.worker_ids) == 1 for row in DBTaskResult.objects.all())  # each job claimed once
        by_worker = Counter(row.worker_ids[0] for row in DBTaskResult.objects.filter(
            task_path=sample_jobs.record.module_path, args_kwargs__args__0__startswith="job-"))
        assert len(by_worker) == 2 and min(by_worker.values()) >= 5, by_worker  # both did a share
        assert sorted(smtp.inbox.subjects()) == sorted(f"Сообщение {number}" for number in range(20))
        assert set(OutboundMail.objects.values_list("status", flat=True)) == {OutboundMail.Status.SENT}
        assert [_stop(worker) for worker in workers] == [0, 0]
    finally:
        smtp.stop()


def test_sigterm_lets_the_running_job_finish(start_worker: Callable[..., WorkerProcess]) -> None:
    worker = start_worker("--no-scheduler")
    result = sample_jobs.slow.enqueue("slow", 4.0)
    assert wait_for(lambda: sample_jobs.runs("slow", finished=False) != [], STARTUP), worker.output()[-3000:]
    worker.process.send_signal(signal.SIGTERM)
    code = worker.process.wait(timeout=60)
    assert code == 0, worker.output()[-3000:]
    assert sample_jobs.runs("slow", finished=True) == ["slow"]  # the job in progress was not cut short
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL


def test_an_idle_worker_stops_at_once(start_worker: Callable[..., WorkerProcess]) -> None:
    worker = start_worker()
    sample_jobs.record.enqueue("ready")
    assert wait_for(lambda: sample_jobs.runs("ready") != [], STARTUP), worker.output()[-3000:]
    assert _stop(worker) == 0


def test_supervisor_passes_sigterm_to_its_workers(start_worker: Callable[..., WorkerProcess], **_: Any) -> None:
    worker = start_worker("--processes", "2", "--no-scheduler")
    for number in range(4):
        sample_jobs.record.enqueue(f"p{number}", 0.3)
    assert wait_for(lambda: len(sample_jobs.runs()) == 4, STARTUP), worker.output()[-3000:]
    assert len({row.worker_ids[0] for row in DBTaskResult.objects.all()}) >= 1
    assert _stop(worker) == 0
