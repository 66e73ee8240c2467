"""The interactive map: catchments shaded by headroom, practice, housing and candidate sites.

Builds a folium map (no streamlit here) that the dashboard shows through streamlit-folium and
the report embeds. Everything drawn is reprojected to WGS84 and simplified for display; every
piece of text that comes from data is HTML-escaped before it reaches a popup or tooltip, since
Leaflet inserts popup and tooltip content as HTML.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import folium
import folium.features
import folium.template
import geopandas as gpd
import pandas as pd
import shapely

from estates.assumptions import Assumptions
from estates.errors import InputError
from estates.model import (
    CRS,
    DISPLAY_CRS,
    Growth,
    Region,
)
from estates.report.assets import use_served_leaflet
from estates.report.catchments import (
    CATCHMENT_PANE,
    catchment_layer,
    catchment_outlines,
    selected_layer,
)
from estates.report.figures import esc
from estates.report.layers import (
    CLOSED_COLOUR,
    OSM_TILES,
    SHADINGS,
    by_code,
    candidate_layer,
    housing_points,
    map_legend,
    point_layer,
    practice_points,
    zone_layer,
)
from estates.report.surface import Surface, raster_overlay, surface_legend
from estates.report.templates import Legend, SmallMarkersOnTop, stable_ids
from estates.report.zone_shading import add_index_layers


def build_map(
    region: Region,
    *,
    practices: pd.DataFrame | None = None,
    growth: Growth | None = None,
    shade_by: str = "utilisation_pct_horizon",
    tiles: str | None = OSM_TILES,
    surface: Surface | None = None,
    proposed: Sequence[tuple[float, float, str]] = (),
    closed: Sequence[tuple[float, float, str]] = (),
    show_zones: bool = True,
    legend: bool = True,
    catchments: bool = True,
    layer_control: bool = True,
    tolerance_m: float = 25.0,
    leaflet_url: str | None = None,
    zones: pd.DataFrame | None = None,
    assumptions: Assumptions | None = None,
    not_counted: Collection[str] = (),
    focus: Sequence[tuple[float, float]] = (),
    focus_margin_m: float = 2500.0,
    selected: str | None = None,
) -> folium.Map:
    """The dashboard's and report's map of a region and, optionally, its evaluation.

    Parameters
    ----------
    region
        The study area (geometry in EPSG:27700).
    practices
        Per-practice results (one row per main practice with ``practice_code`` and any of the
        columns in ``PRACTICE_FIGURES``); catchments are shaded by ``shade_by``.
    growth
        Housing sites to draw; defaults to ``region.growth``.
    shade_by
        A key of ``SHADINGS``.
    tiles
        Basemap: ``"OpenStreetMap"``, a tile URL template, or None for no basemap (the map
        still works: polygons, markers and popups need no tiles).
    surface
        An optional raster drawn as a semi-transparent image.
    proposed
        Proposed new sites as (easting, northing, label) in EPSG:27700.
    closed
        Sites an option closes, as (easting, northing, label) in EPSG:27700.
    show_zones
        Add the (initially hidden) layer of zones by rural-urban class.
    legend
        Draw the legend of shading and markers (small maps side by side may leave it out and
        explain the colours beside them; a raster overlay keeps its own legend).
    catchments
        Draw the shaded catchments. Without them the map gets an empty ``CATCHMENT_PANE``
        into which ``catchment_group`` is swapped (the dashboard's fast path).
    layer_control
        Add the control to switch layers (the dashboard passes its own to streamlit-folium,
        so that it lists the swapped-in catchments too).
    tolerance_m
        Simplification tolerance for polygons, in metres.
    zones
        The evaluation's zone table: with its E2SFCA columns, zones shaded by GP floor space
        and by GPs within reach per 1,000 residents are added as layers (off until switched
        on), broken at the standards of ``assumptions``.
    not_counted
        Site references of housing sites outside the region (not counted): drawn hollow.
    focus
        Points (easting, northing in EPSG:27700) to open the map on, e.g. the sites an option
        changes; the map fits them with ``focus_margin_m`` around. Empty: the whole region.
    selected
        A practice code to outline and ring (the practice chosen on the dashboard).
    leaflet_url
        Serve Leaflet from this URL folder (e.g. ``/app/static/leaflet/``); None keeps folium's
        CDN links, for callers that inline Leaflet themselves (``assets.standalone_html``).
    """
    if shade_by not in SHADINGS:
        raise InputError(f"unknown map shading {shade_by!r}: use one of {', '.join(SHADINGS)}")
    shading = SHADINGS[shade_by]
    figures = by_code(practices)
    growth = region.growth if growth is None else growth

    west, south, east, north = region.practices.to_crs(DISPLAY_CRS).total_bounds
    if len(region.catchments):
        cw, cs, ce, cn = region.catchments.to_crs(DISPLAY_CRS).total_bounds
        west, south, east, north = min(west, cw), min(south, cs), max(east, ce), max(north, cn)
    m = folium.Map(location=((south + north) / 2, (west + east) / 2), tiles=None,
                   control_scale=True, prefer_canvas=False)
    if leaflet_url is not None:
        use_served_leaflet(m, base_url=leaflet_url)
    if tiles == OSM_TILES:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap basemap").add_to(m)
    elif tiles:
        folium.TileLayer(tiles, attr="Basemap (configured tile server)", name="Basemap").add_to(m)

    if surface is not None:
        image, bounds, (low, high) = raster_overlay(surface, colours=surface.colours,
                                                    symmetric=surface.diverging)
        folium.raster_layers.ImageOverlay(
            image, bounds=bounds, name=f"{surface.label} ({surface.unit})", opacity=0.7,
        ).add_to(m)
        Legend(surface_legend(surface, low, high), position="bottomleft").add_to(m)

    if show_zones and len(region.zones):
        zone_layer(region, tolerance_m=tolerance_m).add_to(m)
        add_index_layers(m, region, zones, assumptions or Assumptions(), tolerance_m=tolerance_m)
    if catchments and len(region.catchments):
        group = folium.FeatureGroup(name="Catchments (" + shading.label.lower() + ")")
        catchment_layer(region, figures, shading, tolerance_m=tolerance_m).add_to(group)
        catchment_outlines(region, tolerance_m=tolerance_m).add_to(group)
        group.add_to(m)
    elif not catchments:
        folium.map.CustomPane(CATCHMENT_PANE, z_index=390, pointer_events=True).add_to(m)
    if len(region.candidates):
        candidate_layer(region).add_to(m)
    if len(growth.sites):
        point_layer(housing_points(growth, not_counted),
                    name="Housing sites (by type and size)").add_to(m)
    point_layer(practice_points(region, figures),
                 name="GP surgery sites (sized by list)").add_to(m)
    if proposed:
        group = folium.FeatureGroup(name="Proposed sites")
        points = gpd.GeoSeries(gpd.points_from_xy([p[0] for p in proposed],
                                                  [p[1] for p in proposed]), crs=CRS)
        for point, (_, _, label) in zip(points.to_crs(DISPLAY_CRS), proposed, strict=True):
            folium.CircleMarker(
                location=(point.y, point.x), radius=9, color="#000000", weight=3,
                fill=True, fill_color="#ffffff", fill_opacity=1.0,
                tooltip=folium.Tooltip(f"Proposed: {esc(label)}", permanent=True,
                                       direction="top"),
            ).add_to(group)
        group.add_to(m)
    if closed:
        group = folium.FeatureGroup(name="Sites that close")
        points = gpd.GeoSeries(gpd.points_from_xy([p[0] for p in closed],
                                                  [p[1] for p in closed]), crs=CRS)
        for point, (_, _, label) in zip(points.to_crs(DISPLAY_CRS), closed, strict=True):
            folium.CircleMarker(
                location=(point.y, point.x), radius=9, color=CLOSED_COLOUR, weight=3,
                dash_array="4 3", fill=True, fill_color="#ffffff", fill_opacity=0.6,
                tooltip=folium.Tooltip(f"Closes: {esc(label)}"),
            ).add_to(group)
        group.add_to(m)

    if selected:
        selected_layer(region, selected, tolerance_m=tolerance_m).add_to(m)

    if legend:
        Legend(map_legend(region, practices=practices, growth=growth, shade_by=shade_by,
                          proposed=bool(proposed), closed=bool(closed),
                          not_counted=len(not_counted), selected=bool(selected))).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    SmallMarkersOnTop().add_to(m)
    if focus:
        west, south, east, north = focus_bounds(focus, margin_m=focus_margin_m)
    m.fit_bounds([[south, west], [north, east]])
    return stable_ids(m)


def focus_bounds(points: Sequence[tuple[float, float]], *,
                 margin_m: float = 2500.0) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees around British National Grid points, with a
    margin in metres (so one changed site opens at street scale, not the region's)."""
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    box = gpd.GeoSeries([shapely.box(min(xs) - margin_m, min(ys) - margin_m,
                                     max(xs) + margin_m, max(ys) + margin_m)], crs=CRS)
    w, s, e, n = box.to_crs(DISPLAY_CRS).total_bounds
    return float(w), float(s), float(e), float(n)


