"""Places: the ONS Postcode Directory, the public libraries dataset, and the practice estates
template (floor area, rooms and branch surgeries, which no national file holds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from estates.errors import InputError
from estates.io import coords
from estates.io.national.common import (
    NationalImport,
    dedupe,
    norm_code,
    normalise_postcode,
    padded_cells,
    parse_number,
    read_table,
    rejected_frame,
    require_columns,
)
from estates.model import CRS, SITE_KINDS

# ------------------------------------------------------------------- places


def read_postcodes(source: str | Path | bytes, *, filename: str | None = None
                   ) -> NationalImport:
    """ONS Postcode Directory (ONSPD) or NSPL extract, in any of its published layouts.

    The postcode is ``pcds`` (``'TN13 1AA'``), ``pcd`` (7 characters) or ``pcd2`` (8); the
    grid reference is ``oseast1m``/``osnrth1m`` (releases to 2024), ``east1m``/``north1m``
    (2025 on), or, in extracts that carry only them, ``lat``/``long`` (converted to British
    National Grid, with a warning). Returns postcode (index, ``pcds`` form), easting,
    northing. Postcodes without a location (ONSPD leaves terminated or non-geographic ones
    empty, or gives latitude 99.999999) are rejected.
    """
    table = read_table(source, filename)
    col = require_columns(table, {"pcd": ("pcds", "pcd", "pcd2", "postcode"),
                                  "e": ("oseast1m", "east1m", "easting"),
                                  "n": ("osnrth1m", "north1m", "northing"),
                                  "lat": ("lat", "latitude"),
                                  "lon": ("long", "lon", "longitude")}, ["pcd"],
                          "an ONS Postcode Directory extract")
    grid = "e" in col and "n" in col
    if not grid and not ("lat" in col and "lon" in col):
        shown = ", ".join(repr(h) for h in table.header[:30])
        raise InputError(f"{table.filename}: not an ONS Postcode Directory extract: no "
                         "coordinate columns (oseast1m/osnrth1m, east1m/north1m or lat/long). "
                         f"Columns found: {shown}. Keep the coordinate columns in the extract.")
    n = len(table.header)
    records: list[dict[str, Any]] = []
    rejected: list[tuple[int, str]] = []
    warnings: list[str] = []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        pcd = row[col["pcd"]]
        if grid:
            e, nn = parse_number(row[col["e"]]), parse_number(row[col["n"]])
            if e is None or nn is None or not coords.in_bng_england(e, nn):
                rejected.append((i, f"postcode {pcd!r} has no grid reference in England "
                                    f"({table.header[col['e']]} {row[col['e']]!r}, "
                                    f"{table.header[col['n']]} {row[col['n']]!r})"))
                continue
        else:
            lat, lon = parse_number(row[col["lat"]]), parse_number(row[col["lon"]])
            if lat is None or lon is None or not coords.in_wgs84_england(lat, lon):
                rejected.append((i, f"postcode {pcd!r} has no location in England (lat "
                                    f"{row[col['lat']]!r}, long {row[col['lon']]!r})"))
                continue
            e, nn = lat, lon  # converted below, all at once
        records.append({"postcode": normalise_postcode(pcd), "easting": e, "northing": nn,
                        "_row": i})
    if not grid and records:
        east, north = coords.wgs84_to_bng([float(r["northing"]) for r in records],
                                         [float(r["easting"]) for r in records])
        for rec, x, y in zip(records, east, north, strict=True):
            rec["easting"], rec["northing"] = float(x), float(y)
        warnings.append("no grid reference columns (oseast1m/osnrth1m or east1m/north1m): "
                        "eastings and northings computed from lat/long")
    frame, dups = dedupe(records, "postcode")
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups),
                          warnings)


def locate_rows(frame: pd.DataFrame, postcodes: pd.DataFrame | None, what: str,
                 rejected: list[tuple[int, str]], rows: list[int]) -> pd.DataFrame:
    """Fill easting/northing from postcodes where a row has none; reject unplaceable rows."""
    east, north = frame["easting"].astype(float).copy(), frame["northing"].astype(float).copy()
    keep = []
    for k, idx in enumerate(frame.index):
        if pd.notna(east[idx]) and pd.notna(north[idx]):
            keep.append(idx)
            continue
        pc = frame.at[idx, "postcode"] if "postcode" in frame else ""
        if postcodes is not None and pc and pc in postcodes.index:
            east[idx] = postcodes.at[pc, "easting"]
            north[idx] = postcodes.at[pc, "northing"]
            keep.append(idx)
        else:
            why = ("no postcode" if not pc else
                   f"no postcode directory was given to place postcode {pc!r}"
                   if postcodes is None else f"postcode {pc!r} not in the postcode directory")
            rejected.append((rows[k], f"{what} has no coordinates and {why}"))
    out = frame.assign(easting=east, northing=north).loc[keep]
    return out


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["easting"],
                                                               frame["northing"]), crs=CRS)


def _coords(row: list[str], col: dict[str, int]) -> tuple[float, float] | None:
    for a, b, role in (("e", "n", "xy"), ("lat", "lon", "latlon")):
        if a in col and b in col and row[col[a]] and row[col[b]]:
            x, y = parse_number(row[col[a]]), parse_number(row[col[b]])
            if x is None or y is None:
                return None
            found = coords.decide_point(x, y, role=role)
            if found is None:
                return None
            if found.kind == "wgs84":
                ex, ny = coords.wgs84_to_bng([found.x], [found.y])
                return float(ex[0]), float(ny[0])
            return found.x, found.y
    return float("nan"), float("nan")


_LIBRARY_COLUMNS = {
    "name": ("libraryname", "name", "library"),
    "id": ("libraryid", "id", "uniqueid", "candidateid"),
    "postcode": ("postcode",),
    "e": ("easting",), "n": ("northing",), "lat": ("latitude", "lat"),
    "lon": ("longitude", "long", "lon"),
    "coloc": ("colocated",), "coloc_with": ("colocatedwith", "colocatedothertext"),
    "m2": ("availablem2", "floorarea", "aream2"),
    "closed": ("yearclosed", "closed"),
    "type": ("type", "librarytype", "typeoflibrary"),
}
#: Library types that are no building a surgery could share: the reason each is not used.
_NOT_A_BUILDING = {"mobile": "a mobile library has no building",
                   "prison": "a prison library is not open to the public"}


def _no_address(postcode: str) -> bool:
    # The national dataset writes '[No registered public address]' or '[Unknown]' where a
    # postcode would be: a placeholder, not a postcode to look up.
    return postcode.startswith("[") or not any(ch.isdigit() for ch in postcode)


def _co_located(row: list[str], col: dict[str, int], header: list[str]) -> str:
    # The national dataset flags each kind of neighbour in its own co_located_<kind> column
    # (X where it applies); the councils' schema writes them in 'Co-located with'.
    kinds = [h.removeprefix("co_located_").replace("_", " ") for j, h in enumerate(header)
             if h.startswith("co_located_") and h != "co_located_other_text"
             and row[j].strip().upper() in ("X", "YES", "Y")]
    text = row[col["coloc_with"]] if "coloc_with" in col else ""
    parts = kinds + ([text] if text and text.upper() not in ("N/A", "[UNKNOWN]") else [])
    if not parts and "coloc" in col and row[col["coloc"]].lower() in ("yes", "y", "true"):
        parts = ["yes"]
    return "; ".join(parts)


def read_libraries(source: str | Path | bytes, *, filename: str | None = None,
                   postcodes: pd.DataFrame | None = None) -> NationalImport:
    """Public libraries: the national dataset (DCMS / Arts Council England, as republished by
    Libraries Hacked) or a council's file in the public library data schema.

    Needs a library name and a place (easting/northing, latitude/longitude, or a postcode
    found in ``postcodes``, the table of ``read_postcodes``). Closed libraries (a year in
    ``closed`` or ``Year closed``), mobile and prison libraries, and libraries with no public
    address are rejected with the reason. The co-location columns become co_located. Floor
    area is not in the dataset: available_m2 is left empty (NaN) for the user to fill in, and
    a warning says so. Returns a GeoDataFrame of CANDIDATES columns.
    """
    table = read_table(source, filename)
    col = require_columns(table, _LIBRARY_COLUMNS, ["name"], "a library dataset")
    if not ({"postcode"} <= col.keys() or {"e", "n"} <= col.keys()
            or {"lat", "lon"} <= col.keys()):
        raise InputError(f"{table.filename}: the library dataset has no postcode or coordinate "
                         "columns. Add Postcode, or Easting and Northing.")
    header = [h.strip().lower() for h in table.header]
    n = len(table.header)
    records, rows, rejected = [], [], []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        if "closed" in col and row[col["closed"]].strip() not in ("", "-", "N/A"):
            rejected.append((i, f"closed ({row[col['closed']]})"))
            continue
        kind = row[col["type"]].lower() if "type" in col else ""
        why = next((w for k, w in _NOT_A_BUILDING.items() if k in kind), None)
        if why:
            rejected.append((i, f"{why} (type {row[col['type']]!r})"))
            continue
        xy = _coords(row, col)
        if xy is None:
            rejected.append((i, "coordinates are not in England"))
            continue
        postcode = row[col["postcode"]].strip() if "postcode" in col else ""
        if postcode and _no_address(postcode) and not (xy[0] == xy[0]):
            rejected.append((i, f"no public address (postcode {postcode!r})"))
            continue
        m2 = parse_number(row[col["m2"]]) if "m2" in col else None
        records.append({
            "candidate_id": row[col["id"]] if "id" in col and row[col["id"]] else f"LIB{i:05d}",
            "name": row[col["name"]], "kind": "library",
            "available_m2": m2 if m2 is not None else float("nan"),
            "co_located": _co_located(row, col, header),
            "postcode": "" if not postcode or _no_address(postcode)
            else normalise_postcode(postcode),
            "easting": xy[0], "northing": xy[1],
        })
        rows.append(i)
    frame = pd.DataFrame(records, columns=["candidate_id", "name", "kind", "available_m2",
                                           "co_located", "postcode", "easting", "northing"])
    frame.index = pd.RangeIndex(len(frame))
    warnings = []
    unplaced = int((frame["easting"].isna() | frame["northing"].isna()).sum())
    if postcodes is None and unplaced:
        warnings.append(f"no postcode directory given: 0 of {unplaced} libraries known only by "
                        "postcode could be placed, so 0 candidates from them. Give an ONS "
                        "Postcode Directory extract (--postcodes) covering the area")
    placed = locate_rows(frame, postcodes, "library", rejected, rows)
    if placed["available_m2"].isna().any():
        warnings.append("available_m2 (floor area a surgery could use) is not in the library "
                        f"dataset: fill it in for {int(placed['available_m2'].isna().sum())} "
                        "libraries before testing co-location")
    out = _points(placed.reset_index(drop=True))
    out.index = pd.Index(out["candidate_id"].tolist())
    return NationalImport(table.filename, len(table.rows), out, rejected_frame(rejected), warnings)


_ESTATES = {
    "code": ("practicecode", "code", "odscode"),
    "site_name": ("sitename", "name", "odsname", "practicename"),
    "site_kind": ("sitekind", "kind"),
    "parent": ("parentcode", "parent"),
    "gia": ("giam2", "gia", "grossinternalarea"),
    "rooms": ("clinicalrooms", "rooms"),
    "building": ("building", "buildingtype"),
    "year": ("yearbuilt",),
    "postcode": ("postcode",),
    "e": ("easting",), "n": ("northing",), "lat": ("latitude",), "lon": ("longitude",),
    "gp_fte": ("gpfte",),
}


def read_practice_estates(source: str | Path | bytes, *, filename: str | None = None
                          ) -> NationalImport:
    """The project's practice estates template: data no national file holds.

    Columns practice_code, site_name, site_kind (main|branch), parent_code (branches),
    gia_m2, clinical_rooms, optional building, year_built, gp_fte, and a place (postcode,
    easting/northing or latitude/longitude). Returns those columns; easting/northing are NaN
    where only a postcode is given (assembly places them).

    A list of practice locations without estates figures (``ODS_Code, ODS_Name, longitude,
    latitude``) is read too: every site is then a main site, and floor area and rooms are
    unknown (NaN, said in a warning) until the user supplies them. An empty gia_m2 or
    clinical_rooms cell is unknown likewise; a value that is not a number is rejected.
    """
    table = read_table(source, filename)
    col = require_columns(table, _ESTATES, ["code"],
                          "a practice estates template (practice_code, site_name, site_kind, "
                          "parent_code, gia_m2, clinical_rooms, ...)")
    warnings = []
    absent = [name for fld, name in (("gia", "gia_m2"), ("rooms", "clinical_rooms"))
              if fld not in col]
    if absent:
        warnings.append(f"no {' or '.join(absent)} column: unknown for every site (capacity "
                        "unknown, never guessed) until you supply them in the estates template")
    if "site_kind" not in col:
        warnings.append("no site_kind column: every row is taken as a main site")
    n = len(table.header)
    records: list[dict[str, Any]] = []
    rejected: list[tuple[int, str]] = []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        problems = []
        kind = row[col["site_kind"]].strip().lower() if "site_kind" in col else "main"
        if kind not in SITE_KINDS:
            problems.append(f"site_kind {row[col['site_kind']]!r} is not main or branch")
        parent = norm_code(row[col["parent"]]) if "parent" in col else ""
        if kind == "branch" and not parent:
            problems.append("a branch needs parent_code (its main site's practice_code)")
        values: dict[str, float] = {}
        for fld, name in (("gia", "gia_m2"), ("rooms", "clinical_rooms")):
            text = row[col[fld]].strip() if fld in col else ""
            v = parse_number(text) if text else None
            if text and (v is None or v < 0):
                problems.append(f"{name} value {row[col[fld]]!r} is not a number 0 or more")
            values[name] = v if v is not None else float("nan")
        xy = _coords(row, col)
        if xy is None:
            problems.append("coordinates are not in England")
        if problems:
            rejected.append((i, "; ".join(problems)))
            continue
        assert xy is not None
        year = parse_number(row[col["year"]]) if "year" in col else None
        fte = parse_number(row[col["gp_fte"]]) if "gp_fte" in col else None
        records.append({
            "practice_code": norm_code(row[col["code"]]),
            "site_name": row[col["site_name"]] if "site_name" in col else "",
            "site_kind": kind, "parent_code": parent if kind == "branch" else "",
            **values,
            "building": row[col["building"]] if "building" in col else "",
            "year_built": year if year is not None else float("nan"),
            "gp_fte": fte if fte is not None else float("nan"),
            "postcode": normalise_postcode(row[col["postcode"]]) if "postcode" in col else "",
            "easting": xy[0], "northing": xy[1], "_row": i,
        })
    frame, dups = dedupe(records, "practice_code")
    if len(frame):
        mains = set(frame.loc[frame["site_kind"] == "main", "practice_code"])
        orphans = frame[(frame["site_kind"] == "branch") & ~frame["parent_code"].isin(mains)]
        for code in orphans.index:
            rows = [r for r in records if r["practice_code"] == code]
            dups.append((int(rows[0]["_row"] or 0), f"branch {code}: parent_code "
                                          f"{frame.at[code, 'parent_code']!r} is not a main "
                                          "site in this file"))
        frame = frame.drop(index=orphans.index)
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups),
                          warnings)

