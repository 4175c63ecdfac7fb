"""Credentials are compared in constant time: `hmac.compare_digest` on every path that checks a key or token,
and no `==` / `!=` between a credential and anything (an early-exit compare leaks its prefix by timing)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import gateway
from gateway.api import admin, metrics
from gateway.api.dashboard import session
from gateway.tenancy import keys

# Identifiers that hold a credential on the request path (audit chain hashes are public integrity data, and SQL
# column expressions such as `ApiKey.key_hash == digest` are index lookups, followed by compare_digest in code).
CREDENTIALS = {
    "key",
    "token",
    "secret",
    "password",
    "authorization",
    "bearer",
    "admin_key",
    "api_key",
    "digest",
    "key_hash",
    "sent",
    "checksum",
    "check",
}
CHECKS = [
    admin.require_admin,
    metrics._check_token,
    keys.is_well_formed,
    keys.KeyAuthenticator._lookup,
    session.check_admin_key,
]


def _column(node: ast.AST) -> bool:
    """`ApiKey.key_hash`: an SQL expression, compared by the database, not by Python."""
    return (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id[:1].isupper()
    )


def _credential(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id.lower() in CREDENTIALS
    return isinstance(node, ast.Attribute) and node.attr.lower() in CREDENTIALS


def _credential_compares(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            sides = (node.left, *node.comparators)
            if any(isinstance(side, ast.Constant) or _column(side) for side in sides):
                continue
            if any(_credential(side) for side in sides):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__qualname__)
def test_credential_check_uses_compare_digest(check: object) -> None:
    assert "hmac.compare_digest(" in inspect.getsource(check)  # type: ignore[arg-type]


def test_no_credential_is_compared_with_equality_anywhere() -> None:
    found = {}
    for path in Path(gateway.__file__).parent.rglob("*.py"):
        lines = _credential_compares(ast.parse(path.read_text()))
        if lines:
            found[str(path.relative_to(Path(gateway.__file__).parent))] = lines
    assert found == {}
