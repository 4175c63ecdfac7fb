"""POST /v1/pii/detect: what the gateway would redact in a text, for a tenant key."""

from __future__ import annotations

from typing import Literal

import msgspec
from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.api.body import read_limited_body
from gateway.errors import InvalidRequestError
from gateway.privacy.analyzer import Analyzer
from gateway.privacy.vault import Vault

router = APIRouter()


class _DetectRequest(msgspec.Struct):
    text: str
    language: Literal["de", "en"] = "de"


_decode = msgspec.json.Decoder(_DetectRequest).decode
_encode = msgspec.json.Encoder().encode


def detect_json(analyzer: Analyzer, text: str) -> dict[str, object]:
    entities = analyzer.detect(text)
    return {
        "entities": [{"type": e.type, "start": e.start, "end": e.end, "score": round(e.score, 3)} for e in entities],
        "redacted": Vault().redact(text, entities),
    }


@router.post(
    "/v1/pii/detect",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["text"],
                        "properties": {"text": {"type": "string"}, "language": {"enum": ["de", "en"]}},
                    }
                }
            },
        }
    },
)
async def detect(request: Request) -> Response:
    components = request.app.state.components
    await components.keys.authenticate(request.headers.get("authorization"))
    body = await read_limited_body(
        request, components.settings.max_body_bytes, components.settings.body_read_timeout_seconds
    )
    try:
        parsed = _decode(body)
    except msgspec.ValidationError as exc:
        raise InvalidRequestError(f"Invalid request: {exc}", param="text") from None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # msgspec raises the last two bare
        raise InvalidRequestError("The request body is not valid UTF-8 JSON or is nested too deeply.") from None
    return Response(_encode(detect_json(components.analyzer, parsed.text)), media_type="application/json")
