"""`gateway serve --workers 2` as a user starts it: each worker listens on its own socket of the one port, both
take connections, and a SIGTERM stops the parent and every worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.hardening.support import free_port

WORKERS = 2


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _workers(parent: int, port: int) -> list[int]:
    """The parent's children that listen on `port` (multiprocessing's resource tracker is a child too)."""
    listening = {inode for state, inode in _tcp_sockets(port) if state == "0A"}
    return [pid for pid in _children(parent) if listening & _socket_inodes(pid)]


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _tcp_sockets(port: int) -> list[tuple[str, int]]:
    """(state, inode) of the IPv4 sockets whose local port is `port` (state 0A: LISTEN, 01: ESTABLISHED)."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            rows.append((fields[3], int(fields[9])))
    return rows


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "OPENAI_API_KEY": "sk-test",
        "LOG_LEVEL": "warning",
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--workers", str(WORKERS)]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len([s for s in _tcp_sockets(port) if s[0] == "0A"]) < WORKERS:  # every worker is listening
            assert process.poll() is None, process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the workers did not start listening"
            time.sleep(0.2)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_each_worker_listens_on_its_own_socket_and_both_take_connections(
    gateway: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = gateway
    workers = _workers(process.pid, port)
    assert len(workers) == WORKERS
    listening = {inode for state, inode in _tcp_sockets(port) if state == "0A"}
    owners = [listening & _socket_inodes(pid) for pid in workers]
    assert all(len(own) == 1 for own in owners) and owners[0] != owners[1]  # one socket each, not a shared one

    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(32)]  # a pool opening at once
    try:
        for client in clients:
            assert client.get("/health").status_code == 200
        established = {inode for state, inode in _tcp_sockets(port) if state == "01"}
        served = [len(established & _socket_inodes(pid)) for pid in workers]
        assert sum(served) == 32
        assert min(served) > 0  # spread by the kernel's hash: all 32 on one worker has odds of 2 in 2**32
    finally:
        for client in clients:
            client.close()


def test_sigterm_stops_the_parent_and_every_worker(gateway: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = gateway
    workers = _workers(process.pid, port)
    assert len(workers) == WORKERS
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    assert not [s for s in _tcp_sockets(port) if s[0] == "0A"]  # the port is free again


def test_a_port_another_server_listens_on_is_refused(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--workers", str(WORKERS)]
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
