"""The async database engine and migrations (Alembic, applied on a connection the caller owns)."""

from __future__ import annotations

import asyncio
import fcntl
import os
from importlib import resources
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

_SQLITE_BUSY_SECONDS = 30  # how long a SQLite connection waits for another writer's lock before it fails


def create_engine(url: str) -> AsyncEngine:
    json_codec = _json_codec()
    if url.startswith("sqlite"):
        # One writer at a time; wait for the lock instead of failing at once when workers overlap.
        engine = create_async_engine(url, connect_args={"timeout": _SQLITE_BUSY_SECONDS}, **json_codec)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # UTC sessions: day buckets and month boundaries in SQL are UTC whatever the server's timezone.
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        connect_args={"server_settings": {"timezone": "UTC"}},
        **json_codec,
    )


def sqlite_file_twin(engine: AsyncEngine) -> Engine:
    """A synchronous engine (the standard library's sqlite3) on `engine`'s SQLite file, with the same codecs and
    pragmas: for transactions run whole on a thread (store/sqlite_writes.py). Its connections may be closed
    from another thread than the one that used them (shutdown)."""
    url = engine.url.set(drivername="sqlite+pysqlite")
    connect_args = {"timeout": _SQLITE_BUSY_SECONDS, "check_same_thread": False}
    twin = create_sync_engine(url, connect_args=connect_args, **_json_codec())
    event.listen(twin, "connect", _sqlite_pragmas)
    return twin


def _json_codec() -> dict[str, Any]:
    # JSON columns through orjson: each audit record carries two (written on the request's critical path), and
    # the standard library's encoder costs several times more per value. Floats round-trip exactly either way.
    return {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: a commit is in the WAL before it returns, so it survives the process being
    killed (what the audit log's acknowledgement promises); only an OS crash or power loss can take the last
    commits, which is the embedded default's trade. Readers no longer block the writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("gateway").joinpath("migrations")))
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision`. Safe to call from several processes (the workers of `serve --workers`
    all start with it): on PostgreSQL an advisory lock serialises them, on a SQLite file the write turn's file
    lock (store/sqlite_writes.py), so the later ones find the schema in place."""
    lock_path = sqlite_lock_path(engine)
    fd = None if lock_path is None else open_lock_file(lock_path)
    try:
        if fd is not None:
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(7283001)"))
            await conn.run_sync(_upgrade, revision)
    finally:
        if fd is not None:
            os.close(fd)  # closing gives the lock back


def open_lock_file(path: str) -> int:
    """A descriptor of the lock file at `path` (created if missing) to `flock`: each opening excludes the others."""
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def sqlite_lock_path(engine: AsyncEngine) -> str | None:
    """`<file>.writelock` beside a SQLite file, where its writers take turns (ADR 0021). None for PostgreSQL and
    for in-memory SQLite, which no other connection can open."""
    url = engine.url
    database = url.database or ""
    in_memory = database in ("", ":memory:") or url.query.get("mode") == "memory"
    if engine.dialect.name != "sqlite" or in_memory:
        return None
    return os.path.abspath(database) + ".writelock"


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
