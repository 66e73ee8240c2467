"""Catchments drawn so that the map's colours stay those of its legend.

Catchments overlap (a village may lie in three practices' catchments). Drawn one over another
with a see-through fill, overlaps blend into colours the legend does not have. Instead the
plane is split into pieces that do not overlap: each point takes the colour of the smallest
catchment covering it (usually the most local practice), drawn once; every catchment is then
outlined in full on top, without fill, so its extent still shows.
"""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from estates.errors import InputError
from estates.model import Region
from estates.report.figures import esc, format_figure
from estates.report.layers import (
    CATCHMENT_FILL_OPACITY,
    POPUP_MAX_PX,
    PRACTICE_FIGURES,
    SELECTED_COLOUR,
    SHADINGS,
    Shading,
    by_code,
    display_frame,
    popup_table,
)
from estates.report.templates import stable_ids


def catchment_pieces(catchments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each catchment less the smaller catchments that overlap it, on the same index.

    A catchment wholly inside smaller ones keeps an empty piece. Adds ``overlaps``: the row
    positions of the other catchments that share some of its area, for the tooltip.
    Works in the frame's CRS (metres: British National Grid), before display simplification.
    """
    geoms = catchments.geometry.to_numpy()
    geoms = shapely.make_valid(geoms)
    area = shapely.area(geoms)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pieces, overlaps = [], []
    for i in range(len(geoms)):
        others = right[(left == i) & (right != i)]
        # Touching along a border is not an overlap: keep neighbours that share area.
        others = others[shapely.area(shapely.intersection(geoms[i], geoms[others])) > 1.0] \
            if len(others) else others
        smaller = others[(area[others] < area[i]) | ((area[others] == area[i]) & (others < i))]
        piece = (shapely.difference(geoms[i], shapely.union_all(geoms[smaller]))
                 if len(smaller) else geoms[i])
        pieces.append(_polygons(piece))
        overlaps.append([int(j) for j in np.sort(others)])
    out = catchments.copy()
    out = out.set_geometry(gpd.GeoSeries(pieces, index=catchments.index, crs=catchments.crs))
    out["overlaps"] = overlaps
    return out


def _polygons(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a difference (dropping the slivers of line it may leave), valid."""
    geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def catchment_layer(
    region: Region, figures: pd.DataFrame, shading: Shading, *, tolerance_m: float,
    pane: str | None = None,
) -> folium.GeoJson:
    """The catchments' fill, one non-overlapping piece per catchment (see ``catchments``),
    with the practice's figures in the popup and the catchments sharing the piece's area
    named in the tooltip."""
    pieces = catchment_pieces(region.catchments[["practice_code", "geometry"]])
    codes = pieces["practice_code"].tolist()
    pieces = pieces[~pieces.geometry.is_empty]
    catchments = display_frame(pieces[["practice_code", "geometry"]], tolerance_m=tolerance_m)
    names = region.practices.drop_duplicates("practice_code").set_index("practice_code")
    tips, popups, colours = [], [], []
    for code, overlaps in zip(catchments["practice_code"], pieces["overlaps"], strict=True):
        name = names["site_name"].get(code, "") if "site_name" in names else ""
        value = figures[shading.column].get(code) if shading.column in figures else None
        colours.append(shading.colour(value))
        tip = f"{esc(name)} ({esc(code)}): {esc(format_figure(value, shading.unit))}"
        if overlaps:
            tip += (f"<br>overlaps {len(overlaps)} other catchment(s); where they overlap "
                    "the smaller one's colour shows")
        tips.append(tip)
        rows = [("Practice code", str(code))]
        if code in figures.index:
            rows += [(label, format_figure(figures.at[code, col], unit))
                     for col, label, unit in PRACTICE_FIGURES if col in figures.columns]
        if overlaps:
            rows.append(("Overlaps the catchments of", ", ".join(
                f"{names['site_name'].get(codes[j], codes[j])} ({codes[j]})"
                if "site_name" in names else str(codes[j]) for j in overlaps)))
        popups.append(popup_table(f"Catchment of {name}", rows))
    data = catchments.assign(tip=tips, popup=popups, colour=colours)
    return folium.GeoJson(
        json.loads(data.to_json(drop_id=True)),
        name="Catchments (" + shading.label.lower() + ")",
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"], "color": "#444444", "weight": 0,
            "fillOpacity": CATCHMENT_FILL_OPACITY,
        },
        highlight_function=lambda f: {"fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_height=POPUP_MAX_PX),
        **({"pane": pane} if pane else {}),  # type: ignore[arg-type]
    )


def catchment_outlines(region: Region, *, tolerance_m: float,
                       pane: str | None = None) -> folium.GeoJson:
    """Every catchment's full outline, unfilled and not clickable (clicks reach the fill)."""
    outlines = display_frame(region.catchments[["practice_code", "geometry"]],
                             tolerance_m=tolerance_m)
    return folium.GeoJson(
        json.loads(outlines.to_json(drop_id=True)),
        name="Catchment outlines", control=False,
        style_function=lambda f: {"color": "#444444", "weight": 1, "fill": False},
        interactive=False,
        **({"pane": pane} if pane else {}),  # type: ignore[arg-type]
    )


def selected_layer(region: Region, code: str, *, tolerance_m: float) -> folium.FeatureGroup:
    """The selected practice: its catchment outlined thick and its sites ringed."""
    group = folium.FeatureGroup(name="Selected practice", control=False)
    cat = region.catchments[region.catchments["practice_code"] == code]
    if len(cat):
        folium.GeoJson(
            json.loads(display_frame(cat[["practice_code", "geometry"]],
                                     tolerance_m=tolerance_m).to_json(drop_id=True)),
            style_function=lambda f: {"color": SELECTED_COLOUR, "weight": 4, "fill": False},
            interactive=False,
        ).add_to(group)
    p = region.practices
    sites = p[(p["practice_code"] == code) | (p.get("parent_code") == code)]
    for point in display_frame(sites[["practice_code", "geometry"]], tolerance_m=0).geometry:
        folium.CircleMarker(location=(point.y, point.x), radius=20, color=SELECTED_COLOUR,
                            weight=4, fill=False, interactive=False).add_to(group)
    return group


#: The Leaflet pane the dashboard draws swapped-in catchments into: below the overlay pane
#: (z-index 400) so that surgeries and housing sites stay on top and clickable.
CATCHMENT_PANE = "catchments"
#: The FeatureGroup streamlit-folium swaps takes ids from here on, apart from the base map's.
GROUP_FIRST_ID = 10**9


def catchment_group(
    region: Region,
    *,
    practices: pd.DataFrame | None = None,
    shade_by: str = "utilisation_pct_horizon",
    tolerance_m: float = 25.0,
    selected: str | None = None,
) -> folium.FeatureGroup:
    """The shaded catchments alone, as a FeatureGroup for a map built with ``catchments=False``.

    The dashboard hands it to streamlit-folium as ``feature_group_to_add``, so that a change
    of shading swaps this layer inside the map already drawn instead of reloading the map.
    Drawn into ``CATCHMENT_PANE`` (below the markers); ids are stable, so the same choices give
    the same script and an unrelated rerun swaps nothing. ``selected`` (a practice code) is
    outlined and ringed (``selected_layer``).
    """
    if shade_by not in SHADINGS:
        raise InputError(f"unknown map shading {shade_by!r}: use one of {', '.join(SHADINGS)}")
    shading = SHADINGS[shade_by]
    group = folium.FeatureGroup(name="Catchments (" + shading.label.lower() + ")")
    if len(region.catchments):
        catchment_layer(region, by_code(practices), shading, tolerance_m=tolerance_m,
                        pane=CATCHMENT_PANE).add_to(group)
        catchment_outlines(region, tolerance_m=tolerance_m, pane=CATCHMENT_PANE).add_to(group)
    if selected:
        selected_layer(region, selected, tolerance_m=tolerance_m).add_to(group)
    return stable_ids(group, first=GROUP_FIRST_ID)
