"""The options appraisal: every option evaluated against doing nothing, scored and ranked.

An appraisal always includes do-nothing and do-minimum (extend in place), so that a capital bid
can show every other option was looked at first (METHODS.md section 5). Each option is scored
against fixed reference points declared as assumptions, never against the other options on the
table, so adding or removing an option changes no other option's score:

- deficit: the deficit resolved at the horizon as a share of the region's deficit (0 to 1);
- access: the change in percentage points of people aged 65+ (today's residents and the new
  homes') within the travel threshold by the travel mode, over
  ``appraisal_access_reference_pp`` (-1 to 1: an option that takes access away loses marks);
- value: the reference cost per deficit patient resolved over the option's
  (``appraisal_reference_cost_per_patient_gbp``; at or below it 1, twice it 0.5; nothing
  resolved 0).

Score = 100 x the weighted sum (weights from the assumptions, normalised to add up to 1). Do
nothing scores 0 by construction. An option that leaves some people further from their nearest
surgery is flagged with how many (people aged 65+ in rural areas separately).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from estates.assumptions import Assumptions
from estates.engine.evaluate import Result, evaluate
from estates.errors import InputError
from estates.model import Growth, Region
from estates.options.apply import apply_with_costs
from estates.options.compare import Comparison, compare
from estates.options.scenario import Scenario, do_nothing, scenario_assumptions

#: Weights of the three criteria in the score (they add up to 1); the assumptions'
#: ``appraisal_weight_*`` fields hold the ones used by default.
DEFAULT_WEIGHTS: dict[str, float] = {"deficit": 0.4, "access": 0.3, "cost": 0.3}
RURAL = ("larger rural", "smaller rural")

#: The scoring rule in words, for the report and the dashboard (``{weights}`` filled in).
APPRAISAL_RULE = (
    "Score (0-100): each option is scored against fixed reference points, never against the "
    "other options, so adding or removing an option changes no other score. Deficit: the "
    "deficit resolved at the horizon as a share of the region's deficit. Access: the change "
    "in percentage points of people aged 65+ (including the new homes' residents) within the "
    "travel threshold, over the reference change (assumption appraisal_access_reference_pp); "
    "an option that takes access away loses marks. Value: the reference cost per deficit "
    "patient resolved over the option's (assumption "
    "appraisal_reference_cost_per_patient_gbp). Weighted {weights}. Do nothing scores 0; do "
    "nothing and do minimum are always included.")
#: How a new site's expected use is measured, in words.
NEW_SITE_RULE = (
    "Expected use: the need-weighted patients at the horizon (today's residents and the new "
    "homes') for whom the site becomes the nearest surgery, against its premises capacity. "
    "Patients register with practices, not buildings, so this is the most the site could "
    "expect; 'well used' from the assumption new_site_well_used_pct.")


@dataclass
class Appraisal:
    """The ranked table, and each option's comparison and evaluation (by option name)."""

    table: pd.DataFrame
    comparisons: dict[str, Comparison]
    results: dict[str, Result]
    baseline: Result
    options: list[Scenario]
    weights: dict[str, float]
    notes: list[str] = field(default_factory=list)


def _pct(access: pd.DataFrame, *, mode: str, threshold: float, classes: Sequence[str],
         which: str) -> float:
    rows = access[(access["mode"] == mode) & (access["threshold_minutes"] == threshold)
                  & (access["group"] == "65+") & access["rural_class"].isin(list(classes))]
    pop = rows[f"population_{which}"].sum()
    return float(100.0 * rows[f"within_{which}"].sum() / pop) if pop > 0 else math.nan


def criterion_scores(deficit_resolved: float, deficit_base: float, access_change_pp: float,
                     cost_gbp: float, cost_per_patient_gbp: float | None,
                     a: Assumptions) -> dict[str, float]:
    """The three criteria of one option against the fixed reference points (module docstring).

    Depends only on the option and the baseline, so no other option can change it.
    """
    deficit = (min(max(deficit_resolved / deficit_base, 0.0), 1.0) if deficit_base > 0 else 0.0)
    change = access_change_pp if np.isfinite(access_change_pp) else 0.0
    access = min(max(change / a.appraisal_access_reference_pp, -1.0), 1.0)
    if deficit_resolved <= 1e-9:
        value = 0.0
    elif cost_gbp <= 0:
        value = 1.0
    else:
        per_patient = (cost_per_patient_gbp if cost_per_patient_gbp is not None
                       else cost_gbp / deficit_resolved)
        value = min(a.appraisal_reference_cost_per_patient_gbp / per_patient, 1.0)
    return {"score_deficit": deficit, "score_access": access, "score_cost": value}


def further_flag(summary: Mapping[str, Any]) -> str:
    """Plain words for an option that leaves people further from a surgery ('' if none)."""
    people = float(summary.get("people_further", 0.0) or 0.0)
    if people < 0.5:
        return ""
    older = float(summary.get("people_65_plus_further", 0.0) or 0.0)
    rural = float(summary.get("older_rural_further", 0.0) or 0.0)
    return (f"leaves {people:,.0f} people further from their nearest surgery, {older:,.0f} of "
            f"them aged 65+ ({rural:,.0f} aged 65+ in rural areas)")


def run_appraisal(
    region: Region, growth: Growth | None, assumptions: Assumptions | None,
    options: Sequence[Scenario], *, weights: Mapping[str, float] | None = None,
    baseline: Result | None = None,
) -> Appraisal:
    """Evaluate each option against the baseline and rank them (see the module docstring).

    Do-nothing is added first when ``options`` lacks an option without changes.
    """
    a = assumptions or Assumptions()
    w = dict({"deficit": a.appraisal_weight_deficit, "access": a.appraisal_weight_access,
              "cost": a.appraisal_weight_cost} if weights is None else weights)
    if set(w) != set(DEFAULT_WEIGHTS) or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise InputError(f"weights must give non-negative numbers for {sorted(DEFAULT_WEIGHTS)} "
                         f"(value {w})")
    total = sum(w.values())
    w = {k: v / total for k, v in w.items()}
    names = [o.name for o in options]
    if len(set(names)) != len(names):
        raise InputError(f"option names must be unique (value {names})")
    opts = list(options)
    if not any(len(o.changes) == 0 for o in opts):
        opts.insert(0, do_nothing())
    base = baseline if baseline is not None else evaluate(region, growth, a)
    rows, comparisons, results = [], {}, {}
    for opt in opts:
        oa = scenario_assumptions(opt, a)
        applied = apply_with_costs(region, opt, assumptions=a)
        res = evaluate(applied.region, growth, oa)
        comp = compare(base, res, costs=applied.costs)
        comparisons[opt.name], results[opt.name] = comp, res
        s = comp.summary
        acc = comp.access
        t = a.threshold_minutes
        everyone = ("urban", *RURAL)
        rural_b = _pct(acc, mode="car", threshold=t, classes=RURAL, which="base")
        rural_o = _pct(acc, mode="car", threshold=t, classes=RURAL, which="option")
        walk_b = _pct(acc, mode="older_walk", threshold=t, classes=everyone, which="base")
        walk_o = _pct(acc, mode="older_walk", threshold=t, classes=everyone, which="option")
        older_b = _pct(acc, mode=a.travel_mode, threshold=t, classes=everyone, which="base")
        older_o = _pct(acc, mode=a.travel_mode, threshold=t, classes=everyone, which="option")
        access_pp = _diff(older_o, older_b)
        resolved = float(s["deficit_resolved"])
        cost = float(s["capital_cost_gbp"])
        per_patient = s.get("cost_per_deficit_patient_gbp")
        scores = criterion_scores(resolved, float(s["deficit_total_base"]), access_pp, cost,
                                  per_patient, a)
        verdicts = "; ".join(f"{n['site_name']}: {n['verdict']}" for n in comp.new_sites)
        rows.append({
            "option": opt.name,
            "description": opt.description,
            "changes": len(opt.changes),
            "deficit_resolved": resolved,
            "deficit_resolved_share": (resolved / float(s["deficit_total_base"])
                                       if s["deficit_total_base"] > 0 else math.nan),
            "deficit_patient_years_resolved": s["deficit_patient_years_resolved"],
            "practices_in_deficit": s["practices_in_deficit_option"],
            "unmet_demand_reduced": s["unmet_demand_reduced"],
            "misplaced_capacity": s["misplaced_capacity_option"],
            "older_pct_within_base": older_b,
            "older_pct_within": older_o,
            "older_access_change_pp": access_pp,
            "older_rural_pct_car_base": rural_b,
            "older_rural_pct_car": rural_o,
            "older_rural_change_pp": _diff(rural_o, rural_b),
            "older_walk_pct_base": walk_b,
            "older_walk_pct": walk_o,
            "older_walk_change_pp": _diff(walk_o, walk_b),
            "older_mean_minutes": s["older_65_mean_minutes_option"],
            "m2_added": s["m2_added"],
            "capital_cost_gbp": cost,
            "cost_per_deficit_patient_gbp": math.nan if per_patient is None else per_patient,
            "people_further": s.get("people_further", 0.0),
            "people_65_plus_further": s.get("people_65_plus_further", 0.0),
            "older_rural_further": s.get("older_rural_further", 0.0),
            "flag": further_flag(s),
            "new_sites": verdicts,
            **scores,
        })
    table = pd.DataFrame(rows)
    table["score"] = 100.0 * (w["deficit"] * table["score_deficit"]
                              + w["access"] * table["score_access"]
                              + w["cost"] * table["score_cost"])
    table = table.sort_values(["score", "capital_cost_gbp", "option"],
                              ascending=[False, True, True], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.attrs["weights"] = w
    table.attrs["threshold_minutes"] = a.threshold_minutes
    table.attrs["travel_mode"] = a.travel_mode
    table.attrs["references"] = {
        "deficit": float(base.summary["deficit_total"]),
        "access_pp": a.appraisal_access_reference_pp,
        "cost_per_patient_gbp": a.appraisal_reference_cost_per_patient_gbp}
    return Appraisal(table, comparisons, results, base, opts, w)


#: The criteria written after ``option`` and ``score`` in appraisal.csv, in order.
RECORD_COLUMNS: tuple[str, ...] = (
    "rank", "score_deficit", "score_access", "score_cost", "deficit_resolved",
    "deficit_resolved_share", "practices_in_deficit", "unmet_demand_reduced",
    "older_pct_within_base", "older_pct_within", "older_access_change_pp",
    "older_rural_change_pp", "older_mean_minutes", "m2_added", "capital_cost_gbp",
    "cost_per_deficit_patient_gbp", "people_further", "people_65_plus_further",
    "older_rural_further", "flag", "new_sites", "description",
)


def appraisal_records(appraisal: Appraisal) -> pd.DataFrame:
    """The table as appraisal.csv writes it: ``option``, ``score``, then each criterion."""
    return appraisal.table.reindex(columns=["option", "score", *RECORD_COLUMNS])


def appraise(region: Region, growth: Growth | None, assumptions: Assumptions | None,
             options: Sequence[Scenario], **kwargs: Any) -> pd.DataFrame:
    """The ranked appraisal table (see ``run_appraisal``); ``attrs['weights']`` holds the
    weights used. The assumptions used are the ones given (each option may override some)."""
    return run_appraisal(region, growth, assumptions, options, **kwargs).table


def _diff(x: float, y: float) -> float:
    return x - y if np.isfinite(x) and np.isfinite(y) else math.nan


def _ceil_to(x: float, step: float) -> float:
    return float(math.ceil(max(x, 0.0) / step) * step)


def default_options(region: Region, baseline: Result, *, k: int = 2,
                    min_satellite_m2: float = 100.0) -> list[Scenario]:
    """Sensible options for any region, built from its baseline.

    Do nothing; do minimum (extend every practice in deficit at the horizon by its deficit in
    m2); a satellite in the library nearest the worst deficit; a satellite beside the largest
    retirement (or extra-care) site, for the practice taking most of its residents; a hub
    merging the two nearest small converted-house practices; and the site finder's choice of
    up to ``k`` sites. Options a region cannot support (no library, no retirement site...) are
    left out.
    """
    p = baseline.practices
    out = [do_nothing()]
    deficit = p[p["headroom_horizon"] < 0].sort_values("headroom_horizon")
    if len(deficit):
        changes = tuple({"type": "extend", "practice_code": str(code),
                         "gia_m2": _ceil_to(-row["headroom_m2_horizon"], 5)}
                        for code, row in deficit.iterrows())
        out.append(Scenario("Do minimum: extend in place", changes, {},
                            f"Extend the {len(changes)} practice(s) in deficit at the horizon "
                            "by the floor area of their deficit (rounded up to 5 m2)."))
        worst = deficit.index[0]
        lib = _nearest_candidate(region, p.loc[worst, "x"], p.loc[worst, "y"], kind="library")
        if lib is not None:
            need = _ceil_to(-deficit.loc[worst, "headroom_m2_horizon"], 5)
            avail = float(region.candidates.at[lib, "available_m2"])
            size = min(avail, max(need, min_satellite_m2))
            out.append(Scenario(
                f"Library satellite: {region.candidates.at[lib, 'name']}",
                ({"type": "colocate", "practice_code": str(worst), "candidate_id": str(lib),
                  "gia_m2": size},), {},
                f"{p.loc[worst, 'site_name']} (the worst deficit) opens a {size:,.0f} m2 "
                f"satellite in {region.candidates.at[lib, 'name']}."))
    village = _largest_older_site(baseline)
    if village is not None:
        ref, parent, m2 = village
        site = baseline.sites.loc[ref]
        geom = (region.growth.sites.geometry[ref] if ref in region.growth.sites.index else None)
        if geom is not None:
            size = max(_ceil_to(m2, 10), min_satellite_m2)
            out.append(Scenario(
                f"Satellite beside {site['name']}",
                ({"type": "add_satellite", "parent_code": parent, "easting": float(geom.x),
                  "northing": float(geom.y), "gia_m2": size},), {},
                f"{p.loc[parent, 'site_name']} opens a {size:,.0f} m2 satellite beside "
                f"{site['name']} ({site['dwellings']:,.0f} homes for older people)."))
    hub = _hub_pair(baseline, baseline.assumptions)
    if hub is not None:
        big, small = hub
        x = (p.loc[big, "x"] + p.loc[small, "x"]) / 2
        y = (p.loc[big, "y"] + p.loc[small, "y"]) / 2
        need = (p.loc[big, "demand_horizon"] + p.loc[small, "demand_horizon"])
        m2 = _ceil_to(need * baseline.assumptions.gross_m2_per_patient, 10)
        out.append(Scenario(
            f"Hub: {p.loc[small, 'site_name']} joins {p.loc[big, 'site_name']}",
            ({"type": "merge", "hub_code": str(big), "practices": [str(small)],
              "easting": float(x), "northing": float(y), "gia_m2": m2},), {},
            f"{p.loc[small, 'site_name']} and {p.loc[big, 'site_name']} merge into a new "
            f"{m2:,.0f} m2 hub between them, sized for their combined demand at the horizon; "
            "both old buildings close."))
    if len(region.candidates) and k > 0:
        from estates.options.optimise import find_sites

        choice = find_sites(region, baseline, k=k)
        if len(choice.chosen):
            out.append(choice.to_scenario(name=f"Site finder: best {len(choice.chosen)} "
                                                "new site(s)"))
    return out


def _nearest_candidate(region: Region, x: float, y: float, *, kind: str) -> str | None:
    c = region.candidates
    c = c[(c["kind"].astype(str) == kind) & (c["available_m2"].astype(float) > 0)]
    if not len(c):
        return None
    d = np.hypot(c.geometry.x.to_numpy() - x, c.geometry.y.to_numpy() - y)
    return str(c.index[int(np.argmin(d))])


def _largest_older_site(baseline: Result) -> tuple[str, str, float] | None:
    s = baseline.sites
    if not len(s):
        return None
    older = s[s["housing_type"].isin(["retirement", "extra_care"])]
    if not len(older):
        return None
    ref = str(older.sort_values(["dwellings", "site_ref"], ascending=[False, True]).index[0])
    alloc = baseline.allocation[baseline.allocation["site_ref"] == ref]
    if not len(alloc):
        return None
    parent = str(alloc.sort_values("share", ascending=False)["practice_code"].iloc[0])
    return ref, parent, float(older.loc[ref, "m2_needed"])


def _hub_pair(baseline: Result, a: Assumptions) -> tuple[str, str] | None:
    """Two practices to merge: the pair of converted-house practices within the travel
    threshold of each other with the smallest combined list; failing that, a converted-house
    practice and its nearest neighbour within the threshold (smallest combined list)."""
    from estates.access.travel import minutes_per_metre

    p = baseline.practices
    converted = set(p.index[p["building"].astype(str).str.lower() == "converted house"])
    if not converted:
        return None
    reach_m = a.threshold_minutes / minutes_per_metre(a.travel_mode, a)
    both: list[tuple[float, str, str]] = []
    one: list[tuple[float, str, str]] = []
    codes = list(p.index)
    for i, c1 in enumerate(codes):
        for c2 in codes[i + 1:]:
            if c1 not in converted and c2 not in converted:
                continue
            d = math.hypot(p.loc[c1, "x"] - p.loc[c2, "x"], p.loc[c1, "y"] - p.loc[c2, "y"])
            if d > reach_m:
                continue
            size = float(p.loc[c1, "list_size"] + p.loc[c2, "list_size"])
            (both if c1 in converted and c2 in converted else one).append((size, c1, c2))
    pool = both or one
    if not pool:
        return None
    _, c1, c2 = min(pool)
    big, little = (c1, c2) if p.loc[c1, "list_size"] >= p.loc[c2, "list_size"] else (c2, c1)
    return big, little
