"""Assemble a region folder (region.toml and its layers) from national NHS and ONS files.

Picks the LSOAs of the chosen local authorities (by a LAD code column of the lookup or the
population file), joins their population by age and rurality, places the practice sites of the
estates template inside them (by coordinates or postcode), attaches list sizes, catchments and
libraries, and writes the folder in the format ``estates.io.region`` reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from estates.errors import InputError
from estates.io import national as nat
from estates.io import sniff
from estates.io.national.places import locate_rows
from estates.model import CRS, list_columns, pop_columns


@dataclass(frozen=True)
class RegionSources:
    """Paths of the national files; None for files not given."""

    lsoa: Path | None = None
    population: Path | None = None
    ruc: Path | None = None
    estates: Path | None = None
    patients: Path | None = None
    epraccur: Path | None = None
    workforce: Path | None = None
    catchments: Path | None = None
    libraries: Path | None = None
    postcodes: Path | None = None
    lookup: Path | None = None
    housing: Path | None = None
    registrations: Path | None = None


@dataclass
class BuildReport:
    folder: Path
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _need(sources: RegionSources, *names: str) -> None:
    missing = [n for n in names if getattr(sources, n) is None]
    if missing:
        raise InputError("region build: missing " + ", ".join(f"--{n}" for n in missing)
                         + ". These files are needed to assemble a region.")


def _note(report: BuildReport, imp: nat.NationalImport, what: str) -> None:
    if len(imp.rejected):
        report.warnings.append(f"{imp.filename}: {len(imp.rejected)} {what} row(s) not used "
                               f"(e.g. row {imp.rejected['row'].iloc[0]}: "
                               f"{imp.rejected['reason'].iloc[0]})")
    report.warnings += [f"{imp.filename}: {w}" for w in imp.warnings]


def _lsoa_codes(sources: RegionSources, population: pd.DataFrame, la_codes: list[str]
                ) -> set[str]:
    wanted = {c.strip().upper() for c in la_codes}
    if sources.lookup is not None:
        data, lookup_name = sniff.load_source(sources.lookup, None)
        table = sniff.read_table(data, lookup_name)
        found = sniff.match_columns(table.header, {
            "lsoa": ("lsoa21cd", "lsoa2021code", "lsoacode"),
            "lad": ("lad24cd", "lad23cd", "lad22cd", "lad21cd", "lad2021code", "ladcode")})
        if {"lsoa", "lad"} - found.keys():
            raise InputError(f"{table.filename}: the lookup needs LSOA21CD and a LADxxCD "
                             "column (ONS LSOA 2021 to local authority lookup).")
        li, ai = found["lsoa"].index, found["lad"].index
        return {r[li].strip().upper() for r in table.rows
                if len(r) > max(li, ai) and r[ai].strip().upper() in wanted}
    if "lad_code" not in population.columns:
        raise InputError("region build: no way to tell which LSOAs are in "
                         f"{', '.join(sorted(wanted))}: give --lookup (LSOA21CD to LAD) or a "
                         "population file with a 'LAD 2021 Code' column.")
    return set(population.index[population["lad_code"].isin(wanted)])


def build_region(sources: RegionSources, *, out: Path, la_codes: list[str], name: str = ""
                 ) -> BuildReport:
    """Write a region folder for ``la_codes`` from the national files in ``sources``.

    Returns the folder and warnings; raises ``InputError`` when a needed file is missing or
    no LSOA or practice falls in the chosen authorities.
    """
    _need(sources, "lsoa", "population", "ruc", "estates")
    assert sources.lsoa and sources.population and sources.ruc and sources.estates
    report = BuildReport(Path(out))
    pop = nat.read_population_by_age(sources.population)
    _note(report, pop, "population")
    codes = _lsoa_codes(sources, pop.table, la_codes)
    if not codes:
        raise InputError(f"region build: no LSOA found for {', '.join(la_codes)}. Check the "
                         "local authority codes (e.g. E07000111 for Sevenoaks).")
    lsoa = nat.read_lsoa_boundaries(sources.lsoa)
    ruc = nat.read_ruc(sources.ruc)
    _note(report, lsoa, "boundary")
    _note(report, ruc, "rurality")
    zones = lsoa.table[lsoa.table["zone_code"].isin(codes)].copy()
    missing_geom = sorted(codes - set(zones["zone_code"]))
    if missing_geom:
        report.warnings.append(f"{len(missing_geom)} LSOA(s) of the authorities have no "
                               f"boundary: {', '.join(missing_geom[:20])}")
    zones = zones.join(pop.table[pop_columns()], how="left").join(ruc.table[["ruc21"]],
                                                                  how="left")
    incomplete = zones[zones[pop_columns()].isna().any(axis=1) | zones["ruc21"].isna()]
    if len(incomplete):
        report.warnings.append(f"{len(incomplete)} LSOA(s) left out for lack of population or "
                               f"rurality: {', '.join(incomplete.index[:20])}")
        zones = zones.drop(index=incomplete.index)
    if zones.empty:
        raise InputError("region build: no LSOA has boundary, population and rurality. "
                         "Check that the three files are for the same (2021) LSOAs.")
    area = zones.geometry.union_all()

    postcodes = nat.read_postcodes(sources.postcodes).table if sources.postcodes else None
    est = nat.read_practice_estates(sources.estates)
    _note(report, est, "estates")
    sites = est.table.copy()
    rejected: list[tuple[int, str]] = []
    sites = locate_rows(sites, postcodes, "practice site", rejected,
                             list(range(1, len(sites) + 1)))
    for _row, reason in rejected:
        report.warnings.append(f"{est.filename}: {reason}")
    points = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["easting"],
                                                                 sites["northing"]), crs=CRS)
    inside = points.geometry.covered_by(area)
    mains = set(points.index[inside & (points["site_kind"] == "main")])
    keep = points[points.index.isin(mains) | points["parent_code"].isin(mains)].copy()
    if not mains:
        raise InputError("region build: no main practice site of the estates file lies in "
                         "the chosen authorities.")

    lists = _lists(sources, report)
    for col in ["list_size", *list_columns(), "gp_fte"]:
        if col in lists.columns:
            vals = keep.index.map(lists[col]) if len(lists) else None
            if vals is not None:
                if col == "gp_fte":
                    keep[col] = keep[col].where(keep[col].notna(), pd.Series(
                        vals, index=keep.index))
                else:
                    keep[col] = pd.Series(vals, index=keep.index, dtype="float64")
    keep.loc[keep["site_kind"] == "branch", "list_size"] = 0.0
    no_list = keep[(keep["site_kind"] == "main") & keep.get(
        "list_size", pd.Series(float("nan"), index=keep.index)).isna()]
    if len(no_list):
        report.warnings.append(f"no list size for {', '.join(no_list.index)}: left out; give "
                               "--workforce or --patients covering them")
        keep = keep.drop(index=no_list.index)
        keep = keep[~keep["parent_code"].isin(no_list.index)]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    practice_cols = ["practice_code", "site_name", "site_kind", "parent_code", "list_size",
                     *[c for c in list_columns() if c in keep.columns], "gia_m2",
                     "clinical_rooms", "gp_fte", "building", "year_built", "easting",
                     "northing"]
    keep[practice_cols].to_csv(out / "practices.csv", index=False)
    zones_out = zones.reset_index(drop=True)[["zone_code", "zone_name", *pop_columns(),
                                              "ruc21", "geometry"]]
    zones_out.to_file(out / "zones.geojson", driver="GeoJSON")
    report.counts = {"zones": len(zones_out), "practices": len(keep)}

    if sources.catchments is not None:
        cat = nat.read_catchments(sources.catchments)
        _note(report, cat, "catchment")
        mine = cat.table[cat.table["practice_code"].isin(keep.index)]
        mine.reset_index(drop=True).to_file(out / "catchments.geojson", driver="GeoJSON")
        report.counts["catchments"] = len(mine)
        lacking = sorted(set(keep.index[keep["site_kind"] == "main"]) - set(mine.index))
        if lacking:
            report.warnings.append(f"no catchment polygon for {', '.join(lacking)}")
    else:
        report.warnings.append("no --catchments given: catchments.geojson not written")

    cand_cols = ["candidate_id", "name", "kind", "available_m2", "co_located", "easting",
                 "northing"]
    if sources.libraries is not None:
        lib = nat.read_libraries(sources.libraries, postcodes=postcodes)
        _note(report, lib, "library")
        libs = lib.table[lib.table.geometry.covered_by(area)]
        known = libs["available_m2"].notna()
        libs.loc[known, cand_cols].to_csv(out / "candidates.csv", index=False)
        report.counts["candidates"] = int(known.sum())
        if (~known).any():
            # An invented floor area would be a placeholder figure: these libraries wait in
            # a side file until the user measures what space they could offer.
            libs.loc[~known, cand_cols].to_csv(out / "candidates_without_area.csv",
                                               index=False)
            report.warnings.append(f"{int((~known).sum())} library(ies) have no available_m2:"
                                   " written to candidates_without_area.csv; add the floor "
                                   "area and move them to candidates.csv to test them")
    else:
        pd.DataFrame(columns=cand_cols).to_csv(out / "candidates.csv", index=False)

    housing = None
    if sources.housing is not None:
        from estates.io.housing import flag_outside, read_housing_sites

        imp = flag_outside(read_housing_sites(sources.housing), area)
        report.warnings += [f"{imp.filename}: {w}" for w in imp.warnings]
        if len(imp.rejected):
            report.warnings.append(f"{imp.filename}: {len(imp.rejected)} row(s) rejected; run "
                                   "`python -m estates sites check` for the reasons")
        write_housing_template(imp.accepted, imp.trajectory, out / "housing_sites.csv")
        housing = "housing_sites.csv"
        report.counts["housing_sites"] = len(imp.accepted)

    registrations = None
    if sources.registrations is not None:
        reg = nat.read_patients_by_lsoa(sources.registrations)
        _note(report, reg, "registration")
        mains_kept = set(keep.index[keep["site_kind"] == "main"])
        table = reg.table[reg.table["practice_code"].isin(mains_kept)
                          & reg.table["zone_code"].isin(set(zones_out["zone_code"]))]
        dropped = len(reg.table) - len(table)
        if dropped:
            report.warnings.append(f"{dropped} registration row(s) are for practices or LSOAs "
                                   "outside the region and were left out")
        table.to_csv(out / "registrations.csv", index=False)
        registrations = "registrations.csv"
        report.counts["registrations"] = len(table)

    title = name or f"Region of {', '.join(la_codes)}"
    (out / "region.toml").write_text(_region_toml(title, la_codes, housing, sources,
                                                  registrations),
                                     encoding="utf-8")
    return report


def _lists(sources: RegionSources, report: BuildReport) -> pd.DataFrame:
    if sources.workforce is not None:
        wf = nat.read_gp_workforce(sources.workforce)
        _note(report, wf, "workforce")
        return wf.table
    if sources.patients is not None:
        pt = nat.read_patients_totals(sources.patients)
        _note(report, pt, "patients")
        return pt.table
    raise InputError("region build: give --workforce (list sizes by age and GP FTE) or "
                     "--patients (list sizes) for the practices' registered lists.")


def write_housing_template(sites: pd.DataFrame, trajectory: pd.DataFrame, path: Path) -> None:
    """Write accepted sites in the project's template with one column per financial year."""
    frame = sites[["site_ref", "name", "easting", "northing", "dwellings", "housing_type"]
                  ].copy()
    for year in trajectory.columns:
        frame[f"{year}/{(year + 1) % 100:02d}"] = trajectory[year].reindex(frame.index).fillna(0)
    frame.to_csv(path, index=False)


def _toml_str(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; tomli-w is not a dependency.
    return json.dumps(text, ensure_ascii=False)


def _region_toml(name: str, la_codes: list[str], housing: str | None,
                 sources: RegionSources, registrations: str | None = None) -> str:
    used = ", ".join(f"{k}={Path(v).name}" for k, v in vars(sources).items() if v is not None)
    lines = [
        f"name = {_toml_str(name)}",
        "synthetic = false",
        f"description = {_toml_str('Assembled by estates region build for ' + ', '.join(la_codes) + ' from ' + used)}",
        "",
        "[practices]", 'file = "practices.csv"', 'x = "easting"', 'y = "northing"',
        'crs = "EPSG:27700"', "",
        "[catchments]", 'file = "catchments.geojson"', "",
        "[zones]", 'file = "zones.geojson"', "",
        "[candidates]", 'file = "candidates.csv"', 'x = "easting"', 'y = "northing"',
        'crs = "EPSG:27700"', "",
    ]
    if housing:
        lines += ["[housing]", f"file = {_toml_str(housing)}", ""]
    if registrations:
        lines += ["[registrations]", f"file = {_toml_str(registrations)}", ""]
    return "\n".join(lines)


__all__ = ["BuildReport", "RegionSources", "build_region", "write_housing_template"]
