"""The ``region.toml`` manifest's schema, and where its layer files may be.

A manifest is checked against a JSON Schema (types: ``synthetic = "no"`` is not a yes/no,
``name = 5`` is not a name; unknown keys are reported so a typo such as ``synthtic`` is seen),
and every layer path must lie inside the region folder once symbolic links are followed, so a
manifest cannot make the tool read (and echo a line of) a file elsewhere on the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from estates.errors import ProblemList

_TEXT = {"type": "string", "maxLength": 2000}
_FILE = {"type": "string", "minLength": 1, "maxLength": 500}
_POINT_LAYER = {"file": _FILE, "x": _TEXT, "y": _TEXT, "crs": _TEXT}
#: Section -> its known keys and their types.
SECTIONS: dict[str, dict[str, Any]] = {
    "practices": _POINT_LAYER,
    "catchments": {"file": _FILE, "method": _TEXT},
    "zones": {"file": _FILE},
    "candidates": _POINT_LAYER,
    "housing": {"file": _FILE},
    "registrations": {"file": _FILE},
    "population_raster": {"file": _FILE},
    "friction_raster": {"file": _FILE, "unit": {"enum": ["minutes per metre",
                                                          "seconds per metre"]}},
}
TOP_LEVEL: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "synthetic": {"type": "boolean"},
    "description": {"type": "string", "maxLength": 5000},
}
MANIFEST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "estates region.toml",
    "type": "object",
    "properties": {**TOP_LEVEL, **{
        k: {"type": "object", "properties": props, "required": ["file"]}
        for k, props in SECTIONS.items()}},
}
_VALIDATOR = Draft202012Validator(MANIFEST_SCHEMA)


def _where(path: Any) -> str:
    parts = [str(p) for p in path]
    if not parts:
        return "region.toml"
    return f"[{parts[0]}] {'.'.join(parts[1:])}" if len(parts) > 1 else parts[0]


def check_manifest(manifest: dict[str, Any], problems: ProblemList) -> list[str]:
    """Add a problem for every wrongly typed or missing manifest value; return warnings for
    unknown keys (reported, not refused: a newer estates may write keys this one lacks)."""
    for error in sorted(_VALIDATOR.iter_errors(manifest), key=lambda e: list(map(str, e.path))):
        where = _where(error.absolute_path)
        value = error.instance
        if error.validator == "required" or (
                len(error.absolute_path) == 1 and error.absolute_path[0] in SECTIONS):
            continue  # a section that is not a table, or has no file: read_region says so
        if error.validator == "type":
            wanted = {"boolean": "true or false (no quotes)", "string": "text in quotes",
                      "object": "a [section]"}.get(str(error.validator_value),
                                                   str(error.validator_value))
            problems.add(f"{where} must be {wanted}", value=_shown(value),
                         fix=f"Write {where.split('] ')[-1]} = "
                             + ("true or false" if wanted.startswith("true") else '"..."'))
        elif error.validator == "enum":
            problems.add(f"{where} must be one of "
                         + ", ".join(repr(v) for v in error.validator_value),
                         value=_shown(value))
        elif error.validator == "minLength":
            problems.add(f"{where} must not be empty")
        else:
            problems.add(f"{where}: {error.message[:200]}")
    warnings = []
    known = set(TOP_LEVEL) | set(SECTIONS)
    for key, value in manifest.items():
        if key not in known:
            warnings.append(f"region.toml: unknown key {key!r} ignored (known: "
                            f"{', '.join(sorted(known))})")
        elif key in SECTIONS and isinstance(value, dict):
            extra = sorted(set(value) - set(SECTIONS[key]))
            if extra:
                warnings.append(f"region.toml: [{key}] unknown key(s) "
                                f"{', '.join(map(repr, extra))} ignored (known: "
                                f"{', '.join(SECTIONS[key])})")
    return warnings


def _shown(value: Any) -> Any:
    text = repr(value)
    return value if len(text) <= 60 else text[:57] + "..."


def layer_path(folder: Path, key: str, file: Any, problems: ProblemList) -> Path | None:
    """The path of a layer's file, or None (a problem added) when it lies outside the region
    folder, directly (``../../etc/passwd``, an absolute path) or through a symbolic link.

    Nothing of such a file is read, so no line of it can appear in a message.
    """
    if not isinstance(file, str) or not file:
        return None  # check_manifest reports it
    path = folder / file
    root = folder.resolve()
    try:
        inside = path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a symbolic-link loop
        inside = False
    if not inside:
        problems.add(f"[{key}] file {file!r} lies outside the region folder"
                     + (" (through a symbolic link)" if not Path(file).is_absolute()
                        and ".." not in Path(file).parts else ""),
                     fix="Keep every layer's file inside the region folder and name it there")
        return None
    return path
