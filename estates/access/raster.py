"""Rasters: people per cell summed over zones and catchments, and travel-time surfaces.

A population GeoTIFF gives zone and catchment populations (with the share of the raster's people
that no polygon holds, as a check); a travel-time surface gives minutes to the nearest GP site for
every cell, and its change when a scenario adds or removes sites.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from rasterio.features import geometry_mask, rasterize
from rasterio.transform import Affine
from scipy.spatial import cKDTree
from skimage.graph import MCP_Geometric

from estates.access.travel import FrictionGrid, minutes_per_metre, point_coords
from estates.assumptions import Assumptions
from estates.errors import InputError
from estates.model import CRS


@dataclass(frozen=True)
class Grid:
    """A north-up grid: its affine transform, shape (rows, cols) and CRS."""

    transform: Affine
    shape: tuple[int, int]
    crs: str | None = CRS

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x and y of every cell centre, each of shape ``self.shape``."""
        t = self.transform
        cols = np.arange(self.shape[1]) + 0.5
        rows = np.arange(self.shape[0]) + 0.5
        # Written out rather than ``t * (col, row)``: affine 3 deprecates that operator.
        x = t.c + t.a * cols[None, :] + t.b * rows[:, None]
        y = t.f + t.d * cols[None, :] + t.e * rows[:, None]
        return np.broadcast_to(x, self.shape), np.broadcast_to(y, self.shape)

    def window_transform(self, row_off: int, col_off: int) -> Affine:
        t = self.transform
        return Affine(
            t.a,
            t.b,
            t.c + col_off * t.a + row_off * t.b,
            t.d,
            t.e,
            t.f + col_off * t.d + row_off * t.e,
        )


@dataclass(frozen=True)
class Population:
    """People per cell (nodata and negative cells hold 0) on a grid."""

    people: np.ndarray
    grid: Grid
    source: str = "population raster"
    nodata_cells: int = 0


def read_population(path: str | Path) -> Population:
    """Read band 1 of a population GeoTIFF (people per cell, EPSG:27700) with rasterio."""
    path = Path(path)
    try:
        with rasterio.open(path) as src:
            values = src.read(1).astype(float)
            nodata, transform = src.nodata, src.transform
            crs = src.crs.to_string() if src.crs else None
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"{path.name}: cannot read the population raster ({exc})") from exc
    if crs is not None and crs != CRS:
        raise InputError(
            f"{path.name}: the population raster is in {crs}; warp it to {CRS} "
            f"first (e.g. gdalwarp -t_srs EPSG:27700 -r sum)"
        )
    return population_grid(values, transform, nodata=nodata, crs=crs, source=path.name)


def population_grid(
    values: np.ndarray,
    transform: Affine,
    *,
    nodata: float | None = None,
    crs: str | None = CRS,
    source: str = "population raster",
) -> Population:
    """Wrap an array of people per cell; nodata, NaN and negative cells count as nobody."""
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        raise InputError(f"{source}: the raster must be north-up; warp it to EPSG:27700 first")
    people = np.array(values, dtype=float)
    if people.ndim != 2:
        raise InputError(f"{source}: expected one band of 2-D values, not shape {people.shape}")
    empty = ~np.isfinite(people) | (people < 0)
    if nodata is not None:
        empty |= people == nodata
    people[empty] = 0.0
    return Population(people, Grid(transform, people.shape, crs), source, int(empty.sum()))


@dataclass(frozen=True)
class ZonalPopulation:
    """Population summed per polygon, with the raster's total and the people no polygon holds."""

    sums: pd.Series
    raster_total: float
    outside: float
    warnings: list[str] = field(default_factory=list)

    @property
    def outside_share(self) -> float:
        """Share of the raster's people in cells whose centre lies in no polygon."""
        return self.outside / self.raster_total if self.raster_total > 0 else 0.0


def _polygons(
    polygons: gpd.GeoDataFrame | gpd.GeoSeries, grid: Grid
) -> tuple[gpd.GeoSeries, list[str]]:
    geoms = polygons.geometry if isinstance(polygons, gpd.GeoDataFrame) else polygons
    warnings: list[str] = []
    if geoms.crs is not None and grid.crs is not None and geoms.crs != grid.crs:
        warnings.append(f"polygons reprojected from {geoms.crs.to_string()} to {grid.crs}")
        geoms = geoms.to_crs(grid.crs)
    bad = geoms.isna() | geoms.is_empty
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} polygon(s) have no geometry, e.g. "
            f"{geoms.index[bad.to_numpy()][:5].tolist()}; give every zone a shape"
        )
    return geoms, warnings


def zonal_population(
    population: Population,
    polygons: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    overlapping: bool = False,
) -> ZonalPopulation:
    """People per polygon: each cell counts for every polygon holding its centre.

    Parameters
    ----------
    population
        People per cell (``read_population``).
    polygons
        Zones or catchments, on the index the result takes.
    overlapping
        False for zones that tile without overlap: one rasterisation and a bincount (a cell in two
        polygons would count for only one). True for catchments, which overlap: each polygon is
        masked on its own window, so a cell counts for every catchment holding it.
    """
    geoms, warnings = _polygons(polygons, population.grid)
    grid, people = population.grid, population.people
    total = float(people.sum())
    if len(geoms) == 0:
        return ZonalPopulation(
            pd.Series([], index=geoms.index, dtype=float, name="population"), total, total, warnings
        )
    if not overlapping:
        labels = rasterize(
            zip(geoms.to_numpy(), range(1, len(geoms) + 1), strict=True),
            out_shape=grid.shape,
            transform=grid.transform,
            fill=0,
            dtype="int32",
        )
        sums = np.bincount(labels.ravel(), weights=people.ravel(), minlength=len(geoms) + 1)
        return ZonalPopulation(
            pd.Series(sums[1:], index=geoms.index, name="population"),
            total,
            float(sums[0]),
            warnings,
        )
    values = np.array([_window_sum(people, grid, g) for g in geoms.to_numpy()])
    covered = rasterize(
        ((g, 1) for g in geoms.to_numpy()),
        out_shape=grid.shape,
        transform=grid.transform,
        fill=0,
        dtype="uint8",
    )
    outside = float(people[covered == 0].sum())
    return ZonalPopulation(
        pd.Series(values, index=geoms.index, name="population"), total, outside, warnings
    )


def _window_sum(people: np.ndarray, grid: Grid, geom: object) -> float:
    t = grid.transform
    minx, miny, maxx, maxy = geom.bounds  # type: ignore[attr-defined]
    c0 = max(int(math.floor((minx - t.c) / t.a)), 0)
    c1 = min(int(math.ceil((maxx - t.c) / t.a)), grid.shape[1])
    r0 = max(int(math.floor((maxy - t.f) / t.e)), 0)
    r1 = min(int(math.ceil((miny - t.f) / t.e)), grid.shape[0])
    if c1 <= c0 or r1 <= r0:
        return 0.0
    inside = geometry_mask(
        [geom], out_shape=(r1 - r0, c1 - c0), transform=grid.window_transform(r0, c0), invert=True
    )
    return float(people[r0:r1, c0:c1][inside].sum())


# --- travel-time surfaces -------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    """Minutes to the nearest site for every cell of ``grid``; NaN where no site is in reach."""

    minutes: np.ndarray
    grid: Grid


def travel_time_surface(
    sites: pd.DataFrame | np.ndarray,
    *,
    grid: Grid | None = None,
    friction: FrictionGrid | None = None,
    mode: str = "car",
    assumptions: Assumptions | None = None,
) -> Surface:
    """Minutes from every cell to its nearest site.

    With ``friction``, one least-cost search from all sites at once over the friction grid (the
    surface is on that grid). Without it, straight line x circuity / speed from each cell centre
    to the nearest site (a KD-tree query) on ``grid``; the older walker's cells beyond
    ``max_older_walk_km`` walked are NaN.
    """
    xy, ids = point_coords(sites)
    if friction is not None:
        fgrid = Grid(friction.transform, friction.shape, friction.crs or CRS)
        if grid is not None and (
            grid.shape != fgrid.shape or tuple(grid.transform) != tuple(fgrid.transform)
        ):
            raise InputError(
                "the friction raster and the surface grid differ; warp them to one grid first"
            )
        minutes = np.full(fgrid.shape, np.nan)
        if len(xy):
            rows, cols = friction.cells(xy, ids, "sites")
            mcp = MCP_Geometric(friction.minutes_per_metre * friction.cell_size)
            cumulative, _ = mcp.find_costs(list(zip(rows.tolist(), cols.tolist(), strict=True)))
            minutes = np.where(np.isfinite(cumulative), cumulative, np.nan)
        return Surface(minutes, fgrid)
    if grid is None:
        raise InputError(
            "a travel-time surface needs a grid (e.g. the population raster's) or a friction raster"
        )
    a = assumptions or Assumptions()
    per_m = minutes_per_metre(mode, a)
    if len(xy) == 0:
        return Surface(np.full(grid.shape, np.nan), grid)
    x, y = grid.cell_centres()
    dist, _ = cKDTree(xy).query(np.column_stack([x.ravel(), y.ravel()]), k=1)
    minutes = (dist * per_m).reshape(grid.shape)
    if mode == "older_walk":
        minutes[dist.reshape(grid.shape) > a.max_older_walk_km * 1000.0 / a.circuity] = np.nan
    return Surface(minutes, grid)


def write_surface(surface: Surface, path: str | Path) -> Path:
    """Write a surface as a float32 GeoTIFF on its grid (NaN as nodata)."""
    path = Path(path)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=surface.grid.shape[0],
        width=surface.grid.shape[1],
        count=1,
        dtype="float32",
        crs=surface.grid.crs,
        transform=surface.grid.transform,
        nodata=float("nan"),
        compress="deflate",
    ) as dst:
        dst.write(surface.minutes.astype("float32"), 1)
    return path


@dataclass(frozen=True)
class SurfaceChange:
    """Baseline and scenario surfaces and their difference (scenario - baseline, minutes).

    ``difference`` is NaN where either surface is; ``newly_reached`` marks cells with no site in
    reach before and one after, ``lost`` the reverse.
    """

    baseline: Surface
    scenario: Surface
    difference: np.ndarray
    newly_reached: np.ndarray
    lost: np.ndarray


def scenario_sites(
    sites: pd.DataFrame,
    *,
    added: pd.DataFrame | None = None,
    removed: Sequence[object] = (),
) -> pd.DataFrame:
    """The sites after a scenario: ``removed`` codes dropped, ``added`` points appended."""
    unknown = [r for r in removed if r not in sites.index]
    if unknown:
        raise InputError(
            f"cannot remove unknown site(s) {unknown[:5]}; use codes of existing sites"
        )
    kept = sites.drop(index=list(removed))
    if added is None or len(added) == 0:
        return kept
    clash = added.index.intersection(kept.index)
    if len(clash):
        raise InputError(
            f"added site code(s) {clash[:5].tolist()} already exist; give new sites new codes"
        )
    return pd.concat([kept, added])


def surface_change(
    sites: pd.DataFrame,
    *,
    added: pd.DataFrame | None = None,
    removed: Sequence[object] = (),
    grid: Grid | None = None,
    friction: FrictionGrid | None = None,
    mode: str = "car",
    assumptions: Assumptions | None = None,
) -> SurfaceChange:
    """Travel-time surfaces before and after adding and removing sites, and the difference."""
    after = scenario_sites(sites, added=added, removed=removed)
    kw = {"grid": grid, "friction": friction, "mode": mode, "assumptions": assumptions}
    base = travel_time_surface(sites, **kw)  # type: ignore[arg-type]
    scen = travel_time_surface(after, **kw)  # type: ignore[arg-type]
    b, s = np.isnan(base.minutes), np.isnan(scen.minutes)
    return SurfaceChange(base, scen, scen.minutes - base.minutes, b & ~s, ~b & s)


def population_weighted_minutes(
    surface: Surface, population: Population, zones: gpd.GeoDataFrame | gpd.GeoSeries
) -> pd.Series:
    """Each zone's population-weighted mean of its cells' minutes to the nearest site.

    NaN where some of the zone's people live in cells with no site in reach (their time is
    unknown, only "beyond the cut-off"), or where the zone holds no people on the raster.
    """
    if surface.grid.shape != population.grid.shape or tuple(surface.grid.transform) != tuple(
        population.grid.transform
    ):
        raise InputError("the travel-time surface and the population raster must share one grid")
    geoms, _ = _polygons(zones, population.grid)
    labels = rasterize(
        zip(geoms.to_numpy(), range(1, len(geoms) + 1), strict=True),
        out_shape=population.grid.shape,
        transform=population.grid.transform,
        fill=0,
        dtype="int32",
    ).ravel()
    people = population.people.ravel()
    minutes = surface.minutes.ravel()
    n = len(geoms) + 1
    unknown = np.bincount(labels, weights=people * np.isnan(minutes), minlength=n)
    total = np.bincount(labels, weights=people, minlength=n)
    weighted = np.bincount(labels, weights=people * np.nan_to_num(minutes), minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where((unknown > 0) | (total <= 0), np.nan, weighted / total)
    return pd.Series(mean[1:], index=geoms.index, name="pw_minutes")
