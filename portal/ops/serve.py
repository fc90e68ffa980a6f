"""`portal serve`: uvicorn serving portal.asgi:app with production settings.

With `--workers N` (N > 1) this process is only uvicorn's supervisor: it never imports Django
(the workers do, each in its own process), so it stays small. Before starting workers it checks
in a short-lived child process that the settings load (a missing SECRET_KEY fails here, once,
with the settings' own message), gives the workers a shared cache when none is configured
(`CACHE_URL=db://`) and a fresh folder for Prometheus' multiprocess metrics.

Shutdown: on SIGTERM (or SIGINT) uvicorn stops accepting connections, lets requests in flight
finish (up to `--graceful-timeout` seconds) and the process exits 0.
"""

from __future__ import annotations

import logging
import logging.config
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from portal.env import env_bool, env_str
from portal.ops.logs import uvicorn_log_config

logger = logging.getLogger("portal.ops.serve")

APP = "portal.asgi:app"


def _settings_error() -> str | None:
    """None when portal.settings imports cleanly in a fresh interpreter, else its last error line."""
    result = subprocess.run([sys.executable, "-c", "import portal.settings"], capture_output=True, text=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"})
    if result.returncode == 0:
        return None
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {result.returncode}"


def _prepare_metrics_dir() -> Path | None:
    """A clean PROMETHEUS_MULTIPROC_DIR for the workers; returns it when this process created it."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # samples of a previous run's workers
            stale.unlink()
        return None
    folder = Path(tempfile.mkdtemp(prefix="portal-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


#: Seconds an idle keep-alive connection is kept (uvicorn's default is 5). Closing an idle connection races with a
#: client sending its next request on it at that moment (the request is lost: the client reads a reset). Waiting
#: longer than clients and proxies keep idle connections themselves (nginx upstream 60 s, httpx 5 s, load
#: balancers 60 s) means they close first and the race cannot happen between them and the portal.
KEEP_ALIVE_SECONDS = 75


def run(*, host: str, port: int, workers: int = 1, graceful_timeout: int = 30,
        keep_alive: int = KEEP_ALIVE_SECONDS) -> int:
    import uvicorn

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    log_format = env_str("LOG_FORMAT") or ("plain" if env_bool("DEBUG") else "json")
    level = env_str("LOG_LEVEL", "INFO").upper()
    logging.config.dictConfig(uvicorn_log_config(log_format, level))
    created_metrics_dir: Path | None = None
    if workers > 1:
        error = _settings_error()
        if error:
            logger.error("settings do not load: %s", error)
            return 2
        if not env_str("CACHE_URL"):
            os.environ["CACHE_URL"] = "db://"
            logger.info("CACHE_URL is unset: the workers share rate limits through the database cache (db://)")
        created_metrics_dir = _prepare_metrics_dir()
    # uvicorn re-raises the stop signal after a graceful shutdown; handled here, the process then
    # returns normally and exits 0 (a clean stop for systemd, containers and tests alike).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    try:
        uvicorn.run(APP, host=host, port=port, workers=workers, proxy_headers=True,
                    timeout_graceful_shutdown=graceful_timeout or None, timeout_keep_alive=keep_alive,
                    access_log=False,
                    log_config=uvicorn_log_config(log_format, level), log_level=level.lower())
    finally:
        if created_metrics_dir is not None:
            shutil.rmtree(created_metrics_dir, ignore_errors=True)
    return 0
