"""Audit log benchmark: what the group-committed hash chain costs a request, and how fast verification runs.

    python bench/audit_bench.py                                   # PostgreSQL at TEST_PG_ADMIN_DSN + SQLite
    python bench/audit_bench.py --verify-rows 1000000 --out bench/results

1. CPU of `observe` (building and queueing one record: hashes, canonical fields) per request, in-process.
2. Ack wait: how long a request waits for its record's commit (observe -> future resolved), with
   1 and 64 concurrent simulated requests, on PostgreSQL and SQLite; records/s. Chain head locked by a row
   lock (the shipped code) and, for comparison on PostgreSQL, by `pg_advisory_xact_lock` + SELECT.
3. Three writer processes appending at once on PostgreSQL (64 concurrent requests each): records/s, then the
   chain is verified.
4. Verification speed: `--verify-rows` records written in big batches, then `verify_chain` over all, rows/s.

Results: bench/results/audit.json (and printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.audit.verify import verify_chain
from gateway.audit.writer import AuditWriter, WriterOptions
from gateway.settle import Settlement, Settler
from gateway.store import db
from gateway.store.repositories import audit as audit_repo
from gateway.tenancy.costs import Cost
from gateway.tenancy.policy import AuthenticatedTenant
from gateway.types import ChatRequest, Message

PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test")
TENANT = AuthenticatedTenant(tenant_id="bench", tenant_name="bench", key_id="key-bench")
PROMPT = ChatRequest(model="gpt-4o-mini", messages=[Message(role="user", content="Bitte fasse zusammen. " * 40)])
COST = Cost(0.15, 0.6, 0.92, 0.0000123)


def _settlement(number: int) -> Settlement:
    record = Settlement(request_id=f"bench-{number}", started=0.0, tenant=TENANT, requested_model="gpt-4o-mini")
    record.prompt, record.subject, record.pii_detections = PROMPT, "user-1", {"PERSON": 1}
    record.ledger_row = Settler._row(record, COST)  # the ledger row the record keeps details of, as settle builds it
    return record


async def _pg_database() -> str:
    name = "gw_audit_bench_" + secrets.token_hex(3)
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name


async def _drop_pg(url: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await conn.close()


async def observe_cpu(count: int = 20000) -> dict[str, float]:
    writer = AuditWriter(None)  # type: ignore[arg-type]  # never flushed: only the request-path part
    records = [_settlement(i) for i in range(count)]
    began = time.process_time()
    for record in records:
        writer.observe(record, COST)
    return {"observe_cpu_us_per_request": round((time.process_time() - began) / count * 1e6, 2)}


async def _advisory_head(session: Any, count: int, now: Any) -> tuple[int, str]:
    await session.execute(text("SELECT pg_advisory_xact_lock(7283007)"))
    seq, head_hash = await audit_repo.head(session)
    await session.execute(text("UPDATE audit_chain_head SET seq = seq + :n WHERE id = 1"), {"n": count})
    return seq, head_hash


async def ack_latency(url: str, concurrency: int, seconds: float, durable: bool = True) -> dict[str, float]:
    """Simulated requests, each: observe, then await its commit; `concurrency` of them at a time."""
    engine = db.create_engine(url)
    writer = AuditWriter(db.session_factory(engine), WriterOptions(durable=durable))
    await writer.start()
    waits: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client(offset: int) -> None:
        number = offset
        while time.perf_counter() < deadline:
            record = _settlement(number)
            began = time.perf_counter()
            writer.observe(record, COST)
            await record.acks[0]
            waits.append(time.perf_counter() - began)
            number += concurrency

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(i) for i in range(concurrency)))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    await writer.stop()
    await engine.dispose()
    waits.sort()
    return {
        "concurrency": concurrency,
        "records": len(waits),
        "records_per_second": round(len(waits) / elapsed),
        "ack_wait_ms_p50": round(statistics.median(waits) * 1000, 3),
        "ack_wait_ms_p99": round(waits[int(len(waits) * 0.99)] * 1000, 3),
        "ack_wait_ms_mean": round(statistics.fmean(waits) * 1000, 3),
        "gateway_cpu_us_per_record": round(cpu / len(waits) * 1e6, 1),  # observe + batch insert, client side
    }


def _process_writer(url: str, seconds: float, out: Any) -> None:
    out.put(asyncio.run(ack_latency(url, 64, seconds)))


def three_processes(url: str, seconds: float) -> dict[str, Any]:
    queue: Any = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_process_writer, args=(url, seconds, queue)) for _ in range(3)]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    return {"per_process": results, "records_per_second": sum(r["records_per_second"] for r in results)}


async def verify_speed(url: str, rows: int) -> dict[str, Any]:
    engine = db.create_engine(url)
    sessions = db.session_factory(engine)
    writer = AuditWriter(sessions, WriterOptions(max_batch=5000))
    async with sessions() as session:
        existing, _ = await audit_repo.head(session)
    for start in range(0, rows, 5000):
        for number in range(start, min(rows, start + 5000)):
            writer.observe(_settlement(number), COST)
        assert await writer.flush()
    report = await verify_chain(sessions)
    await engine.dispose()
    return {"rows": report.checked, "written_now": rows, "previously": existing, "valid": report.valid,
            "seconds": round(report.seconds, 2), "rows_per_second": round(report.checked / report.seconds)}


async def _fresh(url: str) -> None:
    engine = db.create_engine(url)
    await db.upgrade(engine)
    await engine.dispose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"observe": await observe_cpu()}
    pg = await _pg_database()
    sqlite = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/audit.db"
    try:
        await _fresh(pg)
        await _fresh(sqlite)
        for name, url in (("postgresql", pg), ("sqlite", sqlite)):
            results[name] = [await ack_latency(url, c, args.seconds) for c in (1, 64)]
        results["postgresql_synchronous_commit_off"] = [
            await ack_latency(pg, c, args.seconds, durable=False) for c in (1, 64)
        ]
        original = audit_repo.advance_head
        audit_repo.advance_head = _advisory_head  # type: ignore[assignment]
        results["postgresql_advisory_lock"] = [await ack_latency(pg, c, args.seconds) for c in (1, 64)]
        audit_repo.advance_head = original  # type: ignore[assignment]
        results["postgresql_three_processes"] = three_processes(pg, args.seconds)
        results["postgresql_verify"] = await verify_speed(pg, args.verify_rows)
        results["sqlite_verify"] = await verify_speed(sqlite, min(args.verify_rows, 200_000))
    finally:
        await _drop_pg(pg)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--verify-rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "audit.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
