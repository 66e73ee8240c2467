"""``python -m estates appraise`` (issue 11 item 11) on the bundled demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
VILLAGE = ROOT / "data" / "demo" / "scenarios" / "library_and_retirement_satellite.json"
STANDARD = ("Do nothing", "Do minimum: extend in place", "Library satellite",
            "Satellite beside", "Hub", "Site finder")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "estates", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("appraise")
    done = _run("appraise", "--option", str(VILLAGE), "--out", str(folder), "--quiet")
    assert done.returncode == 0, done.stderr
    return folder


def test_appraisal_csv_one_row_per_option_score_first(out: Path) -> None:
    table = pd.read_csv(out / "appraisal.csv")
    assert list(table.columns[:2]) == ["option", "score"]
    for criterion in ("deficit_resolved_share", "older_access_change_pp",
                      "cost_per_deficit_patient_gbp", "people_further", "older_rural_further"):
        assert criterion in table.columns
    names = list(table["option"])
    for prefix in STANDARD:
        assert any(n.startswith(prefix) for n in names), prefix
    assert any(n.startswith("Paddock Wood library co-location") for n in names)
    assert len(names) == 7
    # scores descend with the rank; do nothing scores 0 by construction
    assert list(table["rank"]) == list(range(1, 8))
    assert table["score"].is_monotonic_decreasing
    assert table.loc[table["option"] == "Do nothing", "score"].iloc[0] == 0


def test_appraisal_json_and_report(out: Path) -> None:
    data = json.loads((out / "appraisal.json").read_text())
    assert len(data["options"]) == 7
    assert set(data["references"]) == {"deficit", "access_pp", "cost_per_patient_gbp"}
    village = data["new_sites"][
        "Paddock Wood library co-location and Hawkhurst retirement-village satellite"]
    assert {e["site_code"] for e in village} == {"Z99031-S1", "Z99036-S1"}
    html = (out / "report.html").read_text()
    assert "Options appraisal" in html and "fixed reference points" in html
    assert "Hawkhurst Medical Centre satellite at the retirement village" in html


def test_bad_option_files_exit_2_with_one_line_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "Bad", "changes": [
        {"type": "extend", "practice_code": "NOPE", "gia_m2": 10},
        {"type": "add_satellite", "parent_code": "ALSO-NOPE", "easting": 1, "northing": 2,
         "gia_m2": 10}]}))
    missing = tmp_path / "missing.json"
    done = _run("appraise", "--option", str(bad), "--option", str(missing), "--out",
                str(tmp_path / "o"), "--quiet")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 3, done.stderr
    assert all(line.startswith("estates: ") for line in lines)
    assert "changes[0].practice_code" in lines[0] and "NOPE" in lines[0]
    assert "changes[1].parent_code" in lines[1]
    assert "missing.json" in lines[2]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()
