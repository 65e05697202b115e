"""Tests of euroshield.earth.frames against pyproj and closed-form rotation facts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Transformer

from euroshield.earth import frames
from euroshield.earth.constants import DEG, OMEGA_EARTH, WGS84_A

# pyproj/PROJ WGS84 geodetic 3D (EPSG:4979) <-> geocentric (EPSG:4978).
_TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
_TO_GEO = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)

N_POINTS = 3000


def _random_geodetic(rng, n, h_lo, h_hi):
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))  # uniform on the sphere
    lon = rng.uniform(-180.0, 180.0, n)
    h = rng.uniform(h_lo, h_hi, n)
    # Edge cases: poles, equator, near-pole, antimeridian, bounds of the height range.
    lat[:8] = [90.0, -90.0, 0.0, 89.9999999, -89.9999999, 1e-12, 45.0, -45.0]
    lon[:8] = [0.0, 180.0, -180.0, 37.0, -120.0, 179.9999999, 0.0, 90.0]
    h[:4] = [h_lo, h_hi, h_lo, h_hi]
    return lat, lon, h


@pytest.fixture(scope="module")
def points():
    """Random WGS84 points, h from -5 km to 2000 km (the brief's validation range)."""
    return _random_geodetic(np.random.default_rng(20240501), N_POINTS, -5e3, 2000e3)


def _horizontal_error_m(lat_a, lon_a, lat_b, lon_b, h):
    """Approximate ground distance (m) between two nearby geodetic positions."""
    r = WGS84_A + h
    dlon = (lon_a - lon_b + 180.0) % 360.0 - 180.0
    return r * np.hypot((lat_a - lat_b) * DEG, dlon * DEG * np.cos(lat_b * DEG))


def test_geodetic_to_ecef_matches_pyproj(points):
    lat, lon, h = points
    truth = np.stack(_TO_ECEF.transform(lon, lat, h), axis=-1)  # truth: PROJ
    ours = frames.geodetic_to_ecef(lat, lon, h)
    assert ours.shape == (N_POINTS, 3)
    assert np.max(np.abs(ours - truth)) < 1e-3


def test_ecef_to_geodetic_recovers_geodetic_input(points):
    # Truth: the geodetic input itself, mapped to ECEF by PROJ. (PROJ's own inverse is
    # not exact enough here, see the next test.) Budget for the numpy path: 0.1 mm.
    lat, lon, h = points
    x, y, z = _TO_ECEF.transform(lon, lat, h)
    lat2, lon2, h2 = frames.ecef_to_geodetic(np.stack([x, y, z], axis=-1))
    assert np.max(np.abs(h2 - h)) < 1e-4
    assert np.max(_horizontal_error_m(lat2, lon2, lat, lon, h)) < 1e-4


def test_ecef_to_geodetic_full_height_range():
    # Same truth as above over the full documented range -10 km .. 3000 km.
    lat, lon, h = _random_geodetic(np.random.default_rng(7), N_POINTS, -10e3, 3000e3)
    xyz = np.stack(_TO_ECEF.transform(lon, lat, h), axis=-1)
    lat2, lon2, h2 = frames.ecef_to_geodetic(xyz)
    assert np.max(np.abs(h2 - h)) < 1e-4
    assert np.max(_horizontal_error_m(lat2, lon2, lat, lon, h)) < 1e-4


def test_ecef_to_geodetic_matches_pyproj_inverse_below_100km(points):
    # Truth: PROJ's geocentric->geodetic conversion. It is a non-iterative
    # Bowring-type formula whose error grows with height (measured with PROJ 9.5:
    # 0.1 mm at 100 km, ~2.4 cm at 2000 km), so it is only a < 1 mm truth low down.
    lat, lon, h = points
    low = h < 100e3
    xyz = frames.geodetic_to_ecef(lat[low], lon[low], h[low])
    lon_p, lat_p, h_p = _TO_GEO.transform(xyz[:, 0], xyz[:, 1], xyz[:, 2])
    lat2, lon2, h2 = frames.ecef_to_geodetic(xyz)
    assert np.max(np.abs(h2 - h_p)) < 1e-3
    assert np.max(_horizontal_error_m(lat2, lon2, lat_p, lon_p, h[low])) < 1e-3


def test_round_trip(points):
    # Truth: identity of the round trip geodetic -> ECEF -> geodetic -> ECEF.
    lat, lon, h = points
    xyz = frames.geodetic_to_ecef(lat, lon, h)
    xyz2 = frames.geodetic_to_ecef(*frames.ecef_to_geodetic(xyz))
    assert np.max(np.abs(xyz2 - xyz)) < 1e-4


def test_numba_kernels_match_numpy(points):
    # Truth: the numpy path (itself tested against PROJ above); budget 1 mm.
    lat, lon, h = points
    xyz = frames.geodetic_to_ecef(lat, lon, h)
    lat_np, lon_np, h_np = frames.ecef_to_geodetic(xyz)
    nb = np.array([frames.ecef_to_geodetic_nb(*p) for p in xyz])
    h_only = np.array([frames.geodetic_height_nb(*p) for p in xyz])
    assert np.max(np.abs(nb[:, 2] - h_np)) < 1e-3
    assert np.max(np.abs(h_only - h_np)) < 1e-3
    assert np.max(_horizontal_error_m(np.degrees(nb[:, 0]), np.degrees(nb[:, 1]),
                                      lat_np, lon_np, h)) < 1e-3
    fwd = np.array([frames.geodetic_to_ecef_nb(la * DEG, lo * DEG, hh)
                    for la, lo, hh in zip(lat, lon, h, strict=True)])
    assert np.max(np.abs(fwd - xyz)) < 1e-3


def test_geodetic_height_is_rotation_invariant(points):
    # Truth: the ellipsoid is symmetric about z, so rotating the point about z
    # (as ECI <-> ECEF does) cannot change its height.
    lat, lon, h = points
    xyz = frames.geodetic_to_ecef(lat[:200], lon[:200], h[:200])
    rotated = frames.ecef_to_eci(xyz, 12345.6)
    h_rot = np.array([frames.geodetic_height_nb(*p) for p in rotated])
    assert np.max(np.abs(h_rot - h[:200])) < 1e-3


def test_eci_ecef_coincide_after_sidereal_day():
    # Truth: a rotation by 2*pi is the identity.
    r = np.array([[WGS84_A, 0.0, 0.0], [1.2e6, -6.1e6, 2.5e6], [0.0, 0.0, 6.4e6]])
    day = 2.0 * math.pi / OMEGA_EARTH
    np.testing.assert_allclose(frames.eci_to_ecef(r, day), r, rtol=0, atol=1e-6)
    np.testing.assert_allclose(frames.ecef_to_eci(r, day), r, rtol=0, atol=1e-6)
    np.testing.assert_allclose(frames.eci_to_ecef(r, 0.0), r, rtol=0, atol=0)


def test_quarter_day_rotation_sense():
    # Truth: the Earth turns eastwards (+z), so after a quarter turn the ECEF point
    # (a, 0, 0) sits on the inertial +y axis.
    t = 0.5 * math.pi / OMEGA_EARTH
    r_i = frames.ecef_to_eci(np.array([WGS84_A, 0.0, 0.0]), t)
    np.testing.assert_allclose(r_i, [0.0, WGS84_A, 0.0], atol=1e-6)
    np.testing.assert_allclose(frames.eci_to_ecef(r_i, t), [WGS84_A, 0.0, 0.0], atol=1e-6)


def test_equator_point_inertial_speed():
    # Truth: v = omega * a = 7.292115e-5 * 6378137 = 465.101 m/s (closed form).
    for t in (0.0, 1000.0, 50000.0):
        r_i, v_i = frames.ecef_state_to_eci(np.array([WGS84_A, 0.0, 0.0]), np.zeros(3), t)
        assert np.linalg.norm(v_i) == pytest.approx(OMEGA_EARTH * WGS84_A, rel=1e-12)
        assert np.linalg.norm(v_i) == pytest.approx(465.101, abs=1e-3)
        assert np.dot(r_i, v_i) == pytest.approx(0.0, abs=1e-6)


def _central_diff(f, t, dt=0.1):
    return (f(t + dt) - f(t - dt)) / (2.0 * dt)


def test_velocity_transform_matches_finite_differences():
    # Truth: time derivative of the transformed position (central differences).
    t0 = np.array([0.0, 321.0, 4000.0])

    # An inertial straight line seen from ECEF.
    r0 = np.array([5.0e6, 2.0e6, 3.5e6])
    v0 = np.array([-2500.0, 6000.0, 1200.0])

    def r_eci(t):
        return r0 + v0 * np.asarray(t)[..., None]

    r_f, v_f = frames.eci_state_to_ecef(r_eci(t0), np.broadcast_to(v0, (3, 3)), t0)
    v_fd = _central_diff(lambda t: frames.eci_to_ecef(r_eci(t), t), t0)
    np.testing.assert_allclose(r_f, frames.eci_to_ecef(r_eci(t0), t0), atol=1e-9)
    np.testing.assert_allclose(v_f, v_fd, rtol=0, atol=1e-5)

    # A point moving in ECEF seen from ECI.
    def r_ecef(t):
        t = np.asarray(t)[..., None]
        return np.array([6.4e6, 1.0e5, -2.0e6]) + np.array([300.0, -150.0, 80.0]) * t

    v_const = np.array([300.0, -150.0, 80.0])
    _, v_i = frames.ecef_state_to_eci(r_ecef(t0), v_const, t0)
    v_fd = _central_diff(lambda t: frames.ecef_to_eci(r_ecef(t), t), t0)
    np.testing.assert_allclose(v_i, v_fd, rtol=0, atol=1e-5)


def test_state_round_trip_and_broadcasting():
    # Truth: the two state transforms are inverses; t broadcasts on leading axes.
    rng = np.random.default_rng(3)
    r = rng.normal(0.0, 5e6, (2, 5, 3))
    v = rng.normal(0.0, 5e3, (2, 5, 3))
    t = rng.uniform(0.0, 9e4, (2, 5))
    r_f, v_f = frames.eci_state_to_ecef(r, v, t)
    r_i, v_i = frames.ecef_state_to_eci(r_f, v_f, t)
    assert r_f.shape == (2, 5, 3)
    np.testing.assert_allclose(r_i, r, rtol=0, atol=1e-6)
    np.testing.assert_allclose(v_i, v, rtol=0, atol=1e-9)
    # Per-element time equals looping with scalar times.
    for idx in np.ndindex(2, 5):
        np.testing.assert_allclose(frames.eci_to_ecef(r[idx], t[idx]), r_f[idx], atol=1e-6)
    # A scalar time applies to every vector.
    np.testing.assert_allclose(
        frames.eci_to_ecef(r, 600.0)[1, 2], frames.eci_to_ecef(r[1, 2], 600.0), atol=1e-6
    )


def test_enu_basis(points):
    lat, lon, h = points
    east, north, up = frames.enu_basis(lat, lon)
    # Truth: orthonormal right-handed triad (east x north = up).
    for e in (east, north, up):
        np.testing.assert_allclose(np.linalg.norm(e, axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.sum(east * north, axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.cross(east, north), up, atol=1e-12)
    # Truth: PROJ. "Up" is the ellipsoid normal, i.e. the direction in which a 1 m
    # height increase moves the ECEF point.
    p0 = np.stack(_TO_ECEF.transform(lon, lat, h), axis=-1)
    p1 = np.stack(_TO_ECEF.transform(lon, lat, h + 1.0), axis=-1)
    np.testing.assert_allclose(p1 - p0, up, atol=1e-6)
    # Truth: moving 1e-6 deg east at the equator / north moves along east / north.
    dp = frames.geodetic_to_ecef(0.0, 10.0 + 1e-6, 0.0) - frames.geodetic_to_ecef(0.0, 10.0, 0.0)
    e10, n10, _ = frames.enu_basis(0.0, 10.0)
    np.testing.assert_allclose(dp / np.linalg.norm(dp), e10, atol=1e-6)
    assert n10[2] == pytest.approx(1.0)


def test_kernels_callable_from_njit_code():
    # Truth: the numpy path. The flight integrator calls these kernels from its own
    # @njit code, so they must compile in nopython mode when nested.
    from numba import njit

    @njit
    def height_and_lat(x, y, z):
        lat, _, h = frames.ecef_to_geodetic_nb(x, y, z)
        return frames.geodetic_height_nb(x, y, z), lat, h

    p = frames.geodetic_to_ecef(48.0, 11.0, 250e3)
    h1, lat, h2 = height_and_lat(p[0], p[1], p[2])
    assert h1 == pytest.approx(250e3, abs=1e-6) and h2 == pytest.approx(250e3, abs=1e-6)
    assert lat == pytest.approx(48.0 * DEG, abs=1e-12)


def test_approx_height_error_bound():
    """The radial-height shortcut used by the air model stays within 1e-5 h + 1 mm of the exact
    geodetic height (truth: the numpy ecef_to_geodetic, itself tested against pyproj above)."""
    from euroshield.earth.frames import approx_height_nb

    rng = np.random.default_rng(7)
    lat = rng.uniform(-90, 90, 3000)
    lon = rng.uniform(-180, 180, 3000)
    h = rng.uniform(-5e3, 1e6, 3000)
    xyz = frames.geodetic_to_ecef(lat, lon, h)
    approx = np.array([approx_height_nb(*p) for p in xyz])
    assert np.all(np.abs(approx - h) <= 1e-5 * np.abs(h) + 1e-3)
