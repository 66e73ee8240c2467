"""The map's layers: catchments shaded by a figure, practice, housing and candidate points, zones,
and their popups and legend, each reprojected to WGS84 and simplified for display."""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import folium
import folium.features
import folium.template
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from estates.errors import InputError
from estates.model import (
    CRS,
    DISPLAY_CRS,
    HOUSING_TYPE_LABELS,
    HOUSING_TYPES,
    OLDER_GROUPS,
    RUC21_CLASS,
    Growth,
    Region,
)
from estates.report.figures import esc, format_figure
from estates.report.templates import legend_html

OSM_TILES = "OpenStreetMap"
#: Basemap choices the dashboard offers: label -> folium tiles argument (None: no basemap).
BASEMAPS: dict[str, str | None] = {
    "OpenStreetMap": OSM_TILES,
    "None (offline)": None,
}
#: Coordinates are rounded to this many degrees for display (1e-5 degrees is about 1 m).
DISPLAY_PRECISION_DEG = 1e-5

HOUSING_COLOURS: dict[str, str] = {
    "general": "#1f78b4",
    "retirement": "#6a3d9a",
    "extra_care": "#e7298a",
    "care_home": "#b15928",
    "student": "#33a02c",
}
RURAL_COLOURS: dict[str, str] = {
    "urban": "#bdbdbd",
    "larger rural": "#a1d99b",
    "smaller rural": "#31a354",
}
NO_DATA_COLOUR = "#d9d9d9"
# Surgeries in dark navy and slate: neutral against the catchment shading, whose red and blue
# mean over and under capacity (a red surgery read as "over capacity").
MAIN_SITE_COLOUR = "#1b2a49"
BRANCH_SITE_COLOUR = "#8c96a8"
#: Travel-time ramp (light = near, dark = far) and the change ramp (blue = nearer, red = further).
MINUTES_COLOURS: tuple[str, ...] = ("#ffffcc", "#fd8d3c", "#800026")
CHANGE_COLOURS: tuple[str, ...] = ("#2166ac", "#f7f7f7", "#b2182b")
CLOSED_COLOUR = "#7f7f7f"
#: Candidate buildings (libraries...): a green ring drawn under surgeries and housing.
CANDIDATE_COLOUR = "#238b45"
#: Housing sites outside the region (not counted): hollow, in an orange no shading uses.
OUTSIDE_COLOUR = "#ff7f00"
#: The selected practice's catchment outline and rings.
SELECTED_COLOUR = "#000000"
CATCHMENT_FILL_OPACITY = 0.45
#: Popups scroll beyond this height, so a tall one is never cut by the map's edge.
POPUP_MAX_PX = 260


@dataclass(frozen=True)
class Shading:
    """How catchments are coloured: a result column, its meaning, class breaks and colours.

    ``breaks`` are the upper bounds of every class but the last; a value equal to a break
    falls in the class above it.
    """

    column: str
    label: str
    unit: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    class_labels: tuple[str, ...]

    def colour(self, value: Any) -> str:
        """The colour of one value; missing or non-finite values get the no-data grey."""
        try:
            number = float(value)
        except (TypeError, ValueError):
            return NO_DATA_COLOUR
        if not math.isfinite(number):
            return NO_DATA_COLOUR
        index = int(np.searchsorted(np.asarray(self.breaks, dtype=float), number, side="right"))
        return self.colours[index]


# Colours from ColorBrewer RdYlBu (colour-blind safe), blue = spare room, red = over capacity.
SHADINGS: dict[str, Shading] = {
    "utilisation_pct_horizon": Shading(
        "utilisation_pct_horizon", "Demand as % of capacity at the horizon", "%",
        breaks=(85.0, 100.0, 115.0),
        colours=("#4575b4", "#fee090", "#fc8d59", "#d73027"),
        class_labels=("under 85 % (room to grow)", "85-100 % (nearly full)",
                      "100-115 % (over capacity)", "115 % and over (well over)"),
    ),
    "headroom_horizon": Shading(
        "headroom_horizon", "Headroom at the horizon", "patients",
        breaks=(-2000.0, 0.0, 1000.0),
        colours=("#d73027", "#fc8d59", "#fee090", "#4575b4"),
        class_labels=("deficit over 2,000 patients", "deficit up to 2,000 patients",
                      "0-1,000 patients spare", "over 1,000 patients spare"),
    ),
}

#: Figures shown in a practice's popup when the result table has them: column, label, unit.
PRACTICE_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("list_size", "Registered list", "patients"),
    ("capacity", "Premises capacity", "patients"),
    ("workforce_capacity", "GP workforce capacity", "patients"),
    ("binding_constraint", "Binding constraint", ""),
    ("demand_base", "Demand in the base year", "patients"),
    ("demand_horizon", "Demand at the horizon", "patients"),
    ("headroom_horizon", "Headroom at the horizon", "patients"),
    ("headroom_m2_horizon", "Floor-space headroom at the horizon", "m2"),
    ("utilisation_pct_horizon", "Demand as share of capacity at the horizon", "%"),
    ("tipping_year", "Tipping year (first year in deficit)", "year"),
)


def popup_table(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """Escaped HTML for a popup: a bold title over a two-column table of label and figure."""
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{esc(label)}</th>"
        f"<td>{esc(text)}</td></tr>"
        for label, text in rows
    )
    return f"<b>{esc(title)}</b><table>{cells}</table>"


def display_frame(frame: gpd.GeoDataFrame, *, tolerance_m: float = 25.0) -> gpd.GeoDataFrame:
    """Simplify in metres (British National Grid), reproject to WGS84, round coordinates.

    Simplifying before reprojecting keeps the tolerance in metres; rounding to about a metre
    keeps the map's HTML small without a visible change.
    """
    if frame.crs is None:
        raise InputError("a map layer has no coordinate reference system; set one before mapping")
    out = frame.to_crs(CRS) if frame.crs != CRS else frame.copy()
    if tolerance_m > 0:
        out = out.set_geometry(out.geometry.simplify(tolerance_m, preserve_topology=True))
    out = out.to_crs(DISPLAY_CRS)
    # Simplifying can leave a polygon invalid (a self-touching ring), which rounding refuses.
    geoms = out.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return out.set_geometry(shapely.set_precision(geoms, DISPLAY_PRECISION_DEG))


def marker_radius(values: pd.Series, *, min_px: float = 4.0, max_px: float = 18.0) -> pd.Series:
    """Circle radius in pixels with area proportional to the value (square-root scaling)."""
    numbers = pd.to_numeric(values, errors="coerce").clip(lower=0).fillna(0.0)
    top = float(numbers.max()) if len(numbers) else 0.0
    if top <= 0:
        return pd.Series(min_px, index=values.index)
    return min_px + (max_px - min_px) * np.sqrt(numbers / top)




def by_code(table: pd.DataFrame | None) -> pd.DataFrame:
    if table is None or len(table) == 0:
        return pd.DataFrame()
    if "practice_code" in table.columns:
        return table.drop_duplicates("practice_code").set_index("practice_code", drop=False)
    return table


def map_legend(
    region: Region,
    *,
    practices: pd.DataFrame | None = None,
    growth: Growth | None = None,
    shade_by: str = "utilisation_pct_horizon",
    proposed: bool = False,
    closed: bool = False,
    not_counted: int = 0,
    selected: bool = False,
) -> str:
    """The legend of shading and markers as escaped HTML (drawn in the map or beside it).

    ``not_counted`` is the number of housing sites outside the region (drawn hollow).
    """
    shading = SHADINGS[shade_by]
    figures = by_code(practices)
    growth = region.growth if growth is None else growth
    items = list(zip(shading.colours, shading.class_labels, strict=True))
    shaded = figures[shading.column] if shading.column in figures else pd.Series(dtype=float)
    codes = region.catchments["practice_code"]
    if not codes.isin(shaded.dropna().index).all():
        items.append((NO_DATA_COLOUR, "no figure"))
    items.append(("", "Where catchments overlap, the smaller one's colour shows; thin lines "
                      "outline every catchment"))
    items += [(HOUSING_COLOURS[t], "Housing: " + HOUSING_TYPE_LABELS[t]) for t in HOUSING_TYPES
              if len(growth.sites) and (growth.sites["housing_type"] == t).any()]
    if not_counted:
        items.append((OUTSIDE_COLOUR, f"Housing outside the region, not counted "
                                      f"({not_counted} site(s), hollow dashed ring)"))
    if len(region.candidates):
        items.append((CANDIDATE_COLOUR, "Library or other candidate building (green ring)"))
    if selected:
        items.append((SELECTED_COLOUR, "Selected practice (thick outline and ring)"))
    items += [(MAIN_SITE_COLOUR, "GP main site (area ∝ list)"),
              (BRANCH_SITE_COLOUR, "GP branch site")]
    if proposed:
        items.append(("#ffffff", "Proposed or changed site"))
    if closed:
        items.append((CLOSED_COLOUR, "Site that closes"))
    return legend_html(f"{shading.label} ({shading.unit})", items)


def point_layer(
    frame: gpd.GeoDataFrame, *, name: str, show: bool = True
) -> folium.GeoJson:
    """Points drawn as CircleMarkers, styled per feature from its ``radius``/``colour``."""
    return folium.GeoJson(
        json.loads(frame.to_json(drop_id=True)),
        name=name,
        show=show,
        marker=folium.CircleMarker(),
        style_function=lambda f: {
            "radius": f["properties"]["radius"], "fillColor": f["properties"]["colour"],
            "fill": True, "color": f["properties"].get("line", "#222222"),
            "weight": f["properties"].get("weight", 1),
            "dashArray": f["properties"].get("dash"),
            "fillOpacity": f["properties"].get("fill_opacity", 0.85),
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_height=POPUP_MAX_PX),
    )


def practice_points(region: Region, figures: pd.DataFrame) -> gpd.GeoDataFrame:
    """Practice sites for display: radius by list size, with escaped tooltip and popup HTML.

    A branch takes its main practice's list for sizing so that both sites of a big practice
    look big; its popup says it is a branch.
    """
    sites = display_frame(region.practices, tolerance_m=0)
    if "parent_code" in sites.columns:
        given = sites["parent_code"].astype("string").fillna("").str.strip()
    else:
        given = pd.Series("", index=sites.index, dtype="string")
    is_branch = (sites["site_kind"] == "branch") & (given != "")
    parent = given.where(is_branch, sites["practice_code"].astype("string"))
    lists = sites.set_index("practice_code")["list_size"]
    sizing = parent.map(lists).fillna(0.0)
    tips, popups = [], []
    for i, row in sites.iterrows():
        code, main = row["practice_code"], parent[i]
        kind = "branch of " + str(main) if row["site_kind"] == "branch" else "main site"
        tips.append(f"{esc(row['site_name'])} ({esc(code)}), {esc(kind)}")
        rows = [("Practice code", str(code)), ("Site", kind),
                ("Floor area (GIA)", format_figure(row.get("gia_m2"), "m2")),
                ("Clinical rooms", format_figure(row.get("clinical_rooms"), "rooms"))]
        if "building" in sites.columns and pd.notna(row.get("building")):
            rows.append(("Building", str(row["building"])))
        if main in figures.index:
            rows += [(label, format_figure(figures.at[main, col], unit))
                     for col, label, unit in PRACTICE_FIGURES if col in figures.columns]
        elif row["site_kind"] == "main":
            rows.append(("Registered list", format_figure(row["list_size"], "patients")))
        popups.append(popup_table(str(row["site_name"]), rows))
    return gpd.GeoDataFrame(
        {"practice_code": sites["practice_code"], "tip": tips, "popup": popups,
         "radius": marker_radius(sizing).round(1),
         "colour": np.where(sites["site_kind"] == "branch", BRANCH_SITE_COLOUR,
                           MAIN_SITE_COLOUR)},
        geometry=sites.geometry, crs=DISPLAY_CRS,
    )


def housing_points(growth: Growth, not_counted: Collection[str] = ()) -> gpd.GeoDataFrame:
    """Housing sites for display: colour by housing type, radius by dwellings; the sites in
    ``not_counted`` (outside the region) hollow with a dashed orange ring."""
    sites = display_frame(growth.sites, tolerance_m=0)
    outside = sites["site_ref"].astype(str).isin({str(r) for r in not_counted}).to_numpy()
    trajectory = growth.trajectory
    tips, popups = [], []
    for ref, row in sites.iterrows():
        label = HOUSING_TYPE_LABELS.get(str(row["housing_type"]), str(row["housing_type"]))
        unit = "beds" if row["housing_type"] == "care_home" else "dwellings"
        tips.append(f"{esc(row['name'])}: {esc(format_figure(row['dwellings'], unit))}"
                    + (" (outside the region: not counted)"
                       if str(row["site_ref"]) in not_counted else ""))
        rows = [("Site reference", str(row["site_ref"])), ("Homes", format_figure(row["dwellings"], unit)),
                ("Housing type", label + (" (guessed from the description)"
                                          if bool(row.get("housing_type_inferred", False)) else ""))]
        if ref in trajectory.index:
            built = trajectory.loc[ref]
            years = [int(y) for y, v in built.items() if pd.notna(v) and float(v) > 0]
            if years:
                rows.append(("Completions", f"{format_figure(min(years), 'year')} to "
                                            f"{format_figure(max(years), 'year')}"))
        popups.append(popup_table(str(row["name"]), rows))
    return gpd.GeoDataFrame(
        {"site_ref": sites["site_ref"].to_numpy(), "tip": tips, "popup": popups,
         "radius": marker_radius(sites["dwellings"], min_px=3, max_px=14).round(1).to_numpy(),
         "colour": np.where(outside, "#ffffff",
                            sites["housing_type"].map(HOUSING_COLOURS).fillna("#999999")),
         "line": np.where(outside, OUTSIDE_COLOUR, "#222222"),
         "weight": np.where(outside, 2.5, 1.0),
         "dash": ["4 3" if out else None for out in outside],
         "fill_opacity": np.where(outside, 0.5, 0.85)},
        geometry=sites.geometry.to_numpy(), crs=DISPLAY_CRS,
    )


def candidate_points(region: Region) -> gpd.GeoDataFrame:
    """Candidate buildings for display, with escaped tooltip and popup HTML."""
    sites = display_frame(region.candidates, tolerance_m=0)
    tips, popups = [], []
    for _, row in sites.iterrows():
        rows = [("Kind", str(row["kind"])),
                ("Floor area available", format_figure(row["available_m2"], "m2"))]
        if "co_located" in sites.columns and pd.notna(row.get("co_located")) and row["co_located"]:
            rows.append(("Already co-located", str(row["co_located"])))
        tips.append(f"{esc(row['name'])} ({esc(row['kind'])})")
        popups.append(popup_table(str(row["name"]), rows))
    return gpd.GeoDataFrame(
        {"candidate_id": sites["candidate_id"].to_numpy(), "tip": tips, "popup": popups},
        geometry=sites.geometry.to_numpy(), crs=DISPLAY_CRS,
    )


def candidate_layer(region: Region) -> folium.GeoJson:
    """Candidate buildings as green rings, drawn before housing and surgeries so that they lie
    under them: a library beside a retirement village must not hide the village's marker.

    (Marker icons would sit in Leaflet's marker pane, above every circle, and cover them.)
    """
    points = candidate_points(region).assign(
        radius=6.0, colour="#ffffff", line=CANDIDATE_COLOUR, weight=2.5, fill_opacity=0.9)
    return point_layer(points, name="Candidate buildings (libraries and others)")


def zone_layer(region: Region, *, tolerance_m: float) -> folium.GeoJson:
    zones = display_frame(region.zones, tolerance_m=tolerance_m)
    rural = zones["ruc21"].map(RUC21_CLASS).fillna("unknown")
    older = zones[[f"pop_{b}" for b in OLDER_GROUPS["65+"]]].sum(axis=1)
    total = zones[[c for c in zones.columns if c.startswith("pop_")]].sum(axis=1)
    tips = [
        f"{esc(name)} ({esc(code)}): {esc(cls)}, {esc(format_figure(o, 'people'))} aged 65+"
        for name, code, cls, o in zip(zones.get("zone_name", zones["zone_code"]),
                                      zones["zone_code"], rural, older, strict=True)
    ]
    popups = [
        popup_table(str(name), [("Zone code", str(code)), ("Rural-urban class", f"{cls} ({ruc})"),
                                ("Residents", format_figure(t, "people")),
                                ("Aged 65+", format_figure(o, "people"))])
        for name, code, cls, ruc, t, o in zip(zones.get("zone_name", zones["zone_code"]),
                                              zones["zone_code"], rural, zones["ruc21"], total,
                                              older, strict=True)
    ]
    data = gpd.GeoDataFrame(
        {"tip": tips, "popup": popups, "colour": rural.map(RURAL_COLOURS).fillna(NO_DATA_COLOUR)},
        geometry=zones.geometry, crs=DISPLAY_CRS,
    )
    return folium.GeoJson(
        json.loads(data.to_json(drop_id=True)),
        name="Zones by rural-urban class",
        show=False,
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#777777",
                                  "weight": 0.5, "fillOpacity": 0.4},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_height=POPUP_MAX_PX),
    )


