"""Report: download the HTML report and the tables behind it."""

from __future__ import annotations

import importlib.util

import streamlit as st

from app_pages.common import core_errors, region, synthetic_note

st.title("Report")
with core_errors():
    r = region()
synthetic_note(r)
if importlib.util.find_spec("estates.report.html") is None:
    st.warning("The HTML report (estates.report.html) is not part of this build yet.")
