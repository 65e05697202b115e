"""The numerical integrator against the two-body closed form and conservation laws.

With no drag, no J2 and no rotation on a sphere, the integrator must reproduce the Kepler
ellipse (BMW ch. 6); with J2 and no drag the energy (with the J2 potential) and the polar
component of angular momentum are conserved exactly by the physics, so only integration error
can change them.
"""

import numpy as np
import pytest

from euroshield.earth.constants import GM_EARTH
from euroshield.earth.gravity import j2_potential
from euroshield.flight import kepler
from euroshield.flight.engine import Physics, fly_ballistic
from euroshield.flight.summary import burnout_state
from euroshield.flight.vehicles import ballistic_rv

R = 6371.0088e3


def _kepler_physics(**kw):
    return Physics(rotating=False, j2=False, drag=False, sphere_radius_m=R, **kw)


def test_ground_range_and_time_at_10000_km():
    """Minimum-energy shot over 10,000 km from burnout at 0 km: numeric range within 100 m and
    flight time within 0.5 s of the closed form (the issue's acceptance numbers)."""
    psi = 10_000e3 / R
    v, g, tof, ra = kepler.minimum_energy(psi, R, R)
    ph = _kepler_physics()
    y0 = burnout_state(10.0, 20.0, 0.0, v, np.degrees(g), 37.0, ph, relative_to_earth=False)
    b = fly_ballistic(y0, 0.0, ballistic_rv(0.0), ph, launch_lat_deg=10.0, launch_lon_deg=20.0)
    assert b.ok[0]
    assert b.ground_range_m()[0] == pytest.approx(10_000e3, abs=100.0)
    assert b.flight_time_s[0] == pytest.approx(tof, abs=0.5)
    assert b.apogee_height_m()[0] == pytest.approx(ra - R, abs=10.0)


@pytest.mark.parametrize("h_km, v_kms, g_deg", [(200, 6.5, 25), (0, 3.0, 45), (150, 7.4, 10)])
def test_many_burnout_states_match_kepler(h_km, v_kms, g_deg):
    """Range angle within 1e-5 rad (64 m) and time of flight within 0.5 s for assorted states."""
    ph = _kepler_physics()
    y0 = burnout_state(-30.0, 100.0, h_km * 1e3, v_kms * 1e3, g_deg, 200.0, ph,
                       relative_to_earth=False)
    b = fly_ballistic(y0, 0.0, ballistic_rv(0.0), ph, launch_lat_deg=-30.0,
                      launch_lon_deg=100.0)
    ff = kepler.free_flight(R + h_km * 1e3, v_kms * 1e3, np.radians(g_deg), R)
    r0, r1 = y0[0, :3], b.impact_state_eci[0, :3]
    psi = np.arccos(r0 @ r1 / np.linalg.norm(r0) / np.linalg.norm(r1))
    assert psi == pytest.approx(float(ff.range_angle_rad), abs=1e-5)
    assert b.flight_time_s[0] == pytest.approx(float(ff.flight_time_s), abs=0.5)


def _recorded(ph):
    y0 = burnout_state(35.0, 40.0, 150e3, 7000.0, 25.0, 320.0, ph, relative_to_earth=False)
    b = fly_ballistic(y0, 0.0, ballistic_rv(0.0), ph, record=True)
    return b[0].eci()


def test_two_body_energy_and_angular_momentum_conserved():
    """Point-mass gravity: specific energy and angular momentum vector constant to 1e-9."""
    y = _recorded(_kepler_physics(rtol=1e-10))
    r, v = y[:, :3], y[:, 3:]
    energy = 0.5 * np.sum(v * v, axis=1) - GM_EARTH / np.linalg.norm(r, axis=1)
    hvec = np.cross(r, v)
    assert np.ptp(energy) / abs(energy[0]) < 1e-9
    assert np.max(np.linalg.norm(hvec - hvec[0], axis=1)) / np.linalg.norm(hvec[0]) < 1e-9


def test_j2_energy_and_polar_angular_momentum_conserved():
    """J2 field (static and axisymmetric in the inertial frame, no drag, no rotation):
    E = v^2/2 + U_J2 and h_z are integrals of motion; relative drift below 1e-9."""
    ph = Physics(rotating=False, j2=True, drag=False, rtol=1e-10)
    y = _recorded(ph)
    r, v = y[:, :3], y[:, 3:]
    energy = 0.5 * np.sum(v * v, axis=1) + j2_potential(r)
    hz = r[:, 0] * v[:, 1] - r[:, 1] * v[:, 0]
    assert np.ptp(energy) / abs(energy[0]) < 1e-9
    assert np.ptp(hz) / abs(hz[0]) < 1e-9


# ---- burnout at or past the apogee (gamma <= 0), near-vertical and escape edges -----------------
# Issue 10 §4: the closed form added 180 or 360 deg to the range angle for gamma <= 0 (gamma = -5,
# h = 500 km, v = 7 km/s gave 392.9 deg; the integrator gives 32.9 deg). Each case is checked
# against the integrator, which knows nothing of true anomalies or quadrants.
@pytest.mark.parametrize("h_km, v_kms, g_deg", [
    (500, 7.0, -5.0),    # the issue's case
    (500, 7.0, 0.0),     # at apogee (v below circular speed, 7.617 km/s at 500 km)
    (500, 7.0, -30.0),
    (500, 7.0, 5.0),
    (500, 7.0, -89.0),   # nearly vertical descent (e close to 1)
    (500, 7.0, 89.9),    # nearly vertical climb, apogee near 5,500 km
    (300, 7.6, -1.0),    # just below circular speed (7.73 km/s): 82 deg of shallow descent
    (1000, 2.0, -60.0),  # slow and steep: perigee deep inside the Earth
])
def test_descending_and_level_burnouts_match_integrator(h_km, v_kms, g_deg):
    """Range angle within 1e-5 rad (64 m) and time of flight within 0.5 s of the numeric
    integration (two-body sphere, no drag), for burnouts at, before or past the apogee."""
    ph = _kepler_physics()
    y0 = burnout_state(20.0, -40.0, h_km * 1e3, v_kms * 1e3, g_deg, 75.0, ph,
                       relative_to_earth=False)
    b = fly_ballistic(y0, 0.0, ballistic_rv(0.0), ph, launch_lat_deg=20.0, launch_lon_deg=-40.0)
    assert b.ok[0]
    ff = kepler.free_flight(R + h_km * 1e3, v_kms * 1e3, np.radians(g_deg), R)
    r0, r1 = y0[0, :3], b.impact_state_eci[0, :3]
    psi = np.arccos(np.clip(r0 @ r1 / np.linalg.norm(r0) / np.linalg.norm(r1), -1.0, 1.0))
    assert float(ff.range_angle_rad) == pytest.approx(psi, abs=1e-5)
    assert float(ff.flight_time_s) == pytest.approx(b.flight_time_s[0], abs=0.5)
    h_apo = b.apogee_height_m()[0]  # NaN where the integration never climbed
    expected = h_km * 1e3 if np.isnan(h_apo) else h_apo
    assert float(ff.apogee_radius_m) - R == pytest.approx(expected, abs=10.0)


def test_issue_case_is_33_not_393_degrees():
    """gamma = -5 deg, h = 500 km, v = 7 km/s: 32.90 deg (the integrator's value, quoted in
    issue 10), not 392.9 deg; the flight lasts 529 s (integrator), not 5,093 s."""
    ff = kepler.free_flight(R + 500e3, 7000.0, np.radians(-5.0), R)
    assert np.degrees(float(ff.range_angle_rad)) == pytest.approx(32.90, abs=0.01)
    assert float(ff.flight_time_s) == pytest.approx(529.1, abs=0.2)


@pytest.mark.parametrize("v_kms, g_deg", [(7.2, 22.5), (4.0, 40.0), (6.0, 70.0), (3.0, 10.0)])
def test_apogee_to_impact_is_half_the_symmetric_flight(v_kms, g_deg):
    """Closed-form symmetry: a shot from the surface back to the surface is symmetric about its
    apogee, so starting at that apogee (gamma = 0, speed h/r_a with h = R v cos gamma and
    r_a = a (1 + e)) covers half the range angle in half the time."""
    v, g = v_kms * 1e3, np.radians(g_deg)
    full = kepler.free_flight(R, v, g, R)
    ra = float(full.apogee_radius_m)
    va = R * v * np.cos(g) / ra  # angular momentum conserved; the velocity is horizontal there
    half = kepler.free_flight(ra, va, 0.0, R)
    assert float(half.range_angle_rad) == pytest.approx(0.5 * float(full.range_angle_rad),
                                                        rel=1e-9)
    assert float(half.flight_time_s) == pytest.approx(0.5 * float(full.flight_time_s), rel=1e-9)
    assert float(half.apogee_radius_m) == pytest.approx(ra, rel=1e-12)


@pytest.mark.parametrize("h_km, v_kms, g_deg", [(500, 7.0, 5.0), (200, 6.5, 25.0),
                                                 (800, 3.0, 60.0), (100, 7.5, 1.0)])
def test_descending_burnout_is_the_rest_of_the_ascending_flight(h_km, v_kms, g_deg):
    """Closed-form symmetry: an ascending burnout (r, v, +gamma) comes back down through r with
    (r, v, -gamma), so the descending state's flight is the ascending flight to R minus the
    ascending flight back to r (range angle and time)."""
    r, v, g = R + h_km * 1e3, v_kms * 1e3, np.radians(g_deg)
    up_to_r = kepler.free_flight(r, v, g, r)
    up_to_ground = kepler.free_flight(r, v, g, R)
    down = kepler.free_flight(r, v, -g, R)
    assert float(down.range_angle_rad) == pytest.approx(
        float(up_to_ground.range_angle_rad - up_to_r.range_angle_rad), abs=1e-12)
    assert float(down.flight_time_s) == pytest.approx(
        float(up_to_ground.flight_time_s - up_to_r.flight_time_s), abs=1e-6)


def test_vertical_shot_time_is_radial_kepler():
    """gamma = 90 deg exactly: range angle 0; apogee from the energy equation,
    v^2/2 - mu/r = -mu/r_a; the integrator flies the same straight line (within 0.5 s)."""
    r, v = R + 500e3, 7000.0
    ff = kepler.free_flight(r, v, np.pi / 2, R)
    ra = 1.0 / (1.0 / r - v**2 / (2.0 * GM_EARTH))
    assert float(ff.range_angle_rad) == 0.0
    assert float(ff.apogee_radius_m) == pytest.approx(ra, rel=1e-12)
    ph = _kepler_physics()
    y0 = burnout_state(0.0, 0.0, 500e3, v, 90.0, 0.0, ph, relative_to_earth=False)
    b = fly_ballistic(y0, 0.0, ballistic_rv(0.0), ph)
    assert float(ff.flight_time_s) == pytest.approx(b.flight_time_s[0], abs=0.5)


def test_escape_orbit_and_unreachable_states_have_no_reentry():
    """No descending crossing of R: NaN range and time, with the reason. Escape speed at 500 km
    is sqrt(2 mu / r) = 10.7714 km/s (closed form); just below it the ellipse still returns."""
    r = R + 500e3
    v_esc = np.sqrt(2.0 * GM_EARTH / r)
    assert v_esc / 1e3 == pytest.approx(10.7714, abs=1e-4)
    for v in (v_esc, v_esc * 1.01):
        assert np.isnan(kepler.free_flight(r, v, np.radians(-45.0), R).range_angle_rad)
        why, value = kepler.no_reentry_reason(r, v, np.radians(-45.0), R)
        assert why is kepler.NoReentry.ESCAPE and value == pytest.approx(v_esc, rel=1e-12)
    # just below escape speed, descending at 45 deg: the (very long) ellipse hits the ground
    near = kepler.free_flight(r, 0.999 * v_esc, np.radians(-45.0), R)
    assert np.isfinite(near.range_angle_rad) and np.isfinite(near.flight_time_s)
    assert kepler.no_reentry_reason(r, 0.999 * v_esc, np.radians(-45.0), R)[0] is None
    # the same speed climbing at 10 deg: perigee p / (1 + e) above R, an orbit
    assert kepler.no_reentry_reason(r, 0.999 * v_esc, np.radians(10.0), R)[0] is \
        kepler.NoReentry.ORBIT
    # circular speed at 500 km, level: an orbit with perigee at 500 km
    v_circ = np.sqrt(GM_EARTH / r)
    why, perigee = kepler.no_reentry_reason(r, 1.0001 * v_circ, 0.0, R)
    assert why is kepler.NoReentry.ORBIT and perigee == pytest.approx(r, rel=1e-9)
    # level at the re-entry sphere, faster than circular: touches R without crossing it
    ff = kepler.free_flight(R, 1.01 * np.sqrt(GM_EARTH / R), 0.0, R)
    assert np.isnan(ff.range_angle_rad)
    # 3 km/s straight up from the ground: apogee 1/(1/R - v^2/(2 mu)) - R, about 494 km
    why, apogee = kepler.no_reentry_reason(R, 3000.0, np.pi / 2, R + 1000e3)
    assert why is kepler.NoReentry.BELOW
    assert apogee == pytest.approx(1.0 / (1.0 / R - 3000.0**2 / (2.0 * GM_EARTH)), rel=1e-12)
    # descending at 100 km with re-entry at 100 km: the crossing is behind
    why, _ = kepler.no_reentry_reason(R + 100e3, 3000.0, np.radians(-10.0), R + 100e3)
    assert why is kepler.NoReentry.PAST
