"""The command line: ``python -m estates <command> ...``, a thin face over the library.

Each subcommand is one small function taking the parsed arguments and returning an exit code;
``main`` builds the parser from the ``SUBCOMMANDS`` table so new commands slot in beside
``sites`` and ``region``. Exit 0 on success, 2 when an input cannot be used (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from estates.cli_appraise import add_appraise
from estates.cli_centralise import add_centralise
from estates.cli_inputs import Progress, one_line, read_assumptions, read_growth
from estates.data_check import add_data
from estates.errors import EstatesError, InputError
from estates.io.outfolder import check_out_folder, staged_output

# ---------------------------------------------------------------------------- sites


def _add_sites(sub: argparse._SubParsersAction) -> None:
    sites = sub.add_parser("sites", help="housing-site files")
    actions = sites.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="read a housing-site file and report every row")
    check.add_argument("file", type=Path, help="CSV or XLSX: the template or a register")
    check.add_argument("--json", action="store_true", help="print the JSON report")
    check.add_argument("--base-year", type=int, default=2026,
                       help="first financial year (2026 = 2026/27); default 2026")
    check.add_argument("--dwellings-field", default="auto",
                       choices=["auto", "minimum", "maximum", "template"],
                       help="which dwellings count to use when a file has several")
    check.add_argument("--outlier-km", type=_outlier_km, default=40.0, metavar="KM",
                       help="reject a site this far from the file's other sites (and from any "
                            "other site) as a likely typing error; 'off' keeps every site. "
                            "Default 40")
    check.set_defaults(handler=cmd_sites_check)


def _outlier_km(text: str) -> float | None:
    if text.strip().lower() in ("off", "none"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a distance in km (or 'off')") from None
    if not 0 < value < 10_000:
        raise argparse.ArgumentTypeError(f"{text!r}: give a distance above 0 km (or 'off')")
    return value


def cmd_sites_check(args: argparse.Namespace) -> int:
    """``sites check FILE [--json]``: read a housing-site file, print accepted/rejected rows."""
    from estates.io.housing import HousingOptions, read_housing_sites

    imp = read_housing_sites(args.file, base_year=args.base_year,
                             options=HousingOptions(dwellings_field=args.dwellings_field,
                                                    outlier_distance_km=args.outlier_km))
    if args.json:
        # Escaped (still valid JSON) where the terminal cannot show every character.
        print(json.dumps(imp.to_json_dict(), ensure_ascii=not _utf8(sys.stdout)))
        return 0
    print(f"{imp.filename}: {imp.rows_read} rows read, {len(imp.accepted)} accepted, "
          f"{len(imp.rejected)} rejected")
    if len(imp.accepted):
        table = imp.accepted[["row", "site_ref", "name", "easting", "northing", "dwellings",
                              "housing_type", "phasing"]].copy()
        table["name"] = table["name"].str.slice(0, 40)
        print(table.to_string(index=False))
    if len(imp.rejected):
        print("\nRejected:")
        for row, reason in zip(imp.rejected["row"], imp.rejected["reason"], strict=True):
            print(f"  row {row}: {reason}")
    if imp.warnings:
        print("\nWarnings:")
        for w in imp.warnings:
            print(f"  - {w}")
    return 0


# ---------------------------------------------------------------------------- region build


def _add_region(sub: argparse._SubParsersAction) -> None:
    region = sub.add_parser("region", help="region folders")
    actions = region.add_subparsers(dest="action", required=True)
    build = actions.add_parser("build", help="assemble a region folder from national files")
    build.add_argument("--out", type=Path, required=True, help="folder to write")
    build.add_argument("--la", action="append", required=True,
                       help="local authority (LAD) code, e.g. E07000111; repeat for several")
    build.add_argument("--name", default="", help="region name for region.toml")
    for flag, what in [
        ("patients", "NHS Digital registered patients, gp-reg-pat-prac-all.csv (list sizes "
                     "only; use --workforce for the GP Workforce practice CSV)"),
        ("epraccur", "NHS ODS epraccur.csv"),
        ("workforce", "GP Workforce practice-level CSV"),
        ("lsoa", "ONS LSOA 2021 boundaries (GeoJSON/GPKG/SHP); LSOA 2011 files are refused"),
        ("population", "LSOA population by single year of age (CSV, or the ONS workbook)"),
        ("age-profile", "Census 2021 residents by five-year age per district (JSON/CSV): "
                        "used with LSOA boundaries carrying a Population column when "
                        "--population is not given"),
        ("ruc", "Rural-Urban Classification 2021 by LSOA (CSV), optional: without it "
                "rurality is unknown"),
        ("catchments", "practice catchment polygons, optional: without them catchments are "
                       "derived from --registrations, else from the nearest surgery"),
        ("libraries", "library dataset (CSV)"),
        ("postcodes", "ONS Postcode Directory extract (CSV)"),
        ("estates", "practice estates template (CSV)"),
        ("lookup", "LSOA 2021 to local authority lookup (CSV) or the districts' boundaries "
                   "(LADxxCD polygons), optional"),
        ("housing", "housing sites, optional"),
        ("registrations", "NHS Digital patients registered by practice and LSOA, optional: "
                          "new residents are then shared like their zone's registrations"),
    ]:
        build.add_argument(f"--{flag}", type=Path, help=what)
    build.add_argument("--catchment-share", type=float, default=80.0, metavar="PCT",
                       help="catchments from --registrations: the LSOAs holding each "
                            "practice's first PCT %% of patients (default 80)")
    build.set_defaults(handler=cmd_region_build)


def cmd_region_build(args: argparse.Namespace) -> int:
    """``region build --out DIR --la CODE ...``: write a region folder from national files."""
    from estates.io.assemble import RegionSources, build_region

    sources = RegionSources(
        patients=args.patients, epraccur=args.epraccur, workforce=args.workforce,
        lsoa=args.lsoa, population=args.population, ruc=args.ruc,
        catchments=args.catchments, libraries=args.libraries, postcodes=args.postcodes,
        estates=args.estates, lookup=args.lookup, housing=args.housing,
        registrations=args.registrations, age_profile=args.age_profile,
    )
    if not 0 < args.catchment_share <= 100:
        raise InputError(f"--catchment-share {args.catchment_share:g}: give a percentage "
                         "above 0 and at most 100")
    report = build_region(sources, out=args.out, la_codes=args.la, name=args.name,
                          catchment_share_pct=args.catchment_share)
    print(f"wrote {report.folder}: {', '.join(f'{v} {k}' for k, v in report.counts.items())}"
          f"; catchments {report.catchment_method}")
    for w in report.warnings:
        print(f"  - {w}")
    return 0


# ---------------------------------------------------------------------------- run


def _add_run(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="evaluate a region and write the tables, summary and report")
    run.add_argument("--region", type=Path, default=None,
                     help="region folder (default: the bundled demonstration region)")
    run.add_argument("--housing", type=Path, default=None,
                     help="housing-site CSV/XLSX replacing the region's own sites")
    run.add_argument("--assumptions", type=Path, default=None,
                     help="JSON of assumption overrides ({name: value})")
    run.add_argument("--scenario", type=Path, default=None,
                     help="scenario JSON: evaluate it against the baseline and report the "
                          "comparison (the tables written are the scenario's)")
    run.add_argument("--out", type=Path, default=Path("out"), help="output folder (default ./out)")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    run.set_defaults(handler=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: evaluate and write practices.csv, catchments.geojson, zones.csv, sites.csv,
    summary.json and report.html into ``--out``."""
    from estates.engine.evaluate import evaluate
    from estates.io.export import write_outputs
    from estates.io.region import demo_region, read_region
    from estates.report.html import build_report

    check_out_folder(args.out)  # before the work, so a bad --out costs nothing
    progress = Progress(5, args.quiet)
    region = demo_region() if args.region is None else read_region(args.region)
    progress.step(f"read region {region.name!r}: {len(region.practices)} surgery sites, "
                  f"{len(region.zones)} zones")
    assumptions = read_assumptions(args.assumptions)
    growth = read_growth(args.housing, region, assumptions)
    progress.step(f"housing: {len(growth.sites)} sites")
    result = evaluate(region, growth, assumptions)
    result.warnings[:0] = region.warnings
    progress.step("evaluated capacity, demand, allocation and access")
    if args.scenario is not None:
        return _run_scenario(args, region, growth, assumptions, result, progress)
    report = build_report(region, result)
    progress.step("built the report")
    with staged_output(args.out) as stage:
        written = write_outputs(region, result, stage, report_html=report, geopackage=True)
        written += _write_surfaces(region, None, stage)
    progress.step(f"wrote {len(written)} files to {args.out}")
    s = result.summary
    print(_headline(s))
    return 0


def _headline(s: dict[str, Any]) -> str:
    """One line of the run's headline; figures that need unknown capacity say so."""
    def patients(key: str) -> str:
        return "unknown" if s.get(key) is None else f"{s[key]:,.0f} patients"

    unknown = int(s.get("practices_without_floor_area") or 0)
    of = (f"{s['practices']} practices" if not unknown else
          f"{s['practices'] - unknown} practices of known capacity")
    line = (f"{s['region']}: aggregate headroom {patients('aggregate_headroom')} in "
            f"{s['horizon_year']}; {s['practices_in_deficit']} of {of} in "
            f"deficit; capacity in the wrong place {patients('misplaced_capacity')}")
    if s.get("practices_without_floor_area"):
        line += (f" ({s['practices_without_floor_area']} practices without floor area: capacity "
                 "unknown)")
    return line


def _run_scenario(args: argparse.Namespace, region: Any, growth: Any, assumptions: Any,
                  baseline: Any, progress: Progress) -> int:
    """``run --scenario``: the scenario's tables, its comparison and a report of both."""
    from estates.engine.evaluate import evaluate
    from estates.io.export import summary_json, write_outputs
    from estates.options.apply import apply_with_costs, read_checked_scenario
    from estates.options.compare import compare
    from estates.options.scenario import scenario_assumptions
    from estates.report.html import build_report

    scenario = read_checked_scenario(args.scenario, region)
    applied = apply_with_costs(region, scenario, assumptions=assumptions)
    option = evaluate(applied.region, growth, scenario_assumptions(scenario, assumptions))
    option.warnings[:0] = region.warnings
    comparison = compare(baseline, option, costs=applied.costs)
    changed = [str(c) for c in comparison.practices.index[
        (comparison.practices["deficit_resolved"].abs() > 0.5)
        | (comparison.practices["capacity_option"] - comparison.practices["capacity_base"]
           ).abs().gt(0.5)] if c in option.demand.index]
    report = build_report(applied.region, option, comparison=comparison, scenario=scenario,
                          title=f"{scenario.name}: {region.name}", chart_practices=changed,
                          base_region=region, sites=growth.sites)
    with staged_output(args.out) as stage:
        written = write_outputs(applied.region, option, stage, report_html=report,
                                geopackage=True)
        written += _write_surfaces(region, applied.region, stage)
        (stage / "comparison.json").write_text(summary_json(comparison.to_dict()))
        (stage / "scenario.json").write_text(scenario.to_json(), encoding="utf-8")
    progress.step(f"evaluated scenario {scenario.name!r}; wrote {len(written) + 2} files to "
                  f"{args.out}")
    c = comparison.summary
    print(f"{scenario.name}: deficit at {c['horizon_year']} {c['deficit_total_base']:,.0f} -> "
          f"{c['deficit_total_option']:,.0f} patients; practices in deficit "
          f"{c['practices_in_deficit_base']} -> {c['practices_in_deficit_option']}; unmet demand "
          f"within reach {c['unmet_demand_base']:,.0f} -> {c['unmet_demand_option']:,.0f}; "
          f"capital cost GBP {c['capital_cost_gbp']:,.0f}")
    return 0


def _write_surfaces(region: Any, option: Any, out: Path) -> list[Path]:
    """Minutes by car to the nearest surgery for every cell of the region's friction raster
    (``travel_time_to_gp.tif``) and, for a scenario, the change (``travel_time_change.tif``,
    scenario minus baseline: negative where journeys get shorter)."""
    if region.friction_raster is None:
        return []
    from estates.access.raster import Surface, travel_time_surface, write_surface
    from estates.access.travel import read_friction

    friction = read_friction(region.friction_raster, unit=region.friction_unit)
    base = travel_time_surface(region.practices, friction=friction)
    if option is None:
        return [write_surface(base, out / "travel_time_to_gp.tif")]
    after = travel_time_surface(option.practices, friction=friction)
    change = Surface(after.minutes - base.minutes, base.grid)
    return [write_surface(after, out / "travel_time_to_gp.tif"),
            write_surface(change, out / "travel_time_change.tif")]


# ---------------------------------------------------------------------------- appraise


#: Subcommand name -> function adding its parser.
SUBCOMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {
    "sites": _add_sites,
    "region": _add_region,
    "run": _add_run,
    "appraise": add_appraise,
    "data": add_data,
    "centralise": add_centralise,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="estates", description="Primary-care estates capacity analysis for England.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS.values():
        add(sub)
    return parser


def _utf8(stream: Any) -> bool:
    return str(getattr(stream, "encoding", "") or "").lower().replace("-", "") in ("utf8",
                                                                               "utf8sig")


def _tolerant_streams() -> None:
    """Make stdout and stderr replace what their encoding cannot show (a cp1252 console and a
    site called "A → B") instead of raising UnicodeEncodeError half-way through."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not _utf8(stream):
            reconfigure(errors="replace")


def _say(text: str) -> None:
    """One line on stderr that cannot fail (a closed or odd stream loses it, nothing more)."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 unusable input, 1 anything else).

    No traceback reaches the user: an estates error is one line and exit 2; a closed pipe
    (``| head``) ends quietly; anything unexpected is one line naming it and exit 1
    (``ESTATES_DEBUG=1`` shows the traceback).
    """
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args))
        sys.stdout.flush()
        return code
    except EstatesError as exc:
        _say(f"estates: {one_line(exc)}")
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): point stdout at /dev/null so that the interpreter's
        # own flush at exit does not raise again (the Python documentation's recipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        _say("estates: interrupted; no outputs were changed")
        return 130
    except MemoryError:
        _say("estates: out of memory: the inputs are too large for this machine")
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        if os.environ.get("ESTATES_DEBUG"):
            raise
        _say(f"estates: internal error ({type(exc).__name__}: {one_line(exc)[:300]}); "
             "please report it with the command (ESTATES_DEBUG=1 shows the traceback)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
