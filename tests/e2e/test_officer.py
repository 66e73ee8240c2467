"""A planning officer's day in real Chromium (issue 13): the map takes a satellite wherever it is
clicked, keeps the retirement village clickable, highlights the selected practice and keeps
popups inside the map; the option's maps open on the changed sites; the report prints on A4
with nothing cut. Screenshots go to tests/e2e/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, SCREENSHOTS, Watch
from tests.e2e.test_browser import (
    MAP_FRAME,
    TIMEOUT_MS,
    assert_clean,
    go_to,
    open_app,
    wait_for_map,
    wait_idle,
)

pytestmark = pytest.mark.e2e
#: A4 less the stylesheet's 12 mm margins either side: 186 mm at 96 CSS px per inch.
PRINTABLE_PX = 186 / 25.4 * 96
PRINTABLE_HEIGHT_PX = (297 - 24) / 25.4 * 96


def map_frame(pg: Any) -> Any:
    return next(f for f in pg.frames if "st_folium" in f.url)


def on_page(pg: Any, point: dict[str, float]) -> tuple[float, float]:
    """A point in the map frame's coordinates, on the page."""
    box = pg.locator(MAP_FRAME).first.bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def test_a_click_inside_a_catchment_places_a_satellite_with_its_coordinates(
        page: tuple[Any, Watch], app_url: str) -> None:
    pg, watch = page
    open_app(pg, app_url)
    go_to(pg, "Map")
    wait_for_map(pg)
    pg.get_by_text("places a proposed satellite").click()
    wait_idle(pg)
    wait_for_map(pg)
    # A point on a catchment's fill (not a marker): the centre of the largest fill that is
    # the topmost element there.
    point = map_frame(pg).evaluate(
        """() => {
            const paths = Array.from(document.querySelectorAll(
                '.leaflet-catchments-pane path.leaflet-interactive'));
            paths.sort((a, b) => b.getBBox().width * b.getBBox().height
                               - a.getBBox().width * a.getBBox().height);
            for (const p of paths) {
                const r = p.getBoundingClientRect();
                for (const [fx, fy] of [[.5, .5], [.4, .5], [.6, .5], [.5, .4], [.5, .6]]) {
                    const x = r.left + r.width * fx, y = r.top + r.height * fy;
                    if (x < 40 || y < 40 || x > innerWidth - 60 || y > innerHeight - 60) continue;
                    if (document.elementFromPoint(x, y) === p) return {x: x, y: y};
                }
            }
            return null;
        }""")
    assert point is not None, "no catchment fill is clickable"
    pg.mouse.click(*on_page(pg, point))
    wait_idle(pg)
    frame = pg.frame_locator(MAP_FRAME).first
    label = frame.locator(".leaflet-tooltip").filter(has_text="Proposed: Satellite 1")
    label.wait_for(timeout=TIMEOUT_MS)
    assert re.search(r"Satellite 1: easting \d{3},\d{3}, northing \d{3},\d{3}",
                     label.inner_text())
    pg.wait_for_timeout(500)
    pg.screenshot(path=str(SCREENSHOTS / "map_place_satellite.png"), full_page=True)
    assert_clean(watch)


def test_the_retirement_village_is_on_top_and_the_legend_names_libraries(
        page: tuple[Any, Watch], app_url: str) -> None:
    pg, watch = page
    open_app(pg, app_url)
    go_to(pg, "Map")
    wait_for_map(pg)
    found = map_frame(pg).evaluate(
        """() => {
            let village = null;
            window.map.eachLayer(l => {
                if (l.feature && String(l.feature.properties.tip || '')
                        .startsWith('Hawkhurst retirement village')) village = l;
            });
            if (!village) return null;
            // Sample the village's disc: the share of it that is topmost is what a click
            // can reach (a surgery 0.8 km away may overlap one edge at this zoom).
            const p = window.map.latLngToContainerPoint(village.getLatLng());
            const box = window.map.getContainer().getBoundingClientRect();
            const r = village.getRadius();
            let hits = 0, tries = 0;
            for (let dx = -r + 1; dx < r; dx += 1) for (let dy = -r + 1; dy < r; dy += 1) {
                if (dx * dx + dy * dy >= (r - 1) * (r - 1)) continue;
                tries += 1;
                if (document.elementFromPoint(box.left + p.x + dx, box.top + p.y + dy)
                        === village._path) hits += 1;
            }
            return {share: hits / tries, icons: document.querySelectorAll(
                '.leaflet-marker-icon').length};
        }""")
    assert found["icons"] == 0  # no icon markers (libraries are rings under the circles)
    # No library ring lies over a surgery or housing marker anywhere on the map.
    covered = map_frame(pg).evaluate(
        """() => {
            const box = window.map.getContainer().getBoundingClientRect();
            const out = [];
            window.map.eachLayer(l => {
                if (!(l.feature && l.getLatLng && l.getRadius) ||
                    'candidate_id' in l.feature.properties) return;
                const p = window.map.latLngToContainerPoint(l.getLatLng());
                const top = document.elementFromPoint(box.left + p.x, box.top + p.y);
                window.map.eachLayer(c => {
                    if (c.feature && 'candidate_id' in c.feature.properties && c._path === top)
                        out.push(l.feature.properties.tip);
                });
            });
            return out;
        }""")
    assert covered == []
    assert found["share"] >= 0.5, found
    legend = pg.locator(".estates-legend").inner_text()
    assert "Library or other candidate building" in legend
    assert "smaller one's colour shows" in legend
    pg.screenshot(path=str(SCREENSHOTS / "map_legend_libraries.png"), full_page=True)
    assert_clean(watch)


def test_the_selected_practice_is_outlined_and_popups_stay_inside_the_map(
        page: tuple[Any, Watch], app_url: str) -> None:
    pg, watch = page
    open_app(pg, app_url)
    go_to(pg, "Map")
    wait_for_map(pg)
    # Click Hawkhurst Medical Centre's surgery (selects that practice).
    point = map_frame(pg).evaluate(
        """() => {
            let site = null;
            window.map.eachLayer(l => {
                if (l.feature && l.getLatLng && String(l.feature.properties.tip || '')
                        .startsWith('Hawkhurst Medical Centre (Z99036)')) site = l;
            });
            const p = window.map.latLngToContainerPoint(site.getLatLng());
            const box = window.map.getContainer().getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""")
    pg.mouse.click(*on_page(pg, point))
    wait_idle(pg)
    pg.get_by_text("Selected practice: Hawkhurst Medical Centre").wait_for(timeout=TIMEOUT_MS)
    frame = pg.frame_locator(MAP_FRAME).first
    frame.locator("path[stroke='#000000'][stroke-width='4']").first.wait_for(
        state="attached", timeout=TIMEOUT_MS)
    assert frame.locator("path[stroke='#000000'][stroke-width='4']").count() >= 2
    # Open the tallest catchment popup: it scrolls rather than running off the map.
    fits = map_frame(pg).evaluate(
        """() => {
            const layers = [];
            window.map.eachLayer(l => { if (l.feature && l.getBounds) layers.push(l); });
            let worst = 0;
            for (const l of layers) {
                l.openPopup(l.getBounds().getCenter());
                const c = document.querySelector('.leaflet-popup-content');
                if (c) worst = Math.max(worst, c.getBoundingClientRect().height);
                l.closePopup();
            }
            return worst;
        }""")
    assert 0 < fits <= 262  # 260 px and a border
    pg.screenshot(path=str(SCREENSHOTS / "map_selected_practice.png"), full_page=True)
    assert_clean(watch)


def test_the_options_maps_open_on_the_changed_sites(page: tuple[Any, Watch],
                                                    app_url: str) -> None:
    pg, watch = page
    open_app(pg, app_url)
    go_to(pg, "Options")
    pg.get_by_role("button", name="Load", exact=True).click()
    wait_idle(pg)
    frames = pg.locator(MAP_FRAME)
    frames.nth(1).wait_for(timeout=TIMEOUT_MS)
    scale = pg.frame_locator(MAP_FRAME).nth(1).locator(".leaflet-control-scale-line").first
    scale.wait_for(timeout=TIMEOUT_MS)
    pg.wait_for_timeout(800)
    text = scale.inner_text().strip()
    number, unit = re.match(r"([\d.]+)\s*(km|m)", text).groups()  # type: ignore[union-attr]
    metres = float(number) * (1000 if unit == "km" else 1)
    # The region opens at a 10 km scale bar; the two changed sites, some 20 km apart, fit in
    # about half that.
    assert metres <= 5000, text
    pg.set_viewport_size({"width": 1400, "height": 3000})
    pg.wait_for_timeout(800)
    pg.screenshot(path=str(SCREENSHOTS / "options_maps_zoomed.png"))
    assert_clean(watch)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo report with the example option and the options appraisal: the widest tables."""
    from estates.engine.evaluate import evaluate
    from estates.io.region import demo_region
    from estates.options.apply import apply_with_costs, read_checked_scenario
    from estates.options.appraisal import default_options, run_appraisal
    from estates.options.compare import compare
    from estates.report.html import build_report

    r = demo_region()
    base = evaluate(r)
    sc = read_checked_scenario(ROOT / "data" / "demo" / "scenarios" /
                               "library_and_retirement_satellite.json", r)
    applied = apply_with_costs(r, sc)
    opt = evaluate(applied.region)
    comp = compare(base, opt, costs=applied.costs)
    appraisal = run_appraisal(r, r.growth, base.assumptions, default_options(r, base, k=1),
                              baseline=base).table
    html = build_report(applied.region, opt, comparison=comp, scenario=sc, appraisal=appraisal,
                        base_region=r, sites=r.growth.sites)
    out = tmp_path_factory.mktemp("print") / "report.html"
    out.write_text(html, encoding="utf-8")
    return out


def test_the_report_prints_on_a4_with_nothing_cut(browser: Any, report_file: Path) -> None:
    context = browser.new_context(viewport={"width": round(PRINTABLE_PX), "height": 1100},
                                  offline=True)
    pg = context.new_page()
    pg.goto(report_file.as_uri())
    pg.wait_for_load_state("load")
    pg.emulate_media(media="print")
    pg.wait_for_timeout(300)
    wider = pg.evaluate(
        """(limit) => Array.from(document.body.querySelectorAll('*'))
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.width > 0 && r.right > limit + 0.5; })
            .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 40))""",
        PRINTABLE_PX)
    assert wider == []
    assert pg.evaluate("document.documentElement.scrollWidth") <= PRINTABLE_PX + 0.5
    # The first page (title, in brief, headline figures) fits one printed page.
    first = pg.locator("section.first").bounding_box()
    assert first["height"] <= PRINTABLE_HEIGHT_PX
    pg.screenshot(path=str(SCREENSHOTS / "report_print_first_page.png"),
                  clip={"x": 0, "y": 0, "width": PRINTABLE_PX, "height": PRINTABLE_HEIGHT_PX})
    pg.locator("#contributions").scroll_into_view_if_needed()
    box = pg.locator("#contributions").bounding_box()
    pg.screenshot(path=str(SCREENSHOTS / "report_print_contributions.png"), full_page=True,
                  clip={"x": 0, "y": box["y"], "width": PRINTABLE_PX,
                        "height": PRINTABLE_HEIGHT_PX})
    pdf = pg.pdf(prefer_css_page_size=True, print_background=True)
    (SCREENSHOTS / "report.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 2
    (SCREENSHOTS / "report_pages.txt").write_text(f"{pages}\n")
    context.close()
