"""The foundation's check that ``make run`` serves the dashboard: plain HTTP, no browser."""

from __future__ import annotations

import urllib.request


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_the_served_app_answers(app_url: str) -> None:
    status, body = get(app_url + "/")
    assert status == 200
    assert b"<html" in body.lower()
    status, body = get(app_url + "/_stcore/health")
    assert status == 200
    assert body.strip() == b"ok"


def test_leaflet_is_served_by_the_app_itself(app_url: str) -> None:
    # The first script run copies Leaflet into static/; opening the page triggers it, but a
    # plain GET does not run the script, so ask for the health of the static route only
    # after the file exists (it is created by any earlier browser session or app start).
    from estates.report.assets import LEAFLET_DIR, install_leaflet
    from tests.e2e.conftest import ROOT

    install_leaflet(ROOT / "static")
    status, body = get(app_url + "/app/static/leaflet/leaflet.js")
    assert status == 200
    assert body == (LEAFLET_DIR / "leaflet.js").read_bytes()
