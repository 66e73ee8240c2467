"""The site finder against brute-force enumeration, PySAL spopt's MCLP, and on small regions."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.engine.misplaced import max_served
from estates.errors import InputError
from estates.model import CRS
from estates.options.optimise import (
    Instance,
    find_sites,
    grid_points,
    lp_bound,
    solve_greedy,
    solve_milp,
)
from tests import enginekit as kit

A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
M2 = 120 / 1750


def random_instance(seed: int, *, nz: int = 9, ne: int = 2, nj: int = 4,
                    radius: float = 4.0) -> Instance:
    """Whole-number demand and capacities, so that a maximum flow checks it exactly."""
    rng = np.random.default_rng(seed)
    zxy = rng.uniform(0, 10, (nz, 2))
    exy = rng.uniform(0, 10, (ne, 2))
    jxy = rng.uniform(0, 10, (nj, 2))
    demand = rng.integers(10, 100, nz).astype(float)
    supply = rng.integers(20, 120, ne).astype(float)
    place, capacity, cost = [], [], []
    for j in range(nj):
        for size in sorted(rng.choice([30, 60, 90, 150], size=2, replace=False)):
            place.append(j)
            capacity.append(float(size))
            cost.append(float(size * rng.integers(1, 4)))

    def pairs(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = np.hypot(zxy[:, None, 0] - pts[None, :, 0], zxy[:, None, 1] - pts[None, :, 1])
        zi, si = np.nonzero(d <= radius)
        return zi, si

    return Instance(demand, supply, nj, np.array(place), np.array(capacity), np.array(cost),
                    pairs(exy), pairs(jxy))


def brute_force(inst: Instance, k: int, budget: float | None) -> float:
    """Least unserved demand over every feasible choice, each scored by a maximum flow."""
    zones = pd.Series(inst.demand, index=[f"z{i}" for i in range(len(inst.demand))])
    best = np.inf
    for r in range(k + 1):
        for combo in itertools.combinations(range(inst.n_options), r):
            places = inst.option_place[list(combo)]
            if len(set(places)) < len(places):
                continue
            if budget is not None and inst.option_cost[list(combo)].sum() > budget:
                continue
            supply = {f"e{e}": inst.supply[e] for e in range(len(inst.supply))}
            for o in combo:
                supply[f"j{inst.option_place[o]}"] = inst.option_capacity[o]
            ez, ee = inst.existing_pairs
            cz, cj = inst.candidate_pairs
            pairs = pd.DataFrame({
                "origin": [f"z{i}" for i in np.concatenate([ez, cz])],
                "destination": [f"e{e}" for e in ee] + [f"j{j}" for j in cj],
                "minutes": 1.0})
            t = max_served(zones, pd.Series(supply, dtype=float), pairs)
            best = min(best, t.unmet_demand_within_threshold)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize(("k", "budget"), [(1, None), (2, None), (3, 250.0)])
def test_milp_equals_brute_force(seed: int, k: int, budget: float | None) -> None:
    inst = random_instance(seed)
    exact = brute_force(inst, k, budget)
    sol = solve_milp(inst, k=k, budget=budget)
    assert sol.unmet == pytest.approx(exact, abs=1e-6)
    assert len(sol.options) <= k
    assert len(set(inst.option_place[list(sol.options)])) == len(sol.options)
    if budget is not None:
        assert inst.option_cost[list(sol.options)].sum() <= budget + 1e-9
    # the greedy answer is feasible and no better than the optimum; the LP bound is below it
    greedy = solve_greedy(inst, k=k, budget=budget)
    assert greedy.unmet >= exact - 1e-6
    assert greedy.bound <= exact + 1e-6
    assert greedy.gap == pytest.approx(greedy.unmet - greedy.bound)


def test_lp_bound_is_below_the_optimum_and_k_zero_changes_nothing() -> None:
    inst = random_instance(11)
    assert lp_bound(inst, k=2) <= solve_milp(inst, k=2).unmet + 1e-6
    none = solve_milp(inst, k=0)
    assert none.options == () and none.unmet == pytest.approx(brute_force(inst, 0, None))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uncapacitated_case_equals_spopt_mclp(seed: int) -> None:
    pulp = pytest.importorskip("pulp")
    spopt_locate = pytest.importorskip("spopt.locate")
    rng = np.random.default_rng(100 + seed)
    nz, nj, p, radius = 40, 10, 3, 3.0
    zxy = rng.uniform(0, 10, (nz, 2))
    jxy = rng.uniform(0, 10, (nj, 2))
    weights = rng.integers(1, 50, nz).astype(float)
    cost = np.hypot(zxy[:, None, 0] - jxy[None, :, 0], zxy[:, None, 1] - jxy[None, :, 1])
    mclp = spopt_locate.MCLP.from_cost_matrix(cost, weights, service_radius=radius,
                                              p_facilities=p)
    mclp = mclp.solve(pulp.PULP_CBC_CMD(msg=False))
    covered_spopt = float(pulp.value(mclp.problem.objective))
    zi, ji = np.nonzero(cost <= radius)
    inst = Instance(weights, np.zeros(0), nj, np.arange(nj), np.full(nj, weights.sum()),
                    np.zeros(nj), (np.zeros(0, dtype=int), np.zeros(0, dtype=int)), (zi, ji))
    sol = solve_milp(inst, k=p)
    assert weights.sum() - sol.unmet == pytest.approx(covered_spopt, abs=1e-6)


# ------------------------------------------------------------------------------ on a region


def kit_with_candidates() -> object:
    r = kit.region()
    r.candidates = gpd.GeoDataFrame(
        {"candidate_id": ["NEAR", "FAR"], "name": ["Near Library", "Far Hall"],
         "kind": ["library", "council building"], "available_m2": [150.0, 400.0]},
        geometry=[Point(4000, 500), Point(30000, 0)], crs=CRS, index=["NEAR", "FAR"])
    return r


def test_find_sites_on_the_kit_region_by_hand() -> None:
    region = kit_with_candidates()
    base = evaluate(region, assumptions=A)
    # Horizon demand: 14,861 patients; capacity 1,000 m2 = 14,583.3 within reach of both
    # zones, so 277.7 patients are unserved. A 100 m2 room at NEAR (1,458 places) serves them
    # all; FAR is out of reach of everyone.
    unmet = 14861 - 1000 / M2
    choice = find_sites(region, base, k=1, sizes_m2=(100, 200))
    assert choice.unmet_before == pytest.approx(unmet)
    assert choice.unmet_after == pytest.approx(0, abs=1e-6)
    assert list(choice.chosen["place_id"]) == ["NEAR"]
    # the tie-break on cost picks the smaller size that serves everyone
    assert list(choice.chosen["size_m2"]) == [100]
    assert choice.chosen["cost_gbp"].iloc[0] == pytest.approx(100 * 1500)
    assert list(choice.chosen["parent_code"]) == ["B"]
    sc = choice.to_scenario()
    assert sc.changes[0] == {"type": "add_satellite", "parent_code": "B", "gia_m2": 100.0,
                             "candidate_id": "NEAR"}


def test_budget_below_the_cheapest_option_opens_nothing() -> None:
    region = kit_with_candidates()
    base = evaluate(region, assumptions=A)
    choice = find_sites(region, base, k=2, budget_gbp=100_000)  # 100 m2 costs 150,000
    assert choice.chosen.empty
    assert choice.unmet_after == pytest.approx(choice.unmet_before)


def test_sizes_are_capped_by_the_available_floor_area() -> None:
    region = kit_with_candidates()
    base = evaluate(region, assumptions=A)
    choice = find_sites(region, base, k=1, sizes_m2=(100, 200, 400))
    near = choice.options[choice.options["place_id"] == "NEAR"]
    assert sorted(near["size_m2"]) == [100, 150]  # 200 and 400 capped at 150


def test_grid_points_fall_inside_zones() -> None:
    g = grid_points(kit.region(), spacing_m=2500)
    # zones cover x -3000..7000, y -3000..3000: centres at -1750, 750, 3250, 5750 x -1750, 750
    assert len(g) == 8
    assert set(g["x"]) == {-1750, 750, 3250, 5750}
    region = kit.region()
    base = evaluate(region, assumptions=A)
    choice = find_sites(region, base, k=1, grid_m=2500, sizes_m2=(50,))
    assert choice.unmet_after < choice.unmet_before
    assert choice.chosen["kind"].iloc[0] == "grid point"
    assert choice.chosen["cost_gbp"].iloc[0] == pytest.approx(50 * 3000)  # new build


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"k": -1}, r"k, the most new sites to open, must be 0 or more \(value -1\)"),
     ({"budget_gbp": -5}, r"budget must be 0 or more GBP \(value -5\)"),
     ({"method": "magic"}, r"method must be 'auto', 'milp' or 'greedy'"),
     ({"sizes_m2": (0,)}, r"sizes must be above zero"),
     ({"grid_m": 0}, r"grid spacing must be above zero")],
)
def test_bad_site_finder_options(kwargs: dict, match: str) -> None:
    region = kit_with_candidates()
    base = evaluate(region, assumptions=A)
    with pytest.raises(InputError, match=match):
        find_sites(region, base, **kwargs)
