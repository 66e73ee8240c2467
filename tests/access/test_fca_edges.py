"""The floating-catchment kernel's documented edge semantics, each on a case worked by hand
(asymmetric: unequal demands, costs and supplies), beside the PySAL-compared tests in
test_fca.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from estates.access.fca import FCAOperator, gaussian_weights, two_step_fca
from estates.errors import InputError


def _cost(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["origin", "destination", "cost"])


def test_weight_applies_in_both_steps_with_a_gaussian() -> None:
    demand = pd.Series({"a": 300.0, "b": 100.0})
    supply = pd.Series({"x": 6.0})
    cost = _cost([("a", "x", 10.0), ("b", "x", 20.0)])
    f = {10.0: np.exp(-100 / 200), 20.0: np.exp(-400 / 200)}  # sigma 10: 0.6065, 0.1353
    r_x = 6.0 / (300 * f[10.0] + 100 * f[20.0])
    got = two_step_fca(demand, supply, cost, weight=gaussian_weights(10))
    assert got["a"] == pytest.approx(f[10.0] * r_x, rel=1e-12)
    assert got["b"] == pytest.approx(f[20.0] * r_x, rel=1e-12)


def test_zero_over_zero_adds_nothing_and_missing_destinations_have_no_supply() -> None:
    # y has supply 0 and only a zero-demand origin: 0/0, which adds nothing to c's access.
    # z is not in supply: supply 0. a and b share x (supply 4) over demand 100 + 300.
    demand = pd.Series({"a": 100.0, "b": 300.0, "c": 0.0})
    supply = pd.Series({"x": 4.0, "y": 0.0})
    cost = _cost([("a", "x", 5.0), ("b", "x", 25.0), ("c", "y", 3.0), ("c", "x", 40.0),
                  ("a", "z", 1.0), ("elsewhere", "x", 1.0)])
    got = two_step_fca(demand, supply, cost, max_cost=30)
    r_x = 4.0 / 400  # c-x (40) is beyond the cut-off; 'elsewhere' is not a demand origin
    assert got["a"] == pytest.approx(r_x, rel=1e-12)
    assert got["b"] == pytest.approx(r_x, rel=1e-12)
    assert got["c"] == 0.0  # reached y (0/0) only: 0, not NaN
    # without the cut-off c reaches x too, and its zero demand leaves x's ratio as it was
    wide = two_step_fca(demand, supply, cost)
    assert wide["c"] == pytest.approx(r_x, rel=1e-12)


def test_cut_off_is_inclusive_and_an_origin_reaching_nothing_is_nan() -> None:
    demand = pd.Series({"a": 50.0, "b": 150.0})
    supply = pd.Series({"x": 2.0})
    cost = _cost([("a", "x", 15.0), ("b", "x", 15.000001)])
    got = two_step_fca(demand, supply, cost, max_cost=15)
    assert got["a"] == pytest.approx(2.0 / 50.0)  # exactly on the cut-off: in
    assert np.isnan(got["b"])
    # a cut-off of 0 keeps only zero costs
    zero = two_step_fca(demand, supply, _cost([("a", "x", 0.0), ("b", "x", 1.0)]), max_cost=0)
    assert zero["a"] == pytest.approx(2.0 / 50.0) and np.isnan(zero["b"])


def test_operator_takes_arrays_in_its_order_and_reports_bad_values() -> None:
    cost = _cost([("a", "x", 5.0), ("b", "x", 5.0), ("b", "y", 9.0)])
    op = FCAOperator.build(pd.Index(["a", "b"]), pd.Index(["x", "y"]), cost)
    got = op.evaluate(np.array([10.0, 30.0]), np.array([4.0, 3.0]))
    # x: 4 / 40 = 0.1; y: 3 / 30 = 0.1
    assert got.tolist() == pytest.approx([0.1, 0.2])
    # a Series in another order is aligned by id
    again = op.evaluate(pd.Series({"b": 30.0, "a": 10.0}), pd.Series({"y": 3.0, "x": 4.0}))
    assert again.tolist() == pytest.approx([0.1, 0.2])
    with pytest.raises(InputError, match="has no value for id"):
        op.evaluate(pd.Series({"a": 10.0}), pd.Series({"x": 4.0, "y": 3.0}))
    with pytest.raises(InputError, match="must hold 2 values"):
        op.evaluate(np.array([1.0, 2.0, 3.0]), np.array([4.0, 3.0]))
    with pytest.raises(InputError, match="finite numbers >= 0"):
        op.evaluate(np.array([1.0, -2.0]), np.array([4.0, 3.0]))
    with pytest.raises(InputError, match="must be unique"):
        FCAOperator.build(pd.Index(["a", "a"]), pd.Index(["x"]), cost)
    with pytest.raises(InputError, match="max_cost"):
        FCAOperator.build(pd.Index(["a", "b"]), pd.Index(["x"]), cost, max_cost=-1)
    with pytest.raises(InputError, match="missing, infinite or negative"):
        FCAOperator.build(pd.Index(["a"]), pd.Index(["x"]), _cost([("a", "x", -1.0)]))
