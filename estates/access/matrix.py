"""Travel minutes from a user's origin-destination matrix (r5py, OpenTripPlanner, a routing
service), read and validated."""


from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from estates.access.pairs import check_max_minutes, pairs_frame
from estates.errors import InputError, ProblemList

MATRIX_ALIASES: dict[str, tuple[str, ...]] = {
    "origin": ("origin", "from_id", "origin_id", "from", "fromplace", "from_place", "o"),
    "destination": (
        "destination",
        "to_id",
        "destination_id",
        "dest",
        "to",
        "toplace",
        "to_place",
        "d",
    ),
    "minutes": (
        "minutes",
        "travel_time",
        "travel_time_minutes",
        "time",
        "duration_minutes",
        "cost",
    ),
}
#: OpenTripPlanner reports durations in seconds; these columns are converted to minutes.
SECONDS_COLUMNS: tuple[str, ...] = ("duration", "duration_s", "duration_seconds", "seconds")


@dataclass(frozen=True)
class TravelMatrix:
    """A validated origin-destination matrix: ``table`` has columns origin, destination, minutes."""

    table: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    source: str = "travel matrix"


def read_travel_matrix(path: str | Path) -> TravelMatrix:
    """Read and validate an origin-destination matrix CSV (every bad row is reported at once)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read the travel matrix as CSV ({exc})") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{path.name}: the travel matrix file is empty") from exc
    return validate_travel_matrix(frame, file=path.name)


def validate_travel_matrix(frame: pd.DataFrame, *, file: str = "travel matrix") -> TravelMatrix:
    """Find the origin, destination and minutes columns and check every row.

    Row numbers in messages are 1-based data rows (header excluded). Blank ids, times that are
    not numbers, negative or missing times, and repeated origin-destination pairs are all problems.
    """
    problems = ProblemList(file)
    warnings: list[str] = []
    lower = {str(c).strip().lower(): c for c in frame.columns}
    chosen: dict[str, Any] = {}
    for role, names in MATRIX_ALIASES.items():
        found = next((lower[n] for n in names if n in lower), None)
        if found is not None:
            chosen[role] = found
    seconds = False
    if "minutes" not in chosen:
        found = next((lower[n] for n in SECONDS_COLUMNS if n in lower), None)
        if found is not None:
            chosen["minutes"] = found
            seconds = True
            warnings.append(
                f"{file}: column {found!r} read as seconds (OpenTripPlanner's unit) "
                f"and converted to minutes"
            )
    missing = [r for r in MATRIX_ALIASES if r not in chosen]
    if missing:
        raise InputError(
            f"{file}: no column for {', '.join(missing)}. Name the columns origin, destination, "
            f"minutes (r5py's from_id, to_id, travel_time also work); the file has "
            f"{', '.join(map(str, frame.columns))}"
        )
    origin = frame[chosen["origin"]].astype(str).str.strip()
    destination = frame[chosen["destination"]].astype(str).str.strip()
    raw = frame[chosen["minutes"]]
    minutes = pd.to_numeric(raw.astype(str).str.strip(), errors="coerce").to_numpy(dtype=float)
    if seconds:
        minutes = minutes / 60.0
    for col, ids in ((chosen["origin"], origin), (chosen["destination"], destination)):
        for i in np.flatnonzero((ids == "").to_numpy() | ids.str.lower().isin(["nan", "none"])):
            problems.add(
                "missing id",
                row=int(i) + 1,
                column=str(col),
                fix="Give every row an origin and a destination id",
            )
    for i in np.flatnonzero(~np.isfinite(minutes) | (minutes < 0)):
        problems.add(
            "travel time is not a number >= 0",
            row=int(i) + 1,
            column=str(chosen["minutes"]),
            value=raw.iloc[i],
            fix="Leave unreachable pairs out of the matrix instead",
        )
    pairs = pd.DataFrame({"o": origin.to_numpy(), "d": destination.to_numpy()})
    first_row = pairs.groupby(["o", "d"], sort=False).ngroup()
    first_of_group = pd.Series(np.arange(len(pairs))).groupby(first_row.to_numpy()).transform("min")
    for i in np.flatnonzero(pairs.duplicated(keep="first").to_numpy()):
        problems.add(
            f"pair {origin.iloc[i]!r} -> {destination.iloc[i]!r} repeats row "
            f"{int(first_of_group.iloc[i]) + 1}",
            row=int(i) + 1,
            fix="Keep one travel time per origin-destination pair",
        )
    problems.raise_if_any()
    table = pd.DataFrame(
        {"origin": origin.to_numpy(), "destination": destination.to_numpy(), "minutes": minutes}
    )
    return TravelMatrix(table, warnings, file)


def matrix_travel_times(
    origin_ids: pd.Index | np.ndarray,
    destination_ids: pd.Index | np.ndarray,
    matrix: TravelMatrix | pd.DataFrame | str | Path,
    *,
    max_minutes: float,
) -> pd.DataFrame:
    """The matrix's pairs between the given ids within ``max_minutes``.

    Ids are compared as text, since a CSV cannot tell codes from numbers. Pairs missing from the
    matrix are unreachable. The result's ``attrs["warnings"]`` says how many matrix rows were left
    out because an id is not one of the given origins or destinations, and raises if no origin or
    no destination id matches at all (usually a different id scheme).
    """
    check_max_minutes(max_minutes)
    if isinstance(matrix, str | Path):
        matrix = read_travel_matrix(matrix)
    elif isinstance(matrix, pd.DataFrame):
        matrix = validate_travel_matrix(matrix)
    o_ids = np.asarray(origin_ids)
    d_ids = np.asarray(destination_ids)
    table = matrix.table
    oi = pd.Index(o_ids.astype(str)).get_indexer(table["origin"].astype(str))
    di = pd.Index(d_ids.astype(str)).get_indexer(table["destination"].astype(str))
    warnings = list(matrix.warnings)
    if len(table) and len(o_ids) and (oi < 0).all():
        raise InputError(
            f"{matrix.source}: none of the matrix's origin ids matches an origin (e.g. "
            f"{table['origin'].iloc[0]!r} vs {o_ids[0]!r}); use the zone codes as origin ids"
        )
    if len(table) and len(d_ids) and (di < 0).all():
        raise InputError(
            f"{matrix.source}: none of the matrix's destination ids matches a site (e.g. "
            f"{table['destination'].iloc[0]!r} vs {d_ids[0]!r}); use the practice codes as "
            f"destination ids"
        )
    known = (oi >= 0) & (di >= 0)
    if (~known).any():
        warnings.append(
            f"{matrix.source}: {int((~known).sum())} of {len(table)} rows name an "
            f"origin or destination outside this region and were not used"
        )
    minutes = table["minutes"].to_numpy(dtype=float)
    keep = known & (minutes <= max_minutes)
    oi, di, mi = oi[keep], di[keep], minutes[keep]
    order = np.lexsort((di, oi))
    out = pairs_frame(oi[order], di[order], mi[order], o_ids, d_ids)
    out.attrs["warnings"] = warnings
    return out


