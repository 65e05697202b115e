"""Closed-form free flight on a non-rotating spherical Earth (two-body Kepler motion).

Vectorised NumPy; SI units (m, m/s, s, rad). References: R. Bate, D. Mueller, J. White,
*Fundamentals of Astrodynamics*, Dover 1971, ch. 6 (ballistic missile trajectories), and the
minimum-energy (Lambert) ellipse: semi-major axis a = s/2 with s the semi-perimeter of the triangle
formed by the focus and the two end points.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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


def free_flight(r_bo_m, v_bo_m_s, gamma_bo_rad, r_reentry_m, mu: float = GM_EARTH) -> FreeFlight:
    """Range angle, flight time and apogee of the ellipse through a burnout state.

    Burnout at radius ``r_bo_m`` with inertial speed ``v_bo_m_s`` and flight-path angle
    ``gamma_bo_rad`` in (-pi/2, pi/2) above the local horizontal (negative: already descending);
    the flight ends at the first descending crossing of ``r_reentry_m`` ahead of the burnout
    point, so the range angle is in [0, 2 pi). NaN where there is no such crossing (see
    :func:`no_reentry_reason`: escape, orbit, never that high, crossing already behind). For a
    vertical shot (|gamma| = pi/2, a straight-line orbit) the range angle is 0 and the time is
    that of the radial Kepler motion.
    """
    r = np.asarray(r_bo_m, dtype=float)
    v = np.asarray(v_bo_m_s, dtype=float)
    g = np.asarray(gamma_bo_rad, dtype=float)
    r2 = np.asarray(r_reentry_m, dtype=float)
    q = r * v**2 / mu
    p = (r * v * np.cos(g)) ** 2 / mu
    e = np.sqrt(np.maximum(1.0 + q * (q - 2.0) * np.cos(g) ** 2, 0.0))
    # 1 - e^2 = q (2 - q) cos^2 gamma, without the cancellation of 1 - e**2 near e = 1
    one_minus_e2 = q * (2.0 - q) * np.cos(g) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        a = r / (2.0 - q)  # infinite for a parabola (q = 2), negative for a hyperbola
        # True anomaly at burnout in [0, 2 pi) from e cos nu = p/r - 1 and e sin nu =
        # sqrt(p/mu) v_r: ascending (gamma > 0) in (0, pi), descending in (pi, 2 pi), 0 at a
        # level perigee and pi at a level apogee. (Taking -arccos for a descending burnout put
        # it in (-pi, 0), a full turn behind the re-entry crossing in (pi, 2 pi); atan2 also
        # keeps the precision that arccos loses near +-1.)
        nu_b = np.mod(np.arctan2(np.sqrt(p / mu) * v * np.sin(g), p / r - 1.0), 2.0 * np.pi)
        # re-entry: the descending crossing of r2, nu in [pi, 2 pi]; with x = p/r2,
        # e^2 - (x - 1)^2 = x (2 - x) - (1 - e^2) avoids cancellation near e = 1
        x2 = p / r2
        nu_i = 2.0 * np.pi - np.arctan2(
            np.sqrt(np.maximum(x2 * (2.0 - x2) - one_minus_e2, 0.0)), x2 - 1.0)
        # r2 above the apogee is never reached (tested on radii: for a vertical shot p = 0 and
        # nu_i is pi whatever r2)
        r_peri = p / (1.0 + e)
        valid = (q < 2.0) & (r2 <= a * (1.0 + e)) & (r_peri < r2 * (1.0 - 1e-12))
        # Time from Kepler's equation M = E - e sin E, with E taken from the radii, not from
        # nu: e cos E = 1 - r/a and e sin E = r.v / sqrt(mu a), so nearly vertical shots
        # (e -> 1, nu -> pi) keep their precision. E_b in [0, 2 pi) shares the branch of nu_b;
        # at re-entry e sin E = -sqrt(e^2 - (1 - r2/a)^2) (descending), E_i in [pi, 2 pi].
        n_mean = np.sqrt(mu / np.abs(a) ** 3)
        ecos_b = 1.0 - r / a
        esin_b = r * v * np.sin(g) / np.sqrt(mu * a)
        eb = np.mod(np.arctan2(esin_b, ecos_b), 2.0 * np.pi)
        ecos_i = 1.0 - r2 / a
        # e^2 - (1 - r2/a)^2 = (r2/a)(2 - r2/a) - (1 - e^2)
        esin_i = np.sqrt(np.maximum((r2 / a) * (2.0 - r2 / a) - one_minus_e2, 0.0))
        ei = 2.0 * np.pi - np.arctan2(esin_i, ecos_i)
        tof = ((ei + esin_i) - (eb - esin_b)) / n_mean
        # a burnout already below the re-entry radius while descending (or at apogee) has no
        # such crossing ahead of it. Decided on E, not nu: for a vertical shot (e = 1) nu stays
        # at pi while E still advances; the range angle is then 0 (clipped against rounding).
        valid &= ei > eb
        psi = np.where(valid, np.maximum(nu_i - nu_b, 0.0), np.nan)
    tof = np.where(valid, tof, np.nan)
    # the apogee lies ahead unless the burnout is already past it (descending); gamma = 0 at
    # perigee (nu_b = 0) still climbs to a (1 + e), and at apogee a (1 + e) = r
    r_apo = np.where(g < 0.0, r, a * (1.0 + e))
    return FreeFlight(psi, tof, np.where(q < 2.0, r_apo, np.nan), a, e, p)


class NoReentry(StrEnum):
    """Why a burnout state has no descending crossing of the re-entry radius."""

    ESCAPE = "escape"  # v^2 >= 2 mu / r: parabola or hyperbola, never comes back
    ORBIT = "orbit"  # perigee radius a (1 - e) above the re-entry radius
    BELOW = "below"  # apogee radius below the re-entry radius: never climbs to it
    PAST = "past"  # at or below the re-entry radius and not climbing: the crossing is behind


def no_reentry_reason(r_bo_m: float, v_bo_m_s: float, gamma_bo_rad: float, r_reentry_m: float,
                      mu: float = GM_EARTH) -> tuple[NoReentry | None, float]:
    """Scalar diagnosis for :func:`free_flight` returning NaN: the reason and the radius [m] it
    is about (perigee for ORBIT, apogee for BELOW, escape speed [m/s] for ESCAPE, else NaN).
    ``(None, nan)`` when the state does come back down through ``r_reentry_m``."""
    r, v, g, r2 = float(r_bo_m), float(v_bo_m_s), float(gamma_bo_rad), float(r_reentry_m)
    q = r * v**2 / mu
    if q >= 2.0:
        return NoReentry.ESCAPE, float(np.sqrt(2.0 * mu / r))
    if np.isfinite(free_flight(r, v, g, r2, mu).range_angle_rad):
        return None, float("nan")
    a = r / (2.0 - q)
    e = np.sqrt(max(1.0 + q * (q - 2.0) * np.cos(g) ** 2, 0.0))
    if a * (1.0 - e) >= r2 * (1.0 - 1e-12):
        return NoReentry.ORBIT, float(a * (1.0 - e))
    if a * (1.0 + e) < r2:
        return NoReentry.BELOW, float(a * (1.0 + e))
    return NoReentry.PAST, float("nan")


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
    with np.errstate(invalid="ignore", divide="ignore"):
        sin_g = e * np.sin(nu1) / np.sqrt(1.0 + e**2 + 2.0 * e * np.cos(nu1))
    # a degenerate (straight-line) ellipse has no flight-path angle: NaN, not a clipped +-90
    gamma = np.arcsin(np.clip(np.where(np.isfinite(sin_g), sin_g, np.nan), -1.0, 1.0))
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
