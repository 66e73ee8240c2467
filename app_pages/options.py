"""Options: build a scenario of changes to surgeries, set it beside the baseline, run the site
finder and the options appraisal.

The scenario lives in ``st.session_state["scenario"]`` as its JSON document, so it survives
moving between screens, reaches the Report screen, and saves and loads as the same JSON file
the CLI reads (``estates run --scenario``). Every change is checked by
``estates.options.apply.check_scenario`` before it is added: a change that does not fit the region
is shown as the ScenarioError's message (change index and field), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import (
    core_errors,
    empty_scenario,
    evaluation,
    growth,
    region,
    scenario_doc,
    serve_leaflet,
    show_table,
    synthetic_note,
)
from app_pages.option_form import (
    CHANGES,
    change_form,
    change_metric,
    file_name,
    load_upload,
    money,
    on_upload,
    practice_label,
    set_scenario,
)
from app_pages.option_state import appraisal, option, site_choice
from estates.options.apply import read_checked_scenario
from estates.options.appraisal import APPRAISAL_RULE, NEW_SITE_RULE, further_flag
from estates.report.figures import format_figure, format_value
from estates.report.layers import BASEMAPS, SHADINGS
from estates.report.map import build_map
from estates.report.wording import describe_changes

# ------------------------------------------------------------------------------ the page

st.title("Options")
st.write(
    "Build an option (new satellites, co-location in a library, extensions, a hub, closures) "
    "and see what it changes against doing nothing: deficits, older and rural people's "
    "access and capital cost. The option is kept while you move between screens and goes "
    "into the report."
)
with core_errors():
    r = region()
    g = growth()
    base = evaluation()
synthetic_note(r)
if "scenario_upload" not in st.session_state:
    st.session_state["scenario_upload"] = None
load_upload(r)
doc = scenario_doc()

st.header("1. Build the option")
left, right = st.columns([3, 2], gap="large")
with left:
    kind = st.selectbox("Add a change", list(CHANGES), format_func=CHANGES.get,
                        key="change_kind")
    change = change_form(r, kind)
    if st.button("Add to the option", type="primary", disabled=change is None):
        assert change is not None
        if set_scenario({**doc, "changes": [*doc["changes"], change]}, r,
                        file=f"change {len(doc['changes']) + 1}"):
            st.rerun()

with right:
    name = st.text_input("Option name", value=doc["name"], max_chars=200)
    description = st.text_area("Description (optional)", value=doc["description"],
                               max_chars=2000, height=80)
    if (name.strip() and name != doc["name"]) or description != doc["description"]:
        st.session_state["scenario"] = {**doc, "name": name.strip() or doc["name"],
                                        "description": description}
        st.rerun()
    with core_errors():
        chosen = option()
    scenario = chosen.scenario
    st.download_button("Save the option (JSON)", data=scenario.to_json().encode("utf-8"),
                       file_name=file_name(scenario.name), mime="application/json",
                       help="The same file loads here again, and the CLI runs it with "
                            "`estates run --scenario FILE`.")
    st.file_uploader("Load an option (JSON)", type=["json"], key="scenario_file",
                     on_change=on_upload)
    examples = sorted((Path(r.folder) / "scenarios").glob("*.json")) if r.folder else []
    if examples:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        example = c1.selectbox("Or start from an example", examples, format_func=lambda p: p.stem)
        if c2.button("Load"):
            with core_errors():
                st.session_state["scenario"] = read_checked_scenario(example, r).to_dict()
            st.rerun()

costs = chosen.comparison.costs
if doc["changes"]:
    st.subheader(f"Changes in \u201c{scenario.name}\u201d")
    described = describe_changes(scenario.changes, r, sites=g.sites, costs=costs)
    show_table(pd.DataFrame({
        "#": costs["change"] + 1,
        "change": [described[int(i)] if 0 <= int(i) < len(described) else w
                   for i, w in zip(costs["change"], costs["what"], strict=True)],
        "floor area (m²)": costs["m2"].round(0),
        "cost basis": costs["basis"],
        "rate (£ per m²)": costs["rate_gbp_per_m2"].round(0),
        "capital cost (£)": costs["cost_gbp"].round(0),
    }))
    if scenario.assumptions:
        st.caption("The option also changes these assumptions: " + "; ".join(
            f"{base.assumptions.meta(k)['label'].lower()} "
            f"{format_value(v, base.assumptions.meta(k)['unit'])}"
            if k in base.assumptions.names() else f"{k} {v}"
            for k, v in scenario.assumptions.items()))
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    drop = c1.selectbox("Change", range(len(doc["changes"])), format_func=lambda i: f"#{i + 1}",
                        key="drop_change")
    if c2.button("Remove this change"):
        if set_scenario({**doc, "changes": [c for i, c in enumerate(doc["changes"])
                                            if i != drop]}, r, file="the option"):
            st.rerun()
    if c3.button("Start again"):
        st.session_state["scenario"] = empty_scenario()
        st.rerun()

st.header("2. Against the baseline")
if not doc["changes"]:
    st.info("Add a change above (or load an option) to see its effect against doing nothing.")
else:
    s = chosen.comparison.summary
    horizon = format_figure(s["horizon_year"], "year")
    t = chosen.result.assumptions.threshold_minutes
    rural_b = s.get(f"pct_65_within_{t:g}min_car_smaller_rural_base")
    rural_o = s.get(f"pct_65_within_{t:g}min_car_smaller_rural_option")
    row1 = st.columns(4)
    change_metric(row1[0], f"Practices in deficit by {horizon}",
                  s["practices_in_deficit_option"], s["practices_in_deficit_base"], "{:,.0f}",
                  help=f"Baseline: {s['practices_in_deficit_base']} practices.")
    change_metric(row1[1], "Sum of local deficits (patients)", s["deficit_total_option"],
                  s["deficit_total_base"], "{:,.0f}",
                  help=f"Patients over capacity in the practices in deficit at {horizon}. "
                       f"Baseline: {s['deficit_total_base']:,.0f}.")
    row1[2].metric("Deficit resolved (patients)", f"{s['deficit_resolved']:,.0f}",
                   help="Baseline sum of local deficits minus the option's, at the horizon.")
    change_metric(row1[3], "Unmet demand (patients)", s["unmet_demand_option"],
                  s["unmet_demand_base"], "{:,.0f}",
                  help=f"Demand no surgery with room can serve within {t:g} minutes "
                       "(capacity in the wrong place). Baseline: "
                       f"{format_figure(s['unmet_demand_base'], '')}.")
    row2 = st.columns(4)
    row2[0].metric("Capital cost (£)", money(s["capital_cost_gbp"]),
                   help=f"{s['m2_added']:,.0f} m² built or fitted out (see the changes).")
    row2[1].metric("Cost per deficit patient resolved (£)",
                   money(s["cost_per_deficit_patient_gbp"]),
                   help=f"Capital cost over the {s['deficit_resolved']:,.0f} patients of "
                        "practice deficit the option resolves at the horizon.")
    change_metric(row2[2], "Older rural access by car (%)", rural_o, rural_b, "{:.1f}",
                  unit=" % points", lower_is_better=False,
                  help=f"People aged 65+ in smaller rural areas within {t:g} minutes of a "
                       "surgery by car. Baseline: "
                       + ("n/a" if rural_b is None else f"{rural_b:.1f} %."))
    change_metric(row2[3], "Aged 65+: mean minutes to a GP", s["older_65_mean_minutes_option"],
                  s["older_65_mean_minutes_base"], "{:.2f}", unit=" min",
                  help=f"Mean travel time from home to the nearest surgery over people aged "
                       f"65+. Baseline: {s['older_65_mean_minutes_base']:.2f} minutes; "
                       f"{s['zones_nearer']} zones nearer, {s['zones_further']} further.")

    if chosen.comparison.new_sites:
        st.subheader("Would the new sites be used?")
        for entry in chosen.comparison.new_sites:
            (st.success if entry["verdict"] == "well used" else st.warning)(entry["answer"])
        st.caption(NEW_SITE_RULE)
    further = further_flag(s)
    if further:
        st.warning(f"This option {further}.")

    prac = chosen.comparison.practices
    moved = prac[(prac["deficit_resolved"].abs() > 0.5)
                 | (prac["capacity_option"] - prac["capacity_base"]).abs().gt(0.5)
                 | ~prac["in_option"]]
    st.subheader("Practices the option changes")
    show_table(pd.DataFrame({
        "practice": moved["site_name"], "code": moved.index,
        "capacity before (patients)": moved["capacity_base"].round(0),
        "capacity after (patients)": moved["capacity_option"].round(0),
        f"headroom {horizon} before (patients)": moved["headroom_base"].round(0),
        f"headroom {horizon} after (patients)": moved["headroom_option"].round(0),
        "deficit resolved (patients)": moved["deficit_resolved"].round(0),
        "still a practice": moved["in_option"],
    }))

    acc = chosen.comparison.access
    acc = acc[acc["change_pct_points"].fillna(0).abs() > 1e-9]
    if len(acc):
        with st.expander(f"Older people's access: {len(acc)} figure(s) change"):
            show_table(pd.DataFrame({
                "mode": acc["mode"].str.replace("_", " "),
                "within (minutes)": acc["threshold_minutes"], "age": acc["group"],
                "area": acc["rural_class"], "before (%)": acc["pct_within_base"].round(1),
                "after (%)": acc["pct_within_option"].round(1),
                "change (% points)": acc["change_pct_points"].round(1)}))

    st.subheader("Maps: baseline and option")
    tiles = BASEMAPS[st.session_state["basemap"]]
    shade = st.session_state.get("shade_by", "utilisation_pct_horizon")
    shading = SHADINGS[shade]
    named = {"#4575b4": "blue", "#fee090": "yellow", "#fc8d59": "orange", "#d73027": "red"}
    key = "; ".join(f"{named.get(colour, colour)} {label}" for colour, label in zip(
        shading.colours, shading.class_labels, strict=True))
    st.caption(f"Catchments shaded by {shading.label.lower()} ({key}). Navy dots are main "
               "surgeries, grey dots branches; on the option's map white rings mark new or "
               "moved sites and grey dashed rings sites that close. Click a catchment for its "
               "figures.")
    base_codes = set(r.practices["practice_code"])
    after = chosen.region.practices
    new_xy = [(float(p.x), float(p.y), f"{name} ({code})") for code, name, p in
              zip(after["practice_code"], after["site_name"], after.geometry, strict=True)
              if code not in base_codes
              or not p.equals(r.practices.geometry[r.practices["practice_code"] == code].iloc[0])]
    gone = r.practices[~r.practices["practice_code"].isin(set(after["practice_code"]))]
    closed_xy = [(float(p.x), float(p.y), f"{name} ({code})") for code, name, p in
                 zip(gone["practice_code"], gone["site_name"], gone.geometry, strict=True)]
    # Both maps open on the sites the option adds, moves or closes (for an extension: the
    # extended practice), not on the whole region.
    focus = [(x, y) for x, y, _ in (*new_xy, *closed_xy)]
    if not focus:
        grown = set(prac.index[(prac["capacity_option"] - prac["capacity_base"]).abs() > 0.5])
        focus = [(float(pt.x), float(pt.y)) for code, pt in
                 zip(after["practice_code"], after.geometry, strict=True) if code in grown]
    m1, m2 = st.columns(2)
    with core_errors(), st.spinner("Drawing the maps..."):
        with m1:
            st.markdown("**Baseline (do nothing)**")
            st_folium(build_map(r, practices=base.practices, growth=g, shade_by=shade,
                                tiles=tiles, show_zones=False, legend=False, focus=focus,
                                leaflet_url=serve_leaflet()),
                      key="options_base_map", height=440, use_container_width=True,
                      returned_objects=[])
        with m2:
            st.markdown(f"**With \u201c{scenario.name}\u201d**")
            st_folium(build_map(chosen.region, practices=chosen.result.practices, growth=g,
                                shade_by=shade, tiles=tiles, proposed=new_xy, closed=closed_xy,
                                show_zones=False, legend=False, focus=focus,
                                leaflet_url=serve_leaflet()),
                      key="options_new_map", height=440, use_container_width=True,
                      returned_objects=[])

st.header("3. Site finder")
st.write("Chooses up to *k* new satellite sites, and their sizes, that let the most of the "
         f"horizon's demand be served within {base.assumptions.threshold_minutes:g} minutes "
         "(an exact optimisation; a fast heuristic on very large problems).")
f1, f2, f3 = st.columns(3)
k = int(f1.number_input("New sites (k)", min_value=1, max_value=10, value=2, step=1))
budget = f2.number_input("Budget (£, 0 for no limit)", min_value=0.0, value=0.0, step=100000.0,
                         format="%.0f")
where = f3.selectbox("Places to consider", ["candidate buildings",
                                            "candidate buildings and a 2 km grid of new builds"])
if st.button("Find sites"):
    st.session_state["site_finder"] = {"k": k, "budget_gbp": budget or None,
                                       "grid_m": 2000.0 if "grid" in where else None}
params = st.session_state["site_finder"]
if params is not None:
    with core_errors(), st.spinner("Finding sites..."):
        found = site_choice(params["k"], params["budget_gbp"], params["grid_m"])
    budget_text = ("no budget limit" if params["budget_gbp"] is None
                   else f"budget £{params['budget_gbp']:,.0f}")
    st.caption(f"Last search: up to {params['k']} site(s), {budget_text}"
               + (", with a 2 km grid" if params["grid_m"] else "") + ".")
    c1, c2 = st.columns(2)
    c1.metric("Unmet demand within reach, today's sites (patients)",
              f"{found.unmet_before:,.0f}")
    c2.metric("With the chosen sites (patients)", f"{found.unmet_after:,.0f}",
              delta=f"{found.unmet_after - found.unmet_before:+,.0f}", delta_color="inverse")
    names = practice_label(r)
    ch = found.chosen
    if len(ch):
        show_table(pd.DataFrame({
            "place": ch["name"], "kind": ch["kind"], "floor area (m²)": ch["size_m2"].round(0),
            "capacity (patients)": ch["capacity"].round(0),
            "capital cost (£)": ch["cost_gbp"].round(0),
            "satellite of": [names.get(c, c) for c in ch["parent_code"]]}))
        if st.button("Add these sites to the option"):
            extra = [dict(c) for c in found.to_scenario().changes]
            if set_scenario({**doc, "changes": [*doc["changes"], *extra]}, r,
                            file="the site finder's choice"):
                st.rerun()
    else:
        st.write("No new site serves more demand within reach than today's sites.")
    for note in found.notes:
        st.caption(note)

st.header("4. Options appraisal")
st.write("Sets standard options side by side (do nothing, extend in place, a library "
         "satellite, a satellite beside the largest retirement site, a hub, the site finder's "
         "choice) and your option, each scored against fixed reference points on deficit "
         "resolved, older people's access and cost per deficit patient resolved.")
if st.button("Run the appraisal"):
    st.session_state["appraisal_k"] = k
if st.session_state["appraisal_k"] is not None:
    with core_errors(), st.spinner("Appraising the options..."):
        done = appraisal(k=st.session_state["appraisal_k"])
    t = done.table
    show_table(pd.DataFrame({
        "rank": t["rank"], "option": t["option"],
        "deficit resolved (patients)": t["deficit_resolved"].round(0),
        "practices still in deficit": t["practices_in_deficit"],
        "unmet demand reduced (patients)": t["unmet_demand_reduced"].round(0),
        "aged 65+ within reach (change, % points)": t["older_access_change_pp"].round(1),
        "older rural access by car (change, % points)": t["older_rural_change_pp"].round(1),
        "floor area (m²)": t["m2_added"].round(0),
        "capital cost (£)": t["capital_cost_gbp"].round(0),
        "cost per deficit patient resolved (£)":
            t["cost_per_deficit_patient_gbp"].astype(float).round(0),
        "score (0-100)": t["score"].round(1),
        "people further from a surgery": t["people_further"].round(0),
        "new sites": t["new_sites"],
    }))
    weights = ", ".join(f"{name} {w:.0%}" for name, w in done.weights.items())
    st.caption(APPRAISAL_RULE.format(weights=weights))
    for _, row in t[t["flag"] != ""].iterrows():
        st.warning(f"{row['option']}: {row['flag']}.")
    with st.expander("What each option is"):
        for _, row in t.iterrows():
            st.markdown(f"**{row['option']}**: {row['description']}")

