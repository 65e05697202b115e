"""Closed-form free flight against published textbook numbers.

Sources: R. Bate, D. Mueller, J. White, *Fundamentals of Astrodynamics*, Dover 1971, ch. 6
(worked examples p. 290 / 2nd ed. p. 243 and p. 295); minimum-energy table A2 of
shared/reference/public-parameters.md (own calculation from BMW eq. 6.2-20, R = 6371 km).
"""

import numpy as np
import pytest

from euroshield.flight import kepler

MU_BMW = 3.986012e14  # m^3/s^2, BMW's canonical-unit value of the Earth's GM
R_BMW = 6378.145e3  # m, BMW's Earth radius (1 DU)
NMI = 1852.0


def test_bmw_p290_range_angle():
    """Burnout 1,275.6 km up at 5.2702 km/s, gamma 51.318 deg, re-entry at the burnout radius:
    BMW p. 290 / p. 243 gives a 36.4 deg free-flight range angle and a 3,189.1 km apogee."""
    r = R_BMW + 1275.6e3
    ff = kepler.free_flight(r, 5270.2, np.radians(51.318), r, mu=MU_BMW)
    assert np.degrees(ff.range_angle_rad) == pytest.approx(36.4, abs=0.05)
    assert (ff.apogee_radius_m - R_BMW) / 1e3 == pytest.approx(3189.1, abs=2.0)


def test_bmw_p295_minimum_energy_speed():
    """8,000 nmi free-flight range from a 344 nmi burnout altitude needs 0.933 DU/TU (BMW p. 295)
    with Q = 0.957 and the optimum gamma = (180 - psi) / 4."""
    du = R_BMW
    tu = np.sqrt(du**3 / MU_BMW)
    psi = 8000 * NMI / R_BMW
    r = R_BMW + 344 * NMI
    v, g, _, _ = kepler.minimum_energy(psi, r, r, mu=MU_BMW)
    assert v / (du / tu) == pytest.approx(0.933, abs=0.0006)
    assert r * v**2 / MU_BMW == pytest.approx(0.957, abs=0.0006)
    assert np.degrees(g) == pytest.approx((180 - np.degrees(psi)) / 4, abs=1e-6)


@pytest.mark.parametrize(
    "range_km, v_kms, gamma_deg, apogee_km, tof_min",
    [(2000, 4.11, 40.5, 459, 11.7), (10000, 7.20, 22.5, 1319, 32.2), (1300, 3.40, 42.1, 308, 9.1)],
)
def test_minimum_energy_table(range_km, v_kms, gamma_deg, apogee_km, tof_min):
    """Table A2 (public-parameters.md): burnout at zero altitude on a 6,371 km sphere.
    Tolerances: 0.03 km/s, 0.1 deg, 2 km, 0.5 min (the table's rounding)."""
    r = 6371e3
    v, g, tof, ra = kepler.minimum_energy(range_km * 1e3 / r, r, r)
    assert v / 1e3 == pytest.approx(v_kms, abs=0.03)
    assert np.degrees(g) == pytest.approx(gamma_deg, abs=0.1)
    assert (ra - r) / 1e3 == pytest.approx(apogee_km, abs=2)
    assert tof / 60 == pytest.approx(tof_min, abs=0.5)


def test_optimal_gamma_is_bmw_optimum_for_equal_radii():
    """For equal burnout and re-entry radii the range-maximising angle is (pi - psi)/4 (BMW)."""
    r = 6371e3
    psi = np.array([0.3, 0.9, 1.5, 2.0])
    v, g, _, _ = kepler.minimum_energy(psi, r, r)
    assert np.degrees(kepler.optimal_gamma(r, v, r)) == pytest.approx(
        np.degrees((np.pi - psi) / 4), abs=1e-4)


def test_free_flight_round_trip_through_minimum_energy():
    """Flying the minimum-energy burnout state (unequal radii) returns the requested range."""
    r0, r1 = 6371e3 + 200e3, 6371e3
    psi = np.linspace(0.2, 2.5, 9)
    v, g, tof, _ = kepler.minimum_energy(psi, r0, r1)
    ff = kepler.free_flight(r0, v, g, r1)
    assert ff.range_angle_rad == pytest.approx(psi, abs=1e-9)
    assert ff.flight_time_s == pytest.approx(tof, rel=1e-9)
