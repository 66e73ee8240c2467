"""Centralisation: which k of N sites should keep a service, ranked by a stated rule, with the
older and rural impact, a map of minutes to the nearest kept site, and named options compared."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import APP_DIR, assumptions, core_errors, overrides_key, region
from estates.options.centralise import (
    Centralisation,
    RankRule,
    centralise,
    default_rule,
    describe_column,
    read_sites,
    read_zones,
)
from estates.report.centralise import (
    build_centralise_report,
    centralise_map_html,
    configurations,
    impact_words,
    table_columns,
)

EXAMPLE_FOLDER = APP_DIR / "data" / "kent_stroke"
EXAMPLE = "Kent and Medway stroke example (seven hospitals, synthetic residents)"
OWN = "This region's residents, with my sites (upload a CSV)"


@st.cache_resource(show_spinner="Reading the zones...")
def _example_zones(folder: str) -> Any:
    return read_zones(folder)


@st.cache_data(show_spinner="Scoring every combination...", max_entries=4)
def _run(source: str, data: bytes, name: str, k: int, keep: tuple[str, ...],
         close: tuple[str, ...], options_json: str, rule: str, overrides: str) -> Centralisation:
    zones = _example_zones(str(EXAMPLE_FOLDER)) if source == EXAMPLE else region().zones
    return centralise(zones, read_sites(data, name=name), k, must_keep=keep, must_close=close,
                      options=json.loads(options_json), rule=RankRule.parse(rule),
                      assumptions=assumptions())


st.title("Centralisation")
st.write("Which of the sites should keep a service (a hyper-acute stroke unit, or the hubs of a "
         "GP merger)? Every combination is scored on how many residents, and how many older "
         "residents, stay within each travel-time threshold, in towns and in the countryside, "
         "and ranked by the rule you can read and change below.")

source = st.radio("Sites and residents", [EXAMPLE, OWN], key="central_source")
options: dict[str, list[str]] = {}
if source == EXAMPLE:
    data = (EXAMPLE_FOLDER / "sites.csv").read_bytes()
    name = "sites.csv"
    table = pd.read_csv(EXAMPLE_FOLDER / "options.csv", dtype=str)
    options = {str(r.option): str(r.sites).split() for r in table.itertuples()}
    st.info("The residents in this example are synthetic (invented around real town "
            "positions); the hospital sites are real. Not for decisions.")
else:
    upload = st.file_uploader("Candidate sites (CSV: site_id, name, easting/northing or "
                              "lat/lon, optional capacity)", type=["csv"])
    if upload is not None:
        st.session_state["central_sites"] = {"name": upload.name, "data": upload.getvalue()}
    held = st.session_state.get("central_sites")
    if held is None:
        st.info("Upload the candidate sites to score them against this region's residents.")
        st.stop()
    data, name = held["data"], held["name"]

with core_errors():
    sites = read_sites(data, name=name)
    a = assumptions()
ids = list(sites.index)
left, middle, right = st.columns(3)
k = int(left.number_input("Sites that keep the service", min_value=1, max_value=len(ids),
                          value=min(3, len(ids)), key="central_k"))
keep = middle.multiselect("Must keep", ids, key="central_keep",
                          format_func=lambda i: f"{i}: {sites.at[i, 'name']}")
close = right.multiselect("Must close", [i for i in ids if i not in keep], key="central_close",
                          format_func=lambda i: f"{i}: {sites.at[i, 'name']}")
rule_text = st.text_input("Ranking rule (COLUMN:max or :min, in turn)",
                          value=default_rule(a.centralise_thresholds_minutes).text(),
                          key="central_rule")
with core_errors():
    result = _run(source, data, name, k, tuple(keep), tuple(close), json.dumps(options),
                  rule_text, overrides_key())
st.caption(f"Ranking: {result.rule.describe()} Thresholds "
           f"{', '.join(f'{t:g}' for t in result.instance.thresholds)} minutes and the "
           f"emergency factor are set on the Assumptions screen. {result.method} scored.")
for note in result.notes:
    st.warning(note)

st.subheader("Ranked combinations")
cols = table_columns(result)
shown = result.table[["rank", "option", "site_names", *cols]].rename(
    columns={c: describe_column(c) for c in cols})
st.dataframe(shown, hide_index=True, width="stretch")

st.subheader("Compare options side by side")
labels = {label: key for label, key in configurations(result)}
ranked_keys = {f"Rank {int(r['rank'])}: {r['site_names']}": str(r["sites"])
               for _, r in result.ranked.head(10).iterrows()}
labels.update(ranked_keys)
picked = st.multiselect("Options", list(labels), default=list(labels)[:min(4, len(labels))],
                        key="central_compare")
if picked:
    compare = pd.DataFrame({p: result.table[result.table["sites"] == labels[p]].iloc[0][cols]
                            for p in picked})
    compare.index = [describe_column(c) for c in compare.index]
    st.dataframe(compare, width="stretch")
    for p in picked:
        st.markdown(f"**{p}.** " + impact_words(
            result, result.table[result.table["sites"] == labels[p]].iloc[0]))

st.subheader("Map: minutes to the nearest kept site")
extra = [labels[p] for p in picked if labels[p] not in {k for _, k in configurations(result)}]
zones = _example_zones(str(EXAMPLE_FOLDER)) if source == EXAMPLE else region().zones
with core_errors():
    page = centralise_map_html(result, zones, sites, extra=extra, tiles=None)
st.iframe(page, height=560)
report = build_centralise_report(result, title=f"Centralisation: keep {k} of {len(ids)} sites",
                                 map_page=page, synthetic=source == EXAMPLE,
                                 region=EXAMPLE if source == EXAMPLE else region().name)
st.download_button("Download the report (HTML)", data=report.encode("utf-8"),
                   file_name="centralise_report.html", mime="text/html", type="primary")
st.download_button("Download the table (CSV)",
                   data=result.table.to_csv(index=False).encode("utf-8"),
                   file_name="centralise.csv", mime="text/csv")
