"""Gemini error JSON -> the gateway's upstream errors.

Gemini answers failures with Google's RPC error shape:
`{"error": {"code": 429, "message": "...", "status": "RESOURCE_EXHAUSTED", "details": [...]}}`.
Only `status` and the ErrorInfo `reason` (both enum codes) are used as the detail; `message` can echo the
request and is never copied.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from gateway.errors import UpstreamAuthError, UpstreamError, parse_retry_after, upstream_error_for_status

PROVIDER = "gemini"

_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
# A wrong key is a 400 INVALID_ARGUMENT on Gemini, not a 401: recognise it by its ErrorInfo reason.
_KEY_REASONS = frozenset({"API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED"})


def map_error(response: httpx.Response) -> UpstreamError:
    """The gateway error for a non-2xx Gemini response (its body must already be read).

    Args:
        response: The failed response.

    Returns:
        The mapped error, with a safe detail (`status`, plus the ErrorInfo reason when present) and the retry
        delay from the `retry-after` header or the body's RetryInfo.
    """
    error = _error_object(response.content)
    return error_from_object(error, response.status_code, response.headers.get("retry-after"))


def error_from_object(
    error: dict[str, Any], status_code: int, retry_after_header: str | None = None
) -> UpstreamError:
    """The gateway error for a Google RPC `error` object (also used for errors sent inside a stream)."""
    details = [d for d in error.get("details") or [] if isinstance(d, dict)]
    reason = next(
        (str(d.get("reason")) for d in details if d.get("@type") == _ERROR_INFO and d.get("reason")), ""
    )
    status = error.get("status")
    detail = "/".join(str(x) for x in (status if isinstance(status, str) else "", reason) if x)
    retry_after = parse_retry_after(retry_after_header) or _retry_delay(details)
    if reason in _KEY_REASONS:
        return UpstreamAuthError(f"{PROVIDER} refused the API key ({detail})", provider=PROVIDER)
    return upstream_error_for_status(status_code, provider=PROVIDER, detail=detail, retry_after=retry_after)


def _error_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return {}
    if isinstance(parsed, list) and parsed:  # some Google front ends wrap the error in a list
        parsed = parsed[0]
    error = parsed.get("error") if isinstance(parsed, dict) else None
    return error if isinstance(error, dict) else {}


def _retry_delay(details: list[dict[str, Any]]) -> float | None:
    """Seconds from a RetryInfo `retryDelay` (a protobuf Duration such as "13s" or "0.5s")."""
    for detail in details:
        if detail.get("@type") == _RETRY_INFO:
            delay = detail.get("retryDelay")
            if isinstance(delay, str) and delay.endswith("s"):
                return parse_retry_after(delay[:-1])
    return None
