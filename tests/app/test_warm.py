"""The start-up warm-up: it fills the very cache entries a new session reads, and never fails."""

from __future__ import annotations

import ast
import asyncio
import logging
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import common, warm

ROOT = Path(__file__).resolve().parents[2]


def test_default_inputs_are_a_new_sessions_key() -> None:
    # A new session has the demo folder (""), no upload, and no edits or overrides: JSON "{}".
    assert common.DEFAULT_INPUTS == ("", None, "{}", "{}")


def test_warm_fills_the_cache_the_first_page_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(common, "load_region", lambda folder: calls.append(("region", folder)))
    monkeypatch.setattr(common, "_evaluate", lambda *key: calls.append(("evaluate", *key)))
    warm.warm()
    assert calls == [("region", ""), ("evaluate", "", None, "{}", "{}")]


def test_a_failing_warm_up_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    def broken(folder: str) -> None:
        raise OSError(f"cannot read {folder!r}")

    monkeypatch.setattr(common, "load_region", broken)
    with caplog.at_level(logging.WARNING, logger="app_pages.warm"):
        warm.warm()
    assert "warming the dashboard failed" in caplog.text
    assert "cannot read ''" in caplog.text


def test_lifespan_starts_the_warm_up_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    done = threading.Event()
    seen: list[str] = []

    def fake() -> None:
        seen.append(threading.current_thread().name)
        done.set()

    monkeypatch.setattr(warm, "warm", fake)

    async def serve() -> None:
        async with warm.lifespan(None):
            assert done.wait(timeout=10)

    asyncio.run(serve())
    assert seen == ["estates-warm"]


def test_streamlit_run_finds_the_app_and_sessions_run_the_dashboard() -> None:
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app
    # The App is made only on import (not in a session's run, where __name__ is __main__).
    tree = ast.parse((ROOT / "app.py").read_text())
    guard = next(n for n in tree.body if isinstance(n, ast.If))
    assert ast.unparse(guard.test) == "__name__ != '__main__'"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Overview"
