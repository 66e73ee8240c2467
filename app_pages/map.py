"""Map: catchments shaded by headroom, surgeries, housing and candidate sites; click to choose."""

from __future__ import annotations

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
    region,
    scenario_doc,
    serve_leaflet,
    synthetic_note,
    travel_surfaces,
    travel_time_available,
)
from estates.model import CRS, DISPLAY_CRS
from estates.report.map import BASEMAPS, SHADINGS, Surface, build_map

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
                   key="click_mode")

def draw_map(overlay: str, shade_by: str, basemap: str) -> folium.Map:
    """The map for these choices (build_map gives its elements stable ids, so the same
    choices give the same map script and streamlit-folium does not redraw it on a rerun)."""
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
    return build_map(r, practices=result.practices, growth=g, shade_by=shade_by,
                     tiles=BASEMAPS[basemap], surface=surface,
                     proposed=st.session_state["proposed"], leaflet_url=serve_leaflet())


spinner = ("Working out travel times and drawing the map..." if overlay in (TRAVEL, CHANGE)
           else "Drawing the map...")
with core_errors(), st.spinner(spinner):
    # Travel times are computed only when their overlay is chosen, and cached.
    m = draw_map(overlay, shade_by, st.session_state["basemap"])
# Only clicks come back, so panning and zooming do not rerun the script.
state = st_folium(m, key="main_map", height=620, use_container_width=True,
                  returned_objects=["last_clicked"])

click = (state or {}).get("last_clicked")
if click and click != st.session_state.get("handled_click"):
    st.session_state["handled_click"] = click
    point = gpd.GeoSeries(gpd.points_from_xy([click["lng"]], [click["lat"]]), crs=DISPLAY_CRS)
    xy = point.to_crs(CRS).iloc[0]
    if mode == "places a proposed satellite":
        label = f"Satellite {len(st.session_state['proposed']) + 1}"
        st.session_state["proposed"] = [*st.session_state["proposed"], (xy.x, xy.y, label)]
        st.rerun()
    else:
        mains = r.main_practices
        d = np.hypot(mains.geometry.x - xy.x, mains.geometry.y - xy.y)
        st.session_state["selected_practice"] = str(mains["practice_code"].iloc[int(np.argmin(d))])

selected = st.session_state["selected_practice"]
if selected:
    row = r.practices.set_index("practice_code").loc[selected]
    st.write(f"Selected practice: **{row['site_name']}** ({selected}). "
             "See it on the Practices screen.")
if st.session_state["proposed"]:
    st.write("Proposed satellites (add them to an option on the Options screen):")
    st.dataframe(
        [{"label": p[2], "easting (m)": round(p[0]), "northing (m)": round(p[1])}
         for p in st.session_state["proposed"]],
        hide_index=True,
    )
    if st.button("Clear proposed satellites"):
        st.session_state["proposed"] = []
        st.rerun()
