"""Floating-catchment accessibility (2SFCA and E2SFCA) on sparse travel-cost tables.

The results match PySAL ``access`` 1.1.10 ``two_stage_fca`` exactly (see ``two_step_fca``), but
the work is a few passes over the pairs within the cut-off: ids become positions without hashing
where they allow it (``estates.access.ids``), and each step is one sparse matrix-vector product
(pairs grouped by origin, as travel tables come; no sort) or one ``np.bincount`` (any other
order). The pairs can be held once per region (``FCAOperator``) and re-evaluated in
milliseconds for every what-if.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from estates.access.ids import id_positions
from estates.errors import InputError

WeightFunction = Callable[[np.ndarray], np.ndarray]
Weight = Mapping[float, float] | WeightFunction | None

#: Luo & Qi (2009) E2SFCA steps: upper bound of each step (minutes) to its weight.
E2SFCA_STEPS: dict[float, float] = {10.0: 1.0, 20.0: 0.68, 30.0: 0.22}
#: Up to this many steps are weighed by comparisons, beyond it by a binary search.
_FEW_STEPS = 8
#: Weight functions made here: given finite costs >= 0 their weights are finite and >= 0 by
#: construction, so the pass that checks a caller's own function is skipped for them.
_CHECKED: weakref.WeakSet[Callable[..., np.ndarray]] = weakref.WeakSet()


def step_weights(steps: Mapping[float, float]) -> WeightFunction:
    """A vectorised step weight: each cost takes the weight of the first step bound at or above it.

    Same semantics as ``access.weights.step_fn``: bounds are inclusive upper limits (a cost of
    exactly 10 with ``{10: 1.0, 20: 0.68}`` weighs 1.0) and a cost above the largest bound weighs 0.

    Parameters
    ----------
    steps
        Upper bound of each step to its weight, e.g. ``{10: 1.0, 20: 0.68, 30: 0.22}``.
    """
    if not isinstance(steps, Mapping) or len(steps) == 0:
        raise InputError(
            f"step weights must be a non-empty mapping of step upper bounds to weights, "
            f"not {steps!r}; e.g. {{10: 1.0, 20: 0.68, 30: 0.22}}"
        )
    items = sorted((float(k), float(v)) for k, v in steps.items())
    bounds = np.array([k for k, _ in items])
    values = np.array([v for _, v in items])
    if not (np.isfinite(bounds).all() and np.isfinite(values).all()) or (values < 0).any():
        raise InputError(
            f"step weights must map finite bounds to finite weights >= 0, not {dict(steps)!r}"
        )
    # The weight of 0 past the last bound is appended so "past every bound" maps to it.
    table = np.append(values, 0.0)

    def weigh(cost: np.ndarray) -> np.ndarray:
        cost = np.asarray(cost, dtype=float)
        if len(bounds) > _FEW_STEPS:
            return table[np.searchsorted(bounds, cost, side="left")]
        # How many bounds lie below each cost, as searchsorted(side="left") counts them, by one
        # comparison per bound: a binary search per cost is several times slower.
        # One byte per cost: a wider count costs more in memory traffic than it saves.
        above = np.zeros(cost.shape, dtype=np.uint8)
        for bound in bounds:
            above += (cost > bound).view(np.uint8)
        return table[above]

    _CHECKED.add(weigh)
    return weigh


def gaussian_weights(sigma: float) -> WeightFunction:
    """A vectorised Gaussian weight ``exp(-cost**2 / (2 sigma**2))`` (1 at cost 0).

    Same semantics as ``access.weights.gaussian``: no normalising constant, no cut-off of its own
    (combine it with ``max_cost``).
    """
    if not np.isfinite(sigma) or sigma <= 0:
        raise InputError(f"the Gaussian width sigma must be a positive number, not {sigma!r}")
    two_sigma_sq = 2.0 * float(sigma) ** 2

    def weigh(cost: np.ndarray) -> np.ndarray:
        c = np.asarray(cost, dtype=float)
        return np.exp(-c * c / two_sigma_sq)

    _CHECKED.add(weigh)
    return weigh


def _weight_function(weight: Weight) -> WeightFunction | None:
    if weight is None:
        return None
    if isinstance(weight, Mapping):
        return step_weights(weight)
    if callable(weight):
        return weight
    raise InputError(
        f"weight must be None, a mapping of step bounds to weights or a function of cost, "
        f"not {type(weight).__name__}"
    )


def _cost_columns(cost: pd.DataFrame) -> tuple[pd.Series, pd.Series, np.ndarray]:
    if not isinstance(cost, pd.DataFrame):
        raise InputError("cost must be a DataFrame with columns origin, destination, cost")
    # travel_times() returns a 'minutes' column; accept it so its output feeds in directly.
    value_col = (
        "cost" if "cost" in cost.columns else "minutes" if "minutes" in cost.columns else None
    )
    missing = [c for c in ("origin", "destination") if c not in cost.columns]
    if value_col is None:
        missing.append("cost")
    if missing:
        raise InputError(
            f"the cost table lacks column(s) {', '.join(missing)}: it needs origin, destination "
            f"and cost (or minutes); it has {', '.join(map(str, cost.columns))}"
        )
    values = _numbers(cost[value_col])
    # Two reductions spot a NaN, an infinity or a negative without a mask over every row.
    if len(values) and not (values.min() >= 0 and values.max() < np.inf):
        bad = ~np.isfinite(values) | (values < 0)
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"the cost table has {int(bad.sum())} cost(s) that are missing, infinite or negative "
            f"(first at data row {first + 1}, value {cost[value_col].iloc[first]!r}); leave "
            f"unreachable pairs out of the table instead"
        )
    return cost["origin"], cost["destination"], values


def _numbers(column: pd.Series) -> np.ndarray:
    """A column as float64, NaN where it is not a number; no copy when it already is float64."""
    if column.dtype == np.float64:
        return column.to_numpy()
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _unique_index(index: pd.Index, what: str) -> pd.Index:
    # The same Index object keeps its cached hash table and uniqueness across calls.
    index = index if isinstance(index, pd.Index) else pd.Index(index)
    if index.has_duplicates:
        dups = index[index.duplicated()].unique()[:5].tolist()
        raise InputError(f"{what} ids must be unique; repeated: {dups}")
    return index


def _values(values: pd.Series | np.ndarray, index: pd.Index, what: str) -> np.ndarray:
    if isinstance(values, pd.Series):
        if values.index.equals(index):
            raw = values
        else:
            pos = values.index.get_indexer(index)
            if (pos < 0).any():
                raise InputError(
                    f"{what} has no value for id(s) {index[pos < 0][:5].tolist()}; give every id "
                    f"the operator was built for a value (0 if none)"
                )
            raw = values.iloc[pos]
        arr = _numbers(raw)
    else:
        arr = np.asarray(values, dtype=float)
        if arr.shape != (len(index),):
            raise InputError(
                f"{what} must hold {len(index)} values in the operator's order, not shape "
                f"{arr.shape}"
            )
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        raise InputError(
            f"{what} must be finite numbers >= 0; id {index[np.flatnonzero(bad)[0]]!r} has "
            f"{arr[np.flatnonzero(bad)[0]]!r}"
        )
    return arr


@dataclass(frozen=True)
class FCAOperator:
    """A prebuilt 2SFCA operator: the weighted pairs within reach, ready for any demand and supply.

    Build it once per region and travel setting (``FCAOperator.build``), then call ``evaluate``
    for each what-if. Sites a scenario may add should be in ``supply_index`` from the start (with
    supply 0 in the baseline) so that no rebuild is needed.
    """

    demand_index: pd.Index
    supply_index: pd.Index
    origin: np.ndarray  # each pair's origin, as a position in demand_index
    # each pair's destination, as a position in supply_index; len(supply_index) for one that
    # has no supply entry (supply 0, but the pair still counts as reached)
    destination: np.ndarray
    weight: np.ndarray | None  # each pair's weight; None when every weight is 1
    reached: np.ndarray  # origins with at least one pair within max_cost
    # The pairs as an origins x destination-slots matrix when they come grouped by origin (as
    # travel tables do): its row pointers are where each origin's pairs start, so no sort is
    # needed, and each step is one matrix-vector product. None otherwise: each step is then a
    # bincount over the pairs as they come.
    matrix: sparse.csr_matrix | None

    @classmethod
    def build(
        cls,
        demand_index: pd.Index,
        supply_index: pd.Index,
        cost: pd.DataFrame,
        *,
        max_cost: float | None = None,
        weight: Weight = None,
    ) -> FCAOperator:
        """Turn the ids into positions and weigh the pairs within ``max_cost``.

        Cost rows whose origin is not in ``demand_index`` are ignored (as in PySAL access, where
        they never meet a demand); so are rows with a missing destination. Destinations not in
        ``supply_index`` have supply 0.
        """
        demand_index = _unique_index(demand_index, "demand")
        supply_index = _unique_index(supply_index, "supply")
        if max_cost is not None and (not np.isfinite(max_cost) or max_cost < 0):
            raise InputError(f"max_cost must be a number >= 0 or None, not {max_cost!r}")
        fn = _weight_function(weight)
        origin, destination, values = _cost_columns(cost)
        n_supply = len(supply_index)
        oi = id_positions(demand_index, origin, absent=-1, missing=-1)
        di = id_positions(supply_index, destination, absent=n_supply, missing=-1)
        if len(values):
            # Reductions first: the usual table (cut at max_cost, every origin a demand zone)
            # needs no mask and no copy.
            keep = None
            if oi.min() < 0:
                keep = oi >= 0
            if di.min() < 0:
                keep = di >= 0 if keep is None else keep & (di >= 0)
            if max_cost is not None and values.max() > max_cost:
                keep = values <= max_cost if keep is None else keep & (values <= max_cost)
            if keep is not None:
                oi, di, values = oi[keep], di[keep], values[keep]
        w = None if fn is None else _weigh(fn, values)
        n_demand = len(demand_index)
        matrix = None
        if len(oi) < np.iinfo(np.int32).max and (len(oi) < 2 or (oi[1:] >= oi[:-1]).all()):
            # Grouped by origin: each origin's pairs start where a binary search puts it (a
            # search per origin, not per pair), and those starts are the CSR row pointers.
            starts = np.arange(n_demand + 1, dtype=oi.dtype)  # same dtype: no cast of oi
            indptr = np.searchsorted(oi, starts).astype(np.int32)
            counts = np.diff(indptr)
            data = np.ones(len(oi)) if w is None else w
            # int32 indices: scipy would otherwise scan int64 ones to choose a width
            shape = (n_demand, n_supply + 1)
            indices = di.astype(np.int32, copy=False)
            matrix = sparse.csr_matrix((data, indices, indptr), shape=shape)
        else:
            counts = np.bincount(oi, minlength=n_demand)
        return cls(demand_index, supply_index, oi, di, w, counts > 0, matrix)

    def evaluate(
        self,
        demand: pd.Series | np.ndarray,
        supply: pd.Series | np.ndarray,
        *,
        name: str = "access",
    ) -> pd.Series:
        """Accessibility per origin for this demand and supply.

        ``demand`` and ``supply`` are Series indexed by the operator's ids, or arrays in the order
        of ``demand_index`` and ``supply_index``.
        """
        p = _values(demand, self.demand_index, "demand")
        s = np.append(_values(supply, self.supply_index, "supply"), 0.0)
        oi, di, w, matrix = self.origin, self.destination, self.weight, self.matrix
        if matrix is not None:
            weighted_demand = matrix.T @ p
        else:
            pull = p[oi]
            if w is not None:
                pull *= w
            # astype: bincount of no pairs at all gives integers
            weighted_demand = np.bincount(di, weights=pull, minlength=len(s)).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = s / weighted_demand
        # PySAL sums with pandas, which skips NaN terms: a 0/0 ratio adds nothing, and an infinite
        # ratio (supply with no weighted demand) times a zero weight is NaN, so adds nothing too.
        finite = np.isfinite(ratio)
        kept = np.where(finite, ratio, 0.0)
        if matrix is not None:
            out = matrix @ kept
        else:
            share = kept[di]
            if w is not None:
                share *= w
            out = np.bincount(oi, weights=share, minlength=len(p)).astype(float)
        infinite = ~finite & (ratio > 0)
        if infinite.any():
            hit = infinite[di] if w is None else infinite[di] & (w > 0)
            out[np.bincount(oi[hit], minlength=len(out)) > 0] = np.inf
        out[~self.reached] = np.nan
        return pd.Series(out, index=self.demand_index, name=name)


def _weigh(fn: WeightFunction, values: np.ndarray) -> np.ndarray:
    w = np.asarray(fn(values), dtype=float)
    if fn in _CHECKED:
        return w
    if w.shape != values.shape:
        raise InputError(
            f"the weight function returned shape {w.shape} for {values.shape} costs; it "
            f"must work element by element on a numpy array"
        )
    # min and max are NaN if any weight is: one check for missing, infinite and negative
    if len(w) and not (w.min() >= 0 and w.max() < np.inf):
        raise InputError("the weight function must return finite weights >= 0")
    return w


def two_step_fca(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    *,
    max_cost: float | None = None,
    weight: Weight = None,
) -> pd.Series:
    """Two-step floating catchment accessibility (Luo & Wang 2003), optionally weighted.

    R_j = S_j / sum_i P_i f(d_ij) and A_i = sum_j R_j f(d_ij), both over pairs with
    d_ij <= ``max_cost``. Semantics are those of PySAL access 1.1.10 ``two_stage_fca``:

    - the weight applies in both steps; ``max_cost`` is inclusive; with a step weight a cost on a
      bound takes that step's weight, and a pair beyond the last bound weighs 0 but still counts
      as reached;
    - an origin with no pair within ``max_cost`` is NaN (not 0); one that reaches only
      destinations without supply is 0;
    - cost rows whose origin is not in ``demand`` are ignored; destinations not in ``supply`` have
      supply 0; a destination with supply but no weighted demand gives its positively weighted
      origins an infinite accessibility.

    Parameters
    ----------
    demand
        Demand P_i (e.g. population) by origin id.
    supply
        Supply S_j (e.g. GP FTE or capacity) by destination id.
    cost
        Columns ``origin, destination, cost`` (``minutes`` is accepted in place of ``cost``).
    max_cost
        Inclusive cut-off; None uses every row of ``cost``.
    weight
        None (weight 1), a mapping of step upper bounds to weights, or a vectorised function of a
        numpy array of costs.

    Returns
    -------
    Accessibility per origin, on ``demand``'s index, named ``access``.
    """
    op = FCAOperator.build(demand.index, supply.index, cost, max_cost=max_cost, weight=weight)
    return op.evaluate(demand, supply)


def e2sfca(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    *,
    max_cost: float | None = None,
    weight: Weight = None,
) -> pd.Series:
    """Enhanced 2SFCA (Luo & Qi 2009): ``two_step_fca`` with the step weights 1.00/0.68/0.22.

    As PySAL access's ``enhanced_two_stage_fca``, ``weight=None`` means ``E2SFCA_STEPS``
    ({10: 1.0, 20: 0.68, 30: 0.22}); pass other steps or ``gaussian_weights(sigma)`` to change it.
    """
    return two_step_fca(
        demand, supply, cost, max_cost=max_cost, weight=E2SFCA_STEPS if weight is None else weight
    )
