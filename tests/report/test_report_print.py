"""The report in plain words and ready to print: years as financial years, changes as
sentences, before and after as words, the contributions per site, a first page on its own."""

from __future__ import annotations

import re

import geopandas as gpd
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.model import CRS
from estates.options.apply import apply_with_costs
from estates.options.compare import compare
from estates.options.scenario import Scenario
from estates.report.contributions import contributions_csv, contributions_frame
from estates.report.html import build_report
from tests import enginekit as kit

A = Assumptions(base_year=2026, horizon_year=2030)


def region():  # type: ignore[no-untyped-def]
    r = kit.region()
    r.candidates = gpd.GeoDataFrame(
        {"candidate_id": ["L1"], "name": ["Beta Library"], "kind": ["library"],
         "available_m2": [60.0]}, geometry=[Point(4200, 0)], crs=CRS, index=["L1"])
    return r


def report_with_option(changes: tuple[dict, ...]) -> tuple[str, object]:  # type: ignore[type-arg]
    r = region()
    base = evaluate(r, assumptions=A)
    sc = Scenario("Option", changes, {})
    applied = apply_with_costs(r, sc, assumptions=A)
    opt = evaluate(applied.region, assumptions=A)
    comp = compare(base, opt, costs=applied.costs)
    html = build_report(applied.region, opt, comparison=comp, scenario=sc, base_region=r,
                        sites=r.growth.sites, interactive_map=False)
    return html, comp


def test_changes_are_sentences_and_an_unchanged_count_says_so() -> None:
    html, comp = report_with_option(({"type": "colocate", "practice_code": "B",
                                      "candidate_id": "L1"},))
    # 60 m2 is all the library has free: the cost table's area names the satellite's size.
    assert "A 60 m² satellite of Beta Surgery in Beta Library." in html
    assert "candidate_id:" not in html and "mode: satellite" not in html
    s = comp.summary  # type: ignore[attr-defined]
    before, after = s["practices_in_deficit_base"], s["practices_in_deficit_option"]
    expected = f"no change ({before})" if before == after else f"{before} to {after}"
    assert expected in html


def test_years_are_financial_years_and_numbers_have_separators() -> None:
    r = region()
    result = evaluate(r, assumptions=A)
    html = build_report(r, result, interactive_map=False)
    # Alpha's 10,000-patient list is shown with its separator; no year reads as 2,0xx.
    assert ">10,000<" in html
    assert not re.search(r"\b2,0\d\d\b", html)
    tipping = result.practices["tipping_year"].dropna()
    for year in tipping.astype(int):
        assert f">{year}/{(year + 1) % 100:02d}<" in html
    # 0.06857142857142857 m2 per patient reads as 0.0686.
    assert ">0.0686<" in html and "0.0685714" not in html


def test_the_first_page_stands_alone_and_sections_start_new_pages_in_print() -> None:
    r = region()
    html = build_report(r, evaluate(r, assumptions=A), interactive_map=False)
    first = re.search(r"<section class='first'>(.*?)</section>", html, re.S)
    assert first is not None
    assert "In brief" in first.group(1) and "Headline figures" in first.group(1)
    # 100 + 200 + 100 homes on 3 sites (enginekit's growth).
    assert "400 homes are planned on 3 housing sites." in first.group(1)
    assert "@page{size:A4" in html and "h2{break-before:page" in html
    assert ".first{break-after:page}" in html and ".screen-only,iframe{display:none}" in html


def test_contributions_one_row_per_counted_site_with_its_statement() -> None:
    r = region()
    result = evaluate(r, assumptions=A)
    sites = result.sites
    html = build_report(r, result, interactive_map=False)
    section = html[html.index("<h2 id='contributions'>"):html.index("<h2>Method</h2>")]
    body = section[section.index("<tbody>"):section.index("</tbody>")]
    assert body.count("<tr>") == 3  # S1, S2, S3
    for name in ("West Field", "Middle Farm", "East Retirement Village"):
        assert name in body
    assert section.count("<li>") == 3
    frame = contributions_frame(sites)
    assert list(frame["Site"]) == list(sites["name"])
    assert frame.columns[-1] == "Statement for a consultation response"
    csv_text = contributions_csv(sites)
    assert csv_text.splitlines()[0].startswith("site_ref,name,housing_type,dwellings")
    assert len(csv_text.splitlines()) == 4


def test_a_site_outside_the_region_is_left_out_of_the_contributions() -> None:
    r = region()
    result = evaluate(r, assumptions=A)
    sites = result.sites.copy()
    sites["counted"] = [True, False, True]
    assert list(contributions_frame(sites)["Site"]) == ["West Field", "East Retirement Village"]
