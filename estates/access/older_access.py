"""Older and rural people's access to GP sites, in the style of DfT Journey Time Statistics.

Per zone: the minimum travel time to any GP site. For the region: the share of people aged 65+,
75+ and 85+ within 15 and 30 minutes by each mode, split by ONS rural-urban class, as a tidy table
and as a JSON-ready dict for ``summary.json``; and the change of a scenario against the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from estates.access.travel import MODES, FrictionGrid, TravelMatrix, travel_times
from estates.assumptions import Assumptions
from estates.errors import InputError
from estates.model import OLDER_GROUPS, RUC21_CLASS, RURAL_CLASSES, pop_columns

#: Thresholds of the DfT Journey Time Statistics that METHODS.md asks for.
THRESHOLDS_MINUTES: tuple[float, ...] = (15.0, 30.0)
#: The areas of the split: every zone, then each rural-urban class.
AREAS: tuple[str, ...] = ("all", *RURAL_CLASSES)
TABLE_COLUMNS: list[str] = [
    "mode",
    "group",
    "area",
    "threshold_minutes",
    "people",
    "people_within",
    "pct_within",
]
KEYS: list[str] = ["mode", "group", "area", "threshold_minutes"]


def zone_points(zones: pd.DataFrame) -> pd.DataFrame:
    """Each zone's origin point as ``x, y`` on the zones' index.

    Zones that carry ``x`` and ``y`` columns (e.g. ONS population-weighted centroids) use them;
    otherwise the polygon centroid (or a point on the surface where the centroid is outside).
    """
    if {"x", "y"} <= set(zones.columns):
        return pd.DataFrame(
            {"x": zones["x"].astype(float), "y": zones["y"].astype(float)}, index=zones.index
        )
    if "geometry" not in zones.columns:
        raise InputError(
            "zones need polygons (a geometry column) or x and y columns for their origin points"
        )
    # The centroid, or a point on the surface for a zone (a crescent, say) whose centroid
    # falls outside it: the engine and the access indicators use the same origins.
    centroids = zones.geometry.centroid
    points = centroids.where(centroids.within(zones.geometry),
                             zones.geometry.representative_point())
    return pd.DataFrame({"x": points.x.to_numpy(), "y": points.y.to_numpy()}, index=zones.index)


def minimum_minutes(
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    mode: str = "car",
    max_minutes: float = 60.0,
    method: str = "straight_line",
    assumptions: Assumptions | None = None,
    friction: FrictionGrid | str | Path | None = None,
    friction_unit: str = "minutes per metre",
    matrix: TravelMatrix | pd.DataFrame | str | Path | None = None,
) -> pd.Series:
    """Minutes from each zone's origin point to its nearest GP site (NaN beyond ``max_minutes``).

    Parameters
    ----------
    zones
        Zones (polygons, or ``x``/``y`` columns), indexed by zone id.
    sites
        GP sites as points (``geometry`` or ``x``/``y``), indexed by site code.
    max_minutes
        Search cut-off; a zone with no site within it is NaN, read as "more than max_minutes".
    """
    origins = zone_points(zones)
    pairs = travel_times(
        origins,
        sites,
        max_minutes=max_minutes,
        mode=mode,
        method=method,
        assumptions=assumptions,
        friction=friction,
        friction_unit=friction_unit,
        matrix=matrix,
    )
    nearest = pairs.groupby("origin", sort=False)["minutes"].min()
    return nearest.reindex(zones.index).astype(float).rename(f"min_minutes_{mode}")


def _zone_classes(zones: pd.DataFrame) -> pd.Series:
    if "ruc21" not in zones.columns:
        raise InputError("zones need a ruc21 column (ONS Rural-Urban Classification 2021 code)")
    codes = zones["ruc21"].fillna("").astype(str).str.strip().str.upper()
    classes = codes.map(RUC21_CLASS)
    # An empty code is rurality unknown: counted in "all" areas, in no rural-urban class.
    bad = classes.isna() & (codes != "")
    classes = classes.fillna("unknown")
    if bad.any():
        shown = ", ".join(f"{i} ({zones['ruc21'][i]!r})" for i in zones.index[bad.to_numpy()][:5])
        raise InputError(
            f"{int(bad.sum())} zone(s) have an unknown ruc21 code: {shown}; use one of "
            f"{', '.join(RUC21_CLASS)}"
        )
    return classes


def _group_people(zones: pd.DataFrame) -> dict[str, np.ndarray]:
    groups = {g: [f"pop_{b}" for b in bands] for g, bands in OLDER_GROUPS.items()}
    if set(pop_columns()) <= set(zones.columns):
        groups = {"all ages": pop_columns(), **groups}
    missing = sorted({c for cols in groups.values() for c in cols} - set(zones.columns))
    if missing:
        raise InputError(f"zones lack population column(s) {', '.join(missing)}")
    out: dict[str, np.ndarray] = {}
    for group, cols in groups.items():
        values = zones[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).all() or (values < 0).any():
            raise InputError(f"zones' {', '.join(cols)} must be numbers >= 0")
        out[group] = values.sum(axis=1)
    return out


def older_access_table(
    zones: pd.DataFrame,
    minutes: Mapping[str, pd.Series],
    *,
    thresholds: Sequence[float] = THRESHOLDS_MINUTES,
) -> pd.DataFrame:
    """People within each threshold of a GP site, by mode, age group and rural-urban class.

    Parameters
    ----------
    zones
        Zones with ``pop_65_74``, ``pop_75_84``, ``pop_85_plus`` (all ``pop_*`` columns add an
        "all ages" group) and ``ruc21``, indexed by zone id.
    minutes
        Mode name to each zone's minimum minutes to a GP site (``minimum_minutes``), on the zones'
        index; NaN means no site within the search cut-off. A zone counts as within a threshold
        when its minimum time is at most the threshold (inclusive, as the cut-offs elsewhere).

    Returns
    -------
    One row per mode, group, area and threshold: ``people``, ``people_within`` and
    ``pct_within`` (NaN where an area has no people of that group).
    """
    classes = _zone_classes(zones).to_numpy()
    people = _group_people(zones)
    rows: list[dict[str, Any]] = []
    for mode, series in minutes.items():
        missing = zones.index.difference(series.index)
        if len(missing):
            raise InputError(
                f"minutes for mode {mode!r} lack zone(s) {missing[:5].tolist()}; "
                f"give every zone a value (NaN if no site is in reach)"
            )
        t = series.reindex(zones.index).to_numpy(dtype=float)
        for group, pop in people.items():
            for area in AREAS:
                in_area = np.ones(len(zones), bool) if area == "all" else classes == area
                total = float(pop[in_area].sum())
                for threshold in thresholds:
                    # NaN <= threshold is False: a zone with nothing in reach is not within.
                    within = float(pop[in_area & (t <= threshold)].sum())
                    rows.append(
                        {
                            "mode": mode,
                            "group": group,
                            "area": area,
                            "threshold_minutes": float(threshold),
                            "people": total,
                            "people_within": within,
                            "pct_within": 100.0 * within / total if total > 0 else np.nan,
                        }
                    )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def older_access(
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    modes: Sequence[str] = MODES,
    thresholds: Sequence[float] = THRESHOLDS_MINUTES,
    assumptions: Assumptions | None = None,
) -> pd.DataFrame:
    """``older_access_table`` for straight-line travel by each of ``modes`` to ``sites``."""
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise InputError(f"unknown travel mode(s) {unknown}: use {', '.join(MODES)}")
    cutoff = max(thresholds) if len(thresholds) else 0.0
    minutes = {
        m: minimum_minutes(zones, sites, mode=m, max_minutes=cutoff, assumptions=assumptions)
        for m in modes
    }
    return older_access_table(zones, minutes, thresholds=thresholds)


def older_access_change(baseline: pd.DataFrame, scenario: pd.DataFrame) -> pd.DataFrame:
    """A scenario's table against the baseline's: percentage points and people gained.

    Both tables come from ``older_access_table`` over the same zones and thresholds.
    """
    merged = baseline.merge(
        scenario,
        on=KEYS,
        how="outer",
        suffixes=("_baseline", "_scenario"),
        validate="one_to_one",
        indicator=True,
    )
    if (merged["_merge"] != "both").any():
        raise InputError(
            "the baseline and scenario tables cover different modes, groups, "
            "areas or thresholds; build both with the same settings"
        )
    return pd.DataFrame(
        {
            **{k: merged[k] for k in KEYS},
            "people": merged["people_baseline"],
            "pct_within_baseline": merged["pct_within_baseline"],
            "pct_within_scenario": merged["pct_within_scenario"],
            "change_pct_points": merged["pct_within_scenario"] - merged["pct_within_baseline"],
            "people_within_change": merged["people_within_scenario"]
            - merged["people_within_baseline"],
        }
    )


def _json_number(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 6)


def older_access_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Flatten ``older_access_table`` (or ``older_access_change``) into a JSON-ready dict.

    Shape: ``{mode: {group: {area: {"people": n, "pct_within_15": p, ...}}}}``; NaN becomes None.
    A change table gives ``change_pct_points_15`` and ``people_within_change_15`` instead.
    """
    value_cols = (
        ["pct_within", "people_within"]
        if "pct_within" in table.columns
        else ["change_pct_points", "people_within_change"]
    )
    out: dict[str, Any] = {}
    for row in table.itertuples(index=False):
        r = row._asdict()
        cell = out.setdefault(r["mode"], {}).setdefault(r["group"], {}).setdefault(r["area"], {})
        cell["people"] = _json_number(r["people"])
        t = f"{r['threshold_minutes']:g}"
        for col in value_cols:
            cell[f"{col}_{t}"] = _json_number(r[col])
    return out
