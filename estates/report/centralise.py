"""The centralisation report and map: the ranked table, the older and rural impact in words, and
travel time to the nearest kept site for the best combination and each named option."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from estates.model import CRS, DISPLAY_CRS
from estates.options.centralise import TODAY, Centralisation, describe_column
from estates.report.figures import esc
from estates.report.html import CSS
from estates.report.layers import CLOSED_COLOUR, MAIN_SITE_COLOUR, NO_DATA_COLOUR, display_frame
from estates.report.tables import fmt
from estates.report.templates import Legend, legend_html, map_html, stable_ids

#: Zone colours by threshold class, near to far (ColorBrewer YlOrRd), then beyond the last.
CLASS_COLOURS: tuple[str, ...] = ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c", "#800026")


def configurations(result: Centralisation, extra: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(label, sites key) for the best combination, each named option, ``extra`` keys, today."""
    out = [(f"Best: {result.best['site_names']}", str(result.best["sites"]))]
    for name in result.options:
        out.append((f"Option: {name}", str(result.row(name)["sites"])))
    out += [(f"Combination: {key}", key) for key in extra]
    out.append((f"Today: all {result.instance.n_sites} sites", str(result.today["sites"])))
    return out


def _class_colour(minutes: float, thresholds: Sequence[float]) -> str:
    if not np.isfinite(minutes):
        return NO_DATA_COLOUR
    index = int(np.searchsorted(np.asarray(thresholds), minutes, side="left"))
    return CLASS_COLOURS[min(index, len(CLASS_COLOURS) - 1)]


def centralise_map(result: Centralisation, zones: gpd.GeoDataFrame, sites: pd.DataFrame, *,
                   extra: Sequence[str] = (), tiles: str | None = "OpenStreetMap",
                   mode: str = "emergency") -> folium.Map:
    """Zones coloured by minutes to the nearest kept site, one layer per configuration (the
    best shown first), kept sites dark and closed ones grey."""
    thresholds = result.instance.thresholds
    shown = display_frame(zones[["geometry"]].copy())
    pts = gpd.GeoSeries(gpd.points_from_xy(sites["x"], sites["y"]), index=sites.index,
                        crs=CRS).to_crs(DISPLAY_CRS)
    west, south, east, north = shown.total_bounds
    m = folium.Map(location=((south + north) / 2, (west + east) / 2), tiles=None,
                   control_scale=True)
    if tiles:
        folium.TileLayer(tiles, name="Basemap").add_to(m)
    for i, (label, key) in enumerate(configurations(result, extra)):
        minutes = result.zone_minutes(key, mode).reindex(zones.index).to_numpy()
        layer = shown.assign(
            colour=[_class_colour(v, thresholds) for v in minutes],
            tip=[f"{esc(z)}: {fmt(v, 0)} minutes" for z, v in zip(zones.index, minutes,
                                                                   strict=True)])
        group = folium.FeatureGroup(name=esc(label), show=i == 0)
        folium.GeoJson(
            layer[["colour", "tip", "geometry"]].to_json(),
            style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#999",
                                      "weight": 0.3, "fillOpacity": 0.7},
            tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
        ).add_to(group)
        kept = set(key.split("+"))
        for site_id, point in pts.items():
            is_kept = site_id in kept
            folium.CircleMarker(
                location=(point.y, point.x), radius=8 if is_kept else 6,
                color=MAIN_SITE_COLOUR if is_kept else CLOSED_COLOUR, weight=3,
                dash_array=None if is_kept else "4 3", fill=True,
                fill_color=MAIN_SITE_COLOUR if is_kept else "#ffffff", fill_opacity=0.9,
                tooltip=folium.Tooltip(
                    f"{esc(sites.at[site_id, 'name'])} ({esc(site_id)}): "
                    f"{'kept' if is_kept else 'service closes'}"),
            ).add_to(group)
        group.add_to(m)
    bounds = [f"within {thresholds[0]:g} minutes"] + [
        f"{a:g}-{b:g} minutes" for a, b in zip(thresholds, thresholds[1:], strict=False)] + [
        f"over {thresholds[-1]:g} minutes"]
    items = list(zip(CLASS_COLOURS[:len(bounds)], bounds, strict=True))
    items += [(NO_DATA_COLOUR, "no site within the search cut-off"),
              (MAIN_SITE_COLOUR, "site kept"), (CLOSED_COLOUR, "site whose service closes")]
    Legend(legend_html(f"Minutes to the nearest kept site ({mode.replace('_', ' ')})",
                       items)).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return stable_ids(m)


def _pct(row: pd.Series, group: str, area: str, t: float, mode: str = "emergency") -> str:
    value = row.get(f"{mode}_pct_{group}_{area}_within_{t:g}")
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.1f} %"


def impact_words(result: Centralisation, row: pd.Series) -> str:
    """The older and rural impact of one configuration against today, in plain sentences."""
    today = result.today
    t = result.instance.thresholds[len(result.instance.thresholds) // 2]
    r_lo, r_hi = result.instance.rises[0], result.instance.rises[-1]
    n = result.instance.n_sites
    areas = "; ".join(
        f"{label} {_pct(row, '65plus', key, t)} (today {_pct(today, '65plus', key, t)})"
        for key, label in (("smaller_rural", "smaller rural areas"),
                           ("larger_rural", "larger rural areas"), ("urban", "urban areas")))
    rise = (f"{fmt(row[f'emergency_people_65plus_rise_over_{r_lo:g}'])} residents aged 65+ "
            f"would travel more than {r_lo:g} minutes longer than today")
    if r_hi != r_lo:
        rise += (f", {fmt(row[f'emergency_people_65plus_rise_over_{r_hi:g}'])} more than "
                 f"{r_hi:g} minutes longer")
    rise += (f" (all ages: {fmt(row[f'emergency_people_all_rise_over_{r_lo:g}'])} and "
             f"{fmt(row[f'emergency_people_all_rise_over_{r_hi:g}'])})")
    return (
        f"Keeping {row['site_names']}: {_pct(row, '65plus', 'all', t)} of residents aged 65+ "
        f"would be within {t:g} minutes of a kept site by emergency transport, against "
        f"{_pct(today, '65plus', 'all', t)} today with all {n} sites; aged 85+ "
        f"{_pct(row, '85plus', 'all', t)} (today {_pct(today, '85plus', 'all', t)}). By area, "
        f"residents aged 65+ within {t:g} minutes: {areas}. {rise}. 95 % of residents would be within "
        f"{fmt(row['emergency_p95_minutes_all'])} minutes (today "
        f"{fmt(today['emergency_p95_minutes_all'])}); the longest journey "
        f"{fmt(row['emergency_max_minutes'])} minutes (today "
        f"{fmt(today['emergency_max_minutes'])}). Visitors ({result.setting.visitor_mode}): "
        f"{_pct(row, 'all', 'all', t, 'visitor')} of residents within {t:g} minutes (today "
        f"{_pct(today, 'all', 'all', t, 'visitor')})."
    )


def table_columns(result: Centralisation) -> list[str]:
    """The figures the report's and the dashboard's tables show, rule figures first."""
    ts = result.instance.thresholds
    t = ts[len(ts) // 2]
    r = result.instance.rises
    cols = [c for c, _ in result.rule.keys]
    cols += [f"emergency_pct_65plus_all_within_{x:g}" for x in ts]
    cols += [f"emergency_pct_65plus_smaller_rural_within_{t:g}",
             f"emergency_pct_85plus_all_within_{t:g}", f"emergency_pct_all_all_within_{t:g}",
             "emergency_mean_minutes_all", "emergency_p95_minutes_all", "emergency_max_minutes",
             f"emergency_people_65plus_rise_over_{r[0]:g}",
             f"emergency_people_65plus_rise_over_{r[-1]:g}",
             f"visitor_pct_all_all_within_{t:g}", "visitor_p95_minutes_all",
             "max_residents_per_capacity"]
    return list(dict.fromkeys(cols))


def shown_rows(result: Centralisation, top: int = 15) -> pd.DataFrame:
    """The top of the ranking, then named options further down, then today."""
    ranked = result.ranked
    head = ranked.head(top)
    rest = result.table[(result.table["option"] != "") & ~result.table.index.isin(head.index)]
    return pd.concat([head, rest])


def build_centralise_report(result: Centralisation, *, title: str, map_page: str | None = None,
                            synthetic: bool = False, region: str = "") -> str:
    """The whole report as one HTML string; ``map_page`` (``map_html``) is embedded when given."""
    cols = table_columns(result)
    rows = shown_rows(result)
    head = "".join(f"<th>{esc(h)}</th>" for h in
                   ["Rank", "Option", "Sites kept", *[describe_column(c) for c in cols]])
    body = []
    for _, r in rows.iterrows():
        cells = [f"<td class='num'>{esc(fmt(r['rank']))}</td>", f"<td>{esc(r['option'])}</td>",
                 f"<td>{esc(r['site_names'])}</td>"]
        cells += [f"<td class='num'>{esc(fmt(r[c], 1))}</td>" for c in cols]
        body.append("<tr>" + "".join(cells) + "</tr>")
    words = [f"<h3>{esc(label)}</h3><p>{esc(impact_words(result, _row(result, key)))}</p>"
             for label, key in configurations(result)[:-1]]
    served = result.served.get(str(result.best["sites"]), [])
    served_html = "".join(
        f"<tr><td>{esc(s['name'])}</td><td class='num'>{esc(fmt(s['residents']))}</td>"
        f"<td class='num'>{esc(fmt(s['residents_today']))}</td>"
        f"<td class='num'>{esc(fmt(s['capacity']) if s['capacity'] else 'not given')}</td>"
        f"<td class='num'>{esc(fmt(s['residents_per_capacity'], 1))}</td></tr>" for s in served)
    assumptions = "".join(
        f"<tr><td>{esc(v['label'])}</td><td class='num'>{esc(v['value'])}</td>"
        f"<td>{esc(v['unit'])}</td><td>{esc(v['source'])}</td></tr>"
        for v in result.to_json_dict(top=0)["assumptions"].values())
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
        f"<style>{CSS}</style></head><body><h1>{esc(title)}</h1>",
        f"<p class='note'>{esc(region)}: {len(result.instance.zone_ids):,} zones, "
        f"{result.instance.people[:, 0].sum():,.0f} residents; {result.instance.n_sites} "
        f"candidate sites; keep {result.keep[0]}" + (f"-{result.keep[1]}" if result.keep[1] !=
                                                     result.keep[0] else "")
        + f"; {esc(result.method)} scored.</p>",
    ]
    if synthetic:
        parts.append("<p class='synthetic'>The residents in this example are synthetic: their "
                     "numbers, ages and rural classes are invented around real town positions. "
                     "Not for decisions.</p>")
    parts += [
        "<h2>How combinations are ranked</h2>",
        f"<p>{esc(result.rule.describe())}</p><p class='note'>Rule as written: "
        f"<code>{esc(result.rule.text())}</code> (edit it with --rank).</p>",
        *[f"<p class='note'>{esc(n)}</p>" for n in result.notes],
        "<h2>Impact on older and rural residents</h2>", *words,
        "<h2>Ranked combinations</h2>",
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
        "<p class='note'>Emergency transport: car minutes x the emergency factor (see the "
        "assumptions). A resident is within a threshold when the nearest kept site is at most "
        "that many minutes away. The 95th percentile is the shortest time that 95 % of residents "
        "are within. Rises compare each resident's time with today's (every site open). The full "
        "table is centralise.csv.</p>",
        "<h2>Residents each kept site would serve (best combination)</h2>",
        "<table><thead><tr><th>Site</th><th>Residents (nearest kept site)</th><th>Residents "
        "today</th><th>Capacity</th><th>Residents per unit of capacity</th></tr></thead>"
        f"<tbody>{served_html}</tbody></table>",
        "<h2>Assumptions</h2><table><thead><tr><th>Assumption</th><th>Value</th><th>Unit</th>"
        f"<th>Source</th></tr></thead><tbody>{assumptions}</tbody></table>",
    ]
    if map_page is not None:
        parts.append("<h2>Map: minutes to the nearest kept site</h2><iframe title='map' "
                     "style='width:100%;height:640px;border:1px solid #d9e2ec' srcdoc=\""
                     + esc(map_page) + "\"></iframe>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _row(result: Centralisation, key: str) -> pd.Series:
    return result.table[result.table["sites"] == key].iloc[0]


def centralise_map_html(result: Centralisation, zones: gpd.GeoDataFrame, sites: pd.DataFrame,
                        **kwargs: Any) -> str:
    """The map as a standalone page with Leaflet embedded (works offline but for tiles)."""
    return map_html(centralise_map(result, zones, sites, **kwargs))


__all__ = ["TODAY", "build_centralise_report", "centralise_map", "centralise_map_html",
           "configurations", "impact_words", "shown_rows", "table_columns"]
