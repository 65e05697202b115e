"""Coordinate frames: WGS84 geodetic, ECEF, ECI and local ENU.

Frames
------
ECEF
    Earth-centred, Earth-fixed (WGS84): +z along the spin axis, +x through
    (lat 0, lon 0). Metres.
ECI
    The inertial frame that coincides with ECEF at the scenario epoch
    ``t = 0 s``; the Earth rotates about +z at ``OMEGA_EARTH`` so the ECEF axes
    are turned by ``theta = OMEGA_EARTH * t`` relative to ECI. Precession,
    nutation and polar motion are deliberately ignored (flight times are
    below an hour). Metres, metres per second.
Geodetic
    WGS84 latitude / longitude in degrees at the numpy API (radians in the numba
    kernels) and ellipsoidal height in metres.
Topocentric
    Site-centred frame of a geodetic site (:class:`Topocentric`): local east/north/up
    (``up`` = ellipsoid normal) and azimuth/elevation/range; also the geocentric
    up/north/east basis the fly-out tables use (:func:`geocentric_basis`).

The ECI <-> ECEF rotation has one implementation, :func:`eci_to_ecef_nb`: numba kernels call
it compiled, the numpy functions run its Python body on arrays.

The numpy functions broadcast over any leading shape; position arrays have a
trailing axis of length 3.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .constants import DEG, OMEGA_EARTH, WGS84_A, WGS84_E2

# Coefficients of Olson, D. K. (1996) "Converting Earth-centered, Earth-fixed
# coordinates to geodetic coordinates", IEEE Trans. AES 32(1):473-476. Chosen
# because it is branch-light, non-iterative and accurate to ~1e-8 m.
_EA2 = WGS84_A * WGS84_A  # a^2, b^2 and a b for the radial-height shortcut
_EB2 = _EA2 * (1.0 - WGS84_E2)
_EAB = math.sqrt(_EA2 * _EB2)
_A1 = WGS84_A * WGS84_E2
_A2 = _A1 * _A1
_A3 = _A1 * WGS84_E2 / 2.0
_A4 = 2.5 * _A2
_A5 = _A1 + _A3
_A6 = 1.0 - WGS84_E2


# ---------------------------------------------------------------------------
# Geodetic <-> ECEF (numpy)
# ---------------------------------------------------------------------------


def geodetic_to_ecef(lat_deg, lon_deg, h_m) -> np.ndarray:
    """WGS84 geodetic (deg, deg, m) to ECEF position (m), shape ``(..., 3)``."""
    lat = np.asarray(lat_deg, dtype=float) * DEG
    lon = np.asarray(lon_deg, dtype=float) * DEG
    h = np.asarray(h_m, dtype=float)
    slat = np.sin(lat)
    clat = np.cos(lat)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * slat * slat)
    x = (n + h) * clat * np.cos(lon)
    y = (n + h) * clat * np.sin(lon)
    z = (n * (1.0 - WGS84_E2) + h) * slat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(xyz) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF position (m, shape ``(..., 3)``) to WGS84 ``(lat_deg, lon_deg, h_m)``.

    Olson's (1996) method: a series first guess plus one Newton correction,
    accurate to well below 0.1 mm from -10 km to beyond 3000 km height
    (tested against pyproj). Undefined at the geocentre. Runs the same numba
    kernel as the integrator (:func:`ecef_to_geodetic_nb`) over the array.
    """
    xyz = np.asarray(xyz, dtype=float)
    shape = xyz.shape[:-1]
    flat = xyz.reshape(-1, 3)
    lat = np.empty(flat.shape[0])
    lon = np.empty(flat.shape[0])
    h = np.empty(flat.shape[0])
    _ecef_to_geodetic_rows(np.ascontiguousarray(flat), lat, lon, h)
    return np.degrees(lat).reshape(shape), np.degrees(lon).reshape(shape), h.reshape(shape)


def enu_basis(lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local east, north, up unit vectors expressed in ECEF, each ``(..., 3)``.

    ``up`` is the ellipsoid normal at the given geodetic latitude/longitude.
    """
    lat = np.asarray(lat_deg, dtype=float) * DEG
    lon = np.asarray(lon_deg, dtype=float) * DEG
    slat, clat = np.sin(lat), np.cos(lat)
    slon, clon = np.sin(lon), np.cos(lon)
    zero = np.zeros(np.broadcast(lat, lon).shape)
    east = np.stack(np.broadcast_arrays(-slon, clon, zero), axis=-1)
    north = np.stack(np.broadcast_arrays(-slat * clon, -slat * slon, clat), axis=-1)
    up = np.stack(np.broadcast_arrays(clat * clon, clat * slon, slat), axis=-1)
    return east, north, up


def geocentric_basis(r_ecef, lon_deg) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geocentric ``(up, north, east)`` unit vectors (ECEF, each ``(..., 3)``) at ECEF
    positions ``r_ecef`` (..., 3) whose longitude is ``lon_deg`` (broadcast).

    ``up`` is along the geocentric radius, ``east`` along the parallel
    (``(-sin lon, cos lon, 0)``) and ``north = up x east``; the longitude is passed rather than
    recomputed so that the basis stays defined (along that meridian) at the poles. Works for
    any Earth model (ellipsoid or sphere): only the direction of ``r_ecef`` matters.
    """
    r = np.asarray(r_ecef, dtype=float)
    up = r / np.linalg.norm(r, axis=-1, keepdims=True)
    lon = np.asarray(lon_deg, dtype=float) * DEG
    east = np.stack(np.broadcast_arrays(-np.sin(lon), np.cos(lon), np.zeros(lon.shape)),
                    axis=-1)
    up, east = (np.array(a) for a in np.broadcast_arrays(up, east))  # writeable copies
    return up, np.cross(up, east), east


class Topocentric:
    """Site-centred frame of a WGS84 geodetic site (``lat_deg``, ``lon_deg``, ``height_m``).

    ``enu`` gives east/north/up components of ``point - site`` in the local geodetic frame
    (``up`` = ellipsoid normal), ``aer`` the azimuth (clockwise from north, [0, 360)),
    geometric elevation and slant range. Points are ECEF arrays ``(..., 3)`` [m].

    At a pole the frame is the limit reached along the site's meridian ``lon_deg``: at the
    north pole (lat 90) "north" points along the meridian ``lon_deg + 180`` and "east" along
    ``lon_deg + 90``; at the south pole "north" points along ``lon_deg`` and "east" along
    ``lon_deg + 90``. Azimuths there follow that frame (finite, consistent with ``enu``).
    """

    def __init__(self, lat_deg: float, lon_deg: float, height_m: float = 0.0):
        self.lat_deg = float(lat_deg)
        self.lon_deg = float(lon_deg)
        self.height_m = float(height_m)
        if not (-90.0 <= self.lat_deg <= 90.0 and math.isfinite(self.lon_deg)
                and math.isfinite(self.height_m)):
            raise ValueError(f"bad geodetic site ({lat_deg}, {lon_deg}, {height_m})")
        self.ecef = geodetic_to_ecef(self.lat_deg, self.lon_deg, self.height_m)  # (3,) m
        east, north, up = enu_basis(self.lat_deg, self.lon_deg)
        self.rotation = np.stack([east, north, up])  # rows: ENU axes in ECEF, (3, 3)

    def __repr__(self) -> str:
        return f"Topocentric({self.lat_deg!r}, {self.lon_deg!r}, {self.height_m!r})"

    def enu(self, xyz_ecef) -> np.ndarray:
        """East, north, up components [m] of ``xyz_ecef - site``, shape ``(..., 3)``."""
        d = np.asarray(xyz_ecef, dtype=float) - self.ecef
        return d @ self.rotation.T

    def slant_range_m(self, xyz_ecef) -> np.ndarray:
        """Straight-line distance [m] from the site to ECEF points (...)."""
        return np.linalg.norm(np.asarray(xyz_ecef, dtype=float) - self.ecef, axis=-1)

    def aer(self, xyz_ecef) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(azimuth_deg in [0, 360), elevation_deg, slant_range_m)`` of ECEF points.

        Geometric (unrefracted) elevation above the plane normal to the ellipsoid normal. On
        the site's vertical the azimuth is undefined (finite but arbitrary: rounding noise).
        """
        e, n, u = np.moveaxis(self.enu(xyz_ecef), -1, 0)
        az = np.degrees(np.arctan2(e, n)) % 360.0
        az = np.where(az >= 360.0, 0.0, az)[()]  # -tiny % 360 rounds to 360
        el = np.degrees(np.arctan2(u, np.hypot(e, n)))
        return az, el, self.slant_range_m(xyz_ecef)

    def geocentric_basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geocentric ``(up, north, east)`` unit vectors (ECEF, each ``(3,)``) at the site:
        see :func:`geocentric_basis`. Fly-out tables measure bearings and angles in it."""
        return geocentric_basis(self.ecef, self.lon_deg)


# ---------------------------------------------------------------------------
# ECI <-> ECEF: one formula, compiled by numba for kernels and run by numpy on arrays
# ---------------------------------------------------------------------------


@njit(cache=True, inline="always")
def eci_to_ecef_nb(x, y, z, theta):
    """ECI components ``(x, y, z)`` to ECEF ones: a rotation by ``-theta`` about +z, where
    ``theta = omega * t`` [rad] is the Earth rotation angle since the epoch.

    The one implementation of the rotation: numba kernels call this compiled function on
    scalars, and the numpy functions below run its Python body
    (``eci_to_ecef_nb.py_func``) on arrays, with which it broadcasts.
    """
    c = np.cos(theta)
    s = np.sin(theta)
    return c * x + s * y, -s * x + c * y, z


@njit(cache=True, inline="always")
def ecef_to_eci_nb(x, y, z, theta):
    """ECEF ``(x, y, z)`` to ECI for the Earth rotation angle ``theta = omega t`` [rad]."""
    return eci_to_ecef_nb(x, y, z, -theta)


def _rotate_eci_to_ecef(r, theta) -> np.ndarray:
    """Vectors ``r`` (..., 3) turned from ECI to ECEF axes by the angle ``theta`` (broadcast)."""
    r = np.asarray(r, dtype=float)
    x, y, z = eci_to_ecef_nb.py_func(r[..., 0], r[..., 1], r[..., 2], theta)
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def _omega_cross(r, omega_rad_s=OMEGA_EARTH) -> np.ndarray:
    """``omega x r`` with omega = (0, 0, omega_rad_s); r in m, result m/s."""
    r = np.asarray(r, dtype=float)
    return np.stack(
        [-omega_rad_s * r[..., 1], omega_rad_s * r[..., 0], np.zeros_like(r[..., 2])], axis=-1
    )


def _angle(t_s, omega_rad_s) -> np.ndarray:
    return omega_rad_s * np.asarray(t_s, dtype=float)


def eci_to_ecef(r_eci, t_s, omega_rad_s: float = OMEGA_EARTH) -> np.ndarray:
    """ECI position (m, ``(..., 3)``) at time ``t_s`` (s since epoch) to ECEF (m).

    ``omega_rad_s`` is the Earth's rotation rate (0 for a non-rotating Earth)."""
    return _rotate_eci_to_ecef(r_eci, _angle(t_s, omega_rad_s))


def ecef_to_eci(r_ecef, t_s, omega_rad_s: float = OMEGA_EARTH) -> np.ndarray:
    """ECEF position (m, ``(..., 3)``) at time ``t_s`` (s since epoch) to ECI (m)."""
    return _rotate_eci_to_ecef(r_ecef, -_angle(t_s, omega_rad_s))


def eci_state_to_ecef(r, v, t_s, omega_rad_s: float = OMEGA_EARTH
                      ) -> tuple[np.ndarray, np.ndarray]:
    """ECI state (m, m/s) at ``t_s`` to ECEF ``(r_ecef, v_ecef)``.

    ``v_ecef = R v_eci - omega x r_ecef`` (velocity relative to the rotating Earth).
    """
    r_f = eci_to_ecef(r, t_s, omega_rad_s)
    v_f = eci_to_ecef(v, t_s, omega_rad_s) - _omega_cross(r_f, omega_rad_s)
    return r_f, v_f


def ecef_state_to_eci(r, v, t_s, omega_rad_s: float = OMEGA_EARTH
                      ) -> tuple[np.ndarray, np.ndarray]:
    """ECEF state (m, m/s) at ``t_s`` to ECI ``(r_eci, v_eci)``.

    ``v_eci = R^T (v_ecef + omega x r_ecef)``: an Earth-fixed point has ECI speed
    ``omega`` times its distance from the axis.
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    r_i = ecef_to_eci(r, t_s, omega_rad_s)
    v_i = ecef_to_eci(v + _omega_cross(r, omega_rad_s), t_s, omega_rad_s)
    return r_i, v_i


def eci_to_ecef_states(t_s, y_eci, omega_rad_s: float = OMEGA_EARTH) -> np.ndarray:
    """ECI states ``(..., 6)`` [m, m/s] at times ``t_s`` (broadcast over the leading axes) to
    Earth-fixed states ``(..., 6)``: :func:`eci_state_to_ecef` on stacked position/velocity."""
    y = np.asarray(y_eci, dtype=float)
    r_f, v_f = eci_state_to_ecef(y[..., :3], y[..., 3:], t_s, omega_rad_s)
    return np.concatenate([r_f, v_f], axis=-1)


# ---------------------------------------------------------------------------
# numba scalar kernels
#
# Hand-written because pyproj (a C library behind a Python API) cannot be
# called from numba-compiled code, and the integrator needs the geodetic
# height at every right-hand-side evaluation. The array function
# ecef_to_geodetic above runs these same kernels; it is tested against pyproj.
# ---------------------------------------------------------------------------


@njit(cache=True, fastmath=False)
def _olson_sc(x, y, z):
    """Olson (1996) core: returns (sin|lat|, cos lat, Newton step p, h)."""
    zp = abs(z)
    w2 = x * x + y * y
    w = math.sqrt(w2)
    r2 = w2 + z * z
    r = math.sqrt(r2)
    s2 = z * z / r2
    c2 = w2 / r2
    u = _A2 / r
    v = _A3 - _A4 / r
    if c2 > 0.3:
        s = (zp / r) * (1.0 + c2 * (_A1 + u + s2 * v) / r)
        c = math.sqrt(max(1.0 - s * s, 0.0))
    else:
        c = (w / r) * (1.0 - s2 * (_A5 - u - c2 * v) / r)
        s = math.sqrt(max(1.0 - c * c, 0.0))
    g = 1.0 - WGS84_E2 * s * s
    rg = WGS84_A / math.sqrt(g)
    rf = _A6 * rg
    u = w - rg * c
    v = zp - rf * s
    f = c * u + s * v
    m = c * v - s * u
    p = m / (rf / g + f)
    h = f + m * p / 2.0
    return s, c, p, h


@njit(cache=True, fastmath=False)
def geodetic_height_nb(x, y, z):
    """WGS84 ellipsoidal height (m) of the point (x, y, z) in metres.

    Accurate to far below 1 mm for |h| < 3000 km. The height depends only on
    the distance from the spin axis and on z, so it is invariant to rotation
    about z: the point may be given in ECEF *or* ECI coordinates.
    """
    return _olson_sc(x, y, z)[3]


@njit(cache=True, inline="always")
def approx_height_nb(x, y, z):
    """Height (m) above the WGS84 ellipsoid measured along the geocentric radius.

    It differs from the geodetic (normal) height by less than 1e-5 x h + 1 mm for
    -5 km < h < 1000 km (the radius and the normal differ by at most 0.19 deg), i.e.
    under a metre in the atmosphere, for a third of the cost: the drag and thrust
    models only need the air density, which changes by 0.01 % per metre.
    Invariant to rotation about z, like :func:`geodetic_height_nb`.
    """
    p2 = x * x + y * y
    r2 = p2 + z * z
    # ellipsoid radius along the same geocentric direction: a b / sqrt(b^2 cos^2 + a^2 sin^2)
    cos2 = p2 / r2
    sin2 = z * z / r2
    re = _EAB / math.sqrt(_EB2 * cos2 + _EA2 * sin2)
    return math.sqrt(r2) - re


@njit(cache=True, fastmath=False)
def ecef_to_geodetic_nb(x, y, z):
    """ECEF (m) to WGS84 ``(lat_rad, lon_rad, h_m)``; scalar numba kernel.

    Accurate to far below 1 mm for |h| < 3000 km. Latitude and height are
    invariant to rotation about z (so ECI input gives the right lat and h; the
    longitude is then the inertial one).
    """
    s, c, p, h = _olson_sc(x, y, z)
    lat = math.atan2(s, c) + p
    if z < 0.0:
        lat = -lat
    return lat, math.atan2(y, x), h


@njit(cache=True, fastmath=False)
def geodetic_to_ecef_nb(lat_rad, lon_rad, h_m):
    """WGS84 geodetic (rad, rad, m) to ECEF ``(x, y, z)`` in metres; scalar kernel."""
    slat = math.sin(lat_rad)
    clat = math.cos(lat_rad)
    n = WGS84_A / math.sqrt(1.0 - WGS84_E2 * slat * slat)
    return (
        (n + h_m) * clat * math.cos(lon_rad),
        (n + h_m) * clat * math.sin(lon_rad),
        (n * (1.0 - WGS84_E2) + h_m) * slat,
    )


@njit(cache=True)
def _ecef_to_geodetic_rows(xyz, lat, lon, h):
    for i in range(xyz.shape[0]):
        lat[i], lon[i], h[i] = ecef_to_geodetic_nb(xyz[i, 0], xyz[i, 1], xyz[i, 2])
