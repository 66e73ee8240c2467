"""The real region in the box, data/worthing_adur (issue 12, item 8): it reads, runs, and its
README's figures are the tool's; rebuilt from ../shared/real when present (skipped otherwise:
tests/io/test_assemble_real.py covers the same cases on the project's own fixtures)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.io.assemble import RegionSources, build_region
from estates.io.region import read_region

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "data" / "worthing_adur"
REAL = Path(os.environ.get("ESTATES_REAL_DATA", ROOT.parent / "shared" / "real"))
needs_folder = pytest.mark.skipif(not FOLDER.exists(), reason="data/worthing_adur not built")


@pytest.fixture(scope="module")
def summary() -> dict:
    return evaluate(read_region(FOLDER), assumptions=Assumptions()).summary


@needs_folder
def test_small_enough_to_ship():
    assert sum(f.stat().st_size for f in FOLDER.iterdir()) < 2_000_000


@needs_folder
def test_reads_and_runs_with_capacity_unknown(summary):
    assert summary["synthetic"] is False
    assert summary["practices"] == 12 and summary["zones"] == 110
    assert summary["practices_without_floor_area"] == 12
    for key in ("aggregate_capacity", "aggregate_headroom", "misplaced_capacity"):
        assert summary[key] is None
    # Demand needs no floor area: the registered lists added up from practices.csv.
    lists = pd.read_csv(FOLDER / "practices.csv")["list_size"].sum()
    assert summary["aggregate_demand_base"] == pytest.approx(lists)


@needs_folder
def test_readme_figures_are_the_tools(summary):
    text = (FOLDER / "README.md").read_text()
    head = re.search(r"(\d+) LSOAs \(2021\), ([\d,]+) residents.*?(\d+) GP practices with "
                     r"([\d,]+) registered", text, re.S)
    assert head is not None
    zones, residents, practices, registered = head.groups()
    assert int(zones) == summary["zones"]
    assert float(residents.replace(",", "")) == summary["population"]
    assert int(practices) == summary["practices"]
    assert float(registered.replace(",", "")) == summary["registered_list"]
    assert f"`practices_without_floor_area` = {summary['practices_without_floor_area']}" in text


@needs_folder
def test_catchment_method_named(summary):
    region = read_region(FOLDER)
    assert "Voronoi" in region.catchment_method
    catchments = gpd.read_file(FOLDER / "catchments.geojson")
    assert sorted(catchments["practice_code"]) == sorted(
        region.main_practices["practice_code"])


@needs_folder
def test_cli_run_on_the_committed_folder(tmp_path):
    done = subprocess.run([sys.executable, "-m", "estates", "run", "--region", str(FOLDER),
                           "--out", str(tmp_path), "--quiet"], cwd=ROOT, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "12 practices without floor area" in done.stdout
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["aggregate_capacity"] is None
    report = (tmp_path / "report.html").read_text()
    assert "Voronoi" in report and "n/a" in report


@pytest.mark.skipif(not (REAL / "sussex-lsoa21.geojson").exists(),
                    reason=f"{REAL} not present (the shared files live beside the repository)")
def test_rebuilt_from_the_real_files_matches_the_folder(tmp_path):
    report = build_region(RegionSources(
        lsoa=REAL / "sussex-lsoa21.geojson", lookup=REAL / "sussex-ltla.geojson",
        age_profile=REAL / "sussex-census2021-age-by-district.json",
        estates=REAL / "sussex-gp-locations.csv", patients=REAL / "sussex-gp-locations.csv",
        epraccur=REAL / "epraccur-2020.csv", libraries=REAL / "libraries-england-2023.csv"),
        out=tmp_path, la_codes=["E07000229", "E07000223"],
        name="Worthing and Adur (real public data)")
    assert any("7 invalid LSOA polygon(s) repaired" in w for w in report.warnings)
    assert any("0 of 2990 libraries" in w for w in report.warnings)
    built = pd.read_csv(tmp_path / "practices.csv")
    pd.testing.assert_frame_equal(built, pd.read_csv(FOLDER / "practices.csv"))
    # Independent check of the LSOAs and residents: the boundary file's own names and
    # Population column, for the LSOAs named 'Worthing ...' or 'Adur ...'.
    lsoa = gpd.read_file(REAL / "sussex-lsoa21.geojson")
    mine = lsoa[lsoa["LSOA21NM"].str.match(r"(Worthing|Adur) \d")]
    zones = gpd.read_file(tmp_path / "zones.geojson")
    assert sorted(zones["zone_code"]) == sorted(mine["LSOA21CD"])
    bands = [c for c in zones.columns if c.startswith("pop_")]
    assert zones[bands].to_numpy().sum() == pytest.approx(mine["Population"].sum())
    # List sizes are the source file's Patients of each practice kept, unchanged.
    gp = pd.read_csv(REAL / "sussex-gp-locations.csv")
    assert built["list_size"].sum() == gp.set_index("ODS_Code").loc[
        built["practice_code"], "Patients"].sum()
