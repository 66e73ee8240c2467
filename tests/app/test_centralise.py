"""The Centralisation screen through AppTest: the example's ranked table, changing k, an
uploaded sites file, and the report download.

Row counts are worked by hand: 7 choose 3 = 35 combinations and 7 choose 2 = 21, plus today's
row and (for k = 2) the five three-site named options scored beside them.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def page(**state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page("app_pages/centralise.py")
    return at.run()


def test_example_renders_ranked_table_and_report() -> None:
    at = page()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Centralisation"
    table = at.dataframe[0].value
    assert len(table) == 35 + 1  # every combination, then today
    assert table["rank"].iloc[:35].tolist() == list(range(1, 36))
    assert any("maximise % of residents (65+, all areas) within 45 minutes" in c.value
               for c in at.caption)
    assert any(b.label == "Download the report (HTML)" for b in at.get("download_button"))
    at.number_input(key="central_k").set_value(2).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 21 + 5 + 1


def test_uploaded_sites_on_the_demo_region() -> None:
    data = (b"site_id,name,easting,northing\nA,Alpha,575000,155000\nB,Beta,558000,140000\n"
            b"C,Gamma,552000,155000\n")
    at = page(central_source="This region's residents, with my sites (upload a CSV)",
              central_sites={"name": "mine.csv", "data": data}, central_k=2)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe[0].value) == 3 + 1  # 3 choose 2 = 3, then today


def test_bad_upload_shows_the_problem() -> None:
    at = page(central_source="This region's residents, with my sites (upload a CSV)",
              central_sites={"name": "bad.csv", "data": b"site_id,name\nA,a\n"})
    assert not at.exception
    assert "bad.csv: no coordinates" in at.error[0].value
