"""Report: download the HTML report, the map and the tables behind them."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from app_pages.common import (
    core_errors,
    engine_missing_note,
    evaluation,
    growth,
    region,
    synthetic_note,
)
from estates.io.export import write_outputs
from estates.report.html import build_report
from estates.report.map import build_map, map_html

st.title("Report")
st.write("The report and tables reflect everything chosen on the other screens: the housing "
         "sites in use and the assumptions in force.")
with core_errors():
    r = region()
    g = growth()
    result = evaluation()
synthetic_note(r)
if result is None:
    engine_missing_note("The report")
    st.stop()

with core_errors(), st.spinner("Building the report, map and tables..."):
    report = build_report(r, result)
    the_map = map_html(build_map(r, practices=result.practices, growth=g, tiles=None))
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w",
                                                                    zipfile.ZIP_DEFLATED) as z:
        for path in write_outputs(r, result, Path(folder), report_html=report):
            z.write(path, arcname=path.name)
        z.writestr("map.html", the_map)

st.download_button("Download the report (HTML)", data=report.encode("utf-8"),
                   file_name="estates_report.html", mime="text/html", type="primary")
st.download_button("Download the map (HTML, works offline)", data=the_map.encode("utf-8"),
                   file_name="estates_map.html", mime="text/html")
st.download_button(
    "Download every table (ZIP: practices.csv, catchments.geojson, zones.csv, sites.csv, "
    "allocation.csv, summary.json, report.html, map.html)",
    data=buffer.getvalue(), file_name="estates_outputs.zip", mime="application/zip")
st.caption(f"Report {len(report) / 1e3:,.0f} kB; map {len(the_map) / 1e6:,.2f} MB; "
           f"tables {len(buffer.getvalue()) / 1e6:,.2f} MB zipped.")
with st.expander("Preview the report"):
    st.html(report)
