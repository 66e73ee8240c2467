"""Overview: the headline figures a committee paper needs, each with its unit and meaning."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import (
    assumptions,
    core_errors,
    engine_missing_note,
    evaluation,
    growth,
    region,
    synthetic_note,
)
from estates.report.map import format_figure

st.title("Overview")
with core_errors():
    r = region()
    a = assumptions()
    g = growth()
    result = evaluation()

synthetic_note(r)
mains = r.main_practices
st.caption(
    f"{len(mains)} practices on {len(r.practices)} sites, "
    f"{format_figure(mains['list_size'].sum(), 'patients')} registered; "
    f"{len(g.sites)} housing sites, {format_figure(g.sites['dwellings'].sum(), 'homes')} "
    f"planned; horizon {format_figure(a.horizon_year, 'year')}."
)

if result is None:
    engine_missing_note("Capacity, demand and headroom")
    c1, c2, c3 = st.columns(3)
    c1.metric("Registered patients", format_figure(mains["list_size"].sum(), "patients"))
    c2.metric("GP floor space", format_figure(r.practices["gia_m2"].sum(), "m2"))
    c3.metric("Homes planned", format_figure(g.sites["dwellings"].sum(), "dwellings"))
else:
    s = result.summary
    figures = [
        ("Capacity now", s.get("aggregate_capacity"), "patients",
         "Patients the district's surgeries can serve, all sites added up."),
        ("Demand at the horizon", s.get("aggregate_demand"), "patients",
         f"Registered patients expected by {format_figure(a.horizon_year, 'year')}, "
         "today's lists plus the new homes' residents."),
        ("Headroom at the horizon", s.get("aggregate_headroom"), "patients",
         "Capacity minus demand, district-wide: negative means a shortfall overall."),
        ("Practices in deficit", s.get("practices_in_deficit"), "practices",
         "Practices whose demand exceeds capacity by the horizon."),
        ("Sum of local deficits", s.get("deficit_total"), "patients",
         "Patients over capacity, added up over the practices in deficit."),
        ("Capacity in the wrong place", s.get("misplaced_capacity"), "patients",
         "Spare capacity no one short of a surgery can reach within the travel threshold."),
        ("Unmet demand within reach", s.get("unmet_demand_within_threshold"), "patients",
         f"Demand that no surgery with room can serve within {a.threshold_minutes:g} minutes "
         f"({a.travel_mode.replace('_', ' ')})."),
    ]
    columns = st.columns(4)
    for i, (label, value, unit, meaning) in enumerate(figures):
        with columns[i % 4]:
            st.metric(label, format_figure(value, unit))
            st.caption(meaning)
    table = result.practices
    if "tipping_year" in table.columns:
        tipping = table[table["tipping_year"].notna()].sort_values("tipping_year")
        st.subheader("When practices tip into deficit")
        if len(tipping):
            st.dataframe(
                pd.DataFrame({
                    "practice": tipping["site_name"],
                    "code": tipping["practice_code"],
                    "tipping year": [format_figure(y, "year") for y in tipping["tipping_year"]],
                    "headroom at horizon (patients)": tipping.get("headroom_patients"),
                }),
                hide_index=True, width="stretch",
            )
        else:
            st.write("No practice goes into deficit before the horizon.")
    older = s.get("older_rural_access")
    if older is not None:
        st.subheader("Older and rural residents' access")
        st.dataframe(pd.DataFrame(older), width="stretch")

if r.warnings:
    with st.expander(f"{len(r.warnings)} note(s) about the region's data"):
        for w in r.warnings:
            st.write("- " + w)
