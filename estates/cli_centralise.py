"""``python -m estates centralise``: which k of N sites keep a service, written as a table, a JSON
summary, a map and a report (the handler lives here to keep estates.cli small)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from estates.errors import InputError


def add_centralise(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("centralise", help="which k of N sites should keep a service: every "
                       "combination scored on older and rural residents' travel times")
    p.add_argument("--sites", type=Path, required=True,
                   help="candidate sites: CSV (site_id, name, easting/northing or lat/lon, "
                        "optional capacity) or a point vector file")
    p.add_argument("--keep", required=True, help="how many sites keep the service: K or LO-HI")
    p.add_argument("--region", type=Path, default=None,
                   help="region folder whose zones are used (default: the bundled demo)")
    p.add_argument("--must-keep", nargs="+", default=[], metavar="ID")
    p.add_argument("--must-close", nargs="+", default=[], metavar="ID")
    p.add_argument("--thresholds", default=None,
                   help="minutes, e.g. 30,45,60 (default: the assumption)")
    p.add_argument("--option", action="append", default=[], metavar="[NAME=]ID,ID,ID",
                   help="a named combination to score and map; repeat for several")
    p.add_argument("--options-file", type=Path, default=None,
                   help="CSV of named combinations: option, sites (ids separated by spaces)")
    p.add_argument("--rank", default=None,
                   help="ranking rule COLUMN:max|min,... (default: most 65+ within the middle "
                        "threshold, then the shortest 95th percentile)")
    p.add_argument("--assumptions", type=Path, default=None,
                   help="JSON of assumption overrides ({name: value})")
    p.add_argument("--matrix", type=Path, default=None,
                   help="car minutes zone -> site (origin, destination, minutes) instead of "
                        "the straight line")
    p.add_argument("--raster", action="store_true",
                   help="car minutes over the region's friction raster")
    p.add_argument("--visitor-matrix", type=Path, default=None,
                   help="visitors' minutes (e.g. public transport from r5py); default car")
    p.add_argument("--no-tiles", action="store_true", help="map without a basemap")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default ./out)")
    p.set_defaults(handler=cmd_centralise)


def _keep(text: str) -> int | tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    if not m:
        raise InputError(f"--keep {text!r}: give a whole number of sites, or a range like 2-4")
    return int(m.group(1)) if m.group(2) is None else (int(m.group(1)), int(m.group(2)))


def _options(args: argparse.Namespace) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if args.options_file is not None:
        import pandas as pd

        try:
            table = pd.read_csv(args.options_file, dtype=str, keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{args.options_file}: cannot be read as CSV ({exc})") from exc
        if not {"option", "sites"} <= set(table.columns):
            raise InputError(f"{args.options_file}: needs columns option and sites (ids "
                             f"separated by spaces)")
        for row in table.itertuples():
            out[str(row.option)] = str(row.sites).replace(",", " ").split()
    for text in args.option:
        name, _, ids = text.rpartition("=")
        sites = [s.strip() for s in ids.split(",") if s.strip()]
        out[name.strip() or "+".join(sites)] = sites
    return out


def _assumptions(args: argparse.Namespace) -> Any:
    from estates.assumptions import Assumptions

    a = Assumptions()
    if args.assumptions is not None:
        try:
            text = args.assumptions.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{args.assumptions}: cannot be read ({exc.strerror})") from exc
        a = Assumptions.from_json(text, file=str(args.assumptions))
    if args.thresholds is not None:
        parts = [p.strip() for p in args.thresholds.split(",") if p.strip()]
        a = a.with_overrides({"centralise_thresholds_minutes": parts}, file="--thresholds")
    return a


def cmd_centralise(args: argparse.Namespace) -> int:
    """Write centralise.csv, centralise.json, centralise_map.html and report.html."""
    from estates.io.region import DEMO_FOLDER, read_manifest
    from estates.options.centralise import (
        RankRule,
        TravelSetting,
        centralise,
        read_sites,
        read_zones,
    )
    from estates.report.centralise import build_centralise_report, centralise_map_html

    keep = _keep(args.keep)
    a = _assumptions(args)
    folder = args.region or DEMO_FOLDER
    zones = read_zones(folder)
    sites = read_sites(args.sites)
    manifest = read_manifest(folder)
    friction = None
    if args.raster:
        entry = manifest.get("friction_raster")
        if not entry:
            raise InputError(f"{folder}: --raster needs a [friction_raster] in region.toml")
        friction = Path(folder) / str(entry["file"])
    setting = TravelSetting(
        method="raster" if args.raster else "matrix" if args.matrix else "straight_line",
        friction=friction, matrix=args.matrix, visitor_matrix=args.visitor_matrix,
        friction_unit=str((manifest.get("friction_raster") or {}).get("unit",
                                                                      "minutes per metre")))
    result = centralise(zones, sites, keep, must_keep=args.must_keep,
                        must_close=args.must_close, options=_options(args),
                        rule=RankRule.parse(args.rank) if args.rank else None,
                        setting=setting, assumptions=a)
    args.out.mkdir(parents=True, exist_ok=True)
    result.table.to_csv(args.out / "centralise.csv", index=False, float_format="%.6g")
    (args.out / "centralise.json").write_text(
        json.dumps(result.to_json_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    page = centralise_map_html(result, zones, sites, tiles=None if args.no_tiles
                               else "OpenStreetMap")
    (args.out / "centralise_map.html").write_text(page, encoding="utf-8")
    name = str(manifest.get("name", Path(folder).name))
    report = build_centralise_report(result, title=f"Centralisation: {sites.shape[0]} sites, "
                                     f"keep {args.keep}", map_page=page,
                                     synthetic=bool(manifest.get("synthetic", False)),
                                     region=name)
    (args.out / "report.html").write_text(report, encoding="utf-8")
    best = result.best
    t = a.centralise_thresholds_minutes[len(a.centralise_thresholds_minutes) // 2]
    print(f"{result.method} scored; best: {best['site_names']} "
          f"({best[f'emergency_pct_65plus_all_within_{t:g}']:.1f} % of residents aged 65+ "
          f"within {t:g} minutes; today {result.today[f'emergency_pct_65plus_all_within_{t:g}']:.1f} %)."
          f" Wrote centralise.csv, centralise.json, centralise_map.html, report.html to {args.out}")
    return 0
