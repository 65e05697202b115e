"""Trajectory result types: time-tagged ECI states, events, and frame/units accessors.

Following skyfield's rule, a trajectory is an object and coordinates are method calls:
``traj.eci()``, ``traj.ecef()``, ``traj.geodetic()``, ``traj.at(t)``. Inside, every array is SI
(s, m, m/s) in the ECI frame of the scenario epoch (coincident with ECEF at t = 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from euroshield._parallel import parallel_blocks
from euroshield.earth import frames, geodesy
from euroshield.flight import integrator as ig


@njit(cache=True)
def _hermite_eval_row(ts, ys, n, tq, out):
    """Cubic Hermite interpolation of one recorded trajectory at sorted or unsorted times."""
    for q in range(tq.shape[0]):
        t = tq[q]
        if n < 2 or not (ts[0] <= t <= ts[n - 1]):
            for j in range(6):
                out[q, j] = np.nan
            continue
        lo, hi = 0, n - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ts[mid] <= t:
                lo = mid
            else:
                hi = mid
        h = ts[hi] - ts[lo]
        if h <= 0.0:
            for j in range(6):
                out[q, j] = ys[lo, j]
            continue
        s = (t - ts[lo]) / h
        s2 = s * s
        s3 = s2 * s
        h00 = 2 * s3 - 3 * s2 + 1
        h10 = s3 - 2 * s2 + s
        h01 = -2 * s3 + 3 * s2
        h11 = s3 - s2
        d00 = (6 * s2 - 6 * s) / h
        d10 = 3 * s2 - 4 * s + 1
        d01 = (-6 * s2 + 6 * s) / h
        d11 = 3 * s2 - 2 * s
        y0 = ys[lo]
        y1 = ys[hi]
        for j in range(3):
            out[q, j] = h00 * y0[j] + h10 * h * y0[j + 3] + h01 * y1[j] + h11 * h * y1[j + 3]
            out[q, j + 3] = d00 * y0[j] + d10 * y0[j + 3] + d01 * y1[j] + d11 * y1[j + 3]


@njit(cache=True, nogil=True)
def hermite_batch(ts, ys, ns, tq, out):
    """Interpolate trajectory ``i`` at times ``tq[i, :]`` into ``out[i, :, :]`` (NaN outside)."""
    for i in range(ts.shape[0]):
        _hermite_eval_row(ts[i], ys[i], ns[i], tq[i], out[i])


# Backward-compatible name: the rotation lives in euroshield.earth.frames (one implementation,
# numpy and numba); defense.engagement still imports it from here.
eci_to_ecef_states = frames.eci_to_ecef_states


def flight_path_angle_deg(y: np.ndarray) -> np.ndarray:
    """Angle of the velocity above the geocentric horizontal [deg] for states (..., 6)."""
    r = y[..., :3]
    v = y[..., 3:]
    sin_g = np.sum(r * v, axis=-1) / (np.linalg.norm(r, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arcsin(np.clip(sin_g, -1.0, 1.0)))


@dataclass
class TrajectoryBatch:
    """Many trajectories from one integrator call.

    ``events`` has one row per trajectory (layout in :mod:`euroshield.flight.integrator`);
    ``launch_lat_deg``/``launch_lon_deg`` give the ground point ranges are measured from;
    when the run was recorded, ``t``/``y``/``n`` hold the accepted integrator steps.
    """

    events: np.ndarray
    t0_s: np.ndarray
    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    omega: float
    sphere_radius_m: float
    t: np.ndarray | None = None
    y: np.ndarray | None = None
    n: np.ndarray | None = None

    def __len__(self) -> int:
        return self.events.shape[0]

    def __getitem__(self, i: int) -> Trajectory:
        return Trajectory(self, int(i))

    # ---- event accessors (arrays over the batch) --------------------------------------------
    @property
    def status(self) -> np.ndarray:
        return self.events[:, ig.E_STATUS].astype(int)

    @property
    def ok(self) -> np.ndarray:
        return self.status == ig.ST_OK

    @property
    def burnout_time_s(self) -> np.ndarray:
        return self.events[:, ig.E_T_BURNOUT]

    @property
    def burnout_state_eci(self) -> np.ndarray:
        return self.events[:, ig.E_Y_BURNOUT:ig.E_Y_BURNOUT + 6]

    @property
    def apogee_time_s(self) -> np.ndarray:
        return self.events[:, ig.E_T_APOGEE]

    @property
    def apogee_state_eci(self) -> np.ndarray:
        return self.events[:, ig.E_Y_APOGEE:ig.E_Y_APOGEE + 6]

    @property
    def max_height_m(self) -> np.ndarray:
        return self.events[:, ig.E_MAX_HEIGHT]

    @property
    def reentry_time_s(self) -> np.ndarray:
        return self.events[:, ig.E_T_REENTRY]

    @property
    def impact_time_s(self) -> np.ndarray:
        return self.events[:, ig.E_T_IMPACT]

    @property
    def impact_state_eci(self) -> np.ndarray:
        return self.events[:, ig.E_Y_IMPACT:ig.E_Y_IMPACT + 6]

    @property
    def flight_time_s(self) -> np.ndarray:
        return self.impact_time_s - self.t0_s

    @property
    def n_steps(self) -> np.ndarray:
        return self.events[:, ig.E_NSTEPS].astype(int)

    def height_m(self, r_eci: np.ndarray) -> np.ndarray:
        """Height above the model Earth (ellipsoid or sphere) of ECI positions (..., 3)."""
        r_eci = np.asarray(r_eci, dtype=float)
        if self.sphere_radius_m > 0:
            return np.linalg.norm(r_eci, axis=-1) - self.sphere_radius_m
        return frames.ecef_to_geodetic(r_eci)[2]

    def point_geodetic(self, t_s: np.ndarray, y_eci: np.ndarray):
        """(lat_deg, lon_deg, height_m) of ECI states at times t_s, Earth-fixed."""
        e = frames.eci_to_ecef_states(t_s, y_eci, self.omega)
        if self.sphere_radius_m > 0:
            r = np.linalg.norm(e[..., :3], axis=-1)
            lat = np.degrees(np.arcsin(e[..., 2] / r))
            lon = np.degrees(np.arctan2(e[..., 1], e[..., 0]))
            return lat, lon, r - self.sphere_radius_m
        return frames.ecef_to_geodetic(e[..., :3])

    def impact_geodetic(self):
        """(lat_deg, lon_deg, height_m) of the impact points, Earth-fixed."""
        return self.point_geodetic(self.impact_time_s, self.impact_state_eci)

    def burnout_geodetic(self):
        return self.point_geodetic(self.burnout_time_s, self.burnout_state_eci)

    def apogee_height_m(self) -> np.ndarray:
        """Height at maximum geocentric radius (NaN where the flight never climbed)."""
        return self.height_m(self.apogee_state_eci[:, :3])

    def ground_range_m(self) -> np.ndarray:
        """Surface distance launch point -> impact point: WGS84 geodesic, or great circle on the
        sphere when the run used a spherical Earth."""
        lat, lon, _ = self.impact_geodetic()
        if self.sphere_radius_m > 0:
            return geodesy.great_circle_distance_sphere(
                self.launch_lat_deg, self.launch_lon_deg, lat, lon, radius_m=self.sphere_radius_m
            )
        d, _, _ = geodesy.inverse(self.launch_lat_deg, self.launch_lon_deg, lat, lon)
        return np.asarray(d)

    def burnout_speed_m_s(self) -> np.ndarray:
        """Inertial (ECI) speed at burnout."""
        return np.linalg.norm(self.burnout_state_eci[:, 3:], axis=-1)

    def burnout_gamma_deg(self) -> np.ndarray:
        """Inertial flight-path angle at burnout (degrees above the geocentric horizontal)."""
        return flight_path_angle_deg(self.burnout_state_eci)

    def states_at(self, t_s: np.ndarray) -> np.ndarray:
        """Interpolated ECI states (n, m, 6) at times ``t_s`` ((m,) shared or (n, m) per row)."""
        if self.t is None:
            raise ValueError("this batch was integrated without recording; pass record=True")
        tq = np.asarray(t_s, dtype=float)
        if tq.ndim == 1:
            tq = np.broadcast_to(tq, (len(self), tq.shape[0]))
        tq = np.ascontiguousarray(tq)
        out = np.empty(tq.shape + (6,))
        parallel_blocks(lambda b: hermite_batch(self.t[b], self.y[b], self.n[b], tq[b], out[b]),
                        len(self), 8)
        return out


class Trajectory:
    """One trajectory of a :class:`TrajectoryBatch` (a view; no data is copied)."""

    def __init__(self, batch: TrajectoryBatch, index: int):
        if not -len(batch) <= index < len(batch):
            raise IndexError(index)
        self.batch = batch
        self.index = index % len(batch)

    def _rows(self):
        b = self.batch
        if b.t is None:
            raise ValueError("this trajectory was integrated without recording; use record=True")
        k = int(b.n[self.index])
        return b.t[self.index, :k], b.y[self.index, :k]

    @property
    def times_s(self) -> np.ndarray:
        return self._rows()[0]

    def eci(self) -> np.ndarray:
        """ECI states (m, 6) at the recorded times [m, m/s]."""
        return self._rows()[1]

    def ecef(self) -> np.ndarray:
        """Earth-fixed states (m, 6) at the recorded times [m, m/s]."""
        t, y = self._rows()
        return frames.eci_to_ecef_states(t, y, self.batch.omega)

    def geodetic(self):
        """(lat_deg, lon_deg, height_m) arrays at the recorded times."""
        t, y = self._rows()
        return self.batch.point_geodetic(t, y)

    def altitude_km(self) -> np.ndarray:
        return self.geodetic()[2] / 1e3

    def speed_m_s(self) -> np.ndarray:
        """Inertial speed at the recorded times."""
        return np.linalg.norm(self._rows()[1][:, 3:], axis=-1)

    def at(self, t_s) -> np.ndarray:
        """ECI state(s) interpolated (cubic Hermite) at time(s) ``t_s``; NaN outside the flight."""
        tq = np.atleast_1d(np.asarray(t_s, dtype=float))
        t, y = self._rows()
        out = np.empty((tq.shape[0], 6))
        _hermite_eval_row(t, y, t.shape[0], tq, out)
        return out[0] if np.ndim(t_s) == 0 else out

    @property
    def events(self) -> dict[str, float]:
        """Named events: times [s] and heights [m]."""
        b, i = self.batch, self.index
        return {
            "burnout_time_s": float(b.burnout_time_s[i]),
            "apogee_time_s": float(b.apogee_time_s[i]),
            "reentry_time_s": float(b.reentry_time_s[i]),
            "impact_time_s": float(b.impact_time_s[i]),
            "max_height_m": float(b.max_height_m[i]),
        }

    @property
    def flight_time_s(self) -> float:
        return float(self.batch.flight_time_s[self.index])

    @property
    def ground_range_m(self) -> float:
        return float(self.batch.ground_range_m()[self.index])


def status_text(code: int) -> str:
    return ig.STATUS_TEXT.get(int(code), f"status {code}")
