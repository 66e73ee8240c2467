"""Inline SVG for the report: demand against capacity per practice, and the catchments map.
SVG prints and needs no script, so the report's printed copy carries its charts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from estates.model import fy
from estates.report.catchments import catchment_pieces
from estates.report.figures import esc
from estates.report.tables import fmt


def demand_chart_svg(result: Any, code: str, *, width: int = 340, height: int = 190) -> str:
    """Demand (line) against premises capacity (dashed) and, where the number of GPs is known,
    GP workforce capacity (dotted) over the years for one practice: the lower of the two is
    the binding constraint the tables name."""
    demand = result.demand.loc[code].to_numpy(dtype=float)
    p = result.practices
    capacity = float(p.loc[code, "capacity"])
    workforce = p.loc[code, "workforce_capacity"] if "workforce_capacity" in p else np.nan
    workforce = float(workforce) if pd.notna(workforce) else None
    years = [int(y) for y in result.demand.columns]
    left, right, top, bottom = 52, 10, 28, 26
    lo = 0.0
    hi = max(float(demand.max()), capacity, workforce or 0.0) * 1.08 or 1.0
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
    # The last year's label ends at the axis' end, so it never runs past the chart's edge.
    labels = "".join(
        f"<text x='{px(i):.1f}' y='{height - 8}' "
        f"text-anchor='{'end' if i == len(years) - 1 and i else 'middle'}' font-size='10'>"
        f"{esc(fy(y))}</text>" for i, y in enumerate(years) if i in (0, len(years) - 1))
    name = esc(p.loc[code, "site_name"])
    tip = p.loc[code, "tipping_year"]
    sub = f"deficit from {fy(int(tip))}" if not pd.isna(tip) else "no deficit"
    lines = (f"<line x1='{left}' y1='{py(capacity):.1f}' x2='{width - right}' "
             f"y2='{py(capacity):.1f}' stroke='#1f2933' stroke-dasharray='5,3'>"
             "<title>premises capacity</title></line>")
    if workforce is not None:
        lines += (f"<line x1='{left}' y1='{py(workforce):.1f}' x2='{width - right}' "
                  f"y2='{py(workforce):.1f}' stroke='#7b2cbf' stroke-dasharray='1,3' "
                  "stroke-width='2'><title>GP workforce capacity</title></line>")
    return (
        f"<svg role='img' viewBox='0 0 {width} {height}' width='{width}' height='{height}' "
        f"xmlns='http://www.w3.org/2000/svg'><title>{name}: demand against capacity</title>"
        f"<text x='{left}' y='12' font-size='11' font-weight='600'>{name}</text>"
        f"<text x='{left}' y='24' font-size='10' fill='#52606d'>{esc(code)}, {esc(sub)}</text>"
        + lines
        + f"<polyline points='{pts}' fill='none' stroke='{colour}' stroke-width='2'/>"
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
    # Pieces that do not overlap (the smaller catchment's colour where two overlap), then
    # every outline: blended fills would make colours the key does not describe.
    pieces = catchment_pieces(cat[["practice_code", "geometry"]])
    for _, row in pieces[~pieces.geometry.is_empty].iterrows():
        code = row["practice_code"]
        value = float(head.get(code, np.nan))
        name = result.practices["site_name"].get(code, code)
        shapes.append(
            f"<path d='{path(row.geometry)}' fill='{_headroom_colour(value, scale)}' "
            "fill-opacity='0.55' stroke='none'>"
            f"<title>{esc(name)} ({esc(code)}): headroom {fmt(value)} patients</title></path>")
    shapes += [f"<path d='{path(g)}' fill='none' stroke='#52606d' stroke-width='0.6'/>"
               for g in cat.geometry]
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
              "Where catchments overlap, the smaller one's colour shows; thin lines outline every "
              "catchment.</p>")
    return (f"<svg role='img' viewBox='0 0 {width} {height}' width='{width}' height='{height}'"
            " xmlns='http://www.w3.org/2000/svg'><title>Catchments by headroom</title>"
            + "".join(shapes) + "".join(dots) + "</svg>" + legend)


