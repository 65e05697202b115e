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
