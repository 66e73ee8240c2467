"""The Dockerfile agrees with the repository: what it copies exists, ports and entry point match.

There is no Docker engine on the test machines, so the image is not built here; these checks
catch the mistakes that would break a build or a deployment.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instructions(name: str) -> list[str]:
    text = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in text.splitlines()
            if line.strip().upper().startswith(name + " ")]


def test_base_image_is_official_slim_python() -> None:
    (base,) = _instructions("FROM")
    assert re.fullmatch(r"python:3\.\d+-slim(-\w+)?", base.strip()), base


def test_every_copied_path_exists() -> None:
    copies = _instructions("COPY")
    assert copies
    for args in copies:
        *sources, _dest = shlex.split(args)
        for src in sources:
            assert (ROOT / src).exists(), f"Dockerfile copies {src}, which is not in the repo"


def test_requirements_are_installed_and_no_system_gis() -> None:
    runs = " ".join(_instructions("RUN"))
    assert "pip install -r requirements.txt" in runs
    assert "apt-get" not in runs and "gdal" not in runs.lower()  # the wheels carry GDAL/PROJ


def test_runs_as_non_root() -> None:
    users = _instructions("USER")
    assert users and users[-1].strip() not in ("root", "0")


def test_port_healthcheck_and_entry_point_match() -> None:
    (expose,) = _instructions("EXPOSE")
    port = expose.strip()
    (cmd,) = _instructions("CMD")
    assert f"--server.port={port}" in cmd
    assert "app.py" in cmd and (ROOT / "app.py").is_file()
    (health,) = _instructions("HEALTHCHECK")
    assert f":{port}/_stcore/health" in health
    config = ROOT / ".streamlit" / "config.toml"
    if config.is_file():
        server = tomllib.loads(config.read_text()).get("server", {})
        assert int(server.get("port", port)) == int(port)


def test_dockerignore_keeps_the_image_small() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored


def test_leaflet_is_in_the_image_before_the_first_page() -> None:
    # Streamlit serves static/ only; the app copies Leaflet there when a page first runs, so the
    # image must copy static/ and install Leaflet at build time or the map's script answers 404.
    copies = [shlex.split(args)[0] for args in _instructions("COPY")]
    assert "static" in copies
    runs = " ".join(_instructions("RUN"))
    assert "install_leaflet(Path('static'))" in runs
    assert "pip install --no-deps ." in runs  # the package and its `estates` command
