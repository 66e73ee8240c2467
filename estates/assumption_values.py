"""Checking an assumption's value against its field: its kind (a number, a choice, an age
profile, weights, E2SFCA steps, a list of minutes) and bounds, with the fix to offer."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from estates.errors import ProblemList
from estates.model import AGE_BANDS, HOUSING_TYPES

if TYPE_CHECKING:  # the dataclass imports this module to validate itself
    from estates.assumptions import Assumptions


def fix_text(f: dataclasses.Field[Any]) -> str:
    m = f.metadata
    kind = m["kind"]
    if kind.startswith("choice:"):
        return "Choose one of: " + ", ".join(kind.split(":", 1)[1].split(","))
    if kind == "profile":
        return f"Give {len(AGE_BANDS)} shares, one per age band ({', '.join(AGE_BANDS)}), adding up to 1"
    if kind == "weights":
        return f"Give {len(AGE_BANDS)} non-negative weights, one per age band ({', '.join(AGE_BANDS)})"
    if kind == "minutes":
        return ("Give one or more travel times in minutes, rising, each above 0 and at most 240, "
                "separated by commas")
    if kind == "steps":
        return "Give pairs of (upper bound in minutes, weight) with rising bounds and weights in [0, 1]"
    lo, hi = m["minimum"], m["maximum"]
    parts = []
    if lo is not None:
        parts.append(("above " if m["exclusive_minimum"] else "at least ") + f"{lo:g}")
    if hi is not None:
        parts.append(f"at most {hi:g}")
    return f"Give a number in {m['unit']}" + (" " + " and ".join(parts) if parts else "")


def coerce_value(f: dataclasses.Field[Any], value: Any) -> tuple[Any, str]:
    """Return (value of the field's type, '') or (None, why it is not acceptable)."""
    kind = f.metadata["kind"]
    if kind.startswith("choice:"):
        choices = kind.split(":", 1)[1].split(",")
        if not isinstance(value, str) or value not in choices:
            return None, "is not one of the choices"
        return value, ""
    if kind in ("profile", "weights", "steps", "minutes"):
        if isinstance(value, Mapping) and kind in ("profile", "weights"):
            value = [value.get(b, 0.0) for b in AGE_BANDS]
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            return None, "must be a list of numbers"
        items = list(value)
        nums: list[float] = []
        for item in items:
            num, why = _number(item)
            if why:
                return None, f"holds {item!r}, which {why}"
            nums.append(num)
        if kind in ("profile", "weights") and len(nums) != len(AGE_BANDS):
            return None, f"has {len(nums)} values, not {len(AGE_BANDS)}"
        if any(n < 0 for n in nums):
            return None, "holds a negative value"
        if kind == "profile" and not math.isclose(sum(nums), 1.0, abs_tol=1e-6):
            return None, f"shares add up to {sum(nums):g}, not 1"
        if kind == "minutes" and (not nums or any(n <= 0 or n > 240 for n in nums)):
            return None, "must hold one or more minutes, each above 0 and at most 240"
        if kind == "minutes" and any(b <= a for a, b in zip(nums, nums[1:], strict=False)):
            return None, "values must rise"
        if kind == "steps":
            if len(nums) < 2 or len(nums) % 2:
                return None, "must hold pairs of (minutes, weight)"
            bounds, weights = nums[0::2], nums[1::2]
            if any(b <= 0 for b in bounds) or any(b2 <= b1 for b1, b2 in zip(bounds, bounds[1:], strict=False)):
                return None, "step bounds must be positive and rising"
            if any(w > 1 for w in weights):
                return None, "weights must be between 0 and 1"
        return tuple(nums), ""
    num, why = _number(value)
    if why:
        return None, why
    if kind == "int":
        if num != int(num):
            return None, "must be a whole number"
        num = int(num)
    m = f.metadata
    lo, hi = m["minimum"], m["maximum"]
    if lo is not None:
        if m["exclusive_minimum"] and num <= lo:
            return None, ("must be above zero" if lo == 0 else f"must be above {lo:g}")
        if not m["exclusive_minimum"] and num < lo:
            return None, ("is negative" if lo == 0 else f"is below the minimum {lo:g}")
    if hi is not None and num > hi:
        return None, f"is above the maximum {hi:g}"
    return num, ""


def _number(value: Any) -> tuple[float, str]:
    if isinstance(value, bool):
        return 0.0, "is not a number"
    try:
        num = float(value)
    except (TypeError, ValueError):
        return 0.0, "is not a number"
    if not math.isfinite(num):
        return 0.0, "is not a finite number"
    return num, ""


def check_assumptions(a: Assumptions) -> ProblemList:
    """Validate a constructed object (direct construction bypasses ``with_overrides``)."""
    problems = ProblemList("assumptions")
    for f in dataclasses.fields(a):
        value = getattr(a, f.name)
        if isinstance(value, list):
            value = tuple(value)
            object.__setattr__(a, f.name, value)
        _, why = coerce_value(f, value)
        if why:
            problems.add(f"assumption {f.name!r}: {why}", column=f.name, value=value,
                         fix=fix_text(f))
    if a.horizon_year < a.base_year:
        problems.add("the horizon year is before the base year", column="horizon_year",
                     value=a.horizon_year, fix="Set a horizon year at or after the base year")
    for t in HOUSING_TYPES:
        if not hasattr(a, f"occupancy_{t}") or not hasattr(a, f"age_profile_{t}"):
            problems.add(f"housing type {t!r} has no occupancy or age profile")
    return problems
