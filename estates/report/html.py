"""The self-contained HTML report: headline figures, tables, impact statements and assumptions.

Every piece of text that came from a user's file is escaped. The report loads nothing from the
network, so it opens offline when attached to a committee paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from estates.model import fy
from estates.report.figures import esc

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
svg{max-width:100%;height:auto}svg text{font-family:inherit}
"""


def fmt(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.{digits}f}"
    if value is pd.NA:
        return "-"
    return str(value)


def table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, int | None]]) -> str:
    """An escaped HTML table; ``columns`` are (column, heading with unit, digits or None)."""
    head = "".join(f"<th>{esc(h)}</th>" for _, h, _ in columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for col, _, digits in columns:
            value = row.get(col)
            if digits is None:
                cells.append(f"<td>{esc(fmt(value))}</td>")
            else:
                cells.append(f"<td class='num'>{esc(fmt(value, digits))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def headline(label: str, value: str, meaning: str) -> str:
    return f"<div class='fig'>{esc(label)}<b>{esc(value)}</b><span class='note'>{esc(meaning)}</span></div>"


def assumptions_table(rows: Iterable[dict[str, Any]]) -> str:
    body = []
    for r in rows:
        value = r["value"]
        shown = ", ".join(f"{v:g}" for v in value) if isinstance(value, (tuple, list)) else (
            f"{value:g}" if isinstance(value, float) else str(value))
        body.append(f"<tr><td>{esc(r['label'])}</td><td class='num'>{esc(shown)}</td>"
                    f"<td>{esc(r['unit'])}</td><td>{esc(r['source'])}</td></tr>")
    return ("<table><thead><tr><th>Assumption</th><th>Value</th><th>Unit</th><th>Source</th>"
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _patients(value: Any) -> str:
    # None is a figure that could not be worked out (capacity unknown): shown as n/a.
    return "n/a" if value is None else f"{value:,.0f} patients"


def headline_block(summary: dict[str, Any]) -> str:
    s = summary
    b, h = s["base_year"], s["horizon_year"]
    figs = [
        headline("Aggregate capacity", _patients(s["aggregate_capacity"]),
                 f"What the region's surgeries can serve ({s['capacity_method']} method)."),
        headline(f"Aggregate demand {fy(b)}", f"{s['aggregate_demand_base']:,.0f} patients",
                 "Registered patients now, need-weighted."),
        headline(f"Aggregate demand {fy(h)}", f"{s['aggregate_demand']:,.0f} patients",
                 "Demand at the horizon, with the new homes."),
        headline(f"Aggregate headroom {fy(h)}", _patients(s["aggregate_headroom"]),
                 "Capacity minus demand across the region: above zero means enough space in total."),
        headline(f"Practices in deficit by {fy(h)}",
                 f"{s['practices_in_deficit']} of "
                 f"{s['practices'] - s.get('practices_without_floor_area', 0)}",
                 f"Practices whose demand exceeds capacity; total shortfall "
                 f"{s['deficit_total']:,.0f} patients ({s['deficit_total_m2']:,.0f} m2)."),
        headline("Capacity in the wrong place", _patients(s["misplaced_capacity"]),
                 f"Demand that cannot reach a surgery with space within {s['threshold_minutes']:g} "
                 f"minutes by {s['travel_mode'].replace('_', ' ')}, while spare space exists elsewhere."),
    ]
    return "<div class='figs'>" + "".join(figs) + "</div>"


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
                 chart_practices: Sequence[str] = (), interactive_map: bool = True) -> str:
    """The whole report as one HTML string (``extra_sections`` are trusted, pre-built HTML).

    ``appraisal`` (``estates.options.appraisal.appraise``'s table) adds the options appraisal;
    ``comparison`` (``estates.options.scenario.compare``) and ``scenario`` add the scenario's effect
    against the baseline; ``chart_practices`` adds practices to the demand charts (the worst
    deficits are always charted). A map of catchments coloured by headroom is drawn as inline
    SVG (it prints); with ``interactive_map`` the folium map of ``estates.report.map`` is
    embedded too, with Leaflet inlined and no basemap tiles, so the file needs no network.
    """
    s = result.summary
    h = s["horizon_year"]
    p = result.practices.sort_values("headroom_horizon")
    deficit = p[p["headroom_horizon"] < 0]
    sections = [
        f"<h1>{esc(title or 'Primary-care estates capacity: ' + str(s['region']))}</h1>",
        f"<p class='note'>Base year {fy(s['base_year'])}, horizon {fy(h)}. Figures in "
        "patients are need-weighted registered patients; floor space in m2.</p>",
    ]
    if s.get("synthetic"):
        sections.append("<p class='synthetic'>This region is synthetic demonstration data, "
                        "modelled on a real area: its practices, lists and sites are invented.</p>")
    sections.append("<h2>Headline figures</h2>" + headline_block(s))
    sections.append(data_notes(region, s))
    if comparison is not None:
        sections.append(comparison_section(comparison, scenario))
    if appraisal is not None:
        sections.append(appraisal_section(appraisal))
    sections.extend(extra_sections)
    sections.append(f"<h2>Map: headroom by catchment, {fy(h)}</h2>"
                    + (interactive_map_html(region, result) if interactive_map else "")
                    + catchment_map_svg(region, result))
    charted = list(dict.fromkeys([*deficit.index[:6], *chart_practices]))
    if charted:
        sections.append("<h2>Demand against capacity over time</h2><p class='note'>The "
                        "practices with the largest deficits at the horizon"
                        + (" and those the scenario changes" if chart_practices else "")
                        + ". Line: demand (patients); dashed: capacity.</p>"
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
                          ("headroom_m2_horizon", "Headroom (m2)", 0),
                          ("tipping_year", "First year in deficit", None),
                          ("building", "Building", None)]))
    sections.append(
        "<h2>All practices</h2>"
        + table(p, [("site_name", "Practice", None), ("practice_code", "Code", None),
                    ("sites", "Sites", None), ("gia_m2", "Floor area (m2)", 0),
                    ("capacity", "Capacity (patients)", 0),
                    ("binding_constraint", "Binding constraint", None),
                    ("demand_base", f"Demand {fy(s['base_year'])} (patients)", 0),
                    ("demand_horizon", f"Demand {fy(h)} (patients)", 0),
                    ("utilisation_pct_horizon", "Utilisation (%)", 0),
                    ("tipping_year", "First year in deficit", None)]))
    statements = "".join(f"<li>{esc(t)}</li>" for t in result.sites["statement"]) if len(
        result.sites) else "<li>No housing sites.</li>"
    sections.append("<h2>Housing sites: impact statements</h2><ol>" + statements + "</ol>")
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
divided by the floor space per patient (or, by the rooms method, its clinical rooms times the
patients a room can serve in a year). Branch surgeries add to their parent practice. Where the
number of GPs is known, GP capacity (full-time GPs times patients per GP) is shown too, and the
lower of the two is named as the binding constraint.</p>
<p><b>Demand.</b> Each practice's registered list (weighted by age where weights are set), plus
the residents of new homes completed each year (homes times occupancy by housing type, with an
age profile so that retirement homes add older patients), plus any background growth.</p>
<p><b>Who registers where.</b> New residents of a housing site are shared among the practices
whose catchment contains the site, in proportion to each practice's list times a factor that
falls with distance; a site outside every catchment goes to the practices within the travel
threshold.</p>
<p><b>Capacity in the wrong place.</b> Each zone's residents may use any surgery within the
travel threshold, up to its capacity. The most demand that can be served this way is found
exactly (a maximum flow); demand left unserved while spare space exists elsewhere is capacity in
the wrong place.</p>
"""


# ------------------------------------------------------------------------------ options


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


def comparison_section(comparison: Any, scenario: Any = None) -> str:
    """A scenario against the baseline: headline changes, costs, older access, practices."""
    s = comparison.summary
    name = getattr(scenario, "name", "Scenario")
    description = str(getattr(scenario, "description", "") or "")
    intro = f"<p>{esc(description)}</p>" if description else ""
    changes = ""
    if scenario is not None and scenario.changes:
        changes = "<ul>" + "".join(
            "<li>" + esc(", ".join(f"{k}: {v}" for k, v in c.items())) + "</li>"
            for c in scenario.changes) + "</ul>"
    figs = [
        headline("Deficit resolved", f"{s['deficit_resolved']:,.0f} patients",
                 f"Practice deficit at the horizon: {s['deficit_total_base']:,.0f} before, "
                 f"{s['deficit_total_option']:,.0f} after."),
        headline("Practices in deficit", f"{s['practices_in_deficit_base']} to "
                 f"{s['practices_in_deficit_option']}", "At the horizon."),
        headline("Unmet demand within reach",
                 "n/a" if s["unmet_demand_reduced"] is None
                 else f"{s['unmet_demand_reduced']:,.0f} fewer",
                 f"{_patients(s['unmet_demand_base'])} before, "
                 f"{_patients(s['unmet_demand_option'])} after "
                 "(patients no surgery with space can serve within the threshold)."),
        headline("Capital cost", _money(s["capital_cost_gbp"]),
                 f"{s['m2_added']:,.0f} m2; " + (
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
    costs = comparison.costs
    return (
        f"<h2>Scenario: {esc(name)}</h2>" + intro + changes
        + "<div class='figs'>" + "".join(figs) + "</div>"
        + "<h3>Capital cost by change</h3>"
        + table_html(costs.assign(cost=costs["cost_gbp"].map(_money)), [
            ("what", "Change", None), ("m2", "Floor area (m2)", 0), ("basis", "Basis", None),
            ("rate_gbp_per_m2", "GBP per m2", 0), ("cost", "Cost", None)])
        + "<h3>Older people's access (changes only)</h3>" + access
        + "<h3>Practices the scenario changes</h3>"
        + table_html(moved.assign(code=moved.index), [
            ("site_name", "Practice", None), ("code", "Code", None),
            ("capacity_base", "Capacity before", 0), ("capacity_option", "Capacity after", 0),
            ("headroom_base", "Headroom before", 0), ("headroom_option", "Headroom after", 0),
            ("deficit_resolved", "Deficit resolved", 0)]))


def table_html(frame: pd.DataFrame, columns: Sequence[tuple[str, str, int | None]]) -> str:
    """``table`` under a name that does not clash with local variables."""
    return table(frame, columns)


# ------------------------------------------------------------------------------ inline SVG


def demand_chart_svg(result: Any, code: str, *, width: int = 340, height: int = 190) -> str:
    """Demand (line) against capacity (dashed) over the years for one practice."""
    demand = result.demand.loc[code].to_numpy(dtype=float)
    capacity = float(result.practices.loc[code, "capacity"])
    years = [int(y) for y in result.demand.columns]
    left, right, top, bottom = 52, 10, 28, 26
    lo = 0.0
    hi = max(float(demand.max()), capacity) * 1.08 or 1.0
    n = max(len(years) - 1, 1)

    def px(i: int) -> float:
        return left + (width - left - right) * i / n

    def py(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - lo) / (hi - lo))

    pts = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(demand))
    over = demand > capacity
    colour = "#b42318" if over.any() else "#067647"
    ticks = "".join(
        f"<text x='{left - 4}' y='{py(v) + 4:.1f}' text-anchor='end' font-size='10'>"
        f"{v:,.0f}</text>" for v in np.linspace(0, hi / 1.08, 3))
    labels = "".join(
        f"<text x='{px(i):.1f}' y='{height - 8}' text-anchor='middle' font-size='10'>"
        f"{esc(fy(y))}</text>" for i, y in enumerate(years) if i in (0, len(years) - 1))
    name = esc(result.practices.loc[code, "site_name"])
    tip = result.practices.loc[code, "tipping_year"]
    sub = f"deficit from {fy(int(tip))}" if not pd.isna(tip) else "no deficit"
    return (
        f"<svg role='img' viewBox='0 0 {width} {height}' width='{width}' height='{height}' "
        f"xmlns='http://www.w3.org/2000/svg'><title>{name}: demand against capacity</title>"
        f"<text x='{left}' y='12' font-size='11' font-weight='600'>{name}</text>"
        f"<text x='{left}' y='24' font-size='10' fill='#52606d'>{esc(code)}, {esc(sub)}</text>"
        f"<line x1='{left}' y1='{py(capacity):.1f}' x2='{width - right}' y2='{py(capacity):.1f}' "
        "stroke='#1f2933' stroke-dasharray='5,3'/>"
        f"<polyline points='{pts}' fill='none' stroke='{colour}' stroke-width='2'/>"
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' stroke='#9aa5b1'/>"
        + ticks + labels + "</svg>")


def _headroom_colour(value: float, scale: float) -> str:
    if not np.isfinite(value):
        return "#d9e2ec"
    t = min(abs(value) / scale, 1.0) if scale > 0 else 0.0
    # deficit: white to red; headroom: white to green
    r, g, b = (180, 35, 24) if value < 0 else (6, 118, 71)
    mix = [int(255 + (c - 255) * (0.25 + 0.75 * t)) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def catchment_map_svg(region: Any, result: Any, *, width: int = 760) -> str:
    """Catchments coloured by headroom at the horizon, with surgery sites, as inline SVG."""
    cat = region.catchments
    if not len(cat):
        return "<p>No catchments.</p>"
    x0, y0, x1, y1 = cat.total_bounds
    span_x, span_y = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    height = int(width * span_y / span_x)
    k = width / span_x

    def path(geom: Any) -> str:
        # A tolerance of a two-thousandth of the map's width is invisible at this size and
        # keeps the file small.
        simple = geom.simplify(span_x / 2000, preserve_topology=True)
        polys = getattr(simple, "geoms", [simple])
        parts = []
        for poly in polys:
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)[:, :2]
                pts = " ".join(f"{(x - x0) * k:.1f},{(y1 - y) * k:.1f}" for x, y in xy)
                parts.append("M" + pts + "Z")
        return " ".join(parts)

    head = result.practices["headroom_horizon"]
    scale = float(head.abs().quantile(0.9)) if len(head) else 1.0
    shapes = []
    for _, row in cat.iterrows():
        code = row["practice_code"]
        value = float(head.get(code, np.nan))
        name = result.practices["site_name"].get(code, code)
        shapes.append(
            f"<path d='{path(row.geometry)}' fill='{_headroom_colour(value, scale)}' "
            "fill-opacity='0.55' stroke='#52606d' stroke-width='0.6'>"
            f"<title>{esc(name)} ({esc(code)}): headroom {fmt(value)} patients</title></path>")
    dots = []
    for code, geom in region.practices.geometry.items():
        kind = region.practices.at[code, "site_kind"]
        dots.append(
            f"<circle cx='{(geom.x - x0) * k:.1f}' cy='{(y1 - geom.y) * k:.1f}' "
            f"r='{3.5 if kind == 'main' else 2.5}' fill='{'#1f2933' if kind == 'main' else '#fff'}'"
            f" stroke='#1f2933'><title>{esc(region.practices.at[code, 'site_name'])}"
            f"</title></circle>")
    legend = ("<p class='note'>Red: demand exceeds capacity at the horizon; green: headroom "
              "(deeper colour = larger). Dots: main surgeries; rings: branch surgeries. "
              "Catchments overlap, so colours mix where they do.</p>")
    return (f"<svg role='img' viewBox='0 0 {width} {height}' width='{width}' height='{height}'"
            " xmlns='http://www.w3.org/2000/svg'><title>Catchments by headroom</title>"
            + "".join(shapes) + "".join(dots) + "</svg>" + legend)


def interactive_map_html(region: Any, result: Any) -> str:
    """The dashboard's folium map as a self-contained iframe (Leaflet inlined, no tiles)."""
    from estates.report.map import build_map
    from estates.report.templates import map_html

    # build_map numbers folium's elements in order, so the page is the same every run.
    page = map_html(build_map(region, practices=result.practices, tiles=None))
    # srcdoc keeps the map's scripts in their own document; escaping makes it one attribute.
    return ("<iframe title='Interactive map' style='width:100%;height:560px;border:1px solid "
            f"#d9e2ec' srcdoc=\"{esc(page)}\"></iframe><p class='note'>Interactive map (no "
            "basemap, so it works offline); a printable map follows.</p>")
