"""What every screen shares: session state, cached calls into the core, and error handling.

Screens keep their choices in ``st.session_state`` so that uploads and settings survive moving
between pages. Cached functions take plain parameters (folder paths, file bytes, JSON text),
never GeoDataFrames, whose CRS objects do not hash reliably.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from estates.assumptions import Assumptions
from estates.errors import EstatesError
from estates.io.region import DEMO_FOLDER, read_region
from estates.model import Growth, Region
from estates.report.assets import STREAMLIT_LEAFLET_URL, install_leaflet

APP_DIR = Path(__file__).resolve().parents[1]
STATIC_DIR = APP_DIR / "static"

#: Session keys and their starting values.
DEFAULTS: dict[str, Any] = {
    "region_folder": "",  # "" means the bundled demo
    "housing_upload": None,  # {"name": str, "data": bytes} or None (use the region's own sites)
    "housing_edits": {},  # site_ref -> {"housing_type": ..., "start_year": ..., "build_rate": ...}
    "overrides": {},  # assumption name -> value
    "scenario": [],  # list of change dicts
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
            st.session_state[key] = value.copy() if isinstance(value, (dict, list)) else value


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


@st.cache_resource(show_spinner="Reading the region...")
def load_region(folder: str) -> Region:
    """The region in ``folder`` ("" for the demo). Shared, never mutated: the core is pure."""
    return read_region(Path(folder) if folder else DEMO_FOLDER)


def region() -> Region:
    return load_region(st.session_state["region_folder"])


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
    return _growth(st.session_state["region_folder"], st.session_state["housing_upload"],
                   json.dumps(st.session_state["housing_edits"], sort_keys=True, default=str),
                   assumptions().base_year)


def _growth(folder: str, upload: dict[str, Any] | None, edits_json: str, base_year: int) -> Growth:
    if upload is None:
        return load_region(folder).growth
    imported = read_housing(upload["data"], upload["name"], base_year)
    return apply_housing_edits(imported, json.loads(edits_json))


def engine_available() -> bool:
    """True once the capacity engine (``estates.evaluate``) is part of this build."""
    return importlib.util.find_spec("estates.evaluate") is not None


def scenario_available() -> bool:
    return importlib.util.find_spec("estates.scenario") is not None


@st.cache_resource(show_spinner="Working out capacity and demand...", max_entries=16)
def _evaluate(folder: str, upload: dict[str, Any] | None, edits_json: str, overrides_json: str,
              scenario_json: str) -> Any:
    from estates.evaluate import evaluate

    chosen = Assumptions().with_overrides(json.loads(overrides_json), file="Assumptions page")
    return evaluate(load_region(folder), growth=_growth(folder, upload, edits_json,
                                                        chosen.base_year),
                    assumptions=chosen)


def evaluation(*, with_scenario: bool = False) -> Any:
    """The evaluated baseline (or the user's scenario), or None when the engine is absent."""
    if not engine_available():
        return None
    scenario_json = json.dumps(st.session_state["scenario"] if with_scenario else [],
                               sort_keys=True, default=str)
    return _evaluate(st.session_state["region_folder"], st.session_state["housing_upload"],
                     json.dumps(st.session_state["housing_edits"], sort_keys=True, default=str),
                     overrides_key(), scenario_json)


def engine_missing_note(what: str) -> None:
    st.warning(f"{what} needs the capacity engine (estates.evaluate), which is not part of this "
               "build yet. The figures below come straight from the region's data.")


@st.cache_data(show_spinner="Checking the housing sites...", max_entries=8)
def read_housing(data: bytes, name: str, base_year: int) -> Any:
    """Read an uploaded housing file (cached on its bytes); returns a ``HousingImport``."""
    from estates.io.housing import read_housing_sites

    return read_housing_sites(data, filename=name, base_year=base_year)


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


def sidebar() -> None:
    """Region and display settings shown on every screen."""
    with st.sidebar:
        st.session_state["region_folder"] = st.text_input(
            "Region folder", value=st.session_state["region_folder"],
            help="A folder with region.toml and its layers. Leave empty for the bundled "
                 "synthetic demonstration (West Kent).",
        )
        choices = ["OpenStreetMap", "None (offline)"]
        # Set from session state explicitly (no widget key): a keyed widget's state is dropped
        # on runs that do not draw it, and the basemap choice must survive every screen.
        st.session_state["basemap"] = st.selectbox(
            "Basemap", options=choices, index=choices.index(st.session_state["basemap"]),
            help="Background map tiles come from tile.openstreetmap.org. Choose None to keep "
                 "every request on this server; polygons, markers and popups still work.",
        )


def plain(frame: Any) -> pd.DataFrame:
    """A copy without geometry or ``attrs`` (readers keep notes there that Arrow cannot carry)."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    out.attrs = {}
    return out


@st.cache_resource(show_spinner=False)
def app_icon() -> Any:
    """A 32 px icon (white cross on NHS blue) drawn in memory, so no icon is fetched."""
    from PIL import Image, ImageDraw

    icon = Image.new("RGB", (32, 32), (0, 94, 184))
    draw = ImageDraw.Draw(icon)
    draw.rectangle((13, 6, 18, 25), fill="white")
    draw.rectangle((6, 13, 25, 18), fill="white")
    return icon
