"""Local-authority districts: which district each LSOA is in (an ONS lookup table or the
districts' boundaries) and a district's Census 2021 age profile (residents by five-year band)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from estates.errors import InputError
from estates.io import sniff
from estates.io.national.common import (
    NationalImport,
    norm_code,
    padded_cells,
    parse_number,
    read_table,
    rejected_frame,
    require_columns,
)
from estates.io.national.geography import _read_vector, band_of_age
from estates.model import AGE_BANDS

_LAD_CODE = ("lad24cd", "lad23cd", "lad22cd", "lad21cd", "lad2021code", "ladcode")
_LAD_NAME = ("lad24nm", "lad23nm", "lad22nm", "lad21nm", "lad2021name", "ladname")


def _is_vector(path: Path) -> bool:
    return path.suffix.lower() in (".geojson", ".gpkg", ".shp", ".json", ".fgb")


def read_district_lookup(source: str | Path, zones: gpd.GeoDataFrame | None = None
                         ) -> NationalImport:
    """Which district (local authority) each LSOA is in.

    Either the ONS LSOA 2021 to local authority lookup (CSV: ``LSOA21CD`` and a ``LADxxCD``
    column, optionally ``LADxxNM``), or the districts' boundaries (``LADxxCD`` and
    ``LADxxNM`` polygons), in which case each LSOA of ``zones`` goes to the district holding
    its representative point (LSOAs nest in districts, so a point inside is enough).
    Returns zone_code (index), lad_code, lad_name; for boundaries read without ``zones``, one
    row per district.
    """
    path = Path(source)
    if _is_vector(path):
        frame, name, warnings = _read_vector(path, None, "district boundaries")
        table = sniff.Table(name, [str(c) for c in frame.columns], [])
        col = require_columns(table, {"lad": _LAD_CODE, "name": _LAD_NAME}, ["lad"],
                              "local authority district boundaries (LADxxCD)")
        districts = gpd.GeoDataFrame({
            "lad_code": frame.iloc[:, col["lad"]].astype(str).str.strip().str.upper(),
            "lad_name": (frame.iloc[:, col["name"]].astype(str).str.strip() if "name" in col
                         else ""),
        }, geometry=frame.geometry.make_valid(), crs=frame.crs)
        if zones is None:
            # Checking the file alone (data check): one row per district.
            table_out = pd.DataFrame({"lad_code": districts["lad_code"].to_numpy(),
                                      "lad_name": districts["lad_name"].to_numpy()},
                                     index=districts["lad_code"].to_numpy())
            return NationalImport(name, len(frame), table_out, rejected_frame([]), warnings)
        points = gpd.GeoDataFrame({"zone_code": zones["zone_code"].to_numpy()},
                                  geometry=zones.geometry.representative_point().to_numpy(),
                                  crs=zones.crs)
        joined = gpd.sjoin(points, districts, how="left", predicate="within")
        joined = joined.drop_duplicates("zone_code")
        out = pd.DataFrame({"lad_code": joined["lad_code"].fillna("").to_numpy(),
                            "lad_name": joined["lad_name"].fillna("").to_numpy()},
                           index=joined["zone_code"].to_numpy())
        outside = out.index[out["lad_code"] == ""]
        rejected = [(int(k) + 1, f"LSOA {code} lies in none of the districts")
                    for k, code in enumerate(out.index) if code in set(outside)]
        return NationalImport(name, len(out), out[out["lad_code"] != ""],
                              rejected_frame(rejected), warnings)
    table = read_table(source, None)
    col = require_columns(table, {"lsoa": ("lsoa21cd", "lsoa2021code", "lsoacode"),
                                  "lad": _LAD_CODE, "name": _LAD_NAME}, ["lsoa", "lad"],
                          "an ONS LSOA 2021 to local authority lookup")
    n = len(table.header)
    records: dict[str, tuple[str, str]] = {}
    rejected = []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        code = norm_code(row[col["lsoa"]])
        if code in records:
            rejected.append((i, f"duplicate LSOA {code!r}"))
            continue
        records[code] = (norm_code(row[col["lad"]]), row[col["name"]] if "name" in col else "")
    out = pd.DataFrame.from_dict(records, orient="index", columns=["lad_code", "lad_name"])
    return NationalImport(table.filename, len(table.rows), out, rejected_frame(rejected))


def _age_range(label: str) -> tuple[int, int] | None:
    """``'5-9 years'`` -> (5, 9); ``'90+ years'`` -> (90, 200); ``'Aged 4 years and under'``."""
    t = label.lower()
    m = re.search(r"(\d+)\s*(?:-|to)\s*(\d+)", t)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"(\d+)\s*(?:\+|years? and over|and over|plus)", t)
    if m:
        return int(m.group(1)), 200
    m = re.search(r"(\d+)\s*years? and under", t)
    if m:
        return 0, int(m.group(1))
    return None


def read_age_profile(source: str | Path | bytes, *, filename: str | None = None
                     ) -> NationalImport:
    """Census 2021 residents by five-year age group for districts, summed into our bands.

    JSON (a list of records) or CSV with an area name, an age group (``'0-4 years'``,
    ``'90+ years'``) and either persons or female and male counts. Returns one row per area
    (index: the area name as given) with pop_<band> in people.
    """
    data, name = sniff.load_source(source, filename)
    if data.lstrip()[:1] in (b"[", b"{"):
        try:
            records = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{name}: cannot be read as JSON ({exc}).") from None
        if isinstance(records, dict):
            records = next((v for v in records.values() if isinstance(v, list)), [])
        if not records or not all(isinstance(r, dict) for r in records):
            raise InputError(f"{name}: expected a list of records (Area, Age_group, Female, "
                             "Male) in the JSON file.")
        header = list(records[0].keys())
        rows = [[str(r.get(h, "")) for h in header] for r in records]
        table = sniff.Table(name, header, rows)
    else:
        table = read_table(data, name)
    col = require_columns(table, {"area": ("area", "geography", "ladname", "district", "name"),
                                  "age": ("agegroup", "age", "ageband"),
                                  "persons": ("persons", "allpersons", "observation",
                                              "population", "count"),
                                  "female": ("female", "females"), "male": ("male", "males")},
                          ["area", "age"], "a Census 2021 age profile by district")
    if "persons" not in col and not {"female", "male"} <= col.keys():
        raise InputError(f"{name}: no count column: give Persons, or Female and Male.")
    n = len(table.header)
    sums: dict[str, dict[str, float]] = {}
    rejected: list[tuple[int, str]] = []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        rng = _age_range(row[col["age"]])
        if rng is None or band_of_age(rng[0]) != band_of_age(min(rng[1], 90)):
            rejected.append((i, f"age group {row[col['age']]!r} is not a five-year group that "
                                "falls within one of our bands"))
            continue
        counts = ([row[col["persons"]]] if "persons" in col
                  else [row[col["female"]], row[col["male"]]])
        values = [parse_number(c) for c in counts]
        if any(v is None or v < 0 for v in values):
            rejected.append((i, f"count {', '.join(counts)!r} is not a number of people"))
            continue
        bands = sums.setdefault(row[col["area"]].strip(), dict.fromkeys(AGE_BANDS, 0.0))
        bands[band_of_age(rng[0])] += sum(v for v in values if v is not None)
    frame = pd.DataFrame.from_dict(sums, orient="index")
    frame.columns = [f"pop_{b}" for b in frame.columns]
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected))


def spread_profile(totals: pd.Series, district_names: pd.Series, profile: pd.DataFrame
                   ) -> tuple[pd.DataFrame, list[str]]:
    """Residents by band for each LSOA: its total times its district's age shares.

    ``totals`` and ``district_names`` are by zone code; ``profile`` is ``read_age_profile``'s
    table. Totals are kept exactly. An LSOA whose district has no profile is left out (NaN)
    and named. Returns pop_<band> by zone code and warnings.
    """
    cols = [f"pop_{b}" for b in AGE_BANDS]
    keyed = {_name_key(k): k for k in profile.index}
    shares = profile[cols].div(profile[cols].sum(axis=1), axis=0)
    out = pd.DataFrame(float("nan"), index=totals.index, columns=cols)
    missing: set[str] = set()
    for code in totals.index:
        key = keyed.get(_name_key(str(district_names.get(code, ""))))
        if key is None:
            missing.add(str(district_names.get(code, "")) or "(no district)")
            continue
        out.loc[code] = shares.loc[key].to_numpy() * float(totals[code])
    warnings = []
    if missing:
        warnings.append(f"no age profile for {', '.join(sorted(missing))}: their LSOAs have no "
                        "ages")
    return out, warnings


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


__all__: list[Any] = ["read_age_profile", "read_district_lookup", "spread_profile"]
