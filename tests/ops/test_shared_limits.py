"""Rate limits are shared by every portal process: two `portal serve` processes against one database
count one GraphQL mutation budget together — through Redis (the production choice) or the database
cache — while local memory (the old setting) gives each process its own budget."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from identity import testing
from tests.graph.support import build_world

pytestmark = pytest.mark.postgres_only

COMMENT = 'mutation($id: ID!) { commentMeasure(id: $id, text: "hello") { text } }'
SCHOOL = {"username": "partner.school7", "roles": ("partner",), "groups": ("/partners/school-7",)}
LIMIT = 4


def _code(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    if body.get("errors"):
        return str(body["errors"][0].get("extensions", {}).get("code"))
    return "ok"


def _clear(backend: str, redis_url: str) -> None:
    if backend == "redis":
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    elif backend == "db":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM portal_cache")


@pytest.mark.parametrize(("backend", "shared"), [("redis", True), ("db", True), ("locmem", False)])
def test_two_processes_share_one_mutation_limit(transactional_db: None, redis_server: Any, start_portal: Any,
                                                 backend: str, shared: bool) -> None:
    world = build_world()
    _clear(backend, redis_server.url)
    cache_url = {"redis": redis_server.url, "db": "db://", "locmem": "locmem://"}[backend]
    env = {"CACHE_URL": cache_url, "GRAPHQL_MUTATIONS_PER_MINUTE": str(LIMIT)}
    headers = {"Authorization": f"Bearer {testing.issue_token(**SCHOOL)}"}
    first, second = start_portal(env=env, wait=False), start_portal(env=env, wait=False)
    first.wait_ready()
    second.wait_ready()
    if time.time() % 60 > 40:  # keep all six mutations inside one rate-limit minute
        time.sleep(61 - time.time() % 60)
    payload = {"query": COMMENT, "variables": {"id": str(world.m_school.pk)}}
    codes = []
    for i in range(6):
        url = (first if i % 2 == 0 else second).url + "/graphql"
        codes.append(_code(httpx.post(url, json=payload, headers=headers, timeout=60)))
    if shared:
        assert codes == ["ok"] * LIMIT + ["rate_limited"] * 2
    else:  # each process has its own budget of 4: three each pass
        assert codes == ["ok"] * 6
    assert first.terminate() == 0
    assert second.terminate() == 0


def test_redis_down_answers_as_a_miss_and_is_counted() -> None:
    from django.core.cache import CacheHandler

    from portal.ops import metrics
    from portal.ops.cache import caches_from_url
    from portal.testing.redis import _free_port

    config = caches_from_url(f"redis://127.0.0.1:{_free_port()}/0")  # nothing listens there
    cache = CacheHandler(config)["default"]
    before = metrics.CACHE_ERRORS._value.get()
    assert cache.add("k", 1, timeout=60) is True
    assert cache.incr("k") == 1
    assert cache.get("k", "default") == "default"
    assert metrics.CACHE_ERRORS._value.get() == before + 3


@pytest.mark.parametrize(("url", "backend"), [
    ("", "django.core.cache.backends.locmem.LocMemCache"),
    ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
    ("redis://cache:6379/1", "portal.ops.cache.ResilientRedisCache"),
    ("unix:///run/redis/redis.sock", "portal.ops.cache.ResilientRedisCache"),
    ("db://", "django.core.cache.backends.db.DatabaseCache"),
])
def test_cache_url_chooses_the_backend(url: str, backend: str) -> None:
    from portal.ops.cache import caches_from_url

    assert caches_from_url(url)["default"]["BACKEND"] == backend


def test_unknown_cache_url_is_refused_by_name() -> None:
    from portal.ops.cache import CacheConfigError, caches_from_url

    with pytest.raises(CacheConfigError, match="memcached"):
        caches_from_url("memcached://cache:11211")


def test_two_processes_share_one_sign_in_throttle(transactional_db: None, start_portal: Any) -> None:
    """The local sign-in throttle (django-axes, attempts kept in the database) counts wrong passwords sent
    to either process together: the 5th locks the account out from this address on both."""
    import re

    from django.contrib.auth import get_user_model

    axes = pytest.importorskip("axes")
    assert axes is not None
    get_user_model().objects.create_superuser("emergency", "root@example.org", "the-right-one-42")
    first, second = start_portal(wait=False), start_portal(wait=False)
    first.wait_ready()
    second.wait_ready()
    answers = []
    with httpx.Client(timeout=60) as client:
        for attempt in range(6):
            portal = first if attempt % 2 == 0 else second
            form = client.get(portal.url + "/admin/login/?local=1")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
            assert token is not None, form.text[:500]
            answer = client.post(portal.url + "/admin/login/?local=1",
                                 data={"username": "emergency", "password": f"guess-{attempt}",
                                       "csrfmiddlewaretoken": token.group(1)},
                                 headers={"Referer": portal.url + "/admin/login/?local=1"})
            answers.append(answer.status_code)
    assert answers == [200, 200, 200, 200, 429, 429]
    assert first.terminate() == 0
    assert second.terminate() == 0
