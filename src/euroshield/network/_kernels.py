"""Numba kernels of the tracker: ballistic ECEF dynamics with the state transition matrix,
the radar measurement model and the batched extended Kalman filter.

Every kernel of the package lives in this one file on purpose: numba invalidates a cached
kernel when its own source file changes but not when a kernel it calls from another file does
(see :mod:`euroshield._jitcache`). The only kernels called from elsewhere are the gravity and
height kernels of :mod:`euroshield.earth`, whose sources are part of the cache key.

Frames and units: states are WGS84 Earth-fixed (ECEF) ``[x, y, z, vx, vy, vz]`` in m and m/s;
times in s; site rotations are the rows east, north, up of
:class:`euroshield.earth.frames.Topocentric` expressed in ECEF; measurements are slant range
[m], azimuth [rad, clockwise from north, in [0, 2 pi)], geometric elevation [rad] and range
rate [m/s].

The kernels are serial and ``nogil``: the Python wrappers run blocks of rows on threads
(:func:`euroshield._parallel.parallel_blocks`), one track per row, so a batch of routes costs
one pass over the measurement epochs with no Python work per measurement.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from euroshield.earth.constants import GM_EARTH, J2_EARTH, WGS84_A
from euroshield.earth.frames import approx_height_nb
from euroshield.earth.gravity import j2_gravity_nb, point_mass_gravity_nb

_K_J2 = 1.5 * J2_EARTH * WGS84_A * WGS84_A
_TWO_PI = 2.0 * math.pi

# Status codes of one row of the filter, per epoch (see :mod:`euroshield.network.filters`).
NO_TRACK = 0  # no track at this epoch (before initiation)
INITIATED = 1  # a track was (re-)initiated from this measurement and the one before
UPDATED = 2  # the track was updated with this measurement
REJECTED = 3  # the measurement failed the gate: the track coasts (predicted only)


# ---------------------------------------------------------------------------
# Dynamics: point-mass + J2 gravity, Coriolis and centrifugal terms in the Earth-fixed frame
# ---------------------------------------------------------------------------


@njit(cache=True, inline="always")
def accel_nb(x, y, z, vx, vy, vz, j2, omega):
    """Acceleration [m/s^2] in the Earth-fixed frame rotating at ``omega`` [rad/s] about +z:
    gravity (point mass, plus J2 when ``j2``) - 2 omega x v - omega x (omega x r). No drag."""
    if j2:
        gx, gy, gz = j2_gravity_nb(x, y, z)
    else:
        gx, gy, gz = point_mass_gravity_nb(x, y, z)
    w2 = omega * omega
    return gx + w2 * x + 2.0 * omega * vy, gy + w2 * y - 2.0 * omega * vx, gz


@njit(cache=True, inline="always")
def gravity_gradient_nb(x, y, z, j2, out):
    """d(gravity)/d(position) [1/s^2] at (x, y, z) [m] into ``out`` (3, 3).

    With K = 3/2 J2 a^2 (0 for the point mass), a_x = -mu x A, a_y = -mu y A, a_z = -mu z B
    where A = r^-3 + K r^-5 - 5 K z^2 r^-7 and B = r^-3 + 3 K r^-5 - 5 K z^2 r^-7 (the
    expressions of :func:`euroshield.earth.gravity.j2_gravity_nb`), differentiated by hand.
    """
    k = _K_J2 if j2 else 0.0
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    ir2 = 1.0 / r2
    ir3 = ir2 / r
    ir5 = ir3 * ir2
    ir7 = ir5 * ir2
    ir9 = ir7 * ir2
    z2 = z * z
    a = ir3 + k * ir5 - 5.0 * k * z2 * ir7
    b = ir3 + 3.0 * k * ir5 - 5.0 * k * z2 * ir7
    da = -3.0 * ir5 - 5.0 * k * ir7 + 35.0 * k * z2 * ir9  # dA/dx_j = da x_j (+ dz term)
    db = -3.0 * ir5 - 15.0 * k * ir7 + 35.0 * k * z2 * ir9
    dzz = -10.0 * k * z * ir7  # the extra d/dz of the -5 K z^2 r^-7 term
    p = (x, y, z)
    for j in range(3):
        ga = da * p[j]
        gb = db * p[j]
        if j == 2:
            ga += dzz
            gb += dzz
        out[0, j] = -GM_EARTH * x * ga
        out[1, j] = -GM_EARTH * y * ga
        out[2, j] = -GM_EARTH * z * gb
    out[0, 0] -= GM_EARTH * a
    out[1, 1] -= GM_EARTH * a
    out[2, 2] -= GM_EARTH * b


@njit(cache=True)
def _deriv(s, phi, j2, omega, with_stm, ds, dphi, g):
    """Time derivative of the state ``s`` (6,) into ``ds`` and, when ``with_stm``, of the
    state transition matrix ``phi`` (6, 6) into ``dphi`` (variational equations
    dPhi/dt = F Phi, F = [[0, I], [G + W, C]], W = diag(w^2, w^2, 0), C = -2 [w x])."""
    ax, ay, az = accel_nb(s[0], s[1], s[2], s[3], s[4], s[5], j2, omega)
    ds[0] = s[3]
    ds[1] = s[4]
    ds[2] = s[5]
    ds[3] = ax
    ds[4] = ay
    ds[5] = az
    if not with_stm:
        return
    gravity_gradient_nb(s[0], s[1], s[2], j2, g)
    w2 = omega * omega
    g[0, 0] += w2
    g[1, 1] += w2
    tw = 2.0 * omega
    for c in range(6):
        p0 = phi[0, c]
        p1 = phi[1, c]
        p2 = phi[2, c]
        v0 = phi[3, c]
        v1 = phi[4, c]
        v2 = phi[5, c]
        dphi[0, c] = v0
        dphi[1, c] = v1
        dphi[2, c] = v2
        dphi[3, c] = g[0, 0] * p0 + g[0, 1] * p1 + g[0, 2] * p2 + tw * v1
        dphi[4, c] = g[1, 0] * p0 + g[1, 1] * p1 + g[1, 2] * p2 - tw * v0
        dphi[5, c] = g[2, 0] * p0 + g[2, 1] * p1 + g[2, 2] * p2


@njit(cache=True)
def _propagate(s, phi, dt, max_step, j2, omega, with_stm, wk, wp):
    """Classical RK4 over ``dt`` [s] (any sign) in equal steps of at most ``max_step``: the
    state ``s`` (6,) in place and, when ``with_stm``, ``phi`` (6, 6) set to the state
    transition matrix d s(t + dt) / d s(t). ``wk`` (5, 6) and ``wp`` (5, 6, 6) are work
    arrays (stage derivatives and stage point)."""
    if with_stm:
        for a in range(6):
            for b in range(6):
                phi[a, b] = 1.0 if a == b else 0.0
    if dt == 0.0:
        return
    nsteps = max(1, int(math.ceil(abs(dt) / max_step)))
    h = dt / nsteps
    g = np.empty((3, 3))
    xs = wk[4]
    ps = wp[4]
    for _ in range(nsteps):
        _deriv(s, phi, j2, omega, with_stm, wk[0], wp[0], g)
        for stage in range(1, 4):
            c = 0.5 * h if stage < 3 else h
            for a in range(6):
                xs[a] = s[a] + c * wk[stage - 1, a]
            if with_stm:
                for a in range(6):
                    for b in range(6):
                        ps[a, b] = phi[a, b] + c * wp[stage - 1, a, b]
            _deriv(xs, ps, j2, omega, with_stm, wk[stage], wp[stage], g)
        h6 = h / 6.0
        for a in range(6):
            s[a] += h6 * (wk[0, a] + 2.0 * wk[1, a] + 2.0 * wk[2, a] + wk[3, a])
        if with_stm:
            for a in range(6):
                for b in range(6):
                    phi[a, b] += h6 * (wp[0, a, b] + 2.0 * wp[1, a, b] + 2.0 * wp[2, a, b]
                                       + wp[3, a, b])


@njit(cache=True, inline="always")
def _psd_at(s, q_high, q_low, drag_altitude):
    """Process-noise acceleration PSD [m^2/s^3] for a state: ``q_low`` below the drag
    altitude (re-entry and boost: drag and thrust are not in the model), else ``q_high``."""
    if approx_height_nb(s[0], s[1], s[2]) < drag_altitude:
        return q_low
    return q_high


@njit(cache=True)
def _mm(a, b, out, n, m, l, bt):
    """out[:n, :l] = a[:n, :m] @ b[:m, :l] (``bt``: b[:l, :m] transposed). Explicit loops:
    for these 6 x 6 matrices a BLAS call and a temporary cost more than the arithmetic."""
    for i in range(n):
        for j in range(l):
            acc = 0.0
            if bt:
                for c in range(m):
                    acc += a[i, c] * b[j, c]
            else:
                for c in range(m):
                    acc += a[i, c] * b[c, j]
            out[i, j] = acc


@njit(cache=True)
def _spd_inverse(s, k, out, work):
    """Inverse of the symmetric positive-definite ``s[:k, :k]`` into ``out[:k, :k]`` by
    Gauss-Jordan elimination with partial pivoting (k <= 4). False if singular."""
    for a in range(k):
        for b in range(k):
            work[a, b] = s[a, b]
            out[a, b] = 1.0 if a == b else 0.0
    for c in range(k):
        piv = c
        for a in range(c + 1, k):
            if abs(work[a, c]) > abs(work[piv, c]):
                piv = a
        if work[piv, c] == 0.0:
            return False
        if piv != c:
            for b in range(k):
                work[c, b], work[piv, b] = work[piv, b], work[c, b]
                out[c, b], out[piv, b] = out[piv, b], out[c, b]
        d = 1.0 / work[c, c]
        for b in range(k):
            work[c, b] *= d
            out[c, b] *= d
        for a in range(k):
            if a != c:
                f = work[a, c]
                if f != 0.0:
                    for b in range(k):
                        work[a, b] -= f * work[c, b]
                        out[a, b] -= f * out[c, b]
    return True


@njit(cache=True)
def _predict_cov(p, phi, dt, q):
    """P <- Phi P Phi^T + Q(dt) in place, Q of a white-noise acceleration of PSD ``q``
    [m^2/s^3] per axis: q [[dt^3/3 I, dt^2/2 I], [dt^2/2 I, dt I]]."""
    tmp = np.empty((6, 6))
    _mm(phi, p, tmp, 6, 6, 6, False)
    _mm(tmp, phi, p, 6, 6, 6, True)
    adt = abs(dt)
    q11 = q * adt**3 / 3.0
    q12 = q * dt * dt / 2.0 * (1.0 if dt >= 0.0 else -1.0)
    q22 = q * adt
    for a in range(3):
        p[a, a] += q11
        p[a, a + 3] += q12
        p[a + 3, a] += q12
        p[a + 3, a + 3] += q22
    for a in range(6):  # keep P exactly symmetric
        for b in range(a + 1, 6):
            m = 0.5 * (p[a, b] + p[b, a])
            p[a, b] = m
            p[b, a] = m


@njit(cache=True, nogil=True)
def propagate_rows(lo, hi, states, covs, dt, max_step, j2, omega, q_high, q_low,
                   drag_altitude, with_cov, out_states, out_covs, out_phi):
    """Propagate rows ``lo:hi`` of ``states`` (n, 6) (and ``covs`` (n, 6, 6) when
    ``with_cov``) by ``dt`` (n,) [s]; NaN dt leaves NaN. ``out_phi`` (n, 6, 6) receives the
    state transition matrices when ``with_cov``."""
    wk = np.empty((5, 6))
    wp = np.empty((5, 6, 6))
    s = np.empty(6)
    phi = np.empty((6, 6))
    p = np.empty((6, 6))
    for i in range(lo, hi):
        if not math.isfinite(dt[i]):
            out_states[i, :] = np.nan
            if with_cov:
                out_covs[i, :, :] = np.nan
                out_phi[i, :, :] = np.nan
            continue
        s[:] = states[i]
        q = _psd_at(s, q_high, q_low, drag_altitude)
        _propagate(s, phi, dt[i], max_step, j2, omega, with_cov, wk, wp)
        out_states[i] = s
        if with_cov:
            p[:, :] = covs[i]
            _predict_cov(p, phi, dt[i], q)
            out_covs[i] = p
            out_phi[i] = phi


# ---------------------------------------------------------------------------
# Measurement model: range, azimuth, elevation, range rate from a site fixed on the Earth
# ---------------------------------------------------------------------------


@njit(cache=True)
def measure_nb(s, site, rot, hz, hjac):
    """Predicted measurement ``hz`` (4,) = (range [m], azimuth [rad, [0, 2 pi)], elevation
    [rad], range rate [m/s]) of state ``s`` from a site at ECEF ``site`` (3,) with ENU rows
    ``rot`` (3, 3), and its Jacobian ``hjac`` (4, 6) with respect to the state."""
    d0 = s[0] - site[0]
    d1 = s[1] - site[1]
    d2 = s[2] - site[2]
    e = rot[0, 0] * d0 + rot[0, 1] * d1 + rot[0, 2] * d2
    n = rot[1, 0] * d0 + rot[1, 1] * d1 + rot[1, 2] * d2
    u = rot[2, 0] * d0 + rot[2, 1] * d1 + rot[2, 2] * d2
    hor2 = max(e * e + n * n, 1e-18)  # on the site's vertical the azimuth is undefined
    hor = math.sqrt(hor2)
    rho2 = hor2 + u * u
    rho = math.sqrt(rho2)
    rr = (d0 * s[3] + d1 * s[4] + d2 * s[5]) / rho
    az = math.atan2(e, n)
    if az < 0.0:
        az += _TWO_PI
    hz[0] = rho
    hz[1] = az
    hz[2] = math.atan2(u, hor)
    hz[3] = rr
    # gradients in the local frame, rotated back to ECEF (row vector times rot)
    g_rho = (e / rho, n / rho, u / rho)
    g_az = (n / hor2, -e / hor2, 0.0)
    c = 1.0 / (rho2 * hor)
    g_el = (-e * u * c, -n * u * c, hor2 * c)
    for j in range(3):
        hjac[0, j] = g_rho[0] * rot[0, j] + g_rho[1] * rot[1, j] + g_rho[2] * rot[2, j]
        hjac[1, j] = g_az[0] * rot[0, j] + g_az[1] * rot[1, j]
        hjac[2, j] = g_el[0] * rot[0, j] + g_el[1] * rot[1, j] + g_el[2] * rot[2, j]
        hjac[0, j + 3] = 0.0
        hjac[1, j + 3] = 0.0
        hjac[2, j + 3] = 0.0
    d = (d0, d1, d2)
    for j in range(3):
        hjac[3, j] = (s[3 + j] - rr * d[j] / rho) / rho
        hjac[3, j + 3] = d[j] / rho


@njit(cache=True)
def range_hessian_nb(s, site, out):
    """Hessian (6, 6) of the slant range rho = |r - site| with respect to the state:
    (I - u u^T) / rho in the position block (u the unit line of sight), zero elsewhere."""
    d = s[:3] - site
    rho = math.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2)
    for a in range(6):
        for b in range(6):
            out[a, b] = 0.0
    for a in range(3):
        for b in range(3):
            out[a, b] = ((1.0 if a == b else 0.0) - d[a] * d[b] / (rho * rho)) / rho


@njit(cache=True)
def range_rate_hessian_nb(s, site, out):
    """Hessian (6, 6) of the range rate rr = u.v (u = d/|d|, d = r - site) with respect to
    the state: d2/dd2 = -(u w^T + w u^T + rr (I - u u^T)) / rho^2 with w = v - rr u,
    d2/dd dv = (I - u u^T) / rho, d2/dv2 = 0."""
    d = s[:3] - site
    rho = math.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2)
    u = d / rho
    rr = u[0] * s[3] + u[1] * s[4] + u[2] * s[5]
    w = s[3:] - rr * u
    ir2 = 1.0 / (rho * rho)
    for a in range(3):
        for b in range(3):
            proj = (1.0 if a == b else 0.0) - u[a] * u[b]
            out[a, b] = -(u[a] * w[b] + w[a] * u[b] + rr * proj) * ir2
            out[a, b + 3] = proj / rho
            out[a + 3, b] = proj / rho
            out[a + 3, b + 3] = 0.0


@njit(cache=True, nogil=True)
def measure_rows(lo, hi, states, site, rot, out_z, out_h):
    """:func:`measure_nb` on rows ``lo:hi`` of ``states`` (n, 6): ``out_z`` (n, 4),
    ``out_h`` (n, 4, 6)."""
    hz = np.empty(4)
    hj = np.empty((4, 6))
    for i in range(lo, hi):
        measure_nb(states[i], site, rot, hz, hj)
        out_z[i] = hz
        out_h[i] = hj


@njit(cache=True)
def polar_to_ecef_nb(z, r3, site, rot, pos, pcov):
    """Position ``pos`` (3,) [m, ECEF] of a (range, azimuth, elevation) measurement ``z`` and
    its covariance ``pcov`` (3, 3), for angle noise (variances ``r3[1, 1]``, ``r3[2, 2]``)
    too large for the plain conversion.

    The position is the mean given the measurement: the true direction lies an angle d ~
    N(0, s^2) off the measured one, so the target is on average rho (1 - E[cos d]) nearer the
    site along the measured line of sight than the plain conversion puts it (rho s^2 ~ 60 m
    at 3,700 km for 4 mrad: a bias of 1.4 sigma along the thin axis of the covariance, which
    made the initiated tracks overconfident). With E[cos d] = exp(-s^2 / 2) the east and
    north components are multiplied by exp(-(s_az^2 + s_el^2) / 2) and the up component by
    exp(-s_el^2 / 2) (measurement-conditioned debiasing, as in Lerro & Bar-Shalom, IEEE
    Trans. AES 29(3), 1993). Covariance: J R J^T (first order) plus the second-order
    variances rho^2 cos^2(el) s_az^4 / 2 along the horizontal line of sight and
    rho^2 s_el^4 / 2 along the line of sight (var cos d ~ s^4 / 2)."""
    rho = z[0]
    saz = math.sin(z[1])
    caz = math.cos(z[1])
    sel = math.sin(z[2])
    cel = math.cos(z[2])
    va = r3[1, 1]
    ve = r3[2, 2]
    la = math.exp(-0.5 * va)
    le = math.exp(-0.5 * ve)
    loc = (rho * cel * saz * la * le, rho * cel * caz * la * le, rho * sel * le)
    jl = np.empty((3, 3))  # d(e, n, u) / d(range, az, el)
    jl[0, 0] = cel * saz
    jl[1, 0] = cel * caz
    jl[2, 0] = sel
    jl[0, 1] = rho * cel * caz
    jl[1, 1] = -rho * cel * saz
    jl[2, 1] = 0.0
    jl[0, 2] = -rho * sel * saz
    jl[1, 2] = -rho * sel * caz
    jl[2, 2] = rho * cel
    for a in range(3):
        pos[a] = site[a] + rot[0, a] * loc[0] + rot[1, a] * loc[1] + rot[2, a] * loc[2]
    j = np.empty((3, 3))  # d(ECEF position) / d(range, az, el) = rot^T jl
    for a in range(3):
        for b in range(3):
            j[a, b] = rot[0, a] * jl[0, b] + rot[1, a] * jl[1, b] + rot[2, a] * jl[2, b]
    tmp = np.empty((3, 3))
    _mm(j, r3, tmp, 3, 3, 3, False)
    _mm(tmp, j, pcov, 3, 3, 3, True)
    ha = 0.5 * (rho * cel) ** 2 * va * va  # along the horizontal line of sight
    he = 0.5 * rho * rho * ve * ve  # along the line of sight
    hor = (saz, caz, 0.0)
    los = (cel * saz, cel * caz, sel)
    for a in range(3):
        ga = rot[0, a] * hor[0] + rot[1, a] * hor[1]
        ge = rot[0, a] * los[0] + rot[1, a] * los[1] + rot[2, a] * los[2]
        for b in range(3):
            gb = rot[0, b] * hor[0] + rot[1, b] * hor[1]
            gf = rot[0, b] * los[0] + rot[1, b] * los[1] + rot[2, b] * los[2]
            pcov[a, b] += ha * ga * gb + he * ge * gf


# ---------------------------------------------------------------------------
# Track initiation and the batched extended Kalman filter
# ---------------------------------------------------------------------------


@njit(cache=True)
def _inv3(a, out):
    """Inverse of the 3 x 3 matrix ``a`` into ``out`` (adjugate over determinant); False if
    singular to working precision."""
    c00 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    c01 = a[1, 2] * a[2, 0] - a[1, 0] * a[2, 2]
    c02 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    det = a[0, 0] * c00 + a[0, 1] * c01 + a[0, 2] * c02
    scale = 0.0
    for i in range(3):
        for j in range(3):
            scale = max(scale, abs(a[i, j]))
    if not abs(det) > 1e-14 * scale**3:
        return False
    d = 1.0 / det
    out[0, 0] = c00 * d
    out[1, 0] = c01 * d
    out[2, 0] = c02 * d
    out[0, 1] = (a[0, 2] * a[2, 1] - a[0, 1] * a[2, 2]) * d
    out[1, 1] = (a[0, 0] * a[2, 2] - a[0, 2] * a[2, 0]) * d
    out[2, 1] = (a[0, 1] * a[2, 0] - a[0, 0] * a[2, 1]) * d
    out[0, 2] = (a[0, 1] * a[1, 2] - a[0, 2] * a[1, 1]) * d
    out[1, 2] = (a[0, 2] * a[1, 0] - a[0, 0] * a[1, 2]) * d
    out[2, 2] = (a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]) * d
    return True


@njit(cache=True)
def _initiate(pa, ca, ta, pb, cb, tb, max_step, j2, omega, q, s, p, wk, wp):
    """Initial state at ``tb`` from two measured positions (``pa`` at ``ta``, ``pb`` at
    ``tb``, ECEF [m], covariances ``ca``, ``cb``): the ballistic arc through both points
    (the velocity at ``ta`` solved by Newton's method on the state transition matrix, a
    Lambert problem with J2 and the Earth's rotation), and its covariance to first order.

    With Phi the transition matrix from ``ta`` to ``tb``: v_b = A p_a + M p_b with
    M = Phi_vv Phi_rv^-1 and A = Phi_vr - M Phi_rr, so the state (p_b, v_b) has
    P_rr = C_b, P_rv = C_b M^T, P_vv = A C_a A^T + M C_b M^T, plus the process noise over the
    interval. Returns False when the arc is not found (it is then not initiated)."""
    dt = tb - ta
    phi = np.empty((6, 6))
    inv_rv = np.empty((3, 3))
    ax, ay, az = accel_nb(pa[0], pa[1], pa[2], 0.0, 0.0, 0.0, j2, omega)
    acc = (ax, ay, az)
    v = np.empty(3)
    for a in range(3):  # chord velocity corrected for the mean acceleration
        v[a] = (pb[a] - pa[a]) / dt - 0.5 * acc[a] * dt
    miss = np.inf
    for _ in range(8):  # quadratic convergence: 2-3 iterations from the chord guess
        s[:3] = pa
        s[3:] = v
        _propagate(s, phi, dt, max_step, j2, omega, True, wk, wp)
        res = pb - s[:3]
        miss = math.sqrt(res[0] ** 2 + res[1] ** 2 + res[2] ** 2)
        if miss < 1e-6:  # rounding of the propagation is ~1e-8 m
            break
        if not _inv3(phi[:3, 3:], inv_rv):
            return False
        for a in range(3):
            v[a] += inv_rv[a, 0] * res[0] + inv_rv[a, 1] * res[1] + inv_rv[a, 2] * res[2]
    # a millimetre is nothing next to the measurement noise; NaN (divergence) fails too
    if not miss < 1e-3 or not _inv3(phi[:3, 3:], inv_rv):
        return False
    m = np.empty((3, 3))
    am = np.empty((3, 3))
    t1 = np.empty((3, 3))
    t2 = np.empty((3, 3))
    _mm(phi[3:, 3:], inv_rv, m, 3, 3, 3, False)  # M = Phi_vv Phi_rv^-1
    _mm(m, phi[:3, :3], am, 3, 3, 3, False)
    for a in range(3):
        for b in range(3):
            am[a, b] = phi[3 + a, b] - am[a, b]  # A = Phi_vr - M Phi_rr
    s[:3] = pb  # exact after convergence; velocity s[3:] is v_b
    _mm(cb, m, t1, 3, 3, 3, True)  # C_b M^T
    for a in range(3):
        for b in range(3):
            p[a, b] = cb[a, b]
            p[a, 3 + b] = t1[a, b]
            p[3 + b, a] = t1[a, b]
    _mm(am, ca, t1, 3, 3, 3, False)
    _mm(t1, am, t2, 3, 3, 3, True)  # A C_a A^T
    _mm(m, cb, t1, 3, 3, 3, False)
    _mm(t1, m, p[3:, 3:], 3, 3, 3, True)  # M C_b M^T
    for a in range(3):
        for b in range(3):
            p[3 + a, 3 + b] += t2[a, b]
    for a in range(6):
        for b in range(6):
            phi[a, b] = 1.0 if a == b else 0.0
    _predict_cov(p, phi, dt, q)  # adds Q(dt) and symmetrises
    return True


@njit(cache=True, nogil=True)
def ekf_rows(lo, hi, times, z, r, sensor, kdim, sites, rots, max_step, j2, omega, q_high,
             q_low, drag_altitude, gates, reinit_after, min_gap, max_gap, second_order,
             out_x, out_p, out_status, out_nis):
    """Extended Kalman filter on rows ``lo:hi``: one target per row, its measurements in time
    order along the row (``times`` (n, m), NaN = none; ``z`` (n, m, 4); ``r`` (n, m, 4, 4);
    ``sensor`` (n, m) index into ``sites`` (S, 3), ``rots`` (S, 3, 3), ``kdim`` (S,) = 3 or
    4 measured components, ``gates`` (S,) the NIS gate for that dimension).

    A track is initiated from two consecutive measurements ``min_gap`` to ``max_gap`` s apart
    (:func:`_initiate`); each later measurement predicts the track to its time (RK4 with the
    transition matrix) and updates it (Joseph form) if its normalised innovation squared is
    within the gate; after ``reinit_after`` consecutive rejections the track is re-initiated
    from the last two measurements (a manoeuvre the ballistic model does not know: boost, or
    drag in re-entry). Outputs per epoch: posterior state ``out_x`` (n, m, 6), covariance
    ``out_p`` (n, m, 6, 6), ``out_status`` (NO_TRACK, INITIATED, UPDATED, REJECTED) and
    ``out_nis`` (NaN when not computed). ``second_order``: add the second-order terms of the
    range and the range rate (their Hessians) to the predicted measurement and the innovation
    covariance."""
    m = times.shape[1]
    wk = np.empty((5, 6))
    wp = np.empty((5, 6, 6))
    s = np.empty(6)
    p = np.empty((6, 6))
    phi = np.empty((6, 6))
    hz = np.empty(4)
    hj = np.empty((4, 6))
    hess = np.empty((6, 6))
    mp = np.empty((6, 6))
    mp2 = np.empty((6, 6))
    tmp = np.empty((6, 6))
    ikh = np.empty((6, 6))
    pht = np.empty((6, 4))
    gain = np.empty((6, 4))
    kr = np.empty((6, 4))
    nu = np.empty(4)
    rk = np.empty((4, 4))
    sk = np.empty((4, 4))
    sinv = np.empty((4, 4))
    work = np.empty((4, 4))
    prev_pos = np.empty(3)
    prev_cov = np.empty((3, 3))
    cur_pos = np.empty(3)
    cur_cov = np.empty((3, 3))
    for i in range(lo, hi):
        have_track = False
        have_prev = False
        prev_t = 0.0
        prev_j = 0
        track_t = 0.0
        misses = 0
        for j in range(m):
            t = times[i, j]
            out_status[i, j] = NO_TRACK
            out_nis[i, j] = np.nan
            if not math.isfinite(t):
                out_x[i, j, :] = np.nan
                out_p[i, j, :, :] = np.nan
                continue
            si = sensor[i, j]
            k = kdim[si]
            reinit = False
            if have_track:
                dt = t - track_t
                q = _psd_at(s, q_high, q_low, drag_altitude)
                _propagate(s, phi, dt, max_step, j2, omega, True, wk, wp)
                _predict_cov(p, phi, dt, q)
                track_t = t
                measure_nb(s, sites[si], rots[si], hz, hj)
                for a in range(k):
                    nu[a] = z[i, j, a] - hz[a]
                    for b in range(k):
                        rk[a, b] = r[i, j, a, b]
                nu[1] = (nu[1] + math.pi) % _TWO_PI - math.pi  # azimuth wraps at north
                if second_order:
                    # Gaussian second-order filter (Bar-Shalom, Li & Kirubarajan 2001, sec.
                    # 10.3.3) for the range and the range rate: nu_a -= tr(M_a P)/2 and
                    # S_ab += tr(M_a P M_b P)/2 with M_a the Hessians. The range is curved
                    # across the line of sight (bias |dx_perp|^2 / 2 rho: 16 m for 8 km at
                    # 2,000 km) and the range rate is bilinear in position and velocity; a
                    # young track kilometres wide would otherwise take them as linear and
                    # become overconfident. The angles' second-order terms are left out:
                    # below 1e-3 of their noise for these geometries.
                    range_hessian_nb(s, sites[si], hess)
                    _mm(hess, p, mp, 3, 3, 6, False)  # M_0 P: rows 3-5 are zero
                    t00 = 0.0
                    t33 = 0.0
                    t03 = 0.0
                    for a in range(3):
                        nu[0] -= 0.5 * mp[a, a]
                        for b in range(3):
                            t00 += mp[a, b] * mp[b, a]
                    if k == 4:
                        range_rate_hessian_nb(s, sites[si], hess)
                        _mm(hess, p, mp2, 6, 6, 6, False)
                        for a in range(6):
                            nu[3] -= 0.5 * mp2[a, a]
                            for b in range(6):
                                t33 += mp2[a, b] * mp2[b, a]
                        for a in range(3):
                            for b in range(6):
                                t03 += mp[a, b] * mp2[b, a]
                    rk[0, 0] += 0.5 * t00
                    if k == 4:
                        rk[3, 3] += 0.5 * t33
                        rk[0, 3] += 0.5 * t03
                        rk[3, 0] += 0.5 * t03
                _mm(p, hj, pht, 6, 6, k, True)  # P H^T
                _mm(hj, pht, sk, k, 6, k, False)  # H P H^T
                for a in range(k):
                    for b in range(k):
                        sk[a, b] += rk[a, b]
                nis = np.inf
                if _spd_inverse(sk, k, sinv, work):
                    nis = 0.0
                    for a in range(k):
                        for b in range(k):
                            nis += nu[a] * sinv[a, b] * nu[b]
                out_nis[i, j] = nis
                if nis <= gates[si]:
                    _mm(pht, sinv, gain, 6, k, k, False)  # K = P H^T S^-1
                    for a in range(6):
                        for c in range(k):
                            s[a] += gain[a, c] * nu[c]
                    # Joseph form: P = (I - K H) P (I - K H)^T + K R K^T
                    _mm(gain, hj, ikh, 6, k, 6, False)
                    for a in range(6):
                        for b in range(6):
                            ikh[a, b] = (1.0 if a == b else 0.0) - ikh[a, b]
                    _mm(ikh, p, tmp, 6, 6, 6, False)
                    _mm(tmp, ikh, p, 6, 6, 6, True)
                    _mm(gain, rk, kr, 6, k, k, False)
                    for a in range(6):
                        for b in range(a, 6):
                            acc = 0.0
                            for c in range(k):
                                acc += kr[a, c] * gain[b, c]
                            mm = 0.5 * (p[a, b] + p[b, a]) + acc
                            p[a, b] = mm
                            p[b, a] = mm
                    misses = 0
                    out_status[i, j] = UPDATED
                else:
                    misses += 1
                    out_status[i, j] = REJECTED
                    reinit = misses >= reinit_after
            if (not have_track or reinit) and have_prev and min_gap <= t - prev_t <= max_gap:
                sp = sensor[i, prev_j]
                polar_to_ecef_nb(z[i, prev_j], r[i, prev_j, :3, :3].copy(), sites[sp],
                                 rots[sp], prev_pos, prev_cov)
                polar_to_ecef_nb(z[i, j], r[i, j, :3, :3].copy(), sites[si], rots[si],
                                 cur_pos, cur_cov)
                q = q_high
                if approx_height_nb(cur_pos[0], cur_pos[1], cur_pos[2]) < drag_altitude:
                    q = q_low
                if _initiate(prev_pos, prev_cov, prev_t, cur_pos, cur_cov, t, max_step, j2,
                             omega, q, s, p, wk, wp):
                    have_track = True
                    track_t = t
                    misses = 0
                    out_status[i, j] = INITIATED
            if have_track:
                out_x[i, j] = s
                out_p[i, j] = p
            else:
                out_x[i, j, :] = np.nan
                out_p[i, j, :, :] = np.nan
            have_prev = True
            prev_t = t
            prev_j = j


@njit(cache=True, nogil=True)
def last_at_or_before_rows(lo, hi, times, query, out_idx):
    """For rows ``lo:hi``: ``out_idx[i, q]`` = the last index ``j`` with finite
    ``times[i, j] <= query[i, q]`` (-1 if none; NaN queries give -1). ``times`` rows are
    non-decreasing where finite."""
    m = times.shape[1]
    for i in range(lo, hi):
        for c in range(query.shape[1]):
            tq = query[i, c]
            best = -1
            if math.isfinite(tq):
                for j in range(m):
                    t = times[i, j]
                    if math.isfinite(t):
                        if t <= tq:
                            best = j
                        else:
                            break
            out_idx[i, c] = best
