"""Map: catchments shaded by headroom, surgeries, housing and candidate sites; click to choose."""

from __future__ import annotations

import copy
import json

import folium
import geopandas as gpd
import numpy as np
import streamlit as st
from rasterio.transform import Affine
from streamlit_folium import st_folium

from app_pages.common import (
    core_errors,
    evaluation,
    growth,
    inputs_key,
    region,
    scenario_doc,
    scenario_json,
    serve_leaflet,
    session_memo,
    synthetic_note,
    travel_surfaces,
    travel_time_available,
)
from estates.model import CRS, DISPLAY_CRS
from estates.report.catchments import catchment_group
from estates.report.layers import BASEMAPS, SHADINGS, map_legend
from estates.report.map import build_map
from estates.report.surface import Surface
from estates.report.wording import landmark

TRAVEL = "Minutes to the nearest surgery"
CHANGE = "Change in minutes under the option"

st.title("Map")

with core_errors():
    r = region()

synthetic_note(r)
left, middle, right = st.columns(3)
shade_by = left.radio("Shade catchments by", list(SHADINGS), key="shade_by",
                      format_func=lambda k: f"{SHADINGS[k].label} ({SHADINGS[k].unit})")
choices = ["None"]
if travel_time_available(r):
    choices.append(TRAVEL)
    if scenario_doc()["changes"]:
        choices.append(CHANGE)
if r.population_raster is not None:
    choices.append("Residents per cell")
if r.friction_raster is not None:
    choices.append("Travel friction")
overlay = middle.selectbox(
    "Raster overlay", choices,
    help="Minutes to the nearest surgery are worked out over the region's friction raster "
         "(or by straight line when it has none). The change is the option built on the "
         "Options screen against today's sites: blue is nearer, red further.")
mode = right.radio("Clicking the map", ["selects a practice", "places a proposed satellite"],
                   key="click_mode",
                   help="Click anywhere: on a catchment, a zone, a marker or open ground. A "
                        "practice is chosen by its nearest surgery; a satellite goes exactly "
                        "where you click (on a marker: at the marker).")

with core_errors():
    sites_table = evaluation().sites
outside = [str(ref) for ref in sites_table.loc[~sites_table["counted"].astype(bool), "site_ref"]]
focus: list[tuple[float, float]] = []
if outside:
    st.warning(
        f"{len(outside)} housing site(s) lie outside the region and beyond "
        f"{evaluation().assumptions.threshold_minutes:g} minutes of every surgery, so their "
        "homes are not counted. They are drawn as hollow orange dashed rings. Check their "
        "coordinates on the Housing sites screen, or load the region they belong to.")
    if st.checkbox(f"Zoom to the {len(outside)} site(s) outside the region", key="zoom_outside"):
        out = growth().sites
        out = out[out["site_ref"].astype(str).isin(outside)]
        focus = [(float(p.x), float(p.y)) for p in out.geometry]


def draw_map(overlay: str, basemap: str) -> folium.Map:
    """The map for these choices without the catchments, which are swapped in on their own.

    build_map gives its elements stable ids, so the same choices give the same map script and
    streamlit-folium keeps the map already drawn: a change of shading only swaps the
    catchment layer (``feature_group_to_add``) instead of reloading Leaflet in its frame.
    """
    r, g, result = region(), growth(), evaluation()
    surface: Surface | None = None
    if overlay in (TRAVEL, CHANGE):
        minutes, change, transform = travel_surfaces()
        if overlay == TRAVEL:
            surface = Surface("Minutes to the nearest surgery", "minutes", values=minutes,
                              transform=Affine(*transform))
        else:
            surface = Surface("Change in minutes to the nearest surgery", "minutes",
                              values=change, transform=Affine(*transform), diverging=True)
    elif overlay == "Residents per cell":
        surface = Surface("Residents", "people per cell", path=r.population_raster)
    elif overlay == "Travel friction":
        surface = Surface("Travel friction", r.friction_unit, path=r.friction_raster)
    return build_map(r, practices=result.practices, growth=g, tiles=BASEMAPS[basemap],
                     surface=surface, proposed=proposed_labels(st.session_state["proposed"]),
                     catchments=False, legend=False, layer_control=False,
                     not_counted=outside, focus=focus, leaflet_url=serve_leaflet(),
                     zones=result.zones, assumptions=result.assumptions)


def proposed_labels(points: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Each proposed point's label with its coordinates, shown beside its marker."""
    return [(e, n, f"{label}: easting {e:,.0f}, northing {n:,.0f}") for e, n, label in points]


spinner = ("Working out travel times and drawing the map..." if overlay in (TRAVEL, CHANGE)
           else "Drawing the map...")
basemap = st.session_state["basemap"]
proposed = st.session_state["proposed"]
with core_errors(), st.spinner(spinner):
    # Travel times are computed only when their overlay is chosen, and cached. The map and
    # the catchment layer are kept for the session, so that a change of shading builds only
    # the new layer and a click rebuilds nothing. Each run draws a copy (a few ms): drawing
    # mutates a folium map (layers add their own "addTo" scripts), and a map drawn twice
    # gives a different, broken script.
    m = session_memo("base map", json.dumps([inputs_key(), scenario_json(), overlay, basemap,
                                             proposed, focus]),
                     lambda: draw_map(overlay, basemap))
    selected = st.session_state["selected_practice"]
    catchments = session_memo(
        "catchments", json.dumps([inputs_key(), shade_by, selected]),
        lambda: catchment_group(r, practices=evaluation().practices, shade_by=shade_by,
                                selected=selected))
    legend = map_legend(r, practices=evaluation().practices, growth=growth(), shade_by=shade_by,
                        proposed=bool(proposed), not_counted=len(outside),
                        selected=bool(selected))
map_column, legend_column = st.columns([5, 1])
# The legend sits beside the map (not in it), so a change of shading leaves the map's own
# script alone; legend_html has escaped every label. Written first, so it shows first.
legend_column.html(f"<div class='estates-legend' style='font-size:0.85rem;line-height:1.5'>"
                   f"{legend}</div>")
control = folium.LayerControl(collapsed=True)
with map_column:
    # Only clicks come back, so panning and zooming do not rerun the script. A click on a
    # catchment, a zone or a marker is the layer's ("last_object_clicked"), not the map's
    # ("last_clicked", which Leaflet fires only where no layer is): both count.
    state = st_folium(copy.deepcopy(m), key="main_map", height=620, use_container_width=True,
                      returned_objects=["last_clicked", "last_object_clicked"],
                      feature_group_to_add=copy.deepcopy(catchments),
                      layer_control=control)

click = None
for kind in ("last_clicked", "last_object_clicked"):
    got = (state or {}).get(kind)
    if got and got != st.session_state.get(f"handled_{kind}"):
        st.session_state[f"handled_{kind}"] = got
        click = got
if click:
    point = gpd.GeoSeries(gpd.points_from_xy([click["lng"]], [click["lat"]]), crs=DISPLAY_CRS)
    xy = point.to_crs(CRS).iloc[0]
    if mode == "places a proposed satellite":
        label = f"Satellite {len(st.session_state['proposed']) + 1}"
        st.session_state["proposed"] = [*st.session_state["proposed"], (xy.x, xy.y, label)]
        st.rerun()
    else:
        mains = r.main_practices
        d = np.hypot(mains.geometry.x - xy.x, mains.geometry.y - xy.y)
        chosen = str(mains["practice_code"].iloc[int(np.argmin(d))])
        if chosen != st.session_state["selected_practice"]:
            st.session_state["selected_practice"] = chosen
            st.rerun()  # draw the new selection's outline

if selected:
    row = r.practices.set_index("practice_code").loc[selected]
    st.write(f"Selected practice: **{row['site_name']}** ({selected}), outlined in black on "
             "the map. See it on the Practices screen.")
if st.session_state["proposed"]:
    st.write("Proposed satellites (add them to an option on the Options screen):")
    st.dataframe(
        [{"label": p[2], "easting (m)": f"{p[0]:,.0f}", "northing (m)": f"{p[1]:,.0f}",
          "where": landmark(r, growth().sites, p[0], p[1])}
         for p in st.session_state["proposed"]],
        hide_index=True,
    )
    if st.button("Clear proposed satellites"):
        st.session_state["proposed"] = []
        st.rerun()
