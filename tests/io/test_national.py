"""Tests of estates.io.national: one tiny fixture per published layout, counted by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from estates.errors import InputError
from estates.io import national as nat

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "national"


def _accounted(imp: nat.NationalImport, used: int) -> None:
    assert imp.rows_read == used + len(imp.rejected)


def test_patients_totals():
    imp = nat.read_patients_totals(FIX / "gp-reg-pat-prac-all.csv")
    assert imp.table["list_size"].to_dict() == {"G82001": 12345.0, "G82002": 8000.0}
    assert imp.table.loc["G82002", "postcode"] == "TN8 1HX"
    reasons = dict(zip(imp.rejected["row"], imp.rejected["reason"], strict=True))
    assert "not a practice total" in reasons[1]
    assert "'n/a'" in reasons[4]
    _accounted(imp, 2)


def test_patients_five_year_bands():
    imp = nat.read_patients_five_year(FIX / "gp-reg-pat-prac-quin-age.csv")
    row = imp.table.loc["G82001"]
    # 0_4: 10 + 12; 5_14: 20 + 18; 15_44: 30; 45_64: 40; 65_74: 50; 75_84: 25; 85+: 5.
    assert [row[f"list_{b}"] for b in ("0_4", "5_14", "15_44", "45_64", "65_74", "75_84",
                                       "85_plus")] == [22, 38, 30, 40, 50, 25, 5]
    assert row["list_size"] == 210
    # The ALL row says 230: the difference is reported.
    assert any("210" in w and "230" in w for w in imp.warnings)
    assert "not a GP practice" in imp.rejected["reason"].iloc[-1]


def test_five_year_band_mapping():
    assert nat.five_year_band("0_4") == "0_4"
    assert nat.five_year_band("10_14") == "5_14"
    assert nat.five_year_band("60_64") == "45_64"
    assert nat.five_year_band("95+") == "85_plus"
    assert nat.five_year_band("ALL") is None


def test_epraccur_header_less_gp_practices_only():
    imp = nat.read_epraccur(FIX / "epraccur.csv")
    assert list(imp.table.index) == ["G82001", "G82002"]
    assert imp.table.loc["G82001", "practice_name"] == "THE SEVENOAKS PRACTICE"
    assert str(imp.table.loc["G82001", "open_date"]) == "1974-04-01"
    reasons = dict(zip(imp.rejected["row"], imp.rejected["reason"], strict=True))
    assert reasons[3].startswith("closed")
    assert "'8': not a GP practice" in reasons[4]
    _accounted(imp, 2)


def test_epraccur_wrong_layout_raises(tmp_path):
    path = tmp_path / "epraccur.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(InputError, match="not an ODS epraccur file"):
        nat.read_epraccur(path)


def test_gp_workforce_bands_and_fte():
    imp = nat.read_gp_workforce(FIX / "gp-workforce-practice.csv")
    g1 = imp.table.loc["G82001"]
    assert g1["gp_fte"] == 5.5 and g1["list_size"] == 1000
    assert g1["list_0_4"] == 58 and g1["list_85_plus"] == 20 and g1["list_15_44"] == 410
    # bands of G82002 sum to 500 = TOTAL_PATIENTS; G82001's sum to 1000.
    assert not any("age bands sum" in w for w in imp.warnings)
    assert imp.table.loc["G82002", "gp_fte"] != imp.table.loc["G82002", "gp_fte"]  # NaN
    assert any("TOTAL_GP_FTE not published" in w and "row 2" in w for w in imp.warnings)
    (reason,) = imp.rejected["reason"]
    assert "TOTAL_PATIENTS value 'x'" in reason
    _accounted(imp, 2)


def test_lsoa_boundaries_reprojected():
    imp = nat.read_lsoa_boundaries(FIX / "lsoa21.geojson")
    assert imp.table.crs.to_epsg() == 27700
    assert list(imp.table["zone_code"]) == ["E01024445", "E01024446", "E01024500"]
    # The Sevenoaks 001A box is 6 km x 6 km = 36 km2 (round trip through WGS84 within 0.1 %).
    assert imp.table.geometry.area.iloc[0] == pytest.approx(36e6, rel=1e-3)
    assert any("reprojected" in w for w in imp.warnings)


def test_population_single_years_into_bands():
    imp = nat.read_population_by_age(FIX / "lsoa-population.csv")
    a = imp.table.loc["E01024445"]
    # F0+F1+M0+M4 = 1+2+1+1; F5+M14 = 3+1; F15+F44+M30 = 4+5+1; F45+F64+M50 = 6+7+1;
    # F65+F74+M70 = 8+9+1; F75+F84+M80 = 10+11+1; F85+F90+M90 = 12+13+1.
    assert [a[f"pop_{b}"] for b in ("0_4", "5_14", "15_44", "45_64", "65_74", "75_84",
                                    "85_plus")] == [5, 4, 10, 14, 18, 22, 26]
    assert a["lad_code"] == "E07000111"
    assert any("row 1" in w and "99" in w and "100" in w for w in imp.warnings)
    (reason,) = imp.rejected["reason"]
    assert "'F90'" in reason and "'x'" in reason
    _accounted(imp, 3)


def test_ruc_codes_checked():
    imp = nat.read_ruc(FIX / "ruc21.csv")
    assert imp.table["ruc21"].to_dict() == {"E01024445": "UN1", "E01024446": "RSF1",
                                            "E01024500": "RLN1"}
    assert "'XX9'" in imp.rejected["reason"].iloc[0]


def test_catchments_gpkg():
    imp = nat.read_catchments(FIX / "catchments.gpkg")
    assert list(imp.table["practice_code"]) == ["G82001", "G82002", "G99999"]
    assert imp.table.geometry.area.iloc[0] == pytest.approx(8000 * 8000)


def test_postcodes_directory():
    imp = nat.read_postcodes(FIX / "postcodes.csv")
    assert imp.table.loc["TN8 1HX", ["easting", "northing"]].tolist() == [544600, 145900]
    assert "no grid reference" in imp.rejected["reason"].iloc[0]
    _accounted(imp, 3)


def test_libraries_placed_by_coordinates_or_postcode():
    pcs = nat.read_postcodes(FIX / "postcodes.csv").table
    imp = nat.read_libraries(FIX / "libraries.csv", postcodes=pcs)
    t = imp.table
    assert list(t["name"]) == ["Sevenoaks Library", "Edenbridge Library"]
    # Sevenoaks Library has no coordinates: TN13 1AA in the directory is (553000, 155000).
    assert t.geometry.x.tolist() == [553000.0, 544500.0]
    assert t["co_located"].tolist() == ["Kent History Centre; museum", ""]
    reasons = dict(zip(imp.rejected["row"], imp.rejected["reason"], strict=True))
    assert "closed (2016)" in reasons[3]
    assert "'ZZ99 9ZZ' not in the postcode directory" in reasons[4]
    assert t["available_m2"].iloc[0] == 120
    assert t["available_m2"].isna().tolist() == [False, True]
    assert any("available_m2" in w and "1 libraries" in w for w in imp.warnings)
    _accounted(imp, 2)


def test_practice_estates_template():
    imp = nat.read_practice_estates(FIX / "practice-estates.csv")
    t = imp.table
    assert list(t.index) == ["G82001", "G82001B", "G82002"]
    assert t.loc["G82001B", "parent_code"] == "G82001"
    assert t.loc["G82001", "gia_m2"] == 820 and t.loc["G82002", "clinical_rooms"] == 7
    reasons = dict(zip(imp.rejected["row"], imp.rejected["reason"], strict=True))
    assert "'G82404' is not a main site" in reasons[4]
    assert "'annexe'" in reasons[5] and "gia_m2 value 'x'" in reasons[5]
    _accounted(imp, 3)


def test_wrong_file_for_reader_names_columns():
    with pytest.raises(InputError, match="not a GP Workforce practice CSV.*Columns found"):
        nat.read_gp_workforce(FIX / "ruc21.csv")
    with pytest.raises(InputError, match="cannot be read as LSOA boundaries"):
        nat.read_lsoa_boundaries(FIX / "ruc21.csv")


def test_patients_by_lsoa_published_layout():
    imp = nat.read_patients_by_lsoa(FIX / "gp-reg-pat-prac-lsoa-all.csv")
    assert imp.rows_read == 7
    table = imp.table.set_index(["practice_code", "zone_code"])["patients"]
    assert table[("G82001", "E01024445")] == 600
    assert table[("G82002", "E01024446")] == 300  # the MALE row is not added to ALL
    assert len(imp.table) == 5
    reasons = dict(zip(imp.rejected["row"], imp.rejected["reason"], strict=True))
    assert "SEX 'MALE'" in reasons[4]
    assert "'many'" in reasons[7]
