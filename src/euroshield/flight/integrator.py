"""Batched trajectory integrator: boost, free flight and re-entry on the rotating oblate Earth.

Numeric core only (no I/O, no plotting). One call integrates many trajectories (the engine runs
row blocks on one thread per core; the kernel releases the GIL); each trajectory is advanced by
an adaptive Dormand–Prince 8(5,3) scheme (the DOP853 coefficients are SciPy's, vendored in
data/dop853.json so they are not re-typed by hand; SciPy's ``solve_ivp``
cannot be used here because it runs one Python-level trajectory at a time, which is what the
benchmark compares against).

Frame and units: the state ``y = (x, y, z, vx, vy, vz)`` is in the Earth-centred inertial frame
that coincides with ECEF at t = 0 s (the scenario epoch), metres and m/s. The Earth turns about +z
at ``omega`` rad/s; the air co-rotates with it. Gravity is point mass + J2 (WGS84). Height is the
ellipsoidal (WGS84) height, or ``|r| - R`` on a sphere when ``sphere_radius > 0``.

Vehicle model (point mass): stages burn one after another; thrust in vacuum is
``mdot * g0 * Isp_vac`` and falls with ambient pressure through the nozzle exit area implied by the
sea-level Isp. Guidance: vertical rise, a pitch-over, then a
gravity turn (thrust along the air-relative velocity); during the pitch-over the thrust
is held at ``kick`` off the velocity, toward ``azimuth``. At ``cutoff`` thrust ends and the payload
flies on as a re-entry vehicle with ballistic coefficient ``beta`` (kg/m^2).
"""

from __future__ import annotations

import json
import math
from importlib import resources

import numpy as np
from numba import njit

from euroshield.earth.atmosphere import H_MAX_M, atmosphere_nb, density_nb
from euroshield.earth.constants import G0, GM_EARTH, WGS84_A
from euroshield.earth.frames import approx_height_nb, geodetic_height_nb
from euroshield.earth.gravity import j2_gravity_nb, point_mass_gravity_nb

# Butcher tableau of DOP853 (Hairer, Norsett & Wanner) as published by SciPy, vendored by
# tools/make_dop853_tableau.py so that start-up does not import scipy.integrate (0.6 s)
_TAB = json.loads(resources.files("euroshield.flight").joinpath("data/dop853.json").read_text())
_A, _B, _C, _E3, _E5 = (np.ascontiguousarray(_TAB[k], dtype=np.float64)
                        for k in ("A", "B", "C", "E3", "E5"))
_NST = 12
# sparse (CSR) form of the tableau: the step walks only the non-zero coefficients
_A_PTR = np.zeros(_NST + 1, dtype=np.int64)
for _s in range(_NST):
    _A_PTR[_s + 1] = _A_PTR[_s] + np.count_nonzero(_A[_s])
_A_IDX = np.concatenate([np.flatnonzero(_A[_s]) for _s in range(_NST)]).astype(np.int64)
_A_VAL = np.concatenate([_A[_s][_A[_s] != 0] for _s in range(_NST)])
_B_IDX = np.flatnonzero(_B).astype(np.int64)
_B_VAL = _B[_B_IDX].copy()
_E_IDX = np.flatnonzero((_E3 != 0) | (_E5 != 0)).astype(np.int64)
_E3_VAL = _E3[_E_IDX].copy()
_E5_VAL = _E5[_E_IDX].copy()
FAC_MAX = 6.0  # largest step growth (Hairer DOP853 default)
FAC_MIN = 0.05  # largest shrink after a rejection
DRAG_INTERFACE_M = 120e3  # coast steps from above stop here first (drag matters below)
SCALE_HEIGHT_M = 7000.0  # density scale height of the lower atmosphere (US76, roughly)
STEP_SCALE_HEIGHTS = 5.0  # a trial step in the air descends at most this many scale heights
PI_BETA = 0.08

P0_SEA_LEVEL = 101325.0  # Pa, US76 sea-level pressure: reference for the sea-level Isp

# ---- layout of the packed vehicle tables ------------------------------------------------------
MAX_STAGES = 4
# stage_tab[v, k, :]
S_PROP, S_DRY, S_BURN, S_ISPV, S_ISPSL, S_AREA = range(6)
N_STAGE_FIELDS = 6
# veh_tab[v, :]
V_NSTAGES, V_PAYLOAD, V_BETA, V_TVERT, V_TKICK = range(5)
N_VEH_FIELDS = 5

# ---- segment types ---------------------------------------------------------------------------
SEG_VERTICAL, SEG_KICK, SEG_TURN, SEG_COAST = 0, 1, 2, 3

# ---- events[i, :] layout ---------------------------------------------------------------------
E_STATUS = 0
E_T_BURNOUT = 1
E_Y_BURNOUT = 2  # 6 values
E_T_APOGEE = 8
E_Y_APOGEE = 9  # 6 values
E_T_REENTRY = 15  # descending through reentry_alt (100 km by default)
E_T_IMPACT = 16
E_Y_IMPACT = 17  # 6 values
E_NSTEPS = 23
E_NFEV = 24
E_MAX_HEIGHT = 25
E_NREJECT = 26
N_EVENTS = 27

# status codes
ST_OK = 0
ST_NO_IMPACT = 1  # t_max reached in flight
ST_CRASH_BOOST = 2  # hit the ground while thrusting
ST_TOO_MANY_STEPS = 3
ST_RECORD_FULL = 4  # the recording buffer filled up (events are still valid)
STATUS_TEXT = {
    ST_OK: "ok",
    ST_NO_IMPACT: "no impact before t_max",
    ST_CRASH_BOOST: "fell back (or hit the ground) during boost",
    ST_TOO_MANY_STEPS: "step limit reached",
    ST_RECORD_FULL: "recording buffer full",
}

# env[:] layout: physical switches shared by every trajectory of a call
(ENV_OMEGA, ENV_J2, ENV_DRAG, ENV_SPHERE_R, ENV_IMPACT_ALT, ENV_REENTRY_ALT, ENV_GRAVITY,
 ENV_EXP_RHO0, ENV_EXP_H) = range(9)
N_ENV = 9

# seg[:] layout: parameters of the current flight segment
(G_TYPE, G_T0, G_STAGE, G_MASS0, G_MDOT, G_TVAC, G_AEXIT, G_AREA, G_BETA, G_AZ, G_KICK,
 G_TKICK0, G_TKICKDUR) = range(13)
N_SEG = 13


@njit(cache=True, inline="always")
def _height(x, y, z, sphere_r):
    """Exact height above the model Earth (events, reports)."""
    if sphere_r > 0.0:
        return math.sqrt(x * x + y * y + z * z) - sphere_r
    return geodetic_height_nb(x, y, z)


@njit(cache=True, inline="always")
def _air_height(x, y, z, sphere_r):
    """Height for the air model: within 1 m of the exact one below 100 km, three times faster."""
    if sphere_r > 0.0:
        return math.sqrt(x * x + y * y + z * z) - sphere_r
    return approx_height_nb(x, y, z)


@njit(cache=True)
def _cd_lookup(mach, cdm, cdv, ncd):
    """Drag coefficient at ``mach`` from a table, linear inside, clamped outside."""
    if mach <= cdm[0]:
        return cdv[0]
    for j in range(1, ncd):
        if mach <= cdm[j]:
            f = (mach - cdm[j - 1]) / (cdm[j] - cdm[j - 1])
            return cdv[j - 1] + f * (cdv[j] - cdv[j - 1])
    return cdv[ncd - 1]


@njit(cache=True, inline="always")
def rhs(t, x, y, z, vx, vy, vz, seg, env, cdm, cdv, ncd):
    """Time derivative of the ECI state in the current segment: (vx, vy, vz, ax, ay, az)."""
    if seg[G_TYPE] == SEG_COAST:
        return coast_rhs(x, y, z, vx, vy, vz, seg[G_BETA], env)
    return powered_rhs(t, x, y, z, vx, vy, vz, seg, env, cdm, cdv, ncd)


@njit(cache=True, inline="always")
def _gravity(x, y, z, env):
    if env[ENV_GRAVITY] <= 0.0:
        return 0.0, 0.0, 0.0
    if env[ENV_J2] > 0.0:
        return j2_gravity_nb(x, y, z)
    return point_mass_gravity_nb(x, y, z)


@njit(cache=True, inline="always")
def coast_rhs(x, y, z, vx, vy, vz, beta, env):
    """Unpowered flight: gravity and, inside the atmosphere, drag of ballistic coefficient beta."""
    omega = env[ENV_OMEGA]
    ax, ay, az = _gravity(x, y, z, env)
    use_drag = env[ENV_DRAG] > 0.0
    r2 = x * x + y * y + z * z
    # |r| - a is a lower bound of the height: skip the geodetic height above the table top
    r_top = max(WGS84_A, env[ENV_SPHERE_R]) + H_MAX_M
    if use_drag and beta > 0.0 and r2 < r_top * r_top:
        h = _air_height(x, y, z, env[ENV_SPHERE_R])
        if env[ENV_EXP_H] > 0.0:  # isothermal exponential model (closed-form checks)
            rho = env[ENV_EXP_RHO0] * math.exp(-h / env[ENV_EXP_H])
        else:
            rho = density_nb(h)
        if rho > 0.0:
            # air velocity relative to the co-rotating atmosphere
            wx = vx + omega * y
            wy = vy - omega * x
            wz = vz
            w = math.sqrt(wx * wx + wy * wy + wz * wz)
            k = -0.5 * rho * w / beta
            ax += k * wx
            ay += k * wy
            az += k * wz
    return vx, vy, vz, ax, ay, az


@njit(cache=True)
def powered_rhs(t, x, y, z, vx, vy, vz, seg, env, cdm, cdv, ncd):
    """Powered flight: gravity, thrust along the guidance direction, boost drag."""
    omega = env[ENV_OMEGA]
    ax, ay, az = _gravity(x, y, z, env)
    use_drag = env[ENV_DRAG] > 0.0
    h = _air_height(x, y, z, env[ENV_SPHERE_R])
    rho, p, a_sound = atmosphere_nb(h)
    mass = seg[G_MASS0] - seg[G_MDOT] * (t - seg[G_T0])
    thrust = seg[G_TVAC] - seg[G_AEXIT] * p
    wx = vx + omega * y
    wy = vy - omega * x
    wz = vz
    w = math.sqrt(wx * wx + wy * wy + wz * wz)
    if use_drag and rho > 0.0 and w > 0.0:
        cd = _cd_lookup(w / a_sound, cdm, cdv, ncd)
        k = -0.5 * rho * w * cd * seg[G_AREA] / mass
        ax += k * wx
        ay += k * wy
        az += k * wz
    r = math.sqrt(x * x + y * y + z * z)
    ux, uy, uz = x / r, y / r, z / r
    if w > 0.0:
        vx_u, vy_u, vz_u = wx / w, wy / w, wz / w
    else:
        vx_u, vy_u, vz_u = ux, uy, uz
    seg_type = seg[G_TYPE]
    if seg_type == SEG_KICK:
        # pitch-over: thrust held at angle `kick` off the air-relative velocity, tilted toward the
        # launch azimuth, so the velocity turns over smoothly before the gravity turn takes over
        rho_xy = math.sqrt(x * x + y * y)
        ex, ey = -y / rho_xy, x / rho_xy
        nx, ny, nz = -uz * ey, uz * ex, ux * ey - uy * ex
        s_az, c_az = math.sin(seg[G_AZ]), math.cos(seg[G_AZ])
        ax_h = c_az * nx + s_az * ex
        ay_h = c_az * ny + s_az * ey
        az_h = c_az * nz
        dot = ax_h * vx_u + ay_h * vy_u + az_h * vz_u
        px, py, pz = ax_h - dot * vx_u, ay_h - dot * vy_u, az_h - dot * vz_u
        pn = math.sqrt(px * px + py * py + pz * pz)
        ck, sk = math.cos(seg[G_KICK]), math.sin(seg[G_KICK])
        dx = ck * vx_u + sk * px / pn
        dy = ck * vy_u + sk * py / pn
        dz = ck * vz_u + sk * pz / pn
    elif seg_type == SEG_TURN:
        dx, dy, dz = vx_u, vy_u, vz_u
    else:  # vertical rise
        dx, dy, dz = ux, uy, uz
    f = thrust / mass
    return vx, vy, vz, ax + f * dx, ay + f * dy, az + f * dz


@njit(cache=True)
def _step(t, y, h, K, ynew, seg, env, cdm, cdv, ncd):
    """One DOP853 step of size h from (t, y) with K[0] = f(t, y) already set.

    Fills K[1..12] (K[12] = f at the new point) and writes the new state into ynew. The tableau is
    walked in sparse form with six scalar accumulators (a third of its entries are zero)."""
    for s in range(1, _NST):
        s0 = s1 = s2 = s3 = s4 = s5 = 0.0
        for p in range(_A_PTR[s], _A_PTR[s + 1]):
            m = _A_IDX[p]
            a = _A_VAL[p]
            s0 += a * K[m, 0]
            s1 += a * K[m, 1]
            s2 += a * K[m, 2]
            s3 += a * K[m, 3]
            s4 += a * K[m, 4]
            s5 += a * K[m, 5]
        d = rhs(t + _C[s] * h, y[0] + h * s0, y[1] + h * s1, y[2] + h * s2, y[3] + h * s3,
                y[4] + h * s4, y[5] + h * s5, seg, env, cdm, cdv, ncd)
        for j in range(6):
            K[s, j] = d[j]
    s0 = s1 = s2 = s3 = s4 = s5 = 0.0
    for p in range(_B_IDX.shape[0]):
        m = _B_IDX[p]
        b = _B_VAL[p]
        s0 += b * K[m, 0]
        s1 += b * K[m, 1]
        s2 += b * K[m, 2]
        s3 += b * K[m, 3]
        s4 += b * K[m, 4]
        s5 += b * K[m, 5]
    ynew[0] = y[0] + h * s0
    ynew[1] = y[1] + h * s1
    ynew[2] = y[2] + h * s2
    ynew[3] = y[3] + h * s3
    ynew[4] = y[4] + h * s4
    ynew[5] = y[5] + h * s5
    d = rhs(t + h, ynew[0], ynew[1], ynew[2], ynew[3], ynew[4], ynew[5],
            seg, env, cdm, cdv, ncd)
    for j in range(6):
        K[12, j] = d[j]


@njit(cache=True)
def _error_norm(y, h, K, ynew, rtol, atol_r, atol_v):
    """Scaled error estimate of the DOP853 step (same formula as SciPy's DOP853)."""
    e5 = 0.0
    e3 = 0.0
    for j in range(6):
        atol = atol_r if j < 3 else atol_v
        sc = atol + rtol * max(abs(y[j]), abs(ynew[j]))
        a5 = 0.0
        a3 = 0.0
        for p in range(_E_IDX.shape[0]):
            m = _E_IDX[p]
            a5 += _E5_VAL[p] * K[m, j]
            a3 += _E3_VAL[p] * K[m, j]
        a5 /= sc
        a3 /= sc
        e5 += a5 * a5
        e3 += a3 * a3
    if e5 == 0.0 and e3 == 0.0:
        return 0.0
    denom = e5 + 0.01 * e3
    return abs(h) * e5 / math.sqrt(denom * 6.0)


@njit(cache=True)
def _quintic(y0, a0, y1, a1, h, s, out):
    """Quintic Hermite interpolant of the step from (y0, a0) to (y1, a1) at fraction s.

    Positions, velocities and accelerations match at both ends (the accelerations are the
    derivative evaluations DOP853 already has), so the error is O(h^6): sub-metre over a
    300 s vacuum step. Velocity is the derivative of the position interpolant."""
    s2 = s * s
    s3 = s2 * s
    s4 = s3 * s
    s5 = s4 * s
    b0 = 1.0 - 10.0 * s3 + 15.0 * s4 - 6.0 * s5
    b1 = s - 6.0 * s3 + 8.0 * s4 - 3.0 * s5
    b2 = 0.5 * s2 - 1.5 * s3 + 1.5 * s4 - 0.5 * s5
    b3 = 0.5 * s3 - s4 + 0.5 * s5
    b4 = -4.0 * s3 + 7.0 * s4 - 3.0 * s5
    b5 = 10.0 * s3 - 15.0 * s4 + 6.0 * s5
    d0 = -30.0 * s2 + 60.0 * s3 - 30.0 * s4
    d1 = 1.0 - 18.0 * s2 + 32.0 * s3 - 15.0 * s4
    d2 = s - 4.5 * s2 + 6.0 * s3 - 2.5 * s4
    d3 = 1.5 * s2 - 4.0 * s3 + 2.5 * s4
    d4 = -12.0 * s2 + 28.0 * s3 - 15.0 * s4
    d5 = 30.0 * s2 - 60.0 * s3 + 30.0 * s4
    hh = h * h
    for j in range(3):
        p0, v0, q0 = y0[j], y0[j + 3], a0[j + 3]
        p1, v1, q1 = y1[j], y1[j + 3], a1[j + 3]
        out[j] = b0 * p0 + b1 * h * v0 + b2 * hh * q0 + b3 * hh * q1 + b4 * h * v1 + b5 * p1
        out[j + 3] = (d0 * p0 + d1 * h * v0 + d2 * hh * q0 + d3 * hh * q1 + d4 * h * v1
                      + d5 * p1) / h


@njit(cache=True)
def _locate(kind, level, y0, a0, y1, a1, h, f0, sphere_r, out):
    """Fraction s of the step where the event function crosses zero on the quintic interpolant
    (no right-hand-side evaluations); the state there goes to ``out``. Illinois regula falsi:
    superlinear, and bracketing so it cannot escape the step."""
    lo, hi = 0.0, 1.0
    flo = f0
    _quintic(y0, a0, y1, a1, h, 1.0, out)
    fhi = _event_fn(kind, out, level, sphere_r)
    side = 0
    s = 0.5
    for _ in range(60):
        if fhi == flo:
            s = 0.5 * (lo + hi)
        else:
            s = (lo * fhi - hi * flo) / (fhi - flo)
        if not (lo < s < hi):
            s = 0.5 * (lo + hi)
        _quintic(y0, a0, y1, a1, h, s, out)
        fs = _event_fn(kind, out, level, sphere_r)
        if fs == 0.0 or hi - lo < 1e-12:
            break
        if (fs > 0.0) == (flo > 0.0):
            lo, flo = s, fs
            if side == -1:
                fhi *= 0.5
            side = -1
        else:
            hi, fhi = s, fs
            if side == 1:
                flo *= 0.5
            side = 1
        if abs(fs) < 1e-9 * (abs(flo) + abs(fhi)):
            break
    return s


@njit(cache=True, inline="always")
def _event_fn(kind, y, level, sphere_r):
    """kind 0: height - level [m]; kind 1: r.v (zero at an apsis) [m^2/s]."""
    if kind == 0:
        return _height(y[0], y[1], y[2], sphere_r) - level
    return y[0] * y[3] + y[1] * y[4] + y[2] * y[5]


@njit(cache=True)
def _refine_height(level, t, y, h, fa, fb, d0, K, ynew, ybest, seg, env, cdm, cdv, ncd, tol):
    """Locate where the height crosses ``level`` inside the accepted step [t, t + h].

    Newton iterations (the height rate is close to the radial velocity), falling back to the
    secant and safeguarded by bisection, on the step length,
    with real DOP853 steps from (t, y) (K[0] must hold f(t, y)), so the event state carries the
    integrator's accuracy rather than an interpolant's.
    ``d0`` is a first guess (from the interpolant). Returns (dt, n_steps) and leaves the event
    state in ``ybest``."""
    sphere_r = env[ENV_SPHERE_R]
    da, db = 0.0, h
    dc = d0
    dbest = d0
    nst = 0
    for _ in range(40):
        if not (da < dc < db):
            dc = 0.5 * (da + db)
        _step(t, y, dc, K, ynew, seg, env, cdm, cdv, ncd)
        nst += 1
        fc = _event_fn(0, ynew, level, sphere_r)
        for j in range(6):
            ybest[j] = ynew[j]
        dbest = dc
        if abs(fc) < tol or db - da < 1e-9:
            break
        if (fc > 0.0) == (fa > 0.0):
            da, fa = dc, fc
        else:
            db, fb = dc, fc
        yb = ybest
        r = math.sqrt(yb[0] * yb[0] + yb[1] * yb[1] + yb[2] * yb[2])
        rate = (yb[0] * yb[3] + yb[1] * yb[4] + yb[2] * yb[5]) / r
        if rate != 0.0:
            dc = dc - fc / rate
        else:
            dc = db - fb * (db - da) / (fb - fa)
    return dbest, nst


@njit(cache=True)
def _coast_step_cap(y, h, impact_alt, sphere_r, drag):
    """Largest sensible trial step for a descending coast (a step proposal, not an accuracy
    control: the error estimate still decides). A trial step that plunges through the air, or
    below the ground where the error estimate means nothing, is rejected again and again; so a
    descending step ends near the top of the sensible atmosphere first, then near the ground,
    and inside the air it spans at most a few density scale heights."""
    rv = y[0] * y[3] + y[1] * y[4] + y[2] * y[5]
    if rv >= 0.0:
        return h
    r2 = y[0] * y[0] + y[1] * y[1] + y[2] * y[2]
    r = math.sqrt(r2)
    vr = -rv / r  # descent rate > 0
    v2 = y[3] * y[3] + y[4] * y[4] + y[5] * y[5]
    # net downward acceleration: gravity less the centripetal term of the horizontal motion
    a_down = max(GM_EARTH / r2 - (v2 - vr * vr) / r, 0.0)
    height = _air_height(y[0], y[1], y[2], sphere_r)
    level = impact_alt
    if drag:
        if height > DRAG_INTERFACE_M + 1e3:
            level = DRAG_INTERFACE_M
        else:
            h = min(h, STEP_SCALE_HEIGHTS * SCALE_HEIGHT_M / vr)
    drop = max(height - level, 10.0)
    t_drop = 2.0 * drop / (vr + math.sqrt(vr * vr + 2.0 * a_down * drop))
    return min(h, 1.1 * t_drop)


@njit(cache=True)
def _build_segments(t_launch, stages, nst, veh, az, kick, cutoff):
    """Boost segments [t_start, t_end, type, stage] up to ``cutoff`` (absolute times)."""
    tv = veh[V_TVERT]
    tk = veh[V_TKICK]
    # candidate boundaries
    bnd = np.empty(nst + 4)
    nb = 0
    bnd[nb] = t_launch
    nb += 1
    for cand in (t_launch + tv, t_launch + tv + tk):
        if cand < cutoff:
            bnd[nb] = cand
            nb += 1
    tcum = t_launch
    for k in range(nst):
        tcum += stages[k, S_BURN]
        if tcum < cutoff - 1e-9:
            bnd[nb] = tcum
            nb += 1
    bnd[nb] = cutoff
    nb += 1
    b = np.sort(bnd[:nb])
    segs = np.empty((nb - 1, 4))
    ns = 0
    for i in range(nb - 1):
        if b[i + 1] - b[i] <= 1e-9:
            continue
        mid = 0.5 * (b[i] + b[i + 1])
        rel = mid - t_launch
        if rel < tv:
            typ = SEG_VERTICAL
        elif rel < tv + tk:
            typ = SEG_KICK
        else:
            typ = SEG_TURN
        tc = 0.0
        stage = nst - 1
        for k in range(nst):
            tc += stages[k, S_BURN]
            if rel < tc:
                stage = k
                break
        segs[ns, 0] = b[i]
        segs[ns, 1] = b[i + 1]
        segs[ns, 2] = typ
        segs[ns, 3] = stage
        ns += 1
    return segs[:ns]


@njit(cache=True)
def _fill_powered_seg(seg, t_launch, t0, typ, k, stages, nst, veh, az, kick):
    t_start_k = t_launch
    for j in range(k):
        t_start_k += stages[j, S_BURN]
    m_upper = veh[V_PAYLOAD]
    for j in range(k + 1, nst):
        m_upper += stages[j, S_PROP] + stages[j, S_DRY]
    mdot = stages[k, S_PROP] / stages[k, S_BURN]
    seg[G_TYPE] = typ
    seg[G_T0] = t_start_k
    seg[G_STAGE] = k
    seg[G_MASS0] = m_upper + stages[k, S_DRY] + stages[k, S_PROP]
    seg[G_MDOT] = mdot
    seg[G_TVAC] = mdot * G0 * stages[k, S_ISPV]
    seg[G_AEXIT] = mdot * G0 * (stages[k, S_ISPV] - stages[k, S_ISPSL]) / P0_SEA_LEVEL
    seg[G_AREA] = stages[k, S_AREA]
    seg[G_BETA] = veh[V_BETA]
    seg[G_AZ] = az
    seg[G_KICK] = kick
    seg[G_TKICK0] = t_launch + veh[V_TVERT]
    seg[G_TKICKDUR] = max(veh[V_TKICK], 1e-9)


@njit(cache=True)
def _integrate_one(i, y_init, t_init, boost, stages, nst, veh, cdm, cdv, ncd, az, kick, cutoff,
                   env, rtol, atol_r, atol_v, h_max, t_max, max_steps, record, out_t, out_y,
                   out_n, ev):
    K = np.empty((13, 6))
    ynew = np.empty(6)
    y = np.empty(6)
    yh = np.empty(6)
    ybest = np.empty(6)
    for j in range(6):
        y[j] = y_init[j]
    t = t_init
    seg = np.zeros(N_SEG)
    sphere_r = env[ENV_SPHERE_R]
    impact_alt = env[ENV_IMPACT_ALT]
    reentry_alt = env[ENV_REENTRY_ALT]
    for j in range(N_EVENTS):
        ev[j] = np.nan
    ev[E_STATUS] = ST_OK
    ev[E_MAX_HEIGHT] = _height(y[0], y[1], y[2], sphere_r)
    nsteps = 0
    nfev = 0
    nrec = 0
    rec_cap = out_t.shape[0]
    if record:
        out_t[0] = t
        for j in range(6):
            out_y[0, j] = y[j]
        nrec = 1

    # segment plan: powered segments, then one coast segment
    if boost:
        segs = _build_segments(t_init, stages, nst, veh, az, kick, cutoff)
    else:
        segs = np.empty((0, 4))
    nseg = segs.shape[0] + 1
    # first trial step: short on the pad; in a coast, long above the air (the error control
    # and the descent cap shorten it where needed)
    if boost:
        h = 1.0
    elif _height(y[0], y[1], y[2], sphere_r) > DRAG_INTERFACE_M:
        h = min(h_max, 60.0)
    else:
        h = min(h_max, 1.0)
    h_cur = _height(y[0], y[1], y[2], sphere_r)
    apogee_done = False
    reentry_done = False
    rejected = False
    nrej = 0
    h_rej, err_rej = 0.0, 0.0
    err_prev = 1e-4
    finished = False
    for si in range(nseg):
        if si < nseg - 1:
            t_end = segs[si, 1]
            _fill_powered_seg(seg, t_init, t, segs[si, 2], int(segs[si, 3]), stages, nst, veh,
                              az, kick)
        else:
            t_end = t_max
            seg[G_TYPE] = SEG_COAST
            seg[G_BETA] = veh[V_BETA]
            ev[E_T_BURNOUT] = t
            for j in range(6):
                ev[E_Y_BURNOUT + j] = y[j]
        d = rhs(t, y[0], y[1], y[2], y[3], y[4], y[5], seg, env, cdm, cdv, ncd)
        nfev += 1
        for j in range(6):
            K[0, j] = d[j]
        while t < t_end - 1e-12:
            if nsteps >= max_steps:
                ev[E_STATUS] = ST_TOO_MANY_STEPS
                finished = True
                break
            h = min(h, h_max, t_end - t)
            if seg[G_TYPE] == SEG_COAST:
                h = _coast_step_cap(y, h, impact_alt, sphere_r, env[ENV_DRAG] > 0.0
                                    and seg[G_BETA] > 0.0)
            _step(t, y, h, K, ynew, seg, env, cdm, cdv, ncd)
            nfev += 12
            err = _error_norm(y, h, K, ynew, rtol, atol_r, atol_v)
            if err > 1.0:
                # after a second rejection in a row, measure the order the error actually shows
                # (non-smooth air makes it far below 8) and shrink accordingly
                expo = 1.0 / 8.0
                if rejected and err < err_rej and h < h_rej:
                    p_eff = math.log(err_rej / err) / math.log(h_rej / h)
                    expo = 1.0 / min(max(p_eff, 1.0), 8.0)
                h_rej, err_rej = h, err
                h *= max(FAC_MIN, 0.9 * err ** (-expo))
                rejected = True
                nrej += 1
                continue
            nsteps += 1
            h_used = h
            # PI step-size control as in Hairer's DOP853 (beta > 0): the previous error damps the
            # growth, which stops the grow-reject cycles of a descent into denser air
            err_c = max(err, 1e-12)
            fac = min(FAC_MAX, 0.9 * err_c ** (-(1.0 / 8.0 - 0.2 * PI_BETA)) * err_prev**PI_BETA)
            err_prev = max(err_c, 1e-4)
            if rejected:  # no growth right after a rejection (Hairer, Norsett & Wanner II.4)
                fac = min(fac, 1.0)
                rejected = False
            h = h_used * fac
            h_old = h_cur
            h_new = _height(ynew[0], ynew[1], ynew[2], sphere_r)

            # --- apogee: r.v changes sign from + to - (maximum geocentric radius)
            if not apogee_done:
                rv0 = y[0] * y[3] + y[1] * y[4] + y[2] * y[5]
                rv1 = (ynew[0] * ynew[3] + ynew[1] * ynew[4]
                       + ynew[2] * ynew[5])
                if rv0 > 0.0 >= rv1:
                    sf = _locate(1, 0.0, y, K[0], ynew, K[12], h_used, rv0, sphere_r, yh)
                    ev[E_T_APOGEE] = t + sf * h_used
                    for j in range(6):
                        ev[E_Y_APOGEE + j] = yh[j]
                    h_apo = _height(yh[0], yh[1], yh[2], sphere_r)
                    if h_apo > ev[E_MAX_HEIGHT]:
                        ev[E_MAX_HEIGHT] = h_apo
                    apogee_done = True
            if h_new > ev[E_MAX_HEIGHT]:
                ev[E_MAX_HEIGHT] = h_new
            # --- descending through the re-entry altitude
            if not reentry_done and h_old >= reentry_alt > h_new:
                sf = _locate(0, reentry_alt, y, K[0], ynew, K[12], h_used,
                             h_old - reentry_alt, sphere_r, yh)
                ev[E_T_REENTRY] = t + sf * h_used
                reentry_done = True
            # --- ground: impact (coast) or crash (boost)
            if h_new < impact_alt and seg[G_TYPE] == SEG_COAST and h_old >= impact_alt:
                sf = _locate(0, impact_alt, y, K[0], ynew, K[12], h_used,
                             h_old - impact_alt, sphere_r, yh)
                dbest, nst = _refine_height(impact_alt, t, y, h_used, h_old - impact_alt,
                                            h_new - impact_alt, sf * h_used, K, ynew, ybest,
                                            seg, env, cdm, cdv, ncd, 1e-3)
                nfev += 12 * nst
                t_imp = t + dbest
                ev[E_T_IMPACT] = t_imp
                for j in range(6):
                    ev[E_Y_IMPACT + j] = ybest[j]
                    y[j] = ybest[j]
                t = t_imp
                if record and nrec < rec_cap:
                    out_t[nrec] = t
                    for j in range(6):
                        out_y[nrec, j] = y[j]
                    nrec += 1
                finished = True
                break
            # a powered vehicle below 30 km that sinks (or is underground) has failed: an
            # over-steep pitch-over; stop instead of grinding through a stiff near-ground hover
            sinking = (ynew[0] * ynew[3] + ynew[1] * ynew[4]
                       + ynew[2] * ynew[5]) < 0.0 and h_new < 30e3
            if seg[G_TYPE] != SEG_COAST and (h_new < -1.0 or sinking):
                ev[E_STATUS] = ST_CRASH_BOOST
                finished = True
                break
            # accept
            t = t + h_used
            h_cur = h_new
            for j in range(6):
                y[j] = ynew[j]
                K[0, j] = K[12, j]
            if record:
                if nrec < rec_cap:
                    out_t[nrec] = t
                    for j in range(6):
                        out_y[nrec, j] = y[j]
                    nrec += 1
                else:
                    ev[E_STATUS] = ST_RECORD_FULL
        if finished:
            break
    if not finished and ev[E_STATUS] == ST_OK:
        ev[E_STATUS] = ST_NO_IMPACT
    ev[E_NSTEPS] = nsteps
    ev[E_NFEV] = nfev
    ev[E_NREJECT] = nrej
    out_n[0] = nrec
    if record:  # unused slots are NaN, so padded rows never pass for states (buffers are empty)
        for k in range(nrec, rec_cap):
            out_t[k] = np.nan
            for j in range(6):
                out_y[k, j] = np.nan


@njit(cache=True, nogil=True)
def integrate_batch(y0, t0, boost, veh_idx, ctrl, stage_tab, veh_tab, cd_mach, cd_val, n_cd,
                    env, rtol, atol_r, atol_v, h_max, t_max, max_steps, record, out_t, out_y,
                    out_n, events):
    """Integrate ``n`` trajectories, one after the other, without holding the GIL.

    Callers run row blocks of a batch on several threads (``engine.run``). This is the
    parallelism of ``prange`` without its cost at compile time: a ``parallel=True`` kernel took
    39 s to compile here, this one 24 s, for the same run time.

    y0 (n, 6): initial ECI state [m, m/s]; t0 (n,): initial time [s]; boost (n,) bool: start a
    powered ascent at t0 (else coast from y0 with the vehicle's re-entry ballistic coefficient);
    veh_idx (n,): row of the vehicle tables; ctrl (n, 3): launch azimuth [rad], pitch-over kick
    [rad], thrust cutoff time [s, absolute]. Results go to ``events`` (n, N_EVENTS) and, when
    ``record``, to ``out_t`` (n, cap), ``out_y`` (n, cap, 6), ``out_n`` (n,).
    """
    n = y0.shape[0]
    for i in range(n):
        v = veh_idx[i]
        _integrate_one(i, y0[i], t0[i], boost[i], stage_tab[v], int(veh_tab[v, V_NSTAGES]),
                       veh_tab[v], cd_mach[v], cd_val[v], n_cd[v], ctrl[i, 0], ctrl[i, 1],
                       ctrl[i, 2], env, rtol, atol_r, atol_v, h_max, t_max, max_steps, record,
                       out_t[i], out_y[i], out_n[i:i + 1], events[i])
