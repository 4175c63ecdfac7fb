"""Ledger reconciliation on a real PostgreSQL: reconcilers of several instances at once write each lost row once,
a writer and a reconciler inserting the same rows at once both commit, and client-chosen values that do not fit
a column no longer stop the ledger writer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from gateway.settings import Settings
from gateway.store import db
from gateway.store.repositories import usage as usage_repo
from gateway.tenancy.reconcile import reconcile_ledger
from gateway.tenancy.tenants import create_tenant
from tests.conftest import ADMIN_KEY, NO_ENV_FILE, running_gateway
from tests.unit.tenancy.test_reconcile import _key, _ledger, _lose_ledger, _traffic, _written


def _settings(url: str) -> Settings:
    return Settings(database_url=url, demo=True, env_file=NO_ENV_FILE, admin_api_key=ADMIN_KEY, log_level="warning")


async def test_reconcilers_of_several_instances_at_once_write_each_row_once(own_postgres_url: str) -> None:
    async with running_gateway(_settings(own_postgres_url)) as client:
        await _traffic(client, await _key(client))
        written = await _written(client)
        await _lose_ledger(client)
        engines = [db.create_engine(own_postgres_url) for _ in range(3)]  # three instances: three pools
        try:
            reports = await asyncio.gather(
                *(reconcile_ledger(db.session_factory(engine), chunk=1) for engine in engines)
            )
        finally:
            for engine in engines:
                await engine.dispose()
        assert sum(report.backfilled for report in reports) == len(written) == 4
        assert await _ledger(client) == written


async def test_overlong_request_id_and_model_do_not_stop_the_ledger(own_postgres_url: str) -> None:
    async with running_gateway(_settings(own_postgres_url)) as client:
        auth = {"authorization": f"Bearer {await _key(client)}"}
        chat = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hallo"}]}
        sent = [
            await client.post("/v1/chat/completions", json=chat, headers={**auth, "x-request-id": "r" * 128}),
            await client.post("/v1/chat/completions", json={**chat, "model": "m" * 300}, headers=auth),
            await client.post("/v1/chat/completions", json=chat, headers=auth),
        ]
        rows = await _written(client, count=3)
        pending = client.app.state.components.ledger.pending  # type: ignore[attr-defined]
    assert [response.status_code for response in sent] == [200, 404, 200]
    assert {"r" * 128} <= {row["request_id"] for row in rows} and pending == 0
    assert {row["model"] for row in rows} >= {"m" * 200}


def _rows(tenant_id: str, count: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "request_id": f"req-{n}", "usage_id": f"{n:032x}", "tenant_id": tenant_id, "created_at": now,
            "prompt_tokens": 1, "completion_tokens": 1, "cost_eur": 0.0, "status": 200, "outcome": "ok",
        }
        for n in range(count)
    ]


async def test_a_writer_and_a_reconciler_inserting_the_same_rows_at_once_do_not_deadlock(
    own_postgres_url: str,
) -> None:
    """The ledger writer's late flush and a reconciler's backfill can carry the same usage ids in different orders
    (settle order, the audit query's order). Each takes the unique index's row locks as it inserts: in opposite
    orders two such transactions wait on each other, and PostgreSQL aborts one. Both must commit."""
    engine = db.create_engine(own_postgres_url)
    try:
        await db.upgrade(engine)
        sessions = db.session_factory(engine)
        async with sessions() as session, session.begin():
            tenant = await create_tenant(session, "deadlock", {}, set())
        rows = _rows(tenant.id, 3000)

        async def insert(ordered: list[dict[str, Any]]) -> None:
            async with sessions() as session, session.begin():
                await usage_repo.insert_rows(session, ordered)
                await asyncio.sleep(0.05)  # hold the locks a moment, as a transaction with more to do would

        for _ in range(3):
            await asyncio.gather(insert(rows), insert(rows[::-1]))
        async with sessions() as session:
            count = (await session.execute(text("SELECT count(*) FROM usage_ledger"))).scalar_one()
        assert count == 3000
    finally:
        await engine.dispose()
