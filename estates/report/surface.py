"""Rasters on the map: a travel-time (or other) surface drawn as an image overlay with its legend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from estates.errors import InputError
from estates.model import (
    CRS,
)
from estates.report.figures import format_figure
from estates.report.layers import CHANGE_COLOURS, MINUTES_COLOURS
from estates.report.templates import legend_html


@dataclass(frozen=True)
class Surface:
    """A raster to overlay, with what it measures.

    Either ``path`` names a GeoTIFF, or ``values`` holds the cells in memory on the north-up
    grid ``transform`` in ``crs`` (e.g. a travel-time surface computed by estates.access.raster).
    ``diverging`` colours the values symmetrically about zero (blue below, red above), for a
    change; otherwise light is low and dark is high.
    """

    label: str
    unit: str
    path: Path | None = None
    values: np.ndarray | None = None
    transform: Any = None
    crs: str = CRS
    diverging: bool = False

    @property
    def colours(self) -> tuple[str, ...]:
        return CHANGE_COLOURS if self.diverging else MINUTES_COLOURS


def _read_raster(surface: Surface) -> tuple[np.ndarray, Any, Any, float | None]:
    """Band 1 of the surface with its transform, CRS and nodata value (file or in memory)."""
    import rasterio

    if surface.values is not None:
        return np.asarray(surface.values, dtype="float64"), surface.transform, surface.crs, None
    try:
        with rasterio.open(surface.path) as src:
            return src.read(1), src.transform, src.crs, src.nodata
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"{surface.path}: cannot read the raster ({exc}). "
                         "Give a GeoTIFF.") from exc


def raster_overlay(
    source: Path | Surface, *, max_pixels: int = 600, colours: Sequence[str] = MINUTES_COLOURS,
    symmetric: bool = False,
) -> tuple[np.ndarray, list[list[float]], tuple[float, float]]:
    """Warp a raster to Web Mercator and colour it for a Leaflet image overlay.

    Leaflet stretches an image linearly between its corner latitudes and longitudes in Web
    Mercator, so warping to EPSG:3857 first is what makes the pixels land in the right place.
    ``symmetric`` makes the ramp span -m..m, m the largest absolute value, so that zero takes
    the middle colour.

    Returns
    -------
    tuple
        RGBA uint8 image (rows from north), bounds ``[[south, west], [north, east]]`` in
        degrees, and the (low, high) values the colour ramp spans.
    """
    from rasterio.transform import array_bounds
    from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

    surface = source if isinstance(source, Surface) else Surface("", "", path=Path(source))
    band, src_transform, src_crs, nodata = _read_raster(surface)
    if src_crs is None:
        raise InputError(f"{surface.path or surface.label}: the raster has no coordinate "
                         "reference system; save it with EPSG:27700")
    rows, cols = band.shape
    bounds0 = array_bounds(rows, cols, src_transform)  # west, south, east, north
    transform, width, height = calculate_default_transform(
        src_crs, "EPSG:3857", cols, rows, *bounds0)
    scale = max(width, height) / max_pixels
    if scale > 1:
        width, height = max(1, int(width / scale)), max(1, int(height / scale))
        transform, width, height = calculate_default_transform(
            src_crs, "EPSG:3857", cols, rows, *bounds0, dst_width=width, dst_height=height)
    values = np.full((height, width), np.nan, dtype="float64")
    reproject(
        source=band, destination=values, src_transform=src_transform, src_crs=src_crs,
        src_nodata=nodata, dst_transform=transform, dst_crs="EPSG:3857", dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    west, south, east, north = transform_bounds(
        "EPSG:3857", "EPSG:4326", transform.c, transform.f + transform.e * height,
        transform.c + transform.a * width, transform.f)
    finite = np.isfinite(values)
    low, high = (float(np.nanmin(values)), float(np.nanmax(values))) if finite.any() else (0.0, 1.0)
    if symmetric:
        top = max(abs(low), abs(high), 1e-9)
        low, high = -top, top
    span = high - low if high > low else 1.0
    ramp = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in colours], dtype=float)
    t = np.clip(np.where(finite, (values - low) / span, 0.0), 0.0, 1.0)
    stops = np.linspace(0.0, 1.0, len(ramp))
    rgba = np.zeros(values.shape + (4,), dtype=np.uint8)
    for channel in range(3):
        rgba[..., channel] = np.interp(t, stops, ramp[:, channel]).round().astype(np.uint8)
    rgba[..., 3] = np.where(finite, 170, 0)
    return rgba, [[south, west], [north, east]], (low, high)


def surface_legend(surface: Surface, low: float, high: float) -> str:
    """Legend HTML for an overlay: one swatch per colour stop, labelled with its value."""
    stops = np.linspace(low, high, len(surface.colours))
    labels = [format_figure(v, surface.unit) for v in stops]
    if surface.diverging:
        labels = [f"{v:+,.1f} {surface.unit}" if abs(v) > 1e-9 else f"no change ({surface.unit})"
                  for v in stops]
    return legend_html(surface.label, list(zip(surface.colours, labels, strict=True)))


