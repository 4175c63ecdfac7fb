"""The audit chain on real PostgreSQL with three gateway processes writing at once: linear, one record per
request, and nothing that was answered is lost when an instance is SIGKILLed under load."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from gateway.audit.verify import verify_chain
from gateway.mock.demo import mock_app
from gateway.mock.server import MockServer
from gateway.store import db

ADMIN = "audit-integration-admin-key"


@dataclass
class Gateways:
    urls: list[str]
    processes: list[subprocess.Popen[bytes]]
    database_url: str
    key: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


async def _migrate(url: str) -> None:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def gateways(postgres_url: str) -> Iterator[Gateways]:
    asyncio.run(_migrate(postgres_url))
    upstream = MockServer(mock_app("openai")).start()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": upstream.url + "/v1",
        "ADMIN_API_KEY": ADMIN,
        "LOG_LEVEL": "warning",
    }
    env.pop("REDIS_URL", None)
    ports = [_free_port() for _ in range(3)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, processes, strict=True):
            _wait_healthy(url, process)
        admin = {"authorization": f"Bearer {ADMIN}"}
        tenant = httpx.post(urls[0] + "/admin/tenants", json={"name": "audit-it"}, headers=admin).json()
        key = httpx.post(urls[0] + "/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin).json()["key"]
        yield Gateways(urls, processes, postgres_url, key)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait(timeout=20)
        upstream.stop()


async def _send(client: httpx.AsyncClient, url: str, key: str, request_id: str) -> httpx.Response | None:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hallo Welt"}], "max_tokens": 10}
    headers = {"authorization": f"Bearer {key}", "x-request-id": request_id}
    try:
        return await client.post(url + "/v1/chat/completions", json=body, headers=headers)
    except httpx.TransportError:
        return None  # the instance died: this request was never answered


async def _load(gateways: Gateways, count: int, keys: list[str], kill_after: int | None = None) -> dict[str, int]:
    """Send `count` requests round-robin over the three instances; SIGKILL instance 0 after `kill_after`
    answers. Returns request id -> status for every request that got a response."""
    answered: dict[str, int] = {}
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=60)) as client:

        async def one(i: int) -> None:
            rid = f"it-{secrets.token_hex(6)}-{i}"
            response = await _send(client, gateways.urls[i % 3], keys[i % len(keys)], rid)
            if response is not None:
                answered[rid] = response.status_code
                if kill_after is not None and len(answered) == kill_after:
                    gateways.processes[0].send_signal(signal.SIGKILL)

        await asyncio.gather(*(one(i) for i in range(count)))
    return answered


async def _stored(database_url: str, request_ids: list[str]) -> dict[str, int]:
    """request id -> number of audit records holding it."""
    engine = db.create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT request_id, count(*) FROM audit_records WHERE request_id = ANY(:ids) GROUP BY request_id"),
                {"ids": request_ids},
            )
            return {row[0]: int(row[1]) for row in rows}
    finally:
        await engine.dispose()


async def _verify(database_url: str) -> dict[str, object]:
    engine = db.create_engine(database_url)
    try:
        return (await verify_chain(db.session_factory(engine))).as_json()
    finally:
        await engine.dispose()


def test_three_instances_write_one_linear_chain_with_one_record_per_request(gateways: Gateways) -> None:
    answered = asyncio.run(_load(gateways, 150, [gateways.key, "sk-invalid"]))
    stored = asyncio.run(_stored(gateways.database_url, list(answered)))
    report = asyncio.run(_verify(gateways.database_url))
    assert sorted(set(answered.values())) == [200, 401] and len(answered) == 150
    assert stored == dict.fromkeys(answered, 1)
    assert report["valid"] is True


def test_sigkill_under_load_loses_no_answered_record(gateways: Gateways) -> None:
    answered = asyncio.run(_load(gateways, 300, [gateways.key], kill_after=60))
    stored = asyncio.run(_stored(gateways.database_url, list(answered)))
    report = asyncio.run(_verify(gateways.database_url))
    assert gateways.processes[0].wait(timeout=10) == -signal.SIGKILL
    assert len(answered) < 300  # the kill cut requests off mid-flight
    assert [rid for rid in answered if stored.get(rid) != 1] == []
    assert report["valid"] is True
