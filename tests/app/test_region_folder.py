"""The dashboard reads region folders only under its region root."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_pages.common import DEMO_FOLDER, resolve_region_folder
from estates.errors import InputError


def test_empty_means_the_demo() -> None:
    assert resolve_region_folder("  ") == DEMO_FOLDER


def test_folders_under_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTATES_REGION_ROOT", str(tmp_path))
    (tmp_path / "kent").mkdir()
    assert resolve_region_folder("kent") == (tmp_path / "kent").resolve()
    assert resolve_region_folder(str(tmp_path / "kent")) == (tmp_path / "kent").resolve()


@pytest.mark.parametrize("folder", ["/etc", "../../", "kent/../../..", "/"])
def test_folders_elsewhere_are_refused(folder: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTATES_REGION_ROOT", str(tmp_path / "regions"))
    with pytest.raises(InputError, match="reads regions only from"):
        resolve_region_folder(folder)
