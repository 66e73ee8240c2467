from __future__ import annotations

import pandas as pd

from estates.model import (
    AGE_BANDS,
    OLDER_GROUPS,
    PRACTICES,
    RUC21_CLASS,
    RURAL_CLASSES,
    ZONES,
    Growth,
    fy,
    list_columns,
    pop_columns,
)
from tests import enginekit


def test_financial_year_labels() -> None:
    assert fy(2026) == "2026/27"
    assert fy(2099) == "2099/00"


def test_bands_and_columns() -> None:
    assert len(AGE_BANDS) == 7
    assert list_columns()[0] == "list_0_4" and pop_columns()[-1] == "pop_85_plus"
    assert OLDER_GROUPS["75+"] == ("75_84", "85_plus")
    assert set(RUC21_CLASS.values()) == set(RURAL_CLASSES)


def test_specs_document_every_column() -> None:
    for spec in (PRACTICES, ZONES):
        for col in spec.columns:
            assert col.description, (spec.name, col.name)
            if col.dtype == "float" and col.name not in ("year_built",):
                assert col.unit, (spec.name, col.name)
    # Floor area is in no national file: it may be empty (capacity unknown, issue 12).
    assert "list_size" in PRACTICES.required and "gia_m2" not in PRACTICES.required
    assert "gp_fte" not in PRACTICES.required
    assert PRACTICES.column("gia_m2").unit == "m2"


def test_growth_completions_fill_missing_years_and_keep_order() -> None:
    g = enginekit.growth()
    got = g.completions([2025, 2026, 2029, 2031])
    assert list(got.index) == ["S1", "S2", "S3"]
    assert got.loc["S1"].tolist() == [0.0, 50.0, 0.0, 0.0]
    assert got.loc["S3", 2029] == 100.0
    # the trajectory itself is not changed
    assert 2025 not in g.trajectory.columns


def test_empty_growth() -> None:
    g = Growth.empty()
    assert len(g.sites) == 0 and g.sites.crs.to_epsg() == 27700
    assert g.completions([2026]).shape == (0, 1)
    assert isinstance(g.trajectory, pd.DataFrame)


def test_region_main_practices() -> None:
    region = enginekit.region()
    region.practices.loc["B", "site_kind"] = "branch"
    assert list(region.main_practices.index) == ["A"]
