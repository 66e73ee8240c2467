"""ONS geography: LSOA boundaries, population by single year of age, the Rural-Urban
Classification, and practice catchment polygons."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

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


def read_lsoa_boundaries(source: str | Path, *, filename: str | None = None) -> NationalImport:
    """ONS LSOA 2021 boundaries (GeoJSON, GeoPackage or shapefile via pyogrio).

    Returns a GeoDataFrame zone_code (LSOA21CD), zone_name (LSOA21NM), geometry in EPSG:27700.
    """
    frame, name, warnings = _read_vector(source, filename, "LSOA boundaries")
    table = sniff.Table(name, [str(c) for c in frame.columns], [])
    col = require_columns(table, {"code": ("lsoa21cd", "lsoacode"), "name": ("lsoa21nm", "lsoaname")},
                   ["code"], "ONS LSOA 2021 boundaries")
    rejected = _geometry_rejects(frame)
    bad = {r for r, _ in rejected}
    keep = [i for i in range(len(frame)) if i + 1 not in bad]
    out = gpd.GeoDataFrame({
        "zone_code": frame.iloc[keep, col["code"]].astype(str).str.strip().to_numpy(),
        "zone_name": (frame.iloc[keep, col["name"]].astype(str).to_numpy() if "name" in col
                      else [""] * len(keep)),
    }, geometry=frame.geometry.iloc[keep].to_numpy(), crs=CRS)
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


def read_population_by_age(source: str | Path | bytes, *, filename: str | None = None
                           ) -> NationalImport:
    """ONS LSOA population estimates by single year of age, summed into our bands.

    Accepts the published wide layout: LSOA 2021 Code, LSOA 2021 Name, optional LAD 2021 Code,
    Total, then either ``F0 ... F90, M0 ... M90`` or ``0 ... 90`` (90 = 90 and over).
    Returns zone_code, zone_name, lad_code (if given), pop_<band>.
    """
    table = read_table(source, filename)
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
    records, rejected, warnings = [], [], []
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
    part = gpd.GeoDataFrame(
        {"practice_code": frame.iloc[keep, col["code"]].astype(str).str.strip().str.upper()
         .to_numpy()}, geometry=frame.geometry.iloc[keep].to_numpy(), crs=CRS)
    if part["practice_code"].duplicated().any():
        dup = sorted(set(part.loc[part["practice_code"].duplicated(), "practice_code"]))
        warnings.append(f"several polygons for {', '.join(dup[:20])}: joined into one each")
        part = part.dissolve(by="practice_code", as_index=False)
    part.index = pd.Index(part["practice_code"].tolist())
    return NationalImport(name, len(frame), part, rejected_frame(rejected), warnings)


