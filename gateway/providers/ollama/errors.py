"""Ollama error JSON -> the gateway's upstream errors.

Ollama answers every failure with `{"error": "<free text>"}` and the HTTP status, and a failure after a
stream has started arrives as one more NDJSON line `{"error": "..."}` (the status stays 200). The text has
no code and can quote the request (a model name, a tool argument), so it is never carried on: a few
well-known phrases are recognised and turned into a fixed code, anything else gets a code named after the
status.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from gateway.errors import UpstreamError, parse_retry_after, upstream_error_for_status

PROVIDER = "ollama"

# (phrase in Ollama's error text, the fixed safe code shown instead). First match wins; order is most specific
# first. The phrases come from Ollama's server error messages (model lookup, queue limit, auth, bad input).
_KNOWN_PHRASES: tuple[tuple[str, str], ...] = (
    ("not found", "model_not_found"),
    ("server busy", "server_busy"),
    ("maximum pending requests", "server_busy"),
    ("unauthorized", "unauthorized"),
    ("rate limit", "rate_limited"),
    ("too many requests", "rate_limited"),
    ("is required", "missing_parameter"),
    ("does not support tools", "tools_not_supported"),
    ("invalid", "invalid_request"),
    ("context canceled", "cancelled"),
)


def error_code(payload: Any, status: int | None = None) -> str:
    """A safe code for an Ollama error payload: a fixed code for a known phrase, else one from the status.

    Args:
        payload: the decoded error JSON (any shape; non-dicts are tolerated).
        status: the HTTP status, when there is one (a mid-stream error has none).
    """
    text = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(text, str):
        lowered = text.lower()
        for phrase, code in _KNOWN_PHRASES:
            if phrase in lowered:
                return code
    return f"http_{status}" if status else "ollama_error"


def map_error(response: httpx.Response, provider: str = PROVIDER) -> UpstreamError:
    """The gateway error for a non-2xx Ollama response (its body must already be read).

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
        detail=error_code(payload, response.status_code),
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def map_stream_error(payload: Any, provider: str = PROVIDER) -> UpstreamError:
    """The gateway error for an NDJSON `{"error": ...}` line: the model failed after the stream began.

    No status comes with it, so it is the plain (retryable) `UpstreamError`, with the safe code as detail.
    """
    return UpstreamError(f"{provider} failed mid-stream ({error_code(payload)})", provider=provider)
