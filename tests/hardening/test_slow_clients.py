"""Slow clients (slowloris-style): a body that trickles in is cut off with a 408 after BODY_READ_TIMEOUT_SECONDS,
and a client that sends its headers byte by byte does not stop the gateway from serving everybody else.

uvicorn itself has no timeout for request headers or bodies (only `timeout_keep_alive` between requests), so
the body timeout lives in gateway/api/body.py and the header bounds in gateway/api/http_protocol.py, which
`gateway serve` selects (tests/hardening/test_slow_headers.py). The gateway here runs under plain uvicorn.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.hardening.support import CHAT, error_problems, hardening_settings, make_tenant_sync, served

BODY_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    settings = hardening_settings(tmp_path_factory.mktemp("slow"), body_read_timeout_seconds=BODY_TIMEOUT)
    with served(settings) as server:
        yield server.url, make_tenant_sync(server.url, "slow").key


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def _length(data: bytes) -> int:
    for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def _trickle(url: str, key: str, path: str) -> tuple[int, bytes, float]:
    body = json.dumps(CHAT).encode()
    head = f"POST {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {key}\r\ncontent-length: {len(body)}\r\n\r\n"
    started = time.monotonic()
    with _connect(url) as sock:
        sock.sendall(head.encode())
        try:
            for byte in body:  # one byte every 0.2 s: the whole body would take far longer than the timeout
                sock.sendall(bytes([byte]))
                if select.select([sock], [], [], 0.2)[0]:
                    break  # the gateway answered: stop sending
        except OSError:
            pass  # the gateway answered and closed while we were still sending
        status, answer = _read_response(sock)
    return status, answer, time.monotonic() - started


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/route", "/v1/pii/detect"])
def test_trickling_body_is_cut_off_with_408(gateway: tuple[str, str], path: str) -> None:
    status, answer, elapsed = _trickle(*gateway, path)
    assert status == 408
    assert json.loads(answer)["error"]["code"] == "request_timeout"
    assert elapsed < BODY_TIMEOUT + 5


def test_trickling_login_form_is_cut_off_with_408(gateway: tuple[str, str]) -> None:
    status, answer, elapsed = _trickle(gateway[0], "", "/admin/ui/login")
    assert status == 408 and b"was not received within" in answer and b"<form" in answer
    assert elapsed < BODY_TIMEOUT + 5


def test_trickling_body_answer_is_an_openai_error(gateway: tuple[str, str]) -> None:
    status, answer, _ = _trickle(*gateway, "/v1/chat/completions")
    assert error_problems(status, answer) == []


def test_slow_header_clients_do_not_block_other_requests(gateway: tuple[str, str]) -> None:
    url, key = gateway
    slow = [_connect(url) for _ in range(20)]
    try:
        for sock in slow:
            sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nx-slow: ")  # never finished
        response = httpx.post(
            url + "/v1/chat/completions", json=CHAT, headers={"authorization": f"Bearer {key}"}
        )
    finally:
        for sock in slow:
            sock.close()
    assert response.status_code == 200
