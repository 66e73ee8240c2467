"""The limits the README states are the limits the code applies."""

from __future__ import annotations

from pathlib import Path

from estates.io import sniff
from estates.io.housing_terms import MAX_BUILD_YEARS, MAX_DWELLINGS_PER_SITE
from estates.io.region_checks import MAX_RASTER_CELLS
from estates.model import PRACTICES, ZONES
from estates.options.scenario import MAX_CHANGES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_limits_table_matches_the_code() -> None:
    table = README[README.index("### Limits"):]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| what")}
    assert f"| {MAX_DWELLINGS_PER_SITE:,} |" in rows["dwellings on one site (and completions "
                                                    "in one year)"]
    assert f"within {MAX_BUILD_YEARS} years" in rows["build rate"]
    workbook = rows["workbook (.xlsx)"]
    assert f"{sniff.MAX_XLSX_UNCOMPRESSED // 1_000_000} MB unpacked" in workbook
    assert f"{sniff.MAX_SHEET_ROWS:,} rows, {sniff.MAX_SHEET_COLUMNS:,} columns" in workbook
    assert f"{sniff.MAX_CELL_CHARS:,} characters" in rows["one cell (CSV and .xlsx)"]
    assert f"| {MAX_CHANGES}," in rows["scenario changes"]
    assert f"{MAX_RASTER_CELLS // 1_000_000} million" in rows["raster cells"]
    practices = rows["practices"]
    for col in ("gia_m2", "clinical_rooms", "list_size", "gp_fte"):
        assert f"{PRACTICES.column(col).maximum:,.0f}" in practices, col
    assert f"{ZONES.column('pop_15_44').maximum:,.0f} residents" in rows["zones"]
