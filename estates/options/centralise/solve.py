"""Which combinations to score: every one when there are few, an exact MILP beyond that.

Up to ``MAX_ENUMERATE`` combinations are listed and scored (the ranking can then use any figure).
Beyond it, one of three classic location problems is solved exactly with HiGHS
(``scipy.optimize.milp``), all over zones i with weight w_i, sites j, binary y_j (site kept)::

    p-median:  minimise sum_ij w_i t_ij x_ij   s.t. sum_j x_ij = 1, x_ij <= y_j, sum_j y_j = k
    p-centre:  minimise W                      s.t. the same, and sum_j t_ij x_ij <= W (w_i > 0)
    coverage:  maximise sum_i w_i z_i          s.t. z_i <= sum_{j: t_ij <= T} y_j, z_i <= 1,
                                                    sum_j y_j = k

Must-keep sites have y_j fixed at 1, must-close sites are left out. Unreachable pairs (inf)
cost ``UNREACHABLE_MINUTES`` in the p-median and p-centre, so any combination leaving someone
out of reach loses to one that does not.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from estates.errors import EstatesError

MAX_ENUMERATE = 10_000
OBJECTIVES: tuple[str, ...] = ("p-median", "p-centre", "coverage")
UNREACHABLE_MINUTES = 1e6


def count_combinations(n_free: int, k_free: int) -> int:
    return math.comb(n_free, k_free) if 0 <= k_free <= n_free else 0


def enumerate_combinations(n_sites: int, k: int, keep: Sequence[int] = (),
                           close: Sequence[int] = ()) -> np.ndarray:
    """Every set of ``k`` site indices holding all of ``keep`` and none of ``close``, each
    sorted, in lexicographic order (rows of a (combinations x k) array)."""
    fixed = sorted(set(keep))
    free = [j for j in range(n_sites) if j not in set(keep) | set(close)]
    rows = [sorted([*fixed, *rest]) for rest in itertools.combinations(free, k - len(fixed))]
    rows.sort()
    return np.array(rows, dtype=np.int64).reshape(len(rows), k)


@dataclass(frozen=True)
class MilpResult:
    combo: tuple[int, ...]
    objective: float
    status: str
    seconds: float


def solve_milp(times: np.ndarray, weights: np.ndarray, k: int, *, objective: str,
               threshold: float | None = None, keep: Sequence[int] = (),
               close: Sequence[int] = (), time_limit: float | None = None) -> MilpResult:
    """The exact best set of ``k`` sites for ``objective`` (see the module docstring).

    ``objective`` value returned: total weighted minutes (p-median), the longest minutes
    (p-centre) or the weight covered within ``threshold`` (coverage).
    """
    import time

    if objective not in OBJECTIVES:
        raise EstatesError(f"unknown objective {objective!r}: use one of {', '.join(OBJECTIVES)}")
    n_zones, n_sites = times.shape
    start = time.perf_counter()
    closed = set(close)
    ub_y = np.array([0.0 if j in closed else 1.0 for j in range(n_sites)])
    lb_y = np.array([1.0 if j in set(keep) else 0.0 for j in range(n_sites)])
    if objective == "coverage":
        if threshold is None:
            raise EstatesError("the coverage objective needs a threshold in minutes")
        c, cons, lb, ub, integrality = _coverage(times, weights, k, threshold, lb_y, ub_y)
    else:
        c, cons, lb, ub, integrality = _assignment(times, weights, k, objective, lb_y, ub_y)
    options = {"disp": False, "mip_rel_gap": 0.0}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    res = milp(c, constraints=cons, bounds=Bounds(lb, ub), integrality=integrality,
               options=options)
    if res.x is None:
        raise EstatesError(f"the {objective} MILP found no solution ({res.message})")
    y = res.x[-n_sites:]
    combo = tuple(int(j) for j in np.flatnonzero(y > 0.5))
    value = float(res.fun)
    if objective == "coverage":
        value = -value
    return MilpResult(combo, value, str(res.message), time.perf_counter() - start)


def _assignment(times: np.ndarray, weights: np.ndarray, k: int, objective: str,
                lb_y: np.ndarray, ub_y: np.ndarray) -> tuple[np.ndarray, list[LinearConstraint],
                                                             np.ndarray, np.ndarray, np.ndarray]:
    n_zones, n_sites = times.shape
    cost = np.where(np.isfinite(times), times, UNREACHABLE_MINUTES)
    active = weights > 0 if objective == "p-centre" else np.ones(n_zones, bool)
    zones = np.flatnonzero(active)
    nz = len(zones)
    nx = nz * n_sites
    # variable layout: [x (zone-major) | W (p-centre only) | y]
    extra = 1 if objective == "p-centre" else 0
    nvar = nx + extra + n_sites
    o_y = nx + extra
    c = np.zeros(nvar)
    if objective == "p-median":
        c[:nx] = (weights[zones, None] * cost[zones]).ravel()
    else:
        c[nx] = 1.0
    rows = np.repeat(np.arange(nz), n_sites)
    cols = np.arange(nx)
    assign = sparse.csr_array((np.ones(nx), (rows, cols)), shape=(nz, nvar))
    link = sparse.csr_array(
        (np.concatenate([np.ones(nx), -np.ones(nx)]),
         (np.concatenate([np.arange(nx)] * 2), np.concatenate([cols, o_y + np.tile(
             np.arange(n_sites), nz)]))), shape=(nx, nvar))
    count = sparse.csr_array((np.ones(n_sites), (np.zeros(n_sites, int), o_y + np.arange(n_sites))),
                             shape=(1, nvar))
    cons = [LinearConstraint(assign, 1, 1), LinearConstraint(link, -np.inf, 0),
            LinearConstraint(count, k, k)]
    if objective == "p-centre":
        longest = sparse.csr_array(
            (np.concatenate([cost[zones].ravel(), -np.ones(nz)]),
             (np.concatenate([rows, np.arange(nz)]), np.concatenate([cols, np.full(nz, nx)]))),
            shape=(nz, nvar))
        cons.append(LinearConstraint(longest, -np.inf, 0))
    lb = np.concatenate([np.zeros(nx + extra), lb_y])
    ub = np.concatenate([np.ones(nx), np.full(extra, np.inf), ub_y])
    integrality = np.concatenate([np.zeros(nx + extra), np.ones(n_sites)])
    return c, cons, lb, ub, integrality


def _coverage(times: np.ndarray, weights: np.ndarray, k: int, threshold: float,
              lb_y: np.ndarray, ub_y: np.ndarray) -> tuple[np.ndarray, list[LinearConstraint],
                                                           np.ndarray, np.ndarray, np.ndarray]:
    n_zones, n_sites = times.shape
    nvar = n_zones + n_sites
    c = np.concatenate([-weights.astype(float), np.zeros(n_sites)])
    zi, sj = np.nonzero(times <= threshold)
    # z_i - sum_{j covering i} y_j <= 0
    cover = sparse.csr_array(
        (np.concatenate([np.ones(n_zones), -np.ones(len(zi))]),
         (np.concatenate([np.arange(n_zones), zi]), np.concatenate([np.arange(n_zones),
                                                                    n_zones + sj]))),
        shape=(n_zones, nvar))
    count = sparse.csr_array((np.ones(n_sites), (np.zeros(n_sites, int),
                                                 n_zones + np.arange(n_sites))), shape=(1, nvar))
    cons = [LinearConstraint(cover, -np.inf, 0), LinearConstraint(count, k, k)]
    lb = np.concatenate([np.zeros(n_zones), lb_y])
    ub = np.concatenate([np.ones(n_zones), ub_y])
    integrality = np.concatenate([np.zeros(n_zones), np.ones(n_sites)])
    return c, cons, lb, ub, integrality
