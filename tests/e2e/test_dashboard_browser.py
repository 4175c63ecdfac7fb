"""The admin dashboard in real headless Chromium (Debian's package, driven by playwright): log in, see the
tenants and costs of requests just made, and take a screenshot that is not blank."""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.mock.server import MockServer
from gateway.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ADMIN_KEY = "dashboard-admin-key"
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('dash') / 'gateway.db'}",
        demo=True,
        admin_api_key=ADMIN_KEY,
        env_file=Path("/nonexistent/.env"),
        log_level="warning",
    )
    server = MockServer(create_app(settings), lifespan="on").start()
    try:
        yield server.url
    finally:
        server.stop()


def _make_traffic(url: str) -> None:
    admin = {"authorization": f"Bearer {ADMIN_KEY}"}
    with httpx.Client(base_url=url, timeout=10) as client:
        tenant = client.post("/admin/tenants", json={"name": "Muster GmbH", "monthly_token_budget": 100000},
                             headers=admin).json()
        key = client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin).json()["key"]
        for text in ("Hallo", "Meine IBAN ist DE89 3704 0044 0532 0130 00"):
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}
            client.post("/v1/chat/completions", json=body, headers={"authorization": f"Bearer {key}"}).raise_for_status()


def _distinct_colours(png: bytes) -> int:
    """Distinct pixel values in an 8-bit RGB(A) PNG, decoded with zlib (no imaging library needed)."""
    import struct

    width, height, _depth, colour_type = struct.unpack(">IIBB", png[16:26])
    idat = b"".join(png[i + 8:i + 8 + struct.unpack(">I", png[i:i + 4])[0]]
                    for i in _chunks(png) if png[i + 4:i + 8] == b"IDAT")
    raw = zlib.decompress(idat)
    channels = {2: 3, 6: 4}[colour_type]
    stride = width * channels + 1
    rows = [raw[r * stride + 1:(r + 1) * stride] for r in range(0, height, 7)]
    # Filter bytes vary per row; the filtered bytes still differ wherever the image does, enough for a blank test.
    return len({row[c:c + channels] for row in rows for c in range(0, len(row), channels * 5)})


def _chunks(png: bytes) -> Iterator[int]:
    import struct

    i = 8
    while i < len(png):
        yield i
        i += 12 + struct.unpack(">I", png[i:i + 4])[0]


def test_dashboard_renders_real_data_in_chromium(gateway_url: str, tmp_path: Path) -> None:
    _make_traffic(gateway_url)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto(gateway_url + "/admin/ui")
            assert page.url.endswith("/admin/ui/login")
            page.fill("#admin_key", ADMIN_KEY)
            page.click("button[type=submit]")
            page.wait_for_url(gateway_url + "/admin/ui")
            assert ADMIN_KEY not in page.url
            tenant_row = page.locator("#budgets tr", has_text="Muster GmbH")
            cost = float(tenant_row.locator("td.cost").inner_text())
            pii = page.locator("#pii").inner_text()
            chart_lines = page.locator("#costs svg polyline").count()
            shot = page.screenshot(full_page=True, path=str(tmp_path / "dashboard.png"))
        finally:
            browser.close()
    assert cost > 0
    assert "IBAN" in pii
    assert chart_lines >= 1
    assert _distinct_colours(shot) > 20
