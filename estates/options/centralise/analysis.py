"""The centralisation analysis: which k of N sites should keep a service, judged by who is left
further away (older and rural residents above all), with a stated, editable ranking rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from estates.assumptions import Assumptions
from estates.errors import InputError
from estates.options.centralise.score import (
    AREAS,
    GROUPS,
    Instance,
    describe_column,
    nearest,
    pct_column,
    score,
    served_rows,
    stat_column,
    zone_people,
)
from estates.options.centralise.solve import (
    MAX_ENUMERATE,
    count_combinations,
    enumerate_combinations,
    solve_milp,
)
from estates.options.centralise.times import TravelSetting, car_minutes, visitor_minutes

TODAY = "today"
DIRECTIONS = ("max", "min")


@dataclass(frozen=True)
class RankRule:
    """Figures compared in turn: the first decides, the next breaks its ties, and so on; any tie
    left goes to the combination listed first (sites in the file's order). Figures are compared
    rounded to 6 decimals so that floating-point noise never decides."""

    keys: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> RankRule:
        """``"column:max,column:min"`` (as written in centralise.csv's header)."""
        keys = []
        for part in [p.strip() for p in text.split(",") if p.strip()]:
            column, _, direction = part.rpartition(":")
            if not column or direction not in DIRECTIONS:
                raise InputError(f"ranking rule {part!r}: write COLUMN:max or COLUMN:min, e.g. "
                                 f"emergency_pct_65plus_all_within_45:max")
            keys.append((column, direction))
        if not keys:
            raise InputError("the ranking rule is empty: give at least one COLUMN:max or :min")
        return cls(tuple(keys))

    def text(self) -> str:
        return ",".join(f"{c}:{d}" for c, d in self.keys)

    def describe(self) -> str:
        words = [("maximise " if d == "max" else "minimise ") + describe_column(c)
                 for c, d in self.keys]
        return "; then ".join(words) + "; any tie left goes to the combination listed first."


def default_rule(thresholds: Sequence[float]) -> RankRule:
    """Most residents aged 65+ within the middle threshold by emergency transport, then the
    shortest 95th percentile journey."""
    middle = thresholds[len(thresholds) // 2] if len(thresholds) > 1 else thresholds[0]
    return RankRule(((pct_column("emergency", "65plus", "all", middle), "max"),
                     (stat_column("emergency", "p95", "all"), "min")))


@dataclass
class Centralisation:
    """The scored combinations (``table``, ranked), today's configuration, and how they were
    found. ``table`` has one row per combination, named options included, and today's row
    (``option == "today"``, no rank) last."""

    table: pd.DataFrame
    instance: Instance
    rule: RankRule
    method: str
    keep: tuple[int, int]
    options: dict[str, tuple[str, ...]]
    setting: TravelSetting
    assumptions: Assumptions
    served: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ranked(self) -> pd.DataFrame:
        return self.table[self.table["rank"].notna()]

    @property
    def best(self) -> pd.Series:
        return self.ranked.iloc[0]

    @property
    def today(self) -> pd.Series:
        return self.table[self.table["option"] == TODAY].iloc[0]

    def row(self, option: str) -> pd.Series:
        """The row of a named option (or ``today``)."""
        found = self.table[self.table["option"].str.split("; ").apply(lambda o: option in o)]
        if not len(found):
            raise InputError(f"no option named {option!r}")
        return found.iloc[0]

    def indices(self, sites_key: str) -> list[int]:
        ids = sites_key.split("+")
        return [int(self.instance.site_ids.get_loc(i)) for i in ids]

    def zone_minutes(self, sites_key: str, mode: str = "emergency") -> pd.Series:
        """Each zone's minutes to its nearest kept site under a combination (``sites`` key)."""
        combo = np.array([self.indices(sites_key)])
        times, _ = nearest(self.instance.minutes[mode], combo)
        return pd.Series(times[:, 0], index=self.instance.zone_ids, name=f"{mode}_minutes")

    def to_json_dict(self, *, top: int = 20) -> dict[str, Any]:
        def figures(row: pd.Series) -> dict[str, Any]:
            return {k: _json(v) for k, v in row.items()}

        a = self.assumptions
        used = ["centralise_thresholds_minutes", "centralise_rise_minutes",
                "emergency_car_factor", "centralise_search_minutes", "circuity", "speed_car_kmh"]
        return {
            "rule": self.rule.text(),
            "rule_in_words": self.rule.describe(),
            "method": self.method,
            "keep": list(self.keep),
            "sites": [{"site_id": str(s), "name": str(n),
                       "capacity": _json(c)} for s, n, c in zip(
                self.instance.site_ids, self.instance.site_names, self.instance.capacity,
                strict=True)],
            "zones": len(self.instance.zone_ids),
            "residents": float(self.instance.people[:, 0].sum()),
            "travel": {"car": self.setting.method,
                       "emergency": f"car minutes x {a.emergency_car_factor:g}",
                       "visitors": self.setting.visitor_mode},
            "combinations_scored": int(self.ranked.shape[0]),
            "best": figures(self.best),
            "today": figures(self.today),
            "options": {name: figures(self.row(name)) for name in self.options},
            "top": [figures(r) for _, r in self.ranked.head(top).iterrows()],
            "served": self.served,
            "notes": self.notes,
            "assumptions": {n: {"value": _json(getattr(a, n)), **{
                k: a.meta(n)[k] for k in ("unit", "source", "label")}} for n in used},
        }


def _json(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    return value


def _indices(site_ids: pd.Index, given: Sequence[str], what: str) -> list[int]:
    unknown = [g for g in given if g not in site_ids]
    if unknown:
        raise InputError(f"unknown site id(s) {', '.join(map(repr, unknown))} in {what}; the "
                         f"sites are {', '.join(map(str, site_ids))}")
    return sorted({int(site_ids.get_loc(g)) for g in given})


def _keep_range(keep: int | tuple[int, int], n_sites: int, n_keep: int, n_close: int
                ) -> tuple[int, int]:
    lo, hi = (keep, keep) if isinstance(keep, (int, np.integer)) else (int(keep[0]), int(keep[1]))
    if lo < 1 or hi < lo:
        raise InputError(f"keep {lo}-{hi}: give a number of sites of at least 1 (or a rising range)")
    if hi > n_sites:
        raise InputError(f"keep {hi} is more than the {n_sites} candidate sites")
    if hi > n_sites - n_close:
        raise InputError(f"keep {hi} is more than the {n_sites - n_close} sites left open after "
                         f"the {n_close} must-close site(s)")
    if lo < n_keep:
        raise InputError(f"keep {lo} is fewer than the {n_keep} must-keep site(s)")
    return int(lo), int(hi)


def build_instance(zones: pd.DataFrame, sites: pd.DataFrame, *, setting: TravelSetting,
                   assumptions: Assumptions) -> Instance:
    """The zone x site minutes for emergency transport and visitors, and residents by group."""
    if len(zones) == 0:
        raise InputError("no zones: a centralisation needs residents by zone")
    people, area = zone_people(zones)
    car = car_minutes(zones, sites, setting, assumptions)
    return Instance(
        zone_ids=pd.Index(zones.index), site_ids=pd.Index(sites.index.astype(str)),
        site_names=sites["name"].astype(str).to_numpy(),
        capacity=sites["capacity"].to_numpy(dtype=float) if "capacity" in sites else
        np.full(len(sites), np.nan),
        # One array for both modes when the factor is 1, so scoring runs once for the two.
        minutes={"emergency": car if assumptions.emergency_car_factor == 1 else
                 car * assumptions.emergency_car_factor,
                 "visitor": visitor_minutes(zones, sites, setting, assumptions, car)},
        people=people, area=area,
        thresholds=tuple(assumptions.centralise_thresholds_minutes),
        rises=tuple(assumptions.centralise_rise_minutes))


def centralise(
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    keep: int | tuple[int, int],
    *,
    must_keep: Sequence[str] = (),
    must_close: Sequence[str] = (),
    options: Mapping[str, Sequence[str]] | None = None,
    rule: RankRule | None = None,
    setting: TravelSetting | None = None,
    assumptions: Assumptions | None = None,
    objective: str | None = None,
    max_enumerate: int = MAX_ENUMERATE,
    instance: Instance | None = None,
) -> Centralisation:
    """Score every combination of ``keep`` sites (or solve exactly beyond ``max_enumerate``).

    Parameters
    ----------
    zones
        Zones with ``pop_<band>`` columns and ``ruc21``, polygons or ``x``/``y``, by zone id.
    sites
        ``read_sites``'s frame: ``name``, ``x``, ``y``, optional ``capacity``, by site id.
    keep
        How many sites keep the service, or an inclusive (low, high) range.
    options
        Named combinations (name to site ids) scored and reported whatever their rank.
    rule
        The ranking rule; default ``default_rule`` of the thresholds.
    objective
        Beyond ``max_enumerate`` combinations: ``p-median``, ``p-centre`` or ``coverage``;
        by default taken from the rule's first figure.
    instance
        A prebuilt ``build_instance`` (the dashboard reuses one across what-ifs).
    """
    a = assumptions or Assumptions()
    setting = setting or TravelSetting()
    site_ids = pd.Index(sites.index.astype(str))
    keep_idx = _indices(site_ids, list(must_keep), "must-keep")
    close_idx = _indices(site_ids, list(must_close), "must-close")
    both = set(keep_idx) & set(close_idx)
    if both:
        raise InputError(f"site(s) {', '.join(site_ids[sorted(both)])} are both must-keep and "
                         f"must-close")
    lo, hi = _keep_range(keep, len(site_ids), len(keep_idx), len(close_idx))
    named = {str(n): tuple(site_ids[_indices(site_ids, list(ids), f"option {n!r}")])
             for n, ids in (options or {}).items()}
    for name, ids in named.items():
        if not ids:
            raise InputError(f"option {name!r} keeps no site")
    rule = rule or default_rule(a.centralise_thresholds_minutes)
    inst = instance or build_instance(zones, sites, setting=setting, assumptions=a)
    free = len(site_ids) - len(keep_idx) - len(close_idx)
    total = sum(count_combinations(free, k - len(keep_idx)) for k in range(lo, hi + 1))
    notes: list[str] = []
    if total <= max_enumerate:
        combos = [enumerate_combinations(len(site_ids), k, keep_idx, close_idx)
                  for k in range(lo, hi + 1)]
        method = f"every combination ({total:,})"
    else:
        combos, method = _by_milp(inst, rule, objective, lo, hi, keep_idx, close_idx, total)
        notes.append(f"{total:,} combinations are too many to list; the best for the rule's "
                     f"first figure was found exactly by {method}; later figures of the rule "
                     f"did not take part.")
    return _assemble(inst, combos, named, rule, method, (lo, hi), setting, a, notes)


def _by_milp(inst: Instance, rule: RankRule, objective: str | None, lo: int, hi: int,
             keep_idx: list[int], close_idx: list[int], total: int
             ) -> tuple[list[np.ndarray], str]:
    column, direction = rule.keys[0]
    mode, _, rest = column.partition("_")
    if mode not in inst.minutes:
        raise InputError(f"ranking figure {column!r} is not one of the table's columns")
    weights = inst.people[:, 0]
    threshold = None
    if objective is None:
        if rest.startswith("pct_") and direction == "max":
            body, t = rest[4:].split("_within_")
            group, area = body.split("_", 1)
            objective, threshold = "coverage", float(t)
            weights = inst.weights()[:, list(GROUPS).index(group) * len(AREAS)
                                     + list(AREAS).index(area)]
        elif rest.startswith("mean_minutes_") and direction == "min":
            objective = "p-median"
            weights = inst.people[:, list(GROUPS).index(rest.rsplit("_", 1)[-1])]
        elif rest == "max_minutes" and direction == "min":
            objective = "p-centre"
        else:
            raise InputError(
                f"{total:,} combinations are too many to list, and the rule's first figure "
                f"{column!r} has no exact solver: lead the rule with a % within (max), a mean "
                f"(min) or the longest journey (min), or give an objective")
    elif objective == "coverage":
        threshold = inst.thresholds[len(inst.thresholds) // 2]
    combos = []
    for k in range(lo, hi + 1):
        found = solve_milp(inst.minutes[mode], weights, k, objective=objective,
                           threshold=threshold, keep=keep_idx, close=close_idx)
        combos.append(np.array([found.combo], dtype=np.int64))
    return combos, f"a {objective} MILP (HiGHS via scipy.optimize.milp)"


def _assemble(inst: Instance, combos: list[np.ndarray], named: dict[str, tuple[str, ...]],
              rule: RankRule, method: str, keep: tuple[int, int], setting: TravelSetting,
              a: Assumptions, notes: list[str]) -> Centralisation:
    site_ids = inst.site_ids
    sets = [tuple(int(j) for j in row) for block in combos for row in block]
    candidates = len(sets)
    option_of: dict[tuple[int, ...], list[str]] = {}
    for name, ids in named.items():
        key = tuple(sorted(int(site_ids.get_loc(i)) for i in ids))
        option_of.setdefault(key, []).append(name)
        if key not in sets:
            sets.append(key)
    all_sites = tuple(range(inst.n_sites))
    sets.append(all_sites)
    tables: list[pd.DataFrame] = []
    served_blocks: list[tuple[int, np.ndarray]] = []
    for k in sorted({len(s) for s in sets}):
        rows = [i for i, s in enumerate(sets) if len(s) == k]
        block, block_served = score(inst, np.array([sets[i] for i in rows]))
        block.index = rows
        tables.append(block)
        served_blocks.extend(zip(rows, block_served, strict=True))
    figures = pd.concat(tables).sort_index()
    served_by_row = dict(served_blocks)
    today_served = served_by_row[len(sets) - 1]
    caps = inst.capacity
    per_cap = [np.nanmax(served_by_row[i][list(s)] / caps[list(s)])
               if np.isfinite(caps[list(s)]).any() else np.nan for i, s in enumerate(sets)]
    head = pd.DataFrame({
        "rank": np.nan,
        "option": ["; ".join(option_of.get(s, [])) for s in sets],
        "sites": ["+".join(site_ids[list(s)]) for s in sets],
        "site_names": ["; ".join(inst.site_names[list(s)]) for s in sets],
        "k": [len(s) for s in sets],
    })
    head.loc[len(sets) - 1, "option"] = TODAY
    table = pd.concat([head, figures.reset_index(drop=True)], axis=1)
    table["max_residents_per_capacity"] = per_cap
    table["served"] = ["; ".join(f"{site_ids[j]} {served_by_row[i][j]:,.0f}"
                                 + (f" / {caps[j]:g}" if np.isfinite(caps[j]) else "")
                                 for j in s) for i, s in enumerate(sets)]
    missing = [c for c, _ in rule.keys if c not in table.columns]
    if missing:
        raise InputError(f"the ranking rule names {', '.join(map(repr, missing))}, not columns "
                         f"of the table; use columns of centralise.csv such as "
                         f"{pct_column('emergency', '65plus', 'all', inst.thresholds[0])}")
    ranked = _rank(table.iloc[:candidates], rule)
    rest = table.iloc[candidates:]
    table = pd.concat([ranked, rest], ignore_index=True)
    keys = {str(table.iloc[0]["sites"])} | set(table.loc[table["option"] != "", "sites"])
    index_of = {"+".join(site_ids[list(s)]): i for i, s in enumerate(sets)}
    served: dict[str, list[dict[str, Any]]] = {key: served_rows(inst, list(sets[index_of[key]]), served_by_row[index_of[key]],
                               today_served) for key in sorted(keys)}
    return Centralisation(table, inst, rule, method, keep, named, setting, a, served, notes)


def _rank(table: pd.DataFrame, rule: RankRule) -> pd.DataFrame:
    keys = pd.DataFrame({f"_{i}": table[c].astype(float).round(6)
                         for i, (c, _) in enumerate(rule.keys)})
    keys["_order"] = np.arange(len(table))
    order = keys.sort_values([*keys.columns[:-1], "_order"],
                             ascending=[d == "min" for _, d in rule.keys] + [True],
                             na_position="last", kind="mergesort").index
    out = table.loc[order].copy()
    out["rank"] = np.arange(1, len(out) + 1, dtype=float)
    return out
