"""Geodesics on the WGS84 ellipsoid (via pyproj) and on a sphere (haversine).

Angles are in degrees at this API (azimuths clockwise from north), lengths in
metres. All functions broadcast their array arguments.
"""

from __future__ import annotations

import numpy as np
from pyproj import Geod

from .constants import DEG, R_MEAN_EARTH

# pyproj wraps Karney's GeographicLib algorithm (PROJ geod), accurate to ~15 nm;
# no reason to hand-write it.
_GEOD = Geod(ellps="WGS84")


def _bcast(*args) -> tuple[tuple[int, ...], list[np.ndarray]]:
    arrs = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    return arrs[0].shape, [np.ascontiguousarray(a).ravel() for a in arrs]


def inverse(lat1, lon1, lat2, lon2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 inverse problem: ``(distance_m, azimuth12_deg, azimuth21_deg)``.

    ``azimuth12`` is the forward azimuth at point 1; ``azimuth21`` the azimuth at
    point 2 pointing back towards point 1 (pyproj's "back azimuth").
    """
    shape, (la1, lo1, la2, lo2) = _bcast(lat1, lon1, lat2, lon2)
    az12, az21, dist = _GEOD.inv(lo1, la1, lo2, la2)
    return (
        np.asarray(dist).reshape(shape),
        np.asarray(az12).reshape(shape),
        np.asarray(az21).reshape(shape),
    )


def direct(lat, lon, azimuth_deg, distance_m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 direct problem: ``(lat2_deg, lon2_deg, back_azimuth_deg)``.

    Travels ``distance_m`` from (lat, lon) along the geodesic leaving at
    ``azimuth_deg``; the back azimuth at the end point points back to the start.
    """
    shape, (la, lo, az, d) = _bcast(lat, lon, azimuth_deg, distance_m)
    lon2, lat2, back = _GEOD.fwd(lo, la, az, d)
    return (
        np.asarray(lat2).reshape(shape),
        np.asarray(lon2).reshape(shape),
        np.asarray(back).reshape(shape),
    )


def central_angle(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle central angle (rad) between points given in degrees (haversine)."""
    p1 = np.asarray(lat1, dtype=float) * DEG
    p2 = np.asarray(lat2, dtype=float) * DEG
    dl = (np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float)) * DEG
    hav = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return 2.0 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))


def great_circle_distance_sphere(lat1, lon1, lat2, lon2, radius_m=R_MEAN_EARTH) -> np.ndarray:
    """Great-circle distance (m) on a sphere of ``radius_m`` (default IUGG mean radius)."""
    return np.asarray(radius_m, dtype=float) * central_angle(lat1, lon1, lat2, lon2)
