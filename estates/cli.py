"""The command line: ``python -m estates <command> ...``, a thin face over the library.

Each subcommand is one small function taking the parsed arguments and returning an exit code;
``main`` builds the parser from the ``SUBCOMMANDS`` table so new commands slot in beside
``sites`` and ``region``. Exit 0 on success, 2 when an input cannot be used (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from estates.errors import EstatesError


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


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
    check.set_defaults(handler=cmd_sites_check)


def cmd_sites_check(args: argparse.Namespace) -> int:
    """``sites check FILE [--json]``: read a housing-site file, print accepted/rejected rows."""
    from estates.io.housing import HousingOptions, read_housing_sites

    imp = read_housing_sites(args.file, base_year=args.base_year,
                             options=HousingOptions(dwellings_field=args.dwellings_field))
    if args.json:
        print(json.dumps(imp.to_json_dict(), ensure_ascii=False))
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
        ("patients", "NHS Digital gp-reg-pat-prac-all.csv or the GP Workforce practice CSV"),
        ("epraccur", "NHS ODS epraccur.csv"),
        ("workforce", "GP Workforce practice-level CSV"),
        ("lsoa", "ONS LSOA 2021 boundaries (GeoJSON/GPKG/SHP)"),
        ("population", "LSOA population by single year of age (CSV)"),
        ("ruc", "Rural-Urban Classification 2021 by LSOA (CSV)"),
        ("catchments", "practice catchment polygons"),
        ("libraries", "library dataset (CSV)"),
        ("postcodes", "ONS Postcode Directory extract (CSV)"),
        ("estates", "practice estates template (CSV)"),
        ("lookup", "LSOA 2021 to local authority lookup (CSV), optional"),
        ("housing", "housing sites, optional"),
    ]:
        build.add_argument(f"--{flag}", type=Path, help=what)
    build.set_defaults(handler=cmd_region_build)


def cmd_region_build(args: argparse.Namespace) -> int:
    """``region build --out DIR --la CODE ...``: write a region folder from national files."""
    from estates.io.assemble import RegionSources, build_region

    sources = RegionSources(
        patients=args.patients, epraccur=args.epraccur, workforce=args.workforce,
        lsoa=args.lsoa, population=args.population, ruc=args.ruc,
        catchments=args.catchments, libraries=args.libraries, postcodes=args.postcodes,
        estates=args.estates, lookup=args.lookup, housing=args.housing,
    )
    report = build_region(sources, out=args.out, la_codes=args.la, name=args.name)
    print(f"wrote {report.folder}")
    for w in report.warnings:
        print(f"  - {w}")
    return 0


#: Subcommand name -> function adding its parser. The lead adds ``run`` here.
SUBCOMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {
    "sites": _add_sites,
    "region": _add_region,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="estates", description="Primary-care estates capacity analysis for England.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS.values():
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 unusable input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except EstatesError as exc:
        print(f"estates: {_one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
