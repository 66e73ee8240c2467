"""ONS geography: LSOA boundaries, population by single year of age, the Rural-Urban
Classification, and practice catchment polygons."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from estates.errors import InputError
from estates.io import sniff
from estates.io.national.common import (
    NationalImport,
    dedupe,
    norm_code,
    padded_cells,
    parse_number,
    read_table,
    rejected_frame,
    require_columns,
)
from estates.model import AGE_BANDS, CRS, RUC21_CLASS

# ------------------------------------------------------------------- geography


def _read_vector(source: str | Path, filename: str | None, what: str
                 ) -> tuple[gpd.GeoDataFrame, str, list[str]]:
    path = Path(source)
    name = filename or path.name
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise InputError(f"{name}: cannot be read as {what} ({' '.join(str(exc).split())[:120]})."
                         " Give a GeoJSON, GeoPackage or shapefile.") from None
    warnings = []
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise InputError(f"{name}: cannot be read as {what}: it has no geometry. Give a "
                         "GeoJSON, GeoPackage or shapefile.")
    if frame.crs is None:
        raise InputError(f"{name}: the file has no coordinate reference system. Save it with "
                         "one (EPSG:27700 or EPSG:4326).")
    if frame.crs.to_epsg() != 27700:
        warnings.append(f"reprojected from {frame.crs.to_string()} to EPSG:27700")
        frame = frame.to_crs(CRS)
    return frame, name, warnings


def _geometry_rejects(frame: gpd.GeoDataFrame) -> list[tuple[int, str]]:
    out = []
    for i, geom in enumerate(frame.geometry, start=1):
        if geom is None or geom.is_empty:
            out.append((i, "no geometry"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            out.append((i, f"geometry is a {geom.geom_type}, not a polygon"))
    return out


def repair_polygons(geoms: gpd.GeoSeries, codes: pd.Series, what: str
                    ) -> tuple[gpd.GeoSeries, list[str]]:
    """Invalid polygons (self-intersections, as some ONS files are published) made valid with
    ``shapely.make_valid``, keeping only their polygonal parts; a warning names the codes.

    Invalid polygons otherwise pass unnoticed until a union fails deep in a build with a GEOS
    TopologyException, far from the file at fault.
    """
    invalid = ~shapely.is_valid(geoms.to_numpy())
    if not invalid.any():
        return geoms, []
    fixed = geoms.copy()
    repaired = shapely.make_valid(geoms.to_numpy()[invalid])
    # make_valid may return a collection with stray lines or points: keep the area only.
    fixed.iloc[np.flatnonzero(invalid)] = [
        shapely.union_all(shapely.get_parts(g)[np.isin(shapely.get_type_id(
            shapely.get_parts(g)), (3, 6))]) for g in repaired]
    named = [str(c) for c in codes[invalid]]
    shown = ", ".join(named[:20]) + (f" and {len(named) - 20} more" if len(named) > 20 else "")
    return fixed, [f"{len(named)} invalid {what} polygon(s) repaired (shapely make_valid): "
                   f"{shown}"]


_LSOA_CODES = {"code": ("lsoa21cd", "lsoa2021code", "lsoacode", "lsoa11cd", "lsoa2011code"),
               "name": ("lsoa21nm", "lsoa2021name", "lsoaname", "lsoa11nm", "lsoa2011name"),
               "population": ("population", "usualresidents", "totalpopulation", "allpersons")}


def read_lsoa_boundaries(source: str | Path, *, filename: str | None = None,
                         allow_2011: bool = False) -> NationalImport:
    """ONS LSOA 2021 boundaries (GeoJSON, GeoPackage or shapefile via pyogrio).

    LSOA 2011 boundaries (``LSOA11CD``) are refused: Census 2021 population, the RUC 2021
    and today's registrations are by 2021 LSOA, and a 2011 code that still exists may cover
    different ground. With ``allow_2011`` they are used with a warning naming the year.
    Invalid polygons are repaired and named in a warning. Returns a GeoDataFrame zone_code,
    zone_name, geometry in EPSG:27700, and population (usual residents) where the file
    carries a population column.
    """
    frame, name, warnings = _read_vector(source, filename, "LSOA boundaries")
    table = sniff.Table(name, [str(c) for c in frame.columns], [])
    col = require_columns(table, _LSOA_CODES, ["code"], "ONS LSOA 2021 boundaries")
    code_header = sniff.normalise_header(table.header[col["code"]])
    if "11" in code_header:
        if not allow_2011:
            raise InputError(
                f"{name}: these are LSOA 2011 boundaries (column {table.header[col['code']]!r}); "
                "estates needs LSOA 2021 (LSOA21CD) to match Census 2021 population, the "
                "Rural-Urban Classification 2021 and today's registrations. Download 'Lower "
                "layer Super Output Areas (December 2021) Boundaries' from the ONS Open "
                "Geography Portal.")
        warnings.append(f"LSOA 2011 boundaries (column {table.header[col['code']]!r}) used as "
                        "asked: zone codes are 2011 codes, not 2021")
    rejected = _geometry_rejects(frame)
    bad = {r for r, _ in rejected}
    keep = [i for i in range(len(frame)) if i + 1 not in bad]
    codes = frame.iloc[keep, col["code"]].astype(str).str.strip().reset_index(drop=True)
    geoms, notes = repair_polygons(frame.geometry.iloc[keep].reset_index(drop=True), codes,
                                   "LSOA")
    warnings += notes
    data: dict[str, Any] = {
        "zone_code": codes.to_numpy(),
        "zone_name": (frame.iloc[keep, col["name"]].astype(str).to_numpy() if "name" in col
                      else [""] * len(keep)),
    }
    if "population" in col:
        data["population"] = pd.to_numeric(frame.iloc[keep, col["population"]],
                                           errors="coerce").to_numpy(dtype=float)
    out = gpd.GeoDataFrame(data, geometry=geoms.to_numpy(), crs=CRS)
    out.index = pd.Index(out["zone_code"].tolist())
    return NationalImport(name, len(frame), out, rejected_frame(rejected), warnings)


def _year_of_age(header: str) -> tuple[str, int] | None:
    """``'F34'`` -> ('F', 34); ``'90+'`` -> ('', 90); ``'Age 7'`` -> ('', 7)."""
    m = re.fullmatch(r"(?i)\s*([FM])?\s*(?:age\s*)?(\d{1,3})\s*(\+|plus)?\s*", header)
    if not m:
        return None
    return (m.group(1) or "").upper(), int(m.group(2))


def band_of_age(age: int) -> str:
    """Our band for a single year of age (90 stands for 90+)."""
    for band, hi in (("0_4", 4), ("5_14", 14), ("15_44", 44), ("45_64", 64), ("65_74", 74),
                     ("75_84", 84)):
        if age <= hi:
            return band
    return "85_plus"


_POPULATION_CODE = ("lsoa2021code", "lsoa21cd", "lsoacode")


def _population_sheet(data: bytes, name: str) -> tuple[sniff.Table, list[str]]:
    """The table of a CSV, or of the workbook sheet whose header names an LSOA code column.

    ONS publishes the estimates as a workbook whose first sheets are a cover and contents:
    the data sheet is found by its header (within its first 30 rows), not by position, and
    named in a warning. Where several sheets qualify (one per year), the one with the latest
    year in its name is used and the others named.
    """
    if not (data.startswith(b"PK\x03\x04") or name.lower().endswith((".xlsx", ".xlsm"))):
        return sniff.read_table(data, name), []
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a corrupt workbook fails in many ways
        raise InputError(f"{name}: cannot be read as an Excel workbook ({type(exc).__name__})."
                         " Save it again as .xlsx or CSV.") from None
    found: list[tuple[str, sniff.Table]] = []
    for sheet in book.worksheets:
        rows = [["" if v is None else str(v).strip() for v in r]
                for r in sheet.iter_rows(values_only=True)]
        for k, row in enumerate(rows[:30]):
            if any(sniff.normalise_header(c) in _POPULATION_CODE for c in row):
                found.append((sheet.title, sniff.Table(name, row, [r for r in rows[k + 1:]
                                                                   if any(r)])))
                break
    book.close()
    if not found:
        raise InputError(f"{name}: no sheet of the workbook has an 'LSOA 2021 Code' column in "
                         "its first 30 rows. Use the ONS 'Lower layer Super Output Area "
                         "population estimates' workbook, or save its data sheet as CSV.")
    def year(title: str) -> int:
        years = re.findall(r"(?:19|20)\d\d", title)
        return max(int(y) for y in years) if years else 0
    title, table = max(found, key=lambda f: year(f[0])) if len(found) > 1 else found[0]
    note = f"read sheet {title!r} of the workbook (found by its LSOA code header)"
    others = [t for t, _ in found if t != title]
    if others:
        note += f"; other sheets with the same header not used: {', '.join(others)}"
    return table, [note]


def read_population_by_age(source: str | Path | bytes, *, filename: str | None = None
                           ) -> NationalImport:
    """ONS LSOA population estimates by single year of age, summed into our bands.

    Accepts the published wide layout: LSOA 2021 Code, LSOA 2021 Name, optional LAD 2021 Code,
    Total, then either ``F0 ... F90, M0 ... M90`` or ``0 ... 90`` (90 = 90 and over).
    Returns zone_code, zone_name, lad_code (if given), pop_<band>.
    """
    data, name = sniff.load_source(source, filename)
    table, warnings = _population_sheet(data, name)
    col = require_columns(table, {"code": ("lsoa2021code", "lsoa21cd", "lsoacode"),
                           "name": ("lsoa2021name", "lsoa21nm", "lsoaname"),
                           "lad": ("lad2021code", "lad21cd", "lad2023code", "lad22cd",
                                   "lad23cd", "ladcode"),
                           "total": ("total", "allages")},
                   ["code"], "an ONS LSOA population-by-age table")
    ages = {i: a for i, h in enumerate(table.header) if (a := _year_of_age(h)) is not None}
    if not ages:
        raise InputError(f"{table.filename}: no single-year-of-age columns (0 ... 90, or F0 "
                         "... M90) found. Use ONS 'Lower layer Super Output Area population "
                         "estimates' by single year of age.")
    sexes = {s for s, _ in ages.values()}
    if sexes & {"F", "M"}:
        ages = {i: a for i, a in ages.items() if a[0] in ("F", "M")}
    n = len(table.header)
    records, rejected = [], []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        bands = dict.fromkeys(AGE_BANDS, 0.0)
        bad = next((table.header[j] for j in ages if parse_number(row[j]) is None
                    or (parse_number(row[j]) or 0) < 0), None)
        if bad is not None:
            rejected.append((i, f"column {bad!r} value {row[table.header.index(bad)]!r} is not "
                                "a count of people"))
            continue
        for j, (_sex, age) in ages.items():
            bands[band_of_age(age)] += parse_number(row[j]) or 0.0
        rec: dict[str, Any] = {"zone_code": norm_code(row[col["code"]]),
                               "zone_name": row[col["name"]] if "name" in col else "",
                               "_row": i}
        if "lad" in col:
            rec["lad_code"] = norm_code(row[col["lad"]])
        rec.update({f"pop_{b}": v for b, v in bands.items()})
        if "total" in col:
            total = parse_number(row[col["total"]])
            if total is not None and abs(total - sum(bands.values())) > 0.5:
                warnings.append(f"row {i}: ages sum to {sum(bands.values()):.0f} but Total is "
                                f"{total:.0f}")
        records.append(rec)
    frame, dups = dedupe(records, "zone_code")
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups),
                          warnings)


def read_ruc(source: str | Path | bytes, *, filename: str | None = None) -> NationalImport:
    """ONS Rural-Urban Classification 2021 by LSOA: LSOA21CD, RUC21CD, RUC21NM, flag.

    Returns zone_code, ruc21, ruc21_name, urban_rural.
    """
    table = read_table(source, filename)
    col = require_columns(table, {"code": ("lsoa21cd",), "ruc": ("ruc21cd",), "name": ("ruc21nm",),
                           "flag": ("urbanruralflag",)}, ["code", "ruc"],
                   "an ONS Rural-Urban Classification 2021 LSOA file")
    n = len(table.header)
    records, rejected = [], []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        ruc = norm_code(row[col["ruc"]])
        if ruc not in RUC21_CLASS:
            rejected.append((i, f"RUC21CD value {ruc!r} is not one of "
                                f"{', '.join(RUC21_CLASS)}"))
            continue
        records.append({"zone_code": norm_code(row[col["code"]]), "ruc21": ruc,
                        "ruc21_name": row[col["name"]] if "name" in col else "",
                        "urban_rural": row[col["flag"]] if "flag" in col else "", "_row": i})
    frame, dups = dedupe(records, "zone_code")
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups))


def read_catchments(source: str | Path, *, filename: str | None = None) -> NationalImport:
    """Practice catchment polygons with a practice code column; they may overlap.

    Returns practice_code, geometry (EPSG:27700). Polygons of one practice are unioned.
    """
    frame, name, warnings = _read_vector(source, filename, "catchment polygons")
    table = sniff.Table(name, [str(c) for c in frame.columns], [])
    col = require_columns(table, {"code": ("practicecode", "praccode", "odscode", "orgcode",
                                    "code")}, ["code"], "practice catchment polygons")
    rejected = _geometry_rejects(frame)
    bad = {r for r, _ in rejected}
    keep = [i for i in range(len(frame)) if i + 1 not in bad]
    codes = frame.iloc[keep, col["code"]].astype(str).str.strip().str.upper()
    geoms, notes = repair_polygons(frame.geometry.iloc[keep].reset_index(drop=True),
                                   codes.reset_index(drop=True), "catchment")
    warnings += notes
    part = gpd.GeoDataFrame({"practice_code": codes.to_numpy()}, geometry=geoms.to_numpy(),
                            crs=CRS)
    if part["practice_code"].duplicated().any():
        dup = sorted(set(part.loc[part["practice_code"].duplicated(), "practice_code"]))
        warnings.append(f"several polygons for {', '.join(dup[:20])}: joined into one each")
        part = part.dissolve(by="practice_code", as_index=False)
    part.index = pd.Index(part["practice_code"].tolist())
    return NationalImport(name, len(frame), part, rejected_frame(rejected), warnings)


