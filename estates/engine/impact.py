"""The planning-contribution chain for each housing site, as figures and as a statement.

homes -> residents -> patients -> need-weighted patients -> GP FTE, floor space, capital cost,
and which practices absorb them with or without headroom in the years the homes complete
(METHODS.md section 1). The statement is worded for a planning officer to paste into a
consultation response; every figure in it comes from a named assumption.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from estates.assumptions import Assumptions
from estates.engine.demand import HousingDemand
from estates.model import HOUSING_TYPE_LABELS, Growth, fy


def m2_for_patients(patients: np.ndarray | float, assumptions: Assumptions) -> np.ndarray | float:
    """Floor space needed for ``patients`` weighted patients, by the chosen capacity method."""
    a = assumptions
    if a.capacity_method == "space":
        return patients * a.gross_m2_per_patient
    return patients / a.patients_per_room * a.gross_m2_per_room


#: The columns of ``site_impacts``, in order.
SITE_IMPACT_COLUMNS = [
    "site_ref", "name", "housing_type", "dwellings", "dwellings_by_horizon",
    "dwellings_after_horizon", "residents", "patients", "weighted_patients", "gp_fte_needed",
    "m2_needed", "capital_cost_gbp", "patients_to_practices_without_headroom", "m2_justified",
    "contribution_gbp", "cost_per_dwelling_gbp", "weighted_patients_after_horizon",
    "contribution_after_horizon_gbp", "practices", "practices_headroom", "practices_short",
    "first_completion_year", "statement",
]


def site_impacts(
    growth: Growth,
    housing: HousingDemand,
    allocation: pd.DataFrame,
    headroom: pd.DataFrame,
    practice_names: pd.Series,
    assumptions: Assumptions,
) -> pd.DataFrame:
    """One row per housing site: the chain's figures, and the contribution that is justified.

    A planning obligation must be necessary, directly related to the development and fairly and
    reasonably related to it in scale and kind (CIL Regulations 2010, reg. 122). So only the
    new patients who go to a practice without headroom *in the year their homes complete* are
    costed: homes completing in year Y send ``share x patients`` to each practice, and that part
    counts where the practice's headroom in Y is negative. Homes completing after the horizon are
    costed for the practices still without headroom at the horizon (headroom only falls as
    homes complete, unless an option adds space).

    ``headroom`` is practices x years in patients. Columns: site_ref, name, housing_type,
    dwellings, dwellings_by_horizon, dwellings_after_horizon, residents, patients,
    weighted_patients, gp_fte_needed, m2_needed and capital_cost_gbp (for all the new
    patients), patients_to_practices_without_headroom, m2_justified, contribution_gbp,
    cost_per_dwelling_gbp (the contribution per home completing by the horizon),
    weighted_patients_after_horizon, contribution_after_horizon_gbp, practices (text),
    practices_headroom (each absorbing practice with its lowest headroom in the completion
    years), practices_short, first_completion_year, statement.
    """
    a = assumptions
    sites = growth.sites
    yrs = housing.years
    horizon = yrs[-1]
    dwellings = sites["dwellings"].astype(float).to_numpy()
    built = growth.completions(yrs).sum(axis=1).to_numpy(dtype=float)
    after = dwellings_after(growth, horizon)
    residents = housing.residents[horizon].to_numpy()
    patients = housing.patients[horizon].to_numpy()
    weighted = housing.weighted[horizon].to_numpy()
    # weighted patients per home of each site: the horizon figure over the homes built, or for
    # a site with nothing built by then, one home's worth at its type's occupancy and profile
    per_home = _weighted_per_home(sites, a)
    weighted_after = after * per_home
    # new weighted patients arriving in each year (demand counts cumulative completions)
    arriving = np.diff(housing.weighted.to_numpy(dtype=float), axis=1,
                       prepend=np.zeros((len(sites), 1)))
    gp_fte = weighted / a.people_per_gp_fte
    m2 = np.asarray(m2_for_patients(weighted, a), dtype=float)
    cost = m2 * a.cost_per_m2_gbp
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
        rooms_text: list[str] = []
        short: list[str] = []
        justified = 0.0
        justified_after = 0.0
        for code, share, km in shares_of.get(ref, []):
            pos = practice_pos[code]
            lacking_years = room[pos] < 0
            justified += share * float(arriving[k][lacking_years].sum())
            if room[pos, -1] < 0:
                justified_after += share * weighted_after[k]
            lacking = bool((years_done & lacking_years).any())
            if lacking:
                short.append(code)
            low = float(room[pos, years_done].min()) if years_done.any() else float(room[pos, -1])
            parts.append(f"{names_of.get(code, code)} ({code}) {share:.0%} at {km:.1f} km"
                         + (", no headroom" if lacking else ""))
            rooms_text.append(f"{names_of.get(code, code)} ({code}) {share:.0%}, headroom "
                              f"{low:,.0f} patients" + (" (lowest in the completion years)"
                                                        if years_done.any() else
                                                        f" in {fy(horizon)}"))
        m2_just = float(m2_for_patients(justified, a))
        contribution = m2_just * a.cost_per_m2_gbp
        contribution_after = float(m2_for_patients(justified_after, a)) * a.cost_per_m2_gbp
        per_dwelling = contribution / built[k] if built[k] > 0 else 0.0
        first = yrs[int(years_done.argmax())] if years_done.any() else None
        figures = _Figures(built[k], after[k], residents[k], patients[k], weighted[k],
                           gp_fte[k], m2[k], cost[k], justified, m2_just, contribution,
                           per_dwelling, weighted_after[k], contribution_after)
        rows.append(
            {
                "site_ref": ref,
                "name": names[k],
                "housing_type": types[k],
                "dwellings": dwellings[k],
                "dwellings_by_horizon": built[k],
                "dwellings_after_horizon": after[k],
                "residents": residents[k],
                "patients": patients[k],
                "weighted_patients": weighted[k],
                "gp_fte_needed": gp_fte[k],
                "m2_needed": m2[k],
                "capital_cost_gbp": cost[k],
                "patients_to_practices_without_headroom": justified,
                "m2_justified": m2_just,
                "contribution_gbp": contribution,
                "cost_per_dwelling_gbp": per_dwelling,
                "weighted_patients_after_horizon": weighted_after[k],
                "contribution_after_horizon_gbp": contribution_after,
                "practices": "; ".join(parts),
                "practices_headroom": "; ".join(rooms_text),
                "practices_short": ", ".join(short),
                "first_completion_year": first,
                "statement": _statement(ref, names[k], str(types[k]), figures, parts, short,
                                        first, horizon, a),
            }
        )
    # Named columns even with no rows: a region without housing sites is ordinary.
    return pd.DataFrame(rows, columns=SITE_IMPACT_COLUMNS).set_index(
        "site_ref", drop=False).rename_axis(None)


def dwellings_after(growth: Growth, horizon: int) -> np.ndarray:
    """Homes of each site completing after ``horizon``: its dwellings less those the
    trajectory completes by then (in any year up to the horizon, before the base year too)."""
    traj = growth.trajectory.reindex(index=growth.sites.index).fillna(0.0)
    cols = [c for c in traj.columns if isinstance(c, (int, np.integer)) and c <= horizon]
    by_horizon = traj[cols].sum(axis=1).to_numpy(dtype=float) if cols else 0.0
    total = growth.sites["dwellings"].astype(float).to_numpy()
    return np.maximum(total - by_horizon, 0.0)


def _weighted_per_home(sites: pd.DataFrame, a: Assumptions) -> np.ndarray:
    weights = np.asarray(a.need_weights, dtype=float)
    return np.array([a.occupancy(t) * a.registration_rate
                     * float(np.asarray(a.age_profile(t), dtype=float) @ weights)
                     for t in sites["housing_type"].astype(str)], dtype=float)


class _Figures(NamedTuple):
    built: float
    after: float
    residents: float
    patients: float
    weighted: float
    gp_fte: float
    m2: float
    cost: float
    justified: float
    m2_justified: float
    contribution: float
    per_dwelling: float
    weighted_after: float
    contribution_after: float


def _statement(
    ref: Any, name: Any, housing_type: str, f: _Figures, parts: list[str], short: list[str],
    first: int | None, horizon: int, a: Assumptions,
) -> str:
    kind = HOUSING_TYPE_LABELS.get(housing_type, housing_type)
    occ = a.occupancy(housing_type)
    later = ""
    if f.after > 0:
        later = (f" A further {f.after:,.0f} homes complete after {fy(horizon)}"
                 + (f"; {f.weighted_after:,.0f} need-weighted patients from them would go to "
                    f"practices without headroom at the horizon, a further GBP "
                    f"{f.contribution_after:,.0f} on the same basis." if f.contribution_after > 0
                    else "; the practices they would use have headroom at the horizon, so no "
                         "further contribution is sought for them."))
    if f.built <= 0:
        return (f"{name} ({ref}): no homes are expected to complete by "
                f"{fy(horizon)}, so no primary-care impact is assessed "
                "within the horizon." + later)
    method = (f"gross, at {a.gross_m2_per_patient:.4f} m2 per patient"
              if a.capacity_method == "space"
              else f"gross, as {f.weighted / a.patients_per_room:.2f} clinical rooms of "
                   f"{a.m2_per_room:g} m2 with their non-clinical space")
    text = (
        f"{name} ({ref}): {f.built:,.0f} {kind.lower()} homes completing from "
        f"{fy(first) if first is not None else ''} to {fy(horizon)} are expected to house "
        f"{f.residents:,.0f} residents ({occ:g} per home), {f.patients:,.0f} new patients at a "
        f"registration rate of {a.registration_rate:g}, {f.weighted:,.0f} "
        f"need-weighted{_need_note(f.weighted, f.patients)}, needing {f.gp_fte:.2f} full-time "
        f"GPs (at {a.people_per_gp_fte:,.0f} patients each) and {f.m2:,.1f} m2 of primary-care "
        f"floor space ({method})."
    )
    if parts:
        text += " The new patients are expected to register with: " + "; ".join(parts) + "."
    if f.contribution > 0:
        text += (
            f" {len(short)} of these practices {'lacks' if len(short) == 1 else 'lack'} headroom "
            "in the years the homes complete. "
            f"A contribution is sought only for the {f.justified:,.0f} need-weighted patients "
            f"who go to a practice without headroom in the year their homes complete: "
            f"{f.m2_justified:,.1f} m2 at GBP {a.cost_per_m2_gbp:,.0f} per m2, GBP "
            f"{f.contribution:,.0f}, or GBP {f.per_dwelling:,.0f} per home. This is necessary, "
            "directly related to the development and fairly related to it in scale (CIL "
            "Regulations 2010, reg. 122).")
    elif parts:
        text += (" These practices have headroom in the years the homes complete, so the "
                 "development's patients can be absorbed and no contribution (GBP 0) is "
                 "justified under CIL Regulations 2010, reg. 122.")
    return text + later


def _need_note(weighted: float, patients: float) -> str:
    """Say when a site's residents need more (or less) than the region's average patient."""
    if patients <= 0 or abs(weighted / patients - 1.0) < 0.05:
        return ""
    ratio = weighted / patients
    why = "older" if ratio > 1 else "younger"
    return (f" ({ratio:.2f} per patient against the region's average of 1.00: its residents are "
            f"{why} than the region's patients, so each needs {'more' if ratio > 1 else 'less'} "
            "GP time)")
