"""The admin operations from the command line, on a fresh SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_keys_create_prints_the_key_once_and_list_shows_only_its_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", "--tenant", "acme"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("gwk_")
    listed = _json(capsys, ["keys", "list"])
    assert isinstance(listed, list) and listed[0]["prefix"] == key[:12]
    assert key not in json.dumps(listed)


def test_tenant_create_update_and_revoke_rotate(capsys: pytest.CaptureFixture[str]) -> None:
    tenant = _json(capsys, ["tenants", "create", "acme", "--monthly-token-budget", "5000", "--residency", "eu"])
    assert isinstance(tenant, dict) and tenant["monthly_token_budget"] == 5000
    updated = _json(capsys, ["tenants", "update", tenant["id"], "--rate-limit-per-minute", "7"])
    assert isinstance(updated, dict) and updated["rate_limit_per_minute"] == 7 and updated["residency"] == "eu"
    main(["keys", "create", "--tenant", "acme"])
    capsys.readouterr()
    key_id = _json(capsys, ["keys", "list"])[0]["id"]  # type: ignore[index]
    rotated = _json(capsys, ["keys", "rotate", key_id])
    assert isinstance(rotated, dict) and rotated["replaces"] == key_id and rotated["key"].startswith("gwk_")
    keys = _json(capsys, ["keys", "list"])
    assert isinstance(keys, list) and sum(1 for k in keys if k["revoked_at"]) == 1


def test_duplicate_tenant_is_a_clear_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    _json(capsys, ["tenants", "create", "acme"])
    assert main(["tenants", "create", "acme"]) == 2
    assert "exists already" in capsys.readouterr().err


def test_costs_summary_of_an_empty_month(capsys: pytest.CaptureFixture[str]) -> None:
    summary = _json(capsys, ["costs", "summary", "--month", "2026-01"])
    assert summary == {"month": "2026-01", "currency": "EUR", "tenants": []}


def test_pii_detect_reads_json_lines(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO('{"text": "IBAN DE89370400440532013000 bitte"}\n\n'))
    assert main(["pii", "detect"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["entities"][0]["type"] == "IBAN"
    assert result["redacted"] == "IBAN <IBAN_1> bitte"


def test_pii_detect_rejects_a_line_without_text(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("not json\n"))
    assert main(["pii", "detect"]) == 2
    assert "line 1" in capsys.readouterr().err


def test_ledger_reconcile_reports_the_watermark_and_the_rows_it_wrote(capsys: pytest.CaptureFixture[str]) -> None:
    assert _json(capsys, ["ledger", "reconcile"]) == {"through_seq": 0, "backfilled": 0}
