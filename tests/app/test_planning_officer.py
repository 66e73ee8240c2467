"""A planning officer's day through Streamlit's AppTest (issue 13): counted homes in the
headline, what to do next, which housing sites are in use on every screen, Assumptions that
apply from the top and stay confirmed, the Practices chart's two capacity lines, changes in
plain words and the S106 contributions on the Report screen.

Figures are worked from the input files (the demo CSVs, the uploaded rows), not read back
from the engine.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from estates.assumptions import Assumptions

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DEMO = ROOT / "data" / "demo"
# Two sites in West Kent (120 + 90 homes) and one 500-home site some 200 km away, outside the
# region and beyond every surgery's reach.
SITES = (
    b"site_ref,name,easting,northing,dwellings,housing_type,start_year,build_rate\n"
    b"T1,Orchard Field,559000,155000,120,general,2027,40\n"
    b"T2,Mill Lane Retirement Village,560500,156000,90,retirement,2028,30\n"
    b"T4,Far Away Farm,380000,300000,500,general,2027,100\n"
)


def app_on(page: str, **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def demo_rows(name: str) -> list[dict[str, str]]:
    with (DEMO / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_overview_counts_only_counted_homes_and_says_what_is_left_out() -> None:
    at = app_on("overview", housing_upload={"name": "sites.csv", "data": SITES})
    assert not at.exception
    caption = next(c.value for c in at.caption if "housing sites" in c.value)
    assert "2 housing sites, 210 homes planned (a further 1 site(s) with 500 homes lie " \
           "outside the region and are not counted)" in caption
    warning = at.warning[0].value
    assert "1 housing site(s) lie outside the region" in warning
    assert "Far Away Farm (T4)" in warning and "500 homes are not counted" in warning


def test_overview_says_what_to_do_next_and_what_the_region_folder_is_for() -> None:
    at = app_on("overview")
    text = " ".join(m.value for m in at.markdown)
    assert "**What to do next**" in text
    steps = [line for line in text.split("\n") if line[:3] in ("1. ", "2. ", "3. ")]
    assert [s[:30] for s in steps] == ["1. **Upload your housing sites",
                                       "2. **Look at the map** on the ",
                                       "3. **Test an option** on the *"]
    assert any("**Region** list in the sidebar loads another region" in c.value
               for c in at.caption)
    box = next(t for t in at.sidebar.selectbox if t.label == "Region")
    assert "the synthetic demonstration" in (box.help or "")


def test_every_screen_shows_which_housing_sites_are_in_use() -> None:
    upload = {"name": "sites.csv", "data": SITES}
    for page in ("overview", "map", "practices", "options", "report", "assumptions"):
        at = app_on(page, housing_upload=upload, housing_mode="add")
        assert not at.exception, page
        notes = [c.value for c in at.sidebar.caption]
        assert "Housing sites: **sites.csv** (are added to the region's own sites)." in notes
    at = app_on("practices", housing_upload=upload, housing_mode="replace")
    assert "Housing sites: **sites.csv** (replace the region's own sites)." in [
        c.value for c in at.sidebar.caption]
    at = app_on("practices")
    assert "Housing sites: the region's own." in [c.value for c in at.sidebar.caption]


def test_assumptions_apply_from_the_top_and_the_confirmation_stays() -> None:
    at = app_on("assumptions")
    buttons = [b for b in at.button if b.label == "Apply changes"]
    assert len(buttons) == 2  # one above the fields, one below
    field = next(t for t in at.text_input if t.label.startswith("Floor space per patient"))
    # Shown rounded: 0.06857142857142857 reads 0.0686; an untouched box is no change.
    assert field.value == "0.0686"
    field.set_value("0.1")
    buttons[0].click()
    at.run()
    assert not at.exception
    assert at.session_state["overrides"] == {"m2_per_patient": "0.1"}
    message = at.success[0].value
    assert "1 assumption(s) differ from the defaults" in message and "0.1 m2 per patient" in message
    at.run()  # another run (any widget) keeps it on screen
    assert at.success and at.success[0].value == message
    table = at.dataframe[-1].value
    row = table[table["assumption"].str.startswith("Base year")].iloc[0]
    assert row["value"] == "2026/27"
    gp = table[table["assumption"].str.contains("per full-time GP")].iloc[0]
    assert gp["value"] == "1,800 patients per full-time GP"


def chart_frame(at: AppTest):  # type: ignore[no-untyped-def]
    proto = at.get("vega_lite_chart")[0].proto
    data = proto.datasets[0].data.data
    return pa.ipc.open_stream(data).read_all().to_pandas()


def test_practices_chart_draws_premises_and_workforce_lines_naming_the_binding_one() -> None:
    rows = {r["practice_code"]: r for r in demo_rows("practices.csv")}
    a = Assumptions()
    for code, binding in (("Z99001", "GP workforce"), ("Z99005", "floor space")):
        at = app_on("practices", selected_practice=code)
        assert not at.exception
        frame = chart_frame(at)
        lines = {c: frame.loc[frame.iloc[:, 1] == c, frame.columns[2]]
                 for c in frame.iloc[:, 1].unique()}
        # Premises: floor area over space per patient; workforce: GP FTE times patients per GP.
        premises = float(rows[code]["gia_m2"]) / a.gross_m2_per_patient  # net standard x 1.3
        workforce = float(rows[code]["gp_fte"]) * a.people_per_gp_fte
        assert abs(lines["premises capacity (patients)"].iloc[0] - premises) < 0.5
        assert abs(lines["GP workforce capacity (patients)"].iloc[0] - workforce) < 0.5
        note = next(c.value for c in at.caption if c.value.startswith("Binding constraint"))
        assert f"**{binding}**, the lower line ({min(premises, workforce):,.0f} patients)" in note
        table = at.dataframe[0].value
        assert table.loc[table["code"] == code, "binding constraint"].iloc[0] == binding


def test_options_describe_changes_by_name_and_place() -> None:
    doc = json.loads((DEMO / "scenarios" / "library_and_retirement_satellite.json").read_text())
    names = {r["practice_code"]: r["site_name"] for r in demo_rows("practices.csv")}
    at = app_on("options", scenario=doc)
    assert not at.exception
    changes = next(d.value for d in at.dataframe if "change" in d.value.columns)
    assert list(changes["change"])[1] == (
        f"A 250 m² satellite of {names['Z99036']} beside Hawkhurst retirement village "
        "(easting 576,650, northing 130,060).")


def test_report_screen_lists_the_contributions_per_site_with_a_csv() -> None:
    at = app_on("report", housing_upload={"name": "sites.csv", "data": SITES})
    assert not at.exception
    assert any(h.value.startswith("Planning contributions (S106)") for h in at.header)
    table = next(d.value for d in at.dataframe if "Statement for a consultation response"
                 in d.value.columns)
    # The two counted sites; the one outside the region asks nothing of these practices.
    assert list(table["Site"]) == ["Orchard Field", "Mill Lane Retirement Village"]
    assert list(table["Homes"]) == [120, 90]
    assert table["Statement for a consultation response"].str.startswith(
        ("Orchard Field (T1)", "Mill Lane Retirement Village (T2)")).all()
    code = at.code[0].value
    assert code.startswith("Orchard Field (T1)")
    download = next(b for b in at.get("download_button")
                    if "contributions" in b.proto.label.lower())
    assert download.proto.label == "Download the contributions (CSV)"
