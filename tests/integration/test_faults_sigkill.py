"""A gateway instance killed with SIGKILL under load, next to a second instance on the same PostgreSQL: its
clients see dropped connections (never a 200 that was not recorded), the other instance keeps serving, a
restarted instance is ready by itself, and every 200 any client received has its audit record and exactly one
ledger row. Ledger rows are written in batches (every 0.2 s), so the SIGKILL loses the killed instance's last
batch; the restarted instance rebuilds those rows from the audit log before it is ready (docs/reliability.md)."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.catalog import load_catalog
from gateway.store import db
from tests.hardening.faults import (
    Load,
    PostgresServer,
    audit_ids,
    gateway_process,
    ledger_ids,
    own_postgres,
    rows,
    wait_ready,
)
from tests.hardening.support import bearer, free_port, make_tenant_sync


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    with own_postgres() as server:
        asyncio.run(_migrate(server.url))
        yield server


async def _migrate(url: str) -> None:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
    finally:
        await engine.dispose()


def test_sigkilled_instance_loses_no_acknowledged_audit_record(postgres: PostgresServer) -> None:
    env = {"DATABASE_URL": postgres.url, "OPENAI_API_KEY": "", "DEMO": "true"}
    ports = [free_port(), free_port()]
    processes = [gateway_process(port, env) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        assert all(wait_ready(url, timeout=30) for url in urls)
        key = make_tenant_sync(urls[0], "sigkill").key
        loads = [Load(url, key).start(clients=2) for url in urls]
        time.sleep(1.0)
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(timeout=5)
        answered_before_kill = list(loads[0].ok_ids)
        time.sleep(0.5)
        survivor_before = len(loads[1].statuses)
        time.sleep(0.5)
        processes[0] = gateway_process(ports[0], env)  # restarted: ready by itself, on the same database
        restarted = wait_ready(urls[0], timeout=30)
        time.sleep(0.5)
        for load in loads:
            load.stop()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)  # a clean shutdown drains the ledger
    acknowledged = set(loads[0].ok_ids) | set(loads[1].ok_ids)
    assert restarted
    assert loads[0].errors  # the killed instance's clients saw dropped or refused connections
    assert len(loads[1].statuses) > survivor_before and loads[1].errors == []
    assert acknowledged <= audit_ids(postgres.url)
    missing = acknowledged - ledger_ids(postgres.url)
    assert answered_before_kill and not missing, (
        f"{len(missing)} acknowledged without a ledger row, {len(missing & set(loads[0].ok_ids))} of them by the "
        f"killed instance's clients: {sorted(missing)[:5]}"
    )
    assert rows(postgres.url, "SELECT request_id FROM usage_ledger GROUP BY request_id HAVING count(*) > 1") == []


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
        return
    with own_postgres() as server:
        yield server.url


def test_ledger_rows_a_sigkill_lost_are_rebuilt_before_the_restarted_instance_is_ready(database_url: str) -> None:
    # No timed flush at all: every row of this run is still queued when the kill comes, deterministically.
    env = {"DATABASE_URL": database_url, "OPENAI_API_KEY": "", "DEMO": "true", "LEDGER_FLUSH_INTERVAL_SECONDS": "3600"}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = gateway_process(port, env)
    try:
        assert wait_ready(url, timeout=30)
        tenant = make_tenant_sync(url, "killed-before-flush")
        answers = [_chat(url, tenant.key, n) for n in range(8)]
        answers.append(_chat(url, tenant.key, 8, request_id="r" * 100))  # as long as a client may send
        answers.append(_chat(url, tenant.key, 9, stream=True))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=5)
        lost = _ledger_rows(database_url, tenant.tenant_id)
        process = gateway_process(port, env)
        restarted = wait_ready(url, timeout=30)
        rebuilt = _ledger_rows(database_url, tenant.tenant_id)  # read before anything else could write them
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert lost == []  # the gap this closes: the kill took every queued row
    assert restarted
    assert sorted(row["request_id"] for row in rebuilt) == sorted(answer.request_id for answer in answers)
    catalog = load_catalog()
    for row in rebuilt:
        answer = next(a for a in answers if a.request_id == row["request_id"])
        price = catalog.model(answer.model).price_usd_per_1m  # type: ignore[union-attr]
        rate = catalog.exchange_rate.eur_per_usd
        expected_eur = (answer.prompt_tokens * price.input + answer.completion_tokens * price.output) / 1e6 * rate
        assert (row["model"], row["prompt_tokens"], row["completion_tokens"]) == (
            answer.model, answer.prompt_tokens, answer.completion_tokens
        )
        assert (row["price_input_usd_per_1m"], row["price_output_usd_per_1m"], row["eur_per_usd"]) == (
            price.input, price.output, rate
        )
        assert row["cost_eur"] == pytest.approx(expected_eur, rel=1e-9, abs=1e-12) and row["cost_eur"] > 0


@dataclass
class _Answer:
    request_id: str
    model: str
    prompt_tokens: int
    completion_tokens: int


def _chat(url: str, key: str, number: int, request_id: str | None = None, stream: bool = False) -> _Answer:
    """One answered request and the usage its client was told."""
    body: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Frage {number}"}]}
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    headers = {**bearer(key), **({"x-request-id": request_id} if request_id else {})}
    response = httpx.post(url + "/v1/chat/completions", json=body, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    if stream:
        chunks = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")]
        final = next(c for c in chunks if c.get("usage"))
        usage, model = final["usage"], final["model"]
    else:
        usage, model = response.json()["usage"], response.json()["model"]
    return _Answer(response.headers["x-request-id"], model, usage["prompt_tokens"], usage["completion_tokens"])


def _ledger_rows(database_url: str, tenant_id: str) -> list[dict[str, Any]]:
    columns = ("request_id", "model", "prompt_tokens", "completion_tokens", "price_input_usd_per_1m",
               "price_output_usd_per_1m", "eur_per_usd", "cost_eur")  # fmt: skip
    found = rows(database_url, f"SELECT {', '.join(columns)} FROM usage_ledger WHERE tenant_id = '{tenant_id}'")
    return [{name: (float(v) if name == "cost_eur" else v) for name, v in zip(columns, row, strict=True)}
            for row in found]  # fmt: skip
