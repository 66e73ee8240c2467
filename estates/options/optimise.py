"""The site finder: where to open up to k new surgeries, and how big, to serve the most demand.

A capacitated maximal covering problem (METHODS.md section 5). Zones' demand may be served by
any surgery within the travel threshold, up to its capacity; existing surgeries are fixed; we
choose among candidate places (libraries, council buildings, a grid of points) and a few floor
areas for each, at most ``k`` places and within an optional budget, to minimise the demand left
unserved. Exact at district scale: a mixed-integer program solved by HiGHS
(``scipy.optimize.milp``)::

    minimise   sum_i u_i  (+ a tie-break far below one patient on cost)
    subject to sum_e x_ie + sum_j x_ij + u_i = d_i          every zone i
               sum_i x_ie <= c_e                            every existing site e
               sum_i x_ij <= sum_s cap_js y_js              every candidate j
               x_ij <= d_i sum_s y_js                       every pair (i, j) in reach
               sum_s y_js <= 1,  sum_js y_js <= k,  sum_js cost_js y_js <= budget
               x, u >= 0,  y binary

For large inputs, a greedy heuristic adds the option that serves the most extra demand, one at
a time, and reports its gap to the bound of the linear relaxation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from estates.access.provider import TravelProvider
from estates.assumptions import Assumptions
from estates.engine import capacity as cap
from estates.engine.misplaced import max_served
from estates.errors import EstatesError, InputError
from estates.model import Region
from estates.options.scenario import Scenario

DEFAULT_SIZES_M2: tuple[float, ...] = (100.0, 200.0, 400.0)


@dataclass(frozen=True)
class Instance:
    """A site-finding problem in arrays.

    ``demand`` per zone; ``supply`` per existing site; options (a candidate place at one size)
    with ``option_place``, ``option_capacity`` (patients) and ``option_cost`` (GBP); reachable
    pairs ``existing_pairs`` (zone, site) and ``candidate_pairs`` (zone, place).
    """

    demand: np.ndarray
    supply: np.ndarray
    n_places: int
    option_place: np.ndarray
    option_capacity: np.ndarray
    option_cost: np.ndarray
    existing_pairs: tuple[np.ndarray, np.ndarray]
    candidate_pairs: tuple[np.ndarray, np.ndarray]

    @property
    def n_options(self) -> int:
        return len(self.option_place)


@dataclass(frozen=True)
class Solution:
    """Chosen options (indices into the instance's options) and the demand left unserved."""

    options: tuple[int, ...]
    unmet: float
    method: str
    bound: float
    seconds: float
    status: str = ""

    @property
    def gap(self) -> float:
        """Unserved demand above the best possible (0 when proven optimal)."""
        return max(self.unmet - self.bound, 0.0)


def _matrices(inst: Instance, k: int, budget: float | None, *, cost_weight: float
              ) -> tuple[np.ndarray, list[LinearConstraint], np.ndarray, Bounds]:
    nz, ne, no, nj = len(inst.demand), len(inst.supply), inst.n_options, inst.n_places
    ez, ee = inst.existing_pairs
    cz, cj = inst.candidate_pairs
    n_e, n_c = len(ez), len(cz)
    # variable layout: [x_existing (n_e) | x_candidate (n_c) | u (nz) | y (no)]
    o_c, o_u, o_y = n_e, n_e + n_c, n_e + n_c + nz
    nvar = o_y + no
    c = np.zeros(nvar)
    c[o_u:o_y] = 1.0
    c[o_y:] = cost_weight * inst.option_cost
    rows: list[sparse.csr_array] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []

    def block(r: np.ndarray, col: np.ndarray, v: np.ndarray, n: int) -> sparse.csr_array:
        return sparse.csr_array((v, (r, col)), shape=(n, nvar))

    # zone balance: served + unserved = demand
    rz = np.concatenate([ez, cz, np.arange(nz)])
    cz_cols = np.concatenate([np.arange(n_e), o_c + np.arange(n_c), o_u + np.arange(nz)])
    rows.append(block(rz, cz_cols, np.ones(len(rz)), nz))
    lo.append(inst.demand)
    hi.append(inst.demand)
    # existing capacity
    rows.append(block(ee, np.arange(n_e), np.ones(n_e), ne))
    lo.append(np.full(ne, -np.inf))
    hi.append(inst.supply)
    # candidate capacity: flows minus capacity of the chosen size <= 0
    op = inst.option_place
    rows.append(block(np.concatenate([cj, op]),
                      np.concatenate([o_c + np.arange(n_c), o_y + np.arange(no)]),
                      np.concatenate([np.ones(n_c), -inst.option_capacity]), nj))
    lo.append(np.full(nj, -np.inf))
    hi.append(np.zeros(nj))
    # linking: x_ij <= d_i * (place j open); needed when capacity is not binding (coverage)
    place_opts = [np.flatnonzero(op == j) for j in range(nj)]
    lr = [np.arange(n_c)]
    lc = [o_c + np.arange(n_c)]
    lv = [np.ones(n_c)]
    counts = np.array([len(place_opts[j]) for j in cj], dtype=np.int64)
    if n_c:
        lr.append(np.repeat(np.arange(n_c), counts))
        lc.append(o_y + np.concatenate([place_opts[j] for j in cj]))
        lv.append(-np.repeat(inst.demand[cz], counts))
    rows.append(block(np.concatenate(lr), np.concatenate(lc), np.concatenate(lv), n_c))
    lo.append(np.full(n_c, -np.inf))
    hi.append(np.zeros(n_c))
    # at most one size per place
    rows.append(block(op, o_y + np.arange(no), np.ones(no), nj))
    lo.append(np.full(nj, -np.inf))
    hi.append(np.ones(nj))
    # at most k, and the budget
    extra_r = [np.zeros(no, dtype=np.int64)]
    extra_c = [o_y + np.arange(no)]
    extra_v = [np.ones(no)]
    extra_hi = [float(k)]
    if budget is not None:
        extra_r.append(np.ones(no, dtype=np.int64))
        extra_c.append(o_y + np.arange(no))
        extra_v.append(inst.option_cost.astype(float))
        extra_hi.append(float(budget))
    n_extra = len(extra_hi)
    rows.append(block(np.concatenate(extra_r), np.concatenate(extra_c),
                      np.concatenate(extra_v), n_extra))
    lo.append(np.full(n_extra, -np.inf))
    hi.append(np.array(extra_hi))
    a = sparse.vstack(rows, format="csr")
    constraint = LinearConstraint(a, np.concatenate(lo), np.concatenate(hi))
    integrality = np.zeros(nvar)
    integrality[o_y:] = 1
    upper = np.full(nvar, np.inf)
    upper[o_y:] = 1.0
    return c, [constraint], integrality, Bounds(np.zeros(nvar), upper)


def _tie_break(inst: Instance) -> float:
    # Among plans serving the same demand, prefer the cheaper; the whole cost term stays
    # below 1e-3 patients so it never trades against serving anyone.
    total = float(inst.option_cost.sum())
    return 1e-3 / total if total > 0 else 0.0


def solve_milp(inst: Instance, *, k: int, budget: float | None = None,
               time_limit: float = 60.0) -> Solution:
    """The exact optimum by HiGHS (``scipy.optimize.milp``)."""
    start = time.perf_counter()
    w = _tie_break(inst)
    c, cons, integrality, bounds = _matrices(inst, k, budget, cost_weight=w)
    res = milp(c, constraints=cons, integrality=integrality, bounds=bounds,
               options={"time_limit": time_limit, "mip_rel_gap": 0.0})
    if res.x is None:
        raise EstatesError(f"the site finder's MILP found no solution: {res.message}")
    y = res.x[len(c) - inst.n_options:]
    chosen = tuple(int(i) for i in np.flatnonzero(y > 0.5))
    unmet = _unmet_given(inst, chosen)
    bound = float(getattr(res, "mip_dual_bound", np.nan))
    bound = unmet if res.status == 0 or not np.isfinite(bound) else min(bound, unmet)
    return Solution(chosen, unmet, "milp", bound, time.perf_counter() - start,
                    "optimal" if res.status == 0 else str(res.message))


def lp_bound(inst: Instance, *, k: int, budget: float | None = None) -> float:
    """The linear relaxation's optimum: no choice of sites can leave less demand unserved."""
    c, cons, integrality, bounds = _matrices(inst, k, budget, cost_weight=0.0)
    res = milp(c, constraints=cons, integrality=np.zeros_like(integrality), bounds=bounds)
    if res.status != 0:
        raise EstatesError(f"the site finder's LP relaxation failed: {res.message}")
    return float(res.fun)


def _unmet_given(inst: Instance, options: tuple[int, ...] | list[int]) -> float:
    """Demand left unserved with these options open."""
    return float(_unserved(inst, options).sum())


def _unserved(inst: Instance, options: tuple[int, ...] | list[int]) -> np.ndarray:
    """Each zone's demand left unserved with these options open.

    The transportation problem as a maximum flow on whole patients
    (``estates.engine.misplaced.max_served``): the same served total as the LP, and fast enough for the
    greedy's k + 1 solves at England scale (an LP over 775,000 pairs took minutes).
    """
    ez, ee = inst.existing_pairs
    cz, cj = inst.candidate_pairs
    cap_place = np.zeros(inst.n_places)
    for o in options:
        cap_place[inst.option_place[o]] += inst.option_capacity[o]
    keep = cap_place[cj] > 0
    zi = np.concatenate([ez, cz[keep]])
    si = np.concatenate([ee, len(inst.supply) + cj[keep]])
    supply = np.concatenate([inst.supply, cap_place])
    if len(zi) == 0:
        return inst.demand.astype(float).copy()
    pairs = pd.DataFrame({"origin": zi, "destination": si, "minutes": np.zeros(len(zi))})
    # The flow works on integers: count in 1/10,000ths of a patient (fewer if the largest
    # capacity would not fit the solver's 32-bit integers) so fractional demand is kept.
    largest = max(float(inst.demand.max(initial=0.0)), float(supply.max(initial=0.0)), 1.0)
    scale = float(min(10_000.0, np.floor((2**31 - 2) / largest)))
    flow = max_served(pd.Series(inst.demand * scale), pd.Series(supply * scale), pairs)
    served = flow.zones["served"].to_numpy() / scale
    return np.maximum(inst.demand - served, 0.0)


def solve_greedy(inst: Instance, *, k: int, budget: float | None = None,
                 with_bound: bool = True) -> Solution:
    """Open, k times, the affordable option that can take the most of the unserved demand.

    An option's gain is estimated as ``min(capacity, unserved demand in reach)`` (ties go to
    the cheaper), then the transportation problem is re-solved: k + 1 LPs in all, so it scales
    to England. The estimate ignores re-routing, so the answer may be short of the optimum;
    the reported bound is the linear relaxation's, so ``gap`` bounds how far.
    """
    start = time.perf_counter()
    chosen: list[int] = []
    spent = 0.0
    unserved = _unserved(inst, chosen)
    cz, cj = inst.candidate_pairs
    for _ in range(k):
        reach = np.bincount(cj, weights=unserved[cz], minlength=inst.n_places)
        gain = np.minimum(inst.option_capacity, reach[inst.option_place])
        ok = np.ones(inst.n_options, dtype=bool)
        used = np.isin(inst.option_place, inst.option_place[chosen]) if chosen else ~ok
        ok &= ~used
        if budget is not None:
            ok &= spent + inst.option_cost <= budget + 1e-9
        ok &= gain > 1e-6
        if not ok.any():
            break
        # best gain, then the lower cost
        order = np.lexsort((inst.option_cost, -gain))
        best = int(order[ok[order]][0])
        chosen.append(best)
        spent += float(inst.option_cost[best])
        unserved = _unserved(inst, chosen)
    bound = lp_bound(inst, k=k, budget=budget) if with_bound else np.nan
    return Solution(tuple(sorted(chosen)), float(unserved.sum()), "greedy", float(bound),
                    time.perf_counter() - start, "heuristic")


# ------------------------------------------------------------------------------ on a region


@dataclass(frozen=True)
class SiteChoice:
    """The site finder's answer on a region.

    ``options``: every option considered (place, size, capacity, cost, chosen). ``chosen``:
    the rows chosen. ``unmet_before`` / ``unmet_after``: demand unserved within the threshold
    (patients) with the existing sites only / with the chosen ones too.
    """

    options: pd.DataFrame
    chosen: pd.DataFrame
    unmet_before: float
    unmet_after: float
    solution: Solution
    k: int
    budget_gbp: float | None
    notes: list[str] = field(default_factory=list)

    def to_scenario(self, *, name: str = "Site finder's choice") -> Scenario:
        """The chosen sites as satellites of the nearest practice (a Scenario)."""
        changes: list[dict[str, Any]] = []
        for _, row in self.chosen.iterrows():
            change: dict[str, Any] = {"type": "add_satellite",
                                      "parent_code": str(row["parent_code"]),
                                      "gia_m2": float(row["size_m2"])}
            if row["candidate_id"]:
                change["candidate_id"] = str(row["candidate_id"])
            else:
                change["easting"] = float(row["x"])
                change["northing"] = float(row["y"])
            changes.append(change)
        text = (f"Up to {self.k} new site(s) chosen to serve the most demand within the travel "
                f"threshold ({self.solution.method}); satellites of the nearest practice.")
        return Scenario(name, tuple(changes), {}, text)


def grid_points(region: Region, *, spacing_m: float) -> pd.DataFrame:
    """Points on a square grid over the zones, kept where they fall inside a zone."""
    if spacing_m <= 0:
        raise InputError(f"grid spacing must be above zero (value {spacing_m})")
    x0, y0, x1, y1 = region.zones.total_bounds
    xs = np.arange(x0 + spacing_m / 2, x1, spacing_m)
    ys = np.arange(y0 + spacing_m / 2, y1, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    import geopandas as gpd

    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(gx.ravel(), gy.ravel()),
                           crs=region.zones.crs)
    inside = gpd.sjoin(pts, region.zones[["geometry"]], predicate="within", how="inner")
    keep = np.unique(inside.index.to_numpy())
    return pd.DataFrame({"candidate_id": "", "name": [f"grid point {i + 1}" for i in
                                                      range(len(keep))],
                         "kind": "grid point", "available_m2": np.inf,
                         "x": gx.ravel()[keep], "y": gy.ravel()[keep]},
                        index=[f"G{i + 1}" for i in range(len(keep))])


def build_instance(
    region: Region, baseline: Any, *, sizes_m2: tuple[float, ...] = DEFAULT_SIZES_M2,
    grid_m: float | None = None, assumptions: Assumptions | None = None,
) -> tuple[Instance, pd.DataFrame]:
    """The site-finding problem for a region and its baseline Result, and its options table.

    Demand is each zone's demand at the horizon; existing sites keep their premises capacity;
    candidates are the region's candidate buildings (sizes capped by ``available_m2``, costed
    at the fit-out rate) and, with ``grid_m``, grid points (new build).
    """
    a = assumptions or baseline.assumptions
    if any(s <= 0 for s in sizes_m2):
        raise InputError(f"sizes must be above zero (value {list(sizes_m2)})")
    zones = baseline.zones
    places = pd.DataFrame({
        "candidate_id": region.candidates.index.astype(str),
        "name": region.candidates["name"].astype(str).to_numpy(),
        "kind": region.candidates["kind"].astype(str).to_numpy(),
        "available_m2": region.candidates["available_m2"].astype(float).to_numpy(),
        "x": region.candidates.geometry.x.to_numpy(),
        "y": region.candidates.geometry.y.to_numpy(),
    }, index=region.candidates.index.astype(str))
    if grid_m is not None:
        places = pd.concat([places, grid_points(region, spacing_m=grid_m)])
    rows = []
    for j, (pid, p) in enumerate(places.iterrows()):
        existing = bool(p["candidate_id"])
        sizes = sorted({min(float(s), float(p["available_m2"])) for s in sizes_m2})
        for s in sizes:
            if s <= 0:
                continue
            rate = a.fitout_cost_per_m2_gbp if existing else a.cost_per_m2_gbp
            cap_patients = (s / a.gross_m2_per_patient if a.capacity_method == "space"
                            else s / a.gross_m2_per_room * a.patients_per_room)
            rows.append({"place": j, "place_id": pid, "candidate_id": p["candidate_id"],
                         "name": p["name"], "kind": p["kind"], "x": p["x"], "y": p["y"],
                         "size_m2": s, "capacity": cap_patients, "cost_gbp": s * rate})
    options = pd.DataFrame(rows, columns=["place", "place_id", "candidate_id", "name", "kind",
                                          "x", "y", "size_m2", "capacity", "cost_gbp"])
    zpts = zones[["x", "y"]]
    sites_cap = cap.site_capacity(region.practices, a)["premises_capacity"]
    surg = pd.DataFrame({"x": region.practices.geometry.x, "y": region.practices.geometry.y},
                        index=region.practices.index)
    # the evaluation's own travel provider (straight line or the friction raster), so the
    # sites chosen serve the demand the evaluation counts as unserved
    provider = TravelProvider.for_region(region, a)
    ep = provider.pairs(zpts, surg, max_minutes=a.threshold_minutes)
    place_pts = places[["x", "y"]].astype(float)
    cp = provider.pairs(zpts, place_pts, max_minutes=a.threshold_minutes)
    zi = zones.index
    inst = Instance(
        demand=np.maximum(zones["demand_horizon"].to_numpy(dtype=float), 0.0),
        supply=sites_cap.to_numpy(dtype=float),
        n_places=len(places),
        option_place=options["place"].to_numpy(dtype=np.int64),
        option_capacity=options["capacity"].to_numpy(dtype=float),
        option_cost=options["cost_gbp"].to_numpy(dtype=float),
        existing_pairs=(zi.get_indexer(ep["origin"]), surg.index.get_indexer(ep["destination"])),
        candidate_pairs=(zi.get_indexer(cp["origin"]).astype(np.int64),
                         place_pts.index.get_indexer(cp["destination"]).astype(np.int64)),
    )
    return inst, options


def find_sites(
    region: Region, baseline: Any, *, k: int = 2, budget_gbp: float | None = None,
    sizes_m2: tuple[float, ...] = DEFAULT_SIZES_M2, grid_m: float | None = None,
    method: str = "auto", max_milp_options: int = 400, time_limit: float = 60.0,
) -> SiteChoice:
    """Choose up to ``k`` new sites and their sizes to serve the most demand within reach.

    Parameters
    ----------
    region, baseline
        The region and its evaluated Result (its zones' horizon demand is served).
    k
        Most new sites to open.
    budget_gbp
        Optional cap on the capital cost of the chosen sites.
    sizes_m2
        Floor areas to consider at each place (capped by a building's ``available_m2``).
    grid_m
        Also consider points on a grid of this spacing (metres), as new builds.
    method
        'milp' (exact), 'greedy', or 'auto' (MILP up to ``max_milp_options`` options).
    """
    if k < 0:
        raise InputError(f"k, the most new sites to open, must be 0 or more (value {k})")
    if budget_gbp is not None and budget_gbp < 0:
        raise InputError(f"the budget must be 0 or more GBP (value {budget_gbp})")
    if method not in ("auto", "milp", "greedy"):
        raise InputError(f"method must be 'auto', 'milp' or 'greedy' (value {method!r})")
    inst, options = build_instance(region, baseline, sizes_m2=sizes_m2, grid_m=grid_m)
    notes: list[str] = []
    use_milp = method == "milp" or (method == "auto" and inst.n_options <= max_milp_options)
    if method == "auto" and not use_milp:
        notes.append(f"{inst.n_options} options: greedy heuristic used, with its gap to the "
                     "linear relaxation's bound")
    sol = (solve_milp(inst, k=k, budget=budget_gbp, time_limit=time_limit) if use_milp
           else solve_greedy(inst, k=k, budget=budget_gbp))
    options = options.assign(chosen=False)
    options.loc[list(sol.options), "chosen"] = True
    chosen = options[options["chosen"]].copy()
    chosen["parent_code"] = _nearest_main(region, chosen)
    before = _unmet_given(inst, [])
    return SiteChoice(options, chosen, before, sol.unmet, sol, k, budget_gbp, notes)


def _nearest_main(region: Region, chosen: pd.DataFrame) -> list[str]:
    mains = region.main_practices
    mx, my = mains.geometry.x.to_numpy(), mains.geometry.y.to_numpy()
    out = []
    for x, y in zip(chosen["x"], chosen["y"], strict=True):
        out.append(str(mains.index[int(np.argmin(np.hypot(mx - x, my - y)))]))
    return out
