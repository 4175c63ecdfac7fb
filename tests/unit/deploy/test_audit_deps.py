"""scripts/audit_deps.py on hand-made pip-audit reports: a skipped pin is never counted as audited."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parents[3] / "scripts" / "audit_deps.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


CLEAN = {"name": "httpx", "version": "0.28.1", "vulns": []}
VULNERABLE = {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}]}
SKIPPED = {"name": "numpy", "skip_reason": "Dependency not found on PyPI and could not be audited: numpy (2.4.6)"}


def test_skipped_pins_are_not_counted_as_audited(audit: ModuleType) -> None:
    summary = audit.summarize({"dependencies": [CLEAN, SKIPPED]})
    assert summary.audited == ["httpx==0.28.1"] and list(summary.skipped) == ["numpy"]
    assert summary.total == 2


def test_a_known_vulnerability_fails_with_its_id_and_fix(audit: ModuleType) -> None:
    summary = audit.summarize({"dependencies": [CLEAN, VULNERABLE]})
    assert audit.exit_code(summary, strict=False) == 1
    assert any("jinja2==3.1.2" in line and "GHSA-h5c8-rqwp-cp95" in line and "3.1.3" in line
               for line in audit.report_lines(summary))


def test_unaudited_pins_pass_only_when_not_strict_and_are_reported(audit: ModuleType) -> None:
    summary = audit.summarize({"dependencies": [SKIPPED]})
    assert audit.exit_code(summary, strict=False) == 0
    assert audit.exit_code(summary, strict=True) == 2
    lines = audit.report_lines(summary)
    assert lines[0].startswith("audit-deps: 0 of 1 pinned packages audited")
    assert any("NOT AUDITED: 1 of 1" in line for line in lines)
    assert any("1 x Dependency not found on PyPI and could not be audited" in line for line in lines)


def test_a_clean_complete_audit_passes_even_when_strict(audit: ModuleType) -> None:
    summary = audit.summarize({"dependencies": [CLEAN]})
    assert audit.exit_code(summary, strict=True) == 0
    assert not any("NOT AUDITED" in line for line in audit.report_lines(summary))
