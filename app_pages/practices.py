"""Practices: capacity, demand, headroom and tipping year per practice; one practice by year."""

from __future__ import annotations

import streamlit as st

from app_pages.common import (
    core_errors,
    engine_missing_note,
    evaluation,
    plain,
    region,
    synthetic_note,
)

st.title("Practices")
with core_errors():
    r = region()
    result = evaluation()
synthetic_note(r)
if result is None:
    engine_missing_note("The practice table of capacity and demand")
    st.dataframe(plain(r.practices), hide_index=True, width="stretch")
