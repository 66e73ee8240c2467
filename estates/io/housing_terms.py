"""The housing reader's vocabulary (header synonyms, housing-type words), its options, and the
state one read carries from row to row."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from estates.errors import InputError
from estates.io import coords, sniff

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
    "hectares": ("hectares", "areaha", "siteareaha", "areahectares", "siteareahectares",
                 "sizeha", "sitesizeha", "grossareaha", "netareaha"),
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

# Plausibility limits on what one site can hold (README, "Housing sites"): beyond them a figure is
# a typing error (1e18, a build rate of 1e-20), and phasing it would hang or exhaust memory.
#: The most homes one site may hold. England's largest single allocations are new towns of
#: 10,000-15,000 homes (Ebbsfleet Garden City, about 15,000); 25,000 leaves a wide margin.
MAX_DWELLINGS_PER_SITE = 25_000
#: The longest build-out accepted: dwellings / build rate must finish within this many years.
MAX_BUILD_YEARS = 60
#: The fewest dwellings a year a stated build rate may give.
MIN_BUILD_RATE = 1.0

# A count of homes written in words around it, in a description ("redevelopment to provide 13
# flats", "11 residential units", "Site could deliver approximately 6 properties").
COUNT_IN_TEXT = re.compile(
    r"\b(\d{1,3}(?:,\d{3})+|\d+)\s+(?:(?:new|net|additional|residential|affordable|private|"
    r"market|c3|self[\s-]contained|one|two|three|four|[1-5])[\s-](?:bed(?:room)?s?\s+)?)*"
    r"(dwellings?|homes?|houses?|flats?|apartments?|units?|bungalows?|maisonettes?|properties|"
    r"property)\b", re.IGNORECASE)

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
        files of five or more sites, and never to a site within ``outlier_distance_km`` of
        another site of the file (a county-wide register has towns 60 km apart, each with its
        own cluster of sites) or inside ``region_extent``.
    region_extent
        The region's bounds (min easting, min northing, max easting, max northing) when the
        file is read for a region: a site inside them is never rejected as far from the rest.
    estimate_density_dph
        Dwellings per hectare used to estimate a site that gives no dwellings anywhere (no
        count column, none in its description) from its area in hectares; the site is then
        flagged ``dwellings_source = 'estimated'``. None rejects such sites instead. Default
        30: the national indicative minimum of PPS3 *Housing* (2006), para. 47 (an
        *assumption*: edit to the local plan's density).
    """

    dwellings_field: str = "auto"
    phasing_deliverable_start_offset: int = 1
    phasing_other_start_offset: int = 6
    phasing_build_rate: float = 50.0
    outlier_distance_km: float | None = 40.0
    region_extent: tuple[float, float, float, float] | None = None
    estimate_density_dph: float | None = 30.0

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
        if self.estimate_density_dph is not None and not (
                isinstance(self.estimate_density_dph, int | float)
                and 1 <= self.estimate_density_dph <= 500):
            problems.append(f"estimate_density_dph must be from 1 to 500 dwellings per hectare "
                            f"or None, not {self.estimate_density_dph!r}")
        if isinstance(self.phasing_build_rate, int | float) and not (
                MIN_BUILD_RATE <= self.phasing_build_rate <= MAX_DWELLINGS_PER_SITE):
            problems.append(f"phasing_build_rate must be from {MIN_BUILD_RATE:g} to "
                            f"{MAX_DWELLINGS_PER_SITE:,} dwellings per year, not "
                            f"{self.phasing_build_rate!r}")
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
    #: "comma" or "point" when the file itself shows how it writes decimals, else "" (then a
    #: count like "1,200" in a semicolon file is ambiguous: 1.2 or 1200).
    decimal_style: str = ""
    #: financial year -> every column naming it, where two columns name the same year
    year_duplicates: dict[int, list[int]] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    #: columns whose header names a date (where a shifted row's dates really are is checked)
    date_columns: tuple[int, ...] = ()
    fixes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    row_warnings: list[str] = field(default_factory=list)


@dataclass
class SiteRow:
    row: int
    site_ref: str
    name: str
    located: coords.Located
    dwellings: float
    housing_type: str
    housing_type_inferred: bool
    phasing: str
    description: str
    trajectory: dict[int, float]
    dwellings_source: str = "column"


def ref_key(ref: str) -> str:
    """A site reference as compared for duplicates: NFKC (full-width letters become ASCII),
    format characters such as the zero-width space removed, case folded, no white space.

    ``'S1'``, ``'s1'``, ``'S1\u200b'``, ``'\uff33\uff11'`` and ``'S 1'`` share one key.
    """
    text = unicodedata.normalize("NFKC", ref)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf"
                   and not ch.isspace()).casefold()


