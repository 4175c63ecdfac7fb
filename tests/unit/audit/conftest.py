"""A migrated SQLite audit log and a helper that appends requests through the real writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.audit.writer import AuditWriter
from gateway.settle import Settlement
from gateway.store import db
from gateway.tenancy.costs import Cost
from gateway.tenancy.policy import AuthenticatedTenant
from gateway.types import ChatRequest, Message

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[Sessions]:
    engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    await db.upgrade(engine)
    async with db.session_factory(engine)() as session, session.begin():
        await session.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'one', '2026-01-01')"))
        await session.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('t2', 'two', '2026-01-01')"))
    yield db.session_factory(engine)
    await engine.dispose()


def settlement(number: int, tenant_id: str | None = "t1", user: str | None = None, prompt: str = "hallo") -> Settlement:
    record = Settlement(request_id=f"req-{number}", started=0.0)
    if tenant_id is not None:
        record.tenant = AuthenticatedTenant(tenant_id=tenant_id, tenant_name=tenant_id, key_id=f"key-{tenant_id}")
        record.prompt = ChatRequest(model="m", messages=[Message(role="user", content=f"{prompt} {number}")])
        record.subject = user
    else:
        record.status, record.outcome, record.error_code = 401, "error", "invalid_api_key"
    return record


async def append(sessions: Sessions, records: list[Settlement]) -> None:
    """Write `records` as one batch through the real writer and wait for the commit."""
    writer = AuditWriter(sessions)
    for record in records:
        writer.observe(record, Cost(0.0, 0.0, 1.0, 0.000123))
    assert await writer.flush()
    for record in records:
        for ack in record.acks:
            await ack
    await writer.stop()  # releases the writer's connection


async def sql(sessions: Sessions, statement: str, **params: object) -> None:
    async with sessions() as session, session.begin():
        await session.execute(text(statement), params)
