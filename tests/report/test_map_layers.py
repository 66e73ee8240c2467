"""What the map shows a planning officer: candidates under the surgeries and housing, sites
outside the region set apart, the selected practice ringed, popups that scroll, the map
opening on the sites an option changes."""

from __future__ import annotations

import re

import folium
import pandas as pd
from pyproj import Transformer

from estates.model import Growth
from estates.report.catchments import catchment_group
from estates.report.layers import (
    CANDIDATE_COLOUR,
    OUTSIDE_COLOUR,
    POPUP_MAX_PX,
    SELECTED_COLOUR,
    housing_points,
    map_legend,
)
from estates.report.map import build_map, focus_bounds
from tests import enginekit as kit


def region():  # type: ignore[no-untyped-def]
    import geopandas as gpd
    from shapely.geometry import Point

    from estates.model import CRS

    r = kit.region()
    r.candidates = gpd.GeoDataFrame({"candidate_id": ["L1"], "name": ["Town Library"],
                                     "kind": ["library"], "available_m2": [100.0]},
                                    geometry=[Point(6050, 0)], crs=CRS, index=["L1"])
    return r


def test_candidates_are_circles_drawn_before_housing_and_surgeries_with_a_legend_entry() -> None:
    r = region()
    html = build_map(r, tiles=None).get_root().render()
    # No icon markers (Leaflet's marker pane sits above every circle and would hide them).
    assert "L.marker(" not in html and "DivIcon" not in html
    # Layers are added to the map (and drawn, one over another) in the order their data
    # appears: candidates, then housing, then surgeries on top.
    def first(title: str) -> int:
        return html.index(f"\\u003cb\\u003e{title}\\u003c/b\\u003e")

    assert first("Town Library") < first("East Retirement Village") < first("Alpha Surgery")
    assert CANDIDATE_COLOUR in html
    legend = map_legend(r)
    assert "Library or other candidate building" in legend
    # The legend keeps the surgeries last, as the map's markers are read.
    assert re.findall(r"</span>([^<]+)</div>", legend)[-2:] == [
        "GP main site (area ∝ list)", "GP branch site"]


def test_sites_outside_the_region_are_hollow_dashed_and_in_the_legend() -> None:
    g = kit.growth()
    points = housing_points(g, not_counted=["S3"]).set_index("site_ref")
    assert points.at["S3", "line"] == OUTSIDE_COLOUR and points.at["S3", "dash"] == "4 3"
    assert points.at["S3", "colour"] == "#ffffff"
    assert points.at["S1", "line"] == "#222222" and pd.isna(points.at["S1", "dash"])
    assert "(outside the region: not counted)" in points.at["S3", "tip"]
    legend = map_legend(kit.region(), growth=Growth(g.sites, g.trajectory), not_counted=1)
    assert "Housing outside the region, not counted (1 site(s)" in legend


def test_popups_scroll_and_catchment_fills_never_overlap() -> None:
    r = region()
    html = build_map(r, tiles=None).get_root().render()
    assert html.count(f'"maxHeight": {POPUP_MAX_PX}') >= 4  # catchments, points, zones
    # The outlines take no clicks, so a click inside a catchment reaches its fill.
    assert '"interactive": false' in html


def test_the_selected_practice_is_outlined_and_ringed() -> None:
    r = region()
    figures = pd.DataFrame({"practice_code": ["A", "B"],
                            "utilisation_pct_horizon": [120.0, 80.0]})
    def drawn(group: folium.FeatureGroup) -> str:
        m = folium.Map()
        group.add_to(m)
        return str(m.get_root().render())

    plain = drawn(catchment_group(r, practices=figures))
    chosen = drawn(catchment_group(r, practices=figures, selected="B"))
    assert SELECTED_COLOUR not in plain
    assert chosen.count(f'"color": "{SELECTED_COLOUR}"') == 2  # the outline and the ring
    assert "Selected practice" in map_legend(r, selected=True)


def test_focus_opens_the_map_on_the_given_sites() -> None:
    r = region()
    html = build_map(r, tiles=None, focus=[(4000, 0)], focus_margin_m=1000).get_root().render()
    # The box 3,000..5,000 m east, -1,000..1,000 m north, in degrees, worked with pyproj.
    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    corners = [to_wgs.transform(x, y) for x in (3000, 5000) for y in (-1000, 1000)]
    west, east = min(c[0] for c in corners), max(c[0] for c in corners)
    south, north = min(c[1] for c in corners), max(c[1] for c in corners)
    found = re.search(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]",
                      html)
    assert found is not None
    s, w, n, e = (float(v) for v in found.groups())
    assert abs(s - south) < 1e-6 and abs(w - west) < 1e-6
    assert abs(n - north) < 1e-6 and abs(e - east) < 1e-6
    assert focus_bounds([(4000, 0)], margin_m=1000) == (w, s, e, n)
