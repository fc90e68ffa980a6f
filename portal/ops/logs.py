"""Structured logs: one JSON object per line (python-json-logger), with the request context.

Every record gets `request_id`, `route` and `viewer` (a pseudonym, see portal.ops.context) from
the current request when there is one. Messages must not carry personal data: log identifiers
and counts, never names, addresses, phones or e-mail addresses.

`LOG_FORMAT=json` (default without DEBUG) or `plain` (default with DEBUG).
"""

from __future__ import annotations

import logging
from typing import Any

from portal.ops.context import current

JSON_FORMATTER: dict[str, Any] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    "datefmt": "%Y-%m-%dT%H:%M:%S%z",
    "json_ensure_ascii": False,
}
PLAIN_FORMATTER: dict[str, Any] = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}


class ContextFilter(logging.Filter):
    """Adds the current request's id, route and viewer pseudonym to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = current()
        if not hasattr(record, "request_id"):
            record.request_id = info.request_id if info else "-"
        if info is not None:
            if info.route and not hasattr(record, "route"):
                record.route = info.route
            if info.viewer and not hasattr(record, "viewer"):
                record.viewer = info.viewer
        return True


def formatters() -> dict[str, dict[str, Any]]:
    return {"json": dict(JSON_FORMATTER), "plain": dict(PLAIN_FORMATTER)}


def uvicorn_log_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """uvicorn's own logging (the `portal serve` supervisor, before Django is loaded in the workers)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "portal.ops.logs.ContextFilter"}},
        "formatters": formatters(),
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format,
                                 "filters": ["context"]}},
        "loggers": {
            "uvicorn": {"handlers": ["console"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "portal": {"handlers": ["console"], "level": level, "propagate": False},
        },
    }
