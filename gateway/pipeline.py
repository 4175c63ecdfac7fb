"""The request path, in order, in one place:

    tenant     = keys.authenticate(authorization)        401
    request    = parse(body)                             400
    admission  = limits.admit(tenant, request)           429 rate_limit_exceeded / monthly_token_budget_exceeded
    request, vault = privacy.scrub(request, policy)      PII → placeholders; 400 pii_detected when blocked
    plan       = planner.plan(tenant, request, residency) 404 / 403 / 400; residency filter first
    response   = dispatcher.complete | open_stream       breakers, retries, failover before the first byte
    privacy.restore(vault, response)                     placeholders → originals, stream-safe
    settle(...)                                          every outcome, success or failure, streams when they end

Stages to come (cache, audit) slot into this function in the order of DESIGN.md.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from gateway.errors import GatewayError, UpstreamError
from gateway.privacy.stage import Privacy
from gateway.privacy.vault import Vault
from gateway.routing.dispatch import Dispatcher
from gateway.routing.planner import Candidate, Plan, Planner
from gateway.settle import Settlement, Settler
from gateway.streaming import StreamAccumulator
from gateway.tenancy.keys import KeyAuthenticator
from gateway.tenancy.limits import Limits
from gateway.types import ChatRequest, ChatResponse, StreamEvent


@dataclass
class Completion:
    response: ChatResponse
    candidate: Candidate
    headers: dict[str, str]


@dataclass
class StreamHandle:
    """An opened stream. `events` settles the request when it ends, fails or is abandoned by the client."""

    request: ChatRequest
    response_id: str
    created: int
    candidate: Candidate
    events: AsyncIterator[StreamEvent]
    headers: dict[str, str]


def new_response_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


class Pipeline:
    def __init__(
        self,
        keys: KeyAuthenticator,
        parse: Callable[[bytes], ChatRequest],
        limits: Limits,
        privacy: Privacy,
        planner: Planner,
        dispatcher: Dispatcher,
        settler: Settler,
    ) -> None:
        self._keys = keys
        self._parse = parse
        self._limits = limits
        self._privacy = privacy
        self._planner = planner
        self._dispatcher = dispatcher
        self._settler = settler

    async def handle(
        self, authorization: str | None, body: bytes, request_id: str, residency: str | None = None
    ) -> Completion | StreamHandle:
        """Run one chat completion through every stage. Raises GatewayError for any refusal or failure, after
        settling it. `residency` is the request's `X-Data-Residency` header."""
        record = Settlement(request_id=request_id, started=time.perf_counter())
        try:
            tenant = await self._keys.authenticate(authorization)
            record.tenant = tenant
            request = self._parse(body)
            record.requested_model, record.stream = request.model, request.stream
            record.admission = await self._limits.admit(tenant, request)
            request, vault = self._privacy.scrub(request, tenant.policy.pii_policy)
            record.pii_detections = vault.detections
            plan = self._planner.plan(tenant, request, residency)
            if request.stream:
                return await self._open_stream(request, plan, record, vault)
            response, dispatched = await self._dispatcher.complete(plan.candidates, request)
        except GatewayError as exc:
            record.fail(exc)
            self._settler.settle(record)
            raise
        response.model = dispatched.candidate.model.name  # the model that answered, also for `auto`
        self._privacy.restore_response(response, vault)
        record.succeed(dispatched.candidate, response.usage, dispatched.attempts)
        self._settler.settle(record)
        return Completion(response, dispatched.candidate, _with_route(record.admission.headers, plan))

    async def _open_stream(self, request: ChatRequest, plan: Plan, record: Settlement, vault: Vault) -> StreamHandle:
        opened = await self._dispatcher.open_stream(plan.candidates, request)
        response_id, created = new_response_id(), int(time.time())
        accumulator = StreamAccumulator(response_id, opened.candidate.model.name, created)
        record.candidate, record.attempts = opened.candidate, opened.attempts
        restored = self._privacy.restore_stream(opened.events, vault)
        events = self._settled_events(restored, accumulator, record)
        headers = _with_route(record.admission.headers if record.admission else {}, plan)
        return StreamHandle(request, response_id, created, opened.candidate, events, headers)

    async def _settled_events(
        self, events: AsyncIterator[StreamEvent], accumulator: StreamAccumulator, record: Settlement
    ) -> AsyncIterator[StreamEvent]:
        outcome = "client_disconnected"
        try:
            async for event in events:
                accumulator.add(event)
                yield event
            outcome = "ok"
        except UpstreamError as exc:
            record.fail(exc)
            outcome = "upstream_error"
            raise
        finally:
            aclose = getattr(events, "aclose", None)
            if aclose is not None:
                await aclose()
            record.stream_ended(outcome, accumulator.usage)
            self._settler.settle(record)


def _with_route(headers: dict[str, str], plan: Plan) -> dict[str, str]:
    return {**headers, "x-gateway-route-reason": plan.reason}
