"""Redis stopped and restarted under load (our own redis-server, never the shared one): limited tenants fail
closed with 503 by default, or are admitted with LIMITS_FAIL_OPEN; /ready says which; when Redis is back the
gateway recovers by itself; every 200 is in the ledger and the audit log."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.hardening.faults import Load, audit_ids, ledger_ids, own_redis, poll, ready
from tests.hardening.support import admin, hardening_settings, make_tenant_sync, served


def _outage(tmp_path: Path, fail_open: bool) -> tuple[list[int], list[int], Load, str, bool]:
    """Statuses before/during the outage, the load after recovery, the database URL, and whether it recovered."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    with own_redis() as redis_server:
        settings = hardening_settings(tmp_path, redis_url=redis_server.url, limits_fail_open=fail_open)
        with served(settings) as server:
            key = make_tenant_sync(server.url, "limited", rate_limit_per_minute=100_000).key
            load = Load(server.url, key).start(clients=3)
            time.sleep(0.5)
            before = len(load.statuses)
            redis_server.stop()
            time.sleep(1.5)
            during = load.statuses[before:]
            ready_during = ready(server.url)
            redis_server.start()
            recovered = poll(lambda: ready(server.url) == 200, timeout=10)
            mark = len(load.statuses)
            time.sleep(0.5)
            load.stop()
            after = load.statuses[mark:]
            httpx.get(server.url + "/admin/usage", headers=admin())
    return during, after, load, database_url, recovered and ready_during == 503


@pytest.mark.parametrize("fail_open", [False, True], ids=["fail-closed", "fail-open"])
def test_redis_outage_is_survived_and_recovered(tmp_path: Path, fail_open: bool) -> None:
    during, after, load, database_url, recovered = _outage(tmp_path, fail_open)
    assert load.errors == [] and load.bad_bodies == []
    expected = {200} if fail_open else {503}
    assert during and set(during[-5:]) == expected  # once the outage is noticed: admitted, or 503
    # Pooled connections that died with Redis may fail a first few requests after /ready is 200 again.
    assert recovered and len(after) >= 5 and set(after[-5:]) == {200}
    assert set(load.ok_ids) <= ledger_ids(database_url)
    assert set(load.ok_ids) <= audit_ids(database_url)
