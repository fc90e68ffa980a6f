"""Fixtures of the notification tests: real `portal worker` processes (the job-runner tests' fixture)."""

from tests.jobs.conftest import start_worker  # noqa: F401  (a fixture, used by name)
