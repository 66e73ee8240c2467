"""Read housing sites (the project's template, brownfield land registers, trajectories).

One entry point, ``read_housing_sites``, sniffs the format from the header: the project's own
template (one column per financial year, or ``start_year`` and ``build_rate``), the Brownfield
Land Register 2017 standard and its later latitude/longitude variant, the national planning data
platform's kebab-case export, and the deviations real councils publish. Every input row is either
accepted (a point in EPSG:27700 with dwellings, a housing type and a trajectory) or rejected with a
reason; every correction becomes a warning naming the rows.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from estates.errors import InputError
from estates.io import coords, sniff
from estates.io.housing_cells import decimal_style
from estates.io.housing_rows import build_out, read_row
from estates.io.housing_terms import (
    JSON_ACCEPTED,
    SYNONYMS,
    HousingOptions,
    ReadContext,
    SiteRow,
    ref_key,
)
from estates.model import CRS, Growth

# build_out (the default phasing) and HousingOptions are part of this reader's interface.
__all__ = ["HousingImport", "HousingOptions", "build_out", "extent_of", "flag_outside",
           "read_housing_sites"]


@dataclass(frozen=True)
class HousingImport:
    """The outcome of reading one housing-site file.

    ``accepted`` is a GeoDataFrame of points in EPSG:27700 indexed by ``site_ref`` with columns
    row (1-based data row), site_ref, name, easting, northing, lat, lon, dwellings,
    housing_type, housing_type_inferred, phasing ('trajectory', 'start_year' or 'default'),
    description, dwellings_source ('column', 'description', 'estimated' from the site area, or
    'trajectory'). ``trajectory`` is indexed by site_ref with one integer column per financial
    year. ``rejected`` has columns row and reason. ``rows_read == len(accepted) +
    len(rejected)`` always.
    """

    filename: str
    rows_read: int
    accepted: gpd.GeoDataFrame
    trajectory: pd.DataFrame
    rejected: pd.DataFrame
    warnings: list[str]
    source_format: str = ""

    def to_growth(self) -> Growth:
        """The accepted sites and their trajectory as the engine's ``Growth``."""
        sites = self.accepted.copy()
        return Growth(sites, self.trajectory.reindex(index=sites.index).fillna(0.0))

    def to_json_dict(self) -> dict[str, Any]:
        """The ``sites check --json`` object of DESIGN.md (plain Python types only)."""
        accepted = [
            {k: _plain(rec[k]) for k in JSON_ACCEPTED}
            for rec in self.accepted[list(JSON_ACCEPTED)].to_dict("records")
        ]
        rejected = [{"row": int(r), "reason": str(reason)}
                    for r, reason in zip(self.rejected["row"], self.rejected["reason"],
                                         strict=True)]
        return {"rows_read": int(self.rows_read), "accepted": accepted, "rejected": rejected,
                "warnings": list(self.warnings)}


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return value



def read_housing_sites(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    base_year: int = 2026,
    options: HousingOptions | None = None,
) -> HousingImport:
    """Read a housing-site file, sniffing its format, and account for every row.

    Parameters
    ----------
    source
        A path (``str`` or ``Path``) or the file's bytes (an upload).
    filename
        Name to report the file by (defaults to the path's name, or "uploaded file").
    base_year
        First financial year of the analysis (2026 = 2026/27); register sites without a
        trajectory are phased from it.
    options
        The changeable choices (which dwellings count, default phasing).

    Returns
    -------
    The accepted sites, their trajectories, the rejected rows with reasons, and warnings.

    Raises
    ------
    InputError
        The file cannot be read at all: missing, empty, not CSV/XLSX, or without location or
        dwellings columns.
    """
    options = options or HousingOptions()
    data, name = sniff.load_source(source, filename)
    table = sniff.read_table(data, name)
    columns = sniff.match_columns(table.header, SYNONYMS)
    year_groups: dict[int, list[int]] = {}
    for i, h in enumerate(table.header):
        if (y := sniff.financial_year_column(h)) is not None:
            year_groups.setdefault(y, []).append(i)
    year_columns = {y: idx[0] for y, idx in year_groups.items()}
    _check_recognisable(table, columns, year_columns, options)
    order = _dwellings_order(columns, options)
    style = _decimal_style(table, columns, order, year_groups)
    ctx = ReadContext(
        filename=name, columns=columns, year_columns=year_columns, options=options,
        base_year=base_year, decimal_comma=table.delimiter == ";" and style != "point",
        dwellings_order=order, decimal_style=style,
        year_duplicates={y: idx for y, idx in year_groups.items() if len(idx) > 1},
        header=table.header,
        date_columns=tuple(i for i, h in enumerate(table.header)
                           if "date" in sniff.normalise_header(h)),
    )
    warnings = [f"read as {_describe_format(columns, year_columns)}"]
    warnings += [f"{n}" for n in table.notes]
    if table.delimiter == ";" and style == "point":
        warnings.append("this semicolon-separated file writes decimals with a point, so a "
                        "comma in a number is read as a thousands separator ('1,200' = 1200)")
    for year, idx in ctx.year_duplicates.items():
        warnings.append(f"columns {' and '.join(repr(table.header[i]) for i in idx)} both name "
                        f"the financial year {year}/{(year + 1) % 100:02d}: a row that fills "
                        "both with different numbers is rejected; keep one column")
    warnings += _column_notes(table.header, columns, year_groups, ctx.dwellings_order)

    rows, trailing = _drop_trailing_blank(table.rows)
    if trailing:
        warnings.append(f"{trailing} blank line(s) at the end of the file ignored")
    sites: list[SiteRow] = []
    rejected: list[tuple[int, str]] = []
    for number, cells in enumerate(rows, start=1):
        outcome = read_row(number, cells, table.header, ctx)
        if isinstance(outcome, str):
            rejected.append((number, outcome))
        else:
            sites.append(outcome)

    far, swaps = _far_from_the_rest(sites, options.outlier_distance_km, options.region_extent)
    for site in sites:
        if site.row in far:
            rejected.append((site.row, far[site.row]))
        if site.row in swaps:
            site.located = swaps[site.row]
            ctx.fixes[swaps[site.row].fix + " (fixed)"].append(site.row)
    sites = [s for s in sites if s.row not in far]

    first: dict[str, SiteRow] = {}
    unique: list[SiteRow] = []
    for site in sites:
        key = ref_key(site.site_ref)
        if key in first:
            earlier = first[key]
            same = ("" if earlier.site_ref == site.site_ref else
                    f" (the same as {earlier.site_ref!r} once case, spaces, invisible and "
                    "full-width characters are set aside)")
            rejected.append((site.row, f"duplicate site_ref {site.site_ref!r}{same}: first "
                                       f"given on row {earlier.row}; give each site its own "
                                       "reference or remove the repeat"))
            continue
        first[key] = site
        unique.append(site)

    warnings += _fix_warnings(ctx)
    warnings += ctx.row_warnings
    accepted, trajectory = _frames(unique)
    early = [s.row for s in unique if s.trajectory and min(s.trajectory) < base_year]
    if early:
        warnings.append(f"completions before the base year {base_year}/"
                        f"{(base_year + 1) % 100:02d} kept in the trajectory: "
                        f"{sniff.rows_text(early)}")
    rejected_frame = pd.DataFrame(sorted(rejected), columns=["row", "reason"])
    rejected_frame["row"] = rejected_frame["row"].astype(int)
    return HousingImport(
        filename=name, rows_read=len(rows), accepted=accepted, trajectory=trajectory,
        rejected=rejected_frame, warnings=warnings,
        source_format=_describe_format(columns, year_columns),
    )


def flag_outside(imp: HousingImport, boundary: BaseGeometry) -> HousingImport:
    """Add a boolean column ``in_region``; sites outside ``boundary`` are kept and warned about.

    ``boundary`` is a shapely geometry in EPSG:27700; a site on the boundary counts as inside.
    """
    accepted = imp.accepted.copy()
    inside = accepted.geometry.covered_by(boundary) if len(accepted) else pd.Series(
        dtype=bool, index=accepted.index)
    accepted["in_region"] = inside.astype(bool)
    warnings = list(imp.warnings)
    outside = accepted.loc[~accepted["in_region"], "row"].astype(int).tolist()
    if outside:
        warnings.append(f"{len(outside)} site(s) lie outside the region boundary (kept, flagged "
                        f"in_region=False): {sniff.rows_text(outside)}")
    return dataclasses.replace(imp, accepted=accepted, warnings=warnings)


def extent_of(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """A layer's bounds in EPSG:27700 as ``HousingOptions.region_extent`` takes them (None when
    it has no geometry)."""
    if not len(frame) or frame.geometry.is_empty.all():
        return None
    x0, y0, x1, y1 = (float(v) for v in frame.total_bounds)
    return (x0, y0, x1, y1) if all(math.isfinite(v) for v in (x0, y0, x1, y1)) else None


# --------------------------------------------------------------------------------------------
# file-level decisions


def _check_recognisable(table: sniff.Table, columns: dict[str, sniff.ColumnMatch],
                        year_columns: dict[int, int], options: HousingOptions) -> None:
    has_location = ({"easting", "northing"} <= columns.keys()
                    or {"latitude", "longitude"} <= columns.keys() or "point" in columns)
    count_fields = {"dwellings", "min_dwellings", "max_dwellings", "range_from", "range_to",
                    "hectares"}
    has_count = bool(count_fields & columns.keys()) or bool(year_columns)
    missing = []
    if not has_location:
        missing.append("a location (easting and northing, latitude and longitude, or a WKT "
                       "point column)")
    if not has_count:
        missing.append("a number of dwellings (dwellings, MinNetDwellings, "
                       "NetDwellingsRangeFrom/To, or financial-year columns like 2026/27)")
    if missing:
        shown = ", ".join(repr(h) for h in table.header[:30])
        raise InputError(
            f"{table.filename}: not a recognisable housing-site file: no column for "
            + " and no column for ".join(missing)
            + f". Columns found: {shown}. Use the project's template (site_ref, name, easting, "
            "northing, dwellings, housing_type, then 2026/27 ... or start_year and build_rate) "
            "or a brownfield land register."
        )
    if options.dwellings_field == "template" and "dwellings" not in columns and not year_columns:
        raise InputError(f"{table.filename}: dwellings_field='template' but the file has no "
                         "'dwellings' column. Choose dwellings_field 'auto', 'minimum' or "
                         "'maximum' for a register.")


def _dwellings_order(columns: dict[str, sniff.ColumnMatch], options: HousingOptions
                     ) -> tuple[str, ...]:
    order = {
        "auto": ("dwellings", "min_dwellings", "range_from", "max_dwellings", "range_to"),
        "minimum": ("min_dwellings", "range_from", "dwellings", "max_dwellings", "range_to"),
        "maximum": ("max_dwellings", "range_to", "dwellings", "min_dwellings", "range_from"),
        "template": ("dwellings",),
    }[options.dwellings_field]
    return tuple(f for f in order if f in columns)


def _describe_format(columns: dict[str, sniff.ColumnMatch], year_columns: dict[int, int]) -> str:
    if year_columns or "start_year" in columns or "build_rate" in columns or (
            "dwellings" in columns and "housing_type" in columns):
        return "the estates housing-site template"
    if "point" in columns:
        return "the planning data platform brownfield-land format"
    if "latitude" in columns:
        return "a brownfield land register (latitude/longitude guidance)"
    if columns.keys() & {"min_dwellings", "range_from", "max_dwellings", "range_to"}:
        return "a brownfield land register (2017 standard layout)"
    return "a housing-site list"


def _decimal_style(table: sniff.Table, columns: dict[str, sniff.ColumnMatch],
                   order: tuple[str, ...], year_groups: dict[int, list[int]]) -> str:
    """How the file's own numbers write decimals ('comma', 'point' or '' when they do not
    say), from its coordinate, dwellings, area, build-rate and year columns."""
    fields = ("easting", "northing", "latitude", "longitude", "hectares", "build_rate", *order)
    idx = [columns[f].index for f in fields if f in columns]
    idx += [i for group in year_groups.values() for i in group]
    return decimal_style(r[i] for r in table.rows for i in idx if i < len(r))


def _column_notes(header: list[str], columns: dict[str, sniff.ColumnMatch],
                  year_columns: dict[int, list[int]], order: tuple[str, ...]) -> list[str]:
    notes = [f"header {m.header!r} read as {fld} (closest spelling)"
             for fld, m in columns.items() if m.fuzzy]
    if order:
        used = columns[order[0]].header
        others = [columns[f].header for f in order[1:]]
        text = f"dwellings taken from column {used!r}"
        if others:
            text += f" (also present, used only where it is empty: {', '.join(map(repr, others))})"
        notes.append(text)
    known = {m.index for m in columns.values()} | {
        i for group in year_columns.values() for i in group}
    unused = [h for i, h in enumerate(header) if i not in known and h]
    if unused:
        notes.append("columns not used: " + ", ".join(repr(h) for h in unused))
    return notes


def _drop_trailing_blank(rows: list[list[str]]) -> tuple[list[list[str]], int]:
    end = len(rows)
    while end and not any(c for c in rows[end - 1]):
        end -= 1
    return rows[:end], len(rows) - end


def _fix_warnings(ctx: ReadContext) -> list[str]:
    return [f"{what}: {sniff.rows_text(rows)}" for what, rows in ctx.fixes.items() if rows]



# --------------------------------------------------------------------------------------------
# frames


def _bng_points(sites: list[SiteRow]) -> tuple[np.ndarray, np.ndarray]:
    xs = np.array([s.located.x for s in sites], dtype=float)
    ys = np.array([s.located.y for s in sites], dtype=float)
    wgs = np.array([s.located.kind == "wgs84" for s in sites], dtype=bool)
    if wgs.any():
        xs[wgs], ys[wgs] = coords.wgs84_to_bng(xs[wgs], ys[wgs])
    return xs, ys


def _far_from_the_rest(sites: list[SiteRow], limit_km: float | None,
                       extent: tuple[float, float, float, float] | None = None
                       ) -> tuple[dict[int, str], dict[int, coords.Located]]:
    """Rows whose point is implausibly far from the file's other sites.

    A council's sites lie within its area; a point hundreds of km away is almost always a
    typing error that still falls somewhere in England (a northing missing a digit), or an
    easting and northing swapped (both numbers can be valid BNG, so ranges alone cannot tell).
    A site is far when it lies beyond ``limit_km`` (and six times the sites' median distance)
    from their median point, *and* no other site of the file lies within ``limit_km`` of it,
    *and* it is outside the region's ``extent`` when one is given: a county-wide register
    has towns 60 km apart, each with its own sites, and none of them is a typing error.
    Returns the rows to reject with their reasons, and the rows whose swapped point lies among
    the others (fixed). The median is robust to the outliers themselves.
    """
    if limit_km is None or len(sites) < 5:
        return {}, {}
    from scipy.spatial import cKDTree

    xs, ys = _bng_points(sites)
    cx, cy = float(np.median(xs)), float(np.median(ys))
    dist_km = np.hypot(xs - cx, ys - cy) / 1000.0
    threshold = max(limit_km, 6.0 * float(np.median(dist_km)))
    points = np.column_stack([xs, ys])
    nearest_km = cKDTree(points).query(points, k=2)[0][:, 1] / 1000.0
    rejects: dict[int, str] = {}
    swaps: dict[int, coords.Located] = {}
    for i, s in enumerate(sites):
        if dist_km[i] <= threshold or nearest_km[i] <= limit_km:
            continue
        if extent is not None and (extent[0] <= xs[i] <= extent[2]
                                   and extent[1] <= ys[i] <= extent[3]):
            continue
        if (s.located.kind == "bng" and coords.in_bng_england(ys[i], xs[i])
                and math.hypot(ys[i] - cx, xs[i] - cy) / 1000.0 <= threshold):
            swaps[s.row] = coords.Located("bng", ys[i], xs[i], "easting and northing swapped "
                                         "(the swapped point lies among the other sites)")
            continue
        rejects[s.row] = (
            f"coordinates E {xs[i]:.0f}, N {ys[i]:.0f} lie {dist_km[i]:.0f} km from the median "
            f"point of the file's sites (E {cx:.0f}, N {cy:.0f}) and {nearest_km[i]:.0f} km "
            f"from the nearest other site, beyond {threshold:.0f} km"
            + (" and outside the region" if extent is not None else "")
            + ": check for a missing or extra digit (sites check --outlier-km, "
            "HousingOptions.outlier_distance_km)")
    return rejects, swaps


def _frames(sites: list[SiteRow]) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    east = np.full(len(sites), np.nan)
    north = np.full(len(sites), np.nan)
    lon = np.full(len(sites), np.nan)
    lat = np.full(len(sites), np.nan)
    bng = np.array([s.located.kind == "bng" for s in sites], dtype=bool)
    xs = np.array([s.located.x for s in sites], dtype=float)
    ys = np.array([s.located.y for s in sites], dtype=float)
    if bng.any():
        east[bng], north[bng] = xs[bng], ys[bng]
        lon[bng], lat[bng] = coords.bng_to_wgs84(xs[bng], ys[bng])
    if (~bng).any():
        lon[~bng], lat[~bng] = xs[~bng], ys[~bng]
        east[~bng], north[~bng] = coords.wgs84_to_bng(xs[~bng], ys[~bng])
    refs = [s.site_ref for s in sites]
    frame = pd.DataFrame({
        "row": pd.Series([s.row for s in sites], dtype="int64"),
        "site_ref": pd.Series(refs, dtype="object"),
        "name": pd.Series([s.name for s in sites], dtype="object"),
        "easting": east.round(2), "northing": north.round(2),
        "lat": lat.round(7), "lon": lon.round(7),
        "dwellings": pd.Series([float(s.dwellings) for s in sites], dtype="float64"),
        "housing_type": pd.Series([s.housing_type for s in sites], dtype="object"),
        "housing_type_inferred": pd.Series([s.housing_type_inferred for s in sites],
                                           dtype="bool"),
        "phasing": pd.Series([s.phasing for s in sites], dtype="object"),
        "dwellings_source": pd.Series([s.dwellings_source for s in sites], dtype="object"),
        "description": pd.Series([s.description for s in sites], dtype="object"),
    })
    accepted = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["easting"], frame["northing"]), crs=CRS)
    accepted.index = pd.Index(refs, dtype="object")
    years = sorted({y for s in sites for y in s.trajectory})
    trajectory = pd.DataFrame(
        [[s.trajectory.get(y, 0.0) for y in years] for s in sites],
        index=pd.Index(refs, dtype="object"), columns=pd.Index(years, dtype="int64"),
        dtype="float64")
    return accepted, trajectory
