"""The last stage of every request, whatever its outcome: what happened, to whom, at what token count.

For now settling writes one structured log line per request; the ledger, metrics and audit attach here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from gateway.errors import GatewayError
from gateway.routing.planner import Candidate
from gateway.tenancy.keys import AuthenticatedTenant
from gateway.types import Usage

log = logging.getLogger("gateway.requests")


@dataclass
class Settlement:
    request_id: str
    started: float
    tenant: AuthenticatedTenant | None = None
    requested_model: str | None = None
    candidate: Candidate | None = None
    attempts: int = 0
    usage: Usage = field(default_factory=Usage)
    status: int = 200
    outcome: str = "ok"
    error_code: str | None = None

    def succeed(self, candidate: Candidate, usage: Usage, attempts: int) -> None:
        self.candidate, self.usage, self.attempts = candidate, usage, attempts

    def fail(self, error: GatewayError) -> None:
        self.status, self.outcome, self.error_code = error.status, "error", error.code

    def stream_ended(self, outcome: str, usage: Usage) -> None:
        self.usage = usage
        if self.outcome == "ok":
            self.outcome = outcome

    @property
    def duration_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


class Settler:
    def settle(self, record: Settlement) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        log.info(
            "request settled",
            extra={
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
                "duration_ms": round(record.duration_ms, 2),
            },
        )
