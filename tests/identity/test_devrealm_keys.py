"""The development realm's signing key is created once even when several worker processes start at once."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from jwcrypto import jwk

from identity.devrealm import keys


def _thumbprint_after_barrier(path: str, barrier: Any, results: Any) -> None:
    barrier.wait(timeout=60)
    results.put(keys._read_or_create(Path(path)).thumbprint())


def test_processes_starting_together_share_one_key(tmp_path: Path) -> None:
    path = tmp_path / "realm" / "signing-key.pem"
    context = multiprocessing.get_context("spawn")
    workers = 4
    barrier = context.Barrier(workers)
    results = context.Queue()
    processes = [context.Process(target=_thumbprint_after_barrier, args=(str(path), barrier, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    thumbprints = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    stored = jwk.JWK.from_pem(path.read_bytes()).thumbprint()
    assert set(thumbprints) == {stored}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["signing-key.pem"]  # no temporary file left behind


def test_a_key_published_by_another_process_meanwhile_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file appears after this process found it missing (another worker won the race): that key is used,
    not this process's candidate, and nothing fails."""
    path = tmp_path / "signing-key.pem"
    winner = jwk.JWK.generate(kty="RSA", size=2048)
    generate = jwk.JWK.generate

    def generate_while_another_process_publishes(**kwargs: Any) -> jwk.JWK:
        path.write_bytes(winner.export_to_pem(private_key=True, password=None))
        return generate(**kwargs)

    monkeypatch.setattr(jwk.JWK, "generate", staticmethod(generate_while_another_process_publishes))
    assert keys._read_or_create(path).thumbprint() == winner.thumbprint()
    assert sorted(os.listdir(tmp_path)) == ["signing-key.pem"]


def test_a_stored_key_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    first = keys._read_or_create(path)
    assert keys._read_or_create(path).thumbprint() == first.thumbprint()
