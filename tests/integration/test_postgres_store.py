"""The key store and migrations on a real PostgreSQL, as several gateway processes would use them."""

from __future__ import annotations

import asyncio

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from gateway.errors import AuthenticationError
from gateway.store import db
from gateway.tenancy.keys import KeyAuthenticator, create_key


async def test_concurrent_upgrades_from_many_instances_converge(postgres_url: str) -> None:
    engines = [db.create_engine(postgres_url) for _ in range(4)]
    try:
        await asyncio.gather(*(db.upgrade(engine) for engine in engines))
        async with engines[0].connect() as conn:
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
        assert version == ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_key_minted_by_one_instance_authenticates_on_another(postgres_url: str) -> None:
    writer, reader = db.create_engine(postgres_url), db.create_engine(postgres_url)
    try:
        await db.upgrade(writer)
        async with db.session_factory(writer)() as session, session.begin():
            created = await create_key(session, "pg-tenant")
        tenant = await KeyAuthenticator(db.session_factory(reader), 5).authenticate(f"Bearer {created.key}")
        assert tenant.tenant_id == created.tenant_id
        async with writer.connect() as conn:
            stored = (await conn.execute(text("SELECT key_hash FROM api_keys"))).scalars().all()
        assert created.key not in stored
    finally:
        await writer.dispose()
        await reader.dispose()


async def test_unknown_key_is_refused_on_postgres(postgres_url: str) -> None:
    engine = db.create_engine(postgres_url)
    try:
        await db.upgrade(engine)
        from gateway.tenancy.keys import generate_key

        with pytest.raises(AuthenticationError):
            await KeyAuthenticator(db.session_factory(engine), 5).authenticate(f"Bearer {generate_key()}")
    finally:
        await engine.dispose()
