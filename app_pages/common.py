"""What every screen shares: session state, cached calls into the core, and error handling.

Screens keep their choices in ``st.session_state`` so that uploads and settings survive moving
between pages. Cached functions take plain parameters (folder paths, file bytes, JSON text),
never GeoDataFrames, whose CRS objects do not hash reliably.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from estates.assumptions import Assumptions
from estates.engine.evaluate import Result
from estates.errors import EstatesError, InputError
from estates.io.region import DEMO_FOLDER, read_region
from estates.model import Growth, Region
from estates.options.apply import apply_with_costs, check_scenario
from estates.report.assets import STREAMLIT_LEAFLET_URL, install_leaflet

if TYPE_CHECKING:  # imported where used: the site finder and appraisal load scipy's solvers
    pass



T = TypeVar("T")
APP_DIR = Path(__file__).resolve().parents[1]
STATIC_DIR = APP_DIR / "static"

#: Session keys and their starting values.
DEFAULTS: dict[str, Any] = {
    "region_folder": "",  # "" means the bundled demo
    "housing_upload": None,  # {"name": str, "data": bytes} or None (use the region's own sites)
    "housing_edits": {},  # site_ref -> {"housing_type": ..., "start_year": ..., "build_rate": ...}
    "estates_edits": {},  # practice_code -> {"gia_m2": ..., "clinical_rooms": ..., "gp_fte": ...}
    "overrides": {},  # assumption name -> value
    "scenario": {"name": "My option", "description": "", "changes": [], "assumptions": {}},
    "appraisal_k": None,  # set when the user runs the options appraisal (sites the finder adds)
    "site_finder": None,  # {"k": ..., "budget_gbp": ..., "grid_m": ...} of the last search
    "proposed": [],  # (easting, northing, label) picked on the map
    "selected_practice": None,
    # ESTATES_BASEMAP=none starts with no basemap (for networks that block tile servers).
    "basemap": "None (offline)" if os.environ.get("ESTATES_BASEMAP", "").lower() == "none"
    else "OpenStreetMap",
    "shade_by": "utilisation_pct_horizon",
}


def init_state() -> None:
    """Put every shared key into the session with its default, once."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)


@contextlib.contextmanager
def core_errors() -> Iterator[None]:
    """Show an estates error as a message and stop the page; anything else is a bug and raises."""
    try:
        yield
    except EstatesError as exc:
        st.error(str(exc))
        st.stop()


@st.cache_resource(show_spinner=False)
def serve_leaflet() -> str:
    """Copy Leaflet under ``static/`` once per server process; return its URL folder."""
    install_leaflet(STATIC_DIR)
    return STREAMLIT_LEAFLET_URL


def region_root() -> Path:
    """The one folder under which the dashboard reads region folders (ESTATES_REGION_ROOT,
    default the app's data/ folder), so a visitor cannot point the server at any path."""
    return Path(os.environ.get("ESTATES_REGION_ROOT", APP_DIR / "data")).resolve()


def resolve_region_folder(folder: str) -> Path:
    """``folder`` (relative to the region root, or absolute inside it) as a checked path."""
    if not folder.strip():
        return DEMO_FOLDER
    root = region_root()
    path = (root / folder.strip()).resolve()
    if not path.is_relative_to(root):
        raise InputError(
            f"Region folder {folder!r}: this server reads regions only from {root}. Put the "
            "region there (or ask the administrator to set ESTATES_REGION_ROOT) and give its "
            "folder name.")
    return path


#: Between a region folder and the user's estates figures in a region key (a folder typed in
#: the sidebar is one line, so it never holds this).
_KEY_SEP = "\n"


def region_key() -> str:
    """The region folder, with the user's estates figures (floor area, rooms, GP FTE) when
    any are given: every cached call takes this one text, so the figures reach them all."""
    folder, edits = st.session_state["region_folder"], st.session_state["estates_edits"]
    if not edits:
        return str(folder)
    return f"{folder}{_KEY_SEP}{json.dumps(edits, sort_keys=True, default=str)}"


@st.cache_resource(show_spinner="Reading the region...")
def load_region(key: str) -> Region:
    """The region of ``key`` (a folder, "" for the demo, optionally with estates figures; see
    ``region_key``). Shared, never mutated: the core is pure."""
    from estates.io.estates_figures import apply_estates_figures

    folder, _, edits_json = key.partition(_KEY_SEP)
    region = read_region(resolve_region_folder(folder))
    if not edits_json:
        return region
    with_figures, notes = apply_estates_figures(region, json.loads(edits_json))
    with_figures.warnings = [*region.warnings, *notes]
    return with_figures


def region() -> Region:
    return load_region(region_key())


def region_choices() -> dict[str, str]:
    """Region folders under the region root (those holding region.toml), by folder: name.
    The bundled demo comes first as ""."""
    import tomllib

    root = region_root()
    found: dict[str, str] = {"": "West Kent (synthetic demonstration)"}
    for manifest in sorted(root.glob("*/region.toml")) + sorted(root.glob("*/*/region.toml")):
        folder = manifest.parent
        if folder.resolve() == DEMO_FOLDER.resolve():
            continue
        try:
            name = str(tomllib.loads(manifest.read_text(encoding="utf-8")).get("name", ""))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            name = ""
        rel = str(folder.relative_to(root))
        found[rel] = f"{name} ({rel})" if name else rel
    return found


def assumptions() -> Assumptions:
    """Defaults with the user's overrides (validated again: a bad override raises here)."""
    return Assumptions().with_overrides(st.session_state["overrides"], file="Assumptions page")


def overrides_key() -> str:
    return json.dumps(st.session_state["overrides"], sort_keys=True, default=str)


def synthetic_note(r: Region) -> None:
    if r.synthetic:
        st.info(
            f"**{r.name}** is synthetic demonstration data: the practices, lists, floor areas "
            "and housing sites are invented. Load your own region and housing sites for real "
            "figures."
        )


def growth() -> Growth:
    """Housing growth used on every screen: the uploaded sites if any, else the region's own."""
    return _growth(region_key(), st.session_state["housing_upload"],
                   json.dumps(st.session_state["housing_edits"], sort_keys=True, default=str),
                   assumptions().base_year)


def _growth(folder: str, upload: dict[str, Any] | None, edits_json: str, base_year: int) -> Growth:
    if upload is None:
        return load_region(folder).growth
    imported = read_housing(upload["data"], upload["name"], base_year, region_extent(folder))
    uploaded = apply_housing_edits(imported, json.loads(edits_json))
    if upload.get("mode") != "add":
        return uploaded
    return add_sites(load_region(folder).growth, uploaded)[0]


def add_sites(own: Growth, uploaded: Growth) -> tuple[Growth, list[str]]:
    """The region's own sites plus the uploaded ones ("add to them"); an uploaded site whose
    reference the region already uses is left out, and its reference returned."""
    from estates.io.housing_terms import ref_key

    taken = {ref_key(str(r)) for r in own.sites.index}
    clash = [str(r) for r in uploaded.sites.index if ref_key(str(r)) in taken]
    keep = uploaded.sites.index.difference(pd.Index(clash), sort=False)
    sites = pd.concat([own.sites, uploaded.sites.loc[keep]])
    years = sorted(set(own.trajectory.columns) | set(uploaded.trajectory.columns))
    trajectory = pd.concat([own.trajectory.reindex(columns=years),
                            uploaded.trajectory.loc[keep].reindex(columns=years)]).fillna(0.0)
    return Growth(sites, trajectory), clash


@st.cache_data(show_spinner=False, max_entries=8)
def region_extent(folder: str) -> tuple[float, float, float, float] | None:
    """The region's zones' bounds: sites inside them are never rejected as far outliers."""
    from estates.io.housing import extent_of

    return extent_of(load_region(folder).zones)


@st.cache_resource(show_spinner=False, max_entries=8)
def region_boundary(folder: str) -> Any:
    """The region's outline (the union of its zones), to flag sites outside it."""
    import shapely

    return shapely.union_all(load_region(folder).zones.geometry.to_numpy())


@st.cache_resource(show_spinner="Working out capacity and demand...", max_entries=16)
def _evaluate(folder: str, upload: dict[str, Any] | None, edits_json: str,
              overrides_json: str) -> Result:
    from estates.engine.evaluate import evaluate

    chosen = Assumptions().with_overrides(json.loads(overrides_json), file="Assumptions page")
    return evaluate(load_region(folder), growth=_growth(folder, upload, edits_json,
                                                        chosen.base_year),
                    assumptions=chosen)


def _inputs() -> tuple[str, dict[str, Any] | None, str, str]:
    """The plain parameters every cached evaluation is keyed on."""
    return (region_key(), st.session_state["housing_upload"],
            json.dumps(st.session_state["housing_edits"], sort_keys=True, default=str),
            overrides_key())


#: The cache key of the evaluation a new session starts with (see _inputs): the warm-up at
#: server start (app_pages/warm.py) fills exactly this entry.
DEFAULT_INPUTS: tuple[str, None, str, str] = (
    DEFAULTS["region_folder"], None,
    json.dumps(DEFAULTS["housing_edits"], sort_keys=True, default=str),
    json.dumps(DEFAULTS["overrides"], sort_keys=True, default=str))


def inputs_key() -> str:
    """The evaluation's inputs as one text (an upload by its name and a digest of its bytes)."""
    folder, upload, edits_json, overrides_json = _inputs()
    file = None if upload is None else [upload["name"],
                                        hashlib.sha256(upload["data"]).hexdigest()]
    return json.dumps([folder, file, edits_json, overrides_json])


def session_memo(kind: str, key: str, build: Callable[[], T], *, keep: int = 2) -> T:
    """``build()`` kept in this session under (kind, key); the ``keep`` newest of a kind stay.

    For objects that must not be shared between sessions, because using them mutates them
    (a folium map renders into itself), but are too slow to rebuild on every rerun.
    """
    memo: dict[tuple[str, str], Any] = st.session_state.setdefault("_memo", {})
    if (kind, key) not in memo:
        same = [k for k in memo if k[0] == kind]
        for old in same[: max(0, len(same) - keep + 1)]:
            del memo[old]
        memo[(kind, key)] = build()
    return memo[(kind, key)]  # type: ignore[no-any-return]


def evaluation() -> Result:
    """The evaluated baseline with the user's housing sites and assumptions (cached)."""
    return _evaluate(*_inputs())




# ------------------------------------------------------------------------------ travel time


# ------------------------------------------------------------------------------ the scenario


def empty_scenario() -> dict[str, Any]:
    return {"name": "My option", "description": "", "changes": [], "assumptions": {}}


def scenario_doc() -> dict[str, Any]:
    """The scenario being built on the Options screen, as its JSON document (a dict)."""
    return st.session_state["scenario"]


def scenario_json(doc: dict[str, Any] | None = None) -> str:
    return json.dumps(scenario_doc() if doc is None else doc, sort_keys=True, default=str)


def _sites_xy(practices: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"x": practices.geometry.x.to_numpy(),
                         "y": practices.geometry.y.to_numpy()}, index=practices.index)


@st.cache_data(show_spinner=False, max_entries=8)
def _travel_surfaces(folder: str, overrides_json: str,
                     doc_json: str) -> tuple[np.ndarray, np.ndarray | None, tuple[float, ...]]:
    """Minutes to the nearest surgery on the region's friction raster (or, without one, by
    straight line on the population raster's grid), and under a scenario the change.

    Returns (baseline minutes, scenario minus baseline or None, affine transform as 6 numbers).
    Cached as plain arrays: the surfaces are pickled, so the key must be plain text.
    """
    from estates.access.raster import Grid, read_population, surface_change, travel_time_surface
    from estates.access.travel import read_friction

    region = load_region(folder)
    a = Assumptions().with_overrides(json.loads(overrides_json), file="Assumptions page")
    if region.friction_raster is not None:
        kw: dict[str, Any] = {"friction": read_friction(region.friction_raster,
                                                        unit=region.friction_unit)}
    else:
        grid: Grid = read_population(region.population_raster).grid  # type: ignore[arg-type]
        kw = {"grid": grid, "mode": a.travel_mode, "assumptions": a}
    base_sites = _sites_xy(region.practices)
    doc = json.loads(doc_json)
    if not doc["changes"]:
        surface = travel_time_surface(base_sites, **kw)
        return surface.minutes, None, tuple(surface.grid.transform)[:6]
    scenario = check_scenario(doc_json, region, file="the scenario", assumptions=a)
    changed = _sites_xy(apply_with_costs(region, scenario, assumptions=a).region.practices)
    common = base_sites.index.intersection(changed.index)
    moved = [c for c in common
             if not np.allclose(base_sites.loc[c].to_numpy(), changed.loc[c].to_numpy())]
    removed = [c for c in base_sites.index if c not in changed.index or c in moved]
    added = changed.loc[[c for c in changed.index if c not in base_sites.index or c in moved]]
    change = surface_change(base_sites, added=added, removed=removed, **kw)
    return (change.baseline.minutes, change.difference,
            tuple(change.baseline.grid.transform)[:6])


def travel_surfaces() -> tuple[np.ndarray, np.ndarray | None, tuple[float, ...]]:
    """Travel-time surfaces for the region and the session's scenario (see _travel_surfaces)."""
    return _travel_surfaces(st.session_state["region_folder"], overrides_key(), scenario_json())


def travel_time_available(r: Region) -> bool:
    return r.friction_raster is not None or r.population_raster is not None


@st.cache_data(show_spinner="Checking the housing sites...", max_entries=8)
def read_housing(data: bytes, name: str, base_year: int,
                 extent: tuple[float, float, float, float] | None = None) -> Any:
    """Read an uploaded housing file (cached on its bytes); returns a ``HousingImport``."""
    from estates.io.housing import HousingOptions, read_housing_sites

    return read_housing_sites(data, filename=name, base_year=base_year,
                              options=HousingOptions(region_extent=extent))


def apply_housing_edits(imported: Any, edits: dict[str, dict[str, Any]]) -> Growth:
    """The import's growth with the user's corrections of housing type and phasing applied.

    A phasing edit (start year and build rate) replaces that site's trajectory with an even
    build-out, as the template's ``start_year``/``build_rate`` columns do.
    """
    from estates.io.housing import build_out

    result = imported.to_growth()
    if not edits:
        return result
    sites = result.sites.copy()
    trajectory = result.trajectory.copy()
    for ref, change in edits.items():
        if ref not in sites.index:
            continue
        if "housing_type" in change:
            sites.loc[ref, "housing_type"] = change["housing_type"]
            sites.loc[ref, "housing_type_inferred"] = False
        if "start_year" in change and "build_rate" in change:
            built = build_out(float(sites.loc[ref, "dwellings"]), int(change["start_year"]),
                              float(change["build_rate"]))
            for year in built:
                if year not in trajectory.columns:
                    trajectory[year] = 0.0
            trajectory.loc[ref, :] = 0.0
            for year, count in built.items():
                trajectory.loc[ref, year] = count
    trajectory = trajectory.reindex(columns=sorted(trajectory.columns))
    return Growth(sites, trajectory)


#: What the Housing sites screen's "replace or add" choice (session key ``housing_mode``) means.
HOUSING_MODES: dict[str, str] = {
    "replace": "replace the region's own sites",
    "add": "are added to the region's own sites",
}


def housing_source_text() -> str:
    """Which housing sites every figure uses, in words (shown on every screen)."""
    upload = st.session_state.get("housing_upload")
    if upload is None:
        return "Housing sites: the region's own."
    mode = st.session_state.get("housing_mode")
    how = HOUSING_MODES.get(str(mode), "")
    if mode is not None and not how:
        how = f"({mode})"
    name = str(upload.get("name", "uploaded file"))
    return f"Housing sites: **{name}**" + (f" ({how})" if how else " (uploaded)") + "."


def housing_source_note() -> None:
    st.caption(housing_source_text())


def sidebar() -> None:
    """Region and display settings shown on every screen."""
    with st.sidebar:
        choices = region_choices()
        current = st.session_state["region_folder"]
        if current not in choices:
            choices[current] = current
        # Options are the labels themselves (not a format_func), so that the choice is
        # a plain string in the session and in AppTest.
        by_label = {label: folder for folder, label in choices.items()}
        label = st.selectbox(
            "Region", options=list(by_label), index=list(by_label).index(choices[current]),
            help="The regions found under the server's region folder "
                 f"({region_root()}): the synthetic demonstration and any region built with "
                 "`estates region build`.")
        chosen = by_label[str(label)]
        if chosen != current:
            st.session_state["estates_edits"] = {}  # figures belong to one region's sites
        st.session_state["region_folder"] = chosen
        housing_source_note()
        choices = ["OpenStreetMap", "None (offline)"]
        # Set from session state explicitly (no widget key): a keyed widget's state is dropped
        # on runs that do not draw it, and the basemap choice must survive every screen.
        st.session_state["basemap"] = st.selectbox(
            "Basemap", options=choices, index=choices.index(st.session_state["basemap"]),
            help="Background map tiles come from tile.openstreetmap.org. Choose None to keep "
                 "every request on this server; polygons, markers and popups still work.",
        )


@st.cache_resource(show_spinner=False)
def app_icon() -> Any:
    """A 32 px icon (white cross on NHS blue) drawn in memory, so no icon is fetched."""
    from PIL import Image, ImageDraw

    icon = Image.new("RGB", (32, 32), (0, 94, 184))
    draw = ImageDraw.Draw(icon)
    draw.rectangle((13, 6, 18, 25), fill="white")
    draw.rectangle((6, 13, 25, 18), fill="white")
    return icon


def show_table(frame: pd.DataFrame, **kwargs: Any) -> Any:
    """``st.dataframe`` with thousands separators in every number column (12,687, not 12687).

    Year columns should be given as text ("2027/28", see ``format_figure(y, "year")``), so
    that a year is never shown as 2,027.
    """
    config = {str(c): st.column_config.NumberColumn(format="localized")
              for c in frame.columns
              if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
                  frame[c])}
    config.update(kwargs.pop("column_config", {}) or {})
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(frame, column_config=config, **kwargs)


def year_text(years: pd.Series) -> pd.Series:
    """Financial years as text ("2027/28"), blank where there is none."""
    from estates.report.figures import format_figure

    return years.map(lambda y: "" if pd.isna(y) else format_figure(int(y), "year"))
