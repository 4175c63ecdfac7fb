"""`body_lines` splits a streamed body into exactly the lines httpx's `aiter_lines` gives, however the upstream's
bytes are cut into reads, and takes httpx's own path for an encoded body or another charset."""

from __future__ import annotations

import asyncio
import gzip
import itertools
from collections.abc import AsyncIterator

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.providers.base import body_lines, iter_sse
from gateway.providers.http1_reading import StreamedAnswer, StreamedBody


class _Reads(httpx.AsyncByteStream):
    def __init__(self, reads: list[bytes]) -> None:
        self._reads = reads

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for read in self._reads:
            yield read


def _response(reads: list[bytes], headers: list[tuple[str, str]] | None = None) -> httpx.Response:
    return httpx.Response(200, headers=headers or [("content-type", "text/event-stream")], stream=_Reads(reads))


async def _ours(reads: list[bytes], headers: list[tuple[str, str]] | None = None) -> list[str]:
    return [line async for line in body_lines(_response(reads, headers))]


async def _httpx(reads: list[bytes], headers: list[tuple[str, str]] | None = None) -> list[str]:
    return [line async for line in _response(reads, headers).aiter_lines()]


class _NoFlow:
    def pause(self) -> None:
        raise AssertionError("a test body never fills the queue")

    def resume(self) -> None:
        raise AssertionError("a test body never fills the queue")


def _streamed(reads: list[bytes], released: list[bool]) -> httpx.Response:
    """A response whose body is the gateway's own HTTP/1.1 client's, every read already queued."""
    answer = StreamedAnswer(asyncio.get_running_loop().create_future(), _NoFlow())
    answer.head()
    for read in reads:
        answer.part(read)
    answer.end()
    stream = StreamedBody(answer, released.append)
    return httpx.Response(200, headers=[("content-type", "text/event-stream; charset=utf-8")], stream=stream)


def _cut(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(body) + 1) for c in cuts} | {0, len(body)})
    return [body[a:b] for a, b in itertools.pairwise(points)]


_pieces = st.sampled_from(["data: ", "event: x", "\n", "\r", "\r\n", "ä€😀", "{}", ":", " ", "abc"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=40), st.lists(st.integers(min_value=0), max_size=8))
async def test_lines_match_httpx_for_any_cut_of_the_reads(pieces: list[str], cuts: list[int]) -> None:
    reads = _cut("".join(pieces).encode(), cuts)
    assert await _ours(reads) == await _httpx(reads)


@settings(max_examples=200, deadline=None)
@given(st.lists(_pieces, max_size=40), st.lists(st.integers(min_value=0), max_size=8))
async def test_the_own_clients_body_gives_the_same_lines_for_any_cut(pieces: list[str], cuts: list[int]) -> None:
    reads = _cut("".join(pieces).encode(), cuts)
    assert [line async for line in body_lines(_streamed(reads, []))] == await _httpx(reads)


async def test_the_own_clients_body_is_read_past_aiter_raw_and_closed_at_its_end() -> None:
    released: list[bool] = []
    response = _streamed([b"data: 1\n", b"\ndata: 2\n\n"], released)

    def refuse(chunk_size: int | None = None) -> AsyncIterator[bytes]:
        raise AssertionError("took httpx's aiter_raw")

    response.aiter_raw = refuse  # type: ignore[method-assign]
    lines = body_lines(response)
    assert await anext(lines) == "data: 1"
    assert response.is_stream_consumed and not response.is_closed and released == []
    assert [line async for line in lines] == ["", "data: 2", ""]
    assert response.is_closed and released == [True]  # read to its end: the connection goes back to the pool


async def test_a_crlf_split_between_two_reads_ends_one_line() -> None:
    assert await _ours([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]) == ["data: a", "data: b", ""]


async def test_a_multibyte_character_split_between_two_reads_is_decoded_whole() -> None:
    euro = "€".encode()
    assert await _ours([b"data: 1" + euro[:1], euro[1:] + b"\n"]) == ["data: 1€"]


async def test_an_encoded_body_is_decoded_by_httpx_first() -> None:
    body = gzip.compress(b"data: 1\n\ndata: 2\n\n")
    headers = [("content-type", "text/event-stream"), ("content-encoding", "gzip")]
    assert await _ours([body[:7], body[7:]], headers) == ["data: 1", "", "data: 2", ""]


async def test_another_charset_is_decoded_by_httpx() -> None:
    headers = [("content-type", "application/x-ndjson; charset=latin-1")]
    assert await _ours(["{\"a\": \"ä\"}\n".encode("latin-1")], headers) == ['{"a": "ä"}']


async def test_sse_messages_from_cut_reads() -> None:
    reads = [b"event: delta\r\nda", b"ta: one\r\ndata: two\r\n\r", b"\n: keep-alive\n\ndata: [DONE]"]
    messages = [(m.event, m.data) async for m in iter_sse(_response(reads))]
    assert messages == [("delta", "one\ntwo"), (None, "[DONE]")]


async def test_a_plain_body_is_split_from_its_raw_bytes() -> None:
    for content_type in ("text/event-stream", "application/x-ndjson; charset=UTF-8"):
        response = _response([b"data: 1\n"], [("content-type", content_type)])

        def refuse() -> AsyncIterator[str]:
            raise AssertionError("took httpx's decoders")

        response.aiter_lines = refuse  # type: ignore[method-assign]
        assert [line async for line in body_lines(response)] == ["data: 1"]
