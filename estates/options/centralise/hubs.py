"""Primary care's centralisation: merge a group of practices into k hubs, choosing the hubs
with the same analysis as an acute service (which k of the practices' sites serve the older and
rural residents best), and writing the merge changes a scenario applies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from estates.assumptions import Assumptions
from estates.errors import InputError
from estates.model import Region
from estates.options.centralise.analysis import Centralisation, RankRule, centralise


@dataclass(frozen=True)
class HubChoice:
    """The chosen hubs, the merge changes for a scenario, and the full analysis behind them."""

    hubs: tuple[str, ...]
    changes: list[dict[str, Any]]
    analysis: Centralisation


def choose_hubs(region: Region, practice_codes: Sequence[str], k: int, *,
                assumptions: Assumptions | None = None, rule: RankRule | None = None,
                must_keep: Sequence[str] = ()) -> HubChoice:
    """Pick ``k`` hubs among ``practice_codes`` (main practices) and merge the others into them.

    Every combination of ``k`` of the practices' main sites is scored on the region's zones by
    ``centralise``, with the GP travel thresholds (``threshold_minutes`` and
    ``wider_threshold_minutes``) in place of the acute ones, and ranked by ``rule`` (default: most
    residents aged 65+ within the wider threshold, then the shortest 95th percentile journey).
    Each practice that is not a hub merges into the hub nearest its own site by car (straight
    line), so its patients' surgery moves as little as possible.
    """
    a = assumptions or Assumptions()
    codes = list(dict.fromkeys(str(c) for c in practice_codes))
    mains = region.main_practices
    unknown = [c for c in codes if c not in mains.index]
    if unknown:
        raise InputError(f"practice(s) {', '.join(unknown)} are not main practices of "
                         f"{region.name}; give the practice codes to merge")
    if len(codes) < 2:
        raise InputError("merging into hubs needs at least two practices")
    if not 1 <= k < len(codes):
        raise InputError(f"{k} hub(s) for {len(codes)} practices: choose between 1 and "
                         f"{len(codes) - 1}")
    chosen = mains.loc[codes]
    sites = pd.DataFrame({"name": chosen["site_name"].astype(str).to_numpy(),
                          "x": chosen.geometry.x.to_numpy(), "y": chosen.geometry.y.to_numpy(),
                          "capacity": np.nan}, index=pd.Index(codes, name="site_id"))
    gp = a.with_overrides({"centralise_thresholds_minutes": sorted(
        {a.threshold_minutes, a.wider_threshold_minutes})}, file="GP thresholds")
    analysis = centralise(region.zones, sites, k, must_keep=must_keep, rule=rule,
                          assumptions=gp)
    hubs = tuple(str(analysis.best["sites"]).split("+"))
    xy = sites[["x", "y"]].to_numpy()
    hub_idx = [codes.index(h) for h in hubs]
    members: dict[str, list[str]] = {h: [] for h in hubs}
    for i, code in enumerate(codes):
        if code in hubs:
            continue
        # straight line: every mode's time is proportional to it, so the nearest is the same
        distance = np.hypot(*(xy[hub_idx] - xy[i]).T)
        members[hubs[int(np.argmin(distance))]].append(code)
    changes = [{"type": "merge", "hub_code": h, "practices": m} for h, m in members.items() if m]
    return HubChoice(hubs, changes, analysis)
