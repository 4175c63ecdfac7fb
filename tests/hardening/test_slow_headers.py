"""Request headers are bounded in time and size by `gateway serve` (gateway/api/http_protocol.py): a connection
that sends nothing, or trickles its headers, is closed at HEADER_READ_TIMEOUT_SECONDS; headers past
MAX_HEADER_BYTES get a 431 in OpenAI's shape. Requests on kept-alive connections, and a slow body once the headers
are in, are not cut. Plain uvicorn 0.54 does none of this; a probe held an idle connection for good and
accepted 25 MiB of one header."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.hardening.faults import gateway_process, wait_ready
from tests.hardening.support import CHAT, bearer, error_problems, free_port, make_tenant_sync

HEADER_TIMEOUT = 1.0
MAX_HEADER_BYTES = 8192


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    database = tmp_path_factory.mktemp("headers") / "gateway.db"
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "DEMO": "true",
        "OPENAI_API_KEY": "",
        "HEADER_READ_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
        "MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
    }
    port = free_port()
    process = gateway_process(port, env)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_ready(url, timeout=30)
        yield url, make_tenant_sync(url, "headers").key
    finally:
        process.terminate()
        process.wait(timeout=15)


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=HEADER_TIMEOUT + 5)


def _closed_after(sock: socket.socket, trickle: bytes = b"") -> float:
    """Send `trickle` one byte every 0.2 s (or nothing) until the gateway closes; seconds until it did."""
    started = time.monotonic()
    sock.settimeout(0.2)
    for byte in trickle or bytes(100):
        try:
            if trickle:
                sock.sendall(bytes([byte]))
            if sock.recv(1024) == b"":
                break
        except TimeoutError:
            continue
        except OSError:
            break
    return time.monotonic() - started


def test_connection_that_sends_nothing_is_closed_at_the_deadline(gateway: tuple[str, str]) -> None:
    with _connect(gateway[0]) as sock:
        elapsed = _closed_after(sock)
    assert elapsed < HEADER_TIMEOUT + 3  # 100 polls of 0.2 s (20 s) if it were never closed


def test_trickled_headers_are_cut_off_at_the_deadline(gateway: tuple[str, str]) -> None:
    with _connect(gateway[0]) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n")
        elapsed = _closed_after(sock, trickle=b"x-slow: " + b"a" * 90)
    assert elapsed < HEADER_TIMEOUT + 3


def test_oversized_headers_get_a_431_in_openai_shape(gateway: tuple[str, str]) -> None:
    url, key = gateway
    response = httpx.post(url + "/v1/chat/completions", json=CHAT, headers={**bearer(key), "x-big": "a" * 20_000})
    assert response.status_code == 431
    assert error_problems(431, response.content) == []
    assert response.json()["error"]["code"] == "request_header_fields_too_large"


def test_kept_alive_connection_serves_request_after_request(gateway: tuple[str, str]) -> None:
    url, key = gateway
    with httpx.Client(base_url=url, timeout=10) as client:
        statuses = [client.post("/v1/chat/completions", json=CHAT, headers=bearer(key)).status_code]
        time.sleep(HEADER_TIMEOUT / 2)  # idle between requests, within keep-alive
        statuses.append(client.post("/v1/chat/completions", json=CHAT, headers=bearer(key)).status_code)
    assert statuses == [200, 200]


def test_a_body_slower_than_the_header_deadline_is_not_cut(gateway: tuple[str, str]) -> None:
    url, key = gateway
    body = httpx.Request("POST", "/", json=CHAT).content

    def slowly() -> Iterator[bytes]:  # the headers are complete at once; the body takes 1.5 x the deadline
        for part in (body[:10], body[10:20], body[20:]):
            yield part
            time.sleep(HEADER_TIMEOUT / 2)

    headers = {**bearer(key), "content-type": "application/json", "content-length": str(len(body))}
    response = httpx.post(url + "/v1/chat/completions", content=slowly(), headers=headers, timeout=10)
    assert response.status_code == 200
