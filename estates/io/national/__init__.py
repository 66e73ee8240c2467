"""Readers of the national NHS and ONS files a region is assembled from.

Each reader validates the published layout (METHODS.md section 6) and returns a
``NationalImport``: a clean table in the project's column names, the rows it could not use
with a reason, and warnings, so that like the housing reader nothing is lost in silence.
A file that is not the expected layout at all raises ``InputError`` naming the file, the
columns expected and the columns found.
"""

from __future__ import annotations

from collections.abc import Callable

from estates.io.national.common import NationalImport, normalise_postcode
from estates.io.national.districts import (
    read_age_profile,
    read_district_lookup,
    spread_profile,
)
from estates.io.national.geography import (
    band_of_age,
    read_catchments,
    read_lsoa_boundaries,
    read_population_by_age,
    read_ruc,
)
from estates.io.national.nhs import (
    EPRACCUR_COLUMNS,
    five_year_band,
    read_epraccur,
    read_gp_workforce,
    read_patients_by_lsoa,
    read_patients_five_year,
    read_patients_totals,
)
from estates.io.national.places import read_libraries, read_postcodes, read_practice_estates

__all__ = [
    "EPRACCUR_COLUMNS", "READERS", "NationalImport", "band_of_age", "five_year_band",
    "normalise_postcode", "read_age_profile", "read_catchments", "read_district_lookup", "read_epraccur", "read_gp_workforce",
    "read_libraries", "read_lsoa_boundaries", "read_patients_by_lsoa", "read_patients_five_year",
    "read_patients_totals", "read_population_by_age", "read_postcodes", "read_practice_estates",
    "read_ruc", "spread_profile",
]


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
    "age_profile": read_age_profile,
}
