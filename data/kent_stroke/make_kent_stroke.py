"""Build the worked centralisation example: a synthetic Kent and Medway zone layer.

Run ``python data/kent_stroke/make_kent_stroke.py``. One seeded generator makes every figure, so
two runs write byte-identical files. Town positions are real (town centres, WGS84, to about a
kilometre); every resident count, age mix and rural class is invented from them and the layer
says so (``synthetic = true``). The hospital sites (sites.csv) are real and are not written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pyproj import Transformer

SEED = 20180702  # the stroke consultation's year
CELL_M = 3_000.0
#: Cells further than this from every town are left out (sea, and beyond the county).
REACH_M = 9_000.0
RURAL_BACKGROUND = 160_000
AGE_BANDS = ("0_4", "5_14", "15_44", "45_64", "65_74", "75_84", "85_plus")
# Age shares at the urban and rural ends (rough shapes of ONS mid-year estimates for Kent
# towns and villages; villages are older); zones blend them by rural class.
URBAN_PROFILE = np.array([0.060, 0.120, 0.395, 0.250, 0.095, 0.055, 0.025])
RURAL_PROFILE = np.array([0.040, 0.105, 0.275, 0.290, 0.150, 0.097, 0.043])
HERE = Path(__file__).resolve().parent

# (name, lat, lon, synthetic residents). Positions real; residents invented, rounded.
TOWNS: tuple[tuple[str, float, float, int], ...] = (
    ("Dartford", 51.446, 0.219, 110_000), ("Gravesend", 51.441, 0.370, 105_000),
    ("Swanley", 51.397, 0.173, 20_000), ("Sevenoaks", 51.272, 0.190, 30_000),
    ("Edenbridge", 51.196, 0.065, 9_000), ("Tonbridge", 51.195, 0.275, 42_000),
    ("Tunbridge Wells", 51.132, 0.263, 60_000), ("Paddock Wood", 51.181, 0.391, 10_000),
    ("Cranbrook", 51.097, 0.535, 7_000), ("Maidstone", 51.272, 0.529, 115_000),
    ("West Malling", 51.293, 0.409, 40_000), ("Snodland", 51.329, 0.448, 12_000),
    ("Strood", 51.393, 0.478, 35_000), ("Rochester", 51.388, 0.506, 30_000),
    ("Chatham", 51.378, 0.527, 75_000), ("Gillingham", 51.389, 0.549, 100_000),
    ("Rainham", 51.362, 0.610, 40_000), ("Sittingbourne", 51.340, 0.735, 65_000),
    ("Sheerness", 51.441, 0.763, 30_000), ("Faversham", 51.316, 0.891, 20_000),
    ("Whitstable", 51.361, 1.025, 32_000), ("Herne Bay", 51.373, 1.128, 38_000),
    ("Canterbury", 51.280, 1.079, 60_000), ("Margate", 51.389, 1.386, 60_000),
    ("Broadstairs", 51.359, 1.440, 25_000), ("Ramsgate", 51.336, 1.416, 42_000),
    ("Sandwich", 51.272, 1.339, 5_000), ("Deal", 51.223, 1.402, 30_000),
    ("Dover", 51.128, 1.313, 32_000), ("Folkestone", 51.081, 1.166, 50_000),
    ("Hythe", 51.072, 1.084, 15_000), ("New Romney", 50.985, 0.941, 8_000),
    ("Ashford", 51.146, 0.875, 80_000), ("Tenterden", 51.069, 0.689, 8_000),
    ("Headcorn", 51.166, 0.627, 4_000), ("Westerham", 51.266, 0.070, 5_000),
)
#: Residents per km2 above which a cell is urban, and above which it is a larger rural area.
URBAN_DENSITY, LARGER_RURAL_DENSITY = 700.0, 150.0


def build() -> dict:
    rng = np.random.default_rng(SEED)
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    tx, ty = to_bng.transform([t[2] for t in TOWNS], [t[1] for t in TOWNS])
    tx, ty = np.asarray(tx), np.asarray(ty)
    x0, x1 = np.floor((tx.min() - REACH_M) / CELL_M) * CELL_M, tx.max() + REACH_M
    y0, y1 = np.floor((ty.min() - REACH_M) / CELL_M) * CELL_M, ty.max() + REACH_M
    cx, cy = np.meshgrid(np.arange(x0, x1, CELL_M) + CELL_M / 2,
                         np.arange(y0, y1, CELL_M) + CELL_M / 2)
    cx, cy = cx.ravel(), cy.ravel()
    dist = np.hypot(cx[:, None] - tx[None, :], cy[:, None] - ty[None, :])
    keep = dist.min(axis=1) <= REACH_M
    cx, cy, dist = cx[keep], cy[keep], dist[keep]
    people = np.zeros(len(cx))
    for t, (_, _, _, residents) in enumerate(TOWNS):
        sigma = 1_500.0 * np.sqrt(residents / 50_000)
        kernel = np.exp(-0.5 * (dist[:, t] / sigma) ** 2)
        people += residents * kernel / kernel.sum()  # each town's residents kept in full
    background = rng.gamma(2.0, 1.0, len(cx))
    people += RURAL_BACKGROUND * background / background.sum()
    people = np.round(people)
    density = people / (CELL_M / 1000) ** 2
    ruc = np.where(density >= URBAN_DENSITY, "UN1",
                   np.where(density >= LARGER_RURAL_DENSITY, "RLN1", "RSN1"))
    rurality = np.select([ruc == "UN1", ruc == "RLN1"], [0.0, 0.5], 1.0)
    rurality = np.clip(rurality + rng.normal(0, 0.1, len(cx)), 0, 1)
    shares = (1 - rurality)[:, None] * URBAN_PROFILE + rurality[:, None] * RURAL_PROFILE
    bands = np.floor(shares * people[:, None])
    bands[:, 2] += people - bands.sum(axis=1)  # rounding remainder to 15-44: totals kept
    features = []
    for i in np.lexsort((cx, -cy)):
        x, y, h = float(cx[i]), float(cy[i]), CELL_M / 2
        ring = [[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h], [x - h, y - h]]
        nearest_town = TOWNS[int(np.argmin(dist[i]))][0]
        props = {"zone_code": f"KM{len(features) + 1:04d}",
                 "zone_name": f"near {nearest_town}",
                 **{f"pop_{b}": int(v) for b, v in zip(AGE_BANDS, bands[i], strict=True)},
                 "ruc21": str(ruc[i])}
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "name": "zones",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
            "features": features}


def main() -> None:
    zones = build()
    text = json.dumps(zones, separators=(",", ":"))
    (HERE / "zones.geojson").write_text(text + "\n", encoding="utf-8")
    total = sum(sum(v for k, v in f["properties"].items() if k.startswith("pop_"))
                for f in zones["features"])
    print(f"wrote {len(zones['features'])} zones, {total:,} residents")


if __name__ == "__main__":
    main()
