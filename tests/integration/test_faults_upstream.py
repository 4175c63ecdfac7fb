"""The upstream failing, hanging and resetting under concurrent load: clients get a 200 or an OpenAI-style
502/503/504 (never a hang past the read timeout, never a dropped connection), every 200 is in the ledger and
the audit log, and once the fault is gone requests succeed again without any intervention."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.mock.demo import mock_app
from gateway.mock.server import MockServer
from tests.hardening.faults import Load, audit_ids, ledger_ids, ready
from tests.hardening.support import CHAT, admin, bearer, hardening_settings, make_tenant_sync, served

READ_TIMEOUT = 1.0


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str, MockServer, str]]:
    upstream = MockServer(mock_app("openai")).start()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-faults")
    monkeypatch.setenv("OPENAI_BASE_URL", upstream.url + "/v1")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    settings = hardening_settings(
        tmp_path, demo=False, upstream_read_timeout=READ_TIMEOUT, breaker_cooldown_seconds=0.5
    )
    with served(settings) as server:
        yield server.url, make_tenant_sync(server.url, "faults").key, upstream, database_url
    upstream.stop()


@pytest.mark.parametrize("fault", ["http_500", "timeout", "reset", "http_503", "malformed"])
def test_upstream_fault_under_load_loses_nothing_and_recovers(
    stack: tuple[str, str, MockServer, str], fault: str
) -> None:
    url, key, upstream, database_url = stack
    httpx.post(upstream.url + "/_mock/faults", json={"fault": fault, "count": 12}).raise_for_status()
    load = Load(url, key).start(clients=4)
    time.sleep(2.5)
    load.stop()
    httpx.delete(upstream.url + "/_mock/faults").raise_for_status()
    assert load.errors == [] and load.bad_bodies == []  # every client got an answer, in OpenAI's shape
    assert set(load.statuses) <= {200, 502, 503, 504}
    assert any(s != 200 for s in load.statuses)  # the fault was seen by clients
    time.sleep(READ_TIMEOUT)  # the breaker's cooldown passes
    after = httpx.post(url + "/v1/chat/completions", json=CHAT, headers=bearer(key), timeout=10)
    assert after.status_code == 200 and ready(url) == 200
    httpx.get(url + "/admin/usage", headers=admin())  # flushes this instance's ledger queue
    assert set(load.ok_ids) <= ledger_ids(database_url)
    assert set(load.ok_ids) <= audit_ids(database_url)
