"""Evaluate a region: capacity, demand by year, allocation, headroom, capacity in the wrong place.

``evaluate`` is pure: a Region, its Growth and the Assumptions go in; a Result of tables and a
summary comes out. The CLI, the dashboard and the report are faces over this one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from estates.access.older_access import zone_points
from estates.access.provider import TravelProvider
from estates.assumptions import Assumptions
from estates.engine import capacity as cap
from estates.engine import demand as dem
from estates.engine.access_figures import (
    access_origins,
    e2sfca_index,
    older_access_figures,
    surgery_points,
)
from estates.engine.allocation import RULE_NEAREST, allocate_sites
from estates.engine.impact import m2_for_patients, site_impacts
from estates.engine.misplaced import Transport, max_served
from estates.engine.summary import build_summary, round_figure
from estates.model import AGE_BANDS, OLDER_GROUPS, RUC21_CLASS, Growth, Region


@dataclass
class Result:
    """Everything an evaluation produces.

    ``practices``: one row per main practice (capacity, demand, headroom, tipping year...).
    ``demand`` and ``headroom``: practices x years, in need-weighted patients.
    ``zones``: one row per zone (population, demand, served and unserved within the threshold,
    minutes to the nearest surgery). ``sites``: the impact statement of each housing site.
    ``allocation``: site_ref, practice_code, share, distance_km, rule. ``older_access``: people
    aged 65+, 75+, 85+ (and all ages) within the two thresholds of a surgery by each mode and
    rural-urban class (see ``estates.access.older_access``). ``summary``: the
    headline figures (see SUMMARY_UNITS) and the assumptions with units and sources.
    """

    years: list[int]
    practices: pd.DataFrame
    demand: pd.DataFrame
    headroom: pd.DataFrame
    zones: pd.DataFrame
    sites: pd.DataFrame
    allocation: pd.DataFrame
    transport: Transport
    older_access: pd.DataFrame
    summary: dict[str, Any]
    assumptions: Assumptions
    warnings: list[str] = field(default_factory=list)
    #: zones and housing sites as origins of the access figures, with their people by age
    #: and ``minutes_to_nearest_gp`` (see ``estates.engine.access_figures.access_origins``)
    access_origins: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: every surgery site (main and branch): site_name, site_kind, main_code, building,
    #: gia_m2, premises_capacity, x, y
    surgeries: pd.DataFrame = field(default_factory=pd.DataFrame)


def sites_to_zones(sites: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.Series:
    """The zone each housing site lies in (the nearest zone for a site outside them all)."""
    if len(sites) == 0 or len(zones) == 0:
        return pd.Series(pd.NA, index=sites.index, dtype=object)
    pts = gpd.GeoDataFrame({"i": np.arange(len(sites))}, geometry=sites.geometry.values,
                           crs=sites.crs)
    joined = gpd.sjoin_nearest(pts, zones[["geometry"]].assign(zone=zones.index), how="left")
    first = joined.groupby("i")["zone"].first()
    return pd.Series(first.reindex(np.arange(len(sites))).to_numpy(), index=sites.index)


def _outside_region(sites: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                    allocation: pd.DataFrame) -> np.ndarray:
    """Refs of the sites in no zone whose allocation had to fall back to the nearest practice."""
    if len(sites) == 0 or len(zones) == 0:
        return np.array([], dtype=object)
    far = allocation.loc[allocation["rule"] == RULE_NEAREST, "site_ref"].unique()
    if len(far) == 0:
        return np.array([], dtype=object)
    candidates = sites.loc[sites.index.isin(far)]
    inside = gpd.sjoin(gpd.GeoDataFrame(geometry=candidates.geometry.values, crs=candidates.crs,
                                        index=candidates.index),
                       zones[["geometry"]], predicate="intersects", how="inner")
    return np.asarray(candidates.index[~candidates.index.isin(inside.index)], dtype=object)


def evaluate(
    region: Region,
    growth: Growth | None = None,
    assumptions: Assumptions | None = None,
) -> Result:
    """Evaluate ``region`` with ``growth`` (default: the region's own housing sites)."""
    a = assumptions or Assumptions()
    growth = region.growth if growth is None else growth
    yrs = dem.years(a)
    practices, zones = region.practices, region.zones
    warnings: list[str] = []

    # --- capacity and demand per practice --------------------------------------------------
    pcap = cap.practice_capacity(practices, a)
    weights = dem.need_weights(practices, a, zones)
    base_list = dem.weighted_base_list(practices, a, zones, weights)
    gf = dem.growth_factor(a)
    hd = dem.housing_demand(growth, a, weights)
    site_zone = sites_to_zones(growth.sites, zones)
    allocation = allocate_sites(growth.sites, practices, region.catchments, base_list, a,
                                site_zones=site_zone, registrations=region.registrations)
    # A site outside every zone with no surgery in reach is not in this region (a register
    # for another council, a typing error): it is listed, not counted against a far practice.
    outside = _outside_region(growth.sites, zones, allocation)
    allocation = allocation[~allocation["site_ref"].isin(outside)].reset_index(drop=True)
    site_zone = site_zone.where(~site_zone.index.isin(outside))
    share = _share_matrix(allocation, growth.sites.index, pcap.index)
    new_patients = pd.DataFrame(share.T @ hd.weighted.to_numpy(dtype=float), index=pcap.index,
                                columns=yrs)
    demand = pd.DataFrame(np.outer(base_list.to_numpy(), gf), index=pcap.index,
                          columns=yrs) + new_patients
    headroom = demand.rsub(pcap["capacity"], axis=0)
    by_basis = cap.headroom_by_basis(pcap, demand)
    practices_out = _practice_table(practices, pcap, base_list, demand, headroom, new_patients, a,
                                    by_basis)

    # --- where people live: zones, and the transportation problem ---------------------------
    provider = TravelProvider.for_region(region, a)
    origins = access_origins(zones, growth, hd, site_zone, a)
    nearest = provider.nearest(origins, surgery_points(practices),
                               max_minutes=max(a.threshold_minutes, a.wider_threshold_minutes))
    origins["minutes_to_nearest_gp"] = nearest["minutes"]
    origins["nearest_site"] = nearest["site"]
    zone_table, transport = _zones(region, growth, hd, base_list, gf, a, site_zone, provider,
                                   origins, pcap)
    origins["demand_horizon"] = _origin_demand(origins, zone_table, hd)

    # --- housing sites ------------------------------------------------------------------------
    names = practices_out["site_name"]
    sites_out = site_impacts(growth, hd, allocation, headroom, names, a)
    sites_out["counted"] = ~sites_out.index.isin(outside)
    sites_out.loc[~sites_out["counted"], "statement"] = [
        f"{name} ({ref}): lies outside the region's zones and beyond {a.threshold_minutes:g} "
        "minutes of every surgery, so its homes are not counted against any practice here. "
        "Check its coordinates, or evaluate it with the region it belongs to."
        for ref, name in zip(sites_out.index[~sites_out["counted"]],
                             sites_out["name"][~sites_out["counted"]], strict=True)]
    if len(outside):
        warnings.append(f"{len(outside)} housing site(s) lie outside the region and beyond the "
                        f"travel threshold of every surgery, and are not counted: "
                        f"{', '.join(map(str, outside[:10]))}" + (" ..." if len(outside) > 10
                                                                   else ""))
    flagged = allocation[allocation["rule"].str.startswith("outside")]["site_ref"].unique()
    if len(flagged):
        warnings.append(f"{len(flagged)} housing site(s) lie outside every catchment; their "
                        "residents go to the nearest practices (see the allocation rule).")

    older = older_access_figures(origins, practices, provider, a)
    surgeries = _surgeries(practices, a)
    summary = build_summary(region, growth, a, practices_out, demand, by_basis, transport, zone_table,
                       hd, older, outside, weights, provider)
    if summary["practices_without_floor_area"]:
        n = summary["practices_without_floor_area"]
        shown = ", ".join(summary["practices_without_floor_area_codes"][:10])
        warnings.append(
            f"capacity unknown for {n} of {summary['practices']} practices: no floor area "
            f"(gia_m2) or clinical rooms given ({shown}{' ...' if n > 10 else ''}). Demand, "
            "new patients from each site and access are worked out; capacity, headroom, "
            "deficits and capacity in the wrong place are left unknown for them (the region "
            "totals too) until floor area is supplied (the estates template).")
    return Result(yrs, practices_out, demand, headroom, zone_table, sites_out, allocation,
                  transport, older, summary, a, warnings, origins, surgeries)


def _origin_demand(origins: pd.DataFrame, zones: pd.DataFrame,
                   hd: dem.HousingDemand) -> np.ndarray:
    """Need-weighted patients at each access origin at the horizon: a zone's registered
    patients (its demand less the new homes in it), and each housing site's new patients."""
    out = np.zeros(len(origins))
    is_zone = (origins["kind"] == "zone").to_numpy()
    today = zones["demand_horizon"] - zones["new_patients_horizon"]
    out[is_zone] = today.reindex(origins.index[is_zone]).to_numpy(dtype=float)
    refs = origins.index[~is_zone].str.removeprefix("site:")
    if len(refs):
        out[~is_zone] = hd.weighted[hd.years[-1]].reindex(refs).to_numpy(dtype=float)
    return out


def _surgeries(practices: gpd.GeoDataFrame, a: Assumptions) -> pd.DataFrame:
    sites = cap.site_capacity(practices, a)
    out = pd.DataFrame(index=practices.index)
    out["site_name"] = practices["site_name"]
    out["site_kind"] = practices["site_kind"]
    out["main_code"] = sites["main_code"]
    out["building"] = practices.get("building", pd.Series("", index=practices.index))
    out["gia_m2"] = practices["gia_m2"].astype(float)
    out["premises_capacity"] = sites["premises_capacity"]
    out["x"], out["y"] = practices.geometry.x, practices.geometry.y
    return out


def _share_matrix(allocation: pd.DataFrame, sites: pd.Index,
                  practices: pd.Index) -> sparse.csr_array:
    # Sparse: each site shares among a handful of practices, and a dense sites x practices
    # array is half a gigabyte at England scale (10,000 sites x 6,500 practices).
    si = sites.get_indexer(allocation["site_ref"]) if len(allocation) else np.zeros(0, int)
    pi = (practices.get_indexer(allocation["practice_code"]) if len(allocation)
          else np.zeros(0, int))
    ok = (si >= 0) & (pi >= 0)
    values = allocation["share"].to_numpy(dtype=float)[ok] if len(allocation) else np.zeros(0)
    # duplicate (site, practice) entries are summed, as np.add.at did
    return sparse.csr_array((values, (si[ok], pi[ok])), shape=(len(sites), len(practices)))


def _practice_table(
    practices: gpd.GeoDataFrame, pcap: pd.DataFrame, base_list: pd.Series, demand: pd.DataFrame,
    headroom: pd.DataFrame, new_patients: pd.DataFrame, a: Assumptions,
    by_basis: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    base, horizon = demand.columns[0], demand.columns[-1]
    mains = practices.loc[pcap.index]
    out = pd.DataFrame(index=pcap.index)
    out["practice_code"] = pcap.index
    out["site_name"] = mains["site_name"]
    out["list_size"] = mains["list_size"].astype(float)
    out = out.join(pcap)
    out["m2_per_patient_now"] = np.divide(
        out["gia_m2"], out["list_size"], out=np.full(len(out), np.nan),
        where=out["list_size"].to_numpy() > 0)
    out["base_demand"] = base_list
    out["demand_base"] = demand[base]
    out["demand_horizon"] = demand[horizon]
    out["new_patients_horizon"] = new_patients[horizon]
    out["headroom_base"] = headroom[base]
    out["headroom_horizon"] = headroom[horizon]
    out["headroom_m2_horizon"] = np.asarray(m2_for_patients(headroom[horizon].to_numpy(), a))
    out["utilisation_pct_horizon"] = 100.0 * np.divide(
        demand[horizon].to_numpy(), out["capacity"].to_numpy(),
        out=np.full(len(out), np.nan), where=out["capacity"].to_numpy() > 0)
    out["tipping_year"] = cap.tipping_year(headroom)
    # The same figures on each capacity basis, so the GP-workforce limit shows beside premises.
    for basis, room in by_basis.items():
        out[f"headroom_horizon_{basis}"] = room[horizon]
        out[f"deficit_horizon_{basis}"] = (-room[horizon]).clip(lower=0.0).where(
            room[horizon].notna())
        out[f"tipping_year_{basis}"] = cap.tipping_year(room).where(room[horizon].notna(), pd.NA)
    out["building"] = mains.get("building", pd.Series("", index=mains.index))
    out["x"] = mains.geometry.x
    out["y"] = mains.geometry.y
    return out


def _zones(
    region: Region, growth: Growth, hd: dem.HousingDemand, base_list: pd.Series,
    gf: np.ndarray, a: Assumptions, site_zone: pd.Series, provider: TravelProvider,
    origins: pd.DataFrame, pcap: pd.DataFrame,
) -> tuple[pd.DataFrame, Transport]:
    zones, practices = region.zones, region.practices
    pops = zones[[f"pop_{b}" for b in AGE_BANDS]].astype(float)
    weighted_pop = pops.to_numpy() @ np.asarray(a.need_weights, dtype=float)
    total_pop = weighted_pop.sum()
    # Registered patients are placed where people live: each zone takes its share of the
    # region's weighted list, so the zone and practice views add up to the same demand.
    scale = base_list.sum() / total_pop if total_pop > 0 else 0.0
    zone_base = weighted_pop * scale
    horizon = hd.years[-1]
    housing_by_zone = (
        pd.Series(hd.weighted[horizon].to_numpy(), index=site_zone.to_numpy())
        .groupby(level=0, dropna=True).sum().reindex(zones.index, fill_value=0.0)
        if len(growth.sites) else pd.Series(0.0, index=zones.index)
    )
    zone_demand = pd.Series(zone_base * gf[-1], index=zones.index) + housing_by_zone
    sites_cap = cap.site_capacity_on_basis(practices, pcap, a)
    # Unknown capacity (no floor area given) enters the flow as 0 so that the tables keep
    # their shape; every figure that depends on it is then reported unknown (see build_summary).
    capacity_known = bool(sites_cap.notna().all())
    sites_cap = sites_cap.fillna(0.0)
    pts = zone_points(zones)
    xy = pts.to_numpy()
    sensitivity = sorted({float(t) for t in a.sensitivity_thresholds_minutes})
    reach = max([a.threshold_minutes, a.wider_threshold_minutes, *sensitivity])
    wide = provider.pairs(pts, surgery_points(practices), max_minutes=reach)
    nearest_min = origins["minutes_to_nearest_gp"].reindex(zones.index).to_numpy(dtype=float)
    pairs = wide[wide["minutes"] <= a.threshold_minutes]
    transport = max_served(zone_demand, sites_cap, pairs,
                           wider_pairs=wide[wide["minutes"] <= a.wider_threshold_minutes])
    # The same question at other thresholds, to show how much the answer depends on it.
    by_threshold = {t: max_served(zone_demand, sites_cap, wide[wide["minutes"] <= t])
                    for t in sensitivity}
    out = pd.DataFrame(index=zones.index)
    out["zone_code"] = zones.index
    out["zone_name"] = zones.get("zone_name", pd.Series("", index=zones.index))
    out["ruc21"] = zones["ruc21"]
    out["rural_class"] = zones["ruc21"].map(RUC21_CLASS)
    out["population"] = pops.sum(axis=1)
    for group, bands in OLDER_GROUPS.items():
        out[f"pop_{group.replace('+', '_plus')}"] = pops[[f"pop_{b}" for b in bands]].sum(axis=1)
    out["demand_base"] = zone_base
    out["new_patients_horizon"] = housing_by_zone
    out["demand_horizon"] = zone_demand
    unknown = np.nan if not capacity_known else None
    out["served_within_threshold"] = (transport.zones["served"] if unknown is None
                                      else unknown)
    out["unserved_within_threshold"] = (transport.zones["unserved"] if unknown is None
                                        else unknown)
    out["surgery_in_reach"] = transport.zones["in_reach"]
    out["minutes_to_nearest_gp"] = nearest_min
    out = out.join(e2sfca_index(origins, practices, provider, a))
    out["x"], out["y"] = xy[:, 0], xy[:, 1]
    out.attrs["unmet_by_threshold"] = {
        f"{t:g}": {"unmet_demand_within_threshold": round_figure(tr.unmet_demand_within_threshold),
                   "unmet_no_surgery_in_reach": round_figure(tr.unmet_no_surgery_in_reach),
                   "unmet_surgeries_full": round_figure(tr.unmet_surgeries_full),
                   "misplaced_capacity": round_figure(tr.misplaced_capacity)}
        for t, tr in by_threshold.items()}
    return out, transport


