"""The estates figures a user supplies (issue 12, item 7): the template of a region's sites
and applying filled figures. Capacities worked by hand (tests/enginekit.py)."""

from __future__ import annotations

import math

import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.errors import InputError
from estates.io.estates_figures import (
    TEMPLATE_COLUMNS,
    apply_estates_figures,
    edits_from_table,
    estates_template,
)
from tests import enginekit as kit

# The gross standard (the fixture's floor areas and the standard on one basis), weights of 1.
A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
M2 = 120 / 1750


def test_template_lists_every_site_with_known_figures():
    t = estates_template(kit.region())
    assert list(t.columns) == TEMPLATE_COLUMNS
    assert t["practice_code"].tolist() == ["A", "B"]
    assert t["gia_m2"].tolist() == [700.0, 300.0]
    assert math.isnan(t.loc[1, "gp_fte"])


def test_filled_figures_make_capacity_known():
    r = kit.region()
    r.practices = r.practices.assign(gia_m2=float("nan"), clinical_rooms=float("nan"))
    assert evaluate(r, assumptions=A).summary["practices_without_floor_area"] == 2
    t = estates_template(r)
    t.loc[t["practice_code"] == "B", "gia_m2"] = 175.0
    filled, warnings = apply_estates_figures(r, edits_from_table(t))
    out = evaluate(filled, assumptions=A)
    # 175 m2 / (120 m2 per 1,750 patients) = 2,552.1 patients; A stays unknown.
    assert out.practices.loc["B", "capacity"] == pytest.approx(175 / M2)
    assert math.isnan(out.practices.loc["A", "capacity"])
    assert out.summary["practices_without_floor_area"] == 1
    assert warnings == []
    assert r.practices["gia_m2"].isna().all()  # the input region is untouched


def test_unknown_codes_warned_and_bad_values_refused():
    r = kit.region()
    _, warnings = apply_estates_figures(r, {"ZZ9": {"gia_m2": 100}})
    assert "ZZ9" in warnings[0]
    with pytest.raises(InputError, match="B, gia_m2: -5 is negative"):
        apply_estates_figures(r, {"B": {"gia_m2": -5}})
    with pytest.raises(InputError, match="A, clinical_rooms: 'lots' is not a number"):
        apply_estates_figures(r, {"A": {"clinical_rooms": "lots"}})
