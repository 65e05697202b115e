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


# ---------------------------------------------------------------------------
# One ECI <-> ECEF rotation (numba kernel and numpy arrays)
# ---------------------------------------------------------------------------


def _random_states(seed, n=500):
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0, 5e6, (n, 3))
    v = rng.normal(0.0, 5e3, (n, 3))
    t = rng.uniform(-1e5, 1e5, n)
    return r, v, t


def test_numba_rotation_matches_numpy():
    # Truth: the numpy path, which runs the same formula on arrays; budget 1e-9 m.
    from numba import njit

    @njit
    def rows(r, theta):
        out = np.empty_like(r)
        back = np.empty_like(r)
        for i in range(r.shape[0]):
            out[i, 0], out[i, 1], out[i, 2] = frames.eci_to_ecef_nb(r[i, 0], r[i, 1], r[i, 2],
                                                                    theta[i])
            back[i, 0], back[i, 1], back[i, 2] = frames.ecef_to_eci_nb(r[i, 0], r[i, 1],
                                                                       r[i, 2], theta[i])
        return out, back

    r, _, t = _random_states(11)
    to_ecef, to_eci = rows(r, OMEGA_EARTH * t)
    np.testing.assert_allclose(to_ecef, frames.eci_to_ecef(r, t), rtol=0, atol=1e-9)
    np.testing.assert_allclose(to_eci, frames.ecef_to_eci(r, t), rtol=0, atol=1e-9)
    # direct (interpreted-call) use of the kernel too
    x, y, z = frames.eci_to_ecef_nb(*r[0], OMEGA_EARTH * t[0])
    np.testing.assert_allclose([x, y, z], frames.eci_to_ecef(r[0], t[0]), rtol=0, atol=1e-9)


def test_eci_ecef_round_trip_any_rate():
    # Truth: the two rotations are inverses for any rate; a zero rate is the identity.
    r, _, t = _random_states(12)
    for omega in (OMEGA_EARTH, 0.0, -3e-4):
        back = frames.ecef_to_eci(frames.eci_to_ecef(r, t, omega), t, omega)
        np.testing.assert_allclose(back, r, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(frames.eci_to_ecef(r, t, 0.0), r)


def test_state_transform_of_earth_fixed_points():
    # Truth (closed form): a point at rest on the Earth moves in ECI at omega times its
    # distance from the spin axis, perpendicular to its radius; seen back in ECEF it is at rest.
    rng = np.random.default_rng(13)
    lat = rng.uniform(-90.0, 90.0, 400)
    lon = rng.uniform(-180.0, 180.0, 400)
    h = rng.uniform(-5e3, 2e6, 400)
    t = rng.uniform(0.0, 2e5, 400)
    r = frames.geodetic_to_ecef(lat, lon, h)
    r_i, v_i = frames.ecef_state_to_eci(r, np.zeros_like(r), t)
    axis_dist = np.hypot(r[:, 0], r[:, 1])
    np.testing.assert_allclose(np.linalg.norm(v_i, axis=-1), OMEGA_EARTH * axis_dist,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.sum(r_i * v_i, axis=-1), 0.0, atol=1e-3)
    np.testing.assert_allclose(np.linalg.norm(r_i, axis=-1), np.linalg.norm(r, axis=-1),
                               rtol=1e-15)
    # the (..., 6) state form used by trajectories: back to rest, at the same place
    e = frames.eci_to_ecef_states(t, np.concatenate([r_i, v_i], axis=-1))
    np.testing.assert_allclose(e[:, :3], r, rtol=0, atol=1e-6)
    np.testing.assert_allclose(e[:, 3:], 0.0, atol=1e-9)
    # a non-rotating Earth (omega = 0): the state form is the identity
    y = np.concatenate([r_i, v_i], axis=-1)
    np.testing.assert_array_equal(frames.eci_to_ecef_states(t, y, 0.0), y)


def test_state_forms_agree_and_trajectory_alias():
    # Truth: eci_state_to_ecef (tested against finite differences above).
    from euroshield.flight import trajectory

    r, v, t = _random_states(14)
    r_f, v_f = frames.eci_state_to_ecef(r, v, t)
    e = frames.eci_to_ecef_states(t, np.concatenate([r, v], axis=-1), OMEGA_EARTH)
    np.testing.assert_array_equal(e, np.concatenate([r_f, v_f], axis=-1))
    assert trajectory.eci_to_ecef_states is frames.eci_to_ecef_states


# ---------------------------------------------------------------------------
# Topocentric (site-centred) frame
# ---------------------------------------------------------------------------

SITES = [(54.47, 17.10, 0.0), (-33.9, -18.4, 1500.0), (0.0, 0.0, 0.0), (37.1, -120.5, -50.0),
         (-71.2, 165.0, 3000.0), (89.0, -179.0, 0.0)]


def _meridian_radius(lat_deg):
    s2 = np.sin(np.radians(lat_deg)) ** 2
    return WGS84_A * (1.0 - frames.WGS84_E2) / (1.0 - frames.WGS84_E2 * s2) ** 1.5


def _az_diff(a, b):
    return np.abs((np.asarray(a) - b + 180.0) % 360.0 - 180.0)


@pytest.mark.parametrize("site", SITES + [(90.0, 0.0, 0.0), (-90.0, 45.0, 100.0)])
def test_topocentric_straight_up_and_enu_consistency(site):
    # Truth: a point on the site's ellipsoid normal is at elevation 90 deg, range = dh; the ENU
    # rotation is orthonormal and right-handed, and aer is enu in polar form.
    topo = frames.Topocentric(*site)
    lat, lon, h = site
    up = frames.geodetic_to_ecef(lat, lon, h + 5000.0)
    az, el, rng_m = topo.aer(up)
    assert el == pytest.approx(90.0, abs=1e-6) and rng_m == pytest.approx(5000.0, abs=1e-6)
    assert 0.0 <= az < 360.0
    np.testing.assert_allclose(topo.enu(up), [0.0, 0.0, 5000.0], atol=1e-6)
    m = topo.rotation
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-15)
    np.testing.assert_allclose(np.cross(m[0], m[1]), m[2], atol=1e-15)
    pts = frames.geodetic_to_ecef(lat + np.linspace(-3, 3, 7).clip(-90 - lat, 90 - lat),
                                  lon + np.linspace(-4, 4, 7), h + np.linspace(-1e3, 8e5, 7))
    e, n, u = np.moveaxis(topo.enu(pts), -1, 0)
    az, el, rng_m = topo.aer(pts)
    assert np.all(np.isfinite(az)) and np.all((az >= 0.0) & (az < 360.0))
    np.testing.assert_allclose(e, rng_m * np.cos(np.radians(el)) * np.sin(np.radians(az)),
                               atol=1e-6)
    np.testing.assert_allclose(n, rng_m * np.cos(np.radians(el)) * np.cos(np.radians(az)),
                               atol=1e-6)
    np.testing.assert_allclose(u, rng_m * np.sin(np.radians(el)), atol=1e-6)
    np.testing.assert_allclose(topo.ecef + topo.enu(pts) @ m, pts, atol=1e-6)
    assert topo.aer(pts[:3].reshape(1, 3, 3))[0].shape == (1, 3)


@pytest.mark.parametrize("site", SITES)
def test_topocentric_one_km_north_dips_by_curvature(site):
    # Truth (closed form): a point d = 1 km north at the same ellipsoidal height lies at
    # azimuth 0 and below the horizontal by half the turn of the normal, -d / (2 (M + h)),
    # M the meridian radius of curvature (small-angle Earth curvature).
    lat, lon, h = site
    if lat > 88.0:
        lat = 88.0
    topo = frames.Topocentric(lat, lon, h)
    d = 1000.0
    dlat = np.degrees(d / (_meridian_radius(lat) + h))
    az, el, rng_m = topo.aer(frames.geodetic_to_ecef(lat + dlat, lon, h))
    assert _az_diff(az, 0.0) < 1e-7
    assert np.radians(el) == pytest.approx(-d / (2.0 * (_meridian_radius(lat) + h)), rel=1e-4)
    assert rng_m == pytest.approx(d, rel=1e-6)


@pytest.mark.parametrize("site", SITES[:5])
def test_topocentric_cardinal_azimuths(site):
    # Truth: east/south/west neighbours at the same height lie at 90/180/270 deg; along a
    # parallel the chord heads poleward of due east/west by ~ (dlon / 2) sin(lat).
    lat, lon, h = site
    topo = frames.Topocentric(lat, lon, h)
    dlat = 0.01
    dlon = 0.01
    tilt = np.degrees(np.radians(dlon) / 2.0 * np.sin(np.radians(lat)))
    az_s = topo.aer(frames.geodetic_to_ecef(lat - dlat, lon, h))[0]
    az_e = topo.aer(frames.geodetic_to_ecef(lat, lon + dlon, h))[0]
    az_w = topo.aer(frames.geodetic_to_ecef(lat, lon - dlon, h))[0]
    assert _az_diff(az_s, 180.0) < 1e-7
    assert az_e == pytest.approx(90.0 - tilt, abs=1e-5)
    assert az_w == pytest.approx(270.0 + tilt, abs=1e-5)


def test_topocentric_azimuth_matches_geodesic_nearby():
    # Truth: pyproj (GeographicLib) geodesic azimuths; for 20 km on the ellipsoid the normal
    # section seen by the topocentric frame and the geodesic start within 1e-5 deg.
    from euroshield.earth import geodesy

    rng = np.random.default_rng(15)
    for lat, lon, _ in SITES[:5]:
        az_true = rng.uniform(0.0, 360.0, 50)
        lat2, lon2, _ = geodesy.direct(lat, lon, az_true, 20e3)
        az, _, _ = frames.Topocentric(lat, lon).aer(frames.geodetic_to_ecef(lat2, lon2, 0.0))
        assert np.max(_az_diff(az, az_true)) < 1e-5


def test_topocentric_poles():
    # Convention (documented in Topocentric): at a pole the frame is the limit along the
    # site's meridian. North pole, lon L: north -> meridian L + 180, east -> L + 90.
    # South pole, lon L: north -> meridian L, east -> L + 90.
    for lon in (0.0, 30.0, -150.0):
        npole = frames.Topocentric(90.0, lon)
        m = npole.rotation
        np.testing.assert_allclose(m[1], [-np.cos(np.radians(lon)), -np.sin(np.radians(lon)),
                                          0.0], atol=1e-15)
        for dlon, az_expect in ((180.0, 0.0), (90.0, 90.0), (0.0, 180.0), (-90.0, 270.0)):
            az, el, _ = npole.aer(frames.geodetic_to_ecef(89.9, lon + dlon, 0.0))
            assert _az_diff(az, az_expect) < 1e-6
            assert -0.06 < el < 0.0  # 11 km away: dips by ~0.05 deg
        spole = frames.Topocentric(-90.0, lon, 2800.0)
        for dlon, az_expect in ((0.0, 0.0), (90.0, 90.0), (180.0, 180.0), (-90.0, 270.0)):
            az, el, _ = spole.aer(frames.geodetic_to_ecef(-89.9, lon + dlon, 2800.0))
            assert _az_diff(az, az_expect) < 1e-6
        for topo in (npole, spole):
            for b in topo.geocentric_basis():
                assert np.all(np.isfinite(b))


def test_topocentric_antimeridian_and_symmetries():
    # Truth: symmetry of the ellipsoid. Rotating site and point about the axis changes
    # nothing (across the antimeridian too); mirroring in the equator maps az -> 180 - az,
    # mirroring in the site's meridian maps az -> 360 - az; elevation and range are kept.
    pts = [(10.05, -179.9, 2e5), (9.0, 179.5, 0.0), (12.0, -178.0, 9e5)]
    lat2, lon2, h2 = (np.array(c) for c in zip(*pts, strict=True))
    a = frames.Topocentric(10.0, 179.9, 300.0).aer(frames.geodetic_to_ecef(lat2, lon2, h2))
    b = frames.Topocentric(10.0, 0.2, 300.0).aer(  # the same, turned by -179.7 deg
        frames.geodetic_to_ecef(lat2, lon2 - 179.7, h2))
    np.testing.assert_allclose(_az_diff(a[0], b[0]), 0.0, atol=1e-9)
    np.testing.assert_allclose(a[1], b[1], atol=1e-9)
    np.testing.assert_allclose(a[2], b[2], rtol=1e-12)
    assert 0.0 < a[0][0] < 90.0  # north-east of the site, across the antimeridian
    c = frames.Topocentric(-10.0, 179.9, 300.0).aer(frames.geodetic_to_ecef(-lat2, lon2, h2))
    np.testing.assert_allclose(_az_diff(c[0], 180.0 - a[0]), 0.0, atol=1e-9)
    np.testing.assert_allclose(c[1], a[1], atol=1e-9)
    d = frames.Topocentric(10.0, -179.9, 300.0).aer(frames.geodetic_to_ecef(lat2, -lon2, h2))
    np.testing.assert_allclose(_az_diff(d[0], 360.0 - a[0]), 0.0, atol=1e-9)
    np.testing.assert_allclose(d[2], a[2], rtol=1e-12)


def test_geocentric_basis_is_the_flyout_frame():
    # Truth: the geocentric (up, north, east) the fly-out tables were built with (formula kept
    # verbatim here): bit-identical, so tables do not change.
    for lat, lon, _ in SITES + [(90.0, 10.0, 0.0), (-90.0, -100.0, 0.0)]:
        su = frames.geodetic_to_ecef(lat, lon, 0.0)
        su = su / np.linalg.norm(su)
        ea = np.array([-np.sin(lon * DEG), np.cos(lon * DEG), 0.0])
        no = np.cross(su, ea)
        up, north, east = frames.Topocentric(lat, lon).geocentric_basis()
        np.testing.assert_array_equal(up, su)
        np.testing.assert_array_equal(north, no)
        np.testing.assert_array_equal(east, ea)
        np.testing.assert_allclose(np.linalg.norm(north), 1.0, rtol=1e-15)
    # arrays of positions (summary.burnout_state on a sphere or ellipsoid)
    r = frames.geodetic_to_ecef([10.0, -45.0], [5.0, 170.0], 1e5)
    up, north, east = frames.geocentric_basis(r, [5.0, 170.0])
    assert up.shape == north.shape == east.shape == (2, 3)
    np.testing.assert_allclose(np.cross(east, north), up, atol=1e-15)


def test_topocentric_rejects_bad_sites():
    with pytest.raises(ValueError):
        frames.Topocentric(91.0, 0.0)
    with pytest.raises(ValueError):
        frames.Topocentric(0.0, float("nan"))


def test_no_earth_radius_literals_outside_constants():
    # The Earth's radii live in earth/constants.py only: no numeric literal anywhere else in
    # the package looks like one (6300-6400 km, in km or m, any spelling).
    import ast
    import io
    import tokenize
    from pathlib import Path

    import euroshield

    root = Path(euroshield.__file__).parent
    found = []
    for p in sorted(root.rglob("*.py")):
        if p.relative_to(root).as_posix() == "earth/constants.py":
            continue
        for tok in tokenize.generate_tokens(io.StringIO(p.read_text("utf-8")).readline):
            if tok.type != tokenize.NUMBER or tok.string[-1:] in "jJ":
                continue
            v = abs(float(ast.literal_eval(tok.string)))  # also 0o700, 0x10, 1_000
            if 6300.0 <= v <= 6400.0 or 6.3e6 <= v <= 6.4e6:
                found.append(f"{p.relative_to(root)}:{tok.start[0]}: {tok.string}")
    assert not found, found
