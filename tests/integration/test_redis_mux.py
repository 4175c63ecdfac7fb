"""The multiplexed Redis client against the real Redis: same answers as redis-py's pool, in any concurrency."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
import uvloop
from redis.exceptions import AuthenticationError, NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.store.state.base import StateUnavailableError
from gateway.store.state.redis_backend import client_from_url, map_redis_errors
from gateway.store.state.redis_mux import MultiplexedRedis

MUX_REDIS_URL = os.environ.get("TEST_MUX_REDIS_URL", "redis://127.0.0.1:6379/10")


@pytest.fixture
async def mux() -> AsyncIterator[aioredis.Redis]:
    client = client_from_url(MUX_REDIS_URL)
    assert isinstance(client, MultiplexedRedis)
    await client.flushdb()
    yield client
    await client.aclose()


async def _connections_named(client: aioredis.Redis, name: str) -> list[dict[str, object]]:
    return [c for c in await client.client_list() if c.get("name") == name]


async def test_concurrent_callers_each_get_their_own_reply(mux: aioredis.Redis) -> None:
    await asyncio.gather(*(mux.set(f"k{i}", f"v{i}") for i in range(500)))
    values = await asyncio.gather(*(mux.get(f"k{i}") for i in range(500)))
    assert values == [f"v{i}".encode() for i in range(500)]


async def test_one_connection_carries_every_plain_command(mux: aioredis.Redis) -> None:
    named = client_from_url(MUX_REDIS_URL, client_name="mux-one")
    try:
        await asyncio.gather(*(named.incr("counter") for _ in range(300)))
        assert int(await named.get("counter")) == 300
        assert len(await _connections_named(mux, "mux-one")) == 1
    finally:
        await named.aclose()


async def test_replies_have_the_shapes_redis_py_gives(mux: aioredis.Redis) -> None:
    pool = client_from_url(MUX_REDIS_URL, multiplex=False)
    try:
        await pool.hset("h", mapping={"a": 1, "b": "x"})
        await pool.zadd("z", {"m": 1.5, "n": 2})
        await pool.sadd("s", "one", "two")
        for command in (
            lambda c: c.hgetall("h"),
            lambda c: c.hgetall("missing"),
            lambda c: c.zrange("z", 0, -1, withscores=True),
            lambda c: c.smembers("s"),
            lambda c: c.exists("h", "z", "nope"),
            lambda c: c.ttl("h"),
            lambda c: c.set(f"fresh-{id(c)}", 1, nx=True),
            lambda c: c.delete(f"fresh-{id(c)}", "nope"),
            lambda c: c.ping(),
        ):
            assert await command(mux) == await command(pool)
        assert (await mux.client_info())["db"] == 10
    finally:
        await pool.aclose()


async def test_error_replies_raise_redis_py_exceptions_and_scripts_reload(mux: aioredis.Redis) -> None:
    await mux.set("text", "abc")
    with pytest.raises(ResponseError):
        await mux.incr("text")
    with pytest.raises(NoScriptError):
        await mux.evalsha("0" * 40, 0)
    script = mux.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    assert await script(keys=["n"], args=[2]) == 2
    await mux.script_flush()  # the next call gets NOSCRIPT, loads the script and runs it once
    assert await script(keys=["n"], args=[3]) == 5
    assert await mux.get("text") == b"abc"  # the link is still in step after the errors


async def test_a_cancelled_caller_does_not_shift_the_replies(mux: aioredis.Redis) -> None:
    await mux.mset({"a": "1", "b": "2", "c": "3"})
    for _ in range(20):
        abandoned = asyncio.ensure_future(mux.get("a"))
        await asyncio.sleep(0)
        abandoned.cancel()
        assert await asyncio.gather(mux.get("b"), mux.get("c")) == [b"2", b"3"]


async def test_a_killed_connection_is_replaced_on_the_next_call(mux: aioredis.Redis) -> None:
    name = "mux-kill-" + uuid.uuid4().hex[:8]
    victim = client_from_url(MUX_REDIS_URL, client_name=name)
    try:
        await victim.set("before", 1)
        (connection,) = await _connections_named(mux, name)
        await mux.client_kill_filter(_id=connection["id"])
        assert await victim.set("after", 2)  # no error: reconnected (and retried once if the kill was unseen)
        assert await victim.get("after") == b"2"
    finally:
        await victim.aclose()


async def test_a_silent_server_times_out_and_fails_closed() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        await asyncio.sleep(10)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = client_from_url(f"redis://127.0.0.1:{port}/0", socket_timeout=0.2)
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(StateUnavailableError), map_redis_errors():
            await client.get("x")
        assert asyncio.get_running_loop().time() - started < 2
        with pytest.raises(RedisTimeoutError):
            await client.get("x")
    finally:
        await client.aclose()
        server.close()


async def test_blocking_commands_use_the_pool_and_block_no_one(mux: aioredis.Redis) -> None:
    await mux.set("quick", "yes")
    blocked = asyncio.ensure_future(mux.blpop(["empty-list"], timeout=1))
    await asyncio.sleep(0.05)
    assert await asyncio.wait_for(mux.get("quick"), 0.5) == b"yes"
    assert not blocked.done()
    await mux.rpush("empty-list", "item")
    assert tuple(await blocked) == (b"empty-list", b"item")


async def test_database_password_and_decoding_come_from_the_url(mux: aioredis.Redis) -> None:
    user = "mux-" + uuid.uuid4().hex[:8]
    await mux.acl_setuser(user, enabled=True, passwords=["+s3cret"], keys=["*"], commands=["+@all"])
    try:
        authed = client_from_url(f"redis://{user}:s3cret@127.0.0.1:6379/10", decode_responses=True)
        try:
            await authed.set("authed", "ja")
            assert await authed.get("authed") == "ja"  # decoded to str
            assert await mux.get("authed") == b"ja"  # same database as the fixture's (10)
        finally:
            await authed.aclose()
        refused = client_from_url(f"redis://{user}:wrong@127.0.0.1:6379/10")
        try:
            with pytest.raises(AuthenticationError):
                await refused.get("authed")
        finally:
            await refused.aclose()
    finally:
        await mux.acl_deluser(user)


def test_works_on_uvloop_as_the_server_runs_it() -> None:
    async def main() -> list[bytes | None]:
        client = client_from_url(MUX_REDIS_URL)
        try:
            await client.set("uv", "loop")
            return list(await asyncio.gather(*(client.get("uv") for _ in range(50))))
        finally:
            await client.aclose()

    assert uvloop.run(main()) == [b"loop"] * 50
