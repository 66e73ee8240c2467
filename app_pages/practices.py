"""Practices: capacity, demand, headroom and tipping year per practice; one practice by year."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import core_errors, evaluation, region, show_table, synthetic_note, year_text
from estates.io.estates_figures import edits_from_table, estates_template
from estates.io.export import safe_table
from estates.io.national import read_practice_estates
from estates.report.figures import format_figure


def capacity_lines(result: Any, code: str) -> tuple[pd.DataFrame, str]:
    """Demand by year with both capacity lines (premises and GP workforce, where known), so
    the chart shows the same binding constraint as the table; and a caption that says so."""
    p = result.practices
    premises = float(p.at[code, "capacity"])
    workforce = p.at[code, "workforce_capacity"] if "workforce_capacity" in p else None
    binding = str(p.at[code, "binding_constraint"]) if "binding_constraint" in p else ""
    lines = {"demand (patients)": result.demand.loc[code].to_numpy(dtype=float),
             "premises capacity (patients)": premises}
    known = workforce is not None and pd.notna(workforce)
    if pd.isna(premises):
        note = ("Capacity is unknown: no floor area or rooms were given for this practice "
                "(fill them in below).")
        if known:
            lines["GP workforce capacity (patients)"] = float(workforce)
        frame = pd.DataFrame(lines, index=pd.Index([int(y) for y in result.demand.columns],
                                                   name="year (starting)"))
        return frame, note
    if known:
        lines["GP workforce capacity (patients)"] = float(workforce)
    frame = pd.DataFrame(lines, index=pd.Index([int(y) for y in result.demand.columns],
                                               name="year (starting)"))
    if known:
        lower = "GP workforce" if float(workforce) < premises else "floor space"
        note = (f"Binding constraint: **{binding or lower}**, the lower line "
                f"({format_figure(min(premises, float(workforce)), 'patients')}). Headroom "
                "and the tipping year in the table are measured against premises capacity "
                f"({format_figure(premises, 'patients')}).")
    else:
        note = ("Capacity is the premises' (floor space); the number of GPs is not known, "
                "so no workforce line is drawn.")
    return frame, note


st.title("Practices")
with core_errors():
    r = region()
    result = evaluation()
synthetic_note(r)
p = result.practices
horizon = format_figure(result.years[-1], "year")
table = pd.DataFrame({
    "practice": p["site_name"],
    "code": p["practice_code"],
    "list (patients)": p["list_size"].round(0),
    "floor area (m²)": p["gia_m2"].round(0),
    "premises capacity (patients)": p["capacity"].round(0),
    "GP workforce capacity (patients)": p["workforce_capacity"].round(0),
    "binding constraint": p["binding_constraint"],
    f"demand {horizon} (patients)": p["demand_horizon"].round(0),
    f"headroom {horizon} (patients)": p["headroom_horizon"].round(0),
    f"headroom {horizon} (m²)": p["headroom_m2_horizon"].round(1),
    f"demand as % of capacity {horizon}": p["utilisation_pct_horizon"].round(1),
    "tipping year": year_text(p["tipping_year"]),
})
st.caption("Click a column heading to sort. Patients are need-weighted (plain patients with the "
           "default weights). The tipping year is the first financial year (2027 = 2027/28) "
           "in which demand exceeds capacity.")
show_table(table)

codes = list(p["practice_code"])
chosen = st.session_state.get("selected_practice")
index = codes.index(chosen) if chosen in codes else 0
code = st.selectbox("Practice", codes, index=index,
                    format_func=lambda c: f"{p.at[c, 'site_name']} ({c})")
st.session_state["selected_practice"] = code

st.subheader(f"Demand against capacity: {p.at[code, 'site_name']}")
by_year, note = capacity_lines(result, code)
st.line_chart(by_year, x_label="financial year (starting)", y_label="patients")
st.caption(note)

alloc = result.allocation[result.allocation["practice_code"] == code]
if len(alloc):
    sites = result.sites.set_index("site_ref")
    drivers = pd.DataFrame({
        "housing site": alloc["site_ref"].map(sites["name"]).to_numpy(),
        "site_ref": alloc["site_ref"].to_numpy(),
        "dwellings": alloc["site_ref"].map(sites["dwellings"]).to_numpy(),
        "housing type": alloc["site_ref"].map(sites["housing_type"]).to_numpy(),
        "share of its residents (%)": (100 * alloc["share"]).round(1).to_numpy(),
        f"patients for this practice by {horizon}": (
            alloc["share"] * alloc["site_ref"].map(sites["weighted_patients"])).round(0).to_numpy(),
        "distance (km)": alloc["distance_km"].round(2).to_numpy(),
        "rule": alloc["rule"].to_numpy(),
    }).sort_values(f"patients for this practice by {horizon}", ascending=False)
    st.subheader("Housing sites that drive its demand")
    show_table(drivers)
else:
    st.write("No housing site sends residents to this practice.")

# ------------------------------------------------------------------ the figures users supply
st.subheader("Floor area, clinical rooms and GP FTE")
missing = int(result.summary["practices_without_floor_area"])
if missing:
    st.warning(f"{missing} of {len(p)} practices have no floor area or rooms: their capacity "
               "and headroom are unknown (never guessed). Fill in the table below, or download "
               "the estates template, complete it and upload it.")
st.caption("One row per surgery site. Floor area is the gross internal area in m²; GP FTE is "
           "full-time-equivalent GPs at the main site. These figures are in no national file: "
           "ask the practice or the ICB estates team. Empty means unknown.")
with core_errors():
    template = estates_template(r)
st.download_button("Download the estates template (CSV)",
                   data=safe_table(template).to_csv(index=False).encode("utf-8"),
                   file_name="practice_estates_template.csv", mime="text/csv")
upload = st.file_uploader("Upload a filled estates template", type=["csv", "xlsx"],
                          key="estates_upload")
if upload is not None:
    with core_errors():
        filled = read_practice_estates(upload.getvalue(), filename=upload.name)
    for row, reason in zip(filled.rejected["row"], filled.rejected["reason"], strict=True):
        st.warning(f"{upload.name}, row {row}: not used: {reason}")
    given = edits_from_table(filled.table)
    if given and given != {k: st.session_state["estates_edits"].get(k) for k in given}:
        st.session_state["estates_edits"] = {**st.session_state["estates_edits"], **given}
        st.rerun()
edited = st.data_editor(
    template, hide_index=True, width="stretch", key="estates_editor",
    disabled=["practice_code", "site_name", "site_kind", "parent_code", "easting", "northing"],
    column_config={
        "gia_m2": st.column_config.NumberColumn("floor area (m²)", min_value=0.0),
        "clinical_rooms": st.column_config.NumberColumn("clinical rooms", min_value=0.0),
        "gp_fte": st.column_config.NumberColumn("GP FTE", min_value=0.0),
    })
changed = {code: values for code, values in edits_from_table(edited).items()
           if values != edits_from_table(template).get(code)}
if changed:
    st.session_state["estates_edits"] = {**st.session_state["estates_edits"], **changed}
    st.rerun()
if st.session_state["estates_edits"] and st.button("Forget the figures I supplied"):
    st.session_state["estates_edits"] = {}
    st.rerun()
