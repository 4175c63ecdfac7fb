"""A gateway instance killed with SIGKILL under load, next to a second instance on the same PostgreSQL: its
clients see dropped connections (never a 200 that was not recorded), the other instance keeps serving, a
restarted instance is ready by itself, and every 200 any client received has its audit record. Ledger rows are
written in batches (every 0.2 s): a SIGKILL loses at most the rows of the killed instance's last batch, which
the audit log still holds (docs/reliability.md)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator

import pytest

from gateway.store import db
from tests.hardening.faults import (
    Load,
    PostgresServer,
    audit_ids,
    gateway_process,
    ledger_ids,
    own_postgres,
    wait_ready,
)
from tests.hardening.support import free_port, make_tenant_sync


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
    lost = acknowledged - ledger_ids(postgres.url)
    window = max(
        20, len(answered_before_kill) // 2
    )  # its answers of the last ~0.5 s before the kill (ran 1 s)
    assert lost <= set(answered_before_kill[-window:])  # only the killed instance's last unflushed batches
