"""Exact-hit latency of the request path in process (no HTTP, no sockets): `Pipeline.handle` for a cached
request, as served, and once more without waiting for the audit commit, to show what the cache path itself costs
next to the durable audit write every answer waits for (docs/adr/0007-audit-chain.md)."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.cache.gateway_latency import QUESTION, SYSTEM, percentiles
from gateway.api.openai_wire import parse_chat_request
from gateway.settings import Settings
from tests.conftest import admin_headers, running_gateway

BODY = {
    "model": "gpt-4o-mini",
    "temperature": 0,
    "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTION}],
}


async def _no_wait(_record: object) -> None:
    return None


async def _measure(hits: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="cache-pipeline-"))
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{workdir}/bench.db",
        demo=True,
        admin_api_key="admin-secret-for-tests",
        env_file=workdir / ".env",
        log_level="warning",
        cache_embeddings="off",
    )
    async with running_gateway(settings) as client:
        tenant = (await client.post("/admin/tenants", json={"name": "bench"}, headers=admin_headers())).json()
        key = (
            await client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())
        ).json()["key"]
        components = client.app.state.components  # type: ignore[attr-defined]
        raw = json.dumps(BODY).encode()
        await components.pipeline.handle(f"Bearer {key}", raw, "warm")

        async def run() -> list[float]:
            samples = []
            for i in range(hits):
                started = time.perf_counter()
                await components.pipeline.handle(f"Bearer {key}", raw, f"r{i}")
                samples.append((time.perf_counter() - started) * 1000)
            return samples

        served = await run()
        components.settler.acknowledged = _no_wait
        without_audit_wait = await run()
        request = parse_chat_request(raw)
        lookups = []
        for _ in range(hits):
            started = time.perf_counter()
            await components.cache.lookup(tenant["id"], None, request, ["gpt-4o-mini"])
            lookups.append((time.perf_counter() - started) * 1000)
    return {
        "setup": "Pipeline.handle in process (SQLite, in-process state), a cached request, one at a time",
        "pipeline_hit": percentiles(served),
        "pipeline_hit_without_audit_commit_wait": percentiles(without_audit_wait),
        "cache_lookup_hit": percentiles(lookups),
    }


def run(hits: int) -> dict[str, Any]:
    return asyncio.run(_measure(hits))
