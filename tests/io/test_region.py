from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from estates.errors import InputError
from estates.io.region import read_region
from tests import regionkit as kit


def test_reads_a_valid_region(tmp_path: Path) -> None:
    region = read_region(kit.write_region(tmp_path / "r"))
    assert region.name == "Tiny test region"
    assert region.synthetic
    assert list(region.practices.index) == ["P1", "P2", "P1B"]
    assert region.practices.crs.to_epsg() == 27700
    assert region.practices.loc["P1", "gia_m2"] == 700.0
    # an empty optional number stays missing, not zero
    assert np.isnan(region.practices.loc["P1B", "gp_fte"])
    assert len(region.zones) == 4 and len(region.catchments) == 2
    assert region.zones.loc["Z2", "ruc21"] == "RSN1"
    assert region.candidates.loc["L1", "available_m2"] == 150
    assert len(region.growth.sites) == 0


def _problems(folder: Path) -> str:
    with pytest.raises(InputError) as info:
        read_region(folder)
    return str(info.value)


def test_missing_folder_and_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        read_region(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"region\.toml: missing"):
        read_region(tmp_path / "empty")


def test_bad_toml(tmp_path: Path) -> None:
    folder = kit.write_region(tmp_path / "r", manifest="name = [unclosed")
    with pytest.raises(InputError, match="not valid TOML"):
        read_region(folder)


def test_missing_section_and_file(tmp_path: Path) -> None:
    manifest = kit.MANIFEST.replace('[zones]\nfile = "zones.geojson"\n', "").replace(
        "catchments.geojson", "nothere.geojson")
    text = _problems(kit.write_region(tmp_path / "r", manifest=manifest))
    assert "no [zones] section" in text
    assert "nothere.geojson: the catchments file does not exist" in text


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    df = kit.practices().astype(object)
    df.loc[1, "practice_code"] = "P1"          # duplicate code
    df.loc[0, "gia_m2"] = -5                   # negative floor area
    df.loc[2, "parent_code"] = "NOPE"          # branch without a real parent
    df.loc[0, "easting"] = "abc"               # bad coordinate
    text = _problems(kit.write_region(tmp_path / "r", practices_df=df))
    assert "practices.csv, row 2, column 'practice_code': duplicate practice_code (first seen on row 1) (value 'P1')" in text
    assert "row 1, column 'gia_m2': negative m2 (value '-5')" in text
    assert "row 3, column 'parent_code': the branch's parent practice does not exist" in text
    assert "row 1, column 'easting': coordinate is not a number (value 'abc')" in text
    assert "row 1, column 'geometry'" not in text  # the bad coordinate is reported once


def test_missing_columns(tmp_path: Path) -> None:
    df = kit.practices().drop(columns=["site_kind", "list_size"])
    text = _problems(kit.write_region(tmp_path / "r", practices_df=df))
    assert "missing column(s) site_kind, list_size" in text


def test_floor_area_and_rooms_may_be_unknown(tmp_path: Path) -> None:
    # No national file holds floor area: a region without it loads, the cells are NaN.
    df = kit.practices().drop(columns=["clinical_rooms"]).astype(object)
    df.loc[1, "gia_m2"] = ""
    region = read_region(kit.write_region(tmp_path / "r", practices_df=df))
    assert region.practices["clinical_rooms"].isna().all()
    assert region.practices["gia_m2"].isna().tolist() == [False, True, False]


def test_not_a_number_and_empty_required(tmp_path: Path) -> None:
    df = kit.practices().astype(object)
    df["list_size"] = df["list_size"].astype(object)
    df.loc[0, "list_size"] = "lots"
    df.loc[1, "clinical_rooms"] = "four"
    text = _problems(kit.write_region(tmp_path / "r", practices_df=df))
    assert "row 1, column 'list_size': not a number (value 'lots')" in text
    assert "row 2, column 'clinical_rooms': not a number (value 'four')" in text


def test_branch_with_list_and_main_with_parent(tmp_path: Path) -> None:
    df = kit.practices().astype(object)
    df.loc[2, "list_size"] = 500
    df.loc[1, "parent_code"] = "P1"
    text = _problems(kit.write_region(tmp_path / "r", practices_df=df))
    assert "row 3, column 'list_size': a branch site carries a list" in text
    assert "row 2, column 'parent_code': a main site cannot have a parent practice" in text


def test_site_kind_and_branch_without_parent(tmp_path: Path) -> None:
    df = kit.practices().astype(object)
    df.loc[0, "site_kind"] = "hub"
    df.loc[2, "parent_code"] = ""
    text = _problems(kit.write_region(tmp_path / "r", practices_df=df))
    assert "row 1, column 'site_kind': site_kind must be 'main' or 'branch'" in text
    assert "row 3, column 'parent_code': a branch site needs its parent practice" in text


def test_age_bands_must_add_up(tmp_path: Path) -> None:
    df = kit.practices().astype(object)
    for band, share in zip(["0_4", "5_14", "15_44", "45_64", "65_74", "75_84", "85_plus"],
                           [0.1, 0.1, 0.3, 0.2, 0.1, 0.1, 0.1], strict=True):
        df[f"list_{band}"] = df["list_size"] * share
    read_region(kit.write_region(tmp_path / "ok", practices_df=df))
    df.loc[0, "list_0_4"] += 100
    text = _problems(kit.write_region(tmp_path / "bad", practices_df=df))
    assert "row 1, column 'list_size': the age-band lists add up to 10100" in text


def test_invalid_empty_and_wrong_geometry(tmp_path: Path) -> None:
    zones = kit.zones()
    bowtie = [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]
    zones["features"][0]["geometry"]["coordinates"] = bowtie
    zones["features"][1]["geometry"] = None
    zones["features"][2]["geometry"] = {"type": "Point", "coordinates": [550000, 150000]}
    text = _problems(kit.write_region(tmp_path / "r", zones_fc=zones))
    assert "zones.geojson, row 1, column 'geometry': invalid geometry (Self-intersection" in text
    assert "row 2, column 'geometry': empty or missing geometry" in text
    assert "row 3, column 'geometry': geometry is a Point, not a Polygon" in text


def test_unknown_crs_and_no_crs(tmp_path: Path) -> None:
    manifest = kit.MANIFEST.replace('crs = "EPSG:27700"', 'crs = "EPSG:999999"', 1)
    text = _problems(kit.write_region(tmp_path / "r", manifest=manifest))
    assert "unknown CRS 'EPSG:999999'" in text
    manifest = kit.MANIFEST.replace('crs = "EPSG:27700"\n', "", 1)
    text = _problems(kit.write_region(tmp_path / "r2", manifest=manifest))
    assert "[practices] gives no crs" in text


def test_vector_without_crs(tmp_path: Path) -> None:
    zones = kit.zones()
    del zones["crs"]  # GeoJSON without a crs member is WGS84 by the standard...
    folder = kit.write_region(tmp_path / "r", zones_fc=zones)
    # ...so BNG metres read as degrees become a CRS error when reprojected
    with pytest.raises(Exception):  # noqa: B017 - pyproj raises on impossible degrees
        read_region(folder)


def test_reprojects_wgs84_points_with_a_warning(tmp_path: Path) -> None:
    df = kit.practices().astype(object)
    df["easting"], df["northing"] = [0.5, 0.5, 0.52], [51.3, 51.25, 51.3]
    manifest = kit.MANIFEST.replace('crs = "EPSG:27700"', 'crs = "EPSG:4326"', 1)
    region = read_region(kit.write_region(tmp_path / "r", manifest=manifest, practices_df=df))
    assert region.practices.crs.to_epsg() == 27700
    assert any("reprojected from EPSG:4326" in w for w in region.warnings)
    # 0.5 E 51.3 N lies near Maidstone: about E 575,000 N 158,000 in BNG
    x, y = region.practices.geometry.iloc[0].x, region.practices.geometry.iloc[0].y
    assert 570_000 < x < 580_000 and 155_000 < y < 165_000


def test_catchment_for_unknown_practice_and_bad_ruc(tmp_path: Path) -> None:
    c = kit.catchments()
    c["features"][1]["properties"]["practice_code"] = "P1B"  # a branch, not a main site
    z = kit.zones()
    z["features"][0]["properties"]["ruc21"] = "C1"
    text = _problems(kit.write_region(tmp_path / "r", catchments_fc=c, zones_fc=z))
    assert "catchments.geojson, row 2, column 'practice_code': catchment for a practice that is not a main site" in text
    assert "zones.geojson, row 1, column 'ruc21': unknown Rural-Urban Classification code (value 'C1')" in text


def test_rasters(tmp_path: Path) -> None:
    folder = kit.write_region(tmp_path / "r", manifest=kit.MANIFEST
                              + '\n[population_raster]\nfile = "pop.tif"\n'
                              + '\n[friction_raster]\nfile = "fr.tif"\n')
    text = _problems(folder)
    assert "pop.tif: the population raster file does not exist" in text
    profile = dict(driver="GTiff", width=4, height=4, count=1, dtype="float32",
                   transform=from_origin(548000, 162000, 100, 100))
    with rasterio.open(folder / "pop.tif", "w", crs="EPSG:27700", **profile) as dst:
        dst.write(np.ones((1, 4, 4), dtype="float32"))
    with rasterio.open(folder / "fr.tif", "w", crs="EPSG:4326", **profile) as dst:
        dst.write(np.ones((1, 4, 4), dtype="float32"))
    text = _problems(folder)
    assert "fr.tif: the raster is in EPSG:4326, not EPSG:27700" in text
    (folder / "fr.tif").write_bytes(b"not a tiff")
    text = _problems(folder)
    assert "fr.tif: not a readable GeoTIFF" in text


def test_registrations_layer(tmp_path: Path) -> None:
    folder = kit.write_region(tmp_path / "r", manifest=kit.MANIFEST
                              + '\n[registrations]\nfile = "registrations.csv"\n')
    (folder / "registrations.csv").write_text(
        "practice_code,zone_code,patients\nP1,Z1,900\nP2,Z3,400\n")
    region = read_region(folder)
    assert region.registrations is not None
    assert list(region.registrations["patients"]) == [900.0, 400.0]
    (folder / "registrations.csv").write_text(
        "practice_code,zone_code,patients\nP1B,Z1,9\nP1,Z99,1\nP1,Z1,-3\n")
    text = _problems(folder)
    assert "registrations.csv, row 3, column 'patients': negative patients (value '-3')" in text
    (folder / "registrations.csv").write_text(
        "practice_code,zone_code,patients\nP1B,Z1,9\nP1,Z99,1\nP2,Z1,2\nP2,Z1,3\n")
    text = _problems(folder)
    assert "row 1, column 'practice_code': not a main practice in the practices file (value 'P1B')" in text
    assert "row 2, column 'zone_code': not a zone in the zones file (value 'Z99')" in text
    assert "row 4, column 'zone_code': the same practice and zone appear twice" in text


def test_unreadable_csv_layer(tmp_path: Path) -> None:
    folder = kit.write_region(tmp_path / "r")
    (folder / "practices.csv").write_text("")
    text = _problems(folder)
    assert "practices.csv: cannot be read as CSV" in text and "Save it as UTF-8 CSV" in text
