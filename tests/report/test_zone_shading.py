"""Zones shaded by the accessibility index (issue 11 item 10), on the hand-worked kit."""

from __future__ import annotations

import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.report.html import build_report
from estates.report.layers import NO_DATA_COLOUR
from estates.report.map import build_map
from estates.report.zone_shading import zone_index_layer, zone_shadings
from tests import enginekit as kit

A = Assumptions(base_year=2026, horizon_year=2030)


def test_breaks_sit_at_the_planning_standards() -> None:
    s = zone_shadings(A)
    # 120 m2 net per 1,750 patients x 1.3 net-to-gross = 89.14 m2 gross per 1,000 (the index
    # counts gross floor area); 1 GP per 1,800 = 0.556 FTE per 1,000
    assert s["e2sfca_m2_per_1000"].breaks[1] == pytest.approx(120 / 1750 * 1.3 * 1000)
    assert s["e2sfca_gp_fte_per_1000"].breaks[1] == pytest.approx(1000 / 1800)
    m2 = s["e2sfca_m2_per_1000"]
    assert m2.colour(89.0) == m2.colours[1] and m2.colour(89.2) == m2.colours[2]
    assert m2.colour(float("nan")) == NO_DATA_COLOUR


def test_layer_colours_each_zone_by_its_index() -> None:
    region = kit.region()
    r = evaluate(region, assumptions=A)
    layer = zone_index_layer(region, r.zones, A)
    colours = {f["properties"]["tip"].split(" ")[0]: f["properties"]["colour"]
               for f in layer.data["features"]}
    shading = zone_shadings(A)["e2sfca_m2_per_1000"]
    for code in ("Z1", "Z2"):
        assert colours[code] == shading.colour(r.zones.loc[code, "e2sfca_m2_per_1000"])
    # B's GP FTE is unknown: both zones reach B, so the GP layer shows no data
    fte = zone_index_layer(region, r.zones, A, column="e2sfca_gp_fte_per_1000")
    assert {f["properties"]["colour"] for f in fte.data["features"]} == {NO_DATA_COLOUR}


def test_map_and_report_carry_the_index() -> None:
    region = kit.region()
    r = evaluate(region, assumptions=A)
    html = build_map(region, practices=r.practices, tiles=None, zones=r.zones,
                     assumptions=A).get_root().render()
    assert "Zones: GP floor space within reach (E2SFCA)" in html
    report = build_report(region, r, interactive_map=False)
    assert "Accessibility index (E2SFCA)" in report
    assert "straight line x 1.3 circuity at 30 km/h (car)" in report
