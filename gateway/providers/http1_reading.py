"""What an HTTP/1.1 connection of `http1` does with the answer it parses: keep it whole, or hand it on streaming.

A `WholeAnswer` collects the body and resolves its future at the end (the non-streaming call). A `StreamedAnswer`
resolves its future at the head and queues the body's pieces for `StreamedBody`, which the caller iterates. The
queue is bounded: past `HIGH_WATER` bytes not yet taken, the connection stops reading from the socket until the
caller has taken them, so a slow client cannot make the gateway buffer a whole upstream answer.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

HIGH_WATER = 256 * 1024  # queued bytes at which reading pauses
LOW_WATER = 64 * 1024  # ... and resumes


@dataclass(slots=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class Flow(Protocol):
    """The connection's side of a streamed answer."""

    def pause(self) -> None: ...

    def resume(self) -> None: ...


class WholeAnswer:
    """Read to the end; the future gets the status, headers and body together."""

    __slots__ = ("body", "framed", "future", "headers", "status")

    def __init__(self, future: asyncio.Future[Answer]) -> None:
        self.future = future
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.framed = False  # a length or chunking ends the answer; else the connection's close does

    def interim(self) -> None:
        """A 1xx answer ended: the real one follows on the same connection."""
        self.status, self.headers, self.body, self.framed = 0, [], [], False

    def head(self) -> None:
        return None

    def part(self, data: bytes) -> None:
        self.body.append(data)

    def end(self) -> None:
        if not self.future.done():
            self.future.set_result(Answer(self.status, self.headers, b"".join(self.body)))

    def fail(self, exc: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(exc)


class StreamedAnswer(WholeAnswer):
    """The future gets the head (with an empty body); the body's pieces queue up for `StreamedBody`."""

    __slots__ = ("_flow", "_paused", "_waiter", "error", "finished", "pieces", "queued")

    def __init__(self, future: asyncio.Future[Answer], flow: Flow) -> None:
        super().__init__(future)
        self._flow = flow
        self.pieces: collections.deque[bytes] = collections.deque()
        self.queued = 0
        self.finished = False
        self.error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    def head(self) -> None:
        if not self.future.done():
            self.future.set_result(Answer(self.status, self.headers, b""))

    def part(self, data: bytes) -> None:
        self.pieces.append(data)
        self.queued += len(data)
        if self.queued > HIGH_WATER and not self._paused:
            self._paused = True
            self._flow.pause()
        self._wake()

    def end(self) -> None:
        self.head()  # an answer framed by the connection's close may end before anything asked for its head
        self.finished = True
        self._wake()

    def fail(self, exc: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(exc)
        elif not self.finished:
            self.error = exc
            self._wake()

    def take(self) -> bytes:
        piece = self.pieces.popleft()
        self.queued -= len(piece)
        if self._paused and self.queued < LOW_WATER:
            self._paused = False
            self._flow.resume()
        return piece

    async def wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class StreamedBody(httpx.AsyncByteStream):
    """The body of a streamed answer, as httpx's response stream: iterate it once, then `close()` or `aclose()`
    (also when leaving early).

    `close` hands the connection back through `release(reusable)`: reusable only when the whole answer was read
    off the socket; one left mid-answer is dropped, since its rest would be read by the next request.
    """

    def __init__(self, answer: StreamedAnswer, release: Callable[[bool], None]) -> None:
        self._answer = answer
        self._release: Callable[[bool], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        answer = self._answer
        while True:
            if answer.pieces:
                yield answer.take()
            elif answer.error is not None:
                raise answer.error
            elif answer.finished:
                return
            else:
                await answer.wait()

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release(self._answer.finished and self._answer.error is None)

    async def aclose(self) -> None:
        self.close()

    def __del__(self) -> None:
        # A body dropped without `close` (a bug upstream of here) must not keep its connection slot forever.
        if self._release is not None:
            self._release(False)
