"""The request path, in order, in one place:

    tenant     = keys.authenticate(authorization)        401
    request    = parse(body)                             400
    admission  = limits.admit(tenant, request)           429 rate_limit_exceeded / monthly_token_budget_exceeded
    request, vault = privacy.scrub(request, policy)      PII → placeholders; 400 pii_detected when blocked
    plan       = planner.plan(tenant, request, residency) 404 / 403 / 400; residency filter first
    lookup     = cache.lookup(tenant, request, plan)      exact, then semantic; a hit skips dispatch, still settles
                 (admit runs after the scrub and the plan, in one store round trip with the lookup; its
                 refusal still comes first, as listed)
    response   = dispatcher.complete | open_stream       breakers, retries, failover before the first byte
    privacy.restore(vault, response)                     placeholders → originals, stream-safe
    settle(...)                                          every outcome, success or failure, streams when they end
    settler.acknowledged(record)                         the audit record is committed before the answer / [DONE]

The cache lookup sits after the plan (not before it as DESIGN.md sketches): a cached answer still passes the
allow-list and residency checks, and the routing targets are part of its key (ADR 0006).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from gateway.cache.replay import replay
from gateway.cache.stage import CacheLookup, ResponseCache
from gateway.eager import Pending, Ready, drop, finish, first_step
from gateway.errors import GatewayError, UpstreamError
from gateway.privacy.stage import Privacy
from gateway.privacy.vault import Vault
from gateway.routing.dispatch import Dispatcher
from gateway.routing.planner import Candidate, Plan, Planner
from gateway.settle import Settlement, Settler
from gateway.streaming import SettledEvents, StreamAccumulator
from gateway.tenancy.keys import KeyAuthenticator
from gateway.tenancy.limits import Admission, Limits, fill_missing_usage
from gateway.tenancy.policy import AuthenticatedTenant
from gateway.types import ChatRequest, ChatResponse, StreamEvent


@dataclass
class Completion:
    response: ChatResponse
    candidate: Candidate
    headers: dict[str, str]


@dataclass
class StreamHandle:
    """An opened stream. `events` settles the request when it ends, fails or is closed (the client left), also
    when closed before its first event was taken."""

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
        *,
        cache: ResponseCache,
    ) -> None:
        self._keys = keys
        self._parse = parse
        self._limits = limits
        self._privacy = privacy
        self._planner = planner
        self._dispatcher = dispatcher
        self._settler = settler
        self._cache = cache

    async def handle(
        self,
        authorization: str | None,
        body: bytes,
        request_id: str,
        residency: str | None = None,
        cache_control: str | None = None,
    ) -> Completion | StreamHandle:
        """Run one chat completion through every stage. Raises GatewayError for any refusal or failure, after
        settling it. `residency` is the request's `X-Data-Residency` header, `cache_control` its `Cache-Control`."""
        record = Settlement(request_id=request_id, started=time.perf_counter())
        try:
            tenant = await self._keys.authenticate(authorization)
            record.tenant = tenant
            request = self._parse(body)
            record.requested_model, record.stream = request.model, request.stream
            record.subject = request.user
            request, vault, plan, lookup = await self._prepare(tenant, request, residency, cache_control, record)
            record.cache_status = lookup.status
            if lookup.answer is not None:
                result = self._from_cache(request, plan, lookup, record, vault)
            elif request.stream:
                return await self._open_stream(request, plan, record, vault, lookup)
            else:
                result = await self._complete(request, plan, lookup, record, vault)
        except GatewayError as exc:
            record.fail(exc)
            self._settler.settle(record)
            await self._settler.acknowledged(record)
            raise
        self._settler.settle(record)
        await self._settler.acknowledged(record)
        return result

    async def _prepare(
        self,
        tenant: AuthenticatedTenant,
        request: ChatRequest,
        residency: str | None,
        cache_control: str | None,
        record: Settlement,
    ) -> tuple[ChatRequest, Vault, Plan, CacheLookup]:
        """Scrub and plan (CPU only), then admit and look up the cache. An admission that waits on the store
        (Redis) has the lookup started in the same event-loop turn, so the multiplexer writes both commands
        together: one round trip instead of two (ADR 0018). The outcome is the sequential one: the limits'
        refusal comes before the scrub's and the plan's, the record is filled alike, and a refused request's
        lookup is dropped before it goes on to a semantic search; statistics count admitted requests only.
        A key this process refused lately is admitted first, alone: a client far over its limit costs no scrub."""
        early: Ready[Admission] | None = None
        if self._limits.lately_refused(tenant):  # likely refused again: no scrub is spent on it
            early = Ready(await self._limits.admit(tenant, request))
        scrubbed: tuple[ChatRequest, Vault] | None = None
        plan: Plan | None = None
        held: GatewayError | None = None
        try:
            scrubbed = self._privacy.scrub(request, tenant.policy.pii_policy)
            plan = self._planner.plan(tenant, scrubbed[0], residency)
        except GatewayError as exc:
            held = exc
        admitting = early if early is not None else first_step(self._limits.admit(tenant, request).__await__())
        looking = None
        try:
            if scrubbed is not None and plan is not None and isinstance(admitting, Pending):
                looking = first_step(self._look_up(tenant, scrubbed[0], plan, cache_control).__await__())
        finally:  # a lookup that fails to start still leaves the admission to settle
            try:
                record.admission = await finish(admitting)
            except BaseException:
                await drop(looking)
                raise
        if scrubbed is not None:
            record.pii_detections, record.prompt = scrubbed[1].detections, scrubbed[0]
        if held is not None:
            raise held
        assert scrubbed is not None and plan is not None  # nosec B101 # type narrowing: held is None
        if looking is not None:
            lookup = await finish(looking)
        else:
            lookup = await self._look_up(tenant, scrubbed[0], plan, cache_control)
        return scrubbed[0], scrubbed[1], plan, self._cache.count(lookup, scrubbed[0].model)

    def _look_up(
        self, tenant: AuthenticatedTenant, request: ChatRequest, plan: Plan, cache_control: str | None
    ) -> Coroutine[Any, Any, CacheLookup]:
        targets = [c.model.name for c in plan.candidates]
        mode = tenant.policy.cache_mode
        return self._cache.lookup(tenant.tenant_id, mode, request, targets, cache_control, count=False)

    async def _complete(
        self, request: ChatRequest, plan: Plan, lookup: CacheLookup, record: Settlement, vault: Vault
    ) -> Completion:
        response, dispatched = await self._dispatcher.complete(plan.candidates, request)
        response.model = dispatched.candidate.model.name  # the model that answered, also for `auto`
        self._cache.store(lookup, response, response.model)  # before restore: the cache holds placeholders only
        self._privacy.restore_response(response, vault)
        record.succeed(dispatched.candidate, response.usage, dispatched.attempts)
        return Completion(response, dispatched.candidate, _with_route(record, plan, lookup))

    def _from_cache(
        self, request: ChatRequest, plan: Plan, lookup: CacheLookup, record: Settlement, vault: Vault
    ) -> Completion | StreamHandle:
        """A cached (scrubbed) answer restored with THIS request's vault: the model only ever saw placeholders,
        so the same scrubbed prompt gets the same answer, filled with this request's own values."""
        answer, hit = lookup.answer, lookup.hit
        assert answer is not None and hit is not None  # nosec B101 # type narrowing: only called on a hit
        candidate = next(c for c in plan.candidates if c.model.name == answer.model)  # lookup checked it is there
        response = answer.response(new_response_id(), int(time.time()))
        self._privacy.restore_response(response, vault)
        record.served_from_cache(candidate, hit, answer.usage.total_tokens)
        headers = _with_route(record, plan, lookup)
        if request.stream:
            return StreamHandle(request, response.id, response.created, candidate, replay(response), headers)
        return Completion(response, candidate, headers)

    async def _open_stream(
        self, request: ChatRequest, plan: Plan, record: Settlement, vault: Vault, lookup: CacheLookup
    ) -> StreamHandle:
        opened = await self._dispatcher.open_stream(plan.candidates, request)
        response_id, created = new_response_id(), int(time.time())
        accumulator = StreamAccumulator(response_id, opened.candidate.model.name, created)
        record.candidate, record.attempts = opened.candidate, opened.attempts
        scrubbed = self._cache.tap(lookup, opened.events, opened.candidate.model.name)  # stores a clean end
        restored = self._privacy.restore_stream(scrubbed, vault)
        events = self._settled(restored, accumulator, record, opened.events)
        headers = _with_route(record, plan, lookup)
        return StreamHandle(request, response_id, created, opened.candidate, events, headers)

    def _settled(
        self,
        events: AsyncIterator[StreamEvent],
        accumulator: StreamAccumulator,
        record: Settlement,
        upstream: AsyncIterator[StreamEvent],
    ) -> SettledEvents:
        async def end(outcome: str) -> None:
            # The upstream stream too: a stage in between, closed at a `yield`, does not close what it wraps.
            for stream in (events, upstream):
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()
            # A stream abandoned before the provider's usage event is billed at an estimate, never for free.
            usage = fill_missing_usage(accumulator.usage, record.prompt, accumulator.response())
            record.stream_ended(outcome, usage)
            self._settler.settle(record)
            await self._settler.acknowledged(record)  # before the renderer's [DONE]

        async def run() -> AsyncGenerator[StreamEvent, None]:
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
                await end(outcome)

        return SettledEvents(run(), end)


def _with_route(record: Settlement, plan: Plan, lookup: CacheLookup) -> dict[str, str]:
    admitted = record.admission.headers if record.admission else {}
    return {**admitted, "x-gateway-route-reason": plan.reason, **lookup.headers}
