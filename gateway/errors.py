"""One exception tree for every failure a client can see, rendered by one function.

    GatewayError                      500 api_error
    ├── InvalidRequestError           400 invalid_request_error (with `param`)
    │   └── BodyTimeoutError          408 request_timeout: the body did not arrive in time
    ├── AuthenticationError           401 missing / unknown / revoked key
    ├── PermissionDeniedError         403 model or route not allowed for this tenant
    ├── NotFoundError                 404
    │   └── ModelNotFoundError        404 model_not_found
    ├── PayloadTooLargeError          413
    ├── RateLimitError                429 rate_limit_exceeded
    │   └── BudgetExceededError       429 monthly_token_budget_exceeded (x-should-retry: false)
    ├── ServiceUnavailableError       503 a gateway dependency is down and the policy fails closed
    └── UpstreamError                 502 a provider failed; `retryable` drives failover
        ├── UpstreamBadRequestError   400 the provider refused the request as invalid (not retryable)
        ├── UpstreamAuthError         502 the provider refused the gateway's credentials
        ├── UpstreamRateLimitError    429 the provider throttled us (retryable, keeps retry-after)
        ├── UpstreamUnavailableError  503 overloaded / unavailable (Anthropic 529, HTTP 503)
        ├── UpstreamTimeoutError      504
        └── UpstreamProtocolError     502 malformed or cut-off response

Messages are built safe: never a key, a secret, PII or a raw upstream body.
"""

from __future__ import annotations

import msgspec


class GatewayError(Exception):
    status: int = 500
    type: str = "api_error"
    code: str | None = "internal_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code

    def headers(self) -> dict[str, str]:
        return {}

    def body(self) -> dict[str, dict[str, str | None]]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


class InvalidRequestError(GatewayError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"


class BodyTimeoutError(InvalidRequestError):
    """The client did not finish sending its body in time (408)."""

    status = 408
    code = "request_timeout"


class AuthenticationError(GatewayError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class PermissionDeniedError(GatewayError):
    status = 403
    type = "permission_error"
    code = "permission_denied"


class NotFoundError(GatewayError):
    status = 404
    type = "invalid_request_error"
    code = "not_found"


class ModelNotFoundError(NotFoundError):
    code = "model_not_found"


class PayloadTooLargeError(GatewayError):
    status = 413
    type = "invalid_request_error"
    code = "request_too_large"


class RateLimitError(GatewayError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        code: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.extra_headers = extra_headers or {}

    def headers(self) -> dict[str, str]:
        headers = dict(self.extra_headers)
        if self.retry_after:
            headers["retry-after"] = str(max(1, round(self.retry_after)))
        return headers


class BudgetExceededError(RateLimitError):
    code = "monthly_token_budget_exceeded"

    def headers(self) -> dict[str, str]:
        # Final for the month: the official SDKs honour this header and do not retry.
        return {**self.extra_headers, "x-should-retry": "false"}


class ServiceUnavailableError(GatewayError):
    """The gateway itself cannot decide safely right now (e.g. its limit store is down and fails closed)."""

    status = 503
    type = "api_error"
    code = "service_unavailable"


class UpstreamError(GatewayError):
    status = 502
    type = "upstream_error"
    code = "upstream_error"
    retryable = True

    def __init__(self, message: str, *, provider: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.retry_after = retry_after


class UpstreamBadRequestError(UpstreamError):
    status = 400
    type = "invalid_request_error"
    code = "upstream_rejected_request"
    retryable = False


class UpstreamAuthError(UpstreamError):
    code = "upstream_auth_failed"


class UpstreamRateLimitError(UpstreamError):
    status = 429
    type = "rate_limit_error"
    code = "upstream_rate_limited"

    def headers(self) -> dict[str, str]:
        return {"retry-after": str(max(1, round(self.retry_after)))} if self.retry_after else {}


class UpstreamUnavailableError(UpstreamError):
    status = 503
    code = "upstream_unavailable"


class UpstreamTimeoutError(UpstreamError):
    status = 504
    code = "upstream_timeout"


class UpstreamProtocolError(UpstreamError):
    code = "upstream_protocol_error"


_ENCODER = msgspec.json.Encoder()


def error_json(error: GatewayError) -> bytes:
    """The OpenAI-style JSON body for `error`."""
    return _ENCODER.encode(error.body())


def upstream_error_for_status(
    status: int, *, provider: str, detail: str, retry_after: float | None = None
) -> UpstreamError:
    """Map an upstream HTTP status to the gateway's error class. `detail` must already be safe to show
    (an error type or code from the provider, never its raw body)."""
    message = f"{provider} returned HTTP {status}" + (f" ({detail})" if detail else "")
    if status == 429:
        return UpstreamRateLimitError(message, provider=provider, retry_after=retry_after)
    if status in (401, 403):
        return UpstreamAuthError(message, provider=provider)
    if status in (400, 404, 409, 413, 422):
        return UpstreamBadRequestError(message, provider=provider)
    if status in (503, 529):
        return UpstreamUnavailableError(message, provider=provider, retry_after=retry_after)
    if status in (408, 504):
        return UpstreamTimeoutError(message, provider=provider)
    return UpstreamError(message, provider=provider)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form); None when absent or unparseable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
