"""OpenAI error JSON -> the gateway's upstream errors.

OpenAI (and most compatible servers) answer failures with `{"error": {"message", "type", "param", "code"}}`.
Only `type` and `code` are used as the safe detail: `message` can quote the request (prompt text, a key
prefix), so it never leaves this module. Azure puts the status into `code` ("429"); vLLM puts it there as
an integer.
"""

from __future__ import annotations

import re

import httpx
import msgspec

from gateway.errors import UpstreamError, parse_retry_after, upstream_error_for_status

_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}

# In-stream errors have no HTTP status; their type/code says which class they belong to.
_STATUS_BY_KIND = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "invalid_api_key": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "model_not_found": 404,
    "rate_limit_error": 429,
    "rate_limit_exceeded": 429,
    "insufficient_quota": 429,
    "tokens": 429,
    "requests": 429,
    "server_error": 500,
    "service_unavailable_error": 503,
    "server_is_overloaded": 503,
    "overloaded_error": 503,
    "timeout": 504,
}


class WireError(msgspec.Struct):
    """The `error` object. `code` is a string at OpenAI, a status string at Azure, an int at vLLM."""

    type: str | None = None
    code: str | int | None = None
    param: str | None = None
    message: str | None = None  # never copied into a gateway error: it may echo user data


class _ErrorBody(msgspec.Struct):
    error: WireError | str | None = None


def _safe(value: str | int | None) -> str | None:
    """`value` when it is an identifier-like token (cannot carry user text), else None."""
    text = str(value) if value is not None else None
    return text if text and _SAFE_TOKEN.match(text) else None


def safe_detail(error: WireError | None) -> str:
    """`type/code` of the provider's error, keeping only identifier-like values."""
    if error is None:
        return ""
    parts = [p for p in (_safe(error.type), _safe(error.code)) if p]
    return "/".join(dict.fromkeys(parts))


def _parse_error(content: bytes) -> WireError | None:
    try:
        body = msgspec.json.decode(content, type=_ErrorBody)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return body.error if isinstance(body.error, WireError) else None


def parse_duration(value: str | None) -> float | None:
    """Seconds from OpenAI's x-ratelimit-reset-* format ("1s", "6m0s", "59.4ms", "1h2m3s")."""
    if not value:
        return None
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value.strip():
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def retry_after_of(headers: httpx.Headers) -> float | None:
    """How long to wait: retry-after-ms, retry-after, else the reset of the exhausted x-ratelimit window."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    seconds = parse_retry_after(headers.get("retry-after"))
    if seconds is not None:
        return seconds
    windows = ("requests", "tokens")
    exhausted = [w for w in windows if headers.get(f"x-ratelimit-remaining-{w}") == "0"] or list(windows)
    resets = [parse_duration(headers.get(f"x-ratelimit-reset-{w}")) for w in exhausted]
    known = [r for r in resets if r is not None]
    return max(known) if known else None


def map_error(response: httpx.Response, provider: str = "openai") -> UpstreamError:
    """The gateway error for a non-2xx `response` (its body must have been read)."""
    detail = safe_detail(_parse_error(response.content))
    retry_after = retry_after_of(response.headers) if response.status_code in (429, 503) else None
    return upstream_error_for_status(
        response.status_code, provider=provider, detail=detail, retry_after=retry_after
    )


def _status_of(error: WireError) -> int:
    for value in (error.code, error.type):
        text = str(value) if value is not None else ""
        if text.isdigit() and 400 <= int(text) <= 599:
            return int(text)
        if text in _STATUS_BY_KIND:
            return _STATUS_BY_KIND[text]
    return 500


def map_stream_error(error: WireError, provider: str = "openai") -> UpstreamError:
    """The gateway error for an `{"error": {...}}` object sent inside a 200 stream."""
    return upstream_error_for_status(_status_of(error), provider=provider, detail=safe_detail(error))
