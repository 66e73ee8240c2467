from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "estates", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    done = _run("run", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "[5/5] wrote" in done.stderr  # progress is shown
    return out


def test_run_writes_the_contract_files(demo_out: Path) -> None:
    for name in ("practices.csv", "catchments.geojson", "zones.csv", "sites.csv",
                 "summary.json", "report.html"):
        assert (demo_out / name).stat().st_size > 0, name


def test_summary_shows_the_demo_problem(demo_out: Path) -> None:
    s = json.loads((demo_out / "summary.json").read_text())
    for key in ("horizon_year", "aggregate_capacity", "aggregate_demand", "aggregate_headroom",
                "practices_in_deficit", "deficit_total", "misplaced_capacity",
                "unmet_demand_within_threshold", "assumptions"):
        assert key in s
    # Since the floor standard is net and floor areas gross (issue 11 item 2), the demo is
    # short of space in total too; the headline must still add up.
    assert s["aggregate_headroom"] == pytest.approx(
        s["aggregate_capacity"] - s["aggregate_demand"], abs=0.2)
    assert s["practices_in_deficit"] >= 3
    assert s["misplaced_capacity"] > 0
    # headline figures agree with the tables they summarise
    practices = pd.read_csv(demo_out / "practices.csv")
    assert s["aggregate_capacity"] == pytest.approx(practices["capacity"].sum(), rel=1e-5)
    assert s["practices_in_deficit"] == int((practices["headroom_horizon"] < 0).sum())
    zones = pd.read_csv(demo_out / "zones.csv")
    assert s["unmet_demand_within_threshold"] == pytest.approx(
        zones["unserved_within_threshold"].sum(), abs=1)
    for name, entry in s["assumptions"].items():
        assert entry["unit"] and entry["source"], name


def test_run_is_deterministic(demo_out: Path, tmp_path: Path) -> None:
    done = _run("run", "--out", str(tmp_path), "--quiet")
    assert done.returncode == 0, done.stderr
    for name in ("practices.csv", "catchments.geojson", "zones.csv", "sites.csv", "summary.json",
                 "report.html"):
        assert (tmp_path / name).read_bytes() == (demo_out / name).read_bytes(), name


def test_run_with_overrides_and_bad_overrides(tmp_path: Path) -> None:
    good = tmp_path / "a.json"
    good.write_text(json.dumps({"m2_per_patient": 0.08}))
    done = _run("run", "--out", str(tmp_path / "o"), "--assumptions", str(good), "--quiet")
    assert done.returncode == 0, done.stderr
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert s["assumptions"]["m2_per_patient"]["value"] == 0.08
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"occupancy_general": -2}))
    done = _run("run", "--out", str(tmp_path / "p"), "--assumptions", str(bad), "--quiet")
    assert done.returncode == 2
    assert "occupancy_general" in done.stderr and "must be above zero" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_with_a_missing_region(tmp_path: Path) -> None:
    done = _run("run", "--region", str(tmp_path / "none"), "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "no such folder" in done.stderr


def test_formula_in_a_site_name_is_neutralised_in_exports(tmp_path: Path) -> None:
    demo = (ROOT / "data" / "demo" / "housing_sites.csv").read_text(encoding="utf-8")
    cols = demo.splitlines()[0].split(",")
    row = {c: "0" for c in cols}
    row.update({"site_ref": "INJ/1", "name": '"=HYPERLINK(""http://evil.example"",""x"")"',
                "easting": "572000", "northing": "155000", "dwellings": "10",
                "housing_type": "general", "2027/28": "10", "description": "@SUM(A1)"})
    housing = tmp_path / "h.csv"
    housing.write_text(demo.rstrip("\n") + "\n" + ",".join(row[c] for c in cols) + "\n")
    done = _run("run", "--housing", str(housing), "--out", str(tmp_path / "o"), "--quiet")
    assert done.returncode == 0, done.stderr
    sites = pd.read_csv(tmp_path / "o" / "sites.csv")
    name = sites.loc[sites["site_ref"] == "INJ/1", "name"].iloc[0]
    assert name.startswith("'=HYPERLINK")
    for path in (tmp_path / "o").glob("*.csv"):
        for line in path.read_text().splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "@")), (path.name, cell)


def test_scenario_run_is_deterministic(tmp_path: Path) -> None:
    scenario = ROOT / "data" / "demo" / "scenarios" / "library_and_retirement_satellite.json"
    for name in ("a", "b"):
        done = _run("run", "--scenario", str(scenario), "--out", str(tmp_path / name), "--quiet")
        assert done.returncode == 0, done.stderr
    for path in (tmp_path / "a").iterdir():
        if path.suffix in (".csv", ".json", ".html", ".geojson"):
            assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_travel_time_surface_is_written(demo_out: Path) -> None:
    import numpy as np
    import rasterio

    practices = pd.read_csv(ROOT / "data" / "demo" / "practices.csv")
    with rasterio.open(demo_out / "travel_time_to_gp.tif") as src:
        minutes = src.read(1)
        assert src.crs.to_epsg() == 27700
        at_surgery = [minutes[src.index(x, y)] for x, y in
                      zip(practices["easting"], practices["northing"], strict=True)]
    assert np.allclose(at_surgery, 0.0)  # a surgery's own cell is 0 minutes away
    assert np.nanmax(minutes) > 15  # somewhere is well away from every surgery
    assert (minutes[np.isfinite(minutes)] >= 0).all()


def test_catchments_carry_headroom_by_year(demo_out: Path) -> None:
    import geopandas as gpd

    catch = gpd.read_file(demo_out / "catchments.geojson")
    practices = pd.read_csv(demo_out / "practices.csv").set_index("practice_code")
    assert catch.crs.to_epsg() == 4326  # RFC 7946 GeoJSON
    row = catch.iloc[0]
    for year in range(2026, 2037):
        assert row[f"headroom_{year}"] == pytest.approx(
            practices.loc[row["practice_code"], f"headroom_{year}"], rel=1e-5, abs=0.01)
