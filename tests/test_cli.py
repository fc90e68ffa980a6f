"""The `portal` command passes the arguments of its Django-command wrappers through (issue 11, finding 13:
`portal search-sync --loop`, documented in the README, used to be refused)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal import cli
from search import api
from search.backends.embedded import EmbeddedBackend
from search.models import IndexStamp


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    engine = EmbeddedBackend(tmp_path / "search.sqlite3")
    api.set_backend(engine)
    yield engine
    api.set_backend(None)


class Stop(Exception):
    pass


def _portal(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBUG": "1", "PORTAL_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "portal.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_wrappers_show_their_commands_options(tmp_path: Path) -> None:
    for name, option in (("search-sync", "--loop"), ("reindex", "--wait"), ("sync-realm", "--dry-run")):
        done = _portal(name, "--help", tmp_path=tmp_path)
        assert done.returncode == 0, done.stderr
        assert option in done.stdout


def test_unknown_option_is_refused_by_the_command(tmp_path: Path) -> None:
    done = _portal("search-sync", "--no-such-option", tmp_path=tmp_path)
    assert done.returncode != 0 and "--no-such-option" in done.stderr


@pytest.mark.django_db(transaction=True)  # the command closes the connections when it ends, as `portal` does
def test_search_sync_loop_keeps_running(embedded: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    from search.management.commands import search_sync

    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            raise Stop

    monkeypatch.setattr(search_sync.time, "sleep", sleep)
    with pytest.raises(Stop):
        cli.main(["search-sync", "--loop", "--interval", "0.5", "--verbosity", "0"])
    assert pauses == [0.5, 0.5, 0.5]
    assert IndexStamp.objects.exists()  # the first round built the never-built indexes


@pytest.mark.django_db(transaction=True)  # the command closes the connections when it ends, as `portal` does
def test_reindex_takes_index_names(embedded: EmbeddedBackend) -> None:
    cli.main(["reindex", "streets", "--wait", "0", "--verbosity", "0"])
    assert list(IndexStamp.objects.values_list("name", flat=True)) == ["streets"]


@pytest.mark.django_db
def test_search_sync_exits_non_zero_when_the_engine_fails(embedded: EmbeddedBackend,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    embedded.fail = True
    with pytest.raises(SystemExit) as exited:
        cli.main(["search-sync"])
    assert exited.value.code == 1
    assert "search sync failed" in capsys.readouterr().err
