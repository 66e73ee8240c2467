"""Options: build a scenario (satellite, library co-location, extension, merger) and compare."""

from __future__ import annotations

import streamlit as st

from app_pages.common import core_errors, region, scenario_available, synthetic_note

st.title("Options")
with core_errors():
    r = region()
synthetic_note(r)
if not scenario_available():
    st.warning("Options appraisal needs the scenario module (estates.scenario), which is not "
               "part of this build yet.")
