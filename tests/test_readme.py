"""The README's examples run as written (issue 12, item 10), and its figures are the tool's.

Each ``python -m estates`` command of the README's sh blocks is run with its own text, from a
folder holding the repository's data/ and tests/fixtures/ (so that its out/ stays there); the
server commands (make run) and make itself are not run here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    found = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split(" #")[0].strip()
            if line.startswith("python -m estates"):
                found.append(" ".join(line.split()))
    return found


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "estates"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *argv[1:]], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("readme")
    (here / "data").symlink_to(ROOT / "data", target_is_directory=True)
    (here / "tests").mkdir()
    (here / "tests" / "fixtures").symlink_to(ROOT / "tests" / "fixtures",
                                             target_is_directory=True)
    return here


def test_the_readme_has_commands_to_run():
    found = commands()
    assert any(" run " in c for c in found) and any("region build" in c for c in found)
    assert any("data check" in c for c in found) and any("sites check" in c for c in found)


@pytest.mark.parametrize("command", commands())
def test_each_command_runs_as_written(command: str, workdir: Path):
    done = run(command, workdir)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_demo_figures_quoted_are_the_tools(workdir: Path):
    done = run("python -m estates run --out out/figures --quiet", workdir)
    assert done.returncode == 0, done.stderr
    s = json.loads((workdir / "out" / "figures" / "summary.json").read_text())
    quoted = re.search(r"can serve ([\d,]+) patients against a need-weighted demand of ([\d,]+) "
                       r"in (\d{4})/\d\d \(headroom (-?[\d,]+)\); (\d+) of (\d+) practices are "
                       r"in deficit on premises.*?of whom ([\d,]+) could be served by spare space "
                       r"in the wrong place", README, flags=re.S)
    assert quoted is not None
    capacity, demand, year, headroom, deficit, practices, misplaced = quoted.groups()
    n = lambda text: float(text.replace(",", ""))  # noqa: E731
    assert n(capacity) == pytest.approx(s["aggregate_capacity"], abs=0.5)
    assert n(demand) == pytest.approx(s["aggregate_demand"], abs=0.5)
    assert int(year) == s["horizon_year"]
    assert n(headroom) == pytest.approx(s["aggregate_headroom"], abs=0.5)
    assert (int(deficit), int(practices)) == (s["practices_in_deficit"], s["practices"])
    assert n(misplaced) == pytest.approx(s["misplaced_capacity"], abs=0.5)


def test_real_region_figures_quoted_are_the_tools(workdir: Path):
    done = run("python -m estates run --region data/worthing_adur --out out/wa --quiet",
               workdir)
    assert done.returncode == 0, done.stderr
    s = json.loads((workdir / "out" / "wa" / "summary.json").read_text())
    quoted = re.search(r"(\d+) practices and ([\d,]+) residents", README)
    assert quoted is not None
    assert int(quoted.group(1)) == s["practices"]
    assert float(quoted.group(2).replace(",", "")) == s["population"]


def test_patients_help_tells_the_truth():
    from estates.cli import build_parser

    def sub(parser, name):
        group = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        return group.choices[name]

    build = sub(sub(build_parser(), "region"), "build")
    helps = {a.dest: a.help for a in build._actions}
    assert "gp-reg-pat-prac-all.csv" in helps["patients"]
    # The GP Workforce CSV goes to --workforce; --patients does not read it.
    assert "use --workforce for the GP Workforce" in helps["patients"]
    assert "GP Workforce" in helps["workforce"]
