"""Positions of a column of ids in an index, without hashing every row where the ids allow it.

A travel-cost table holds millions of (origin, destination) rows over a few thousand distinct ids.
Hashing every row (``pd.factorize``) costs more than the floating catchment itself, so each kind
of id column takes its cheapest exact route: categorical codes, integer ids by offset into a
table, Arrow strings by Arrow's own lookup, and a column grouped in runs (a table sorted by
origin) by looking up one id per run. Everything else falls back to ``pd.factorize``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

#: Integer ids are looked up through a table indexed by ``id - min`` when the span is at most this
#: many times the column's length (plus a floor), so the table is never much larger than the column.
_SPAN_PER_ROW, _SPAN_FLOOR = 4, 1 << 20
#: Runs are used when there are at most this share of them; checked first on a prefix.
_RUN_SHARE, _RUN_PREFIX = 0.25, 20_000
#: Objects are looked up by identity when a prefix holds at most this share of distinct ones.
_SHARED_SHARE = 0.5


def id_positions(index: pd.Index, ids: pd.Series, *, absent: int, missing: int) -> np.ndarray:
    """Position in ``index`` of each id in ``ids`` (an integer array as long as ``ids``).

    Ids not in ``index`` get ``absent``; missing ids (NaN, None, NA) get ``missing``. ``index``
    must be unique.
    """
    dtype = ids.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        # Codes are free: look up each category once; code -1 (missing) takes the last slot.
        # .array.codes, not .cat.codes: the latter copies the codes into a new Series
        codes = ids.array.codes
        table = _table(index, pd.Index(ids.cat.categories), absent, missing)
        if missing == -1 and np.array_equal(table[:-1], np.arange(len(table) - 1)):
            # The categories are the index itself (as travel_times makes them): the codes are
            # the positions, and code -1 is already "missing".
            return codes.astype(np.intp)
        return table[codes]
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = ids.to_numpy()
        found = _by_offset(index, values, absent)
        return found if found is not None else _by_runs(index, values, absent, missing)
    found = _arrow_positions(index, ids, absent, missing)
    return found if found is not None else _by_runs(index, ids.to_numpy(), absent, missing)


def _table(index: pd.Index, uniques: pd.Index, absent: int, missing: int) -> np.ndarray:
    """For each distinct id its position in ``index`` (or ``absent``/``missing``), plus a last
    slot holding ``missing`` for the code -1."""
    pos = index.get_indexer(uniques) if len(uniques) else np.empty(0, dtype=np.intp)
    pos = np.where(pos >= 0, pos, absent)
    pos[np.asarray(uniques.isna(), dtype=bool)] = missing
    return np.append(pos, missing).astype(np.intp)


def _by_offset(index: pd.Index, values: np.ndarray, absent: int) -> np.ndarray | None:
    """Integer ids through a table indexed by ``id - min``: two passes, no hashing."""
    if len(values) == 0:
        return np.empty(0, dtype=np.intp)
    if index.dtype.kind not in "iu":
        return None
    lo, hi = int(values.min()), int(values.max())
    if hi - lo > _SPAN_PER_ROW * len(values) + _SPAN_FLOOR or hi > np.iinfo(np.int64).max:
        return None
    table = np.full(hi - lo + 1, absent, dtype=np.intp)
    keys = index.to_numpy()
    inside = (keys >= lo) & (keys <= hi)
    table[keys[inside].astype(np.int64) - lo] = np.flatnonzero(inside)
    # int64 arithmetic: a narrower dtype could overflow on id - min
    return table[values.astype(np.int64, copy=False) - lo]


def _by_runs(index: pd.Index, values: np.ndarray, absent: int, missing: int) -> np.ndarray:
    """Ids grouped in runs (a table sorted by origin): look up one id per run and repeat it;
    otherwise factorize every row (by object identity first, for a column of objects)."""
    pointers = _pointers(values)
    starts = None
    if pointers is not None:
        starts = _run_starts(len(values), lambda lo, hi: _changes(pointers[lo:hi]))
    if starts is None:
        try:
            starts = _run_starts(len(values), lambda lo, hi: _changes(values[lo:hi]))
        except (TypeError, ValueError):  # objects without a plain != (pd.NA, mixed types)
            starts = None
    if starts is None:
        if pointers is not None and _shared(pointers):
            return _by_identity(index, values, pointers, absent, missing)
        return _by_factorize(index, values, absent, missing)
    # One id per run: few enough to look up directly, without factorizing them first.
    heads = _table(index, _as_index(values[starts]), absent, missing)[:-1]
    return np.repeat(heads, np.diff(np.append(starts, len(values))))


def _pointers(values: np.ndarray) -> np.ndarray | None:
    """The addresses of the objects in an object array, as integers; None for other arrays.

    Comparing and hashing Python objects row by row costs ten times what integers do, and in a
    cost table the rows of one id usually hold the very same string object (pandas' CSV reader,
    pyarrow and categorical-to-object conversions all share them). Rows with the same address
    hold the same object, so they share a position; rows with different addresses are still
    compared by value, once per distinct address. numpy forbids ``.view`` on object arrays (a
    view could write pointers); reading them through the buffer protocol only reads, and the
    array keeps every object alive meanwhile.
    """
    if values.dtype != object or values.ndim != 1:
        return None
    values = np.ascontiguousarray(values)
    return np.frombuffer(values.data.cast("B"), dtype=np.uintp)


def _shared(pointers: np.ndarray) -> bool:
    """Whether rows share objects (checked on a prefix): not when nearly every row holds its own
    object, as when the strings were made one per row."""
    prefix = pointers[:_RUN_PREFIX]
    return len(pd.unique(prefix)) <= _SHARED_SHARE * len(prefix)


def _by_identity(
    index: pd.Index, values: np.ndarray, pointers: np.ndarray, absent: int, missing: int
) -> np.ndarray:
    codes, distinct = pd.factorize(pointers)  # integers: no Python call per row
    row = np.empty(len(distinct), dtype=np.intp)
    row[codes] = np.arange(len(codes))  # any row holding each object will do
    return _table(index, _as_index(values[row]), absent, missing)[codes]


def _run_starts(n: int, changes: Callable[[int, int], np.ndarray]) -> np.ndarray | None:
    """First row of each run of equal ids, or None when runs are too many to be worth it.

    ``changes(lo, hi)`` is True between rows lo..hi-1 whose ids differ; a prefix is checked first
    so that an ungrouped column costs little more than a factorize.
    """
    if n < 2 or changes(0, min(n, _RUN_PREFIX)).mean() > _RUN_SHARE:
        return None
    starts = np.flatnonzero(changes(0, n)) + 1
    if len(starts) > _RUN_SHARE * n:
        return None
    return np.concatenate(([0], starts))


def _changes(values: np.ndarray) -> np.ndarray:
    return np.asarray(values[1:] != values[:-1], dtype=bool)


def _by_factorize(index: pd.Index, values: np.ndarray, absent: int, missing: int) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    return _table(index, _as_index(uniques), absent, missing)[codes]


def _as_index(values: np.ndarray) -> pd.Index:
    # dtype=object keeps pandas from converting strings to its own string dtype first
    return pd.Index(values, dtype=object) if values.dtype == object else pd.Index(values)


def _arrow_positions(
    index: pd.Index, ids: pd.Series, absent: int, missing: int
) -> np.ndarray | None:
    """Arrow-backed strings (pandas' default ``str`` dtype with pyarrow installed,
    ``string[pyarrow]``, ``ArrowDtype(pa.string())``) looked up by Arrow itself; None for any
    other column, or when the index holds anything but strings."""
    if not _is_arrow(ids.dtype):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.chunked_array(pa.array(ids.array))  # through __arrow_array__: no copy
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    if _is_arrow(index.dtype):
        value_set = pa.array(index.array)
    elif len(index) == 0 or index.inferred_type == "string":  # inferred_type is cached
        value_set = pa.array(index.to_numpy(dtype=object), type=arr.type)
    else:
        return None
    if not value_set.type.equals(arr.type):
        value_set = value_set.cast(arr.type)

    def lookup(a: Any) -> np.ndarray:
        found = pc.index_in(a, value_set=value_set)  # null where absent or missing
        # Arrow's int32 as it is: widening 10^6 positions only to narrow them for the CSR
        # indices later costs two passes.
        out = np.asarray(pc.fill_null(found, absent).to_numpy(zero_copy_only=False))
        if a.null_count:
            out = out.copy()  # zero-copy views of Arrow memory are read-only
            out[np.asarray(a.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = missing
        return out

    def changes(lo: int, hi: int) -> np.ndarray:
        # a missing id is never equal to its neighbour, so it always starts a run
        ne = pc.not_equal(arr.slice(lo + 1, hi - lo - 1), arr.slice(lo, hi - lo - 1))
        return np.asarray(pc.fill_null(ne, True).to_numpy(zero_copy_only=False), dtype=bool)

    starts = _run_starts(len(arr), changes)
    if starts is None:
        return lookup(arr)
    heads = lookup(arr.take(pa.array(starts)))
    return np.repeat(heads, np.diff(np.append(starts, len(arr))))


def _is_arrow(dtype: Any) -> bool:
    return isinstance(dtype, pd.ArrowDtype) or getattr(dtype, "storage", None) == "pyarrow"
