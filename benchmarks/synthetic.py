"""A synthetic England-scale region, built in memory, for benchmarks.

About 35,000 zones (square cells of varying size over a 600 km x 600 km area, denser near
randomly placed towns), 6,500 practices with circular catchments that overlap, and housing sites
with a ten-year trajectory. Seeded, so every run measures the same problem.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from estates.model import AGE_BANDS, CRS, Growth, Region

PROFILE = np.array([0.055, 0.12, 0.39, 0.25, 0.1, 0.06, 0.025])


def england(*, zones: int = 35_000, practices: int = 6_500, sites: int = 5_000,
            candidates: int = 0, seed: int = 7) -> Region:
    rng = np.random.default_rng(seed)
    x0, y0, span = 100_000.0, 50_000.0, 600_000.0
    towns = rng.uniform(0, span, size=(400, 2))
    weights = rng.pareto(1.2, 400) + 1
    weights /= weights.sum()
    # zone centres: 80 % clustered around towns, 20 % spread; each zone a square sized to density
    n_town = int(zones * 0.8)
    which = rng.choice(len(towns), n_town, p=weights)
    centres = np.vstack([towns[which] + rng.normal(0, 6_000, (n_town, 2)),
                         rng.uniform(0, span, (zones - n_town, 2))])
    centres = np.clip(centres, 0, span) + [x0, y0]
    half = np.where(np.arange(zones) < n_town, 400.0, 1_500.0)
    geoms = shapely.box(centres[:, 0] - half, centres[:, 1] - half, centres[:, 0] + half,
                        centres[:, 1] + half)
    pop = rng.integers(1_000, 2_500, zones).astype(float)
    zone_df = pd.DataFrame({"zone_code": [f"E0{i:07d}" for i in range(zones)],
                            "zone_name": [f"Zone {i}" for i in range(zones)]})
    for b, share in zip(AGE_BANDS, PROFILE, strict=True):
        zone_df[f"pop_{b}"] = np.round(pop * share)
    zone_df["ruc21"] = np.where(np.arange(zones) < n_town, "UN1", "RSN1")
    zone_gdf = gpd.GeoDataFrame(zone_df, geometry=geoms, crs=CRS).set_index("zone_code", drop=False)
    zone_gdf.index.name = None

    # practices near people: sample zone centres weighted by population
    pick = rng.choice(zones, practices, p=pop / pop.sum())
    pxy = centres[pick] + rng.normal(0, 300, (practices, 2))
    total_list = zone_df[[f"pop_{b}" for b in AGE_BANDS]].to_numpy().sum()
    lists = rng.gamma(6, 1, practices)
    lists = np.round(lists / lists.sum() * total_list)
    gia = lists * (120 / 1750) * rng.uniform(0.8, 1.4, practices)
    codes = [f"P{i:05d}" for i in range(practices)]
    prac = pd.DataFrame({"practice_code": codes, "site_name": [f"Surgery {i}" for i in range(practices)],
                         "site_kind": "main", "parent_code": "", "list_size": lists,
                         "gia_m2": gia, "clinical_rooms": np.maximum(1, np.round(lists / 1500)),
                         "gp_fte": lists / 2000, "building": "purpose built"})
    for b in AGE_BANDS:
        prac[f"list_{b}"] = np.nan
    prac_gdf = gpd.GeoDataFrame(prac, geometry=shapely.points(pxy), crs=CRS).set_index(
        "practice_code", drop=False)
    prac_gdf.index.name = None
    catch = gpd.GeoDataFrame({"practice_code": codes},
                             geometry=shapely.buffer(shapely.points(pxy), 3_000, quad_segs=4),
                             crs=CRS, index=codes)

    sxy = centres[rng.choice(zones, sites)] + rng.normal(0, 500, (sites, 2))
    refs = [f"S{i:05d}" for i in range(sites)]
    dwell = rng.integers(5, 600, sites).astype(float)
    kinds = rng.choice(["general", "retirement", "care_home"], sites, p=[0.9, 0.06, 0.04])
    site_gdf = gpd.GeoDataFrame({"site_ref": refs, "name": refs, "dwellings": dwell,
                                 "housing_type": kinds, "housing_type_inferred": False},
                                geometry=shapely.points(sxy), crs=CRS, index=refs)
    years = list(range(2026, 2036))
    start = rng.integers(0, 6, sites)
    traj = np.zeros((sites, len(years)))
    for k in range(sites):
        n = min(len(years) - start[k], 4)
        traj[k, start[k]:start[k] + n] = dwell[k] / n
    trajectory = pd.DataFrame(traj, index=refs, columns=years)
    # candidate buildings (libraries) in towns, like the zones
    cxy = centres[rng.choice(zones, candidates)] + rng.normal(0, 300, (candidates, 2))
    cids = [f"C{i:05d}" for i in range(candidates)]
    cand = gpd.GeoDataFrame({"candidate_id": cids, "name": [f"Library {i}" for i in range(candidates)],
                             "kind": "library",
                             "available_m2": np.round(rng.uniform(80, 400, candidates))},
                            geometry=shapely.points(cxy) if candidates else gpd.GeoSeries([]),
                            crs=CRS, index=cids)
    return Region("Synthetic England", prac_gdf, catch, zone_gdf, cand,
                  Growth(site_gdf, trajectory), synthetic=True)
