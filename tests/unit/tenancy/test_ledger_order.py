"""The ledger's serial ids follow the order requests settled in, though the writer inserts each batch sorted by
usage id (a fixed lock order against deadlocks on PostgreSQL): usage ids begin with the settling time."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from gateway.store.tables import UsageRecord
from tests.conftest import admin_headers


async def test_rows_of_one_batch_are_numbered_in_settling_order(gateway_client: httpx.AsyncClient) -> None:
    tenant = (await gateway_client.post("/admin/tenants", json={"name": "acme"}, headers=admin_headers())).json()
    key = (await gateway_client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())).json()
    sent = [f"order-{n}" for n in range(12)]
    for request_id in sent:  # one after another; the writer flushes every 0.2 s, so a batch holds several
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Frage {request_id}"}]}
        headers = {"authorization": f"Bearer {key['key']}", "x-request-id": request_id}
        assert (await gateway_client.post("/v1/chat/completions", json=body, headers=headers)).status_code == 200
    components = gateway_client.app.state.components  # type: ignore[attr-defined]
    await components.settler.drain()
    await components.ledger.flush()
    async with components.sessions() as session:
        ids = (await session.execute(select(UsageRecord.request_id).order_by(UsageRecord.id))).scalars().all()
    assert list(ids) == sent
