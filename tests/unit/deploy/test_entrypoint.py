"""deploy/entrypoint.sh run with a stubbed `gateway` command that records its calls."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ENTRYPOINT = Path(__file__).parents[3] / "deploy" / "entrypoint.sh"


def _run(tmp_path: Path, *args: str, **env: str) -> list[str]:
    log = tmp_path / "calls.log"
    stub = tmp_path / "bin" / "gateway"
    stub.parent.mkdir(exist_ok=True)
    stub.write_text(f'#!/bin/sh\necho "$* AUTO_MIGRATE=${{AUTO_MIGRATE:-unset}}" >> {log}\n')
    stub.chmod(0o755)
    environment = {"PATH": f"{stub.parent}:/usr/bin:/bin", **env}
    subprocess.run(["sh", str(ENTRYPOINT), *args], env=environment, check=True, capture_output=True)
    return log.read_text().splitlines() if log.exists() else []


def test_migrates_then_serves_on_port(tmp_path: Path) -> None:
    calls = _run(tmp_path, PORT="10000", GATEWAY_WORKERS="3")
    assert calls == [
        "db upgrade AUTO_MIGRATE=unset",
        "serve --host 0.0.0.0 --port 10000 --workers 3 AUTO_MIGRATE=false",
    ]


def test_defaults_to_port_8000_and_one_worker(tmp_path: Path) -> None:
    assert _run(tmp_path)[-1] == "serve --host 0.0.0.0 --port 8000 --workers 1 AUTO_MIGRATE=false"


def test_migration_can_be_skipped(tmp_path: Path) -> None:
    calls = _run(tmp_path, GATEWAY_MIGRATE="false")
    assert [c.split()[0] for c in calls] == ["serve"]


def test_arguments_replace_the_default_command(tmp_path: Path) -> None:
    assert _run(tmp_path, "gateway", "keys", "create", "--tenant", "acme") == [
        "keys create --tenant acme AUTO_MIGRATE=unset"
    ]


def test_failed_migration_stops_the_container(tmp_path: Path) -> None:
    stub = tmp_path / "bin" / "gateway"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\n[ "$1" = db ] && exit 3\necho served > "$0.served"\n')
    stub.chmod(0o755)
    result = subprocess.run(["sh", str(ENTRYPOINT)], env={"PATH": f"{stub.parent}:/usr/bin:/bin"}, check=False)
    assert result.returncode == 3 and not Path(f"{stub}.served").exists()


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed (.ci/run installs it)")
def test_entrypoint_passes_shellcheck() -> None:
    result = subprocess.run(["shellcheck", "--shell=sh", str(ENTRYPOINT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_entrypoint_is_executable() -> None:
    assert os.access(ENTRYPOINT, os.X_OK)
