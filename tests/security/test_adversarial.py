"""Named adversarial inputs for every reader: each ends in a result or a clear InputError.

Never another exception, never a silently dropped row, never a NaN in the headline figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estates.access.travel import validate_travel_matrix
from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.errors import InputError
from estates.io import national
from estates.io.housing import read_housing_sites
from estates.io.region import read_region
from tests import enginekit, regionkit

HEADER = "site_ref,name,easting,northing,dwellings,housing_type,2026/27\n"
NAMED_FILES: dict[str, bytes] = {
    "empty file": b"",
    "only white space": b"   \n\n  \n",
    "header only": HEADER.encode(),
    "binary junk": bytes(range(256)) * 40,
    "a PNG": b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
    "a zip (xlsx-like) that is broken": b"PK\x03\x04" + b"\x00" * 300,
    "very long cell": (HEADER + "S1," + "x" * 200_000 + ",550000,150000,10,general,10\n").encode(),
    "NaN dwellings": (HEADER + "S1,Oak,550000,150000,NaN,general,10\n").encode(),
    "inf dwellings": (HEADER + "S1,Oak,550000,150000,inf,general,10\n").encode(),
    "negative dwellings": (HEADER + "S1,Oak,550000,150000,-5,general,0\n").encode(),
    "duplicate site refs": (HEADER + "S1,Oak,550000,150000,10,general,10\n"
                            "S1,Elm,551000,151000,12,general,12\n").encode(),
    "point far outside England": (HEADER + "S1,Oak,9000000,-5000,10,general,10\n").encode(),
    "latitude 0 longitude 0": b"site_ref,name,latitude,longitude,dwellings,housing_type\nS1,Null Island,0,0,10,general\n",
    "script in the name": (HEADER + 'S1,"<img src=x onerror=alert(1)>",550000,150000,10,general,10\n').encode(),
    "formula in the name": (HEADER + "S1,=HYPERLINK(\"http://x\"),550000,150000,10,general,10\n").encode(),
    "more cells than headers": (HEADER + "S1,Oak,550000,150000,10,general,10,extra,more\n").encode(),
    "fewer cells than headers": (HEADER + "S1,Oak\n").encode(),
    "unbalanced quotes": (HEADER + 'S1,"Oak,550000,150000,10,general,10\n').encode(),
    "NUL bytes": (HEADER + "S1,Oa\x00k,550000,150000,10,general,10\n").encode(),
    "UTF-16 text": (HEADER + "S1,Oak,550000,150000,10,general,10\n").encode("utf-16"),
}


def _outcome(read: Callable[[bytes], Any], data: bytes) -> Any:
    try:
        return read(data)
    except InputError as exc:
        assert str(exc).strip(), "an InputError must say what is wrong"
        return exc


@pytest.mark.parametrize("case", list(NAMED_FILES))
def test_housing_reader_named_cases(case: str) -> None:
    out = _outcome(lambda b: read_housing_sites(b, filename="upload.csv"), NAMED_FILES[case])
    if isinstance(out, InputError):
        assert "upload.csv" in str(out)
        return
    assert out.rows_read == len(out.accepted) + len(out.rejected)
    for reason in out.rejected["reason"]:
        assert reason
    if case in ("NaN dwellings", "inf dwellings", "negative dwellings",
                "point far outside England", "latitude 0 longitude 0"):
        assert len(out.rejected) == 1 and len(out.accepted) == 0, out.rejected
    if case == "duplicate site refs":
        assert len(out.accepted) == 1 and "S1" in " ".join(out.rejected["reason"])
    if case == "script in the name":
        # kept as text (escaping is the display's job), never dropped
        assert out.accepted["name"].iloc[0] == "<img src=x onerror=alert(1)>"


def test_huge_file_is_read_or_refused_clearly() -> None:
    rows = "".join(f"S{i},Site {i},{550000 + i % 900},{150000 + i % 700},10,general,10\n"
                   for i in range(60_000))
    out = _outcome(lambda b: read_housing_sites(b, filename="big.csv"), (HEADER + rows).encode())
    if not isinstance(out, InputError):
        assert out.rows_read == 60_000 == len(out.accepted) + len(out.rejected)


NATIONAL_READERS = {
    "patients totals": national.read_patients_totals,
    "patients five-year": national.read_patients_five_year,
    "patients by LSOA": national.read_patients_by_lsoa,
    "epraccur": national.read_epraccur,
    "GP workforce": national.read_gp_workforce,
    "population by age": national.read_population_by_age,
    "RUC": national.read_ruc,
    "postcodes": national.read_postcodes,
    "libraries": national.read_libraries,
    "practice estates": national.read_practice_estates,
}


@pytest.mark.parametrize("reader", list(NATIONAL_READERS))
@pytest.mark.parametrize("case", ["empty file", "binary junk", "header only", "very long cell",
                                  "NUL bytes", "unbalanced quotes"])
def test_national_readers_named_cases(reader: str, case: str) -> None:
    out = _outcome(lambda b: NATIONAL_READERS[reader](b, filename="nat.csv"), NAMED_FILES[case])
    if not isinstance(out, InputError):
        assert out.rows_read == len(out.table) + len(out.rejected)


def test_travel_matrix_named_cases() -> None:
    import pandas as pd

    frame = pd.DataFrame({"origin": ["a", "b", "c", None], "destination": ["x", "y", "z", "w"],
                          "minutes": [5, -1, float("nan"), 3]})
    with pytest.raises(InputError, match="row 2"):
        validate_travel_matrix(frame, file="od.csv")


@pytest.mark.parametrize(
    "overrides",
    [{"occupancy_general": float("nan")}, {"m2_per_patient": float("inf")},
     {"people_per_gp_fte": -1}, {"threshold_minutes": 0}, {"need_weights": "1,1,1"},
     {"horizon_year": 1e300}, {"capacity_method": None}, {"e2sfca_weights": []}],
)
def test_assumption_overrides_named_cases(overrides: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="assumption"):
        Assumptions().with_overrides(overrides)


def test_assumptions_json_junk() -> None:
    for text in ("", "null", "[]", '{"a":', "\x00\x01", json.dumps({"base_year": "next"})):
        with pytest.raises(InputError):
            Assumptions.from_json(text)


def _headline_finite(summary: dict[str, Any]) -> None:
    for key in ("aggregate_capacity", "aggregate_demand", "aggregate_headroom", "deficit_total",
                "misplaced_capacity", "unmet_demand_within_threshold"):
        assert math.isfinite(summary[key]), key
    json.dumps(summary, allow_nan=False)  # no NaN can leak into summary.json


def test_region_with_zero_practices() -> None:
    region = enginekit.region()
    region.practices = region.practices.iloc[0:0]
    region.catchments = region.catchments.iloc[0:0]
    # weights of 1: the figure below counts people, the point being that none can register
    result = evaluate(region, assumptions=Assumptions(horizon_year=2030,
                                                      need_weights=(1.0,) * 7))
    _headline_finite(result.summary)
    assert result.summary["practices"] == 0 and result.summary["aggregate_capacity"] == 0
    # with nowhere to register, every new resident is unmet demand
    assert result.summary["unmet_demand_within_threshold"] == pytest.approx(861, abs=1)


def test_region_with_zero_capacity_and_zero_population() -> None:
    region = enginekit.region()
    region.practices["gia_m2"] = 0.0
    region.zones[[c for c in region.zones.columns if c.startswith("pop_")]] = 0.0
    result = evaluate(region, assumptions=Assumptions(horizon_year=2030))
    _headline_finite(result.summary)
    assert result.summary["practices_in_deficit"] == 2
    assert np.isnan(result.practices["utilisation_pct_horizon"]).all()  # no division by zero


def test_region_files_with_wrong_geometry_and_crs(tmp_path: Path) -> None:
    zones = regionkit.zones()
    zones["features"][0]["geometry"]["coordinates"] = [[[0, 0], [0, 0], [0, 0], [0, 0]]]
    zones["features"][1]["geometry"] = {"type": "Polygon", "coordinates": []}
    with pytest.raises(InputError, match="zones.geojson, row 1"):
        read_region(regionkit.write_region(tmp_path / "r", zones_fc=zones))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(
    st.text(max_size=12), st.integers(-10**9, 10**9).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "NaN", "inf", "-0", "1e309", "0x10", "٣", "550000", "151000"])),
    min_size=0, max_size=9), min_size=0, max_size=12))
def test_housing_reader_never_crashes_on_arbitrary_tables(rows: list[list[str]]) -> None:
    text = HEADER + "".join(",".join(c.replace(",", " ").replace("\n", " ") for c in row) + "\n"
                            for row in rows)
    out = _outcome(lambda b: read_housing_sites(b, filename="fuzz.csv"), text.encode())
    if not isinstance(out, InputError):
        assert out.rows_read == len(out.accepted) + len(out.rejected)
        assert np.isfinite(out.accepted["dwellings"].to_numpy(dtype=float)).all()
        assert (out.accepted["dwellings"].to_numpy(dtype=float) >= 0).all()


SCENARIO_CASES: dict[str, Any] = {
    "empty text": "",
    "binary junk": bytes(range(256)),
    "JSON null": "null",
    "a list": "[1, 2]",
    "no changes": {"name": "x"},
    "changes not a list": {"name": "x", "changes": "add a surgery"},
    "unknown change type": {"name": "x", "changes": [{"type": "demolish_everything"}]},
    "NaN floor area": '{"name": "x", "changes": [{"type": "extend", "practice_code": "A", "gia_m2": NaN}]}',
    "infinite floor area": '{"name": "x", "changes": [{"type": "extend", "practice_code": "A", "gia_m2": Infinity}]}',
    "negative floor area": {"name": "x", "changes": [{"type": "extend", "practice_code": "A", "gia_m2": -5}]},
    "unknown practice": {"name": "x", "changes": [{"type": "extend", "practice_code": "NOPE", "gia_m2": 50}]},
    "merge into itself": {"name": "x", "changes": [{"type": "merge", "hub_code": "A", "practice_codes": ["A"]}]},
    "script in the name": {"name": "<script>alert(1)</script>", "changes": [
        {"type": "extend", "practice_code": "A", "gia_m2": 50}]},
    "very long name": {"name": "x" * 100_000, "changes": []},
    "deeply nested": "[" * 5000 + "]" * 5000,
    "bad assumption": {"name": "x", "changes": [], "assumptions": {"occupancy_general": -1}},
    "python in a string": {"name": "__import__('os').system('id')", "changes": []},
}


@pytest.mark.parametrize("case", list(SCENARIO_CASES))
def test_scenario_named_cases(case: str) -> None:
    from estates.errors import ScenarioError
    from estates.options.apply import apply_scenario, check_scenario

    region = enginekit.region()
    try:
        scenario = check_scenario(SCENARIO_CASES[case], region, file="s.json")
    except ScenarioError as exc:
        assert str(exc).startswith("s.json") or "s.json" in str(exc)
        return
    # whatever parses must apply and evaluate cleanly
    option = evaluate(apply_scenario(region, scenario), assumptions=Assumptions(horizon_year=2030))
    _headline_finite(option.summary)
    assert case in ("script in the name", "python in a string", "very long name")


def test_assumptions_json_nested_too_deeply() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        Assumptions.from_json("[" * 5000 + "]" * 5000)
