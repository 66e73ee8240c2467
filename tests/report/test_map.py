"""The folium map builder: escaping, figures with units, geometry for display, size, assets."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin

from estates.errors import InputError
from estates.io.region import demo_region, read_region
from estates.report.catchments import CATCHMENT_PANE, catchment_group
from estates.report.figures import format_figure
from estates.report.layers import (
    NO_DATA_COLOUR,
    SHADINGS,
    display_frame,
    map_legend,
    marker_radius,
)
from estates.report.map import build_map, esc
from estates.report.surface import Surface, raster_overlay, surface_legend
from estates.report.templates import SharedFoliumTemplate, SharedTemplate, map_html
from tests.regionkit import practices, write_region

HOSTILE = "<img src=x onerror=alert(1)>`${x}`\\"


@pytest.fixture
def tiny(tmp_path: Path):
    p = practices()
    p.loc[0, "site_name"] = HOSTILE
    return read_region(write_region(tmp_path / "r", practices_df=p))


def test_esc_leaves_no_markup_and_no_template_literal_syntax() -> None:
    out = esc(HOSTILE)
    assert out == ("&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{x}&#96;&#92;")
    assert not set("<>`$\\") & set(out)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1234.4, "patients", "1,234 patients"),
        (-841.3, "patients", "-841 patients"),
        (106.63, "%", "106.6 %"),
        (57.69, "m2", "57.7 m²"),
        (2029, "year", "2029/30"),
        (2099, "year", "2099/00"),
        (float("nan"), "patients", "n/a"),
        (None, "m2", "n/a"),
        ("GP workforce", "", "GP workforce"),
    ],
)
def test_format_figure(value: object, unit: str, text: str) -> None:
    assert format_figure(value, unit) == text


def test_shading_classes_at_and_around_the_breaks() -> None:
    s = SHADINGS["utilisation_pct_horizon"]
    # Breaks 85, 100, 115: a value on a break belongs to the class above it.
    got = [s.colour(v) for v in (0, 84.99, 85, 99.9, 100, 114.9, 115, 400)]
    c = s.colours
    assert got == [c[0], c[0], c[1], c[1], c[2], c[2], c[3], c[3]]
    assert s.colour(None) == s.colour(float("nan")) == s.colour("x") == NO_DATA_COLOUR


def test_marker_area_is_proportional_to_the_value() -> None:
    r = marker_radius(pd.Series([0.0, 25.0, 100.0, np.nan]), min_px=4, max_px=18)
    # radius = 4 + 14 * sqrt(v / 100): 4, 4 + 14 * 0.5, 18; missing counts as 0.
    assert r.tolist() == [4.0, 11.0, 18.0, 4.0]


def test_display_frame_matches_pyproj_and_rounds_to_a_metre(tiny) -> None:
    shown = display_frame(tiny.practices, tolerance_m=0)
    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    lon, lat = to_wgs.transform(tiny.practices.geometry.x.to_numpy(),
                                tiny.practices.geometry.y.to_numpy())
    assert np.allclose(shown.geometry.x, lon, atol=1e-5)
    assert np.allclose(shown.geometry.y, lat, atol=1e-5)
    decimals = {len(f"{v:.10f}".rstrip("0").split(".")[1]) for v in shown.geometry.x}
    assert max(decimals) <= 5


def test_data_text_is_escaped_everywhere_in_the_map(tiny) -> None:
    html = build_map(tiny, leaflet_url="/app/static/leaflet/").get_root().render()
    assert "<img src=x" not in html
    assert "onerror=alert(1)\\u0026gt;" in html or "onerror=alert(1)&gt;" in html
    assert "${x}" not in html


def test_the_served_map_loads_only_leaflet_from_the_app(tiny) -> None:
    html = build_map(tiny, tiles=None, leaflet_url="/app/static/leaflet/").get_root().render()
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []
    assert '<script src="/app/static/leaflet/leaflet.js"></script>' in html
    # folium.Popup's HTML wrapper needs jQuery; the map must not use it.
    assert not re.search(r"[^\w]\$\(", html)


def test_the_basemap_is_the_only_remote_host(tiny) -> None:
    html = build_map(tiny, leaflet_url="/app/static/leaflet/").get_root().render()
    hosts = {re.sub(r"^https?://([^/]+).*", r"\1", u)
             for u in re.findall(r"https?://[^\s\"'<>\\]+", html)}
    assert hosts == {"tile.openstreetmap.org", "www.openstreetmap.org"}


def test_catchments_are_shaded_from_the_result_table(tiny) -> None:
    figures = pd.DataFrame({"practice_code": ["P1", "P2"],
                            "utilisation_pct_horizon": [120.0, 80.0]})
    html = build_map(tiny, practices=figures, tiles=None).get_root().render()
    s = SHADINGS["utilisation_pct_horizon"]
    # P1 at 120 % is in the top class, P2 at 80 % in the first.
    assert f'"colour": "{s.colours[3]}"' in html
    assert f'"colour": "{s.colours[0]}"' in html
    assert "120.0 %" in html and "80.0 %" in html


def test_unknown_shading_is_refused(tiny) -> None:
    with pytest.raises(InputError, match="unknown map shading 'crowding'"):
        build_map(tiny, shade_by="crowding")


def test_raster_overlay_lands_on_the_rasters_corners(tmp_path: Path) -> None:
    path = tmp_path / "t.tif"
    values = np.arange(20 * 30, dtype="float32").reshape(20, 30)
    values[0, 0] = -9999
    with rasterio.open(path, "w", driver="GTiff", width=30, height=20, count=1,
                       dtype="float32", crs="EPSG:27700", nodata=-9999,
                       transform=from_origin(550000, 160000, 100, 100)) as dst:
        dst.write(values, 1)
    image, bounds, (low, high) = raster_overlay(path, max_pixels=600)
    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    lons, lats = to_wgs.transform([550000, 553000, 550000, 553000],
                                  [160000, 160000, 158000, 158000])
    (south, west), (north, east) = bounds
    # The warped grid covers the raster's corners, with at most a cell (~0.0015 deg) to spare.
    assert west <= min(lons) + 1e-9 and east >= max(lons) - 1e-9
    assert south <= min(lats) + 1e-9 and north >= max(lats) - 1e-9
    assert max(min(lons) - west, east - max(lons), min(lats) - south, north - max(lats)) < 0.003
    assert image.dtype == np.uint8 and image.shape[2] == 4
    assert image[0, 0, 3] == 0  # the no-data corner is transparent
    assert low == pytest.approx(1.0, abs=1.0) and high == pytest.approx(599.0, abs=1.0)


def test_raster_overlay_reports_an_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tif"
    bad.write_text("not a raster")
    with pytest.raises(InputError, match="bad.tif: cannot read the raster"):
        raster_overlay(bad)


def test_demo_map_is_under_3_mb_and_standalone_has_no_cdn() -> None:
    region = demo_region()
    served = build_map(region, leaflet_url="/app/static/leaflet/").get_root().render()
    assert len(served.encode()) < 3_000_000
    standalone = map_html(build_map(region, tiles=None))
    assert "cdn.jsdelivr" not in standalone and "<script src=" not in standalone
    assert "Leaflet 1.9.4" in standalone and "data:image/png;base64," in standalone


def test_the_same_map_renders_to_the_same_html(tiny) -> None:
    # Stable element ids: two builds of one map are byte-identical, so the dashboard's map
    # component is not redrawn when nothing on the map changed.
    first = build_map(tiny, tiles=None).get_root().render()
    second = build_map(tiny, tiles=None).get_root().render()
    assert first == second
    assert build_map(tiny, tiles=None, shade_by="headroom_horizon").get_root().render() != first


def test_an_in_memory_change_surface_is_symmetric_about_zero() -> None:
    values = np.zeros((20, 30))
    values[5:10, 5:10] = -4.0  # a new site brings these cells 4 minutes nearer
    values[0, 0] = np.nan
    surface = Surface("Change", "minutes", values=values,
                      transform=from_origin(550000, 160000, 100, 100), diverging=True)
    image, bounds, (low, high) = raster_overlay(surface, colours=surface.colours,
                                                symmetric=True)
    # The ramp spans -4..4 so that no change takes the middle (near-white) colour.
    assert (low, high) == (-4.0, 4.0)
    assert image[0, 0, 3] == 0
    legend = surface_legend(surface, low, high)
    assert "-4.0 minutes" in legend and "no change (minutes)" in legend
    assert "+4.0 minutes" in legend


def test_catchments_swapped_in_as_a_group_below_the_markers(tiny) -> None:
    figures = pd.DataFrame({"practice_code": ["P1", "P2"],
                            "utilisation_pct_horizon": [120.0, 80.0],
                            "headroom_horizon": [-300.0, 900.0]})
    base = build_map(tiny, practices=figures, tiles=None, catchments=False, legend=False,
                     layer_control=False).get_root().render()
    # The base map has the empty pane, under the overlay pane (z-index 400), and no catchment.
    assert re.search(r'createPane\(\s*"' + CATCHMENT_PANE + r'"\);\s*\w+\.style\.zIndex = 390;',
                     base)
    assert "Catchment of" not in base and "L.control.layers" not in base
    s = SHADINGS["utilisation_pct_horizon"]
    group = catchment_group(tiny, practices=figures)
    layer = next(iter(group._children.values()))
    assert layer.options["pane"] == CATCHMENT_PANE
    colours = [f["properties"]["colour"] for f in layer.data["features"]]
    assert len(colours) == len(tiny.catchments)
    assert {s.colours[3], s.colours[0]} <= set(colours)  # P1 over 115 %, P2 under 85 %
    # Same choices, same script: the component sees no change on an unrelated rerun.
    again = catchment_group(tiny, practices=figures)
    assert next(iter(again._children.values())).get_name() == layer.get_name()
    # The ids never meet the base map's (numbered from 0 up).
    assert layer.get_name() not in base
    other = catchment_group(tiny, practices=figures, shade_by="headroom_horizon")
    assert other.layer_name == "Catchments (headroom at the horizon)"


def test_legend_beside_the_map_matches_the_one_in_it(tiny) -> None:
    figures = pd.DataFrame({"practice_code": ["P1", "P2"],
                            "utilisation_pct_horizon": [120.0, 80.0]})
    legend = map_legend(tiny, practices=figures)
    assert legend.startswith("<b>Demand as % of capacity")
    labels = re.findall(r"</span>([^<]+)</div>", legend)
    # Four classes, the housing types the fixture has, main and branch sites.
    assert labels[:4] == list(SHADINGS["utilisation_pct_horizon"].class_labels)
    assert labels[-2:] == ["GP main site (area ∝ list)", "GP branch site"]
    inside = build_map(tiny, practices=figures, tiles=None).get_root().render()
    # In the map, tojson writes the legend with non-ASCII characters escaped.
    assert all(label in inside for label in labels if label.isascii())


def test_catchment_group_refuses_an_unknown_shading(tiny) -> None:
    with pytest.raises(InputError, match="unknown map shading 'crowding'"):
        catchment_group(tiny, shade_by="crowding")


def test_shared_template_compiles_each_text_once_and_renders_alike() -> None:
    first = SharedTemplate("Hello {{ name }}")
    assert SharedTemplate("Hello {{ name }}") is first
    assert first.render(name="Kent") == "Hello Kent"
    assert SharedTemplate("Bye {{ name }}") is not first
    # With options, a template of its own (options change the parse).
    assert SharedTemplate("Hello {{ name }}", autoescape=True) is not first
    # folium's templates keep folium's environment: its tojavascript filter still works.
    js = SharedFoliumTemplate("{{ x|tojavascript }}")
    assert js.render(x={"fill_color": "<b>"}) == '{\n  "fillColor": "\\u003cb\\u003e",\n}'
    assert SharedFoliumTemplate("{{ x|tojavascript }}") is js
