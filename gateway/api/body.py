"""Read a request body without ever holding more than the configured limit in memory, or waiting forever.

uvicorn has no timeout for a request body that trickles in (its only timer is the keep-alive one between
requests), so a client sending a byte a minute would hold its connection and task open indefinitely: the read
is bounded here (docs/reliability.md, tests/hardening/test_slow_clients.py).
"""

from __future__ import annotations

import asyncio

from starlette.requests import ClientDisconnect, Request

from gateway.errors import BodyTimeoutError, InvalidRequestError, PayloadTooLargeError

DEFAULT_BODY_READ_TIMEOUT_SECONDS = 30.0


async def read_limited_body(
    request: Request, max_bytes: int, timeout: float = DEFAULT_BODY_READ_TIMEOUT_SECONDS
) -> bytes:
    """The whole body, at most `max_bytes` of it, received within `timeout` seconds.

    Raises:
        PayloadTooLargeError: declared or actual size above the limit (413), also for chunked bodies.
        BodyTimeoutError: the body did not arrive within `timeout` seconds (408).
        InvalidRequestError: a malformed Content-Length, or the client went away mid-body.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise InvalidRequestError("Invalid Content-Length header.")
        if int(declared) > max_bytes:
            raise _too_large(max_bytes)
    try:
        async with asyncio.timeout(timeout):
            return await _read(request, max_bytes)
    except TimeoutError:
        raise BodyTimeoutError(f"The request body was not received within {timeout:g} seconds.") from None
    except ClientDisconnect:
        # Nobody is left to read the answer; a GatewayError keeps it out of the "unhandled error" log.
        raise InvalidRequestError("The client closed the connection before sending the whole body.") from None


async def _read(request: Request, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"The request body exceeds the limit of {max_bytes} bytes.")
