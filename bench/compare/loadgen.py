"""Closed-loop asyncio load generator that times the first byte and the whole response of every request.

wrk cannot time the first byte of a streamed answer, so every figure of the comparison comes from this one
client, for every target alike. It runs as its own process (the parent pins it to a core with taskset):

    python -m bench.compare.loadgen < job.json

The job (JSON on stdin) names the URL, headers, body template, concurrency, warm-up and duration (and optionally
`stagger`: seconds over which the workers' first requests are spread). N workers
(N = concurrency) share one aiohttp session with N keep-alive connections; each sends its next request as soon
as the previous one is fully read. Per request it records:

- TTFB: from just before the request is sent until the first chunk of the response *body* is read (for a
  stream, the first SSE event; headers alone do not count, because a proxy may send them before it has
  anything from the upstream);
- total: until the last byte of the body.

A request counts as ok only with status 200 and a complete body (`"choices"` in a JSON answer, `[DONE]` at the
end of a stream). Warm-up runs first; then the process prints `measure-start`, runs the measured phase, waits
for every in-flight request, prints `measure-end` (the parent reads the target's CPU time at both lines), and
finally `result {...}` with counts, req/s and p50/p90/p99/max in milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

SEQ = "__SEQ__"


@dataclass(frozen=True)
class Job:
    """One load run against one URL."""

    url: str
    headers: dict[str, str]
    template: str
    concurrency: int
    warmup: float
    duration: float
    stream: bool
    stagger: float = 0.0  # seconds over which the workers' first requests are spread (0: all at once)


@dataclass
class Tally:
    """What the workers measured in one phase."""

    ttfb_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    sequence: int = 0

    def fail(self, reason: str) -> None:
        """Count a failed request, keeping the first reason for the report."""
        self.errors += 1
        self.first_error = self.first_error or reason[:300]


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(share * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary(values: list[float]) -> dict[str, float]:
    """p50, p90, p99, max and mean of a list of milliseconds, rounded to microseconds."""
    ordered = sorted(values)
    mean = sum(ordered) / len(ordered) if ordered else 0.0
    figures = {
        "p50": percentile(ordered, 0.50),
        "p90": percentile(ordered, 0.90),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1] if ordered else 0.0,
        "mean": mean,
    }
    return {name: round(value, 3) for name, value in figures.items()}


def complete(body: bytes, stream: bool) -> bool:
    """Whether a 200 body is a whole answer (a truncated stream must not count as a success)."""
    return body.rstrip().endswith(b"[DONE]") if stream else b'"choices"' in body


async def one_request(session: aiohttp.ClientSession, job: Job, tally: Tally, prefix: str) -> None:
    """Send one request and record its TTFB and total time (or count it as an error)."""
    tally.sequence += 1
    data = job.template.replace(SEQ, f"{prefix}-{tally.sequence}").encode()
    started = time.perf_counter()
    try:
        async with session.post(job.url, data=data, headers=job.headers) as response:
            first = await response.content.readany()
            ttfb = time.perf_counter() - started
            rest = await response.content.read()
            total = time.perf_counter() - started
            body = first + rest
            if response.status != 200 or not complete(body, job.stream):
                tally.fail(f"status {response.status}: {body[:200]!r}")
                return
    except (TimeoutError, aiohttp.ClientError) as exc:
        tally.fail(f"{type(exc).__name__}: {exc}")
        return
    tally.ttfb_ms.append(ttfb * 1000)
    tally.total_ms.append(total * 1000)


async def phase(session: aiohttp.ClientSession, job: Job, seconds: float, prefix: str) -> tuple[Tally, float]:
    """Run `concurrency` closed-loop workers for `seconds`; returns the tally and the phase's wall time."""
    tally = Tally()
    started = time.perf_counter()
    deadline = started + seconds

    async def worker(index: int) -> None:
        # Against an upstream with a fixed delay, workers that start together stay in lockstep and hit the
        # proxy in bursts of `concurrency`; spread out, they arrive as independent users would.
        await asyncio.sleep(job.stagger * index / job.concurrency)
        while time.perf_counter() < deadline:
            await one_request(session, job, tally, prefix)

    await asyncio.gather(*(worker(i) for i in range(job.concurrency)))
    return tally, time.perf_counter() - started


async def run(job: Job) -> dict[str, Any]:
    """Warm-up, then the measured phase; prints the phase markers the parent samples CPU time at."""
    # Distinct bodies across runs too, so a cache never hits. Letters only: a prefix of digits made the sequence
    # number look like a phone number with an extension ("03725551-1234"), which the PII stage replaced by one
    # placeholder for every request of the point, so that they all hit the cache.
    prefix = "".join(chr(97 + byte % 26) for byte in os.urandom(8))
    connector = aiohttp.TCPConnector(limit=job.concurrency, ttl_dns_cache=None)
    timeout = aiohttp.ClientTimeout(total=30)
    headers = {"Content-Type": "application/json", "Accept-Encoding": "identity", **job.headers}
    job = Job(**{**job.__dict__, "headers": headers})
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        if job.warmup > 0:
            await phase(session, job, job.warmup, prefix + "w")
        print("measure-start", flush=True)
        tally, seconds = await phase(session, job, job.duration, prefix)
        print("measure-end", flush=True)
    requests = len(tally.total_ms)
    return {
        "requests": requests,
        "errors": tally.errors,
        "first_error": tally.first_error,
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "ttfb_ms": summary(tally.ttfb_ms),
        "total_ms": summary(tally.total_ms),
    }


def main() -> None:
    """Read the job from stdin, run it, print `result {...}`."""
    job = Job(**json.loads(sys.stdin.read()))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        print("uvloop not installed: using the default asyncio loop", file=sys.stderr)
    result = asyncio.run(run(job))
    print("result " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
