"""Which practices absorb the residents of each housing site, and in what shares.

The rule (documented in the README and the report): where the region carries registrations
(patients of each practice by zone of residence, as NHS Digital publishes by LSOA), a site's
residents are shared like the registrations of the zone it lies in. Otherwise, a site inside one
or more catchment polygons
is shared among those practices in proportion to ``list x exp(-distance / decay)`` - a gravity
rule in which bigger practices and nearer ones take more, as registrations do. ``distance`` is
from the site to the practice's nearest surgery site (main or branch). A site outside every
catchment goes to the practices with a surgery within the travel threshold, by the same rule,
and is flagged; with none in reach, to the nearest practice, flagged. Shares of a site add up
to 1, so residents are conserved.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from estates.access.travel import minutes_per_metre
from estates.assumptions import Assumptions
from estates.engine.capacity import main_code

RULE_REGISTRATION = "registration shares of the site's zone"
RULE_CATCHMENT = "inside catchment"
RULE_THRESHOLD = "outside every catchment: practices within the travel threshold"
RULE_NEAREST = "outside every catchment and beyond the travel threshold: nearest practice"


def allocate_sites(
    sites: gpd.GeoDataFrame,
    practices: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    attractiveness: pd.Series,
    assumptions: Assumptions,
    *,
    site_zones: pd.Series | None = None,
    registrations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of each housing site's residents taken by each main practice.

    Parameters
    ----------
    sites
        Housing sites (points), indexed by ``site_ref``.
    practices
        Surgery sites, as ``Region.practices``.
    catchments
        Catchment polygons with ``practice_code`` of the main practice.
    attractiveness
        Weight of each main practice (its weighted list), on the main practices' index.
    site_zones, registrations
        The zone of each site, and patients by practice and zone of residence; sites whose zone
        has registrations are shared by them.

    Returns
    -------
    pandas.DataFrame
        Columns ``site_ref, practice_code, share, distance_km, rule``; for each site the shares
        add up to 1. Sites are in input order.
    """
    columns = ["site_ref", "practice_code", "share", "distance_km", "rule"]
    if len(sites) == 0 or len(practices) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("share", "distance_km") else object)
                             for c in columns})
    a = assumptions
    surgeries = pd.DataFrame(
        {"main": main_code(practices).to_numpy(), "x": practices.geometry.x.to_numpy(),
         "y": practices.geometry.y.to_numpy()}
    )
    mains = pd.Index(attractiveness.index)
    surgeries = surgeries[surgeries["main"].isin(mains)]
    sx, sy = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    site_refs = sites.index.to_numpy()

    # 0. sites in zones with registration data: the zone's registration shares
    pairs = pd.DataFrame({"i": pd.Series(dtype=int), "practice_code": pd.Series(dtype=object),
                          "rule": pd.Series(dtype=object), "patients": pd.Series(dtype=float)})
    if registrations is not None and site_zones is not None and len(registrations):
        reg = registrations[registrations["practice_code"].isin(mains)
                            & (registrations["patients"] > 0)]
        zone_of = pd.DataFrame({"i": np.arange(len(sites)), "zone_code": site_zones.to_numpy()})
        pairs = zone_of.merge(reg, on="zone_code")[["i", "practice_code", "patients"]].assign(
            rule=RULE_REGISTRATION)
    done = np.unique(pairs["i"].to_numpy())

    # 1. other sites inside catchments
    pts = gpd.GeoDataFrame({"i": np.arange(len(sites))}, geometry=sites.geometry.values,
                           crs=sites.crs)
    inside = gpd.sjoin(pts, catchments[["practice_code", "geometry"]], predicate="intersects",
                       how="inner")
    inside = inside[inside["practice_code"].isin(mains) & ~inside["i"].isin(done)]
    pairs = pd.concat([pairs, inside[["i", "practice_code"]].drop_duplicates().assign(
        rule=RULE_CATCHMENT)], ignore_index=True)

    # 2. sites outside every catchment: practices with a surgery within the threshold
    outside = np.setdiff1d(np.arange(len(sites)), pairs["i"].to_numpy())
    if len(outside):
        per_m = minutes_per_metre(a.travel_mode, a)
        tree = cKDTree(surgeries[["x", "y"]].to_numpy())
        reach = tree.query_ball_point(np.column_stack([sx[outside], sy[outside]]),
                                      r=a.threshold_minutes / per_m)
        _, nearest = tree.query(np.column_stack([sx[outside], sy[outside]]))
        rows = []
        main_of = surgeries["main"].to_numpy()
        for k, i in enumerate(outside):
            hits = main_of[reach[k]]
            if len(hits):
                rows += [(i, m, RULE_THRESHOLD) for m in np.unique(hits)]
            else:
                rows.append((i, main_of[nearest[k]], RULE_NEAREST))
        pairs = pd.concat([pairs, pd.DataFrame(rows, columns=["i", "practice_code", "rule"])],
                          ignore_index=True)

    # distance from each site to the nearest surgery of each candidate practice
    merged = pairs.merge(surgeries, left_on="practice_code", right_on="main")
    merged["distance_m"] = np.hypot(sx[merged["i"]] - merged["x"], sy[merged["i"]] - merged["y"])
    best = merged.groupby(["i", "practice_code", "rule"], as_index=False).agg(
        distance_m=("distance_m", "min"), patients=("patients", "first"))
    attract = attractiveness.reindex(best["practice_code"]).to_numpy(dtype=float)
    # A practice with no list yet (a new hub) still attracts as if it had one patient.
    attract = np.maximum(np.nan_to_num(attract, nan=0.0), 1.0)
    gravity = attract * np.exp(-best["distance_m"].to_numpy() / (a.allocation_decay_km * 1000.0))
    by_registration = (best["rule"] == RULE_REGISTRATION).to_numpy()
    weight = np.where(by_registration, best["patients"].to_numpy(dtype=float), gravity)
    # exp() can underflow for very distant practices: fall back to equal shares of the nearest.
    best["w"] = np.maximum(weight, np.finfo(float).tiny)
    best["share"] = best["w"] / best.groupby("i")["w"].transform("sum")
    best = best.sort_values(["i", "share"], ascending=[True, False], kind="stable")
    return pd.DataFrame(
        {
            "site_ref": site_refs[best["i"].to_numpy()],
            "practice_code": best["practice_code"].to_numpy(),
            "share": best["share"].to_numpy(),
            "distance_km": best["distance_m"].to_numpy() / 1000.0,
            "rule": best["rule"].to_numpy(),
        }
    )
