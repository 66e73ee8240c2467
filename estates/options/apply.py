"""Applying a scenario's changes to a region, purely, with the capital cost of each change.

``apply_scenario`` returns a new Region (the input is never modified). ``check_scenario`` is the
one place a document is checked against a region: it reads the document and walks its changes
in order as they would be applied, reporting every problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.errors import ProblemList, ScenarioError
from estates.model import AGE_BANDS, Region
from estates.options.scenario import (
    Scenario,
    read_document,
    read_scenario_bytes,
    scenario_assumptions,
)


@dataclass(frozen=True)
class Applied:
    """A scenario applied: the changed region and what each change costs.

    ``costs`` has one row per change: ``change`` (index), ``type``, ``what`` (plain words),
    ``m2`` (floor area built or fitted out), ``basis`` ('new build', 'fit-out of an existing
    building' or 'none'), ``rate_gbp_per_m2`` and ``cost_gbp``.
    """

    region: Region
    costs: pd.DataFrame

    @property
    def capital_cost_gbp(self) -> float:
        return float(self.costs["cost_gbp"].sum()) if len(self.costs) else 0.0

    @property
    def m2_added(self) -> float:
        return float(self.costs["m2"].sum()) if len(self.costs) else 0.0


def apply_scenario(
    region: Region, scenario: Scenario, *, assumptions: Assumptions | None = None
) -> Region:
    """A new Region with the scenario's changes made, in order; ``region`` is not modified.

    Floor area and clinical rooms stay consistent: where a change gives only one of them, the
    other is derived from ``m2_per_room`` and ``circulation`` so that both capacity methods see
    the change.
    """
    return apply_with_costs(region, scenario, assumptions=assumptions).region


def apply_with_costs(
    region: Region, scenario: Scenario, *, assumptions: Assumptions | None = None
) -> Applied:
    """``apply_scenario`` plus the capital cost of each change (see ``Applied``)."""
    a = scenario_assumptions(scenario, assumptions)
    return _apply(region, scenario, a, "scenario " + repr(scenario.name))


def check_scenario(
    data: Mapping[str, Any] | str | bytes, region: Region, *, file: str = "scenario"
) -> Scenario:
    """Read a scenario document and check every change against ``region``, as
    ``apply_scenario`` would apply them, in order (codes exist, floor area fits the candidate
    building, no practice merged into itself...).

    Raises
    ------
    ScenarioError
        Listing every problem at once, each as ``changes[i].field: what is wrong (value ...)``.
    """
    scenario, problems = read_document(data, file=file)
    if scenario is None:
        problems.raise_if_any(ScenarioError)
        raise AssertionError("a document whose changes cannot be read has problems")
    # With bad overrides, the changes are still checked (against the defaults), so that every
    # problem is reported in one go.
    a = Assumptions() if problems else scenario_assumptions(scenario, file=file)
    try:
        _apply(region, scenario, a, file)
    except ScenarioError as exc:
        problems.items.extend(exc.problems)
    problems.raise_if_any(ScenarioError)
    return scenario


def read_checked_scenario(path: Path | str, region: Region) -> Scenario:
    """Read a scenario JSON file and check it against ``region`` (see ``check_scenario``)."""
    return check_scenario(read_scenario_bytes(path), region, file=str(path))


@dataclass
class _State:
    """The region being changed, one change at a time, and the problems found so far."""

    practices: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    a: Assumptions
    problems: ProblemList
    costs: list[dict[str, Any]] = field(default_factory=list)
    used_by: dict[str, list[int]] = field(default_factory=dict)

    def main_codes(self) -> pd.Index:
        return self.practices.index[self.practices["site_kind"] == "main"]

    def m2_per_room(self) -> float:
        return self.a.m2_per_room * (1.0 + self.a.circulation)


def _apply(region: Region, scenario: Scenario, a: Assumptions, file: str) -> Applied:
    state = _State(region.practices.copy(), region.catchments.copy(),
                   region.candidates.copy(), a, ProblemList(file))
    for i, change in enumerate(scenario.changes):
        _HANDLERS[str(change["type"])](state, i, change)
    state.problems.raise_if_any(ScenarioError)
    out = Region(
        name=region.name, practices=state.practices, catchments=state.catchments,
        zones=region.zones, candidates=state.candidates, growth=region.growth,
        population_raster=region.population_raster, friction_raster=region.friction_raster,
        friction_unit=region.friction_unit, synthetic=region.synthetic, folder=region.folder,
        description=region.description, warnings=list(region.warnings),
    )
    costs = pd.DataFrame(state.costs, columns=["change", "type", "what", "m2", "basis",
                                               "rate_gbp_per_m2", "cost_gbp"])
    return Applied(out, costs)


def _err(s: _State, i: int, fld: str, message: str, value: Any = None, fix: str = "") -> None:
    s.problems.add(f"changes[{i}].{fld}: {message}", value=value, fix=fix)


def _site(s: _State, i: int, fld: str, code: Any, *, main: bool = False) -> bool:
    """Is ``code`` a current surgery site (a main practice when ``main``)? Reports if not."""
    if code not in s.practices.index:
        _err(s, i, fld, "no surgery site has this code (or an earlier change closed it)", code,
             "Use a practice_code from the region's practices")
        return False
    if main and s.practices.at[code, "site_kind"] != "main":
        parent = s.practices.at[code, "parent_code"]
        _err(s, i, fld, f"is a branch site; give its main practice ({parent})", code)
        return False
    return True


def _place(s: _State, i: int, ch: Mapping[str, Any], *, required: bool,
           gia_m2: float | None) -> tuple[Point | None, str | None, float | None]:
    """The point a change puts a site at: (point, candidate_id, floor area the candidate has).

    Reports a missing or doubly given place and a floor area over what the candidate offers
    (after what earlier changes in the scenario took from it).
    """
    has_c = "candidate_id" in ch
    has_e, has_n = "easting" in ch, "northing" in ch
    if has_c and (has_e or has_n):
        _err(s, i, "candidate_id", "give either a candidate_id or easting/northing, not both")
        return None, None, None
    if has_e != has_n:
        _err(s, i, "northing" if has_e else "easting",
             "missing: a point needs both easting and northing")
        return None, None, None
    if has_c:
        cid = ch["candidate_id"]
        if cid not in s.candidates.index:
            known = ", ".join(map(str, s.candidates.index[:12])) or "none in this region"
            _err(s, i, "candidate_id", "no candidate building has this id", cid,
                 f"Use one of: {known}")
            return None, None, None
        available = float(s.candidates.at[cid, "available_m2"])
        if gia_m2 is not None and gia_m2 > available + 1e-9:
            earlier = s.used_by.get(cid, [])
            also = (f" after {', '.join(f'changes[{k}]' for k in earlier)} took part of it"
                    if earlier else "")
            _err(s, i, "gia_m2", f"is more than the {available:g} m2 available in candidate "
                 f"{cid}{also}", ch.get("gia_m2", gia_m2), "Use less floor area or another building")
            return None, None, None
        return s.candidates.geometry[cid], cid, available
    if has_e:
        return Point(float(ch["easting"]), float(ch["northing"])), None, None
    if required:
        _err(s, i, "candidate_id", "missing: give a candidate_id or an easting and northing")
    return None, None, None


def _area(s: _State, ch: Mapping[str, Any], default_m2: float | None) -> tuple[float, float] | None:
    """(gia_m2, clinical_rooms) from a change, deriving the one not given."""
    given_gia, given_rooms = ch.get("gia_m2"), ch.get("clinical_rooms")
    if given_gia is None and given_rooms is None:
        if default_m2 is None:
            return None
        given_gia = default_m2
    if given_gia is None:
        rooms = float(given_rooms)  # type: ignore[arg-type]  # both None returned above
        return rooms * s.m2_per_room(), rooms
    gia = float(given_gia)
    rooms = gia / s.m2_per_room() if given_rooms is None else float(given_rooms)
    return gia, rooms


def _take(s: _State, i: int, cid: str | None, m2: float) -> None:
    if cid is None:
        return
    s.candidates.loc[cid, "available_m2"] = float(s.candidates.at[cid, "available_m2"]) - m2
    s.used_by.setdefault(cid, []).append(i)


def _cost(s: _State, i: int, kind: str, what: str, m2: float, existing_building: bool) -> None:
    rate = s.a.fitout_cost_per_m2_gbp if existing_building else s.a.cost_per_m2_gbp
    basis = "fit-out of an existing building" if existing_building else "new build"
    if m2 <= 0:
        rate, basis, m2 = 0.0, "none", 0.0
    s.costs.append({"change": i, "type": kind, "what": what, "m2": m2, "basis": basis,
                    "rate_gbp_per_m2": rate, "cost_gbp": m2 * rate})


def _new_code(s: _State, i: int, ch: Mapping[str, Any], parent: str) -> str | None:
    code = ch.get("site_code")
    if code is None:
        n = 1
        while f"{parent}-S{n}" in s.practices.index:
            n += 1
        return f"{parent}-S{n}"
    if code in s.practices.index:
        _err(s, i, "site_code", "is already the code of a surgery site", code,
             "Choose a new code for the satellite")
        return None
    return str(code)


def _add_branch(s: _State, code: str, parent: str, name: str, point: Point, gia: float,
                rooms: float, building: str) -> None:
    row: dict[str, Any] = {c: np.nan for c in s.practices.columns if c != "geometry"}
    row.update({"practice_code": code, "site_name": name, "site_kind": "branch",
                "parent_code": parent, "list_size": 0.0, "gia_m2": gia,
                "clinical_rooms": rooms})
    if "building" in s.practices.columns:
        row["building"] = building
    new = gpd.GeoDataFrame(pd.DataFrame([row], index=[code]), geometry=[point],
                           crs=s.practices.crs)
    s.practices = pd.concat([s.practices, new])


def _satellite(s: _State, i: int, ch: Mapping[str, Any], *, parent_field: str,
               default_to_available: bool) -> None:
    parent = ch[parent_field]
    if not _site(s, i, parent_field, parent, main=True):
        return
    gia_given = ch.get("gia_m2")
    if gia_given is None and ch.get("clinical_rooms") is not None:
        gia_given = float(ch["clinical_rooms"]) * s.m2_per_room()
    point, cid, available = _place(s, i, ch, required=True,
                                   gia_m2=None if gia_given is None else float(gia_given))
    if point is None:
        return
    size = _area(s, ch, available if default_to_available else None)
    if size is None:
        _err(s, i, "gia_m2", "missing: give the satellite's gia_m2 or clinical_rooms")
        return
    if size[0] <= 0:
        _err(s, i, "gia_m2", f"candidate {cid} has no floor area left", size[0])
        return
    code = _new_code(s, i, ch, parent)
    if code is None:
        return
    pname = s.practices.at[parent, "site_name"]
    where = s.candidates.at[cid, "name"] if cid is not None else (
        f"{point.x:.0f}, {point.y:.0f}")
    name = str(ch.get("site_name") or f"{pname} satellite at {where}")
    building = (f"co-located: {s.candidates.at[cid, 'kind']}" if cid is not None
                else "new satellite")
    _add_branch(s, code, parent, name, point, size[0], size[1], building)
    _take(s, i, cid, size[0])
    _cost(s, i, str(ch["type"]), f"satellite {code} of {parent} ({size[0]:,.0f} m2) at {where}",
          size[0], cid is not None)


def _do_add_satellite(s: _State, i: int, ch: Mapping[str, Any]) -> None:
    _satellite(s, i, ch, parent_field="parent_code", default_to_available=False)


def _do_colocate(s: _State, i: int, ch: Mapping[str, Any]) -> None:
    if ch.get("mode", "satellite") == "satellite":
        _satellite(s, i, ch, parent_field="practice_code", default_to_available=True)
        return
    _move(s, i, ch, default_to_available=True)


def _do_relocate(s: _State, i: int, ch: Mapping[str, Any]) -> None:
    _move(s, i, ch, default_to_available=False)


def _move(s: _State, i: int, ch: Mapping[str, Any], *, default_to_available: bool) -> None:
    code = ch["practice_code"]
    if not _site(s, i, "practice_code", code):
        return
    current = float(s.practices.at[code, "gia_m2"])
    gia_given = ch.get("gia_m2")
    if gia_given is None and ch.get("clinical_rooms") is not None:
        gia_given = float(ch["clinical_rooms"]) * s.m2_per_room()
    has_c = "candidate_id" in ch
    # Moving into a candidate without a size takes its available space (co-location) or the
    # site's current size if that fits (relocation).
    if gia_given is None and has_c and ch["candidate_id"] in s.candidates.index:
        available = float(s.candidates.at[ch["candidate_id"], "available_m2"])
        gia_given = available if default_to_available else min(current, available)
    point, cid, _ = _place(s, i, ch, required=True,
                           gia_m2=None if gia_given is None else float(gia_given))
    if point is None:
        return
    size = _area(s, {"gia_m2": gia_given, "clinical_rooms": ch.get("clinical_rooms")}
                 if gia_given is not None else {}, current)
    assert size is not None
    s.practices.loc[code, "gia_m2"] = size[0]
    if gia_given is not None:
        s.practices.loc[code, "clinical_rooms"] = size[1]
    s.practices.loc[code, "geometry"] = point
    if "building" in s.practices.columns:
        s.practices.loc[code, "building"] = (f"co-located: {s.candidates.at[cid, 'kind']}"
                                             if cid is not None else "new build (relocated)")
    _take(s, i, cid, size[0])
    where = s.candidates.at[cid, "name"] if cid is not None else f"{point.x:.0f}, {point.y:.0f}"
    _cost(s, i, str(ch["type"]), f"{code} moves to {where} ({size[0]:,.0f} m2)", size[0],
          cid is not None)


def _do_extend(s: _State, i: int, ch: Mapping[str, Any]) -> None:
    code = ch["practice_code"]
    if not _site(s, i, "practice_code", code):
        return
    size = _area(s, ch, None)
    if size is None:
        _err(s, i, "gia_m2", "missing: give the added gia_m2 and/or clinical_rooms")
        return
    s.practices.loc[code, "gia_m2"] = float(s.practices.at[code, "gia_m2"]) + size[0]
    s.practices.loc[code, "clinical_rooms"] = (float(s.practices.at[code, "clinical_rooms"])
                                               + size[1])
    _cost(s, i, "extend", f"extend {code} by {size[0]:,.0f} m2", size[0], False)


def _do_merge(s: _State, i: int, ch: Mapping[str, Any]) -> None:
    hub = ch["hub_code"]
    ok = _site(s, i, "hub_code", hub, main=True)
    others: list[str] = []
    for k, code in enumerate(ch["practices"]):
        if code == hub:
            _err(s, i, f"practices[{k}]", "is the hub itself: a practice cannot merge into "
                 "itself", code, "List only the practices that join the hub")
            ok = False
        elif code in others:
            _err(s, i, f"practices[{k}]", "is listed twice", code)
            ok = False
        elif _site(s, i, f"practices[{k}]", code, main=True):
            others.append(code)
        else:
            ok = False
    family = [c for c in s.practices.index
              if c in others or s.practices.at[c, "parent_code"] in others
              or c == hub or s.practices.at[c, "parent_code"] == hub]
    keep = list(ch.get("keep_sites", []))
    for k, code in enumerate(keep):
        if code == hub:
            _err(s, i, f"keep_sites[{k}]", "is the hub, which is always kept", code)
            ok = False
        elif code not in family:
            _err(s, i, f"keep_sites[{k}]", "is not a site of the merging practices", code,
                 "List sites of the hub or of the practices merging into it")
            ok = False
    if not ok:
        return
    _merge(s, i, ch, hub, others, keep)


def _merge(s: _State, i: int, ch: Mapping[str, Any], hub: str, others: list[str],
           keep: list[str]) -> None:
    p = s.practices
    gia_given = ch.get("gia_m2")
    if gia_given is None and ch.get("clinical_rooms") is not None:
        gia_given = float(ch["clinical_rooms"]) * s.m2_per_room()
    point, cid, _ = _place(s, i, ch, required=False,
                           gia_m2=None if gia_given is None else float(gia_given))
    if ("candidate_id" in ch or "easting" in ch) and point is None:
        return
    members = [hub, *others]
    # Lists, age bands and GPs move to the hub.
    for col in ["list_size", *(f"list_{b}" for b in AGE_BANDS), "gp_fte"]:
        if col not in p.columns:
            continue
        values = p.loc[members, col].astype(float)
        total = values.sum(min_count=1) if col == "gp_fte" else values.sum(skipna=False)
        p.loc[hub, col] = total
    names = ", ".join(str(p.at[c, "site_name"]) for c in members)
    # Sites of the merged practices close unless kept; kept ones become the hub's branches.
    closing = [c for c in p.index if (c in others or p.at[c, "parent_code"] in others)
               and c not in keep]
    for c in p.index:
        if c in keep or (p.at[c, "parent_code"] in others and c not in closing):
            p.loc[c, ["site_kind", "parent_code", "list_size"]] = ["branch", hub, 0.0]
            if "gp_fte" in p.columns:
                p.loc[c, "gp_fte"] = np.nan
            for b in AGE_BANDS:
                if f"list_{b}" in p.columns:
                    p.loc[c, f"list_{b}"] = np.nan
    current = float(p.at[hub, "gia_m2"])
    m2_built = 0.0
    if point is not None:
        size = _area(s, {"gia_m2": gia_given, "clinical_rooms": ch.get("clinical_rooms")}
                     if gia_given is not None else {}, current)
        assert size is not None
        p.loc[hub, ["gia_m2", "clinical_rooms"]] = list(size)
        p.loc[hub, "geometry"] = point
        m2_built = size[0]
        if "building" in p.columns:
            p.loc[hub, "building"] = (f"co-located: {s.candidates.at[cid, 'kind']}"
                                      if cid is not None else "new build (hub)")
    elif gia_given is not None:
        size = _area(s, {"gia_m2": gia_given, "clinical_rooms": ch.get("clinical_rooms")},
                     current)
        assert size is not None
        m2_built = max(size[0] - current, 0.0)
        p.loc[hub, ["gia_m2", "clinical_rooms"]] = list(size)
    if ch.get("hub_name"):
        p.loc[hub, "site_name"] = str(ch["hub_name"])
    s.practices = p.drop(index=closing)
    # The hub's catchment becomes the union of the merged practices' catchments.
    cat = s.catchments
    in_merge = cat["practice_code"].isin(members)
    if in_merge.any():
        union = shapely.union_all(cat.geometry[in_merge].to_numpy())
        hub_row = cat[in_merge].iloc[[0]].copy()
        hub_row["practice_code"] = hub
        hub_row.index = pd.Index([hub])
        hub_row = hub_row.set_geometry(gpd.GeoSeries([union], index=hub_row.index,
                                                     crs=cat.crs))
        s.catchments = pd.concat([cat[~in_merge], hub_row])
    _take(s, i, cid, m2_built if point is not None else 0.0)
    _cost(s, i, str(ch["type"]), f"{', '.join(others)} merge into {hub} ({names}); "
          f"{len(closing)} site(s) close", m2_built, cid is not None)


def _do_close_site(s: _State, i: int, ch: Mapping[str, Any]) -> None:
    code = ch["practice_code"]
    if not _site(s, i, "practice_code", code):
        return
    p = s.practices
    if p.at[code, "site_kind"] == "branch":
        if "list_to" in ch:
            _err(s, i, "list_to", "a branch has no list of its own; leave list_to out")
            return
        s.practices = p.drop(index=[code])
        _cost(s, i, "close_site", f"branch {code} closes", 0.0, False)
        return
    # A main site closing: its patients register with another practice (list_to, or the
    # nearest other main practice); its branch sites carry on under that practice.
    mains = [c for c in s.main_codes() if c != code]
    if not mains:
        _err(s, i, "practice_code", "is the region's only practice; it cannot close", code)
        return
    target = ch.get("list_to")
    if target is None:
        here = p.geometry[code]
        target = min(mains, key=lambda c: here.distance(p.geometry[c]))
    elif target == code:
        _err(s, i, "list_to", "is the closing practice itself", target)
        return
    elif not _site(s, i, "list_to", target, main=True):
        return
    branches = [c for c in p.index if p.at[c, "parent_code"] == code]
    _merge(s, i, {"type": "close_site"}, str(target), [code], branches)


_HANDLERS = {
    "add_satellite": _do_add_satellite,
    "colocate": _do_colocate,
    "extend": _do_extend,
    "relocate": _do_relocate,
    "merge": _do_merge,
    "close_site": _do_close_site,
}


def choose_hubs(*args: Any, **kwargs: Any) -> Any:
    """Choose the hubs of a merger: see ``estates.options.centralise.hubs.choose_hubs``
    (imported when called, so applying a scenario does not load the centralisation solver)."""
    from estates.options.centralise.hubs import choose_hubs as choose

    return choose(*args, **kwargs)
