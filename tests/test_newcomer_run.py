"""A newcomer's first `bash .ci/demo`: no e-mails in the console, the banner last, a taken port said first."""

from __future__ import annotations

import argparse
import socket

import pytest
from django.core import mail
from django.core.mail import send_mail

from portal import cli
from portal.demo import load as demo_load
from portal.demo.mail import kept_mail, summary


def test_demo_mail_is_kept_out_of_the_configured_backend(settings) -> None:
    configured = settings.EMAIL_BACKEND
    mail.outbox = []
    with kept_mail() as kept:
        send_mail("Новый вопрос", "Текст", "noreply@example.org", ["a@example.org"])
        send_mail("Отклик", "Текст", "noreply@example.org", ["a@example.org", "b@example.org"])
    assert len(kept) == 2 and mail.outbox == []
    assert settings.EMAIL_BACKEND == configured
    assert summary(kept) == ("Demo e-mails: 2 not sent (the demo's addresses are fictitious; 2 recipient(s)).")
    send_mail("После демо", "Текст", "noreply@example.org", ["c@example.org"])
    assert len(mail.outbox) == 1 and len(kept) == 2


def test_demo_loader_prints_one_line_instead_of_the_mails(monkeypatch, capsys) -> None:
    def hook(*, verbose: bool) -> None:
        for number in range(12):
            send_mail(f"Письмо {number}", "Полный текст письма", "noreply@example.org", [f"u{number}@example.org"])

    monkeypatch.setattr(demo_load, "generate", lambda **kwargs: {})
    monkeypatch.setattr(demo_load, "DEMO_HOOKS", ("some.hook",))
    monkeypatch.setattr(demo_load, "_hook", lambda name: hook)
    monkeypatch.setattr(demo_load, "call_command", lambda *args, **kwargs: None)
    demo_load.load_demo(verbose=True)
    out = capsys.readouterr().out
    assert "Subject:" not in out and "Полный текст письма" not in out
    assert out.count("Demo e-mails: 12 not sent") == 1


def test_english_pages_are_loaded_after_the_pages_of_the_other_apps() -> None:
    hooks = list(demo_load.DEMO_HOOKS)
    assert hooks.index("cms.demo_en") > hooks.index("portal.demo.community")
    assert hooks.index("cms.demo_en") > hooks.index("portal.demo.consultations")


def test_taken_port_is_reported_before_migrating(monkeypatch, capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert cli._port_in_use("127.0.0.1", port)

        def must_not_run(**kwargs: object) -> None:
            raise AssertionError("migrated and loaded although the port is taken")

        monkeypatch.setattr(cli, "_setup", must_not_run)
        with pytest.raises(SystemExit) as stop:
            cli.cmd_demo(argparse.Namespace(host="127.0.0.1", port=port, seed=1))
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"Port {port} on 127.0.0.1 is already in use" in err and f"--port {port + 1}" in err
    assert not cli._port_in_use("127.0.0.1", port)


def test_banner_comes_after_the_server_listens(monkeypatch) -> None:
    """`_serve(on_started=…)` calls back once uvicorn listens, i.e. after its own start-up lines."""
    import threading

    import uvicorn

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    events: list[str] = []
    servers: list[uvicorn.Server] = []
    original_startup = uvicorn.Server.startup

    async def recording_startup(self: uvicorn.Server, sockets: object = None) -> None:
        servers.append(self)
        await original_startup(self, sockets=sockets)
        events.append("listening" if self.started else "not started")

    monkeypatch.setattr(uvicorn.Server, "startup", recording_startup)
    monkeypatch.setattr(uvicorn.Server, "install_signal_handlers", lambda self: None, raising=False)

    def banner() -> None:
        events.append("banner")
        assert cli._port_in_use("127.0.0.1", port)
        servers[0].should_exit = True

    thread = threading.Thread(target=cli._serve, args=("127.0.0.1", port), kwargs={"on_started": banner})
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert events == ["listening", "banner"]
