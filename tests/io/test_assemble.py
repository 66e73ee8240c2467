"""Tests of estates.io.assemble and ``python -m estates region build`` on the fixtures."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from estates.errors import InputError
from estates.io.assemble import RegionSources, build_region

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "national"
HOUSING = ROOT / "tests" / "fixtures" / "housing"


def _sources(**extra) -> RegionSources:
    return RegionSources(
        lsoa=FIX / "lsoa21.geojson", population=FIX / "lsoa-population.csv",
        ruc=FIX / "ruc21.csv", estates=FIX / "practice-estates.csv",
        workforce=FIX / "gp-workforce-practice.csv", catchments=FIX / "catchments.gpkg",
        libraries=FIX / "libraries.csv", postcodes=FIX / "postcodes.csv", **extra)


def test_build_sevenoaks(tmp_path):
    report = build_region(_sources(housing=HOUSING / "template_trajectory.csv"),
                          out=tmp_path, la_codes=["E07000111"], name="Sevenoaks test")
    meta = tomllib.loads((tmp_path / "region.toml").read_text())
    assert meta["name"] == "Sevenoaks test"
    for layer in ("practices", "catchments", "zones", "candidates", "housing"):
        assert (tmp_path / meta[layer]["file"]).exists()
    zones = gpd.read_file(tmp_path / "zones.geojson")
    # Sevenoaks 001A and 001B are in E07000111; 001C has a bad count and is left out;
    # Tonbridge and Malling 001A is another authority.
    assert sorted(zones["zone_code"]) == ["E01024445", "E01024446"]
    assert zones.set_index("zone_code").loc["E01024446", "pop_0_4"] == 2
    practices = pd.read_csv(tmp_path / "practices.csv").set_index("practice_code")
    assert sorted(practices.index) == ["G82001", "G82001B", "G82002"]
    # G82001 sits at its postcode TN13 3PN (552100, 155600); list 1000 and 5.5 GP FTE.
    assert practices.loc["G82001", ["easting", "northing"]].tolist() == [552100, 155600]
    assert practices.loc["G82001", "list_size"] == 1000
    assert practices.loc["G82001", "gp_fte"] == 5.5
    assert practices.loc["G82001B", "list_size"] == 0
    assert practices.loc["G82002", "list_85_plus"] == 10
    catch = gpd.read_file(tmp_path / "catchments.geojson")
    assert sorted(catch["practice_code"]) == ["G82001", "G82002"]
    cands = pd.read_csv(tmp_path / "candidates.csv")
    assert list(cands["name"]) == ["Sevenoaks Library"]
    assert cands["available_m2"].tolist() == [120]
    waiting = pd.read_csv(tmp_path / "candidates_without_area.csv")
    assert list(waiting["name"]) == ["Edenbridge Library"]
    assert any("candidates_without_area.csv" in w for w in report.warnings)
    housing = pd.read_csv(tmp_path / "housing_sites.csv")
    assert list(housing["site_ref"]) == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert housing["2026/27"].tolist() == [40, 0, 10, 0]
    assert report.counts["practices"] == 3
    assert any("E01024447" in w or "row 4" in w for w in report.warnings)


def test_build_read_back_with_region_reader(tmp_path):
    from estates.io.region import read_region

    build_region(_sources(), out=tmp_path, la_codes=["E07000111"])
    region = read_region(tmp_path)
    assert len(region.zones) == 2
    assert sorted(region.practices["practice_code"]) == ["G82001", "G82001B", "G82002"]
    assert len(region.candidates) == 1


def test_build_unknown_authority_raises(tmp_path):
    with pytest.raises(InputError, match="no LSOA found for E09999999"):
        build_region(_sources(), out=tmp_path, la_codes=["E09999999"])


def test_build_missing_inputs_raise(tmp_path):
    with pytest.raises(InputError, match="missing --lsoa"):
        build_region(RegionSources(), out=tmp_path, la_codes=["E07000111"])


def test_cli_region_build(tmp_path):
    out = tmp_path / "region"
    args = ["region", "build", "--out", str(out), "--la", "E07000111",
            "--lsoa", str(FIX / "lsoa21.geojson"), "--population",
            str(FIX / "lsoa-population.csv"), "--ruc", str(FIX / "ruc21.csv"),
            "--estates", str(FIX / "practice-estates.csv"), "--patients",
            str(FIX / "gp-reg-pat-prac-all.csv"), "--postcodes", str(FIX / "postcodes.csv")]
    proc = subprocess.run([sys.executable, "-m", "estates", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    practices = pd.read_csv(out / "practices.csv").set_index("practice_code")
    assert practices.loc["G82001", "list_size"] == 12345
    assert practices.loc["G82002", "list_size"] == 8000


def test_build_with_registrations_by_lsoa(tmp_path):
    from estates.io.region import read_region

    report = build_region(_sources(registrations=FIX / "gp-reg-pat-prac-lsoa-all.csv"),
                          out=tmp_path, la_codes=["E07000111"])
    region = read_region(tmp_path)
    reg = region.registrations.set_index(["practice_code", "zone_code"])["patients"]
    # ALL rows only (the MALE row is not added); an LSOA outside the region and a practice
    # outside it are left out with a warning; the "many" row is rejected by the reader
    assert reg.to_dict() == {("G82001", "E01024445"): 600.0, ("G82001", "E01024446"): 400.0,
                             ("G82002", "E01024446"): 300.0}
    assert any("registration row(s)" in w for w in report.warnings)
