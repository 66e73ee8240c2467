"""The planning-contribution chain for each housing site, as figures and as a statement.

homes -> residents -> patients -> need-weighted patients -> GP FTE, floor space, capital cost,
and which practices absorb them with or without headroom in the years the homes complete
(METHODS.md section 1). The statement is worded for a planning officer to paste into a
consultation response; every figure in it comes from a named assumption.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from estates.assumptions import Assumptions
from estates.engine.demand import HousingDemand
from estates.model import HOUSING_TYPE_LABELS, Growth, fy


def m2_for_patients(patients: np.ndarray | float, assumptions: Assumptions) -> np.ndarray | float:
    """Floor space needed for ``patients`` weighted patients, by the chosen capacity method."""
    a = assumptions
    if a.capacity_method == "space":
        return patients * a.m2_per_patient
    rooms = patients / a.patients_per_room
    return rooms * a.m2_per_room * (1.0 + a.circulation)


#: The columns of ``site_impacts``, in order.
SITE_IMPACT_COLUMNS = [
    "site_ref", "name", "housing_type", "dwellings", "dwellings_by_horizon", "residents",
    "patients", "weighted_patients", "gp_fte_needed", "m2_needed", "capital_cost_gbp",
    "cost_per_dwelling_gbp", "practices", "practices_short", "first_completion_year",
    "statement",
]


def site_impacts(
    growth: Growth,
    housing: HousingDemand,
    allocation: pd.DataFrame,
    headroom: pd.DataFrame,
    practice_names: pd.Series,
    assumptions: Assumptions,
) -> pd.DataFrame:
    """One row per housing site: the chain's figures at full build-out within the horizon.

    ``headroom`` is practices x years in patients. Columns: site_ref, name, housing_type,
    dwellings, dwellings_by_horizon, residents, patients, weighted_patients, gp_fte_needed,
    m2_needed, capital_cost_gbp, cost_per_dwelling_gbp, practices (text), practices_short
    (absorbing practices without headroom in a completion year), first_completion_year,
    statement.
    """
    a = assumptions
    sites = growth.sites
    yrs = housing.years
    horizon = yrs[-1]
    dwellings = sites["dwellings"].astype(float).to_numpy()
    built = growth.completions(yrs).sum(axis=1).to_numpy(dtype=float)
    residents = housing.residents[horizon].to_numpy()
    patients = housing.patients[horizon].to_numpy()
    weighted = housing.weighted[horizon].to_numpy()
    gp_fte = weighted / a.people_per_gp_fte
    m2 = np.asarray(m2_for_patients(weighted, a), dtype=float)
    cost = m2 * a.cost_per_m2_gbp
    per_dwelling = np.divide(cost, built, out=np.zeros_like(cost), where=built > 0)
    done = growth.completions(yrs).to_numpy(dtype=float) > 0  # sites x years
    room = headroom.to_numpy(dtype=float)  # practices x years
    practice_pos = {code: i for i, code in enumerate(headroom.index)}
    shares_of: dict[Any, list[tuple[str, float, float]]] = {}
    # Plain arrays and dicts: per-element access to pandas (Arrow-backed) strings is slow at
    # England scale (10,000 sites, 70,000 shares).
    names_of = dict(zip(practice_names.index.tolist(), practice_names.tolist(), strict=True))
    for ref, code, share, km in zip(allocation["site_ref"].tolist(),
                                    allocation["practice_code"].tolist(),
                                    allocation["share"].tolist(),
                                    allocation["distance_km"].tolist(), strict=True):
        shares_of.setdefault(ref, []).append((code, float(share), float(km)))
    names = sites["name"].tolist()
    types = sites["housing_type"].tolist()
    rows = []
    for k, ref in enumerate(sites.index):
        years_done = done[k]
        parts: list[str] = []
        short: list[str] = []
        for code, share, km in shares_of.get(ref, []):
            lacking = bool(years_done.any()) and room[practice_pos[code], years_done].min() < 0
            if lacking:
                short.append(code)
            parts.append(f"{names_of.get(code, code)} ({code}) {share:.0%} at {km:.1f} km"
                         + (", no headroom" if lacking else ""))
        first = yrs[int(years_done.argmax())] if years_done.any() else None
        rows.append(
            {
                "site_ref": ref,
                "name": names[k],
                "housing_type": types[k],
                "dwellings": dwellings[k],
                "dwellings_by_horizon": built[k],
                "residents": residents[k],
                "patients": patients[k],
                "weighted_patients": weighted[k],
                "gp_fte_needed": gp_fte[k],
                "m2_needed": m2[k],
                "capital_cost_gbp": cost[k],
                "cost_per_dwelling_gbp": per_dwelling[k],
                "practices": "; ".join(parts),
                "practices_short": ", ".join(short),
                "first_completion_year": first,
                "statement": _statement(ref, names[k], str(types[k]), built[k], residents[k],
                                        patients[k], weighted[k], gp_fte[k], m2[k], cost[k],
                                        per_dwelling[k], parts, short, first, horizon, a),
            }
        )
    # Named columns even with no rows: a region without housing sites is ordinary.
    return pd.DataFrame(rows, columns=SITE_IMPACT_COLUMNS).set_index(
        "site_ref", drop=False).rename_axis(None)


def _statement(
    ref: Any, name: Any, housing_type: str, built: float, residents: float, patients: float, weighted: float,
    gp_fte: float, m2: float, cost: float, per_dwelling: float, parts: list[str],
    short: list[str], first: int | None, horizon: int, a: Assumptions,
) -> str:
    kind = HOUSING_TYPE_LABELS.get(housing_type, housing_type)
    occ = a.occupancy(housing_type)
    if built <= 0:
        return (f"{name} ({ref}): no homes are expected to complete by "
                f"{fy(horizon)}, so no primary-care impact is assessed "
                "within the horizon.")
    method = (f"at {a.m2_per_patient:.4f} m2 per patient" if a.capacity_method == "space"
              else f"as {weighted / a.patients_per_room:.2f} clinical rooms of {a.m2_per_room:g} m2 "
                   f"plus {a.circulation:.0%} circulation")
    text = (
        f"{name} ({ref}): {built:,.0f} {kind.lower()} homes completing from "
        f"{fy(first) if first is not None else ''} to the horizon year are expected to house {residents:,.0f} residents ({occ:g} per home), "
        f"{patients:,.0f} new patients at a registration rate of {a.registration_rate:g}, "
        f"{weighted:,.0f} need-weighted. That needs {gp_fte:.2f} full-time GPs (at "
        f"{a.people_per_gp_fte:,.0f} patients each) and {m2:,.1f} m2 of primary-care floor space "
        f"({method}), costing GBP {cost:,.0f} at GBP {a.cost_per_m2_gbp:,.0f} per m2, or GBP "
        f"{per_dwelling:,.0f} per home."
    )
    if parts:
        text += " The new patients are expected to register with: " + "; ".join(parts) + "."
    if short:
        text += (f" {len(short)} of these practices lack headroom in the years the homes complete, "
                 "so a contribution towards additional capacity is justified.")
    elif parts:
        text += " These practices have headroom in the years the homes complete."
    return text
