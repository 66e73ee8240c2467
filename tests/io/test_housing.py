"""Tests of estates.io.housing: the template, registers, every quirk, and the invariants."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import box

from estates.errors import InputError
from estates.io.housing import (
    HousingImport,
    HousingOptions,
    build_out,
    flag_outside,
    read_housing_sites,
)
from estates.model import HOUSING_TYPES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "housing"
EXAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "examples" / "brownfield"

# The published Helmert definition of British National Grid (OS "A guide to coordinate systems
# in Great Britain"): a different route from pyproj's default EPSG:27700 pipeline, good to a few
# metres, so it checks the reader's lat/lon independently.
_HELMERT_BNG = ("+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 "
                "+ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m")


def _helmert_to_wgs84(e: float, n: float) -> tuple[float, float]:
    lon, lat = Transformer.from_crs(_HELMERT_BNG, "EPSG:4326", always_xy=True).transform(e, n)
    return lat, lon


def _counts_add_up(imp: HousingImport) -> None:
    assert imp.rows_read == len(imp.accepted) + len(imp.rejected)
    rows = sorted(imp.accepted["row"].tolist() + imp.rejected["row"].tolist())
    assert rows == list(range(1, imp.rows_read + 1))


def _csv(text: str) -> bytes:
    return text.strip("\n").encode("utf-8") + b"\n"


# ------------------------------------------------------------------ the project's template


def test_template_trajectory_columns():
    imp = read_housing_sites(FIXTURES / "template_trajectory.csv")
    _counts_add_up(imp)
    assert imp.filename == "template_trajectory.csv"
    assert list(imp.accepted.index) == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert imp.accepted["dwellings"].tolist() == [120.0, 60.0, 30.0, 0.0]
    assert imp.accepted["housing_type"].tolist() == ["general", "retirement", "general",
                                                     "student"]
    assert not imp.accepted["housing_type_inferred"].any()
    assert imp.accepted.loc["SEV1", "phasing"] == "trajectory"
    assert imp.accepted.crs.to_epsg() == 27700
    assert imp.accepted.geometry.x.tolist() == [552300.0, 550900.0, 553100.0, 552000.0]
    traj = imp.trajectory
    assert list(traj.columns) == [2026, 2027, 2028]
    assert traj.loc["SEV1"].tolist() == [40.0, 40.0, 40.0]
    assert traj.loc["SEV2"].tolist() == [0.0, 30.0, 30.0]
    assert traj.loc["SEV4"].sum() == 0.0
    # SEV3 says 30 homes but its years add to 10 + 10 + 5 = 25: kept, and warned with both.
    assert traj.loc["SEV3"].tolist() == [10.0, 10.0, 5.0]
    assert any("row 3" in w and "25" in w and "30" in w for w in imp.warnings)
    assert any("zero dwellings" in w and "row 4" in w for w in imp.warnings)


def test_template_lat_lon_match_independent_transform():
    imp = read_housing_sites(FIXTURES / "template_trajectory.csv")
    for ref in imp.accepted.index:
        lat, lon = _helmert_to_wgs84(imp.accepted.loc[ref, "easting"],
                                     imp.accepted.loc[ref, "northing"])
        assert imp.accepted.loc[ref, "lat"] == pytest.approx(lat, abs=1e-4)
        assert imp.accepted.loc[ref, "lon"] == pytest.approx(lon, abs=1e-4)


def test_template_start_year_and_build_rate():
    imp = read_housing_sites(FIXTURES / "template_start_year.csv")
    _counts_add_up(imp)
    assert len(imp.accepted) == 4
    traj = imp.trajectory
    # 125 homes at 50 a year from 2028/29: 50, 50, 25.
    assert traj.loc["TW1"][traj.loc["TW1"] > 0].to_dict() == {2028: 50.0, 2029: 50.0,
                                                              2030: 25.0}
    # "2027/28", no build rate: the default 50 a year, then the remaining 14.
    assert traj.loc["TW2"][traj.loc["TW2"] > 0].to_dict() == {2027: 50.0, 2028: 14.0}
    assert any("build_rate empty" in w and "row 2" in w for w in imp.warnings)
    # A start date of 1 June 2029 is in financial year 2029/30; 15 Feb 2030 is too.
    assert traj.loc["TW3"][traj.loc["TW3"] > 0].to_dict() == {2029: 20.0, 2030: 20.0}
    assert traj.loc["TW4"][traj.loc["TW4"] > 0].to_dict() == {2029: 10.0}
    assert imp.accepted["housing_type"].tolist() == ["general", "care_home", "extra_care",
                                                     "general"]
    assert set(imp.accepted["phasing"]) == {"start_year"}
    # Tunbridge Wells lies near E 558-560k, N 139-142k.
    assert imp.accepted["easting"].between(555_000, 562_000).all()
    assert imp.accepted["northing"].between(137_000, 146_000).all()
    for ref in imp.accepted.index:
        lat, lon = imp.accepted.loc[ref, ["lat", "lon"]]
        e, n = Transformer.from_crs("EPSG:4326", _HELMERT_BNG, always_xy=True).transform(lon,
                                                                                        lat)
        assert imp.accepted.loc[ref, "easting"] == pytest.approx(e, abs=10)
        assert imp.accepted.loc[ref, "northing"] == pytest.approx(n, abs=10)


def test_trajectory_sums_to_dwellings_when_derived():
    for dwellings, rate in [(125, 50), (7, 50), (100, 25), (33.5, 10)]:
        traj = build_out(dwellings, 2030, rate)
        assert sum(traj.values()) == pytest.approx(dwellings)
        assert min(traj) == 2030
        assert all(v <= rate for v in traj.values())


def test_duplicate_site_ref_rejects_later_row_naming_first():
    data = _csv("""
site_ref,name,easting,northing,dwellings,housing_type,start_year,build_rate
A1,First,552300,155400,10,general,2027,10
B2,Other,552400,155500,10,general,2027,10
A1,Again,552500,155600,20,general,2027,10
""")
    imp = read_housing_sites(data, filename="dup.csv")
    _counts_add_up(imp)
    assert list(imp.accepted.index) == ["A1", "B2"]
    assert imp.accepted.loc["A1", "name"] == "First"
    (reason,) = imp.rejected.loc[imp.rejected["row"] == 3, "reason"]
    assert "duplicate site_ref 'A1'" in reason and "row 1" in reason


def test_rejections_name_column_and_value():
    data = _csv("""
site_ref,name,easting,northing,dwellings,housing_type,start_year,build_rate
R1,No location,,,10,general,2027,10
R2,Abroad,-3000000,9000000,10,general,2027,10
R3,Words,552300,155400,lots,general,2027,10
R4,Negative,552300,155400,-5,general,2027,10
R5,Zero,552300,155400,0,general,2027,10
R6,Odd type,552300,155400,10,mansion,2027,10
R7,Bad year,552300,155400,10,general,someday,10
R8,Bad rate,552300,155400,10,general,2027,0
,No ref,552300,155400,10,general,2027,10
""")
    imp = read_housing_sites(data, filename="bad.csv")
    _counts_add_up(imp)
    assert list(imp.accepted.index) == ["R5"]
    reasons = dict(zip(imp.rejected["row"], imp.rejected["reason"], strict=True))
    assert "no location" in reasons[1]
    assert "not in England" in reasons[2] and "-3000000" in reasons[2]
    assert "'dwellings'" in reasons[3] and "'lots'" in reasons[3]
    assert "negative" in reasons[4] and "'-5'" in reasons[4]
    assert "'mansion'" in reasons[6] and "housing type" in reasons[6]
    assert "'someday'" in reasons[7] and "start_year" in reasons[7]
    assert "build_rate" in reasons[8] and "'0'" in reasons[8]
    assert "'site_ref' is empty" in reasons[9]


def test_to_json_dict_is_the_design_contract():
    imp = read_housing_sites(_csv("""
site_ref,name,easting,northing,dwellings,housing_type,2026/27
K1,Kemsing,552300,155400,12,general,12
K1,Again,552300,155400,12,general,12
"""), filename="k.csv")
    out = json.loads(json.dumps(imp.to_json_dict()))
    assert set(out) == {"rows_read", "accepted", "rejected", "warnings"}
    assert out["rows_read"] == 2
    assert list(out["accepted"][0]) == ["row", "site_ref", "name", "lat", "lon", "easting",
                                        "northing", "dwellings", "housing_type"]
    assert out["accepted"][0]["row"] == 1 and out["accepted"][0]["dwellings"] == 12
    assert out["accepted"][0]["easting"] == 552300
    assert out["rejected"][0]["row"] == 2 and "duplicate" in out["rejected"][0]["reason"]
    assert all(isinstance(w, str) for w in out["warnings"])


def test_to_growth_matches_accepted():
    imp = read_housing_sites(FIXTURES / "template_trajectory.csv")
    growth = imp.to_growth()
    assert list(growth.sites.index) == list(imp.accepted.index)
    assert {"site_ref", "name", "dwellings", "housing_type"} <= set(growth.sites.columns)
    assert set(growth.sites["housing_type"]) <= set(HOUSING_TYPES)
    comp = growth.completions([2026, 2027, 2028, 2029])
    assert comp.loc["SEV2"].tolist() == [0.0, 30.0, 30.0, 0.0]
    assert comp.to_numpy().sum() == 120 + 60 + 25


def test_flag_outside_keeps_and_warns():
    imp = read_housing_sites(FIXTURES / "template_trajectory.csv")
    # A box that holds every site but SEV2 (northing 159000).
    flagged = flag_outside(imp, box(540_000, 150_000, 560_000, 158_000))
    assert flagged.accepted["in_region"].tolist() == [True, False, True, True]
    assert len(flagged.accepted) == 4
    assert any("outside the region" in w and "row 2" in w for w in flagged.warnings)
    assert "in_region" not in imp.accepted.columns


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary\x00", "not a CSV or XLSX"),
        (b"\xd0\xcf\x11\xe0old excel", r"\.xls"),
        (b"PK\x03\x04not really a zip", "Excel workbook"),
        (b"colour,shape\nred,round\n", "not a recognisable housing-site file"),
        (b"site_ref,name,dwellings\nA,B,1\n", "no column for a location"),
        (b"site_ref,easting,northing\nA,552300,155400\n", "number of dwellings"),
    ],
)
def test_unreadable_files_raise_input_error(data, match):
    with pytest.raises(InputError, match=match) as info:
        read_housing_sites(data, filename="upload.csv")
    assert "upload.csv" in str(info.value)


def test_missing_path_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_housing_sites(tmp_path / "nope.csv")


def test_bad_options_raise_input_error():
    with pytest.raises(InputError, match="dwellings_field"):
        HousingOptions(dwellings_field="median")
    with pytest.raises(InputError, match="phasing_build_rate"):
        HousingOptions(phasing_build_rate=0)
    with pytest.raises(InputError, match="phasing_other_start_offset"):
        HousingOptions(phasing_other_start_offset=-1)


def test_template_field_on_register_raises():
    data = _csv("""
SiteReference,SiteNameAddress,GeoX,GeoY,MinNetDwellings
S1,Somewhere,552300,155400,10
""")
    with pytest.raises(InputError, match="dwellings_field='template'"):
        read_housing_sites(data, filename="r.csv",
                           options=HousingOptions(dwellings_field="template"))


def test_row_numbers_are_data_rows():
    imp = read_housing_sites(FIXTURES / "template_trajectory.csv")
    assert imp.accepted["row"].tolist() == [1, 2, 3, 4]
    assert np.issubdtype(imp.accepted["row"].dtype, np.integer)
