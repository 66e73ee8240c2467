"""The HTML report opens offline in a real browser: map, polygons and tables, and runs no script
smuggled in through a site name.

The network is cut off for the page: every request that is not to the report file itself (or a
data:/about: URL inside it) is aborted and recorded, and the test fails on any.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, SCREENSHOTS

pytestmark = pytest.mark.e2e
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    demo = (ROOT / "data" / "demo" / "housing_sites.csv").read_text(encoding="utf-8")
    columns = demo.splitlines()[0].split(",")
    row = {c: "0" for c in columns}
    row.update({"site_ref": "XSS/1", "name": f'"{XSS}"', "easting": "572000",
                "northing": "155000", "dwellings": "40", "housing_type": "general",
                "2027/28": "40", "description": '"<script>alert(2)</script>"'})
    housing = out / "housing.csv"
    housing.write_text(demo.rstrip("\n") + "\n" + ",".join(row[c] for c in columns) + "\n",
                       encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "estates", "run", "--housing", str(housing), "--scenario",
         str(ROOT / "data" / "demo" / "scenarios" / "library_and_retirement_satellite.json"),
         "--out", str(out / "run"), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out / "run" / "report.html"


def test_report_offline(browser: Any, report: Path) -> None:
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, offline=True)
    blocked: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file://", "data:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(report.as_uri())
    pg.wait_for_load_state("load")
    pg.wait_for_timeout(500)
    assert dialogs == [], f"a script from a site name ran: {dialogs}"
    frame = pg.frame_locator("iframe[title='Interactive map']")
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    polygons = frame.locator("path.leaflet-interactive")
    polygons.first.wait_for(state="attached", timeout=30_000)
    assert polygons.count() > 40  # catchments, zones and markers drawn from inlined Leaflet
    assert pg.locator("table").count() >= 3
    assert "Headline figures" in pg.content()
    # the smuggled name is shown as text, never run
    assert XSS in pg.locator("body").inner_text()
    pg.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOTS / "report_offline.png"), full_page=False)
    context.close()
    assert blocked == [], f"the report tried to reach the network: {blocked[:5]}"
    assert dialogs == [] and errors == []
