"""Switchable faults for the mock servers.

A fault is armed per mock server, either for the next N requests through the control endpoint
(`POST /_mock/faults {"fault": "http_429", "count": 1}`, `DELETE /_mock/faults` to clear), or for one request by
the header `x-mock-fault: http_500`. The control endpoint lets tests fault an upstream behind the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Fault = Literal[
    "http_400",  # the provider rejects the request as invalid
    "http_401",  # bad credentials
    "http_429",  # rate limited, with retry-after
    "http_500",
    "http_503",
    "http_529",  # Anthropic's overloaded_error
    "timeout",  # the response never comes (sleeps longer than any sane read timeout)
    "reset",  # the connection is dropped before any response
    "cut_stream",  # a stream stops midway without its terminal event
    "malformed",  # a 200 whose body is not valid JSON (or a malformed stream chunk)
]
FAULTS: tuple[str, ...] = Fault.__args__  # type: ignore[attr-defined]
TIMEOUT_SLEEP_SECONDS = 30.0


@dataclass
class FaultSwitch:
    """The faults armed on one mock server; consumed one per request."""

    queue: list[str] = field(default_factory=list)
    requests_seen: int = 0

    def arm(self, fault: str, count: int = 1) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; choose one of {', '.join(FAULTS)}")
        self.queue.extend([fault] * count)

    def clear(self) -> None:
        self.queue.clear()

    def take(self, header_value: str | None) -> str | None:
        """The fault for this request: the header's, else the next armed one, else None."""
        self.requests_seen += 1
        if header_value and header_value in FAULTS:
            return header_value
        return self.queue.pop(0) if self.queue else None
