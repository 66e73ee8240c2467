"""Tests of ``python -m estates sites check``, run as a user would, through subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "housing"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "estates", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_sites_check_json_contract(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "site_ref,name,easting,northing,dwellings,housing_type,2026/27,2027/28\n"
        "A1,Kemsing,552300,155400,20,general,10,10\n"
        "A2,Nowhere,,,5,general,5,\n"
        "A1,Again,552300,155400,20,general,10,10\n", encoding="utf-8")
    proc = _run("sites", "check", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == ["rows_read", "accepted", "rejected", "warnings"]
    assert out["rows_read"] == 3
    assert len(out["accepted"]) + len(out["rejected"]) == 3
    (site,) = out["accepted"]
    assert list(site) == ["row", "site_ref", "name", "lat", "lon", "easting", "northing",
                          "dwellings", "housing_type"]
    assert site["row"] == 1 and site["site_ref"] == "A1" and site["dwellings"] == 20
    assert [r["row"] for r in out["rejected"]] == [2, 3]
    assert "no location" in out["rejected"][0]["reason"]
    assert "row 1" in out["rejected"][1]["reason"]


def test_sites_check_table_output():
    proc = _run("sites", "check", str(FIXTURES / "register_2017.csv"))
    assert proc.returncode == 0, proc.stderr
    assert "3 rows read, 3 accepted, 0 rejected" in proc.stdout
    assert "BLR/2" in proc.stdout and "Warnings:" in proc.stdout


def test_sites_check_unreadable_exits_2_with_one_line(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("colour,shape\nred,round\n", encoding="utf-8")
    proc = _run("sites", "check", str(path), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "notes.csv" in lines[0] and "not a recognisable" in lines[0]


def test_sites_check_missing_file_exits_2(tmp_path):
    proc = _run("sites", "check", str(tmp_path / "absent.csv"), "--json")
    assert proc.returncode == 2
    assert "file not found" in proc.stderr
