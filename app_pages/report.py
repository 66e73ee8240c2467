"""Report: download the HTML report, the map and the tables behind them."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from app_pages.common import (
    core_errors,
    evaluation,
    growth,
    region,
    scenario_doc,
    show_table,
    synthetic_note,
)
from app_pages.option_state import appraisal_done, option
from estates.io.export import write_outputs
from estates.report.contributions import contributions_csv, contributions_frame
from estates.report.html import build_report
from estates.report.map import build_map
from estates.report.templates import map_html

st.title("Report")
st.write("The report and tables reflect everything chosen on the other screens: the housing "
         "sites in use, the assumptions in force, and the option built on the Options screen.")
with core_errors():
    r = region()
    g = growth()
    result = evaluation()
synthetic_note(r)

doc = scenario_doc()
with_scenario = st.checkbox(
    f"Include the option \u201c{doc['name']}\u201d ({len(doc['changes'])} change(s)) against "
    "the baseline" if doc["changes"] else "Include an option (none built yet)",
    value=bool(doc["changes"]), disabled=not doc["changes"],
    help="Build an option on the Options screen first." if not doc["changes"] else None)
done = appraisal_done()
with_appraisal = st.checkbox("Include the options appraisal" if done is not None
                             else "Include the options appraisal (not run yet)", value=done is not None,
                             disabled=done is None,
                             help=None if done is not None else
                             "Run the appraisal on the Options screen first.")

with core_errors(), st.spinner("Building the report, map and tables..."):
    chosen = option() if with_scenario else None
    report = build_report(
        r, result,
        comparison=None if chosen is None else chosen.comparison,
        scenario=None if chosen is None else chosen.scenario,
        base_region=r, sites=g.sites,
        appraisal=None if not with_appraisal or done is None else done.table,
        chart_practices=() if chosen is None else tuple(
            chosen.comparison.practices.index[
                chosen.comparison.practices["deficit_resolved"].abs() > 0.5]),
    )
    the_map = map_html(build_map(r, practices=result.practices, growth=g, tiles=None))
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w",
                                                                    zipfile.ZIP_DEFLATED) as z:
        for path in write_outputs(r, result, Path(folder), report_html=report):
            z.write(path, arcname=path.name)
        z.writestr("map.html", the_map)
        if chosen is not None:
            z.writestr("scenario.json", chosen.scenario.to_json())

st.download_button("Download the report (HTML)", data=report.encode("utf-8"),
                   file_name="estates_report.html", mime="text/html", type="primary")
st.download_button("Download the map (HTML, works offline)", data=the_map.encode("utf-8"),
                   file_name="estates_map.html", mime="text/html")
st.download_button(
    "Download every table (ZIP: practices.csv, catchments.geojson, zones.csv, sites.csv, "
    "allocation.csv, summary.json, report.html, map.html"
    + (", scenario.json" if chosen is not None else "") + ")",
    data=buffer.getvalue(), file_name="estates_outputs.zip", mime="application/zip")
st.caption(f"Report {len(report) / 1e3:,.0f} kB; map {len(the_map) / 1e6:,.2f} MB; "
           f"tables {len(buffer.getvalue()) / 1e6:,.2f} MB zipped.")

st.header("Planning contributions (S106) per housing site")
st.write("One row per housing site counted in the region: its homes, the residents and "
         "patients they bring, the practices expected to absorb them with their headroom, "
         "the floor space and cost that follow, and the statement to paste into a "
         "consultation response. The report prints the same table.")
contributions = contributions_frame(result.sites)
if len(contributions):
    show_table(contributions, column_config={
        "Statement for a consultation response": st.column_config.TextColumn(width="large")})
    st.download_button("Download the contributions (CSV)",
                       data=contributions_csv(result.sites).encode("utf-8"),
                       file_name="contributions.csv", mime="text/csv")
    pick = st.selectbox("Statement for one site", list(range(len(contributions))),
                        format_func=lambda i: f"{contributions.iloc[i]['Site']} "
                                              f"({contributions.iloc[i]['Site reference']})")
    st.code(contributions.iloc[pick]["Statement for a consultation response"], language=None,
            wrap_lines=True)
    st.caption("Copy the statement with the button at its top right.")
else:
    st.write("No housing site is counted in this region.")

with st.expander("Preview the report"):
    st.html(report)
