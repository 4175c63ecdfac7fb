"""`gateway audit ...` on the database the settings name."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from gateway.cli import main
from gateway.store import db
from tests.unit.audit.conftest import append, settlement


@pytest.fixture
async def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    engine = db.create_engine(url)
    await db.upgrade(engine)
    sessions = db.session_factory(engine)
    async with sessions() as session, session.begin():
        await session.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'one', '2026-01-01')"))
    await append(sessions, [settlement(n, "t1", "alice") for n in range(1, 4)])
    await engine.dispose()
    return url


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


async def _tamper(url: str) -> None:
    engine = db.create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE audit_records SET prompt_tokens = 7 WHERE seq = 2"))
    await engine.dispose()


def test_verify_prints_a_valid_report(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["audit", "verify"], capsys)
    assert (code, json.loads(out)["checked"]) == (0, 3)


def test_verify_exits_1_and_names_the_broken_record(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_tamper(database))
    code, out = _run(["audit", "verify"], capsys)
    assert (code, json.loads(out)["broken"]["seq"]) == (1, 2)


def test_export_file_verifies_offline(database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "alice.csv"
    assert main(["audit", "export", "--tenant-id", "t1", "--subject", "alice", "--format", "csv",
                 "--output", str(target)]) == 0
    code, out = _run(["audit", "verify-export", str(target)], capsys)
    assert (code, json.loads(out)["records"]) == (0, 3)


def test_retention_switch_round_trips(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    _run(["audit", "retention", "t1", "--on"], capsys)
    code, out = _run(["audit", "retention", "t1"], capsys)
    assert (code, json.loads(out)["retain_prompts"]) == (0, True)


def test_anchor_prints_the_head(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["audit", "anchor"], capsys)
    assert (code, json.loads(out)["seq"]) == (0, 3)
