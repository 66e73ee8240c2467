"""Read a region folder (a ``region.toml`` manifest and its layer files) into a validated Region.

Every problem in every layer is collected and reported at once, each naming the file, row,
column, value and the fix, so that a user assembling their own region fixes it in one pass.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS as ProjCRS
from pyproj.exceptions import CRSError

from estates.errors import InputError, ProblemList
from estates.io.manifest import check_manifest, layer_path
from estates.io.region_checks import (
    check_in_england,
    check_not_empty,
    check_population,
    check_raster,
    check_source_coordinates,
)
from estates.model import (
    CANDIDATES,
    CATCHMENTS,
    CRS,
    PRACTICES,
    REGISTRATIONS,
    RUC21_CLASS,
    SITE_KINDS,
    ZONES,
    Growth,
    Region,
    TableSpec,
)

MANIFEST = "region.toml"
DEMO_FOLDER = Path(__file__).resolve().parents[2] / "data" / "demo"
_LAYERS: dict[str, TableSpec] = {
    "practices": PRACTICES,
    "catchments": CATCHMENTS,
    "zones": ZONES,
    "candidates": CANDIDATES,
}
_OPTIONAL_LAYERS = {"candidates"}


def demo_region() -> Region:
    """The bundled, synthetic demonstration region (West Kent)."""
    return read_region(DEMO_FOLDER)


def read_manifest(folder: Path) -> dict[str, Any]:
    """Parse ``region.toml``; raises InputError naming the file when it is missing or malformed."""
    path = Path(folder) / MANIFEST
    if not Path(folder).is_dir():
        raise InputError(f"{folder}: no such folder. Give the folder that holds {MANIFEST}.")
    if not path.is_file():
        raise InputError(
            f"{path}: missing. A region folder needs a {MANIFEST} naming each layer's file "
            "(see README, 'Your own region')."
        )
    try:
        with path.open("rb") as fh:
            manifest = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc}). Fix the syntax and try again.") from exc
    return manifest


def read_region(folder: Path | str) -> Region:
    """Read and validate every layer of a region folder.

    Raises
    ------
    InputError
        Listing every problem found in the manifest and the layers.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = ProblemList(str(folder / MANIFEST))
    warnings: list[str] = check_manifest(manifest, problems)
    frames: dict[str, gpd.GeoDataFrame] = {}
    for layer, spec in _LAYERS.items():
        entry = manifest.get(layer)
        if entry is None:
            if layer in _OPTIONAL_LAYERS:
                frames[layer] = _empty(spec)
                continue
            problems.add(f"no [{layer}] section", fix=f"Add [{layer}] with file = \"...\"")
            continue
        frame = _read_layer(folder, layer, entry, spec, problems, warnings)
        if frame is not None:
            frames[layer] = frame
    if "practices" in frames:
        _check_practices(frames["practices"], problems, _file(folder, manifest, "practices"))
    if "practices" in frames and "catchments" in frames:
        _check_catchments(frames["catchments"], frames["practices"], problems,
                          _file(folder, manifest, "catchments"))
    if "zones" in frames:
        _check_zones(frames["zones"], problems, _file(folder, manifest, "zones"))
    registrations = None
    if manifest.get("registrations") is not None and {"practices", "zones"} <= set(frames):
        registrations = _read_registrations(folder, manifest["registrations"], frames, problems)
    rasters: dict[str, Path | None] = {}
    for key in ("population_raster", "friction_raster"):
        rasters[key] = _raster_path(folder, manifest.get(key), key, problems)
    growth = Growth.empty()
    housing = manifest.get("housing")
    if housing is not None:
        extent = None
        if "zones" in frames and len(frames["zones"]):
            from estates.io.housing import extent_of

            extent = extent_of(frames["zones"])
        growth = _read_growth(folder, housing, problems, warnings, extent)
    problems.raise_if_any()
    friction = manifest.get("friction_raster") or {}
    return Region(
        name=manifest["name"] if isinstance(manifest.get("name"), str) else folder.name,
        practices=frames["practices"],
        catchments=frames["catchments"],
        zones=frames["zones"],
        candidates=frames["candidates"],
        growth=growth,
        registrations=registrations,
        population_raster=rasters["population_raster"],
        friction_raster=rasters["friction_raster"],
        friction_unit=str(friction.get("unit", "minutes per metre")),
        synthetic=manifest.get("synthetic") is True,
        folder=folder,
        description=str(manifest.get("description", "")),
        catchment_method=str((manifest.get("catchments") or {}).get("method", "")),
        warnings=warnings,
    )


def read_layer(folder: Path | str, layer: str) -> gpd.GeoDataFrame:
    """One layer of a region folder, read and checked as ``read_region`` would read it.

    For analyses needing one layer only (a centralisation reads the zones), so a folder may
    hold just that layer and its ``region.toml``.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    spec = _LAYERS[layer]
    problems = ProblemList(str(folder / MANIFEST))
    if manifest.get(layer) is None:
        problems.add(f"no [{layer}] section", fix=f"Add [{layer}] with file = \"...\"")
        problems.raise_if_any()
    frame = _read_layer(folder, layer, manifest[layer], spec, problems, [])
    if frame is not None and layer == "zones":
        _check_zones(frame, problems, _file(folder, manifest, "zones"))
    problems.raise_if_any()
    assert frame is not None
    return frame


def _file(folder: Path, manifest: dict[str, Any], layer: str) -> str:
    return str(folder / str(manifest[layer].get("file", "")))


def _read_growth(folder: Path, entry: Any, problems: ProblemList, warnings: list[str],
                 extent: tuple[float, float, float, float] | None = None) -> Growth:
    # Imported here: the housing reader is large and only needed when a region names housing.
    from estates.io.housing import HousingOptions, read_housing_sites

    if not isinstance(entry, dict) or "file" not in entry:
        problems.add("[housing] has no file", fix='Add file = "housing_sites.csv"')
        return Growth.empty()
    path = layer_path(folder, "housing", entry["file"], problems)
    if path is None:
        return Growth.empty()
    if not path.is_file():
        problems.add("the housing file does not exist", file=str(path),
                     fix="Check the file name in region.toml")
        return Growth.empty()
    imported = read_housing_sites(path, options=HousingOptions(region_extent=extent))
    for _, rej in imported.rejected.iterrows():
        warnings.append(f"{path.name}, row {rej['row']}: rejected: {rej['reason']}")
    warnings.extend(f"{path.name}: {w}" for w in imported.warnings)
    return imported.to_growth()


def _read_registrations(
    folder: Path, entry: Any, frames: dict[str, gpd.GeoDataFrame], problems: ProblemList
) -> pd.DataFrame | None:
    """Patients by practice and zone of residence (NHS Digital's patients-by-LSOA, summed)."""
    if not isinstance(entry, dict) or "file" not in entry:
        problems.add("[registrations] has no file", fix='Add file = "registrations.csv"')
        return None
    path = layer_path(folder, "registrations", entry["file"], problems)
    if path is None:
        return None
    name = str(path)
    if not path.is_file():
        problems.add("the registrations file does not exist", file=name,
                     fix="Check the file name in region.toml, or remove the section")
        return None
    table = _read_text_csv(path, problems)
    if table is None:
        return None
    before = len(problems)
    table = _coerce_columns(table, REGISTRATIONS, name, problems)
    if len(problems) > before:
        return None
    practices, zones = frames["practices"], frames["zones"]
    mains = set(practices.loc[practices["site_kind"] == "main", "practice_code"])
    for i, (code, zone) in enumerate(zip(table["practice_code"], table["zone_code"], strict=True)):
        if code not in mains:
            problems.add("not a main practice in the practices file", file=name, row=i + 1,
                         column="practice_code", value=code,
                         fix="Use the practice_code of a main site")
        if zone not in zones.index:
            problems.add("not a zone in the zones file", file=name, row=i + 1,
                         column="zone_code", value=zone, fix="Use a zone_code of the zones layer")
    dup = table.duplicated(["practice_code", "zone_code"], keep="first")
    for k in np.flatnonzero(dup.to_numpy()):
        problems.add("the same practice and zone appear twice", file=name, row=int(k) + 1,
                     column="zone_code", value=table["zone_code"].iloc[k],
                     fix="Add the two rows' patients together in one row")
    return pd.DataFrame(table[["practice_code", "zone_code", "patients"]]).reset_index(drop=True)


def _raster_path(folder: Path, entry: Any, key: str, problems: ProblemList) -> Path | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or "file" not in entry:
        problems.add(f"[{key}] has no file", fix=f'Add file = "{key.split("_")[0]}.tif"')
        return None
    path = layer_path(folder, key, entry["file"], problems)
    if path is None:
        return None
    if not path.is_file():
        problems.add(f"the {key.replace('_', ' ')} file does not exist", file=str(path),
                     fix="Check the file name in region.toml, or remove the section")
        return None
    import rasterio
    from rasterio.errors import RasterioIOError

    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                problems.add("the raster has no CRS", file=str(path),
                             fix="Write it with EPSG:27700 (British National Grid)")
            elif ProjCRS.from_user_input(src.crs.to_wkt()) != ProjCRS.from_user_input(CRS):
                problems.add(f"the raster is in {src.crs}, not EPSG:27700", file=str(path),
                             fix="Reproject it to British National Grid (gdalwarp -t_srs EPSG:27700)")
        check_raster(path, key, problems)
    except RasterioIOError as exc:
        problems.add(f"not a readable GeoTIFF ({exc})", file=str(path),
                     fix="Save it as a GeoTIFF")
        return None
    return path


def _read_layer(
    folder: Path,
    layer: str,
    entry: Any,
    spec: TableSpec,
    problems: ProblemList,
    warnings: list[str],
) -> gpd.GeoDataFrame | None:
    if not isinstance(entry, dict) or "file" not in entry:
        problems.add(f"[{layer}] has no file", fix=f'Add file = "{layer}.csv" (or .geojson, .gpkg)')
        return None
    path = layer_path(folder, layer, entry["file"], problems)
    if path is None:
        return None
    name = str(path)
    if not path.is_file():
        problems.add(f"the {layer} file does not exist", file=name,
                     fix="Check the file name in region.toml")
        return None
    if path.suffix.lower() in (".csv", ".txt"):
        frame = _read_point_csv(path, entry, spec, problems)
    else:
        frame = _read_vector(path, problems)
    if frame is None:
        return None
    if layer not in _OPTIONAL_LAYERS and not check_not_empty(frame, layer, name, problems):
        return None
    if not check_source_coordinates(frame, name, problems):
        return None
    frame = _reproject(frame, name, problems, warnings)
    if frame is None:
        return None
    check_in_england(frame, name, problems)
    frame = _coerce_columns(frame, spec, name, problems)
    _check_geometry(frame, spec, name, problems)
    _check_key(frame, spec, name, problems)
    frame = frame.set_index(spec.key, drop=False)
    frame.index.name = None
    return frame


def _read_text_csv(path: Path, problems: ProblemList) -> pd.DataFrame | None:
    """A CSV with every cell as text and trimmed headers; a problem if it cannot be read."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        problems.add(f"cannot be read as CSV ({exc})", file=str(path),
                     fix="Save it as UTF-8 CSV with a header row")
        return None
    table.columns = [c.strip() for c in table.columns]
    return table


def _read_point_csv(
    path: Path, entry: dict[str, Any], spec: TableSpec, problems: ProblemList
) -> gpd.GeoDataFrame | None:
    name = str(path)
    x_col, y_col = str(entry.get("x", "easting")), str(entry.get("y", "northing"))
    table = _read_text_csv(path, problems)
    if table is None:
        return None
    missing = [c for c in (x_col, y_col) if c not in table.columns]
    if missing:
        problems.add(f"missing coordinate column(s) {', '.join(missing)}", file=name,
                     fix=f"Add them, or name the columns with x = and y = in [{spec.name}]")
        return None
    xs = pd.to_numeric(table[x_col], errors="coerce")
    ys = pd.to_numeric(table[y_col], errors="coerce")
    for col, values in ((x_col, xs), (y_col, ys)):
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        for i in np.flatnonzero(bad.to_numpy()):
            problems.add("coordinate is not a number", file=name, row=int(i) + 1, column=col,
                         value=table[col].iloc[i], fix="Give the coordinate in metres (BNG)")
    crs = entry.get("crs")
    if crs is None:
        problems.add(f"[{spec.name}] gives no crs for the coordinates", file=name,
                     fix='Add crs = "EPSG:27700" (or "EPSG:4326" for latitude/longitude)')
        return None
    try:
        ProjCRS.from_user_input(crs)
    except CRSError:
        problems.add(f"unknown CRS {crs!r}", file=name, fix='Use an EPSG code such as "EPSG:27700"')
        return None
    bad = xs.isna() | ys.isna()
    geometry = gpd.points_from_xy(xs.fillna(0), ys.fillna(0))
    geometry[bad.to_numpy()] = None
    frame = gpd.GeoDataFrame(table.drop(columns=[x_col, y_col]), geometry=geometry, crs=crs)
    # Rows whose coordinates were reported above are not reported again as empty geometry.
    frame.attrs["reported_rows"] = set(np.flatnonzero(bad.to_numpy()).tolist())
    return frame


def _read_vector(path: Path, problems: ProblemList) -> gpd.GeoDataFrame | None:
    import pyogrio.errors

    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        problems.add(f"cannot be read as a vector file ({exc})", file=str(path),
                     fix="Save it as GeoJSON, GeoPackage or shapefile")
        return None
    return frame


def _reproject(
    frame: gpd.GeoDataFrame, name: str, problems: ProblemList, warnings: list[str]
) -> gpd.GeoDataFrame | None:
    if frame.crs is None:
        problems.add("the file has no CRS", file=name,
                     fix="Save it with a CRS (EPSG:27700 preferred)")
        return None
    if ProjCRS.from_user_input(frame.crs) != ProjCRS.from_user_input(CRS):
        warnings.append(f"{Path(name).name}: reprojected from {frame.crs.to_string()} to {CRS}")
        frame = frame.to_crs(CRS)
    return frame


def _coerce_columns(
    frame: gpd.GeoDataFrame, spec: TableSpec, name: str, problems: ProblemList
) -> gpd.GeoDataFrame:
    frame = frame.copy()
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        problems.add(f"missing column(s) {', '.join(missing)}", file=name,
                     fix=f"Add them; the {spec.name} table needs: {', '.join(spec.required)}")
    for col in spec.columns:
        if col.name not in frame.columns:
            if not col.required:
                frame[col.name] = np.nan if col.dtype in ("float", "int") else ""
            continue
        raw = frame[col.name]
        if col.dtype in ("float", "int"):
            text = raw.astype("string").str.strip()
            values = pd.to_numeric(text.replace("", pd.NA), errors="coerce").astype(float)
            empty = raw.isna() | (text == "")
            bad = values.isna() & ~empty
            if col.required:
                bad = bad | empty
            arr = values.to_numpy()
            bad = bad | pd.Series(np.isinf(arr), index=values.index)
            for i in np.flatnonzero(bad.to_numpy()):
                problems.add("not a number" if not empty.iloc[i] else "empty", file=name,
                             row=int(i) + 1, column=col.name, value=raw.iloc[i],
                             fix=f"Give a number in {col.unit}" if col.unit else "Give a number")
            if col.minimum is not None:
                for i in np.flatnonzero((values < col.minimum).to_numpy()):
                    problems.add(f"negative {col.unit or 'value'}" if col.minimum == 0
                                 else f"below {col.minimum}", file=name, row=int(i) + 1,
                                 column=col.name, value=raw.iloc[i],
                                 fix="Give zero or a positive number")
            if col.maximum is not None:
                for i in np.flatnonzero((values > col.maximum).to_numpy()):
                    problems.add(f"more than {col.maximum:,.0f} {col.unit or ''} is not "
                                 "plausible here", file=name, row=int(i) + 1, column=col.name,
                                 value=raw.iloc[i], fix="Check the figure (a typing error?)")
            frame[col.name] = values
        else:
            frame[col.name] = raw.astype("string").fillna("").str.strip().astype(object)
    return frame


def _check_geometry(frame: gpd.GeoDataFrame, spec: TableSpec, name: str, problems: ProblemList) -> None:
    geoms = frame.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = np.where(empty, "", shapely.get_type_id(geoms).astype(str))
    reported = frame.attrs.get("reported_rows", set())
    for i in np.flatnonzero(empty):
        if i in reported:
            continue
        problems.add("empty or missing geometry", file=name, row=int(i) + 1, column="geometry",
                     fix=f"Give each {spec.name} row a {spec.geometry}")
    ok = ~empty
    invalid = ok & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        problems.add(f"invalid geometry ({shapely.is_valid_reason(geoms[i])})", file=name,
                     row=int(i) + 1, column="geometry",
                     fix="Repair it (for example with QGIS 'Fix geometries' or shapely.make_valid)")
    want = {"Point": {"0"}, "Polygon": {"3", "6"}}[spec.geometry]
    for i in np.flatnonzero(ok & ~np.isin(kinds, list(want))):
        problems.add(f"geometry is a {geoms[i].geom_type}, not a {spec.geometry}", file=name,
                     row=int(i) + 1, column="geometry",
                     fix=f"The {spec.name} layer holds {spec.geometry.lower()}s")


def _check_key(frame: gpd.GeoDataFrame, spec: TableSpec, name: str, problems: ProblemList) -> None:
    if spec.key not in frame.columns:
        return
    keys = frame[spec.key]
    for i in np.flatnonzero((keys == "").to_numpy()):
        problems.add(f"empty {spec.key}", file=name, row=int(i) + 1, column=spec.key,
                     fix="Give every row an identifier")
    dup = keys.duplicated(keep="first") & (keys != "")
    first = {k: i for i, k in reversed(list(enumerate(keys)))}
    for i in np.flatnonzero(dup.to_numpy()):
        problems.add(f"duplicate {spec.key} (first seen on row {first[keys.iloc[i]] + 1})",
                     file=name, row=int(i) + 1, column=spec.key, value=keys.iloc[i],
                     fix="Give each row its own identifier")


def _check_practices(frame: gpd.GeoDataFrame, problems: ProblemList, name: str) -> None:
    needed = {"site_kind", "parent_code", "practice_code"}
    if not needed <= set(frame.columns):
        return
    rows = {code: i + 1 for i, code in enumerate(frame["practice_code"])}
    mains = set(frame.loc[frame["site_kind"] == "main", "practice_code"])
    for code, kind, parent in zip(frame["practice_code"], frame["site_kind"], frame["parent_code"],
                                  strict=True):
        row = rows[code]
        if kind not in SITE_KINDS:
            problems.add("site_kind must be 'main' or 'branch'", file=name, row=row,
                         column="site_kind", value=kind, fix="Use 'main' or 'branch'")
        elif kind == "branch":
            if parent == "":
                problems.add("a branch site needs its parent practice", file=name, row=row,
                             column="parent_code", fix="Give the practice_code of the main site")
            elif parent not in mains:
                problems.add("the branch's parent practice does not exist (no main site has "
                             "this code)", file=name, row=row, column="parent_code", value=parent,
                             fix="Use the practice_code of a main site in this file")
        elif parent not in ("", code):
            problems.add("a main site cannot have a parent practice", file=name, row=row,
                         column="parent_code", value=parent,
                         fix="Leave parent_code empty, or set site_kind to 'branch'")
    if "list_size" in frame.columns:
        branch_lists = (frame["site_kind"] == "branch") & (frame["list_size"].fillna(0) > 0)
        for i in np.flatnonzero(branch_lists.to_numpy()):
            problems.add("a branch site carries a list; lists belong to the main site", file=name,
                         row=int(i) + 1, column="list_size", value=frame["list_size"].iloc[i],
                         fix="Add it to the parent's list_size and set the branch's to 0")
    bands = [c for c in frame.columns if c.startswith("list_") and c != "list_size"]
    if bands and "list_size" in frame.columns:
        band_sum = frame[bands].sum(axis=1, min_count=len(bands))
        off = band_sum.notna() & ((band_sum - frame["list_size"]).abs() > 0.5 + 1e-3 * band_sum)
        for i in np.flatnonzero(off.to_numpy()):
            problems.add(f"the age-band lists add up to {band_sum.iloc[i]:g}, not the list_size",
                         file=name, row=int(i) + 1, column="list_size",
                         value=frame["list_size"].iloc[i],
                         fix="Make the list_<band> columns add up to list_size, or leave them empty")


def _check_catchments(
    frame: gpd.GeoDataFrame, practices: gpd.GeoDataFrame, problems: ProblemList, name: str
) -> None:
    if "practice_code" not in frame.columns or "site_kind" not in practices.columns:
        return
    mains = set(practices.loc[practices["site_kind"] == "main", "practice_code"])
    for i, code in enumerate(frame["practice_code"]):
        if code and code not in mains:
            problems.add("catchment for a practice that is not a main site in the practices "
                         "file", file=name, row=i + 1, column="practice_code", value=code,
                         fix="Use the practice_code of a main site")


def _check_zones(frame: gpd.GeoDataFrame, problems: ProblemList, name: str) -> None:
    check_population(frame, [c.name for c in ZONES.columns if c.name.startswith("pop_")],
                     name, problems)
    if "ruc21" not in frame.columns:
        return
    for i, code in enumerate(frame["ruc21"]):
        # Empty: rurality not known (a region built without the RUC file); rural figures
        # leave the zone out rather than guess its class.
        if code and code not in RUC21_CLASS:
            problems.add("unknown Rural-Urban Classification code", file=name, row=i + 1,
                         column="ruc21", value=code,
                         fix="Use one of " + ", ".join(RUC21_CLASS) + " (ONS RUC 2021)")


def _empty(spec: TableSpec) -> gpd.GeoDataFrame:
    data: dict[str, pd.Series] = {}
    for c in spec.columns:
        data[c.name] = pd.Series(dtype=float if c.dtype in ("float", "int") else object)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS))
