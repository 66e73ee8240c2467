"""The dashboard's screens through Streamlit's AppTest: every page renders, and user journeys.

Figures asserted here are worked out from the input files directly (row counts with the csv
module, floor space over the space standard by hand), not read back from the engine.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
EXAMPLES = ROOT / ".." / "shared" / "examples" / "brownfield"
PAGES = ["overview", "map", "housing", "practices", "options", "centralise", "report",
         "assumptions"]
TEMPLATE_SITES = (
    "site_ref,name,easting,northing,dwellings,housing_type,start_year,build_rate\n"
    "T1,Orchard Field,559000,155000,120,general,2027,40\n"
    "T2,Mill Lane Retirement Village,560500,156000,90,retirement,2028,30\n"
    "T3,No location given,,,50,general,2027,25\n"
)


def app_on(page: str, **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def data_rows(data: bytes) -> int:
    return len(list(csv.reader(io.StringIO(data.decode("utf-8", errors="replace"))))) - 1


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo(page: str) -> None:
    at = app_on(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value  # each screen says what it is


def test_uploaded_register_counts_every_row() -> None:
    real = EXAMPLES / "fylde-2017-register.csv"
    if real.exists():
        name, data = real.name, real.read_bytes()
    else:  # the project's own fixture covers the same journey
        name, data = "template_sites.csv", TEMPLATE_SITES.encode()
    at = app_on("housing", housing_upload={"name": name, "data": data})
    assert not at.exception
    rows = data_rows(data)
    assert metric(at, "Rows read") == f"{rows:,}"
    accepted = int(metric(at, "Accepted").replace(",", ""))
    rejected = int(metric(at, "Rejected").replace(",", ""))
    assert accepted + rejected == rows
    assert accepted > 0


def test_template_fixture_rejects_the_row_without_a_location() -> None:
    data = TEMPLATE_SITES.encode()
    at = app_on("housing", housing_upload={"name": "template_sites.csv", "data": data})
    assert (metric(at, "Rows read"), metric(at, "Accepted"), metric(at, "Rejected")) == (
        "3", "2", "1")
    rejected = at.dataframe[0].value
    assert list(rejected["row"]) == [3]


def test_a_broken_file_shows_an_error_not_an_exception() -> None:
    at = app_on("housing", housing_upload={"name": "broken.csv",
                                            "data": b"colour,flavour\nred,sweet\n"})
    assert not at.exception
    assert at.error and "broken.csv" in at.error[0].value


def test_uploaded_sites_flow_into_the_overview() -> None:
    data = TEMPLATE_SITES.encode()
    at = app_on("overview", housing_upload={"name": "template_sites.csv", "data": data})
    assert not at.exception
    # 2 accepted sites of 120 + 90 homes, as the caption reports them.
    assert any("2 housing sites, 210 homes planned" in c.value for c in at.caption)


def test_changing_an_assumption_moves_the_capacity() -> None:
    practices = (ROOT / "data" / "demo" / "practices.csv").read_text()
    gia = sum(float(r["gia_m2"]) for r in csv.DictReader(io.StringIO(practices)))
    at = app_on("assumptions")
    field = next(t for t in at.text_input if t.label.startswith("Floor space per patient"))
    field.set_value("0.1")
    next(b for b in at.button if b.label == "Apply changes").click()
    at.run()
    assert not at.exception
    assert json.loads(json.dumps(at.session_state["overrides"])) == {"m2_per_patient": "0.1"}
    at.switch_page("app_pages/overview.py")
    at.run()
    # Space capacity is floor area over space per patient: the standard is net, so every
    # site's gross m2 / (0.1 x the net-to-gross factor 1.3).
    assert metric(at, "Capacity (patients)") == f"{gia / (0.1 * 1.3):,.0f}"


def test_an_invalid_assumption_shows_the_assumption_error() -> None:
    at = app_on("assumptions")
    field = next(t for t in at.text_input if t.label.startswith("Room utilisation"))
    field.set_value("1.7")
    next(b for b in at.button if b.label == "Apply changes").click()
    at.run()
    assert not at.exception
    assert at.error and "room_utilisation" in at.error[0].value
    assert "above the maximum 1" in at.error[0].value
    assert at.session_state["overrides"] == {}



def test_travel_time_overlay_draws_minutes_and_the_options_change() -> None:
    scenario = json.loads((ROOT / "data" / "demo" / "scenarios" /
                           "library_and_retirement_satellite.json").read_text())
    at = app_on("map", scenario=scenario)
    overlay = next(s for s in at.selectbox if s.label == "Raster overlay")
    assert "Change in minutes under the option" in overlay.options
    overlay.set_value("Minutes to the nearest surgery").run()
    assert not at.exception and not at.error
    script = at.get("component_instance")[0].proto.json_args
    assert "Minutes to the nearest surgery" in script and "0 minutes" in script
    overlay = next(s for s in at.selectbox if s.label == "Raster overlay")
    overlay.set_value("Change in minutes under the option").run()
    assert not at.exception and not at.error
    script = at.get("component_instance")[0].proto.json_args
    # A satellite only brings sites nearer: the legend runs from minus to no change.
    assert "Change in minutes to the nearest surgery" in script and "no change" in script


# ------------------------------------------------------------------ issue 12, item 9

FAR_SITES = (
    "site_ref,name,easting,northing,dwellings,housing_type,start_year,build_rate\n"
    "T1,Orchard Field,559000,155000,120,general,2027,40\n"
    "T2,Mill Lane Retirement Village,560500,156000,90,retirement,2028,30\n"
    # Canterbury, about 30 km east of the demonstration region's eastern edge.
    "X1,Canterbury site,615000,157000,60,general,2027,30\n"
)


def test_sites_outside_the_region_are_warned_where_listed() -> None:
    at = app_on("housing", housing_upload={"name": "far.csv", "data": FAR_SITES.encode(),
                                           "mode": "replace"})
    assert not at.exception
    assert any("1 site(s) lie outside the region" in w.value and "X1" in w.value
               for w in at.warning)
    editor = at.dataframe[-1].value  # the data editor of accepted sites
    flags = dict(zip(editor["site_ref"], editor["in region"], strict=True))
    assert flags == {"T1": "yes", "T2": "yes", "X1": "outside"}


def test_upload_can_add_to_the_regions_own_sites() -> None:
    demo = list(csv.DictReader(io.StringIO((ROOT / "data" / "demo" / "housing_sites.csv")
                                           .read_text(encoding="utf-8"))))
    own_sites, own_homes = len(demo), sum(float(r["dwellings"]) for r in demo)
    data = TEMPLATE_SITES.encode()  # 2 accepted sites: 120 + 90 = 210 homes
    at = app_on("overview", housing_upload={"name": "template_sites.csv", "data": data,
                                            "mode": "add"})
    assert not at.exception
    expected = f"{own_sites + 2} housing sites, {own_homes + 210:,.0f} homes planned"
    assert any(expected in c.value for c in at.caption), [c.value for c in at.caption]
    housing = app_on("housing", housing_upload={"name": "template_sites.csv", "data": data,
                                                "mode": "add"})
    assert not housing.exception
    assert housing.radio[0].value == "add"
    assert any(f"{own_sites} of the region's own sites plus 2 uploaded: {own_sites + 2} in all"
               in c.value for c in housing.caption)
