"""The offline map layer: TopoJSON decoding against truth, and PNGs that never touch the network.

Truth for land area: Earth's land area 148.94 million km^2 (CIA World Factbook, "World:
Geography - Area: land"). Natural Earth 1:110m drops small islands and smooths coasts, so the
decoded total is a little lower: measured 147.36 million km^2 (-1.06 %) on the WGS84
ellipsoid with pyproj.Geod. Tolerance 2 %: a wrong antimeridian cut or pole closure changes
the total by whole continents (Antarctica alone is 12.2 million km^2 here).
"""

import ast
import struct
import subprocess
import sys
import urllib.request
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod

from euroshield.report import maps

LAND_AREA_KM2 = 148.94e6  # CIA World Factbook
GEOD = Geod(ellps="WGS84")


def _area_km2(geoms) -> float:
    polys = [p for g in geoms for p in getattr(g, "geoms", [g])]
    # orient: exterior counter-clockwise, holes clockwise, so pyproj subtracts the holes
    return sum(GEOD.geometry_area_perimeter(shapely.geometry.polygon.orient(p, 1.0))[0]
               for p in polys) / 1e6


def test_land_area_matches_earth_land_area():
    area = _area_km2(maps.land())
    assert area == pytest.approx(LAND_AREA_KM2, rel=0.02)
    # countries-110m.json is a separate topology of the same coastline: same total to 0.1 %
    assert _area_km2(maps.countries()) == pytest.approx(area, rel=1e-3)


def test_decoded_shapes_are_valid_planar_lon_lat():
    assert len(maps.countries()) == 177
    for g in (*maps.land(), *maps.countries(), maps.borders()):
        assert g.is_valid
        x0, y0, x1, y1 = g.bounds
        assert -180.0 <= x0 and x1 <= 180.0 and -90.0 <= y0 and y1 <= 90.0
    # Antarctica closed through the South Pole, spanning the full width of the map
    assert maps.land()[0].bounds[:3] == (-180.0, -90.0, 180.0)


@pytest.mark.parametrize("lat, lon, on_land", [
    (55.75, 37.62, True),     # Moscow
    (30.0, -40.0, False),     # mid Atlantic
    (0.0, -150.0, False),     # central Pacific
    (71.2, 179.5, True),      # Wrangel Island, west of the antimeridian ...
    (71.2, -179.5, True),     # ... and east of it: one island cut in two, both halves kept
    (66.0, -172.0, True),     # Chukotka east of 180
    (-17.8, 178.0, True),     # Viti Levu, Fiji
    (-89.9, 45.0, True),      # near the South Pole: Antarctica closed through the pole
])
def test_known_points(lat, lon, on_land):
    land = shapely.union_all(maps.land())
    assert land.contains(shapely.Point(lon, lat)) is on_land


def _track(lat0, lon0, lat1, lon1, n=500):
    lonlat = np.array(GEOD.npts(lon0, lat0, lon1, lat1, n - 2))
    return (np.concatenate([[lat0], lonlat[:, 1], [lat1]]),
            np.concatenate([[lon0], lonlat[:, 0], [lon1]]))


@pytest.fixture(scope="module")
def inputs():
    tracks = []
    for (a, b, c, d), eng in [((54.03, 35.77, 38.91, -77.04), True),    # Kozelsk -> Washington
                              ((55.33, 89.80, 47.61, -122.33), False),  # Uzhur -> Seattle
                              ((52.32, 104.23, 34.05, -118.24), False)]:  # across the 180 line
        lat, lon = _track(a, b, c, d)
        tracks.append({"lat_deg": lat, "lon_deg": lon, "engageable": eng, "label": "r"})
    # straight over the North Pole and across the antimeridian (lon jumps 170 E -> 10 W)
    lat = np.concatenate([np.linspace(55.0, 90.0, 250), np.linspace(90.0, 47.0, 250)])
    lon = np.concatenate([np.full(250, 170.0), np.full(250, -10.0)])
    tracks.append({"lat_deg": lat, "lon_deg": lon, "engageable": False, "label": "polar"})
    sites = [{"name": "redzikowo", "lat_deg": 54.47, "lon_deg": 17.1, "kind": "defence-site",
              "engageable_routes": 1},
             {"name": "norwegian-sea", "lat_deg": 68.0, "lon_deg": 5.0,
              "kind": "ship-station", "engageable_routes": 0}]
    radars = [{"name": "kurecik", "lat_deg": 38.35, "lon_deg": 37.79, "boresight_deg": 100.0,
               "half_width_deg": 60.0, "range_km": 1500.0},
              {"name": "omni", "lat_deg": 54.47, "lon_deg": 17.1, "boresight_deg": None,
               "half_width_deg": None, "range_km": 500.0}]
    return {"title": "test routes", "subtitle": "unit test", "tracks": tracks, "sites": sites,
            "radars": radars}


def _png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(data):
        (n,) = struct.unpack(">I", data[i:i + 4])
        out.append(data[i + 4:i + 8])
        i += 12 + n
    return out


def test_route_map_png_is_valid_and_byte_reproducible(tmp_path, inputs):
    a = maps.route_map(tmp_path / "a.png", **inputs)
    b = maps.route_map(tmp_path / "b.png", **inputs)
    data = a.read_bytes()
    assert len(data) > 10_000
    chunks = _png_chunks(data)
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    assert b"tIME" not in chunks and b"tEXt" not in chunks  # no date, no software version
    assert data == b.read_bytes()


def test_route_map_never_downloads(tmp_path, inputs, monkeypatch):
    import cartopy
    import cartopy.io

    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    empty = tmp_path / "cartopy-data"
    empty.mkdir()
    monkeypatch.setitem(cartopy.config, "data_dir", str(empty))
    monkeypatch.setitem(cartopy.config, "pre_existing_data_dir", str(empty))
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(cartopy.io, "urlopen", no_network)
    monkeypatch.setattr("socket.socket.connect", no_network)
    with warnings.catch_warnings():
        warnings.simplefilter("error", cartopy.io.DownloadWarning)
        out = maps.route_map(tmp_path / "offline.png", **inputs)
    assert out.stat().st_size > 10_000
    assert list(empty.iterdir()) == []


def test_maps_imports_only_version_and_shapes_from_euroshield_and_is_lazy():
    """maps draws plain data: from euroshield it takes only the version and the Natural Earth
    shapes (data, no physics)."""
    src = Path(maps.__file__).read_text("utf-8")
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("euroshield"):
            assert (node.module == "euroshield" and [a.name for a in node.names]
                    == ["__version__"]) or node.module == "euroshield.earth.naturalearth"
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("euroshield") for a in node.names)
    code = ("import sys, euroshield.report.maps; "
            "print(sorted(m for m in ('cartopy', 'matplotlib', 'shapely') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
