"""Ballistic motion in the Earth-fixed frame: the tracker's prediction model.

A re-entry vehicle or bus in free flight above the atmosphere moves under gravity alone. In the
WGS84 Earth-fixed frame (ECEF, rotating at ``OMEGA_EARTH`` about +z) its state
``s = [r, v]`` (m, m/s) obeys

    dr/dt = v,    dv/dt = g(r) - 2 w x v - w x (w x r)

with g the point-mass + J2 gravity of :mod:`euroshield.earth.gravity`, the Coriolis term
``-2 w x v`` and the centrifugal term ``-w x (w x r)``. The state transition matrix comes from
the variational equations integrated alongside (classical RK4, equal steps of at most
``max_step_s``; the step error is below a millimetre for 10 s steps, see the unit tests).

**Drag and thrust are ignored.** The model holds above about 100 km: there drag on a re-entry
vehicle is below ~1e-3 m/s^2 (US76 density 5.6e-7 kg/m^3 at 100 km, 7 km/s, ballistic
coefficient 1e4 kg/m^2), but it reaches ~1 m/s^2 at 60 km and tens of g lower down, and a
booster accelerates at 20-60 m/s^2. The process noise is therefore inflated below
``drag_altitude_m`` (:class:`ProcessModel`), and the filter re-initiates a track whose
measurements keep failing the gate (:mod:`euroshield.network.filters`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from euroshield._parallel import parallel_blocks
from euroshield.earth.constants import GM_EARTH, OMEGA_EARTH
from euroshield.earth.gravity import gravity, j2_potential

from . import _kernels


@dataclass(frozen=True)
class ProcessModel:
    """The tracker's motion model and process noise.

    ``accel_psd_m2_s3`` is the power spectral density q of a white-noise acceleration per axis
    (discrete Q = q [[dt^3/3, dt^2/2], [dt^2/2, dt]] per axis) above ``drag_altitude_m``; the
    default 1e-6 m^2/s^3 ((1e-3 m/s^2)^2 x 1 s) is an own estimate covering what the model
    leaves out above 100 km: higher harmonics (J3 ~ 3e-5 m/s^2), the Sun and Moon (~1e-6
    m/s^2) and drag at 100 km (~1e-3 m/s^2, see the module docstring).
    ``low_accel_psd_m2_s3`` applies below ``drag_altitude_m`` (own estimate: (10 m/s^2)^2 x
    1 s, the order of drag in re-entry and of thrust in boost). ``j2`` and ``omega_rad_s`` can
    be switched off for validation (two-body motion in an inertial frame).
    """

    accel_psd_m2_s3: float = 1e-6
    low_accel_psd_m2_s3: float = 100.0
    drag_altitude_m: float = 100e3
    max_step_s: float = 10.0
    j2: bool = True
    omega_rad_s: float = OMEGA_EARTH

    def __post_init__(self):
        for name in ("accel_psd_m2_s3", "low_accel_psd_m2_s3", "drag_altitude_m"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0.0):
                raise ValueError(f"{name}: {v} is outside the allowed range [0, inf)")
        if not (np.isfinite(self.max_step_s) and 0.0 < self.max_step_s <= 60.0):
            raise ValueError(f"max_step_s: {self.max_step_s} is outside the allowed range "
                             "(0, 60]")
        if not np.isfinite(self.omega_rad_s):
            raise ValueError(f"omega_rad_s: {self.omega_rad_s} is not a finite number")

    def kernel_args(self) -> tuple:
        """Arguments of the numba kernels, in their order."""
        return (float(self.max_step_s), bool(self.j2), float(self.omega_rad_s),
                float(self.accel_psd_m2_s3), float(self.low_accel_psd_m2_s3),
                float(self.drag_altitude_m))


DEFAULT_MODEL = ProcessModel()


def acceleration(state, model: ProcessModel = DEFAULT_MODEL) -> np.ndarray:
    """Acceleration (..., 3) [m/s^2] of Earth-fixed states (..., 6) [m, m/s]: gravity plus
    the Coriolis and centrifugal terms of the rotating frame."""
    s = np.asarray(state, dtype=float)
    r, v = s[..., :3], s[..., 3:]
    w = model.omega_rad_s
    a = gravity(r, j2=model.j2)
    a[..., 0] += w * w * r[..., 0] + 2.0 * w * v[..., 1]
    a[..., 1] += w * w * r[..., 1] - 2.0 * w * v[..., 0]
    return a


def jacobi_constant(state, model: ProcessModel = DEFAULT_MODEL) -> np.ndarray:
    """Jacobi integral (...,) [J/kg] of Earth-fixed states (..., 6): ``|v|^2/2 + U(r) -
    w^2 (x^2 + y^2)/2``, constant along a drag-free trajectory in the rotating frame (the
    potential U is axisymmetric and steady in that frame)."""
    s = np.asarray(state, dtype=float)
    r, v = s[..., :3], s[..., 3:]
    if model.j2:
        u = j2_potential(r)
    else:
        u = -GM_EARTH / np.linalg.norm(r, axis=-1)
    w = model.omega_rad_s
    return 0.5 * np.sum(v * v, axis=-1) + u - 0.5 * w * w * (r[..., 0] ** 2 + r[..., 1] ** 2)


def axial_angular_momentum(state, model: ProcessModel = DEFAULT_MODEL) -> np.ndarray:
    """Inertial angular momentum about the polar axis (...,) [m^2/s] of Earth-fixed states:
    ``x vy - y vx + w (x^2 + y^2)``, conserved in an axisymmetric field (J2 included)."""
    s = np.asarray(state, dtype=float)
    x, y = s[..., 0], s[..., 1]
    return x * s[..., 4] - y * s[..., 3] + model.omega_rad_s * (x * x + y * y)


def propagate(state, dt_s, covariance=None, model: ProcessModel = DEFAULT_MODEL):
    """Propagate Earth-fixed states ``(n, 6)`` by ``dt_s`` (scalar or ``(n,)``, any sign) [s].

    Returns the new states; with ``covariance`` ``(n, 6, 6)`` also returns the propagated
    covariance ``Phi P Phi^T + Q(dt)`` (process noise of the model at the starting altitude)
    and the state transition matrices ``Phi`` ``(n, 6, 6)``: ``(states, covariance, phi)``.
    Rows with NaN ``dt_s`` come back NaN. Vectorised over rows (numba kernel on threads).
    """
    s = np.ascontiguousarray(np.asarray(state, dtype=float).reshape(-1, 6))
    n = s.shape[0]
    dt = np.ascontiguousarray(np.broadcast_to(np.asarray(dt_s, dtype=float), (n,)))
    with_cov = covariance is not None
    cov = (np.ascontiguousarray(np.asarray(covariance, dtype=float).reshape(n, 6, 6))
           if with_cov else np.empty((0, 6, 6)))
    out_s = np.empty((n, 6))
    out_c = np.empty((n, 6, 6)) if with_cov else np.empty((0, 6, 6))
    out_phi = np.empty((n, 6, 6)) if with_cov else np.empty((0, 6, 6))
    max_step, j2, omega, qh, ql, hd = model.kernel_args()

    def run(b: slice) -> None:
        _kernels.propagate_rows(b.start, b.stop, s, cov, dt, max_step, j2, omega, qh, ql, hd,
                                with_cov, out_s, out_c, out_phi)

    parallel_blocks(run, n, min_block=64)
    if with_cov:
        return out_s, out_c, out_phi
    return out_s


def gravity_gradient(r, j2: bool = True) -> np.ndarray:
    """d(gravity)/d(position) (n, 3, 3) [1/s^2] at ECEF positions ``r`` (n, 3) [m]."""
    r = np.asarray(r, dtype=float).reshape(-1, 3)
    out = np.empty((r.shape[0], 3, 3))
    g = np.empty((3, 3))
    for i in range(r.shape[0]):  # test helper only: not on a hot path
        _kernels.gravity_gradient_nb(r[i, 0], r[i, 1], r[i, 2], j2, g)
        out[i] = g
    return out
