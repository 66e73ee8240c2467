"""Zones shaded by the accessibility index (E2SFCA): GP floor space or GPs within reach per
1,000 residents, with the class break at the planning standard so the map shows where people
can reach less than the standard provides."""

from __future__ import annotations

import json
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from estates.assumptions import Assumptions
from estates.model import DISPLAY_CRS, Region
from estates.report.figures import esc
from estates.report.layers import NO_DATA_COLOUR, Shading, display_frame, popup_table

# ColorBrewer RdYlBu (colour-blind safe): red = little within reach, blue = plenty.
_COLOURS = ("#d73027", "#fc8d59", "#91bfdb", "#4575b4")


def zone_shadings(a: Assumptions) -> dict[str, Shading]:
    """The index shadings, broken at the standards: floor space per patient (m2 per 1,000 =
    ``gross_m2_per_patient`` x 1,000, gross like the floor areas it is compared with) and
    patients per GP (FTE per 1,000 = 1,000 / ``people_per_gp_fte``)."""
    m2 = a.gross_m2_per_patient * 1000.0
    fte = 1000.0 / a.people_per_gp_fte
    return {
        "e2sfca_m2_per_1000": Shading(
            "e2sfca_m2_per_1000", "GP floor space within reach (E2SFCA)", "m2 per 1,000 residents",
            breaks=(0.75 * m2, m2, 1.25 * m2), colours=_COLOURS,
            class_labels=(f"under {0.75 * m2:.0f} (well below the standard)",
                          f"{0.75 * m2:.0f}-{m2:.1f} (below the {m2:.1f} standard)",
                          f"{m2:.1f}-{1.25 * m2:.0f}", f"{1.25 * m2:.0f} and over")),
        "e2sfca_gp_fte_per_1000": Shading(
            "e2sfca_gp_fte_per_1000", "GPs within reach (E2SFCA)", "FTE per 1,000 residents",
            breaks=(0.75 * fte, fte, 1.25 * fte), colours=_COLOURS,
            class_labels=(f"under {0.75 * fte:.2f} (well below the standard)",
                          f"{0.75 * fte:.2f}-{fte:.3f} (below 1 GP per "
                          f"{a.people_per_gp_fte:,.0f})",
                          f"{fte:.3f}-{1.25 * fte:.2f}", f"{1.25 * fte:.2f} and over")),
    }


def zone_index_layer(region: Region, zones: pd.DataFrame, a: Assumptions, *,
                     column: str = "e2sfca_m2_per_1000", tolerance_m: float = 25.0,
                     show: bool = False) -> folium.GeoJson:
    """Zones coloured by one index column of the zone table (hidden until switched on)."""
    shading = zone_shadings(a)[column]
    frame = display_frame(region.zones, tolerance_m=tolerance_m)
    values = zones[column].reindex(frame.index)
    names = frame.get("zone_name", frame["zone_code"])
    tips, popups = [], []
    for name, code, value in zip(names, frame["zone_code"], values, strict=True):
        shown = "no surgery in reach or unknown" if pd.isna(value) else f"{value:,.2f}"
        tips.append(f"{esc(name)} ({esc(code)}): {esc(shown)} {esc(shading.unit)}")
        popups.append(popup_table(str(name), [("Zone code", str(code)),
                                              (f"{shading.label} ({shading.unit})", shown)]))
    data = gpd.GeoDataFrame(
        {"tip": tips, "popup": popups, "colour": [shading.colour(v) for v in values]},
        geometry=frame.geometry, crs=DISPLAY_CRS)
    return folium.GeoJson(
        json.loads(data.to_json(drop_id=True)),
        name=f"Zones: {shading.label}",
        show=show,
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#777777",
                                  "weight": 0.5, "fillOpacity": 0.55},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False),
    )


def zone_legend_items(a: Assumptions, column: str) -> list[tuple[str, str]]:
    shading = zone_shadings(a)[column]
    return [*zip(shading.colours, shading.class_labels, strict=True),
            (NO_DATA_COLOUR, "no surgery in reach, or unknown")]


def add_index_layers(m: Any, region: Region, zones: pd.DataFrame | None, a: Assumptions, *,
                     tolerance_m: float = 25.0) -> None:
    """Both index layers, when the zone table has them (off until switched on)."""
    if zones is None:
        return
    for column in zone_shadings(a):
        if column in zones.columns and len(region.zones):
            zone_index_layer(region, zones, a, column=column,
                             tolerance_m=tolerance_m).add_to(m)
