"""Figures quoted in the documentation, written from the tool's own output.

README.md and data/demo/README.md quote the demonstration region's headline. Each quote sits
between ``<!-- figures:NAME -->`` and ``<!-- /figures -->`` and is rewritten from
``evaluate`` on the demo (``make docs``, or ``python -m estates.io.docs_figures``); with
``--check`` nothing is written and the exit code is 1 when a file disagrees with the tool, as
tests/io/test_docs_figures.py checks, so a figure can never be written by hand.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from estates.model import fy

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
FILES = (ROOT / "README.md", DEMO / "README.md")
_BLOCK = re.compile(r"(<!-- figures:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /figures -->)",
                    re.S)


def blocks(summary: dict[str, Any], gross: dict[str, Any] | None = None) -> dict[str, str]:
    """The text of each named block, from an evaluation's summary.

    ``gross``: the same evaluation with the floor standard read as gross, to say how the
    headline moves with the basis (issue 11 item 2).
    """
    s = summary
    h = fy(s["horizon_year"])
    t = f"{s['threshold_minutes']:g}"
    cap, base, dem = s["aggregate_capacity"], s["aggregate_demand_base"], s["aggregate_demand"]
    readme = (
        f"On premises (floor space, the net standard grossed up) the region can serve "
        f"{cap:,.0f} patients against a need-weighted demand of {dem:,.0f} in {h} (headroom "
        f"{s['aggregate_headroom']:,.0f}); {s['practices_in_deficit']} of {s['practices']} "
        f"practices are in deficit on premises (shortfall {s['deficit_total']:,.0f} patients), "
        f"{s['practices_in_deficit_workforce']} on GP workforce and "
        f"{s['practices_in_deficit_effective']} on the lower of the two. Within {t} minutes by "
        f"car {s['unmet_demand_within_threshold']:,.0f} patients are unmet: "
        f"{s['unmet_no_surgery_in_reach']:,.0f} in zones with no surgery in reach and "
        f"{s['unmet_surgeries_full']:,.0f} whose surgeries are full, of whom "
        f"{s['misplaced_capacity']:,.0f} could be served by spare space in the wrong place.\n")
    by = s.get("unmet_by_threshold", {})
    sens = "; ".join(f"{k} minutes {v['unmet_demand_within_threshold']:,.0f} "
                     f"({v['unmet_no_surgery_in_reach']:,.0f} with no surgery in reach)"
                     for k, v in by.items())
    demo = (
        f"- residents: {s['population']:,.0f}; dwellings planned: {s['dwellings']:,.0f}\n"
        f"  ({s['dwellings_by_horizon']:,.0f} completed by {h})\n"
        f"- capacity: {cap:,.0f} patients; demand {fy(s['base_year'])}: {base:,.0f} "
        f"(headroom {100 * (cap / base - 1):.1f} %);\n"
        f"  demand {h}: {dem:,.0f} (headroom {100 * (cap / dem - 1):.1f} %)\n"
        f"- practices in deficit on premises: {s['practices_in_deficit_base']} in "
        f"{fy(s['base_year'])}, {s['practices_in_deficit']} in {h}; on GP workforce "
        f"{s['practices_in_deficit_workforce']} in {h}\n"
        f"- unmet within: {sens}\n")
    out = {"readme-demo": readme, "demo-headline": demo}
    if gross is not None:
        g = gross
        out["readme-basis"] = (
            f"Read as gross, the same standard gives the demo {g['aggregate_capacity']:,.0f} "
            f"patients of capacity (headroom {g['aggregate_headroom']:,.0f} in {h}, "
            f"{g['practices_in_deficit']} practices in deficit, {g['misplaced_capacity']:,.0f} "
            f"in the wrong place); read as net and grossed up, {cap:,.0f} (headroom "
            f"{s['aggregate_headroom']:,.0f}, {s['practices_in_deficit']} practices in deficit, "
            f"{s['misplaced_capacity']:,.0f} in the wrong place).\n")
    return out


def demo_summary(**overrides: Any) -> dict[str, Any]:
    from estates.assumptions import Assumptions
    from estates.engine.evaluate import evaluate
    from estates.io.region import read_region

    return evaluate(read_region(DEMO), assumptions=Assumptions().with_overrides(overrides)).summary


def demo_blocks() -> dict[str, str]:
    return blocks(demo_summary(), demo_summary(floor_standard_basis="gross"))


def sync(texts: dict[str, str], files: tuple[Path, ...] = FILES, *, write: bool) -> list[str]:
    """Rewrite (or, without ``write``, compare) every block; return what disagreed."""
    stale: list[str] = []
    for path in files:
        old = path.read_text(encoding="utf-8")

        def swap(m: re.Match[str], path: Path = path) -> str:
            name = m.group("name")
            if name not in texts:
                stale.append(f"{_rel(path)}: unknown figures block {name!r}")
                return m.group(0)
            if m.group("body") != texts[name]:
                stale.append(f"{_rel(path)}: block {name!r} disagrees with the tool")
            return m.group(1) + texts[name] + m.group(4)

        new = _BLOCK.sub(swap, old)
        if write and new != old:
            path.write_text(new, encoding="utf-8")
    return stale


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    stale = sync(demo_blocks(), write=not check)
    for line in stale:
        print(line)
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
