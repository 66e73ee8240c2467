"""The practice estates figures a user supplies (floor area, clinical rooms, GP FTE): the
template to fill for a region, and applying a filled one (or edits) to a region's sites.

No national file holds floor area: a region built from national data has it unknown until the
user fills this template, uploads it, or types the figures into the dashboard's table.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from estates.errors import InputError
from estates.model import Region

#: Figures a user may supply per surgery site, with the unit shown beside each.
FIGURES: dict[str, str] = {"gia_m2": "m2", "clinical_rooms": "rooms", "gp_fte": "FTE"}
TEMPLATE_COLUMNS = ["practice_code", "site_name", "site_kind", "parent_code", *FIGURES,
                    "easting", "northing"]


def estates_template(region: Region) -> pd.DataFrame:
    """One row per surgery site of ``region`` in the estates template's columns, with the
    figures already known filled in and the unknown ones empty, ready to be completed."""
    p = region.practices
    frame = pd.DataFrame({
        "practice_code": p["practice_code"].astype(str),
        "site_name": p["site_name"].astype(str),
        "site_kind": p["site_kind"].astype(str),
        "parent_code": p.get("parent_code", pd.Series("", index=p.index)).fillna("").astype(str),
        **{f: pd.to_numeric(p[f], errors="coerce") if f in p else math.nan for f in FIGURES},
        "easting": p.geometry.x.round(0), "northing": p.geometry.y.round(0),
    })
    return frame.reset_index(drop=True)[TEMPLATE_COLUMNS]


def edits_from_table(table: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """``{practice_code: {figure: value or None}}`` from a template-shaped table."""
    out: dict[str, dict[str, float | None]] = {}
    for _, row in table.iterrows():
        code = str(row["practice_code"]).strip().upper()
        values: dict[str, float | None] = {}
        for f in FIGURES:
            v = pd.to_numeric(row.get(f), errors="coerce")
            values[f] = None if pd.isna(v) else float(v)
        out[code] = values
    return out


def apply_estates_figures(region: Region, edits: Mapping[str, Mapping[str, Any]]
                          ) -> tuple[Region, list[str]]:
    """A copy of ``region`` with each site's floor area, rooms and GP FTE set from ``edits``
    (``{practice_code: {figure: value}}``; None or NaN leaves the figure unknown).

    Raises ``InputError`` naming the site and figure for a negative or non-numeric value.
    Codes not in the region are returned as warnings, not applied.
    """
    practices = region.practices.copy()
    codes = practices["practice_code"].astype(str).str.upper()
    problems, warnings = [], []
    unknown = sorted(set(map(str, edits)) - set(codes))
    if unknown:
        warnings.append(f"{len(unknown)} practice code(s) are not sites of this region and "
                        f"were not used: {', '.join(unknown[:20])}")
    for code, values in edits.items():
        rows = codes.index[codes == str(code).upper()]
        if not len(rows):
            continue
        for figure, value in values.items():
            if figure not in FIGURES:
                continue
            number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0] \
                if value is not None else math.nan
            if value not in (None, "") and pd.isna(number):
                problems.append(f"{code}, {figure}: {value!r} is not a number")
                continue
            if number < 0:
                problems.append(f"{code}, {figure}: {value!r} is negative; give zero or more "
                                f"{FIGURES[figure]}")
                continue
            practices.loc[rows, figure] = float(number)
    if problems:
        raise InputError("estates figures: " + "; ".join(problems))
    return dataclasses.replace(region, practices=practices), warnings


__all__ = ["FIGURES", "TEMPLATE_COLUMNS", "apply_estates_figures", "edits_from_table",
           "estates_template"]
