"""Helpers of the hardening tests: a slow OpenAI-compatible upstream, a gateway on loopback, tenants and keys,
and the checks every error body must pass."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.app import create_app
from gateway.mock.server import MockServer
from gateway.settings import Settings

ADMIN_KEY = "admin-secret-for-hardening"
NO_ENV_FILE = Path("/nonexistent/.env")
ERROR_FIELDS = {"message", "type", "param", "code"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hallo"}]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def admin() -> dict[str, str]:
    return {"authorization": f"Bearer {ADMIN_KEY}"}


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def error_problems(status: int, body: bytes) -> list[str]:
    """Why a response breaks the error contract (empty when it keeps it): below 500, no stack trace, and for
    every 4xx exactly OpenAI's `{"error": {message, type, param, code}}`."""
    problems = []
    if status >= 500:
        problems.append(f"status {status}")
    if b"Traceback" in body or b'File "' in body:
        problems.append("stack trace in the body")
    if status >= 400:
        try:
            error = json.loads(body)["error"]
        except (ValueError, KeyError, TypeError):
            return [*problems, f"not an OpenAI error body: {body[:200]!r}"]
        if set(error) != ERROR_FIELDS or not isinstance(error["message"], str):
            problems.append(f"error fields {sorted(error)}")
    return problems


@dataclass
class Tenant:
    tenant_id: str
    key: str
    key_id: str


async def make_tenant(client: httpx.AsyncClient, name: str, **policy: Any) -> Tenant:
    """A tenant with one key, created through the admin API."""
    created = await client.post("/admin/tenants", json={"name": name, **policy}, headers=admin())
    assert created.status_code == 201, created.text
    key = await client.post("/admin/keys", json={"tenant_id": created.json()["id"]}, headers=admin())
    assert key.status_code == 201, key.text
    return Tenant(created.json()["id"], key.json()["key"], key.json()["id"])


def make_tenant_sync(url: str, name: str, **policy: Any) -> Tenant:
    created = httpx.post(url + "/admin/tenants", json={"name": name, **policy}, headers=admin())
    assert created.status_code == 201, created.text
    key = httpx.post(url + "/admin/keys", json={"tenant_id": created.json()["id"]}, headers=admin())
    assert key.status_code == 201, key.text
    return Tenant(created.json()["id"], key.json()["key"], key.json()["id"])


def hardening_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "demo": True,
        "env_file": NO_ENV_FILE,
        "admin_api_key": ADMIN_KEY,
        "log_level": "warning",
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def served(settings: Settings) -> Iterator[MockServer]:
    """The gateway under uvicorn on a loopback port (real sockets: timeouts, disconnects, streaming)."""
    server = MockServer(create_app(settings), lifespan="on").start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def slow_upstream(
    monkeypatch: pytest.MonkeyPatch, chunks: int = 50, delay: float = 0.05
) -> Iterator[SlowUpstream]:
    """An OpenAI-compatible upstream whose streams send `chunks` words, `delay` seconds apart, configured as the
    gateway's only provider (`OPENAI_*` variables)."""
    upstream = SlowUpstream(chunks, delay)
    server = MockServer(upstream.app()).start()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-hardening-upstream")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    try:
        yield upstream
    finally:
        server.stop()


class SlowUpstream:
    """Counts the streams it has open, so a test can prove the gateway closed its upstream side."""

    def __init__(self, chunks: int, delay: float) -> None:
        self.chunks, self.delay = chunks, delay
        self.open_streams = 0
        self.finished_streams = 0

    def app(self) -> Starlette:
        async def chat(request: Request) -> Response:
            body = json.loads(await request.body())
            if not body.get("stream"):
                return JSONResponse(_completion(body["model"]))
            return StreamingResponse(self._events(body["model"]), media_type="text/event-stream")

        return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])

    async def _events(self, model: str) -> AsyncIterator[bytes]:
        self.open_streams += 1
        try:
            for i in range(self.chunks):
                delta = {"role": "assistant", "content": f"w{i} "} if i == 0 else {"content": f"w{i} "}
                yield _sse(
                    {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "created": 1,
                        "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                    }
                )
                await asyncio.sleep(self.delay)
            yield _sse(
                {
                    "id": "c1",
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": model,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                    "usage": {
                        "prompt_tokens": 5,
                        "completion_tokens": self.chunks,
                        "total_tokens": 5 + self.chunks,
                    },
                }
            )
            yield b"data: [DONE]\n\n"
        finally:
            self.open_streams -= 1
            self.finished_streams += 1


def _sse(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def _completion(model: str) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }


def wait_until(predicate: Any, timeout: float = 5.0, interval: float = 0.05) -> bool:
    """Poll `predicate()` until it is true or `timeout` passes; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
