"""Tests of euroshield.earth.geodesy against GeographicLib and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from euroshield.earth import geodesy
from euroshield.earth.constants import R_MEAN_EARTH


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(84)
    n = 400
    lat1 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lat2 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon1 = rng.uniform(-180, 180, n)
    lon2 = rng.uniform(-180, 180, n)
    return lat1, lon1, lat2, lon2


def _angle_diff(a, b):
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def test_inverse_matches_geographiclib(pairs):
    # Truth: GeographicLib's Python implementation of Karney (2013), independent of
    # PROJ's C code. Back azimuth = GeographicLib azi2 + 180 deg.
    dist, az12, az21 = geodesy.inverse(*pairs)
    for i, (la1, lo1, la2, lo2) in enumerate(zip(*pairs, strict=True)):
        ref = Geodesic.WGS84.Inverse(la1, lo1, la2, lo2)
        assert dist[i] == pytest.approx(ref["s12"], abs=1e-3)
        assert _angle_diff(az12[i], ref["azi1"]) < 1e-8
        assert _angle_diff(az21[i], ref["azi2"] + 180.0) < 1e-8


def test_inverse_published_example():
    # Truth: GeographicLib documentation example, Wellington (41.32S, 174.81E) to
    # Salamanca (40.96N, 5.50W): s12 = 19959679.267 m.
    dist, _, _ = geodesy.inverse(-41.32, 174.81, 40.96, -5.50)
    assert dist == pytest.approx(19959679.267, abs=1e-3)


def test_direct_matches_geographiclib(pairs):
    # Truth: GeographicLib Direct; 1e-9 deg is ~0.1 mm.
    lat1, lon1, _, _ = pairs
    rng = np.random.default_rng(5)
    az = rng.uniform(-180, 180, lat1.size)
    s = rng.uniform(0, 15_000e3, lat1.size)
    lat2, lon2, back = geodesy.direct(lat1, lon1, az, s)
    for i in range(lat1.size):
        ref = Geodesic.WGS84.Direct(lat1[i], lon1[i], az[i], s[i])
        assert lat2[i] == pytest.approx(ref["lat2"], abs=1e-9)
        assert _angle_diff(lon2[i], ref["lon2"]) < 1e-9
        assert _angle_diff(back[i], ref["azi2"] + 180.0) < 1e-8


def test_direct_inverse_round_trip_and_broadcasting():
    # Truth: direct then inverse returns the input distance and azimuth.
    az = np.array([[0.0, 45.0, 90.0], [135.0, -170.0, -60.0]])
    lat2, lon2, _ = geodesy.direct(50.0, 10.0, az, 3_000e3)
    assert lat2.shape == (2, 3)
    dist, az12, _ = geodesy.inverse(50.0, 10.0, lat2, lon2)
    np.testing.assert_allclose(dist, 3_000e3, rtol=0, atol=1e-6)
    assert np.max(_angle_diff(az12, az)) < 1e-9


def test_haversine_hand_checkable():
    # Truth: geometry of a sphere. Quarter meridian = pi/2 R; antipodes = pi R;
    # 90 deg along the equator = pi/2 R.
    r = R_MEAN_EARTH
    assert geodesy.great_circle_distance_sphere(0, 0, 90, 0) == pytest.approx(math.pi / 2 * r)
    assert geodesy.great_circle_distance_sphere(0, 0, 0, 90) == pytest.approx(math.pi / 2 * r)
    assert geodesy.great_circle_distance_sphere(10, 20, -10, -160) == pytest.approx(math.pi * r)
    assert geodesy.great_circle_distance_sphere(33, 44, 33, 44) == 0.0
    assert geodesy.central_angle(0, 0, 60, 0) == pytest.approx(math.pi / 3)
    assert geodesy.great_circle_distance_sphere(0, 0, 0, 1, radius_m=1.0) == pytest.approx(
        math.pi / 180
    )


def test_haversine_matches_spherical_geographiclib(pairs):
    # Truth: GeographicLib with flattening 0, i.e. exact great circles on a sphere.
    sphere = Geodesic(R_MEAN_EARTH, 0.0)
    d = geodesy.great_circle_distance_sphere(*pairs)
    ref = np.array([sphere.Inverse(*p)["s12"] for p in zip(*pairs, strict=True)])
    np.testing.assert_allclose(d, ref, rtol=0, atol=1e-3)
