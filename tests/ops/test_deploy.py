"""The deployment files hold together (they cannot be run here): the YAML parses, every long-running
service has a health check, referenced files exist, every `portal` command line they run is valid, and
every environment variable the code reads is documented in docs/operations.md and the README."""

from __future__ import annotations

import ast
import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}
#: Set by the code itself, never by an operator.
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE"}


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _assert_django_command(name: str, rest: list[str]) -> None:
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    assert name in commands, f"no management command {name!r}"
    command = load_command_class(commands[name], name)
    command.create_parser("portal", name).parse_args(rest)  # exits (SystemExit) on a bad argument


def _assert_portal_command(argv: list[str]) -> None:
    """`portal …` (any path to it) is a valid command line, parsed the way `portal.cli.main` does."""
    import portal.cli

    assert Path(argv[0]).name == "portal", argv
    passthrough = getattr(portal.cli, "PASSTHROUGH", {})
    if len(argv) > 1 and argv[1] in passthrough:
        _assert_django_command(passthrough[argv[1]][0], argv[2:])
        return
    args = build_parser().parse_args(argv[1:])
    assert callable(args.func)
    if args.command == "manage":
        _assert_django_command(args.rest[0], args.rest[1:])


def test_compose_services_and_health_checks() -> None:
    services = _compose()["services"]
    assert {"db", "redis", "meilisearch", "keycloak", "migrate", "web", "worker"} <= set(services)
    postgres_major = int(re.search(r"postgres:(\d+)", services["db"]["image"]).group(1))
    assert postgres_major >= 15
    assert services["keycloak"]["image"].split(":")[1].startswith("26")
    for name, service in services.items():
        if name == "migrate":
            continue
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"


def test_compose_references_exist_and_commands_are_valid() -> None:
    data = _compose()
    for name, service in data["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (DEPLOY / source).resolve().exists(), f"{name}: {source} does not exist"
        build = service.get("build")
        if build:
            context = (DEPLOY / build["context"]).resolve()
            assert (context / build["dockerfile"]).is_file()
        for env_file in service.get("env_file", []):
            assert (DEPLOY / f"{env_file}.example").is_file() or (DEPLOY / env_file).is_file()
        command = service.get("command")
        if command and command[0] == "portal":
            _assert_portal_command(command)
        check = service.get("healthcheck", {}).get("test", [])
        if check[:3] == ["CMD", "python", "-m"]:
            assert (ROOT / (check[3].replace(".", "/") + ".py")).is_file()
    realm = ROOT / "identity" / "realm" / "portal-realm.json"
    assert any(str(realm.relative_to(ROOT)) in volume
               for volume in data["services"]["keycloak"]["volumes"])


def test_containerfile_copies_what_exists_and_runs_portal() -> None:
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd is not None
    _assert_portal_command(yaml.safe_load(cmd.group(1)))
    assert "HEALTHCHECK" in text and "/healthz" in text


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_systemd_units_run_valid_portal_commands(unit: Path) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(unit.read_text(encoding="utf-8"))
    service = parser["Service"]
    for key in ("ExecStart", "ExecStartPre"):
        if key in service:
            _assert_portal_command(shlex.split(service[key]))
    assert service["EnvironmentFile"] == "/etc/portal/portal.env"
    timer = unit.with_suffix(".timer")
    if service.get("Type") == "oneshot":
        assert timer.is_file(), f"{unit.name} runs once: where is its timer?"


def _env_names(source: str) -> set[str]:
    """Names read from the environment in Python source: the portal.env helpers, os.environ.get/[...]
    /setdefault/pop and os.getenv."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        name = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            if called in ENV_HELPERS or (owner in {"os.environ", "os"} and called in {"get", "getenv", "setdefault",
                                                                                   "pop"}):
                name = node.args[0].value
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" \
                and isinstance(node.slice, ast.Constant):
            name = node.slice.value
        if isinstance(name, str):
            names.add(name)
    return names


def _env_names_in_code() -> dict[str, str]:
    names: dict[str, str] = {}
    for package in ("portal", "graph", "identity", "search", "cms"):
        for path in (ROOT / package).rglob("*.py"):
            if {"migrations", "testing"} & set(path.parts):
                continue
            for name in _env_names(path.read_text(encoding="utf-8")) - NOT_CONFIGURATION:
                names.setdefault(name, str(path.relative_to(ROOT)))
    return names


def _documented(text: str) -> set[str]:
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", text))


def test_every_environment_variable_is_documented() -> None:
    names = _env_names_in_code()
    assert {"SECRET_KEY", "DATABASE_URL", "CACHE_URL", "LOG_FORMAT", "PORTAL_DATA_DIR"} <= set(names)
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    table = operations.split("## Configuration", 1)[1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    readme_table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing_ops = sorted(name for name in names if name not in _documented(table))
    missing_readme = sorted(name for name in names if name not in _documented(readme_table))
    assert not missing_ops, f"not in docs/operations.md (Configuration): {[(n, names[n]) for n in missing_ops]}"
    assert not missing_readme, f"not in the README's configuration table: {[(n, names[n]) for n in missing_readme]}"


def test_the_scan_finds_every_way_of_reading_the_environment() -> None:
    source = ("import os\nfrom portal.env import env_int\nA = env_int('X_ONE', 1)\nB = os.environ.get('X_TWO')\n"
              "C = os.environ['X_THREE']\nD = os.getenv('X_FOUR')\nos.environ.setdefault('X_FIVE', '1')\n"
              "E = {'x': 1}.get('NOT_ENV')\n")
    assert _env_names(source) == {"X_ONE", "X_TWO", "X_THREE", "X_FOUR", "X_FIVE"}


def test_worker_probe_reports_a_stale_search_backlog(db: None, settings: Any) -> None:
    """The worker's health check (compose `worker`, `python -m portal.ops.probe worker`)."""
    import datetime as dt

    from django.utils import timezone

    from portal.ops.probe import worker_problems
    from search.models import OutboxEntry

    settings.SEARCH_BACKLOG_MAX_MINUTES = 10
    entry = OutboxEntry.objects.create(kind="page", object_id="1")
    assert not any("backlog_stale" in problem for problem in worker_problems())
    OutboxEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    assert any("backlog_stale" in problem for problem in worker_problems())
