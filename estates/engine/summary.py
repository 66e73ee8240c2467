"""The headline figures of an evaluation (summary.json): capacity, demand and headroom on each
basis, deficits, unmet demand and its parts, access, with their units and the assumptions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from estates.access.older_access import older_access_summary
from estates.access.provider import TravelProvider
from estates.access.travel import MODES
from estates.assumptions import Assumptions
from estates.engine import demand as dem
from estates.engine.impact import m2_for_patients
from estates.engine.misplaced import Transport
from estates.model import Growth, Region

SUMMARY_UNITS: dict[str, str] = {
    "aggregate_capacity": "patients (need-weighted)",
    "aggregate_demand": "patients (need-weighted)",
    "aggregate_headroom": "patients (need-weighted)",
    "practices_in_deficit": "practices",
    "practices_in_deficit_workforce": "practices (GP FTE known)",
    "practices_in_deficit_effective": "practices",
    "practices_without_gp_fte": "practices",
    "practices_methods_disagree": "practices",
    "aggregate_capacity_workforce": "patients (practices with GP FTE known)",
    "aggregate_capacity_effective": "patients (need-weighted)",
    "aggregate_headroom_effective": "patients (need-weighted)",
    "deficit_total_workforce": "patients (need-weighted)",
    "deficit_total_effective": "patients (need-weighted)",
    "deficit_total": "patients (need-weighted)",
    "misplaced_capacity": "patients (need-weighted)",
    "unmet_demand_within_threshold": "patients (need-weighted)",
    "unmet_no_surgery_in_reach": "patients (need-weighted) in zones with no surgery in reach",
    "unmet_surgeries_full": "patients (need-weighted) whose surgeries in reach are full",
    "stranded_capacity": "patients (need-weighted)",
    "older_rural_access_pct": "% of people aged 65+ in smaller rural areas",
    "practices_without_floor_area": "practices (capacity unknown: no floor area or rooms)",
}



def build_summary(
    region: Region, growth: Growth, a: Assumptions, practices: pd.DataFrame,
    demand: pd.DataFrame, by_basis: dict[str, pd.DataFrame], transport: Transport,
    zones: pd.DataFrame, hd: dem.HousingDemand, older: pd.DataFrame, outside: np.ndarray,
    weights: np.ndarray, provider: TravelProvider,
) -> dict[str, Any]:
    base, horizon = demand.columns[0], demand.columns[-1]
    # Headline figures are on premises (the estates question, as before); the workforce and
    # effective figures sit beside them. capacity_basis chooses what the flow and options use.
    headroom = by_basis["premises"]
    unknown = practices.index[practices["premises_capacity"].isna()]
    # Any practice of unknown capacity makes the region's totals and the flow unknown: a sum
    # over the known ones only would be a figure nobody could defend.
    capacity_known = len(unknown) == 0
    capacity = float(practices["premises_capacity"].sum()) if capacity_known else float("nan")
    h = headroom[horizon]
    deficit = h[h < 0]
    tipping = practices["tipping_year_premises"].dropna()
    known = practices["gp_fte_known"].to_numpy(dtype=bool)
    summary: dict[str, Any] = {
        "region": region.name,
        "synthetic": region.synthetic,
        "base_year": int(base),
        "horizon_year": int(horizon),
        "capacity_method": a.capacity_method,
        "practices": int(len(practices)),
        "surgery_sites": int(len(region.practices)),
        "zones": int(len(region.zones)),
        "population": round_figure(zones["population"].sum()),
        "registered_list": round_figure(practices["list_size"].sum()),
        "aggregate_capacity": round_or_none(capacity),
        "aggregate_demand_base": round_figure(demand[base].sum()),
        "aggregate_headroom_base": round_or_none(capacity - demand[base].sum()),
        "aggregate_demand": round_figure(demand[horizon].sum()),
        "aggregate_headroom": round_or_none(capacity - demand[horizon].sum()),
        "practices_in_deficit_base": int((headroom[base] < 0).sum()),
        "practices_in_deficit": int(len(deficit)),
        "deficit_total": round_figure(-deficit.sum()),
        "deficit_total_m2": round_figure(-float(np.sum(m2_for_patients(deficit.to_numpy(), a)))),
        "capacity_basis": a.capacity_basis,
        "need_weights_normalised": [round(float(x), 4) for x in weights],
        "floor_standard_basis": a.floor_standard_basis,
        "practices_methods_disagree": int(practices["methods_disagree"].sum()),
        "practices_without_gp_fte": int((~known).sum()),
        "aggregate_capacity_workforce": round_figure(practices.loc[known, "workforce_capacity"].sum()),
        "aggregate_capacity_effective": round_figure(practices["effective_capacity"].sum()),
        "aggregate_headroom_effective": round_figure(practices["effective_capacity"].sum()
                                           - demand[horizon].sum()),
        "practices_in_deficit_workforce": int((by_basis["workforce"][horizon] < 0).sum()),
        "practices_in_deficit_effective": int((by_basis["effective"][horizon] < 0).sum()),
        "deficit_total_workforce": round_figure(practices["deficit_horizon_workforce"].sum()),
        "deficit_total_effective": round_figure(practices["deficit_horizon_effective"].sum()),
        "tipping_years_workforce": {str(k): int(v) for k, v in
                                    practices["tipping_year_workforce"].dropna().items()},
        "tipping_years_effective": {str(k): int(v) for k, v in
                                    practices["tipping_year_effective"].dropna().items()},
        "tipping_years": {str(k): int(v) for k, v in tipping.items()},
        "misplaced_capacity": round_figure(transport.misplaced_capacity) if capacity_known else None,
        "unmet_demand_within_threshold": (round_figure(transport.unmet_demand_within_threshold)
                                          if capacity_known else None),
        "unmet_no_surgery_in_reach": (round_figure(transport.unmet_no_surgery_in_reach)
                                      if capacity_known else None),
        "unmet_surgeries_full": (round_figure(transport.unmet_surgeries_full)
                                 if capacity_known else None),
        "unmet_by_threshold": (zones.attrs.get("unmet_by_threshold", {})
                               if capacity_known else {}),
        "stranded_capacity_reach_minutes": a.wider_threshold_minutes,
        "stranded_capacity": (round_figure(float(transport.sites["stranded"].sum()))
                              if capacity_known else None),
        "practices_without_floor_area": int(len(unknown)),
        "practices_without_floor_area_codes": [str(c) for c in unknown],
        "threshold_minutes": a.threshold_minutes,
        "travel_mode": a.travel_mode,
        "travel_method": a.travel_method,
        "housing_sites": int(len(growth.sites)),
        "housing_sites_not_counted": int(len(outside)),
        "dwellings": round_figure(growth.sites["dwellings"].astype(float).sum()),
        "dwellings_by_horizon": round_figure(float(growth.completions(hd.years).to_numpy().sum())),
        "new_residents_by_horizon": round_figure(float(
            hd.residents[horizon][~hd.residents.index.isin(outside)].sum())),
        "older_rural_access_pct": _older_rural_pct(older, a),
        "older_rural_access_measure": (
            f"% of people aged 65+ in smaller rural areas (today's residents and the new homes' "
            f"residents at the horizon) within {a.threshold_minutes:g} minutes of a surgery by "
            f"public transport ({provider.describe('public_transport')})"),
        "travel_provider": provider.summary(MODES),
        "access_index": _access_index_summary(zones),
        "older_access": older_access_summary(older),
        "units": SUMMARY_UNITS,
        "assumptions": a.to_dict(),
    }
    return summary


def _access_index_summary(zones: pd.DataFrame) -> dict[str, Any]:
    """Population-weighted means of the zones' E2SFCA indices (zones reaching no surgery, or a
    surgery with unknown GP FTE, are left out and counted)."""
    out: dict[str, Any] = {}
    for col in ("e2sfca_m2_per_1000", "e2sfca_gp_fte_per_1000"):
        v = zones[col].to_numpy(dtype=float)
        w = zones["population"].to_numpy(dtype=float)
        ok = np.isfinite(v)
        out[f"{col}_mean"] = (round(float(np.average(v[ok], weights=w[ok])), 3)
                              if w[ok].sum() > 0 else None)
        out[f"{col}_zones_unknown"] = int((~ok).sum())
    return out


def _older_rural_pct(older: pd.DataFrame, a: Assumptions) -> float | None:
    row = older[(older["mode"] == "public_transport") & (older["group"] == "65+")
                & (older["area"] == "smaller rural")
                & (older["threshold_minutes"] == float(a.threshold_minutes))]
    if row.empty or not np.isfinite(row["pct_within"].iloc[0]):
        return None  # no older people in smaller rural areas: the measure does not apply
    return round(float(row["pct_within"].iloc[0]), 1)


def round_or_none(x: float) -> float | None:
    """A headline figure, or None (JSON null: unknown) where it could not be worked out."""
    return round_figure(x) if np.isfinite(x) else None


def round_figure(x: float) -> float:
    """Round a headline figure to 0.1 so that summary.json is stable across platforms."""
    value = float(x)
    # + 0.0 turns -0.0 into 0.0
    return round(value, 1) + 0.0 if np.isfinite(value) else 0.0
