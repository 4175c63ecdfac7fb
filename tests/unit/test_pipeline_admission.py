"""Admission overlaps the scrub and the plan (its store round trip leaves first), yet the outcome is the
sequential one: the limits' refusal outranks the scrub's and the plan's, and the settled record is the same."""

from __future__ import annotations

import asyncio
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
        return _Tenant()


class _Policy:
    pii_policy = "redact"
    cache_mode = "off"


class _Tenant:
    tenant_id = "t1"
    policy = _Policy()


class _Request:
    model, stream, user = "m", False, None


class _Limits:
    """Like the Redis store: the command is queued for the end of the event-loop turn, the reply comes later."""

    def __init__(self, log: list[str], refuse: bool) -> None:
        self.log, self.refuse = log, refuse

    async def admit(self, tenant: Any, request: Any) -> str:
        loop = asyncio.get_running_loop()
        reply = loop.create_future()
        self.log.append("admit queued")
        loop.call_soon(self.log.append, "admit written")  # as the multiplexer's end-of-turn flush
        loop.call_later(0.01, reply.set_result, None)
        await reply
        self.log.append("admit answered")
        if self.refuse:
            raise RateLimitError("Rate limit reached for requests per minute.")
        return "admission"


class _Privacy:
    def __init__(self, log: list[str], refuse: bool) -> None:
        self.log, self.refuse = log, refuse

    def scrub(self, request: Any, policy: str) -> tuple[Any, Vault]:
        self.log.append("scrub")
        if self.refuse:
            raise GatewayError("Blocked: the prompt contains personal data.", code="pii_detected")
        vault = Vault()
        vault.placeholder("IBAN", "DE89370400440532013000")
        vault.detections["IBAN"] += 1
        return "scrubbed request", vault


class _Planner:
    def __init__(self, log: list[str], refuse: bool) -> None:
        self.log, self.refuse = log, refuse

    def plan(self, tenant: Any, request: Any, residency: str | None) -> Any:
        self.log.append(f"plan {request}")
        if self.refuse:
            raise NotFoundError("The model `m` does not exist.")
        raise _Planned("planned")  # the stages after the plan are not under test


class _Planned(GatewayError):
    pass


def _pipeline(
    log: list[str], *, admit: bool = True, scrub: bool = True, plan: bool = True
) -> tuple[Pipeline, _Settler]:
    settler = _Settler()
    limits: Any = _Limits(log, refuse=not admit)
    privacy: Any = _Privacy(log, refuse=not scrub)
    planner: Any = _Planner(log, refuse=not plan)
    keys: Any = _Keys()
    none: Any = None
    pipeline = Pipeline(keys, lambda body: _Request(), limits, privacy, planner, none, settler, cache=none)  # type: ignore[arg-type]
    return pipeline, settler


async def test_the_admit_command_leaves_before_the_scrub_runs() -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log)
    with pytest.raises(_Planned):
        await pipeline.handle("Bearer k", b"{}", "r1")
    assert log == ["admit queued", "admit written", "scrub", "plan scrubbed request", "admit answered"]
    (record,) = settler.records
    assert record.admission == "admission"  # the plan's failure still releases what admit reserved
    assert record.pii_detections == {"IBAN": 1} and record.prompt == "scrubbed request"


@pytest.mark.parametrize("scrub", [True, False])
async def test_a_refusal_by_the_limits_comes_before_the_scrubs_and_the_plans(scrub: bool) -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log, admit=False, scrub=scrub, plan=False)
    with pytest.raises(RateLimitError):
        await pipeline.handle("Bearer k", b"{}", "r1")
    (record,) = settler.records
    assert (record.status, record.error_code) == (429, "rate_limit_exceeded")
    assert record.admission is None
    assert record.pii_detections == {} and record.prompt is None  # as if the scrub had never run


async def test_a_refused_scrub_keeps_the_admission_for_settling() -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log, scrub=False)
    with pytest.raises(GatewayError) as refused:
        await pipeline.handle("Bearer k", b"{}", "r1")
    assert refused.value.code == "pii_detected"
    (record,) = settler.records
    assert record.admission == "admission" and record.error_code == "pii_detected"
    assert "admit answered" in log


async def test_a_refused_plan_keeps_the_admission_and_the_detections() -> None:
    log: list[str] = []
    pipeline, settler = _pipeline(log, plan=False)
    with pytest.raises(NotFoundError):
        await pipeline.handle("Bearer k", b"{}", "r1")
    (record,) = settler.records
    assert record.admission == "admission" and record.status == 404
    assert record.pii_detections == {"IBAN": 1}
