"""Leaflet from the installed package: copied for Streamlit, or pointed at by a map."""

from __future__ import annotations

from pathlib import Path

import folium

from estates.report.assets import LEAFLET_DIR, LEAFLET_FILES, install_leaflet, use_served_leaflet


def test_install_copies_every_file_and_is_idempotent(tmp_path: Path) -> None:
    target = install_leaflet(tmp_path)
    for name in LEAFLET_FILES:
        assert (target / name).read_bytes() == (LEAFLET_DIR / name).read_bytes()
    stamp = (target / "leaflet.js").stat().st_mtime_ns
    install_leaflet(tmp_path)
    assert (target / "leaflet.js").stat().st_mtime_ns == stamp  # unchanged files not rewritten


def test_install_repairs_a_damaged_copy(tmp_path: Path) -> None:
    target = install_leaflet(tmp_path)
    (target / "leaflet.css").write_text("broken")
    install_leaflet(tmp_path)
    assert (target / "leaflet.css").read_bytes() == (LEAFLET_DIR / "leaflet.css").read_bytes()


def test_served_leaflet_replaces_every_cdn_link_on_that_map_only() -> None:
    m = use_served_leaflet(folium.Map(tiles=None), base_url="/app/static/leaflet")
    assert m.default_js == [("leaflet", "/app/static/leaflet/leaflet.js")]
    assert m.default_css == [("leaflet_css", "/app/static/leaflet/leaflet.css")]
    other = folium.Map(tiles=None)
    assert any("jsdelivr" in url for _, url in other.default_js)
