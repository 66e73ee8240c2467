"""A two-practice, three-site region small enough to work every figure by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from estates.model import AGE_BANDS, CRS, Growth, Region

#: Assumptions that keep the hand-worked figures simple where a test is about other arithmetic:
#: the floor standard taken as gross (gia_m2 / 0.0686), a clinical room counted with its 30 %
#: only (16 m2 x 1.3 = 20.8 m2) and every age band weighted 1. Tests of the floor-area basis
#: and of need weights (issue 11, items 2-4) use the defaults instead.
PLAIN: dict[str, object] = {"base_year": 2026, "horizon_year": 2030,
                            "floor_standard_basis": "gross", "clinical_share_of_net": 1.0,
                            "need_weights": (1.0,) * 7}


def practices() -> gpd.GeoDataFrame:
    df = pd.DataFrame(
        {
            "practice_code": ["A", "B"],
            "site_name": ["Alpha Surgery", "Beta Surgery"],
            "site_kind": ["main", "main"],
            "parent_code": ["", ""],
            "list_size": [10000.0, 4000.0],
            "gia_m2": [700.0, 300.0],
            "clinical_rooms": [10.0, 5.0],
            "gp_fte": [5.0, np.nan],
            "building": ["purpose built", "converted house"],
        },
        index=["A", "B"],
    )
    for b in AGE_BANDS:
        df[f"list_{b}"] = np.nan
    return gpd.GeoDataFrame(df, geometry=[Point(0, 0), Point(4000, 0)], crs=CRS)


def catchments() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"practice_code": ["A", "B"]},
                            geometry=[box(-3000, -3000, 3000, 3000), box(1000, -3000, 7000, 3000)],
                            crs=CRS, index=["A", "B"])


def zones(pop_a: float = 6000, pop_b: float = 8000) -> gpd.GeoDataFrame:
    rows = []
    for code, pop in (("Z1", pop_a), ("Z2", pop_b)):
        row = {f"pop_{b}": 0.0 for b in AGE_BANDS}
        row["pop_15_44"] = pop
        rows.append({"zone_code": code, "zone_name": code, "ruc21": "UN1", **row})
    return gpd.GeoDataFrame(pd.DataFrame(rows, index=["Z1", "Z2"]),
                            geometry=[box(-3000, -3000, 2500, 3000), box(2500, -3000, 7000, 3000)],
                            crs=CRS)


def growth() -> Growth:
    sites = gpd.GeoDataFrame(
        {
            "site_ref": ["S1", "S2", "S3"],
            "name": ["West Field", "Middle Farm", "East Retirement Village"],
            "dwellings": [100.0, 200.0, 100.0],
            "housing_type": ["general", "general", "retirement"],
            "housing_type_inferred": [False, False, False],
        },
        geometry=[Point(-1000, 0), Point(2000, 500), Point(6000, 0)],
        crs=CRS,
        index=["S1", "S2", "S3"],
    )
    trajectory = pd.DataFrame(
        {2026: [50.0, 0.0, 0.0], 2027: [50.0, 100.0, 0.0], 2028: [0.0, 100.0, 0.0],
         2029: [0.0, 0.0, 100.0]},
        index=["S1", "S2", "S3"],
    )
    return Growth(sites, trajectory)


def region() -> Region:
    empty = gpd.GeoDataFrame({"candidate_id": [], "name": [], "kind": [], "available_m2": []},
                             geometry=gpd.GeoSeries([], crs=CRS))
    return Region("Hand-worked", practices(), catchments(), zones(), empty, growth())
