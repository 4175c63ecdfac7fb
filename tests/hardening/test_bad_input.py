"""Bad input at the HTTP edge: every refusal is a 4xx in OpenAI's error shape, bounded in size and time."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from gateway.api.openai_wire import parse_chat_request
from gateway.errors import InvalidRequestError
from tests.hardening.support import (
    CHAT,
    admin,
    bearer,
    error_problems,
    hardening_settings,
    make_tenant_sync,
    served,
)

BODY_ROUTES = ["/v1/chat/completions", "/v1/route", "/v1/pii/detect"]
LIMIT = 64 * 1024
NESTED = (
    b'{"model": "gpt-4o-mini", "text": "x", "messages": [{"role": "user", "content": "x"}], "deep": '
    + (b"[" * 20_000)
    + b"]" * 20_000
    + b"}"
)  # valid JSON, 40 KB: under the body limit, far past any recursion limit


@pytest.fixture(scope="module")
def loopback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The gateway under uvicorn (real sockets for chunked and lying bodies) and a tenant key."""
    settings = hardening_settings(tmp_path_factory.mktemp("bad-input"), max_body_bytes=LIMIT)
    with served(settings) as server:
        yield server.url, make_tenant_sync(server.url, "bad-input").key


def _raw_request(url: str, raw: bytes) -> tuple[int | None, bytes]:
    """Send bytes as they are (no client-side fixing of headers) and read the whole answer; status None when the
    server closed the connection without one. The 10 s socket timeout turns a hang into a failure."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return (int(head.split()[1]) if head else None), body


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_declared_oversized_body_is_413(loopback: tuple[str, str], path: str) -> None:
    response = httpx.post(
        loopback[0] + path,
        content=b"x" * (LIMIT + 1),
        headers={**bearer(loopback[1]), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_chunked_oversized_body_is_413(loopback: tuple[str, str]) -> None:
    url, key = loopback

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server only learns the size by reading
        for _ in range(LIMIT // 4096 + 2):
            yield b" " * 4096

    response = httpx.post(url + "/v1/chat/completions", content=chunks(), headers=bearer(key), timeout=10)
    assert response.status_code == 413
    assert error_problems(response.status_code, response.content) == []


def test_content_length_lying_low_is_a_400_not_a_hang(loopback: tuple[str, str]) -> None:
    url, key = loopback
    body = json.dumps(CHAT).encode()
    head = f"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {key}\r\n"
    raw = (
        head.encode()
        + f"content-type: application/json\r\ncontent-length: {len(body) // 2}\r\n\r\n".encode()
        + body
    )
    status, _ = _raw_request(url, raw)  # the surplus bytes are no valid next request: uvicorn's own plain 400
    assert status == 400


def test_content_length_lying_high_then_eof_closes_without_hanging(loopback: tuple[str, str]) -> None:
    url, key = loopback
    body = json.dumps(CHAT).encode()
    head = f"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {key}\r\n"
    raw = head.encode() + f"content-length: {len(body) * 2}\r\n\r\n".encode() + body
    status, _ = _raw_request(url, raw)  # the client half-closes: the body can never be complete
    assert status is None  # the request is dropped (nobody is left to answer), not left waiting


def test_absent_content_length_is_refused_without_hanging(loopback: tuple[str, str]) -> None:
    url, key = loopback
    head = f"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {key}\r\n\r\n"
    status, answer = _raw_request(url, head.encode() + json.dumps(CHAT).encode())
    # Without a length the body is empty and the JSON after it is no request: refused, connection closed.
    assert status in (None, 400)
    assert b"Traceback" not in answer


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_deeply_nested_json_is_400(loopback: tuple[str, str], path: str) -> None:
    response = httpx.post(loopback[0] + path, content=NESTED, headers=bearer(loopback[1]))
    assert response.status_code == 400
    assert error_problems(response.status_code, response.content) == []


def test_parser_refuses_nesting_past_the_interpreter_limit() -> None:
    with pytest.raises(InvalidRequestError):
        parse_chat_request(NESTED)


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_invalid_utf8_in_a_string_is_400(loopback: tuple[str, str], path: str) -> None:
    body = (
        b'{"model": "gpt-4o-mini", "text": "\xff\xfe", "messages": [{"role": "user", "content": "\xc3\x28"}]}'
    )
    response = httpx.post(loopback[0] + path, content=body, headers=bearer(loopback[1]))
    assert response.status_code == 400
    assert error_problems(response.status_code, response.content) == []


def test_huge_message_count_is_answered_within_the_body_limit(loopback: tuple[str, str]) -> None:
    messages = [{"role": "user", "content": "x"}] * 2_000  # about 60 KB, just under the limit
    response = httpx.post(
        loopback[0] + "/v1/chat/completions", json={**CHAT, "messages": messages}, headers=bearer(loopback[1])
    )
    assert response.status_code == 200


def test_message_count_past_the_body_limit_is_413(loopback: tuple[str, str]) -> None:
    messages = [{"role": "user", "content": "x"}] * 5_000
    response = httpx.post(
        loopback[0] + "/v1/chat/completions", json={**CHAT, "messages": messages}, headers=bearer(loopback[1])
    )
    assert response.status_code == 413


@pytest.mark.parametrize("value", [0, -1, 10**12, 2**70, "1000", 1.5, None])
def test_absurd_max_tokens_is_refused_or_ignored_never_500(loopback: tuple[str, str], value: object) -> None:
    response = httpx.post(
        loopback[0] + "/v1/chat/completions", json={**CHAT, "max_tokens": value}, headers=bearer(loopback[1])
    )
    assert response.status_code == (200 if value is None else 400)
    assert error_problems(response.status_code, response.content) == []


def test_non_numeric_temperature_literals_are_400(loopback: tuple[str, str]) -> None:
    for literal in (b"NaN", b"Infinity", b"1e999"):
        body = (
            b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "temperature": '
            + literal
        )
        response = httpx.post(
            loopback[0] + "/v1/chat/completions", content=body + b"}", headers=bearer(loopback[1])
        )
        assert response.status_code == 400, literal


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/admin/tenants", {"name": "huge", "rate_limit_per_minute": 2**63}),
        ("/admin/tenants", {"name": "huge", "monthly_token_budget": 2**64}),
        ("/admin/keys", {"tenant_id": "x", "expires_in_days": 10**9}),
        ("/admin/keys", {"tenant_id": "x", "tokens_per_minute": 2**40}),
    ],
)
def test_admin_numbers_past_their_column_are_400(loopback: tuple[str, str], path: str, body: object) -> None:
    response = httpx.post(loopback[0] + path, json=body, headers=admin())
    assert response.status_code == 400
    assert error_problems(response.status_code, response.content) == []


def test_admin_budget_of_infinity_is_400(loopback: tuple[str, str]) -> None:
    body = b'{"name": "inf", "monthly_budget_eur": Infinity}'
    response = httpx.post(loopback[0] + "/admin/tenants", content=body, headers=admin())
    assert response.status_code == 400
