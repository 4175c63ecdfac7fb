"""`gateway serve --workers N`: uvicorn's supervisor, with a listening socket per worker (ADR 0023).

uvicorn binds one socket in the parent and hands it to every worker, and whichever worker is awake when
connections arrive accepts them all (libuv accepts until the backlog is empty): a client pool opening 64
keep-alive connections at once left 56 on one worker and 8 on the other, so one worker ran flat out while the
other idled. Here each worker binds its own socket to the same address with `SO_REUSEPORT`, and the kernel
spreads new connections over the listening sockets by a hash of their addresses. Everything else is uvicorn's
`Multiprocess`: the worker health checks, restarts of dead or hung workers, signal handling and shutdown.
"""

from __future__ import annotations

import socket

from uvicorn import Config
from uvicorn.supervisors import multiprocess


def listening_socket(config: Config) -> socket.socket:
    """A socket bound to the configured address that other workers may bind too (`SO_REUSEPORT`). uvicorn's
    server calls listen() on it."""
    sock = socket.socket(_family(config))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((config.host, config.port))
    return sock


class OwnSocketProcess(multiprocess.Process):
    """A worker that serves on a socket of its own instead of the parent's."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # runs in the worker
        super().target([listening_socket(self.config)])


def run_workers(config: Config) -> None:
    """Run `config.workers` workers until a signal stops them. A port of 0 is fixed first, so that every worker
    binds the same one; the parent keeps that socket bound (never listening) so no one else takes the port."""
    if config.port:
        _refuse_a_taken_port(config)
    original = multiprocess.Process
    with listening_socket(config) as reserved:
        config.port = reserved.getsockname()[1]
        setattr(multiprocess, "Process", OwnSocketProcess)  # noqa: B010 - the name its supervisor starts workers by
        try:
            multiprocess.Multiprocess(config, sockets=[]).run()
        finally:
            setattr(multiprocess, "Process", original)  # noqa: B010


def _refuse_a_taken_port(config: Config) -> None:
    """`SO_REUSEPORT` would let the workers join a stale gateway already on the port and share its traffic; a
    plain bind fails on a port anyone holds, as uvicorn's own socket would."""
    with socket.socket(_family(config)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((config.host, config.port))
        except OSError as exc:
            raise SystemExit(f"cannot listen on {config.host}:{config.port}: {exc.strerror}") from None


def _family(config: Config) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in config.host else socket.AF_INET  # an IPv6 address, as uvicorn decides
