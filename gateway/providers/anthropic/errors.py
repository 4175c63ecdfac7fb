"""Anthropic error JSON -> the gateway's upstream errors.

Anthropic answers every failure with `{"type": "error", "error": {"type": ..., "message": ...}}` (plus a
`request_id`), over HTTP and, mid-stream, as an SSE `error` event. Only `error.type` is carried on: the
message can quote the request (user data) and must not travel into logs or client errors.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import msgspec

from gateway.errors import UpstreamError, parse_retry_after, upstream_error_for_status

PROVIDER = "anthropic"

# The documented error types and the HTTP status each one comes with; a stream's `error` event has no status.
STATUS_BY_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

_SAFE_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def error_type(payload: Any) -> str:
    """The `error.type` of an Anthropic error payload, or "" when absent or not a plain identifier."""
    if not isinstance(payload, dict):
        return ""
    error = payload.get("error")
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) and _SAFE_TYPE.match(kind) else ""


def map_error(response: httpx.Response, provider: str = PROVIDER) -> UpstreamError:
    """The gateway error for a non-2xx Anthropic response (its body must already be read).

    Args:
        response: the failed response.
        provider: the configured provider name, for the error message.
    """
    try:
        payload = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        payload = None
    return upstream_error_for_status(
        response.status_code,
        provider=provider,
        detail=error_type(payload),
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def map_stream_error(payload: Any, provider: str = PROVIDER) -> UpstreamError:
    """The gateway error for an SSE `error` event, by the status its error type is documented with."""
    kind = error_type(payload)
    return upstream_error_for_status(
        STATUS_BY_TYPE.get(kind, 500), provider=provider, detail=kind or "stream_error"
    )
