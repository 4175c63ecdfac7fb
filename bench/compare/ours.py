"""This gateway in two profiles, started as `gateway serve --workers 1` (as bench/overhead.py does).

- `passthrough`: SQLite, a tenant with PII policy `allow`, no limits, cache off: key check, routing, ledger,
  audit (always on where it exists) and the request log.
- `full`: PostgreSQL (a fresh database in the local server) and Redis (db 11, flushed), a tenant with rate limits
  and a monthly budget far above what the run uses, PII `redact`, cache mode `exact` (every request is distinct,
  so it misses and stores), audit log and metrics. Features are switched on through settings that exist in the
  code at run time; which ones were on is recorded, and after the run the /metrics counters and the database
  rows show that they really worked.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench import procs
from bench.compare.target import SkipError, Target, start_in
from gateway.settings import Settings

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "gateway_bench_compare"
REDIS_URL = "redis://127.0.0.1:6379/11"
_READY = re.compile(r'"msg":\s*"gateway ready"')  # the JSON log line, with or without spaces (orjson has none)
HIGH = 10**9  # limits and budgets far above anything a run spends (per-minute limits are 32-bit columns)
FULL_TENANT_FLAGS = [
    "--pii",
    "redact",
    "--rate-limit-per-minute",
    str(HIGH),
    "--tokens-per-minute",
    str(2 * HIGH),
    "--monthly-token-budget",
    str(10**13),
    "--monthly-budget-eur",
    str(HIGH),
]
PASSTHROUGH_TENANT_FLAGS = ["--pii", "allow"]
SCRUBBED_ENV = ("DATABASE_URL", "REDIS_URL", "CACHE_DEFAULT_MODE", "LOG_LEVEL")


def _has_setting(name: str) -> bool:
    return name in Settings.model_fields


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


async def _recreate_database() -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    finally:
        await conn.close()


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()  # db 11 only
    finally:
        client.close()


def profile_env(profile: str, workdir: Path, upstream_port: int) -> tuple[dict[str, str], dict[str, Any]]:
    """Environment of `gateway` commands for a profile, and the features it switches on."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update(OPENAI_API_KEY="x", OPENAI_BASE_URL=f"http://127.0.0.1:{upstream_port}/v1", LOG_LEVEL="info")
    features: dict[str, Any] = {"keys": True, "request_log": "info", "workers": 1}
    full = profile == "full"
    if full:
        env["DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DATABASE}"
        env["REDIS_URL"] = REDIS_URL
    else:
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir}/passthrough.db"
    if _has_setting("cache_default_mode"):
        env["CACHE_DEFAULT_MODE"] = "exact" if full else "off"
    features["database"] = "postgresql" if full else "sqlite"
    features["state_backend"] = "redis db 11" if full else "in-process"
    features["rate_limits_and_budget"] = full
    features["pii"] = "redact" if full else "allow"
    features["cache"] = env.get("CACHE_DEFAULT_MODE", "not in code")
    features["ledger_module"] = _has_module("gateway.tenancy.ledger")
    features["audit_module"] = _has_module("gateway.audit.writer")  # no switch: on whenever wired in app.py
    features["metrics_module"] = _has_module("gateway.observability.metrics")
    return env, features


def create_key(env: dict[str, str], cwd: Path, tenant: str, flags: list[str]) -> str:
    """Create the tenant with `flags` and a key for it (the last line of stdout)."""
    for command in (
        ["gateway", "tenants", "create", tenant, *flags],
        ["gateway", "keys", "create", "--tenant", tenant],
    ):
        done = subprocess.run(
            command, env=env, cwd=cwd, capture_output=True, text=True, timeout=180, check=False
        )
        if done.returncode != 0:
            raise SkipError(f"`{' '.join(command[:3])}` failed: {done.stderr.strip()[-400:]}")
    return done.stdout.strip().splitlines()[-1].strip()


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "gateway"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def prepare_stores(profile: str, workdir: Path) -> None:
    """Fresh stores: `full` a new database and an empty Redis db, `passthrough` a new SQLite file."""
    if profile != "full":
        for leftover in workdir.glob("passthrough.db*"):
            leftover.unlink()
        return
    try:
        asyncio.run(_recreate_database())
        _flush_redis()
    except Exception as exc:  # any store problem means this profile cannot run
        raise SkipError(f"PostgreSQL/Redis not usable: {type(exc).__name__}: {exc}") from exc


def start_gateway(
    profile: str,
    workdir: Path,
    upstream_port: int,
    cpu: str | None,
    *,
    workers: int = 1,
    key: str | None = None,
    name: str | None = None,
) -> Target:
    """Start `gateway serve` in `profile`. Without `key`: fresh stores, a new tenant and key. With `key`: one
    more instance on the stores and tenant an earlier call prepared (bench/scaling.py)."""
    env, features = profile_env(profile, workdir, upstream_port)
    features["workers"] = workers
    flags = FULL_TENANT_FLAGS if profile == "full" else PASSTHROUGH_TENANT_FLAGS
    if key is None:
        prepare_stores(profile, workdir)
        key = create_key(env, workdir, f"bench-{profile}", flags)
    port = procs.free_port()
    command = ["gateway", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    label = name or f"gateway-{profile}"
    log = workdir / f"{label}-{port}.log"
    proc = start_in(workdir, procs.pinned(command, cpu), env, log)
    try:
        procs.wait_healthy(f"http://127.0.0.1:{port}/health", proc)
        _wait_all_workers_ready(log, workers)
    except RuntimeError as exc:
        procs.stop(proc)
        raise SkipError(f"gateway ({profile}) did not start: {exc}") from exc
    features["metrics_endpoint"] = _metrics_text(port) is not None
    return Target(
        name=label,
        version=f"this gateway, git {_commit()}",
        url=f"http://127.0.0.1:{port}/v1/chat/completions",
        headers={"Authorization": f"Bearer {key}"},
        proc=proc,
        details={"profile": profile, "features": features, "tenant_flags": flags, "port": port},
    )


def _wait_all_workers_ready(log: Path, workers: int, seconds: float = 180) -> None:
    """/health answers as soon as one worker is up; the others may still be importing (seconds of CPU that
    would be charged to the first measurement). Each worker logs "gateway ready" once."""
    deadline = time.monotonic() + seconds
    while len(_READY.findall(log.read_text(errors="replace"))) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"not all {workers} workers became ready within {seconds:.0f} s")
        time.sleep(0.2)


def _metrics_text(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            return response.read().decode() if response.status == 200 else None
    except OSError:
        return None


def _counter_total(text: str, name: str) -> float:
    """Sum of every sample of a counter (`name_total{...} value`) in Prometheus text."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(f"{name}_total"):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def _pg_counts() -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}")
    try:
        counts = {}
        for table in ("usage_ledger", "audit_records"):
            try:
                counts[table] = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
            except asyncpg.UndefinedTableError:
                counts[table] = -1
        return counts
    finally:
        await conn.close()


def _redis_keys() -> int:
    """Keys in Redis db 11 after the run: limit windows and budgets are a handful; cache entries are thousands."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return int(client.dbsize())
    finally:
        client.close()


def evidence(target: Target) -> dict[str, Any]:
    """After the run: what the gateway's own counters and tables say it did (proof the features were on)."""
    found: dict[str, Any] = {}
    text = _metrics_text(int(target.details["port"]))
    if text is not None:
        for name in (
            "gateway_requests",
            "gateway_cache_hit",
            "gateway_cache_miss",
            "gateway_pii_detections",
            "gateway_rejections",
        ):
            found[name] = _counter_total(text, name)
    if target.details["profile"] == "full":
        try:
            found["redis_db11_keys"] = _redis_keys()
            found.update(asyncio.run(_pg_counts()))
        except Exception as exc:  # noqa: BLE001 - evidence is best effort
            found["pg_error"] = f"{type(exc).__name__}: {exc}"
    return found
