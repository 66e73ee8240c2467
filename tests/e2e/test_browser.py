"""The dashboard in a real browser (Debian chromium): loads, draws, uploads, leaks nothing.

Every test records the page's requests and fails on any to a host other than the app's own
(the basemap is switched off by the server fixture), and on console errors.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, SCREENSHOTS, Watch

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 30_000
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
XSS_NAME = "<img src=x onerror=alert(1)>"


def open_app(pg: Any, app_url: str) -> None:
    pg.goto(app_url + "/", timeout=TIMEOUT_MS)
    pg.get_by_role("heading", name="Overview").wait_for(timeout=TIMEOUT_MS)


def go_to(pg: Any, title: str) -> None:
    """Follow the sidebar link, keeping the session (a fresh URL would start a new one)."""
    pg.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    pg.get_by_role("heading", name=title).first.wait_for(timeout=TIMEOUT_MS)


def wait_for_map(pg: Any) -> Any:
    frame = pg.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    pg.wait_for_timeout(500)
    return frame


def wait_idle(pg: Any) -> None:
    """Wait until Streamlit has finished the current script run."""
    pg.wait_for_timeout(300)
    pg.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=TIMEOUT_MS)


def upload(pg: Any, path: Path) -> None:
    pg.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    wait_idle(pg)


def assert_clean(watch: Watch) -> None:
    assert watch.foreign() == [], "requests left the app's host"
    assert watch.page_errors == []
    # A 404 for the favicon or a source map is not a fault of the page.
    errors = [e for e in watch.console_errors if not re.search(r"favicon|\.map\b", e)]
    assert errors == []
    assert watch.dialogs == []


def test_overview_shows_headline_figures(page: tuple[Any, Watch], app_url: str) -> None:
    pg, watch = page
    open_app(pg, app_url)
    metric = pg.locator('[data-testid="stMetric"]').filter(has_text="Practices in deficit")
    metric.first.wait_for(timeout=TIMEOUT_MS)
    assert re.search(r"Practices in deficit by \d{4}/\d\d\s+\d+$", metric.first.inner_text())
    # At 1400 px no headline value is cut short with an ellipsis: each fits its box.
    values = pg.locator('[data-testid="stMetricValue"]')
    assert values.count() >= 8
    overflowing = values.evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
    assert overflowing == []
    assert pg.get_by_text("synthetic demonstration data").first.is_visible()
    pg.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    assert_clean(watch)


def test_map_draws_catchments_and_sites_offline(page: tuple[Any, Watch], app_url: str) -> None:
    pg, watch = page
    open_app(pg, app_url)
    go_to(pg, "Map")
    frame = wait_for_map(pg)
    # Catchment polygons and circle markers are SVG paths; the legend sits beside the map.
    assert frame.locator("path.leaflet-interactive").count() > 100
    assert "Demand as % of capacity" in pg.locator(".estates-legend").inner_text()
    # The catchments are swapped in below the markers and listed in the layer control.
    assert frame.locator(".leaflet-catchments-pane path.leaflet-interactive").count() > 10
    layers = frame.locator(".leaflet-control-layers-overlays").first.text_content() or ""
    assert layers.count("Catchments (demand as % of capacity") == 1
    assert frame.locator("img.leaflet-tile").count() == 0  # the basemap is off
    pg.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)
    assert_clean(watch)


def test_upload_demo_register_then_a_broken_file(
    page: tuple[Any, Watch], app_url: str, tmp_path: Path
) -> None:
    pg, watch = page
    open_app(pg, app_url)
    go_to(pg, "Housing sites")
    upload(pg, ROOT / "data" / "demo" / "housing_sites.csv")
    accepted = pg.locator('[data-testid="stMetric"]').filter(has_text="Accepted")
    accepted.first.wait_for(timeout=TIMEOUT_MS)
    rows = len((ROOT / "data" / "demo" / "housing_sites.csv").read_text().splitlines()) - 1
    assert accepted.first.inner_text().split()[-1] == str(rows)
    pg.screenshot(path=str(SCREENSHOTS / "housing_upload.png"), full_page=True)

    broken = tmp_path / "broken.csv"
    broken.write_text("colour,flavour\nred,sweet\n")
    upload(pg, broken)
    alert = pg.locator('[data-testid="stAlertContentError"]')
    alert.first.wait_for(timeout=TIMEOUT_MS)
    assert "broken.csv" in alert.first.inner_text()
    assert pg.locator('[data-testid="stException"]').count() == 0
    pg.screenshot(path=str(SCREENSHOTS / "housing_broken.png"), full_page=True)
    assert_clean(watch)


def test_a_site_named_as_html_runs_nothing(
    page: tuple[Any, Watch], app_url: str, tmp_path: Path
) -> None:
    pg, watch = page
    evil = tmp_path / "evil.csv"
    evil.write_text(
        "site_ref,name,easting,northing,dwellings,housing_type,start_year,build_rate\n"
        f'X1,"{XSS_NAME}",559000,155000,120,general,2027,40\n'
        "X2,Quiet Lane,560000,156000,80,general,2028,40\n"
    )
    open_app(pg, app_url)
    go_to(pg, "Housing sites")
    upload(pg, evil)
    pg.locator('[data-testid="stMetric"]').filter(has_text="Accepted").first.wait_for()
    go_to(pg, "Map")
    wait_for_map(pg)
    map_frame = next(f for f in pg.frames if "st_folium" in f.url)
    # Open every popup and tooltip on the map, ending on the site with the hostile name.
    shown = map_frame.evaluate(
        """() => {
            const leaves = [];
            window.map.eachLayer(l => { if (l.feature) leaves.push(l); });
            let text = '';
            for (const l of leaves) {
                const at = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
                l.fire('mouseover', {latlng: at}, true);
                l.fire('click', {latlng: at}, true);
                if (String(l.feature.properties.tip || '').includes('onerror')) {
                    text = Array.from(document.querySelectorAll(
                        '.leaflet-popup-content, .leaflet-tooltip')).map(e => e.textContent)
                        .join(' | ');
                    break;
                }
            }
            return text;
        }"""
    )
    pg.wait_for_timeout(1500)  # give an injected image time to fail and fire onerror
    assert XSS_NAME in shown
    assert map_frame.locator("img[src='x']").count() == 0
    pg.screenshot(path=str(SCREENSHOTS / "xss_popup.png"), full_page=True)
    assert_clean(watch)


def pick(pg: Any, label: str, option: str) -> None:
    """Choose ``option`` in the select box labelled ``label``, as a user would."""
    box = pg.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    # The list is virtualised (only the first options exist in the page): type to filter it.
    pg.keyboard.type(option)
    pg.get_by_role("option", name=option).first.click()
    wait_idle(pg)


def test_options_journey_adds_a_library_satellite(page: tuple[Any, Watch], app_url: str) -> None:
    pg, watch = page
    open_app(pg, app_url)
    go_to(pg, "Options")
    pick(pg, "Practice that runs it", "Paddock Wood Health Centre (Z99031)")
    pick(pg, "Building", "Paddock Wood Library")
    pg.get_by_role("button", name="Add to the option").click()
    wait_idle(pg)
    metric = pg.locator('[data-testid="stMetric"]').filter(has_text="Sum of local deficits")
    metric.first.wait_for(timeout=TIMEOUT_MS)
    delta = metric.first.locator('[data-testid="stMetricDelta"]').inner_text()
    # The satellite takes patients off the deficit: the change is negative (shown in green).
    assert re.match(r"^[-\u2212]\d", delta.strip()), delta
    frames = pg.locator(MAP_FRAME)
    frames.nth(1).wait_for(timeout=TIMEOUT_MS)
    pg.frame_locator(MAP_FRAME).nth(1).locator("path.leaflet-interactive").first.wait_for(
        state="attached", timeout=TIMEOUT_MS)
    pg.wait_for_timeout(500)
    # Streamlit scrolls inside its main block, so a tall window shows the whole screen.
    pg.set_viewport_size({"width": 1400, "height": 3600})
    pg.wait_for_timeout(800)
    pg.screenshot(path=str(SCREENSHOTS / "options.png"))
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert_clean(watch)
