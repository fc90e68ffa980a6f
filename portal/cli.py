"""The `portal` command.

    portal demo [--host H] [--port P]   migrate, load the demo region, serve, print URLs and logins
    portal serve [--host H] [--port P]  serve the ASGI app with uvicorn
    portal worker [--processes N] [--no-scheduler] [--batch]   run background jobs (and the scheduler)
    portal seed --scale demo|region [--seed N]
    portal remind [--date YYYY-MM-DD]   send the notifications due on a date (ladder, digests, reminders)
    portal search-sync [--loop] | reindex [INDEX ...] | sync-realm [--dry-run]   (arguments passed through)
    portal report monthly|quarterly|passport|partners --period P [--institution C] [--format xlsx|csv|json|pdf]
    portal backup [-o FILE] | restore FILE [--force] [--skip-reindex]
    portal manage <django command> ...  any Django management command
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from portal.demo.region import DEMO_PASSWORD, DEMO_USERS  # plain data: no Django at import
from portal.ops import serve  # no Django at import: the supervisor of `portal serve` runs without it


def _setup(*, debug_default: bool) -> None:
    if debug_default:
        os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def _serve(host: str, port: int, *, reload: bool = False, on_started: Callable[[], None] | None = None) -> None:
    import uvicorn

    log_level = os.environ.get("UVICORN_LOG_LEVEL", "info")
    if on_started is None or reload:
        uvicorn.run("portal.asgi:app", host=host, port=port, reload=reload, proxy_headers=True, log_level=log_level)
        return
    announce = on_started  # narrowed: the class below reads it later

    class AnnouncingServer(uvicorn.Server):
        """Calls `on_started` once the socket listens, so that its output comes after uvicorn's."""

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if not self.should_exit:
                announce()

    AnnouncingServer(uvicorn.Config("portal.asgi:app", host=host, port=port, proxy_headers=True,
                                    log_level=log_level)).run()


def _port_in_use(host: str, port: int) -> bool:
    """True when something already listens on host:port (checked before the slow migrate and load)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return True
    return False


def _print_banner(host: str, port: int) -> None:
    from django.conf import settings

    base = f"http://{host}:{port}"
    lines = [
        "",
        "Social-support portal (demo region «Заречный край») is running:",
        f"  public site        {base}/",
        f"  admin (Wagtail)    {base}/admin/",
        f"  partner workspace  {base}/workspace/",
        f"  GraphQL gateway    {base}/graphql",
        f"  headless CMS       {base}/cms/graphql",
        f"  health / ready     {base}/healthz  {base}/readyz",
    ]
    if settings.DEVREALM_ENABLED:
        lines.append(f"  development realm  {base}/realms/{settings.KEYCLOAK_REALM}/.well-known/openid-configuration")
    lines.append("")
    lines.append(f"Demo sign-ins (password for all: {DEMO_PASSWORD!r}):")
    for user in DEMO_USERS:
        where = ", ".join(user["groups"]) or "—"
        lines.append(f"  {user['username']:<22} {', '.join(user['roles']):<12} {where}")
    lines.append("Emergency local superuser: `portal manage createsuperuser`, then sign in at /admin/login/?local=1")
    print("\n".join(lines), flush=True)


def demo_base_url(host: str, port: int) -> str:
    """`PUBLIC_BASE_URL` of a demo on host:port unless configured (before settings load): links, and the
    development realm's issuer and address, which the server never takes from a request's Host header."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
    return os.environ.setdefault("PUBLIC_BASE_URL", f"http://{shown}:{port}")


def cmd_demo(args: argparse.Namespace) -> None:
    if _port_in_use(args.host, args.port):
        print(f"Port {args.port} on {args.host} is already in use (is the portal already running?). Stop that "
              f"program or choose another port, e.g. `bash .ci/demo --port {args.port + 1}`.", file=sys.stderr)
        sys.exit(2)
    demo_base_url(args.host, args.port)
    _setup(debug_default=True)
    from django.core.management import call_command

    from portal.demo.load import load_demo  # loads models: only after _setup() (Django is set up there)

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    load_demo(seed=args.seed, verbose=True)
    print(f"Demo data ready in {time.monotonic() - started:.1f} s. Starting the server…", flush=True)
    from portal.jobs.worker import start_worker_process, stop_worker_process  # Django modules: after _setup()

    # A worker (with the scheduler) next to the server: search stays current, e-mail is sent, schedules run.
    worker = start_worker_process()
    try:
        # The banner (addresses and sign-ins) comes last, once the server listens.
        _serve(args.host, args.port, on_started=lambda: _print_banner(args.host, args.port))
    finally:
        stop_worker_process(worker)


def cmd_serve(args: argparse.Namespace) -> None:
    # No django.setup() here: with several workers this process is only the supervisor (portal.ops.serve).
    sys.exit(serve.run(host=args.host, port=args.port, workers=args.workers, graceful_timeout=args.graceful_timeout,
                       keep_alive=args.keep_alive))


def cmd_worker(args: argparse.Namespace) -> None:
    if args.processes > 1:  # a supervisor: no Django here, each worker process loads it
        from portal.jobs.worker import supervise  # Django modules: the CLI loads them only once it needs them

        sys.exit(supervise([*(["--no-scheduler"] if args.no_scheduler else []), *(["--batch"] if args.batch else [])],
                           args.processes))
    _setup(debug_default=False)
    from portal.jobs.worker import run  # Django modules: after _setup() sets DJANGO_SETTINGS_MODULE

    run(scheduler=not args.no_scheduler, batch=args.batch)


def cmd_seed(args: argparse.Namespace) -> None:
    _setup(debug_default=True)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed", scale=args.scale, seed=args.seed)


def _day(value: str) -> str:
    """`--date` of `portal remind`: a bad date is a usage error (exit code 2, the message on stderr)."""
    import datetime as dt

    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {value!r}") from None
    return value


def cmd_remind(args: argparse.Namespace) -> None:
    _setup(debug_default=False)
    from django.core.management import call_command

    call_command("remind", **({"date": args.date} if args.date else {}))


def _django_command(name: str, rest: Sequence[str]) -> None:
    """Run a Django command with the arguments it was given (`portal search-sync --loop`): Django parses
    them, prints usage errors and exits non-zero when the command fails (CommandError)."""
    _setup(debug_default=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"portal {name}", name, *rest])


def cmd_backup(args: argparse.Namespace) -> None:
    _setup(debug_default=False)
    from django.core.management import call_command

    options = {"output": args.output} if args.output else {}
    call_command("backup", json=args.json, **options)


def cmd_restore(args: argparse.Namespace) -> None:
    _setup(debug_default=False)
    from django.core.management import call_command

    call_command("restore", args.archive, force=args.force, skip_reindex=args.skip_reindex)


def cmd_manage(args: argparse.Namespace) -> None:
    _setup(debug_default=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["portal manage", *args.rest])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Interagency social-support portal.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="migrate, load the demo region and serve it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve the portal (ASGI, uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 1),
                       help="worker processes (default: WEB_CONCURRENCY or 1)")
    serve.add_argument("--graceful-timeout", type=int, default=30,
                       help="seconds to let requests in flight finish on SIGTERM (0: no limit)")
    serve.add_argument("--keep-alive", type=int, default=75,
                       help="seconds an idle keep-alive connection stays open (default 75: longer than the idle "
                            "timeout of clients and proxies, which then close first)")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background jobs and the scheduler (SIGTERM: finish the job, exit)")
    worker.add_argument("--processes", type=int, default=1, help="worker processes in this container (default 1)")
    worker.add_argument("--no-scheduler", action="store_true", help="only run jobs; another worker schedules")
    worker.add_argument("--batch", action="store_true", help="run the jobs waiting now, then exit")
    worker.set_defaults(func=cmd_worker)

    seed = sub.add_parser("seed", help="generate data for the demo region")
    seed.add_argument("--scale", choices=["demo", "region"], default="demo")
    seed.add_argument("--seed", type=int, default=1)
    seed.set_defaults(func=cmd_seed)

    remind = sub.add_parser("remind", help="send the notifications due on a date (escalation ladder, digests)")
    remind.add_argument("--date", type=_day, help="YYYY-MM-DD (default: today; an earlier date catches up)")
    remind.set_defaults(func=cmd_remind)

    for name, (_command, text) in PASSTHROUGH.items():  # listed for `portal --help`; run by `main`
        sub.add_parser(name, help=f"{text} (`portal {name} --help`: its options)", add_help=False)

    backup = sub.add_parser("backup", help="archive the database and the media files (see docs/operations.md)")
    backup.add_argument("--output", "-o", help="archive file (default: BACKUP_DIR/portal-<time>.tar)")
    backup.add_argument("--json", action="store_true", help="print the manifest as JSON")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup archive, verify it, rebuild the search index")
    restore.add_argument("archive")
    restore.add_argument("--force", action="store_true", help="overwrite a database that holds portal data")
    restore.add_argument("--skip-reindex", action="store_true", help="leave the search index for `portal reindex`")
    restore.set_defaults(func=cmd_restore)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


#: `portal <name> ...` → the Django command, every argument passed through unchanged.
PASSTHROUGH: dict[str, tuple[str, str]] = {
    "search-sync": ("search_sync", "apply pending search updates (outbox); --loop to keep running"),
    "reindex": ("reindex", "rebuild all search indexes without downtime"),
    "sync-realm": ("sync_realm", "write organisations and institutions as Keycloak groups"),
    "report": ("report", "a report (monthly|quarterly|passport|partners) as xlsx, csv, json or pdf"),
}


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASSTHROUGH:
        _django_command(PASSTHROUGH[argv[0]][0], argv[1:])
        return
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
