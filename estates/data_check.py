"""``python -m estates data check KIND FILE [--json]``: read one national file with its reader
and report every row, on the ``sites check`` contract (``accepted`` a count of rows used).

Nothing is lost: ``rows_read == accepted + len(rejected)``. Exit 0 when the file could be read
at all, 2 with one line on stderr when it could not (``cli.main`` prints the line).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Kind on the command line -> (reader name in estates.io.national, what the file is).
KINDS: dict[str, tuple[str, str]] = {
    "epraccur": ("read_epraccur", "NHS ODS epraccur.csv (either layout)"),
    "patients": ("read_patients_totals", "NHS Digital gp-reg-pat-prac-all.csv"),
    "patients-by-lsoa": ("read_patients_by_lsoa", "NHS Digital patients by practice and LSOA"),
    "patients-by-age": ("read_patients_five_year", "NHS Digital patients by five-year age"),
    "workforce": ("read_gp_workforce", "NHS Digital GP Workforce practice CSV"),
    "lsoa": ("read_lsoa_boundaries", "ONS LSOA 2021 boundaries"),
    "population": ("read_population_by_age", "ONS LSOA population by single year of age"),
    "ruc": ("read_ruc", "ONS Rural-Urban Classification 2021 by LSOA"),
    "postcodes": ("read_postcodes", "ONS Postcode Directory / NSPL extract"),
    "libraries": ("read_libraries", "public libraries (national dataset or council schema)"),
    "catchments": ("read_catchments", "practice catchment polygons"),
    "estates": ("read_practice_estates", "practice estates template"),
    "age-profile": ("read_age_profile", "Census 2021 residents by age group per district"),
    "districts": ("read_district_lookup",
                  "LSOA to local authority lookup, or local authority district boundaries"),
}


def check_file(kind: str, path: Path, *, postcodes: Path | None = None) -> dict[str, Any]:
    """The report of reading ``path`` as ``kind``: rows_read, accepted (rows used), rejected
    [{row, reason}] and warnings. Raises ``InputError`` when the file cannot be read at all."""
    from estates.io import national as nat

    reader: Callable[..., Any] = getattr(nat, KINDS[kind][0])
    kwargs: dict[str, Any] = {}
    warnings: list[str] = []
    if kind == "libraries" and postcodes is not None:
        directory = nat.read_postcodes(postcodes)
        kwargs["postcodes"] = directory.table
        warnings += [f"{directory.filename}: {w}" for w in directory.warnings]
    imp = reader(path, **kwargs)
    rejected = [{"row": int(r), "reason": str(why)}
                for r, why in zip(imp.rejected["row"], imp.rejected["reason"], strict=True)]
    return {"kind": kind, "file": imp.filename, "rows_read": int(imp.rows_read),
            # Every row is either used or rejected with its reason: the used ones are counted.
            "accepted": int(imp.rows_read) - len(rejected), "rejected": rejected,
            "warnings": [*warnings, *imp.warnings]}


def _reason_kind(reason: str) -> str:
    # Group reasons that differ only in the quoted value ('closed (2013)', 'closed (2017)').
    head = reason.split("'")[0].split("(")[0].strip()
    return head or reason[:60]


def add_data(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="national NHS and ONS files")
    actions = data.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="read a national file and report every row")
    check.add_argument("kind", choices=list(KINDS),
                       help="; ".join(f"{k}: {what}" for k, (_, what) in KINDS.items()))
    check.add_argument("file", type=Path)
    check.add_argument("--json", action="store_true", help="print the JSON report")
    check.add_argument("--postcodes", type=Path, default=None,
                       help="libraries: an ONS Postcode Directory extract to place them by "
                            "postcode")
    check.set_defaults(handler=cmd_data_check)


def cmd_data_check(args: argparse.Namespace) -> int:
    """``data check KIND FILE [--json]``."""
    report = check_file(args.kind, args.file, postcodes=args.postcodes)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"{report['file']} ({args.kind}): {report['rows_read']} rows read, "
          f"{report['accepted']} accepted, {len(report['rejected'])} rejected")
    if report["rejected"]:
        print("\nRejected, by reason (first row of each):")
        first: dict[str, int] = {}
        counts: Counter[str] = Counter()
        for r in report["rejected"]:
            key = _reason_kind(r["reason"])
            counts[key] += 1
            first.setdefault(key, r["row"])
        for key, count in counts.most_common():
            example = next(r["reason"] for r in report["rejected"] if r["row"] == first[key])
            print(f"  {count:>6}  {example} (row {first[key]})")
    if report["warnings"]:
        print("\nWarnings:")
        for w in report["warnings"]:
            print(f"  - {w}")
    return 0
