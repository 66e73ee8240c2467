"""The housing reader's vocabulary (header synonyms, housing-type words), its options, and the
state one read carries from row to row."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from estates.errors import InputError
from estates.io import sniff

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
TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("student", re.compile(r"\bstudents?\b|\bPBSA\b", re.IGNORECASE)),
    ("extra_care", re.compile(r"\bextra[\s-]?care\b|\bassisted[\s-]living\b", re.IGNORECASE)),
    ("care_home", re.compile(r"\bcare[\s-]homes?\b|\bnursing[\s-]homes?\b|\bresidential[\s-]care"
                             r"\b|\bC2\b", re.IGNORECASE)),
    ("retirement", re.compile(r"\bretirement\b|\bover[\s-]?55'?s?\b|\b55\s?\+|\bsheltered\b|"
                              r"\bage[\s-]restricted\b|\belderly\b|\bolder people\b|\bsenior",
                              re.IGNORECASE)),
)

TRUE_WORDS = {"yes", "y", "true", "t", "1", "deliverable"}

JSON_ACCEPTED = ("row", "site_ref", "name", "lat", "lon", "easting", "northing", "dwellings",
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
class ReadContext:
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
class SiteRow:
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


