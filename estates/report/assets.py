"""Leaflet served from installed packages, so maps work with no internet access.

folium points every map at public CDNs (Leaflet, jQuery, Bootstrap, Awesome Markers). Councils
and NHS networks often block those hosts, and a map that silently depends on them leaks every
page view to third parties. The maps estates builds use only Leaflet itself (CircleMarkers and
plain DivIcons instead of Awesome Markers), and Leaflet comes from the pinned
``django-js-lib-leaflet`` package: either copied under the dashboard's ``static/`` folder and
served by Streamlit at ``/app/static/...``, or inlined into a self-contained HTML file.
"""

from __future__ import annotations

import base64
import filecmp
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import js_lib_leaflet

if TYPE_CHECKING:  # only annotations here: the Overview screen need not import folium
    import folium

#: Where the packaged Leaflet files live.
LEAFLET_DIR: Path = Path(js_lib_leaflet.__file__).resolve().parent / "static" / "js_lib_leaflet"
#: Files the maps need: the script, its style sheet and the images the style sheet names.
LEAFLET_FILES: tuple[str, ...] = (
    "leaflet.js",
    "leaflet.js.map",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)
#: URL under which Streamlit serves ``static/leaflet/`` when ``server.enableStaticServing`` is on.
STREAMLIT_LEAFLET_URL = "/app/static/leaflet/"


def install_leaflet(static_dir: Path) -> Path:
    """Copy Leaflet's files into ``static_dir / "leaflet"``; unchanged files are left alone.

    Parameters
    ----------
    static_dir
        The app's static folder (``static/`` beside ``app.py``).

    Returns
    -------
    Path
        The folder holding ``leaflet.js`` and ``leaflet.css``.
    """
    target = static_dir / "leaflet"
    for name in LEAFLET_FILES:
        source = LEAFLET_DIR / name
        dest = target / name
        if dest.exists() and filecmp.cmp(source, dest, shallow=False):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Copy to a temporary name then rename, so a browser never receives half a file when
        # two sessions start at once.
        tmp = dest.with_name(dest.name + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(dest)
    return target


def use_served_leaflet(m: folium.Map, *, base_url: str = STREAMLIT_LEAFLET_URL) -> folium.Map:
    """Point ``m`` at Leaflet under ``base_url`` and drop every other default asset.

    streamlit-folium and folium both read the map's ``default_js``/``default_css``, so setting
    them on the instance is enough; other map instances keep folium's class defaults.
    """
    if not base_url.endswith("/"):
        base_url += "/"
    m.default_js = [("leaflet", base_url + "leaflet.js")]
    m.default_css = [("leaflet_css", base_url + "leaflet.css")]
    return m


def _data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def inline_leaflet_css() -> str:
    """Leaflet's CSS with its images embedded as data URIs (for a single-file HTML map)."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    for name in ("layers-2x.png", "layers.png", "marker-icon.png"):
        css = css.replace(f"url(images/{name})", f"url({_data_uri(LEAFLET_DIR / 'images' / name, 'image/png')})")
    return css


def inline_leaflet_js() -> str:
    """Leaflet's script without its source-map comment (the map file is not embedded)."""
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    return js.replace("//# sourceMappingURL=leaflet.js.map", "")


def standalone_html(m: folium.Map) -> str:
    """Render ``m`` as one HTML file that loads nothing from the network except basemap tiles.

    The map's asset links are removed and Leaflet is embedded in the page head instead.
    """
    m.default_js = []
    m.default_css = []
    html = m.get_root().render()
    head = (
        "<style>" + inline_leaflet_css() + "</style>\n"
        # "</script" cannot occur inside Leaflet's minified source, but guard anyway: it
        # would end the inline script early.
        + "<script>" + inline_leaflet_js().replace("</script", "<\\/script") + "</script>\n"
    )
    marker = "<head>"
    if marker not in html:  # branca always writes one; fail loudly rather than ship a blank map
        raise RuntimeError("folium output has no <head>: cannot embed Leaflet")
    return html.replace(marker, marker + "\n" + head, 1)
