"""The SSE answer of `POST /v1/chat/completions`: a lean pure-ASGI response.

Starlette's `StreamingResponse` runs a task group per response (a disconnect listener and the body sender, the
sender starting only on a later turn of the event loop) and sends one ASGI message per chunk through every
middleware. This response sends from the request's own task:

- `http.response.start`, then the first chunk on its own, at once;
- after that, chunks that are already there go out together: the next chunk is produced eagerly, and only when
  producing it would wait (for the upstream, or for the audit commit before `[DONE]`) is what has gathered sent,
  before the wait. A chunk is never held back for one that is not there yet; a burst of events from one upstream
  read becomes one write instead of one per event;
- a client that goes away is noticed while waiting: uvicorn's httptools server (ASGI spec 2.3) drops writes to a
  closed connection silently and reports the loss only through `receive()`, so one plain task listens there and
  cancels the sender (a spec 2.4 server raises `OSError` from `send` instead, which ends it the same way). The
  chunk iterator is then closed, so the pipeline settles the request as `client_disconnected` and closes the
  upstream stream in its `finally`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from gateway.eager import Pending, cancel, first_step, resume

# Ready chunks gathered into one message at most: bounds how long a ready chunk waits for the rendering of others.
MAX_BATCH_BYTES = 16 * 1024


class SSEResponse(Response):
    """`text/event-stream` from an async generator of ready-made SSE chunks, closed whatever happens."""

    media_type = "text/event-stream"

    def __init__(self, chunks: AsyncGenerator[bytes, None], headers: Mapping[str, str]) -> None:
        self.chunks = chunks
        self.status_code = 200
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        assert task is not None  # nosec B101 # type narrowing: ASGI apps run in a task
        watch = _DisconnectWatch(receive, task)
        send = _client_gone_on_oserror(send)
        try:
            await send(
                {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
            )
            last = await _pump(self.chunks, send)
            watch.stop()  # nothing left to abandon: a disconnect now must not cancel the final write
            await send({"type": "http.response.body", "body": last, "more_body": False})
        except asyncio.CancelledError:
            if not watch.gone or task.uncancel() > 0:
                raise  # (also) cancelled from outside, e.g. at shutdown: not ours to swallow
        except _ClientGoneError:
            pass  # nobody is left to tell
        finally:
            watch.stop()
            await self.chunks.aclose()  # settles an abandoned stream and closes its upstream


class _ClientGoneError(Exception):
    """`send` failed: an ASGI 2.4 server raises OSError once the client has disconnected."""


def _client_gone_on_oserror(send: Send) -> Send:
    # Only `send`'s OSError means the client left; one raised while producing a chunk is a failure to report.
    async def guarded(message: Message) -> None:
        try:
            await send(message)
        except OSError as exc:
            raise _ClientGoneError from exc

    return guarded


class _DisconnectWatch:
    """Cancels `task` when the client disconnects, until stopped.

    The listener's coroutine holds only a `_Watched`, never the watch or its own task: a cancelled listener keeps
    its frame in the CancelledError's traceback, and a frame that reached back to the task would make a reference
    cycle per stream (17 objects) that only the cyclic collector frees (ADR 0020).
    """

    def __init__(self, receive: Receive, task: asyncio.Task[Any]) -> None:
        self._watched = _Watched(task)
        self._listener = asyncio.ensure_future(_listen(receive, self._watched))

    @property
    def gone(self) -> bool:
        return self._watched.gone

    def stop(self) -> None:
        self._watched.active = False
        if not self._listener.done():
            self._listener.cancel()


class _Watched:
    __slots__ = ("active", "gone", "task")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.active = True
        self.gone = False
        self.task = task


async def _listen(receive: Receive, watched: _Watched) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    if watched.active:
        watched.gone = True
        watched.task.cancel()


async def _pump(chunks: AsyncGenerator[bytes, None], send: Send) -> bytes:
    """Send every chunk but those ready at the very end, which it returns for the closing message."""
    batch: list[bytes] = []
    size = 0
    started = False  # the first chunk goes out alone, at once: it is the client's first byte
    while True:
        try:
            step = first_step(chunks.__anext__().__await__())
            if isinstance(step, Pending):
                if batch:  # the next chunk is not there yet: what is gathered goes out before the wait
                    await _send_while_pending(send, b"".join(batch), step)
                    batch, size = [], 0
                chunk = await resume(step)
            else:
                chunk = step.value
        except StopAsyncIteration:
            return b"".join(batch)
        batch.append(chunk)
        size += len(chunk)
        if not started or size >= MAX_BATCH_BYTES:
            started = True
            await send({"type": "http.response.body", "body": b"".join(batch), "more_body": True})
            batch, size = [], 0


async def _send_while_pending(send: Send, body: bytes, step: Pending[bytes]) -> None:
    """Send `body` while the next chunk is still being produced; if the send fails (a disconnect), that
    production is cancelled and run to its end first, so the chunk iterator is never left running."""
    try:
        await send({"type": "http.response.body", "body": body, "more_body": True})
    except BaseException:
        await cancel(step)
        raise
