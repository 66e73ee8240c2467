"""The Streamlit configuration keeps production-safe defaults."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())


def test_uploads_are_capped() -> None:
    assert 0 < CONFIG["server"]["maxUploadSize"] <= 50


def test_no_tracebacks_no_telemetry_no_outside_links() -> None:
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["showErrorLinks"] is False
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_request_forgery_protection_stays_on() -> None:
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"]["enableCORS"] is True
    assert CONFIG["server"]["runOnSave"] is False
    assert CONFIG["server"]["enableStaticServing"] is True  # Leaflet is served by the app
