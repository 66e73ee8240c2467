"""Overview: the headline figures a committee paper needs, each with its unit and meaning."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import (
    assumptions,
    core_errors,
    evaluation,
    growth,
    region,
    show_table,
    synthetic_note,
)
from estates.report.figures import format_figure


def next_steps() -> None:
    """What a first-time user does next, in order."""
    with st.container(border=True):
        st.markdown(
            "**What to do next**\n\n"
            "1. **Upload your housing sites** on the *Housing sites* screen: a brownfield "
            "land register or housing trajectory (CSV or Excel). Until you do, the figures "
            "use the region's own sites.\n"
            "2. **Look at the map** on the *Map* screen: which catchments run out of room, "
            "where the new homes are, and where libraries or other buildings could host a "
            "surgery. Click a practice to select it.\n"
            "3. **Test an option** on the *Options* screen: a satellite, a surgery in a "
            "library, an extension or a hub, against doing nothing; then download the "
            "*Report* for a committee paper.")
        st.caption("The **Region** list in the sidebar loads another region: each is a folder "
                   "with a region.toml and its layers (practices, catchments, zones, "
                   "candidate buildings) on this server, such as one built with `estates "
                   "region build`. The bundled synthetic demonstration is the first.")


st.title("Overview")
with core_errors():
    r = region()
    a = assumptions()
    g = growth()
    result = evaluation()

synthetic_note(r)
next_steps()
mains = r.main_practices
sites = result.sites
counted = sites["counted"].astype(bool) if "counted" in sites else pd.Series(True, sites.index)
homes_counted = float(sites.loc[counted, "dwellings"].sum())
outside = sites.loc[~counted]
homes_line = (f"{len(sites.loc[counted])} housing sites, "
              f"{format_figure(homes_counted, 'homes')} planned")
if len(outside):
    homes_line += (f" (a further {len(outside)} site(s) with "
                   f"{format_figure(float(outside['dwellings'].sum()), 'homes')} lie outside "
                   "the region and are not counted)")
st.caption(
    f"{len(mains)} practices on {len(r.practices)} sites, "
    f"{format_figure(mains['list_size'].sum(), 'patients')} registered; {homes_line}; "
    f"horizon {format_figure(a.horizon_year, 'year')}."
)
if len(outside):
    st.warning(
        f"{len(outside)} housing site(s) lie outside the region and beyond "
        f"{a.threshold_minutes:g} minutes of every surgery, so their "
        f"{format_figure(float(outside['dwellings'].sum()), 'homes')} are not counted: "
        + ", ".join(f"{n} ({ref})" for ref, n in zip(outside["site_ref"][:5],
                                                     outside["name"][:5], strict=True))
        + (" ..." if len(outside) > 5 else "")
        + ". The Map screen shows them as hollow orange rings; check their coordinates or "
          "load the region they belong to.")

s = result.summary
horizon = format_figure(s["horizon_year"], "year")
base = format_figure(s["base_year"], "year")
# The unit goes in the label and the value is the bare number, so that a four-column row of
# metrics is never cut short ("633,281 pati...") on a laptop screen.
figures = [
    ("Capacity (patients)", s["aggregate_capacity"],
     "Patients the surgeries' floor space can serve, all practices added up."),
    (f"Demand {base} (patients)", s["aggregate_demand_base"],
     "Registered patients now (base year), weighted by need."),
    (f"Demand {horizon} (patients)", s["aggregate_demand"],
     "Expected by the horizon: today's lists plus the new homes' residents."),
    (f"Headroom {horizon} (patients)", s["aggregate_headroom"],
     "Capacity minus demand district-wide; negative is an overall shortfall."),
    (f"Practices in deficit by {horizon}", s["practices_in_deficit"],
     f"Of {s['practices'] - s['practices_without_floor_area']} practices of known "
     f"capacity; {s['practices_in_deficit_base']} are in deficit already."),
    ("Sum of local deficits (patients)", s["deficit_total"],
     f"Patients over capacity in the practices in deficit "
     f"({format_figure(s['deficit_total_m2'], 'm2')} of floor space)."),
    (f"Practices short of GPs by {horizon}", s.get("practices_in_deficit_workforce"),
     f"Against GP workforce capacity (full-time GPs x {a.people_per_gp_fte:,.0f} patients); "
     f"{s.get('practices_in_deficit_effective')} against the lower of premises and GPs; "
     f"{s.get('practices_without_gp_fte', 0)} practice(s) without GP figures are left out."),
    ("No surgery in reach (patients)", s.get("unmet_no_surgery_in_reach"),
     f"Demand in zones with no surgery at all within {s['threshold_minutes']:g} minutes by "
     f"{str(s['travel_mode']).replace('_', ' ')}: an access gap, not misplaced space."),
    ("Capacity in the wrong place (patients)", s["misplaced_capacity"],
     f"Demand whose surgeries within {s['threshold_minutes']:g} minutes are full while spare "
     "space sits in other surgeries (at most the spare there is)."),
    ("Stranded capacity (patients)", s["stranded_capacity"],
     "Spare capacity that no one short of a surgery could reach even within "
     f"{s.get('stranded_capacity_reach_minutes', a.wider_threshold_minutes):g} minutes."),
]
columns = st.columns(4)
for i, (label, value, meaning) in enumerate(figures):
    with columns[i % 4]:
        st.metric(label, format_figure(value, ""))
        st.caption(meaning)
missing = int(s["practices_without_floor_area"])
if missing:
    st.metric("Practices without floor area", format_figure(missing, ""))
    st.warning(
        f"{missing} of {s['practices']} practices have no floor area or clinical rooms in "
        "this region's data, so their capacity is unknown, never guessed: capacity, headroom "
        "and capacity in the wrong place show n/a where they depend on it. Demand, new "
        "patients from each housing site and access are complete. Give the floor areas on "
        "the Practices screen (estates template or the table there).")
if r.catchment_method:
    st.caption(f"Catchments: {r.catchment_method}")
if s["units"].get("aggregate_capacity", "").endswith("(need-weighted)"):
    st.caption("Patients are need-weighted by age (the weights on the Assumptions screen, "
               "scaled so that the region's weighted list equals its registered list: they "
               "move demand between practices, not the total).")

table = result.practices
tipping = table[table["tipping_year"].notna()].sort_values("tipping_year")
st.subheader("When practices tip into deficit")
if len(tipping):
    show_table(
        pd.DataFrame({
            "practice": tipping["site_name"],
            "code": tipping["practice_code"],
            "tipping year": [format_figure(int(y), "year") for y in tipping["tipping_year"]],
            f"headroom {horizon} (patients)": tipping["headroom_horizon"].round(0),
            f"demand as % of capacity {horizon}": tipping["utilisation_pct_horizon"].round(1),
        }),
    )
else:
    st.write("No practice goes into deficit before the horizon.")

st.subheader("Older and rural residents' access")
st.metric(f"Aged 65+ in smaller rural areas within {a.threshold_minutes:g} minutes of a "
          "surgery by public transport (%)",
          format_figure(s.get("older_rural_access_pct"), "%").removesuffix(" %"))
st.caption("The table gives every mode (car, public transport, walking at an older "
           "person's pace), age group and kind of area.")
older = result.older_access
shown = older.pivot_table(index=["mode", "group", "area"], columns="threshold_minutes",
                          values="pct_within", sort=False).round(1)
shown.columns = [f"within {t:g} min (%)" for t in shown.columns]
show_table(shown.reset_index())
for w in result.warnings:
    st.caption(w)

if r.warnings:
    with st.expander(f"{len(r.warnings)} note(s) about the region's data"):
        for w in r.warnings:
            st.write("- " + w)
