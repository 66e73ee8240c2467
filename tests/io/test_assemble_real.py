"""region build with what real public data gives (issue 12, items 3, 4 and 8): epraccur used,
catchments derived when no polygons exist, ages from a district profile, no RUC; every
region written is one ``run`` accepts. Fixtures: tests/fixtures/national (Sevenoaks boxes:
E01024445 = 550-556 km E x 153-159 km N, E01024446 = 540-550 x 143-153)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.errors import InputError
from estates.io.assemble import RegionSources, build_region
from estates.io.region import read_region

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "national"


def _sources(**extra) -> RegionSources:
    base = dict(lsoa=FIX / "lsoa21.geojson", population=FIX / "lsoa-population.csv",
                ruc=FIX / "ruc21.csv", estates=FIX / "practice-estates.csv",
                workforce=FIX / "gp-workforce-practice.csv", postcodes=FIX / "postcodes.csv")
    base.update(extra)
    return RegionSources(**base)


def _runs(folder: Path) -> dict:
    region = read_region(folder)
    return evaluate(region, assumptions=Assumptions(base_year=2026, horizon_year=2030)).summary


# ------------------------------------------------------------------- epraccur (item 3)


def test_closed_or_dormant_practices_left_out_and_named(tmp_path):
    ods = tmp_path / "epraccur.csv"
    row = ('"{code}","{name}","Y59","QKS","","","","","","{pc}","19740401","","{status}","B",'
           '"91Q","20130401","","","","","","0","","","","RO76",""\n')
    ods.write_text(row.format(code="G82001", name="SEVENOAKS", pc="TN13 3PN", status="ACTIVE")
                   + row.format(code="G82002", name="EDENBRIDGE", pc="TN8 1HX",
                                status="DORMANT"))
    report = build_region(_sources(epraccur=ods), out=tmp_path / "r", la_codes=["E07000111"])
    practices = pd.read_csv(tmp_path / "r" / "practices.csv")
    assert sorted(practices["practice_code"]) == ["G82001", "G82001B"]
    assert any("G82002 (dormant)" in w and "left out" in w for w in report.warnings)
    _runs(tmp_path / "r")


def test_practices_of_the_patients_file_missing_from_the_template_listed(tmp_path):
    patients = tmp_path / "patients.csv"
    # G82007 at TN13 1AA (553000, 155000) lies in E01024445 but is not in the template;
    # G82008 has a postcode the directory does not hold: it cannot be placed, so not listed.
    patients.write_text("CODE,POSTCODE,NUMBER_OF_PATIENTS\nG82001,TN13 3PN,1000\n"
                        "G82002,TN8 1HX,500\nG82007,TN13 1AA,3000\nG82008,ZZ1 1ZZ,10\n")
    report = build_region(_sources(workforce=None, patients=patients), out=tmp_path / "r",
                          la_codes=["E07000111"])
    listed = [w for w in report.warnings if "not in the estates template" in w]
    assert len(listed) == 1 and "G82007" in listed[0] and "G82008" not in listed[0]


# ------------------------------------------------------------------- catchments (item 4)


def test_catchments_from_registrations_first_share_of_patients(tmp_path):
    # G82001: 600 in E01024445, 400 in E01024446 (1,000). At 80 % (800) both are needed
    # (600 < 800); at 50 % (500) the first, 600, suffices. G82002: 300 in E01024446 and 25
    # outside the region (325): 300 alone reaches 80 % of 325 = 260.
    zones = gpd.read_file(FIX / "lsoa21.geojson").to_crs(27700).set_index("LSOA21CD")
    a, b = zones.geometry["E01024445"].area, zones.geometry["E01024446"].area
    for share, expected in ((80, a + b), (50, a)):
        out = tmp_path / f"r{share}"
        build_region(_sources(registrations=FIX / "gp-reg-pat-prac-lsoa-all.csv"), out=out,
                     la_codes=["E07000111"], catchment_share_pct=share)
        cat = gpd.read_file(out / "catchments.geojson").set_index("practice_code")
        assert cat.geometry["G82001"].area == pytest.approx(expected, rel=1e-6)
        assert cat.geometry["G82002"].area == pytest.approx(b, rel=1e-6)
        meta = tomllib.loads((out / "region.toml").read_text())
        assert f"first {share} %" in meta["catchments"]["method"]
        assert read_region(out).catchment_method == meta["catchments"]["method"]
        _runs(out)


def test_catchments_by_nearest_surgery_checked_by_brute_force(tmp_path):
    report = build_region(_sources(), out=tmp_path, la_codes=["E07000111"])
    assert "Voronoi" in report.catchment_method
    meta = tomllib.loads((tmp_path / "region.toml").read_text())
    assert "nearer (straight line)" in meta["catchments"]["method"]
    cat = gpd.read_file(tmp_path / "catchments.geojson").set_index("practice_code")
    sites = pd.read_csv(tmp_path / "practices.csv")
    main = sites["practice_code"].where(sites["site_kind"] == "main", sites["parent_code"])
    xy = sites[["easting", "northing"]].to_numpy()
    # Sample points over the region: each lies in the catchment of the practice owning the
    # nearest site (a loop over every site, independent of the Voronoi construction).
    rng = np.random.default_rng(7)
    area = cat.geometry.union_all()
    for x, y in rng.uniform([540000, 143000], [556000, 159000], size=(300, 2)):
        p = Point(x, y)
        if not area.covers(p):
            continue
        nearest = main.iloc[int(np.argmin(np.hypot(xy[:, 0] - x, xy[:, 1] - y)))]
        assert cat.geometry[nearest].covers(p), (x, y, nearest)
    # The cells tile the region: their areas add up to its 36 + 100 km2.
    assert cat.geometry.area.sum() == pytest.approx(136e6, rel=1e-6)
    assert _runs(tmp_path)["practices"] == 2


# ------------------------------------------------------------------- what is missing


def test_build_names_what_is_missing(tmp_path):
    with pytest.raises(InputError, match="missing --estates"):
        build_region(RegionSources(lsoa=FIX / "lsoa21.geojson"), out=tmp_path,
                     la_codes=["E07000111"])
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("LSOA21CD,LAD22CD\nE01024445,E07000111\n")
    with pytest.raises(InputError, match="--population.*--age-profile"):
        build_region(_sources(population=None, lookup=lookup), out=tmp_path,
                     la_codes=["E07000111"])


# ------------------------------------------------------------------- ages from a profile


def test_ages_from_the_district_profile_and_no_ruc(tmp_path):
    x0, y0 = 512000.0, 103000.0  # Worthing
    square = [[[x0, y0], [x0 + 1000, y0], [x0 + 1000, y0 + 1000], [x0, y0 + 1000], [x0, y0]]]
    shifted = [[[x + 1000.0, y] for x, y in square[0]]]
    lsoa = tmp_path / "lsoa.geojson"
    lsoa.write_text(json.dumps({"type": "FeatureCollection", "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [{"type": "Feature", "properties": {"LSOA21CD": c, "LSOA21NM": c,
                                                         "Population": p},
                      "geometry": {"type": "Polygon", "coordinates": g}}
                     for c, p, g in (("E01000001", 1000, square), ("E01000002", 500, shifted))]}))
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("LSOA21CD,LAD22CD,LAD22NM\nE01000001,E07000229,Worthing\n"
                      "E01000002,E07000229,Worthing\n")
    estates = tmp_path / "estates.csv"
    estates.write_text("ODS_Code,ODS_Name,easting,northing,Patients\nH1,One,512500,103500,700\n"
                       "H2,Two,513500,103500,800\n")
    report = build_region(RegionSources(lsoa=lsoa, lookup=lookup, estates=estates,
                                        patients=estates,
                                        age_profile=FIX / "age-profile.json"),
                          out=tmp_path / "r", la_codes=["E07000229"])
    zones = gpd.read_file(tmp_path / "r" / "zones.geojson").set_index("zone_code")
    # Worthing's profile: 0-4 = 100 + 110 = 210; 5-14 = 90 + 60 = 150; 85+ = 30 + 20 = 50;
    # 410 in all. E01000001 (1,000 residents): 0-4 = 1000 x 210/410 = 512.2.
    assert zones.loc["E01000001", "pop_0_4"] == pytest.approx(1000 * 210 / 410)
    assert zones.loc["E01000002", "pop_85_plus"] == pytest.approx(500 * 50 / 410)
    bands = [c for c in zones.columns if c.startswith("pop_")]
    assert zones[bands].sum(axis=1).tolist() == pytest.approx([1000, 500])  # totals kept
    assert set(zones["ruc21"].fillna("")) == {""}
    assert any("age profile" in w for w in report.warnings)
    assert any("no --ruc" in w for w in report.warnings)
    s = _runs(tmp_path / "r")
    assert s["practices_without_floor_area"] == 2
    assert s["population"] == pytest.approx(1500)


def test_no_list_size_for_any_practice_fails_naming_it(tmp_path):
    patients = tmp_path / "patients.csv"
    patients.write_text("CODE,NUMBER_OF_PATIENTS\nX00001,100\n")
    with pytest.raises(InputError, match="no practice in the region has a list size.*G82001"):
        build_region(_sources(workforce=None, patients=patients), out=tmp_path / "r",
                     la_codes=["E07000111"])
