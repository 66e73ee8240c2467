"""Read housing sites (the project's template, brownfield land registers, trajectories).

One entry point, ``read_housing_sites``, sniffs the format from the header: the project's own
template (one column per financial year, or ``start_year`` and ``build_rate``), the Brownfield
Land Register 2017 standard and its later latitude/longitude variant, the national planning data
platform's kebab-case export, and the deviations real councils publish. Every input row is either
accepted (a point in EPSG:27700 with dwellings, a housing type and a trajectory) or rejected with a
reason; every correction becomes a warning naming the rows.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from estates.errors import InputError
from estates.io import sniff
from estates.model import CRS, HOUSING_TYPES, Growth

# Field -> normalised header synonyms, most preferred first (see sniff.normalise_header).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "site_ref": ("siteref", "sitereference", "reference", "lasiteref", "siteid", "sitecode",
                 "ref", "site", "shlaaref", "siterefno"),
    "name": ("name", "sitename"),
    "address": ("sitenameaddress", "siteaddress", "nameandaddressofsite", "sitenameandaddress",
                "address", "location", "sitelocation"),
    "easting": ("easting", "geox", "eastings", "x", "xcoordinate", "xcoord", "oseast1m"),
    "northing": ("northing", "geoy", "northings", "y", "ycoordinate", "ycoord", "osnrth1m"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "long", "lng"),
    "point": ("point", "wkt", "geometry", "geom"),
    "crs": ("coordinatereferencesystem", "coordinatesystem", "crs", "srs",
            "spatialreferencesystem"),
    "dwellings": ("dwellings", "netdwellings", "totaldwellings", "dwellingstotal", "homes",
                  "netunits", "totalunits"),
    "min_dwellings": ("minnetdwellings", "minimumnetdwellings", "mindwellings"),
    "max_dwellings": ("maxnetdwellings", "maximumnetdwellings", "maxdwellings"),
    "range_from": ("netdwellingsrangefrom", "dwellingsrangefrom", "rangefrom"),
    "range_to": ("netdwellingsrangeto", "dwellingsrangeto", "rangeto"),
    "housing_type": ("housingtype", "dwellingtype", "type"),
    "start_year": ("startyear", "firstcompletionyear", "firstyear"),
    "build_rate": ("buildrate", "annualbuildrate", "dwellingsperyear", "completionsperyear"),
    "description": ("description", "developmentdescription",
                    "descriptionofproposedhousingdevelopment", "proposeddevelopment",
                    "sitedescription"),
    "notes": ("notes", "siteinformation", "comments", "comment"),
    "deliverable": ("deliverable", "landdeliverable", "isdeliverable"),
}

#: Written housing types -> HOUSING_TYPES (keys normalised like headers).
TYPE_SYNONYMS: dict[str, str] = {
    "general": "general", "generalneeds": "general", "market": "general", "c3": "general",
    "retirement": "retirement", "retirementliving": "retirement", "agerestricted": "retirement",
    "sheltered": "retirement", "over55s": "retirement", "retirementvillage": "retirement",
    "extracare": "extra_care", "assistedliving": "extra_care",
    "carehome": "care_home", "nursinghome": "care_home", "residentialcare": "care_home",
    "c2": "care_home",
    "student": "student", "students": "student", "pbsa": "student",
    "studentaccommodation": "student",
}

# Description keywords -> housing type, checked in this order (the most specific first: an
# "extra care retirement village" is extra care; "C2" alone is taken as a care home).
_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("student", re.compile(r"\bstudents?\b|\bPBSA\b", re.IGNORECASE)),
    ("extra_care", re.compile(r"\bextra[\s-]?care\b|\bassisted[\s-]living\b", re.IGNORECASE)),
    ("care_home", re.compile(r"\bcare[\s-]homes?\b|\bnursing[\s-]homes?\b|\bresidential[\s-]care"
                             r"\b|\bC2\b", re.IGNORECASE)),
    ("retirement", re.compile(r"\bretirement\b|\bover[\s-]?55'?s?\b|\b55\s?\+|\bsheltered\b|"
                              r"\bage[\s-]restricted\b|\belderly\b|\bolder people\b|\bsenior",
                              re.IGNORECASE)),
)

_TRUE = {"yes", "y", "true", "t", "1", "deliverable"}

_JSON_ACCEPTED = ("row", "site_ref", "name", "lat", "lon", "easting", "northing", "dwellings",
                  "housing_type")


@dataclass(frozen=True)
class HousingOptions:
    """The user-visible, changeable choices of the housing reader.

    Attributes
    ----------
    dwellings_field
        Which count of homes to use when a file has several: ``"auto"`` (the template's
        ``dwellings`` column, else ``MinNetDwellings``, else ``NetDwellingsRangeFrom``),
        ``"minimum"`` (minimum, else range from), ``"maximum"`` (maximum, else range to) or
        ``"template"`` (only the template's column).
    phasing_deliverable_start_offset
        Register sites marked deliverable start completing this many years after the base year
        (the NPPF reads "deliverable" as within five years; a year to start is an *assumption*).
    phasing_other_start_offset
        Other register sites start this many years after the base year: after the five-year
        deliverable window (*assumption*, editable).
    phasing_build_rate
        Dwellings per year for sites without a trajectory or a build rate (*assumption*: a
        typical single-outlet rate; edit to local evidence).
    outlier_distance_km
        A site further than this from the median point of the file's sites (and further than
        six times the sites' median distance from it) is rejected as a likely typing error,
        such as a northing with a digit missing. None turns the check off. Only applied to
        files of five or more sites.
    """

    dwellings_field: str = "auto"
    phasing_deliverable_start_offset: int = 1
    phasing_other_start_offset: int = 6
    phasing_build_rate: float = 50.0
    outlier_distance_km: float | None = 40.0

    def __post_init__(self) -> None:
        problems = []
        if self.dwellings_field not in ("auto", "minimum", "maximum", "template"):
            problems.append(f"dwellings_field must be auto, minimum, maximum or template, not "
                            f"{self.dwellings_field!r}")
        if not (isinstance(self.phasing_build_rate, int | float)
                and math.isfinite(self.phasing_build_rate) and self.phasing_build_rate > 0):
            problems.append(f"phasing_build_rate must be a positive number of dwellings per "
                            f"year, not {self.phasing_build_rate!r}")
        for name in ("phasing_deliverable_start_offset", "phasing_other_start_offset"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 50:
                problems.append(f"{name} must be a whole number of years from 0 to 50, not "
                                f"{value!r}")
        if self.outlier_distance_km is not None and not (
                isinstance(self.outlier_distance_km, int | float)
                and self.outlier_distance_km > 0):
            problems.append(f"outlier_distance_km must be a positive number of km or None, not "
                            f"{self.outlier_distance_km!r}")
        if problems:
            raise InputError("housing options: " + "; ".join(problems))


@dataclass
class HousingImport:
    """The outcome of reading one housing-site file.

    ``accepted`` is a GeoDataFrame of points in EPSG:27700 indexed by ``site_ref`` with columns
    row (1-based data row), site_ref, name, easting, northing, lat, lon, dwellings,
    housing_type, housing_type_inferred, phasing ('trajectory', 'start_year' or 'default'),
    description. ``trajectory`` is indexed by site_ref with one integer column per financial
    year. ``rejected`` has columns row and reason. ``rows_read == len(accepted) +
    len(rejected)`` always.
    """

    filename: str
    rows_read: int
    accepted: gpd.GeoDataFrame
    trajectory: pd.DataFrame
    rejected: pd.DataFrame
    warnings: list[str]
    source_format: str = ""

    def to_growth(self) -> Growth:
        """The accepted sites and their trajectory as the engine's ``Growth``."""
        sites = self.accepted.copy()
        return Growth(sites, self.trajectory.reindex(index=sites.index).fillna(0.0))

    def to_json_dict(self) -> dict[str, Any]:
        """The ``sites check --json`` object of DESIGN.md (plain Python types only)."""
        accepted = [
            {k: _plain(rec[k]) for k in _JSON_ACCEPTED}
            for rec in self.accepted[list(_JSON_ACCEPTED)].to_dict("records")
        ]
        rejected = [{"row": int(r), "reason": str(reason)}
                    for r, reason in zip(self.rejected["row"], self.rejected["reason"],
                                         strict=True)]
        return {"rows_read": int(self.rows_read), "accepted": accepted, "rejected": rejected,
                "warnings": list(self.warnings)}


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return value


# --------------------------------------------------------------------------------------------
# the reader


@dataclass
class _Context:
    """What one read knows about the file and collects while reading rows."""

    filename: str
    columns: dict[str, sniff.ColumnMatch]
    year_columns: dict[int, int]  # financial year -> column index
    options: HousingOptions
    base_year: int
    decimal_comma: bool
    dwellings_order: tuple[str, ...]
    fixes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    row_warnings: list[str] = field(default_factory=list)


@dataclass
class _Site:
    row: int
    site_ref: str
    name: str
    located: sniff.Located
    dwellings: float
    housing_type: str
    housing_type_inferred: bool
    phasing: str
    description: str
    trajectory: dict[int, float]


def read_housing_sites(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    base_year: int = 2026,
    options: HousingOptions | None = None,
) -> HousingImport:
    """Read a housing-site file, sniffing its format, and account for every row.

    Parameters
    ----------
    source
        A path (``str`` or ``Path``) or the file's bytes (an upload).
    filename
        Name to report the file by (defaults to the path's name, or "uploaded file").
    base_year
        First financial year of the analysis (2026 = 2026/27); register sites without a
        trajectory are phased from it.
    options
        The changeable choices (which dwellings count, default phasing).

    Returns
    -------
    The accepted sites, their trajectories, the rejected rows with reasons, and warnings.

    Raises
    ------
    InputError
        The file cannot be read at all: missing, empty, not CSV/XLSX, or without location or
        dwellings columns.
    """
    options = options or HousingOptions()
    data, name = sniff.load_source(source, filename)
    table = sniff.read_table(data, name)
    columns = sniff.match_columns(table.header, SYNONYMS)
    year_columns = {y: i for i, h in enumerate(table.header)
                    if (y := sniff.financial_year_column(h)) is not None}
    _check_recognisable(table, columns, year_columns, options)
    ctx = _Context(
        filename=name, columns=columns, year_columns=year_columns, options=options,
        base_year=base_year, decimal_comma=table.delimiter == ";",
        dwellings_order=_dwellings_order(columns, options),
    )
    warnings = [f"read as {_describe_format(columns, year_columns)}"]
    warnings += [f"{n}" for n in table.notes]
    warnings += _column_notes(table.header, columns, year_columns, ctx.dwellings_order)

    rows, trailing = _drop_trailing_blank(table.rows)
    if trailing:
        warnings.append(f"{trailing} blank line(s) at the end of the file ignored")
    sites: list[_Site] = []
    rejected: list[tuple[int, str]] = []
    for number, cells in enumerate(rows, start=1):
        outcome = _read_row(number, cells, table.header, ctx)
        if isinstance(outcome, str):
            rejected.append((number, outcome))
        else:
            sites.append(outcome)

    far, swaps = _far_from_the_rest(sites, options.outlier_distance_km)
    for site in sites:
        if site.row in far:
            rejected.append((site.row, far[site.row]))
        if site.row in swaps:
            site.located = swaps[site.row]
            ctx.fixes[swaps[site.row].fix + " (fixed)"].append(site.row)
    sites = [s for s in sites if s.row not in far]

    first_row: dict[str, int] = {}
    unique: list[_Site] = []
    for site in sites:
        if site.site_ref in first_row:
            rejected.append((site.row, f"duplicate site_ref {site.site_ref!r}: first given on "
                                       f"row {first_row[site.site_ref]}; give each site its own "
                                       "reference or remove the repeat"))
            continue
        first_row[site.site_ref] = site.row
        unique.append(site)

    warnings += _fix_warnings(ctx)
    warnings += ctx.row_warnings
    accepted, trajectory = _frames(unique)
    early = [s.row for s in unique if s.trajectory and min(s.trajectory) < base_year]
    if early:
        warnings.append(f"completions before the base year {base_year}/"
                        f"{(base_year + 1) % 100:02d} kept in the trajectory: "
                        f"{sniff.rows_text(early)}")
    rejected_frame = pd.DataFrame(sorted(rejected), columns=["row", "reason"])
    rejected_frame["row"] = rejected_frame["row"].astype(int)
    return HousingImport(
        filename=name, rows_read=len(rows), accepted=accepted, trajectory=trajectory,
        rejected=rejected_frame, warnings=warnings,
        source_format=_describe_format(columns, year_columns),
    )


def flag_outside(imp: HousingImport, boundary: BaseGeometry) -> HousingImport:
    """Add a boolean column ``in_region``; sites outside ``boundary`` are kept and warned about.

    ``boundary`` is a shapely geometry in EPSG:27700; a site on the boundary counts as inside.
    """
    accepted = imp.accepted.copy()
    inside = accepted.geometry.covered_by(boundary) if len(accepted) else pd.Series(
        dtype=bool, index=accepted.index)
    accepted["in_region"] = inside.astype(bool)
    warnings = list(imp.warnings)
    outside = accepted.loc[~accepted["in_region"], "row"].astype(int).tolist()
    if outside:
        warnings.append(f"{len(outside)} site(s) lie outside the region boundary (kept, flagged "
                        f"in_region=False): {sniff.rows_text(outside)}")
    return dataclasses.replace(imp, accepted=accepted, warnings=warnings)


# --------------------------------------------------------------------------------------------
# file-level decisions


def _check_recognisable(table: sniff.Table, columns: dict[str, sniff.ColumnMatch],
                        year_columns: dict[int, int], options: HousingOptions) -> None:
    has_location = ({"easting", "northing"} <= columns.keys()
                    or {"latitude", "longitude"} <= columns.keys() or "point" in columns)
    count_fields = {"dwellings", "min_dwellings", "max_dwellings", "range_from", "range_to"}
    has_count = bool(count_fields & columns.keys()) or bool(year_columns)
    missing = []
    if not has_location:
        missing.append("a location (easting and northing, latitude and longitude, or a WKT "
                       "point column)")
    if not has_count:
        missing.append("a number of dwellings (dwellings, MinNetDwellings, "
                       "NetDwellingsRangeFrom/To, or financial-year columns like 2026/27)")
    if missing:
        shown = ", ".join(repr(h) for h in table.header[:30])
        raise InputError(
            f"{table.filename}: not a recognisable housing-site file: no column for "
            + " and no column for ".join(missing)
            + f". Columns found: {shown}. Use the project's template (site_ref, name, easting, "
            "northing, dwellings, housing_type, then 2026/27 ... or start_year and build_rate) "
            "or a brownfield land register."
        )
    if options.dwellings_field == "template" and "dwellings" not in columns and not year_columns:
        raise InputError(f"{table.filename}: dwellings_field='template' but the file has no "
                         "'dwellings' column. Choose dwellings_field 'auto', 'minimum' or "
                         "'maximum' for a register.")


def _dwellings_order(columns: dict[str, sniff.ColumnMatch], options: HousingOptions
                     ) -> tuple[str, ...]:
    order = {
        "auto": ("dwellings", "min_dwellings", "range_from", "max_dwellings", "range_to"),
        "minimum": ("min_dwellings", "range_from", "dwellings", "max_dwellings", "range_to"),
        "maximum": ("max_dwellings", "range_to", "dwellings", "min_dwellings", "range_from"),
        "template": ("dwellings",),
    }[options.dwellings_field]
    return tuple(f for f in order if f in columns)


def _describe_format(columns: dict[str, sniff.ColumnMatch], year_columns: dict[int, int]) -> str:
    if year_columns or "start_year" in columns or "build_rate" in columns or (
            "dwellings" in columns and "housing_type" in columns):
        return "the estates housing-site template"
    if "point" in columns:
        return "the planning data platform brownfield-land format"
    if "latitude" in columns:
        return "a brownfield land register (latitude/longitude guidance)"
    if columns.keys() & {"min_dwellings", "range_from", "max_dwellings", "range_to"}:
        return "a brownfield land register (2017 standard layout)"
    return "a housing-site list"


def _column_notes(header: list[str], columns: dict[str, sniff.ColumnMatch],
                  year_columns: dict[int, int], order: tuple[str, ...]) -> list[str]:
    notes = [f"header {m.header!r} read as {fld} (closest spelling)"
             for fld, m in columns.items() if m.fuzzy]
    if order:
        used = columns[order[0]].header
        others = [columns[f].header for f in order[1:]]
        text = f"dwellings taken from column {used!r}"
        if others:
            text += f" (also present, used only where it is empty: {', '.join(map(repr, others))})"
        notes.append(text)
    known = {m.index for m in columns.values()} | set(year_columns.values())
    unused = [h for i, h in enumerate(header) if i not in known and h]
    if unused:
        notes.append("columns not used: " + ", ".join(repr(h) for h in unused))
    return notes


def _drop_trailing_blank(rows: list[list[str]]) -> tuple[list[list[str]], int]:
    end = len(rows)
    while end and not any(c for c in rows[end - 1]):
        end -= 1
    return rows[:end], len(rows) - end


def _fix_warnings(ctx: _Context) -> list[str]:
    return [f"{what}: {sniff.rows_text(rows)}" for what, rows in ctx.fixes.items() if rows]


# --------------------------------------------------------------------------------------------
# one row


def _align(number: int, cells: list[str], header: list[str], ctx: _Context
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


def _numbers_parse(cells: list[str], ctx: _Context) -> bool:
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


def _cell(cells: list[str], ctx: _Context, fld: str) -> str:
    m = ctx.columns.get(fld)
    return cells[m.index] if m is not None else ""


def _read_row(number: int, raw: list[str], header: list[str], ctx: _Context) -> _Site | str:
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
    return _Site(number, site_ref, name, located, dwellings, housing[0], housing[1], phasing,
                 description, trajectory)


def _locate(number: int, cells: list[str], ctx: _Context) -> sniff.Located | str:
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
                ctx: _Context) -> sniff.Located:
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


def _dwellings(number: int, cells: list[str], ctx: _Context) -> float | None | str:
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


def _housing_type(cells: list[str], ctx: _Context) -> tuple[str, bool] | str:
    text = _cell(cells, ctx, "housing_type")
    if text:
        key = sniff.normalise_header(text)
        if key in TYPE_SYNONYMS:
            return TYPE_SYNONYMS[key], False
        return (f"column {ctx.columns['housing_type'].header!r} value {text!r} is not a housing "
                f"type: use one of {', '.join(HOUSING_TYPES)}")
    words = " ".join(_cell(cells, ctx, f) for f in ("description", "notes", "name", "address"))
    for kind, pattern in _TYPE_PATTERNS:
        if pattern.search(words):
            return kind, True
    return "general", False


def _phasing(number: int, cells: list[str], ctx: _Context, dwellings: float | None
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
    deliverable = _cell(cells, ctx, "deliverable").strip().lower() in _TRUE
    offset = (ctx.options.phasing_deliverable_start_offset if deliverable
              else ctx.options.phasing_other_start_offset)
    kind = "deliverable" if deliverable else "not marked deliverable"
    ctx.fixes[f"no trajectory; phased by default ({kind}: from {ctx.base_year + offset}, "
              f"{_num(ctx.options.phasing_build_rate)} a year)"].append(number)
    return "default", build_out(dwellings, ctx.base_year + offset,
                                ctx.options.phasing_build_rate), dwellings


def ctx_header(ctx: _Context, index: int) -> str:
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


# --------------------------------------------------------------------------------------------
# frames


def _bng_points(sites: list[_Site]) -> tuple[np.ndarray, np.ndarray]:
    xs = np.array([s.located.x for s in sites], dtype=float)
    ys = np.array([s.located.y for s in sites], dtype=float)
    wgs = np.array([s.located.kind == "wgs84" for s in sites], dtype=bool)
    if wgs.any():
        xs[wgs], ys[wgs] = sniff.wgs84_to_bng(xs[wgs], ys[wgs])
    return xs, ys


def _far_from_the_rest(sites: list[_Site], limit_km: float | None
                       ) -> tuple[dict[int, str], dict[int, sniff.Located]]:
    """Rows whose point is implausibly far from the file's other sites.

    A council's sites lie within its area; a point hundreds of km away is almost always a
    typing error that still falls somewhere in England (a northing missing a digit), or an
    easting and northing swapped (both numbers can be valid BNG, so ranges alone cannot tell).
    Returns the rows to reject with their reasons, and the rows whose swapped point lies among
    the others (fixed). The median is robust to the outliers themselves.
    """
    if limit_km is None or len(sites) < 5:
        return {}, {}
    xs, ys = _bng_points(sites)
    cx, cy = float(np.median(xs)), float(np.median(ys))
    dist_km = np.hypot(xs - cx, ys - cy) / 1000.0
    threshold = max(limit_km, 6.0 * float(np.median(dist_km)))
    rejects: dict[int, str] = {}
    swaps: dict[int, sniff.Located] = {}
    for i, s in enumerate(sites):
        if dist_km[i] <= threshold:
            continue
        if (s.located.kind == "bng" and sniff.in_bng_england(ys[i], xs[i])
                and math.hypot(ys[i] - cx, xs[i] - cy) / 1000.0 <= threshold):
            swaps[s.row] = sniff.Located("bng", ys[i], xs[i], "easting and northing swapped "
                                         "(the swapped point lies among the other sites)")
            continue
        rejects[s.row] = (
            f"coordinates E {xs[i]:.0f}, N {ys[i]:.0f} lie {dist_km[i]:.0f} km from the median "
            f"point of the file's sites (E {cx:.0f}, N {cy:.0f}), beyond {threshold:.0f} km: "
            "check for a missing or extra digit (HousingOptions.outlier_distance_km)")
    return rejects, swaps


def _frames(sites: list[_Site]) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    east = np.full(len(sites), np.nan)
    north = np.full(len(sites), np.nan)
    lon = np.full(len(sites), np.nan)
    lat = np.full(len(sites), np.nan)
    bng = np.array([s.located.kind == "bng" for s in sites], dtype=bool)
    xs = np.array([s.located.x for s in sites], dtype=float)
    ys = np.array([s.located.y for s in sites], dtype=float)
    if bng.any():
        east[bng], north[bng] = xs[bng], ys[bng]
        lon[bng], lat[bng] = sniff.bng_to_wgs84(xs[bng], ys[bng])
    if (~bng).any():
        lon[~bng], lat[~bng] = xs[~bng], ys[~bng]
        east[~bng], north[~bng] = sniff.wgs84_to_bng(xs[~bng], ys[~bng])
    refs = [s.site_ref for s in sites]
    frame = pd.DataFrame({
        "row": pd.Series([s.row for s in sites], dtype="int64"),
        "site_ref": pd.Series(refs, dtype="object"),
        "name": pd.Series([s.name for s in sites], dtype="object"),
        "easting": east.round(2), "northing": north.round(2),
        "lat": lat.round(7), "lon": lon.round(7),
        "dwellings": pd.Series([float(s.dwellings) for s in sites], dtype="float64"),
        "housing_type": pd.Series([s.housing_type for s in sites], dtype="object"),
        "housing_type_inferred": pd.Series([s.housing_type_inferred for s in sites],
                                           dtype="bool"),
        "phasing": pd.Series([s.phasing for s in sites], dtype="object"),
        "description": pd.Series([s.description for s in sites], dtype="object"),
    })
    accepted = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["easting"], frame["northing"]), crs=CRS)
    accepted.index = pd.Index(refs, dtype="object")
    years = sorted({y for s in sites for y in s.trajectory})
    trajectory = pd.DataFrame(
        [[s.trajectory.get(y, 0.0) for y in years] for s in sites],
        index=pd.Index(refs, dtype="object"), columns=pd.Index(years, dtype="int64"),
        dtype="float64")
    return accepted, trajectory
