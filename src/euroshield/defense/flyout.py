"""Interceptor fly-out reach: the earliest time an interceptor launched at t = 0 from a site can
be at a point, tabulated from integrated fly-outs, for one or several burnout speeds at once.

A family of fly-outs (full burn, pitch-over kicks from near-vertical to flat, several launch
azimuths, every requested burnout speed) is integrated in one batch on the rotating WGS84 Earth
with J2 and drag. Each fly-out is resampled at uniform times up to its highest point (the
ascending branch). Points are described in site-centred coordinates: the geocentric angle
``theta`` between the site and the point, the bearing ``beta`` of the point seen from the site
(geocentric north/east at the site) and the geodetic height. Any smooth one-to-one description
would do, because tables are built and read with the same one; this one is cheap in a numba
kernel where pyproj's geodesics are not callable.

For one speed and launch azimuth the samples form a structured mesh (kick x time) over the
(theta, height) plane; each mesh quad is split into two triangles, and every table cell inside
a triangle gets the time interpolated linearly (barycentric weights) from its corners, keeping
the earliest time where triangles overlap. The Earth's rotation bends fly-outs sideways, so the
table also stores how far the point's bearing has turned from the launch azimuth; lookups solve
``launch azimuth + turn = bearing`` by fixed-point iteration before interpolating between the
tabulated azimuths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from euroshield._parallel import parallel_blocks
from euroshield.earth import frames
from euroshield.earth.constants import DEG, R_MEAN_EARTH, WGS84_B
from euroshield.earth.frames import Topocentric, eci_to_ecef_nb, geodetic_height_nb
from euroshield.flight.engine import Physics, fly_missiles
from euroshield.flight.trajectory import _hermite_eval_row
from euroshield.flight.vehicles import pack_vehicles

from .interceptors import Interceptor
from .interceptors import boosters as calibrated

# pitch-over kicks of the family: dense where fly-outs fan out fastest (measured accuracy against
# direct integration: 0.6 s at worst, 0.06 s median; 70 kicks gave 0.2 s at 2.3x the cost)
KICKS_DEG = np.concatenate([np.linspace(0.2, 2.0, 6), np.linspace(2.3, 12.0, 24),
                            np.linspace(12.5, 30.0, 12)])
TABLE_RTOL = 1e-3  # integrator tolerance of the family: metres, far below the table's cells
TURN_MARGIN_DEG = 18.0  # fly-outs turn up to ~13 deg (99th percentile) off their launch azimuth
# Recorded steps may be long: fly-outs are resampled every ``sample_s`` by the integrator's
# cubic Hermite interpolant, whose error on a 40 s coasting arc is ~ h^4 |x''''| / 384 < 0.1 m
RECORD_STEP_S = 40.0
R_REF_M = R_MEAN_EARTH  # converts table angle steps to ground distance
MAX_CELLS = (250, 160)  # (range, height) cells per table slice at most


@njit(cache=True, inline="always")
def _site_coords(x, y, z, su, no, ea):
    """(bearing rad, geocentric angle rad, geodetic height m) of ECEF point (x, y, z) seen from
    a site with geocentric unit vector ``su`` and north/east unit vectors ``no``/``ea``."""
    r = math.sqrt(x * x + y * y + z * z)
    ux, uy, uz = x / r, y / r, z / r
    c = ux * su[0] + uy * su[1] + uz * su[2]
    cx = uy * su[2] - uz * su[1]
    cy = uz * su[0] - ux * su[2]
    cz = ux * su[1] - uy * su[0]
    theta = math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), c)
    beta = math.atan2(ux * ea[0] + uy * ea[1] + uz * ea[2], ux * no[0] + uy * no[1] + uz * no[2])
    return beta, theta, geodetic_height_nb(x, y, z)


@njit(cache=True, nogil=True)
def _coords_rows(xyz, su, no, ea, out):
    for i in range(xyz.shape[0]):
        x, y, z = xyz[i, 0], xyz[i, 1], xyz[i, 2]
        if math.isfinite(x) and math.isfinite(y) and math.isfinite(z):
            out[i, 0], out[i, 1], out[i, 2] = _site_coords(x, y, z, su, no, ea)
        else:
            out[i, 0] = out[i, 1] = out[i, 2] = np.nan


@njit(cache=True)
def _raster_triangle(xa, ya, xb, yb, xc, yc, va, vb, vc, t_out, v_out, s_out, sa, sb, sc):
    """Write barycentric interpolants of (time, speed, turn) into the cells (integer grid
    points) inside triangle a-b-c (grid units), keeping the earliest time per cell."""
    det = (yb - yc) * (xa - xc) + (xc - xb) * (ya - yc)
    if abs(det) < 1e-12:
        return
    n_r, n_h = t_out.shape
    i0 = max(int(math.ceil(min(xa, xb, xc))), 0)
    i1 = min(int(math.floor(max(xa, xb, xc))), n_r - 1)
    j0 = max(int(math.ceil(min(ya, yb, yc))), 0)
    j1 = min(int(math.floor(max(ya, yb, yc))), n_h - 1)
    eps = -1e-9
    for i in range(i0, i1 + 1):
        for j in range(j0, j1 + 1):
            la = ((yb - yc) * (i - xc) + (xc - xb) * (j - yc)) / det
            lb = ((yc - ya) * (i - xc) + (xa - xc) * (j - yc)) / det
            lc = 1.0 - la - lb
            if la < eps or lb < eps or lc < eps:
                continue
            t = la * va[0] + lb * vb[0] + lc * vc[0]
            if t < t_out[i, j]:
                t_out[i, j] = t
                v_out[i, j] = la * va[1] + lb * vb[1] + lc * vc[1]
                s_out[i, j] = la * sa + lb * sb + lc * sc


@njit(cache=True, nogil=True)
def _build(ts, ys, ns, n_kick, dt, n_t, omega, su, no, ea, launch_az, slices, d_theta, d_h,
           t_out, v_out, s_out, g0, g1):
    # one sample above the table's top still closes the quads that straddle it
    h_stop = (t_out.shape[2] - 1) * d_h + dt * 12e3
    """Rasterise fly-out families: rows ``g * n_kick ... (g + 1) * n_kick - 1`` of the records
    are one family (one speed and launch azimuth ``launch_az[g]``) written into table slice
    ``slices[g]``, for families g0 <= g < g1 (threads take disjoint ranges)."""
    for g in range(g0, g1):
        # per fly-out and uniform sample: grid x (theta), grid y (height), time, speed, turn
        gx = np.full((n_kick, n_t), np.nan)
        gy = np.full((n_kick, n_t), np.nan)
        sp = np.full((n_kick, n_t), np.nan)
        turn = np.full((n_kick, n_t), np.nan)
        buf = np.empty((n_t, 6))
        tq = np.arange(n_t) * dt
        for k in range(n_kick):
            i = g * n_kick + k
            _hermite_eval_row(ts[i], ys[i], ns[i], tq, buf)
            h_prev = -1e300
            for j in range(n_t):
                x, y, z = buf[j, 0], buf[j, 1], buf[j, 2]
                if not math.isfinite(x):
                    break
                xe, ye, ze = eci_to_ecef_nb(x, y, z, omega * tq[j])
                beta, theta, h = _site_coords(xe, ye, ze, su, no, ea)
                if h < h_prev or h > h_stop:  # past the top, or above the table: done
                    break
                h_prev = h
                gx[k, j] = theta / d_theta
                gy[k, j] = h / d_h
                sp[k, j] = math.sqrt(buf[j, 3] ** 2 + buf[j, 4] ** 2 + buf[j, 5] ** 2)
                d = beta - launch_az[g]
                turn[k, j] = (d + math.pi) % (2.0 * math.pi) - math.pi
        to, vo, so = t_out[slices[g]], v_out[slices[g]], s_out[slices[g]]
        va, vb, vc = np.empty(2), np.empty(2), np.empty(2)
        for k in range(n_kick - 1):
            for j in range(n_t - 1):
                # quad (k, j) (k+1, j) (k+1, j+1) (k, j+1); skip it unless all corners exist
                if not (math.isfinite(gx[k, j]) and math.isfinite(gx[k + 1, j])
                        and math.isfinite(gx[k + 1, j + 1]) and math.isfinite(gx[k, j + 1])):
                    continue
                va[0], va[1] = tq[j], sp[k, j]
                vb[0], vb[1] = tq[j], sp[k + 1, j]
                vc[0], vc[1] = tq[j + 1], sp[k + 1, j + 1]
                _raster_triangle(gx[k, j], gy[k, j], gx[k + 1, j], gy[k + 1, j],
                                 gx[k + 1, j + 1], gy[k + 1, j + 1], va, vb, vc, to, vo, so,
                                 turn[k, j], turn[k + 1, j], turn[k + 1, j + 1])
                vb[0], vb[1] = tq[j + 1], sp[k, j + 1]
                _raster_triangle(gx[k, j], gy[k, j], gx[k + 1, j + 1], gy[k + 1, j + 1],
                                 gx[k, j + 1], gy[k, j + 1], va, vc, vb, to, vo, so,
                                 turn[k, j], turn[k + 1, j + 1], turn[k, j + 1])


@njit(cache=True, inline="always")
def _interp(tab, a, u, w):
    """Trilinear interpolation of ``tab`` (A, R, H) at fractional indices: azimuth ``a``
    (periodic), ``u`` and ``w`` (inside the grid); NaN if any corner is NaN."""
    n_a = tab.shape[0]
    fa = math.floor(a)
    ta = a - fa
    i0 = int(fa) % n_a
    i1 = (i0 + 1) % n_a
    j0 = min(int(u), tab.shape[1] - 2)
    k0 = min(int(w), tab.shape[2] - 2)
    tu, tw = u - j0, w - k0
    out = 0.0
    for ii, wa in ((i0, 1.0 - ta), (i1, ta)):
        p = ((1 - tu) * (1 - tw) * tab[ii, j0, k0] + tu * (1 - tw) * tab[ii, j0 + 1, k0]
             + (1 - tu) * tw * tab[ii, j0, k0 + 1] + tu * tw * tab[ii, j0 + 1, k0 + 1])
        out += wa * p
    return out


@njit(cache=True, nogil=True)
def _lookup(xyz, su, no, ea, use, time_s, speed, turn, d_az, d_theta, d_h, out_t, out_v):
    """Arrival time and speed at ECEF points for every tabulated speed (NaN where ``use`` is
    False or the point is off the table)."""
    n_s = time_s.shape[0]
    n_r, n_h = time_s.shape[2], time_s.shape[3]
    for n in range(xyz.shape[0]):
        u = w = -1.0
        if use[n] and math.isfinite(xyz[n, 0]):
            beta, theta, h = _site_coords(xyz[n, 0], xyz[n, 1], xyz[n, 2], su, no, ea)
            u, w = theta / d_theta, h / d_h
        if not (u >= 0.0 and w >= 0.0 and u <= n_r - 1 and w <= n_h - 1):
            for s in range(n_s):
                out_t[n, s] = np.nan
                out_v[n, s] = np.nan
            continue
        for s in range(n_s):
            alpha = beta
            for _ in range(2):  # launch azimuth whose fly-outs turn onto bearing beta
                tr = _interp(turn[s], alpha / d_az, u, w)
                if not math.isfinite(tr):
                    break
                alpha = beta - tr
            out_t[n, s] = _interp(time_s[s], alpha / d_az, u, w)
            out_v[n, s] = _interp(speed[s], alpha / d_az, u, w)


def site_coords(site_lat_deg: float, site_lon_deg: float, xyz_ecef) -> np.ndarray:
    """(bearing rad, geocentric angle rad, geodetic height m) of ECEF points (..., 3) [m] seen
    from a site: the coordinates fly-out tables are built and read in."""
    xyz = np.asarray(xyz_ecef, dtype=float)
    flat = np.ascontiguousarray(xyz.reshape(-1, 3))
    out = np.empty_like(flat)
    frame = Topocentric(site_lat_deg, site_lon_deg).geocentric_basis()
    parallel_blocks(lambda b: _coords_rows(flat[b], *frame, out[b]), len(flat), 4096)
    return out.reshape(xyz.shape)


@dataclass
class FlyoutTable:
    """Earliest arrival times of one interceptor from one site, for one or more burnout speeds.

    Index 0 of the speed axis is the interceptor's own (nominal) speed. Arrays are
    (speeds, launch azimuths, theta cells, height cells); NaN = not reachable.
    """

    interceptor: str
    speeds_kms: np.ndarray  # (S,)
    site_lat_deg: float
    site_lon_deg: float
    n_azimuths: int
    angle_step_rad: float
    height_step_m: float
    time_s: np.ndarray  # (S, A, R, H) float32
    speed_m_s: np.ndarray  # (S, A, R, H) interceptor inertial speed on arrival
    turn_rad: np.ndarray  # (S, A, R, H) point bearing minus launch azimuth

    def lookup(self, xyz_ecef, where=None) -> tuple[np.ndarray, np.ndarray]:
        """Arrival time [s] and interceptor speed [m/s] at Earth-fixed points (..., 3) [m], each
        (..., S) over the tabulated speeds (NaN out of reach, and where ``where`` is False)."""
        xyz = np.asarray(xyz_ecef, dtype=float)
        flat = np.ascontiguousarray(xyz.reshape(-1, 3))
        use = (np.ones(flat.shape[0], dtype=bool) if where is None
               else np.ascontiguousarray(np.broadcast_to(where, xyz.shape[:-1]).ravel()))
        n_s = len(self.speeds_kms)
        t = np.empty((flat.shape[0], n_s))
        v = np.empty((flat.shape[0], n_s))
        frame = Topocentric(self.site_lat_deg, self.site_lon_deg).geocentric_basis()
        parallel_blocks(lambda b: _lookup(
            flat[b], *frame, use[b], self.time_s, self.speed_m_s, self.turn_rad,
            2 * np.pi / self.n_azimuths, self.angle_step_rad, self.height_step_m, t[b], v[b]),
            flat.shape[0], 4096)
        return t.reshape(xyz.shape[:-1] + (n_s,)), v.reshape(xyz.shape[:-1] + (n_s,))

    def time_to_ecef(self, xyz_ecef) -> np.ndarray:
        """Earliest arrival time [s] at the nominal speed at Earth-fixed points (..., 3) [m]."""
        return self.lookup(xyz_ecef)[0][..., 0]

    def time_to_point(self, lat_deg, lon_deg, height_m) -> np.ndarray:
        """Earliest arrival time [s] at the nominal speed at geodetic points."""
        return self.time_to_ecef(frames.geodetic_to_ecef(lat_deg, lon_deg, height_m))


def flyout_table(interceptor: Interceptor, site_lat_deg: float, site_lon_deg: float,
                 speeds_kms=(), physics: Physics | None = None, n_azimuths: int = 8,
                 range_step_m: float = 10e3, height_step_m: float = 5e3,
                 sample_s: float = 8.0, bearings_deg=None) -> FlyoutTable:
    """Integrate the fly-out families from a site and tabulate the earliest arrival times.

    ``speeds_kms`` adds burnout speeds (same burn time and mass, see
    :meth:`Interceptor.with_speed`) after the nominal one; speeds no equivalent booster can fly
    are dropped (``FlyoutTable.speeds_kms`` lists those kept). Heights are tabulated up to the
    interceptor's maximum intercept altitude. ``bearings_deg``, if given, lists the bearings
    from the site of the points that will be looked up: launch azimuths that cannot reach those
    bearings are not flown (their slices stay NaN).
    """
    physics = physics or Physics(rtol=TABLE_RTOL)
    extra = [float(v) for v in speeds_kms if abs(v - interceptor.burnout_speed_kms) > 1e-9]
    variants = [interceptor] + [interceptor.with_speed(v) for v in extra]
    boosters = [interceptor.booster()] + calibrated(variants[1:])
    keep = [i for i, m in enumerate(boosters) if m is not None]
    boosters = [boosters[i] for i in keep]
    speeds = np.array([variants[i].burnout_speed_kms for i in keep])
    tables = pack_vehicles(boosters)
    ph = Physics(rotating=physics.rotating, j2=physics.j2, drag=physics.drag, rtol=physics.rtol,
                 record_max_step_s=RECORD_STEP_S, t_max_s=interceptor.max_flyout_time_s)
    azimuths = np.arange(n_azimuths) * 360.0 / n_azimuths
    flown = np.ones(n_azimuths, dtype=bool)
    if bearings_deg is not None:
        b = np.asarray(bearings_deg, dtype=float).ravel()
        b = np.unique(np.round(b[np.isfinite(b)]))  # whole degrees are plenty here
        reach = 360.0 / n_azimuths + TURN_MARGIN_DEG
        flown = np.array([(np.abs((b - a + 180.0) % 360.0 - 180.0) < reach).any()
                          for a in azimuths])
        if not flown.any():
            flown[0] = True  # nothing to look up: fly one azimuth for a well-formed table
    k = len(KICKS_DEG)
    az_used = azimuths[flown]
    veh = np.repeat(np.arange(len(boosters)), len(az_used) * k)
    az_all = np.tile(np.repeat(az_used, k), len(boosters))
    kick_all = np.tile(KICKS_DEG, len(boosters) * len(az_used))
    burn = boosters[0].total_burn_time_s  # the same for every speed variant
    b = fly_missiles(tables, veh, site_lat_deg, site_lon_deg, az_all, kick_all, burn,
                     physics=ph, record=True)

    d_theta = range_step_m / R_REF_M
    # extent: the farthest and highest any fly-out gets (a cheap bound from the records)
    r_all = np.linalg.norm(b.y[..., :3], axis=-1)
    site = Topocentric(site_lat_deg, site_lon_deg)
    cosang = np.einsum("nmk,k->nm", b.y[..., :3], site.ecef) / (r_all * np.linalg.norm(site.ecef))
    # the records are inertial: the site moves by up to omega * t_max along its parallel
    theta_max = float(np.nanmax(np.arccos(np.clip(cosang, -1, 1)))) + (
        ph.omega * ph.t_max_s * np.cos(site_lat_deg * DEG))
    h_top = min(float(np.nanmax(r_all)) - WGS84_B,
                interceptor.max_intercept_altitude_km * 1e3) + 2 * height_step_m
    # cap the grid size: the arrival-time field is smooth, so reaches of thousands of km (fast
    # interceptors) are tabulated on proportionally coarser cells
    d_theta = max(d_theta, theta_max / MAX_CELLS[0])
    height_step_m = max(height_step_m, h_top / MAX_CELLS[1])
    n_r = int(np.ceil(theta_max / d_theta)) + 2
    n_h = int(np.ceil(h_top / height_step_m)) + 2
    shape = (len(boosters) * n_azimuths, n_r, n_h)
    slices = (np.arange(len(boosters))[:, None] * n_azimuths
              + np.flatnonzero(flown)[None, :]).ravel()
    t_out = np.full(shape, np.inf, dtype=np.float32)
    v_out = np.full(shape, np.nan, dtype=np.float32)
    s_out = np.full(shape, np.nan, dtype=np.float32)
    tab = FlyoutTable(interceptor.name, speeds, site_lat_deg, site_lon_deg, n_azimuths,
                      d_theta, height_step_m, t_out, v_out, s_out)
    su, no, ea = site.geocentric_basis()  # geocentric (up, north, east) of the site
    n_t = int(np.ceil(ph.t_max_s / sample_s)) + 1
    launch_az = np.radians(az_all[::k])
    parallel_blocks(lambda g: _build(b.t, b.y, b.n, k, sample_s, n_t, ph.omega, su, no, ea,
                                     launch_az, slices, d_theta, height_step_m, t_out, v_out,
                                     s_out, g.start, g.stop), len(slices), size=1)
    t_out[np.isinf(t_out)] = np.nan
    full = (len(boosters), n_azimuths, n_r, n_h)
    tab.time_s, tab.speed_m_s, tab.turn_rad = (a.reshape(full) for a in (t_out, v_out, s_out))
    return tab
