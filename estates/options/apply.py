"""Applying a scenario's changes to a region, purely, with the capital cost of each change.

``apply_scenario`` returns a new Region (the input is never modified). ``check_scenario`` is the
one place a document is checked against a region: it reads the document and walks its changes
in order as they would be applied, reporting every problem at once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from estates.assumptions import Assumptions
from estates.errors import ProblemList, ScenarioError
from estates.model import Region
from estates.options.changes import (
    HANDLERS,
    ChangeState,
    adds_only_a_branch,
    check_references,
)
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
    other is derived from ``Assumptions.gross_m2_per_room`` so that both capacity methods see
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
    data: Mapping[str, Any] | str | bytes, region: Region, *, file: str = "scenario",
    assumptions: Assumptions | None = None,
) -> Scenario:
    """Read a scenario document and check every change against ``region``, as
    ``apply_scenario`` would apply them, in order (codes exist, floor area fits the candidate
    building, no practice merged into itself...), under ``assumptions`` (default: the
    defaults) with the scenario's own overrides, as they will be applied.

    Raises
    ------
    ScenarioError
        Listing every problem at once, each as ``changes[i].field: what is wrong (value ...)``.
    """
    scenario, problems = read_document(data, file=file)
    if scenario is None:
        problems.raise_if_any(ScenarioError)
        raise AssertionError("a document whose changes cannot be read has problems")
    # Changes with problems of their own are not applied, but the codes they name are still
    # checked against the region; the others are checked as they would be applied. With bad
    # overrides, the changes are checked against the defaults. So every problem is reported
    # in one go: the schema's and the region's.
    malformed: dict[int, set[str]] = {}
    for p in problems.items:
        m = re.match(r"changes\[(\d+)\](?:\.(\w+))?", p.message)
        if m:
            malformed.setdefault(int(m.group(1)), set()).add(m.group(2) or "")
    bad_overrides = any(p.message.startswith("assumptions") for p in problems.items)
    base = assumptions or Assumptions()
    a = base if bad_overrides else scenario_assumptions(scenario, base, file=file)
    try:
        _apply(region, scenario, a, file, malformed=malformed)
    except ScenarioError as exc:
        problems.items.extend(exc.problems)
    problems.raise_if_any(ScenarioError)
    return scenario


def read_checked_scenario(path: Path | str, region: Region) -> Scenario:
    """Read a scenario JSON file and check it against ``region`` (see ``check_scenario``)."""
    return check_scenario(read_scenario_bytes(path), region, file=str(path))




def remap_registrations(registrations: pd.DataFrame | None,
                        moved_to: Mapping[str, str]) -> pd.DataFrame | None:
    """Registrations with each merged or closed practice's patients under the practice that
    took its list (following chains: A into B, then B into C), summed per practice and zone."""
    if registrations is None or not moved_to:
        return None if registrations is None else registrations.copy()

    def final(code: str) -> str:
        seen = {code}
        while code in moved_to:
            code = moved_to[code]
            if code in seen:  # a cycle cannot arise from valid changes; stop rather than loop
                break
            seen.add(code)
        return code

    out = registrations.copy()
    out["practice_code"] = out["practice_code"].astype(str).map(final)
    extra = [c for c in out.columns if c not in ("practice_code", "zone_code", "patients")]
    summed = out.groupby(["practice_code", "zone_code"], as_index=False, sort=False)[
        "patients"].sum()
    return summed if not extra else summed.reindex(columns=list(out.columns))


def _apply(region: Region, scenario: Scenario, a: Assumptions, file: str, *,
           malformed: Mapping[int, set[str]] | None = None) -> Applied:
    state = ChangeState(region.practices.copy(), region.catchments.copy(),
                        region.candidates.copy(), a, ProblemList(file))
    malformed = malformed or {}
    for i, change in enumerate(scenario.changes):
        if not adds_only_a_branch(change):
            state.flush()
        if i in malformed:
            check_references(state, i, change, malformed[i])
        else:
            HANDLERS[str(change["type"])](state, i, change)
    state.flush()
    state.problems.raise_if_any(ScenarioError)
    # dataclasses.replace keeps every layer the changes do not touch (zones, growth, rasters,
    # and any layer added to Region later); only the practice-keyed layers are rebuilt.
    out = dataclasses.replace(
        region, practices=state.practices, catchments=state.catchments,
        candidates=state.candidates, warnings=list(region.warnings),
        registrations=remap_registrations(region.registrations, state.list_moved_to),
    )
    costs = pd.DataFrame(state.costs, columns=["change", "type", "what", "m2", "basis",
                                               "rate_gbp_per_m2", "cost_gbp"])
    return Applied(out, costs)


def choose_hubs(*args: Any, **kwargs: Any) -> Any:
    """Choose the hubs of a merger: see ``estates.options.centralise.hubs.choose_hubs``
    (imported when called, so applying a scenario does not load the centralisation solver)."""
    from estates.options.centralise.hubs import choose_hubs as choose

    return choose(*args, **kwargs)
