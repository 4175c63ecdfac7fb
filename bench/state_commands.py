"""Redis commands per admit and per settle of `RedisLimitState`: a deterministic measure of the scripts' work.

    python bench/state_commands.py [--redis redis://127.0.0.1:6379/14] [--n 200]

Each decision is one EVALSHA; Redis counts the commands a script runs (`INFO commandstats`) as well, and on
a small script each inner call costs about as much as the work it does. A tenant has two scopes (key, tenant)
of two limits each (requests, tokens) and two budgets (tokens, EUR), as in `tenancy/limits.py`. Scenarios:

    admit-steady   the same tenant again, nothing has slid out of the window yet (Redis clock)
    admit-sliding  one entry per limit slides out at every admit (an explicit clock one second apart)
    admit-new      a tenant whose keys do not exist yet (Redis clock)
    settle-refund  a -100 token correction on both scopes and both budgets (the estimate was too high)
    settle-charge  a +100 token correction on both scopes and both budgets (the estimate was too low)

The db is flushed before and after; use one nothing else needs. The counts are server-wide, so nothing else
should use the Redis server meanwhile. `usec_per_call` of EVALSHA is printed too, but it is noisy.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from gateway.store.state import Limit
from gateway.store.state.limit_state import BudgetReservation, Corrections, RateScope
from gateway.store.state.redis_admit import RedisLimitState

LIMITS = [Limit("requests", 1_000_000, 60), Limit("tokens", 10**12, 60)]
COST = {"requests": 1, "tokens": 500}
Step = Callable[[int], Awaitable[object]]


def _scopes(tenant: str) -> list[RateScope]:
    return [RateScope(f"key:{tenant}", LIMITS, COST), RateScope(f"tenant:{tenant}", LIMITS, COST)]


def _budgets(tenant: str) -> list[BudgetReservation]:
    return [
        BudgetReservation(f"budget:tokens:{tenant}", 500, 10**12, 3600),
        BudgetReservation(f"budget:eur:{tenant}", 1, 10**12, 3600),
    ]


def _corrections(tenant: str, delta: int) -> Corrections:
    rates = [(f"{scope}:{tenant}", "tokens", delta) for scope in ("key", "tenant")]
    return Corrections(rates, [(f"budget:tokens:{tenant}", delta), (f"budget:eur:{tenant}", delta)])


async def _stats(client: aioredis.Redis) -> dict[str, dict[str, float]]:
    info = await client.info("commandstats")
    return {name.removeprefix("cmdstat_"): values for name, values in info.items()}


async def _count(client: aioredis.Redis, step: Step, n: int) -> tuple[float, float]:
    """Commands the scripts ran per step (EVALSHA and INFO left out), and EVALSHA's mean server time."""
    before = await _stats(client)
    for i in range(n):
        await step(i)
    after = await _stats(client)

    def calls(name: str, stats: dict[str, dict[str, float]]) -> float:
        return stats.get(name, {}).get("calls", 0)

    inner = sum(calls(name, after) - calls(name, before) for name in after if name not in ("evalsha", "info"))
    evals = calls("evalsha", after) - calls("evalsha", before)
    usec = after["evalsha"]["usec"] - before.get("evalsha", {}).get("usec", 0)
    return inner / n, usec / evals


async def _scenarios(client: aioredis.Redis, n: int) -> dict[str, tuple[float, float]]:
    clock = [1.0e9]  # an explicit time for admit-sliding, in seconds
    live, sliding = RedisLimitState(client), RedisLimitState(client, clock=lambda: clock[0])

    async def admit_live(i: int) -> object:
        return await live.admit(_scopes("steady"), _budgets("steady"))

    async def admit_sliding(i: int) -> object:
        clock[0] += 1
        return await sliding.admit(_scopes("sliding"), _budgets("sliding"))

    async def admit_new(i: int) -> object:
        return await live.admit(_scopes(f"new{i}"), _budgets(f"new{i}"))

    await admit_live(0)
    for i in range(60):  # a full window, so every later admit pushes the oldest entry out
        await admit_sliding(i)
    results = {
        "admit-steady": await _count(client, admit_live, n),
        "admit-sliding": await _count(client, admit_sliding, n),
        "admit-new": await _count(client, admit_new, n),
    }
    for name, delta in (("settle-refund", -100), ("settle-charge", 100)):
        results[name] = await _count(client, _settle(live, delta), n)
    return results


def _settle(state: RedisLimitState, delta: int) -> Step:
    async def settle(i: int) -> None:
        await state.correct(_corrections("steady", delta))

    return settle


async def _main(url: str, n: int) -> None:
    client = aioredis.Redis.from_url(url)
    await client.flushdb()
    try:
        for name, (commands, usec) in (await _scenarios(client, n)).items():
            print(f"{name:14} {commands:6.2f} redis.calls per decision   evalsha {usec:6.1f} us (noisy)")
    finally:
        await client.flushdb()
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(_main(args.redis, args.n))


if __name__ == "__main__":
    main()
