"""Read access to the durable ledger totals that budget counters are (re-)seeded from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import async_sessionmaker

from gateway.store.repositories import usage as usage_repo


class UsageSource:
    def __init__(self, sessions: async_sessionmaker) -> None:  # type: ignore[type-arg]
        self._sessions = sessions

    async def tokens_between(self, tenant_id: str, start: datetime, end: datetime) -> int:
        async with self._sessions() as session:
            return await usage_repo.tenant_tokens_between(session, tenant_id, start, end)

    async def cost_eur_between(self, tenant_id: str, start: datetime, end: datetime) -> float:
        async with self._sessions() as session:
            return await usage_repo.tenant_cost_between(session, tenant_id, start, end)
