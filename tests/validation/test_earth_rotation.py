"""Earth rotation: the same Earth-relative burnout state fired east flies farther than fired west.

Derived check (on a sphere, point-mass gravity, no drag): at the equator the trajectory stays in
the equatorial plane. The inertial burnout velocity is the Earth-relative one plus the surface
speed omega R (east positive), so the inertial free flight is the Kepler ellipse of that velocity
(BMW ch. 6) with range angle psi and flight time T. Meanwhile the ground turns east by omega T, so
the Earth-fixed ground range is R (psi - omega T) when fired east and R (psi + omega T) when fired
west. The numerical integration on the rotating sphere must reproduce both to 100 m.
"""

import numpy as np
import pytest

from euroshield.earth.constants import OMEGA_EARTH
from euroshield.flight import kepler
from euroshield.flight.engine import Physics, fly_ballistic
from euroshield.flight.summary import burnout_state
from euroshield.flight.vehicles import ballistic_rv

R = 6371.0088e3


def _closed_form_ground_range(v_rel, gamma_deg, east: bool):
    g = np.radians(gamma_deg)
    vh = v_rel * np.cos(g) + (OMEGA_EARTH * R if east else -OMEGA_EARTH * R)
    vv = v_rel * np.sin(g)
    v_in = np.hypot(vh, vv)
    g_in = np.arctan2(vv, abs(vh))
    ff = kepler.free_flight(R, v_in, g_in, R)
    turn = OMEGA_EARTH * ff.flight_time_s
    psi = float(ff.range_angle_rad)
    return R * (psi - turn if east else psi + turn)


@pytest.mark.parametrize("v_rel, gamma_deg", [(6000.0, 30.0), (4000.0, 40.0), (7000.0, 22.0)])
def test_east_farther_than_west_by_the_surface_speed(v_rel, gamma_deg):
    ph = Physics(rotating=True, j2=False, drag=False, sphere_radius_m=R)
    ranges = {}
    for az, east in ((90.0, True), (270.0, False)):
        y0 = burnout_state(0.0, 0.0, 0.0, v_rel, gamma_deg, az, ph, relative_to_earth=True)
        b = fly_ballistic(y0, 0.0, ballistic_rv(0.0), ph, launch_lat_deg=0.0,
                          launch_lon_deg=0.0)
        ranges[east] = float(b.ground_range_m()[0])
        assert ranges[east] == pytest.approx(_closed_form_ground_range(v_rel, gamma_deg, east),
                                             abs=100.0)
    assert ranges[True] > ranges[False]
    # the east-west difference: hundreds of km, from the 463 m/s surface speed
    expected = (_closed_form_ground_range(v_rel, gamma_deg, True)
                - _closed_form_ground_range(v_rel, gamma_deg, False))
    assert ranges[True] - ranges[False] == pytest.approx(expected, abs=200.0)
    assert expected > 100e3
