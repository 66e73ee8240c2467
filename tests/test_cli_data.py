"""``python -m estates data check KIND FILE [--json]`` (issue 12, item 1): the ``sites check``
contract for every national reader; counts worked from the fixtures by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from estates.cli import main
from estates.data_check import KINDS

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "national"

#: kind -> (fixture, rows read, rows rejected), counted by reading each fixture.
CASES = {
    "epraccur": ("epraccur-2025.csv", 5, 3),  # inactive, dormant, role RO80
    "patients": ("gp-reg-pat-prac-all-2026.csv", 3, 1),  # the sub-ICB total
    "patients-by-lsoa": ("gp-reg-pat-prac-lsoa-all.csv", None, None),
    "patients-by-age": ("gp-reg-pat-prac-quin-age.csv", None, None),
    "workforce": ("gp-workforce-practice.csv", None, None),
    "lsoa": ("lsoa21.geojson", None, 0),
    "population": ("lsoa-population.csv", 4, 1),  # Sevenoaks 001C: '?' and 'x' counts
    "ruc": ("ruc21.csv", 4, 1),  # XX9
    "postcodes": ("postcodes-2025.csv", 3, 1),  # ZZ99 1ZZ, terminated
    "libraries": ("libraries-national.csv", 6, 6),  # no postcode directory: none placed
    "catchments": ("catchments.gpkg", None, 0),
    "estates": ("practice-estates.csv", 5, 2),  # bad site kind and x; orphan branch
    "districts": ("districts.csv", 3, 1),  # E01024445 twice
    "age-profile": ("age-profile.json", 8, 2),  # 40-49 straddles two bands; All ages
}


def test_every_kind_has_a_case():
    assert set(CASES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_contract(kind, capsys):
    name, rows, rejected = CASES[kind]
    assert main(["data", "check", kind, str(FIX / name), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"rows_read", "accepted", "rejected", "warnings"}
    assert isinstance(report["accepted"], int)
    assert report["rows_read"] == report["accepted"] + len(report["rejected"])
    assert all(set(r) == {"row", "reason"} and r["reason"] for r in report["rejected"])
    if rows is not None:
        assert report["rows_read"] == rows
    if rejected is not None:
        assert len(report["rejected"]) == rejected


def test_libraries_placed_with_a_postcode_directory(capsys):
    assert main(["data", "check", "libraries", str(FIX / "libraries-national.csv"),
                 "--postcodes", str(FIX / "postcodes.csv"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Sevenoaks (TN13 3PN) and Edenbridge (TN8 1HX) placed; closed, mobile, prison and the
    # library with no public address rejected.
    assert report["accepted"] == 2 and len(report["rejected"]) == 4


def test_text_output_groups_reasons(capsys):
    assert main(["data", "check", "epraccur", str(FIX / "epraccur-2025.csv")]) == 0
    out = capsys.readouterr().out
    assert "5 rows read, 2 accepted, 3 rejected" in out
    assert "dormant" in out


def test_unreadable_file_exit_2_one_line(tmp_path):
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n1,2\n")
    done = subprocess.run([sys.executable, "-m", "estates", "data", "check", "ruc", str(bad)],
                          cwd=ROOT, text=True, capture_output=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "notes.csv" in done.stderr and "Traceback" not in done.stderr


def test_lsoa_2011_refused_exit_2(tmp_path, capsys):
    f = tmp_path / "lsoa11.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA11CD": "E01000001"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 51], [0.01, 51], [0.01, 51.01],
                                                          [0, 51]]]}}]}))
    assert main(["data", "check", "lsoa", str(f)]) == 2
    assert "LSOA 2011" in capsys.readouterr().err
