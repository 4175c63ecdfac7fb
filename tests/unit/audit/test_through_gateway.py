"""The audit log as the gateway writes it: every request, allowed or refused, committed before the answer;
export, erasure and verification through /admin/audit."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from gateway.audit.export import verify_export
from gateway.store.repositories import audit as audit_repo
from tests.conftest import admin_headers

Client = httpx.AsyncClient


async def _tenant_key(client: Client, **settings: object) -> tuple[str, str]:
    tenant = (await client.post("/admin/tenants", json={"name": "acme", **settings}, headers=admin_headers())).json()
    key = (await client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())).json()
    return tenant["id"], key["key"]


async def _chat(client: Client, key: str, **extra: Any) -> httpx.Response:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Ich heiße Max Mustermann."}], **extra}
    return await client.post("/v1/chat/completions", json=body, headers={"authorization": f"Bearer {key}"})


async def _records(client: Client) -> list[dict[str, Any]]:
    sessions = client.app.state.components.sessions  # type: ignore[attr-defined]
    async with sessions() as session:
        return [dict(r) for r in await audit_repo.records_from(session, 1, None, 1000)]


async def test_answered_request_has_its_record_committed_before_the_response(gateway_client: Client) -> None:
    _, key = await _tenant_key(gateway_client)
    response = await _chat(gateway_client, key)
    [record] = await _records(gateway_client)
    assert (record["request_id"], record["status"]) == (response.headers["x-request-id"], 200)


async def test_record_holds_pii_types_and_counts_but_no_text(gateway_client: Client) -> None:
    _, key = await _tenant_key(gateway_client)
    await _chat(gateway_client, key)
    [record] = await _records(gateway_client)
    assert record["pii"] == {"PERSON": 1} and "Mustermann" not in orjson.dumps(record, default=str).decode()


async def test_refused_request_is_recorded_with_its_error_code(gateway_client: Client) -> None:
    response = await _chat(gateway_client, "sk-not-a-key")
    [record] = await _records(gateway_client)
    assert response.status_code == 401
    assert (record["key_id"], record["tenant_id"], record["error_code"]) == ("anonymous", None, "invalid_api_key")


async def test_rate_limited_request_is_recorded(gateway_client: Client) -> None:
    _, key = await _tenant_key(gateway_client, rate_limit_per_minute=1)
    await _chat(gateway_client, key)
    await _chat(gateway_client, key)
    assert [r["status"] for r in await _records(gateway_client)] == [200, 429]


async def test_stream_is_recorded_before_its_end(gateway_client: Client) -> None:
    _, key = await _tenant_key(gateway_client)
    response = await _chat(gateway_client, key, stream=True)
    [record] = await _records(gateway_client)
    assert response.text.rstrip().endswith("[DONE]") and record["stream"] is True


async def test_request_fails_503_when_its_record_cannot_be_committed(
    gateway_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, key = await _tenant_key(gateway_client)

    async def broken(*_: object) -> None:
        raise OSError("database gone")

    monkeypatch.setattr(audit_repo, "advance_head", broken)
    response = await _chat(gateway_client, key)
    assert (response.status_code, response.json()["error"]["code"]) == (503, "audit_unavailable")


async def test_verify_endpoint_reports_a_valid_chain(gateway_client: Client) -> None:
    _, key = await _tenant_key(gateway_client)
    for _ in range(3):
        await _chat(gateway_client, key)
    report = (await gateway_client.get("/admin/audit/verify", headers=admin_headers())).json()
    assert (report["valid"], report["checked"]) == (True, 3)


async def test_export_retention_and_erasure_end_to_end(gateway_client: Client) -> None:
    tenant_id, key = await _tenant_key(gateway_client)
    put = await gateway_client.put(
        f"/admin/audit/tenants/{tenant_id}/settings", json={"retain_prompts": True}, headers=admin_headers()
    )
    assert put.json()["retain_prompts"] is True
    await _chat(gateway_client, key, user="alice")
    await _chat(gateway_client, key, user="bob")
    params = {"tenant": tenant_id, "subject": "alice"}
    before = await gateway_client.get("/admin/audit/export", params=params, headers=admin_headers())
    erased = await gateway_client.delete("/admin/audit/subjects/alice", params={"tenant": tenant_id},
                                         headers=admin_headers())
    after = await gateway_client.get("/admin/audit/export", params=params, headers=admin_headers())
    verify = (await gateway_client.get("/admin/audit/verify", headers=admin_headers())).json()
    records = [[i for i in map(orjson.loads, r.text.splitlines()) if i["kind"] == "record"] for r in (before, after)]
    assert "<PERSON_1>" in records[0][0]["content"] and records[1][0]["content_status"] == "erased"
    assert erased.json()["contents_unreadable"] == 1 and verify["valid"]
    assert verify_export(map(orjson.loads, after.text.splitlines())) is None


async def test_csv_export_is_served_as_csv(gateway_client: Client) -> None:
    tenant_id, key = await _tenant_key(gateway_client)
    await _chat(gateway_client, key)
    response = await gateway_client.get(
        "/admin/audit/export", params={"tenant": tenant_id, "format": "csv"}, headers=admin_headers()
    )
    assert response.headers["content-type"].startswith("text/csv") and response.text.startswith("kind,seq,")
