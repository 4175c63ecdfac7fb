"""Fixtures of the hardening tests: an in-process gateway (demo mocks) with two tenants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_gateway
from tests.hardening.support import Tenant, hardening_settings, make_tenant


@dataclass
class TwoTenants:
    client: httpx.AsyncClient
    alpha: Tenant
    beta: Tenant


@pytest.fixture
async def two_tenants(tmp_path: Path) -> AsyncIterator[TwoTenants]:
    async with running_gateway(hardening_settings(tmp_path, max_body_bytes=64 * 1024)) as client:
        alpha = await make_tenant(client, "alpha")
        beta = await make_tenant(client, "beta")
        yield TwoTenants(client, alpha, beta)
