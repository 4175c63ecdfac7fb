"""What the cache stores: the SCRUBBED answer (placeholders, never PII) and what it cost when it was made."""

from __future__ import annotations

import msgspec

from gateway.types import ChatResponse, FinishReason, ToolCall, Usage


class CachedAnswer(msgspec.Struct, kw_only=True, array_like=True):
    """One cached answer. `tenant_id` and `bucket` are checked again on every read (defence in depth).

    Attributes:
        tenant_id: The tenant that stored it.
        bucket: The semantic bucket of the prompt, None when it has none.
        model: The catalog model that answered.
        content: Answer text, with placeholders where the request had PII.
        tool_calls: Tool calls of the answer, arguments with placeholders.
        finish_reason: Why the model stopped.
        prompt_tokens: Input tokens of the original call (what a hit saves).
        completion_tokens: Output tokens of the original call.
        stored_at: Seconds since the epoch.
    """

    tenant_id: str
    bucket: str | None
    model: str
    content: str | None
    tool_calls: list[ToolCall]
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    stored_at: float

    @property
    def usage(self) -> Usage:
        return Usage(prompt_tokens=self.prompt_tokens, completion_tokens=self.completion_tokens)

    def response(self, response_id: str, created: int) -> ChatResponse:
        """A fresh response object (safe to restore in place) carrying the original usage."""
        return ChatResponse(
            id=response_id,
            model=self.model,
            content=self.content,
            tool_calls=[ToolCall(id=c.id, name=c.name, arguments=c.arguments) for c in self.tool_calls],
            finish_reason=self.finish_reason,
            usage=self.usage,
            created=created,
        )


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(CachedAnswer)


def answer_of(
    response: ChatResponse, model: str, tenant_id: str, bucket: str | None, now: float
) -> CachedAnswer:
    """Snapshot `response` before the privacy stage restores it in place."""
    return CachedAnswer(
        tenant_id=tenant_id,
        bucket=bucket,
        model=model,
        content=response.content,
        tool_calls=[ToolCall(id=c.id, name=c.name, arguments=c.arguments) for c in response.tool_calls],
        finish_reason=response.finish_reason,
        prompt_tokens=response.usage.prompt_tokens,
        completion_tokens=response.usage.completion_tokens,
        stored_at=now,
    )


def encode(answer: CachedAnswer) -> bytes:
    return _encoder.encode(answer)


def decode(blob: bytes) -> CachedAnswer | None:
    """The answer in `blob`, or None when it is unreadable (an older format: treated as a miss)."""
    try:
        return _decoder.decode(blob)
    except msgspec.DecodeError:
        return None
