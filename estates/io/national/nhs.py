"""NHS Digital and ODS files: registered patients (totals, five-year ages, by LSOA), the ODS
practice list (epraccur) and the GP Workforce practice file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from estates.errors import InputError
from estates.io import coords, sniff
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
from estates.model import AGE_BANDS

# ------------------------------------------------------------------- NHS Digital patients


_PATIENT_TOTALS = {
    "code": ("code", "practicecode", "orgcode", "odscode"),
    "name": ("practicename", "odsname", "orgname", "name"),
    "type": ("type", "orgtype"),
    "postcode": ("postcode",),
    "sex": ("sex",),
    "age": ("age",),
    "patients": ("numberofpatients", "patients", "registeredpatients", "listsize"),
    "lat": ("latitude", "lat"), "lon": ("longitude", "long", "lon"),
}


def _grid_reference(row: list[str], col: dict[str, int]) -> dict[str, float]:
    # Republished practice lists often carry the practice's longitude and latitude: kept so
    # that region build can tell which practices lie in the region.
    if "lat" not in col or "lon" not in col:
        return {}
    lat, lon = parse_number(row[col["lat"]]), parse_number(row[col["lon"]])
    if lat is None or lon is None or not coords.in_wgs84_england(lat, lon):
        return {"easting": float("nan"), "northing": float("nan")}
    east, north = coords.wgs84_to_bng([lon], [lat])
    return {"easting": float(east[0]), "northing": float(north[0])}


def read_patients_totals(source: str | Path | bytes, *, filename: str | None = None
                         ) -> NationalImport:
    """NHS Digital *Patients Registered at a GP Practice*, ``gp-reg-pat-prac-all.csv``.

    Both headers are read: the CCG-era one (``CCG_CODE, ONS_CCG_CODE``, to 2022) and the
    sub-ICB one (``SUB_ICB_LOCATION_CODE, ...``, 2022 on). A plain per-practice table with an
    ODS code and a patients column (``ODS_Code, ..., Patients``) is read too. Uses rows with TYPE ``GP``, SEX ``ALL`` and AGE ``ALL`` (the practice totals). Other
    rows (sub-ICB totals, by-sex or by-age rows, if present) are reported in ``rejected`` with
    why they were not used. Returns practice_code, postcode, list_size.
    """
    table = read_table(source, filename)
    col = require_columns(table, _PATIENT_TOTALS, ["code", "patients"],
                   "an NHS Digital gp-reg-pat-prac-all.csv")
    records, rejected = [], []
    n = len(table.header)
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        kind = row[col["type"]].upper() if "type" in col else "GP"
        sex = row[col["sex"]].upper() if "sex" in col else "ALL"
        age = row[col["age"]].upper() if "age" in col else "ALL"
        if kind != "GP" or sex != "ALL" or age != "ALL":
            rejected.append((i, f"not a practice total (TYPE {kind!r}, SEX {sex!r}, AGE "
                                f"{age!r}); only GP/ALL/ALL rows are used"))
            continue
        patients = parse_number(row[col["patients"]])
        if patients is None or patients < 0:
            rejected.append((i, f"column NUMBER_OF_PATIENTS value {row[col['patients']]!r} is "
                                "not a count of patients"))
            continue
        records.append({"practice_code": norm_code(row[col["code"]]),
                        "postcode": normalise_postcode(row[col["postcode"]])
                        if "postcode" in col else "",
                        "practice_name": row[col["name"]] if "name" in col else "",
                        "list_size": patients, "_row": i,
                        **_grid_reference(row, col)})
    frame, dups = dedupe(records, "practice_code")
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups))



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
    table = read_table(source, filename)
    col = require_columns(table, _FIVE_YEAR, ["code", "sex", "age", "patients"],
                   "an NHS Digital five-year-age registered patients file")
    n = len(table.header)
    parts: dict[tuple[str, str], dict[str, float]] = {}
    totals: dict[str, float] = {}
    rejected: list[tuple[int, str]] = []
    used_rows: dict[tuple[str, str], list[int]] = {}
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        if "org_type" in col and row[col["org_type"]].upper() not in ("GP", "GP_PRACTICE"):
            rejected.append((i, f"ORG_TYPE {row[col['org_type']]!r} is not a GP practice"))
            continue
        code, sex = norm_code(row[col["code"]]), row[col["sex"]].upper()
        patients = parse_number(row[col["patients"]])
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
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected), warnings)


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
    table = read_table(source, filename)
    col = require_columns(table, _BY_LSOA, ["code", "lsoa", "patients"],
                   "an NHS Digital patients-by-LSOA file")
    n = len(table.header)
    sums: dict[tuple[str, str], float] = {}
    rejected = []
    sexes = {(padded_cells(r, n)[col["sex"]].upper() if "sex" in col else "ALL")
             for r in table.rows}
    use = {"ALL"} if "ALL" in sexes else {"MALE", "FEMALE"}
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        sex = row[col["sex"]].upper() if "sex" in col else "ALL"
        if sex not in use:
            rejected.append((i, f"SEX {sex!r} row not used: the ALL rows are"))
            continue
        patients = parse_number(row[col["patients"]])
        if patients is None or patients < 0:
            rejected.append((i, f"NUMBER_OF_PATIENTS value {row[col['patients']]!r} is not a "
                                "count"))
            continue
        key = (norm_code(row[col["code"]]), norm_code(row[col["lsoa"]]))
        sums[key] = sums.get(key, 0.0) + patients
    frame = pd.DataFrame([{"practice_code": p, "zone_code": z, "patients": v}
                          for (p, z), v in sorted(sums.items())],
                         columns=["practice_code", "zone_code", "patients"])
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected))


# ------------------------------------------------------------------- NHS ODS epraccur

EPRACCUR_COLUMNS = 27
_EPRACCUR_FIELDS = {0: "practice_code", 1: "practice_name", 9: "postcode", 10: "open_date",
                    11: "close_date", 12: "status", 14: "commissioner", 25: "setting"}
#: Column 26 of a GP practice: prescribing setting 4 (layout to 2020), role RO76 (today's).
_GP_SETTINGS = {"4": "prescribing setting 4", "RO76": "role RO76"}
#: Column 13 in either layout: A/C/D/P (to 2020) or ACTIVE/INACTIVE/DORMANT/PROPOSED (today).
_EPRACCUR_STATUS = {"A": "active", "ACTIVE": "active", "C": "closed", "INACTIVE": "closed",
                    "CLOSED": "closed", "D": "dormant", "DORMANT": "dormant", "P": "proposed",
                    "PROPOSED": "proposed"}


def _ods_date(text: str) -> Any:
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    return sniff.parse_date(text) if text else None


def read_epraccur(source: str | Path | bytes, *, filename: str | None = None,
                  include_inactive: bool = False) -> NationalImport:
    """NHS ODS ``epraccur.csv``: header-less, 27 columns, in either published layout.

    GP practices are the rows whose 1-based column 26 is prescribing setting ``4`` (the
    layout to 2020, status ``A``/``C``/``D``/``P`` in column 13) or role code ``RO76``
    (today's layout, status ``ACTIVE``/``INACTIVE``/``DORMANT``). Active GP practices are
    kept; other rows are in ``rejected`` with the reason. With ``include_inactive`` closed,
    dormant and proposed GP practices are kept too (region build names them). Returns
    practice_code, practice_name, postcode, open_date, close_date, status (active, closed,
    dormant or proposed).
    """
    table = read_table(source, filename, header=False)
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
        row = padded_cells(raw, EPRACCUR_COLUMNS)
        rec = {name: row[idx].strip() for idx, name in _EPRACCUR_FIELDS.items()}
        if rec["setting"].upper() not in _GP_SETTINGS:
            rejected.append((i, f"column 26 is {rec['setting']!r}: not a GP practice "
                                "(prescribing setting 4, or role RO76 in today's layout)"))
            continue
        status = _EPRACCUR_STATUS.get(rec["status"].upper())
        if status is None:
            rejected.append((i, f"status (column 13) {rec['status']!r} is not one of A, C, D, "
                                "P or ACTIVE, INACTIVE, DORMANT, PROPOSED"))
            continue
        if status != "active" and not include_inactive:
            rejected.append((i, f"{status} (status {rec['status']!r} in column 13)"))
            continue
        records.append({"practice_code": norm_code(rec["practice_code"]),
                        "practice_name": rec["practice_name"],
                        "postcode": normalise_postcode(rec["postcode"]),
                        "open_date": _ods_date(rec["open_date"]),
                        "close_date": _ods_date(rec["close_date"]),
                        "status": status, "_row": i})
    frame, dups = dedupe(records, "practice_code")
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups))


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
    table = read_table(source, filename)
    col = require_columns(table, synonyms, ["code", "patients"], "a GP Workforce practice CSV")
    has_bands = all(f"m_{b}" in col and f"f_{b}" in col for b in AGE_BANDS)
    n = len(table.header)
    records, rejected, warnings = [], [], []
    no_fte = []
    for i, raw in enumerate(table.rows, start=1):
        row = padded_cells(raw, n)
        total = parse_number(row[col["patients"]])
        if total is None or total < 0:
            rejected.append((i, f"TOTAL_PATIENTS value {row[col['patients']]!r} is not a count"))
            continue
        rec: dict[str, Any] = {"practice_code": norm_code(row[col["code"]]),
                               "list_size": total, "_row": i}
        fte = parse_number(row[col["gp_fte"]]) if "gp_fte" in col else None
        rec["gp_fte"] = fte if fte is not None and fte >= 0 else float("nan")
        if fte is None:
            no_fte.append(i)
        if has_bands:
            bad = None
            for b in AGE_BANDS:
                m, f = parse_number(row[col[f"m_{b}"]]), parse_number(row[col[f"f_{b}"]])
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
    frame, dups = dedupe(records, "practice_code")
    return NationalImport(table.filename, len(table.rows), frame, rejected_frame(rejected + dups),
                          warnings)


