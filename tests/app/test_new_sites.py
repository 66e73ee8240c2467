"""The committee's question answered on the Options screen and in the report (issue 11 item
12): the bundled retirement-village example states each new site's expected use in words.
Expected sentences come from the engine called directly on the same scenario."""

from __future__ import annotations

import html
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from estates.engine.evaluate import evaluate
from estates.io.region import demo_region
from estates.options.apply import apply_scenario, check_scenario
from estates.options.compare import compare

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
EXAMPLE = ROOT / "data" / "demo" / "scenarios" / "library_and_retirement_satellite.json"


def _expected() -> list[dict]:
    region = demo_region()
    scenario = check_scenario(json.loads(EXAMPLE.read_text()), region)
    return compare(evaluate(region), evaluate(apply_scenario(region, scenario))).new_sites


def test_the_options_screen_answers_the_retirement_village_question() -> None:
    expected = _expected()
    assert {e["site_code"] for e in expected} == {"Z99031-S1", "Z99036-S1"}
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["scenario_upload"] = {"name": EXAMPLE.name, "data": EXAMPLE.read_bytes()}
    at.switch_page("app_pages/options.py")
    at.run()
    assert not at.exception and not at.error
    shown = [m.value for m in [*at.success, *at.warning]]
    for entry in expected:
        assert entry["answer"] in shown
    assert any("Hawkhurst Medical Centre satellite at the retirement village" in s
               for s in shown)


def test_the_report_answers_it_too() -> None:
    expected = _expected()
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["scenario"] = json.loads(EXAMPLE.read_text())
    at.switch_page("app_pages/report.py")
    at.run()
    assert not at.exception and not at.error
    report = html.unescape(at.get("html")[0].proto.body)
    assert "Would the new sites be used?" in report
    for entry in expected:
        assert entry["answer"] in report
