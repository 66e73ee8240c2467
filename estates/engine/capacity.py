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
    space = practices["gia_m2"].astype(float) / a.m2_per_patient
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
    NaN capacity: unknown, never invented. Columns: ``sites``, ``gia_m2``, ``clinical_rooms``, ``gp_fte``, ``space_capacity``,
    ``room_capacity``, ``premises_capacity``, ``workforce_capacity`` (NaN where GP FTE is not
    known), ``capacity`` (premises, by the chosen method: the figure headroom is measured against),
    ``effective_capacity`` (the lower of premises and workforce) and ``binding_constraint``.
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
    out["capacity"] = out["premises_capacity"]
    premises_label = "floor space" if a.capacity_method == "space" else "clinical rooms"
    workforce_binds = out["workforce_capacity"] < out["premises_capacity"]
    out["effective_capacity"] = out["premises_capacity"].where(
        ~workforce_binds, out["workforce_capacity"]
    )
    out["binding_constraint"] = np.where(
        out["premises_capacity"].isna(), f"unknown (no {premises_label} given)",
        np.where(workforce_binds, "GP workforce", premises_label))
    out.index.name = None
    return out
