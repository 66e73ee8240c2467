"""The access figures of an evaluation, counting the people the new homes bring.

Origins are the zones (today's residents at each zone's point) and the housing sites (their
residents at the horizon, by age band, at the site's point, in the rural-urban class of the zone
they lie in), so a surgery beside a retirement village shows the change for the people it is
for. From them: older and rural people's access by mode (DfT Journey Time Statistics style), the
minutes from every origin to its nearest surgery, and the enhanced two-step floating catchment
index (E2SFCA, Luo & Qi 2009) of GP floor space and GP FTE per 1,000 residents of each zone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from estates.access.fca import two_step_fca
from estates.access.older_access import older_access_table, zone_points
from estates.access.provider import TravelProvider
from estates.access.travel import MODES
from estates.assumptions import Assumptions
from estates.engine.capacity import main_code
from estates.engine.demand import HousingDemand
from estates.model import AGE_BANDS, OLDER_GROUPS, RUC21_CLASS, Growth, pop_columns

ORIGIN_ZONE = "zone"
ORIGIN_SITE = "housing site"


def access_origins(zones: pd.DataFrame, growth: Growth, housing: HousingDemand,
                   site_zone: pd.Series, assumptions: Assumptions) -> pd.DataFrame:
    """One row per origin: ``kind`` (zone or housing site), ``zone_code``, ``x``, ``y``,
    ``pop_<band>`` (people), ``ruc21``, ``rural_class``, ``population`` and ``pop_65_plus``.

    A housing site counts its residents at the horizon (residents by band are its patients by
    band over the registration rate); sites outside the region (no zone) and sites with nobody
    living there by the horizon add no row. Site rows are indexed ``site:<site_ref>``.
    """
    pts = zone_points(zones)
    out = pd.DataFrame(index=zones.index)
    out["kind"] = ORIGIN_ZONE
    out["zone_code"] = zones.index
    out["x"], out["y"] = pts["x"].to_numpy(), pts["y"].to_numpy()
    for c in pop_columns():
        out[c] = zones[c].astype(float).to_numpy()
    out["ruc21"] = zones["ruc21"].astype(str).to_numpy()
    if len(housing.site_refs):
        by_band = housing.patients_by_band[:, -1, :] / assumptions.registration_rate
        zone = site_zone.reindex(housing.site_refs)
        keep = zone.notna().to_numpy() & (by_band.sum(axis=1) > 0)
        if keep.any():
            refs = housing.site_refs[keep]
            geom = growth.sites.geometry.reindex(refs)
            sites = pd.DataFrame(index=pd.Index([f"site:{r}" for r in refs]))
            sites["kind"] = ORIGIN_SITE
            sites["zone_code"] = zone[keep].to_numpy()
            sites["x"] = geom.x.to_numpy(dtype=float)
            sites["y"] = geom.y.to_numpy(dtype=float)
            for j, b in enumerate(AGE_BANDS):
                sites[f"pop_{b}"] = by_band[keep, j]
            sites["ruc21"] = zones["ruc21"].astype(str).reindex(sites["zone_code"]).to_numpy()
            out = pd.concat([out, sites])
    out["rural_class"] = out["ruc21"].str.strip().str.upper().map(RUC21_CLASS)
    out["population"] = out[pop_columns()].sum(axis=1)
    out["pop_65_plus"] = out[[f"pop_{b}" for b in OLDER_GROUPS["65+"]]].sum(axis=1)
    return out


def surgery_points(practices: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"x": practices.geometry.x, "y": practices.geometry.y},
                        index=practices.index)


def older_access_figures(origins: pd.DataFrame, practices: pd.DataFrame,
                         provider: TravelProvider, a: Assumptions) -> pd.DataFrame:
    """``older_access_table`` over ``origins`` with each mode measured by ``provider``."""
    thresholds = (a.threshold_minutes, a.wider_threshold_minutes)
    surg = surgery_points(practices)
    minutes = {m: provider.nearest_minutes(origins, surg, max_minutes=max(thresholds), mode=m)
               for m in MODES}
    return older_access_table(origins, minutes, thresholds=thresholds)


def site_fte(practices: pd.DataFrame) -> pd.Series:
    """GP FTE at each surgery site: the practice's FTE shared over its sites by floor area
    (the workforce data are per practice, not per site). NaN where the practice's FTE is
    unknown: it is never read as zero."""
    main = main_code(practices)
    gia = practices["gia_m2"].astype(float)
    total = gia.groupby(main).transform("sum")
    fte = (practices["gp_fte"].astype(float) if "gp_fte" in practices.columns
           else pd.Series(np.nan, index=practices.index))
    practice_fte = fte[practices["site_kind"] == "main"]
    share = np.divide(gia, total, out=np.zeros(len(gia)), where=total.to_numpy() > 0)
    return pd.Series(main.map(practice_fte).to_numpy(dtype=float) * share,
                     index=practices.index)


def e2sfca_index(origins: pd.DataFrame, practices: pd.DataFrame, provider: TravelProvider,
                 a: Assumptions) -> pd.DataFrame:
    """E2SFCA of GP floor space (m2) and GP FTE per 1,000 residents, per zone.

    Demand is every origin's population (zones and the new homes' residents at the horizon);
    supply is each surgery site's floor area and GP FTE; weights are ``a.e2sfca_steps`` in
    minutes by the travel provider, the largest step the reach. A zone that reaches no surgery
    is NaN (PySAL access semantics); the floor-space index is NaN where a surgery in reach has
    no floor area, and the FTE index where one has no GP FTE: unknown, not absent.
    """
    steps = a.e2sfca_steps
    reach = max(steps)
    surg = surgery_points(practices)
    cost = provider.pairs(origins, surg, max_minutes=reach)
    cost = cost.assign(origin=cost["origin"].astype(object),
                       destination=cost["destination"].astype(object))
    demand = origins["population"].astype(float)
    gia = practices["gia_m2"].astype(float)
    # A surgery whose floor area is unknown enters as 0 so that its people still count in the
    # other sites' catchments; every zone that reaches it then has an unknown index (below),
    # like the GP FTE index, rather than a figure made low by a missing area.
    m2 = two_step_fca(demand, gia.fillna(0.0), cost, max_cost=reach, weight=steps)
    no_area = set(gia.index[gia.isna()])
    m2[m2.index.isin(cost.loc[cost["destination"].isin(no_area), "origin"].unique())] = np.nan
    fte = site_fte(practices)
    known = fte.notna()
    per_fte = two_step_fca(demand, fte.fillna(0.0), cost, max_cost=reach, weight=steps)
    unknown_dest = set(fte.index[~known])
    reaches_unknown = cost.loc[cost["destination"].isin(unknown_dest), "origin"].unique()
    per_fte[per_fte.index.isin(reaches_unknown)] = np.nan
    zones = origins.index[origins["kind"] == ORIGIN_ZONE]
    return pd.DataFrame({"e2sfca_m2_per_1000": m2.reindex(zones) * 1000.0,
                         "e2sfca_gp_fte_per_1000": per_fte.reindex(zones) * 1000.0},
                        index=zones)


def mean_minutes(origins: pd.DataFrame, column: str) -> float:
    """Mean minutes to the nearest surgery over the people in ``column`` (finite times)."""
    w = origins[column].to_numpy(dtype=float)
    m = origins["minutes_to_nearest_gp"].to_numpy(dtype=float)
    ok = np.isfinite(m)
    return float(np.average(m[ok], weights=w[ok])) if w[ok].sum() > 0 else float("nan")
