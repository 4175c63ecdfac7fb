"""Through uvicorn on loopback: a streamed chunk reaches the client before the upstream has sent the next one,
so the gateway holds nothing back to gather a batch."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from gateway.mock.server import MockServer
from tests.hardening.support import CHAT, bearer, hardening_settings, make_tenant_sync, served


class GatedUpstream:
    """Sends its first word, then waits until the test has seen it arrive at the client before the second."""

    def __init__(self) -> None:
        self.client_has_first = threading.Event()
        self.released_in_time: bool | None = None

    def app(self) -> Starlette:
        async def chat(request: Request) -> Response:
            await request.body()
            return StreamingResponse(self._events(), media_type="text/event-stream")

        return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])

    async def _events(self) -> AsyncIterator[bytes]:
        yield _chunk({"role": "assistant", "content": "first "})
        self.released_in_time = await asyncio.to_thread(self.client_has_first.wait, 10)
        yield _chunk({"content": "second"})
        yield _chunk({}, finish="stop")
        yield b"data: [DONE]\n\n"


def _chunk(delta: dict[str, str], finish: str | None = None) -> bytes:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [choice]}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatedUpstream]:
    upstream = GatedUpstream()
    with MockServer(upstream.app()) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-gated-upstream")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        yield upstream


def test_a_chunk_reaches_the_client_before_the_upstream_sends_the_next(
    gated: GatedUpstream, tmp_path: Path
) -> None:
    with served(hardening_settings(tmp_path, demo=False)) as server:
        key = make_tenant_sync(server.url, "gated").key
        lines = []
        with httpx.stream(
            "POST", server.url + "/v1/chat/completions", json={**CHAT, "stream": True}, headers=bearer(key)
        ) as response:
            for line in response.iter_lines():
                lines.append(line)
                if "first" in line:
                    gated.client_has_first.set()
    assert gated.released_in_time is True
    text = "".join(lines)
    assert text.index("first") < text.index("second") < text.index("[DONE]")
