"""The dispatcher with scripted fake providers: failover, retries and backoff, breakers, streams."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from gateway.catalog import load_catalog
from gateway.errors import (
    UpstreamBadRequestError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamRateLimitError,
    UpstreamUnavailableError,
)
from gateway.providers.base import ProviderConfig
from gateway.routing.breaker import Breakers
from gateway.routing.dispatch import CircuitOpenError, Dispatcher, RetryPolicy
from gateway.routing.planner import Candidate
from gateway.store.state.breaker_base import BreakerPolicy
from gateway.store.state.breaker_memory import MemoryBreakerStore
from gateway.types import ChatRequest, ChatResponse, FinishEvent, Message, StreamEvent, TextDelta
from tests.unit.store.clock import FakeClock

CATALOG = load_catalog()
REQUEST = ChatRequest(model="auto", messages=[Message(role="user", content="hallo")])
OK = "ok"
Step = str | UpstreamError  # "ok", or the error the call raises


@dataclass
class ScriptedProvider:
    """Answers each call with the next scripted step; `ok` when the script is used up."""

    name: str
    script: list[Step] = field(default_factory=list)
    mid_stream: UpstreamError | None = None  # raised after the first stream event
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.config = ProviderConfig(name=self.name, kind="openai", base_url="http://fake")

    def _next(self, model: str) -> None:
        self.calls.append(model)
        step = self.script.pop(0) if self.script else OK
        if isinstance(step, UpstreamError):
            raise step

    async def complete(self, req: ChatRequest) -> ChatResponse:
        self._next(req.model)
        return ChatResponse(id="r", model=req.model, content=f"from {self.name}")

    async def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        self._next(req.model)
        yield TextDelta(text=f"from {self.name}")
        if self.mid_stream is not None:
            raise self.mid_stream
        yield FinishEvent(reason="stop")

    async def aclose(self) -> None:
        pass


def cand(provider: ScriptedProvider, model: str = "gpt-4o-mini") -> Candidate:
    entry = CATALOG.model(model)
    assert entry is not None
    return Candidate(entry, provider)  # type: ignore[arg-type]


def unavailable(name: str, retry_after: float | None = None) -> UpstreamUnavailableError:
    return UpstreamUnavailableError(f"{name} returned HTTP 503", provider=name, retry_after=retry_after)


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breakers(clock: FakeClock) -> Breakers:
    return Breakers(MemoryBreakerStore(clock=clock), BreakerPolicy(failure_threshold=2, cooldown_seconds=30))


def dispatcher(breakers: Breakers | None, sleeps: Sleeps, **policy: float) -> Dispatcher:
    return Dispatcher(breakers, RetryPolicy(**policy), sleep=sleeps)  # type: ignore[arg-type]


async def test_first_candidate_answers(breakers: Breakers, sleeps: Sleeps) -> None:
    a, b = ScriptedProvider("a"), ScriptedProvider("b")
    response, done = await dispatcher(breakers, sleeps).complete([cand(a), cand(b)], REQUEST)
    assert (response.content, done.attempts, b.calls) == ("from a", 1, [])


async def test_request_reaches_provider_with_upstream_model_id(breakers: Breakers, sleeps: Sleeps) -> None:
    a = ScriptedProvider("a")
    await dispatcher(breakers, sleeps).complete([cand(a, "llama3.1-8b-local")], REQUEST)
    assert a.calls == ["llama3.1:8b"]


async def test_retryable_failure_fails_over_to_next_candidate(breakers: Breakers, sleeps: Sleeps) -> None:
    a, b = ScriptedProvider("a", [unavailable("a")]), ScriptedProvider("b")
    response, done = await dispatcher(breakers, sleeps).complete([cand(a), cand(b)], REQUEST)
    assert (response.content, done.candidate.provider.config.name, done.attempts) == ("from b", "b", 2)


async def test_non_retryable_failure_returns_at_once(breakers: Breakers, sleeps: Sleeps) -> None:
    a = ScriptedProvider("a", [UpstreamBadRequestError("a returned HTTP 400", provider="a")])
    b = ScriptedProvider("b")
    with pytest.raises(UpstreamBadRequestError):
        await dispatcher(breakers, sleeps).complete([cand(a), cand(b)], REQUEST)
    assert b.calls == []


async def test_every_candidate_failing_raises_the_last_error(breakers: Breakers, sleeps: Sleeps) -> None:
    a = ScriptedProvider("a", [unavailable("a")])
    b = ScriptedProvider("b", [UpstreamProtocolError("b sent garbage", provider="b")])
    with pytest.raises(UpstreamProtocolError):
        await dispatcher(breakers, sleeps).complete([cand(a), cand(b)], REQUEST)


async def test_open_circuit_is_skipped_without_a_call(breakers: Breakers, sleeps: Sleeps) -> None:
    a, b = ScriptedProvider("a"), ScriptedProvider("b")
    for _ in range(2):
        await breakers.record("a", ok=False)
    response, done = await dispatcher(breakers, sleeps).complete([cand(a), cand(b)], REQUEST)
    assert (a.calls, response.content, done.attempts) == ([], "from b", 1)


async def test_all_circuits_open_is_a_503_with_retry_after(breakers: Breakers, sleeps: Sleeps) -> None:
    a = ScriptedProvider("a")
    for _ in range(2):
        await breakers.record("a", ok=False)
    with pytest.raises(CircuitOpenError) as info:
        await dispatcher(breakers, sleeps).complete([cand(a)], REQUEST)
    assert (info.value.status, info.value.code, info.value.headers()) == (
        503,
        "circuit_open",
        {"retry-after": "30"},
    )


async def test_failures_across_requests_open_the_circuit(breakers: Breakers, sleeps: Sleeps) -> None:
    a, b = ScriptedProvider("a", [unavailable("a"), unavailable("a")]), ScriptedProvider("b")
    for _ in range(2):
        await dispatcher(breakers, sleeps).complete([cand(a), cand(b)], REQUEST)
    await dispatcher(breakers, sleeps).complete([cand(a), cand(b)], REQUEST)
    assert len(a.calls) == 2  # the third request skipped a


async def test_provider_refusing_the_request_counts_as_healthy(breakers: Breakers, sleeps: Sleeps) -> None:
    a = ScriptedProvider("a", [UpstreamBadRequestError("400", provider="a")] * 3)
    for _ in range(3):
        with pytest.raises(UpstreamBadRequestError):
            await dispatcher(breakers, sleeps).complete([cand(a)], REQUEST)
    [snap] = await breakers.snapshot(["a"])
    assert (snap.state, snap.failures) == ("closed", 0)


async def test_retry_waits_for_retry_after_then_succeeds(breakers: Breakers, sleeps: Sleeps) -> None:
    a, b = ScriptedProvider("a", [unavailable("a", retry_after=1.5)]), ScriptedProvider("b")
    response, done = await dispatcher(breakers, sleeps, retries=1).complete([cand(a), cand(b)], REQUEST)
    assert (response.content, done.attempts, sleeps) == ("from a", 2, [1.5])


async def test_long_retry_after_fails_over_without_waiting(breakers: Breakers, sleeps: Sleeps) -> None:
    slow = UpstreamRateLimitError("a returned HTTP 429", provider="a", retry_after=30)
    a, b = ScriptedProvider("a", [slow]), ScriptedProvider("b")
    response, _ = await dispatcher(breakers, sleeps, retries=2, max_wait=2.0).complete(
        [cand(a), cand(b)], REQUEST
    )
    assert (response.content, sleeps, len(a.calls)) == ("from b", [], 1)


async def test_backoff_doubles_per_retry_with_bounded_jitter(breakers: Breakers, sleeps: Sleeps) -> None:
    a = ScriptedProvider("a", [UpstreamError("a could not be reached", provider="a")] * 2)
    big = BreakerPolicy(failure_threshold=10)
    await dispatcher(Breakers(MemoryBreakerStore(), big), sleeps, retries=2, backoff=0.1).complete(
        [cand(a)], REQUEST
    )
    assert 0.1 <= sleeps[0] <= 0.15 and 0.2 <= sleeps[1] <= 0.3


async def test_retries_stop_when_the_circuit_opens(breakers: Breakers, sleeps: Sleeps) -> None:
    a, b = ScriptedProvider("a", [unavailable("a")] * 5), ScriptedProvider("b")
    response, _ = await dispatcher(breakers, sleeps, retries=4).complete([cand(a), cand(b)], REQUEST)
    assert (len(a.calls), response.content) == (2, "from b")  # threshold 2: the third try is refused


async def test_max_attempts_bounds_provider_calls(sleeps: Sleeps) -> None:
    providers = [ScriptedProvider(n, [unavailable(n)]) for n in "abcde"]
    with pytest.raises(UpstreamUnavailableError):
        await dispatcher(None, sleeps, max_attempts=3).complete([cand(p) for p in providers], REQUEST)
    assert [len(p.calls) for p in providers] == [1, 1, 1, 0, 0]


async def test_failed_providers_other_models_go_last(breakers: Breakers, sleeps: Sleeps) -> None:
    a, b = ScriptedProvider("a", [unavailable("a")]), ScriptedProvider("b", [unavailable("b")])
    order = [cand(a, "gpt-4o-mini"), cand(a, "gpt-4o"), cand(b, "claude-haiku-4-5")]
    _, done = await dispatcher(None, sleeps).complete(order, REQUEST)
    assert (b.calls, done.candidate.model.name) == (["claude-haiku-4-5"], "gpt-4o")


async def test_stream_fails_over_before_the_first_event(breakers: Breakers, sleeps: Sleeps) -> None:
    a, b = ScriptedProvider("a", [unavailable("a")]), ScriptedProvider("b")
    opened = await dispatcher(breakers, sleeps).open_stream([cand(a), cand(b)], REQUEST)
    events = [e async for e in opened.events]
    assert (opened.candidate.provider.config.name, events[0]) == ("b", TextDelta(text="from b"))


async def test_stream_failure_after_first_event_is_never_retried(breakers: Breakers, sleeps: Sleeps) -> None:
    a = ScriptedProvider("a", mid_stream=UpstreamProtocolError("cut", provider="a"))
    b = ScriptedProvider("b")
    opened = await dispatcher(breakers, sleeps, retries=2).open_stream([cand(a), cand(b)], REQUEST)
    received: list[StreamEvent] = []
    with pytest.raises(UpstreamProtocolError):
        async for event in opened.events:
            received.append(event)
    assert (received, len(a.calls), b.calls) == ([TextDelta(text="from a")], 1, [])


async def test_stream_failure_after_first_event_counts_against_the_circuit(
    breakers: Breakers, sleeps: Sleeps
) -> None:
    a = ScriptedProvider("a", mid_stream=UpstreamProtocolError("cut", provider="a"))
    opened = await dispatcher(breakers, sleeps).open_stream([cand(a)], REQUEST)
    with pytest.raises(UpstreamProtocolError):
        async for _ in opened.events:
            pass
    [snap] = await breakers.snapshot(["a"])
    assert (snap.successes, snap.failures) == (1, 1)
