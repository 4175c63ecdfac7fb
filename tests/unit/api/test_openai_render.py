import json

from gateway.api.openai_render import ChunkRenderer, render_response
from gateway.errors import UpstreamTimeoutError
from gateway.types import ChatResponse, FinishEvent, TextDelta, ToolCall, ToolCallDelta, Usage, UsageEvent


def _data(chunk: bytes) -> dict:  # type: ignore[type-arg]
    assert chunk.startswith(b"data: ") and chunk.endswith(b"\n\n")
    return json.loads(chunk[6:].split(b"\n\n")[0])


def test_render_response_has_openai_shape() -> None:
    body = json.loads(
        render_response(
            ChatResponse(
                id="x",
                model="m",
                content=None,
                tool_calls=[ToolCall(id="c", name="f", arguments='{"a":1}')],
                finish_reason="tool_calls",
                usage=Usage(prompt_tokens=3, completion_tokens=4),
                created=5,
            )
        )
    )
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["tool_calls"][0]["function"] == {"name": "f", "arguments": '{"a":1}'}
    assert body["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}


def test_chunks_carry_deltas_and_usage_at_the_end() -> None:
    renderer = ChunkRenderer("id", "m", 1, include_usage=True)
    assert _data(renderer.start())["choices"][0]["delta"]["role"] == "assistant"
    assert _data(renderer.event(TextDelta(text="hi")) or b"")["choices"][0]["delta"] == {"content": "hi"}
    tool = _data(renderer.event(ToolCallDelta(index=0, id="c", name="f", arguments="{")) or b"")
    assert tool["choices"][0]["delta"]["tool_calls"][0] == {
        "index": 0,
        "id": "c",
        "type": "function",
        "function": {"name": "f", "arguments": "{"},
    }
    assert renderer.event(UsageEvent(prompt_tokens=2, completion_tokens=9)) is None
    assert _data(renderer.event(FinishEvent(reason="stop")) or b"")["choices"][0]["finish_reason"] == "stop"
    end = renderer.end()
    assert end.endswith(b"data: [DONE]\n\n")
    assert _data(end)["usage"]["total_tokens"] == 11


def test_end_without_usage_is_only_done() -> None:
    assert ChunkRenderer("id", "m", 1, include_usage=False).end() == b"data: [DONE]\n\n"


def test_in_band_error_is_an_error_object_then_done() -> None:
    chunk = ChunkRenderer.error(UpstreamTimeoutError("slow", provider="p"))
    assert _data(chunk)["error"]["code"] == "upstream_timeout"
    assert chunk.endswith(b"data: [DONE]\n\n")
