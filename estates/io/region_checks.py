"""Plausibility checks on a region's layers and rasters that a file can pass while still giving a
confident wrong headline: a layer with no features, latitude and longitude swapped, a layer
outside England, every zone's population zero, a raster too large to hold or all nodata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS as ProjCRS

from estates.errors import ProblemList
from estates.io.coords import BNG_EASTING, BNG_NORTHING, WGS84_LAT, WGS84_LON

#: The most cells a region's raster may declare (README, "Limits"): 100 million is a 100 km
#: square at 10 m, about 400 MB as float32. A 1.8 MB file declaring 200,000 x 200,000 cells
#: (40 billion) would otherwise fail only after the other outputs are written.
MAX_RASTER_CELLS = 100_000_000


def check_source_coordinates(frame: gpd.GeoDataFrame, name: str, problems: ProblemList) -> bool:
    """Before reprojection: a layer in degrees whose x values are latitudes and y values
    longitudes (the axes swapped) is named, not reprojected into the sea. True when fine."""
    if frame.crs is None or not len(frame):
        return True
    if not ProjCRS.from_user_input(frame.crs).is_geographic:
        return True
    x0, y0, x1, y1 = frame.total_bounds
    if not np.all(np.isfinite([x0, y0, x1, y1])):
        return True
    in_lat = WGS84_LAT[0] <= x0 and x1 <= WGS84_LAT[1]
    in_lon = WGS84_LON[0] <= y0 and y1 <= WGS84_LON[1]
    if in_lat and in_lon:
        problems.add(f"latitude and longitude are swapped: x runs from {x0:.3f} to {x1:.3f} "
                     f"(latitudes) and y from {y0:.3f} to {y1:.3f} (longitudes)", file=name,
                     fix="Write longitude first (x) and latitude second (y), as GeoJSON requires")
        return False
    return True


def check_in_england(frame: gpd.GeoDataFrame, name: str, problems: ProblemList) -> None:
    """After reprojection to British National Grid: a layer whose extent lies outside England
    (a wrong CRS label) is named."""
    if not len(frame):
        return
    x0, y0, x1, y1 = frame.total_bounds
    if not np.all(np.isfinite([x0, y0, x1, y1])):
        return
    if x1 < BNG_EASTING[0] or x0 > BNG_EASTING[1] or y1 < BNG_NORTHING[0] or y0 > BNG_NORTHING[1]:
        problems.add(f"the layer lies outside England (E {x0:,.0f} to {x1:,.0f}, N {y0:,.0f} to "
                     f"{y1:,.0f} in British National Grid)", file=name,
                     fix="Check the file's CRS: it is probably labelled with the wrong one")


def check_not_empty(frame: gpd.GeoDataFrame, layer: str, name: str,
                    problems: ProblemList) -> bool:
    if len(frame):
        return True
    problems.add(f"the {layer} layer has no features", file=name,
                 fix=f"Give at least one {layer[:-1] if layer.endswith('s') else layer} "
                     "(the file holds none)")
    return False


def check_population(frame: gpd.GeoDataFrame, columns: list[str], name: str,
                     problems: ProblemList) -> None:
    """Every zone with a population of zero leaves no demand to place: refused."""
    present = [c for c in columns if c in frame.columns]
    if not len(frame) or not present:
        return
    total = frame[present].to_numpy(dtype=float)
    if np.nansum(total) <= 0:
        problems.add(f"every zone's population is 0 ({len(frame)} zones, columns "
                     f"{present[0]} ... {present[-1]})", file=name,
                     fix="Give the residents of each zone by age band (Census 2021)")


def check_raster(path: Path, key: str, problems: ProblemList) -> None:
    """A raster's size (from its header, before any cell is read) and, for a friction raster,
    that some cell holds a value."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(path) as src:
        cells = int(src.width) * int(src.height)
        if cells > MAX_RASTER_CELLS:
            problems.add(f"the raster declares {src.width:,} x {src.height:,} cells "
                         f"({cells:,}), more than the {MAX_RASTER_CELLS:,} accepted",
                         file=str(path),
                         fix="Resample it to coarser cells (gdalwarp -tr 50 50) or clip it to "
                             "the region")
            return
        if not _any_value(src, Window):
            what = "friction" if key == "friction_raster" else "population"
            problems.add(f"every cell of the {what} raster is nodata", file=str(path),
                         fix="Give the raster values (minutes per metre for friction), or "
                             "remove the section from region.toml")


def _any_value(src: Any, window_cls: Any) -> bool:
    """Whether any cell of band 1 holds data (finite and not the nodata value), read a block
    of rows at a time so that memory stays bounded."""
    rows = max(1, 4_000_000 // max(int(src.width), 1))
    nodata = src.nodata
    for top in range(0, int(src.height), rows):
        window = window_cls(0, top, src.width, min(rows, src.height - top))
        block = src.read(1, window=window, masked=True)
        data = np.ma.filled(block.astype(float), np.nan)
        valid = np.isfinite(data)
        if nodata is not None and np.isfinite(nodata):
            valid &= data != nodata
        if valid.any():
            return True
    return False
