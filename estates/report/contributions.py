"""The planning-contribution (S106) table per housing site, as the dashboard shows it and the
report prints it: homes, residents, patients, the practices absorbing them, floor space, cost
and the statement a planning officer pastes into a consultation response.

Built over whatever per-site columns the evaluation's site table holds: a column listed in
``CONTRIBUTION_COLUMNS`` shows when the table has it, so columns added to the engine later
(the contribution justified, homes after the horizon...) appear without a change here.
"""

from __future__ import annotations

import pandas as pd

from estates.report.figures import esc
from estates.report.tables import YEAR, Digits, table_html

#: (column, heading with unit, digits: decimals, None for text, or YEAR), in reading order.
CONTRIBUTION_COLUMNS: tuple[tuple[str, str, Digits], ...] = (
    ("site_ref", "Site reference", None),
    ("name", "Site", None),
    ("housing_type", "Housing type", None),
    ("dwellings", "Homes", 0),
    ("dwellings_by_horizon", "Homes by the horizon", 0),
    ("dwellings_after_horizon", "Homes after the horizon", 0),
    ("first_completion_year", "First completions", YEAR),
    ("residents", "Residents", 0),
    ("patients", "New patients", 0),
    ("practices", "Practices absorbing them (share, distance, headroom)", None),
    ("practices_headroom", "Practices and their headroom when the homes complete", None),
    ("patients_to_practices_without_headroom", "Patients to practices without headroom", 0),
    ("gp_fte_needed", "GPs needed (full-time)", 2),
    ("m2_needed", "Floor space needed (m²)", 1),
    ("m2_justified", "Floor space justified (m²)", 1),
    ("capital_cost_gbp", "Capital cost (£)", 0),
    ("contribution_gbp", "Contribution justified (£)", 0),
    ("contribution_after_horizon_gbp", "Contribution for homes after the horizon (£)", 0),
    ("cost_per_dwelling_gbp", "Cost per home (£)", 0),
)
#: Columns that belong in a spreadsheet but not on a printed page (the statement follows the
#: table in print, one paragraph per site).
PRINT_LEAVES_OUT = {"site_ref", "housing_type", "dwellings_by_horizon", "gp_fte_needed",
                    "m2_needed"}


def contributions_frame(sites: pd.DataFrame) -> pd.DataFrame:
    """The per-site table with readable headings, the statement last; counted sites only
    (a site outside the region asks nothing of the practices here)."""
    if "counted" in sites.columns:
        sites = sites[sites["counted"].astype(bool)]
    shown = [(c, h, d) for c, h, d in CONTRIBUTION_COLUMNS if c in sites.columns]
    out = pd.DataFrame({h: (sites[c].round(d) if isinstance(d, int) and d is not None
                            and pd.api.types.is_numeric_dtype(sites[c]) else sites[c])
                        for c, h, d in shown})
    if "first_completion_year" in sites.columns:
        out["First completions"] = sites["first_completion_year"].map(
            lambda y: "" if pd.isna(y) else f"{int(y)}/{(int(y) + 1) % 100:02d}")
    if "statement" in sites.columns:
        out["Statement for a consultation response"] = sites["statement"]
    return out.reset_index(drop=True)


def contributions_section(sites: pd.DataFrame) -> str:
    """The report's printable section: the table, then each site's statement."""
    if "counted" in sites.columns:
        sites = sites[sites["counted"].astype(bool)]
    if not len(sites):
        return ("<h2 id='contributions'>Housing sites: contributions</h2>"
                "<p>No housing sites are counted in this region.</p>")
    columns = [c for c in CONTRIBUTION_COLUMNS if c[0] not in PRINT_LEAVES_OUT]
    statements = "".join(
        f"<li><b>{esc(name)} ({esc(ref)})</b>: {esc(text)}</li>"
        for ref, name, text in zip(sites["site_ref"], sites["name"], sites["statement"],
                                   strict=True)) if "statement" in sites.columns else ""
    return (
        "<h2 id='contributions'>Housing sites: contributions</h2>"
        "<p class='note'>One row per housing site: the homes, the residents and patients they "
        "bring, the practices expected to absorb them with their headroom when the homes "
        "complete, and the floor space and capital cost that follow. The same table is "
        "contributions.csv (the dashboard's Report screen downloads it).</p>"
        + table_html(sites, columns, css="wide")
        + "<h3>Statements for consultation responses</h3><ol class='statements'>"
        + statements + "</ol>")


def contributions_csv(sites: pd.DataFrame) -> str:
    """The table as CSV text with the engine's column names (as ``contributions.csv``), text
    cells a spreadsheet would run as formulas neutralised."""
    from estates.io.export import safe_table

    if "counted" in sites.columns:
        sites = sites[sites["counted"].astype(bool)]
    columns = [c for c, _, _ in CONTRIBUTION_COLUMNS if c in sites.columns]
    columns += [c for c in ("statement",) if c in sites.columns]
    return str(safe_table(sites[columns]).to_csv(index=False, float_format="%.6g",
                                                 lineterminator="\n"))
