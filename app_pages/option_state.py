"""The option being built, and the appraisal and site finder over it: cached calls that
evaluate a scenario document against the baseline the other screens show."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import streamlit as st

from estates.assumptions import Assumptions
from estates.engine.evaluate import Result
from estates.model import Region
from estates.options.apply import apply_with_costs, check_scenario
from estates.options.compare import Comparison, compare
from estates.options.scenario import Scenario, scenario_assumptions

if TYPE_CHECKING:  # imported where used: the site finder and appraisal load scipy's solvers
    from estates.options.appraisal import Appraisal
    from estates.options.optimise import SiteChoice

from app_pages.common import (
    _evaluate,
    _growth,
    _inputs,
    load_region,
    scenario_json,
)

# ------------------------------------------------------------------------------ scenarios


@dataclass(frozen=True)
class Option:
    """A scenario evaluated: the document, its changed region, result, costs and comparison."""

    scenario: Scenario
    region: Region
    result: Result
    comparison: Comparison


@st.cache_resource(show_spinner="Evaluating the option...", max_entries=16)
def _option(folder: str, upload: dict[str, Any] | None, edits_json: str, overrides_json: str,
            doc_json: str) -> Option:
    from estates.engine.evaluate import evaluate

    base_a = Assumptions().with_overrides(json.loads(overrides_json), file="Assumptions page")
    region = load_region(folder)
    scenario = check_scenario(doc_json, region, file="the scenario", assumptions=base_a)
    applied = apply_with_costs(region, scenario, assumptions=base_a)
    chosen = scenario_assumptions(scenario, base_a, file="the scenario")
    growth = _growth(folder, upload, edits_json, base_a.base_year)
    result = evaluate(applied.region, growth=growth, assumptions=chosen)
    baseline = _evaluate(folder, upload, edits_json, overrides_json)
    return Option(scenario, applied.region, result,
                  compare(baseline, result, costs=applied.costs))


def option(doc: dict[str, Any] | None = None) -> Option:
    """The scenario (default: the one in the session) evaluated against the baseline.

    Raises ``ScenarioError`` (an EstatesError) when the scenario does not fit the region.
    """
    return _option(*_inputs(), scenario_json(doc))


@st.cache_resource(show_spinner="Appraising the options...", max_entries=8)
def _appraisal(folder: str, upload: dict[str, Any] | None, edits_json: str, overrides_json: str,
               doc_json: str, k: int) -> Appraisal:
    from estates.options.appraisal import default_options, run_appraisal

    a = Assumptions().with_overrides(json.loads(overrides_json), file="Assumptions page")
    region = load_region(folder)
    baseline = _evaluate(folder, upload, edits_json, overrides_json)
    options = default_options(region, baseline, k=k)
    doc = json.loads(doc_json)
    if doc["changes"]:
        mine = check_scenario(doc_json, region, file="the scenario")
        taken = {o.name for o in options}
        if mine.name in taken:  # names must be unique in an appraisal
            mine = replace(mine, name=f"{mine.name} (yours)")
        options.append(mine)
    return run_appraisal(region, _growth(folder, upload, edits_json, a.base_year), a, options,
                         baseline=baseline)


def appraisal(*, k: int = 2) -> Appraisal:
    """The options appraisal: the default options plus the user's scenario (cached)."""
    return _appraisal(*_inputs(), scenario_json(), k)


def appraisal_done() -> Appraisal | None:
    """The appraisal if the user has asked for it on the Options screen, else None."""
    k = st.session_state["appraisal_k"]
    return None if k is None else appraisal(k=k)


@st.cache_resource(show_spinner="Finding sites...", max_entries=8)
def _find_sites(folder: str, upload: dict[str, Any] | None, edits_json: str,
                overrides_json: str, k: int, budget_gbp: float | None,
                grid_m: float | None) -> SiteChoice:
    from estates.options.optimise import find_sites

    baseline = _evaluate(folder, upload, edits_json, overrides_json)
    return find_sites(load_region(folder), baseline, k=k, budget_gbp=budget_gbp, grid_m=grid_m)


def site_choice(k: int, budget_gbp: float | None, grid_m: float | None) -> SiteChoice:
    """The site finder's choice on the baseline (cached on its plain parameters)."""
    return _find_sites(*_inputs(), k, budget_gbp, grid_m)


