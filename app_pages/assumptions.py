"""Assumptions: every parameter with its value, unit and source; edit, apply or reset."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import assumptions, core_errors
from estates.assumptions import Assumptions
from estates.errors import AssumptionError
from estates.report.figures import format_value, round_sensibly

st.title("Assumptions")
st.write(
    "Every figure the calculations use, with its unit and where it comes from. Figures marked "
    "*assumption* have no authoritative source: replace them with local evidence. Changes apply "
    "to every screen and to the report."
)

with core_errors():
    current = assumptions()
defaults = Assumptions()


def _as_text(value: Any) -> str:
    """The value in its edit box: rounded sensibly (0.0686, not 0.06857142857142857).

    The default and the box are shown alike, so an untouched box is never taken as a change.
    """
    if isinstance(value, tuple):
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, float):
        return f"{round_sensibly(value):g}"
    return str(value)


def _parse(name: str, text: str, default: Any) -> Any:
    """Turn the edited text back into a value; the core validates it (ranges, sums, kinds)."""
    text = text.strip()
    if isinstance(default, tuple):
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _value(name: str, given: Any) -> Any:
    """An override as the assumptions object holds it (for the confirmation)."""
    try:
        return getattr(Assumptions().with_overrides({name: given}, file="Assumptions page"),
                       name)
    except AssumptionError:
        return given


groups: dict[str, list[dict[str, Any]]] = {}
for row in current.describe():
    groups.setdefault(row["group"] or "Other", []).append(row)

if st.session_state.get("assumptions_message"):
    # Kept in the session so it stays on screen until the next change.
    st.success(st.session_state["assumptions_message"])

with st.form("assumptions"):
    applied_top = st.form_submit_button("Apply changes", type="primary", key="apply_top")
    edited: dict[str, str] = {}
    for group, rows in groups.items():
        st.subheader(group)
        for row in rows:
            meta = current.meta(row["name"])
            label = f"{row['label']} ({row['unit']})"
            help_text = f"Source: {row['source']}. Default: {_as_text(getattr(defaults, row['name']))}."
            if meta["kind"].startswith("choice:"):
                choices = meta["kind"].split(":", 1)[1].split(",")
                edited[row["name"]] = st.selectbox(label, choices, index=choices.index(row["value"]),
                                                   help=help_text, key=f"a_{row['name']}")
            else:
                edited[row["name"]] = st.text_input(label, value=_as_text(row["value"]),
                                                    help=help_text, key=f"a_{row['name']}")
            st.caption(f"Source: {row['source']}")
    applied_bottom = st.form_submit_button("Apply changes", type="primary", key="apply_bottom")

if applied_top or applied_bottom:
    overrides = {}
    for name, text in edited.items():
        default = getattr(defaults, name)
        if _as_text(default) != str(text).strip():
            overrides[name] = _parse(name, str(text), default)
    try:
        Assumptions().with_overrides(overrides, file="Assumptions page")
    except AssumptionError as exc:
        st.error(str(exc))
    else:
        st.session_state["overrides"] = overrides
        changed = [f"{current.meta(n)['label']} {format_value(_value(n, v), current.meta(n)['unit'])}"
                   for n, v in overrides.items()]
        st.session_state["assumptions_message"] = (
            f"Applied: {len(overrides)} assumption(s) differ from the defaults"
            + (": " + "; ".join(changed) if changed else "") + ". Every screen and the "
            "report now use them.")
        st.rerun()

if st.button("Reset every assumption to its default", disabled=not st.session_state["overrides"]):
    st.session_state["overrides"] = {}
    st.session_state["assumptions_message"] = "Every assumption is back to its default."
    for name in Assumptions.names():
        st.session_state.pop(f"a_{name}", None)
    st.rerun()

st.subheader("In force")
table = pd.DataFrame(
    [{"assumption": r["label"], "value": format_value(r["value"], r["unit"]),
      "changed": r["name"] in st.session_state["overrides"], "source": r["source"]}
     for r in current.describe()]
)
st.dataframe(table, hide_index=True, width="stretch")
