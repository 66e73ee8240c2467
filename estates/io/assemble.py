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
from typing import Any

import geopandas as gpd
import pandas as pd

from estates.errors import InputError
from estates.io import derive
from estates.io import national as nat
from estates.io.assemble_practices import build_practices
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
    age_profile: Path | None = None


@dataclass
class BuildReport:
    folder: Path
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: how layers were made where the data did not give them (written into region.toml)
    notes: list[str] = field(default_factory=list)
    catchment_method: str = ""


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


def _districts(sources: RegionSources, zones: gpd.GeoDataFrame, population: pd.DataFrame | None,
               report: BuildReport) -> pd.DataFrame:
    """lad_code and lad_name by LSOA, from --lookup (a table or the districts' boundaries)
    or the population file's authority column."""
    if sources.lookup is not None:
        lookup = nat.read_district_lookup(sources.lookup, zones)
        _note(report, lookup, "lookup")
        return lookup.table
    if population is None or "lad_code" not in population.columns:
        raise InputError("region build: no way to tell which LSOAs are in the chosen local "
                         "authorities: give --lookup (an LSOA21CD to LAD table, or the "
                         "districts' boundaries) or a population file with a 'LAD 2021 Code' "
                         "column.")
    return pd.DataFrame({"lad_code": population["lad_code"], "lad_name": ""},
                        index=population.index)


def _zone_population(sources: RegionSources, lsoa: gpd.GeoDataFrame, districts: pd.DataFrame,
                     population: pd.DataFrame | None, report: BuildReport) -> pd.DataFrame:
    """Residents by age band per LSOA: the ONS single-year estimates, or each LSOA's total
    (a population column of the boundaries) times its district's Census 2021 age profile."""
    if population is not None:
        return population[pop_columns()]
    if sources.age_profile is None or "population" not in lsoa.columns:
        raise InputError("region build: no population by age: give --population (ONS LSOA "
                         "estimates by single year of age), or --age-profile (Census 2021 "
                         "residents by age per district) with LSOA boundaries that carry a "
                         "Population column.")
    profile = nat.read_age_profile(sources.age_profile)
    _note(report, profile, "age profile")
    names = districts["lad_name"].reindex(lsoa.index).fillna("")
    ages, notes = nat.spread_profile(lsoa["population"], names, profile.table)
    report.warnings += notes
    report.warnings.append(
        f"ages: each LSOA's Census 2021 residents ({Path(sources.lsoa or '').name}, "
        "Population) shared by its district's Census 2021 age profile "
        f"({profile.filename}); LSOAs of one district have the same age mix")
    report.notes.append("population by age: LSOA Census 2021 totals x the district's Census "
                        "2021 age profile (no single-year LSOA ages given)")
    return ages


def build_region(sources: RegionSources, *, out: Path, la_codes: list[str], name: str = "",
                 catchment_share_pct: float = 80.0) -> BuildReport:
    """Write a region folder for ``la_codes`` from the national files in ``sources``.

    The folder always reads back with ``read_region``: catchments come from ``--catchments``,
    else are derived from registrations by LSOA (the LSOAs holding each practice's first
    ``catchment_share_pct`` % of patients), else from the nearest surgery; the method is
    named in region.toml. Raises ``InputError`` naming what is missing when a needed file is
    not given or no LSOA or practice falls in the chosen authorities.
    """
    _need(sources, "lsoa", "estates")
    assert sources.lsoa and sources.estates
    report = BuildReport(Path(out))
    pop = None
    if sources.population is not None:
        population = nat.read_population_by_age(sources.population)
        _note(report, population, "population")
        pop = population.table
    lsoa = nat.read_lsoa_boundaries(sources.lsoa)
    _note(report, lsoa, "boundary")
    districts = _districts(sources, lsoa.table, pop, report)
    wanted = {c.strip().upper() for c in la_codes}
    codes = set(districts.index[districts["lad_code"].isin(wanted)])
    if not codes:
        raise InputError(f"region build: no LSOA found for {', '.join(la_codes)}. Check the "
                         "local authority codes (e.g. E07000111 for Sevenoaks).")
    zones = lsoa.table[lsoa.table["zone_code"].isin(codes)].copy()
    missing_geom = sorted(codes - set(zones["zone_code"]))
    if missing_geom:
        report.warnings.append(f"{len(missing_geom)} LSOA(s) of the authorities have no "
                               f"boundary: {', '.join(missing_geom[:20])}")
    zones = zones.join(_zone_population(sources, zones, districts, pop, report), how="left")
    if sources.ruc is not None:
        ruc = nat.read_ruc(sources.ruc)
        _note(report, ruc, "rurality")
        zones = zones.join(ruc.table[["ruc21"]], how="left")
        lacking_ruc = zones["ruc21"].isna()
    else:
        zones["ruc21"] = ""
        lacking_ruc = pd.Series(False, index=zones.index)
        report.warnings.append("no --ruc given: rurality unknown for every LSOA (ruc21 "
                               "empty), so the rural access figures do not apply")
        report.notes.append("rurality unknown (no Rural-Urban Classification file)")
    incomplete = zones[zones[pop_columns()].isna().any(axis=1) | lacking_ruc]
    if len(incomplete):
        report.warnings.append(f"{len(incomplete)} LSOA(s) left out for lack of population or "
                               f"rurality: {', '.join(incomplete.index[:20])}")
        zones = zones.drop(index=incomplete.index)
    if zones.empty:
        raise InputError("region build: no LSOA has boundary, population and rurality. "
                         "Check that the files are for the same (2021) LSOAs.")
    area = zones.geometry.union_all()

    postcodes = None
    if sources.postcodes is not None:
        directory = nat.read_postcodes(sources.postcodes)
        _note(report, directory, "postcode")
        postcodes = directory.table
    built = build_practices(sources, area, postcodes)
    report.warnings += built.warnings
    keep = built.sites
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    practice_cols = ["practice_code", "site_name", "site_kind", "parent_code", "list_size",
                     *[c for c in list_columns() if c in keep.columns], "gia_m2",
                     "clinical_rooms", "gp_fte", "building", "year_built", "easting",
                     "northing"]
    keep[practice_cols].to_csv(out / "practices.csv", index=False)
    no_area = keep.index[keep["gia_m2"].isna() & keep["clinical_rooms"].isna()]
    if len(no_area):
        report.notes.append(f"floor area and rooms unknown for {len(no_area)} of {len(keep)} "
                            "sites: fill in the estates template")
    zones_out = zones.reset_index(drop=True)[["zone_code", "zone_name", *pop_columns(),
                                              "ruc21", "geometry"]]
    zones_out.to_file(out / "zones.geojson", driver="GeoJSON")
    report.counts = {"zones": len(zones_out), "practices": len(keep)}
    mains = sorted(keep.index[keep["site_kind"] == "main"])

    registrations = None
    regs = None
    if sources.registrations is not None:
        reg = nat.read_patients_by_lsoa(sources.registrations)
        _note(report, reg, "registration")
        regs = reg.table
        table = regs[regs["practice_code"].isin(set(mains))
                     & regs["zone_code"].isin(set(zones_out["zone_code"]))]
        dropped = len(regs) - len(table)
        if dropped:
            report.warnings.append(f"{dropped} registration row(s) are for practices or LSOAs "
                                   "outside the region and were left out")
        table.to_csv(out / "registrations.csv", index=False)
        registrations = "registrations.csv"
        report.counts["registrations"] = len(table)

    catchments = _catchments(sources, keep, mains, zones, area, regs, catchment_share_pct,
                             report)
    catchments[["practice_code", "geometry"]].reset_index(drop=True).to_file(
        out / "catchments.geojson", driver="GeoJSON")
    report.counts["catchments"] = len(catchments)

    cand_cols = ["candidate_id", "name", "kind", "available_m2", "co_located", "easting",
                 "northing"]
    if sources.libraries is not None:
        lib = nat.read_libraries(sources.libraries, postcodes=postcodes)
        _note(report, lib, "library")
        libs = lib.table[lib.table.geometry.covered_by(area)]
        known = libs["available_m2"].notna()
        libs.loc[known, cand_cols].to_csv(out / "candidates.csv", index=False)
        report.counts["candidates"] = int(known.sum())
        report.warnings.append(f"{len(libs)} open librar(y/ies) placed in the region "
                               f"({int(known.sum())} with a floor area become candidates)")
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

    title = name or f"Region of {', '.join(la_codes)}"
    (out / "region.toml").write_text(_region_toml(title, la_codes, housing, sources,
                                                  registrations, report),
                                     encoding="utf-8")
    return report


def _catchments(sources: RegionSources, sites: gpd.GeoDataFrame, mains: list[str],
                zones: gpd.GeoDataFrame, area: Any, registrations: pd.DataFrame | None,
                share_pct: float, report: BuildReport) -> gpd.GeoDataFrame:
    """One polygon per main practice: supplied, from registrations, or nearest surgery."""
    points = gpd.GeoDataFrame(sites[["practice_code", "site_kind", "parent_code"]],
                              geometry=gpd.points_from_xy(sites["easting"], sites["northing"]),
                              crs=CRS)
    nearest = derive.catchments_by_nearest_surgery(points, area)
    if sources.catchments is not None:
        cat = nat.read_catchments(sources.catchments)
        _note(report, cat, "catchment")
        mine = cat.table[cat.table["practice_code"].isin(mains)]
        lacking = sorted(set(mains) - set(mine.index))
        report.catchment_method = f"supplied polygons ({cat.filename})"
        if lacking:
            report.warnings.append(f"no catchment polygon for {', '.join(lacking)}: the area "
                                   "nearest their surgeries is used instead")
            report.catchment_method += "; nearest-surgery areas for " + ", ".join(lacking)
            mine = pd.concat([mine, nearest.loc[nearest.index.isin(lacking)]])
        return mine
    if registrations is not None:
        derived, notes = derive.catchments_from_registrations(registrations, zones, mains,
                                                              share_pct=share_pct)
        report.warnings += notes
        report.catchment_method = derive.registration_method(share_pct)
        lacking = sorted(set(mains) - set(derived.index))
        if lacking:
            report.catchment_method += "; nearest-surgery areas for " + ", ".join(lacking)
            derived = pd.concat([derived, nearest.loc[nearest.index.isin(lacking)]])
        return derived
    report.catchment_method = derive.NEAREST_METHOD
    report.warnings.append("no --catchments or --registrations: catchments are the areas "
                           "nearest each practice's surgeries (Voronoi cells), clipped to the "
                           "region")
    return nearest


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
                 sources: RegionSources, registrations: str | None, report: BuildReport) -> str:
    used = ", ".join(f"{k}={Path(v).name}" for k, v in vars(sources).items() if v is not None)
    described = (f"Assembled by estates region build for {', '.join(la_codes)} from {used}. "
                 + "".join(f"{n[0].upper()}{n[1:]}. " for n in report.notes)
                 + f"Catchments: {report.catchment_method}.")
    lines = [
        f"name = {_toml_str(name)}",
        "synthetic = false",
        f"description = {_toml_str(described.strip())}",
        "",
        "[practices]", 'file = "practices.csv"', 'x = "easting"', 'y = "northing"',
        'crs = "EPSG:27700"', "",
        "[catchments]", 'file = "catchments.geojson"',
        f"method = {_toml_str(report.catchment_method)}", "",
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
