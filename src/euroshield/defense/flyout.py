"""Interceptor fly-out reach: the earliest time an interceptor launched at t = 0 from a site can
be at a point (azimuth, ground range, height), tabulated from integrated fly-outs.

A family of fly-outs (full burn, pitch-over kicks from near-vertical to flat, several launch
azimuths) is integrated on the rotating WGS84 Earth with J2 and drag by the batched engine. On
the ascending branch each point of the (ground range, height) plane is passed by exactly one
member of the family, which is also the earliest arrival there; the passage times of all members
are triangulated (scipy's Delaunay, linear barycentric interpolation) onto a regular grid.
Triangles with an edge longer than ``max_edge`` grid steps span outside the family (across the
locus of apogees, say) and are dropped: cells not covered by a kept triangle are unreachable
(NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import Delaunay

from euroshield.earth import geodesy
from euroshield.flight.engine import Physics, fly_missiles
from euroshield.flight.vehicles import pack_vehicles

from .interceptors import Interceptor

KICKS_DEG = np.concatenate([np.linspace(0.2, 2.0, 10), np.linspace(2.3, 12.0, 40),
                            np.linspace(12.5, 30.0, 20)])


@dataclass
class FlyoutTable:
    """Earliest arrival time [s after launch] on an (azimuth, ground range, height) grid."""

    interceptor: str
    site_lat_deg: float
    site_lon_deg: float
    azimuths_deg: np.ndarray  # (A,) evenly spaced over 360
    ground_range_m: np.ndarray  # (R,) evenly spaced from 0
    height_m: np.ndarray  # (H,) evenly spaced from 0
    time_s: np.ndarray  # (A, R, H), NaN = not reachable
    speed_m_s: np.ndarray  # (A, R, H) interceptor inertial speed on arrival

    def _lookup(self, values, azimuth_deg, ground_range_m, height_m):
        az = np.asarray(azimuth_deg, dtype=float) % 360.0
        rr = np.asarray(ground_range_m, dtype=float)
        hh = np.asarray(height_m, dtype=float)
        az, rr, hh = np.broadcast_arrays(az, rr, hh)
        given = np.isfinite(az) & np.isfinite(rr) & np.isfinite(hh)
        az, rr, hh = (np.where(given, v, 0.0) for v in (az, rr, hh))  # NaN-free index maths
        n_az = len(self.azimuths_deg)
        da = 360.0 / n_az
        ua = az / da
        i0 = np.floor(ua).astype(int) % n_az
        i1 = (i0 + 1) % n_az
        fa = ua - np.floor(ua)
        dr = self.ground_range_m[1] - self.ground_range_m[0]
        dh = self.height_m[1] - self.height_m[0]
        ur, uh = rr / dr, hh / dh
        inside = (ur >= 0) & (uh >= 0) & (ur <= len(self.ground_range_m) - 1) & (
            uh <= len(self.height_m) - 1)
        j0 = np.clip(np.floor(ur).astype(int), 0, len(self.ground_range_m) - 2)
        k0 = np.clip(np.floor(uh).astype(int), 0, len(self.height_m) - 2)
        fr, fh = ur - j0, uh - k0

        def plane(i):
            v00 = values[i, j0, k0]
            v10 = values[i, j0 + 1, k0]
            v01 = values[i, j0, k0 + 1]
            v11 = values[i, j0 + 1, k0 + 1]
            return ((1 - fr) * (1 - fh) * v00 + fr * (1 - fh) * v10 + (1 - fr) * fh * v01
                    + fr * fh * v11)

        out = (1 - fa) * plane(i0) + fa * plane(i1)
        return np.where(inside & given, out, np.nan)

    def time_to(self, azimuth_deg, ground_range_m, height_m) -> np.ndarray:
        """Earliest arrival time [s] (vectorised; NaN where out of reach). Azimuth of the point
        seen from the site [deg], geodesic ground range [m], height above the ellipsoid [m]."""
        return self._lookup(self.time_s, azimuth_deg, ground_range_m, height_m)

    def speed_at(self, azimuth_deg, ground_range_m, height_m) -> np.ndarray:
        """Interceptor inertial speed [m/s] on arrival at the point (NaN out of reach)."""
        return self._lookup(self.speed_m_s, azimuth_deg, ground_range_m, height_m)

    def time_to_point(self, lat_deg, lon_deg, height_m) -> np.ndarray:
        """Earliest arrival time [s] at geodetic points (Earth-fixed lat/lon, height)."""
        d, az, _ = geodesy.inverse(self.site_lat_deg, self.site_lon_deg, lat_deg, lon_deg)
        return self.time_to(az, d, height_m)


def flyout_table(interceptor: Interceptor, site_lat_deg: float, site_lon_deg: float,
                 physics: Physics | None = None, n_azimuths: int = 8,
                 range_step_m: float = 10e3, height_step_m: float = 5e3,
                 max_edge: float = 12.0) -> FlyoutTable:
    """Integrate the fly-out family from a site and tabulate the earliest arrival times."""
    physics = physics or Physics()
    booster = interceptor.booster()
    tables = pack_vehicles([booster])
    ph = Physics(rotating=physics.rotating, j2=physics.j2, drag=physics.drag,
                 rtol=physics.rtol, record_max_step_s=3.0,
                 t_max_s=interceptor.max_flyout_time_s)
    azimuths = np.arange(n_azimuths) * 360.0 / n_azimuths
    az_all = np.repeat(azimuths, len(KICKS_DEG))
    kick_all = np.tile(KICKS_DEG, n_azimuths)
    b = fly_missiles(tables, 0, site_lat_deg, site_lon_deg, az_all, kick_all,
                     booster.total_burn_time_s, physics=ph, record=True)
    n, m = b.t.shape
    valid = np.arange(m)[None, :] < b.n[:, None]
    lat, lon, h = b.point_geodetic(b.t, b.y)
    speed = np.linalg.norm(b.y[..., 3:], axis=-1)
    # ascending branch only: up to the highest point of each fly-out
    top = np.argmax(np.where(valid, h, -np.inf), axis=1)
    valid &= np.arange(m)[None, :] <= top[:, None]
    d, _, _ = geodesy.inverse(np.full(valid.sum(), site_lat_deg),
                              np.full(valid.sum(), site_lon_deg), lat[valid], lon[valid])
    rng_all = np.zeros_like(h)
    rng_all[valid] = d

    r_max = float(rng_all[valid].max())
    h_max = float(h[valid].max())
    grid_r = np.arange(0.0, r_max + range_step_m, range_step_m)
    grid_h = np.arange(0.0, h_max + height_step_m, height_step_m)
    gr, gh = np.meshgrid(grid_r, grid_h, indexing="ij")
    time_s = np.full((n_azimuths, len(grid_r), len(grid_h)), np.nan)
    speed_s = np.full_like(time_s, np.nan)
    k = len(KICKS_DEG)
    for a in range(n_azimuths):
        rows = slice(a * k, (a + 1) * k)
        sel = valid[rows]
        pts = np.column_stack([rng_all[rows][sel] / range_step_m, h[rows][sel] / height_step_m])
        tri = Delaunay(pts)
        q = np.column_stack([gr.ravel() / range_step_m, gh.ravel() / height_step_m])
        # only cells inside the family's bounding box can be covered
        box = np.all((q >= pts.min(axis=0)) & (q <= pts.max(axis=0)), axis=1)
        qb = q[box]
        simplex = tri.find_simplex(qb)
        corners = tri.points[tri.simplices]  # (S, 3, 2)
        edges = np.linalg.norm(corners - np.roll(corners, 1, axis=1), axis=-1).max(axis=1)
        keep = (simplex >= 0) & (edges[simplex] <= max_edge)
        # barycentric weights from the simplex transforms (what LinearNDInterpolator does)
        s_k = simplex[keep]
        tr = tri.transform[s_k]
        lam = np.einsum("nij,nj->ni", tr[:, :2, :], qb[keep] - tr[:, 2, :])
        w = np.column_stack([lam, 1.0 - lam.sum(axis=1)])
        vert = tri.simplices[s_k]
        vals = np.full((len(q), 2), np.nan)
        idx = np.flatnonzero(box)[keep]
        for c, src in enumerate((b.t[rows][sel], speed[rows][sel])):
            vals[idx, c] = np.sum(w * src[vert], axis=1)
        time_s[a] = vals[:, 0].reshape(gr.shape)
        speed_s[a] = vals[:, 1].reshape(gr.shape)
    return FlyoutTable(interceptor.name, site_lat_deg, site_lon_deg, azimuths, grid_r, grid_h,
                       time_s, speed_s)
