"""The Options screen through AppTest: build an option, compare it, save and load it, appraise.

Expected figures come from the engine called directly in the test on the same scenario (not
read back from the page), and where a figure follows by hand (a satellite's added capacity is
its floor area over the space per patient) it is checked that way too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.io.region import demo_region
from estates.model import Region
from estates.options.apply import apply_scenario, check_scenario

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PARENT, LIBRARY, SIZE_M2 = "Z99031", "LIB08", 150.0  # Paddock Wood HC, Paddock Wood Library
SATELLITE = {"type": "add_satellite", "parent_code": PARENT, "candidate_id": LIBRARY,
             "gia_m2": SIZE_M2}


@pytest.fixture(scope="module")
def demo() -> Region:
    return demo_region()


def options_page(**state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page("app_pages/options.py")
    return at.run()


def metric(at: AppTest, label: str) -> Any:
    return next(m for m in at.metric if m.label == label)


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def add_library_satellite(at: AppTest, *, candidate: str = LIBRARY,
                          gia_m2: float = SIZE_M2) -> AppTest:
    """Fill the 'Add a satellite' form as a user would and press Add."""
    at.selectbox(key="change_kind").set_value("add_satellite").run()
    at.selectbox(key="new_add_satellite_parent").set_value(PARENT)
    at.radio(key="new_add_satellite_where").set_value("a candidate building (library...)").run()
    at.selectbox(key="new_add_satellite_candidate").set_value(candidate).run()
    at.number_input(key=f"new_add_satellite_gia_{candidate}").set_value(gia_m2)
    button(at, "Add to the option").click()
    return at.run()


def test_a_library_satellite_moves_the_deficit_by_the_engines_amount(demo: Region) -> None:
    at = options_page()
    assert not at.exception
    add_library_satellite(at)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["scenario"]["changes"] == [SATELLITE]

    # The same scenario evaluated directly.
    base = evaluate(demo)
    option = evaluate(apply_scenario(demo, check_scenario(
        {"name": "t", "changes": [SATELLITE]}, demo)))
    before, after = base.summary["deficit_total"], option.summary["deficit_total"]
    assert after < before
    shown = metric(at, "Sum of local deficits (patients)")
    assert shown.value == f"{after:,.0f}"
    assert shown.delta == f"{after - before:+,.0f}"
    assert metric(at, "Deficit resolved (patients)").value == f"{before - after:,.0f}"
    deficit = metric(at, next(m.label for m in at.metric if m.label.startswith(
        "Practices in deficit")))
    assert deficit.value == str(option.summary["practices_in_deficit"])

    # By hand: the satellite adds its floor area over the space per patient to its parent.
    table = next(d.value for d in at.dataframe if "capacity after (patients)" in d.value)
    row = table[table["code"] == PARENT].iloc[0]
    added = SIZE_M2 / Assumptions().gross_m2_per_patient
    assert row["capacity after (patients)"] - row["capacity before (patients)"] == (
        pytest.approx(added, abs=1.0))
    # Fit-out of a library: its area at the fit-out rate.
    assert metric(at, "Capital cost (£)").value == (
        f"{SIZE_M2 * Assumptions().fitout_cost_per_m2_gbp:,.0f}")


def test_a_change_that_does_not_fit_shows_the_scenario_error() -> None:
    at = add_library_satellite(options_page())
    # Paddock Wood Library (LIB08) has 240 m2 free; the first satellite took 150, so a second
    # of 150 m2 does not fit in the 90 left.
    add_library_satellite(at)
    assert not at.exception
    assert at.error and "changes[1].gia_m2" in at.error[0].value
    assert "90 m2 available in candidate LIB08 after changes[0] took part of it" in (
        at.error[0].value)
    assert at.session_state["scenario"]["changes"] == [SATELLITE]


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """Record what every download button would hand the browser, by label."""
    files: dict[str, bytes] = {}
    original = st.download_button

    def recording(label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        files[label] = data.encode() if isinstance(data, str) else bytes(data)
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    yield files


def test_a_saved_option_loads_back(saved: dict[str, bytes]) -> None:
    at = add_library_satellite(options_page())
    figure = metric(at, "Sum of local deficits (patients)").value
    data = saved["Save the option (JSON)"]
    document = json.loads(data)
    assert document["changes"] == [SATELLITE] and document["name"] == "My option"

    fresh = options_page(scenario_upload={"name": "my_option.json", "data": data})
    assert not fresh.exception and not fresh.error
    assert fresh.session_state["scenario"] == document
    assert metric(fresh, "Sum of local deficits (patients)").value == figure


@pytest.mark.parametrize(("data", "message"), [
    (b'{"name": "x", "changes": [{"type": "add_satellite", "parent_code": "Z99031", '
     b'"candidate_id": "LIB99", "gia_m2": 100}]}',
     "changes[0].candidate_id: no candidate building has this id"),
    (b'{"name": "x", "changes": [{"type": "extend", "gia_m2": -5}]}',
     "changes[0]: missing field 'practice_code'"),
    (b"{not json", "not valid JSON"),
])
def test_a_broken_option_file_shows_its_error_not_a_traceback(data: bytes, message: str) -> None:
    at = options_page(scenario_upload={"name": "broken.json", "data": data})
    assert not at.exception
    assert at.error and message in at.error[0].value and "broken.json" in at.error[0].value
    assert at.session_state["scenario"]["changes"] == []


def test_the_options_appraisal_renders() -> None:
    at = options_page()
    button(at, "Run the appraisal").click()
    at.run()
    assert not at.exception and not at.error
    table = next(d.value for d in at.dataframe if "score (0-100)" in d.value)
    options = list(table["option"])
    assert "Do nothing" in options and "Do minimum: extend in place" in options
    nothing = table[table["option"] == "Do nothing"].iloc[0]
    # Doing nothing resolves nothing and costs nothing.
    assert nothing["deficit resolved (patients)"] == 0
    assert nothing["capital cost (£)"] == 0
    assert sorted(table["rank"]) == list(range(1, len(table) + 1))


def test_the_site_finder_reports_its_choice(demo: Region) -> None:
    from estates.options.optimise import find_sites

    at = options_page()
    button(at, "Find sites").click()
    at.run()
    assert not at.exception and not at.error
    expected = find_sites(demo, evaluate(demo), k=2)
    assert metric(at, "With the chosen sites (patients)").value == f"{expected.unmet_after:,.0f}"
    table = next(d.value for d in at.dataframe if "satellite of" in d.value)
    assert list(table["place"]) == list(expected.chosen["name"])


def test_the_report_includes_the_option() -> None:
    scenario = json.loads((ROOT / "data" / "demo" / "scenarios" /
                           "library_and_retirement_satellite.json").read_text())
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["scenario"] = scenario
    at.switch_page("app_pages/report.py")
    at.run()
    assert not at.exception and not at.error
    assert at.checkbox[0].value  # "Include the option" is on once an option exists
    report = at.get("html")[0].proto.body
    assert f"Scenario: {scenario['name']}" in report.replace("&#x27;", "'")
