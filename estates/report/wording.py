"""A scenario's changes in plain words, with names instead of codes, for the dashboard and report.

"A 250 m² satellite of Hawkhurst Medical Centre beside Hawkhurst retirement village" reads
where "satellite Z99036-S1 of Z99036 (250 m2) at 576650, 130060" did not: a committee knows
its surgeries and sites by name, not by code or grid reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import Point

from estates.model import Region
from estates.report.figures import format_figure

#: A point within this distance of a housing site or candidate building is described as
#: beside it; further away it is given by its grid reference alone.
BESIDE_M = 400.0


def _name(region: Region, code: Any) -> str:
    p = region.practices
    found = p.loc[p["practice_code"] == code, "site_name"]
    return str(found.iloc[0]) if len(found) else str(code)


def _area(m2: Any) -> str:
    return format_figure(float(m2), "m2").replace(".0 m²", " m²")


def _grid(e: float, n: float) -> str:
    return f"easting {e:,.0f}, northing {n:,.0f}"


def landmark(region: Region, sites: pd.DataFrame | None, easting: float,
             northing: float) -> str:
    """Where a point is, in words: beside the nearest housing site or candidate building
    within ``BESIDE_M``, else its grid reference."""
    here = Point(easting, northing)
    best: tuple[float, str] | None = None
    for frame in (sites, region.candidates):
        if frame is None or not len(frame):
            continue
        d = frame.geometry.distance(here).to_numpy(dtype=float)
        i = int(np.argmin(d))
        if d[i] <= BESIDE_M and (best is None or d[i] < best[0]):
            best = (float(d[i]), str(frame["name"].iloc[i]))
    if best is None:
        return f"at {_grid(easting, northing)}"
    return f"beside {best[1]} ({_grid(easting, northing)})"


def _where(region: Region, sites: pd.DataFrame | None, ch: Mapping[str, Any]) -> str:
    cid = ch.get("candidate_id")
    if cid is not None:
        c = region.candidates
        name = str(c.at[cid, "name"]) if cid in c.index else str(cid)
        return f"in {name}"
    if "easting" in ch and "northing" in ch:
        return landmark(region, sites, float(ch["easting"]), float(ch["northing"]))
    return "in its current building"


def describe_change(change: Mapping[str, Any], region: Region, *,
                    sites: pd.DataFrame | None = None, m2: float | None = None) -> str:
    """One change as a sentence, naming practices and places (``region`` before the change).

    ``sites`` are the housing sites in use (for "beside ..."); ``m2`` the floor area the
    change came to when the document leaves it to a default (the cost table's ``m2``).
    """
    kind = change.get("type")
    area = change.get("gia_m2", m2)
    size = f"{_area(area)} " if area else ""
    if kind == "add_satellite" or (kind == "colocate" and change.get("mode", "satellite")
                                   == "satellite"):
        parent = change.get("parent_code", change.get("practice_code"))
        return (f"A {size}satellite of {_name(region, parent)} "
                f"{_where(region, sites, change)}.")
    if kind in ("colocate", "relocate"):
        into = _where(region, sites, change)
        if into.startswith("in "):
            into = "into " + into[3:]
        elif into.startswith("at "):
            into = "to " + into[3:]
        else:
            into = "to a site " + into
        return (f"{_name(region, change['practice_code'])} moves {into}"
                + (f" ({_area(area)})" if area else "") + ".")
    if kind == "extend":
        rooms = change.get("clinical_rooms")
        added = " and ".join(x for x in (
            _area(change["gia_m2"]) if change.get("gia_m2") else "",
            f"{float(rooms):,.0f} clinical room(s)" if rooms else "") if x)
        return f"{_name(region, change['practice_code'])} is extended by {added or size}."
    if kind == "merge":
        joining = _join([_name(region, c) for c in change.get("practices", [])])
        hub = _name(region, change["hub_code"])
        place = _where(region, sites, change)
        verb = "merges" if len(change.get("practices", [])) == 1 else "merge"
        text = f"{joining} {verb} into {hub}" + (
            "" if place == "in its current building" else f", in a hub {place}")
        if change.get("gia_m2"):
            text += f" of {_area(change['gia_m2'])}"
        keep = change.get("keep_sites") or []
        if keep:
            text += f"; {_join([_name(region, c) for c in keep])} stay open as branches"
        return text + "."
    if kind == "close_site":
        code = change["practice_code"]
        p = region.practices
        kind_of = p.loc[p["practice_code"] == code, "site_kind"]
        if len(kind_of) and kind_of.iloc[0] == "branch":
            return f"The branch surgery {_name(region, code)} closes."
        to = change.get("list_to")
        return (f"{_name(region, code)} closes; its patients register with "
                + (_name(region, to) if to else "the nearest other practice") + ".")
    return f"{kind}: " + ", ".join(f"{k} {v}" for k, v in change.items() if k != "type")


def describe_changes(changes: Sequence[Mapping[str, Any]], region: Region, *,
                     sites: pd.DataFrame | None = None,
                     costs: pd.DataFrame | None = None) -> list[str]:
    """Every change of a scenario as a sentence (see ``describe_change``)."""
    m2 = {}
    if costs is not None and len(costs):
        m2 = dict(zip(costs["change"].astype(int), costs["m2"].astype(float), strict=True))
    return [describe_change(c, region, sites=sites, m2=m2.get(i) or None)
            for i, c in enumerate(changes)]


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
