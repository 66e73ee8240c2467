"""Housing sites: upload a register or trajectory, see what was accepted and why not, correct."""

from __future__ import annotations

import importlib.util

import pandas as pd
import streamlit as st

from app_pages.common import (
    add_sites,
    apply_housing_edits,
    assumptions,
    core_errors,
    read_housing,
    region,
    region_boundary,
    region_extent,
    synthetic_note,
)
from estates.model import HOUSING_TYPE_LABELS, HOUSING_TYPES

st.title("Housing sites")
st.write(
    "Upload the council's housing sites: a Brownfield Land Register, a housing trajectory, or "
    "the project's template (CSV or Excel). Every row is either accepted or listed with the "
    "reason it was rejected. Accepted sites are used on every other screen."
)
with core_errors():
    r = region()
    a = assumptions()
synthetic_note(r)

if importlib.util.find_spec("estates.io.housing") is None:
    st.warning("The housing-site reader (estates.io.housing) is not part of this build yet; "
               "the region's own housing sites are used.")
    st.stop()

from estates.io import housing as housing_io  # noqa: E402  (after the availability check)

template = getattr(housing_io, "template_csv", None)
if callable(template):
    st.download_button("Download the template (CSV)", data=template(),
                       file_name="housing_sites_template.csv", mime="text/csv")

upload = st.file_uploader("Housing sites file", type=["csv", "xlsx"], key="housing_file")
if upload is not None:
    data = upload.getvalue()
    current = st.session_state["housing_upload"]
    if current is None or current["data"] != data or current["name"] != upload.name:
        st.session_state["housing_upload"] = {"name": upload.name, "data": data,
                                              "mode": "replace"}
        st.session_state["housing_edits"] = {}

chosen = st.session_state["housing_upload"]
if chosen is None:
    st.info(f"Using the housing sites that come with {r.name} "
            f"({len(r.growth.sites)} sites). Upload a file to replace them.")
    st.stop()

if st.button("Go back to the region's own housing sites"):
    st.session_state["housing_upload"] = None
    st.session_state["housing_edits"] = {}
    st.rerun()

MODES = {"replace": f"replace the region's sites ({len(r.growth.sites)})",
         "add": "add to them"}
mode = st.radio("Use the uploaded sites to", list(MODES), format_func=MODES.__getitem__,
                index=0 if chosen.get("mode", "replace") == "replace" else 1, horizontal=True,
                key="housing_mode")
if mode != chosen.get("mode", "replace"):
    st.session_state["housing_upload"] = {**chosen, "mode": mode}
    st.rerun()

folder = st.session_state["region_folder"]
with core_errors():
    imported = read_housing(chosen["data"], chosen["name"], a.base_year, region_extent(folder))
    imported = housing_io.flag_outside(imported, region_boundary(folder))
if mode == "add":
    combined, clash = add_sites(r.growth, apply_housing_edits(imported, {}))
    st.caption(f"{len(r.growth.sites)} of the region's own sites plus "
               f"{len(imported.accepted) - len(clash)} uploaded: {len(combined.sites)} in all.")
    if clash:
        st.warning(f"{len(clash)} uploaded site(s) share a reference with one of the region's "
                   f"own and are left out (the region's is kept): {', '.join(clash[:20])}")

accepted, rejected = imported.accepted, imported.rejected
c1, c2, c3 = st.columns(3)
c1.metric("Rows read", f"{imported.rows_read:,}")
c2.metric("Accepted", f"{len(accepted):,}")
c3.metric("Rejected", f"{len(rejected):,}")
st.caption(f"{chosen['name']}: every row is accounted for "
           f"({imported.rows_read} = {len(accepted)} accepted + {len(rejected)} rejected).")

if imported.warnings:
    with st.expander(f"{len(imported.warnings)} warning(s)", expanded=True):
        for w in imported.warnings:
            st.write("- " + w)
if len(rejected):
    st.subheader("Rejected rows")
    st.dataframe(rejected, hide_index=True, width="stretch")

if len(accepted):
    st.subheader("Accepted sites: correct the housing type or phasing")
    outside = accepted.loc[~accepted["in_region"], "site_ref"].astype(str).tolist()
    if outside:
        st.warning(f"{len(outside)} site(s) lie outside the region (marked 'outside' in the "
                   "table below); their new residents go to the nearest surgeries within "
                   "reach, or are not counted if none is: " + ", ".join(outside[:20])
                   + (" ..." if len(outside) > 20 else ""))
    edits = st.session_state["housing_edits"]
    trajectory = imported.trajectory
    first = trajectory.apply(lambda row: next((int(y) for y, v in row.items() if v > 0), None),
                             axis=1) if len(trajectory.columns) else pd.Series(dtype=float)
    table = pd.DataFrame({
        "site_ref": accepted["site_ref"].to_numpy(),
        "row": accepted["row"].to_numpy(),
        "name": accepted["name"].to_numpy(),
        "in region": ["yes" if inside else "outside" for inside in accepted["in_region"]],
        "dwellings": accepted["dwellings"].to_numpy(),
        "dwellings from": accepted["dwellings_source"].to_numpy(),
        "housing_type": [edits.get(ref, {}).get("housing_type", t)
                         for ref, t in zip(accepted["site_ref"], accepted["housing_type"],
                                           strict=True)],
        "type guessed": accepted["housing_type_inferred"].to_numpy(),
        "phasing": accepted["phasing"].to_numpy(),
        "start_year": [edits.get(ref, {}).get("start_year", first.get(ref))
                       for ref in accepted["site_ref"]],
        "build_rate": [edits.get(ref, {}).get("build_rate") for ref in accepted["site_ref"]],
    })
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key="housing_editor",
        disabled=["site_ref", "row", "name", "in region", "dwellings", "dwellings from",
                  "type guessed", "phasing"],
        column_config={
            "housing_type": st.column_config.SelectboxColumn(
                "housing type", options=list(HOUSING_TYPES), required=True,
                help="; ".join(f"{k}: {v}" for k, v in HOUSING_TYPE_LABELS.items())),
            "start_year": st.column_config.NumberColumn(
                "first completions (year starting)", min_value=2000, max_value=2100, step=1,
                format="%d"),
            "build_rate": st.column_config.NumberColumn(
                "build rate (dwellings per year)", min_value=1, step=1,
                help="Set with a start year to replace the site's trajectory by an even "
                     "build-out."),
            "dwellings": st.column_config.NumberColumn("dwellings (homes; beds for care homes)"),
        },
    )
    new_edits: dict[str, dict[str, object]] = {}
    for before, after in zip(table.to_dict("records"), edited.to_dict("records"), strict=True):
        change: dict[str, object] = {}
        original_type = accepted.loc[before["site_ref"], "housing_type"]
        if after["housing_type"] != original_type:
            change["housing_type"] = after["housing_type"]
        if pd.notna(after["build_rate"]) and pd.notna(after["start_year"]):
            change["start_year"] = int(after["start_year"])
            change["build_rate"] = float(after["build_rate"])
        if change:
            new_edits[str(before["site_ref"])] = change
    if new_edits != edits:
        st.session_state["housing_edits"] = new_edits
        st.rerun()
