"""Closed-form free flight on a non-rotating spherical Earth (two-body Kepler motion).

Vectorised NumPy; SI units (m, m/s, s, rad). References: R. Bate, D. Mueller, J. White,
*Fundamentals of Astrodynamics*, Dover 1971, ch. 6 (ballistic missile trajectories), and the
minimum-energy (Lambert) ellipse: semi-major axis a = s/2 with s the semi-perimeter of the triangle
formed by the focus and the two end points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from euroshield.earth.constants import GM_EARTH
from euroshield.flight.search import golden_max


@dataclass
class FreeFlight:
    """Free-flight ellipse from burnout to re-entry (arrays broadcast together)."""

    range_angle_rad: np.ndarray
    flight_time_s: np.ndarray
    apogee_radius_m: np.ndarray
    semi_major_axis_m: np.ndarray
    eccentricity: np.ndarray
    semi_latus_rectum_m: np.ndarray


def _ecc_anomaly(nu, e):
    """Eccentric anomaly for true anomaly nu (continuous branch, same winding as nu)."""
    half = 0.5 * nu
    big_e = 2.0 * np.arctan2(np.sqrt(1.0 - e) * np.sin(half), np.sqrt(1.0 + e) * np.cos(half))
    # arctan2 returns (-pi, pi]; restore the full turns of nu so E and nu share their winding
    return big_e + 2.0 * np.pi * np.round((nu - big_e) / (2.0 * np.pi))


def free_flight(r_bo_m, v_bo_m_s, gamma_bo_rad, r_reentry_m, mu: float = GM_EARTH) -> FreeFlight:
    """Range angle, flight time and apogee of the ellipse through a burnout state.

    Burnout at radius ``r_bo_m`` with inertial speed ``v_bo_m_s`` and flight-path angle
    ``gamma_bo_rad`` above the local horizontal; the flight ends when the ellipse descends through
    ``r_reentry_m``. NaN where the ellipse never reaches that radius on the way down (orbit or too
    low), or is not an ellipse.
    """
    r = np.asarray(r_bo_m, dtype=float)
    v = np.asarray(v_bo_m_s, dtype=float)
    g = np.asarray(gamma_bo_rad, dtype=float)
    r2 = np.asarray(r_reentry_m, dtype=float)
    q = r * v**2 / mu
    a = r / (2.0 - q)
    p = (r * v * np.cos(g)) ** 2 / mu
    e = np.sqrt(np.maximum(1.0 + q * (q - 2.0) * np.cos(g) ** 2, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_nb = np.clip((p / r - 1.0) / e, -1.0, 1.0)
        nu_b = np.sign(g) * np.arccos(cos_nb)
        cos_ni = (p / r2 - 1.0) / e
        valid = (q < 2.0) & (np.abs(cos_ni) <= 1.0)
        nu_i = 2.0 * np.pi - np.arccos(np.clip(cos_ni, -1.0, 1.0))
        # a burnout already below the re-entry radius while descending has no such crossing
        valid &= nu_i > nu_b
        psi = np.where(valid, nu_i - nu_b, np.nan)
        n_mean = np.sqrt(mu / np.abs(a) ** 3)
        eb = _ecc_anomaly(nu_b, e)
        ei = _ecc_anomaly(nu_i, e)
        tof = ((ei - e * np.sin(ei)) - (eb - e * np.sin(eb))) / n_mean
    tof = np.where(valid, tof, np.nan)
    r_apo = np.where(g > 0, a * (1.0 + e), r)
    return FreeFlight(psi, tof, np.where(q < 2.0, r_apo, np.nan), a, e, p)


def minimum_energy(range_angle_rad, r_bo_m, r_reentry_m, mu: float = GM_EARTH):
    """Minimum-energy burnout speed [m/s], flight-path angle [rad], flight time [s] and apogee
    radius [m] to cover ``range_angle_rad`` between radii ``r_bo_m`` and ``r_reentry_m``.

    For equal radii this is BMW eq. 6.2-20: Q = 2 sin(psi/2) / (1 + sin(psi/2)) and
    gamma = (pi - psi) / 4.
    """
    psi = np.asarray(range_angle_rad, dtype=float)
    r1 = np.asarray(r_bo_m, dtype=float)
    r2 = np.asarray(r_reentry_m, dtype=float)
    c = np.sqrt(r1**2 + r2**2 - 2.0 * r1 * r2 * np.cos(psi))
    s = 0.5 * (r1 + r2 + c)
    a = 0.5 * s
    v = np.sqrt(mu * (2.0 / r1 - 1.0 / a))
    p = r1 * r2 * (1.0 - np.cos(psi)) / c
    e = np.sqrt(np.maximum(1.0 - p / a, 0.0))
    # true anomaly at burnout: the branch whose forward sweep by psi lands on r2
    cos_n1 = np.clip((p / r1 - 1.0) / np.where(e > 0, e, 1.0), -1.0, 1.0)
    n1_pos = np.arccos(cos_n1)
    target = (p / r2 - 1.0) / np.where(e > 0, e, 1.0)
    err_neg = np.abs(np.cos(-n1_pos + psi) - target)
    err_pos = np.abs(np.cos(n1_pos + psi) - target)
    nu1 = np.where(err_neg < err_pos, -n1_pos, n1_pos)
    sin_g = e * np.sin(nu1) / np.sqrt(1.0 + e**2 + 2.0 * e * np.cos(nu1))
    gamma = np.arcsin(np.clip(sin_g, -1.0, 1.0))
    ff = free_flight(r1, v, gamma, r2, mu)
    return v, gamma, ff.flight_time_s, ff.apogee_radius_m


def optimal_gamma(r_bo_m, v_bo_m_s, r_reentry_m, mu: float = GM_EARTH, iterations: int = 60):
    """Burnout flight-path angle [rad] that maximises the free-flight range angle for the given
    burnout radius and speed (golden-section search, vectorised)."""
    r = np.asarray(r_bo_m, dtype=float)
    v = np.asarray(v_bo_m_s, dtype=float)
    r2 = np.asarray(r_reentry_m, dtype=float)
    shape = np.broadcast(r, v, r2).shape

    def f(g):
        psi = free_flight(r, v, g, r2, mu).range_angle_rad
        return np.where(np.isfinite(psi), psi, -1.0)

    return golden_max(f, np.full(shape, np.radians(0.01)), np.full(shape, np.radians(89.0)),
                      iterations)
