"""Capacity in the wrong place: the transportation problem of METHODS.md section 2.

Each zone's demand may be served by any surgery site within the travel threshold, up to the
site's capacity; we find the most demand that can be served. That is a maximum flow
(source -> zones -> reachable sites -> sink), solved exactly by
``scipy.sparse.csgraph.maximum_flow`` on whole patients. A linear program (HiGHS) gives the same
served total while also minimising travel, for when the assignment itself is wanted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import maximum_flow

from estates.errors import EstatesError


@dataclass(frozen=True)
class Transport:
    """Outcome of serving zones from sites within the threshold.

    ``zones``: demand, served, unserved per zone and ``in_reach`` (some surgery within the
    threshold). ``sites``: supply, used, spare per site, and ``stranded``: the spare capacity
    that no unserved demand could use even at the wider reach given to ``max_served`` (without
    one, all spare is stranded: a maximum flow leaves no spare within reach of unserved demand).
    Unserved demand splits into ``unmet_no_surgery_in_reach`` (zones with no surgery within the
    threshold: an access gap, not a capacity one) and ``unmet_surgeries_full`` (the surgeries in
    reach are full). ``misplaced_capacity`` is the part of the second that spare capacity
    elsewhere could have covered were it in reach, ``min(unmet_surgeries_full, spare)``; the
    rest is a genuine shortfall of capacity.
    """

    zones: pd.DataFrame
    sites: pd.DataFrame
    served_total: float
    unmet_demand_within_threshold: float
    spare_total: float
    misplaced_capacity: float
    flows: pd.DataFrame | None = None
    unmet_no_surgery_in_reach: float = 0.0
    unmet_surgeries_full: float = 0.0


def _checked(demand: pd.Series, supply: pd.Series, pairs: pd.DataFrame) -> tuple[np.ndarray, ...]:
    if (demand < 0).any() or (supply < 0).any():
        raise EstatesError("demand and supply must be non-negative")
    zi = pd.Index(demand.index).get_indexer(pairs["origin"])
    si = pd.Index(supply.index).get_indexer(pairs["destination"])
    keep = (zi >= 0) & (si >= 0)
    return zi[keep], si[keep], pairs["minutes"].to_numpy(dtype=float)[keep]


def max_served(demand: pd.Series, supply: pd.Series, pairs: pd.DataFrame,
               wider_pairs: pd.DataFrame | None = None) -> Transport:
    """Serve as much demand as possible within reach, by maximum flow on whole patients.

    Parameters
    ----------
    demand
        Patients per zone (rounded to whole patients for the flow).
    supply
        Capacity in patients per site (rounded likewise).
    pairs
        Reachable pairs: columns ``origin`` (zone id), ``destination`` (site id), ``minutes``.
    wider_pairs
        Pairs at a wider reach: the spare capacity unserved demand could use at that reach is
        not stranded (a second maximum flow, of unserved demand against spare capacity).
    """
    zi, si, _ = _checked(demand, supply, pairs)
    served, used = _flow(demand, supply, zi, si)
    d = np.rint(demand.to_numpy(dtype=float))
    # Spare capacity is reported uncapped (_flow caps it only to keep its integers in range).
    s = np.rint(np.nan_to_num(supply.to_numpy(dtype=float), nan=0.0, posinf=float(d.sum())))
    out = _outcome(demand, supply, d, s, served, used, zi, si)
    if wider_pairs is None:
        return out
    wz, ws, _ = _checked(demand, supply, wider_pairs)
    unserved = out.zones["unserved"].rename(None)
    spare = out.sites["spare"].rename(None)
    _, usable = _flow(unserved, spare, wz, ws)
    sites = out.sites.assign(stranded=np.maximum(spare.to_numpy() - usable, 0.0))
    return replace(out, sites=sites)


def _flow(demand: pd.Series, supply: pd.Series, zi: np.ndarray,
          si: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Served per zone and used per site of the maximum flow, on whole patients."""
    d = np.rint(demand.to_numpy(dtype=float)).astype(np.int64)
    # A site can never serve more than all the demand there is: capping its capacity there
    # changes no flow, and keeps an enormous (or infinite) capacity from overflowing int64.
    total = float(d.sum())
    raw = np.nan_to_num(supply.to_numpy(dtype=float), nan=0.0, posinf=total)
    s = np.rint(np.minimum(raw, total)).astype(np.int64)
    nz, ns = len(d), len(s)
    source, sink = nz + ns, nz + ns + 1
    rows = np.concatenate([np.full(nz, source), zi, nz + np.arange(ns)])
    cols = np.concatenate([np.arange(nz), nz + si, np.full(ns, sink)])
    # A zone can send at most its own demand down any one edge.
    caps = np.concatenate([d, d[zi], s])
    if caps.size and caps.max() >= np.iinfo(np.int32).max:
        raise EstatesError("a zone or site is too large for the flow solver (over 2^31 patients)")
    graph = sparse.csr_array((caps.astype(np.int32), (rows, cols)), shape=(nz + ns + 2,) * 2)
    graph.sum_duplicates()
    result = maximum_flow(graph, source, sink, method="dinic")
    flow = sparse.csr_array(result.flow)
    served = np.asarray(flow[[source], :].toarray()).ravel()[:nz].astype(float)
    used = np.asarray(flow[:, [sink]].toarray()).ravel()[nz:nz + ns].astype(float)
    return served, used


def min_travel_assignment(demand: pd.Series, supply: pd.Series, pairs: pd.DataFrame) -> Transport:
    """Serve as much demand as possible and, among such plans, minimise patient-minutes.

    A linear program solved by HiGHS: variables x_ij (patients of zone i served at site j) and
    u_i (unserved); minimise ``sum(minutes_ij x_ij) + M sum(u_i)`` with M above the longest
    journey, so that serving more always wins. Whole-patient rounding as in ``max_served``.
    """
    zi, si, minutes = _checked(demand, supply, pairs)
    d = np.rint(demand.to_numpy(dtype=float))
    s = np.rint(supply.to_numpy(dtype=float))
    nz, ns, ne = len(d), len(s), len(zi)
    penalty = (minutes.max() if ne else 0.0) * 10.0 + 1.0
    c = np.concatenate([minutes, np.full(nz, penalty)])
    e = np.arange(ne)
    a_eq = sparse.csr_array(
        (np.ones(ne + nz), (np.concatenate([zi, np.arange(nz)]), np.concatenate([e, ne + np.arange(nz)]))),
        shape=(nz, ne + nz),
    )
    a_ub = sparse.csr_array((np.ones(ne), (si, e)), shape=(ns, ne + nz))
    res = linprog(c, A_ub=a_ub, b_ub=s, A_eq=a_eq, b_eq=d, bounds=(0, None), method="highs")
    if res.status != 0:
        raise EstatesError(f"the transport linear program failed: {res.message}")
    x = res.x[:ne]
    served = np.bincount(zi, weights=x, minlength=nz)
    used = np.bincount(si, weights=x, minlength=ns)
    out = _outcome(demand, supply, d, s, served, used, zi, si)
    flows = pd.DataFrame({"origin": demand.index.to_numpy()[zi],
                          "destination": supply.index.to_numpy()[si],
                          "patients": x, "minutes": minutes})
    return replace(out, flows=flows[flows["patients"] > 1e-9])


def _outcome(
    demand: pd.Series, supply: pd.Series, d: np.ndarray, s: np.ndarray, served: np.ndarray,
    used: np.ndarray, zi: np.ndarray, si: np.ndarray,
) -> Transport:
    unserved = np.maximum(d - served, 0.0)
    spare = np.maximum(s - used, 0.0)
    in_reach = np.zeros(len(d), dtype=bool)
    in_reach[zi] = True
    zones = pd.DataFrame({"demand": d, "served": served, "unserved": unserved,
                          "in_reach": in_reach}, index=demand.index)
    # A maximum flow leaves no spare capacity within reach of unserved demand (else it would
    # have been used): without a wider reach to test against, all spare is stranded.
    sites = pd.DataFrame({"supply": s, "used": used, "spare": spare, "stranded": spare},
                         index=supply.index)
    unmet = float(unserved.sum())
    no_reach = float(unserved[~in_reach].sum())
    full = unmet - no_reach
    spare_total = float(spare.sum())
    return Transport(zones, sites, float(served.sum()), unmet, spare_total, min(full, spare_total),
                     unmet_no_surgery_in_reach=no_reach, unmet_surgeries_full=full)
