"""The output folder of a run, written all or nothing.

Every file is written into a temporary folder beside ``--out`` and moved into place only when
all are written, so an interrupted run or one that fails late leaves the previous outputs as
they were (or none), never a mixture that looks complete. Files the tool wrote on an earlier
run that this run does not write (a scenario run's ``comparison.json`` before a plain run) are
removed; anything else in the folder is left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from estates.errors import InputError

#: Every file ``estates run`` may write: the ones this run does not write are stale.
OWN_OUTPUTS = (
    "practices.csv", "catchments.geojson", "zones.csv", "sites.csv", "allocation.csv",
    "contributions.csv", "summary.json", "report.html", "estates.gpkg", "comparison.json",
    "scenario.json", "travel_time_to_gp.tif", "travel_time_change.tif",
)


def check_out_folder(out: Path) -> None:
    """Raise a one-line InputError when ``out`` cannot be an output folder.

    ``out`` may not exist yet (it is created, with its parents); it must not be a file, lie
    under a file, be unwritable, or hold a folder where the tool writes a file.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file, not a folder: give a folder for the outputs")
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise InputError(f"--out {out}: {existing} is a file, so no folder can be made under "
                         "it: give another folder")
    try:  # a probe, not os.access: it also holds for root and for read-only file systems
        Path(tempfile.mkdtemp(prefix=".estates-probe.", dir=existing)).rmdir()
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write into {existing} ({exc.strerror or exc}): "
                         "give a folder you can write to") from None
    if out.is_dir():
        for name in OWN_OUTPUTS:
            if (out / name).is_dir():
                raise InputError(f"--out {out}: {out / name} is a folder where estates writes a "
                                 "file: remove or rename it")


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``out`` to write into; on success its files replace
    ``out``'s (stale outputs of the tool removed), on any failure it is deleted."""
    out = Path(out)
    check_out_folder(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial",
                                      dir=out.parent))
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write beside it in {out.parent} "
                         f"({exc.strerror or exc}): give a folder you can write to") from None
    try:
        yield stage
        _publish(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _publish(stage: Path, out: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    if not out.exists():
        stage.chmod(0o777 & ~umask)  # mkdtemp makes it private; an output folder is not
        os.replace(stage, out)
        return
    written = {p.name for p in stage.iterdir()}
    for name in OWN_OUTPUTS:
        stale = out / name
        if name not in written and (stale.is_file() or stale.is_symlink()):
            stale.unlink()
    for path in sorted(stage.iterdir()):
        path.chmod(0o666 & ~umask)
        os.replace(path, out / path.name)
