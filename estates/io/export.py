"""Write an evaluation's tables, GeoJSON and summary to a folder, deterministically and safely.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-`` or ``@``)
are prefixed with an apostrophe, so an exported site name cannot become a formula (OWASP's
advice on CSV injection). The same inputs always give byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from estates.model import DISPLAY_CRS, Region

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would treat as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells are neutralised (numbers are left alone)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    safe_table(frame).to_csv(path, index=False, float_format="%.6g", lineterminator="\n")


def practices_table(result: Any) -> pd.DataFrame:
    """The practice table with demand and headroom by year appended as columns."""
    table = result.practices.copy()
    for y in result.years:
        table[f"demand_{y}"] = result.demand[y]
    for y in result.years:
        table[f"headroom_{y}"] = result.headroom[y]
    return table


#: contributions.csv: what a planning officer pastes into a consultation response, per site.
CONTRIBUTION_COLUMNS: tuple[str, ...] = (
    "site_ref", "name", "housing_type", "dwellings", "dwellings_by_horizon",
    "dwellings_after_horizon", "residents", "patients", "weighted_patients",
    "practices_headroom", "patients_to_practices_without_headroom", "m2_justified",
    "contribution_gbp", "cost_per_dwelling_gbp", "contribution_after_horizon_gbp", "statement",
)


def contributions_table(result: Any) -> pd.DataFrame:
    """One row per housing site: homes, residents, patients, the practices absorbing them with
    their headroom in the completion years, the floor space and contribution justified, and
    the statement (see ``estates.engine.impact.site_impacts``)."""
    return result.sites.reindex(columns=list(CONTRIBUTION_COLUMNS))


def catchments_frame(region: Region, result: Any) -> gpd.GeoDataFrame:
    """Catchment polygons with their practice's headline figures, in WGS84 (RFC 7946)."""
    cols = ["site_name", "list_size", "capacity", "demand_base", "demand_horizon",
            "headroom_base", "headroom_horizon", "headroom_m2_horizon",
            "utilisation_pct_horizon", "tipping_year", "binding_constraint"]
    joined = region.catchments[["practice_code", "geometry"]].merge(
        result.practices[cols], left_on="practice_code", right_index=True, how="left")
    joined["tipping_year"] = joined["tipping_year"].astype("Int64")
    # headroom per catchment per year, so a map can be animated or filtered by year
    by_year = result.headroom.rename(columns=lambda y: f"headroom_{y}")
    joined = joined.merge(by_year, left_on="practice_code", right_index=True, how="left")
    out = gpd.GeoDataFrame(joined, geometry="geometry", crs=region.catchments.crs)
    return out.to_crs(DISPLAY_CRS)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2, sort_keys=True, default=_json_default) + "\n"


def _points(frame: pd.DataFrame, crs: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame.drop(columns=["x", "y"]),
                            geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=crs)


def geopackage_layers(region: Region, result: Any) -> dict[str, gpd.GeoDataFrame]:
    """Every table of a Result as a GIS layer, in British National Grid, text neutralised.

    ``practices`` (points, demand and headroom by year), ``catchments`` (polygons with their
    practice's figures), ``zones`` (polygons with the zone table), ``housing_sites`` (points
    with their impact statements) and ``allocation`` (no geometry).
    """
    crs = region.practices.crs
    practices = _points(practices_table(result), crs)
    catchments = catchments_frame(region, result).to_crs(crs)
    zones = gpd.GeoDataFrame(result.zones.drop(columns=["x", "y"]),
                             geometry=region.zones.geometry.reindex(result.zones.index), crs=crs)
    sites = gpd.GeoDataFrame(
        result.sites, geometry=result_sites_geometry(region, result), crs=crs)
    layers = {"practices": practices, "catchments": catchments, "zones": zones,
              "housing_sites": sites}
    out = {}
    for name, frame in layers.items():
        frame = safe_table(frame)
        for col in frame.columns:
            # GeoPackage has no nullable-integer or object-of-mixed types: write text or floats.
            if str(frame[col].dtype) == "Int64":
                frame[col] = frame[col].astype(float)
            elif frame[col].dtype == object and col != "geometry":
                frame[col] = frame[col].map(lambda v: None if v is None or v is pd.NA
                                            else str(v))
        out[name] = frame
    return out


def result_sites_geometry(region: Region, result: Any) -> gpd.GeoSeries:
    """The housing sites' points on the sites table's index (empty points where unknown)."""
    geom = region.growth.sites.geometry
    return gpd.GeoSeries(geom.reindex(result.sites.index).to_numpy(), index=result.sites.index,
                         crs=region.practices.crs)


#: The timestamp GDAL writes into a GeoPackage's gpkg_contents.last_change (otherwise the time
#: of writing, which made two identical runs differ).
GPKG_TIMESTAMP = "2000-01-01T00:00:00.000Z"


@contextmanager
def _fixed_gdal_date() -> Iterator[None]:
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def write_geopackage(region: Region, result: Any, path: Path) -> Path:
    """Write ``geopackage_layers`` (and the allocation table) to one GeoPackage file; the same
    inputs give the same bytes (the layers' change dates are fixed, ``GPKG_TIMESTAMP``)."""
    if path.exists():
        path.unlink()  # a GeoPackage is a database: start afresh so reruns are identical
    with _fixed_gdal_date():
        for name, layer in geopackage_layers(region, result).items():
            if len(layer):
                layer.to_file(path, layer=name, driver="GPKG")
        allocation = safe_table(result.allocation)
        if len(allocation):
            pyogrio.write_dataframe(pd.DataFrame(allocation), path, layer="allocation",
                                    driver="GPKG")
    return path


def write_outputs(region: Region, result: Any, out: Path, *, report_html: str | None = None,
                  geopackage: bool = False) -> list[Path]:
    """Write practices.csv, catchments.geojson, zones.csv, sites.csv, contributions.csv,
    allocation.csv,
    summary.json (and report.html when given) into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    path = out / "practices.csv"
    write_csv(practices_table(result), path)
    written.append(path)
    path = out / "catchments.geojson"
    frame = safe_table(catchments_frame(region, result))
    path.write_text(frame.to_json(sort_keys=True, drop_id=True, to_wgs84=False) + "\n")
    written.append(path)
    for name, table in (("zones.csv", result.zones), ("sites.csv", result.sites),
                        ("contributions.csv", contributions_table(result)),
                        ("allocation.csv", result.allocation)):
        path = out / name
        write_csv(table, path)
        written.append(path)
    path = out / "summary.json"
    path.write_text(summary_json(result.summary))
    written.append(path)
    if geopackage:
        written.append(write_geopackage(region, result, out / "estates.gpkg"))
    if report_html is not None:
        path = out / "report.html"
        path.write_text(report_html, encoding="utf-8")
        written.append(path)
    return written
