"""A fast mock OpenAI upstream for overhead benchmarks: as little CPU per request as possible.

`gateway/mock/openai.py` speaks the full wire format with faults and scripts, but it is a FastAPI app and would
take a large share of the CPU the gateway is measured on. This server is a raw asyncio Protocol (uvloop when
installed) that answers every `POST .../chat/completions` with a pre-encoded response:

- a fixed `chat.completion` JSON with usage, or
- when the body contains `"stream": true`, a short SSE stream (role, four text deltas, finish, usage chunk,
  `data: [DONE]`) sent with chunked transfer encoding.

HTTP/1.1 keep-alive and pipelining are handled: requests are framed by `Content-Length`. Chunked request
bodies are not supported (neither wrk nor httpx sends them for these requests): they get 501 and a close.

Usage: `python bench/fast_upstream.py [--host 127.0.0.1] [--port 0]`; prints `listening <port>` when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from typing import Any, cast

MODEL = "gpt-4o-mini-2024-07-18"
ANSWER = "Gerne! Die Rechnung wurde storniert und eine Gutschrift über 42,00 EUR ist unterwegs."
USAGE = {"prompt_tokens": 312, "completion_tokens": 24, "total_tokens": 336}
STREAM_RE = re.compile(rb'"stream"\s*:\s*true')
MAX_HEAD = 64 * 1024


def _completion() -> bytes:
    body: dict[str, Any] = {
        "id": "chatcmpl-bench0000000000000000",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ANSWER, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": USAGE,
        "system_fingerprint": "fp_bench",
    }
    return json.dumps(body, ensure_ascii=False).encode()


def _chunk(delta: dict[str, Any], finish: str | None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "chatcmpl-bench0000000000000000",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": MODEL,
        "system_fingerprint": "fp_bench",
    }
    if usage is not None:
        return {**base, "choices": [], "usage": usage}
    return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def _stream_events() -> list[bytes]:
    words = ANSWER.split(" ")
    quarter = max(1, len(words) // 4)
    pieces = [" ".join(words[i : i + quarter]) + " " for i in range(0, len(words), quarter)]
    chunks = [_chunk({"role": "assistant", "content": ""}, None)]
    chunks += [_chunk({"content": piece}, None) for piece in pieces]
    chunks += [_chunk({}, "stop"), _chunk({}, None, USAGE)]
    events = [b"data: " + json.dumps(c, ensure_ascii=False).encode() + b"\n\n" for c in chunks]
    return events + [b"data: [DONE]\n\n"]


def _http_chunked(parts: list[bytes]) -> bytes:
    """Encode parts as HTTP/1.1 chunks, one chunk per SSE event, then the terminating zero chunk."""
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _response(status: str, content_type: bytes, body: bytes) -> bytes:
    head = b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (
        status.encode(),
        content_type,
        len(body),
    )
    return head + body


COMPLETION = _response("200 OK", b"application/json", _completion())
STREAM = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n" + _http_chunked(_stream_events())
)
HEALTH = _response("200 OK", b"application/json", b'{"status":"ok"}')
NOT_FOUND = _response(
    "404 Not Found", b"application/json", b'{"error":{"message":"not found","type":"invalid_request_error"}}'
)
# A request whose body contains this marker (in its prompt, which every proxy forwards as it is) is answered
# after --paced-ms, like a model that needs that long for its first token; every other request at once.
PACED = b"[[paced]]"
NOT_IMPLEMENTED = _response("501 Not Implemented", b"text/plain", b"chunked request bodies are not supported")


def _content_length(head: bytes) -> int:
    """The Content-Length of a request head (lower-cased), 0 when absent."""
    start = head.find(b"\r\ncontent-length:")
    if start < 0:
        return 0
    start += len(b"\r\ncontent-length:")
    end = head.find(b"\r\n", start)
    return int(head[start : end if end >= 0 else len(head)].strip())


def answer(request_line: bytes, body: bytes) -> bytes:
    """The pre-encoded response for one request."""
    method, _, rest = request_line.partition(b" ")
    path = rest.partition(b" ")[0].partition(b"?")[0]
    if method == b"POST" and path.endswith(b"/chat/completions"):
        return STREAM if STREAM_RE.search(body) else COMPLETION
    if method == b"GET" and path == b"/health":
        return HEALTH
    return NOT_FOUND


class UpstreamProtocol(asyncio.Protocol):
    """One connection: frames pipelined requests by Content-Length and writes one answer per request."""

    paced_delay = (
        0.0  # seconds before answering a request marked PACED (--paced-ms): a model's time to first token
    )

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's transports don't subclass it

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None and self._serve_one():
            pass

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def _serve_one(self) -> bool:
        """Answer the first complete request in the buffer; False when more bytes are needed."""
        assert self._transport is not None
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD:
                self._transport.close()
            return False
        head = bytes(self._buffer[:end]).lower()
        if b"\r\ntransfer-encoding:" in head:
            self._transport.write(NOT_IMPLEMENTED)
            self._transport.close()
            return False
        total = end + 4 + _content_length(head)
        if len(self._buffer) < total:
            return False
        body = bytes(self._buffer[end + 4 : total])
        request_line = bytes(self._buffer[: self._buffer.find(b"\r\n")])
        del self._buffer[:total]
        close = b"\r\nconnection: close" in head
        if self.paced_delay > 0 and PACED in body:  # one delay for all, so pipelined answers keep their order
            loop = asyncio.get_running_loop()
            loop.call_later(self.paced_delay, self._write_later, answer(request_line, body), close)
            return not close
        self._transport.write(answer(request_line, body))
        if close:
            self._transport.close()
            return False
        return True

    def _write_later(self, data: bytes, close: bool) -> None:
        if self._transport is not None:
            self._transport.write(data)
            if close:
                self._transport.close()


async def serve(host: str, port: int) -> None:
    """Listen until cancelled; print the bound port so a parent process can connect."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(UpstreamProtocol, host, port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening {bound}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--paced-ms",
        type=float,
        default=300,
        help=f"wait this long before answering a body containing {PACED!r}",
    )
    args = parser.parse_args()
    UpstreamProtocol.paced_delay = args.paced_ms / 1000
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        print("uvloop not installed: using the default asyncio loop", file=sys.stderr)
    try:
        asyncio.run(serve(args.host, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
