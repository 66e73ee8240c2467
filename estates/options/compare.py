"""Comparing an option's Result with the baseline's: deficits resolved, capacity in the wrong
place, older and rural people's access, capital cost."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from estates.model import RURAL_CLASSES

# ------------------------------------------------------------------------------ comparing

def access_table(result: Any) -> pd.DataFrame:
    """A Result's older-access table (``estates.access.older_access``) in the comparison's columns:
    ``mode, threshold_minutes, group, rural_class, population, within, pct_within``."""
    t = result.older_access
    return pd.DataFrame({
        "mode": t["mode"], "threshold_minutes": t["threshold_minutes"].astype(float),
        "group": t["group"], "rural_class": t["area"], "population": t["people"],
        "within": t["people_within"], "pct_within": t["pct_within"]})


@dataclass(frozen=True)
class Comparison:
    """An option set beside the baseline.

    ``summary``: headline figures (baseline, option and change). ``deficits``: practices x
    years, deficit resolved in patients (positive = less deficit than the baseline; a practice
    merged away counts its baseline deficit as resolved, the hub carries it on).
    ``practices``: headroom at the horizon before and after. ``access``: older access by mode,
    threshold, group and rural class, before and after. ``costs``: per change (may be empty).
    """

    summary: dict[str, Any]
    deficits: pd.DataFrame
    practices: pd.DataFrame
    access: pd.DataFrame
    costs: pd.DataFrame
    #: per zone: minutes to the nearest surgery and the E2SFCA indices, before and after
    zones: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    #: each new satellite or co-location's expected use (see ``estates.options.new_sites``)
    new_sites: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the summary, deficits resolved by practice at the horizon, access."""
        horizon = self.deficits.columns[-1] if len(self.deficits.columns) else None
        by_practice = ({} if horizon is None else
                       {str(k): float(v) for k, v in self.deficits[horizon].items() if v != 0})
        return {"summary": self.summary, "deficit_resolved_by_practice_horizon": by_practice,
                "access": self.access.to_dict(orient="records"),
                "costs": self.costs.to_dict(orient="records"),
                "new_sites": list(self.new_sites),
                "zones": [{k: _num(v) if isinstance(v, (float, np.floating)) else v
                           for k, v in row.items()}
                          for row in self.zones.to_dict(orient="records")]}


def compare(baseline: Any, option: Any, *, costs: pd.DataFrame | None = None) -> Comparison:
    """Set an option's Result beside the baseline's.

    Parameters
    ----------
    baseline, option
        Results of ``estates.engine.evaluate.evaluate`` (the option on the changed region).
    costs
        The option's per-change costs (``Applied.costs``). Without them the cost is the added
        floor area of the practices at ``cost_per_m2_gbp`` (new build).
    """
    a = option.assumptions
    base_def = baseline.headroom.clip(upper=0.0).mul(-1.0)
    opt_def = option.headroom.clip(upper=0.0).mul(-1.0)
    codes = base_def.index.union(opt_def.index, sort=False)
    years = list(baseline.headroom.columns)
    resolved = (base_def.reindex(index=codes, columns=years).fillna(0.0)
                - opt_def.reindex(index=codes, columns=years).fillna(0.0))
    horizon = years[-1]
    practices = pd.DataFrame(index=codes)
    practices["site_name"] = option.practices["site_name"].reindex(codes).fillna(
        baseline.practices["site_name"].reindex(codes))
    practices["capacity_base"] = baseline.practices["capacity"].reindex(codes)
    practices["capacity_option"] = option.practices["capacity"].reindex(codes)
    practices["headroom_base"] = baseline.headroom[horizon].reindex(codes)
    practices["headroom_option"] = option.headroom[horizon].reindex(codes)
    practices["deficit_resolved"] = resolved[horizon]
    practices["in_option"] = practices.index.isin(option.practices.index)

    acc_b, acc_o = access_table(baseline), access_table(option)
    keys = ["mode", "threshold_minutes", "group", "rural_class"]
    access = acc_b.merge(acc_o, on=keys, suffixes=("_base", "_option"))
    access["change_pct_points"] = access["pct_within_option"] - access["pct_within_base"]

    if costs is None:
        added = (option.practices["gia_m2"].sum() - baseline.practices["gia_m2"].sum())
        m2 = max(float(added), 0.0)
        costs = pd.DataFrame([{"change": -1, "type": "floor area", "what": "added floor area",
                               "m2": m2, "basis": "new build",
                               "rate_gbp_per_m2": a.cost_per_m2_gbp,
                               "cost_gbp": m2 * a.cost_per_m2_gbp}])
    cost = float(costs["cost_gbp"].sum()) if len(costs) else 0.0
    sb, so = baseline.summary, option.summary
    cap_added = _minus(so["aggregate_capacity"], sb["aggregate_capacity"])
    rural = access[(access["mode"] == "car") & (access["group"] == "65+")
                   & (access["threshold_minutes"] == a.threshold_minutes)]
    pct = rural.set_index("rural_class")
    # the access origins (zones and the new homes) when the Result has them
    ob = baseline.access_origins if len(baseline.access_origins) else baseline.zones
    oo = option.access_origins if len(option.access_origins) else option.zones
    older_b = _mean_minutes(ob, "pop_65_plus")
    older_o = _mean_minutes(oo, "pop_65_plus")
    further = people_further(ob, oo)
    summary: dict[str, Any] = {
        "horizon_year": int(horizon),
        "deficit_total_base": float(sb["deficit_total"]),
        "deficit_total_option": float(so["deficit_total"]) + 0.0,
        "deficit_resolved": float(sb["deficit_total"] - so["deficit_total"]),
        "deficit_patient_years_resolved": float(resolved.to_numpy().sum()),
        "practices_in_deficit_base": int(sb["practices_in_deficit"]),
        "practices_in_deficit_option": int(so["practices_in_deficit"]),
        # None where the region has practices of unknown capacity (no floor area).
        "misplaced_capacity_base": _opt(sb["misplaced_capacity"]),
        "misplaced_capacity_option": _opt(so["misplaced_capacity"]),
        "unmet_demand_base": _opt(sb["unmet_demand_within_threshold"]),
        "unmet_demand_option": _opt(so["unmet_demand_within_threshold"]),
        "unmet_demand_reduced": _minus(sb["unmet_demand_within_threshold"],
                                       so["unmet_demand_within_threshold"]),
        "capacity_added": cap_added,
        "m2_added": float(costs["m2"].sum()) if len(costs) else 0.0,
        "capital_cost_gbp": cost,
        # what a capital bid can cite: GBP per patient of deficit the option removes (a
        # constant "per place added" would only restate the build rate)
        "cost_per_deficit_patient_gbp": (
            cost / float(resolved[horizon].sum())
            if float(resolved[horizon].sum()) > 1e-9 else None),
        "older_65_mean_minutes_base": older_b,
        "older_65_mean_minutes_option": older_o,
        "zones_nearer": int((option.zones["minutes_to_nearest_gp"]
                             < baseline.zones["minutes_to_nearest_gp"] - 1e-9).sum()),
        "zones_further": int((option.zones["minutes_to_nearest_gp"]
                              > baseline.zones["minutes_to_nearest_gp"] + 1e-9).sum()),
        **further,
    }
    for cls in (*RURAL_CLASSES, "all"):
        key = cls.replace(" ", "_")
        summary[f"pct_65_within_{a.threshold_minutes:g}min_car_{key}_base"] = _num(
            pct.at[cls, "pct_within_base"])
        summary[f"pct_65_within_{a.threshold_minutes:g}min_car_{key}_option"] = _num(
            pct.at[cls, "pct_within_option"])
    summary["units"] = {
        "deficit": "patients (need-weighted)", "capacity_added": "patients (need-weighted)",
        "m2_added": "m2", "capital_cost_gbp": "GBP",
        "cost_per_deficit_patient_gbp": "GBP per need-weighted patient of deficit resolved at "
                                        "the horizon",
        "older_65_mean_minutes": "minutes to the nearest surgery, mean over people aged 65+",
        "pct_65_within": "% of people aged 65+ within the threshold by car",
        "people_further": "people (today's residents and the new homes' at the horizon) "
                          "whose nearest surgery is further away than in the baseline",
    }
    zones = zones_change(baseline, option)
    for col in INDEX_COLUMNS:
        for which, res in (("base", baseline), ("option", option)):
            mean = res.summary.get("access_index", {}).get(f"{col}_mean")
            summary[f"{col}_mean_{which}"] = None if mean is None else float(mean)
        summary[f"zones_{col}_up"] = int((zones[f"{col}_change"] > 1e-9).sum()) if len(
            zones) else 0
        summary[f"zones_{col}_down"] = int((zones[f"{col}_change"] < -1e-9).sum()) if len(
            zones) else 0
    summary["units"]["e2sfca_m2_per_1000"] = ("m2 of GP floor space per 1,000 residents "
                                              "within reach (E2SFCA)")
    summary["units"]["e2sfca_gp_fte_per_1000"] = "GP FTE per 1,000 residents within reach (E2SFCA)"
    from estates.options.new_sites import new_site_use

    new = new_site_use(baseline, option)
    return Comparison(summary, resolved, practices, access, costs.reset_index(drop=True), zones,
                      new)


INDEX_COLUMNS: tuple[str, ...] = ("e2sfca_m2_per_1000", "e2sfca_gp_fte_per_1000")


def zones_change(baseline: Any, option: Any) -> pd.DataFrame:
    """Per zone: minutes to the nearest surgery and each E2SFCA index, base, option, change."""
    zb, zo = baseline.zones, option.zones
    out = pd.DataFrame({"zone_code": zb.index}, index=zb.index)
    for col in ("minutes_to_nearest_gp", *INDEX_COLUMNS):
        if col not in zb.columns or col not in zo.columns:
            continue
        out[f"{col}_base"] = zb[col].astype(float)
        out[f"{col}_option"] = zo[col].reindex(zb.index).astype(float)
        out[f"{col}_change"] = out[f"{col}_option"] - out[f"{col}_base"]
    return out


def people_further(base: pd.DataFrame, option: pd.DataFrame) -> dict[str, float]:
    """People whose nearest surgery is further than in the baseline (a surgery out of reach
    that was in reach counts as further): all ages, aged 65+, and aged 65+ in rural areas."""
    b = base["minutes_to_nearest_gp"].astype(float)
    o = option["minutes_to_nearest_gp"].astype(float).reindex(b.index)
    lost = b.notna() & (o.isna() | (o > b + 1e-9))
    rural = base["rural_class"].isin(["larger rural", "smaller rural"]) if (
        "rural_class" in base.columns) else pd.Series(False, index=base.index)
    return {
        "people_further": float(base.loc[lost, "population"].sum()),
        "people_65_plus_further": float(base.loc[lost, "pop_65_plus"].sum()),
        "older_rural_further": float(base.loc[lost & rural, "pop_65_plus"].sum()),
    }


def _mean_minutes(zones: pd.DataFrame, column: str) -> float:
    w = zones[column].to_numpy(dtype=float)
    m = zones["minutes_to_nearest_gp"].to_numpy(dtype=float)
    ok = np.isfinite(m)
    return float(np.average(m[ok], weights=w[ok])) if w[ok].sum() > 0 else math.nan


def _opt(x: Any) -> float | None:
    return None if x is None else float(x)


def _minus(x: Any, y: Any) -> float | None:
    """x - y, or None (unknown) when either is unknown."""
    return None if x is None or y is None else float(x) - float(y)


def _num(x: Any) -> float | None:
    value = float(x)
    return value if np.isfinite(value) else None
