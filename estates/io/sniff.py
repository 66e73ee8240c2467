"""Sniffing helpers for tabular files whose format the user does not name.

Real council and NHS files arrive in assorted encodings, delimiters, header spellings, date
styles and coordinate systems. These pure helpers turn bytes into a header and rows of strings,
match headers against a synonyms table, and parse numbers, dates and coordinates, so that each
reader only decides what the columns mean.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from pathlib import Path

from estates.errors import InputError

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class Table:
    """A file read as text: its header, its data rows (lists of strings) and how it was read."""

    filename: str
    header: list[str]
    rows: list[list[str]]
    encoding: str = "utf-8"
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# bytes -> text -> rows


def load_source(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    """Return the bytes of ``source`` and the name to report it by.

    A ``str`` or ``Path`` is a path on disk; ``bytes`` are an uploaded file's content.
    """
    if isinstance(source, bytes | bytearray):
        return bytes(source), filename or "uploaded file"
    path = Path(source)
    name = filename or path.name
    try:
        return path.read_bytes(), name
    except FileNotFoundError:
        raise InputError(f"{name}: file not found at {path}. Check the path.") from None
    except IsADirectoryError:
        raise InputError(f"{name}: {path} is a folder, not a file. Give a CSV or XLSX file.") \
            from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read {path} ({exc.strerror}). Check permissions.") \
            from None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 (with BOM) or Windows-1252.

    Returns the text and the encoding used. Windows-1252 is tried before Latin-1 because
    spreadsheets saved on Windows use it (the pound sign, curly quotes); Latin-1 decodes
    anything, so it is the last resort.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") \
            else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """Guess the delimiter among comma, semicolon, tab and pipe from the first lines.

    ``csv.Sniffer`` is tried first; it fails on files with one column or with many quoted
    commas, so the fall-back counts each candidate in the first line outside quotes.
    """
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    first = text.splitlines()[0] if text.splitlines() else ""
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_table(data: bytes, filename: str) -> Table:
    """Read CSV (any common encoding and delimiter) or XLSX bytes into a header and rows.

    Raises
    ------
    InputError
        The bytes are empty, binary but not XLSX, an old ``.xls`` workbook, or have no header.
    """
    if not data.strip():
        raise InputError(f"{filename}: the file is empty. Export the sheet again with its "
                         "header row and data.")
    lower = filename.lower()
    if data.startswith(_XLS_MAGIC) or lower.endswith(".xls"):
        raise InputError(f"{filename}: old Excel .xls workbooks are not read. Save it as .xlsx "
                         "or CSV (File > Save As) and try again.")
    if data.startswith(_XLSX_MAGIC) or lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, filename)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{filename}: this is not a CSV or XLSX file (it holds binary data). "
                         "Export the table as CSV or XLSX.")
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise InputError(f"{filename}: this is not a CSV file (it holds NUL characters). "
                         "Export the table as CSV (UTF-8) or XLSX.")
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{filename}: cannot be read as CSV ({exc}). Export the table as CSV "
                         "(UTF-8) or XLSX.") from None
    rows = [[c.strip() for c in r] for r in rows]
    table = _split_header(rows, filename)
    table.encoding, table.delimiter = encoding, delimiter
    if encoding in ("windows-1252", "latin-1"):
        table.notes.append(f"the file is not UTF-8; it was decoded as {encoding.title()}")
    if encoding == "utf-16":
        table.notes.append("the file is UTF-16; it was decoded as such")
    if delimiter != ",":
        name = {";": "semicolon", "\t": "tab", "|": "pipe"}[delimiter]
        table.notes.append(f"columns are separated by {name}s, not commas")
    return table


#: Limits on a workbook, checked before it is loaded (README, "Limits"): a register of tens of
#: thousands of sites is far inside them; a 5 KB file declaring a cell at XFD1048576 (which pandas
#: would pad to 17 billion cells) or a 400 MB shared string in a 400 KB zip is refused.
MAX_XLSX_UNCOMPRESSED = 100_000_000
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 1_000
#: The longest cell, as for CSV (Python's csv.field_size_limit default).
MAX_CELL_CHARS = csv.field_size_limit()


def _check_zip(data: bytes, filename: str) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            sizes = [(i.filename, i.file_size) for i in z.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(f"{filename}: cannot be read as an Excel workbook (not a valid .xlsx "
                         "zip). Save it again as .xlsx or CSV.") from None
    total = sum(size for _, size in sizes)
    if total > MAX_XLSX_UNCOMPRESSED:
        part, size = max(sizes, key=lambda t: t[1])
        raise InputError(f"{filename}: the workbook unpacks to {total:,} bytes ({part} alone "
                         f"{size:,}), more than the {MAX_XLSX_UNCOMPRESSED:,} accepted: save the "
                         "sheet as CSV, or remove what makes it so large (a huge cell?)")


def _read_xlsx(data: bytes, filename: str) -> Table:
    """The first sheet, read row by row (openpyxl read-only), after checking the sizes."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    _check_zip(data, filename)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a corrupt workbook fails in many library-specific ways
        raise InputError(f"{filename}: cannot be read as an Excel workbook ({type(exc).__name__})."
                         " Save it again as .xlsx or CSV.") from None
    try:
        sheet = book.worksheets[0]
        max_row, max_col = sheet.max_row, sheet.max_column
        if (max_row or 0) > MAX_SHEET_ROWS or (max_col or 0) > MAX_SHEET_COLUMNS:
            raise InputError(
                f"{filename}: the first sheet spans {max_row:,} rows x {max_col:,} columns "
                f"(to cell {get_column_letter(max_col or 1)}{max_row}), more than "
                f"{MAX_SHEET_ROWS:,} rows or {MAX_SHEET_COLUMNS:,} columns: delete the rows and "
                "columns beyond the data (a stray cell far below or to the right?) or save the "
                "sheet as CSV")
        rows: list[list[str]] = []
        for r, values in enumerate(sheet.iter_rows(values_only=True,
                                                   max_col=MAX_SHEET_COLUMNS), start=1):
            if r > MAX_SHEET_ROWS:
                raise InputError(f"{filename}: the first sheet has more than {MAX_SHEET_ROWS:,} "
                                 "rows: split it, or save it as CSV")
            row = []
            for c, v in enumerate(values, start=1):
                text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                if len(text) > MAX_CELL_CHARS:
                    raise InputError(
                        f"{filename}: cell {get_column_letter(c)}{r} holds {len(text):,} "
                        f"characters, more than the {MAX_CELL_CHARS:,} a cell may hold: shorten "
                        "it")
                row.append(text.strip())
            rows.append(row)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - as above, while reading the rows
        raise InputError(f"{filename}: cannot be read as an Excel workbook ({type(exc).__name__})."
                         " Save it again as .xlsx or CSV.") from None
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    table = _split_header(rows, filename)
    table.encoding, table.delimiter = "xlsx", ""
    table.notes.append("read the first sheet of the workbook")
    return table


def _split_header(rows: list[list[str]], filename: str) -> Table:
    # Leading blank lines (and title lines with a single cell) are common above a header.
    start = 0
    while start < len(rows) and sum(1 for c in rows[start] if c) <= 1 and start < 10:
        start += 1
    if start >= len(rows) or not any(rows[start]):
        raise InputError(f"{filename}: no header row found. The first row should name the "
                         "columns (for example site_ref, name, easting, northing, dwellings).")
    header = [h.lstrip("\ufeff").strip() for h in rows[start]]
    table = Table(filename, header, rows[start + 1:])
    if start:
        table.notes.append(f"{start} line(s) above the header row were skipped")
    return table


# --------------------------------------------------------------------------------------------
# headers


def normalise_header(name: str) -> str:
    """Lower-case letters and digits only: ``'LA SITE REF'`` -> ``'lasiteref'``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class ColumnMatch:
    """Where a field was found: column index, header text, and whether it was a fuzzy match."""

    index: int
    header: str
    fuzzy: bool = False


def match_columns(
    header: Sequence[str],
    synonyms: Mapping[str, Sequence[str]],
    *,
    cutoff: float = 0.85,
    min_fuzzy_length: int = 5,
) -> dict[str, ColumnMatch]:
    """Match header cells to fields through a synonyms table, exactly first, then fuzzily.

    Parameters
    ----------
    header
        The header cells as written.
    synonyms
        Field name to normalised synonyms (see ``normalise_header``), most preferred first.
    cutoff
        Least ``difflib`` similarity ratio for a fuzzy match.
    min_fuzzy_length
        Shorter header cells are only matched exactly (``'x'`` must not become ``'y'``).

    Returns
    -------
    Field to its column. Each column serves at most one field.
    """
    normal = [normalise_header(h) for h in header]
    found: dict[str, ColumnMatch] = {}
    used: set[int] = set()
    for fld, names in synonyms.items():
        for name in names:
            idx = next((i for i, n in enumerate(normal) if n == name and i not in used), None)
            if idx is not None:
                found[fld] = ColumnMatch(idx, header[idx])
                used.add(idx)
                break
    scored: list[tuple[float, int, str]] = []
    for i, n in enumerate(normal):
        if i in used or len(n) < min_fuzzy_length:
            continue
        for fld, names in synonyms.items():
            if fld in found:
                continue
            best = max((SequenceMatcher(None, n, s).ratio() for s in names if len(s) >= 4),
                       default=0.0)
            if best >= cutoff:
                scored.append((best, i, fld))
    for _score, i, fld in sorted(scored, key=lambda t: -t[0]):
        if fld in found or i in used:
            continue
        found[fld] = ColumnMatch(i, header[i], fuzzy=True)
        used.add(i)
    return found


_YEAR_COLUMN = re.compile(r"^(?:fy\s*)?(\d{4})\s*[/\-\u2013_ ]\s*(\d{2}|\d{4})$", re.IGNORECASE)


def financial_year_column(name: str) -> int | None:
    """The financial year a header like ``'2026/27'`` or ``'2026-2027'`` names, else None."""
    m = _YEAR_COLUMN.match(name.strip())
    if not m:
        return None
    first, second = int(m.group(1)), int(m.group(2))
    expected = first + 1
    if second == expected or second == expected % 100:
        return first
    return None


# --------------------------------------------------------------------------------------------
# values


def parse_number(text: str, *, decimal_comma: bool = False) -> float | None:
    """Parse a number written by a person: thousands commas, spaces, a decimal comma.

    Returns None when ``text`` is not a finite number (``'nan'`` and ``'inf'`` are not).
    """
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if not t:
        return None
    if decimal_comma and re.fullmatch(r"-?\d+,\d+", t):
        t = t.replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", t):
        return None
    value = float(t)
    return value if math.isfinite(value) else None


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y",
                 "%d %B %Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date(text: str) -> date | None:
    """Parse ISO (with or without time), dd/mm/yyyy, dd/mm/yy, ``28-Oct-15`` and similar.

    Day-first is assumed for slashed dates, as English councils write them.
    """
    t = text.strip()
    if not t:
        return None
    t = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", t)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    return None


def financial_year_of(day: date) -> int:
    """The financial year (April to March) a day falls in, as its first calendar year."""
    return day.year if day.month >= 4 else day.year - 1






def rows_text(rows: Iterable[int], *, limit: int = 25) -> str:
    """``[1, 2, 3, 7]`` -> ``'rows 1-3, 7'``; long lists end with how many rows in all."""
    ordered = sorted(set(rows))
    if not ordered:
        return "no rows"
    parts: list[str] = []
    start = prev = ordered[0]
    for r in ordered[1:] + [None]:  # type: ignore[list-item]
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    word = "row" if len(ordered) == 1 else "rows"
    if len(parts) > limit:
        return f"{word} {', '.join(parts[:limit])}, ... ({len(ordered)} rows in all)"
    return f"{word} {', '.join(parts)}"
