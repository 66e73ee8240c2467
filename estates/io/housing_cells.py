"""The cells of one housing-site row: lining them up with the header, and reading counts of homes
by the file's own number conventions."""

from __future__ import annotations

import re
from collections.abc import Iterable

from estates.io import coords, sniff
from estates.io.housing_terms import ReadContext

# "45 lapsed.", "12 (outline)": a count followed by words in a dwellings cell.
LEADING_COUNT = re.compile(r"\s*(\d[\d.,]*)\s*[^\d\s.,].*", re.DOTALL)
# A whole number written with a grouping character: "1,200", "1.200", "12,500,000".
_GROUPED = re.compile(r"\d{1,3}([.,])\d{3}(?:\1\d{3})*")
# Evidence of how a file writes decimals: a comma or a point followed by other than three digits
# (three digits could be a thousands group), or a grouped number with decimals after it.
_COMMA_DECIMAL = re.compile(r"-?\d+,(?:\d{1,2}|\d{4,})|-?\d{1,3}(?:\.\d{3})+,\d+")
_POINT_DECIMAL = re.compile(r"-?\d+\.(?:\d{1,2}|\d{4,})|-?\d{1,3}(?:,\d{3})+\.\d+")


def decimal_style(cells: Iterable[str]) -> str:
    """``'comma'`` or ``'point'`` when the numbers in ``cells`` show one decimal mark and not
    the other, else ``''`` (none shown, or both)."""
    comma = point = False
    for text in cells:
        t = text.strip().replace("\u00a0", "").replace(" ", "")
        comma = comma or bool(_COMMA_DECIMAL.fullmatch(t))
        point = point or bool(_POINT_DECIMAL.fullmatch(t))
        if comma and point:
            return ""
    return "comma" if comma else "point" if point else ""


def count_value(text: str, header: str, ctx: ReadContext, what: str = "dwellings"
                ) -> float | None | str:
    """A count of homes (dwellings, completions, a build rate) read by the file's conventions.

    Returns the number, None when ``text`` is not a number, or the reason a grouped number is
    refused: in a semicolon file (where a comma is usually the decimal mark) ``'1,200'`` is
    1.2 homes by the convention and 1,200 by the writer's likely intent, so it is read as
    thousands only when the file's other numbers show a point as the decimal mark.
    """
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    m = _GROUPED.fullmatch(t)
    if m and ctx.decimal_comma:
        mark = m.group(1)
        if mark == "." and ctx.decimal_style == "comma":
            return float(t.replace(".", ""))
        whole = int(t.replace(mark, ""))
        if t.count(mark) == 1:
            reading = f"{float(t.replace(mark, '.')):g} or {whole:,}"
        else:
            reading = f"{whole:,}"
        shown = ("writes decimals with a comma" if ctx.decimal_style == "comma"
                 else "does not show whether ',' or '.' marks decimals")
        return (f"column {header!r} value {text!r} is ambiguous: this semicolon-separated file "
                f"{shown}, so it could be {reading} {what}; write {whole} without a separator")
    return sniff.parse_number(text, decimal_comma=ctx.decimal_comma)


# --------------------------------------------------------------------------------------------
# alignment


def _fit(cells: list[str], ctx: ReadContext) -> tuple[int, int]:
    """(cells that do not read as their column's type, cells that do), over the typed columns:
    coordinates, the point, dwellings, area, build rate, financial years and dates."""
    bad = good = 0
    ok: bool
    cols = ctx.columns
    for a, b, role in (("easting", "northing", "xy"), ("latitude", "longitude", "latlon")):
        if a in cols and b in cols:
            ta, tb = cells[cols[a].index], cells[cols[b].index]
            if not ta and not tb:
                continue
            x = sniff.parse_number(ta, decimal_comma=ctx.decimal_comma)
            y = sniff.parse_number(tb, decimal_comma=ctx.decimal_comma)
            ok = x is not None and y is not None and (
                coords.decide_point(x, y, role=role) is not None)
            bad, good = (bad, good + 2) if ok else (bad + 2, good)
    if "point" in cols and cells[cols["point"].index]:
        ok = coords.parse_wkt_point(cells[cols["point"].index]) is not None
        bad, good = (bad, good + 2) if ok else (bad + 2, good)
    numeric = [cols[f].index for f in (*ctx.dwellings_order, "hectares", "build_rate")
               if f in cols]
    numeric += list(ctx.year_columns.values())
    counts = {cols[f].index for f in ctx.dwellings_order}
    for i in numeric:
        if cells[i]:
            ok = sniff.parse_number(cells[i], decimal_comma=ctx.decimal_comma) is not None or (
                i in counts and LEADING_COUNT.fullmatch(cells[i]) is not None)
            bad, good = (bad, good + 1) if ok else (bad + 1, good)
    for i in ctx.date_columns:
        if cells[i]:
            ok = sniff.parse_date(cells[i]) is not None
            bad, good = (bad, good + 1) if ok else (bad + 1, good)
    return bad, good


def _better(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[0] or (a[0] == b[0] and a[1] > b[1])


def _header_name(ctx: ReadContext, i: int) -> str:
    return ctx.header[i] if i < len(ctx.header) else f"column {i + 1}"


def align(number: int, cells: list[str], ctx: ReadContext) -> list[str] | str:
    """Make a row as long as the header and its typed cells line up with their columns.

    Repairs, each warned about naming the rows: a short row padded; empty cells beyond the
    header dropped; an unquoted comma in a text cell (the surplus joined back); cells sitting
    one column left or right of the header from some column on (where a missing or extra empty
    cell shifted them: the coordinates, dwellings and dates show where they really are). An
    unquoted ``1,200`` that reads either as a text cell and 200 homes or as 1,200 homes is
    refused, not guessed.
    """
    n = len(ctx.header)
    if len(cells) > n and not any(cells[n:]):
        ctx.fixes["empty cells beyond the last column ignored"].append(number)
        cells = cells[:n]
    candidates: list[tuple[list[str], str, str]] = []  # cells, kind, warning
    if len(cells) == n:
        candidates.append((cells, "as is", ""))
        if _fit(cells, ctx)[0]:
            for p in range(n):
                if cells[-1] == "":
                    candidates.append((cells[:p] + [""] + cells[p:-1], "shift",
                                       f"cells from column {_header_name(ctx, p)!r} on sat one "
                                       "column left of the header; moved right"))
                if cells[p] == "":
                    candidates.append((cells[:p] + cells[p + 1:] + [""], "shift",
                                       f"cells after column {_header_name(ctx, p)!r} sat one "
                                       "column right of the header (an extra empty cell); "
                                       "moved left"))
    elif len(cells) < n:
        padded = cells + [""] * (n - len(cells))
        candidates.append((padded, "as is", f"fewer cells than the header ({n}); missing "
                                            "cells read as empty"))
        if len(cells) == n - 1:
            for p in range(n - 1):
                candidates.append((cells[:p] + [""] + cells[p:], "shift",
                                   f"a cell is missing before column {_header_name(ctx, p)!r} "
                                   "(the cells after it sat one column left of the header); "
                                   "moved right"))
    else:
        extra = len(cells) - n
        if extra == 1:
            for p in range(n):
                if cells[p] == "":
                    candidates.append((cells[:p] + cells[p + 1:], "shift",
                                       f"cells after column {_header_name(ctx, p)!r} sat one "
                                       "column right of the header (an extra empty cell); "
                                       "moved left"))
        for fld in ("address", "name", "description", "notes"):
            m = ctx.columns.get(fld)
            if m is None:
                continue
            i = m.index
            merged = cells[:i] + [", ".join(cells[i:i + extra + 1])] + cells[i + extra + 1:]
            candidates.append((merged, "text", f"more cells than the header; surplus cells "
                                               f"joined into column {m.header!r}"))
        if extra == 1:
            for p in range(n):
                if (re.fullmatch(r"\d{1,3}", cells[p])
                        and re.fullmatch(r"\d{3}(\.\d+)?", cells[p + 1])):
                    joined = cells[:p] + [f"{cells[p]},{cells[p + 1]}"] + cells[p + 2:]
                    candidates.append((joined, "number", ""))
    if not candidates:
        return (f"row has {len(cells)} cells but the header has {n} columns and no repair "
                "fits: quote text that contains the delimiter")
    scored = [(_fit(c, ctx), c, kind, note) for c, kind, note in candidates]
    best = scored[0]
    for entry in scored[1:]:
        if _better(entry[0], best[0]):
            best = entry
    fit, chosen, kind, note = best
    if len(cells) > n and fit[0]:
        return (f"row has {len(cells)} cells but the header has {n} columns and no repair "
                "fits: quote text that contains the delimiter")
    rivals = [e for e in scored if e[0] == fit and e[2] != kind and {e[2], kind} == {"text",
                                                                                     "number"}]
    if rivals:
        number_cells = chosen if kind == "number" else rivals[0][1]
        p = next(i for i, (a, b) in enumerate(zip(number_cells, cells, strict=False)) if a != b)
        return (f"row has {len(cells)} cells but the header has {n} columns: "
                f"'{cells[p]},{cells[p + 1]}' is either text and {cells[p + 1]} or the number "
                f"{number_cells[p]} in column {_header_name(ctx, p)!r}; quote the cell "
                f"(\"{number_cells[p]}\") or write {cells[p]}{cells[p + 1]}")
    if kind == "number":
        p = next(i for i, (a, b) in enumerate(zip(chosen, cells, strict=False)) if a != b)
        note = (f"an unquoted thousands comma split a number; '{chosen[p]}' read as one number "
                f"in column {_header_name(ctx, p)!r}")
    if note:
        ctx.fixes[note].append(number)
    return chosen
