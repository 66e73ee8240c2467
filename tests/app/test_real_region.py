"""The dashboard on a region without floor area (issue 12, items 7 and 8): the real region is
offered beside the demo, the Overview counts practices without floor area, and the Practices
screen offers the estates template, an upload and an editable table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
FOLDER = "worthing_adur"
pytestmark = pytest.mark.skipif(not (ROOT / "data" / FOLDER).exists(),
                                reason="data/worthing_adur not built")


def app_on(page: str, **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_real_region_offered_beside_the_demo(monkeypatch):
    monkeypatch.delenv("ESTATES_REGION_ROOT", raising=False)
    at = app_on("overview")
    picker = next(s for s in at.sidebar.selectbox if s.label == "Region")
    assert any("synthetic" in o for o in picker.options)
    assert any("Worthing and Adur" in o for o in picker.options)


@pytest.mark.parametrize("page", ["overview", "map", "housing", "practices", "options",
                                  "report", "assumptions"])
def test_every_page_renders_on_the_real_region(page):
    at = app_on(page, region_folder=FOLDER)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_overview_counts_practices_without_floor_area():
    at = app_on("overview", region_folder=FOLDER)
    # practices.csv of the region has 12 main sites and no gia_m2 at all.
    assert metric(at, "Practices without floor area") == "12"
    assert metric(at, "Capacity (patients)") == "n/a"
    assert any("Voronoi" in c.value for c in at.caption)


def test_template_download_then_upload_fills_floor_area():
    at = app_on("practices", region_folder=FOLDER)
    assert not at.exception
    # The table of every practice, then the editable one of the figures users supply.
    assert len(at.dataframe) == 2
    editable = at.dataframe[1].value
    assert list(editable["practice_code"]) == sorted(editable["practice_code"]) and len(
        editable) == 12
    assert editable["gia_m2"].isna().all()
    assert any(d.label.startswith("Download the estates template")
               for d in at.get("download_button"))
    # Fill two practices' floor area in a template as a user would and upload it.
    rows = [
        "practice_code,site_name,site_kind,parent_code,gia_m2,clinical_rooms,gp_fte,easting,northing",
        "H82009,St. Lawrence Surgery,main,,950,12,8.5,513495,103950",
        "H82076,Cornerways Surgery,main,,240,,,512494,103003",
    ]
    at.file_uploader[0].set_value(("filled.csv", "\n".join(rows).encode(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["estates_edits"]["H82009"]["gia_m2"] == 950.0
    over = app_on("overview", region_folder=FOLDER,
                  estates_edits=at.session_state["estates_edits"])
    assert metric(over, "Practices without floor area") == "10"


def test_template_csv_has_every_site():
    from estates.io.estates_figures import estates_template
    from estates.io.region import read_region

    t = estates_template(read_region(ROOT / "data" / FOLDER))
    text = t.to_csv(index=False)
    assert len(list(csv.reader(io.StringIO(text)))) - 1 == 12
    assert t["gia_m2"].isna().all()
