"""Readers of the national NHS and ONS files a region is assembled from.

Each reader validates the published layout (METHODS.md section 6) and returns a
``NationalImport``: a clean table in the project's column names, the rows it could not use
with a reason, and warnings, so that like the housing reader nothing is lost in silence.
A file that is not the expected layout at all raises ``InputError`` naming the file, the
columns expected and the columns found.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from estates.errors import InputError
from estates.io import sniff
from estates.model import AGE_BANDS, CRS, RUC21_CLASS, SITE_KINDS


@dataclass
class NationalImport:
    """What a national-file reader returns.

    ``table`` uses the project's column names; ``rejected`` has columns row (1-based data
    row) and reason; ``rows_read == len(used rows) + len(rejected)`` where a reader that
    aggregates rows (patients by age) says so in its docstring.
    """

    filename: str
    rows_read: int
    table: pd.DataFrame
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"row": pd.Series(dtype="int64"),
                                              "reason": pd.Series(dtype="object")}))
    warnings: list[str] = field(default_factory=list)


def _rejected(items: list[tuple[int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(sorted(items), columns=["row", "reason"])
    frame["row"] = frame["row"].astype("int64")
    return frame


def _table(source: str | Path | bytes, filename: str | None, *, header: bool = True
           ) -> sniff.Table:
    data, name = sniff.load_source(source, filename)
    if header:
        return sniff.read_table(data, name)
    # epraccur has no header row: every line is data.
    if not data.strip():
        raise InputError(f"{name}: the file is empty. Download it again from its publisher.")
    text, encoding = sniff.decode_text(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"{name}: cannot be read as CSV ({exc}).") from None
    return sniff.Table(name, [], [[c.strip() for c in r] for r in rows if any(r)], encoding)


def _require(table: sniff.Table, synonyms: Mapping[str, Sequence[str]], required: Sequence[str],
             what: str) -> dict[str, int]:
    found = sniff.match_columns(table.header, synonyms)
    missing = [f for f in required if f not in found]
    if missing:
        shown = ", ".join(repr(h) for h in table.header[:30])
        raise InputError(
            f"{table.filename}: not {what}: no column for {', '.join(missing)}. "
            f"Columns found: {shown}. Download the file again from its publisher, unchanged.")
    return {f: m.index for f, m in found.items()}


def _cells(row: list[str], n: int) -> list[str]:
    return row + [""] * (n - len(row)) if len(row) < n else row


def _number(text: str) -> float | None:
    return sniff.parse_number(text)


def _norm_code(text: str) -> str:
    return text.strip().upper()


def normalise_postcode(text: str) -> str:
    """``'tn13 1aa'`` or ``'TN131AA'`` -> ``'TN13 1AA'`` (the ONSPD ``pcds`` form)."""
    t = re.sub(r"\s+", "", text.upper())
    return f"{t[:-3]} {t[-3:]}" if len(t) >= 5 else t


# ------------------------------------------------------------------- NHS Digital patients


_PATIENT_TOTALS = {
    "code": ("code", "practicecode", "orgcode"),
    "type": ("type", "orgtype"),
    "postcode": ("postcode",),
    "sex": ("sex",),
    "age": ("age",),
    "patients": ("numberofpatients",),
}


def read_patients_totals(source: str | Path | bytes, *, filename: str | None = None
                         ) -> NationalImport:
    """NHS Digital *Patients Registered at a GP Practice*, ``gp-reg-pat-prac-all.csv``.

    Uses rows with TYPE ``GP``, SEX ``ALL`` and AGE ``ALL`` (the practice totals). Other
    rows (sub-ICB totals, by-sex or by-age rows, if present) are reported in ``rejected`` with
    why they were not used. Returns practice_code, postcode, list_size.
    """
    table = _table(source, filename)
    col = _require(table, _PATIENT_TOTALS, ["code", "patients"],
                   "an NHS Digital gp-reg-pat-prac-all.csv")
    records, rejected = [], []
    n = len(table.header)
    for i, raw in enumerate(table.rows, start=1):
        row = _cells(raw, n)
        kind = row[col["type"]].upper() if "type" in col else "GP"
        sex = row[col["sex"]].upper() if "sex" in col else "ALL"
        age = row[col["age"]].upper() if "age" in col else "ALL"
        if kind != "GP" or sex != "ALL" or age != "ALL":
            rejected.append((i, f"not a practice total (TYPE {kind!r}, SEX {sex!r}, AGE "
                                f"{age!r}); only GP/ALL/ALL rows are used"))
            continue
        patients = _number(row[col["patients"]])
        if patients is None or patients < 0:
            rejected.append((i, f"column NUMBER_OF_PATIENTS value {row[col['patients']]!r} is "
                                "not a count of patients"))
            continue
        records.append({"practice_code": _norm_code(row[col["code"]]),
                        "postcode": normalise_postcode(row[col["postcode"]])
                        if "postcode" in col else "",
                        "list_size": patients, "_row": i})
    frame, dups = _dedupe(records, "practice_code")
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected + dups))


def _dedupe(records: list[dict[str, Any]], key: str) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    first: dict[str, int] = {}
    kept, dups = [], []
    for rec in records:
        k = rec[key]
        if k in first:
            dups.append((rec["_row"], f"duplicate {key} {k!r}: first given on row {first[k]}"))
            continue
        first[k] = rec["_row"]
        kept.append({c: v for c, v in rec.items() if c != "_row"})
    frame = pd.DataFrame(kept)
    if len(frame):
        frame = frame.set_index(key, drop=False)
        frame.index.name = None
    return frame, dups


_FIVE_YEAR = {
    "code": ("orgcode", "code", "practicecode"),
    "org_type": ("orgtype", "type"),
    "sex": ("sex",),
    "age": ("agegroup5", "agegroup"),
    "patients": ("numberofpatients",),
}


def five_year_band(label: str) -> str | None:
    """Our age band for an NHS Digital five-year group (``'5_9'``, ``'85_89'``, ``'95+'``)."""
    t = label.strip().upper().replace("-", "_").replace(" ", "")
    m = re.fullmatch(r"(\d+)(?:_(\d+)|\+|PLUS|_?AND_?OVER)", t)
    if not m:
        return None
    low = int(m.group(1))
    high = int(m.group(2)) if m.group(2) else None
    bounds = [(0, 4, "0_4"), (5, 14, "5_14"), (15, 44, "15_44"), (45, 64, "45_64"),
              (65, 74, "65_74"), (75, 84, "75_84")]
    if low >= 85:
        return "85_plus"
    for lo, hi, band in bounds:
        if lo <= low <= hi and (high is None or high <= hi):
            return band
    return None


def read_patients_five_year(source: str | Path | bytes, *, filename: str | None = None
                            ) -> NationalImport:
    """NHS Digital registered patients in five-year age groups, summed into our bands.

    Uses MALE and FEMALE rows of GP practices (SEX ``ALL`` rows would double count; they are
    used only for practices with no by-sex rows). AGE_GROUP_5 ``ALL`` rows are checked
    against the sum and reported as not used. Returns practice_code, list_size, list_<band>.
    """
    table = _table(source, filename)
    col = _require(table, _FIVE_YEAR, ["code", "sex", "age", "patients"],
                   "an NHS Digital five-year-age registered patients file")
    n = len(table.header)
    parts: dict[tuple[str, str], dict[str, float]] = {}
    totals: dict[str, float] = {}
    rejected: list[tuple[int, str]] = []
    used_rows: dict[tuple[str, str], list[int]] = {}
    for i, raw in enumerate(table.rows, start=1):
        row = _cells(raw, n)
        if "org_type" in col and row[col["org_type"]].upper() not in ("GP", "GP_PRACTICE"):
            rejected.append((i, f"ORG_TYPE {row[col['org_type']]!r} is not a GP practice"))
            continue
        code, sex = _norm_code(row[col["code"]]), row[col["sex"]].upper()
        patients = _number(row[col["patients"]])
        if patients is None or patients < 0:
            rejected.append((i, f"NUMBER_OF_PATIENTS value {row[col['patients']]!r} is not a "
                                "count"))
            continue
        age = row[col["age"]]
        if age.upper() == "ALL":
            if sex == "ALL":
                totals[code] = patients
            rejected.append((i, "an all-ages total: used only to check the bands"))
            continue
        band = five_year_band(age)
        if band is None:
            rejected.append((i, f"AGE_GROUP_5 value {age!r} is not a five-year group like 5_9 "
                                "or 95+"))
            continue
        key = (code, "sexes" if sex in ("MALE", "FEMALE") else sex)
        parts.setdefault(key, dict.fromkeys(AGE_BANDS, 0.0))[band] += patients
        used_rows.setdefault(key, []).append(i)
    records = []
    for code in sorted({c for c, _ in parts}):
        chosen = "sexes" if (code, "sexes") in parts else "ALL"
        if (code, chosen) not in parts:
            continue
        bands = parts[(code, chosen)]
        other = "ALL" if chosen == "sexes" else "sexes"
        for r in used_rows.get((code, other), []):
            rejected.append((r, "by-sex and all-persons rows both given: the by-sex rows "
                                "are used"))
        records.append({"practice_code": code, "list_size": sum(bands.values()),
                         **{f"list_{b}": v for b, v in bands.items()}})
    frame = pd.DataFrame(records)
    warnings = []
    if len(frame):
        frame = frame.set_index("practice_code", drop=False)
        frame.index.name = None
        for code, total in totals.items():
            if code in frame.index and abs(frame.loc[code, "list_size"] - total) > 0.5:
                warnings.append(f"{code}: age groups sum to {frame.loc[code, 'list_size']:.0f} "
                                f"but the ALL row says {total:.0f}")
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected), warnings)


_BY_LSOA = {
    "code": ("practicecode",),
    "lsoa": ("lsoacode", "lsoa21cd", "lsoa2021code"),
    "sex": ("sex",),
    "patients": ("numberofpatients",),
}


def read_patients_by_lsoa(source: str | Path | bytes, *, filename: str | None = None
                          ) -> NationalImport:
    """NHS Digital registered patients by practice and LSOA (SEX ``ALL`` rows, or both sexes).

    Returns a long table practice_code, zone_code, patients.
    """
    table = _table(source, filename)
    col = _require(table, _BY_LSOA, ["code", "lsoa", "patients"],
                   "an NHS Digital patients-by-LSOA file")
    n = len(table.header)
    sums: dict[tuple[str, str], float] = {}
    rejected = []
    sexes = {(_cells(r, n)[col["sex"]].upper() if "sex" in col else "ALL")
             for r in table.rows}
    use = {"ALL"} if "ALL" in sexes else {"MALE", "FEMALE"}
    for i, raw in enumerate(table.rows, start=1):
        row = _cells(raw, n)
        sex = row[col["sex"]].upper() if "sex" in col else "ALL"
        if sex not in use:
            rejected.append((i, f"SEX {sex!r} row not used: the ALL rows are"))
            continue
        patients = _number(row[col["patients"]])
        if patients is None or patients < 0:
            rejected.append((i, f"NUMBER_OF_PATIENTS value {row[col['patients']]!r} is not a "
                                "count"))
            continue
        key = (_norm_code(row[col["code"]]), _norm_code(row[col["lsoa"]]))
        sums[key] = sums.get(key, 0.0) + patients
    frame = pd.DataFrame([{"practice_code": p, "zone_code": z, "patients": v}
                          for (p, z), v in sorted(sums.items())],
                         columns=["practice_code", "zone_code", "patients"])
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected))


# ------------------------------------------------------------------- NHS ODS epraccur

EPRACCUR_COLUMNS = 27
_EPRACCUR_FIELDS = {0: "practice_code", 1: "practice_name", 9: "postcode", 10: "open_date",
                    11: "close_date", 12: "status", 14: "commissioner", 25: "setting"}


def read_epraccur(source: str | Path | bytes, *, filename: str | None = None
                  ) -> NationalImport:
    """NHS ODS ``epraccur.csv``: header-less, 27 columns; GP practices have setting 4.

    Active (status ``A``) GP practices (prescribing setting 4, 1-based column 26) are kept;
    other rows are in ``rejected`` with the reason (closed, other setting). Returns
    practice_code, practice_name, postcode, open_date.
    """
    table = _table(source, filename, header=False)
    if not table.rows:
        raise InputError(f"{table.filename}: the file has no rows. Download epraccur again "
                         "from NHS ODS.")
    widths = {len(r) for r in table.rows}
    if max(widths) < 26:
        raise InputError(f"{table.filename}: not an ODS epraccur file: rows have "
                         f"{max(widths)} columns, expected {EPRACCUR_COLUMNS} with no header. "
                         "Download epraccur.csv from NHS ODS (Organisation Data Service).")
    records, rejected = [], []
    for i, raw in enumerate(table.rows, start=1):
        row = _cells(raw, EPRACCUR_COLUMNS)
        rec = {name: row[idx].strip() for idx, name in _EPRACCUR_FIELDS.items()}
        if rec["setting"] != "4":
            rejected.append((i, f"prescribing setting (column 26) is {rec['setting']!r}, not 4 "
                                "(GP practice)"))
            continue
        if rec["status"].upper() != "A":
            rejected.append((i, f"status (column 13) is {rec['status']!r}, not A (active)"))
            continue
        day = sniff.parse_date(rec["open_date"]) if not rec["open_date"].isdigit() else \
            sniff.parse_date(f"{rec['open_date'][:4]}-{rec['open_date'][4:6]}-"
                             f"{rec['open_date'][6:8]}")
        records.append({"practice_code": _norm_code(rec["practice_code"]),
                        "practice_name": rec["practice_name"],
                        "postcode": normalise_postcode(rec["postcode"]),
                        "open_date": day, "_row": i})
    frame, dups = _dedupe(records, "practice_code")
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected + dups))


# ------------------------------------------------------------------- GP Workforce

_WORKFORCE_BANDS = {"0_4": "0TO4", "5_14": "5TO14", "15_44": "15TO44", "45_64": "45TO64",
                    "65_74": "65TO74", "75_84": "75TO84", "85_plus": "85PLUS"}


def read_gp_workforce(source: str | Path | bytes, *, filename: str | None = None
                      ) -> NationalImport:
    """NHS Digital GP Workforce practice-level CSV.

    Returns practice_code, list_size (TOTAL_PATIENTS), gp_fte (TOTAL_GP_FTE; NaN where
    not published) and list_<band> as MALE_PATIENTS_<band> + FEMALE_PATIENTS_<band>.
    """
    synonyms: dict[str, tuple[str, ...]] = {
        "code": ("praccode",), "patients": ("totalpatients",), "gp_fte": ("totalgpfte",)}
    for band, tag in _WORKFORCE_BANDS.items():
        synonyms[f"m_{band}"] = (f"malepatients{tag.lower()}",)
        synonyms[f"f_{band}"] = (f"femalepatients{tag.lower()}",)
    table = _table(source, filename)
    col = _require(table, synonyms, ["code", "patients"], "a GP Workforce practice CSV")
    has_bands = all(f"m_{b}" in col and f"f_{b}" in col for b in AGE_BANDS)
    n = len(table.header)
    records, rejected, warnings = [], [], []
    no_fte = []
    for i, raw in enumerate(table.rows, start=1):
        row = _cells(raw, n)
        total = _number(row[col["patients"]])
        if total is None or total < 0:
            rejected.append((i, f"TOTAL_PATIENTS value {row[col['patients']]!r} is not a count"))
            continue
        rec: dict[str, Any] = {"practice_code": _norm_code(row[col["code"]]),
                               "list_size": total, "_row": i}
        fte = _number(row[col["gp_fte"]]) if "gp_fte" in col else None
        rec["gp_fte"] = fte if fte is not None and fte >= 0 else float("nan")
        if fte is None:
            no_fte.append(i)
        if has_bands:
            bad = None
            for b in AGE_BANDS:
                m, f = _number(row[col[f"m_{b}"]]), _number(row[col[f"f_{b}"]])
                if m is None or f is None:
                    bad = b
                    break
                rec[f"list_{b}"] = m + f
            if bad is not None:
                rejected.append((i, f"patients aged {bad} are not numbers"))
                continue
            banded = sum(rec[f"list_{b}"] for b in AGE_BANDS)
            if abs(banded - total) > 0.5:
                warnings.append(f"row {i}: age bands sum to {banded:.0f} but TOTAL_PATIENTS "
                                f"is {total:.0f} (patients of unknown age or sex)")
        records.append(rec)
    if no_fte:
        warnings.append(f"TOTAL_GP_FTE not published (left empty): {sniff.rows_text(no_fte)}")
    frame, dups = _dedupe(records, "practice_code")
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected + dups),
                          warnings)


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
    col = _require(table, {"code": ("lsoa21cd", "lsoacode"), "name": ("lsoa21nm", "lsoaname")},
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
    return NationalImport(name, len(frame), out, _rejected(rejected), warnings)


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
    table = _table(source, filename)
    col = _require(table, {"code": ("lsoa2021code", "lsoa21cd", "lsoacode"),
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
        row = _cells(raw, n)
        bands = dict.fromkeys(AGE_BANDS, 0.0)
        bad = next((table.header[j] for j in ages if _number(row[j]) is None
                    or (_number(row[j]) or 0) < 0), None)
        if bad is not None:
            rejected.append((i, f"column {bad!r} value {row[table.header.index(bad)]!r} is not "
                                "a count of people"))
            continue
        for j, (_sex, age) in ages.items():
            bands[band_of_age(age)] += _number(row[j]) or 0.0
        rec: dict[str, Any] = {"zone_code": _norm_code(row[col["code"]]),
                               "zone_name": row[col["name"]] if "name" in col else "",
                               "_row": i}
        if "lad" in col:
            rec["lad_code"] = _norm_code(row[col["lad"]])
        rec.update({f"pop_{b}": v for b, v in bands.items()})
        if "total" in col:
            total = _number(row[col["total"]])
            if total is not None and abs(total - sum(bands.values())) > 0.5:
                warnings.append(f"row {i}: ages sum to {sum(bands.values()):.0f} but Total is "
                                f"{total:.0f}")
        records.append(rec)
    frame, dups = _dedupe(records, "zone_code")
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected + dups),
                          warnings)


def read_ruc(source: str | Path | bytes, *, filename: str | None = None) -> NationalImport:
    """ONS Rural-Urban Classification 2021 by LSOA: LSOA21CD, RUC21CD, RUC21NM, flag.

    Returns zone_code, ruc21, ruc21_name, urban_rural.
    """
    table = _table(source, filename)
    col = _require(table, {"code": ("lsoa21cd",), "ruc": ("ruc21cd",), "name": ("ruc21nm",),
                           "flag": ("urbanruralflag",)}, ["code", "ruc"],
                   "an ONS Rural-Urban Classification 2021 LSOA file")
    n = len(table.header)
    records, rejected = [], []
    for i, raw in enumerate(table.rows, start=1):
        row = _cells(raw, n)
        ruc = _norm_code(row[col["ruc"]])
        if ruc not in RUC21_CLASS:
            rejected.append((i, f"RUC21CD value {ruc!r} is not one of "
                                f"{', '.join(RUC21_CLASS)}"))
            continue
        records.append({"zone_code": _norm_code(row[col["code"]]), "ruc21": ruc,
                        "ruc21_name": row[col["name"]] if "name" in col else "",
                        "urban_rural": row[col["flag"]] if "flag" in col else "", "_row": i})
    frame, dups = _dedupe(records, "zone_code")
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected + dups))


def read_catchments(source: str | Path, *, filename: str | None = None) -> NationalImport:
    """Practice catchment polygons with a practice code column; they may overlap.

    Returns practice_code, geometry (EPSG:27700). Polygons of one practice are unioned.
    """
    frame, name, warnings = _read_vector(source, filename, "catchment polygons")
    table = sniff.Table(name, [str(c) for c in frame.columns], [])
    col = _require(table, {"code": ("practicecode", "praccode", "odscode", "orgcode",
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
    return NationalImport(name, len(frame), part, _rejected(rejected), warnings)


# ------------------------------------------------------------------- places


def read_postcodes(source: str | Path | bytes, *, filename: str | None = None
                   ) -> NationalImport:
    """ONS Postcode Directory extract: pcds, oseast1m, osnrth1m, lat, long.

    Returns postcode (index, ``pcds`` form), easting, northing. Postcodes without a grid
    reference (ONSPD leaves them empty) are rejected.
    """
    table = _table(source, filename)
    col = _require(table, {"pcd": ("pcds", "pcd", "pcd2", "postcode"),
                           "e": ("oseast1m",), "n": ("osnrth1m",), "lat": ("lat",),
                           "lon": ("long", "lon")}, ["pcd", "e", "n"],
                   "an ONS Postcode Directory extract")
    n = len(table.header)
    records, rejected = [], []
    for i, raw in enumerate(table.rows, start=1):
        row = _cells(raw, n)
        e, nn = _number(row[col["e"]]), _number(row[col["n"]])
        if e is None or nn is None or not sniff.in_bng_england(e, nn):
            rejected.append((i, f"postcode {row[col['pcd']]!r} has no grid reference in England "
                                f"(oseast1m {row[col['e']]!r}, osnrth1m {row[col['n']]!r})"))
            continue
        records.append({"postcode": normalise_postcode(row[col["pcd"]]), "easting": e,
                        "northing": nn, "_row": i})
    frame, dups = _dedupe(records, "postcode")
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected + dups))


def _locate_rows(frame: pd.DataFrame, postcodes: pd.DataFrame | None, what: str,
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
            x, y = _number(row[col[a]]), _number(row[col[b]])
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
    table = _table(source, filename)
    col = _require(table, {
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
        row = _cells(raw, n)
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
        m2 = _number(row[col["m2"]]) if "m2" in col else None
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
    placed = _locate_rows(frame, postcodes, "library", rejected, rows)
    warnings = []
    if placed["available_m2"].isna().any():
        warnings.append("available_m2 (floor area a surgery could use) is not in the library "
                        f"dataset: fill it in for {int(placed['available_m2'].isna().sum())} "
                        "libraries before testing co-location")
    out = _points(placed.reset_index(drop=True))
    out.index = pd.Index(out["candidate_id"].tolist())
    return NationalImport(table.filename, len(table.rows), out, _rejected(rejected), warnings)


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
    table = _table(source, filename)
    col = _require(table, _ESTATES, ["code", "site_kind", "gia", "rooms"],
                   "a practice estates template (practice_code, site_name, site_kind, "
                   "parent_code, gia_m2, clinical_rooms, ...)")
    n = len(table.header)
    records, rejected = [], []
    for i, raw in enumerate(table.rows, start=1):
        row = _cells(raw, n)
        problems = []
        kind = row[col["site_kind"]].strip().lower()
        if kind not in SITE_KINDS:
            problems.append(f"site_kind {row[col['site_kind']]!r} is not main or branch")
        parent = _norm_code(row[col["parent"]]) if "parent" in col else ""
        if kind == "branch" and not parent:
            problems.append("a branch needs parent_code (its main site's practice_code)")
        values = {}
        for fld, name in (("gia", "gia_m2"), ("rooms", "clinical_rooms")):
            v = _number(row[col[fld]])
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
        year = _number(row[col["year"]]) if "year" in col else None
        fte = _number(row[col["gp_fte"]]) if "gp_fte" in col else None
        records.append({
            "practice_code": _norm_code(row[col["code"]]),
            "site_name": row[col["site_name"]] if "site_name" in col else "",
            "site_kind": kind, "parent_code": parent if kind == "branch" else "",
            **values,
            "building": row[col["building"]] if "building" in col else "",
            "year_built": year if year is not None else float("nan"),
            "gp_fte": fte if fte is not None else float("nan"),
            "postcode": normalise_postcode(row[col["postcode"]]) if "postcode" in col else "",
            "easting": xy[0], "northing": xy[1], "_row": i,
        })
    frame, dups = _dedupe(records, "practice_code")
    if len(frame):
        mains = set(frame.loc[frame["site_kind"] == "main", "practice_code"])
        orphans = frame[(frame["site_kind"] == "branch") & ~frame["parent_code"].isin(mains)]
        for code in orphans.index:
            rows = [r for r in records if r["practice_code"] == code]
            dups.append((int(rows[0]["_row"] or 0), f"branch {code}: parent_code "
                                          f"{frame.at[code, 'parent_code']!r} is not a main "
                                          "site in this file"))
        frame = frame.drop(index=orphans.index)
    return NationalImport(table.filename, len(table.rows), frame, _rejected(rejected + dups))


#: Reader name -> function, for the CLI and the assembler.
READERS: dict[str, Callable[..., NationalImport]] = {
    "patients": read_patients_totals,
    "patients_five_year": read_patients_five_year,
    "patients_by_lsoa": read_patients_by_lsoa,
    "epraccur": read_epraccur,
    "workforce": read_gp_workforce,
    "lsoa": read_lsoa_boundaries,
    "population": read_population_by_age,
    "ruc": read_ruc,
    "catchments": read_catchments,
    "libraries": read_libraries,
    "postcodes": read_postcodes,
    "estates": read_practice_estates,
}
