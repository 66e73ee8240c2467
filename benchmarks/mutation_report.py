"""Mutation scores per module from mutmut's results, into benchmarks/results/mutation.json.

mutmut 3 keeps each mutated file's results in ``mutants/<path>.meta`` (JSON: mutant name to the
test run's exit code). This script reads them, sets aside the mutants judged equivalent in
``benchmarks/mutation_equivalent.txt`` (one line each: mutant name, then why no test can tell
it from the original), and writes per module: mutants, checked, killed, survived, no tests,
equivalent and the score (killed / checked and not equivalent), with every surviving mutant
listed. Run ``make mutation`` (every module, one after the other: hours on two cores) or, to
check a sample, ``python benchmarks/mutation_report.py --sample 60 --module
estates.engine.allocation`` to print 60 mutant names (seeded) to pass to ``mutmut run``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.txt"
OUT = ROOT / "benchmarks" / "results" / "mutation.json"

# mutmut's exit codes (mutmut.stats.status_by_exit_code, 3.8.1)
KILLED = {1, 3, 24, -24, 152, 255, 36, 37, -11, -9}  # killed, timeout, type check, crash
SURVIVED = {0}
NO_TESTS = {5, 33}


def equivalent_mutants(path: Path = EQUIVALENT) -> dict[str, str]:
    """Mutant name -> the reason it is equivalent, from the checked-in list."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, why = line.partition(" ")
        out[name] = why.strip()
    return out


def read_results(mutants: Path = MUTANTS) -> dict[str, dict[str, int | None]]:
    """Module (dotted) -> mutant name -> exit code (None: not run yet)."""
    out: dict[str, dict[str, int | None]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data.get("exit_code_by_key", {})
        if not codes:
            continue
        module = str(meta.relative_to(mutants))[: -len(".py.meta")].replace("/", ".")
        out[module] = codes
    return out


def score(results: dict[str, dict[str, int | None]], equivalent: dict[str, str]) -> dict:
    modules = {}
    totals = {"killed": 0, "scored": 0}
    for module, codes in results.items():
        killed, survived, no_tests, equiv, unchecked = [], [], [], [], []
        for name, code in sorted(codes.items()):
            if code is None:
                unchecked.append(name)
            elif name in equivalent and code not in KILLED:
                equiv.append(name)
            elif code in KILLED:
                killed.append(name)
            elif code in NO_TESTS:
                no_tests.append(name)
            else:
                survived.append(name)
        scored = len(killed) + len(survived) + len(no_tests)
        modules[module] = {
            "mutants": len(codes),
            "checked": len(codes) - len(unchecked),
            "killed": len(killed),
            "survived": len(survived),
            "no_tests": len(no_tests),
            "equivalent": len(equiv),
            "score_pct": round(100.0 * len(killed) / scored, 1) if scored else None,
            "surviving": survived + no_tests,
            "equivalent_mutants": {n: equivalent[n] for n in equiv},
        }
        totals["killed"] += len(killed)
        totals["scored"] += scored
    overall = (round(100.0 * totals["killed"] / totals["scored"], 1) if totals["scored"]
               else None)
    return {"tool": "mutmut 3.8.1", "score": "killed / (checked - equivalent)",
            "overall_score_pct": overall, **totals, "modules": modules}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, help="print this many mutant names of --module")
    ap.add_argument("--module", help="dotted module, e.g. estates.engine.allocation")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    results = read_results()
    if not results:
        print("no mutmut results under ./mutants: run `mutmut run` first", file=sys.stderr)
        return 2
    if args.sample:
        if args.module not in results:
            print(f"no mutants for module {args.module!r}; known: {', '.join(results)}",
                  file=sys.stderr)
            return 2
        names = sorted(results[args.module])
        print(" ".join(sorted(random.Random(args.seed).sample(names, min(args.sample,
                                                                           len(names))))))
        return 0
    report = score(results, equivalent_mutants())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{'module':40} {'checked':>8} {'killed':>7} {'survived':>9} {'equiv':>6} {'score':>7}")
    for module, m in report["modules"].items():
        s = "-" if m["score_pct"] is None else f"{m['score_pct']:.1f}%"
        print(f"{module:40} {m['checked']:8d} {m['killed']:7d} "
              f"{m['survived'] + m['no_tests']:9d} {m['equivalent']:6d} {s:>7}")
    print(f"overall {report['overall_score_pct']}%  (written to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
