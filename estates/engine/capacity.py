"""How many patients each surgery site and each practice can serve.

Two premises methods (METHODS.md section 1): floor space (``gia_m2 / m2_per_patient``) and
clinical rooms (room throughput); where GP FTE is known, workforce capacity too, and the binding
constraint is named. Branch sites add to their parent practice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from estates.assumptions import Assumptions


def main_code(practices: pd.DataFrame) -> pd.Series:
    """The main practice each site belongs to (itself for a main site), on the sites' index."""
    is_branch = practices["site_kind"] == "branch"
    return practices["practice_code"].where(~is_branch, practices["parent_code"]).rename("main_code")


def site_capacity(practices: pd.DataFrame, assumptions: Assumptions) -> pd.DataFrame:
    """Premises capacity of each site, in patients, by both methods.

    Returns a frame on the sites' index with ``space_capacity``, ``room_capacity`` and
    ``premises_capacity`` (the one ``assumptions.capacity_method`` chooses).
    """
    a = assumptions
    # gia_m2 is gross: a net standard is grossed up first, so like is compared with like.
    space = practices["gia_m2"].astype(float) / a.gross_m2_per_patient
    rooms = practices["clinical_rooms"].astype(float) * a.patients_per_room
    chosen = space if a.capacity_method == "space" else rooms
    return pd.DataFrame(
        {
            "main_code": main_code(practices),
            "space_capacity": space,
            "room_capacity": rooms,
            "premises_capacity": chosen,
        },
        index=practices.index,
    )


def practice_capacity(practices: pd.DataFrame, assumptions: Assumptions) -> pd.DataFrame:
    """Capacity of each main practice (its branch sites added), in patients.

    A practice any of whose sites lacks floor area (or rooms, for the rooms method) has
    NaN capacity: unknown, never invented. Columns: ``sites``, ``gia_m2``, ``clinical_rooms``,
    ``gp_fte``, ``space_capacity``,
    ``room_capacity``, ``premises_capacity``, ``workforce_capacity`` (NaN where GP FTE is not
    known), ``gp_fte_known``, ``effective_capacity`` (the lower of premises and workforce; premises
    where GP FTE is not known), ``binding_constraint`` and ``capacity`` (on the basis
    ``assumptions.capacity_basis`` chooses, premises where GP FTE is not known: the figure
    headroom is measured against).
    """
    a = assumptions
    sites = site_capacity(practices, a)
    frame = pd.concat(
        [sites, practices[["gia_m2", "clinical_rooms"]].astype(float)], axis=1
    ).groupby("main_code", sort=False)
    cols = ["gia_m2", "clinical_rooms", "space_capacity", "room_capacity", "premises_capacity"]
    # A practice with any site of unknown floor area or rooms has unknown capacity (NaN):
    # adding up only the known sites would understate it without a word.
    out = frame[cols].sum().where(frame[cols].count() == frame.size().to_numpy()[:, None])
    out.insert(0, "sites", frame.size())
    mains = practices[practices["site_kind"] == "main"]
    out = out.reindex(mains.index)
    out["sites"] = out["sites"].fillna(1).astype(int)
    fte = mains["gp_fte"].astype(float) if "gp_fte" in mains else pd.Series(np.nan, index=mains.index)
    out["gp_fte"] = fte
    out["workforce_capacity"] = fte * a.people_per_gp_fte
    out["gp_fte_known"] = fte.notna() & (fte > 0)
    # A practice without GP FTE has an unknown, not a zero, workforce: its workforce capacity
    # stays NaN, and its effective capacity is its premises capacity (the only limit known).
    out.loc[~out["gp_fte_known"], "workforce_capacity"] = np.nan
    premises_label = "floor space" if a.capacity_method == "space" else "clinical rooms"
    workforce_binds = out["workforce_capacity"] < out["premises_capacity"]
    out["effective_capacity"] = out["premises_capacity"].where(
        ~workforce_binds, out["workforce_capacity"]
    )
    out["binding_constraint"] = np.where(
        out["premises_capacity"].isna(), f"unknown (no {premises_label} given)",
        np.where(workforce_binds, "GP workforce", premises_label))
    # Two methods of one building: flag where they tell different stories (issue 11 item 2).
    out["methods_difference_pct"] = 100.0 * (
        out["room_capacity"] / out["space_capacity"].where(out["space_capacity"] > 0) - 1.0)
    out["methods_disagree"] = out["methods_difference_pct"].abs() > a.methods_tolerance_pct
    out["capacity"] = out[f"{BASIS_COLUMN[a.capacity_basis]}"].where(
        out[BASIS_COLUMN[a.capacity_basis]].notna(), out["premises_capacity"])
    out.index.name = None
    return out


#: The capacity column of each basis (``Assumptions.capacity_basis``).
BASIS_COLUMN = {"premises": "premises_capacity", "workforce": "workforce_capacity",
                "effective": "effective_capacity"}


def site_capacity_on_basis(practices: pd.DataFrame, pcap: pd.DataFrame,
                           assumptions: Assumptions) -> pd.Series:
    """Capacity of each surgery site on the chosen basis, for the flow between zones and sites.

    A practice's GPs work across its sites, so its capacity on the workforce or effective basis
    is shared among its sites in proportion to their premises capacity (a site with no premises
    capacity gets none).
    """
    sites = site_capacity(practices, assumptions)
    premises = sites["premises_capacity"]
    if assumptions.capacity_basis == "premises":
        return premises
    ratio = (pcap["capacity"] / pcap["premises_capacity"]).replace([np.inf, -np.inf], np.nan)
    factor = sites["main_code"].map(ratio).fillna(1.0)
    return (premises * factor).rename("capacity")


def headroom_by_basis(pcap: pd.DataFrame, demand: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Headroom (practices x years) against premises, workforce and effective capacity.

    Workforce headroom is NaN for a practice whose GP FTE is not known.
    """
    return {basis: demand.rsub(pcap[col], axis=0) for basis, col in BASIS_COLUMN.items()}


def tipping_year(headroom: pd.DataFrame) -> pd.Series:
    """The first year each practice's headroom turns negative (missing if it never does)."""
    deficit = headroom.to_numpy() < 0
    first = np.where(deficit.any(axis=1), deficit.argmax(axis=1), -1)
    return pd.Series(pd.array([headroom.columns[i] if i >= 0 else pd.NA for i in first],
                              dtype="Int64"), index=headroom.index)
