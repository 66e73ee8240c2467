"""The scenario document: a JSON list of changes to a region's surgeries plus assumption overrides.

A scenario is the one format the CLI, the dashboard's download/upload and the report share, so
an officer can send an option to a colleague::

    {"name": "...", "description": "...",
     "changes": [{"type": "add_satellite", "parent_code": "A", "candidate_id": "LIB03",
                  "gia_m2": 150}, ...],
     "assumptions": {"cost_per_m2_gbp": 3200}}

``parse_scenario`` checks a document against ``SCENARIO_SCHEMA`` (JSON Schema, validated with
``jsonschema``); every problem is reported at once, each naming the change's index and field.
Checking the changes against a region (codes exist, floor area fits) is done where they are
applied: ``estates.options.apply.check_scenario``. Documents are only ever parsed as JSON:
nothing is evaluated or unpickled.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from estates.assumptions import Assumptions
from estates.errors import AssumptionError, Problem, ProblemList, ScenarioError

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
#: The most changes one scenario may hold: an option a committee can read has a handful; the
#: dashboard and the CLI parse and apply every one, so the count is bounded (README, "Limits").
MAX_CHANGES = 500

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
            "maxItems": MAX_CHANGES,
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
# The document is checked in two steps with the same rules: the outline (the change items'
# types only), then each change against its own type's schema. One if/then per type for every
# item made jsonschema try all six types on each change (3.6 ms a change).
_OUTLINE = {**SCENARIO_SCHEMA, "properties": {
    **SCENARIO_SCHEMA["properties"],
    "changes": {**SCENARIO_SCHEMA["properties"]["changes"],
                "items": {k: v for k, v in SCENARIO_SCHEMA["properties"]["changes"]["items"].items()
                          if k != "allOf"}}}}
_VALIDATOR = Draft202012Validator(_OUTLINE)
_CHANGE_VALIDATORS = {k: Draft202012Validator(_change_schema(k)) for k in CHANGE_TYPES}


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


def _schema_errors(data: Mapping[str, Any]) -> list[tuple[list[Any], Any]]:
    """(path, error) for every schema error of the document: its outline, then each change."""
    out = [(list(e.absolute_path), e) for e in _VALIDATOR.iter_errors(data)]
    changes = data.get("changes")
    if isinstance(changes, list) and len(changes) <= MAX_CHANGES:
        for i, change in enumerate(changes):
            kind = change.get("type") if isinstance(change, Mapping) else None
            if isinstance(kind, str) and kind in _CHANGE_VALIDATORS:
                out += [(["changes", i, *e.absolute_path], e)
                        for e in _CHANGE_VALIDATORS[kind].iter_errors(change)]
    return out


def _schema_message(error: Any, path: list[Any]) -> tuple[str, str, Any]:
    """(location, plain message, value) for one jsonschema error at ``path``."""
    where = _where(path)
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
    if v == "maxItems":
        n = len(value) if isinstance(value, list) else 0
        return where, f"lists {n:,} items, more than the {arg:,} accepted", None
    if v == "maxLength":
        return where, f"is longer than {arg} characters", None
    return where, error.message, None


def read_document(
    data: Mapping[str, Any] | str | bytes, *, file: str = "scenario"
) -> tuple[Scenario | None, ProblemList]:
    """Read a scenario document and collect what is wrong with it, without raising for it.

    Returns the Scenario (None when its changes cannot be read at all: no list of changes, too
    many, no name) and every problem found in the document itself: schema, non-finite numbers
    and assumption overrides. A Scenario returned with problems in some of its changes lets
    ``check_scenario`` check the others, and the codes of all, against a region. Raises
    ScenarioError only when the text is not a JSON object.
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
    errors = sorted(_schema_errors(data), key=lambda t: list(map(str, t[0])))
    seen: set[tuple[str, str]] = set()
    for path, error in errors:
        if error.validator in ("allOf", "if"):
            continue
        where, message, value = _schema_message(error, path)
        if (where, message) in seen:
            continue
        seen.add((where, message))
        problems.add(f"{where}: {message}", value=value)
    if isinstance(data.get("assumptions"), Mapping):
        for p in _assumption_problems(data["assumptions"], Assumptions(), file):
            problems.items.append(p)
    if any(not p.message.startswith(("assumptions", "changes[", "name", "description"))
           for p in problems.items):
        return None, problems  # the changes cannot be read
    scenario = Scenario(
        name=str(data["name"]),
        changes=tuple(dict(c) if isinstance(c, Mapping) else {} for c in data["changes"]),
        assumptions=dict(data.get("assumptions", {})),
        description=str(data.get("description", "")),
    )
    return scenario, problems


def parse_scenario(data: Mapping[str, Any] | str | bytes, *, file: str = "scenario") -> Scenario:
    """Check a scenario document and return it as a Scenario.

    Parameters
    ----------
    data
        The parsed JSON object, or its text.
    file
        Name used in messages.

    Raises
    ------
    ScenarioError
        Listing every problem, each as ``changes[i].field: what is wrong (value ...)``. To check
        the changes against a region as well, use ``estates.options.apply.check_scenario``.
    """
    scenario, problems = read_document(data, file=file)
    problems.raise_if_any(ScenarioError)
    assert scenario is not None  # no problem means the changes were read
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


def read_scenario_bytes(path: Path | str) -> bytes:
    """A scenario file's bytes, or a ScenarioError naming the file."""
    path = Path(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from exc


def read_scenario(path: Path | str) -> Scenario:
    """Read and check a scenario JSON file (see ``parse_scenario``)."""
    return parse_scenario(read_scenario_bytes(path), file=str(path))


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

