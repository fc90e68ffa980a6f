"""Where one `findOfficer` request's time goes, in process: the whole ASGI app (security headers, request
context and access log, Starlette routing, the gateway) driven by httpx's ASGITransport, beside an empty query
(`{ __typename }`: the gateway's floor) and a plain Starlette JSON route (the ASGI floor), interleaved; CPU time
of all threads per request (robust to a loaded machine, unlike wall time), and the pieces of a request timed
alone. Prints its figures (the notes are in benchmarks/results/finder.md).

    DEBUG=0 SECRET_KEY=… PORTAL_DATA_DIR=<migrated and seeded> .venv/bin/python -m benchmarks.finder_profile
        [--requests 400] [--before]

`--before`: a database connection per unit of work (GRAPHQL_KEEP_CONNECTION_SECONDS=0, as before the gateway
threads kept their SQLite connections) and every document parsed (no graph.schema.ParsedDocuments), for a
same-moment comparison. With DATABASE_URL set to PostgreSQL the units check connections out of the psycopg pool
(the production setting) either way.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

FIND = "query($a: String!) { findOfficer(address: $a) { status precinct { number } officer { fullName } } }"


def _cpu_ms(label: str, work: Callable[[], Any], n: int = 1000) -> None:
    started = time.process_time()
    for _ in range(n):
        work()
    print(f"  {label}: {(time.process_time() - started) / n * 1000:.3f} ms CPU")


async def _requests(n: int, address: str) -> None:
    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from portal.asgi import app

    async def plain_route(request: Request) -> JSONResponse:
        return JSONResponse({"data": {"ok": 1}})

    plain = Starlette(routes=[Route("/plain", plain_route)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as gateway, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://testserver") as floor:
        kinds: dict[str, Callable[[], Awaitable[Any]]] = {
            "findOfficer": lambda: gateway.post("/graphql", json={"query": FIND, "variables": {"a": address}}),
            "empty query": lambda: gateway.post("/graphql", json={"query": "{ __typename }"}),
            "plain Starlette JSON": lambda: floor.get("/plain"),
        }
        first = await kinds["findOfficer"]()
        print(f"{address!r}: {first.text[:160]}")
        for _ in range(50):
            for call in kinds.values():
                await call()
        cpu = dict.fromkeys(kinds, 0.0)
        wall: dict[str, list[float]] = {kind: [] for kind in kinds}
        for _ in range(n):
            for kind, call in kinds.items():
                started_cpu, started = time.process_time(), time.perf_counter()
                await call()
                wall[kind].append(time.perf_counter() - started)
                cpu[kind] += time.process_time() - started_cpu
        for kind in kinds:
            print(f"  {kind}: CPU {cpu[kind] / n * 1000:.3f} ms/request, wall p50 "
                  f"{sorted(wall[kind])[n // 2] * 1000:.2f} ms")
        find, empty, plain_cpu = cpu["findOfficer"], cpu["empty query"], cpu["plain Starlette JSON"]
        print(f"  CPU ratios: findOfficer/empty {find / empty:.2f}, findOfficer/plain {find / plain_cpu:.2f}, "
              f"empty/plain {empty / plain_cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--before", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # as the HTTP benchmark serves: the access log is not measured
    if args.before:
        os.environ["GRAPHQL_KEEP_CONNECTION_SECONDS"] = "0"
    import django

    django.setup()
    if args.before:
        from graph.schema import ParsedDocuments, schema

        schema.extensions = tuple(extension for extension in schema.extensions if extension is not ParsedDocuments)
    from django.db import close_old_connections

    from graph.territory.types import OfficerSearchResult
    from portal.territory import selectors as territory
    from portal.territory.addresses import STREET_KIND_SHORT
    from portal.territory.index import read_stamp
    from portal.territory.models import AddressRange

    sample = AddressRange.objects.select_related("street").order_by("id").first()
    assert sample is not None, "seed the territory first (portal seed)"
    house = sample.house_from + (1 if sample.parity == "even" and sample.house_from % 2 else 0)
    address = f"{sample.street.settlement}, {STREET_KIND_SHORT[sample.street.kind]} {sample.street.name}, {house}"
    asyncio.run(_requests(args.requests, address))
    print("Pieces, timed alone:")
    _cpu_ms("territory.find_officer (the selector)", lambda: territory.find_officer(address))
    _cpu_ms("  of which the version-stamp read", read_stamp)
    result = territory.find_officer(address)
    _cpu_ms("OfficerSearchResult.from_result", lambda: OfficerSearchResult.from_result(result))

    def unit() -> None:  # as graph.unit runs a unit of work: connections closed around it
        close_old_connections()
        territory.find_officer(address)
        close_old_connections()

    _cpu_ms("the selector with a new connection (close_old_connections around it)", unit)

    def kept() -> None:  # as a gateway thread runs a unit now (graph.threads.unit_connections)
        with unit_connections():
            territory.find_officer(address)

    from concurrent.futures import ThreadPoolExecutor

    from graph.threads import _gateway_thread_started, unit_connections

    with ThreadPoolExecutor(1, initializer=_gateway_thread_started) as thread:  # a gateway thread: kept there
        thread.submit(_cpu_ms, "the selector as a gateway unit (graph.threads.unit_connections)", kept).result()


if __name__ == "__main__":
    main()
