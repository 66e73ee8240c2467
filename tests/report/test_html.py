"""The self-contained HTML report: options appraisal, scenario comparison, inline SVG charts
and map, escaping, no network; the GeoPackage export; ``run --scenario`` end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.cli import main
from estates.engine.evaluate import evaluate
from estates.io.export import write_geopackage
from estates.model import CRS
from estates.options.apply import apply_with_costs
from estates.options.appraisal import run_appraisal
from estates.options.compare import compare
from estates.options.scenario import Scenario
from estates.report.html import build_report, catchment_map_svg, demand_chart_svg
from tests import enginekit as kit

A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
ROOT = Path(__file__).resolve().parents[2]
DEMO_SCENARIO = ROOT / "data" / "demo" / "scenarios" / "library_and_retirement_satellite.json"


def region() -> object:
    r = kit.region()
    r.candidates = gpd.GeoDataFrame(
        {"candidate_id": ["L1"], "name": ["<script>alert(1)</script> Library"],
         "kind": ["library"], "available_m2": [60.0]},
        geometry=[Point(500, 0)], crs=CRS, index=["L1"])
    return r


def no_network(html: str) -> None:
    links = re.findall(r"(?:src|href)\s*=\s*['\"]?(https?:)?//", html)
    assert not links
    assert "<script" not in html  # nothing to run: every chart is SVG


def test_report_with_scenario_and_appraisal() -> None:
    r = region()
    base = evaluate(r, assumptions=A)
    sc = Scenario("Library <b>option</b>", ({"type": "colocate", "practice_code": "A",
                                              "candidate_id": "L1"},), {}, "=cmd|' /C calc'!A0")
    applied = apply_with_costs(r, sc, assumptions=A)
    opt = evaluate(applied.region, assumptions=A)
    comp = compare(base, opt, costs=applied.costs)
    table = run_appraisal(r, None, A, [sc], baseline=base).table
    html = build_report(applied.region, opt, comparison=comp, scenario=sc, appraisal=table,
                        chart_practices=["B"])
    no_network(html)
    assert "Library &lt;b&gt;option&lt;/b&gt;" in html and "<b>option</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Library" in html
    assert "<h2>Options appraisal</h2>" in html and "deficit 40%" in html
    # 60 m2 fitted out at GBP 1,500 per m2
    assert "GBP 90,000" in html
    # the map and B's chart only: 760 m2 gives A 11,083 places, above its 10,576 demand, so A
    # is no longer among the deficits charted
    assert html.count("<svg") == 2
    assert "Assumptions" in html and "Fit-out cost per m2" in html
    # the interactive map is embedded whole: Leaflet inlined, no CDN, no tiles
    assert html.count("<iframe") == 1 and "srcdoc=" in html
    assert "leaflet" in html.lower()
    for host in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "tile.openstreetmap"):
        assert host not in html
    assert "<iframe" not in build_report(applied.region, opt, interactive_map=False)


def test_demand_chart_marks_a_deficit_in_red() -> None:
    res = evaluate(kit.region(), assumptions=A)
    svg_a = demand_chart_svg(res, "A")
    svg_b = demand_chart_svg(res, "B")
    assert "#b42318" in svg_a and "deficit from 2027/28" in svg_a  # tipping year 2027
    assert "#067647" in svg_b and "no deficit" in svg_b
    # five years, five points on the demand line
    points = re.search(r"<polyline points='([^']+)'", svg_a).group(1).split()
    assert len(points) == 5


def test_map_colours_deficit_red_and_headroom_green() -> None:
    r = kit.region()
    res = evaluate(r, assumptions=A)
    svg = catchment_map_svg(r, res)
    fills = re.findall(r"<path d='[^']+' fill='(#[0-9a-f]{6})'", svg)
    assert len(fills) == 2
    red, green = fills  # A is in deficit at the horizon, B has headroom
    assert int(red[1:3], 16) > int(red[3:5], 16)
    assert int(green[3:5], 16) > int(green[1:3], 16)
    assert svg.count("<circle") == 2


def test_geopackage_holds_every_table(tmp_path: Path) -> None:
    r = kit.region()
    r.practices.loc["B", "site_name"] = "=HYPERLINK(\"x\")"
    res = evaluate(r, assumptions=A)
    path = write_geopackage(r, res, tmp_path / "out.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"practices", "catchments", "zones", "housing_sites", "allocation"}
    practices = pyogrio.read_dataframe(path, layer="practices")
    assert len(practices) == 2 and practices.crs.to_epsg() == 27700
    assert practices.set_index("practice_code").loc["B", "site_name"].startswith("'=")
    assert len(pyogrio.read_dataframe(path, layer="allocation")) == len(res.allocation)
    zones = pyogrio.read_dataframe(path, layer="zones")
    assert zones.geometry.area.sum() == pytest.approx(10000 * 6000)


def test_cli_run_with_a_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", "--scenario", str(DEMO_SCENARIO), "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "deficit at 2036" in text
    for name in ("report.html", "comparison.json", "scenario.json", "estates.gpkg",
                 "summary.json", "practices.csv"):
        assert (out / name).is_file()
    comp = json.loads((out / "comparison.json").read_text())
    s = comp["summary"]
    # 240 m2 of library fitted out at GBP 1,500 + 250 m2 new build at GBP 3,000
    assert s["capital_cost_gbp"] == pytest.approx(240 * 1500 + 250 * 3000)
    assert s["m2_added"] == pytest.approx(490)
    assert s["deficit_resolved"] > 0 and s["unmet_demand_reduced"] >= 0
    html = (out / "report.html").read_text()
    no_network(html)
    assert "Scenario: Paddock Wood library co-location" in html


def test_cli_run_with_a_bad_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "changes": [
        {"type": "extend", "practice_code": "NOPE", "gia_m2": 10}]}))
    assert main(["run", "--scenario", str(bad), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "changes[0].practice_code: no surgery site has this code" in err


def test_report_is_byte_identical_across_runs() -> None:
    # folium names its elements with random ids; the report renumbers them
    r = kit.region()
    res = evaluate(r, assumptions=A)
    first, second = build_report(r, res), build_report(r, res)
    assert first == second
    assert re.search(r"map_0{31}1", first)
