"""Property-based fuzzing of every operation in the gateway's own OpenAPI schema (schemathesis), against the
gateway under uvicorn on loopback, once with a tenant key and once with the admin key: no 5xx, no stack trace,
and every error in OpenAI's shape.

Bounded: `HARDENING_FUZZ_EXAMPLES` examples per operation (default 25; the whole file runs in well under two
minutes on two cores). Generated data includes schema-violating bodies and parameters (negative testing).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.hardening.support import (
    ADMIN_KEY,
    bearer,
    error_problems,
    hardening_settings,
    make_tenant_sync,
    served,
)

EXAMPLES = int(os.environ.get("HARDENING_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings_ = hardening_settings(tmp_path_factory.mktemp("fuzz"), max_body_bytes=64 * 1024)
    with served(settings_) as server:
        yield server.url


def _operations(url: str) -> list[Any]:
    raw = httpx.get(url + "/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(url: str, token: str) -> list[str]:
    """Every problem found, as `METHOD path -> status: why`, over all operations."""
    problems: list[str] = []
    session = requests.Session()
    for operation in _operations(url):

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            try:
                response = case.call(base_url=url, session=session, headers=bearer(token), timeout=10)
            except requests.RequestException as exc:  # a dropped connection is a failure the client sees, too
                problems.append(f"{case.method} {case.formatted_path} {case.query}: {type(exc).__name__}")
                return
            for why in error_problems(response.status_code, response.content):
                problems.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {why}")

        run()
    return problems


def test_schema_lists_every_public_route(gateway_url: str) -> None:
    paths = {op.path for op in _operations(gateway_url)}
    assert {"/v1/chat/completions", "/v1/models", "/v1/route", "/v1/pii/detect", "/admin/keys"} <= paths


def test_fuzz_with_a_tenant_key_finds_no_server_error(gateway_url: str) -> None:
    key = make_tenant_sync(gateway_url, "fuzz-tenant").key
    assert _fuzz(gateway_url, key) == []


def test_fuzz_with_the_admin_key_finds_no_server_error(tmp_path: Path) -> None:
    with served(
        hardening_settings(tmp_path, max_body_bytes=64 * 1024)
    ) as server:  # admin fuzzing changes state
        assert _fuzz(server.url, ADMIN_KEY) == []
