"""A client that disconnects mid-stream: the request is settled exactly once (one ledger row, with usage even
though the provider never sent its count), the upstream stream is closed, and no task is left behind."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from tests.hardening.support import (
    CHAT,
    SlowUpstream,
    bearer,
    hardening_settings,
    make_tenant,
    make_tenant_sync,
    served,
    slow_upstream,
    wait_until,
)

ABANDONED = 3


def _ledger(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT request_id, outcome, prompt_tokens, completion_tokens FROM usage_ledger"
        ).fetchall()


@pytest.fixture
def abandoned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, SlowUpstream, list[str]]]:
    """Three streams, each read for a few events and then dropped by the client; the request ids it saw."""
    with (
        slow_upstream(monkeypatch, chunks=200, delay=0.02) as upstream,
        served(hardening_settings(tmp_path, demo=False)) as server,
    ):
        key = make_tenant_sync(server.url, "abandon").key
        ids = []
        for _ in range(ABANDONED):
            with (
                httpx.Client(base_url=server.url) as client,
                client.stream(
                    "POST", "/v1/chat/completions", json={**CHAT, "stream": True}, headers=bearer(key)
                ) as response,
            ):
                ids.append(response.headers["x-request-id"])
                lines = response.iter_lines()
                for _ in range(6):
                    next(lines)
        wait_until(lambda: len(_ledger(tmp_path / "gateway.db")) >= ABANDONED)
        yield tmp_path / "gateway.db", upstream, ids


def test_abandoned_stream_has_exactly_one_ledger_row(abandoned: tuple[Path, SlowUpstream, list[str]]) -> None:
    db, _, ids = abandoned
    rows = _ledger(db)
    assert sorted(r[0] for r in rows) == sorted(ids)
    assert {r[1] for r in rows} == {"client_disconnected"}


def test_abandoned_stream_usage_is_recorded(abandoned: tuple[Path, SlowUpstream, list[str]]) -> None:
    db, _, _ = abandoned
    assert all(prompt > 0 and completion > 0 for _, _, prompt, completion in _ledger(db))


def test_abandoned_stream_closes_the_upstream_stream(abandoned: tuple[Path, SlowUpstream, list[str]]) -> None:
    _, upstream, _ = abandoned
    assert wait_until(lambda: upstream.open_streams == 0)
    assert upstream.finished_streams == ABANDONED


async def test_abandoned_stream_leaves_no_task_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with slow_upstream(monkeypatch, chunks=200, delay=0.02):
        app = create_app(hardening_settings(tmp_path, demo=False))
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://g"
            ) as client:
                key = (await make_tenant(client, "tasks")).key
            baseline = len(asyncio.all_tasks())
            for _ in range(ABANDONED):
                await _abandon(app, key)
            for _ in range(100):
                if len(asyncio.all_tasks()) <= baseline:
                    break
                await asyncio.sleep(0.05)
            assert len(asyncio.all_tasks()) <= baseline


async def _abandon(app: Any, key: str) -> None:
    """Drive the ASGI app as uvicorn does (spec 2.3): the client disconnects after three body chunks."""
    body = httpx.Request("POST", "http://g", json={**CHAT, "stream": True}).read()
    gone = asyncio.Event()
    chunks = 0
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": body, "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal chunks
        if message["type"] == "http.response.body":
            chunks += 1
            if chunks == 3:
                gone.set()

    headers = [
        (b"authorization", f"Bearer {key}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "path": "/v1/chat/completions",
        "raw_path": b"/v1/chat/completions",
        "query_string": b"",
        "headers": headers,
        "scheme": "http",
        "server": ("g", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    assert gone.is_set()
