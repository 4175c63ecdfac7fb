"""The request path, in order, in one place:

    tenant     = keys.authenticate(authorization)        401
    request    = parse(body)                             400
    admission  = limits.admit(tenant, request)           429 rate_limit_exceeded / monthly_token_budget_exceeded
    candidates = planner.plan(tenant, request)           404 / 403 / 400
    response   = dispatcher.complete | open_stream       failover before the first byte; 429/502/503/504
    settle(...)                                          every outcome, success or failure, streams when they end

Stages to come (privacy, cache, audit) slot into this function in the order of DESIGN.md.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from gateway.errors import GatewayError, UpstreamError
from gateway.routing.dispatch import Dispatcher
from gateway.routing.planner import Candidate, Planner
from gateway.settle import Settlement, Settler
from gateway.streaming import StreamAccumulator
from gateway.tenancy.keys import KeyAuthenticator
from gateway.tenancy.limits import Limits
from gateway.tenancy.policy import AuthenticatedTenant
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
        planner: Planner,
        dispatcher: Dispatcher,
        settler: Settler,
    ) -> None:
        self._keys = keys
        self._parse = parse
        self._limits = limits
        self._planner = planner
        self._dispatcher = dispatcher
        self._settler = settler

    async def handle(self, authorization: str | None, body: bytes, request_id: str) -> Completion | StreamHandle:
        """Run one chat completion through every stage. Raises GatewayError for any refusal or failure, after
        settling it."""
        record = Settlement(request_id=request_id, started=time.perf_counter())
        try:
            tenant = await self._keys.authenticate(authorization)
            record.tenant = tenant
            request = self._parse(body)
            record.requested_model, record.stream = request.model, request.stream
            record.admission = await self._limits.admit(tenant, request)
            candidates = self._planner.plan(tenant, request)
            if request.stream:
                return await self._open_stream(tenant, request, candidates, record)
            response, dispatched = await self._dispatcher.complete(candidates, request)
        except GatewayError as exc:
            record.fail(exc)
            self._settler.settle(record)
            raise
        response.model = request.model
        record.succeed(dispatched.candidate, response.usage, dispatched.attempts)
        self._settler.settle(record)
        return Completion(response, dispatched.candidate, record.admission.headers)

    async def _open_stream(
        self, tenant: AuthenticatedTenant, request: ChatRequest, candidates: list[Candidate], record: Settlement
    ) -> StreamHandle:
        opened = await self._dispatcher.open_stream(candidates, request)
        response_id, created = new_response_id(), int(time.time())
        accumulator = StreamAccumulator(response_id, request.model, created)
        record.candidate, record.attempts = opened.candidate, opened.attempts
        events = self._settled_events(opened.events, accumulator, record)
        headers = record.admission.headers if record.admission else {}
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
