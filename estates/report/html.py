"""The self-contained HTML report: headline figures, tables, impact statements and assumptions.

Every piece of text that came from a user's file is escaped. The report loads nothing from the
network, so it opens offline when attached to a committee paper.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from estates.model import fy

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
"""


def esc(value: Any) -> str:
    """Escape any value for HTML text or attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


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


def headline_block(summary: dict[str, Any]) -> str:
    s = summary
    b, h = s["base_year"], s["horizon_year"]
    figs = [
        headline("Aggregate capacity", f"{s['aggregate_capacity']:,.0f} patients",
                 f"What the region's surgeries can serve ({s['capacity_method']} method)."),
        headline(f"Aggregate demand {fy(b)}", f"{s['aggregate_demand_base']:,.0f} patients",
                 "Registered patients now, need-weighted."),
        headline(f"Aggregate demand {fy(h)}", f"{s['aggregate_demand']:,.0f} patients",
                 "Demand at the horizon, with the new homes."),
        headline(f"Aggregate headroom {fy(h)}", f"{s['aggregate_headroom']:,.0f} patients",
                 "Capacity minus demand across the region: above zero means enough space in total."),
        headline(f"Practices in deficit by {fy(h)}", f"{s['practices_in_deficit']} of {s['practices']}",
                 f"Practices whose demand exceeds capacity; total shortfall "
                 f"{s['deficit_total']:,.0f} patients ({s['deficit_total_m2']:,.0f} m2)."),
        headline("Capacity in the wrong place", f"{s['misplaced_capacity']:,.0f} patients",
                 f"Demand that cannot reach a surgery with space within {s['threshold_minutes']:g} "
                 f"minutes by {s['travel_mode'].replace('_', ' ')}, while spare space exists elsewhere."),
    ]
    return "<div class='figs'>" + "".join(figs) + "</div>"


def build_report(region: Any, result: Any, *, title: str | None = None,
                 extra_sections: Sequence[str] = ()) -> str:
    """The whole report as one HTML string (``extra_sections`` are trusted, pre-built HTML)."""
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
    sections.extend(extra_sections)
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
