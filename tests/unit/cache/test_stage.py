"""The cache stage alone: in-process storage, a fake embedder, an injectable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

from gateway.types import FinishEvent, StreamEvent, TextDelta, Tool, UsageEvent
from tests.unit.cache.fakes import Clock, answer, ask, make_cache

TARGETS = ["gpt-4o-mini"]


async def _miss_then_store(cache, tenant: str, request, mode: str | None = "exact") -> None:  # type: ignore[no-untyped-def]
    found = await cache.lookup(tenant, mode, request, TARGETS)
    assert found.status == "miss"
    cache.store(found, answer(), "gpt-4o-mini")
    await cache.drain()


async def test_lookup_hits_exact_after_store() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("What is the answer?"))
    found = await cache.lookup("t1", "exact", ask("What is the answer?"), TARGETS)
    assert found.status == "hit-exact" and found.answer is not None and found.answer.content == "Forty-two."


async def test_same_prompt_of_another_tenant_misses() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("What is the answer?"), "exact+semantic")
    found = await cache.lookup("t2", "exact+semantic", ask("What is the answer?"), TARGETS)
    assert found.status == "miss"


async def test_other_model_misses() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("What is the answer?"))
    found = await cache.lookup("t1", "exact", ask("What is the answer?", model="gpt-4o"), ["gpt-4o"])
    assert found.status == "miss"


async def test_other_temperature_misses() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("What is the answer?"))
    found = await cache.lookup("t1", "exact", ask("What is the answer?", temperature=0.2), TARGETS)
    assert found.status == "miss"


async def test_other_tool_set_misses_also_semantically() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("What is the answer?"), "exact+semantic")
    tools = [Tool(name="lookup")]
    found = await cache.lookup("t1", "exact+semantic", ask("What is the answer?", tools=tools), TARGETS)
    assert found.status == "miss"


async def test_entry_expires_after_ttl() -> None:
    clock = Clock()
    cache = make_cache(clock, ttl_seconds=60)
    await _miss_then_store(cache, "t1", ask("What is the answer?"))
    clock.now += 61
    assert (await cache.lookup("t1", "exact", ask("What is the answer?"), TARGETS)).status == "miss"


async def test_paraphrase_hits_semantic() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("how do I reset my password"), "exact+semantic")
    found = await cache.lookup("t1", "exact+semantic", ask("how do I reset my password please"), TARGETS)
    assert found.status == "hit-semantic" and found.similarity is not None and found.similarity >= 0.85


async def test_paraphrase_misses_in_exact_mode() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("how do I reset my password"), "exact+semantic")
    found = await cache.lookup("t1", "exact", ask("how do I reset my password please"), TARGETS)
    assert found.status == "miss"


async def test_semantic_never_serves_another_tenant() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("how do I reset my password"), "exact+semantic")
    found = await cache.lookup("t2", "exact+semantic", ask("how do I reset my password please"), TARGETS)
    assert found.status == "miss"


async def test_semantic_proposal_of_an_expired_entry_is_not_served() -> None:
    clock = Clock()
    cache = make_cache(clock, ttl_seconds=60)
    await _miss_then_store(cache, "t1", ask("how do I reset my password"), "exact+semantic")
    clock.now += 61
    found = await cache.lookup("t1", "exact+semantic", ask("how do I reset my password please"), TARGETS)
    assert found.status == "miss"


async def test_warm_request_is_bypassed() -> None:
    cache = make_cache()
    found = await cache.lookup("t1", "exact", ask("What is the answer?", temperature=0.9), TARGETS)
    assert found.status == "bypass" and found.keys is None


async def test_no_cache_header_refreshes_the_entry() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("What is the answer?"))
    found = await cache.lookup("t1", "exact", ask("What is the answer?"), TARGETS, "no-cache")
    assert found.status == "bypass"
    cache.store(found, answer("Forty-three."), "gpt-4o-mini")
    await cache.drain()
    again = await cache.lookup("t1", "exact", ask("What is the answer?"), TARGETS)
    assert again.answer is not None and again.answer.content == "Forty-three."


async def test_answer_above_size_cap_is_not_stored() -> None:
    cache = make_cache(max_entry_bytes=1024)
    found = await cache.lookup("t1", "exact", ask("Long?"), TARGETS)
    cache.store(found, answer("x" * 2000), "gpt-4o-mini")
    await cache.drain()
    assert (await cache.lookup("t1", "exact", ask("Long?"), TARGETS)).status == "miss"


async def test_failed_answer_is_not_stored() -> None:
    cache = make_cache()
    found = await cache.lookup("t1", "exact", ask("Q?"), TARGETS)
    cache.store(found, answer(finish="error"), "gpt-4o-mini")
    await cache.drain()
    assert (await cache.lookup("t1", "exact", ask("Q?"), TARGETS)).status == "miss"


async def test_hit_from_a_model_no_longer_routed_to_misses() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("Q?"))
    found = await cache.lookup("t1", "exact", ask("Q?"), ["claude-haiku-4-5"])
    assert found.status == "miss"


async def _events(*events: StreamEvent) -> AsyncIterator[StreamEvent]:
    for event in events:
        yield event


async def test_stream_tap_stores_a_finished_stream() -> None:
    cache = make_cache()
    found = await cache.lookup("t1", "exact", ask("Q?", stream=True), TARGETS)
    stream = _events(TextDelta(text="Hel"), TextDelta(text="lo"), FinishEvent(reason="stop"), UsageEvent())
    events = [e async for e in cache.tap(found, stream, "gpt-4o-mini")]
    assert events[0] == TextDelta(text="Hel")
    await cache.drain()
    hit = await cache.lookup("t1", "exact", ask("Q?"), TARGETS)
    assert hit.answer is not None and hit.answer.content == "Hello"


async def test_stream_tap_does_not_store_an_abandoned_stream() -> None:
    cache = make_cache()
    found = await cache.lookup("t1", "exact", ask("Q?", stream=True), TARGETS)
    tapped = cache.tap(
        found, _events(TextDelta(text="Hel"), TextDelta(text="lo"), FinishEvent(reason="stop")), "m"
    )
    await tapped.__anext__()
    await tapped.aclose()  # the client went away after the first chunk
    await cache.drain()
    assert (await cache.lookup("t1", "exact", ask("Q?"), TARGETS)).status == "miss"


async def test_stats_count_what_happened() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("how do I reset my password"), "exact+semantic")
    await cache.lookup("t1", "exact+semantic", ask("how do I reset my password"), TARGETS)
    await cache.lookup("t1", "exact+semantic", ask("how do I reset my password please"), TARGETS)
    await cache.lookup("t1", "exact", ask("warm", temperature=1.0), TARGETS)
    report = await cache.report()
    model = report["tenants"][0]["models"][0]
    assert (model["misses"], model["hits_exact"], model["hits_semantic"], model["bypass"]) == (1, 1, 1, 1)
    assert report["tokens_saved"] == 30 and report["entries"] == 1 and report["hit_rate"] == round(2 / 3, 6)


async def test_clear_of_one_tenant_keeps_the_others() -> None:
    cache = make_cache()
    await _miss_then_store(cache, "t1", ask("Q?"))
    await _miss_then_store(cache, "t2", ask("Q?"))
    assert await cache.clear("t1") == 1
    assert (await cache.lookup("t1", "exact", ask("Q?"), TARGETS)).status == "miss"
    assert (await cache.lookup("t2", "exact", ask("Q?"), TARGETS)).status == "hit-exact"
