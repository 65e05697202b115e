"""Point-mass + J2 gravity of the WGS84 Earth.

Positions are in metres in any frame whose z axis is the Earth's spin axis
(ECI or ECEF); accelerations are in m/s^2 in the same frame. The potential is

    U = -GM/r * (1 - J2 (a/r)^2 (3 sin^2(phi_c) - 1) / 2),   sin(phi_c) = z / r,

and the acceleration is ``-grad U``. Centrifugal terms are not included (they
belong to the rotating-frame equations of motion, not to gravitation).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .constants import GM_EARTH, J2_EARTH, WGS84_A

_K_J2 = 1.5 * J2_EARTH * WGS84_A * WGS84_A


@njit(cache=True)
def point_mass_gravity_nb(x, y, z):
    """Point-mass acceleration ``-GM r / |r|^3`` (m/s^2) at (x, y, z) metres."""
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    k = -GM_EARTH / (r2 * r)
    return k * x, k * y, k * z


@njit(cache=True)
def j2_gravity_nb(x, y, z):
    """Point-mass + J2 acceleration (m/s^2) at (x, y, z) metres, z = spin axis."""
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    k = -GM_EARTH / (r2 * r)
    q = _K_J2 / r2
    zr2 = z * z / r2
    fxy = k * (1.0 + q * (1.0 - 5.0 * zr2))
    fz = k * (1.0 + q * (3.0 - 5.0 * zr2))
    return fxy * x, fxy * y, fz * z


def gravity(r, j2: bool = True) -> np.ndarray:
    """Vectorised gravitational acceleration (m/s^2, ``(..., 3)``) at ``r`` (m, ``(..., 3)``).

    ``j2=False`` gives the point-mass field only.
    """
    r = np.asarray(r, dtype=float)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    r2 = x * x + y * y + z * z
    k = -GM_EARTH / (r2 * np.sqrt(r2))
    if not j2:
        return k[..., None] * r
    q = _K_J2 / r2
    zr2 = z * z / r2
    fxy = k * (1.0 + q * (1.0 - 5.0 * zr2))
    fz = k * (1.0 + q * (3.0 - 5.0 * zr2))
    return np.stack([fxy * x, fxy * y, fz * z], axis=-1)


def j2_potential(r) -> np.ndarray:
    """Point-mass + J2 gravitational potential (J/kg = m^2/s^2) at ``r`` (m, ``(..., 3)``).

    Negative, with ``gravity(r) == -grad j2_potential(r)``.
    """
    r = np.asarray(r, dtype=float)
    rn = np.linalg.norm(r, axis=-1)
    sin_phi_c = r[..., 2] / rn
    return (
        -GM_EARTH
        / rn
        * (1.0 - J2_EARTH * (WGS84_A / rn) ** 2 * (3.0 * sin_phi_c**2 - 1.0) / 2.0)
    )
