"""The command line under hostile conditions (issue 18): odd terminals, closed pipes, bad
``--out`` folders, runs that fail late. No traceback ever; outputs all or nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from estates import cli
from estates.io import export
from tests import regionkit

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    full.pop("ESTATES_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "estates", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=300, env=full, encoding="utf-8",
                          errors="replace")


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the command line in this process: (exit code, stderr)."""
    code = cli.main(list(args))
    return code, capsys.readouterr().err


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    """The tiny test region with two housing sites (a run needs some)."""
    folder = regionkit.write_region(tmp_path / "tiny", manifest=regionkit.MANIFEST
                                    + '\n[housing]\nfile = "housing.csv"\n')
    (folder / "housing.csv").write_text(
        "site_ref,name,easting,northing,dwellings,housing_type,2027/28\n"
        "H1,North Field,550500,160500,40,general,40\nH2,South Yard,551500,154500,20,general,20\n")
    return folder


# ------------------------------------------------------------------ stdout that cannot fail


def test_cp1252_terminal_with_an_arrow_in_a_name(tmp_path: Path) -> None:
    # Before: UnicodeEncodeError traceback on a cp1252 console or redirect.
    f = tmp_path / "arrow.csv"
    f.write_text("site_ref,name,easting,northing,dwellings\nS1,Mill \u2192 Lane,550000,150000,10\n",
                 encoding="utf-8")
    env = {"PYTHONIOENCODING": "cp1252"}
    text = _cli("sites", "check", str(f), env=env)
    assert text.returncode == 0 and "Traceback" not in text.stderr, text.stderr
    assert "Mill ? Lane" in text.stdout
    as_json = _cli("sites", "check", str(f), "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    # The JSON is escaped, so nothing is lost: the name comes back whole.
    assert json.loads(as_json.stdout)["accepted"][0]["name"] == "Mill \u2192 Lane"


def test_sites_check_piped_into_head(tmp_path: Path) -> None:
    # Before: BrokenPipeError traceback. 5,000 rows print far more than a pipe buffers.
    f = tmp_path / "many.csv"
    f.write_text("site_ref,name,easting,northing,dwellings\n" + "".join(
        f"S{i},Site {i},{550000 + i},150000,10\n" for i in range(5000)))
    with subprocess.Popen([sys.executable, "-m", "estates", "sites", "check", str(f)],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # what `| head -1` does
        err = proc.stderr.read().decode()
        proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode in (0, 1)


# ------------------------------------------------------------------ --out


def test_out_is_a_file(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "out.txt"
    f.write_text("mine")
    code, err = _main(capsys, "run", "--region", str(tiny), "--out", str(f), "--quiet")
    assert code == 2
    assert "is a file, not a folder" in _one_line(err)
    assert f.read_text() == "mine"


def test_out_under_a_file(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "out.txt"
    f.write_text("mine")
    code, err = _main(capsys, "run", "--region", str(tiny), "--out", str(f / "sub"), "--quiet")
    assert code == 2
    assert "is a file, so no folder can be made under it" in _one_line(err)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_out_unwritable(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # /proc refuses new folders even to root, so this holds in any test environment.
    code, err = _main(capsys, "run", "--region", str(tiny), "--out", "/proc/estates-out",
                      "--quiet")
    assert code == 2
    assert "cannot write into /proc" in _one_line(err)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_out_in_a_read_only_folder(tiny: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, err = _main(capsys, "run", "--region", str(tiny), "--out", str(ro / "x"),
                          "--quiet")
    finally:
        ro.chmod(0o755)
    assert code == 2 and "cannot write into" in _one_line(err)


def test_out_holds_a_folder_named_like_an_output(tiny: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / "summary.json").mkdir(parents=True)
    code, err = _main(capsys, "run", "--region", str(tiny), "--out", str(out), "--quiet")
    assert code == 2
    assert "summary.json is a folder where estates writes a file" in _one_line(err)


def test_plain_run_removes_a_scenario_runs_files(tiny: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # Before: comparison.json and scenario.json of an earlier scenario run stayed beside the
    # new summary. A file of the user's own is left alone.
    out = tmp_path / "out"
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"name": "Extend", "changes": [
        {"type": "extend", "practice_code": "P1", "gia_m2": 50}]}))
    assert _main(capsys, "run", "--region", str(tiny), "--scenario", str(scenario), "--out",
                 str(out), "--quiet")[0] == 0
    assert (out / "comparison.json").is_file() and (out / "scenario.json").is_file()
    (out / "my notes.txt").write_text("keep me")
    code, err = _main(capsys, "run", "--region", str(tiny), "--out", str(out), "--quiet")
    assert code == 0, err
    assert not (out / "comparison.json").exists() and not (out / "scenario.json").exists()
    assert (out / "summary.json").is_file() and (out / "my notes.txt").read_text() == "keep me"
    assert not list(tmp_path.glob(".out.*"))  # no staging folder left behind


def test_a_run_failing_late_leaves_the_previous_outputs(tiny: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    # Before: practices.csv ... summary.json were written, then the GeoPackage failed: files
    # that looked complete. Now nothing in --out changes and the error is one line.
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"earlier": true}\n')

    def disk_full(*args: object, **kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_geopackage", disk_full)
    code = cli.main(["run", "--region", str(tiny), "--out", str(out), "--quiet"])
    assert code == 1
    assert "No space left on device" in _one_line(capsys.readouterr().err)
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
    assert (out / "summary.json").read_text() == '{"earlier": true}\n'
    assert not list(tmp_path.glob(".out.*"))


def test_unexpected_error_is_one_line(tiny: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ESTATES_DEBUG", raising=False)

    def broken(*args: object, **kw: object) -> None:
        raise KeyError("zone_code")

    monkeypatch.setattr("estates.engine.evaluate.evaluate", broken)
    code = cli.main(["run", "--region", str(tiny), "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("estates: internal error (KeyError")


# ------------------------------------------------------------------ byte-identical GeoPackage


def test_geopackage_identical_between_runs(tiny: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # Before: gpkg_contents.last_change held the time of writing, so two runs differed.
    outs = []
    for name in ("a", "b"):
        code, err = _main(capsys, "run", "--region", str(tiny), "--out", str(tmp_path / name),
                          "--quiet")
        assert code == 0, err
        outs.append(tmp_path / name / "estates.gpkg")
    with sqlite3.connect(outs[0]) as db:
        changes = {row[0] for row in db.execute("SELECT last_change FROM gpkg_contents")}
    assert changes == {export.GPKG_TIMESTAMP}
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_sites_check_outlier_km_option(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    # Five sites together and one 70 km east: rejected at the default 40 km, kept at 100 km
    # or with the check off.
    f = tmp_path / "far.csv"
    f.write_text("site_ref,name,easting,northing,dwellings\n" + "".join(
        f"S{i},A{i},{550000 + i * 100},150000,10\n" for i in range(5))
                 + "F1,Far,620000,150000,10\n")
    assert cli.main(["sites", "check", str(f), "--json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert [r["row"] for r in default["rejected"]] == [6]
    for value in ("100", "off"):
        assert cli.main(["sites", "check", str(f), "--json", "--outlier-km", value]) == 0
        wide = json.loads(capsys.readouterr().out)
        assert wide["rejected"] == [] and len(wide["accepted"]) == 6
    with pytest.raises(SystemExit) as bad:  # argparse: usage and one line, exit 2
        cli.main(["sites", "check", str(f), "--outlier-km", "-3"])
    assert bad.value.code == 2
    assert "give a distance above 0 km" in capsys.readouterr().err
