from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.errors import AuthenticationError
from gateway.store import db
from gateway.store.tables import ApiKey
from gateway.tenancy.keys import KeyAuthenticator, create_key, generate_key, hash_key, is_well_formed


def test_generated_keys_pass_their_checksum_and_typos_fail() -> None:
    key = generate_key()
    assert is_well_formed(key)
    typo = key[:10] + ("A" if key[10] != "A" else "B") + key[11:]
    assert not is_well_formed(typo)
    assert not is_well_formed("sk-something-else")


@pytest.fixture
async def sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    await db.upgrade(engine)
    yield db.session_factory(engine)
    await engine.dispose()


async def test_only_the_hash_is_stored_and_the_key_authenticates(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        created = await create_key(session, "acme")
    async with sessions() as session:
        stored = await session.get(ApiKey, created.key_id)
    assert stored is not None and stored.key_hash == hash_key(created.key)
    assert created.key not in (stored.key_hash, stored.prefix) and len(stored.prefix) == 12
    tenant = await KeyAuthenticator(sessions, 5).authenticate(f"Bearer {created.key}")
    assert tenant.tenant_name == "acme"


@pytest.mark.parametrize(
    ("header", "code"),
    [(None, "missing_api_key"), ("Basic abc", "invalid_authorization"), ("Bearer " + generate_key(), "invalid_api_key")],
)
async def test_bad_credentials_are_refused(sessions, header: str | None, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthenticationError) as info:
        await KeyAuthenticator(sessions, 5).authenticate(header)
    assert info.value.code == code


async def test_revoked_and_expired_keys_are_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with sessions() as session, session.begin():
        expired = await create_key(session, "acme", expires_at=past)
        revoked = await create_key(session, "acme")
        (await session.get(ApiKey, revoked.key_id)).revoked_at = past  # type: ignore[union-attr]
    auth = KeyAuthenticator(sessions, 0)
    for key in (expired.key, revoked.key):
        with pytest.raises(AuthenticationError):
            await auth.authenticate(f"Bearer {key}")


async def test_revocation_takes_effect_after_the_cache_window(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        created = await create_key(session, "acme")
    auth = KeyAuthenticator(sessions, cache_seconds=0)
    await auth.authenticate(f"Bearer {created.key}")
    async with sessions() as session, session.begin():
        (await session.get(ApiKey, created.key_id)).revoked_at = datetime.now(UTC)  # type: ignore[union-attr]
    with pytest.raises(AuthenticationError):
        await auth.authenticate(f"Bearer {created.key}")


async def test_concurrent_requests_after_expiry_share_one_lookup(sessions) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    async with sessions() as session, session.begin():
        created = await create_key(session, "acme")
    auth = KeyAuthenticator(sessions, cache_seconds=60)
    lookups = 0
    real_lookup = auth._lookup

    async def counting_lookup(digest: str):  # type: ignore[no-untyped-def]
        nonlocal lookups
        lookups += 1
        await asyncio.sleep(0.01)
        return await real_lookup(digest)

    auth._lookup = counting_lookup  # type: ignore[method-assign]
    tenants = await asyncio.gather(*(auth.authenticate(f"Bearer {created.key}") for _ in range(50)))
    assert lookups == 1
    assert {t.tenant_id for t in tenants} == {created.tenant_id}
