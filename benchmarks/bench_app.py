"""Dashboard speed: first page interactive after start, re-render after one change, map size.

Run: ``python benchmarks/bench_app.py`` (needs /usr/bin/chromium). Targets: first page < 5 s,
re-render < 1 s, map HTML < 3 MB. Prints one line per figure.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402  (after the path set-up)
    CHROMIUM,
    CHROMIUM_ARGS,
    LOG,
    SCREENSHOTS,
    free_port,
    start_app,
    stop,
    wait_healthy,
)


def map_size() -> int:
    from estates.evaluate import evaluate
    from estates.io.region import demo_region
    from estates.report.map import build_map

    region = demo_region()
    result = evaluate(region)
    html = build_map(region, practices=result.practices, leaflet_url="/app/static/leaflet/")
    return len(html.get_root().render().encode())


def browser_figures() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, float] = {}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with LOG.open("wb") as log, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        started = time.perf_counter()
        process = start_app(port, log)
        try:
            wait_healthy(url, process)
            figures["server healthy after start (s)"] = time.perf_counter() - started
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + "/")
            capacity = page.locator('[data-testid="stMetric"]').filter(has_text="Capacity")
            capacity.first.wait_for(timeout=60_000)
            figures["first page interactive after start (s)"] = time.perf_counter() - started
            # A second visitor, server warm (region cached).
            t = time.perf_counter()
            page2 = browser.new_page(viewport={"width": 1400, "height": 1000})
            page2.goto(url + "/")
            page2.locator('[data-testid="stMetric"]').filter(
                has_text="Capacity").first.wait_for(timeout=60_000)
            figures["first page interactive, warm server (s)"] = time.perf_counter() - t
            page2.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Map").click()
            frame = page2.frame_locator('iframe[title="streamlit_folium.st_folium"]').last
            legend = frame.locator(".estates-legend").first
            legend.wait_for(timeout=60_000)
            t = time.perf_counter()
            page2.get_by_text("Headroom at the horizon (patients)").click()
            frame.locator(".estates-legend", has_text="Headroom at the horizon").first.wait_for(
                timeout=60_000)
            figures["map re-render after one parameter change (s)"] = time.perf_counter() - t
        finally:
            stop(process)
            browser.close()
    return figures


def main() -> int:
    size = map_size()
    print(f"map HTML on the demo: {size / 1e6:.2f} MB (target < 3 MB)")
    if not CHROMIUM.exists():
        print("chromium missing at /usr/bin/chromium: browser timings skipped")
        return 0
    targets = {"first page interactive after start (s)": 5.0,
               "map re-render after one parameter change (s)": 1.0}
    for name, value in browser_figures().items():
        target = f" (target < {targets[name]:g} s)" if name in targets else ""
        print(f"{name}: {value:.2f}{target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
