"""What every national reader returns (``NationalImport``) and the small helpers they share:
reading a table, requiring columns, numbers, codes, postcodes and duplicate keys."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from estates.errors import InputError
from estates.io import sniff


@dataclass
class NationalImport:
    """What a national-file reader returns.

    ``table`` uses the project's column names; ``rejected`` has columns row (1-based data
    row) and reason; ``rows_read == len(used rows) + len(rejected)`` where a reader that
    aggregates rows (patients by age) says so in its docstring.
    """

    filename: str
    rows_read: int
    table: pd.DataFrame
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"row": pd.Series(dtype="int64"),
                                              "reason": pd.Series(dtype="object")}))
    warnings: list[str] = field(default_factory=list)


def rejected_frame(items: list[tuple[int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(sorted(items), columns=["row", "reason"])
    frame["row"] = frame["row"].astype("int64")
    return frame


def read_table(source: str | Path | bytes, filename: str | None, *, header: bool = True
           ) -> sniff.Table:
    data, name = sniff.load_source(source, filename)
    if header:
        return sniff.read_table(data, name)
    # epraccur has no header row: every line is data.
    if not data.strip():
        raise InputError(f"{name}: the file is empty. Download it again from its publisher.")
    text, encoding = sniff.decode_text(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"{name}: cannot be read as CSV ({exc}).") from None
    return sniff.Table(name, [], [[c.strip() for c in r] for r in rows if any(r)], encoding)


def require_columns(table: sniff.Table, synonyms: Mapping[str, Sequence[str]], required: Sequence[str],
             what: str) -> dict[str, int]:
    found = sniff.match_columns(table.header, synonyms)
    missing = [f for f in required if f not in found]
    if missing:
        shown = ", ".join(repr(h) for h in table.header[:30])
        raise InputError(
            f"{table.filename}: not {what}: no column for {', '.join(missing)}. "
            f"Columns found: {shown}. Download the file again from its publisher, unchanged.")
    return {f: m.index for f, m in found.items()}


def padded_cells(row: list[str], n: int) -> list[str]:
    return row + [""] * (n - len(row)) if len(row) < n else row


def parse_number(text: str) -> float | None:
    return sniff.parse_number(text)


def norm_code(text: str) -> str:
    return text.strip().upper()


def normalise_postcode(text: str) -> str:
    """``'tn13 1aa'`` or ``'TN131AA'`` -> ``'TN13 1AA'`` (the ONSPD ``pcds`` form)."""
    t = re.sub(r"\s+", "", text.upper())
    return f"{t[:-3]} {t[-3:]}" if len(t) >= 5 else t



def dedupe(records: list[dict[str, Any]], key: str) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    first: dict[str, int] = {}
    kept, dups = [], []
    for rec in records:
        k = rec[key]
        if k in first:
            dups.append((rec["_row"], f"duplicate {key} {k!r}: first given on row {first[k]}"))
            continue
        first[k] = rec["_row"]
        kept.append({c: v for c, v in rec.items() if c != "_row"})
    frame = pd.DataFrame(kept)
    if len(frame):
        frame = frame.set_index(key, drop=False)
        frame.index.name = None
    return frame, dups

