"""Reading the inputs of a centralisation: candidate sites (CSV or vector file) and zones.

Sites are few and each matters, so any unusable row stops the read with every problem listed
(row, column, value, what to do) rather than a site quietly dropped from the choice.
"""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from estates.errors import InputError, ProblemList
from estates.model import CRS

SITE_COLUMNS: list[str] = ["name", "x", "y", "capacity", "row"]
ID_ALIASES = ("site_id", "id", "code", "site_code")
NAME_ALIASES = ("name", "site_name")
XY_ALIASES = (("easting", "northing"), ("x", "y"))
LATLON_ALIASES = (("lat", "lon"), ("latitude", "longitude"), ("lat", "long"))
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
#: England's extent in British National Grid metres, to catch swapped or degree coordinates.
BNG_EXTENT = (0.0, 0.0, 700_000.0, 1_300_000.0)


def read_sites(source: str | Path | bytes, *, name: str | None = None) -> pd.DataFrame:
    """Candidate sites as a frame indexed by site id: ``name``, ``x``, ``y`` (BNG metres),
    ``capacity`` (NaN when not given) and ``row`` (1-based data row of the input).

    ``source`` is a path (CSV, GeoJSON, GeoPackage, shapefile) or the bytes of a CSV upload
    (``name`` then labels messages). A CSV needs an id column (site_id, id or code), a name
    and either easting/northing (EPSG:27700) or lat/lon (WGS84); capacity (beds, admissions...)
    is optional.
    """
    label = name or (str(source) if not isinstance(source, bytes) else "sites.csv")
    if isinstance(source, bytes):
        table = _csv(io.BytesIO(source), label)
        return _from_table(table, label, geometry=None)
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{label}: no such file; give the CSV or vector file of candidate sites")
    if path.suffix.lower() in VECTOR_SUFFIXES:
        try:
            frame = gpd.read_file(path, engine="pyogrio")
        except Exception as exc:  # pyogrio raises several types for an unreadable file
            raise InputError(f"{label}: cannot be read as a vector file ({exc})") from exc
        if frame.crs is None:
            raise InputError(f"{label}: the file has no coordinate reference system; save it "
                             f"with one (EPSG:27700 or EPSG:4326)")
        frame = frame.to_crs(CRS)
        geometry = frame.geometry
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(str)
        table.columns = [str(c).strip() for c in table.columns]
        return _from_table(table, label, geometry=geometry)
    with path.open("rb") as fh:
        table = _csv(fh, label)
    return _from_table(table, label, geometry=None)


def _csv(handle: io.BufferedIOBase | io.BytesIO, label: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{label}: cannot be read as CSV ({exc}); save it as UTF-8 CSV with a "
                         f"header row") from exc
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _pick(columns: dict[str, str], aliases: tuple[str, ...]) -> str | None:
    return next((columns[a] for a in aliases if a in columns), None)


def _from_table(table: pd.DataFrame, label: str, *, geometry: gpd.GeoSeries | None) -> pd.DataFrame:
    problems = ProblemList(label)
    lower = {c.lower(): c for c in table.columns}
    id_col = _pick(lower, ID_ALIASES)
    if id_col is None:
        raise InputError(f"{label}: no id column; name one of {', '.join(ID_ALIASES)} (the file "
                         f"has {', '.join(table.columns) or 'no columns'})")
    if len(table) == 0:
        raise InputError(f"{label}: no sites; give one row per candidate site")
    name_col = _pick(lower, NAME_ALIASES)
    ids = table[id_col].astype(str).str.strip()
    names = table[name_col].astype(str).str.strip() if name_col else ids
    x, y = _coordinates(table, lower, label, geometry, problems)
    for i in np.flatnonzero((ids == "").to_numpy()):
        problems.add("missing site id", row=int(i) + 1, column=id_col,
                     fix="Give every site an id")
    for i in np.flatnonzero((ids.duplicated() & (ids != "")).to_numpy()):
        problems.add("site id repeats an earlier row", row=int(i) + 1, column=id_col,
                     value=ids.iloc[i], fix="Give each site its own id")
    capacity = np.full(len(table), np.nan)
    cap_col = lower.get("capacity")
    if cap_col is not None:
        raw = table[cap_col].astype(str).str.strip()
        given = (raw != "") & ~raw.str.lower().isin(["nan", "none"])
        capacity = pd.to_numeric(raw.where(given), errors="coerce").to_numpy(dtype=float)
        bad = given.to_numpy() & (~np.isfinite(capacity) | (capacity <= 0))
        for i in np.flatnonzero(bad):
            problems.add("capacity is not a number above zero", row=int(i) + 1, column=cap_col,
                         value=raw.iloc[i], fix="Give beds or admissions, or leave it blank "
                         "if unknown")
    problems.raise_if_any()
    out = pd.DataFrame({"name": names.to_numpy(), "x": x, "y": y, "capacity": capacity,
                        "row": np.arange(1, len(table) + 1)}, index=pd.Index(ids, name="site_id"))
    return out


def _coordinates(table: pd.DataFrame, lower: dict[str, str], label: str,
                 geometry: gpd.GeoSeries | None, problems: ProblemList
                 ) -> tuple[np.ndarray, np.ndarray]:
    if geometry is not None:
        bad = geometry.isna() | geometry.is_empty | (geometry.geom_type != "Point")
        for i in np.flatnonzero(bad.to_numpy()):
            problems.add("geometry is not a point", row=int(i) + 1, column="geometry",
                         fix="Give each site as a point")
        point = geometry.where(~bad)
        return (point.x.to_numpy(dtype=float, na_value=np.nan),
                point.y.to_numpy(dtype=float, na_value=np.nan))
    pair = next(((lower[a], lower[b]) for a, b in XY_ALIASES if a in lower and b in lower), None)
    latlon = next(((lower[a], lower[b]) for a, b in LATLON_ALIASES
                   if a in lower and b in lower), None)
    if pair is None and latlon is None:
        raise InputError(f"{label}: no coordinates; give easting and northing (EPSG:27700) or "
                         f"lat and lon (WGS84) columns")
    cols = pair or latlon
    assert cols is not None
    a = pd.to_numeric(table[cols[0]].str.strip(), errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(table[cols[1]].str.strip(), errors="coerce").to_numpy(dtype=float)
    for col, values in zip(cols, (a, b), strict=True):
        for i in np.flatnonzero(~np.isfinite(values)):
            problems.add("coordinate is not a number", row=int(i) + 1, column=col,
                         value=table[col].iloc[i], fix="Give the site's position")
    if pair is None:
        lat, lon = a, b
        out_of_range = np.isfinite(lat) & np.isfinite(lon) & (
            (np.abs(lat) > 90) | (np.abs(lon) > 180))
        for i in np.flatnonzero(out_of_range):
            problems.add("latitude/longitude out of range", row=int(i) + 1, column=cols[0],
                         value=f"{table[cols[0]].iloc[i]}, {table[cols[1]].iloc[i]}",
                         fix="Give WGS84 degrees, or easting/northing columns for metres")
        xs, ys = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(lon, lat)
        return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    x0, y0, x1, y1 = BNG_EXTENT
    outside = np.isfinite(a) & np.isfinite(b) & ((a < x0) | (a > x1) | (b < y0) | (b > y1))
    for i in np.flatnonzero(outside):
        problems.add("easting/northing outside Great Britain", row=int(i) + 1, column=cols[0],
                     value=f"{table[cols[0]].iloc[i]}, {table[cols[1]].iloc[i]}",
                     fix="Give British National Grid metres (or lat and lon columns)")
    return a, b


def read_zones(folder: str | Path) -> gpd.GeoDataFrame:
    """Only the zones layer of a region folder (its ``region.toml`` names the file).

    A centralisation needs residents by age and rural class, not the GP practices, so a folder
    holding just zones (``data/kent_stroke``) is enough.
    """
    from estates.io.region import read_layer

    zones = read_layer(folder, "zones")
    if len(zones) == 0:
        raise InputError(f"{folder}: the zones layer has no zones; a centralisation needs "
                         f"residents by zone")
    return zones
