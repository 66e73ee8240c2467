"""Start the real dashboard once per test session and drive Debian's chromium against it.

The browser is never downloaded: tests skip when /usr/bin/chromium is missing. The server is
started the way ``make run`` starts it (``python -m streamlit run app.py``) from this
interpreter, on a free port, with the basemap switched off so that every request the page
makes must go to the app's own host.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
#: The server's output, kept beside the screenshots (git-ignored) for when a test fails.
LOG = SCREENSHOTS / "streamlit.log"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}: see {LOG}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health in {timeout_s:g} s")


def start_app(port: int, log: IO[bytes], *extra: str,
              script: Path | str = "app.py") -> subprocess.Popen[bytes]:
    """``streamlit run`` of ``script`` (the dashboard unless a benchmark's peer is given)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), ESTATES_BASEMAP="none")
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", *extra],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """A running dashboard, started as ``make run`` would, for the whole session."""
    port = free_port()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with LOG.open("wb") as log:
        process = start_app(port, log)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process)
            yield url
        finally:
            stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """Everything a page does that a test may need to fail on."""

    def __init__(self, app_host: str) -> None:
        self.app_host = app_host
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []

    def foreign(self) -> list[str]:
        """Requests to any host but the app's own (data: and blob: URLs stay in the page)."""
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.netloc != self.app_host:
                out.append(url)
        return out


@pytest.fixture
def page(browser: object, app_url: str) -> Iterator[tuple[object, Watch]]:
    """A fresh browser page with its requests, console errors and dialogs recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    pg = context.new_page()
    watch = Watch(urlparse(app_url).netloc)
    pg.on("request", lambda r: watch.requests.append(r.url))
    pg.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.page_errors.append(str(e)))

    def on_dialog(dialog: object) -> None:
        watch.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    pg.on("dialog", on_dialog)
    # Popups inside the map's iframe raise their dialogs on the same page object.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield pg, watch
    finally:
        context.close()
