"""PostgreSQL stopped and restarted under load (a throwaway cluster of our own under /tmp, never the shared one):
clients get 200s or an OpenAI-style 503 while it is down (the audit record cannot be committed, so nothing is
answered without it), /ready reports it, the gateway recovers by itself, and every 200 is in the ledger and the
audit log after recovery."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.hardening.faults import Load, audit_ids, ledger_ids, own_postgres, poll, ready
from tests.hardening.support import admin, hardening_settings, make_tenant_sync, served


def test_postgres_outage_loses_no_acknowledged_request_and_recovers(tmp_path: Path) -> None:
    with own_postgres() as postgres:
        settings = hardening_settings(tmp_path, database_url=postgres.url, key_cache_seconds=60)
        with served(settings) as server:
            key = make_tenant_sync(server.url, "pg-outage").key
            load = Load(server.url, key).start(clients=3)
            time.sleep(0.5)
            postgres.stop(mode="immediate")
            mark = len(load.statuses)
            time.sleep(2.0)
            during, ready_during = load.statuses[mark:], ready(server.url)
            postgres.start()
            recovered = poll(lambda: ready(server.url) == 200, timeout=15)
            mark = len(load.statuses)
            time.sleep(1.0)
            load.stop()
            after = load.statuses[mark:]
            httpx.get(server.url + "/admin/usage", headers=admin(), timeout=10)  # flushes the ledger queue
        ledger, audit = ledger_ids(postgres.url), audit_ids(postgres.url)
    assert load.errors == [] and load.bad_bodies == []
    assert during and set(during) <= {200, 503} and 503 in during
    assert ready_during == 503
    assert recovered and after and set(after) == {200}
    assert set(load.ok_ids) <= ledger
    assert set(load.ok_ids) <= audit
