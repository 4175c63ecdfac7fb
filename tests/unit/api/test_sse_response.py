"""The lean SSE response: chunks in order and never held back, ready chunks together, and a client that leaves
(while the next chunk is awaited, or while one is being sent) ends it with the chunk iterator closed."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest
from starlette.types import Message as ASGIMessage
from starlette.types import Send

from gateway.api.chat import _sse
from gateway.api.sse_response import MAX_BATCH_BYTES, SSEResponse
from gateway.errors import UpstreamUnavailableError
from gateway.pipeline import StreamHandle
from gateway.streaming import SettledEvents
from gateway.types import ChatRequest, FinishEvent, Message, StreamEvent, TextDelta

SCOPE = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "method": "POST"}


class Client:
    """The ASGI server side: records what was sent; `leave()` makes `receive` report a disconnect. With
    `release_on`, `released` is set once a body message equal to it has been sent."""

    def __init__(self, release_on: bytes | None = None) -> None:
        self.messages: list[ASGIMessage] = []
        self.released = asyncio.Event()
        self._release_on = release_on
        self._gone = asyncio.Event()

    def leave(self) -> None:
        self._gone.set()

    async def receive(self) -> ASGIMessage:
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: ASGIMessage) -> None:
        self.messages.append(message)
        if self._release_on is not None and message.get("body") == self._release_on:
            self.released.set()

    @property
    def bodies(self) -> list[bytes]:
        return [m["body"] for m in self.messages if m["type"] == "http.response.body"]


async def serve(chunks: AsyncGenerator[bytes, None], client: Client, send: Send | None = None) -> None:
    """Run the response to its end; one that hangs (a chunk held back, a disconnect missed) fails the test."""
    response = SSEResponse(chunks, {"x-request-id": "r1"})
    task = asyncio.ensure_future(response(SCOPE, client.receive, send or client.send))
    done, _ = await asyncio.wait({task}, timeout=10)
    if not done:
        task.cancel()
        pytest.fail("the response did not finish")
    task.result()


async def test_starts_with_the_event_stream_headers() -> None:
    async def chunks() -> AsyncGenerator[bytes, None]:
        yield b"a"

    client = Client()
    await serve(chunks(), client)
    start = client.messages[0]
    assert start["type"] == "http.response.start" and start["status"] == 200
    assert (b"content-type", b"text/event-stream; charset=utf-8") in start["headers"]
    assert (b"x-request-id", b"r1") in start["headers"]


async def test_a_chunk_is_sent_before_the_next_one_exists() -> None:
    client = Client(release_on=b"b")

    async def chunks() -> AsyncGenerator[bytes, None]:
        yield b"a"
        yield b"b"
        await client.released.wait()  # "c" exists only once the client has "b": holding "b" back would hang
        yield b"c"

    await serve(chunks(), client)
    assert client.bodies == [b"a", b"b", b"c"]


async def test_chunks_that_are_ready_together_go_out_together() -> None:
    client = Client(release_on=b"bcd")

    async def chunks() -> AsyncGenerator[bytes, None]:
        for piece in (b"a", b"b", b"c", b"d"):
            yield piece
        await client.released.wait()
        yield b"e"
        yield b"f"

    await serve(chunks(), client)
    assert client.bodies == [b"a", b"bcd", b"ef"]
    assert client.messages[-1]["more_body"] is False
    assert all(m["more_body"] for m in client.messages[1:-1])


async def test_a_long_burst_is_split_at_the_batch_limit() -> None:
    piece = b"x" * 1024

    async def chunks() -> AsyncGenerator[bytes, None]:
        for _ in range(40):
            yield piece

    client = Client()
    await serve(chunks(), client)
    assert b"".join(client.bodies) == piece * 40
    assert max(len(body) for body in client.bodies) <= MAX_BATCH_BYTES


async def test_disconnect_while_waiting_closes_the_chunks_after_their_cleanup() -> None:
    client = Client()
    settled: list[str] = []

    async def send(message: ASGIMessage) -> None:
        await client.send(message)
        if message.get("body") == b"a":
            client.leave()

    async def chunks() -> AsyncGenerator[bytes, None]:
        try:
            yield b"a"
            await asyncio.Event().wait()  # an upstream that never sends the next event
            yield b"never"
        finally:
            await asyncio.sleep(0)  # the pipeline's settle awaits the audit commit
            settled.append("client_disconnected")

    await serve(chunks(), client, send)
    assert settled == ["client_disconnected"]
    assert client.bodies == [b"a"]
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0


async def test_disconnect_while_sending_cancels_the_chunk_in_production() -> None:
    client = Client()
    settled: list[str] = []

    async def send(message: ASGIMessage) -> None:
        await client.send(message)
        if message.get("body") == b"b":  # a slow client: the write waits for room, and the client leaves
            client.leave()
            await asyncio.Event().wait()

    async def chunks() -> AsyncGenerator[bytes, None]:
        try:
            yield b"a"
            yield b"b"
            await asyncio.Event().wait()
            yield b"never"
        finally:
            await asyncio.sleep(0)
            settled.append("client_disconnected")

    await serve(chunks(), client, send)
    assert settled == ["client_disconnected"]


async def test_a_send_that_raises_oserror_ends_the_response_and_closes_the_chunks() -> None:
    closed: list[bool] = []

    async def send(message: ASGIMessage) -> None:
        if message["type"] == "http.response.body":
            raise OSError("client gone")  # ASGI 2.4 servers

    async def chunks() -> AsyncGenerator[bytes, None]:
        try:
            yield b"a"
            yield b"b"
        finally:
            closed.append(True)

    await serve(chunks(), Client(), send)
    assert closed == [True]


async def test_an_oserror_while_producing_a_chunk_is_not_taken_for_a_disconnect() -> None:
    async def chunks() -> AsyncGenerator[bytes, None]:
        yield b"a"
        raise OSError("not the client's socket")

    with pytest.raises(OSError):
        await serve(chunks(), Client())


async def test_cancellation_from_outside_propagates_and_closes_the_chunks() -> None:
    closed: list[bool] = []
    waiting = asyncio.Event()

    async def chunks() -> AsyncGenerator[bytes, None]:
        try:
            yield b"a"
            waiting.set()
            await asyncio.Event().wait()
            yield b"never"
        finally:
            closed.append(True)

    client = Client()
    task = asyncio.ensure_future(SSEResponse(chunks(), {})(SCOPE, client.receive, client.send))
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed == [True]


async def test_an_error_mid_stream_travels_in_band() -> None:
    async def events() -> AsyncGenerator[StreamEvent, None]:
        yield TextDelta(text="Hallo")
        raise UpstreamUnavailableError("The provider failed mid-stream.", provider="openai")
        yield FinishEvent(reason="stop")  # pragma: no cover - never reached

    client = Client()
    await serve(_sse(_handle(events())), client)
    body = b"".join(client.bodies)
    assert body.index(b"Hallo") < body.index(b'"error"') < body.index(b"data: [DONE]")
    assert body.endswith(b"data: [DONE]\n\n")


async def test_a_client_gone_at_the_first_chunk_still_ends_the_pipeline_events() -> None:
    """The role chunk goes out before the first event is taken: the pipeline's events, closed unstarted, settle."""
    settled: list[str] = []

    async def end(outcome: str) -> None:
        settled.append(outcome)

    async def run() -> AsyncGenerator[StreamEvent, None]:
        try:
            yield TextDelta(text="Hallo")
            yield FinishEvent(reason="stop")
        finally:
            await end("client_disconnected")

    async def send(message: ASGIMessage) -> None:
        if message["type"] == "http.response.body":
            raise OSError("client gone")

    await serve(_sse(_handle(SettledEvents(run(), end))), Client(), send)
    assert settled == ["client_disconnected"]


async def test_the_role_chunk_is_the_first_byte_before_the_first_event_is_taken() -> None:
    taken: list[str] = []

    async def events() -> AsyncGenerator[StreamEvent, None]:
        taken.append("first")
        yield TextDelta(text="Hallo")

    chunks = _sse(_handle(events()))
    first = await anext(chunks)
    assert b'"role":"assistant"' in first and taken == []
    await chunks.aclose()


def _handle(events: AsyncIterator[StreamEvent]) -> StreamHandle:
    request = ChatRequest(model="gpt-4o-mini", messages=[Message(role="user", content="Hi")], stream=True)
    return StreamHandle(request, "chatcmpl-1", 1, _candidate(), events, {})


def _candidate() -> Any:
    class Model:
        name = "gpt-4o-mini"

    class Candidate:
        model = Model()

    return Candidate()


async def test_a_finished_response_leaves_nothing_for_the_cyclic_collector() -> None:
    # The stopped disconnect listener keeps its frame in its CancelledError's traceback; if anything in that frame
    # reached back to the listener, every stream would leave a reference cycle behind (ADR 0020).
    async def chunks() -> AsyncGenerator[bytes, None]:
        yield b"data: 1\n\n"
        yield b"data: [DONE]\n\n"

    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            await serve(chunks(), Client())
        await asyncio.sleep(0)  # the cancelled listeners finish on the next turn
        freed = gc.collect()
    finally:
        gc.enable()
    assert freed == 0
