"""Hostile region folders (issue 18): region.toml checked by a schema, layer paths kept inside
the folder, rasters checked when the region is read, and layers that would give a confident
wrong headline (empty, swapped, all-zero population, implausible floor area) named."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from estates.assumptions import Assumptions
from estates.engine.misplaced import max_served
from estates.errors import InputError
from estates.io.region import read_region
from tests import regionkit

TOML = regionkit.MANIFEST


def _region(tmp_path: Path, manifest: str = TOML, **kw: object) -> Path:
    return regionkit.write_region(tmp_path / "r", manifest=manifest, **kw)  # type: ignore[arg-type]


def _problems(folder: Path) -> str:
    with pytest.raises(InputError) as err:
        read_region(folder)
    return str(err.value)


# ------------------------------------------------------------------ region.toml


def test_synthetic_as_text_refused(tmp_path: Path) -> None:
    # Before: synthetic = "no" was read as true (a non-empty string).
    text = _problems(_region(tmp_path, TOML.replace("synthetic = true", 'synthetic = "no"')))
    assert "synthetic must be true or false" in text and "'no'" in text


def test_name_as_a_number_refused(tmp_path: Path) -> None:
    text = _problems(_region(tmp_path, TOML.replace('name = "Tiny test region"', "name = 5")))
    assert "name must be text in quotes" in text and "(value 5)" in text


def test_unknown_keys_reported(tmp_path: Path) -> None:
    # Before: ignored without a word, so a typo such as `synthtic` went unseen.
    region = read_region(_region(tmp_path, TOML.replace("synthetic = true", "synthtic = true")
                                 .replace('[zones]\nfile = "zones.geojson"',
                                          '[zones]\nfile = "zones.geojson"\nfiel = "x"')))
    assert region.synthetic is False  # the key was not understood, so not taken as true
    assert any("unknown key 'synthtic'" in w for w in region.warnings)
    assert any("[zones] unknown key(s) 'fiel'" in w for w in region.warnings)


def test_layer_path_outside_the_folder_not_read_nor_echoed(tmp_path: Path) -> None:
    # Before: `../../etc/passwd` was read, and a line of it echoed in the error.
    secret = tmp_path / "secret.csv"
    secret.write_text("practice_code,SECRET-LINE-42\n")
    folder = _region(tmp_path, TOML.replace('file = "practices.csv"',
                                            'file = "../secret.csv"'))
    text = _problems(folder)
    assert "[practices] file '../secret.csv' lies outside the region folder" in text
    assert "SECRET-LINE-42" not in text


def test_absolute_layer_path_refused(tmp_path: Path) -> None:
    text = _problems(_region(tmp_path, TOML.replace('file = "zones.geojson"',
                                                    'file = "/etc/passwd"')))
    assert "[zones] file '/etc/passwd' lies outside the region folder" in text
    assert "root:" not in text


def test_symlink_out_of_the_folder_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.geojson"
    outside.write_text(json.dumps(regionkit.zones()))
    folder = _region(tmp_path, TOML.replace('file = "zones.geojson"', 'file = "link.geojson"'))
    (folder / "link.geojson").symlink_to(outside)
    text = _problems(folder)
    assert "[zones] file 'link.geojson' lies outside the region folder (through a symbolic " \
           "link)" in text


def test_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    folder = _region(tmp_path, TOML.replace('file = "zones.geojson"', 'file = "link.geojson"'))
    (folder / "link.geojson").symlink_to(folder / "zones.geojson")
    assert len(read_region(folder).zones) == 4


# ------------------------------------------------------------------ rasters


def _write_raster(path: Path, width: int, height: int, *, fill: float | None,
                  nodata: float = -9999.0) -> None:
    import rasterio
    from rasterio.transform import from_origin

    profile = {"driver": "GTiff", "width": width, "height": height, "count": 1,
               "dtype": "float32", "crs": "EPSG:27700", "nodata": nodata,
               "transform": from_origin(548000, 162000, 10, 10), "tiled": True,
               "blockxsize": 512, "blockysize": 512, "compress": "deflate", "sparse_ok": True}
    with rasterio.open(path, "w", **profile) as dst:
        if fill is not None:
            dst.write(np.full((1, height, width), fill, dtype="float32"))


def test_huge_friction_raster_refused_when_the_region_is_read(tmp_path: Path) -> None:
    # Before: a 200,000 x 200,000 raster (a few MB on disk) was accepted, then failed with a
    # 149 GiB allocation after the other outputs were written.
    folder = _region(tmp_path, TOML + '\n[friction_raster]\nfile = "friction.tif"\n')
    _write_raster(folder / "friction.tif", 200_000, 200_000, fill=None)
    assert (folder / "friction.tif").stat().st_size < 20_000_000
    text = _problems(folder)
    assert "200,000 x 200,000 cells (40,000,000,000)" in text and "friction.tif" in text


def test_all_nodata_friction_raster_refused(tmp_path: Path) -> None:
    # Before: accepted; with travel_method raster every zone was "unreachable" and all demand
    # unmet.
    folder = _region(tmp_path, TOML + '\n[friction_raster]\nfile = "friction.tif"\n')
    _write_raster(folder / "friction.tif", 1400, 1400, fill=-9999.0)
    assert "every cell of the friction raster is nodata" in _problems(folder)


def test_friction_raster_with_one_valid_cell_accepted(tmp_path: Path) -> None:
    import rasterio

    folder = _region(tmp_path, TOML + '\n[friction_raster]\nfile = "friction.tif"\n')
    path = folder / "friction.tif"
    _write_raster(path, 1400, 1400, fill=-9999.0)
    with rasterio.open(path, "r+") as dst:  # one cell in the last block holds data
        block = dst.read(1)
        block[1399, 1399] = 0.002
        dst.write(block, 1)
    assert read_region(folder).friction_raster == path


# ------------------------------------------------------------------ layers


def test_zones_with_no_features_named(tmp_path: Path) -> None:
    # Before: KeyError traceback.
    text = _problems(_region(tmp_path, zones_fc=regionkit.feature_collection([])))
    assert "the zones layer has no features" in text and "zones.geojson" in text


def test_catchments_with_no_features_named(tmp_path: Path) -> None:
    text = _problems(_region(tmp_path, catchments_fc=regionkit.feature_collection([])))
    assert "the catchments layer has no features" in text


def _swapped_zones() -> dict[str, object]:
    # The tiny zones near Sevenoaks in degrees (about lat 51.27, lon 0.19), written
    # [lat, lon] instead of GeoJSON's [lon, lat].
    fc = regionkit.zones()
    for k, feat in enumerate(fc["features"]):
        lat, lon = 51.26 + 0.01 * (k // 2), 0.17 + 0.02 * (k % 2)
        ring = [[lat, lon], [lat, lon + 0.02], [lat + 0.01, lon + 0.02], [lat + 0.01, lon],
                [lat, lon]]
        feat["geometry"]["coordinates"] = [ring]
    fc.pop("crs")  # GeoJSON without a crs member is EPSG:4326
    return fc


def test_zones_with_latitude_and_longitude_swapped_named(tmp_path: Path) -> None:
    # Before: only "reprojected"; every zone then lay in the sea and all demand was unmet.
    text = _problems(_region(tmp_path, zones_fc=_swapped_zones()))
    assert "latitude and longitude are swapped" in text and "zones.geojson" in text


def test_every_zone_population_zero_refused(tmp_path: Path) -> None:
    fc = regionkit.zones()
    for feat in fc["features"]:
        for key in list(feat["properties"]):
            if key.startswith("pop_"):
                feat["properties"][key] = 0
    assert "every zone's population is 0 (4 zones" in _problems(_region(tmp_path, zones_fc=fc))


def test_people_per_zone_implausible_refused(tmp_path: Path) -> None:
    fc = regionkit.zones()
    fc["features"][1]["properties"]["pop_15_44"] = 5e9
    text = _problems(_region(tmp_path, zones_fc=fc))
    assert "row 2" in text and "pop_15_44" in text and "more than 2,000,000 people" in text


def test_floor_area_1e308_refused(tmp_path: Path) -> None:
    # Before: capacity became infinite, shown as 0, with all demand unmet.
    practices = regionkit.practices()
    practices["gia_m2"] = practices["gia_m2"].astype(object)
    practices.loc[1, "gia_m2"] = "1e308"
    text = _problems(_region(tmp_path, practices_df=practices))
    assert "row 2" in text and "gia_m2" in text and "more than 50,000 m2" in text


def test_m2_per_patient_implausible_refused() -> None:
    # 1e-300 m2 a patient made every surgery's capacity infinite.
    with pytest.raises(InputError, match="m2_per_patient"):
        Assumptions().with_overrides({"m2_per_patient": 1e-300})


def test_flow_does_not_overflow_on_an_enormous_capacity() -> None:
    # Before: rint(1e300) cast to int64 wrapped to a negative capacity, and the flow served
    # nothing. Two zones of 100 and 50 patients both reach the one huge site: all 150 served.
    demand = pd.Series([100.0, 50.0], index=["z1", "z2"])
    supply = pd.Series([1e300], index=["s1"])
    pairs = pd.DataFrame({"origin": ["z1", "z2"], "destination": ["s1", "s1"],
                          "minutes": [5.0, 9.0]})
    out = max_served(demand, supply, pairs)
    assert out.served_total == 150 and out.unmet_demand_within_threshold == 0
