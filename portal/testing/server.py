"""Serve the real ASGI app (Starlette + gateway + devrealm + Django) from a thread, for
end-to-end tests and benchmarks. Use with pytest-django's `transactional_db` so the
server's own connections see committed test data."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn


@dataclass
class RunningServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(host: str = "127.0.0.1") -> RunningServer:
    from portal.asgi import app  # builds the app from the settings: only when a test starts a server

    with socket.socket() as sock:
        sock.bind((host, 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="portal-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    return RunningServer(url=f"http://{host}:{port}", server=server, thread=thread)
