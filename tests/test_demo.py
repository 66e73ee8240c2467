"""Tests of the bundled demonstration region in data/demo.

The demo must be well formed (every layer per the region format) and must show the problem
estates is for. Each property is recomputed here from the files with geopandas and numpy,
never by importing the generator's own calculations; the generator is imported only to check
that it rebuilds the committed files byte for byte.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import rasterio.features
import shapely

from estates.assumptions import Assumptions
from estates.model import (
    AGE_BANDS,
    CANDIDATES,
    CATCHMENTS,
    HOUSING_TYPES,
    PRACTICES,
    RUC21_CLASS,
    ZONES,
)

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
FILES = ("region.toml", "practices.csv", "catchments.geojson", "zones.geojson",
         "candidates.csv", "housing_sites.csv", "population.tif", "friction.tif", "README.md")
A = Assumptions()
OCCUPANCY = {"general": A.occupancy_general, "retirement": A.occupancy_retirement,
             "extra_care": A.occupancy_extra_care, "care_home": A.occupancy_care_home,
             "student": A.occupancy_student}
BASE = 2026
HORIZON = 2036


def fy(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


@pytest.fixture(scope="module")
def practices() -> pd.DataFrame:
    return pd.read_csv(DEMO / "practices.csv", dtype={"parent_code": str},
                       keep_default_na=False, na_values={"gp_fte": [""]})


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "zones.geojson")


@pytest.fixture(scope="module")
def catchments() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "catchments.geojson")


@pytest.fixture(scope="module")
def candidates() -> pd.DataFrame:
    return pd.read_csv(DEMO / "candidates.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def housing() -> pd.DataFrame:
    return pd.read_csv(DEMO / "housing_sites.csv")


@pytest.fixture(scope="module")
def sites(practices: pd.DataFrame) -> gpd.GeoDataFrame:
    """Practice sites as points, with ``owner`` = the main practice a site belongs to."""
    owner = np.where(practices["site_kind"] == "branch", practices["parent_code"],
                     practices["practice_code"])
    return gpd.GeoDataFrame(practices.assign(owner=owner),
                            geometry=gpd.points_from_xy(practices["easting"],
                                                        practices["northing"]),
                            crs="EPSG:27700")


def zone_totals(zones: pd.DataFrame) -> pd.Series:
    return zones[[f"pop_{b}" for b in AGE_BANDS]].sum(axis=1)


# --- the generator ---------------------------------------------------------------------------


def load_generator():
    spec = importlib.util.spec_from_file_location("make_demo", DEMO / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _without_figures(text: str) -> str:
    # The README's figure blocks are written by the tool (make docs; tests/io/test_docs_figures
    # checks them), not by the generator, which leaves them pending.
    return re.sub(r"(<!-- figures:[a-z-]+ -->\n).*?(<!-- /figures -->)", r"\1\2", text,
                  flags=re.S)


def test_generator_rebuilds_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    load_generator().build(tmp_path)
    for name in FILES:
        if name == "README.md":
            fresh = (tmp_path / name).read_text(encoding="utf-8")
            assert "(figures pending: run `make docs`)" in fresh
            assert _without_figures(fresh) == _without_figures(
                (DEMO / name).read_text(encoding="utf-8")), "README.md differs from a fresh build"
            continue
        assert sha(tmp_path / name) == sha(DEMO / name), f"{name} differs from a fresh build"


def test_output_is_a_few_megabytes_at_most() -> None:
    total = sum((DEMO / name).stat().st_size for name in FILES)
    assert total < 3_000_000


# --- region.toml -----------------------------------------------------------------------------


def test_manifest_says_synthetic_and_names_existing_files() -> None:
    manifest = tomllib.loads((DEMO / "region.toml").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert "synthetic" in manifest["name"].lower()
    assert "Synthetic" in manifest["description"]
    for layer in ("practices", "catchments", "zones", "candidates", "housing",
                  "population_raster", "friction_raster"):
        assert (DEMO / manifest[layer]["file"]).is_file(), layer
    for layer in ("practices", "candidates"):
        assert manifest[layer]["crs"] == "EPSG:27700"
        assert (manifest[layer]["x"], manifest[layer]["y"]) == ("easting", "northing")
    assert manifest["friction_raster"]["unit"] == "minutes per metre"
    assert "Synthetic data" in (DEMO / "README.md").read_text(encoding="utf-8")


# --- layers ----------------------------------------------------------------------------------


def test_practices_have_the_documented_columns_and_consistent_lists(practices: pd.DataFrame) -> None:
    assert set(c.name for c in PRACTICES.columns) <= set(practices.columns)
    assert practices["practice_code"].is_unique
    assert 40 <= len(practices) <= 60
    assert set(practices["site_kind"]) == {"main", "branch"}
    bands = practices[[f"list_{b}" for b in AGE_BANDS]].sum(axis=1)
    assert (bands == practices["list_size"]).all()
    assert (practices[[f"list_{b}" for b in AGE_BANDS]] >= 0).all().all()
    assert (practices["gia_m2"] > 0).all() and (practices["clinical_rooms"] > 0).all()
    # Rooms follow floor area: 60 % of it as 16 m2 rooms with 30 % circulation, give or take.
    expected = practices["gia_m2"] * 0.6 / (16 * 1.3)
    big = practices["gia_m2"] > 200
    ratio = practices.loc[big, "clinical_rooms"] / expected[big]
    assert ratio.between(0.85, 1.15).all()


def test_branches_belong_to_existing_main_practices(practices: pd.DataFrame) -> None:
    main = practices[practices["site_kind"] == "main"]
    branch = practices[practices["site_kind"] == "branch"]
    assert 4 <= len(branch) <= 8
    assert set(branch["parent_code"]) <= set(main["practice_code"])
    assert (branch["list_size"] == 0).all()
    assert (main["parent_code"] == "").all()
    assert main["gp_fte"].notna().all() and branch["gp_fte"].isna().all()
    # About one full-time GP per 1,800-2,300 patients.
    per_gp = main["list_size"] / main["gp_fte"]
    assert per_gp.between(1_700, 2_400).all()


def test_zones_have_the_documented_columns_and_lsoa_sizes(zones: gpd.GeoDataFrame) -> None:
    assert set(c.name for c in ZONES.columns) <= set(zones.columns)
    assert zones["zone_code"].is_unique
    assert zones["zone_code"].str.fullmatch(r"E0199\d{4}").all()
    assert set(zones["ruc21"]) <= set(RUC21_CLASS)
    assert set(zones["ruc21"].map(RUC21_CLASS)) == {"urban", "larger rural", "smaller rural"}
    assert zones["zone_name"].is_unique
    districts = "Sevenoaks|Tonbridge and Malling|Tunbridge Wells|Maidstone"
    assert zones["zone_name"].str.fullmatch(rf"({districts}) \d{{3}}[A-D]").all()
    assert 300 <= len(zones) <= 500
    totals = zone_totals(zones)
    assert totals.between(800, 3_000).all()
    assert 530_000 <= totals.sum() <= 560_000


def test_catchments_and_candidates_have_the_documented_columns(
    catchments: gpd.GeoDataFrame, candidates: pd.DataFrame, practices: pd.DataFrame
) -> None:
    assert set(c.name for c in CATCHMENTS.columns) <= set(catchments.columns)
    mains = set(practices.loc[practices["site_kind"] == "main", "practice_code"])
    assert catchments["practice_code"].is_unique
    assert set(catchments["practice_code"]) == mains
    assert set(c.name for c in CANDIDATES.columns) <= set(candidates.columns)
    assert candidates["candidate_id"].is_unique
    libraries = candidates[candidates["kind"] == "library"]
    assert len(libraries) >= 15
    assert libraries["available_m2"].between(80, 400).all()
    assert 2 <= (candidates["kind"] == "council building").sum() <= 4


@pytest.mark.parametrize("name", ["zones", "catchments"])
def test_polygons_are_valid_non_empty_and_in_bng(name: str, request) -> None:
    frame = request.getfixturevalue(name)
    assert frame.crs.to_epsg() == 27700
    assert (frame.geom_type == "Polygon").all()
    assert frame.is_valid.all()
    assert (~frame.is_empty).all() and (frame.area > 0).all()


def test_zones_tile_the_region_without_overlaps(zones: gpd.GeoDataFrame) -> None:
    union = shapely.union_all(zones.geometry.to_numpy())
    assert union.geom_type == "Polygon"
    assert zones.area.sum() == pytest.approx(union.area, rel=1e-6)


def test_catchments_overlap(catchments: gpd.GeoDataFrame) -> None:
    assert catchments.area.sum() > 1.5 * shapely.union_all(catchments.geometry.to_numpy()).area


def test_points_lie_in_the_region(
    zones: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, candidates: pd.DataFrame,
    housing: pd.DataFrame,
) -> None:
    region = shapely.union_all(zones.geometry.to_numpy())
    for frame in (sites, candidates, housing):
        points = shapely.points(frame["easting"], frame["northing"])
        assert shapely.contains(region, points).all()


# --- rasters ---------------------------------------------------------------------------------


def test_population_raster_matches_the_zones(zones: gpd.GeoDataFrame) -> None:
    with rasterio.open(DEMO / "population.tif") as src:
        assert src.crs.to_epsg() == 27700
        assert src.res == (100.0, 100.0)
        assert src.dtypes[0] == "float32"
        assert src.profile["compress"] == "deflate"
        people = src.read(1).astype(float)
        transform, shape = src.transform, src.shape
    totals = zone_totals(zones).to_numpy()
    assert (people >= 0).all()
    assert people.sum() == pytest.approx(totals.sum(), rel=0.005)
    # Zonal sums by cell centre: every zone's cells hold its residents (boundary cells whose
    # centre falls outside every polygon shift a little between neighbours).
    ids = rasterio.features.rasterize(
        [(g, i + 1) for i, g in enumerate(zones.geometry)], out_shape=shape,
        transform=transform, fill=0, dtype="int32")
    zonal = np.bincount(ids.ravel(), weights=people.ravel(), minlength=len(zones) + 1)[1:]
    assert np.abs(zonal - totals).sum() <= 0.005 * totals.sum()
    assert np.median(np.abs(zonal - totals) / totals) < 0.001


def test_friction_raster_has_three_speeds_on_the_population_grid() -> None:
    with rasterio.open(DEMO / "population.tif") as pop, rasterio.open(DEMO / "friction.tif") as fr:
        assert fr.crs.to_epsg() == 27700
        assert (fr.transform, fr.shape) == (pop.transform, pop.shape)
        minutes_per_m = fr.read(1)
        people = pop.read(1)
    # 20 km/h = 0.003 min/m, 30 km/h = 0.002, 60 km/h = 0.001.
    speeds = np.unique(np.round(60 / (minutes_per_m * 1_000), 3))
    assert speeds.tolist() == [20.0, 30.0, 60.0]
    # Built-up cells are faster than the countryside on average.
    busy = people > 20
    assert minutes_per_m[busy].mean() < minutes_per_m[(people > 0) & (people < 1)].mean()


# --- housing ---------------------------------------------------------------------------------


def test_housing_sites_follow_the_template(housing: pd.DataFrame) -> None:
    years = [fy(y) for y in range(2026, 2041)]
    assert {"site_ref", "name", "easting", "northing", "dwellings", "housing_type",
            "description", *years} <= set(housing.columns)
    assert housing["site_ref"].is_unique
    assert 60 <= len(housing) <= 100
    assert set(housing["housing_type"]) <= set(HOUSING_TYPES)
    assert (housing[years].sum(axis=1) == housing["dwellings"]).all()
    assert (housing[years] >= 0).all().all()


def test_housing_has_retirement_villages_care_and_a_strategic_site(housing: pd.DataFrame) -> None:
    retirement = housing[housing["housing_type"] == "retirement"]
    assert len(retirement) >= 2
    assert retirement["dwellings"].between(120, 250).all()
    assert (housing["housing_type"] == "extra_care").any()
    assert (housing["housing_type"] == "care_home").any()
    years = [fy(y) for y in range(2026, 2041)]
    strategic = housing[housing["name"].str.contains("strategic")]
    assert len(strategic) == 1
    assert strategic["dwellings"].between(2_000, 4_000).all()
    assert (strategic[years] > 0).sum(axis=1).iloc[0] >= 10


# --- the problem the demo shows --------------------------------------------------------------


def capacity_and_demand(
    sites: gpd.GeoDataFrame, catchments: gpd.GeoDataFrame, housing: pd.DataFrame,
    last_year: int,
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Space capacity, base demand, demand with homes completed up to ``last_year``, and the
    new residents per main practice (each site shared equally among containing catchments)."""
    capacity = sites.groupby("owner")["gia_m2"].sum() / A.m2_per_patient
    base = sites.set_index("practice_code")["list_size"].reindex(capacity.index)
    done = housing[[fy(y) for y in range(BASE, last_year + 1)]].sum(axis=1)
    residents = done * housing["housing_type"].map(OCCUPANCY)
    points = gpd.GeoDataFrame({"site_ref": housing["site_ref"], "residents": residents},
                              geometry=gpd.points_from_xy(housing["easting"],
                                                          housing["northing"]),
                              crs="EPSG:27700")
    hits = gpd.sjoin(points, catchments, predicate="within")
    assert set(hits["site_ref"]) == set(housing["site_ref"]), "a site in no catchment"
    n = hits.groupby("site_ref")["practice_code"].transform("count")
    added = (hits["residents"] / n).groupby(hits["practice_code"]).sum()
    added = added.reindex(capacity.index, fill_value=0.0)
    assert added.sum() == pytest.approx(residents.sum())
    return capacity, base, base + added, added


# Homes completed up to the horizon year, counting the horizon year itself or not.
LAST_YEARS = [HORIZON - 1, HORIZON]


@pytest.mark.parametrize("last_year", LAST_YEARS)
def test_enough_space_in_aggregate(sites, catchments, housing, last_year: int) -> None:
    capacity, base, future, _ = capacity_and_demand(sites, catchments, housing, last_year)
    for demand in (base, future):
        headroom = capacity.sum() / demand.sum() - 1
        assert 0.05 <= headroom <= 0.20


@pytest.mark.parametrize("last_year", LAST_YEARS)
def test_deficits_where_growth_lands_and_stranded_spare_space(
    sites, catchments, housing, last_year: int
) -> None:
    capacity, _, future, added = capacity_and_demand(sites, catchments, housing, last_year)
    headroom = capacity - future
    deficit = headroom[(headroom < 0) & (added > 0)].index
    assert len(deficit) >= 4
    deficit_sites = shapely.MultiPoint(
        sites.loc[sites["owner"].isin(deficit), "geometry"].to_list())
    spare = headroom[headroom > 0.10 * capacity].index
    far = [code for code in spare
           if sites.loc[sites["owner"] == code].distance(deficit_sites).min() > 10_000]
    assert len(far) >= 5


def test_older_rural_villages_far_from_any_surgery(zones, sites) -> None:
    totals = zone_totals(zones)
    older = zones[["pop_65_74", "pop_75_84", "pop_85_plus"]].sum(axis=1) / totals
    england_65_plus = 0.19  # ONS mid-2022: about 19 % of England's residents are 65+
    # Brute force: distance from every zone centroid to every surgery site.
    c = zones.geometry.centroid
    d = np.hypot(c.x.to_numpy()[:, None] - sites["easting"].to_numpy()[None, :],
                 c.y.to_numpy()[:, None] - sites["northing"].to_numpy()[None, :]).min(axis=1)
    remote = zones["ruc21"].isin(["RSN1", "RSF1"]) & (older > england_65_plus + 0.05) & (d > 8_000)
    assert remote.sum() >= 2
    # And rural zones are older than urban ones on the whole.
    urban = zones["ruc21"].map(RUC21_CLASS) == "urban"
    assert older[~urban].mean() > older[urban].mean() + 0.03


def test_some_practices_are_cramped_converted_houses(practices: pd.DataFrame) -> None:
    main = practices[practices["site_kind"] == "main"]
    houses = main[main["building"] == "converted house"]
    cramped = houses[houses["gia_m2"] / houses["list_size"] < 0.8 * A.m2_per_patient]
    assert len(cramped) >= 3


# --- the project's reader --------------------------------------------------------------------


def test_read_region_loads_the_demo_layers(tmp_path: Path) -> None:
    region_module = pytest.importorskip("estates.io.region")
    # The housing layer needs estates.io.housing, which may not be merged yet: read the rest
    # from a copy of the folder whose manifest leaves housing out.
    for name in FILES:
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    text = (DEMO / "region.toml").read_text(encoding="utf-8")
    (tmp_path / "region.toml").write_text(
        text.replace('[housing]\nfile = "housing_sites.csv"\n\n', ""), encoding="utf-8")
    region = region_module.read_region(tmp_path)
    assert region.synthetic is True
    assert region.warnings == []
    assert len(region.practices) == len(pd.read_csv(DEMO / "practices.csv"))
    assert len(region.zones) == len(gpd.read_file(DEMO / "zones.geojson"))
    assert region.population_raster is not None and region.friction_raster is not None


def test_read_region_loads_the_whole_demo() -> None:
    region_module = pytest.importorskip("estates.io.region")
    pytest.importorskip("estates.io.housing")
    region = region_module.read_region(DEMO)
    # The housing reader notes how it read the file; none of its notes may reject a row.
    assert not [w for w in region.warnings if "rejected" in w.lower()]
    housing = pd.read_csv(DEMO / "housing_sites.csv")
    assert len(region.growth.sites) == len(housing)
    assert region.growth.trajectory.to_numpy().sum() == housing["dwellings"].sum()
