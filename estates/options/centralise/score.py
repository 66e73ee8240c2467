"""Scoring combinations of kept sites from one zone x site minutes matrix, vectorised.

A resident's time under a combination is the minimum over the kept sites' columns (numpy), so
7 choose 3 over 100,000 zones is a few array passes. Figures, per travel mode:

* % of residents (all ages, 65+, 75+, 85+) within each threshold, in every area and in each
  rural-urban class (a zone is within when its time is at most the threshold, inclusive);
* population-weighted mean minutes, the 95th percentile (the smallest time that at least 95 %
  of residents are within) and the maximum over zones with residents;
* residents whose time rises by more than each of the rise thresholds against today (all sites);
* the residents each kept site would serve (nearest kept site; a tie goes to the site listed
  first) against its capacity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from estates.access.older_access import _group_people, _zone_classes
from estates.errors import InputError
from estates.model import RURAL_CLASSES, pop_columns

#: Column keys and labels of the age groups and of the areas.
GROUPS: dict[str, str] = {"all": "all ages", "65plus": "65+", "75plus": "75+", "85plus": "85+"}
AREAS: dict[str, str] = {"all": "all areas", **{c.replace(" ", "_"): c for c in RURAL_CLASSES}}
MODES: dict[str, str] = {"emergency": "emergency transport", "visitor": "visitors"}
#: Groups whose mean and 95th percentile are reported, and whose rises are counted.
TIME_GROUPS: tuple[str, ...] = ("all", "65plus")
#: Cells of (zones x combinations x kept sites) held at once.
_CELLS = 20_000_000


def pct_column(mode: str, group: str, area: str, threshold: float) -> str:
    return f"{mode}_pct_{group}_{area}_within_{threshold:g}"


def stat_column(mode: str, stat: str, group: str = "all") -> str:
    """``stat`` is mean, p95 or max (max is over all residents only)."""
    return f"{mode}_max_minutes" if stat == "max" else f"{mode}_{stat}_minutes_{group}"


def rise_column(mode: str, group: str, rise: float) -> str:
    return f"{mode}_people_{group}_rise_over_{rise:g}"


def describe_column(column: str) -> str:
    """A figure's column name in words, with its unit (for the ranking rule and the report)."""
    parts = column.split("_")
    mode = MODES.get(parts[0], parts[0])
    rest = column[len(parts[0]) + 1:]
    if rest.startswith("pct_"):
        body, threshold = rest[4:].split("_within_")
        group, area = body.split("_", 1)
        return (f"% of residents ({GROUPS[group]}, {AREAS[area]}) within {threshold} minutes "
                f"by {mode}")
    if rest == "max_minutes":
        return f"longest journey by {mode} (minutes)"
    if rest.startswith(("mean_minutes_", "p95_minutes_")):
        stat, _, group = rest.split("_", 2)
        what = "mean journey" if stat == "mean" else "95th percentile journey"
        return f"{what} by {mode}, {GROUPS[group]} (minutes)"
    if rest.startswith("people_") and "_rise_over_" in rest:
        group, rise = rest[7:].split("_rise_over_")
        return f"residents ({GROUPS[group]}) whose journey by {mode} rises by more than {rise} minutes"
    if column == "max_residents_per_capacity":
        return "most residents per unit of capacity at a kept site"
    return column


@dataclass(frozen=True)
class Instance:
    """One centralisation problem in arrays.

    ``minutes`` maps a mode to its (zones x sites) matrix; ``people`` is (zones x groups) in
    ``GROUPS`` order; ``area`` is each zone's rural-urban class.
    """

    zone_ids: pd.Index
    site_ids: pd.Index
    site_names: np.ndarray
    capacity: np.ndarray
    minutes: Mapping[str, np.ndarray]
    people: np.ndarray
    area: np.ndarray
    thresholds: tuple[float, ...]
    rises: tuple[float, ...]

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    def weights(self) -> np.ndarray:
        """(zones x groups*areas) residents of each group counted in each area."""
        cols = []
        for g in range(len(GROUPS)):
            for key in AREAS:
                mask = np.ones(len(self.area), bool) if key == "all" else self.area == AREAS[key]
                cols.append(np.where(mask, self.people[:, g], 0.0))
        return np.column_stack(cols)


def zone_people(zones: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(zones x groups) residents in ``GROUPS`` order and each zone's rural-urban class."""
    missing = [c for c in pop_columns() if c not in zones.columns]
    if missing:
        raise InputError(f"zones lack population column(s) {', '.join(missing)}; a "
                         f"centralisation needs residents by age band")
    people = _group_people(zones)
    stacked = np.column_stack([people["all ages"], people["65+"], people["75+"], people["85+"]])
    return stacked, _zone_classes(zones).to_numpy()


def score(inst: Instance, combos: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Figures for each combination (rows of site indices), and the residents each site serves.

    Returns the table (one row per combination, in order) and a (combinations x sites) array of
    residents served by each kept site (0 for closed ones).
    """
    combos = np.asarray(combos, dtype=np.int64)
    if combos.ndim != 2 or combos.shape[1] == 0:
        raise InputError("each combination must keep at least one site")
    n_zones = len(inst.zone_ids)
    chunk = max(1, _CELLS // max(n_zones * combos.shape[1], 1))
    tables, served = [], []
    for start in range(0, len(combos), chunk):
        block = combos[start:start + chunk]
        figures, block_served = _score_block(inst, block)
        tables.append(figures)
        served.append(block_served)
    table = pd.concat(tables, ignore_index=True)
    return table, np.vstack(served)


def nearest(matrix: np.ndarray, combos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(zones x combinations) minutes to the nearest kept site and that site's index."""
    sub = matrix[:, combos]  # zones x combinations x kept
    which = np.argmin(sub, axis=2)
    minutes = np.take_along_axis(sub, which[:, :, None], axis=2)[:, :, 0]
    return minutes, combos[np.arange(combos.shape[0])[None, :], which]


def _score_block(inst: Instance, combos: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    weights = inst.weights()
    n_areas = len(AREAS)
    done: dict[int, str] = {}
    for mode, matrix in inst.minutes.items():
        if id(matrix) in done:  # visitors by car with an emergency factor of 1: same figures
            first = done[id(matrix)]
            out.update({mode + c[len(first):]: v for c, v in list(out.items())
                        if c.startswith(first + "_")})
            continue
        done[id(matrix)] = mode
        times, site = nearest(matrix, combos)
        for threshold in inst.thresholds:
            within = (times <= threshold).T.astype(float) @ weights
            totals = weights.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                pct = np.where(totals > 0, 100.0 * within / totals, np.nan)
            for g, group in enumerate(GROUPS):
                for a, area in enumerate(AREAS):
                    out[pct_column(mode, group, area, threshold)] = pct[:, g * n_areas + a]
        sort = sort_columns(times)
        for group in TIME_GROUPS:
            w = inst.people[:, list(GROUPS).index(group)]
            out[stat_column(mode, "mean", group)] = _mean(times, w)
            out[stat_column(mode, "p95", group)] = weighted_quantile(times, w, 0.95, sort)
        has_people = inst.people[:, 0] > 0
        out[stat_column(mode, "max")] = (np.where(has_people[:, None], times, -np.inf).max(axis=0)
                                         if has_people.any() else np.full(len(combos), np.nan))
        today = matrix.min(axis=1)
        with np.errstate(invalid="ignore"):
            rise = times - today[:, None]  # inf - inf (never reachable) is NaN: no rise
        for group in TIME_GROUPS:
            w = inst.people[:, list(GROUPS).index(group)]
            for r in inst.rises:
                out[rise_column(mode, group, r)] = (rise > r).T.astype(float) @ w
        if mode == "emergency":
            served = _served(site, times, inst.people[:, 0], inst.n_sites)
    table = pd.DataFrame(out)
    return table, served


def _mean(times: np.ndarray, w: np.ndarray) -> np.ndarray:
    total = w.sum()
    if total <= 0:
        return np.full(times.shape[1], np.nan)
    finite = np.isfinite(times)
    unreachable = (~finite).T.astype(float) @ w
    mean = np.where(finite, times, 0.0).T @ w / total
    return np.where(unreachable > 0, np.inf, mean)


def weighted_quantile(times: np.ndarray, w: np.ndarray, q: float,
                      sort: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Per column, the smallest time such that residents within it are at least ``q`` of all.

    ``sort`` (``sort_columns(times)``) lets several weightings share one sort.
    """
    total = w.sum()
    if total <= 0:
        return np.full(times.shape[1], np.nan)
    order, ordered = sort if sort is not None else sort_columns(times)
    cum = np.cumsum(w[order], axis=1)
    # The relative tolerance keeps a share that is exactly q (e.g. 19 of 20 residents) from
    # being missed by the last bit of a floating-point sum.
    idx = np.minimum((cum < q * total * (1 - 1e-12)).sum(axis=1), len(w) - 1)
    return np.take_along_axis(ordered, idx[:, None], axis=1)[:, 0]


def sort_columns(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's sort order and sorted values, as (columns x rows) arrays: sorting rows of
    a contiguous transpose is several times faster than sorting strided columns."""
    rows = np.ascontiguousarray(times.T)
    order = np.argsort(rows, axis=1, kind="stable")
    return order, np.take_along_axis(rows, order, axis=1)


def _served(site: np.ndarray, times: np.ndarray, people: np.ndarray, n_sites: int) -> np.ndarray:
    n_combos = site.shape[1]
    reach = np.isfinite(times)
    flat = (np.arange(n_combos)[None, :] * n_sites + site)[reach]
    weights = np.broadcast_to(people[:, None], site.shape)[reach]
    return np.bincount(flat, weights=weights, minlength=n_combos * n_sites).reshape(n_combos, n_sites)


def served_rows(inst: Instance, combo: Sequence[int], served: np.ndarray,
                today: np.ndarray) -> list[dict[str, Any]]:
    """The kept sites of one combination: residents served now and under it, and capacity."""
    rows = []
    for j in combo:
        cap = float(inst.capacity[j])
        rows.append({
            "site_id": str(inst.site_ids[j]),
            "name": str(inst.site_names[j]),
            "residents": float(served[j]),
            "residents_today": float(today[j]),
            "capacity": cap if np.isfinite(cap) else None,
            "residents_per_capacity": float(served[j] / cap) if np.isfinite(cap) else None,
        })
    return rows
