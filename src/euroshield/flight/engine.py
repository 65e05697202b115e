"""Python-level entry points to the batched integrator: physics settings and array plumbing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from euroshield._parallel import parallel_blocks
from euroshield.earth import frames
from euroshield.earth.constants import OMEGA_EARTH
from euroshield.flight import integrator as ig
from euroshield.flight.trajectory import TrajectoryBatch
from euroshield.flight.vehicles import VehicleTables

STUDY_RTOL = 1e-4  # a few metres at impact (measured), ~1.5x faster than the default


@dataclass(frozen=True)
class Physics:
    """Which physics the integrator applies, and how accurately.

    The defaults are the full model: rotating WGS84 Earth, J2, US76 drag with co-rotating air.
    ``sphere_radius_m > 0`` replaces the ellipsoid by a sphere of that radius (heights and ranges
    are then measured on the sphere), used to compare with the Kepler closed forms;
    ``gravity=False`` and ``exponential_atmosphere=(rho0, H)`` (coasting bodies only) reproduce
    the assumptions of the Allen–Eggers re-entry solution.
    """

    rotating: bool = True
    j2: bool = True
    drag: bool = True
    gravity: bool = True
    exponential_atmosphere: tuple[float, float] | None = None  # (rho0 kg/m^3, scale height m)
    sphere_radius_m: float = 0.0
    impact_altitude_m: float = 0.0
    reentry_altitude_m: float = 100e3
    # default accuracy: ~0.1-0.5 m at impact for ICBM flights (benchmarks/trajectories.py);
    # STUDY_RTOL trades that for speed where thousands of flights are needed
    rtol: float = 1e-7
    atol_position_m: float = 1e-4
    atol_velocity_m_s: float = 1e-7
    max_step_s: float = 600.0
    record_max_step_s: float = 5.0
    t_max_s: float = 20_000.0
    max_steps: int = 100_000

    @property
    def omega(self) -> float:
        return OMEGA_EARTH if self.rotating else 0.0

    def env(self) -> np.ndarray:
        e = np.zeros(ig.N_ENV)
        e[ig.ENV_OMEGA] = self.omega
        e[ig.ENV_J2] = 1.0 if self.j2 else 0.0
        e[ig.ENV_DRAG] = 1.0 if self.drag else 0.0
        e[ig.ENV_SPHERE_R] = self.sphere_radius_m
        e[ig.ENV_IMPACT_ALT] = self.impact_altitude_m
        e[ig.ENV_REENTRY_ALT] = self.reentry_altitude_m
        e[ig.ENV_GRAVITY] = 1.0 if self.gravity else 0.0
        if self.exponential_atmosphere is not None:
            e[ig.ENV_EXP_RHO0], e[ig.ENV_EXP_H] = self.exponential_atmosphere
        return e


POLE_LAT_DEG = 89.99  # launches closer to a pole start 1.1 km away from it (see below)


def ground_point_eci(lat_deg, lon_deg, height_m, physics: Physics) -> np.ndarray:
    """ECI state (n, 6) at t = 0 of a point at rest on the ground (moving with the Earth).

    A launch within 0.01 deg (1.1 km) of a pole starts at 89.99 deg on its own meridian: the
    pitch-over is steered toward the launch azimuth in the vehicle's current local east/north
    frame, which turns ever faster near the spin axis (and is undefined on it), so the
    integrator would crawl (a site at the pole took 100 s instead of 2 s). 1.1 km is below the
    position uncertainty of every site; the meridian limit is the convention of the site frame
    (frames.Topocentric)."""
    lat = np.clip(np.atleast_1d(np.asarray(lat_deg, dtype=float)), -POLE_LAT_DEG, POLE_LAT_DEG)
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=float))
    h = np.broadcast_to(np.asarray(height_m, dtype=float), lat.shape)
    if physics.sphere_radius_m > 0:
        la, lo = np.radians(lat), np.radians(lon)
        rr = physics.sphere_radius_m + h
        r = np.stack([rr * np.cos(la) * np.cos(lo), rr * np.cos(la) * np.sin(lo),
                      rr * np.sin(la)], axis=-1)
    else:
        r = frames.geodetic_to_ecef(lat, lon, h)
    w = physics.omega
    v = np.stack([-w * r[:, 1], w * r[:, 0], np.zeros(len(r))], axis=-1)
    return np.concatenate([r, v], axis=-1)


def run(
    y0: np.ndarray,
    t0: np.ndarray,
    boost: np.ndarray,
    veh_idx: np.ndarray,
    ctrl: np.ndarray,
    tables: VehicleTables,
    physics: Physics,
    launch_lat_deg: np.ndarray,
    launch_lon_deg: np.ndarray,
    record: bool = False,
) -> TrajectoryBatch:
    """Integrate a batch; every argument is an array over trajectories (see ``integrate_batch``)."""
    # fresh, writable, C-contiguous arrays: numba compiles (and caches) one specialisation per
    # array layout, so read-only broadcast views would trigger needless recompilation
    y0 = np.array(np.atleast_2d(y0), dtype=np.float64, order="C")
    n = y0.shape[0]
    t0 = np.array(np.broadcast_to(np.asarray(t0, dtype=np.float64), (n,)), order="C")
    boost = np.array(np.broadcast_to(np.asarray(boost, dtype=np.bool_), (n,)), order="C")
    veh_idx = np.array(np.broadcast_to(np.asarray(veh_idx, dtype=np.int64), (n,)), order="C")
    ctrl = np.array(np.broadcast_to(np.asarray(ctrl, dtype=np.float64), (n, 3)), order="C")
    if not np.all(np.isfinite(y0)) or not np.all(np.isfinite(ctrl)):
        raise ValueError("non-finite initial state or guidance controls")
    h_max = physics.record_max_step_s if record else physics.max_step_s
    # recording slots: one per step of h_max plus room for the short steps of the boost and of
    # re-entry (tens of steps); the rare rows that overflow are integrated again with a larger
    # buffer below, which is cheaper than allocating a large buffer for every row
    cap = int(physics.t_max_s / h_max) + 100 if record else 1
    out_t, out_y, out_n, events = _integrate(y0, t0, boost, veh_idx, ctrl, tables, physics,
                                             h_max, record, cap)
    if record:
        full = np.flatnonzero(events[:, ig.E_STATUS] == ig.ST_RECORD_FULL)
        if len(full):
            big = int(physics.t_max_s / h_max) + 10 * cap
            t2, y2, n2, e2 = _integrate(y0[full], t0[full], boost[full], veh_idx[full],
                                        ctrl[full], tables, physics, h_max, record, big)
            kmax = max(cap, int(n2.max()))
            out_t = np.concatenate([out_t, np.full((n, kmax - cap), np.nan)], axis=1)
            out_y = np.concatenate([out_y, np.full((n, kmax - cap, 6), np.nan)], axis=1)
            out_t[full], out_y[full] = t2[:, :kmax], y2[:, :kmax]
            out_n[full], events[full] = n2, e2
    batch = TrajectoryBatch(
        events=events,
        t0_s=t0,
        launch_lat_deg=np.broadcast_to(np.asarray(launch_lat_deg, dtype=float), (n,)),
        launch_lon_deg=np.broadcast_to(np.asarray(launch_lon_deg, dtype=float), (n,)),
        omega=physics.omega,
        sphere_radius_m=physics.sphere_radius_m,
    )
    if record:
        kmax = int(out_n.max()) if n else 0
        batch.t = out_t[:, :kmax].copy()
        batch.y = out_y[:, :kmax].copy()
        batch.n = out_n
    return batch


def _integrate(y0, t0, boost, veh_idx, ctrl, tables, physics, h_max, record, cap):
    n = y0.shape[0]
    # the kernel fills the unused slots with NaN (in parallel), so padded rows can never pass
    # for real states
    out_t = np.empty((n, cap))
    out_y = np.empty((n, cap, 6))
    out_n = np.zeros(n, dtype=np.int64)
    events = np.zeros((n, ig.N_EVENTS))
    env = physics.env()

    def block(sl: slice) -> None:
        # row slices of C-contiguous arrays stay C-contiguous: one compiled specialisation
        ig.integrate_batch(
            y0[sl], t0[sl], boost[sl], veh_idx[sl], ctrl[sl], tables.stage_tab, tables.veh_tab,
            tables.cd_mach, tables.cd_val, tables.n_cd, env, physics.rtol,
            physics.atol_position_m, physics.atol_velocity_m_s, h_max, physics.t_max_s,
            physics.max_steps, record, out_t[sl], out_y[sl], out_n[sl], events[sl],
        )

    parallel_blocks(block, n)
    return out_t, out_y, out_n, events




def fly_missiles(
    tables: VehicleTables,
    veh_idx,
    launch_lat_deg,
    launch_lon_deg,
    azimuth_deg,
    kick_deg,
    cutoff_s,
    physics: Physics | None = None,
    record: bool = False,
) -> TrajectoryBatch:
    """Launch powered missiles from the ground at t = 0 (all arguments broadcast together)."""
    physics = physics or Physics()
    lat, lon, az, kick, cut, vi = np.broadcast_arrays(
        np.asarray(launch_lat_deg, dtype=float), np.asarray(launch_lon_deg, dtype=float),
        np.asarray(azimuth_deg, dtype=float), np.asarray(kick_deg, dtype=float),
        np.asarray(cutoff_s, dtype=float), np.asarray(veh_idx, dtype=np.int64),
    )
    lat, lon, az, kick, cut, vi = (np.atleast_1d(a).ravel() for a in (lat, lon, az, kick, cut, vi))
    y0 = ground_point_eci(lat, lon, 0.0, physics)
    ctrl = np.stack([np.radians(az), np.radians(kick), cut], axis=-1)
    return run(y0, np.zeros(len(lat)), True, vi, ctrl, tables, physics, lat, lon, record)


def fly_ballistic(
    y0_eci,
    t0_s,
    tables: VehicleTables,
    physics: Physics | None = None,
    launch_lat_deg=np.nan,
    launch_lon_deg=np.nan,
    veh_idx=0,
    record: bool = False,
) -> TrajectoryBatch:
    """Coast from given ECI states (free flight and re-entry with the vehicle's ballistic
    coefficient), e.g. from burnout states."""
    physics = physics or Physics()
    y0 = np.atleast_2d(np.asarray(y0_eci, dtype=float))
    n = y0.shape[0]
    ctrl = np.zeros((n, 3))
    return run(y0, t0_s, False, veh_idx, ctrl, tables, physics, launch_lat_deg, launch_lon_deg,
               record)
