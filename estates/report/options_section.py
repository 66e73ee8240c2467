"""The report's sections on access and options: the travel measure and the accessibility index,
an option against the baseline in sentences (with the new sites' expected use) and the options
appraisal. Every piece of text that came from a user's file is escaped."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from estates.report.figures import change_text, esc
from estates.report.tables import headline, patients_text, table_html
from estates.report.wording import describe_changes
from estates.report.zone_shading import zone_legend_items


def _money(value: Any) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return f"GBP {float(value):,.0f}"


def access_section(result: Any) -> str:
    """How travel was measured, and the E2SFCA index of GP floor space and GPs per zone."""
    s = result.summary
    provider = s.get("travel_provider", {})
    modes = "".join(f"<li><b>{esc(m.replace('_', ' '))}</b>: {esc(text)}</li>"
                    for m, text in provider.items())
    idx = s.get("access_index", {})
    zones = result.zones
    text = (
        "<h2>Access</h2><p>Travel times, for every figure of this report (capacity in the "
        "wrong place, minutes to the nearest surgery, older and rural people's access, the "
        "accessibility index and the site finder), are measured as follows:</p><ul>"
        + modes + "</ul><p class='note'>Access figures count today's residents at each zone "
        "and the new homes' residents at the horizon at each housing site.</p>")
    if "e2sfca_m2_per_1000" not in zones.columns:
        return text
    steps = ", ".join(f"{w:g} up to {m:g} min"
                      for m, w in result.assumptions.e2sfca_steps.items())
    mean_m2 = idx.get("e2sfca_m2_per_1000_mean")
    mean_fte = idx.get("e2sfca_gp_fte_per_1000_mean")
    low = zones.sort_values("e2sfca_m2_per_1000", na_position="first").head(8)
    text += (
        "<h3>Accessibility index (E2SFCA)</h3><p>For each zone, the GP floor space and the GPs "
        "(full-time equivalent) within reach per 1,000 residents, by the enhanced two-step "
        "floating catchment method (Luo &amp; Qi 2009): each surgery's floor space (or GPs) is "
        "shared among the people who can reach it, weighted by travel time (" + esc(steps)
        + "), and each zone adds up its shares. Zones that reach no surgery have no figure; "
        "the GP figure is unknown where a surgery in reach has no GP count.</p>"
        "<div class='figs'>"
        + headline("Floor space within reach", "-" if mean_m2 is None else
                     f"{mean_m2:,.1f} m2 per 1,000", "Mean over residents of the region.")
        + headline("GPs within reach", "-" if mean_fte is None else
                     f"{mean_fte:,.2f} FTE per 1,000",
                     f"Mean over residents; {idx.get('e2sfca_gp_fte_per_1000_zones_unknown', 0)}"
                     " zone(s) unknown.")
        + "</div><p class='note'>The interactive map has both indices as zone layers "
        "(switch them on in its layer list), broken at the planning standards: "
        + "; ".join(f"<span style='color:{c}'>&#9632;</span> {esc(label)}"
                    for c, label in zone_legend_items(result.assumptions,
                                                      "e2sfca_m2_per_1000"))
        + " (m2 per 1,000 residents).</p>"
        "<p class='note'>The zones with the least floor space within reach:</p>"
        + table_html(low, [("zone_name", "Zone", None), ("zone_code", "Code", None),
                             ("rural_class", "Area", None), ("population", "People", 0),
                             ("e2sfca_m2_per_1000", "m2 per 1,000 within reach", 1),
                             ("e2sfca_gp_fte_per_1000", "GP FTE per 1,000 within reach", 2),
                             ("minutes_to_nearest_gp", "Minutes to nearest surgery", 1)]))
    return text


def new_sites_html(entries: list[dict[str, Any]]) -> str:
    """The satellite question answered in words, one paragraph per new site."""
    if not entries:
        return ""
    from estates.options.appraisal import NEW_SITE_RULE

    items = "".join(
        f"<li class='{'good' if e['verdict'] == 'well used' else 'bad'}'>{esc(e['answer'])}</li>"
        for e in entries)
    return ("<h3>Would the new sites be used?</h3><ul>" + items + "</ul><p class='note'>"
            + esc(NEW_SITE_RULE) + "</p>")


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
    from estates.options.appraisal import further_flag

    per_patient = s.get("cost_per_deficit_patient_gbp")
    in_deficit = change_text(s["practices_in_deficit_base"], s["practices_in_deficit_option"])
    figs = [
        headline("Deficit resolved", f"{s['deficit_resolved']:,.0f} patients",
                 f"Practice deficit at the horizon: {s['deficit_total_base']:,.0f} before, "
                 f"{s['deficit_total_option']:,.0f} after."),
        headline("Practices in deficit", in_deficit, "At the horizon, before and after."),
        headline("Unmet demand within reach",
                 "n/a" if s["unmet_demand_reduced"] is None
                 else f"{s['unmet_demand_reduced']:,.0f} fewer",
                 f"{patients_text(s['unmet_demand_base'])} before, "
                 f"{patients_text(s['unmet_demand_option'])} after "
                 "(patients no surgery with space can serve within the threshold)."),
        headline("Capital cost", _money(s["capital_cost_gbp"]),
                 f"{s['m2_added']:,.0f} m²; " + (
                     f"{_money(per_patient)} per patient of deficit resolved."
                     if per_patient is not None else "no deficit resolved.")),
    ]
    flag = further_flag(s)
    further = (f"<p class='bad'>This option {esc(flag)}.</p>" if flag else "")
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
    index = _index_change(comparison)
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
        + "<div class='figs'>" + "".join(figs) + "</div>" + further
        + new_sites_html(list(getattr(comparison, "new_sites", [])))
        + "<h3>Capital cost by change</h3>"
        + table_html(costs.assign(cost=costs["cost_gbp"].map(_money)), [
            ("said", "Change", None), ("m2", "Floor area (m²)", 0), ("basis", "Basis", None),
            ("rate_gbp_per_m2", "GBP per m2", 0), ("cost", "Cost", None)])
        + "<h3>Older people's access (changes only)</h3>" + access + index
        + "<h3>Practices the scenario changes</h3>"
        + table_html(moved.assign(code=moved.index), [
            ("site_name", "Practice", None), ("code", "Code", None),
            ("capacity_base", "Capacity before", 0), ("capacity_option", "Capacity after", 0),
            ("headroom_base", "Headroom before", 0), ("headroom_option", "Headroom after", 0),
            ("deficit_resolved", "Deficit resolved", 0)]))


def _index_change(comparison: Any) -> str:
    z = getattr(comparison, "zones", pd.DataFrame())
    col = "e2sfca_m2_per_1000_change"
    if not len(z) or col not in z.columns:
        return ""
    s = comparison.summary
    changed = z[z[col].abs() > 1e-9].sort_values(col, ascending=False).head(10)
    before, after = s.get("e2sfca_m2_per_1000_mean_base"), s.get("e2sfca_m2_per_1000_mean_option")
    text = ("<h3>Floor space within reach (E2SFCA)</h3><p>Mean over residents: "
            + ("-" if before is None else f"{before:,.1f}") + " m2 per 1,000 before, "
            + ("-" if after is None else f"{after:,.1f}") + " after; "
            f"{s.get('zones_e2sfca_m2_per_1000_up', 0)} zone(s) gain, "
            f"{s.get('zones_e2sfca_m2_per_1000_down', 0)} lose.</p>")
    if len(changed):
        text += table_html(changed, [
            ("zone_code", "Zone", None),
            ("e2sfca_m2_per_1000_base", "Before (m2 per 1,000)", 1),
            ("e2sfca_m2_per_1000_option", "After (m2 per 1,000)", 1),
            (col, "Change", 1)])
    return text


def appraisal_section(table: pd.DataFrame) -> str:
    """The options appraisal table, its scoring rule with the reference points, and flags."""
    from estates.options.appraisal import APPRAISAL_RULE

    w = table.attrs.get("weights", {})
    t = table.attrs.get("threshold_minutes", 15)
    refs = table.attrs.get("references", {})
    rows = table.copy()
    rows["capital_cost"] = rows["capital_cost_gbp"].map(_money)
    rows["per_patient"] = rows["cost_per_deficit_patient_gbp"].map(_money)
    rows["share_pct"] = 100.0 * rows["deficit_resolved_share"].astype(float)
    weights = ", ".join(f"{k} {v:.0%}" for k, v in w.items())
    ref_text = ""
    if refs:
        ref_text = (f" Reference points: the region's deficit of {refs['deficit']:,.0f} patients; "
                    f"{refs['access_pp']:g} percentage points of people aged 65+ within {t:g} "
                    f"minutes; {_money(refs['cost_per_patient_gbp'])} per deficit patient "
                    "resolved.")
    flags = table[table["flag"].astype(str) != ""]
    flag_html = ("<ul>" + "".join(f"<li class='bad'>{esc(r['option'])}: {esc(r['flag'])}</li>"
                                  for _, r in flags.iterrows()) + "</ul>") if len(flags) else ""
    sites = table[table["new_sites"].astype(str) != ""]
    sites_html = ("<p>New sites' expected use at the horizon:</p><ul>" + "".join(
        f"<li>{esc(r['option'])}: {esc(r['new_sites'])}</li>" for _, r in sites.iterrows())
        + "</ul>") if len(sites) else ""
    return (
        "<h2>Options appraisal</h2><p class='note'>Each option is evaluated against the "
        "baseline with the same assumptions. " + esc(APPRAISAL_RULE.format(weights=weights))
        + esc(ref_text) + "</p>"
        + table_html(rows, [
            ("rank", "Rank", None), ("option", "Option", None),
            ("deficit_resolved", "Deficit resolved (patients)", 0),
            ("share_pct", "Share of the region's deficit (%)", 1),
            ("practices_in_deficit", "Practices still in deficit", None),
            ("older_access_change_pp", "Aged 65+ within reach (change, % points)", 1),
            ("older_rural_change_pp", "Older rural access by car (change, % points)", 1),
            ("m2_added", "Floor area (m2)", 0), ("capital_cost", "Capital cost", None),
            ("per_patient", "Cost per deficit patient resolved", None),
            ("people_further", "People further from a surgery", 0), ("score", "Score", 1)])
        + flag_html + sites_html
        + "<ol>" + "".join(f"<li><b>{esc(r['option'])}</b>: {esc(r['description'])}</li>"
                           for _, r in table.iterrows()) + "</ol>")
