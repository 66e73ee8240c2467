"""The domain model: the tables estates works on, their columns and units, and the Region.

Every table is a pandas or geopandas frame whose columns are documented here; readers check
frames against these specs and the engine relies on them. Geometry is in British National Grid
(EPSG:27700); WGS84 is used only for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

CRS = "EPSG:27700"
DISPLAY_CRS = "EPSG:4326"

#: Age bands used everywhere (NHS GP Workforce practice CSV bands); column suffixes.
AGE_BANDS: tuple[str, ...] = ("0_4", "5_14", "15_44", "45_64", "65_74", "75_84", "85_plus")
AGE_BAND_LABELS: dict[str, str] = {
    "0_4": "0-4", "5_14": "5-14", "15_44": "15-44", "45_64": "45-64", "65_74": "65-74",
    "75_84": "75-84", "85_plus": "85+",
}
#: Bands aged 65+, 75+ and 85+ for the older-people indicators.
OLDER_GROUPS: dict[str, tuple[str, ...]] = {
    "65+": ("65_74", "75_84", "85_plus"),
    "75+": ("75_84", "85_plus"),
    "85+": ("85_plus",),
}

#: Housing types and what they mean.
HOUSING_TYPES: tuple[str, ...] = ("general", "retirement", "extra_care", "care_home", "student")
HOUSING_TYPE_LABELS: dict[str, str] = {
    "general": "General needs",
    "retirement": "Retirement / age-restricted",
    "extra_care": "Extra care",
    "care_home": "Care home (beds)",
    "student": "Student",
}

#: ONS Rural-Urban Classification 2021 codes to the three classes estates reports.
RUC21_CLASS: dict[str, str] = {
    "UN1": "urban", "UF1": "urban",
    "RLN1": "larger rural", "RLF1": "larger rural",
    "RSN1": "smaller rural", "RSF1": "smaller rural",
}
RURAL_CLASSES: tuple[str, ...] = ("urban", "larger rural", "smaller rural")

SITE_KINDS: tuple[str, ...] = ("main", "branch")


def list_columns() -> list[str]:
    return [f"list_{b}" for b in AGE_BANDS]


def pop_columns() -> list[str]:
    return [f"pop_{b}" for b in AGE_BANDS]


@dataclass(frozen=True)
class Column:
    """One documented column of a table."""

    name: str
    dtype: str  # "str", "float", "int", "bool"
    unit: str
    description: str
    required: bool = True
    minimum: float | None = None
    #: The largest plausible value (README, "Limits"): beyond it a figure is a typing error
    #: (gia_m2 = 1e308 made capacity infinite and the flow overflow).
    maximum: float | None = None


@dataclass(frozen=True)
class TableSpec:
    """A table's columns; ``geometry`` names the geometry type, or "" for a plain table."""

    name: str
    key: str
    columns: tuple[Column, ...]
    geometry: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


PRACTICES = TableSpec(
    "practices",
    key="practice_code",
    geometry="Point",
    columns=(
        Column("practice_code", "str", "", "ODS code of the site; a branch has its own code"),
        Column("site_name", "str", "", "name of the surgery site"),
        Column("site_kind", "str", "", "'main' or 'branch'"),
        Column("parent_code", "str", "", "for a branch, the practice_code of its main site; "
               "empty for a main site", required=False),
        Column("list_size", "float", "patients", "registered list (main sites; 0 for branches)",
               minimum=0, maximum=1_000_000),
        *(Column(f"list_{b}", "float", "patients", f"registered patients aged "
                 f"{AGE_BAND_LABELS[b]}", required=False, minimum=0, maximum=1_000_000)
          for b in AGE_BANDS),
        # Floor area and rooms are in no national file: empty means unknown (capacity unknown,
        # never invented) until the user supplies them through the estates template.
        Column("gia_m2", "float", "m2", "gross internal floor area of the site (empty: "
               "unknown)", required=False, minimum=0, maximum=50_000),
        Column("clinical_rooms", "float", "rooms", "consulting and treatment rooms (empty: "
               "unknown)", required=False, minimum=0, maximum=1_000),
        Column("gp_fte", "float", "FTE", "GPs working at the practice (main site), full-time "
               "equivalent", required=False, minimum=0, maximum=1_000),
        Column("building", "str", "", "building type, e.g. 'purpose built', 'converted house'",
               required=False),
        Column("year_built", "float", "year", "year the building was built or converted",
               required=False),
    ),
)

CATCHMENTS = TableSpec(
    "catchments",
    key="practice_code",
    geometry="Polygon",
    columns=(Column("practice_code", "str", "", "main practice whose catchment this is"),),
)

ZONES = TableSpec(
    "zones",
    key="zone_code",
    geometry="Polygon",
    columns=(
        Column("zone_code", "str", "", "zone identifier (an LSOA 2021 code for real data)"),
        Column("zone_name", "str", "", "zone name", required=False),
        *(Column(f"pop_{b}", "float", "people", f"residents aged {AGE_BAND_LABELS[b]}",
                 minimum=0, maximum=2_000_000) for b in AGE_BANDS),
        Column("ruc21", "str", "", "ONS Rural-Urban Classification 2021 code (UN1, UF1, RLN1, "
               "RLF1, RSN1, RSF1)"),
    ),
)

CANDIDATES = TableSpec(
    "candidates",
    key="candidate_id",
    geometry="Point",
    columns=(
        Column("candidate_id", "str", "", "identifier of the candidate building"),
        Column("name", "str", "", "name, e.g. 'Edenbridge Library'"),
        Column("kind", "str", "", "'library', 'council building' or other"),
        Column("available_m2", "float", "m2", "floor area that could host a surgery", minimum=0,
               maximum=100_000),
        Column("co_located", "str", "", "services already co-located (library dataset "
               "'Co-located with')", required=False),
    ),
)

REGISTRATIONS = TableSpec(
    "registrations",
    key="",
    columns=(
        Column("practice_code", "str", "", "main practice (NHS Digital PRACTICE_CODE)"),
        Column("zone_code", "str", "", "zone of residence (LSOA_CODE)"),
        Column("patients", "float", "patients", "patients of the practice living in the zone",
               minimum=0, maximum=1_000_000),
    ),
)

HOUSING_SITES = TableSpec(
    "housing_sites",
    key="site_ref",
    geometry="Point",
    columns=(
        Column("site_ref", "str", "", "the council's site reference"),
        Column("name", "str", "", "site name or address"),
        Column("dwellings", "float", "dwellings (beds for care homes)", "net new homes",
               minimum=0),
        Column("housing_type", "str", "", "one of " + ", ".join(HOUSING_TYPES)),
        Column("housing_type_inferred", "bool", "", "True where the type was guessed from the "
               "description text", required=False),
    ),
)


@dataclass
class Growth:
    """Housing sites and their trajectory.

    ``sites`` follows HOUSING_SITES, indexed by ``site_ref``. ``trajectory`` is indexed by
    ``site_ref`` with one integer column per financial year (2026 = 2026/27) holding the
    dwellings completed in that year.
    """

    sites: gpd.GeoDataFrame
    trajectory: pd.DataFrame

    @classmethod
    def empty(cls) -> Growth:
        sites = gpd.GeoDataFrame(
            {c.name: pd.Series(dtype="object" if c.dtype == "str" else c.dtype)
             for c in HOUSING_SITES.columns},
            geometry=gpd.GeoSeries([], crs=CRS),
        ).set_index("site_ref", drop=False)
        sites.index.name = None
        return cls(sites, pd.DataFrame(index=sites.index))

    def completions(self, years: list[int]) -> pd.DataFrame:
        """Dwellings completed per site per year for ``years`` (missing years are 0)."""
        return self.trajectory.reindex(index=self.sites.index, columns=years).fillna(0.0)


@dataclass
class Region:
    """A study area: practice sites, catchments, zones, candidate sites and optional rasters."""

    name: str
    practices: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    growth: Growth = field(default_factory=Growth.empty)
    #: optional: patients of each practice by zone of residence (REGISTRATIONS columns)
    registrations: pd.DataFrame | None = None
    population_raster: Path | None = None
    friction_raster: Path | None = None
    friction_unit: str = "minutes per metre"
    synthetic: bool = False
    folder: Path | None = None
    description: str = ""
    #: how the catchment polygons were made when not supplied (region.toml [catchments] method)
    catchment_method: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def main_practices(self) -> gpd.GeoDataFrame:
        return self.practices[self.practices["site_kind"] == "main"]


def fy(year: int) -> str:
    """A financial year's label: 2026 -> '2026/27'."""
    return f"{year}/{(year + 1) % 100:02d}"
