"""Build tiny, valid region folders in code, for tests to load or to break on purpose."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

MANIFEST = """name = "Tiny test region"
synthetic = true

[practices]
file = "practices.csv"
x = "easting"
y = "northing"
crs = "EPSG:27700"

[catchments]
file = "catchments.geojson"

[zones]
file = "zones.geojson"

[candidates]
file = "candidates.csv"
x = "easting"
y = "northing"
crs = "EPSG:27700"
"""

BNG = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}


def practices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "practice_code": ["P1", "P2", "P1B"],
            "site_name": ["North Surgery", "South Surgery", "Village Branch"],
            "site_kind": ["main", "main", "branch"],
            "parent_code": ["", "", "P1"],
            "easting": [551000, 551000, 553000],
            "northing": [161000, 155000, 161000],
            "list_size": [10000, 6000, 0],
            "gia_m2": [700.0, 300.0, 100.0],
            "clinical_rooms": [10, 4, 2],
            "gp_fte": [5.0, 3.0, ""],
            "building": ["purpose built", "converted house", "converted house"],
        }
    )


def square(x0: float, y0: float, size: float) -> list[list[list[float]]]:
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "crs": BNG, "features": features}


def polygon_feature(props: dict[str, Any], coords: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": coords}}


def catchments() -> dict[str, Any]:
    return feature_collection([
        polygon_feature({"practice_code": "P1"}, square(548000, 158000, 8000)),
        polygon_feature({"practice_code": "P2"}, square(548000, 152000, 8000)),
    ])


def zones() -> dict[str, Any]:
    feats = []
    for k, (x, y, ruc) in enumerate([(548000, 158000, "UN1"), (552000, 158000, "RSN1"),
                                     (548000, 152000, "UF1"), (552000, 152000, "RLF1")]):
        pops = {"pop_0_4": 50, "pop_5_14": 100, "pop_15_44": 400, "pop_45_64": 250,
                "pop_65_74": 100, "pop_75_84": 70, "pop_85_plus": 30}
        feats.append(polygon_feature({"zone_code": f"Z{k + 1}", "zone_name": f"Zone {k + 1}",
                                      **pops, "ruc21": ruc}, square(x, y, 4000)))
    return feature_collection(feats)


def candidates() -> pd.DataFrame:
    return pd.DataFrame({"candidate_id": ["L1"], "name": ["Town Library"], "kind": ["library"],
                         "available_m2": [150], "co_located": [""],
                         "easting": [552000], "northing": [156000]})


def write_region(folder: Path, *, manifest: str = MANIFEST, practices_df: pd.DataFrame | None = None,
                 catchments_fc: dict[str, Any] | None = None, zones_fc: dict[str, Any] | None = None,
                 candidates_df: pd.DataFrame | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "region.toml").write_text(manifest)
    (practices() if practices_df is None else practices_df).to_csv(folder / "practices.csv", index=False)
    (folder / "catchments.geojson").write_text(json.dumps(catchments() if catchments_fc is None else catchments_fc))
    (folder / "zones.geojson").write_text(json.dumps(zones() if zones_fc is None else zones_fc))
    (candidates() if candidates_df is None else candidates_df).to_csv(folder / "candidates.csv", index=False)
    return folder
