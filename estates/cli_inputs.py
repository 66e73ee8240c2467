"""Inputs every command reads the same way: the assumptions file, the housing sites (or the
region's own), and an error as one line for stderr."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from estates.errors import InputError


def one_line(error: Exception) -> str:
    return " ".join(str(error).split())



def read_assumptions(path: Path | None) -> Any:
    from estates.assumptions import Assumptions

    if path is None:
        return Assumptions()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    return Assumptions.from_json(text, file=str(path))


def read_growth(path: Path | None, region: Any, assumptions: Any) -> Any:
    """The region's own housing sites, or those of ``--housing`` (rejected rows become
    warnings on the region)."""
    if path is None:
        return region.growth
    from estates.io.housing import HousingOptions, extent_of, read_housing_sites

    # The region's extent sets the far-outlier rule, so that a county-wide register is kept.
    imported = read_housing_sites(path, base_year=assumptions.base_year,
                                  options=HousingOptions(region_extent=extent_of(region.zones)))
    region.warnings.extend(imported.warnings)
    region.warnings.extend(f"{imported.filename}, row {r}: rejected: {why}"
                           for r, why in zip(imported.rejected["row"],
                                             imported.rejected["reason"], strict=True))
    return imported.to_growth()


class Progress:
    """Step-by-step progress on stderr, with timings (silent with --quiet)."""

    def __init__(self, steps: int, quiet: bool) -> None:
        self.steps, self.quiet, self.done = steps, quiet, 0
        self.start = time.perf_counter()

    def step(self, text: str) -> None:
        self.done += 1
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            print(f"[{self.done}/{self.steps}] {text} ({elapsed:.1f} s)", file=sys.stderr,
                  flush=True)
