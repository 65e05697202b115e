"""The tracker's ballistic Earth-fixed dynamics and radar measurement model
(:mod:`euroshield.network.dynamics`, :mod:`euroshield.network.filters`) against closed forms,
conservation laws, finite differences and the frames module."""

import numpy as np
import pytest

from euroshield.earth.constants import GM_EARTH, OMEGA_EARTH
from euroshield.earth.frames import (
    Topocentric,
    ecef_state_to_eci,
    eci_state_to_ecef,
    geodetic_to_ecef,
)
from euroshield.earth.gravity import gravity
from euroshield.flight import kepler
from euroshield.network import _kernels
from euroshield.network.dynamics import (
    ProcessModel,
    acceleration,
    axial_angular_momentum,
    gravity_gradient,
    jacobi_constant,
    propagate,
)
from euroshield.network.filters import CHI2_QUANTILES, FilterParams, measure

KEPLER = ProcessModel(j2=False, omega_rad_s=0.0)
INERTIAL_J2 = ProcessModel(j2=True, omega_rad_s=0.0)
NO_J2_ROTATING = ProcessModel(j2=False)


def _burnout_eci(r_m, v_m_s, gamma_rad, lat_deg=20.0, lon_deg=30.0, az_deg=40.0):
    """Inertial state on a sphere of radius ``r_m``: speed ``v_m_s`` at ``gamma_rad`` above the
    horizontal, heading ``az_deg`` clockwise from north, at geocentric (lat, lon)."""
    la, lo, az = np.radians([lat_deg, lon_deg, az_deg])
    up = np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    east = np.array([-np.sin(lo), np.cos(lo), 0.0])
    north = np.cross(up, east)
    v = v_m_s * (np.cos(gamma_rad) * (np.sin(az) * east + np.cos(az) * north)
                 + np.sin(gamma_rad) * up)
    return np.concatenate([r_m * up, v])


# points with large |z| (near the poles) and near the equator, above and below 100 km
POINTS = np.array([
    geodetic_to_ecef(0.0, 10.0, 300e3),
    geodetic_to_ecef(45.0, -120.0, 1200e3),
    geodetic_to_ecef(-89.5, 179.9, 80e3),
    geodetic_to_ecef(89.99, -179.99, 3000e3),
])


@pytest.mark.parametrize("j2", [False, True])
def test_gravity_gradient_matches_finite_differences(j2):
    """The hand-derived gravity gradient equals central differences of
    euroshield.earth.gravity.gravity (step 1 m; truncation ~ (1 m / r)^2 ~ 1e-13 relative, so
    the 1e-7 tolerance is rounding: g ~ 10 m/s^2 x 1e-16 / 1 m against gradients ~ 1e-6)."""
    g = gravity_gradient(POINTS, j2=j2)
    for i, r in enumerate(POINTS):
        fd = np.empty((3, 3))
        for j in range(3):
            dr = np.zeros(3)
            dr[j] = 1.0
            fd[:, j] = (gravity(r + dr, j2=j2) - gravity(r - dr, j2=j2)) / 2.0
        assert g[i] == pytest.approx(fd, rel=1e-6, abs=1e-12)
        assert np.allclose(g[i], g[i].T, rtol=1e-12, atol=1e-20)  # gradient of a potential


def test_acceleration_rotating_terms():
    """Coriolis -2 w x v and centrifugal -w x (w x r) written out: at (x, 0, 0) with velocity
    (0, vy, 0) the extra terms are (w^2 x + 2 w vy, 0, 0)."""
    x, vy = 7.0e6, 1000.0
    s = np.array([x, 0.0, 0.0, 0.0, vy, 0.0])
    a = acceleration(s)
    g = gravity(s[:3])
    assert a - g == pytest.approx([OMEGA_EARTH**2 * x + 2 * OMEGA_EARTH * vy, 0.0, 0.0],
                                  abs=1e-15)


def test_kepler_closed_form_two_body():
    """J2 off, rotation off: BMW p. 290 (burnout 1,275.6 km above a 6,378.145 km sphere,
    5.2702 km/s, gamma 51.318 deg, re-entry at the burnout radius: 36.3888 deg in 1,990.47 s).
    Propagated for the closed-form flight time, the state is back at the burnout radius (within
    0.1 m: RK4 10 s steps) and has turned by the closed-form range angle (within 1e-8 rad,
    0.07 m)."""
    r0 = 6378.145e3 + 1275.6e3
    ff = kepler.free_flight(r0, 5270.2, np.radians(51.318), r0, mu=GM_EARTH)
    s0 = _burnout_eci(r0, 5270.2, np.radians(51.318))
    s1 = propagate(s0[None], float(ff.flight_time_s), model=KEPLER)[0]
    assert np.linalg.norm(s1[:3]) == pytest.approx(r0, abs=0.1)
    angle = np.arccos(s0[:3] @ s1[:3] / np.linalg.norm(s0[:3]) / np.linalg.norm(s1[:3]))
    assert angle == pytest.approx(float(ff.range_angle_rad), abs=1e-8)
    # the published numbers themselves (BMW p. 290, to their printed digits)
    assert np.degrees(float(ff.range_angle_rad)) == pytest.approx(36.3888, abs=1e-3)


@pytest.mark.parametrize("h_km, v_kms, g_deg", [(200, 6.5, 25), (150, 7.2, 10), (500, 7.0, -5)])
def test_rotating_frame_equals_kepler_in_inertial_frame(h_km, v_kms, g_deg):
    """Rotation on, J2 off: the Earth-fixed propagation (Coriolis + centrifugal), turned back to
    the inertial frame at the end, follows the two-body ellipse: closed-form flight time to
    re-entry at 6,371 km, radius within 0.1 m and range angle within 1e-8 rad. A missing or
    wrong rotating-frame term would show as kilometres (the ground moves at up to 0.46 km/s)."""
    r_re = 6371.0e3
    r0 = r_re + h_km * 1e3
    ff = kepler.free_flight(r0, v_kms * 1e3, np.radians(g_deg), r_re)
    eci0 = _burnout_eci(r0, v_kms * 1e3, np.radians(g_deg), -35.0, 170.0, 300.0)
    rf, vf = eci_state_to_ecef(eci0[:3], eci0[3:], 0.0)
    tof = float(ff.flight_time_s)
    s1 = propagate(np.concatenate([rf, vf])[None], tof, model=NO_J2_ROTATING)[0]
    r1, _ = ecef_state_to_eci(s1[:3], s1[3:], tof)
    assert np.linalg.norm(r1) == pytest.approx(r_re, abs=0.1)
    angle = np.arccos(eci0[:3] @ r1 / np.linalg.norm(eci0[:3]) / np.linalg.norm(r1))
    assert angle == pytest.approx(float(ff.range_angle_rad), abs=1e-8)


def test_jacobi_integral_and_axial_momentum_conserved_with_j2():
    """J2 and rotation on, no drag: the Jacobi integral (energy in the rotating frame with the
    centrifugal potential) and the polar component of the inertial angular momentum are
    constants of the motion, so only integration error changes them. RK4 is fourth order: its
    global error over 2,000 s at 10 s steps is of order (n h)^4 ~ (1.2e-3 rad/s x 10 s)^4 =
    2e-8 relative at most (n the orbital mean motion); a quarter of the step must cut the drift
    by at least 100 (256 for an exact fourth-order method)."""
    s0 = _burnout_eci(6571e3, 7000.0, np.radians(25.0), 55.0, 40.0, 320.0)
    rf, vf = eci_state_to_ecef(s0[:3], s0[3:], 0.0)
    x0 = np.concatenate([rf, vf])[None]
    ts = np.linspace(0.0, 2000.0, 9)
    drift = {}
    for step in (10.0, 2.5):
        states = propagate(np.repeat(x0, ts.size, axis=0), ts, model=ProcessModel(max_step_s=step))
        c = jacobi_constant(states)
        h = axial_angular_momentum(states)
        drift[step] = np.abs(c / c[0] - 1.0).max()
        assert drift[step] < 2e-8
        assert np.abs(h / h[0] - 1.0).max() < 2e-8
    assert drift[2.5] < drift[10.0] / 100.0
    # without its J2 term the same quantity is not constant: J2 acts on this trajectory
    assert np.ptp(jacobi_constant(states, NO_J2_ROTATING)) / abs(c[0]) > 1e-5


def test_state_transition_matrix_matches_finite_differences():
    """Phi from the variational equations equals central differences of the propagation
    (1 m and 1 mm/s steps) over 300 s, rotating Earth with J2, to 1e-6 relative."""
    s0 = _burnout_eci(6700e3, 6000.0, np.radians(20.0), 10.0, -60.0, 80.0)
    x0 = np.concatenate(eci_state_to_ecef(s0[:3], s0[3:], 0.0))
    _, _, phi = propagate(x0[None], 300.0, np.eye(6)[None])
    steps = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3])
    plus = x0[None] + np.diag(steps)
    minus = x0[None] - np.diag(steps)
    fd = ((propagate(plus, 300.0) - propagate(minus, 300.0)) / (2 * steps[:, None])).T
    assert phi[0] == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_covariance_propagation_formula():
    """P(t + dt) = Phi P Phi^T + Q with Q = q [[dt^3/3, dt^2/2], [dt^2/2, dt]] per axis
    (white-noise acceleration), q of the starting altitude (above 100 km: the high-altitude
    q; below: the re-entry q)."""
    model = ProcessModel(accel_psd_m2_s3=2e-4, low_accel_psd_m2_s3=3.0)
    p0 = np.diag([100.0, 200.0, 300.0, 1.0, 2.0, 3.0])
    for h, q in ((300e3, 2e-4), (50e3, 3.0)):
        x0 = np.concatenate([geodetic_to_ecef(10.0, 20.0, h), [100.0, 2000.0, 300.0]])
        _, p1, phi = propagate(x0[None], 40.0, p0[None], model)
        dt = 40.0
        qm = np.kron(np.array([[dt**3 / 3, dt**2 / 2], [dt**2 / 2, dt]]), np.eye(3)) * q
        assert p1[0] == pytest.approx(phi[0] @ p0 @ phi[0].T + qm, rel=1e-12, abs=1e-9)


def test_propagation_is_reversible_and_nan_safe():
    """Propagating forward then back returns the state (RK4 error only: < 1 mm); NaN steps
    give NaN rows, not errors."""
    s0 = _burnout_eci(6800e3, 6500.0, np.radians(15.0))
    x0 = np.concatenate(eci_state_to_ecef(s0[:3], s0[3:], 0.0))
    back = propagate(propagate(x0[None], 700.0), -700.0)[0]
    assert back[:3] == pytest.approx(x0[:3], abs=1e-3)
    out = propagate(np.stack([x0, x0]), np.array([10.0, np.nan]))
    assert np.isfinite(out[0]).all() and np.isnan(out[1]).all()


# --- the measurement model ---

SITES = [
    Topocentric(38.35, 37.79, 1900.0),  # Kürecik-like: mid latitude
    Topocentric(76.53, -68.70, 200.0),  # Thule/Pituffik-like: high latitude
    Topocentric(89.95, 45.0, 0.0),  # next to the pole
    Topocentric(-20.0, 179.99, 0.0),  # on the antimeridian
]


@pytest.mark.parametrize("site", SITES, ids=lambda s: f"{s.lat_deg},{s.lon_deg}")
def test_measurement_matches_topocentric_and_finite_differences(site):
    """Range, azimuth and elevation equal Topocentric.aer (tested against PROJ) for targets
    all round the site, including below the horizon and across the antimeridian; the range
    rate equals the time derivative of the range along the ballistic motion; the analytic
    Jacobian equals central differences (1 m, 1 mm/s) to 1e-6 relative."""
    rng = np.random.default_rng(4)
    a = np.radians(rng.uniform(0.0, 360.0, 40))  # all round the site (east of the
    e = np.radians(rng.uniform(-5.0, 85.0, 40))  # antimeridian site: across it)
    d = rng.uniform(100e3, 3000e3, 40)
    enu = np.stack([d * np.cos(e) * np.sin(a), d * np.cos(e) * np.cos(a), d * np.sin(e)], -1)
    pos = site.ecef + enu @ site.rotation
    vel = rng.normal(0.0, 3000.0, (40, 3))
    states = np.concatenate([pos, vel], axis=1)
    z, hj = measure(states, site.ecef, site.rotation)
    az, el, rho = site.aer(pos)
    assert z[:, 0] == pytest.approx(rho, rel=1e-12)
    dz = (z[:, 1] - np.radians(az) + np.pi) % (2 * np.pi) - np.pi
    assert np.abs(dz).max() < 1e-12
    assert ((z[:, 1] >= 0) & (z[:, 1] < 2 * np.pi)).all()
    assert z[:, 2] == pytest.approx(np.radians(el), abs=1e-12)
    assert (el < 0).any()  # some targets below the horizon
    # range rate: d(range)/dt along the true (ballistic) motion, central difference 1e-3 s
    ahead = propagate(states, 1e-3)
    behind = propagate(states, -1e-3)
    rdot = (site.slant_range_m(ahead[:, :3]) - site.slant_range_m(behind[:, :3])) / 2e-3
    assert z[:, 3] == pytest.approx(rdot, abs=1e-4)
    steps = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3])
    for j in range(6):
        d = np.zeros(6)
        d[j] = steps[j]
        zp, _ = measure(states + d, site.ecef, site.rotation)
        zm, _ = measure(states - d, site.ecef, site.rotation)
        diff = zp - zm
        diff[:, 1] = (diff[:, 1] + np.pi) % (2 * np.pi) - np.pi
        assert hj[:, :, j] == pytest.approx(diff / (2 * steps[j]), rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("row, kernel", [(0, "range_hessian_nb"),
                                         (3, "range_rate_hessian_nb")])
def test_range_and_range_rate_hessians_match_finite_differences(row, kernel):
    """The Hessians of the second-order update (range, range rate) equal central differences
    of the analytic Jacobian rows (1 m, 1 mm/s)."""
    site = SITES[0]
    s = np.concatenate([geodetic_to_ecef(45.0, 50.0, 600e3), [2000.0, -3000.0, 1500.0]])
    hess = np.empty((6, 6))
    getattr(_kernels, kernel)(s, site.ecef, hess)
    steps = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3])
    fd = np.empty((6, 6))
    for j in range(6):
        d = np.zeros(6)
        d[j] = steps[j]
        _, hp = measure((s + d)[None], site.ecef, site.rotation)
        _, hm = measure((s - d)[None], site.ecef, site.rotation)
        fd[:, j] = (hp[0, row] - hm[0, row]) / (2 * steps[j])
    assert hess == pytest.approx(fd, rel=1e-6, abs=1e-13)
    assert np.allclose(hess, hess.T)


def test_gate_quantiles_are_chi_square():
    """The tabulated gate thresholds are scipy.stats.chi2.ppf(p, k)."""
    from scipy.stats import chi2

    for (p, k), v in CHI2_QUANTILES.items():
        assert v == pytest.approx(chi2.ppf(p, k), rel=1e-12)


@pytest.mark.parametrize("kwargs, field", [
    (dict(accel_psd_m2_s3=-1.0), "accel_psd_m2_s3"),
    (dict(low_accel_psd_m2_s3=np.nan), "low_accel_psd_m2_s3"),
    (dict(max_step_s=0.0), "max_step_s"),
    (dict(max_step_s=600.0), "max_step_s"),
])
def test_bad_process_model_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}: .* allowed range"):
        ProcessModel(**kwargs)


@pytest.mark.parametrize("kwargs, field", [
    (dict(gate_probability=1.0), "gate_probability"),
    (dict(reinit_after=0), "reinit_after"),
    (dict(min_init_gap_s=10.0, max_init_gap_s=5.0), "min_init_gap_s"),
])
def test_bad_filter_params_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}"):
        FilterParams(**kwargs)
