"""Practice catchments where no polygons are published (there is no national open dataset of
them): from where a practice's registered patients live, or else from the nearest surgery.

Both return one polygon per main practice, in EPSG:27700, and the method's name as the
region's manifest, report and dashboard show it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from estates.model import CRS


def registration_method(share_pct: float) -> str:
    return (f"derived from registrations: the LSOAs that together hold the first "
            f"{share_pct:g} % of each practice's registered patients (largest first), "
            "dissolved")


NEAREST_METHOD = ("derived from travel time: the area nearer (straight line) to one of the "
                  "practice's surgery sites than to any other surgery (Voronoi cells of the "
                  "sites), clipped to the region")


def catchments_from_registrations(registrations: pd.DataFrame, zones: gpd.GeoDataFrame,
                                  practices: list[str], *, share_pct: float = 80.0
                                  ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Each practice's catchment: the LSOAs that together hold its first ``share_pct`` % of
    patients, taken largest first, dissolved.

    ``registrations``: practice_code, zone_code, patients (NHS Digital patients by LSOA).
    The share is of the practice's patients in the whole file, so a practice most of whose
    patients live outside the region gets only its LSOAs inside it. Returns the catchments
    (practices with no registered patient in the region's LSOAs are absent) and warnings.
    """
    if not 0 < share_pct <= 100:
        raise ValueError(f"share_pct must be in (0, 100], not {share_pct}")
    wanted = set(practices)
    regs = registrations[registrations["practice_code"].isin(wanted)
                         & (registrations["patients"] > 0)]
    rows = []
    for code, part in regs.groupby("practice_code", sort=True):
        part = part.sort_values(["patients", "zone_code"], ascending=[False, True])
        before = part["patients"].cumsum() - part["patients"]
        # An LSOA is in while the patients before it fall short of the share: the set that
        # first reaches share_pct % of the practice's patients.
        chosen = part.loc[before < share_pct / 100.0 * part["patients"].sum(), "zone_code"]
        inside = [z for z in chosen if z in zones.index]
        if inside:
            rows.append((code, shapely.union_all(zones.geometry.loc[inside].to_numpy())))
    out = gpd.GeoDataFrame({"practice_code": [c for c, _ in rows]},
                           geometry=[g for _, g in rows], crs=CRS)
    out.index = pd.Index(out["practice_code"].tolist())
    warnings = []
    lacking = sorted(wanted - set(out.index))
    if lacking:
        warnings.append(f"no registered patients in the region's LSOAs for "
                        f"{', '.join(lacking[:20])}: their catchments come from the nearest "
                        "surgery instead")
    return out, warnings


def catchments_by_nearest_surgery(sites: gpd.GeoDataFrame, area: shapely.Geometry
                                  ) -> gpd.GeoDataFrame:
    """Each main practice's catchment: the Voronoi cells of its sites (main and branches),
    clipped to ``area``, dissolved.

    ``sites`` has practice_code, site_kind, parent_code and point geometry. Practices sharing
    one building (a health centre) share its cell: catchments may overlap.
    """
    main_of = sites["practice_code"].where(sites["site_kind"] != "branch",
                                           sites["parent_code"]).astype(str)
    xy = np.column_stack([sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()])
    unique, which = np.unique(np.round(xy, 1), axis=0, return_inverse=True)
    which = np.asarray(which).ravel()
    points = shapely.points(unique)
    if len(unique) == 1:
        cells = np.array([shapely.envelope(area)])
    else:
        envelope = shapely.buffer(shapely.envelope(shapely.union(area, shapely.multipoints(
            points))), 1000.0)
        regions = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points),
                                                             extend_to=envelope))
        # voronoi_polygons does not return cells in input order: match each to its point.
        tree = shapely.STRtree(regions)
        hit = tree.query(points, predicate="within")
        cells = np.empty(len(unique), dtype=object)
        cells[hit[0]] = regions[hit[1]]
    clipped = shapely.intersection(cells, area)
    frame = gpd.GeoDataFrame({"practice_code": main_of.to_numpy()},
                             geometry=clipped[which], crs=CRS)
    out = frame.dissolve(by="practice_code", as_index=False)
    out = out[~out.geometry.is_empty]
    out.index = pd.Index(out["practice_code"].tolist())
    return out


__all__ = ["NEAREST_METHOD", "catchments_by_nearest_surgery", "catchments_from_registrations",
           "registration_method"]
