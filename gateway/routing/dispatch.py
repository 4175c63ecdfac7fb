"""Send a request to its candidates in order: retries, circuit breakers and failover.

For each candidate in the plan's order:
- its provider's circuit is asked first; an open circuit is skipped without a call (health order);
- a retryable failure (connect error, timeout, 5xx, 429, Anthropic 529, malformed answer: `UpstreamError`
  with `retryable`) is recorded in the breaker, then the same candidate is retried up to `retries` times after
  a backoff that honours `Retry-After`, unless the wait would exceed `max_wait` (then the next candidate is
  tried at once); after that the next candidate takes over, other models of a provider that just failed last;
- a non-retryable failure (the provider refused the request as invalid) goes to the client at once;
- at most `max_attempts` provider calls per request in all, so a broken region cannot multiply latency.

A stream can fail over only until its first event: the first event is peeked before anything reaches the client.
After that a failure is recorded and raised to the caller (which sends it in-band); it is never retried.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import msgspec

from gateway.errors import UpstreamError, UpstreamUnavailableError
from gateway.routing.breaker import Breakers
from gateway.routing.planner import Candidate
from gateway.types import ChatRequest, ChatResponse, StreamEvent

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class CircuitOpenError(UpstreamUnavailableError):
    """Every candidate's provider has an open circuit: refused without calling any provider."""

    code = "circuit_open"

    def headers(self) -> dict[str, str]:
        return {"retry-after": str(max(1, round(self.retry_after)))} if self.retry_after else {}


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of one request's provider calls.

    Attributes:
        max_attempts: Provider calls per request, retries and failover together.
        retries: Extra calls to the same candidate after a retryable failure (0: fail over at once).
        backoff: First backoff in seconds, doubled per retry, with up to 50 % jitter.
        max_wait: The longest wait before a retry; a longer `Retry-After` moves on to the next candidate.
    """

    max_attempts: int = 4
    retries: int = 0
    backoff: float = 0.2
    max_wait: float = 2.0

    def delay(self, error: UpstreamError, retry: int) -> float | None:
        """Seconds to wait before retry number `retry` (0-based), or None when it is not worth waiting."""
        if error.retry_after is not None:
            wait = error.retry_after
        else:
            base = self.backoff * 2**retry
            wait = base + random.uniform(0, base / 2)  # nosec B311 # jitter spreads retries; not cryptography
        return wait if wait <= self.max_wait else None


@dataclass
class Dispatched:
    candidate: Candidate
    attempts: int


@dataclass
class OpenedStream:
    candidate: Candidate
    attempts: int
    events: AsyncIterator[StreamEvent]  # starts with the peeked first event


def _for_upstream(request: ChatRequest, candidate: Candidate) -> ChatRequest:
    return msgspec.structs.replace(request, model=candidate.model.upstream_id)


class Dispatcher:
    def __init__(
        self,
        breakers: Breakers | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._breakers = breakers
        self._policy = policy or RetryPolicy()
        self._sleep = sleep

    async def complete(
        self, candidates: list[Candidate], request: ChatRequest
    ) -> tuple[ChatResponse, Dispatched]:
        async def call(candidate: Candidate) -> ChatResponse:
            return await candidate.provider.complete(_for_upstream(request, candidate))

        response, candidate, attempts = await self._run(candidates, call)
        return response, Dispatched(candidate, attempts)

    async def open_stream(self, candidates: list[Candidate], request: ChatRequest) -> OpenedStream:
        async def call(candidate: Candidate) -> AsyncIterator[StreamEvent]:
            events = candidate.provider.stream(_for_upstream(request, candidate))
            try:
                first = await anext(events)
            except StopAsyncIteration:
                return _empty()
            except BaseException:
                await _close(events)
                raise
            return _Prepended(first, events, self._on_stream_failure(candidate))

        events, candidate, attempts = await self._run(candidates, call)
        return OpenedStream(candidate, attempts, events)

    async def _run(
        self, candidates: list[Candidate], call: Callable[[Candidate], Awaitable[T]]
    ) -> tuple[T, Candidate, int]:
        """Try `candidates` in order under the retry policy and the breakers; the first answer wins."""
        assert candidates, "dispatch needs at least one candidate"  # nosec B101 # a plan is never empty
        run = _Run(list(candidates))
        while run.queue and run.attempts < self._policy.max_attempts:
            candidate = run.queue.pop(0)
            answer = await self._try_candidate(candidate, call, run)
            if answer is not None:
                return answer.value, candidate, run.attempts
            run.demote(candidate.model.provider)
        raise run.error()

    async def _try_candidate(
        self, candidate: Candidate, call: Callable[[Candidate], Awaitable[T]], run: _Run
    ) -> _Answer[T] | None:
        """One candidate, with its retries. Returns its answer, or None to move on to the next candidate."""
        name = candidate.provider.config.name
        for retry in range(self._policy.retries + 1):
            permit = await self._allow(name)
            if not permit:
                run.skipped(name, permit)
                return None
            run.attempts += 1
            try:
                result = await call(candidate)
            except UpstreamError as exc:
                await self._record(name, ok=not exc.retryable)
                if not exc.retryable:
                    raise
                run.last_error = exc
                wait = self._policy.delay(exc, retry)
                if retry == self._policy.retries or wait is None or run.attempts >= self._policy.max_attempts:
                    return None
                await self._sleep(wait)
                continue
            await self._record(name, ok=True)
            return _Answer(result)
        return None

    async def _allow(self, provider: str) -> _Permit:
        if self._breakers is None:
            return _Permit(True, 0.0)
        permit = await self._breakers.allow(provider)
        return _Permit(permit.allowed, permit.retry_in)

    async def _record(self, provider: str, *, ok: bool) -> None:
        if self._breakers is not None:
            await self._breakers.record(provider, ok)

    def _on_stream_failure(self, candidate: Candidate) -> Callable[[UpstreamError], Awaitable[None]]:
        async def record(error: UpstreamError) -> None:
            if error.retryable:
                await self._record(candidate.provider.config.name, ok=False)

        return record


@dataclass(frozen=True)
class _Permit:
    allowed: bool
    retry_in: float

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class _Answer(Generic[T]):
    value: T


@dataclass
class _Run:
    """The progress of one dispatch: what is left to try and why the tried ones failed."""

    queue: list[Candidate]
    attempts: int = 0
    last_error: UpstreamError | None = None
    open_circuits: dict[str, float] | None = None

    def skipped(self, provider: str, permit: _Permit) -> None:
        self.open_circuits = self.open_circuits or {}
        self.open_circuits[provider] = permit.retry_in

    def demote(self, provider: str) -> None:
        """Other models of a provider that just failed (or is open) go last: another provider is likelier up."""
        self.queue.sort(key=lambda c: c.model.provider == provider)

    def error(self) -> UpstreamError:
        if self.last_error is not None:
            return self.last_error
        waits = [w for w in (self.open_circuits or {}).values() if w > 0]
        providers = ", ".join(sorted(self.open_circuits or {}))
        return CircuitOpenError(
            f"Every provider that may serve this request is failing and temporarily disabled ({providers}).",
            provider=providers,
            retry_after=min(waits) if waits else None,
        )


async def _close(events: AsyncIterator[StreamEvent]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()


async def _empty() -> AsyncIterator[StreamEvent]:
    return
    yield  # pragma: no cover - makes this an async generator


class _Prepended:
    """The peeked first event, then the rest of the provider's stream. Closing it closes the provider's stream
    also when its first event was never taken (an async generator closed before it started would not close
    what it wraps, and the provider's stream has started: it holds the upstream connection)."""

    def __init__(
        self,
        first: StreamEvent,
        rest: AsyncIterator[StreamEvent],
        on_failure: Callable[[UpstreamError], Awaitable[None]],
    ) -> None:
        self._first: StreamEvent | None = first
        self._rest = rest
        self._on_failure = on_failure

    def __aiter__(self) -> _Prepended:
        return self

    async def __anext__(self) -> StreamEvent:
        first, self._first = self._first, None
        if first is not None:
            return first
        try:
            return await anext(self._rest)
        except UpstreamError as exc:
            await self._on_failure(exc)  # part of the answer is out: recorded, never retried
            raise

    async def aclose(self) -> None:
        self._first = None
        await _close(self._rest)
