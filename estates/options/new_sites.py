"""The satellite question: would a new satellite or co-located surgery be used?

For every surgery site an option adds (a satellite, a co-location) or moves into a candidate
building, its expected use at the horizon is the need-weighted patients of the places (zones
with today's residents, housing sites with their new residents) for whom it becomes the nearest
surgery, by the evaluation's travel provider. That is set against the site's premises capacity
as utilisation and patients per m2, with a plain verdict: "well used" at or above
``new_site_well_used_pct`` of its capacity, otherwise "under-used: N % of its capacity by
<horizon>". The rule reads nearest-surgery choice as the expected use; registrations follow
practices, not buildings, so it is an upper estimate for a satellite of a practice whose
patients live elsewhere, and the report says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from estates.model import fy


def new_site_codes(baseline: Any, option: Any) -> list[str]:
    """Sites in the option that are new, or that moved into a candidate building."""
    b, o = baseline.surgeries, option.surgeries
    if not len(o):
        return []
    out = []
    for code in o.index:
        if code not in b.index:
            out.append(str(code))
            continue
        moved = (abs(float(o.at[code, "x"]) - float(b.at[code, "x"])) > 1e-6
                 or abs(float(o.at[code, "y"]) - float(b.at[code, "y"])) > 1e-6)
        if moved and str(o.at[code, "building"]).startswith("co-located"):
            out.append(str(code))
    return out


def verdict(utilisation_pct: float, well_used_pct: float, horizon: int) -> str:
    if not np.isfinite(utilisation_pct):
        return "unknown: the site has no capacity"
    if utilisation_pct >= well_used_pct:
        return "well used"
    return f"under-used: {utilisation_pct:.0f} % of its capacity by {fy(horizon)}"


def new_site_use(baseline: Any, option: Any) -> list[dict[str, Any]]:
    """One entry per new satellite or co-location (see the module docstring): ``site_code``,
    ``site_name``, ``main_code``, ``gia_m2``, ``capacity`` (premises, patients),
    ``patients_expected_horizon``, ``older_people_nearest`` (aged 65+ for whom it is the
    nearest surgery), ``utilisation_pct_horizon``, ``patients_per_m2``,
    ``mean_minutes_saved`` (over those patients, against their nearest surgery in the
    baseline), ``patients_newly_within_reach`` (of them, those with no surgery within the
    threshold before), ``verdict`` and ``answer`` (the verdict in a sentence)."""
    codes = new_site_codes(baseline, option)
    origins = option.access_origins
    if not codes or not len(origins) or "nearest_site" not in origins.columns:
        return []
    a = option.assumptions
    horizon = int(option.years[-1])
    nearest = origins["nearest_site"].astype(object)
    before = baseline.access_origins["minutes_to_nearest_gp"].reindex(origins.index).astype(
        float) if len(baseline.access_origins) else pd.Series(np.nan, index=origins.index)
    after = origins["minutes_to_nearest_gp"].astype(float)
    threshold = float(a.threshold_minutes)
    out = []
    for code in codes:
        row = option.surgeries.loc[code]
        mine = (nearest == code).to_numpy()
        patients = float(origins.loc[mine, "demand_horizon"].sum())
        older = float(origins.loc[mine, "pop_65_plus"].sum())
        homes = int((origins.loc[mine, "kind"] == "housing site").sum())
        demand = origins.loc[mine, "demand_horizon"].to_numpy(dtype=float)
        saved = (before[mine] - after[mine]).to_numpy(dtype=float)
        ok = np.isfinite(saved)
        mean_saved = (float(np.average(saved[ok], weights=demand[ok]))
                      if ok.any() and demand[ok].sum() > 0 else float("nan"))
        newly = mine & ~(before <= threshold).to_numpy() & (after <= threshold).to_numpy()
        newly_patients = float(origins.loc[newly, "demand_horizon"].sum())
        capacity = float(row["premises_capacity"])
        gia = float(row["gia_m2"])
        util = 100.0 * patients / capacity if capacity > 0 else float("nan")
        said = verdict(util, a.new_site_well_used_pct, horizon)
        answer = (
            f"{row['site_name']} ({code}) would be the nearest surgery for {patients:,.0f} "
            f"need-weighted patients at {fy(horizon)} ({older:,.0f} people aged 65+"
            + (f", including residents of {homes} new housing site(s)" if homes else "")
            + f"), against its capacity of {capacity:,.0f} patients ({gia:,.0f} m2): "
            f"{'' if not np.isfinite(util) else f'{util:.0f} % of capacity, '}{said}."
            + (f" It saves them {mean_saved:.1f} minutes on average by "
               f"{a.travel_mode.replace('_', ' ')}" if np.isfinite(mean_saved) else "")
            + (f" and brings {newly_patients:,.0f} of them within {threshold:g} minutes of a "
               "surgery for the first time." if newly_patients >= 0.5 else
               (f"; all of them already had a surgery within {threshold:g} minutes."
                if np.isfinite(mean_saved) else "")))
        out.append({
            "site_code": code,
            "site_name": str(row["site_name"]),
            "main_code": str(row["main_code"]),
            "gia_m2": gia,
            "capacity": capacity,
            "patients_expected_horizon": patients,
            "older_people_nearest": older,
            "utilisation_pct_horizon": None if not np.isfinite(util) else util,
            "mean_minutes_saved": None if not np.isfinite(mean_saved) else mean_saved,
            "patients_newly_within_reach": newly_patients,
            "patients_per_m2": patients / gia if gia > 0 else None,
            "verdict": said,
            "answer": answer,
        })
    return out


def new_sites_table(entries: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(entries, columns=[
        "site_code", "site_name", "main_code", "gia_m2", "capacity", "patients_expected_horizon",
        "older_people_nearest", "utilisation_pct_horizon", "patients_per_m2",
        "mean_minutes_saved", "patients_newly_within_reach", "verdict"])
