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
def _raster_triangle(xa, ya, xb, yb, xc, yc, va, vb, vc, t_out, v_out, s_out, sa, sb, sc,
                     i_off, j_off):
    """Write barycentric interpolants of (time, speed, turn) into the cells (integer grid
    points) inside triangle a-b-c (grid units), keeping the earliest time per cell. The output
    arrays hold the cells from (i_off, j_off) on: (0, 0) for a whole table slice, a window of
    it otherwise (the same numbers in the cells both hold)."""
    det = (yb - yc) * (xa - xc) + (xc - xb) * (ya - yc)
    if abs(det) < 1e-12:
        return
    n_r, n_h = t_out.shape
    i0 = max(int(math.ceil(min(xa, xb, xc))), i_off)
    i1 = min(int(math.floor(max(xa, xb, xc))), i_off + n_r - 1)
    j0 = max(int(math.ceil(min(ya, yb, yc))), j_off)
    j1 = min(int(math.floor(max(ya, yb, yc))), j_off + n_h - 1)
    eps = -1e-9
    for i in range(i0, i1 + 1):
        for j in range(j0, j1 + 1):
            la = ((yb - yc) * (i - xc) + (xc - xb) * (j - yc)) / det
            lb = ((yc - ya) * (i - xc) + (xa - xc) * (j - yc)) / det
            lc = 1.0 - la - lb
            if la < eps or lb < eps or lc < eps:
                continue
            t = la * va[0] + lb * vb[0] + lc * vc[0]
            if t < t_out[i - i_off, j - j_off]:
                t_out[i - i_off, j - j_off] = t
                v_out[i - i_off, j - j_off] = la * va[1] + lb * vb[1] + lc * vc[1]
                s_out[i - i_off, j - j_off] = la * sa + lb * sb + lc * sc


@njit(cache=True, nogil=True)
def _family_mesh(ts, ys, ns, first, n_kick, dt, n_t, omega, su, no, ea, az, d_theta, d_h,
                 h_stop):
    """One family of fly-outs (record rows ``first ... first + n_kick - 1``: one speed, launch
    azimuth ``az`` [rad], every kick) resampled every ``dt`` up to its highest point or
    ``h_stop``: per fly-out and sample, grid x (theta), grid y (height), speed, turn, and the
    sample times."""
    gx = np.full((n_kick, n_t), np.nan)
    gy = np.full((n_kick, n_t), np.nan)
    sp = np.full((n_kick, n_t), np.nan)
    turn = np.full((n_kick, n_t), np.nan)
    buf = np.empty((n_t, 6))
    tq = np.arange(n_t) * dt
    for k in range(n_kick):
        i = first + k
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
            d = beta - az
            turn[k, j] = (d + math.pi) % (2.0 * math.pi) - math.pi
    return gx, gy, sp, turn, tq


@njit(cache=True, nogil=True)
def _raster_family(gx, gy, sp, turn, tq, to, vo, so, i_off, j_off):
    """Rasterise one family's mesh (see :func:`_family_mesh`) into one table slice or a window
    of it starting at cell (i_off, j_off)."""
    n_kick, n_t = gx.shape
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
                             turn[k, j], turn[k + 1, j], turn[k + 1, j + 1], i_off, j_off)
            vb[0], vb[1] = tq[j + 1], sp[k, j + 1]
            _raster_triangle(gx[k, j], gy[k, j], gx[k + 1, j + 1], gy[k + 1, j + 1],
                             gx[k, j + 1], gy[k, j + 1], va, vc, vb, to, vo, so,
                             turn[k, j], turn[k + 1, j + 1], turn[k, j + 1], i_off, j_off)


@njit(cache=True, nogil=True)
def _build(ts, ys, ns, n_kick, dt, n_t, omega, su, no, ea, launch_az, slices, d_theta, d_h,
           t_out, v_out, s_out, g0, g1):
    """Rasterise fly-out families: rows ``g * n_kick ... (g + 1) * n_kick - 1`` of the records
    are one family (one speed and launch azimuth ``launch_az[g]``) written into table slice
    ``slices[g]`` (cells no triangle covers get NaN times), for families g0 <= g < g1
    (threads take disjoint ranges)."""
    # one sample above the table's top still closes the quads that straddle it
    h_stop = (t_out.shape[2] - 1) * d_h + dt * 12e3
    for g in range(g0, g1):
        gx, gy, sp, turn, tq = _family_mesh(ts, ys, ns, g * n_kick, n_kick, dt, n_t, omega, su,
                                            no, ea, launch_az[g], d_theta, d_h, h_stop)
        to = t_out[slices[g]]
        to[:] = np.inf  # the earliest time wins
        _raster_family(gx, gy, sp, turn, tq, to, v_out[slices[g]], s_out[slices[g]], 0, 0)
        for i in range(to.shape[0]):
            for j in range(to.shape[1]):
                if math.isinf(to[i, j]):
                    to[i, j] = np.nan


@njit(cache=True, nogil=True)
def _build_cells(ts, ys, ns, n_kick, dt, n_t, omega, su, no, ea, launch_az, d_theta, d_h,
                 h_stop, off, t_out, v_out, s_out, g0, g1):
    """As :func:`_build`, each family g with its own cell sizes and top (``d_theta[g]``,
    ``d_h[g]``, ``h_stop[g]``) into its own window ``t_out[g]`` of cells from ``off[g]``."""
    for g in range(g0, g1):
        gx, gy, sp, turn, tq = _family_mesh(ts, ys, ns, g * n_kick, n_kick, dt, n_t, omega, su,
                                            no, ea, launch_az[g], d_theta[g], d_h[g],
                                            h_stop[g])
        _raster_family(gx, gy, sp, turn, tq, t_out[g], v_out[g], s_out[g], off[g, 0],
                       off[g, 1])


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
    """Arrival time at ECEF points for every tabulated speed, and the interceptor's speed there
    for the first ``out_v.shape[1]`` of them (NaN where ``use`` is False or the point is off
    the table)."""
    n_s = time_s.shape[0]
    n_v = out_v.shape[1]
    n_r, n_h = time_s.shape[2], time_s.shape[3]
    for n in range(xyz.shape[0]):
        u = w = -1.0
        if use[n] and math.isfinite(xyz[n, 0]):
            beta, theta, h = _site_coords(xyz[n, 0], xyz[n, 1], xyz[n, 2], su, no, ea)
            u, w = theta / d_theta, h / d_h
        if not (u >= 0.0 and w >= 0.0 and u <= n_r - 1 and w <= n_h - 1):
            for s in range(n_s):
                out_t[n, s] = np.nan
            for s in range(n_v):
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
            if s < n_v:
                out_v[n, s] = _interp(speed[s], alpha / d_az, u, w)


@njit(cache=True, inline="always")
def _interp_cells(tab, fam, off, a, u, w, n_r, n_h, missing):
    """:func:`_interp` on the windows of :func:`_build_cells`: ``fam`` (A,) maps each launch
    azimuth to its family (-1: not flown, NaN; noted in ``missing`` (A,)), ``off`` the
    windows' first cells; (n_r, n_h) is the size of the whole grid. The same arithmetic as
    :func:`_interp`, so the same number."""
    n_a = fam.shape[0]
    fa = math.floor(a)
    ta = a - fa
    i0 = int(fa) % n_a
    i1 = (i0 + 1) % n_a
    j0 = min(int(u), n_r - 2)
    k0 = min(int(w), n_h - 2)
    tu, tw = u - j0, w - k0
    out = 0.0
    for ii, wa in ((i0, 1.0 - ta), (i1, ta)):
        f = fam[ii]
        p = np.nan
        if f < 0:
            missing[ii] = True
        else:
            jj, kk = j0 - off[f, 0], k0 - off[f, 1]
            if jj >= 0 and kk >= 0 and jj + 1 < tab.shape[1] and kk + 1 < tab.shape[2]:
                p = ((1 - tu) * (1 - tw) * tab[f, jj, kk] + tu * (1 - tw) * tab[f, jj + 1, kk]
                     + (1 - tu) * tw * tab[f, jj, kk + 1] + tu * tw * tab[f, jj + 1, kk + 1])
        out += wa * p
    return out


@njit(cache=True, nogil=True)
def _lookup_cells(xyz, su, no, ea, need, fam, off, time_s, turn, d_az, d_theta, d_h, n_r, n_h,
                  out_t, missing):
    """:func:`_lookup` on the windows of :func:`_build_cells`, speed s only at the points with
    ``need[:, s]``; per speed its family map ``fam[s]``, cell sizes and grid size. Launch
    azimuths a lookup of speed s read but that were not flown are set in ``missing[s]``."""
    n_s = need.shape[1]
    for n in range(xyz.shape[0]):
        beta = theta = h = np.nan
        if math.isfinite(xyz[n, 0]):
            beta, theta, h = _site_coords(xyz[n, 0], xyz[n, 1], xyz[n, 2], su, no, ea)
        for s in range(n_s):
            out_t[n, s] = np.nan
            if not need[n, s]:
                continue
            u, w = theta / d_theta[s], h / d_h[s]
            if not (u >= 0.0 and w >= 0.0 and u <= n_r[s] - 1 and w <= n_h[s] - 1):
                continue
            alpha = beta
            for _ in range(2):  # launch azimuth whose fly-outs turn onto bearing beta
                tr = _interp_cells(turn, fam[s], off, alpha / d_az, u, w, n_r[s], n_h[s],
                                   missing[s])
                if not math.isfinite(tr):
                    break
                alpha = beta - tr
            out_t[n, s] = _interp_cells(time_s, fam[s], off, alpha / d_az, u, w, n_r[s],
                                        n_h[s], missing[s])


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

    def lookup(self, xyz_ecef, where=None,
               speeds_of: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Arrival time [s] and interceptor speed [m/s] at Earth-fixed points (..., 3) [m], each
        (..., S) over the tabulated speeds (NaN out of reach, and where ``where`` is False).
        ``speeds_of`` = k returns the interceptor speeds of the first k tabulated speeds only,
        (..., k) (the arrival times of all of them are unchanged)."""
        xyz = np.asarray(xyz_ecef, dtype=float)
        flat = np.ascontiguousarray(xyz.reshape(-1, 3))
        use = (np.ones(flat.shape[0], dtype=bool) if where is None
               else np.ascontiguousarray(np.broadcast_to(where, xyz.shape[:-1]).ravel()))
        n_s = len(self.speeds_kms)
        n_v = n_s if speeds_of is None else max(0, min(int(speeds_of), n_s))
        t = np.empty((flat.shape[0], n_s))
        v = np.empty((flat.shape[0], n_v))
        frame = Topocentric(self.site_lat_deg, self.site_lon_deg).geocentric_basis()
        parallel_blocks(lambda b: _lookup(
            flat[b], *frame, use[b], self.time_s, self.speed_m_s, self.turn_rad,
            2 * np.pi / self.n_azimuths, self.angle_step_rad, self.height_step_m, t[b], v[b]),
            flat.shape[0], 4096)
        return t.reshape(xyz.shape[:-1] + (n_s,)), v.reshape(xyz.shape[:-1] + (n_v,))

    def time_to_ecef(self, xyz_ecef) -> np.ndarray:
        """Earliest arrival time [s] at the nominal speed at Earth-fixed points (..., 3) [m]."""
        return self.lookup(xyz_ecef)[0][..., 0]

    def time_to_point(self, lat_deg, lon_deg, height_m) -> np.ndarray:
        """Earliest arrival time [s] at the nominal speed at geodetic points."""
        return self.time_to_ecef(frames.geodetic_to_ecef(lat_deg, lon_deg, height_m))


def _azimuths_toward(bearings_deg, n_azimuths: int) -> np.ndarray:
    """Launch azimuths (mask over the n_azimuths of a table) whose fly-outs can reach points at
    these bearings [deg] from the site, turning by up to TURN_MARGIN_DEG."""
    azimuths = np.arange(n_azimuths) * 360.0 / n_azimuths
    b = np.asarray(bearings_deg, dtype=float).ravel()
    b = np.unique(np.round(b[np.isfinite(b)]))  # whole degrees are plenty here
    reach = 360.0 / n_azimuths + TURN_MARGIN_DEG
    flown = np.array([(np.abs((b - a + 180.0) % 360.0 - 180.0) < reach).any()
                      for a in azimuths])
    if not flown.any():
        flown[0] = True  # nothing to look up: fly one azimuth for a well-formed table
    return flown


def _grid(y, site: Topocentric, ph: Physics, interceptor: Interceptor, range_step_m: float,
          height_step_m: float) -> tuple[float, float, int, int]:
    """Cells of a table from the records ``y`` (n, k, 6) of its fly-outs (NaN-padded): (angle
    step [rad], height step [m], angle cells, height cells)."""
    d_theta = range_step_m / R_REF_M
    # extent: the farthest and highest any fly-out gets (a cheap bound from the records)
    r_all = np.linalg.norm(y[..., :3], axis=-1)
    cosang = np.einsum("nmk,k->nm", y[..., :3], site.ecef) / (r_all * np.linalg.norm(site.ecef))
    # the records are inertial: the site moves by up to omega * t_max along its parallel
    theta_max = float(np.nanmax(np.arccos(np.clip(cosang, -1, 1)))) + (
        ph.omega * ph.t_max_s * np.cos(site.lat_deg * DEG))
    h_top = min(float(np.nanmax(r_all)) - WGS84_B,
                interceptor.max_intercept_altitude_km * 1e3) + 2 * height_step_m
    # cap the grid size: the arrival-time field is smooth, so reaches of thousands of km (fast
    # interceptors) are tabulated on proportionally coarser cells
    d_theta = max(d_theta, theta_max / MAX_CELLS[0])
    height_step_m = max(height_step_m, h_top / MAX_CELLS[1])
    n_r = int(np.ceil(theta_max / d_theta)) + 2
    n_h = int(np.ceil(h_top / height_step_m)) + 2
    return d_theta, height_step_m, n_r, n_h


def flyout_table(interceptor: Interceptor, site_lat_deg: float, site_lon_deg: float,
                 speeds_kms=(), physics: Physics | None = None, n_azimuths: int = 8,
                 range_step_m: float = 10e3, height_step_m: float = 5e3,
                 sample_s: float = 8.0, bearings_deg=None,
                 flown_azimuths=None) -> FlyoutTable:
    """Integrate the fly-out families from a site and tabulate the earliest arrival times.

    ``speeds_kms`` adds burnout speeds (same burn time and mass, see
    :meth:`Interceptor.with_speed`) after the nominal one; speeds no equivalent booster can fly
    are dropped (``FlyoutTable.speeds_kms`` lists those kept). Heights are tabulated up to the
    interceptor's maximum intercept altitude. ``bearings_deg``, if given, lists the bearings
    from the site of the points that will be looked up: launch azimuths that cannot reach those
    bearings are not flown (their slices stay NaN). ``flown_azimuths`` (n_azimuths,) bool, if
    given, says which launch azimuths to fly instead (see :func:`flyout_arrivals`).
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
    flown = (np.ones(n_azimuths, dtype=bool) if bearings_deg is None
             else _azimuths_toward(bearings_deg, n_azimuths))
    if flown_azimuths is not None:
        flown = np.array(flown_azimuths, dtype=bool).reshape(n_azimuths)
    k = len(KICKS_DEG)
    az_used = azimuths[flown]
    veh = np.repeat(np.arange(len(boosters)), len(az_used) * k)
    az_all = np.tile(np.repeat(az_used, k), len(boosters))
    kick_all = np.tile(KICKS_DEG, len(boosters) * len(az_used))
    burn = boosters[0].total_burn_time_s  # the same for every speed variant
    b = fly_missiles(tables, veh, site_lat_deg, site_lon_deg, az_all, kick_all, burn,
                     physics=ph, record=True)

    site = Topocentric(site_lat_deg, site_lon_deg)
    d_theta, height_step_m, n_r, n_h = _grid(b.y, site, ph, interceptor, range_step_m,
                                             height_step_m)
    shape = (len(boosters) * n_azimuths, n_r, n_h)
    slices = (np.arange(len(boosters))[:, None] * n_azimuths
              + np.flatnonzero(flown)[None, :]).ravel()
    t_out = np.full(shape, np.nan, dtype=np.float32)  # slices flown: see _build
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
    full = (len(boosters), n_azimuths, n_r, n_h)
    tab.time_s, tab.speed_m_s, tab.turn_rad = (a.reshape(full) for a in (t_out, v_out, s_out))
    return tab


def flyout_arrivals(interceptor: Interceptor, site_lat_deg: float, site_lon_deg: float,
                    speeds_kms, xyz_ecef, need, physics: Physics | None = None,
                    n_azimuths: int = 8, range_step_m: float = 10e3,
                    height_step_m: float = 5e3, sample_s: float = 8.0,
                    azimuths: str = "bearings"
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival times [s] of ``interceptor`` flown at other burnout speeds, only at the points
    that ask for them: for few points, much cheaper than tabulating the speeds.

    ``xyz_ecef`` (N, 3) Earth-fixed points [m]; ``need`` (N, S) bool: the points at which each
    speed of ``speeds_kms`` (S,) [km/s] is wanted. Each speed has the cells and extent of its
    own single-speed table, and the launch azimuths (all speeds are integrated in one batch;
    each family of fly-outs is rasterised only into the cells the lookups read):

    * ``azimuths="bearings"``: those its table would fly toward the bearings B of the points
      that need it, so that column s holds, to the last bit, what
      ``flyout_table(interceptor.with_speed(v), site_lat_deg, site_lon_deg,
      bearings_deg=B).lookup(xyz_ecef, where=need[:, s])[0][:, 0]`` gives;
    * ``"needed"``: the two around the bearing of each point that needs it, then any other a
      lookup reads (the fly-outs turn), found by looking up again (about a fifth fewer in
      the refinement of the benchmark study), so that column s is what
      ``flyout_table(..., flown_azimuths=flown[s])`` gives.

    Returns (kept (S,) bool: an equivalent booster flies the speed, times (N, S): NaN where
    not needed, not reachable or not kept, flown (S, n_azimuths) bool: the launch azimuths each
    speed flew).
    """
    if azimuths not in ("bearings", "needed"):
        raise ValueError(f"azimuths must be 'bearings' or 'needed', not {azimuths!r}")
    physics = physics or Physics(rtol=TABLE_RTOL)
    xyz = np.asarray(xyz_ecef, dtype=float).reshape(-1, 3)
    speeds = np.asarray(speeds_kms, dtype=float).ravel()
    need = np.asarray(need, dtype=bool).reshape(len(xyz), len(speeds))
    out = np.full((len(xyz), len(speeds)), np.nan)
    flown_out = np.zeros((len(speeds), n_azimuths), dtype=bool)
    found = calibrated([interceptor.with_speed(v) for v in speeds])
    kept = np.array([m is not None for m in found], dtype=bool)
    todo = np.flatnonzero(kept & need.any(axis=0))
    if len(todo) == 0:
        return kept, out, flown_out
    pts = np.flatnonzero(need[:, todo].any(axis=1))
    p_xyz = np.ascontiguousarray(xyz[pts])
    p_need = np.ascontiguousarray(need[np.ix_(pts, todo)])
    coords = site_coords(site_lat_deg, site_lon_deg, p_xyz)  # (bearing rad, theta rad, h m)
    bearing_deg = np.degrees(coords[:, 0])
    n_s = len(todo)
    flown = np.zeros((n_s, n_azimuths), dtype=bool)
    for s in range(n_s):
        b = bearing_deg[p_need[:, s]]
        if azimuths == "bearings" or not np.isfinite(b).any():
            flown[s] = _azimuths_toward(b, n_azimuths)
        else:  # the two launch azimuths around each bearing: every lookup reads those
            a = np.floor(b[np.isfinite(b)] / (360.0 / n_azimuths)).astype(np.int64)
            flown[s, a % n_azimuths] = flown[s, (a + 1) % n_azimuths] = True

    boosters = [found[i] for i in todo]
    ph = Physics(rotating=physics.rotating, j2=physics.j2, drag=physics.drag, rtol=physics.rtol,
                 record_max_step_s=RECORD_STEP_S, t_max_s=interceptor.max_flyout_time_s)
    k = len(KICKS_DEG)
    az_deg = np.arange(n_azimuths) * 360.0 / n_azimuths
    site = Topocentric(site_lat_deg, site_lon_deg)
    su, no, ea = site.geocentric_basis()
    n_t = int(np.ceil(ph.t_max_s / sample_s)) + 1
    fam_speed, fam_az = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rec_t, rec_y, rec_n = [], [], []
    while True:
        # fly the families (speed, launch azimuth) not flown yet, in one batch
        have = np.zeros((n_s, n_azimuths), dtype=bool)
        have[fam_speed, fam_az] = True
        new_s, new_a = np.nonzero(flown & ~have)
        if len(new_s):
            burn = np.array([boosters[i].total_burn_time_s for i in new_s])
            b = fly_missiles(pack_vehicles(boosters), np.repeat(new_s, k), site_lat_deg,
                             site_lon_deg, np.repeat(az_deg[new_a], k),
                             np.tile(KICKS_DEG, len(new_s)), np.repeat(burn, k), physics=ph,
                             record=True)
            rec_t.append(b.t)
            rec_y.append(b.y)
            rec_n.append(b.n)
            fam_speed = np.concatenate([fam_speed, new_s])
            fam_az = np.concatenate([fam_az, new_a])
        width = max(t.shape[1] for t in rec_t)
        ts = np.concatenate([np.pad(t, ((0, 0), (0, width - t.shape[1])),
                                    constant_values=np.nan) for t in rec_t])
        ys = np.concatenate([np.pad(y, ((0, 0), (0, width - y.shape[1]), (0, 0)),
                                    constant_values=np.nan) for y in rec_y])
        ns = np.concatenate(rec_n)
        res, missing = _arrivals_from(
            ts, ys, ns, fam_speed, fam_az, n_s, az_deg, k, site, su, no, ea, ph, interceptor,
            range_step_m, height_step_m, sample_s, n_t, coords, p_xyz, p_need)
        if azimuths == "bearings" or not (missing & ~flown).any():
            break
        flown |= missing  # a lookup read a launch azimuth not flown: fly it, look up again
    out[np.ix_(pts, todo)] = res
    flown_out[todo] = flown
    return kept, out, flown_out


def _arrivals_from(ts, ys, ns, fam_speed, fam_az, n_s, az_deg, k, site, su, no, ea, ph,
                   interceptor, range_step_m, height_step_m, sample_s, n_t, coords, p_xyz,
                   p_need):
    """The tables of :func:`flyout_arrivals` from the records of its families (rows
    ``f * k ... f * k + k - 1`` are family f: speed ``fam_speed[f]``, launch azimuth
    ``az_deg[fam_az[f]]``), rasterised only into the cells the lookups read, and the lookups:
    (times (P, n_s), launch azimuths read but not flown (n_s, n_azimuths))."""
    n_azimuths = len(az_deg)
    d_theta, d_h = np.empty(n_s), np.empty(n_s)
    n_r, n_h = np.empty(n_s, dtype=np.int64), np.empty(n_s, dtype=np.int64)
    win = np.zeros((n_s, 4), dtype=np.int64)  # first and last angle cell, first and last height
    rows_of = np.repeat(fam_speed, k)
    for s in range(n_s):
        d_theta[s], d_h[s], n_r[s], n_h[s] = _grid(ys[rows_of == s], site, ph, interceptor,
                                                   range_step_m, height_step_m)
        u = coords[p_need[:, s], 1] / d_theta[s]
        w = coords[p_need[:, s], 2] / d_h[s]
        on = (u >= 0.0) & (w >= 0.0) & (u <= n_r[s] - 1) & (w <= n_h[s] - 1)
        if on.any():
            # the lookup reads cells j0, j0 + 1 (k0, k0 + 1); one more on each side is slack
            j0 = np.minimum(u[on].astype(np.int64), n_r[s] - 2)
            k0 = np.minimum(w[on].astype(np.int64), n_h[s] - 2)
            win[s] = (max(j0.min() - 1, 0), min(j0.max() + 2, n_r[s] - 1),
                      max(k0.min() - 1, 0), min(k0.max() + 2, n_h[s] - 1))
    n_f = len(fam_speed)
    shape = (n_f, int((win[:, 1] - win[:, 0]).max()) + 1, int((win[:, 3] - win[:, 2]).max()) + 1)
    t_w = np.full(shape, np.inf, dtype=np.float32)
    v_w = np.full(shape, np.nan, dtype=np.float32)
    s_w = np.full(shape, np.nan, dtype=np.float32)
    off = np.ascontiguousarray(win[fam_speed][:, [0, 2]])
    fam = np.full((n_s, n_azimuths), -1, dtype=np.int64)
    fam[fam_speed, fam_az] = np.arange(n_f)
    # one sample above the table's top still closes the quads that straddle it (as _build)
    h_stop = (n_h[fam_speed] - 1) * d_h[fam_speed] + sample_s * 12e3
    launch_az = np.radians(az_deg[fam_az])
    fd_theta, fd_h = d_theta[fam_speed], d_h[fam_speed]
    parallel_blocks(lambda g: _build_cells(ts, ys, ns, k, sample_s, n_t, ph.omega, su, no, ea,
                                           launch_az, fd_theta, fd_h, h_stop, off, t_w, v_w,
                                           s_w, g.start, g.stop), n_f, size=1)
    t_w[np.isinf(t_w)] = np.nan
    res = np.empty((len(p_xyz), n_s))
    missing = np.zeros((n_s, n_azimuths), dtype=bool)
    parallel_blocks(lambda r: _lookup_cells(
        p_xyz[r], su, no, ea, p_need[r], fam, off, t_w, s_w, 2 * np.pi / n_azimuths, d_theta,
        d_h, n_r, n_h, res[r], missing), len(p_xyz), 4096)
    return res, missing
