"""Figures as a user reads them, shared by the dashboard's screens, the map and the report.

Kept apart from ``estates.report.map`` so that screens showing only numbers (the Overview)
do not import folium.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd


def format_figure(value: Any, unit: str) -> str:
    """A figure as a user reads it: thousands separators, the unit, and 'n/a' when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        if pd.isna(value):
            return "n/a"
        number = float(value)
        if unit == "year":
            text = f"{int(number)}/{(int(number) + 1) % 100:02d}"
            return text
        digits = 1 if unit == "%" or (unit == "m2" and abs(number) < 100) else 0
        text = f"{number:,.{digits}f}"
    else:
        if pd.isna(value):
            return "n/a"
        text = str(value)
    if unit == "%":
        return text + " %"
    if unit == "m2":
        return text + " m²"
    return f"{text} {unit}".strip()


def esc(value: Any) -> str:
    """Text safe to place inside HTML and inside a JavaScript template literal.

    ``html.escape`` covers ``< > & " '``; folium also pastes tooltip text into a JavaScript
    backtick string, where a backtick, ``${`` or a backslash would change the code, so those
    become character references too (they display unchanged).
    """
    text = "" if value is None else str(value)
    text = html.escape(text, quote=True)
    return text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def round_sensibly(value: float, *, significant: int = 3) -> float:
    """``value`` to ``significant`` figures below 100, and to a whole number from 100 up.

    A fraction such as 0.06857142857142857 reads as 0.0686; 3,200 stays 3,200 (its last
    digits are the figure, not noise).
    """
    number = float(value)
    if number == 0 or not math.isfinite(number) or abs(number) >= 100:
        return round(number) if math.isfinite(number) else number
    digits = significant - 1 - int(math.floor(math.log10(abs(number))))
    return round(number, digits)


def format_value(value: Any, unit: str = "") -> str:
    """A parameter's value as a person reads it: rounded sensibly, with thousands separators
    and its unit; a tuple is a comma-separated list; years are financial years."""
    if isinstance(value, (tuple, list)):
        return "; ".join(format_value(v) for v in value) + (f" {unit}" if unit else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        return f"{value} {unit}".strip() if value is not None else "n/a"
    if unit.startswith("year"):
        return format_figure(int(value), "year")
    rounded = round_sensibly(float(value))
    text = f"{rounded:,.0f}" if float(rounded).is_integer() else f"{rounded:,.12g}"
    if unit == "%":
        return text + " %"
    if unit in ("m2", "m²"):
        return text + " m²"
    return f"{text} {unit}".strip()


def change_text(before: Any, after: Any, unit: str = "") -> str:
    """Before and after as words: "no change (20)" or "20 to 5", with separators."""
    b, a = format_figure(before, unit), format_figure(after, unit)
    return f"no change ({b})" if b == a else f"{b} to {a}"
