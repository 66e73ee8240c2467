"""``python -m estates centralise``: the outputs on the Kent example, determinism, and every
exit-2 path (one line on stderr)."""

from __future__ import annotations

import csv
import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from estates.cli import main

ROOT = Path(__file__).resolve().parents[2]
KENT = ROOT / "data" / "kent_stroke"
ARGS = ["centralise", "--region", str(KENT), "--sites", str(KENT / "sites.csv"), "--keep", "3",
        "--options-file", str(KENT / "options.csv"), "--no-tiles"]


@pytest.fixture(scope="module")
def kent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kent")
    assert main([*ARGS, "--out", str(out)]) == 0
    return out


def test_outputs_on_the_kent_example(kent: Path) -> None:
    with (kent / "centralise.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    # 7 choose 3 = 35 combinations, and today's row
    assert len(rows) == 36 and rows[-1]["option"] == "today"
    assert [r["rank"] for r in rows[:35]] == [str(i) for i in range(1, 36)]
    named = {r["option"]: r["sites"] for r in rows if r["option"] not in ("", "today")}
    assert named == {
        "Darent Valley + Medway + William Harvey": "DVH+MMH+WHH",
        "Darent Valley + Maidstone + William Harvey": "DVH+MMH+WHH".replace("MMH", "MGH"),
        "Maidstone + Medway + William Harvey": "MMH+MGH+WHH",
        "Tunbridge Wells + Medway + William Harvey": "MMH+TWH+WHH",
        "Darent Valley + Tunbridge Wells + William Harvey": "DVH+TWH+WHH",
    }
    # ranked by the default rule: % 65+ within 45 minutes never rises down the table
    pct = [float(r["emergency_pct_65plus_all_within_45"]) for r in rows[:35]]
    assert all(a >= b - 1e-6 for a, b in zip(pct, pct[1:], strict=False))
    summary = json.loads((kent / "centralise.json").read_text())
    assert summary["rule"] == ("emergency_pct_65plus_all_within_45:max,"
                               "emergency_p95_minutes_all:min")
    assert summary["best"]["sites"] == rows[0]["sites"]
    assert set(summary["options"]) == set(named)
    assert summary["assumptions"]["emergency_car_factor"]["unit"] == \
        "emergency-transport minutes per car minute"
    report = (kent / "report.html").read_text()
    assert "Impact on older and rural residents" in report and "smaller rural areas" in report
    assert "synthetic" in report
    page = (kent / "centralise_map.html").read_text()
    assert "Option: Darent Valley + Tunbridge Wells + William Harvey" in page


def test_table_is_deterministic(kent: Path, tmp_path: Path) -> None:
    assert main([*ARGS, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "centralise.csv").read_bytes() == (kent / "centralise.csv").read_bytes()
    assert (tmp_path / "centralise_map.html").read_bytes() == \
        (kent / "centralise_map.html").read_bytes()


def test_example_zones_rebuild_byte_identical(tmp_path: Path) -> None:
    script = (KENT / "make_kent_stroke.py").read_text()
    copy = tmp_path / "make_kent_stroke.py"
    copy.write_text(script)
    subprocess.run([sys.executable, str(copy)], check=True, capture_output=True)
    assert (tmp_path / "zones.geojson").read_bytes() == (KENT / "zones.geojson").read_bytes()
    assert (KENT / "zones.geojson").stat().st_size < 1_000_000


def test_thresholds_and_rank_flags(tmp_path: Path) -> None:
    assert main([*ARGS, "--thresholds", "20,40", "--rank", "emergency_max_minutes:min",
                 "--out", str(tmp_path)]) == 0
    with (tmp_path / "centralise.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert "emergency_pct_all_all_within_40" in rows[0]
    assert "emergency_pct_all_all_within_45" not in rows[0]
    longest = [float(r["emergency_max_minutes"]) for r in rows[:35]]
    assert longest == sorted(longest)
    assert not math.isnan(longest[0])


@pytest.mark.parametrize(("extra", "message"), [
    (["--keep", "8"], "keep 8 is more than the 7 candidate sites"),
    (["--keep", "three"], "--keep 'three'"),
    (["--keep", "3", "--must-keep", "XYZ"], "unknown site id(s) 'XYZ' in must-keep"),
    (["--keep", "3", "--option", "A=DVH,NOPE,WHH"], "unknown site id(s) 'NOPE' in option 'A'"),
    (["--keep", "3", "--thresholds", "45,30"], "values must rise"),
    (["--keep", "3", "--rank", "emergency_max_minutes:up"], "COLUMN:max or COLUMN:min"),
])
def test_exit_2_on_bad_input(extra: list[str], message: str, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    args = ["centralise", "--region", str(KENT), "--sites", str(KENT / "sites.csv"), *extra,
            "--out", str(tmp_path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1  # one line


def test_exit_2_without_zones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "region.toml").write_text('[zones]\nfile = "zones.geojson"\n')
    (empty / "zones.geojson").write_text('{"type":"FeatureCollection","features":[],"crs":'
                                         '{"type":"name","properties":{"name":'
                                         '"urn:ogc:def:crs:EPSG::27700"}}}')
    assert main(["centralise", "--region", str(empty), "--sites", str(KENT / "sites.csv"),
                 "--keep", "3", "--out", str(tmp_path / "o")]) == 2
    assert "the zones layer has no features" in capsys.readouterr().err


def test_exit_2_on_unreadable_sites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["centralise", "--region", str(KENT), "--sites", str(tmp_path / "none.csv"),
                 "--keep", "3"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_readme_example_table_matches_the_tool(kent: Path) -> None:
    with (kent / "centralise.csv").open(newline="") as fh:
        rows = {r["sites"]: r for r in csv.DictReader(fh)}
    readme = (ROOT / "README.md").read_text()
    start = readme.index("| rank | option | sites | % 65+ within 45 min")
    lines = list(itertools.takewhile(lambda ln: ln.startswith("|"),
                                     readme[start:].splitlines()[2:]))
    assert len(lines) == 7
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        key = cells[2] or next(k for k, r in rows.items() if r["option"] == "today")
        r = rows[key]
        assert cells[0] == (r["rank"] or "-")
        assert cells[3] == f"{float(r['emergency_pct_65plus_all_within_45']):.1f}"
        assert cells[4] == f"{float(r['emergency_pct_65plus_smaller_rural_within_45']):.1f}"
        assert cells[5] == f"{float(r['emergency_p95_minutes_all']):.0f}"
        assert cells[6] == f"{float(r['emergency_people_65plus_rise_over_20']):,.0f}"
