"""Reading one row of a housing-site file: aligning its cells, locating the site, its dwellings,
housing type and phasing (the build-out by financial year)."""

from __future__ import annotations

import math
import re

from estates.errors import InputError
from estates.io import coords, sniff
from estates.io.housing_cells import LEADING_COUNT, align, count_value
from estates.io.housing_terms import (
    COUNT_IN_TEXT,
    MAX_BUILD_YEARS,
    MAX_DWELLINGS_PER_SITE,
    MIN_BUILD_RATE,
    TRUE_WORDS,
    TYPE_PATTERNS,
    TYPE_SYNONYMS,
    ReadContext,
    SiteRow,
)
from estates.model import HOUSING_TYPES


def _cell(cells: list[str], ctx: ReadContext, fld: str) -> str:
    m = ctx.columns.get(fld)
    return cells[m.index] if m is not None else ""


def read_row(number: int, raw: list[str], header: list[str], ctx: ReadContext) -> SiteRow | str:
    if not any(raw):
        return "blank row (no values); delete it"
    aligned = align(number, raw, ctx)
    if isinstance(aligned, str):
        return aligned
    cells = aligned
    reasons: list[str] = []

    site_ref = _cell(cells, ctx, "site_ref")
    if "site_ref" not in ctx.columns:
        site_ref = f"row-{number}"
        ctx.fixes["no site reference column; references made from the row number"].append(
            number)
    elif not site_ref:
        reasons.append(f"column {ctx.columns['site_ref'].header!r} is empty: give the site a "
                       "reference")

    located = _locate(number, cells, ctx)
    if isinstance(located, str):
        reasons.append(located)

    counted = _dwellings(number, cells, ctx)
    if isinstance(counted, str):
        reasons.append(counted)

    housing = _housing_type(cells, ctx)
    if isinstance(housing, str):
        reasons.append(housing)

    if reasons:
        return "; ".join(reasons)
    assert not isinstance(located, str) and not isinstance(counted, str)
    assert not isinstance(housing, str)
    dwellings, source = counted if counted is not None else (None, "trajectory")
    phased = _phasing(number, cells, ctx, dwellings)
    if isinstance(phased, str):
        return phased
    phasing, trajectory, dwellings = phased

    name = _cell(cells, ctx, "name")
    address = _cell(cells, ctx, "address")
    # The planning data platform's `name` often repeats the reference; the address names it.
    if address and (not name or name == site_ref):
        name = address
    if not name:
        name = site_ref
    description = " ".join(t for t in (_cell(cells, ctx, "description"),
                                       _cell(cells, ctx, "notes")) if t)
    return SiteRow(number, site_ref, name, located, dwellings, housing[0], housing[1], phasing,
                   description, trajectory, source)


def _locate(number: int, cells: list[str], ctx: ReadContext) -> coords.Located | str:
    """Decide a row's point from whichever location columns it has filled in."""
    attempts: list[tuple[str, str, str, str]] = []  # role, text a, text b, columns
    cols = ctx.columns
    if "easting" in cols and "northing" in cols:
        attempts.append(("xy", cells[cols["easting"].index], cells[cols["northing"].index],
                         f"{cols['easting'].header!r}/{cols['northing'].header!r}"))
    if "latitude" in cols and "longitude" in cols:
        attempts.append(("latlon", cells[cols["latitude"].index],
                         cells[cols["longitude"].index],
                         f"{cols['latitude'].header!r}/{cols['longitude'].header!r}"))
    problems: list[str] = []
    for role, ta, tb, where in attempts:
        if not ta and not tb:
            continue
        a = sniff.parse_number(ta, decimal_comma=ctx.decimal_comma)
        b = sniff.parse_number(tb, decimal_comma=ctx.decimal_comma)
        if a is None or b is None:
            problems.append(f"columns {where} hold {ta!r}, {tb!r}, which are not a pair of "
                            "numbers")
            continue
        found = coords.decide_point(a, b, role=role)
        if found is None:
            problems.append(f"coordinates {ta}, {tb} in columns {where} are not in England as "
                            "BNG metres or WGS84 degrees, even swapped: correct them")
            continue
        return _note_point(number, found, role, where, cells, ctx)
    if "point" in cols:
        text = cells[cols["point"].index]
        if text:
            xy = coords.parse_wkt_point(text)
            if xy is None:
                problems.append(f"column {cols['point'].header!r} value {text[:60]!r} is not a "
                                "WKT POINT(x y)")
            else:
                found = coords.decide_point(xy[0], xy[1], role="xy")
                if found is None:
                    problems.append(f"point {text[:60]!r} in column {cols['point'].header!r} "
                                    "is not in England as WGS84 degrees or BNG metres")
                else:
                    where = repr(cols["point"].header)
                    return _note_point(number, found, "point", where, cells, ctx)
    if problems:
        return "; ".join(problems)
    names = [m.header for f, m in cols.items() if f in ("easting", "northing", "latitude",
                                                        "longitude", "point")]
    return ("no location: " + ", ".join(repr(n) for n in names) + " empty; give easting and "
            "northing (or latitude and longitude)")


def _note_point(number: int, found: coords.Located, role: str, where: str, cells: list[str],
                ctx: ReadContext) -> coords.Located:
    if found.fix:
        ctx.fixes[f"{found.fix} in columns {where} (fixed)"].append(number)
    label = _cell(cells, ctx, "crs")
    claim = coords.crs_claim(label)
    expected = claim or ("bng" if role == "xy" else "wgs84")
    if found.kind != expected:
        said = (f"the CRS column says {label!r}" if claim else
                f"columns {where} suggest {'BNG metres' if expected == 'bng' else 'WGS84'}")
        actual = "BNG eastings/northings" if found.kind == "bng" else "WGS84 degrees"
        ctx.fixes[f"{said} but the numbers are {actual}; read as {actual}"].append(number)
    elif label and claim is None:
        ctx.fixes[f"CRS label {label!r} not recognised; CRS decided from the numbers "
                  f"({'BNG' if found.kind == 'bng' else 'WGS84'})"].append(number)
    return found


def _dwellings(number: int, cells: list[str], ctx: ReadContext
               ) -> tuple[float, str] | None | str:
    """The row's dwellings and where they came from ('column', 'description', 'estimated'):
    the first filled column in the chosen order, else a count in the description, else the
    site area x the density option; None when the trajectory gives the total."""
    for fld in ctx.dwellings_order:
        text = cells[ctx.columns[fld].index]
        if not text:
            continue
        header = ctx.columns[fld].header
        value = count_value(text, header, ctx)
        if isinstance(value, str):
            return value
        if value is None:
            lead = LEADING_COUNT.fullmatch(text)
            value = count_value(lead.group(1), header, ctx) if lead else None
            if isinstance(value, str):
                return value
            if value is None:
                return f"column {header!r} value {text!r} is not a number of dwellings"
            ctx.fixes[f"column {header!r} holds a number followed by words (as in '45 "
                      "lapsed.'); the number was taken as the dwellings"].append(number)
        problem = _implausible(value, header, text)
        if problem:
            return problem
        if fld != ctx.dwellings_order[0]:
            ctx.fixes[f"{ctx.columns[ctx.dwellings_order[0]].header!r} empty; dwellings taken "
                      f"from {header!r}"].append(number)
        _note_count(number, value, ctx)
        return value, "column"
    if ctx.year_columns:
        return None  # the trajectory gives the total
    return _dwellings_elsewhere(number, cells, ctx)


def _implausible(value: float, header: str, text: str) -> str:
    if value < 0:
        return f"column {header!r} value {text!r} is negative: dwellings must be 0 or more"
    if value > MAX_DWELLINGS_PER_SITE:
        return (f"column {header!r} value {text!r}: more than {MAX_DWELLINGS_PER_SITE:,} "
                "dwellings on one site is not plausible (England's largest new towns plan about "
                "15,000): check the figure")
    return ""


def _note_count(number: int, value: float, ctx: ReadContext) -> None:
    if value == 0:
        ctx.fixes["zero dwellings (accepted; the site adds no patients)"].append(number)
    elif not float(value).is_integer():
        ctx.fixes["dwellings not a whole number (kept as given; check the figure)"].append(number)


def _dwellings_elsewhere(number: int, cells: list[str], ctx: ReadContext
                         ) -> tuple[float, str] | str:
    """No dwellings column filled: a count in the description, else an estimate from area."""
    names = ", ".join(repr(ctx.columns[f].header) for f in ctx.dwellings_order)
    empty = f"{names} empty" if names else "no dwellings column"
    for fld in ("description", "notes"):
        text = _cell(cells, ctx, fld)
        counts = sorted({int(m.group(1).replace(",", "")) for m in COUNT_IN_TEXT.finditer(text)})
        if len(counts) > 1:
            return (f"no dwellings: {empty}, and the {ctx.columns[fld].header!r} column "
                    f"mentions several counts ({', '.join(map(str, counts))}): give the number "
                    "of homes")
        if counts:
            problem = _implausible(float(counts[0]), ctx.columns[fld].header, text[:60])
            if problem:
                return problem
            ctx.fixes[f"{empty}; dwellings read from the description "
                      f"(column {ctx.columns[fld].header!r}, flagged dwellings_source="
                      "'description')"].append(number)
            _note_count(number, counts[0], ctx)
            return float(counts[0]), "description"
    area_text = _cell(cells, ctx, "hectares")
    area = sniff.parse_number(area_text, decimal_comma=ctx.decimal_comma) if area_text else None
    density = ctx.options.estimate_density_dph
    if area is None or area <= 0:
        why = "no site area in hectares to estimate from" if "hectares" not in ctx.columns else (
            f"column {ctx.columns['hectares'].header!r} gives no site area to estimate from")
        return f"no dwellings: {empty}, none in the description, and {why}; give the number " \
            "of homes"
    if density is None:
        return (f"no dwellings: {empty} and none in the description; estimating from the site "
                "area is turned off (HousingOptions.estimate_density_dph): give the number of "
                "homes")
    value = float(max(1, round(area * density)))
    problem = _implausible(value, ctx.columns["hectares"].header, area_text)
    if problem:
        return problem
    ctx.fixes[f"{empty} and none in the description; dwellings estimated from the site area "
              f"(hectares x {density:g} dwellings per hectare, HousingOptions."
              "estimate_density_dph; flagged dwellings_source='estimated')"].append(number)
    return value, "estimated"


def _housing_type(cells: list[str], ctx: ReadContext) -> tuple[str, bool] | str:
    text = _cell(cells, ctx, "housing_type")
    if text:
        key = sniff.normalise_header(text)
        if key in TYPE_SYNONYMS:
            return TYPE_SYNONYMS[key], False
        return (f"column {ctx.columns['housing_type'].header!r} value {text!r} is not a housing "
                f"type: use one of {', '.join(HOUSING_TYPES)}")
    words = " ".join(_cell(cells, ctx, f) for f in ("description", "notes", "name", "address"))
    for kind, pattern in TYPE_PATTERNS:
        if pattern.search(words):
            return kind, True
    return "general", False


def _year_cells(cells: list[str], ctx: ReadContext) -> dict[int, tuple[str, str]] | str:
    """Financial year -> (header, text) of its filled cell; a conflict when two columns name
    the same year (``2026/27`` and ``2026-27``) and both are filled with different numbers."""
    out: dict[int, tuple[str, str]] = {}
    for year, i in sorted(ctx.year_columns.items()):
        filled = [(ctx.header[k], cells[k]) for k in ctx.year_duplicates.get(year, [i])
                  if k < len(cells) and cells[k]]
        values = {sniff.parse_number(t, decimal_comma=ctx.decimal_comma) for _, t in filled}
        if len(filled) > 1 and len(values) > 1:
            shown = " and ".join(f"{h!r} = {t!r}" for h, t in filled)
            return (f"columns {shown} both name the financial year {year}/{(year + 1) % 100:02d} "
                    "with different completions: keep one of the two columns")
        if filled:
            out[year] = filled[0]
    return out


def _phasing(number: int, cells: list[str], ctx: ReadContext, dwellings: float | None
             ) -> tuple[str, dict[int, float], float] | str:
    """The row's trajectory: its year columns, else start_year/build_rate, else the default."""
    years: dict[int, float] = {}
    year_cells = _year_cells(cells, ctx)
    if isinstance(year_cells, str):
        return year_cells
    for year, (header, text) in year_cells.items():
        value = count_value(text, header, ctx, "completions")
        if isinstance(value, str):
            return value
        if value is None or value < 0 or value > MAX_DWELLINGS_PER_SITE:
            return (f"column {header!r} value {text!r} is not a number of completions (0 to "
                    f"{MAX_DWELLINGS_PER_SITE:,} on one site)")
        if value:
            years[year] = value
    if years or (ctx.year_columns and dwellings is None):
        total = float(sum(years.values()))
        if total > MAX_DWELLINGS_PER_SITE:
            return (f"the trajectory sums to {_num(total)} dwellings: more than "
                    f"{MAX_DWELLINGS_PER_SITE:,} on one site is not plausible; check the figures")
        if dwellings is None:
            if total and not total.is_integer():
                ctx.fixes["dwellings not a whole number (kept as given; check the figure)"
                          ].append(number)
            return "trajectory", years, total
        if not math.isclose(total, dwellings, rel_tol=0, abs_tol=1e-6):
            ctx.row_warnings.append(
                f"row {number}: the trajectory sums to {_num(total)} but dwellings is "
                f"{_num(dwellings)}; the trajectory is kept")
        return "trajectory", years, dwellings
    assert dwellings is not None
    start_text = _cell(cells, ctx, "start_year")
    if start_text:
        start = _parse_start_year(start_text)
        if start is None:
            return (f"column {ctx.columns['start_year'].header!r} value {start_text!r} is not a "
                    "year: write 2028 or 2028/29 for the year first homes complete")
        rate_text = _cell(cells, ctx, "build_rate")
        rate = ctx.options.phasing_build_rate
        if rate_text:
            header = ctx.columns["build_rate"].header
            parsed = count_value(rate_text, header, ctx, "dwellings a year")
            if isinstance(parsed, str):
                return parsed
            if parsed is None or parsed < MIN_BUILD_RATE:
                return (f"column {header!r} value {rate_text!r} is not a build rate of at "
                        f"least {MIN_BUILD_RATE:g} dwelling a year")
            rate = parsed
        else:
            ctx.fixes[f"build_rate empty; {_num(rate)} dwellings a year assumed "
                      "(HousingOptions.phasing_build_rate)"].append(number)
        too_long = _too_long(dwellings, rate, "build_rate" if rate_text else
                             "HousingOptions.phasing_build_rate")
        if too_long:
            return too_long
        return "start_year", build_out(dwellings, start, rate), dwellings
    deliverable = _cell(cells, ctx, "deliverable").strip().lower() in TRUE_WORDS
    offset = (ctx.options.phasing_deliverable_start_offset if deliverable
              else ctx.options.phasing_other_start_offset)
    kind = "deliverable" if deliverable else "not marked deliverable"
    rate = ctx.options.phasing_build_rate
    if _too_long(dwellings, rate, ""):
        # The default rate is an assumption for a typical site; a very large one is spread
        # over the longest build-out accepted rather than centuries (or refused).
        rate = dwellings / MAX_BUILD_YEARS
        ctx.fixes[f"no trajectory and too large for the default rate "
                  f"({_num(ctx.options.phasing_build_rate)} a year would take more than "
                  f"{MAX_BUILD_YEARS} years); phased evenly over {MAX_BUILD_YEARS} years from "
                  f"{ctx.base_year + offset}: give a trajectory"].append(number)
    else:
        ctx.fixes[f"no trajectory; phased by default ({kind}: from {ctx.base_year + offset}, "
                  f"{_num(rate)} a year)"].append(number)
    return "default", build_out(dwellings, ctx.base_year + offset, rate), dwellings


def _too_long(dwellings: float, rate: float, which: str) -> str:
    years = math.ceil(dwellings / rate - 1e-9)
    if years <= MAX_BUILD_YEARS:
        return ""
    return (f"{_num(dwellings)} dwellings at {_num(rate)} a year ({which}) take {years:,} years "
            f"to build, more than {MAX_BUILD_YEARS}: give a higher build rate")


def ctx_header(ctx: ReadContext, index: int) -> str:
    for year, i in ctx.year_columns.items():
        if i == index:
            return f"{year}/{(year + 1) % 100:02d}"
    return str(index)


def _parse_start_year(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[/\-]\s*(\d{2}|\d{4}))?\s*", text)
    if m:
        year = int(m.group(1))
    else:
        day = sniff.parse_date(text)
        if day is None:
            value = sniff.parse_number(text)
            if value is None or not float(value).is_integer():
                return None
            year = int(value)
        else:
            year = sniff.financial_year_of(day)
    return year if 1990 <= year <= 2100 else None


def build_out(dwellings: float, start_year: int, rate: float) -> dict[int, float]:
    """Completions per year: ``rate`` a year from ``start_year`` until ``dwellings`` are built.

    The last year holds the remainder, so the trajectory sums to ``dwellings`` exactly.

    Raises
    ------
    InputError
        The build-out would take more than ``MAX_BUILD_YEARS`` (a rate of 1e-20 would never end).
    """
    if not (math.isfinite(dwellings) and math.isfinite(rate) and rate > 0) or (
            math.ceil(dwellings / rate - 1e-9) > MAX_BUILD_YEARS):
        raise InputError(f"{_num(dwellings)} dwellings at {rate:g} a year would take more than "
                         f"{MAX_BUILD_YEARS} years to build: give a build rate of at least "
                         f"{dwellings / MAX_BUILD_YEARS:.1f} a year")
    out: dict[int, float] = {}
    left, year = float(dwellings), start_year
    while left > 1e-9:
        step = min(rate, left)
        out[year] = step
        left -= step
        year += 1
    return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


