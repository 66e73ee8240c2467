"""The practice layer of a region build: the estates template's sites placed in the region,
checked against the ODS practice list (epraccur), with list sizes from the patients or
workforce file, and the practices of that file the template lacks listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from estates.errors import InputError
from estates.io import national as nat
from estates.io.national.places import locate_rows
from estates.model import CRS, list_columns


@dataclass
class PracticeBuild:
    sites: gpd.GeoDataFrame
    warnings: list[str] = field(default_factory=list)


def _rejects(imp: nat.NationalImport, what: str) -> list[str]:
    out = []
    if len(imp.rejected):
        out.append(f"{imp.filename}: {len(imp.rejected)} {what} row(s) not used (e.g. row "
                   f"{imp.rejected['row'].iloc[0]}: {imp.rejected['reason'].iloc[0]})")
    return out + [f"{imp.filename}: {w}" for w in imp.warnings]


def _drop_practices(sites: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    """Sites without the main practices ``codes`` and their branches."""
    return sites[~sites.index.isin(codes) & ~sites["parent_code"].isin(codes)]


def check_with_epraccur(sites: pd.DataFrame, epraccur: Path) -> tuple[pd.DataFrame, list[str]]:
    """Main practices that ODS lists as closed or dormant are left out (with their branches),
    named in a warning; those ODS does not list at all are named too, but kept (a practice
    newer than the file, or a code typed wrongly: the user should look)."""
    ods = nat.read_epraccur(epraccur, include_inactive=True)
    warnings = _rejects(ods, "epraccur")
    status = ods.table["status"] if len(ods.table) else pd.Series(dtype=object)
    mains = sites.index[sites["site_kind"] == "main"]
    gone = {c: str(status[c]) for c in mains if c in status.index
            and status[c] in ("closed", "dormant")}
    if gone:
        named = ", ".join(f"{c} ({s})" for c, s in sorted(gone.items()))
        warnings.append(f"{ods.filename}: {len(gone)} practice(s) of the estates template are "
                        f"closed or dormant in ODS and were left out: {named}")
        sites = _drop_practices(sites, set(gone))
    unlisted = sorted(c for c in mains if c not in status.index)
    if unlisted:
        warnings.append(f"{ods.filename}: {len(unlisted)} practice(s) of the estates template "
                        f"are not GP practices in this ODS file (kept; check the codes, or use "
                        f"a newer epraccur): {', '.join(unlisted[:30])}")
    return sites, warnings


def practice_lists(sources: Any) -> tuple[pd.DataFrame, str, list[str]]:
    """The registered lists (and GP FTE, ages) by practice: the workforce file, else the
    patients file. Returns the table, its file name and warnings."""
    if sources.workforce is not None:
        wf = nat.read_gp_workforce(sources.workforce)
        return wf.table, wf.filename, _rejects(wf, "workforce")
    if sources.patients is not None:
        pt = nat.read_patients_totals(sources.patients)
        return pt.table, pt.filename, _rejects(pt, "patients")
    raise InputError("region build: give --workforce (list sizes by age and GP FTE) or "
                     "--patients (list sizes) for the practices' registered lists.")


def _missing_from_template(lists: pd.DataFrame, list_file: str, template: set[str],
                           postcodes: pd.DataFrame | None, area: shapely.Geometry
                           ) -> list[str]:
    """Practices of the patients file that lie in the region but not in the template."""
    if lists.empty:
        return []
    nan = pd.Series(float("nan"), index=lists.index)
    east = pd.to_numeric(lists.get("easting", nan), errors="coerce").astype(float)
    north = pd.to_numeric(lists.get("northing", nan), errors="coerce").astype(float)
    if postcodes is not None and "postcode" in lists.columns:
        east = east.fillna(lists["postcode"].map(postcodes["easting"]).astype(float))
        north = north.fillna(lists["postcode"].map(postcodes["northing"]).astype(float))
    placed = pd.DataFrame({"easting": east, "northing": north}, index=lists.index)
    where = placed.dropna(subset=["easting", "northing"])
    if where.empty:
        return [f"{list_file}: cannot tell which of its practices lie in the region (no "
                "coordinates, and no --postcodes to place their postcodes): practices missing "
                "from the estates template are not listed"]
    inside = shapely.covered_by(shapely.points(where["easting"], where["northing"]), area)
    missing = sorted(set(where.index[inside]) - template)
    if not missing:
        return []
    return [f"{list_file}: {len(missing)} practice(s) lie in the region but are not in the "
            f"estates template, so they are not in the region: {', '.join(missing[:40])}"
            + (" ..." if len(missing) > 40 else "") + ". Add them to the template."]


def build_practices(sources: Any, area: shapely.Geometry, postcodes: pd.DataFrame | None
                    ) -> PracticeBuild:
    """The region's surgery sites (practices.csv rows) and what the user should know."""
    est = nat.read_practice_estates(sources.estates)
    warnings = _rejects(est, "estates")
    if est.table.empty:
        raise InputError(f"region build: no usable site in {est.filename} "
                         f"({len(est.rejected)} row(s) rejected; run `estates data check "
                         "estates` on it for the reasons).")
    sites = est.table.copy()
    rejected: list[tuple[int, str]] = []
    sites = locate_rows(sites, postcodes, "practice site", rejected,
                        list(range(1, len(sites) + 1)))
    warnings += [f"{est.filename}: {reason}" for _row, reason in rejected]
    if sources.epraccur is not None:
        sites, notes = check_with_epraccur(sites, sources.epraccur)
        warnings += notes
    points = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["easting"],
                                                                 sites["northing"]), crs=CRS)
    inside = points.geometry.covered_by(area)
    mains = set(points.index[inside & (points["site_kind"] == "main")])
    if not mains:
        raise InputError("region build: no main practice site of the estates file lies in "
                         "the chosen authorities.")
    keep = points[points.index.isin(mains) | points["parent_code"].isin(mains)].copy()

    lists, list_file, notes = practice_lists(sources)
    warnings += notes
    warnings += _missing_from_template(lists, list_file, set(est.table.index), postcodes, area)
    for col in ["list_size", *list_columns(), "gp_fte"]:
        if col in lists.columns and len(lists):
            vals = pd.Series(keep.index.map(lists[col]), index=keep.index, dtype="float64")
            keep[col] = keep[col].where(keep[col].notna(), vals) if col == "gp_fte" else vals
    keep.loc[keep["site_kind"] == "branch", "list_size"] = 0.0
    no_list = keep[(keep["site_kind"] == "main") & keep.get(
        "list_size", pd.Series(float("nan"), index=keep.index)).isna()]
    if len(no_list):
        warnings.append(f"no list size for {', '.join(no_list.index)}: left out; give "
                        "--workforce or --patients covering them")
        keep = _drop_practices(keep, set(no_list.index))
    if not (keep["site_kind"] == "main").any():
        raise InputError(f"region build: no practice in the region has a list size in "
                         f"{list_file}: give --workforce or --patients covering "
                         f"{', '.join(sorted(mains)[:10])}.")
    return PracticeBuild(keep, warnings)


__all__ = ["PracticeBuild", "build_practices", "check_with_epraccur", "practice_lists"]
