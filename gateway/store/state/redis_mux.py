"""One Redis connection that carries every concurrent caller's commands at once (pipelining).

redis-py sends each command on a connection it checks out of a pool, guards it with timeouts and returns it:
about 170 us of CPU per command at concurrency 64, four commands a request on the gateway's hot path (ADR 0014).
Redis answers the commands of one connection in the order they were written, so callers can share it: each
writes its command and waits on a future; replies, parsed by hiredis, resolve the futures first in, first out.
The commands of one event-loop turn leave in one write: about 8 us of CPU a command (ADR 0014).

`MultiplexedRedis` is a `redis.asyncio.Redis`: commands, scripts (NOSCRIPT → load → retry), error classes and
reply callbacks are redis-py's. Only single commands that hold no connection state travel on the shared link;
pipelines, transactions, pub/sub and blocking commands use redis-py's pool as before.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any, cast

import hiredis
import redis.asyncio as aioredis
from redis._parsers import BaseParser
from redis.asyncio.connection import Connection, UnixDomainSocketConnection
from redis.client import EMPTY_RESPONSE, NEVER_DECODE
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Commands that block the connection or change its state would stall or corrupt every caller sharing it.
POOL_ONLY = frozenset(
    {
        "AUTH", "BLMOVE", "BLMPOP", "BLPOP", "BRPOP", "BRPOPLPUSH", "BZMPOP", "BZPOPMAX", "BZPOPMIN", "CLIENT",
        "DISCARD", "EXEC", "HELLO", "HIMPORT", "MONITOR", "MULTI", "PSUBSCRIBE", "PUNSUBSCRIBE", "QUIT",
        "READONLY", "READWRITE", "RESET", "SELECT", "SSUBSCRIBE", "SUBSCRIBE", "SUNSUBSCRIBE", "UNSUBSCRIBE",
        "UNWATCH", "WAIT", "WAITAOF", "WATCH", "XREAD", "XREADGROUP",
    }
)  # fmt: skip


_PUSH = getattr(hiredis, "PushNotification", ())


class _Link(asyncio.Protocol):
    """One connection: commands are written at once, replies resolve the waiting futures in order."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, timeout: float | None, reader: hiredis.Reader
    ) -> None:
        self.loop = loop
        self._timeout = timeout
        self._reader = reader
        self._transport: asyncio.Transport | None = None
        self._waiting: collections.deque[tuple[asyncio.Future[Any], float]] = collections.deque()
        self._watchdog: asyncio.TimerHandle | None = None
        self._outgoing: list[bytes] = []
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        try:
            while (reply := self._reader.gets()) is not False:
                if isinstance(reply, _PUSH):  # out-of-band (RESP3 push), not the reply to any command
                    continue
                future, _ = self._waiting.popleft()
                if not future.done():  # a caller that gave up (cancelled) still had its reply in the stream
                    future.set_result(reply)
        except InvalidResponse as exc:  # the stream cannot be trusted past this point
            self._fail(RedisConnectionError(f"invalid reply from Redis: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(RedisConnectionError("Connection closed by server."))

    def send(self, packed: bytes) -> asyncio.Future[Any]:
        """Write one packed command; the future gets its reply (an error reply as an exception instance)."""
        if self.closed or self._transport is None:
            raise RedisConnectionError("Connection closed.")
        future = self.loop.create_future()
        deadline = self.loop.time() + self._timeout if self._timeout is not None else 0.0
        self._waiting.append((future, deadline))
        if not self._outgoing:
            self.loop.call_soon(self._flush)
        self._outgoing.append(packed)
        if self._timeout is not None and self._watchdog is None:
            self._watchdog = self.loop.call_at(deadline, self._check_deadline)
        return future

    def _flush(self) -> None:
        """The commands of one event-loop turn leave in one write (one system call), not one each."""
        outgoing, self._outgoing = self._outgoing, []
        if self._transport is not None and not self.closed:
            self._transport.write(b"".join(outgoing))

    def _check_deadline(self) -> None:
        """One timer per connection, not one per command: replies come in order, so only the oldest can be late."""
        self._watchdog = None
        if not self._waiting:
            return
        _, deadline = self._waiting[0]
        if self.loop.time() >= deadline:
            # No way to skip one late reply in an ordered stream: the connection goes, the next call reconnects.
            self._fail(RedisTimeoutError("Timeout reading from Redis"))
        else:
            self._watchdog = self.loop.call_at(deadline, self._check_deadline)

    def _fail(self, exc: Exception) -> None:
        self.closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self._waiting:
            future, _ = self._waiting.popleft()
            if not future.done():
                future.set_exception(exc)
        if self._transport is not None:
            self._transport.abort()

    def close(self) -> None:
        self._fail(RedisConnectionError("Connection closed by the client."))


class MultiplexedRedis(aioredis.Redis):
    """A redis-py client whose plain commands share one pipelined connection (see the module docstring)."""

    _link: _Link | None = None
    _connecting: asyncio.Future[_Link] | None = None

    @classmethod
    def supports(cls, pool: aioredis.ConnectionPool) -> bool:
        """TCP and Unix sockets with a plain password; TLS and credential providers stay on the pool."""
        kind = pool.connection_class
        return kind in (Connection, UnixDomainSocketConnection) and not pool.connection_kwargs.get(
            "credential_provider"
        )

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        name = args[0]
        if NEVER_DECODE in options or str(name).upper() in POOL_ONLY:
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        words = name.split() if isinstance(name, str) and " " in name else None  # "SCRIPT LOAD" is two words
        try:
            packed = hiredis.pack_command((*words, *args[1:]) if words else args)
        except TypeError:  # a value redis-py encodes or refuses with its own DataError
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        try:
            link = await self._live_link()
            reply = await link.send(packed)
        except RedisConnectionError:
            # As the pool's retry: a connection Redis closed (a restart) fails before the command ran; once more.
            link = await self._live_link()
            reply = await link.send(packed)
        if isinstance(reply, Exception):  # an error reply: parse_error made it redis-py's exception
            if EMPTY_RESPONSE in options and isinstance(reply, ResponseError):
                return options[EMPTY_RESPONSE]
            raise reply
        options.pop(EMPTY_RESPONSE, None)
        options.pop("keys", None)
        # A CaseInsensitiveDict: only `in` and [] ignore case, as redis-py's own parse_response uses them.
        if name in self.response_callbacks:
            return self.response_callbacks[name](reply, **options)
        return reply

    async def _live_link(self) -> _Link:
        link = self._link
        if link is not None and not link.closed and link.loop is asyncio.get_running_loop():
            return link
        if self._connecting is None or self._connecting.get_loop() is not asyncio.get_running_loop():
            self._connecting = asyncio.ensure_future(self._connect())
        connecting = self._connecting
        try:
            return await asyncio.shield(connecting)  # one connect for all callers; a cancelled one leaves it
        finally:
            if connecting.done() and self._connecting is connecting:
                self._connecting = None

    async def _connect(self) -> _Link:
        loop = asyncio.get_running_loop()
        kwargs = self.connection_pool.connection_kwargs
        reader_args: dict[str, Any] = {"protocolError": InvalidResponse, "replyError": BaseParser.parse_error}
        if kwargs.get("decode_responses"):
            reader_args.update(encoding=kwargs.get("encoding", "utf-8"), errors=kwargs.get("encoding_errors"))
        link = _Link(loop, kwargs.get("socket_timeout"), hiredis.Reader(**reader_args))
        async with asyncio.timeout(kwargs.get("socket_connect_timeout")):
            try:
                if "path" in kwargs:
                    await loop.create_unix_connection(lambda: link, kwargs["path"])
                else:
                    await loop.create_connection(
                        lambda: link, kwargs.get("host", "localhost"), kwargs.get("port", 6379)
                    )
            except OSError as exc:
                raise RedisConnectionError(f"Error connecting to Redis: {exc}") from exc
            await self._handshake(link, kwargs)
        if self._link is not None:
            self._link.close()
        self._link = link
        return link

    @staticmethod
    async def _handshake(link: _Link, kwargs: dict[str, Any]) -> None:
        """What redis-py's own connect sends: HELLO (RESP3 unless the client asked for 2), AUTH, SETNAME, SELECT."""
        password, user, name = kwargs.get("password"), kwargs.get("username"), kwargs.get("client_name")
        setup: list[tuple[Any, ...]] = []
        # redis-py's reply callbacks expect the protocol redis-py itself would speak: RESP3 unless asked for 2.
        if str(kwargs.get("protocol") or 3) == "3":
            hello: tuple[Any, ...] = ("HELLO", 3)
            if password:
                hello += ("AUTH", user or "default", password)
            setup.append(hello + (("SETNAME", name) if name else ()))
        else:
            if password:
                setup.append(("AUTH", user, password) if user else ("AUTH", password))
            if name:
                setup.append(("CLIENT", "SETNAME", name))
        if int(kwargs.get("db") or 0):
            setup.append(("SELECT", kwargs["db"]))
        for reply in await asyncio.gather(*(link.send(hiredis.pack_command(command)) for command in setup)):
            if isinstance(reply, Exception):  # WRONGPASS is an AuthenticationError, not a ResponseError
                link.close()
                raise reply

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        if self._link is not None:
            self._link.close()
            self._link = None
        await super().aclose(close_connection_pool)
