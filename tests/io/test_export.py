from __future__ import annotations

from pathlib import Path

import pandas as pd

from estates.io.export import neutralise, write_csv


def test_formula_cells_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "-cmd", "@SUM(A1)", "Oak Farm"],
                          "n": [-1.5, 2.0, 3.0, 4.0, 5.0]})
    write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    assert list(back["name"]) == ["'=HYPERLINK(\"http://x\")", "'+1", "'-cmd", "'@SUM(A1)", "Oak Farm"]
    assert back["n"].iloc[0] == -1.5  # numbers are left alone
    assert neutralise(3) == 3
