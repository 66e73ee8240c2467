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
