"""The last stage of every request, whatever its outcome: the ledger row (tokens, EUR at the price and rate of
the day), the budget and rate-limit correction to the real usage, and one structured log line.

Nothing here blocks the response: the ledger is written in batches, budget corrections run as background tasks
that shutdown waits for.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from gateway.catalog import Catalog
from gateway.errors import GatewayError
from gateway.routing.planner import Candidate
from gateway.tenancy.costs import Cost, cost_of
from gateway.tenancy.ledger import LedgerWriter
from gateway.tenancy.limits import Admission, Limits
from gateway.tenancy.policy import AuthenticatedTenant
from gateway.types import ChatRequest, Usage

log = logging.getLogger("gateway.requests")


@dataclass
class Settlement:
    request_id: str
    started: float
    tenant: AuthenticatedTenant | None = None
    admission: Admission | None = None
    requested_model: str | None = None
    candidate: Candidate | None = None
    attempts: int = 0
    stream: bool = False
    cache_hit: Literal["exact", "semantic"] | None = None  # how the response cache answered; None: upstream
    cache_status: str | None = None  # x-gateway-cache: hit-exact | hit-semantic | miss | bypass (None: not reached)
    saved_tokens: int = 0  # a cache hit: the tokens the cached answer cost when made (the hit bills none)
    usage: Usage = field(default_factory=Usage)
    status: int = 200
    outcome: str = "ok"
    error_code: str | None = None
    pii_detections: Mapping[str, int] = field(default_factory=dict)  # entity type -> count, never values
    subject: str | None = None  # the request's `user` field: the data subject of the audit record
    prompt: ChatRequest | None = None  # the scrubbed request (audit hashes it; retains it encrypted if enabled)
    acks: list[asyncio.Future[None]] = field(default_factory=list)  # durable writes the response waits for
    ledger_row: dict[str, Any] | None = None  # set by settle (authenticated requests); the audit record keeps it

    def succeed(self, candidate: Candidate, usage: Usage, attempts: int) -> None:
        self.candidate, self.usage, self.attempts = candidate, usage, attempts

    def served_from_cache(self, candidate: Candidate, hit: Literal["exact", "semantic"], saved_tokens: int) -> None:
        """Answered from the cache: no upstream tokens, so the budget and rate limits are refunded in full."""
        self.candidate, self.cache_hit, self.cache_status = candidate, hit, f"hit-{hit}"
        self.usage, self.saved_tokens = Usage(), saved_tokens

    def fail(self, error: GatewayError) -> None:
        self.status, self.outcome, self.error_code = error.status, "error", error.code

    def stream_ended(self, outcome: str, usage: Usage) -> None:
        self.usage = usage
        if self.outcome == "ok":
            self.outcome = outcome

    @property
    def duration_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


class SettleObserver(Protocol):
    """Something that learns of every settled request (metrics, audit, ...). Must not block: queue, don't write."""

    def observe(self, record: Settlement, cost: Cost) -> None: ...


class Settler:
    def __init__(
        self,
        catalog: Catalog,
        ledger: LedgerWriter,
        limits: Limits,
        observers: Sequence[SettleObserver] = (),
    ) -> None:
        self._catalog = catalog
        self._ledger = ledger
        self._limits = limits
        self._observers = list(observers)
        self._tasks: set[asyncio.Task[None]] = set()

    def add_observer(self, observer: SettleObserver) -> None:
        self._observers.append(observer)

    def settle(self, record: Settlement) -> None:
        model = record.candidate.model if record.candidate else None
        cost = cost_of(model, record.usage, self._catalog)
        if record.tenant is not None:  # built before the observers: the audit record keeps it (ledger_row.py)
            record.ledger_row = self._row(record, cost)
        for observer in self._observers:
            observer.observe(record, cost)
        if record.ledger_row is not None:
            self._ledger.append(record.ledger_row)
        if record.admission is not None:
            self._spawn(self._limits.settle(record.admission, record.usage, cost.eur))
        if log.isEnabledFor(logging.INFO):
            log.info("request settled", extra=self._log_fields(record, cost.eur))

    @staticmethod
    def _row(record: Settlement, cost: Cost) -> dict[str, Any]:
        tenant = record.tenant
        assert tenant is not None  # nosec B101 # type narrowing: only requests with a tenant are settled
        model = record.candidate.model.name if record.candidate else record.requested_model
        return {
            "request_id": record.request_id[:128],  # client-chosen: must fit its column, or the batch fails
            "usage_id": _usage_id(),
            "tenant_id": tenant.tenant_id,
            "key_id": tenant.key_id,
            "created_at": datetime.now(UTC),
            "model": model[:200] if model is not None else None,
            "provider": record.candidate.provider.config.name if record.candidate else None,
            "prompt_tokens": record.usage.prompt_tokens,
            "completion_tokens": record.usage.completion_tokens,
            "cached_tokens": record.usage.cached_tokens,
            "reasoning_tokens": record.usage.reasoning_tokens,
            "price_input_usd_per_1m": cost.price_input_usd_per_1m,
            "price_output_usd_per_1m": cost.price_output_usd_per_1m,
            "eur_per_usd": cost.eur_per_usd,
            "cost_eur": cost.eur,
            "cache_hit": record.cache_hit is not None,
            "saved_tokens": record.saved_tokens,
            "stream": record.stream,
            "latency_ms": round(record.duration_ms, 3),
            "status": record.status,
            "outcome": record.outcome,
        }

    @staticmethod
    def _log_fields(record: Settlement, eur: float) -> dict[str, Any]:
        return {
            "request_id": record.request_id,
            "tenant": record.tenant.tenant_name if record.tenant else None,
            "model": record.requested_model,
            "provider": record.candidate.provider.config.name if record.candidate else None,
            "attempts": record.attempts,
            "status": record.status,
            "outcome": record.outcome,
            "error_code": record.error_code,
            "prompt_tokens": record.usage.prompt_tokens,
            "completion_tokens": record.usage.completion_tokens,
            "cost_eur": round(eur, 8),
            "pii": dict(record.pii_detections) or None,
            "duration_ms": round(record.duration_ms, 2),
        }

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def acknowledged(self, record: Settlement) -> None:
        """Wait until observers that must persist the record before the client gets an answer (the audit log)
        have done so. Raises their GatewayError (e.g. 503 audit_unavailable) when they could not."""
        for ack in record.acks:
            await ack

    async def drain(self) -> None:
        """Wait for outstanding budget corrections (shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _usage_id() -> str:
    """Unique, so the reconciliation writes a lost row at most once; time first (nanoseconds, then 64 random
    bits), so the ledger's insert order (usage-id order, see repositories/usage.py) is the order of settling."""
    return f"{time.time_ns():016x}{secrets.token_hex(8)}"
