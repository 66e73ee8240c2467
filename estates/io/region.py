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
from pyproj import CRS as ProjCRS

from estates.errors import InputError, ProblemList
from estates.io.manifest import check_manifest, layer_path
from estates.io.region_checks import (
    check_in_england,
    check_not_empty,
    check_raster,
    check_source_coordinates,
)
from estates.io.region_layers import (
    check_catchments,
    check_geometry,
    check_key,
    check_practices,
    check_zones,
    coerce_columns,
    empty_layer,
    read_point_csv,
    read_text_csv,
    read_vector,
    reproject,
)
from estates.model import (
    CANDIDATES,
    CATCHMENTS,
    CRS,
    PRACTICES,
    REGISTRATIONS,
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
                frames[layer] = empty_layer(spec)
                continue
            problems.add(f"no [{layer}] section", fix=f"Add [{layer}] with file = \"...\"")
            continue
        frame = _read_layer(folder, layer, entry, spec, problems, warnings)
        if frame is not None:
            frames[layer] = frame
    if "practices" in frames:
        check_practices(frames["practices"], problems, _file(folder, manifest, "practices"))
    if "practices" in frames and "catchments" in frames:
        check_catchments(frames["catchments"], frames["practices"], problems,
                          _file(folder, manifest, "catchments"))
    if "zones" in frames:
        check_zones(frames["zones"], problems, _file(folder, manifest, "zones"))
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
        check_zones(frame, problems, _file(folder, manifest, "zones"))
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
    table = read_text_csv(path, problems)
    if table is None:
        return None
    before = len(problems)
    table = coerce_columns(table, REGISTRATIONS, name, problems)
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
        frame = read_point_csv(path, entry, spec, problems)
    else:
        frame = read_vector(path, problems)
    if frame is None:
        return None
    if layer not in _OPTIONAL_LAYERS and not check_not_empty(frame, layer, name, problems):
        return None
    if not check_source_coordinates(frame, name, problems):
        return None
    frame = reproject(frame, name, problems, warnings)
    if frame is None:
        return None
    check_in_england(frame, name, problems)
    frame = coerce_columns(frame, spec, name, problems)
    check_geometry(frame, spec, name, problems)
    check_key(frame, spec, name, problems)
    frame = frame.set_index(spec.key, drop=False)
    frame.index.name = None
    return frame


