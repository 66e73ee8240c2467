"""The self-contained HTML report: a first page a committee can read alone, headline figures,
tables, the planning contributions per site, method and assumptions.

Every piece of text that came from a user's file is escaped. The report loads nothing from the
network, so it opens offline when attached to a committee paper; its print stylesheet lays it
out on A4 with nothing cut (see ``CSS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from estates.model import fy
from estates.report.contributions import contributions_section
from estates.report.figures import change_text, esc, format_figure
from estates.report.options_section import access_section, appraisal_section, comparison_section
from estates.report.svg import catchment_map_svg, demand_chart_svg
from estates.report.tables import YEAR, assumptions_table, fmt, headline, patients_text, table

__all__ = ["CSS", "build_report", "catchment_map_svg", "demand_chart_svg", "fmt",
           "headline_block", "in_brief", "table"]

# Screen first, then print: A4 with 12 mm margins (186 mm = 703 CSS px of printable width).
# Tables shrink their type and wrap their headings and text (never their numbers' digits
# apart from the longest), each section starts a new page, and the first page holds the
# summary alone. The interactive map cannot print; the SVG map beneath it does.
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:2rem auto;
max-width:1100px;color:#1f2933;line-height:1.45;padding:0 1rem}
h1{font-size:1.8rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #d9e2ec}
table{border-collapse:collapse;width:100%;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #d9e2ec;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#52606d;font-size:.9rem}.bad{color:#b42318;font-weight:600}.good{color:#067647}
.figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:.8rem}
.fig{border:1px solid #d9e2ec;border-radius:6px;padding:.7rem}.fig b{font-size:1.4rem;display:block}
.synthetic{background:#fff4e5;border:1px solid #f79009;padding:.5rem .8rem;border-radius:6px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:.8rem}
.brief li{margin:.25rem 0}
svg{max-width:100%;height:auto}svg text{font-family:inherit}
@page{size:A4;margin:12mm}
@media print{
body{margin:0;max-width:none;padding:0;font-size:9.5pt;line-height:1.3}
h1{font-size:16pt}h2{break-before:page;margin-top:0;font-size:13pt}h3{font-size:11pt}
h2,h3{break-after:avoid}.first h2{break-before:auto}
.first{break-after:page}
table{font-size:7pt;width:100%;table-layout:auto}
th,td{padding:1px 3px;overflow-wrap:anywhere;hyphens:auto}
thead{display:table-header-group}tr,.fig,svg,li{break-inside:avoid}
table.wide{font-size:6.5pt}
.figs{grid-template-columns:repeat(3,1fr);gap:.4rem}.fig{padding:.35rem}.fig b{font-size:11pt}
.charts{grid-template-columns:repeat(2,1fr)}
.screen-only,iframe{display:none}
.statements li{margin-bottom:.3rem}
}
"""


def headline_block(summary: dict[str, Any]) -> str:
    s = summary
    b, h = s["base_year"], s["horizon_year"]
    figs = [
        headline("Aggregate capacity", patients_text(s["aggregate_capacity"]),
                 f"What the region's surgeries can serve ({s['capacity_method']} method)."),
        headline(f"Aggregate demand {fy(b)}", f"{s['aggregate_demand_base']:,.0f} patients",
                 "Registered patients now, need-weighted."),
        headline(f"Aggregate demand {fy(h)}", f"{s['aggregate_demand']:,.0f} patients",
                 "Demand at the horizon, with the new homes."),
        headline(f"Aggregate headroom {fy(h)}", patients_text(s["aggregate_headroom"]),
                 "Capacity minus demand across the region: above zero means enough space in total."),
        headline(f"Practices in deficit by {fy(h)}",
                 f"{s['practices_in_deficit']} of "
                 f"{s['practices'] - s.get('practices_without_floor_area', 0)}",
                 f"Practices whose demand exceeds capacity; total shortfall "
                 f"{s['deficit_total']:,.0f} patients ({s['deficit_total_m2']:,.0f} m²)."),
        headline(f"Practices in deficit on GPs / on the lower limit, {fy(h)}",
                 f"{s.get('practices_in_deficit_workforce', 0)} / "
                 f"{s.get('practices_in_deficit_effective', 0)} of {s['practices']}",
                 "Against GP workforce capacity (full-time GPs x patients per GP) and against "
                 "the lower of premises and workforce; shortfalls "
                 f"{s.get('deficit_total_workforce', 0):,.0f} and "
                 f"{s.get('deficit_total_effective', 0):,.0f} patients."
                 + (f" {s['practices_without_gp_fte']} practice(s) without GP FTE are left out "
                    "of the workforce figure (not counted as zero)."
                    if s.get("practices_without_gp_fte") else "")),
        headline("Capacity in the wrong place", patients_text(s["misplaced_capacity"]),
                 f"Demand whose surgeries within {s['threshold_minutes']:g} minutes by "
                 f"{s['travel_mode'].replace('_', ' ')} are full, while spare space exists "
                 "elsewhere."),
        headline("No surgery in reach", patients_text(s.get("unmet_no_surgery_in_reach")),
                 f"Demand in zones with no surgery at all within {s['threshold_minutes']:g} "
                 "minutes: an access gap, not misplaced space. With the "
                 f"{patients_text(s.get('unmet_surgeries_full'))} whose surgeries are full it makes "
                 f"the {patients_text(s.get('unmet_demand_within_threshold'))} unmet within the "
                 "threshold."),
    ]
    return "<div class='figs'>" + "".join(figs) + "</div>" + threshold_table(s)


def threshold_table(summary: dict[str, Any]) -> str:
    """Unmet demand and its parts at each sensitivity threshold (issue 11 item 7)."""
    rows = summary.get("unmet_by_threshold") or {}
    if not rows:
        return ""
    body = "".join(
        f"<tr><td class='num'>{esc(t)}</td>"
        + "".join(f"<td class='num'>{v[k]:,.0f}</td>" for k in (
            "unmet_demand_within_threshold", "unmet_no_surgery_in_reach",
            "unmet_surgeries_full", "misplaced_capacity"))
        + "</tr>" for t, v in rows.items())
    return ("<p class='note'>How much the answer depends on the travel threshold:</p>"
            "<table><thead><tr><th>Threshold (minutes)</th><th>Unmet (patients)</th>"
            "<th>No surgery in reach</th><th>Surgeries full</th><th>Capacity in the wrong "
            "place</th></tr></thead><tbody>" + body + "</tbody></table>")


def in_brief(result: Any, comparison: Any = None, scenario: Any = None) -> list[str]:
    """The report's findings in a few sentences, for the first page."""
    s = result.summary
    h = fy(s["horizon_year"])
    sites = result.sites
    counted = sites["counted"].astype(bool) if "counted" in sites else pd.Series(
        True, index=sites.index)
    homes = format_figure(float(sites.loc[counted, "dwellings"].sum()), "homes")
    said = [
        f"{homes} are planned on {int(counted.sum())} housing sites"
        + (f" (a further {int((~counted).sum())} site(s) lie outside the region and are not "
           "counted)" if (~counted).any() else "") + ".",
        f"By {h}, {s['practices_in_deficit']} of {s['practices']} practices have more "
        f"patients than their premises can serve ({s['practices_in_deficit_base']} already "
        f"do in {fy(s['base_year'])}); together they are "
        f"{format_figure(s['deficit_total'], 'patients')} short, about "
        f"{format_figure(s['deficit_total_m2'], 'm2')} of floor space.",
    ]
    if s["aggregate_headroom"] is None:
        said.append(f"Capacity is unknown for {s.get('practices_without_floor_area', 0)} "
                    "practice(s) without a floor area, so the region's total headroom is "
                    "unknown until their floor areas are supplied.")
    elif s["aggregate_headroom"] >= 0:
        said.append(
            f"Across the region there is room for "
            f"{format_figure(s['aggregate_headroom'], 'patients')} more at {h}, but "
            f"{format_figure(s['misplaced_capacity'], 'patients')} of demand cannot reach a "
            f"surgery with space within {s['threshold_minutes']:g} minutes: the space is in "
            "the wrong place.")
    else:
        said.append(f"Across the region demand exceeds capacity by "
                    f"{format_figure(-s['aggregate_headroom'], 'patients')} at {h}.")
    if comparison is not None:
        c = comparison.summary
        name = getattr(scenario, "name", "The option")
        said.append(
            f"The option \u201c{name}\u201d resolves "
            f"{format_figure(c['deficit_resolved'], 'patients')} of deficit (practices in "
            f"deficit: {change_text(c['practices_in_deficit_base'], c['practices_in_deficit_option'])}"
            f") for a capital cost of {format_figure(c['capital_cost_gbp'], '')} GBP.")
    return said


def data_notes(region: Any, summary: dict[str, Any]) -> str:
    """What the reader must know about the data: how catchments were made, and which
    practices have no floor area (their capacity unknown, never guessed)."""
    notes = []
    method = getattr(region, "catchment_method", "")
    if method:
        notes.append(f"Catchments: {method}.")
    missing = int(summary.get("practices_without_floor_area", 0))
    if missing:
        codes = ", ".join(summary.get("practices_without_floor_area_codes", [])[:30])
        notes.append(f"{missing} of {summary['practices']} practices have no floor area or "
                     f"clinical rooms in the data ({codes}): their capacity and headroom are "
                     "unknown, and so are the region's capacity, headroom and capacity in the "
                     "wrong place (n/a above). Demand, new patients and access are complete.")
    if not notes:
        return ""
    return "<h2>About the data</h2>" + "".join(f"<p class='note'>{esc(n)}</p>" for n in notes)


def build_report(region: Any, result: Any, *, title: str | None = None,
                 extra_sections: Sequence[str] = (), appraisal: pd.DataFrame | None = None,
                 comparison: Any = None, scenario: Any = None,
                 chart_practices: Sequence[str] = (), interactive_map: bool = True,
                 base_region: Any = None, sites: pd.DataFrame | None = None) -> str:
    """The whole report as one HTML string (``extra_sections`` are trusted, pre-built HTML).

    ``appraisal`` (``estates.options.appraisal.appraise``'s table) adds the options appraisal;
    ``comparison`` (``estates.options.scenario.compare``) and ``scenario`` add the scenario's effect
    against the baseline, its changes described by the names in ``base_region`` (the region
    before the change; default ``region``) and beside the housing ``sites`` (default the
    region's own); ``chart_practices`` adds practices to the demand charts (the worst
    deficits are always charted). A map of catchments coloured by headroom is drawn as inline
    SVG (it prints); with ``interactive_map`` the folium map of ``estates.report.map`` is
    embedded too, with Leaflet inlined and no basemap tiles, so the file needs no network.
    """
    s = result.summary
    h = s["horizon_year"]
    p = result.practices.sort_values("headroom_horizon")
    deficit = p[p["headroom_horizon"] < 0]
    first = [
        f"<h1>{esc(title or 'Primary-care estates capacity: ' + str(s['region']))}</h1>",
        f"<p class='note'>Base year {fy(s['base_year'])}, horizon {fy(h)}. Figures in "
        "patients are need-weighted registered patients; floor space in m².</p>",
    ]
    if s.get("synthetic"):
        first.append("<p class='synthetic'>This region is synthetic demonstration data, "
                     "modelled on a real area: its practices, lists and sites are invented.</p>")
    first.append("<h2>In brief</h2><ul class='brief'>"
                 + "".join(f"<li>{esc(t)}</li>" for t in in_brief(result, comparison, scenario))
                 + "</ul>")
    first.append("<h2>Headline figures</h2>" + headline_block(s))
    sections = ["<section class='first'>" + "".join(first) + "</section>"]
    if s.get("practices_methods_disagree"):
        flagged = p[p["methods_disagree"].fillna(False).astype(bool)]
        sections.append(
            f"<p class='note'>{s['practices_methods_disagree']} of {s['practices']} practices' "
            "capacity by clinical rooms differs from their capacity by floor space by more than "
            f"{result.assumptions.methods_tolerance_pct:g} %: check their floor areas and room "
            "counts (" + esc(", ".join(map(str, flagged.index[:12])))
            + (" ..." if len(flagged) > 12 else "") + ").</p>")
    sections.append(data_notes(region, s))
    if comparison is not None:
        sections.append(comparison_section(
            comparison, scenario, base_region if base_region is not None else region,
            sites if sites is not None else region.growth.sites))
    if appraisal is not None:
        sections.append(appraisal_section(appraisal))
    sections.extend(extra_sections)
    sections.append(access_section(result))
    sections.append(f"<h2>Map: headroom by catchment, {fy(h)}</h2>"
                    + (interactive_map_html(region, result) if interactive_map else "")
                    + catchment_map_svg(region, result))
    charted = list(dict.fromkeys([*deficit.index[:6], *chart_practices]))
    if charted:
        sections.append("<h2>Demand against capacity over time</h2><p class='note'>The "
                        "practices with the largest deficits at the horizon"
                        + (" and those the scenario changes" if chart_practices else "")
                        + ". Line: demand (patients); dashed: premises capacity; dotted "
                        "purple: GP workforce capacity where the number of GPs is known (the "
                        "lower line is the binding constraint).</p>"
                        + "<div class='charts'>"
                        + "".join(demand_chart_svg(result, c) for c in charted
                                  if c in result.demand.index)
                        + "</div>")
    sections.append(
        f"<h2>Practices in deficit by {fy(h)}</h2>"
        + table(deficit, [("site_name", "Practice", None), ("practice_code", "Code", None),
                          ("list_size", "List (patients)", 0), ("capacity", "Capacity (patients)", 0),
                          ("demand_horizon", f"Demand {fy(h)} (patients)", 0),
                          ("headroom_horizon", "Headroom (patients)", 0),
                          ("headroom_m2_horizon", "Headroom (m²)", 0),
                          ("tipping_year", "First year in deficit", YEAR),
                          ("headroom_horizon_workforce", "Headroom on GPs (patients)", 0),
                          ("tipping_year_workforce", "First year short of GPs", YEAR),
                          ("building", "Building", None)]))
    sections.append(
        "<h2>All practices</h2>"
        + table(p, [("site_name", "Practice", None), ("practice_code", "Code", None),
                    ("sites", "Sites", None), ("gia_m2", "Floor area (m²)", 0),
                    ("capacity", "Capacity (patients)", 0),
                    ("workforce_capacity", "GP capacity (patients)", 0),
                    ("binding_constraint", "Binding constraint", None),
                    ("methods_difference_pct", "Rooms vs floor space (%)", 0),
                    ("demand_base", f"Demand {fy(s['base_year'])} (patients)", 0),
                    ("demand_horizon", f"Demand {fy(h)} (patients)", 0),
                    ("utilisation_pct_horizon", "Utilisation (%)", 0),
                    ("tipping_year", "First year in deficit", YEAR)]))
    sections.append(contributions_section(result.sites))
    sections.append("<h2>Method</h2>" + METHOD_HTML)
    sections.append("<h2>Assumptions</h2>" + assumptions_table(result.assumptions.describe()))
    if result.warnings:
        sections.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{esc(w)}</li>" for w in result.warnings)
                        + "</ul>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{esc(title or 'estates report')}</title><style>{CSS}</style></head><body>"
            + "".join(sections) + "</body></html>\n")


METHOD_HTML = """
<p><b>Capacity.</b> Each practice's capacity in patients is its gross internal floor area
divided by the floor space per patient, a net standard grossed up by the net-to-gross factor so
that like is compared with like (or, by the rooms method, its clinical rooms times the
patients a room can serve in a year). Branch surgeries add to their parent practice. Where the
number of GPs is known, GP capacity (full-time GPs times patients per GP) is shown too, the
lower of the two is named as the binding constraint, and headroom, deficits and the first year
in deficit are given on premises, on GPs and on the lower of the two. A practice whose GP FTE is
not known is counted and left out of the GP figures, never treated as having no GPs.</p>
<p><b>Demand.</b> Each practice's registered list (weighted by age where weights are set), plus
the residents of new homes completed each year (homes times occupancy by housing type, with an
age profile so that retirement homes add older patients), plus any background growth.</p>
<p><b>Who registers where.</b> New residents of a housing site are shared among the practices
whose catchment contains the site, in proportion to each practice's list times a factor that
falls with distance; a site outside every catchment goes to the practices within the travel
threshold.</p>
<p><b>Capacity in the wrong place.</b> Each zone's residents may use any surgery within the
travel threshold, up to its capacity. The most demand that can be served this way is found
exactly (a maximum flow); demand left unserved by full surgeries while spare space exists
elsewhere is capacity in the wrong place, told apart from demand in zones with no surgery in
reach at all (an access gap). The figures are repeated at several thresholds. Spare space is
stranded when no unmet demand could use it even at the wider threshold.</p>
"""


def interactive_map_html(region: Any, result: Any) -> str:
    """The dashboard's folium map as a self-contained iframe (Leaflet inlined, no tiles)."""
    from estates.report.map import build_map
    from estates.report.templates import map_html

    # build_map numbers folium's elements in order, so the page is the same every run.
    page = map_html(build_map(region, practices=result.practices, tiles=None,
                              zones=result.zones, assumptions=result.assumptions))
    # srcdoc keeps the map's scripts in their own document; escaping makes it one attribute.
    return ("<iframe title='Interactive map' style='width:100%;height:560px;border:1px solid "
            f"#d9e2ec' srcdoc=\"{esc(page)}\"></iframe><p class='note screen-only'>Interactive "
            "map (no basemap, so it works offline); a printable map follows.</p>")
