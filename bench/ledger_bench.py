"""Usage-ledger queries at scale: the monthly per-tenant summary and the budget re-seed sum on 1M rows.

    python bench/ledger_bench.py [--rows 1000000] [--dsn postgresql://postgres@127.0.0.1:5432/test]

Creates a scratch PostgreSQL database, applies the migrations, loads `--rows` ledger rows (50 tenants, three
months, COPY), runs ANALYZE, then times the queries the gateway runs (best of 5) and keeps their EXPLAIN ANALYZE
plans. Writes bench/results/ledger.json and ledger.md, and drops the scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from gateway.store import db
from gateway.store.repositories import usage as usage_repo
from gateway.tenancy import reports

HERE = Path(__file__).resolve().parent
TENANTS = 50
START = datetime(2026, 9, 1, tzinfo=UTC)
DAYS = 91
COLUMNS = (
    "request_id", "tenant_id", "key_id", "created_at", "model", "provider", "prompt_tokens", "completion_tokens",
    "cached_tokens", "reasoning_tokens", "price_input_usd_per_1m", "price_output_usd_per_1m", "eur_per_usd",
    "cost_eur", "cache_hit", "stream", "latency_ms", "status", "outcome",
)  # fmt: skip


def _rows(count: int, tenants: list[str]) -> list[tuple[Any, ...]]:
    rng = random.Random(7)
    models = [("gpt-4o-mini", "openai"), ("claude-haiku-4-5", "anthropic"), ("gemini-2.5-flash", "gemini")]
    out = []
    for i in range(count):
        model, provider = models[i % 3]
        prompt, completion = rng.randint(50, 3000), rng.randint(10, 800)
        moment = START + timedelta(seconds=rng.randint(0, DAYS * 86400 - 1))
        cost = (prompt * 0.15 + completion * 0.6) / 1e6 * 0.86
        out.append(
            (f"req_{i}", tenants[i % len(tenants)], None, moment, model, provider, prompt, completion, 0, 0,
             0.15, 0.6, 0.86, cost, False, False, 12.5, 200, "ok")
        )  # fmt: skip
    return out


async def _timed(label: str, work: Any, results: dict[str, float]) -> None:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        await work()
        best = min(best, time.perf_counter() - started)
    results[label] = round(best * 1000, 2)
    print(f"  {label}: {results[label]} ms", flush=True)


async def _plans(conn: asyncpg.Connection, tenant: str) -> dict[str, str]:
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    queries = {
        "tenant_month_tokens": "SELECT sum(prompt_tokens + completion_tokens) FROM usage_ledger "
        "WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3",
        "summary_by_model_one_tenant": "SELECT tenant_id, model, provider, count(*), sum(prompt_tokens), "
        "sum(completion_tokens), sum(cost_eur) FROM usage_ledger WHERE created_at >= $2 AND created_at < $3 "
        "AND tenant_id = $1 GROUP BY tenant_id, model, provider",
    }
    plans = {}
    for name, sql in queries.items():
        rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, tenant, start, end)
        plans[name] = "\n".join(r[0] for r in rows)
    return plans


async def run(rows: int, dsn: str) -> dict[str, Any]:
    name = "gw_ledger_bench_" + secrets.token_hex(3)
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = dsn.rsplit("/", 1)[0]
    engine = db.create_engine(base.replace("postgresql://", "postgresql+asyncpg://") + "/" + name)
    try:
        await db.upgrade(engine)
        conn = await asyncpg.connect(f"{base}/{name}")
        tenants = [f"tenant{i:03d}" for i in range(TENANTS)]
        started = time.perf_counter()
        await conn.copy_records_to_table("usage_ledger", records=_rows(rows, tenants), columns=COLUMNS)
        await conn.execute("ANALYZE usage_ledger")
        load_s = time.perf_counter() - started
        print(f"loaded {rows} rows in {load_s:.1f} s", flush=True)
        timings: dict[str, float] = {}
        sessions = db.session_factory(engine)
        oct_start, oct_end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)

        async def reseed() -> None:
            async with sessions() as session:
                await usage_repo.tenant_tokens_between(session, tenants[7], oct_start, oct_end)

        async def summary_one() -> None:
            async with sessions() as session:
                await reports.cost_summary(session, "2026-10", tenants[7])

        async def summary_all() -> None:
            async with sessions() as session:
                await reports.cost_summary(session, "2026-10", None)

        async def daily_one() -> None:
            async with sessions() as session:
                await reports.daily_usage(session, tenants[7], "2026-10-01", "2026-10-31")

        await _timed("budget re-seed sum, one tenant-month", reseed, timings)
        await _timed("cost summary, one tenant, one month", summary_one, timings)
        await _timed("cost summary, all 50 tenants, one month", summary_all, timings)
        await _timed("daily usage, one tenant, one month", daily_one, timings)
        plans = await _plans(conn, tenants[7])
        await conn.close()
        return {"rows": rows, "tenants": TENANTS, "load_seconds": round(load_s, 1), "timings_ms": timings, "plans": plans}
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Usage ledger at scale",
        "",
        f"Generated by `python bench/ledger_bench.py --rows {result['rows']}` on PostgreSQL; {result['rows']:,} rows,",
        f"{result['tenants']} tenants over three months, loaded with COPY in {result['load_seconds']} s. Best of 5.",
        "",
        "| query (as the gateway runs it) | ms |",
        "| --- | --: |",
        *[f"| {label} | {ms} |" for label, ms in result["timings_ms"].items()],
        "",
        "The index `ix_usage_ledger_tenant_id_created_at` (tenant_id, created_at) serves the per-tenant queries:",
        "",
    ]
    for name, plan in result["plans"].items():
        lines += [f"`{name}`:", "", "```", plan, "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    result = asyncio.run(run(args.rows, args.dsn))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ledger.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "ledger.md").write_text(_markdown(result))
    print(f"wrote {args.out / 'ledger.json'} and {args.out / 'ledger.md'}")


if __name__ == "__main__":
    main()
