"""A region with no housing sites (built without --housing, or an empty upload) is ordinary:
run, the appraisal, the report and every dashboard screen work on it (issue 12, item 6)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.io.region import read_region
from estates.options.appraisal import appraise, default_options
from estates.report.html import build_report
from tests import regionkit

ROOT = Path(__file__).resolve().parents[1]
A = Assumptions(base_year=2026, horizon_year=2030)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # regionkit's manifest has no [housing] table: the region has no sites at all.
    return regionkit.write_region(tmp_path_factory.mktemp("regions") / "nohousing")


def test_run_writes_every_file_and_an_empty_sites_table(folder: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "estates", "run", "--region", str(folder),
                           "--out", str(tmp_path), "--quiet"], cwd=ROOT, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    sites = pd.read_csv(tmp_path / "sites.csv")
    assert len(sites) == 0 and "site_ref" in sites.columns
    summary = json.loads((tmp_path / "summary.json").read_text())
    # No homes: demand at the horizon is today's lists, 10,000 + 6,000 patients.
    assert summary["aggregate_demand"] == pytest.approx(16000)
    assert (tmp_path / "report.html").stat().st_size > 0


def test_appraisal_and_report_without_sites(folder: Path) -> None:
    region = read_region(folder)
    assert len(region.growth.sites) == 0
    base = evaluate(region, assumptions=A)
    assert len(base.sites) == 0
    table = appraise(region, None, A, default_options(region, base, k=1))
    assert "Do nothing" in set(table["option"])
    html = build_report(region, base)
    assert "<html" in html.lower()


@pytest.mark.parametrize("page", ["overview", "map", "housing", "practices", "options",
                                  "report", "assumptions"])
def test_every_page_renders_without_sites(page: str, folder: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTATES_REGION_ROOT", str(folder.parent))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["region_folder"] = folder.name
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
