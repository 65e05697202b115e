"""Synthetic radar measurements of ballistic arcs, for the tracking tests.

Independent of the tracker's own code: the truth is integrated in the inertial frame (ECI =
ECEF at t = 0) by SciPy's DOP853 with the point-mass + J2 gravity of
:mod:`euroshield.earth.gravity`, turned into Earth-fixed states with
:func:`euroshield.earth.frames.eci_state_to_ecef`, and observed with
:meth:`euroshield.earth.frames.Topocentric.aer` (tested against PROJ); the tracker instead
integrates the rotating-frame equations (Coriolis, centrifugal) with RK4 and has its own
measurement function.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from euroshield.defense.measurements import Measurements
from euroshield.earth.constants import GM_EARTH
from euroshield.earth.frames import (
    Topocentric,
    ecef_state_to_eci,
    eci_state_to_ecef,
    enu_basis,
    geodetic_to_ecef,
)
from euroshield.earth.gravity import gravity


def initial_state(lat_deg, lon_deg, height_m, speed_m_s, gamma_deg, azimuth_deg) -> np.ndarray:
    """Earth-fixed state (6,) at a geodetic point with a speed relative to the Earth, a flight
    path angle above the local horizontal and an azimuth clockwise from north."""
    r = geodetic_to_ecef(lat_deg, lon_deg, height_m)
    e, n, u = enu_basis(lat_deg, lon_deg)
    g, a = np.radians(gamma_deg), np.radians(azimuth_deg)
    v = speed_m_s * (np.cos(g) * (np.sin(a) * e + np.cos(a) * n) + np.sin(g) * u)
    return np.concatenate([r, v])


def truth_arc(state0_ecef, times_s, j2: bool = True, rotating: bool = True) -> np.ndarray:
    """Earth-fixed states (T, 6) at ``times_s`` of a drag-free arc from ``state0_ecef`` at
    t = 0, integrated in ECI (DOP853, rtol 1e-12)."""
    omega = 7.292115e-5 if rotating else 0.0
    r0, v0 = ecef_state_to_eci(state0_ecef[:3], state0_ecef[3:], 0.0, omega)

    def rhs(_t, y):
        return np.concatenate([y[3:], gravity(y[:3], j2=j2)])

    t = np.asarray(times_s, dtype=float)
    sol = solve_ivp(rhs, (0.0, float(t.max())), np.concatenate([r0, v0]), method="DOP853",
                    rtol=1e-12, atol=1e-6, t_eval=t, dense_output=False)
    y = sol.y.T
    r, v = eci_state_to_ecef(y[:, :3], y[:, 3:], t, omega)
    return np.concatenate([r, v], axis=-1)


def observe(truth, times_s, site: Topocentric, sigmas, runs: int, seed: int,
            sensor: str = "test-radar", min_elevation_deg: float = 0.0,
            has_range_rate: bool = False, pd: float = 1.0) -> Measurements:
    """``runs`` noisy measurement sets (rows) of one true arc (T, 6) from ``site``: range [m],
    azimuth [rad], elevation [rad] (and range rate [m/s]) with independent Gaussian noise of
    standard deviations ``sigmas``; epochs with the target below ``min_elevation_deg`` are
    NaN (no measurement), and each other epoch is missed (NaN) with probability 1 - ``pd``."""
    az, el, rng = site.aer(truth[:, :3])
    d = truth[:, :3] - site.ecef
    rr = np.einsum("ti,ti->t", d, truth[:, 3:]) / rng
    clean = np.stack([rng, np.radians(az), np.radians(el), rr], axis=-1)
    k = 4 if has_range_rate else 3
    sig = np.asarray(sigmas, dtype=float)[:k]
    rng_ = np.random.default_rng(seed)
    z = clean[None, :, :k] + rng_.standard_normal((runs, len(times_s), k)) * sig
    z[..., 1] %= 2.0 * np.pi
    seen = (el >= min_elevation_deg)[None, :] & (rng_.random((runs, len(times_s))) < pd)
    times = np.where(seen, np.asarray(times_s, dtype=float)[None, :], np.nan)
    z = np.where(seen[..., None], z, np.nan)
    return Measurements(
        sensor=sensor, site_lat_deg=site.lat_deg, site_lon_deg=site.lon_deg,
        site_height_m=site.height_m, times_s=times, z=z, noise_cov=np.diag(sig**2),
        has_range_rate=has_range_rate, snr_db=np.where(np.isfinite(times), 20.0, np.nan),
        truth_ecef=np.broadcast_to(truth, (runs,) + truth.shape).copy())


def kepler_energy(state_eci) -> np.ndarray:
    """Two-body specific energy [J/kg] of inertial states (..., 6)."""
    s = np.asarray(state_eci)
    return 0.5 * np.sum(s[..., 3:] ** 2, axis=-1) - GM_EARTH / np.linalg.norm(s[..., :3],
                                                                               axis=-1)
