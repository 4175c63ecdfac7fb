#!/usr/bin/env python3
"""Audit the pins of requirements/*.lock for known vulnerabilities with pip-audit, and say what was audited.

Fails (exit 1) on any known vulnerability. pip-audit skips a pin its vulnerability service has no record of, or
cannot look up, and still ends with "No known vulnerabilities found": that is not an audit, so this script counts
those pins apart and prints how many there are and why. Where the service answers no pin at all (as in this
project's sandbox, see docs/reliability.md), the run says so loudly instead of passing silently.

    scripts/audit_deps.py            fail on a known vulnerability; report the pins that could not be audited
    scripts/audit_deps.py --strict   also fail when any pin could not be audited (AUDIT_STRICT=1 does the same)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LOCKS = (ROOT / "requirements" / "runtime.lock", ROOT / "requirements" / "dev.lock")


@dataclass
class Summary:
    audited: list[str] = field(default_factory=list)
    vulnerable: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.audited) + len(self.skipped)


def summarize(report: dict[str, Any]) -> Summary:
    """Sort pip-audit's JSON report into audited, vulnerable and skipped pins (`name==version`)."""
    summary = Summary()
    for dep in report.get("dependencies", []):
        pin = f"{dep['name']}=={dep['version']}" if "version" in dep else dep["name"]  # skipped pins have none
        if "skip_reason" in dep:
            summary.skipped[pin] = dep["skip_reason"]
            continue
        summary.audited.append(pin)
        if dep.get("vulns"):
            summary.vulnerable[pin] = [_vuln_line(v) for v in dep["vulns"]]
    return summary


def _vuln_line(vuln: dict[str, Any]) -> str:
    fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
    return f"{vuln['id']} (fixed in: {fixed})"


def _reason_kind(reason: str) -> str:
    """pip-audit's skip reason without the package it names, to count pins by reason."""
    return reason.split(":", 1)[0]


def report_lines(summary: Summary) -> list[str]:
    counts = f"{len(summary.audited)} of {summary.total} pinned packages audited"
    lines = [f"audit-deps: {counts}, {len(summary.vulnerable)} with a known vulnerability."]
    for pin, vulns in sorted(summary.vulnerable.items()):
        lines.append(f"audit-deps: VULNERABLE {pin}: {'; '.join(vulns)}")
    if summary.skipped:
        lines.append(f"audit-deps: NOT AUDITED: {len(summary.skipped)} of {summary.total} pins, "
                     "so no claim is made about them:")
        for kind, count in Counter(map(_reason_kind, summary.skipped.values())).most_common():
            lines.append(f"audit-deps:   {count} x {kind}")
        lines.append("audit-deps:   pins: " + ", ".join(sorted(summary.skipped)))
    return lines


def exit_code(summary: Summary, strict: bool) -> int:
    if summary.vulnerable:
        return 1
    if strict and summary.skipped:
        return 2
    return 0


def run_pip_audit(locks: tuple[Path, ...]) -> dict[str, Any]:
    """pip-audit over the locks as they are (hashed, fully pinned: no resolution, no install)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        args = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes", "--progress-spinner", "off",
                "--format", "json", "--output", str(out)]
        for lock in locks:
            args += ["-r", str(lock)]
        result = subprocess.run(args, capture_output=True, text=True, check=False)
        if not out.exists() or not out.read_text().strip():
            sys.exit(f"audit-deps: pip-audit did not run (exit {result.returncode}):\n{result.stderr[-2000:]}")
        return dict(json.loads(out.read_text()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--strict", action="store_true", default=os.environ.get("AUDIT_STRICT") == "1",
                        help="fail when any pin could not be audited")
    args = parser.parse_args()
    summary = summarize(run_pip_audit(LOCKS))
    print("\n".join(report_lines(summary)))
    code = exit_code(summary, args.strict)
    if code == 0 and summary.skipped:
        print("audit-deps: passing WITHOUT a complete audit (not --strict); see docs/reliability.md.")
    return code


if __name__ == "__main__":
    sys.exit(main())
