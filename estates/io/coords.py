"""Places in England: the BNG and WGS84 ranges, reprojection between them, WKT points, what a
column's name claims about its CRS, and which reading of two numbers is a point."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Transformer

from estates.io.sniff import parse_number

#: England in British National Grid metres, generously (the brief's bounding box).
BNG_EASTING = (80_000.0, 660_000.0)
BNG_NORTHING = (5_000.0, 660_000.0)
#: England in WGS84 degrees, generously.
WGS84_LAT = (49.8, 55.9)
WGS84_LON = (-6.5, 1.8)


# --------------------------------------------------------------------------------------------
# coordinates


def in_bng_england(easting: float, northing: float) -> bool:
    return (BNG_EASTING[0] <= easting <= BNG_EASTING[1]
            and BNG_NORTHING[0] <= northing <= BNG_NORTHING[1])


def in_wgs84_england(lat: float, lon: float) -> bool:
    return WGS84_LAT[0] <= lat <= WGS84_LAT[1] and WGS84_LON[0] <= lon <= WGS84_LON[1]


@lru_cache(maxsize=4)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def wgs84_to_bng(lon: Iterable[float], lat: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (EPSG:4326) to eastings and northings (EPSG:27700)."""
    x, y = _transformer("EPSG:4326", "EPSG:27700").transform(
        np.asarray(list(lon), dtype=float), np.asarray(list(lat), dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def bng_to_wgs84(easting: Iterable[float], northing: Iterable[float]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Eastings and northings (EPSG:27700) to longitudes and latitudes (EPSG:4326)."""
    lon, lat = _transformer("EPSG:27700", "EPSG:4326").transform(
        np.asarray(list(easting), dtype=float), np.asarray(list(northing), dtype=float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


_WKT_POINT = re.compile(
    r"^\s*(?:SRID=\d+;)?\s*POINT\s*(?:Z\s*)?\(\s*([-+0-9.eE]+)[\s,]+([-+0-9.eE]+)(?:\s+[-+0-9.eE]+)?\s*\)\s*$",
    re.IGNORECASE)


def parse_wkt_point(text: str) -> tuple[float, float] | None:
    """The (x, y) of a WKT ``POINT(x y)``; None if ``text`` is not one.

    A regular expression rather than shapely: a register's point column is one simple form,
    and a malformed cell should give None, not a GEOS exception per row.
    """
    m = _WKT_POINT.match(text)
    if not m:
        return None
    x, y = parse_number(m.group(1)), parse_number(m.group(2))
    if x is None or y is None:
        return None
    return x, y


CRS_CLAIMS = {"bng": ("osgb", "27700", "british", "bng", "national grid", "ordnance"),
              "wgs84": ("wgs", "4326", "lat", "long", "degree")}


def crs_claim(label: str) -> str | None:
    """What a CRS label claims: ``'bng'``, ``'wgs84'`` or None when it says nothing clear."""
    t = label.strip().lower()
    if not t:
        return None
    for key, words in CRS_CLAIMS.items():
        if any(w in t for w in words):
            return key
    return None


@dataclass(frozen=True)
class Located:
    """A point decided from two numbers: BNG metres or WGS84 degrees, and what was fixed."""

    kind: str  # "bng" or "wgs84"
    x: float   # easting, or longitude
    y: float   # northing, or latitude
    fix: str = ""  # "" or a short description of the correction made


def decide_point(a: float, b: float, *, role: str) -> Located | None:
    """Decide what two numbers are from their ranges alone.

    ``role`` says what the columns claim: ``'xy'`` (easting/northing, GeoX/GeoY or a WKT
    point: ``a`` is x) or ``'latlon'`` (``a`` is latitude, ``b`` longitude). BNG metres and
    WGS84 degrees for England do not overlap, so the numbers decide the CRS; the claim only
    orders the pair, and ``fix`` says when the pair was swapped. Returns None when neither
    reading, nor the swapped one, falls in England.
    """
    if role == "xy":
        if in_bng_england(a, b):
            return Located("bng", a, b)
        if in_bng_england(b, a):
            return Located("bng", b, a, "x and y swapped")
        if in_wgs84_england(b, a):
            return Located("wgs84", a, b)
        if in_wgs84_england(a, b):
            return Located("wgs84", b, a, "x and y swapped")
        return None
    if in_wgs84_england(a, b):
        return Located("wgs84", b, a)
    if in_wgs84_england(b, a):
        return Located("wgs84", a, b, "latitude and longitude swapped")
    # Latitude/longitude columns holding metres: latitude is the northing.
    if in_bng_england(b, a):
        return Located("bng", b, a)
    if in_bng_england(a, b):
        return Located("bng", a, b, "latitude and longitude swapped")
    return None
