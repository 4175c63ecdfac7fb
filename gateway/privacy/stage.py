"""The privacy stage: scrub a request before it leaves, restore the answer before it reaches the client.

Per-tenant policy `{"default": "redact"|"block"|"allow", "types": {"IBAN": "block", ...}}` (default: redact all).
Scrubbed: every message's content, tool-call arguments (string values inside the JSON) and tool results.
If detection itself fails the request is refused (fail closed): nothing is ever sent unscrubbed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import msgspec

from gateway.errors import GatewayError, InvalidRequestError
from gateway.privacy.analyzer import ALL_TYPES, Analyzer
from gateway.privacy.restore import StreamRestorer
from gateway.privacy.vault import Vault
from gateway.types import (
    ChatRequest,
    ChatResponse,
    FinishEvent,
    Message,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
)

log = logging.getLogger("gateway.privacy")


class PrivacyFailure(GatewayError):
    status = 503
    type = "api_error"
    code = "pii_detection_failed"


def _modes(policy: dict[str, Any] | None) -> tuple[frozenset[str], frozenset[str]]:
    """(types to redact, types that block the request) for a tenant policy."""
    if not policy:
        return _DEFAULT_MODES
    default = policy.get("default", "redact")
    per_type: dict[str, str] = policy.get("types") or {}
    mode_of = {t: per_type.get(t, default) for t in ALL_TYPES}
    return (
        frozenset(t for t, m in mode_of.items() if m == "redact"),
        frozenset(t for t, m in mode_of.items() if m == "block"),
    )


_DEFAULT_MODES = (ALL_TYPES, frozenset[str]())  # no policy: redact every type


class Privacy:
    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer

    def scrub(self, request: ChatRequest, policy: dict[str, Any] | None) -> tuple[ChatRequest, Vault]:
        """A copy of `request` with PII replaced by placeholders, and the vault to restore them.

        Raises:
            InvalidRequestError: `pii_detected` when a type the policy blocks is present (types listed).
            PrivacyFailure: detection failed; the request must not be sent.
        """
        redact, block = _modes(policy)
        vault = Vault()
        if not redact and not block:
            return request, vault
        scrubber = _Scrubber(self._analyzer, vault, redact | block)
        try:
            messages = [scrubber.message(m) for m in request.messages]
        except Exception as exc:  # noqa: BLE001 - any detector failure fails closed
            log.error("pii detection failed", extra={"error": type(exc).__name__})
            raise PrivacyFailure("Personal data could not be checked; the request was not sent.") from None
        blocked = sorted(t for t in scrubber.found if t in block)
        if blocked:
            raise InvalidRequestError(
                f"The request contains personal data this tenant may not send: {', '.join(blocked)}.",
                param="messages",
                code="pii_detected",
            )
        return msgspec.structs.replace(request, messages=messages), vault

    @staticmethod
    def restore_response(response: ChatResponse, vault: Vault) -> None:
        if not vault:
            return
        if response.content:
            response.content = vault.restore(response.content)
        for call in response.tool_calls:
            call.arguments = vault.restore_json_arguments(call.arguments)

    @staticmethod
    async def restore_stream(events: AsyncIterator[StreamEvent], vault: Vault) -> AsyncIterator[StreamEvent]:
        """Restore placeholders in text and tool-call argument deltas, also when split across events."""
        if not vault:
            async for event in events:
                yield event
            return
        text = StreamRestorer(vault)
        arguments: dict[int, StreamRestorer] = {}
        async for event in events:
            match event:
                case TextDelta(text=piece):
                    restored = text.feed(piece)
                    if restored:
                        yield TextDelta(text=restored)
                case ToolCallDelta(index=index):
                    restorer = arguments.setdefault(index, StreamRestorer(vault, json_escape=True))
                    yield msgspec.structs.replace(event, arguments=restorer.feed(event.arguments))
                case FinishEvent():
                    for held in _flush(text, arguments):
                        yield held
                    yield event
                case _:
                    yield event
        for held in _flush(text, arguments):
            yield held


def _flush(text: StreamRestorer, arguments: dict[int, StreamRestorer]) -> list[StreamEvent]:
    out: list[StreamEvent] = []
    rest = text.flush()
    if rest:
        out.append(TextDelta(text=rest))
    for index, restorer in arguments.items():
        rest = restorer.flush()
        if rest:
            out.append(ToolCallDelta(index=index, arguments=rest))
    return out


class _Scrubber:
    def __init__(self, analyzer: Analyzer, vault: Vault, types: frozenset[str]) -> None:
        self._analyzer = analyzer
        self._vault = vault
        self._types = types
        self.found: set[str] = set()

    def text(self, value: str) -> str:
        entities = self._analyzer.detect(value, self._types)
        if not entities:
            return value
        self.found.update(e.type for e in entities)
        return self._vault.redact(value, entities)

    def message(self, message: Message) -> Message:
        content = self.text(message.content) if message.content else message.content
        calls = [ToolCall(id=c.id, name=c.name, arguments=self._arguments(c.arguments)) for c in message.tool_calls]
        return msgspec.structs.replace(message, content=content, tool_calls=calls)

    def _arguments(self, arguments: str) -> str:
        try:
            parsed = json.loads(arguments)
        except ValueError:
            return self.text(arguments)
        return json.dumps(self._walk(parsed), ensure_ascii=False)

    def _walk(self, node: Any) -> Any:
        if isinstance(node, str):
            return self.text(node)
        if isinstance(node, list):
            return [self._walk(item) for item in node]
        if isinstance(node, dict):
            return {key: self._walk(value) for key, value in node.items()}
        return node
