"""The Options screen's form that builds one change (where, which practice or building, how
much floor area), loading and saving the scenario, and the screen's small formatting helpers."""

from __future__ import annotations

import json
import re
from typing import Any

import streamlit as st

from estates.errors import ScenarioError
from estates.model import Region
from estates.options.apply import check_scenario

CHANGES: dict[str, str] = {
    "add_satellite": "Add a satellite surgery (a branch of a practice)",
    "colocate": "Co-locate a practice in a library or other building",
    "extend": "Extend a surgery",
    "merge": "Merge practices into a hub",
    "close_site": "Close a surgery site",
}
CANDIDATE, MAP_POINT, TYPED, CURRENT = (
    "a candidate building (library...)", "a point picked on the Map screen",
    "an easting and northing", "its current building")


def practice_label(r: Region) -> dict[str, str]:
    """Every site's code -> 'name (code)' for select boxes."""
    return {str(c): f"{n} ({c})" for c, n in zip(r.practices["practice_code"],
                                                  r.practices["site_name"], strict=True)}


def candidate_label(r: Region) -> dict[str, str]:
    c = r.candidates
    return {str(i): f"{row['name']} ({row['kind']}, {row['available_m2']:,.0f} m² free)"
            for i, row in c.iterrows()}


def place_fields(r: Region, key: str, *, current: bool = False) -> dict[str, Any] | None:
    """Where a site goes: a candidate, a point picked on the Map, or typed coordinates.

    Returns the change's place fields ({} for the current building), or None when the choice
    cannot be made yet (no point picked on the Map).
    """
    choices = ([CURRENT] if current else []) + [CANDIDATE, MAP_POINT, TYPED]
    where = st.radio("Where", choices, key=f"{key}_where", horizontal=True)
    if where == CURRENT:
        return {}
    if where == CANDIDATE:
        labels = candidate_label(r)
        if not labels:
            st.caption("This region lists no candidate buildings.")
            return None
        cid = st.selectbox("Building", list(labels), format_func=labels.get,
                           key=f"{key}_candidate")
        return {"candidate_id": cid}
    if where == MAP_POINT:
        points = st.session_state["proposed"]
        if not points:
            st.caption("No point picked yet: on the Map screen choose *places a proposed "
                       "satellite* and click where the site would go.")
            return None
        i = st.selectbox("Point", range(len(points)), key=f"{key}_point",
                         format_func=lambda j: f"{points[j][2]} (easting {points[j][0]:,.0f} "
                                               f"m, northing {points[j][1]:,.0f} m)")
        return {"easting": round(float(points[i][0]), 1),
                "northing": round(float(points[i][1]), 1)}
    c1, c2 = st.columns(2)
    e = c1.number_input("Easting (m, British National Grid)", min_value=0.0,
                        max_value=700000.0, value=float(r.practices.geometry.x.median()),
                        step=100.0, key=f"{key}_e")
    n = c2.number_input("Northing (m, British National Grid)", min_value=0.0,
                        max_value=1300000.0, value=float(r.practices.geometry.y.median()),
                        step=100.0, key=f"{key}_n")
    return {"easting": float(e), "northing": float(n)}


def change_form(r: Region, kind: str) -> dict[str, Any] | None:
    """The widgets for one kind of change; returns the change (None when incomplete)."""
    names = practice_label(r)
    mains = [str(c) for c in r.main_practices["practice_code"]]
    key = f"new_{kind}"
    if kind == "add_satellite":
        parent = st.selectbox("Practice that runs it", mains, format_func=names.get,
                              key=f"{key}_parent")
        place = place_fields(r, key)
        # In a candidate building the area is capped by what it has free (the default is
        # 150 m2 or all of it, whichever is less): the form offers only what fits.
        free = (float(r.candidates.at[place["candidate_id"], "available_m2"])
                if place and "candidate_id" in place else 5000.0)
        gia = st.number_input("Floor area (m², gross internal)", min_value=min(10.0, free),
                              max_value=free, value=min(150.0, free), step=10.0,
                              format="%.0f",
                              key=f"{key}_gia_{(place or {}).get('candidate_id', '')}")
        return None if place is None else {"type": kind, "parent_code": parent, **place,
                                           "gia_m2": float(gia)}
    if kind == "colocate":
        labels = candidate_label(r)
        if not labels:
            st.caption("This region lists no candidate buildings.")
            return None
        practice = st.selectbox("Practice", mains, format_func=names.get, key=f"{key}_practice")
        cid = st.selectbox("Building", list(labels), format_func=labels.get,
                           key=f"{key}_candidate")
        mode = st.radio("How", ["satellite", "move"], horizontal=True, key=f"{key}_mode",
                        format_func={"satellite": "open a satellite there (keep the surgery)",
                                     "move": "move the surgery there"}.get)
        whole = st.checkbox("Use all the floor area the building has free", value=True,
                            key=f"{key}_whole")
        change: dict[str, Any] = {"type": kind, "practice_code": practice,
                                  "candidate_id": cid, "mode": mode}
        if not whole:
            change["gia_m2"] = float(st.number_input(
                "Floor area (m²)", min_value=10.0, max_value=5000.0, value=100.0, step=10.0,
                key=f"{key}_gia"))
        return change
    if kind == "extend":
        practice = st.selectbox("Surgery site", list(names), format_func=names.get,
                                key=f"{key}_practice")
        gia = st.number_input("Floor area added (m²)", min_value=5.0, max_value=5000.0,
                              value=100.0, step=5.0, format="%.0f", key=f"{key}_gia")
        return {"type": kind, "practice_code": practice, "gia_m2": float(gia)}
    if kind == "merge":
        hub = st.selectbox("Hub practice (keeps its code)", mains, format_func=names.get,
                           key=f"{key}_hub")
        joining = st.multiselect("Practices that join it", [c for c in mains if c != hub],
                                 format_func=names.get, key=f"{key}_joining")
        place = place_fields(r, key, current=True)
        gia = st.number_input("Hub floor area (m², total; 0 keeps the hub's current area)",
                              min_value=0.0, max_value=20000.0, value=0.0, step=50.0,
                              format="%.0f", key=f"{key}_gia")
        if not joining or place is None:
            return None
        change = {"type": kind, "hub_code": hub, "practices": joining, **place}
        if gia > 0:
            change["gia_m2"] = float(gia)
        return change
    site = st.selectbox("Site", list(names), format_func=names.get, key=f"{key}_site")
    change = {"type": kind, "practice_code": site}
    if site in mains:
        to = st.selectbox("Its patients register with", ["(the nearest other practice)",
                                                          *[c for c in mains if c != site]],
                          format_func=lambda c: names.get(c, c), key=f"{key}_to")
        if to in names:
            change["list_to"] = to
    return change


def set_scenario(doc: dict[str, Any], r: Region, *, file: str) -> bool:
    """Check ``doc`` against the region and make it the session's scenario; False on error."""
    try:
        check_scenario(json.dumps(doc), r, file=file)
    except ScenarioError as exc:
        st.error(str(exc))
        return False
    st.session_state["scenario"] = doc
    return True


def load_upload(r: Region) -> None:
    """Load the uploaded scenario file once; a bad file shows its ScenarioError each run."""
    upload = st.session_state.get("scenario_upload")
    if upload is None or upload == st.session_state.get("scenario_loaded"):
        return
    try:
        loaded = check_scenario(upload["data"], r, file=upload["name"])
    except ScenarioError as exc:
        st.error(str(exc))
        return
    st.session_state["scenario"] = loaded.to_dict()
    st.session_state["scenario_loaded"] = upload
    st.rerun()


def on_upload() -> None:
    f = st.session_state["scenario_file"]
    st.session_state["scenario_upload"] = (None if f is None else
                                           {"name": f.name, "data": f.getvalue()})


def file_name(name: str) -> str:
    return (re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "option") + ".json"


def change_metric(where: Any, label: str, value: float | None, baseline: float | None,
                  fmt: str, *, unit: str = "", lower_is_better: bool = True,
                  help: str = "") -> None:
    """A metric with its change from the baseline as the delta (green when better).

    A change that rounds to zero in ``fmt`` shows as "no change", with no arrow.
    """
    if value is None:
        where.metric(label, "n/a", help=help)
        return
    change = None if baseline is None else value - baseline
    if change is None or fmt.format(abs(change)) == fmt.format(0):
        where.metric(label, fmt.format(value), delta=None if change is None else "no change",
                     delta_color="off", delta_arrow="off", help=help)
        return
    where.metric(label, fmt.format(value), delta=("+" if change > 0 else "")
                 + fmt.format(change) + unit,
                 delta_color="inverse" if lower_is_better else "normal", help=help)


def money(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.0f}"


