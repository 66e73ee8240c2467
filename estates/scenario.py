"""Scenarios: a JSON document of changes to a region's surgeries, applied purely, and compared.

A scenario is the one format the CLI, the dashboard's download/upload and the report share, so
an officer can send an option to a colleague::

    {"name": "...", "description": "...",
     "changes": [{"type": "add_satellite", "parent_code": "A", "candidate_id": "LIB03",
                  "gia_m2": 150}, ...],
     "assumptions": {"cost_per_m2_gbp": 3200}}

``parse_scenario`` checks a document against ``SCENARIO_SCHEMA`` (JSON Schema, validated with
``jsonschema``) and, given a region, against the region's codes and floor areas; every problem
is reported at once, each naming the change's index and field. ``apply_scenario`` returns a new
Region (the input is never modified). ``compare`` sets an option's Result beside the baseline's:
deficits resolved, capacity in the wrong place, older and rural people's access, capital cost.
Documents are only ever parsed as JSON: nothing is evaluated or unpickled.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jsonschema import Draft202012Validator
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.errors import AssumptionError, Problem, ProblemList, ScenarioError
from estates.model import AGE_BANDS, RURAL_CLASSES, Region

# ------------------------------------------------------------------------------ the schema

_CODE = {"type": "string", "minLength": 1, "maxLength": 64}
_TEXT = {"type": "string", "maxLength": 2000}
# British National Grid bounds: a point outside them is almost always latitude/longitude or a
# typing slip, and would otherwise be silently placed in the sea.
_EASTING = {"type": "number", "minimum": 0, "maximum": 700000}
_NORTHING = {"type": "number", "minimum": 0, "maximum": 1300000}
_AREA = {"type": "number", "exclusiveMinimum": 0, "maximum": 100000}
_ROOMS = {"type": "number", "exclusiveMinimum": 0, "maximum": 1000}
_PLACE = {"candidate_id": _CODE, "easting": _EASTING, "northing": _NORTHING}

#: Fields of each change type (besides ``type``); ``required`` lists the ones that must appear.
CHANGE_TYPES: dict[str, dict[str, Any]] = {
    "add_satellite": {
        "properties": {"parent_code": _CODE, **_PLACE, "gia_m2": _AREA, "clinical_rooms": _ROOMS,
                       "site_code": _CODE, "site_name": _TEXT, "note": _TEXT},
        "required": ["parent_code"],
    },
    "colocate": {
        "properties": {"practice_code": _CODE, "candidate_id": _CODE, "gia_m2": _AREA,
                       "clinical_rooms": _ROOMS, "mode": {"enum": ["satellite", "move"]},
                       "site_code": _CODE, "site_name": _TEXT, "note": _TEXT},
        "required": ["practice_code", "candidate_id"],
    },
    "extend": {
        "properties": {"practice_code": _CODE, "gia_m2": _AREA, "clinical_rooms": _ROOMS,
                       "note": _TEXT},
        "required": ["practice_code"],
    },
    "relocate": {
        "properties": {"practice_code": _CODE, **_PLACE, "gia_m2": _AREA,
                       "clinical_rooms": _ROOMS, "note": _TEXT},
        "required": ["practice_code"],
    },
    "merge": {
        "properties": {"hub_code": _CODE,
                       "practices": {"type": "array", "items": _CODE, "minItems": 1},
                       **_PLACE, "gia_m2": _AREA, "clinical_rooms": _ROOMS,
                       "keep_sites": {"type": "array", "items": _CODE},
                       "hub_name": _TEXT, "note": _TEXT},
        "required": ["hub_code", "practices"],
    },
    "close_site": {
        "properties": {"practice_code": _CODE, "list_to": _CODE, "note": _TEXT},
        "required": ["practice_code"],
    },
}


def _change_schema(kind: str) -> dict[str, Any]:
    spec = CHANGE_TYPES[kind]
    return {
        "type": "object",
        "properties": {"type": {"const": kind}, **spec["properties"]},
        "required": ["type", *spec["required"]],
        "additionalProperties": False,
    }


#: The whole document's JSON Schema (draft 2020-12), as a Python dict.
SCENARIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "estates scenario",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": _TEXT,
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"type": {"enum": list(CHANGE_TYPES)}},
                "required": ["type"],
                "allOf": [
                    {"if": {"properties": {"type": {"const": k}}, "required": ["type"]},
                     "then": _change_schema(k)}
                    for k in CHANGE_TYPES
                ],
            },
        },
        "assumptions": {"type": "object"},
    },
    "required": ["name", "changes"],
    "additionalProperties": False,
}
_VALIDATOR = Draft202012Validator(SCENARIO_SCHEMA)


# ------------------------------------------------------------------------------ the document


@dataclass(frozen=True)
class Scenario:
    """A named list of changes plus assumption overrides (see the module docstring)."""

    name: str
    changes: tuple[Mapping[str, Any], ...] = ()
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "changes": [dict(c) for c in self.changes],
                "assumptions": dict(self.assumptions)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def do_nothing() -> Scenario:
    """The baseline as a scenario: no changes."""
    return Scenario("Do nothing", (), {}, "No change to any surgery.")


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "scenario"


def _schema_message(error: Any) -> tuple[str, str, Any]:
    """(location, plain message, value) for one jsonschema error."""
    where = _where(error.absolute_path)
    v, value, arg = error.validator, error.instance, error.validator_value
    if v == "required":
        missing = [k for k in arg if isinstance(value, Mapping) and k not in value]
        return where, f"missing field {', '.join(repr(m) for m in missing)}", None
    if v == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(k for k in value if k not in known) if isinstance(value, Mapping) else []
        hint = ", ".join(sorted(known))
        return where, (f"unknown field {', '.join(repr(e) for e in extra)}; "
                       f"this change takes: {hint}"), None
    if v == "exclusiveMinimum":
        return where, ("must be above zero" if arg == 0 else f"must be above {arg:g}"), value
    if v == "minimum":
        return where, f"must be at least {arg:g}", value
    if v == "maximum":
        return where, f"must be at most {arg:g}", value
    if v == "type":
        wanted = {"number": "a number", "string": "text", "array": "a list",
                  "object": "an object ({...})"}.get(str(arg), str(arg))
        return where, f"must be {wanted}", value
    if v == "enum":
        return where, f"must be one of {', '.join(repr(x) for x in arg)}", value
    if v == "const":
        return where, f"must be {arg!r}", value
    if v == "minLength":
        return where, "must not be empty", value
    if v == "minItems":
        return where, f"must list at least {arg} item(s)", None
    if v == "maxLength":
        return where, f"is longer than {arg} characters", None
    return where, error.message, None


def parse_scenario(
    data: Mapping[str, Any] | str | bytes,
    *,
    region: Region | None = None,
    file: str = "scenario",
) -> Scenario:
    """Check a scenario document and return it as a Scenario.

    Parameters
    ----------
    data
        The parsed JSON object, or its text.
    region
        When given, every change is also checked against it (codes exist, floor area fits the
        candidate building, no practice merged into itself...), in order, as ``apply_scenario``
        would apply them.
    file
        Name used in messages.

    Raises
    ------
    ScenarioError
        Listing every problem, each as ``changes[i].field: what is wrong (value ...)``.
    """
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data, parse_constant=_reject_constant)
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise ScenarioError(f"{file}: not valid JSON ({why}). Save the scenario as JSON, "
                                "as the dashboard's download does.") from exc
    problems = ProblemList(file)
    for where, value in _non_finite(data):
        problems.add(f"{where}: is not a finite number", value=value,
                     fix="Give a plain number (NaN and Infinity are not allowed)")
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{file}: a scenario must be a JSON object with 'name' and "
                            "'changes'")
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    seen: set[tuple[str, str]] = set()
    for error in errors:
        if error.validator in ("allOf", "if"):
            continue
        where, message, value = _schema_message(error)
        if (where, message) in seen:
            continue
        seen.add((where, message))
        problems.add(f"{where}: {message}", value=value)
    if isinstance(data.get("assumptions"), Mapping):
        for p in _assumption_problems(data["assumptions"], Assumptions(), file):
            problems.items.append(p)
    if any(not p.message.startswith("assumptions") for p in problems.items):
        problems.raise_if_any(ScenarioError)  # the changes cannot be read: stop here
    scenario = Scenario(
        name=str(data["name"]),
        changes=tuple(dict(c) for c in data["changes"]),
        assumptions=dict(data.get("assumptions", {})),
        description=str(data.get("description", "")),
    )
    if region is not None:
        # With bad overrides, the changes are still checked (against the defaults), so that
        # every problem is reported in one go.
        a = Assumptions() if problems else scenario_assumptions(scenario, file=file)
        try:
            _apply(region, scenario, a, file)
        except ScenarioError as exc:
            problems.items.extend(exc.problems)
    problems.raise_if_any(ScenarioError)
    return scenario


def _reject_constant(name: str) -> Any:
    """json.loads accepts NaN and Infinity, which are not JSON numbers: refuse them."""
    raise ValueError(f"{name} is not a number")


def _non_finite(data: Any, where: str = "") -> list[tuple[str, Any]]:
    """Paths of the NaN or infinite numbers in an already-parsed document."""
    if isinstance(data, float) and not math.isfinite(data):
        return [(where or "document", data)]
    if isinstance(data, Mapping):
        return [hit for k, v in data.items()
                for hit in _non_finite(v, f"{where}.{k}" if where else str(k))]
    if isinstance(data, (list, tuple)):
        return [hit for i, v in enumerate(data) for hit in _non_finite(v, f"{where}[{i}]")]
    return []


def read_scenario(path: Path | str, *, region: Region | None = None) -> Scenario:
    """Read and check a scenario JSON file (see ``parse_scenario``)."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_scenario(text, region=region, file=str(path))


def scenario_assumptions(
    scenario: Scenario, base: Assumptions | None = None, *, file: str = "scenario"
) -> Assumptions:
    """``base`` (default: the defaults) with the scenario's overrides applied."""
    base = base or Assumptions()
    problems = ProblemList(file)
    problems.items.extend(_assumption_problems(scenario.assumptions, base, file))
    problems.raise_if_any(ScenarioError)
    return base.with_overrides(scenario.assumptions, file=file)


def _assumption_problems(overrides: Mapping[str, Any], base: Assumptions,
                         file: str) -> list[Problem]:
    """Problems with a scenario's assumption overrides, located as ``assumptions.<name>``."""
    try:
        base.with_overrides(overrides, file=file)
    except AssumptionError as exc:
        out = []
        for p in exc.problems:
            message = p.message.removeprefix(f"assumption {p.column!r}: ")
            where = f"assumptions.{p.column}" if p.column else "assumptions"
            out.append(Problem(file, f"{where}: {message}", fix=p.fix, value=p.value))
        return out or [Problem(file, f"assumptions: {exc}")]
    return []


# ------------------------------------------------------------------------------ applying


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


# ------------------------------------------------------------------------------ comparing

def access_table(result: Any) -> pd.DataFrame:
    """A Result's older-access table (``estates.older_access``) in the comparison's columns:
    ``mode, threshold_minutes, group, rural_class, population, within, pct_within``."""
    t = result.older_access
    return pd.DataFrame({
        "mode": t["mode"], "threshold_minutes": t["threshold_minutes"].astype(float),
        "group": t["group"], "rural_class": t["area"], "population": t["people"],
        "within": t["people_within"], "pct_within": t["pct_within"]})


@dataclass(frozen=True)
class Comparison:
    """An option set beside the baseline.

    ``summary``: headline figures (baseline, option and change). ``deficits``: practices x
    years, deficit resolved in patients (positive = less deficit than the baseline; a practice
    merged away counts its baseline deficit as resolved, the hub carries it on).
    ``practices``: headroom at the horizon before and after. ``access``: older access by mode,
    threshold, group and rural class, before and after. ``costs``: per change (may be empty).
    """

    summary: dict[str, Any]
    deficits: pd.DataFrame
    practices: pd.DataFrame
    access: pd.DataFrame
    costs: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the summary, deficits resolved by practice at the horizon, access."""
        horizon = self.deficits.columns[-1] if len(self.deficits.columns) else None
        by_practice = ({} if horizon is None else
                       {str(k): float(v) for k, v in self.deficits[horizon].items() if v != 0})
        return {"summary": self.summary, "deficit_resolved_by_practice_horizon": by_practice,
                "access": self.access.to_dict(orient="records"),
                "costs": self.costs.to_dict(orient="records")}


def compare(baseline: Any, option: Any, *, costs: pd.DataFrame | None = None) -> Comparison:
    """Set an option's Result beside the baseline's.

    Parameters
    ----------
    baseline, option
        Results of ``estates.evaluate.evaluate`` (the option on the changed region).
    costs
        The option's per-change costs (``Applied.costs``). Without them the cost is the added
        floor area of the practices at ``cost_per_m2_gbp`` (new build).
    """
    a = option.assumptions
    base_def = baseline.headroom.clip(upper=0.0).mul(-1.0)
    opt_def = option.headroom.clip(upper=0.0).mul(-1.0)
    codes = base_def.index.union(opt_def.index, sort=False)
    years = list(baseline.headroom.columns)
    resolved = (base_def.reindex(index=codes, columns=years).fillna(0.0)
                - opt_def.reindex(index=codes, columns=years).fillna(0.0))
    horizon = years[-1]
    practices = pd.DataFrame(index=codes)
    practices["site_name"] = option.practices["site_name"].reindex(codes).fillna(
        baseline.practices["site_name"].reindex(codes))
    practices["capacity_base"] = baseline.practices["capacity"].reindex(codes)
    practices["capacity_option"] = option.practices["capacity"].reindex(codes)
    practices["headroom_base"] = baseline.headroom[horizon].reindex(codes)
    practices["headroom_option"] = option.headroom[horizon].reindex(codes)
    practices["deficit_resolved"] = resolved[horizon]
    practices["in_option"] = practices.index.isin(option.practices.index)

    acc_b, acc_o = access_table(baseline), access_table(option)
    keys = ["mode", "threshold_minutes", "group", "rural_class"]
    access = acc_b.merge(acc_o, on=keys, suffixes=("_base", "_option"))
    access["change_pct_points"] = access["pct_within_option"] - access["pct_within_base"]

    if costs is None:
        added = (option.practices["gia_m2"].sum() - baseline.practices["gia_m2"].sum())
        m2 = max(float(added), 0.0)
        costs = pd.DataFrame([{"change": -1, "type": "floor area", "what": "added floor area",
                               "m2": m2, "basis": "new build",
                               "rate_gbp_per_m2": a.cost_per_m2_gbp,
                               "cost_gbp": m2 * a.cost_per_m2_gbp}])
    cost = float(costs["cost_gbp"].sum()) if len(costs) else 0.0
    sb, so = baseline.summary, option.summary
    cap_added = so["aggregate_capacity"] - sb["aggregate_capacity"]
    rural = access[(access["mode"] == "car") & (access["group"] == "65+")
                   & (access["threshold_minutes"] == a.threshold_minutes)]
    pct = rural.set_index("rural_class")
    older_b = _mean_minutes(baseline.zones, "pop_65_plus")
    older_o = _mean_minutes(option.zones, "pop_65_plus")
    summary: dict[str, Any] = {
        "horizon_year": int(horizon),
        "deficit_total_base": float(sb["deficit_total"]),
        "deficit_total_option": float(so["deficit_total"]) + 0.0,
        "deficit_resolved": float(sb["deficit_total"] - so["deficit_total"]),
        "deficit_patient_years_resolved": float(resolved.to_numpy().sum()),
        "practices_in_deficit_base": int(sb["practices_in_deficit"]),
        "practices_in_deficit_option": int(so["practices_in_deficit"]),
        "misplaced_capacity_base": float(sb["misplaced_capacity"]),
        "misplaced_capacity_option": float(so["misplaced_capacity"]),
        "unmet_demand_base": float(sb["unmet_demand_within_threshold"]),
        "unmet_demand_option": float(so["unmet_demand_within_threshold"]),
        "unmet_demand_reduced": float(sb["unmet_demand_within_threshold"]
                                      - so["unmet_demand_within_threshold"]),
        "capacity_added": float(cap_added),
        "m2_added": float(costs["m2"].sum()) if len(costs) else 0.0,
        "capital_cost_gbp": cost,
        "cost_per_patient_place_gbp": cost / cap_added if cap_added > 1e-9 else None,
        "older_65_mean_minutes_base": older_b,
        "older_65_mean_minutes_option": older_o,
        "zones_nearer": int((option.zones["minutes_to_nearest_gp"]
                             < baseline.zones["minutes_to_nearest_gp"] - 1e-9).sum()),
        "zones_further": int((option.zones["minutes_to_nearest_gp"]
                              > baseline.zones["minutes_to_nearest_gp"] + 1e-9).sum()),
    }
    for cls in (*RURAL_CLASSES, "all"):
        key = cls.replace(" ", "_")
        summary[f"pct_65_within_{a.threshold_minutes:g}min_car_{key}_base"] = _num(
            pct.at[cls, "pct_within_base"])
        summary[f"pct_65_within_{a.threshold_minutes:g}min_car_{key}_option"] = _num(
            pct.at[cls, "pct_within_option"])
    summary["units"] = {
        "deficit": "patients (need-weighted)", "capacity_added": "patients (need-weighted)",
        "m2_added": "m2", "capital_cost_gbp": "GBP",
        "cost_per_patient_place_gbp": "GBP per patient place",
        "older_65_mean_minutes": "minutes to the nearest surgery, mean over people aged 65+",
        "pct_65_within": "% of people aged 65+ within the threshold by car",
    }
    return Comparison(summary, resolved, practices, access, costs.reset_index(drop=True))


def _mean_minutes(zones: pd.DataFrame, column: str) -> float:
    w = zones[column].to_numpy(dtype=float)
    m = zones["minutes_to_nearest_gp"].to_numpy(dtype=float)
    ok = np.isfinite(m)
    return float(np.average(m[ok], weights=w[ok])) if w[ok].sum() > 0 else math.nan


def _num(x: Any) -> float | None:
    value = float(x)
    return value if np.isfinite(value) else None
