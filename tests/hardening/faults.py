"""Helpers of the fault scenarios (tests/integration/test_faults_*.py): load from client threads, throwaway Redis
and PostgreSQL servers of our own, a gateway process that can be SIGKILLed, and ledger/audit lookups."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text

from tests.hardening.support import ADMIN_KEY, CHAT, bearer, free_port, wait_until

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class Load:
    """Requests sent from client threads until stopped: what every client saw."""

    url: str
    key: str
    ok_ids: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # transport failures (connection refused/reset)
    bad_bodies: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self, clients: int = 4) -> Load:
        for _ in range(clients):
            thread = threading.Thread(target=self._run, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            while not self._stop.is_set():
                try:
                    response = client.post("/v1/chat/completions", json=CHAT, headers=bearer(self.key))
                except httpx.HTTPError as exc:
                    self.errors.append(type(exc).__name__)
                    time.sleep(0.05)
                    continue
                self.statuses.append(response.status_code)
                if response.status_code == 200:
                    self.ok_ids.append(response.headers["x-request-id"])
                elif "error" not in response.json() or set(response.json()["error"]) != {
                    "message",
                    "type",
                    "param",
                    "code",
                }:
                    self.bad_bodies.append(response.text[:200])

    def stop(self) -> Load:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)
        return self


def ready(url: str) -> int:
    try:
        return httpx.get(url + "/ready", timeout=2).status_code
    except httpx.HTTPError:
        return 0


def wait_ready(url: str, timeout: float = 20) -> bool:
    return wait_until(lambda: ready(url) == 200, timeout=timeout, interval=0.1)


@contextmanager
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


class RedisServer:
    """A redis-server of our own on a free port (never the shared one on 6379)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_until(self._answers, timeout=5), "redis-server did not start"

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=5)
            self._process = None


@contextmanager
def own_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer(free_port())
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.stop(mode="immediate")
        shutil.rmtree(server.data.parent, ignore_errors=True)


class PostgresServer:
    """A throwaway PostgreSQL cluster under /tmp on a free port, run as the postgres user (never the shared one)."""

    def __init__(self, port: int) -> None:
        self.port = port
        root = Path(tempfile.mkdtemp(prefix="gw-faults-pg-"))
        shutil.chown(root, "postgres", "postgres")
        self.data = root / "data"
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(["su", "postgres", "-c", " ".join(args)], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"'-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off'"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.data.parent / "log"),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        try:
            self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped


def rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    """Rows of one query, through the async driver of the URL (only asyncpg and aiosqlite are installed)."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async def query() -> list[tuple[object, ...]]:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as conn:
                return [tuple(r) for r in (await conn.execute(text(sql))).all()]
        finally:
            await engine.dispose()

    return asyncio.run(query())


def ledger_ids(database_url: str) -> set[str]:
    return {str(r[0]) for r in rows(database_url, "SELECT request_id FROM usage_ledger")}


def audit_ids(database_url: str) -> set[str]:
    return {str(r[0]) for r in rows(database_url, "SELECT request_id FROM audit_records")}


def gateway_process(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`gateway serve` as its own process (so that it can be SIGKILLed)."""
    full = {**os.environ, "ADMIN_API_KEY": ADMIN_KEY, "LOG_LEVEL": "warning", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def poll(predicate: Callable[[], bool], timeout: float = 10) -> bool:
    return wait_until(predicate, timeout=timeout, interval=0.1)
