"""Reading one layer file of a region (a CSV with coordinate columns or any vector file GDAL
reads) and checking it: columns and their types, geometry, keys, CRS, and each layer's own rules
(practices and their branches, catchments, zones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS as ProjCRS
from pyproj.exceptions import CRSError

from estates.errors import ProblemList
from estates.io.region_checks import (
    check_population,
)
from estates.model import (
    CRS,
    RUC21_CLASS,
    SITE_KINDS,
    ZONES,
    TableSpec,
)


def read_text_csv(path: Path, problems: ProblemList) -> pd.DataFrame | None:
    """A CSV with every cell as text and trimmed headers; a problem if it cannot be read."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        problems.add(f"cannot be read as CSV ({exc})", file=str(path),
                     fix="Save it as UTF-8 CSV with a header row")
        return None
    table.columns = [c.strip() for c in table.columns]
    return table


def read_point_csv(
    path: Path, entry: dict[str, Any], spec: TableSpec, problems: ProblemList
) -> gpd.GeoDataFrame | None:
    name = str(path)
    x_col, y_col = str(entry.get("x", "easting")), str(entry.get("y", "northing"))
    table = read_text_csv(path, problems)
    if table is None:
        return None
    missing = [c for c in (x_col, y_col) if c not in table.columns]
    if missing:
        problems.add(f"missing coordinate column(s) {', '.join(missing)}", file=name,
                     fix=f"Add them, or name the columns with x = and y = in [{spec.name}]")
        return None
    xs = pd.to_numeric(table[x_col], errors="coerce")
    ys = pd.to_numeric(table[y_col], errors="coerce")
    for col, values in ((x_col, xs), (y_col, ys)):
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        for i in np.flatnonzero(bad.to_numpy()):
            problems.add("coordinate is not a number", file=name, row=int(i) + 1, column=col,
                         value=table[col].iloc[i], fix="Give the coordinate in metres (BNG)")
    crs = entry.get("crs")
    if crs is None:
        problems.add(f"[{spec.name}] gives no crs for the coordinates", file=name,
                     fix='Add crs = "EPSG:27700" (or "EPSG:4326" for latitude/longitude)')
        return None
    try:
        ProjCRS.from_user_input(crs)
    except CRSError:
        problems.add(f"unknown CRS {crs!r}", file=name, fix='Use an EPSG code such as "EPSG:27700"')
        return None
    bad = xs.isna() | ys.isna()
    geometry = gpd.points_from_xy(xs.fillna(0), ys.fillna(0))
    geometry[bad.to_numpy()] = None
    frame = gpd.GeoDataFrame(table.drop(columns=[x_col, y_col]), geometry=geometry, crs=crs)
    # Rows whose coordinates were reported above are not reported again as empty geometry.
    frame.attrs["reported_rows"] = set(np.flatnonzero(bad.to_numpy()).tolist())
    return frame


def read_vector(path: Path, problems: ProblemList) -> gpd.GeoDataFrame | None:
    import pyogrio.errors

    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        problems.add(f"cannot be read as a vector file ({exc})", file=str(path),
                     fix="Save it as GeoJSON, GeoPackage or shapefile")
        return None
    return frame


def reproject(
    frame: gpd.GeoDataFrame, name: str, problems: ProblemList, warnings: list[str]
) -> gpd.GeoDataFrame | None:
    if frame.crs is None:
        problems.add("the file has no CRS", file=name,
                     fix="Save it with a CRS (EPSG:27700 preferred)")
        return None
    if ProjCRS.from_user_input(frame.crs) != ProjCRS.from_user_input(CRS):
        warnings.append(f"{Path(name).name}: reprojected from {frame.crs.to_string()} to {CRS}")
        frame = frame.to_crs(CRS)
    return frame


def coerce_columns(
    frame: gpd.GeoDataFrame, spec: TableSpec, name: str, problems: ProblemList
) -> gpd.GeoDataFrame:
    frame = frame.copy()
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        problems.add(f"missing column(s) {', '.join(missing)}", file=name,
                     fix=f"Add them; the {spec.name} table needs: {', '.join(spec.required)}")
    for col in spec.columns:
        if col.name not in frame.columns:
            if not col.required:
                frame[col.name] = np.nan if col.dtype in ("float", "int") else ""
            continue
        raw = frame[col.name]
        if col.dtype in ("float", "int"):
            text = raw.astype("string").str.strip()
            values = pd.to_numeric(text.replace("", pd.NA), errors="coerce").astype(float)
            empty = raw.isna() | (text == "")
            bad = values.isna() & ~empty
            if col.required:
                bad = bad | empty
            arr = values.to_numpy()
            bad = bad | pd.Series(np.isinf(arr), index=values.index)
            for i in np.flatnonzero(bad.to_numpy()):
                problems.add("not a number" if not empty.iloc[i] else "empty", file=name,
                             row=int(i) + 1, column=col.name, value=raw.iloc[i],
                             fix=f"Give a number in {col.unit}" if col.unit else "Give a number")
            if col.minimum is not None:
                for i in np.flatnonzero((values < col.minimum).to_numpy()):
                    problems.add(f"negative {col.unit or 'value'}" if col.minimum == 0
                                 else f"below {col.minimum}", file=name, row=int(i) + 1,
                                 column=col.name, value=raw.iloc[i],
                                 fix="Give zero or a positive number")
            if col.maximum is not None:
                for i in np.flatnonzero((values > col.maximum).to_numpy()):
                    problems.add(f"more than {col.maximum:,.0f} {col.unit or ''} is not "
                                 "plausible here", file=name, row=int(i) + 1, column=col.name,
                                 value=raw.iloc[i], fix="Check the figure (a typing error?)")
            frame[col.name] = values
        else:
            frame[col.name] = raw.astype("string").fillna("").str.strip().astype(object)
    return frame


def check_geometry(frame: gpd.GeoDataFrame, spec: TableSpec, name: str, problems: ProblemList) -> None:
    geoms = frame.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = np.where(empty, "", shapely.get_type_id(geoms).astype(str))
    reported = frame.attrs.get("reported_rows", set())
    for i in np.flatnonzero(empty):
        if i in reported:
            continue
        problems.add("empty or missing geometry", file=name, row=int(i) + 1, column="geometry",
                     fix=f"Give each {spec.name} row a {spec.geometry}")
    ok = ~empty
    invalid = ok & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        problems.add(f"invalid geometry ({shapely.is_valid_reason(geoms[i])})", file=name,
                     row=int(i) + 1, column="geometry",
                     fix="Repair it (for example with QGIS 'Fix geometries' or shapely.make_valid)")
    want = {"Point": {"0"}, "Polygon": {"3", "6"}}[spec.geometry]
    for i in np.flatnonzero(ok & ~np.isin(kinds, list(want))):
        problems.add(f"geometry is a {geoms[i].geom_type}, not a {spec.geometry}", file=name,
                     row=int(i) + 1, column="geometry",
                     fix=f"The {spec.name} layer holds {spec.geometry.lower()}s")


def check_key(frame: gpd.GeoDataFrame, spec: TableSpec, name: str, problems: ProblemList) -> None:
    if spec.key not in frame.columns:
        return
    keys = frame[spec.key]
    for i in np.flatnonzero((keys == "").to_numpy()):
        problems.add(f"empty {spec.key}", file=name, row=int(i) + 1, column=spec.key,
                     fix="Give every row an identifier")
    dup = keys.duplicated(keep="first") & (keys != "")
    first = {k: i for i, k in reversed(list(enumerate(keys)))}
    for i in np.flatnonzero(dup.to_numpy()):
        problems.add(f"duplicate {spec.key} (first seen on row {first[keys.iloc[i]] + 1})",
                     file=name, row=int(i) + 1, column=spec.key, value=keys.iloc[i],
                     fix="Give each row its own identifier")


def check_practices(frame: gpd.GeoDataFrame, problems: ProblemList, name: str) -> None:
    needed = {"site_kind", "parent_code", "practice_code"}
    if not needed <= set(frame.columns):
        return
    rows = {code: i + 1 for i, code in enumerate(frame["practice_code"])}
    mains = set(frame.loc[frame["site_kind"] == "main", "practice_code"])
    for code, kind, parent in zip(frame["practice_code"], frame["site_kind"], frame["parent_code"],
                                  strict=True):
        row = rows[code]
        if kind not in SITE_KINDS:
            problems.add("site_kind must be 'main' or 'branch'", file=name, row=row,
                         column="site_kind", value=kind, fix="Use 'main' or 'branch'")
        elif kind == "branch":
            if parent == "":
                problems.add("a branch site needs its parent practice", file=name, row=row,
                             column="parent_code", fix="Give the practice_code of the main site")
            elif parent not in mains:
                problems.add("the branch's parent practice does not exist (no main site has "
                             "this code)", file=name, row=row, column="parent_code", value=parent,
                             fix="Use the practice_code of a main site in this file")
        elif parent not in ("", code):
            problems.add("a main site cannot have a parent practice", file=name, row=row,
                         column="parent_code", value=parent,
                         fix="Leave parent_code empty, or set site_kind to 'branch'")
    if "list_size" in frame.columns:
        branch_lists = (frame["site_kind"] == "branch") & (frame["list_size"].fillna(0) > 0)
        for i in np.flatnonzero(branch_lists.to_numpy()):
            problems.add("a branch site carries a list; lists belong to the main site", file=name,
                         row=int(i) + 1, column="list_size", value=frame["list_size"].iloc[i],
                         fix="Add it to the parent's list_size and set the branch's to 0")
    bands = [c for c in frame.columns if c.startswith("list_") and c != "list_size"]
    if bands and "list_size" in frame.columns:
        band_sum = frame[bands].sum(axis=1, min_count=len(bands))
        off = band_sum.notna() & ((band_sum - frame["list_size"]).abs() > 0.5 + 1e-3 * band_sum)
        for i in np.flatnonzero(off.to_numpy()):
            problems.add(f"the age-band lists add up to {band_sum.iloc[i]:g}, not the list_size",
                         file=name, row=int(i) + 1, column="list_size",
                         value=frame["list_size"].iloc[i],
                         fix="Make the list_<band> columns add up to list_size, or leave them empty")


def check_catchments(
    frame: gpd.GeoDataFrame, practices: gpd.GeoDataFrame, problems: ProblemList, name: str
) -> None:
    if "practice_code" not in frame.columns or "site_kind" not in practices.columns:
        return
    mains = set(practices.loc[practices["site_kind"] == "main", "practice_code"])
    for i, code in enumerate(frame["practice_code"]):
        if code and code not in mains:
            problems.add("catchment for a practice that is not a main site in the practices "
                         "file", file=name, row=i + 1, column="practice_code", value=code,
                         fix="Use the practice_code of a main site")


def check_zones(frame: gpd.GeoDataFrame, problems: ProblemList, name: str) -> None:
    check_population(frame, [c.name for c in ZONES.columns if c.name.startswith("pop_")],
                     name, problems)
    if "ruc21" not in frame.columns:
        return
    for i, code in enumerate(frame["ruc21"]):
        # Empty: rurality not known (a region built without the RUC file); rural figures
        # leave the zone out rather than guess its class.
        if code and code not in RUC21_CLASS:
            problems.add("unknown Rural-Urban Classification code", file=name, row=i + 1,
                         column="ruc21", value=code,
                         fix="Use one of " + ", ".join(RUC21_CLASS) + " (ONS RUC 2021)")


def empty_layer(spec: TableSpec) -> gpd.GeoDataFrame:
    data: dict[str, pd.Series] = {}
    for c in spec.columns:
        data[c.name] = pd.Series(dtype=float if c.dtype in ("float", "int") else object)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS))
