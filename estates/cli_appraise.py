"""``python -m estates appraise``: the options appraisal a capital bid cites (every standard option
and each ``--option``, scored against fixed reference points)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from estates.cli_inputs import Progress, one_line, read_assumptions, read_growth
from estates.errors import InputError


def add_appraise(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("appraise", help="the options appraisal a capital bid cites: the "
                                         "standard options plus your own, scored and ranked")
    ap.add_argument("--region", type=Path, default=None,
                    help="region folder (default: the bundled demonstration region)")
    ap.add_argument("--housing", type=Path, default=None,
                    help="housing-site CSV/XLSX replacing the region's own sites")
    ap.add_argument("--assumptions", type=Path, default=None,
                    help="JSON of assumption overrides ({name: value})")
    ap.add_argument("--option", type=Path, action="append", default=[],
                    help="scenario JSON of an option to appraise beside the standard ones; "
                         "repeat for several")
    ap.add_argument("--k", type=int, default=2,
                    help="most new sites the site finder's option may open (default 2)")
    ap.add_argument("--out", type=Path, default=Path("out"), help="output folder (default ./out)")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    ap.set_defaults(handler=cmd_appraise)


def cmd_appraise(args: argparse.Namespace) -> int:
    """``appraise``: write appraisal.csv, appraisal.json and report.html into ``--out``."""
    from estates.engine.evaluate import evaluate
    from estates.io.export import summary_json, write_csv
    from estates.io.region import demo_region, read_region
    from estates.options.apply import read_checked_scenario
    from estates.options.appraisal import appraisal_records, default_options, run_appraisal
    from estates.report.html import build_report

    progress = Progress(4, args.quiet)
    if args.k < 0:
        raise InputError(f"--k must be 0 or more (value {args.k})")
    region = demo_region() if args.region is None else read_region(args.region)
    assumptions = read_assumptions(args.assumptions)
    growth = read_growth(args.housing, region, assumptions)
    # Every option file is checked before anything is evaluated; each problem is one line.
    options, problems = [], []
    for path in args.option:
        try:
            options.append(read_checked_scenario(path, region))
        except InputError as exc:
            problems += [str(p) for p in exc.problems] or [one_line(exc)]
    if problems:
        for line in problems:
            print(f"estates: {one_line(Exception(line))}", file=sys.stderr)
        return 2
    progress.step(f"read region {region.name!r} and {len(options)} option file(s)")
    baseline = evaluate(region, growth, assumptions)
    baseline.warnings[:0] = region.warnings
    progress.step("evaluated the baseline")
    standard = default_options(region, baseline, k=args.k)
    taken = {o.name for o in standard}
    clash = [o.name for o in options if o.name in taken]
    if clash:
        for name in clash:
            print(f"estates: option name {name!r} is already a standard option's name; "
                  "rename it in its file", file=sys.stderr)
        return 2
    done = run_appraisal(region, growth, assumptions, [*standard, *options], baseline=baseline)
    progress.step(f"appraised {len(done.table)} options")
    args.out.mkdir(parents=True, exist_ok=True)
    records = appraisal_records(done)
    write_csv(records, args.out / "appraisal.csv")
    (args.out / "appraisal.json").write_text(summary_json({
        "options": records.to_dict(orient="records"),
        "weights": done.weights,
        "references": done.table.attrs.get("references", {}),
        "new_sites": {name: c.new_sites for name, c in done.comparisons.items()},
        "assumptions": assumptions.to_dict()}))
    report = build_report(region, baseline, appraisal=done.table,
                          title=f"Options appraisal: {region.name}")
    (args.out / "report.html").write_text(report, encoding="utf-8")
    progress.step(f"wrote appraisal.csv, appraisal.json and report.html to {args.out}")
    for _, row in done.table.iterrows():
        print(f"{int(row['rank'])}. {row['option']}: score {row['score']:.1f}")
    return 0


