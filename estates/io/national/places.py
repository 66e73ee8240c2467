"""Places: the ONS Postcode Directory, the public libraries dataset, and the practice estates
template (floor area, rooms and branch surgeries, which no national file holds)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from estates.errors import InputError
from estates.io import sniff
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
    """ONS Postcode Directory extract: pcds, oseast1m, osnrth1m, lat, long.

    Returns postcode (index, ``pcds`` form), easting, northing. Postcodes without a grid
    reference (ONSPD leaves them empty) are rejected.
    """
    table = read_table(source, filename)
    col = require_columns(table, {"pcd": ("pcds", "pcd", "pcd2", "postcode"),
                           "e": ("oseast1m",), "n": ("osnrth1m",), "lat": ("lat",),
                           "lon": ("long", "lon")}, ["pcd", "e", "n"],
                   "an ONS Postcode Directory extract")
    n = len(table.header)
    records, rejected = [], []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        e, nn = parse_number(row[col["e"]]), parse_number(row[col["n"]])
        if e is None or nn is None or not sniff.in_bng_england(e, nn):
            rejected.append((i, f"postcode {row[col['pcd']]!r} has no grid reference in England "
                                f"(oseast1m {row[col['e']]!r}, osnrth1m {row[col['n']]!r})"))
            continue
        records.append({"postcode": normalise_postcode(row[col["pcd"]]), "easting": e,
                        "northing": nn, "_row": i})
    frame, dups = dedupe(records, "postcode")
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups))


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
            why = f"postcode {pc!r} not in the postcode directory" if pc else "no postcode"
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
            found = sniff.decide_point(x, y, role=role)
            if found is None:
                return None
            if found.kind == "wgs84":
                ex, ny = sniff.wgs84_to_bng([found.x], [found.y])
                return float(ex[0]), float(ny[0])
            return found.x, found.y
    return float("nan"), float("nan")


def read_libraries(source: str | Path | bytes, *, filename: str | None = None,
                   postcodes: pd.DataFrame | None = None) -> NationalImport:
    """The national public library dataset (one row per library).

    Needs a library name and a place (easting/northing, latitude/longitude, or a postcode
    found in ``postcodes``, the table of ``read_postcodes``). ``Co-located`` and ``Co-located
    with`` become co_located. Floor area is not in the dataset: available_m2 is left empty
    (NaN) for the user to fill in, and a warning says so.
    Returns a GeoDataFrame of CANDIDATES columns.
    """
    table = read_table(source, filename)
    col = require_columns(table, {
        "name": ("libraryname", "name", "library"),
        "id": ("libraryid", "id", "uniqueid", "candidateid"),
        "postcode": ("postcode",),
        "e": ("easting",), "n": ("northing",), "lat": ("latitude", "lat"),
        "lon": ("longitude", "long", "lon"),
        "coloc": ("colocated",), "coloc_with": ("colocatedwith",),
        "m2": ("availablem2", "floorarea", "aream2"),
        "closed": ("yearclosed", "closed"),
    }, ["name"], "a library dataset")
    if not ({"postcode"} <= col.keys() or {"e", "n"} <= col.keys()
            or {"lat", "lon"} <= col.keys()):
        raise InputError(f"{table.filename}: the library dataset has no postcode or coordinate "
                         "columns. Add Postcode, or Easting and Northing.")
    n = len(table.header)
    records, rows, rejected = [], [], []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        if "closed" in col and row[col["closed"]]:
            rejected.append((i, f"closed ({row[col['closed']]})"))
            continue
        xy = _coords(row, col)
        if xy is None:
            rejected.append((i, "coordinates are not in England"))
            continue
        coloc = row[col["coloc_with"]] if "coloc_with" in col else ""
        if not coloc and "coloc" in col and row[col["coloc"]].lower() in ("yes", "y", "true"):
            coloc = "yes"
        m2 = parse_number(row[col["m2"]]) if "m2" in col else None
        records.append({
            "candidate_id": row[col["id"]] if "id" in col and row[col["id"]] else f"LIB{i:05d}",
            "name": row[col["name"]], "kind": "library",
            "available_m2": m2 if m2 is not None else float("nan"), "co_located": coloc,
            "postcode": normalise_postcode(row[col["postcode"]]) if "postcode" in col else "",
            "easting": xy[0], "northing": xy[1],
        })
        rows.append(i)
    frame = pd.DataFrame(records, columns=["candidate_id", "name", "kind", "available_m2",
                                           "co_located", "postcode", "easting", "northing"])
    frame.index = pd.RangeIndex(len(frame))
    placed = locate_rows(frame, postcodes, "library", rejected, rows)
    warnings = []
    if placed["available_m2"].isna().any():
        warnings.append("available_m2 (floor area a surgery could use) is not in the library "
                        f"dataset: fill it in for {int(placed['available_m2'].isna().sum())} "
                        "libraries before testing co-location")
    out = _points(placed.reset_index(drop=True))
    out.index = pd.Index(out["candidate_id"].tolist())
    return NationalImport(table.filename, len(table.rows), out, rejected_frame(rejected), warnings)


_ESTATES = {
    "code": ("practicecode", "code", "odscode"),
    "site_name": ("sitename", "name"),
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
    """
    table = read_table(source, filename)
    col = require_columns(table, _ESTATES, ["code", "site_kind", "gia", "rooms"],
                   "a practice estates template (practice_code, site_name, site_kind, "
                   "parent_code, gia_m2, clinical_rooms, ...)")
    n = len(table.header)
    records, rejected = [], []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        problems = []
        kind = row[col["site_kind"]].strip().lower()
        if kind not in SITE_KINDS:
            problems.append(f"site_kind {row[col['site_kind']]!r} is not main or branch")
        parent = norm_code(row[col["parent"]]) if "parent" in col else ""
        if kind == "branch" and not parent:
            problems.append("a branch needs parent_code (its main site's practice_code)")
        values = {}
        for fld, name in (("gia", "gia_m2"), ("rooms", "clinical_rooms")):
            v = parse_number(row[col[fld]])
            if v is None or v < 0:
                problems.append(f"{name} value {row[col[fld]]!r} is not a number 0 or more")
            values[name] = v
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
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups))

