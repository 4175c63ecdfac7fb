"""Request ids in and out, on every log line of a request; no secrets in log lines."""

from __future__ import annotations

import json
import logging

import httpx

from gateway.observability.context import REQUEST_ID
from gateway.observability.logging import MASK, JsonFormatter
from tests.conftest import admin_headers


def _line(message: str, **extra: object) -> dict[str, object]:
    record = logging.LogRecord("gateway.test", logging.INFO, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    return json.loads(JsonFormatter().format(record))  # type: ignore[no-any-return]


async def test_client_request_id_echoed_on_any_route(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.get("/health", headers={"x-request-id": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"


async def test_request_id_generated_when_absent(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.get("/health")
    assert response.headers["x-request-id"].startswith("req_")


async def test_error_body_and_header_share_the_request_id(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.post("/v1/chat/completions", json={}, headers={"x-request-id": "abc"})
    assert response.status_code == 401 and response.headers["x-request-id"] == "abc"


async def test_settle_log_line_carries_the_request_id(gateway_client: httpx.AsyncClient, caplog) -> None:  # type: ignore[no-untyped-def]
    tenant = (await gateway_client.post("/admin/tenants", json={"name": "t"}, headers=admin_headers())).json()
    key = (await gateway_client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())).json()
    logger = logging.getLogger("gateway.requests")
    logger.addHandler(caplog.handler)
    caplog.handler.setFormatter(JsonFormatter())
    caplog.set_level(logging.INFO, logger="gateway.requests")
    try:
        await gateway_client.post(
            "/v1/chat/completions",
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hallo"}]},
            headers={"authorization": f"Bearer {key['key']}", "x-request-id": "rid-7"},
        )
    finally:
        logger.removeHandler(caplog.handler)
    lines = [json.loads(caplog.handler.format(r)) for r in caplog.records if r.name == "gateway.requests"]
    assert lines and all(line["request_id"] == "rid-7" for line in lines)


def test_formatter_adds_the_context_request_id() -> None:
    token = REQUEST_ID.set("ctx-1")
    try:
        assert _line("hello")["request_id"] == "ctx-1"
    finally:
        REQUEST_ID.reset(token)


def test_formatter_masks_secret_fields() -> None:
    line = _line("oops", api_key="sk-live-123", authorization="Bearer x", tenant="acme")
    assert line["api_key"] == MASK and line["authorization"] == MASK and line["tenant"] == "acme"


def test_formatter_writes_values_json_cannot_hold_as_text() -> None:
    record = logging.LogRecord("gateway.test", logging.INFO, __file__, 1, "odd values", (), None)
    record.__dict__.update(huge=2**70, by_number={1: "one"}, when=object())
    data = json.loads(JsonFormatter().format(record))
    assert data["huge"] == 2**70
    assert data["by_number"] == {"1": "one"}
    assert data["when"].startswith("<object object")
