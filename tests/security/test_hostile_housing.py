"""Hostile and huge housing-site files (issue 18): no hang, no memory blow-up, no silently wrong
count. Every file is built in code; each case hung, blew up or gave a wrong count before."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from estates.errors import InputError
from estates.io.housing import HousingOptions, build_out, read_housing_sites

HEADER = "site_ref,name,easting,northing,dwellings,housing_type\n"


def _read(text: str, **kw: object):
    return read_housing_sites(text.encode("utf-8"), filename="hostile.csv", **kw)


def _counts_add_up(imp) -> None:
    assert imp.rows_read == len(imp.accepted) + len(imp.rejected)


# ------------------------------------------------------------------ hangs and memory


@pytest.mark.parametrize("dwellings", ["1e18", "1e8", "25001"])
def test_implausible_dwellings_rejected_at_once(dwellings: str) -> None:
    # Before: the default build-out added one year per 50 homes: 1e18 never ended, 1e8 built
    # a two-million-year trajectory. The bound is 25,000 homes on one site (README).
    start = time.perf_counter()
    imp = _read(HEADER + f"S1,Oak,550000,150000,{dwellings},general\n"
                         "S2,Elm,550100,150100,25000,general\n")
    assert time.perf_counter() - start < 5
    _counts_add_up(imp)
    assert imp.rejected["row"].tolist() == [1]
    assert f"'{dwellings}'" in imp.rejected["reason"][0]
    assert "25,000" in imp.rejected["reason"][0]
    # 25,000 homes are accepted: at the default 50 a year they would take 500 years, so they
    # are spread over the longest build-out accepted (60 years) and the user is told.
    assert imp.accepted.loc["S2", "dwellings"] == 25_000
    years = imp.trajectory.loc["S2"]
    assert (years > 0).sum() == 60 and years.sum() == pytest.approx(25_000)
    assert any("over 60 years" in w and "row 2" in w for w in imp.warnings)


@pytest.mark.parametrize("rate, why", [("1e-20", "at least 1 dwelling a year"),
                                       ("0.5", "at least 1 dwelling a year"),
                                       ("1", "take 100 years")])
def test_build_rate_too_slow_rejected(rate: str, why: str) -> None:
    # Before: a build rate of 1e-20 looped for ever, then a MemoryError traceback.
    # 100 dwellings at 1 a year: ceil(100 / 1) = 100 years > 60.
    start = time.perf_counter()
    imp = _read("site_ref,name,easting,northing,dwellings,start_year,build_rate\n"
                f"S1,Oak,550000,150000,100,2027,{rate}\n")
    assert time.perf_counter() - start < 5
    assert len(imp.accepted) == 0
    assert why in imp.rejected["reason"][0]


def test_build_out_refuses_an_endless_build() -> None:
    with pytest.raises(InputError, match="more than 60 years"):
        build_out(100, 2027, 1e-20)
    # 120 homes at 2 a year: exactly 60 years, the last holding 2.
    out = build_out(120, 2027, 2)
    assert len(out) == 60 and out[2086] == 2 and sum(out.values()) == 120


def test_options_refuse_a_tiny_default_rate() -> None:
    with pytest.raises(InputError, match="phasing_build_rate"):
        HousingOptions(phasing_build_rate=1e-20)


def _xlsx(rows: list[list[object]], extra: dict[str, object] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell, value in (extra or {}).items():
        sheet[cell] = value
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


GOOD_ROWS: list[list[object]] = [["site_ref", "name", "easting", "northing", "dwellings"],
                                 ["S1", "Oak", 550000, 150000, 10]]


def test_xlsx_with_a_cell_at_the_last_column_and_row_refused() -> None:
    # Before: a 5 KB workbook with one cell at XFD1048576 made pandas pad 1,048,576 x 16,384
    # cells (4.7 GB). Now the sheet's dimension is checked before a row is read.
    data = _xlsx(GOOD_ROWS, {"XFD1048576": "x"})
    assert len(data) < 10_000
    start = time.perf_counter()
    with pytest.raises(InputError, match="XFD1048576") as err:
        read_housing_sites(data, filename="stray.xlsx")
    assert time.perf_counter() - start < 5
    assert "stray.xlsx" in str(err.value) and "1,048,576 rows" in str(err.value)


def _xlsx_with_long_cell(chars_per_chunk: int, chunks: int) -> bytes:
    """A workbook whose cell A2 holds ``chars_per_chunk * chunks`` characters, its sheet XML
    streamed into the zip (openpyxl itself would cut a cell at Excel's 32,767 characters)."""
    template = zipfile.ZipFile(io.BytesIO(_xlsx(GOOD_ROWS)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in template.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info, template.read(info.filename))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                        b'site_ref</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is>'
                        b'<t>')
            chunk = b"x" * chars_per_chunk
            for _ in range(chunks):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return out.getvalue()


def test_xlsx_cell_longer_than_a_csv_cell_refused() -> None:
    # As for CSV (csv.field_size_limit, 131,072 characters): before, accepted whole.
    data = _xlsx_with_long_cell(100_000, 2)
    with pytest.raises(InputError, match=r"cell A2 holds 200,000 characters"):
        read_housing_sites(data, filename="long.xlsx")


def test_xlsx_zip_bomb_refused_before_loading() -> None:
    # A cell that unpacks to 120 MB from a few hundred KB (before: loaded whole, then the
    # outputs were written half-way). The test never holds the sheet in memory either.
    data = _xlsx_with_long_cell(1_000_000, 120)
    assert len(data) < 1_000_000
    with pytest.raises(InputError, match=r"unpacks to 120,\d{3},\d{3} bytes"):
        read_housing_sites(data, filename="bomb.xlsx")


# ------------------------------------------------------------------ wrong counts


def test_semicolon_file_thousands_comma_refused_when_ambiguous() -> None:
    # Before: '1,200' in a semicolon file was read as 1.2 homes without a word.
    imp = read_housing_sites(b"site_ref;name;easting;northing;dwellings\n"
                             b"S1;Oak;550000;150000;1,200\nS2;Elm;550100;150100;12\n",
                             filename="semi.csv")
    _counts_add_up(imp)
    assert imp.accepted.index.tolist() == ["S2"]
    reason = imp.rejected["reason"][0]
    assert "'1,200'" in reason and "1.2 or 1,200" in reason and "write 1200" in reason


def test_semicolon_file_with_decimal_points_reads_thousands_commas() -> None:
    # The file's own latitudes are written 51.2: its decimal mark is the point, so the comma
    # in 1,200 groups thousands: 1200 homes.
    imp = read_housing_sites(b"site_ref;name;latitude;longitude;dwellings\n"
                             b"S1;Oak;51.2;0.5;1,200\nS2;Elm;51.21;0.51;12\n",
                             filename="semi.csv")
    assert imp.accepted["dwellings"].tolist() == [1200.0, 12.0]
    assert any("thousands separator" in w for w in imp.warnings)


def test_semicolon_file_with_decimal_commas_refuses_grouped_counts() -> None:
    # The latitudes 51,2 show a decimal comma: 1,200 would be 1.2 homes by the file's
    # convention, which no register means; refused with the reason.
    imp = read_housing_sites(b"site_ref;name;latitude;longitude;dwellings\n"
                             b"S1;Oak;51,2;0,5;1,200\nS2;Elm;51,21;0,51;12\n",
                             filename="semi.csv")
    assert imp.accepted.index.tolist() == ["S2"]
    assert "writes decimals with a comma" in imp.rejected["reason"][0]


def test_comma_file_unquoted_thousands_before_the_coordinates_refused() -> None:
    # Before: `Oak,1,200,...` became name 'Oak, 1' and 200 homes.
    imp = _read("site_ref,name,dwellings,easting,northing\nS1,Oak,1,200,550000,150000\n")
    assert len(imp.accepted) == 0
    reason = imp.rejected["reason"][0]
    assert "'1,200'" in reason and "quote the cell" in reason


def test_comma_file_unquoted_thousands_with_one_reading_is_read_and_warned() -> None:
    # No text column before the split number: only '1,200' as one number fits.
    imp = _read("site_ref,dwellings,easting,northing,name\nS1,1,200,550000,150000,Oak\n")
    assert imp.accepted["dwellings"].tolist() == [1200.0]
    assert any("unquoted thousands comma" in w and "row 1" in w for w in imp.warnings)


def test_two_columns_for_one_financial_year_are_a_conflict() -> None:
    # Before: '2026/27' was dropped as "not used" and 2026-27 alone counted (57, not 157).
    imp = _read("site_ref,name,easting,northing,2026/27,2026-27,2027/28\n"
                "S1,Oak,550000,150000,100,57,\n"
                "S2,Elm,550100,150100,,57,100\n"
                "S3,Ash,550200,150200,40,40,\n")
    _counts_add_up(imp)
    assert imp.rejected["row"].tolist() == [1]
    assert "'2026/27' = '100' and '2026-27' = '57'" in imp.rejected["reason"][0]
    # S2 fills one of the pair: 57 + 100 = 157; S3 fills both alike: 40.
    assert imp.accepted["dwellings"].tolist() == [157.0, 40.0]
    assert any("'2026/27' and '2026-27' both name" in w for w in imp.warnings)
    assert not any("columns not used" in w and "2026" in w for w in imp.warnings)


def _county_register(extra: str = "") -> str:
    # Kent: six Maidstone sites, two at Dover and one at Margate; Maidstone to Margate is
    # about 62 km (E 575,000 N 155,000 to E 635,000 N 170,500).
    rows = "".join(f"M{i},Maidstone {i},{575000 + i * 300},{155000 + i * 200},10,general\n"
                   for i in range(6))
    rows += "D1,Dover 1,631000,141000,10,general\nD2,Dover 2,631300,141200,10,general\n"
    rows += "G1,Margate,635000,170500,10,general\n"
    return HEADER + rows + extra


def test_county_wide_register_keeps_its_far_towns() -> None:
    # Before: Dover and Margate were rejected as "a missing or extra digit".
    imp = _read(_county_register())
    assert len(imp.rejected) == 0 and len(imp.accepted) == 9


def test_county_wide_register_still_rejects_a_typo() -> None:
    # N 15500 (a digit missing from 155000) lies about 140 km south of everything else.
    imp = _read(_county_register("T1,Typo,575000,15500,10,general\n"))
    assert imp.rejected["row"].tolist() == [10]
    assert "missing or extra digit" in imp.rejected["reason"][0]


def test_outlier_rule_respects_the_region_extent() -> None:
    # A single far site inside the region's extent is kept; outside it, rejected.
    text = HEADER + "".join(f"S{i},A{i},{550000 + i * 100},150000,10,general\n"
                            for i in range(5)) + "F1,Far,620000,150000,10,general\n"
    assert _read(text).rejected["row"].tolist() == [6]
    inside = _read(text, options=HousingOptions(region_extent=(540000, 140000, 630000, 160000)))
    assert len(inside.rejected) == 0


def test_site_references_compared_unicode_normalised() -> None:
    # S1, s1, S1 + zero-width space, full-width S1 and "S 1": one site (before: five).
    refs = ["S1", "s1", "S1\u200b", "\uff33\uff11", "S 1"]
    text = HEADER + "".join(f"{r},Site,550000,150000,10,general\n" for r in refs)
    imp = _read(text)
    _counts_add_up(imp)
    assert imp.accepted.index.tolist() == ["S1"]
    assert imp.rejected["row"].tolist() == [2, 3, 4, 5]
    assert all("first given on row 1" in r for r in imp.rejected["reason"])
