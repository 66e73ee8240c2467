"""Run every benchmark and print, for each target, our figure, the peer's in the same run, and
the ratio.

Each benchmark script prints its own detailed table and writes JSON to benchmarks/results/;
this script runs them one after the other (the machines are shared: never in parallel) and
then gathers the headline rows. Run: ``make bench`` or ``python benchmarks/run_all.py
[--quick]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

#: script -> arguments for a full run and for --quick
SCRIPTS: dict[str, tuple[list[str], list[str]]] = {
    "bench_engine.py": (["--repeats", "7"], ["--repeats", "3"]),
    "bench_access.py": (["--repeats", "5"], ["--repeats", "3", "--ids", "int", "categorical"]),
    "bench_options.py": (["--quick"], ["--quick"]),
    "bench_app.py": ([], []),
}


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _s(x: Any, unit: str = "s") -> str:
    if x is None:
        return "-"
    if unit == "ms":
        return f"{float(x) * 1000:.0f} ms"
    if unit == "MB":
        return f"{float(x):.0f} MB"
    return f"{float(x):.2f} s"


def _ratio(peer: Any, ours: Any) -> str:
    """How many times ``peer`` is ``ours`` (above 1: we are faster)."""
    if peer is None or ours is None or float(ours) == 0:
        return "-"
    return f"{float(peer) / float(ours):.1f}x"


def engine_rows(d: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return [
        ("evaluation, demo", _s(d.get("demo_evaluate_s"), "ms"), "-", "-", "< 200 ms"),
        ("evaluation, England", _s(d.get("england_evaluate_s")), "-", "-", "< 10 s"),
        ("evaluation, England, peak memory", _s(d.get("england_peak_mb"), "MB"), "-", "-", "-"),
        ("max flow, demo (peer: networkx)", _s(d.get("demo_maxflow_s"), "ms"),
         _s(d.get("demo_networkx_s"), "ms"), _ratio(d.get("demo_networkx_s"), d.get("demo_maxflow_s")),
         "-"),
    ]


def access_rows(d: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    n = _get(d, "problem", "pairs")
    pairs = f"{n:,}" if isinstance(n, int) else "?"
    rows = []
    for method, label, target in (("e2sfca", "E2SFCA", ">= 50x"), ("2sfca", "2SFCA", "-")):
        for kind, v in (d.get("by_ids") or {}).items():
            sec = v.get("seconds_median", {})
            ours, peer = sec.get(f"{method}_ours"), sec.get(f"{method}_peer")
            cpu = v.get(f"{method}_cpu_peer_over_ours")
            ratio = _ratio(peer, ours) + (f" (CPU {cpu:.0f}x)" if cpu else "")
            rows.append((f"{label}, England, {pairs} pairs, {kind} ids (peer: PySAL access)",
                         _s(ours, "ms"), _s(peer), ratio, target))
    rows += [
        ("E2SFCA prebuilt operator, evaluate alone", _s(d.get("operator_evaluate_s"), "ms"), "-",
         "-", "-"),
        ("pair building, England", _s(d.get("pair_building_s")), "-", "-", "< 1 s"),
        ("pair building, peak traced memory", _s(d.get("pair_building_peak_traced_mib"), "MB"),
         "-", "-", "< 1 GB"),
    ]
    return rows


def options_rows(d: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for name, t in (d.get("demo_change_s") or {}).items():
        rows.append((f"one change, demo: {name}", _s(t, "ms"), "-", "-", "< 300 ms"))
    for name, t in (d.get("england_change_s") or {}).items():
        rows.append((f"one change, England: {name}", _s(t), "-", "-", "-"))
    mclp = d.get("spopt_mclp")
    if isinstance(mclp, list):
        for m in mclp:
            ours, peer = m.get("estates_milp_s"), m.get("spopt_mclp_cbc_s")
            rows.append((f"site finder vs spopt MCLP, p={m.get('p')}", _s(ours, "ms"),
                         _s(peer, "ms"), _ratio(peer, ours),
                         f"gap {m.get('gap_patients', '-')} patients"))
    return rows


def app_rows(d: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return [
        ("dashboard: first page interactive (peer: bare one-line app)",
         _s(d.get("first_page_s")), _s(d.get("floor_first_page_s")),
         # ours over the floor: how much the dashboard adds to a bare Streamlit start
         (_ratio(d.get("first_page_s"), d.get("floor_first_page_s")) + " the floor"
          if d.get("floor_first_page_s") else "-"), "< 5 s"),
        ("dashboard: re-render after one change", _s(d.get("rerender_s")), "-", "-", "< 1 s"),
        ("dashboard: map HTML", f"{d['map_mb']:.2f} MB" if "map_mb" in d else "-", "-", "-",
         "< 3 MB"),
    ]


GATHER: dict[str, tuple[str, Callable[[dict[str, Any]], list[tuple[str, str, str, str, str]]]]] = {
    "bench_engine.py": ("engine.json", engine_rows),
    "bench_access.py": ("access.json", access_rows),
    "bench_options.py": ("options.json", options_rows),
    "bench_app.py": ("app.json", app_rows),
}


def main() -> int:
    parser = argparse.ArgumentParser(description="Run every benchmark and print the targets.")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", nargs="*", default=None, help="script names to run")
    parser.add_argument("--gather-only", action="store_true",
                        help="do not run; print the table from the last results")
    args = parser.parse_args()
    failed = []
    if not args.gather_only:
        for script, (full, quick) in SCRIPTS.items():
            if args.only and script not in args.only:
                continue
            print(f"\n=== {script}", flush=True)
            done = subprocess.run([sys.executable, str(HERE / script), *(quick if args.quick else full)],
                                  cwd=HERE.parent)
            if done.returncode != 0:
                failed.append(script)
    rows: list[tuple[str, str, str, str, str]] = []
    for script, (name, gather) in GATHER.items():
        path = RESULTS / name
        if path.is_file():
            rows.extend(gather(json.loads(path.read_text())))
        else:
            rows.append((f"{script}: no results", "-", "-", "-", "-"))
    head = ("figure", "estates", "peer (same run)", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(5)]
    print("\n" + "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
