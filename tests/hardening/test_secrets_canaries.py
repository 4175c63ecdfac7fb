"""Planted canaries: a scripted run with a tenant key, an unknown well-formed key, the admin key, a provider API
key, an IBAN, a name and an e-mail address, then a scan of everything the gateway left behind: every log line
(debug level), every error body and header, the /metrics output and every row of every database table. None
of the canaries may appear in clear text anywhere (the chat answer to the tenant itself is its own data)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from gateway.mock.demo import mock_app
from gateway.mock.server import MockServer
from gateway.observability.logging import JsonFormatter
from gateway.tenancy.keys import generate_key
from tests.conftest import running_gateway
from tests.hardening.support import ADMIN_KEY, admin, bearer, hardening_settings, make_tenant

PROVIDER_KEY = "sk-canary-provider-7f3a9c1e55d24b8e"
IBAN = "DE89370400440532013000"
NAME = "Hildegard Kowalczyk-Brennecke"
EMAIL = "hildegard.kowalczyk@canary-mail.de"
PROMPT = f"Bitte überweise an {NAME}, IBAN {IBAN}, Rückfragen an {EMAIL}."


@dataclass
class Capture:
    lines: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # everything but the tenant's own successful chat answers
    metrics: str = ""
    tables: list[str] = field(default_factory=list)
    canaries: dict[str, str] = field(default_factory=dict)


class _Lines(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.lines = lines
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockServer]:
    server = MockServer(mock_app("openai")).start()
    monkeypatch.setenv("OPENAI_API_KEY", PROVIDER_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    yield server
    server.stop()


def _record(capture: Capture, response: httpx.Response, own_answer: bool = False) -> None:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    capture.bodies.append(
        headers if own_answer and response.status_code == 200 else headers + "\n" + response.text
    )


async def _script(client: httpx.AsyncClient, capture: Capture, upstream: MockServer) -> None:
    tenant = await make_tenant(client, "canary-tenant")  # the default PII policy: redact
    stranger = generate_key()
    capture.canaries.update(tenant_key=tenant.key, unknown_key=stranger)
    pii = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}], "user": EMAIL}
    for body, stream in ((pii, False), ({**pii, "stream": True}, True)):
        _record(
            capture,
            await client.post(
                "/v1/chat/completions", json={**body, "stream": stream}, headers=bearer(tenant.key)
            ),
            own_answer=True,
        )
    for headers in (bearer(stranger), {"authorization": f"Basic {ADMIN_KEY}"}, bearer(ADMIN_KEY)):
        _record(capture, await client.post("/v1/chat/completions", json=pii, headers=headers))
    _record(capture, await client.get("/admin/keys", headers=bearer(tenant.key)))
    _record(
        capture,
        await client.post("/v1/chat/completions", json={**pii, "max_tokens": -1}, headers=bearer(tenant.key)),
    )
    _record(
        capture,
        await client.post("/v1/pii/detect", json={"text": 5, "x": PROMPT}, headers=bearer(tenant.key)),
    )
    for fault in ("http_401", "http_400", "http_500"):  # upstream errors are translated, never passed through
        async with httpx.AsyncClient() as control:  # the mock's own port, not the in-process gateway
            await control.post(upstream.url + "/_mock/faults", json={"fault": fault, "count": 1})
        _record(capture, await client.post("/v1/chat/completions", json=pii, headers=bearer(tenant.key)))
    _record(capture, await client.get("/admin/keys", headers=admin()))
    _record(capture, await client.get("/admin/usage", headers=admin()))
    _record(
        capture, await client.get("/admin/audit/export", params={"tenant": tenant.tenant_id}, headers=admin())
    )
    capture.metrics = (await client.get("/metrics")).text


def _dump_tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [f"{name}: {row!r}" for name in names for row in conn.execute(f'SELECT * FROM "{name}"')]


@pytest.fixture
async def capture(tmp_path: Path, upstream: MockServer) -> Capture:
    captured = Capture(
        canaries={
            "admin_key": ADMIN_KEY,
            "provider_key": PROVIDER_KEY,
            "iban": IBAN,
            "name": NAME,
            "surname": "Kowalczyk",
            "email": EMAIL,
        }
    )
    handler = _Lines(captured.lines)
    settings = hardening_settings(tmp_path, demo=False, log_level="debug")
    async with running_gateway(settings) as client:
        logging.getLogger("gateway").addHandler(handler)
        try:
            await _script(client, captured, upstream)
        finally:
            logging.getLogger("gateway").removeHandler(handler)
    captured.tables = _dump_tables(tmp_path / "gateway.db")
    return captured


def _leaks(texts: list[str], canaries: dict[str, str]) -> list[str]:
    return [f"{name} in: {text[:300]}" for text in texts for name, value in canaries.items() if value in text]


def test_no_canary_in_any_log_line(capture: Capture) -> None:
    assert capture.lines  # debug logging was on: there was something to scan
    assert _leaks(capture.lines, capture.canaries) == []


def test_no_canary_in_any_error_body_or_header(capture: Capture) -> None:
    assert _leaks(capture.bodies, capture.canaries) == []


def test_no_canary_in_metrics(capture: Capture) -> None:
    assert "canary-tenant" in capture.metrics or capture.metrics  # the exposition was read
    assert _leaks([capture.metrics], capture.canaries) == []


def test_no_canary_in_any_database_row(capture: Capture) -> None:
    assert capture.tables
    assert _leaks(capture.tables, capture.canaries) == []
