"""Physical and geodetic constants of the Earth model (SI units).

Every value is a plain ``float`` so numba freezes it as a compile-time constant
inside ``@njit`` kernels.

Sources
-------
* NIMA TR8350.2, "Department of Defense World Geodetic System 1984", 3rd ed.
  (2000), Table 3.1 (defining parameters) and Table 3.3 (derived values).
* IERS Conventions (2010), IERS Technical Note 36, Table 1.1 (Earth rotation).
* BIPM, SI Brochure / 3rd CGPM (1901): standard acceleration of gravity.
* Moritz, H. (2000) "Geodetic Reference System 1980", J. Geodesy 74:128-162,
  Table (IUGG mean radius R1 = (2a + b) / 3).
"""

from __future__ import annotations

import math

# WGS84 semi-major axis [m] (TR8350.2 Table 3.1, defining parameter).
WGS84_A: float = 6378137.0

# WGS84 flattening [-] (TR8350.2 Table 3.1, defining parameter 1/f = 298.257223563).
WGS84_F: float = 1.0 / 298.257223563

# WGS84 semi-minor axis [m], b = a (1 - f) (TR8350.2 Table 3.3: 6356752.3142 m).
WGS84_B: float = WGS84_A * (1.0 - WGS84_F)

# First eccentricity squared [-], e^2 = f (2 - f) (TR8350.2 Table 3.3: 6.69437999014e-3).
WGS84_E2: float = WGS84_F * (2.0 - WGS84_F)

# Second eccentricity squared [-], e'^2 = e^2 / (1 - e^2) (TR8350.2 Table 3.3:
# 6.73949674228e-3).
WGS84_EP2: float = WGS84_E2 / (1.0 - WGS84_E2)

# Geocentric gravitational constant incl. atmosphere [m^3/s^2]
# (TR8350.2 Table 3.1, WGS84 defining parameter GM).
GM_EARTH: float = 3.986004418e14

# Unnormalised second zonal harmonic J2 [-] of the WGS84/EGM96 gravity model:
# J2 = -sqrt(5) * C20bar with the fully normalised C20bar = -4.84166774985e-4
# (TR8350.2 Table 3.3 / EGM96), giving 1.08262982131e-3.
J2_EARTH: float = 1.08262982131e-3

# Mean angular velocity of the Earth [rad/s] (TR8350.2 Table 3.1, WGS84 defining
# parameter; equals the IERS Conventions nominal value 7.292115e-5 rad/s).
OMEGA_EARTH: float = 7.292115e-5

# Standard acceleration of gravity [m/s^2] (3rd CGPM 1901, exact); used only to
# convert specific impulse in seconds to effective exhaust velocity.
G0: float = 9.80665

# IUGG mean Earth radius R1 [m] (Moritz 2000, GRS80; same to 0.1 m for WGS84);
# used for spherical-Earth closed-form checks.
R_MEAN_EARTH: float = 6371008.8

# Degrees to radians [rad/deg].
DEG: float = math.pi / 180.0
