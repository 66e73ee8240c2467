"""Build the bundled demonstration region: a synthetic West Kent, written next to this script.

Run ``python data/demo/make_demo.py``. Everything is drawn from one seeded generator, so two
runs write byte-identical files. Real town positions anchor the geography; every figure about
people, practices, buildings and housing sites is invented and the region says so
(``synthetic = true``). The data are shaped to show the problem estates exists for: enough GP
floor space in total, but in the wrong places once the planned homes are built.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin
from scipy.ndimage import gaussian_filter
from scipy.spatial import cKDTree

SEED = 20260401
CRS = "EPSG:27700"
CELL_M = 100.0
TOTAL_POPULATION = 545_000
#: People not in any town kernel: the dispersed countryside population.
RURAL_POPULATION = 80_000
AGE_BANDS = ("0_4", "5_14", "15_44", "45_64", "65_74", "75_84", "85_plus")
#: NHS England (East) premises figure used by METHODS.md: 120 m2 per 1,750 patients.
M2_PER_PATIENT = 120 / 1750
BASE_YEAR = 2026
LAST_YEAR = 2040
YEARS = list(range(BASE_YEAR, LAST_YEAR + 1))
OCCUPANCY = {"general": 2.37, "retirement": 1.5, "extra_care": 1.0, "care_home": 1.0,
             "student": 1.0}

# Age profiles (shares by band) at the two ends of the urban-rural scale; zones blend them.
# Rough shapes of ONS mid-year estimates for Kent towns and villages: villages are older.
URBAN_PROFILE = np.array([0.060, 0.122, 0.400, 0.248, 0.090, 0.056, 0.024])
RURAL_PROFILE = np.array([0.040, 0.105, 0.280, 0.290, 0.150, 0.095, 0.040])

# Speeds for the friction raster (minutes per metre = 60 / (km/h * 1000)).
SPEED_RURAL_KMH = 20.0
SPEED_TOWN_KMH = 30.0
SPEED_ROAD_KMH = 60.0


@dataclass(frozen=True)
class Place:
    """A real settlement used as an anchor; ``people`` is the synthetic town population."""

    name: str
    lat: float
    lon: float
    people: int
    district: str
    role: str  # "town" (main practices), "branch" (a branch surgery), "village" (none)


DISTRICTS = {"S": "Sevenoaks", "T": "Tonbridge and Malling", "W": "Tunbridge Wells",
             "M": "Maidstone"}

# Positions are real (WGS84, town centres); populations are rounded, synthetic figures.
PLACES: tuple[Place, ...] = (
    Place("Maidstone", 51.272, 0.529, 100_000, "M", "town"),
    Place("Bearsted", 51.276, 0.578, 9_000, "M", "town"),
    Place("Tunbridge Wells", 51.132, 0.263, 50_000, "W", "town"),
    Place("Tonbridge", 51.195, 0.275, 39_000, "T", "town"),
    Place("Sevenoaks", 51.272, 0.190, 27_000, "S", "town"),
    Place("Swanley", 51.397, 0.173, 17_000, "S", "town"),
    Place("Southborough", 51.160, 0.256, 11_000, "W", "town"),
    Place("Snodland", 51.329, 0.448, 11_000, "T", "town"),
    Place("Larkfield", 51.305, 0.450, 12_000, "T", "town"),
    Place("Aylesford", 51.303, 0.479, 8_000, "T", "town"),
    Place("Kings Hill", 51.274, 0.399, 10_000, "T", "town"),
    Place("Paddock Wood", 51.182, 0.390, 9_000, "W", "town"),
    Place("Edenbridge", 51.197, 0.065, 8_000, "S", "town"),
    Place("New Ash Green", 51.365, 0.306, 6_000, "S", "town"),
    Place("Cranbrook", 51.097, 0.535, 5_500, "W", "town"),
    Place("Staplehurst", 51.160, 0.551, 6_000, "M", "town"),
    Place("Hawkhurst", 51.047, 0.508, 5_000, "W", "town"),
    Place("Hildenborough", 51.214, 0.239, 5_000, "T", "town"),
    Place("West Malling", 51.293, 0.409, 3_000, "T", "town"),
    Place("Westerham", 51.266, 0.069, 4_500, "S", "town"),
    Place("Marden", 51.176, 0.493, 4_000, "M", "town"),
    Place("Borough Green", 51.291, 0.306, 4_000, "T", "town"),
    Place("Coxheath", 51.233, 0.497, 4_000, "M", "town"),
    Place("West Kingsdown", 51.344, 0.262, 5_000, "S", "town"),
    Place("Otford", 51.313, 0.190, 3_500, "S", "branch"),
    Place("Headcorn", 51.170, 0.625, 3_500, "M", "branch"),
    Place("Goudhurst", 51.113, 0.461, 1_500, "W", "branch"),
    Place("Wrotham", 51.308, 0.309, 1_800, "T", "branch"),
    Place("Yalding", 51.224, 0.429, 2_500, "M", "branch"),
    Place("Lamberhurst", 51.100, 0.392, 1_500, "W", "branch"),
    Place("Lenham", 51.235, 0.719, 3_500, "M", "village"),
    Place("Harrietsham", 51.244, 0.673, 2_500, "M", "village"),
    Place("Sutton Valence", 51.213, 0.594, 1_800, "M", "village"),
    Place("Shoreham", 51.333, 0.183, 1_200, "S", "village"),
    Place("Hever", 51.187, 0.113, 600, "S", "village"),
    Place("Kemsing", 51.305, 0.233, 4_000, "S", "village"),
    Place("East Peckham", 51.215, 0.387, 3_500, "T", "village"),
    Place("Horsmonden", 51.138, 0.432, 2_000, "W", "village"),
    Place("Benenden", 51.065, 0.579, 1_500, "W", "village"),
    Place("Eynsford", 51.367, 0.213, 1_500, "S", "village"),
    Place("Hollingbourne", 51.265, 0.643, 1_000, "M", "village"),
    Place("Penshurst", 51.173, 0.183, 1_000, "S", "village"),
)

# How each town's practices stand (the story the demo tells). Growth towns sit near 1.0
# capacity per patient and tip into deficit as homes are built; the north-west keeps spare
# space far from the growth; a few surgeries are small converted houses.
GROWTH_TOWNS = {"Paddock Wood", "Kings Hill", "West Malling", "Snodland", "Larkfield",
                "Aylesford", "Maidstone", "Staplehurst"}
SPARE_TOWNS = {"Sevenoaks", "Swanley", "Westerham", "Edenbridge", "New Ash Green",
               "West Kingsdown", "Hildenborough"}
#: (town, index of its practice) in a converted house with little floor space.
CONVERTED = {("Hawkhurst", 0), ("Marden", 0), ("Borough Green", 0), ("Tunbridge Wells", 3),
             ("Maidstone", 4)}

# Main roads (A21, A26, A20/M20, A228, A229, A25, A264) as chains of places; rasterised into
# fast corridors on the friction raster.
ROADS: tuple[tuple[str, ...], ...] = (
    ("Sevenoaks", "Hildenborough", "Tonbridge", "Southborough", "Tunbridge Wells",
     "Lamberhurst", "Hawkhurst"),
    ("Tonbridge", "Maidstone"),
    ("Swanley", "West Kingsdown", "Wrotham", "West Malling", "Larkfield", "Aylesford",
     "Maidstone", "Bearsted", "Hollingbourne", "Harrietsham", "Lenham"),
    ("Snodland", "Larkfield", "Kings Hill", "East Peckham", "Paddock Wood"),
    ("Maidstone", "Coxheath", "Staplehurst", "Cranbrook", "Hawkhurst"),
    ("Westerham", "Sevenoaks", "Otford", "Borough Green", "West Malling"),
    ("Edenbridge", "Hever", "Penshurst", "Tonbridge"),
    ("Swanley", "Eynsford", "Shoreham", "Otford", "Sevenoaks"),
)

SURGERY_NAMES = ("Medical Centre", "Surgery", "Health Centre", "Family Practice",
                 "Group Practice", "Medical Practice")
STREETS = ("Station Road", "High Street", "London Road", "Church Lane", "Park Road",
           "Mill Lane", "Queens Road", "The Green", "Brook Street", "Castle Street")


# ---------------------------------------------------------------------------------------------
# geography


def place_points() -> pd.DataFrame:
    """Places with their British National Grid coordinates, rounded to 1 m."""
    to_bng = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    lons = np.array([p.lon for p in PLACES])
    lats = np.array([p.lat for p in PLACES])
    x, y = to_bng.transform(lons, lats)
    return pd.DataFrame({
        "name": [p.name for p in PLACES], "x": np.round(x), "y": np.round(y),
        "people": [p.people for p in PLACES], "district": [DISTRICTS[p.district] for p in PLACES],
        "role": [p.role for p in PLACES],
    }).set_index("name", drop=False)


def region_boundary(places: pd.DataFrame) -> shapely.Polygon:
    """A buffered hull of the places, simplified: the study area."""
    hull = shapely.MultiPoint(places[["x", "y"]].to_numpy()).convex_hull
    return shapely.set_precision(hull.buffer(4_500, quad_segs=8).simplify(50), 1.0)


@dataclass(frozen=True)
class Grid:
    """A 100 m grid over the region; ``inside`` marks cells whose centre is in the region."""

    west: float
    north: float
    width: int
    height: int
    inside: np.ndarray

    @property
    def transform(self) -> rasterio.Affine:
        return from_origin(self.west, self.north, CELL_M, CELL_M)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        cols, rows = np.meshgrid(np.arange(self.width), np.arange(self.height))
        return self.west + (cols + 0.5) * CELL_M, self.north - (rows + 0.5) * CELL_M


def make_grid(boundary: shapely.Polygon) -> Grid:
    minx, miny, maxx, maxy = boundary.bounds
    west = np.floor(minx / CELL_M) * CELL_M - CELL_M
    north = np.ceil(maxy / CELL_M) * CELL_M + CELL_M
    width = int((np.ceil(maxx / CELL_M) * CELL_M + CELL_M - west) / CELL_M)
    height = int((north - (np.floor(miny / CELL_M) * CELL_M - CELL_M)) / CELL_M)
    inside = rasterio.features.rasterize(
        [(boundary, 1)], out_shape=(height, width),
        transform=from_origin(west, north, CELL_M, CELL_M), fill=0, dtype="uint8",
    ).astype(bool)
    return Grid(west, north, width, height, inside)


def town_sigma_m(people: float) -> float:
    """Spread of a town's people: about 9 m per square root of its population."""
    return 9.0 * float(np.sqrt(people))


def density_surface(grid: Grid, places: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """People per cell (floats) summing to TOTAL_POPULATION, zero outside the region."""
    cx, cy = grid.centres()
    people = np.zeros((grid.height, grid.width))
    town_total = float(places["people"].sum())
    for _, p in places.iterrows():
        s = town_sigma_m(p["people"])
        kernel = np.exp(-((cx - p["x"]) ** 2 + (cy - p["y"]) ** 2) / (2 * s * s))
        kernel *= grid.inside
        people += p["people"] * kernel / kernel.sum()
    # Dispersed countryside: smoothed noise so farms and hamlets cluster a little.
    noise = gaussian_filter(rng.random((grid.height, grid.width)), sigma=15)
    noise = (noise - noise.min()) / (noise.max() - noise.min())
    rural = (0.3 + 1.4 * noise) * grid.inside
    people += RURAL_POPULATION * rural / rural.sum()
    return people * TOTAL_POPULATION / (town_total + RURAL_POPULATION)


# ---------------------------------------------------------------------------------------------
# zones


def zone_seeds(people: np.ndarray, grid: Grid, rng: np.random.Generator,
               *, low: float = 900, high: float = 2_400) -> np.ndarray:
    """Seed points whose nearest-seed cells hold roughly LSOA-sized populations.

    Seeds are drawn in proportion to people, relaxed once toward their cells' centres for
    rounder shapes, then cells that are too full are split and cells too empty are removed
    until every zone holds ``low``..``high`` people (or 40 rounds pass).
    """
    cx, cy = grid.centres()
    inside = grid.inside.ravel()
    xy = np.column_stack([cx.ravel()[inside], cy.ravel()[inside]])
    w = people.ravel()[inside]
    n = int(round(w.sum() / 1_500))
    pick = rng.choice(len(xy), size=n, replace=False, p=w / w.sum())
    seeds = xy[pick] + rng.uniform(-40, 40, size=(n, 2))
    for round_ in range(40):
        owner = cKDTree(seeds).query(xy)[1]
        pops = np.bincount(owner, weights=w, minlength=len(seeds))
        if round_ < 3:
            # Lloyd step on the plain cell centroid gives compact, LSOA-like shapes.
            count = np.bincount(owner, minlength=len(seeds))
            keep = count > 0
            seeds[keep, 0] = np.bincount(owner, xy[:, 0], len(seeds))[keep] / count[keep]
            seeds[keep, 1] = np.bincount(owner, xy[:, 1], len(seeds))[keep] / count[keep]
            continue
        big = np.flatnonzero(pops > high)
        small = np.flatnonzero(pops < low)
        if len(big) == 0 and len(small) == 0:
            break
        new = []
        for z in big:
            cells = np.flatnonzero(owner == z)
            cell = rng.choice(cells, p=w[cells] / w[cells].sum())
            new.append(xy[cell] + rng.uniform(-40, 40, size=2))
        # Drop only the emptiest half of the small zones each round so neighbours can absorb.
        if len(small):
            drop = small[np.argsort(pops[small])][: max(1, len(small) // 2)]
            seeds = np.delete(seeds, drop, axis=0)
        if new:
            seeds = np.vstack([seeds, np.array(new)])
    return np.round(seeds)


def zone_polygons(seeds: np.ndarray, boundary: shapely.Polygon) -> list[shapely.Polygon]:
    """Voronoi cells of the seeds clipped to the boundary, on a 1 m grid, in seed order."""
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=boundary,
                                     ordered=True)
    out = []
    for cell in shapely.get_parts(cells):
        clipped = shapely.set_precision(cell.intersection(boundary), 1.0)
        if clipped.geom_type != "Polygon":
            # A sliver cut off by the boundary's bends: keep the main body.
            clipped = max(shapely.get_parts(clipped), key=lambda g: g.area)
        out.append(clipped)
    return out


def rasterize_ids(polygons: list[shapely.Polygon], grid: Grid) -> np.ndarray:
    """Index (0-based) of the polygon covering each cell centre; -1 outside every polygon."""
    ids = rasterio.features.rasterize(
        [(g, i + 1) for i, g in enumerate(polygons)], out_shape=(grid.height, grid.width),
        transform=grid.transform, fill=0, dtype="int32",
    )
    return ids.astype(np.int64) - 1


def split_integer(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``shares`` (largest remainders)."""
    raw = total * shares / shares.sum()
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:rest]] += 1
    return out


def ruc21(density_km2: float, far: bool) -> str:
    """A Rural-Urban Classification 2021 code from people per km2 and remoteness."""
    kind = "UN1" if density_km2 >= 1_200 else ("RLN1" if density_km2 >= 250 else "RSN1")
    return kind.replace("N1", "F1") if far else kind


def build_zones(people: np.ndarray, grid: Grid, places: pd.DataFrame,
                boundary: shapely.Polygon, rng: np.random.Generator,
                ) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Zones with integer population by age band, and the raster rescaled to match them."""
    seeds = zone_seeds(people, grid, rng)
    polygons = zone_polygons(seeds, boundary)
    ids = rasterize_ids(polygons, grid)
    covered = ids >= 0
    # The few boundary cells no polygon covers (the 1 m rounding) hand their people to the
    # nearest covered cell's zone, so the raster total still equals the zones' total.
    cx, cy = grid.centres()
    lost = grid.inside & ~covered
    if lost.any():
        tree = cKDTree(np.column_stack([cx[covered], cy[covered]]))
        nearest = tree.query(np.column_stack([cx[lost], cy[lost]]))[1]
        ids[lost] = ids[covered][nearest]
    ids[~grid.inside] = -1
    n = len(polygons)
    flat_ids = ids.ravel()
    mask = flat_ids >= 0
    float_pop = np.bincount(flat_ids[mask], weights=people.ravel()[mask], minlength=n)
    totals = np.round(float_pop).astype(np.int64)
    # Rescale cells so each zone's cells add up to its whole-number population.
    scale = np.where(float_pop > 0, totals / np.maximum(float_pop, 1e-12), 0.0)
    raster = np.where(ids >= 0, people * scale[np.maximum(ids, 0)], 0.0)

    areas_km2 = np.array([g.area for g in polygons]) / 1e6
    density = totals / areas_km2
    centroids = np.array([[g.centroid.x, g.centroid.y] for g in polygons])
    major = places.loc[["Maidstone", "Tunbridge Wells", "Tonbridge"], ["x", "y"]].to_numpy()
    dist_major = cKDTree(major).query(centroids)[0]
    # Rurality 0 (dense town) .. 1 (sparse country) on a log scale of density.
    rurality = np.clip((np.log10(2_500) - np.log10(np.maximum(density, 1)))
                       / (np.log10(2_500) - np.log10(60)), 0, 1)
    bands = np.zeros((n, len(AGE_BANDS)), dtype=np.int64)
    for i in range(n):
        profile = (1 - rurality[i]) * URBAN_PROFILE + rurality[i] * RURAL_PROFILE
        profile = profile * rng.uniform(0.9, 1.1, size=len(AGE_BANDS))
        bands[i] = split_integer(int(totals[i]), profile)
    ruc21_codes = [ruc21(d, f > 12_000) for d, f in zip(density, dist_major, strict=True)]

    # Zone names follow ONS style: district, a three-digit area number, a letter.
    town_tree = cKDTree(places[["x", "y"]].to_numpy())
    district = places["district"].to_numpy()[town_tree.query(centroids)[1]]
    frame = pd.DataFrame({"district": district, "x": centroids[:, 0], "y": centroids[:, 1]})
    frame["order"] = frame.groupby("district")["y"].rank(ascending=False, method="first")
    names = [f"{d} {int((o - 1) // 4) + 1:03d}{'ABCD'[int(o - 1) % 4]}"
             for d, o in zip(frame["district"], frame["order"], strict=True)]
    zones = gpd.GeoDataFrame({
        "zone_code": [f"E0199{i + 1:04d}" for i in range(n)],
        "zone_name": names,
        **{f"pop_{b}": bands[:, k] for k, b in enumerate(AGE_BANDS)},
        "ruc21": ruc21_codes,
    }, geometry=polygons, crs=CRS)
    return zones, raster.astype(np.float32)


# ---------------------------------------------------------------------------------------------
# practices


def practice_sites(places: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Main surgeries in towns (about one per 10,000 town residents) and village branches.

    Lists also take in the countryside around each town, so they average about 12,000.
    """
    rows = []
    number = 1
    for name, p in places[places["role"] == "town"].iterrows():
        n = max(1, int(round(p["people"] / 10_000)))
        ring = 0.8 * town_sigma_m(p["people"])
        phase = rng.uniform(0, 2 * np.pi)
        # Distinct street and name pairs so no two surgeries in a town share a name.
        labels = rng.permutation(len(STREETS) * len(SURGERY_NAMES))[:n]
        for k in range(n):
            if k == 0:
                dx, dy = rng.uniform(-200, 200, size=2)
            else:
                angle = phase + 2 * np.pi * (k - 1) / (n - 1)
                r = ring * rng.uniform(0.8, 1.2)
                dx, dy = r * np.cos(angle), r * np.sin(angle)
            street = STREETS[labels[k] // len(SURGERY_NAMES)]
            kind = SURGERY_NAMES[labels[k] % len(SURGERY_NAMES)]
            label = f"{name} {kind}" if n == 1 else f"{street} {kind}, {name}"
            rows.append({"practice_code": f"Z99{number:03d}", "site_name": label,
                         "site_kind": "main", "parent_code": "", "town": name,
                         "index_in_town": k, "x": round(p["x"] + dx), "y": round(p["y"] + dy)})
            number += 1
    mains = pd.DataFrame(rows)
    tree = cKDTree(mains[["x", "y"]].to_numpy())
    number = 1
    for name, p in places[places["role"] == "branch"].iterrows():
        x, y = round(p["x"] + rng.uniform(-150, 150)), round(p["y"] + rng.uniform(-150, 150))
        parent = mains.iloc[int(tree.query([x, y])[1])]
        rows.append({"practice_code": f"Z99{500 + number:03d}",
                     "site_name": f"{name} Surgery (branch of {parent['site_name']})",
                     "site_kind": "branch", "parent_code": parent["practice_code"],
                     "town": name, "index_in_town": 0, "x": x, "y": y})
        number += 1
    return pd.DataFrame(rows)


def register_lists(zones: gpd.GeoDataFrame, sites: pd.DataFrame, raster: np.ndarray,
                   grid: Grid, *, decay_m: float = 2_000, nearest: int = 5) -> np.ndarray:
    """Patients by practice and age band: each zone's residents split by a gravity rule.

    A zone's people go to its ``nearest`` main practices (distance from the zone's
    population-weighted centre to the practice's closest site, main or branch) with weight
    exp(-d / decay). Returns shares (zones x main practices).
    """
    ids = rasterize_ids(list(zones.geometry), grid)
    cx, cy = grid.centres()
    ok = ids >= 0
    w = raster[ok].astype(float)
    z = ids[ok]
    tot = np.bincount(z, weights=w, minlength=len(zones))
    area_c = zones.geometry.centroid
    px = np.where(tot > 0, np.bincount(z, weights=w * cx[ok], minlength=len(zones))
                  / np.maximum(tot, 1e-9), area_c.x)
    py = np.where(tot > 0, np.bincount(z, weights=w * cy[ok], minlength=len(zones))
                  / np.maximum(tot, 1e-9), area_c.y)
    mains = sites[sites["site_kind"] == "main"].reset_index(drop=True)
    main_index = {c: i for i, c in enumerate(mains["practice_code"])}
    owner = sites["parent_code"].where(sites["site_kind"] == "branch", sites["practice_code"])
    site_to_main = owner.map(main_index).to_numpy()
    d_site = np.hypot(px[:, None] - sites["x"].to_numpy()[None, :],
                      py[:, None] - sites["y"].to_numpy()[None, :])
    d = np.full((len(zones), len(mains)), np.inf)
    for s in range(len(sites)):
        d[:, site_to_main[s]] = np.minimum(d[:, site_to_main[s]], d_site[:, s])
    weight = np.exp(-d / decay_m)
    cutoff = np.sort(d, axis=1)[:, nearest - 1][:, None]
    weight[d > cutoff] = 0.0
    return weight / weight.sum(axis=1, keepdims=True)


def practice_table(sites: pd.DataFrame, zones: gpd.GeoDataFrame, shares: np.ndarray,
                   rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Practice sites with lists by age band, floor area, rooms, GPs and building."""
    mains = sites[sites["site_kind"] == "main"].reset_index(drop=True)
    pops = zones[[f"pop_{b}" for b in AGE_BANDS]].to_numpy(dtype=float)
    lists = np.round(shares.T @ pops).astype(np.int64)  # main practices x bands
    table = sites.copy()
    for k, b in enumerate(AGE_BANDS):
        col = np.zeros(len(sites), dtype=np.int64)
        col[: len(mains)] = lists[:, k]
        table[f"list_{b}"] = col
    table["list_size"] = table[[f"list_{b}" for b in AGE_BANDS]].sum(axis=1)

    gia = np.zeros(len(sites))
    building = np.empty(len(sites), dtype=object)
    year = np.zeros(len(sites), dtype=np.int64)
    branch_gia: dict[str, float] = {}
    for i, s in table.iterrows():
        if s["site_kind"] == "branch":
            gia[i] = round(rng.uniform(70, 140))
            building[i] = "converted house"
            year[i] = int(rng.integers(1890, 1960))
            branch_gia[s["parent_code"]] = branch_gia.get(s["parent_code"], 0.0) + gia[i]
    for i, s in table.iterrows():
        if s["site_kind"] != "main":
            continue
        key = (s["town"], s["index_in_town"])
        if key in CONVERTED:
            ratio, building[i], year[i] = rng.uniform(0.55, 0.7), "converted house", \
                int(rng.integers(1880, 1935))
        else:
            if s["town"] in GROWTH_TOWNS:
                ratio = rng.uniform(1.0, 1.07)
            elif s["town"] in SPARE_TOWNS:
                ratio = rng.uniform(1.45, 1.7)
            else:
                ratio = rng.uniform(1.1, 1.3)
            if rng.random() < 0.3:
                building[i], year[i] = "health centre", int(rng.integers(1965, 1990))
            else:
                building[i], year[i] = "purpose built", int(rng.integers(1975, 2019))
        needed = s["list_size"] * M2_PER_PATIENT * ratio
        gia[i] = max(90.0, round(needed - branch_gia.get(s["practice_code"], 0.0)))
    table["gia_m2"] = gia
    rooms = np.round(gia * 0.6 / (16 * 1.3) * rng.uniform(0.9, 1.1, size=len(sites)))
    table["clinical_rooms"] = np.maximum(rooms, 2).astype(np.int64)
    fte = table["list_size"] / rng.uniform(1_800, 2_300, size=len(sites))
    table["gp_fte"] = np.where(table["site_kind"] == "main", np.round(fte, 1), np.nan)
    table["building"] = building
    table["year_built"] = year
    table["easting"] = table["x"].astype(np.int64)
    table["northing"] = table["y"].astype(np.int64)
    cols = ["practice_code", "site_name", "site_kind", "parent_code", "list_size",
            *[f"list_{b}" for b in AGE_BANDS], "gia_m2", "clinical_rooms", "gp_fte",
            "building", "year_built", "easting", "northing"]
    out = table[cols].copy()
    out["gia_m2"] = out["gia_m2"].astype(np.int64)
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["easting"], out["northing"]),
                            crs=CRS)


def catchments(zones: gpd.GeoDataFrame, practices: gpd.GeoDataFrame, shares: np.ndarray,
               boundary: shapely.Polygon, *, min_share: float = 0.10) -> gpd.GeoDataFrame:
    """Per main practice, the zones it draws at least ``min_share`` of residents from.

    Catchments overlap, as declared catchments do. A catchment that falls in pieces is
    replaced by the hull of its pieces (clipped to the region) so each is one polygon.
    """
    mains = practices[practices["site_kind"] == "main"].reset_index(drop=True)
    geoms = []
    for j in range(len(mains)):
        members = zones.geometry[shares[:, j] >= min_share]
        own_sites = practices[(practices["practice_code"] == mains.loc[j, "practice_code"])
                              | (practices["parent_code"] == mains.loc[j, "practice_code"])]
        hits = zones.geometry[zones.geometry.intersects(own_sites.geometry.union_all())]
        shape = shapely.union_all(list(members) + list(hits))
        if shape.geom_type != "Polygon":
            shape = shape.convex_hull.intersection(boundary)
        shape = shapely.set_precision(shape.simplify(40), 1.0)
        if shape.geom_type != "Polygon":
            shape = max(shapely.get_parts(shape), key=lambda g: g.area)
        geoms.append(shape)
    return gpd.GeoDataFrame({"practice_code": mains["practice_code"]}, geometry=geoms, crs=CRS)


# ---------------------------------------------------------------------------------------------
# candidate buildings

LIBRARIES: tuple[tuple[str, str, str], ...] = (
    ("Sevenoaks", "Sevenoaks Library", "museum and gallery"),
    ("Swanley", "Swanley Library", "council customer services"),
    ("Edenbridge", "Edenbridge Library", ""),
    ("Westerham", "Westerham Library", ""),
    ("Tonbridge", "Tonbridge Library", "adult education"),
    ("Tunbridge Wells", "Tunbridge Wells Library", "museum, gallery, register office"),
    ("Southborough", "Southborough Library", "town council, theatre"),
    ("Paddock Wood", "Paddock Wood Library", ""),
    ("Cranbrook", "Cranbrook Library", ""),
    ("Hawkhurst", "Hawkhurst Library", "community hub"),
    ("Maidstone", "Maidstone Library", "archives, register office"),
    ("Snodland", "Snodland Library", "town council"),
    ("Larkfield", "Larkfield Library", ""),
    ("Kings Hill", "Kings Hill Library", "community centre"),
    ("West Malling", "West Malling Library", ""),
    ("Headcorn", "Headcorn Library", ""),
    ("Marden", "Marden Library", "parish council"),
    ("Lenham", "Lenham Library", "community centre"),
    ("Staplehurst", "Staplehurst Library", ""),
    ("Borough Green", "Borough Green Library", ""),
    ("Coxheath", "Coxheath Library", "village hall"),
)
COUNCIL_BUILDINGS: tuple[tuple[str, str, str], ...] = (
    ("Sevenoaks", "Sevenoaks District Council offices", "council offices"),
    ("Tonbridge", "Tonbridge Castle offices", "council offices, tourist information"),
    ("Maidstone", "Maidstone House", "council offices"),
    ("Tunbridge Wells", "Tunbridge Wells Town Hall", "council offices"),
)


def candidate_table(places: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Public libraries and council buildings that could host a surgery."""
    rows = []
    for prefix, kind, items, low, high in (("LIB", "library", LIBRARIES, 80, 400),
                                           ("CB", "council building", COUNCIL_BUILDINGS,
                                            250, 700)):
        for k, (town, name, co) in enumerate(items, start=1):
            p = places.loc[town]
            rows.append({
                "candidate_id": f"{prefix}{k:02d}", "name": name, "kind": kind,
                "available_m2": int(round(rng.uniform(low, high) / 5) * 5),
                "co_located": co,
                "easting": int(round(p["x"] + rng.uniform(-250, 250))),
                "northing": int(round(p["y"] + rng.uniform(-250, 250))),
            })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# housing sites

#: (place, number of general-needs sites, total dwellings) in the growth areas and elsewhere.
GENERAL_GROWTH: tuple[tuple[str, int, int], ...] = (
    ("Maidstone", 18, 4_000), ("Kings Hill", 4, 1_300), ("West Malling", 3, 600),
    ("Snodland", 4, 900), ("Larkfield", 3, 500), ("Aylesford", 2, 300), ("Tonbridge", 6, 800),
    ("Paddock Wood", 3, 700), ("Tunbridge Wells", 7, 1_000), ("Staplehurst", 2, 300),
    ("Sevenoaks", 3, 220), ("Swanley", 2, 160), ("Edenbridge", 1, 60), ("Cranbrook", 1, 60),
    ("Marden", 2, 250), ("Headcorn", 2, 150), ("Hawkhurst", 1, 70), ("Southborough", 2, 150),
    ("Coxheath", 1, 120),
)
#: (name, place, east km, north km, dwellings, type, start year, homes per year, description).
SPECIAL_SITES: tuple[tuple[str, str, float, float, int, str, int, int, str], ...] = (
    ("Land east of Paddock Wood (strategic site)", "Paddock Wood", 1.6, 0.2, 3_000, "general",
     2027, 260, "Strategic allocation: new neighbourhood with primary school and local centre"),
    ("Hawkhurst retirement village", "Hawkhurst", 0.7, -0.5, 180, "retirement", 2028, 60,
     "Age-restricted retirement village with care hub"),
    ("Kings Hill retirement village", "Kings Hill", -0.8, -0.6, 220, "retirement", 2027, 55,
     "Retirement village, 60+ age-restricted apartments and bungalows"),
    ("Marden Road retirement homes", "Marden", 0.5, 0.4, 130, "retirement", 2029, 65,
     "Age-restricted bungalows"),
    ("Tonbridge extra care scheme", "Tonbridge", -0.6, 0.5, 80, "extra_care", 2028, 80,
     "Extra care apartments"),
    ("Maidstone extra care scheme", "Maidstone", 1.2, -1.4, 90, "extra_care", 2030, 90,
     "Extra care apartments"),
    ("Cranbrook extra care scheme", "Cranbrook", -0.4, 0.3, 60, "extra_care", 2031, 60,
     "Extra care apartments"),
    ("Sevenoaks care home", "Sevenoaks", 0.9, 0.6, 70, "care_home", 2027, 70,
     "Nursing home, 70 beds"),
    ("Snodland care home", "Snodland", -0.5, 0.4, 66, "care_home", 2029, 66,
     "Residential care home, 66 beds"),
    ("Tunbridge Wells care home", "Tunbridge Wells", 1.0, -0.8, 80, "care_home", 2032, 80,
     "Nursing home, 80 beds"),
)


def trajectory(dwellings: int, start: int, rate: int) -> dict[int, int]:
    """Completions per financial year: a first-year ramp, then ``rate`` a year to the end."""
    # The ramp year delivers a third of a year, so plan on one year fewer to finish in time.
    rate = max(rate, int(np.ceil(dwellings / max(1, LAST_YEAR - start))))
    out: dict[int, int] = {}
    left = dwellings
    year = start
    while left > 0:
        step = min(left, rate if year > start or dwellings <= rate else max(1, rate // 3))
        out[year] = step
        left -= step
        year += 1
    if year - 1 > LAST_YEAR:
        raise ValueError(f"trajectory of {dwellings} homes from {start} runs past {LAST_YEAR}")
    return out


def housing_table(places: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Housing sites in the project's template, with completions per financial year."""
    rows = []
    for name, place, dx, dy, n, kind, start, rate, text in SPECIAL_SITES:
        p = places.loc[place]
        rows.append({"name": name, "place": place, "x": p["x"] + dx * 1_000,
                     "y": p["y"] + dy * 1_000, "dwellings": n, "housing_type": kind,
                     "years": trajectory(n, start, rate), "description": text})
    for place, count, total in GENERAL_GROWTH:
        p = places.loc[place]
        sizes = split_integer(total - 10 * count, rng.dirichlet(np.full(count, 1.5))) + 10
        sigma = town_sigma_m(p["people"])
        for k, n in enumerate(sizes):
            angle = rng.uniform(0, 2 * np.pi)
            r = sigma * rng.uniform(0.2, 1.6)
            start = int(rng.integers(2026, 2036))
            rate = int(n) if n < 40 else int(rng.integers(30, 100))
            street = STREETS[int(rng.integers(len(STREETS)))]
            brown = n < 150 and rng.random() < 0.6
            rows.append({
                "name": f"{'Former depot' if brown else 'Land'} off {street}, {place}",
                "place": place, "x": p["x"] + r * np.cos(angle), "y": p["y"] + r * np.sin(angle),
                "dwellings": int(n), "housing_type": "general",
                "years": trajectory(int(n), start, rate),
                "description": ("Brownfield redevelopment" if brown else "Greenfield allocation")
                + f", site {k + 1} of {count} in {place}",
            })
    table = pd.DataFrame(rows)
    codes = {"Maidstone": "MBC", "Tonbridge and Malling": "TMBC", "Tunbridge Wells": "TWBC",
             "Sevenoaks": "SDC"}
    district = table["place"].map(places["district"]).map(codes)
    table["site_ref"] = [f"{d}/{i + 1:03d}" for i, d in enumerate(district)]
    out = table[["site_ref", "name"]].copy()
    out["easting"] = np.round(table["x"]).astype(np.int64)
    out["northing"] = np.round(table["y"]).astype(np.int64)
    out["dwellings"] = table["dwellings"].astype(np.int64)
    out["housing_type"] = table["housing_type"]
    for year in YEARS:
        out[f"{year}/{(year + 1) % 100:02d}"] = [t.get(year, 0) for t in table["years"]]
    out["description"] = table["description"]
    return out


# ---------------------------------------------------------------------------------------------
# friction


def friction_raster(grid: Grid, people: np.ndarray, places: pd.DataFrame) -> np.ndarray:
    """Minutes per metre: country lanes, slower town streets, fast main-road corridors."""
    minutes_per_m = np.full((grid.height, grid.width), 60 / (SPEED_RURAL_KMH * 1_000))
    # Built-up cells (more than 800 people per km2) are town streets.
    minutes_per_m[people >= 8.0] = 60 / (SPEED_TOWN_KMH * 1_000)
    lines = [shapely.LineString(places.loc[list(chain), ["x", "y"]].to_numpy())
             for chain in ROADS]
    road = rasterio.features.rasterize(
        [(shapely.MultiLineString(lines).buffer(CELL_M), 1)],
        out_shape=(grid.height, grid.width), transform=grid.transform, fill=0, dtype="uint8",
        all_touched=True,
    ).astype(bool)
    minutes_per_m[road] = 60 / (SPEED_ROAD_KMH * 1_000)
    return minutes_per_m.astype(np.float32)


# ---------------------------------------------------------------------------------------------
# writing


def write_tif(path: Path, data: np.ndarray, grid: Grid, *, description: str) -> None:
    profile = {
        "driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1,
        "dtype": "float32", "crs": CRS, "transform": grid.transform, "compress": "deflate",
        "predictor": 3, "zlevel": 9, "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data.astype(np.float32), 1)
        dst.set_band_description(1, description)


def write_geojson(path: Path, frame: gpd.GeoDataFrame) -> None:
    # Written by hand rather than through GDAL so the bytes do not depend on the GDAL
    # version (key order, number formatting) and coordinates come out as whole metres.
    features = []
    for row in frame.itertuples(index=False):
        props = {c: _plain(getattr(row, c)) for c in frame.columns if c != "geometry"}
        geom = shapely.geometry.mapping(row.geometry)
        features.append({"type": "Feature", "properties": props,
                         "geometry": _int_coords(geom)})
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
           "features": features}
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


def _plain(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _int_coords(geom: dict[str, Any]) -> dict[str, Any]:
    def walk(c: Any) -> Any:
        if c and isinstance(c[0], (int, float)):
            return [int(round(v)) for v in c]
        return [walk(x) for x in c]

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# headline figures (for the README; the tests recompute them independently)


def headline(practices: gpd.GeoDataFrame, catchment: gpd.GeoDataFrame,
             zones: gpd.GeoDataFrame, housing: pd.DataFrame, *, horizon: int = 2036,
             ) -> dict[str, float]:
    """Capacity and demand in the base and horizon years by METHODS.md's space method.

    New residents of homes completed from the base year up to and including the horizon
    year are shared equally among the practices whose catchments contain the site.
    """
    owner = practices["parent_code"].where(practices["site_kind"] == "branch",
                                           practices["practice_code"])
    capacity = practices.groupby(owner)["gia_m2"].sum() / M2_PER_PATIENT
    demand = practices.set_index("practice_code")["list_size"].reindex(capacity.index)
    columns = [f"{y}/{(y + 1) % 100:02d}" for y in range(BASE_YEAR, horizon + 1)]
    residents = housing[columns].sum(axis=1) * housing["housing_type"].map(OCCUPANCY)
    points = gpd.GeoDataFrame(housing.assign(residents=residents),
                              geometry=gpd.points_from_xy(housing["easting"],
                                                          housing["northing"]), crs=CRS)
    hits = gpd.sjoin(points, catchment, predicate="within")
    per_site = hits.groupby("site_ref")["practice_code"].transform("count")
    added = (hits["residents"] / per_site).groupby(hits["practice_code"]).sum()
    demand_h = demand + added.reindex(capacity.index, fill_value=0.0)
    return {
        "population": float(zones[[f"pop_{b}" for b in AGE_BANDS]].to_numpy().sum()),
        "capacity": float(capacity.sum()), "demand_base": float(demand.sum()),
        "demand_horizon": float(demand_h.sum()),
        "deficit_base": int((capacity < demand).sum()),
        "deficit_horizon": int((capacity < demand_h).sum()),
        "dwellings": float(housing["dwellings"].sum()),
        "dwellings_by_horizon": float(housing[columns].to_numpy().sum()),
    }


#: The headline block is written by the tool itself (`make docs`, estates.io.docs_figures), never
#: by this script, so that every figure quoted comes from `estates run`.
FIGURES_PENDING = "(figures pending: run `make docs`)"


def readme(figures: dict[str, float], practices: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
           housing: pd.DataFrame, candidates: pd.DataFrame) -> str:
    mains = int((practices["site_kind"] == "main").sum())
    branches = int((practices["site_kind"] == "branch").sum())
    return f"""# The demonstration region: a synthetic West Kent

**Synthetic data.** Every figure in this folder (residents, registered lists, floor areas, GPs,
housing sites, library floor space) is invented by `make_demo.py`. Only the positions of the
towns and villages are real; zones, practices and sites are not real places and must never be
quoted as facts about West Kent. Zone codes start `E0199` so they can never match a real LSOA;
practice codes start `Z99`.

The region is modelled on the four West Kent districts (Sevenoaks, Tonbridge and Malling,
Tunbridge Wells, Maidstone). Rebuild it with `python data/demo/make_demo.py` (seed {SEED});
two runs give byte-identical files.

| file | what |
|---|---|
| `region.toml` | the region's description and its layers |
| `zones.geojson` | {len(zones)} LSOA-like zones (Voronoi cells), residents by 7 age bands, `ruc21` |
| `practices.csv` | {mains} main surgeries and {branches} branch surgeries (BNG `easting`, `northing`) |
| `catchments.geojson` | one overlapping catchment polygon per main practice |
| `candidates.csv` | {len(candidates)} libraries and council buildings that could host a surgery |
| `housing_sites.csv` | {len(housing)} housing sites with completions per financial year 2026/27-2040/41 |
| `population.tif` | residents per 100 m cell (float32, EPSG:27700); sums to the zones' totals |
| `friction.tif` | travel friction, minutes per metre: 20 km/h country, 30 km/h towns, 60 km/h main roads |

## Headline figures (space method, METHODS.md)
Capacity is floor area / (120 m2 net per 1,750 patients x 1.3 net-to-gross), a branch adding to
its main practice; demand is the registered list, need-weighted by age (Carr-Hill 2007 weights
normalised so the region's weighted list equals its registered list), plus the residents of homes
completed 2026/27-2036/37 (2.37 per general home, 1.5 per retirement unit, 1.0 per extra-care
unit or care-home bed, each weighted by their age profile), shared among the practices whose
catchments contain the site in proportion to list x exp(-distance / 2 km). Written by
`make docs` from `python -m estates run`:

<!-- figures:demo-headline -->
{FIGURES_PENDING}
<!-- /figures -->

## The story it tells
With the net floor standard grossed up to compare with gross floor areas, the region is short
of floor space in total by 2036, and the shortfall falls unevenly: the practices where the homes are built (Paddock Wood's strategic site,
Kings Hill and West Malling, Snodland, Maidstone) fall into deficit, while practices in the
north-west (Sevenoaks, Swanley, Westerham, Edenbridge) keep spare rooms more than 10 km away.
Some older villages east of Maidstone (around Lenham and Harrietsham) are more than 8 km from
any surgery, and a few practices work from small converted houses. Retirement villages are
planned near Hawkhurst and Marden, whose surgeries are short of space.
"""


def region_toml(description: str) -> str:
    return f"""name = "West Kent (synthetic demonstration)"
synthetic = true
description = {toml_string(description)}

[practices]
file = "practices.csv"
x = "easting"
y = "northing"
crs = "EPSG:27700"

[catchments]
file = "catchments.geojson"

[zones]
file = "zones.geojson"

[candidates]
file = "candidates.csv"
x = "easting"
y = "northing"
crs = "EPSG:27700"

[housing]
file = "housing_sites.csv"

[population_raster]
file = "population.tif"

[friction_raster]
file = "friction.tif"
unit = "minutes per metre"
"""


DESCRIPTION = (
    "Synthetic data modelled on West Kent (Sevenoaks, Tonbridge and Malling, Tunbridge Wells "
    "and Maidstone). Town positions are real; residents, practices, floor areas and housing "
    "sites are invented to show GP floor space in the wrong place: enough in total, short "
    "where the homes are planned. Not for decisions."
)

OUTPUTS = ("region.toml", "practices.csv", "catchments.geojson", "zones.geojson",
           "candidates.csv", "housing_sites.csv", "population.tif", "friction.tif", "README.md")


def build(out_dir: Path) -> dict[str, float]:
    """Generate every file of the demo region into ``out_dir``; return the headline figures."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    places = place_points()
    boundary = region_boundary(places)
    grid = make_grid(boundary)
    people = density_surface(grid, places, rng)
    zones, population = build_zones(people, grid, places, boundary, rng)
    sites = practice_sites(places, rng)
    shares = register_lists(zones, sites, population, grid)
    practices = practice_table(sites, zones, shares, rng)
    catchment = catchments(zones, practices, shares, boundary)
    candidates = candidate_table(places, rng)
    housing = housing_table(places, rng)
    friction = friction_raster(grid, people, places)

    write_csv(out_dir / "practices.csv", practices.drop(columns="geometry"))
    write_geojson(out_dir / "catchments.geojson", catchment)
    write_geojson(out_dir / "zones.geojson", zones)
    write_csv(out_dir / "candidates.csv", candidates)
    write_csv(out_dir / "housing_sites.csv", housing)
    write_tif(out_dir / "population.tif", population, grid,
              description="residents per 100 m cell (synthetic)")
    write_tif(out_dir / "friction.tif", friction, grid,
              description="travel friction, minutes per metre (synthetic)")
    figures = headline(practices, catchment, zones, housing)
    (out_dir / "README.md").write_text(readme(figures, practices, zones, housing, candidates),
                                       encoding="utf-8")
    (out_dir / "region.toml").write_text(region_toml(DESCRIPTION), encoding="utf-8")
    return figures


def digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every output file, to check that two builds are identical."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in OUTPUTS}


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    result = build(here)
    for key, value in result.items():
        print(f"{key}: {value:,.0f}")
