"""Ballistic re-entry against the Allen–Eggers closed form.

H. J. Allen and A. J. Eggers, "A study of the motion and aerodynamic heating of ballistic
missiles entering the Earth's atmosphere at high supersonic speeds", NACA Report 1381 (1958):
with an exponential atmosphere rho = rho0 exp(-h/H), no gravity and a straight path at angle
gamma, V(h) = V_E exp(-(rho0 H / (2 beta sin gamma)) exp(-h/H)) (entry from high altitude) and the
deceleration peaks at h* = H ln(rho0 H / (beta sin gamma)).
"""

import numpy as np
import pytest

from euroshield.flight.engine import Physics, fly_ballistic
from euroshield.flight.summary import burnout_state
from euroshield.flight.vehicles import ballistic_rv

RHO0, H = 1.225, 7200.0
R = 6371e3


# steep entries keep the straight-line assumption honest on a sphere (the local flight-path
# angle turns by < 0.4 deg before the deceleration peak) and put the peak well above ground
@pytest.mark.parametrize("beta, gamma_deg", [(1000.0, 75.0), (700.0, 70.0), (3000.0, 80.0)])
def test_allen_eggers_velocity_and_peak_deceleration(beta, gamma_deg):
    """Velocity within 2 % at 40/25/15/8 km and peak-deceleration altitude within 2 %."""
    ph = Physics(rotating=False, j2=False, gravity=False, sphere_radius_m=R,
                 exponential_atmosphere=(RHO0, H), record_max_step_s=0.01, rtol=1e-10)
    v_e = 7000.0
    h_e = 120e3
    y0 = burnout_state(0.0, 0.0, h_e, v_e, -gamma_deg, 90.0, ph, relative_to_earth=False)
    b = fly_ballistic(y0, 0.0, ballistic_rv(beta), ph, record=True)
    tr = b[0]
    h = tr.altitude_km() * 1e3
    v = tr.speed_m_s()
    k = RHO0 * H / (2 * beta * np.sin(np.radians(gamma_deg)))
    for h_check in (40e3, 25e3, 15e3, 8e3):
        v_num = np.interp(h_check, h[::-1], v[::-1])
        v_ae = v_e * np.exp(-k * (np.exp(-h_check / H) - np.exp(-h_e / H)))
        assert v_num == pytest.approx(v_ae, rel=0.02), h_check
    decel = RHO0 * np.exp(-h / H) * v**2 / (2 * beta)
    i = int(np.argmax(decel))
    # vertex of the parabola through the three samples around the maximum
    c = np.polyfit(h[i - 1:i + 2], decel[i - 1:i + 2], 2)
    h_peak_num = -c[1] / (2 * c[0])
    h_peak_ae = H * np.log(RHO0 * H / (beta * np.sin(np.radians(gamma_deg))))
    assert h_peak_num == pytest.approx(h_peak_ae, rel=0.02)
