"""A practice's capacity on the workforce or effective basis shared over its sites in proportion to
their premises capacity (``site_capacity_on_basis``), worked by hand on tests/enginekit2.py.

Premises (floor space, 120 m2 per 1,750 patients on the gross area the fixture states):
P 300 m2 -> 4,375; its branch P2 130 m2 -> 1,895.83 (P in all 6,270.83); Q 240 m2 -> 3,500;
R 180 m2 -> 2,625; its branch R2 60 m2 -> 875 (R in all 3,500).
Workforce (GP FTE x 1,800): P 3.0 -> 5,400 (binds); Q 2.5 -> 4,500 (premises binds); R unknown.
"""

from __future__ import annotations

import pytest

from estates.engine.capacity import practice_capacity, site_capacity_on_basis
from tests import enginekit2 as kit

P_PREMISES = 300 * 1750 / 120 + 130 * 1750 / 120  # 6,270.83


def _sites(basis: str) -> dict[str, float]:
    a = kit.assumptions(capacity_basis=basis)
    practices = kit.practices()
    pcap = practice_capacity(practices, a)
    return site_capacity_on_basis(practices, pcap, a).to_dict()


def test_premises_basis_is_each_sites_own_floor_space() -> None:
    got = _sites("premises")
    assert got["P"] == pytest.approx(4375) and got["P2"] == pytest.approx(130 * 1750 / 120)
    assert got["Q"] == pytest.approx(3500)
    assert got["R"] == pytest.approx(2625) and got["R2"] == pytest.approx(875)


def test_workforce_basis_shares_the_gps_over_the_sites_by_their_floor_space() -> None:
    got = _sites("workforce")
    # P's 5,400 patients of GP time, split 4,375 : 1,895.83 like its floor space
    assert got["P"] == pytest.approx(5400 * 4375 / P_PREMISES)  # 3,767.4
    assert got["P2"] == pytest.approx(5400 * (130 * 1750 / 120) / P_PREMISES)  # 1,632.6
    assert got["P"] + got["P2"] == pytest.approx(5400)
    # Q's GPs could see 4,500, more than its floor space holds: the workforce basis says 4,500
    assert got["Q"] == pytest.approx(4500)
    # R's GPs are unknown: its sites keep their premises capacity, never zero
    assert got["R"] == pytest.approx(2625) and got["R2"] == pytest.approx(875)


def test_effective_basis_takes_the_lower_limit_then_shares_it() -> None:
    got = _sites("effective")
    assert got["P"] + got["P2"] == pytest.approx(5400)  # GPs bind at P
    assert got["P"] / got["P2"] == pytest.approx(4375 / (130 * 1750 / 120))
    assert got["Q"] == pytest.approx(3500)  # floor space binds at Q
    assert got["R"] == pytest.approx(2625) and got["R2"] == pytest.approx(875)
