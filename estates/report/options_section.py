"""The report's options sections: a scenario against the baseline, in sentences, and the
options appraisal."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from estates.report.figures import change_text, esc
from estates.report.tables import headline, table_html
from estates.report.wording import describe_changes


def _money(value: Any) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return f"GBP {float(value):,.0f}"


def appraisal_section(table: pd.DataFrame) -> str:
    """The options appraisal table, its scoring rule and the weights used."""
    w = table.attrs.get("weights", {})
    t = table.attrs.get("threshold_minutes", 15)
    rows = table.copy()
    rows["capital_cost"] = rows["capital_cost_gbp"].map(_money)
    rows["per_place"] = rows["cost_per_patient_place_gbp"].map(_money)
    weights = ", ".join(f"{k} {v:.0%}" for k, v in w.items())
    return (
        "<h2>Options appraisal</h2><p class='note'>Each option is evaluated against the "
        "baseline with the same assumptions. Score (0-100): each criterion is scaled from the "
        "worst option (0) to the best (1) and weighted (" + esc(weights) + "). Deficit: "
        "patients of practice deficit at the horizon that the option removes. Access: change "
        f"in the percentage of people aged 65+ in rural zones within {t:g} minutes of a surgery "
        "by car, plus the change for all people aged 65+ as older walkers. Cost: capital cost "
        "(lower is better). Do nothing and do minimum are always included.</p>"
        + table_html(rows, [
            ("rank", "Rank", None), ("option", "Option", None),
            ("deficit_resolved", "Deficit resolved (patients)", 0),
            ("practices_in_deficit", "Practices still in deficit", None),
            ("unmet_demand_reduced", "Unmet demand reduced (patients)", 0),
            ("older_rural_change_pp", "Older rural access by car (change, % points)", 1),
            ("older_walk_change_pp", "Older walkers within reach (change, % points)", 1),
            ("m2_added", "Floor area (m2)", 0), ("capital_cost", "Capital cost", None),
            ("per_place", "Cost per patient place", None), ("score", "Score", 0)])
        + "<ol>" + "".join(f"<li><b>{esc(r['option'])}</b>: {esc(r['description'])}</li>"
                           for _, r in table.iterrows()) + "</ol>")


def comparison_section(comparison: Any, scenario: Any = None, region: Any = None,
                       sites: pd.DataFrame | None = None) -> str:
    """A scenario against the baseline: what it does in sentences, headline changes, costs,
    older access, practices. ``region`` (before the change) names practices and buildings;
    ``sites`` (housing sites) place a point beside the site it is near."""
    s = comparison.summary
    name = getattr(scenario, "name", "Scenario")
    description = str(getattr(scenario, "description", "") or "")
    intro = f"<p>{esc(description)}</p>" if description else ""
    changes = ""
    costs = comparison.costs
    if scenario is not None and scenario.changes:
        if region is not None:
            said = describe_changes(scenario.changes, region, sites=sites, costs=costs)
        else:  # no region to name things by: the change's own fields, as words
            said = ["; ".join(f"{k.replace('_', ' ')} {v}" for k, v in c.items())
                    for c in scenario.changes]
        changes = ("<p>The option makes these changes:</p><ol>"
                   + "".join(f"<li>{esc(t)}</li>" for t in said) + "</ol>")
    in_deficit = change_text(s["practices_in_deficit_base"], s["practices_in_deficit_option"])
    figs = [
        headline("Deficit resolved", f"{s['deficit_resolved']:,.0f} patients",
                 f"Practice deficit at the horizon: {s['deficit_total_base']:,.0f} before, "
                 f"{s['deficit_total_option']:,.0f} after."),
        headline("Practices in deficit", in_deficit, "At the horizon, before and after."),
        headline("Unmet demand within reach", f"{s['unmet_demand_reduced']:,.0f} fewer",
                 f"{s['unmet_demand_base']:,.0f} before, {s['unmet_demand_option']:,.0f} after "
                 "(patients no surgery with space can serve within the threshold)."),
        headline("Capital cost", _money(s["capital_cost_gbp"]),
                 f"{s['m2_added']:,.0f} m²; " + (
                     f"{_money(s['cost_per_patient_place_gbp'])} per patient place created."
                     if s["cost_per_patient_place_gbp"] is not None
                     else "no patient places created.")),
    ]
    acc = comparison.access
    acc = acc[(acc["group"].isin(["65+", "75+", "85+"]))
              & (acc["mode"].isin(["car", "public_transport", "older_walk"]))]
    acc = acc[acc["change_pct_points"].fillna(0).abs() > 1e-9]
    access = ("<p>No change in older people's access within the thresholds.</p>" if acc.empty
              else table_html(acc.assign(mode=acc["mode"].str.replace("_", " ")), [
                  ("mode", "Mode", None), ("threshold_minutes", "Within (minutes)", 0),
                  ("group", "Age", None), ("rural_class", "Area", None),
                  ("pct_within_base", "Before (%)", 1), ("pct_within_option", "After (%)", 1),
                  ("change_pct_points", "Change (% points)", 1)]))
    prac = comparison.practices
    moved = prac[(prac["deficit_resolved"].abs() > 0.5)
                 | (prac["capacity_option"] - prac["capacity_base"]).abs().gt(0.5)
                 | ~prac["in_option"]]
    what = describe_changes(scenario.changes, region, sites=sites, costs=costs) if (
        scenario is not None and region is not None) else []
    costs = costs.assign(said=[what[int(i)] if 0 <= int(i) < len(what) else w
                               for i, w in zip(costs["change"], costs["what"], strict=True)])
    return (
        f"<h2>Scenario: {esc(name)}</h2>" + intro + changes
        + "<div class='figs'>" + "".join(figs) + "</div>"
        + "<h3>Capital cost by change</h3>"
        + table_html(costs.assign(cost=costs["cost_gbp"].map(_money)), [
            ("said", "Change", None), ("m2", "Floor area (m²)", 0), ("basis", "Basis", None),
            ("rate_gbp_per_m2", "GBP per m2", 0), ("cost", "Cost", None)])
        + "<h3>Older people's access (changes only)</h3>" + access
        + "<h3>Practices the scenario changes</h3>"
        + table_html(moved.assign(code=moved.index), [
            ("site_name", "Practice", None), ("code", "Code", None),
            ("capacity_base", "Capacity before", 0), ("capacity_option", "Capacity after", 0),
            ("headroom_base", "Headroom before", 0), ("headroom_option", "Headroom after", 0),
            ("deficit_resolved", "Deficit resolved", 0)]))


