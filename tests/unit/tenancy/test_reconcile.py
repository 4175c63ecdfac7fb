"""Ledger reconciliation on SQLite: rows lost before their flush are rebuilt from the audit log, equal to the rows
the writer would have written, exactly once whatever runs in which order."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import delete, select

from gateway.store.repositories import usage as usage_repo
from gateway.store.tables import AuditChainHead, UsageRecord
from gateway.tenancy.reconcile import reconcile_ledger
from tests.conftest import admin_headers

Client = httpx.AsyncClient


async def _key(client: Client) -> str:
    tenant = (await client.post("/admin/tenants", json={"name": "acme"}, headers=admin_headers())).json()
    return str((await client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())).json()["key"])


async def _traffic(client: Client, key: str) -> None:
    """Answered, streamed, cached, failed and refused requests: every kind of ledger row, and one with none."""
    auth = {"authorization": f"Bearer {key}"}
    chat = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hallo"}], "temperature": 0}
    for body in (chat, chat, {**chat, "stream": True}, {**chat, "model": "no-such-model"}):
        await client.post("/v1/chat/completions", json=body, headers=auth)
    await client.post("/v1/chat/completions", json=chat, headers={"authorization": "Bearer sk-wrong"})


def _sessions(client: Client) -> Any:
    return client.app.state.components.sessions  # type: ignore[attr-defined]


async def _ledger(client: Client) -> list[dict[str, Any]]:
    """Every ledger row, without its serial id."""
    async with _sessions(client)() as session:
        rows = (await session.execute(select(UsageRecord).order_by(UsageRecord.usage_id))).scalars().all()
    return [{c.name: getattr(r, c.name) for c in UsageRecord.__table__.columns if c.name != "id"} for r in rows]


async def _written(client: Client, count: int = 4) -> list[dict[str, Any]]:
    """The ledger once the writer has flushed the `count` rows of `_traffic` (it flushes every 0.2 s)."""
    for _ in range(100):
        rows = await _ledger(client)
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"the writer flushed {len(rows)} of {count} rows")


async def _lose_ledger(client: Client) -> None:
    """What a SIGKILL before the flush leaves: audit records without their ledger rows."""
    async with _sessions(client)() as session, session.begin():
        await session.execute(delete(UsageRecord))


async def test_lost_rows_are_rebuilt_equal_to_the_written_ones(gateway_client: Client) -> None:
    await _traffic(gateway_client, await _key(gateway_client))
    written = await _written(gateway_client)
    await _lose_ledger(gateway_client)
    report = await reconcile_ledger(_sessions(gateway_client))
    assert len(written) == 4 and {r["outcome"] for r in written} >= {"ok", "error"}
    assert any(r["cache_hit"] and r["saved_tokens"] for r in written) and any(r["stream"] for r in written)
    assert report.backfilled == 4
    assert await _ledger(gateway_client) == written


async def test_rows_the_ledger_has_are_not_written_again(gateway_client: Client) -> None:
    await _traffic(gateway_client, await _key(gateway_client))
    written = await _written(gateway_client)
    report = await reconcile_ledger(_sessions(gateway_client))
    assert report.backfilled == 0 and await _ledger(gateway_client) == written


async def test_a_late_flush_after_the_backfill_is_dropped(gateway_client: Client) -> None:
    await _traffic(gateway_client, await _key(gateway_client))
    written = await _written(gateway_client)
    await _lose_ledger(gateway_client)
    await reconcile_ledger(_sessions(gateway_client))
    async with _sessions(gateway_client)() as session, session.begin():
        await usage_repo.insert_rows(session, written)  # the writer's batch, arriving after all
    assert await _ledger(gateway_client) == written


async def test_concurrent_reconcilers_write_each_row_once(gateway_client: Client) -> None:
    await _traffic(gateway_client, await _key(gateway_client))
    written = await _written(gateway_client)
    await _lose_ledger(gateway_client)
    reports = await asyncio.gather(*(reconcile_ledger(_sessions(gateway_client), chunk=1) for _ in range(3)))
    assert sum(r.backfilled for r in reports) == 4
    assert await _ledger(gateway_client) == written


async def test_records_younger_than_the_grace_are_left_for_later(gateway_client: Client) -> None:
    await _traffic(gateway_client, await _key(gateway_client))
    await _written(gateway_client)
    await _lose_ledger(gateway_client)
    waiting = await reconcile_ledger(_sessions(gateway_client), grace_seconds=3600)
    later = await reconcile_ledger(_sessions(gateway_client))
    assert waiting.backfilled == 0 and later.backfilled == 4


async def test_a_run_walks_only_the_records_past_the_watermark(gateway_client: Client) -> None:
    await _traffic(gateway_client, await _key(gateway_client))
    await _written(gateway_client)
    first = await reconcile_ledger(_sessions(gateway_client), chunk=2)
    await _lose_ledger(gateway_client)  # rows gone after their records were reconciled: not looked at again
    second = await reconcile_ledger(_sessions(gateway_client))
    async with _sessions(gateway_client)() as session:
        head = (await session.execute(select(AuditChainHead.seq))).scalar_one()
    assert first.through_seq == second.through_seq == head == 5
    assert first.backfilled == second.backfilled == 0
