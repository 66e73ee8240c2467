"""Today's published layouts and yesterday's, and files as they really come (issue 12, items 2
and 5): each fixture is counted by hand."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from pyproj import Transformer

from estates.errors import InputError
from estates.io import national as nat

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "national"


def _reasons(imp: nat.NationalImport) -> dict[int, str]:
    return dict(zip(imp.rejected["row"], imp.rejected["reason"], strict=True))


# ------------------------------------------------------------------- epraccur


def test_epraccur_todays_layout_reads_role_ro76_and_status_words():
    imp = nat.read_epraccur(FIX / "epraccur-2025.csv")
    # Rows 1-2 ACTIVE RO76; row 3 INACTIVE, row 4 DORMANT; row 5 role RO80 (not a practice).
    assert list(imp.table.index) == ["G82001", "G82002"]
    assert set(imp.table["status"]) == {"active"}
    reasons = _reasons(imp)
    assert reasons[3].startswith("closed") and "INACTIVE" in reasons[3]
    assert reasons[4].startswith("dormant")
    assert "'RO80': not a GP practice" in reasons[5]
    assert imp.rows_read == 2 + len(imp.rejected)


def test_epraccur_both_layouts_give_the_same_practices():
    old = nat.read_epraccur(FIX / "epraccur.csv")
    new = nat.read_epraccur(FIX / "epraccur-2025.csv")
    assert list(old.table.index) == list(new.table.index)
    assert old.table["postcode"].tolist() == new.table["postcode"].tolist()


def test_epraccur_include_inactive_keeps_closed_and_dormant_with_status():
    imp = nat.read_epraccur(FIX / "epraccur-2025.csv", include_inactive=True)
    assert imp.table["status"].to_dict() == {"G82001": "active", "G82002": "active",
                                             "G82099": "closed", "G82098": "dormant"}
    assert str(imp.table.loc["G82099", "close_date"]) == "2020-03-31"


# ------------------------------------------------------------------- patients


@pytest.mark.parametrize(("name", "sizes"), [
    ("gp-reg-pat-prac-all-2021.csv", {"G82001": 12100.0, "G82002": 7700.0}),
    ("gp-reg-pat-prac-all-2026.csv", {"G82001": 12400.0, "G82002": 7900.0}),
])
def test_patients_ccg_and_sub_icb_headers(name, sizes):
    imp = nat.read_patients_totals(FIX / name)
    assert imp.table["list_size"].to_dict() == sizes
    assert imp.rows_read == len(sizes) + len(imp.rejected)


def test_patients_sub_icb_total_row_rejected_with_reason():
    imp = nat.read_patients_totals(FIX / "gp-reg-pat-prac-all-2026.csv")
    assert "not a practice total" in _reasons(imp)[3]


# ------------------------------------------------------------------- postcodes


def test_postcodes_2025_east1m_north1m():
    imp = nat.read_postcodes(FIX / "postcodes-2025.csv")
    assert imp.table.loc["TN13 3PN", ["easting", "northing"]].tolist() == [552100, 155600]
    assert "east1m" in _reasons(imp)[3]


def test_postcodes_lat_long_only_converted_to_grid():
    imp = nat.read_postcodes(FIX / "postcodes-latlong.csv")
    # pcd 'TN133PN' becomes the pcds form. Expected grid reference from PROJ directly
    # (EPSG:4326 -> 27700, longitude first): checks the axis order and the wiring.
    ex, ny = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(
        0.186, 51.275)
    e, n = imp.table.loc["TN13 3PN", ["easting", "northing"]]
    assert abs(e - ex) < 1 and abs(n - ny) < 1
    assert 552000 < e < 553000 and 155000 < n < 156000  # Sevenoaks, by eye on a map
    assert any("lat/long" in w for w in imp.warnings)
    # ONSPD's 99.999999 latitude marks a postcode with no location.
    assert "no location" in _reasons(imp)[3]
    assert imp.rows_read == 2 + 1


def test_postcodes_without_any_coordinates_refused(tmp_path):
    f = tmp_path / "pcd.csv"
    f.write_text("pcds,oa21\nTN13 3PN,E00000001\n")
    with pytest.raises(InputError, match="no coordinate columns"):
        nat.read_postcodes(f)


# ------------------------------------------------------------------- libraries


def test_libraries_national_dataset_closed_mobile_prison_and_no_address():
    pcs = nat.read_postcodes(FIX / "postcodes.csv").table
    imp = nat.read_libraries(FIX / "libraries-national.csv", postcodes=pcs)
    assert sorted(imp.table["name"]) == ["Edenbridge Library", "Sevenoaks Library"]
    reasons = _reasons(imp)
    assert reasons[3] == "closed (2016)"
    assert "mobile library" in reasons[4]
    assert "prison library" in reasons[5]
    assert "no public address" in reasons[6]
    # The health flag of the national dataset becomes the co-location text.
    assert imp.table.set_index("name").loc["Sevenoaks Library", "co_located"] == "health"
    assert imp.rows_read == 2 + len(imp.rejected)
    # '[No registered public address]' was never taken for a postcode.
    assert not imp.table["postcode"].str.contains("[", regex=False).any()


def test_libraries_without_postcode_directory_say_none_placed():
    imp = nat.read_libraries(FIX / "libraries-national.csv")
    assert len(imp.table) == 0
    # Rows 1 and 2 are open static libraries known only by postcode: 0 of 2 placed.
    assert any("0 of 2 libraries" in w and "--postcodes" in w for w in imp.warnings)
    assert "no postcode directory was given" in _reasons(imp)[1]


def test_libraries_council_schema_still_read():
    pcs = nat.read_postcodes(FIX / "postcodes.csv").table
    imp = nat.read_libraries(FIX / "libraries.csv", postcodes=pcs)
    assert sorted(imp.table["name"]) == ["Edenbridge Library", "Sevenoaks Library"]
    assert _reasons(imp)[3] == "closed (2016)"


# ------------------------------------------------------------------- population workbook


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["LAD 2021 Code", "LAD 2021 Name", "LSOA 2021 Code", "LSOA 2021 Name", "Total",
          "F0", "F70", "M0", "M90"]


def test_population_workbook_data_sheet_found_by_header_and_named():
    data = _workbook({
        "Cover sheet": [["Lower layer Super Output Area population estimates"], ["Source: ONS"]],
        "Contents": [["Sheet", "Description"], ["Mid-2021 LSOA 2021", "estimates"]],
        "Mid-2021 LSOA 2021": [["Mid-2021 estimates"], [], HEADER,
                               ["E07000111", "Sevenoaks", "E01024445", "Sevenoaks 001A", 10,
                                1, 2, 3, 4]],
        "Mid-2022 LSOA 2021": [["Mid-2022 estimates"], [], HEADER,
                               ["E07000111", "Sevenoaks", "E01024445", "Sevenoaks 001A", 20,
                                2, 4, 6, 8]],
    })
    imp = nat.read_population_by_age(data, filename="sapelsoasyoa.xlsx")
    # The latest year's sheet: 0-4 = F0 2 + M0 6 = 8; 65-74 = F70 4; 85+ = M90 8.
    row = imp.table.loc["E01024445"]
    assert (row["pop_0_4"], row["pop_65_74"], row["pop_85_plus"]) == (8, 4, 8)
    assert any("'Mid-2022 LSOA 2021'" in w and "Mid-2021 LSOA 2021" in w
               for w in imp.warnings)


def test_population_workbook_without_data_sheet_says_so():
    data = _workbook({"Cover sheet": [["Title only"]], "Notes": [["a", "b"]]})
    with pytest.raises(InputError, match="no sheet of the workbook"):
        nat.read_population_by_age(data, filename="cover.xlsx")


# ------------------------------------------------------------------- LSOA boundaries


def _fc(code_field: str, features: list[tuple[str, list]]) -> str:
    return json.dumps({"type": "FeatureCollection",
                       "crs": {"type": "name",
                               "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
                       "features": [{"type": "Feature", "properties": {code_field: c},
                                     "geometry": {"type": "Polygon", "coordinates": ring}}
                                    for c, ring in features]})


SQUARE = [[[0, 0], [1000, 0], [1000, 1000], [0, 1000], [0, 0]]]
# A bow-tie: the ring crosses itself at (500, 500), the commonest invalidity in the wild.
BOWTIE = [[[2000, 0], [3000, 1000], [3000, 0], [2000, 1000], [2000, 0]]]


def test_lsoa_2011_refused_by_default(tmp_path):
    f = tmp_path / "lsoa11.geojson"
    f.write_text(_fc("LSOA11CD", [("E01000001", SQUARE)]))
    with pytest.raises(InputError, match="LSOA 2011 boundaries.*LSOA11CD.*LSOA 2021"):
        nat.read_lsoa_boundaries(f)


def test_lsoa_2011_used_when_asked_with_a_warning_naming_the_year(tmp_path):
    f = tmp_path / "lsoa11.geojson"
    f.write_text(_fc("LSOA11CD", [("E01000001", SQUARE)]))
    imp = nat.read_lsoa_boundaries(f, allow_2011=True)
    assert list(imp.table["zone_code"]) == ["E01000001"]
    assert any("LSOA 2011" in w for w in imp.warnings)


def test_invalid_polygons_repaired_counted_and_named(tmp_path):
    f = tmp_path / "lsoa21.geojson"
    f.write_text(_fc("LSOA21CD", [("E01000001", SQUARE), ("E01000002", BOWTIE)]))
    imp = nat.read_lsoa_boundaries(f)
    assert imp.table.geometry.is_valid.all()
    # The bow-tie is two triangles of 1000 x 500 / 2 = 250,000 m2 each: 500,000 m2 kept.
    assert imp.table.loc["E01000002"].geometry.area == pytest.approx(500_000)
    assert imp.warnings == ["1 invalid LSOA polygon(s) repaired (shapely make_valid): E01000002"]
    imp.table.geometry.union_all()  # no GEOS exception


def test_invalid_catchment_polygons_repaired(tmp_path):
    f = tmp_path / "catchments.geojson"
    f.write_text(_fc("practice_code", [("G1", SQUARE), ("G2", BOWTIE)]))
    imp = nat.read_catchments(f)
    assert imp.table.geometry.is_valid.all()
    assert any("E" not in w and "G2" in w for w in imp.warnings)
