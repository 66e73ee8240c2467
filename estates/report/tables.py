"""HTML tables and figure boxes for the report, every cell escaped and every number with
thousands separators (years as financial years, never "2,026")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from estates.model import fy
from estates.report.figures import esc, format_value

#: A column's digits: a number of decimals, None for text, or YEAR for a financial year.
YEAR = "year"
Digits = int | str | None


def fmt(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.{digits}f}"
    if value is pd.NA:
        return "-"
    return str(value)


def fmt_year(value: Any) -> str:
    """A financial year ("2027/28"), or "-" when there is none."""
    if value is None or value is pd.NA or (isinstance(value, (float, np.floating))
                                          and not np.isfinite(value)):
        return "-"
    return fy(int(value))


def table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, Digits]], *,
          css: str = "") -> str:
    """An escaped HTML table; ``columns`` are (column, heading with unit, digits), digits
    being decimals, None for text or ``YEAR``. Columns missing from ``frame`` are left out, so
    a table lists the columns its data has."""
    columns = [c for c in columns if c[0] in frame.columns]
    head = "".join(f"<th>{esc(h)}</th>" for _, h, _ in columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for col, _, digits in columns:
            value = row.get(col)
            if digits is None:
                cells.append(f"<td>{esc(fmt(value))}</td>")
            elif digits == YEAR:
                cells.append(f"<td class='num'>{esc(fmt_year(value))}</td>")
            else:
                cells.append(f"<td class='num'>{esc(fmt(value, int(digits)))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cls = f" class='{css}'" if css else ""
    return (f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table>")


def headline(label: str, value: str, meaning: str) -> str:
    return f"<div class='fig'>{esc(label)}<b>{esc(value)}</b><span class='note'>{esc(meaning)}</span></div>"


def assumptions_table(rows: Iterable[dict[str, Any]]) -> str:
    body = []
    for r in rows:
        shown = format_value(r["value"])
        if str(r["unit"]).startswith("year"):
            shown = fy(int(r["value"]))
        body.append(f"<tr><td>{esc(r['label'])}</td><td class='num'>{esc(shown)}</td>"
                    f"<td>{esc(r['unit'])}</td><td>{esc(r['source'])}</td></tr>")
    return ("<table><thead><tr><th>Assumption</th><th>Value</th><th>Unit</th><th>Source</th>"
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")




def table_html(frame: pd.DataFrame, columns: Sequence[tuple[str, str, Digits]], *,
               css: str = "") -> str:
    """``table`` under a name that does not clash with local variables."""
    return table(frame, columns, css=css)


def patients_text(value: Any) -> str:
    """A figure in patients, or "n/a" where it could not be worked out (None: capacity unknown)."""
    return "n/a" if value is None else f"{value:,.0f} patients"
