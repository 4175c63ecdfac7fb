"""A mock of the Gemini Developer API: `models/{model}:generateContent` and `:streamGenerateContent`.

It speaks the REST v1beta wire format (camelCase JSON, `x-goog-api-key` or `?key=` auth, SSE with `alt=sse`
where every `data:` is a whole GenerateContentResponse) and Google's RPC error shape
`{"error": {"code", "message", "status", "details"}}`. Answers come from `gateway.mock.script.reply_to`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.mock import control
from gateway.mock.faults import FaultSwitch
from gateway.mock.script import MockTool, Reply, Turn, chunk_text, reply_to

Json = dict[str, Any]

_FAULT_ERRORS: dict[str, tuple[int, str, str]] = {
    "http_400": (400, "INVALID_ARGUMENT", "Request contains an invalid argument."),
    "http_401": (401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
    "http_429": (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    "http_500": (500, "INTERNAL", "An internal error has occurred. Please retry or report the issue."),
    "http_503": (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
    # Gemini has no 529; its overload answer is 503 UNAVAILABLE.
    "http_529": (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
}
_RETRY_SECONDS = 1


def google_error(code: int, status: str, message: str, details: list[Json] | None = None) -> JSONResponse:
    """An error in Google's RPC shape; 429s carry RetryInfo and a retry-after header."""
    error: Json = {"code": code, "message": message, "status": status}
    headers: dict[str, str] = {}
    if code == 429:
        details = [
            *(details or []),
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{_RETRY_SECONDS}s"},
        ]
        headers["retry-after"] = str(_RETRY_SECONDS)
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=code, headers=headers)


# ---- request -> Turn ---------------------------------------------------------------------------------------


def _get(obj: Json, camel: str) -> Any:
    """A request field by its JSON name or its proto name: like the real API (proto3 JSON), accept both
    (the google-genai SDK sends e.g. `parameters_json_schema`)."""
    if camel in obj:
        return obj[camel]
    return obj.get("".join("_" + c.lower() if c.isupper() else c for c in camel))


def _lower_types(schema: Any) -> Any:
    """OpenAPI-style schemas (`parameters`) spell types in capitals (`OBJECT`); JSON Schema does not."""
    if isinstance(schema, dict):
        return {
            k: (v.lower() if k == "type" and isinstance(v, str) else _lower_types(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_lower_types(v) for v in schema]
    return schema


def _tools(body: Json) -> list[MockTool]:
    tools: list[MockTool] = []
    for tool in body.get("tools") or []:
        for decl in _get(tool, "functionDeclarations") or []:
            params = _get(decl, "parametersJsonSchema") or decl.get("parameters") or {}
            tools.append(MockTool(name=decl["name"], parameters=_lower_types(params)))
    return tools


def _part_text(part: Json) -> str:
    if "text" in part:
        return str(part["text"])
    for key in ("functionCall", "functionResponse"):
        if _get(part, key) is not None:
            return json.dumps(_get(part, key))
    return ""


def _tool_result_text(part: Json) -> str:
    response = _get(part, "functionResponse").get("response") or {}
    output = response.get("output", response) if isinstance(response, dict) else response
    return output if isinstance(output, str) else json.dumps(output)


def _turn(model: str, body: Json) -> Turn:
    contents: list[Json] = body.get("contents") or []
    system = _get(body, "systemInstruction") or {}
    texts = [_part_text(p) for c in [system, *contents] for p in c.get("parts") or []]
    user_texts = [
        p["text"]
        for c in contents
        if c.get("role", "user") == "user"
        for p in c.get("parts") or []
        if "text" in p
    ]
    last_parts = contents[-1].get("parts") or [] if contents else []
    results = [p for p in last_parts if _get(p, "functionResponse") is not None]
    calling = _get(_get(body, "toolConfig") or {}, "functionCallingConfig") or {}
    config = _get(body, "generationConfig") or {}
    allowed = _get(calling, "allowedFunctionNames") or []
    return Turn(
        model=model,
        last_user_text=user_texts[-1] if user_texts else "",
        prompt_text=" ".join(t for t in texts if t),
        tools=_tools(body),
        tool_choice_none=calling.get("mode") == "NONE",
        forced_tool=allowed[0] if calling.get("mode") == "ANY" and allowed else None,
        last_is_tool_result=bool(results),
        tool_result_text=" ".join(_tool_result_text(p) for p in results),
        max_tokens=_get(config, "maxOutputTokens"),
        stop=list(_get(config, "stopSequences") or []),
        json_mode=_get(config, "responseMimeType") == "application/json",
    )


# ---- Reply -> GenerateContentResponse ---------------------------------------------------------------------


def _usage(reply: Reply, final: bool) -> Json:
    prompt = reply.prompt_tokens
    usage: Json = {"promptTokenCount": prompt, "totalTokenCount": prompt}
    if final:
        usage.update(
            candidatesTokenCount=reply.completion_tokens, totalTokenCount=prompt + reply.completion_tokens
        )
    usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    return usage


def _chunk(parts: list[Json], reply: Reply, model: str, response_id: str, final: bool) -> Json:
    candidate: Json = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if final:
        candidate["finishReason"] = "MAX_TOKENS" if reply.finish == "length" else "STOP"
    return {
        "candidates": [candidate],
        "usageMetadata": _usage(reply, final),
        "modelVersion": model,
        "responseId": response_id,
    }


def _call_parts(reply: Reply) -> list[Json]:
    return [{"functionCall": {"name": c.name, "args": c.arguments}} for c in reply.tool_calls]


def _chunks(reply: Reply, model: str, response_id: str) -> list[Json]:
    if reply.tool_calls:
        return [_chunk(_call_parts(reply), reply, model, response_id, final=True)]
    pieces = chunk_text(reply.text)
    last = len(pieces) - 1
    return [_chunk([{"text": p}], reply, model, response_id, final=i == last) for i, p in enumerate(pieces)]


def _sse(chunks: list[Json], tail: bytes = b"") -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield b"data: " + json.dumps(chunk).encode() + b"\r\n\r\n"
        if tail:
            yield tail

    return StreamingResponse(body(), media_type="text/event-stream")


def _stream(reply: Reply, model: str, response_id: str, fault: str | None, sse: bool) -> Response:
    chunks = _chunks(reply, model, response_id)
    if not sse:  # without alt=sse the API streams one JSON array of the same chunks
        return JSONResponse(chunks)
    if fault == "cut_stream":
        kept = chunks[: max(1, len(chunks) // 2)]
        kept[-1]["candidates"][0].pop("finishReason", None)
        return _sse(kept)
    if fault == "malformed":
        return _sse(chunks[:1], b'data: {"candidates": [ this is not json\r\n\r\n')
    return _sse(chunks)


def _complete(reply: Reply, model: str, response_id: str, fault: str | None) -> Response:
    parts = _call_parts(reply) if reply.tool_calls else [{"text": reply.text}]
    body = json.dumps(_chunk(parts, reply, model, response_id, final=True)).encode()
    if fault == "malformed":
        body = control.MALFORMED_BODY
    elif fault == "cut_stream":
        body = body[: len(body) // 2]
    return Response(body, media_type="application/json")


# ---- routes -----------------------------------------------------------------------------------------------


def _has_key(request: Request) -> bool:
    return bool(request.headers.get("x-goog-api-key") or request.query_params.get("key"))


async def _fault_response(fault: str | None) -> Response | None:
    if fault in _FAULT_ERRORS:
        return google_error(*_FAULT_ERRORS[fault])
    if fault == "timeout":
        await control.hang()
        return google_error(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.")
    if fault == "reset":
        return control.ResetResponse()
    return None


def create_app() -> Starlette:
    """The Gemini mock app, with the shared fault control routes."""
    switch = FaultSwitch()

    async def models(request: Request) -> Response:
        model, _, method = request.path_params["target"].rpartition(":")
        if method not in ("generateContent", "streamGenerateContent") or not model:
            return google_error(404, "NOT_FOUND", "Method not found.")
        if not _has_key(request):
            return google_error(
                401, "UNAUTHENTICATED", "Method doesn't allow unregistered callers. Please use an API key."
            )
        fault = switch.take(request.headers.get("x-mock-fault"))
        faulted = await _fault_response(fault)
        if faulted is not None:
            return faulted
        try:
            body = json.loads(await request.body())
        except ValueError:
            return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if not isinstance(body, dict) or not body.get("contents"):
            return google_error(
                400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified"
            )
        reply = reply_to(_turn(model, body))
        response_id = secrets.token_urlsafe(16)
        if method == "streamGenerateContent":
            return _stream(reply, model, response_id, fault, request.query_params.get("alt") == "sse")
        return _complete(reply, model, response_id, fault)

    return control.build_app([Route("/{version}/models/{target}", models, methods=["POST"])], switch)
