"""Centralisation: which k of N sites should keep a service, judged by who is left further away.

``centralise`` scores every combination of kept sites (an exact MILP beyond 10,000) on the
share of residents, and of those aged 65+, 75+ and 85+, within each travel-time threshold by
rural-urban class, journey statistics, rises against today and the load on each kept site;
``choose_hubs`` uses it to pick primary-care hubs for a merger.
"""

from estates.options.centralise.analysis import (
    TODAY,
    Centralisation,
    RankRule,
    build_instance,
    centralise,
    default_rule,
)
from estates.options.centralise.score import describe_column, pct_column, rise_column, stat_column
from estates.options.centralise.sites import read_sites, read_zones
from estates.options.centralise.solve import MAX_ENUMERATE, enumerate_combinations, solve_milp
from estates.options.centralise.times import TravelSetting

__all__ = [
    "MAX_ENUMERATE", "TODAY", "Centralisation", "RankRule", "TravelSetting", "build_instance",
    "centralise", "default_rule", "describe_column", "enumerate_combinations", "pct_column",
    "read_sites", "read_zones", "rise_column", "solve_milp", "stat_column",
]
