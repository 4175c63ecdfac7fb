"""One renderer for every error a client can see, including FastAPI's own validation and routing errors."""

from __future__ import annotations

import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from gateway.errors import GatewayError, InvalidRequestError, NotFoundError, error_json

log = logging.getLogger("gateway.errors")


def request_id(request: Request) -> str:
    """The client's `x-request-id` when it sent a sane one, else a new id; the same for the whole request."""
    rid: str | None = getattr(request.state, "request_id", None)
    if rid is None:
        sent = request.headers.get("x-request-id", "")
        rid = sent if 0 < len(sent) <= 128 and sent.isprintable() else "req_" + secrets.token_hex(12)
        request.state.request_id = rid
    return rid


def error_response(request: Request, error: GatewayError) -> Response:
    headers = {"x-request-id": request_id(request), **error.headers()}
    return Response(error_json(error), status_code=error.status, media_type="application/json", headers=headers)


class _StatusError(GatewayError):
    """Wraps a routing-level HTTP status (405 and the like) in the common shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, code=None)
        self.status = status
        self.type = "invalid_request_error"


def install_error_handlers(app: FastAPI) -> None:
    async def on_gateway_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, GatewayError)  # nosec B101 # type narrowing: registered for this class only
        return error_response(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # nosec B101 # type narrowing, as above
        first = exc.errors()[0] if exc.errors() else {}
        param = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return error_response(request, InvalidRequestError(f"Invalid request: {first.get('msg', '')}", param=param))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # nosec B101 # type narrowing, as above
        if exc.status_code == 404:
            return error_response(request, NotFoundError(f"Unknown route {request.method} {request.url.path}."))
        return error_response(request, _StatusError(exc.status_code, str(exc.detail)))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"request_id": request_id(request)})
        return error_response(request, GatewayError("The gateway hit an internal error. It has been logged."))

    app.add_exception_handler(GatewayError, on_gateway_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
