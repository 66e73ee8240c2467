"""Reading one row of a housing-site file: aligning its cells, locating the site, its dwellings,
housing type and phasing (the build-out by financial year)."""

from __future__ import annotations

import math
import re

from estates.io import sniff
from estates.io.housing_terms import TRUE_WORDS, TYPE_PATTERNS, TYPE_SYNONYMS, ReadContext, SiteRow
from estates.model import HOUSING_TYPES


def _align(number: int, cells: list[str], header: list[str], ctx: ReadContext
           ) -> list[str] | str:
    """Make a row as long as the header, repairing an unquoted comma in a text cell."""
    n = len(header)
    if len(cells) == n:
        return cells
    if len(cells) < n:
        ctx.fixes[f"fewer cells than the header ({n}); missing cells read as empty"].append(number)
        return cells + [""] * (n - len(cells))
    extra = len(cells) - n
    if not any(cells[n:]):
        ctx.fixes["empty cells beyond the last column ignored"].append(number)
        return cells[:n]
    # An address like `Land off Bridgeside, St Annes` written without quotes splits into two
    # cells; try joining the surplus into each free-text column and keep the first repair
    # whose numeric columns then parse.
    for fld in ("address", "name", "description", "notes"):
        m = ctx.columns.get(fld)
        if m is None:
            continue
        i = m.index
        merged = cells[:i] + [", ".join(cells[i:i + extra + 1])] + cells[i + extra + 1:]
        if _numbers_parse(merged, ctx):
            ctx.fixes[f"more cells than the header; surplus cells joined into column "
                      f"{m.header!r}"].append(number)
            return merged
    return (f"row has {len(cells)} cells but the header has {n} columns and no repair fits: "
            "quote text that contains the delimiter")


def _numbers_parse(cells: list[str], ctx: ReadContext) -> bool:
    fields: list[str] = [f for f in ("easting", "northing", "latitude", "longitude")
                         if f in ctx.columns]
    fields += list(ctx.dwellings_order[:1])
    for f in fields:
        text = cells[ctx.columns[f].index]
        if text and sniff.parse_number(text, decimal_comma=ctx.decimal_comma) is None:
            return False
    if "point" in ctx.columns and cells[ctx.columns["point"].index]:
        return sniff.parse_wkt_point(cells[ctx.columns["point"].index]) is not None
    return True


def _cell(cells: list[str], ctx: ReadContext, fld: str) -> str:
    m = ctx.columns.get(fld)
    return cells[m.index] if m is not None else ""


def read_row(number: int, raw: list[str], header: list[str], ctx: ReadContext) -> SiteRow | str:
    if not any(raw):
        return "blank row (no values); delete it"
    aligned = _align(number, raw, header, ctx)
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

    dwellings = _dwellings(number, cells, ctx)
    if isinstance(dwellings, str):
        reasons.append(dwellings)

    housing = _housing_type(cells, ctx)
    if isinstance(housing, str):
        reasons.append(housing)

    if reasons:
        return "; ".join(reasons)
    assert not isinstance(located, str) and not isinstance(dwellings, str)
    assert not isinstance(housing, str)
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
                 description, trajectory)


def _locate(number: int, cells: list[str], ctx: ReadContext) -> sniff.Located | str:
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
        found = sniff.decide_point(a, b, role=role)
        if found is None:
            problems.append(f"coordinates {ta}, {tb} in columns {where} are not in England as "
                            "BNG metres or WGS84 degrees, even swapped: correct them")
            continue
        return _note_point(number, found, role, where, cells, ctx)
    if "point" in cols:
        text = cells[cols["point"].index]
        if text:
            xy = sniff.parse_wkt_point(text)
            if xy is None:
                problems.append(f"column {cols['point'].header!r} value {text[:60]!r} is not a "
                                "WKT POINT(x y)")
            else:
                found = sniff.decide_point(xy[0], xy[1], role="xy")
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


def _note_point(number: int, found: sniff.Located, role: str, where: str, cells: list[str],
                ctx: ReadContext) -> sniff.Located:
    if found.fix:
        ctx.fixes[f"{found.fix} in columns {where} (fixed)"].append(number)
    label = _cell(cells, ctx, "crs")
    claim = sniff.crs_claim(label)
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


def _dwellings(number: int, cells: list[str], ctx: ReadContext) -> float | None | str:
    """The row's dwellings from the first filled column in the chosen order; None if none."""
    for fld in ctx.dwellings_order:
        text = cells[ctx.columns[fld].index]
        if not text:
            continue
        header = ctx.columns[fld].header
        value = sniff.parse_number(text, decimal_comma=ctx.decimal_comma)
        if value is None:
            return f"column {header!r} value {text!r} is not a number of dwellings"
        if value < 0:
            return f"column {header!r} value {text!r} is negative: dwellings must be 0 or more"
        if fld != ctx.dwellings_order[0]:
            ctx.fixes[f"{ctx.columns[ctx.dwellings_order[0]].header!r} empty; dwellings taken "
                      f"from {header!r}"].append(number)
        if value == 0:
            ctx.fixes["zero dwellings (accepted; the site adds no patients)"].append(number)
        return value
    if ctx.year_columns:
        return None  # the trajectory gives the total
    names = ", ".join(repr(ctx.columns[f].header) for f in ctx.dwellings_order)
    return f"no dwellings: {names or 'no dwellings column'} empty; give the number of homes"


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


def _phasing(number: int, cells: list[str], ctx: ReadContext, dwellings: float | None
             ) -> tuple[str, dict[int, float], float] | str:
    """The row's trajectory: its year columns, else start_year/build_rate, else the default."""
    years: dict[int, float] = {}
    for year, i in sorted(ctx.year_columns.items()):
        text = cells[i] if i < len(cells) else ""
        if not text:
            continue
        value = sniff.parse_number(text, decimal_comma=ctx.decimal_comma)
        if value is None or value < 0:
            return (f"column {ctx_header(ctx, i)!r} value {text!r} is not a number of "
                    "completions (0 or more)")
        if value:
            years[year] = value
    if years or (ctx.year_columns and dwellings is None):
        total = float(sum(years.values()))
        if dwellings is None:
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
            parsed = sniff.parse_number(rate_text, decimal_comma=ctx.decimal_comma)
            if parsed is None or parsed <= 0:
                return (f"column {ctx.columns['build_rate'].header!r} value {rate_text!r} is "
                        "not a positive number of dwellings per year")
            rate = parsed
        else:
            ctx.fixes[f"build_rate empty; {_num(rate)} dwellings a year assumed "
                      "(HousingOptions.phasing_build_rate)"].append(number)
        return "start_year", build_out(dwellings, start, rate), dwellings
    deliverable = _cell(cells, ctx, "deliverable").strip().lower() in TRUE_WORDS
    offset = (ctx.options.phasing_deliverable_start_offset if deliverable
              else ctx.options.phasing_other_start_offset)
    kind = "deliverable" if deliverable else "not marked deliverable"
    ctx.fixes[f"no trajectory; phased by default ({kind}: from {ctx.base_year + offset}, "
              f"{_num(ctx.options.phasing_build_rate)} a year)"].append(number)
    return "default", build_out(dwellings, ctx.base_year + offset,
                                ctx.options.phasing_build_rate), dwellings


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
    """
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


