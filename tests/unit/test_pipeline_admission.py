"""Admission and the cache lookup share one store round trip after the scrub and the plan, yet the outcome is the
sequential one: the limits' refusal outranks the scrub's and the plan's, the settled record is the same, and a
refused request's lookup is dropped uncounted."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.errors import GatewayError, NotFoundError, RateLimitError
from gateway.pipeline import Pipeline
from gateway.privacy.vault import Vault
from gateway.settle import Settlement


class _Settler:
    def __init__(self) -> None:
        self.records: list[Settlement] = []

    def settle(self, record: Settlement) -> None:
        self.records.append(record)

    async def acknowledged(self, record: Settlement) -> None:
        return None


class _Keys:
    async def authenticate(self, authorization: str | None) -> Any:
        policy = SimpleNamespace(pii_policy="redact", cache_mode="exact")
        return SimpleNamespace(tenant_id="t1", policy=policy)


class _Store:
    """Like the Redis multiplexer: commands queued in one event-loop turn leave in one write at its end."""

    def __init__(self, log: list[str], remote: bool) -> None:
        self.log, self.remote = log, remote
        self._queued: list[str] = []

    async def call(self, command: str) -> None:
        if not self.remote:  # the embedded in-process store answers at once
            self.log.append(f"{command} done")
            return
        loop = asyncio.get_running_loop()
        if not self._queued:
            loop.call_soon(self._write)
        self._queued.append(command)
        reply = loop.create_future()
        loop.call_later(0.01, reply.set_result, None)
        await reply

    def _write(self) -> None:
        self.log.append("write " + "+".join(self._queued))
        self._queued = []


class _Limits:
    def __init__(self, store: _Store, refuse: bool) -> None:
        self.store, self.refuse = store, refuse
        self.refused = False

    def lately_refused(self, tenant: Any) -> bool:
        return self.refused

    async def admit(self, tenant: Any, request: Any) -> str:
        await self.store.call("admit")
        if self.refuse:
            self.refused = True
            raise RateLimitError("Rate limit reached for requests per minute.")
        return "admission"


class _Cache:
    def __init__(self, store: _Store, log: list[str]) -> None:
        self.store, self.log = store, log

    async def lookup(self, tenant_id: str, mode: str, request: Any, targets: list[str], *args: Any, **kw: Any) -> Any:
        assert kw == {"count": False}
        try:
            await self.store.call("lookup")
        except asyncio.CancelledError:
            self.log.append("lookup dropped")
            raise
        self.log.append(f"lookup of {request.model} for {targets}")
        return SimpleNamespace(status="miss", answer=None)

    def count(self, found: Any, model: str) -> Any:
        self.log.append(f"counted {found.status}")
        return found


class _Privacy:
    def __init__(self, log: list[str], refuse: bool) -> None:
        self.log, self.refuse = log, refuse

    def scrub(self, request: Any, policy: str) -> tuple[Any, Vault]:
        self.log.append("scrub")
        if self.refuse:
            raise GatewayError("Blocked: the prompt contains personal data.", code="pii_detected")
        vault = Vault()
        vault.detections["IBAN"] += 1
        return SimpleNamespace(model="m", stream=False, scrubbed=True), vault


class _Planner:
    def __init__(self, log: list[str], refuse: bool) -> None:
        self.log, self.refuse = log, refuse

    def plan(self, tenant: Any, request: Any, residency: str | None) -> Any:
        self.log.append("plan")
        if self.refuse:
            raise NotFoundError("The model `m` does not exist.")
        return SimpleNamespace(candidates=[SimpleNamespace(model=SimpleNamespace(name="m"))])


class _Dispatched(GatewayError):
    """Raised by the dispatcher: the stages after the lookup are not under test."""


class _Dispatcher:
    async def complete(self, candidates: Any, request: Any) -> Any:
        raise _Dispatched("dispatched")


def _pipeline(
    log: list[str], *, remote: bool = True, admit: bool = True, scrub: bool = True, plan: bool = True
) -> tuple[Pipeline, _Settler]:
    store = _Store(log, remote)
    settler = _Settler()
    parts: list[Any] = [
        _Keys(),
        lambda body: SimpleNamespace(model="m", stream=False, user=None),
        _Limits(store, refuse=not admit),
        _Privacy(log, refuse=not scrub),
        _Planner(log, refuse=not plan),
        _Dispatcher(),
        settler,
    ]
    cache: Any = _Cache(store, log)
    return Pipeline(*parts, cache=cache), settler


async def test_admit_and_lookup_leave_in_one_write_after_the_scrub_and_the_plan() -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log)
    with pytest.raises(_Dispatched):
        await pipeline.handle("Bearer k", b"{}", "r1")
    assert log == ["scrub", "plan", "write admit+lookup", "lookup of m for ['m']", "counted miss"]
    (record,) = settler.records
    assert record.admission == "admission" and record.pii_detections == {"IBAN": 1}


async def test_an_admission_answered_at_once_is_known_before_the_lookup_starts() -> None:
    log: list[str] = []
    pipeline, _ = _pipeline(log, remote=False)
    with pytest.raises(_Dispatched):
        await pipeline.handle("Bearer k", b"{}", "r1")
    assert log == ["scrub", "plan", "admit done", "lookup done", "lookup of m for ['m']", "counted miss"]


@pytest.mark.parametrize("scrub", [True, False])
async def test_a_refusal_by_the_limits_comes_first_and_drops_the_lookup_uncounted(scrub: bool) -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log, admit=False, scrub=scrub, plan=False)
    with pytest.raises(RateLimitError):
        await pipeline.handle("Bearer k", b"{}", "r1")
    (record,) = settler.records
    assert (record.status, record.error_code) == (429, "rate_limit_exceeded")
    assert record.admission is None
    assert record.pii_detections == {} and record.prompt is None  # as if the scrub had never run
    assert not any(line.startswith("counted") for line in log)


async def test_a_refusal_by_the_limits_drops_a_started_lookup() -> None:
    log: list[str] = []
    pipeline, _ = _pipeline(log, admit=False)
    with pytest.raises(RateLimitError):
        await pipeline.handle("Bearer k", b"{}", "r1")
    assert log == ["scrub", "plan", "write admit+lookup", "lookup dropped"]


async def test_a_refused_scrub_keeps_the_admission_for_settling() -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log, scrub=False)
    with pytest.raises(GatewayError) as refused:
        await pipeline.handle("Bearer k", b"{}", "r1")
    assert refused.value.code == "pii_detected"
    (record,) = settler.records
    assert record.admission == "admission" and record.error_code == "pii_detected"
    assert log == ["scrub", "write admit"]  # no lookup for a request that goes no further


async def test_a_refused_plan_keeps_the_admission_and_the_detections() -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log, plan=False)
    with pytest.raises(NotFoundError):
        await pipeline.handle("Bearer k", b"{}", "r1")
    (record,) = settler.records
    assert record.admission == "admission" and record.status == 404
    assert record.pii_detections == {"IBAN": 1}


async def test_a_key_refused_lately_is_admitted_first_and_costs_no_scrub() -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log, admit=False)
    for _ in range(2):
        with pytest.raises(RateLimitError):
            await pipeline.handle("Bearer k", b"{}", "r1")
    assert log == ["scrub", "plan", "write admit+lookup", "lookup dropped", "write admit"]
    assert [(r.status, r.admission, r.pii_detections) for r in settler.records] == [(429, None, {})] * 2


async def test_a_key_refused_lately_but_admitted_now_goes_on_as_usual() -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log)
    pipeline._limits.refused = True  # type: ignore[attr-defined]
    with pytest.raises(_Dispatched):
        await pipeline.handle("Bearer k", b"{}", "r1")
    assert log == ["write admit", "scrub", "plan", "write lookup", "lookup of m for ['m']", "counted miss"]
    (record,) = settler.records
    assert record.admission == "admission" and record.pii_detections == {"IBAN": 1}
