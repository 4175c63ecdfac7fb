"""Three gateway processes on one PostgreSQL and one Redis behave like one: rate limits, budgets, revocation."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis
from sqlalchemy import text

from gateway.mock.demo import mock_app
from gateway.mock.server import MockServer
from gateway.store import db

ADMIN = "multi-instance-admin-key"
REDIS_DB_URL = "redis://127.0.0.1:6379/13"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    urls: list[str]
    database_url: str

    def admin(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        return httpx.request(method, self.urls[0] + path, headers={"authorization": f"Bearer {ADMIN}"}, **kwargs)  # type: ignore[arg-type]


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gateway exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("gateway did not become healthy")


@pytest.fixture(scope="module")
def cluster(postgres_url: str) -> Iterator[Cluster]:
    redis.Redis.from_url(REDIS_DB_URL).flushdb()
    asyncio.run(_migrate(postgres_url))
    upstream = MockServer(mock_app("openai")).start()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "REDIS_URL": REDIS_DB_URL,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": upstream.url + "/v1",
        "ADMIN_API_KEY": ADMIN,
        "KEY_CACHE_SECONDS": "1",
        "LOG_LEVEL": "warning",
    }
    ports = [_free_port() for _ in range(3)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, processes, strict=True):
            _wait_healthy(url, process)
        yield Cluster(urls, postgres_url)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        upstream.stop()


async def _migrate(url: str) -> None:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
    finally:
        await engine.dispose()


def _tenant_key(cluster: Cluster, name: str, **settings: object) -> str:
    tenant = cluster.admin("POST", "/admin/tenants", json={"name": name, **settings}).json()
    return cluster.admin("POST", "/admin/keys", json={"tenant_id": tenant["id"]}).json()["key"]  # type: ignore[no-any-return]


async def _burst(cluster: Cluster, key: str, count: int, max_tokens: int = 20) -> list[httpx.Response]:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hallo Welt"}], "max_tokens": max_tokens}
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        return list(
            await asyncio.gather(
                *(
                    client.post(
                        cluster.urls[i % 3] + "/v1/chat/completions",
                        json=body,
                        headers={"authorization": f"Bearer {key}"},
                    )
                    for i in range(count)
                )
            )
        )


async def _ledger_tokens(cluster: Cluster, key_owner: str) -> int:
    engine = db.create_engine(cluster.database_url)
    try:
        async with engine.connect() as conn:
            query = text(
                "SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) FROM usage_ledger u "
                "JOIN tenants t ON t.id = u.tenant_id WHERE t.name = :name"
            )
            return int((await conn.execute(query, {"name": key_owner})).scalar_one())
    finally:
        await engine.dispose()


def test_rate_limit_holds_across_three_instances(cluster: Cluster) -> None:
    key = _tenant_key(cluster, "rl-tenant", rate_limit_per_minute=40)
    responses = asyncio.run(_burst(cluster, key, 150))
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 40
    assert statuses.count(429) == 110
    assert all(r.json()["error"]["code"] == "rate_limit_exceeded" for r in responses if r.status_code == 429)


def test_budget_never_overshoots_across_three_instances(cluster: Cluster) -> None:
    budget = 1500
    key = _tenant_key(cluster, "budget-tenant", monthly_token_budget=budget)
    responses = asyncio.run(_burst(cluster, key, 120))
    ok = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    assert ok and refused
    assert all(r.json()["error"]["code"] == "monthly_token_budget_exceeded" for r in refused)
    assert all(r.headers["x-should-retry"] == "false" for r in refused)
    time.sleep(1.0)  # the ledger flushes every 0.2 s
    billed = asyncio.run(_ledger_tokens(cluster, "budget-tenant"))
    assert billed == sum(r.json()["usage"]["total_tokens"] for r in ok)
    assert billed <= budget  # reservations cover the estimate, which is never below the real usage here


def test_revoked_key_is_refused_by_every_instance_within_the_cache_window(cluster: Cluster) -> None:
    tenant = cluster.admin("POST", "/admin/tenants", json={"name": "revoke-tenant"}).json()
    created = cluster.admin("POST", "/admin/keys", json={"tenant_id": tenant["id"]}).json()
    headers = {"authorization": f"Bearer {created['key']}"}
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]}
    assert all(httpx.post(u + "/v1/chat/completions", json=body, headers=headers).status_code == 200 for u in cluster.urls)
    cluster.admin("DELETE", f"/admin/keys/{created['id']}")
    time.sleep(1.2)  # KEY_CACHE_SECONDS=1
    assert all(httpx.post(u + "/v1/chat/completions", json=body, headers=headers).status_code == 401 for u in cluster.urls)
