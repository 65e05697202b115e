"""Engagement windows: where and when an interceptor from a site can meet a threat trajectory.

For every look time t along a recorded threat trajectory the interceptor needs tau(t) seconds to
reach the threat's position (fly-out table), so it must leave at t - tau(t). A point is a feasible
intercept when that launch time is no earlier than the time launch is allowed (track plus
decision delay, from the sensor picture), the fly-out time is within the interceptor's limit and
the altitude within its intercept band. Vectorised over trajectories (one site at a time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from euroshield.earth import frames, geodesy
from euroshield.flight.trajectory import TrajectoryBatch, eci_to_ecef_states

from .flyout import FlyoutTable
from .interceptors import Interceptor


@dataclass
class EngagementWindow:
    """Per-trajectory results (arrays over trajectories; NaN where there is no such point)."""

    engageable: np.ndarray  # bool
    reason: list[str]  # "" when engageable
    earliest_launch_s: np.ndarray
    latest_launch_s: np.ndarray
    intercept_time_s: np.ndarray  # best point: the one with the largest launch margin
    intercept_altitude_m: np.ndarray
    intercept_ground_range_m: np.ndarray  # from the site
    closing_speed_m_s: np.ndarray
    margin_s: np.ndarray  # launch slack at the best point; negative = late by that much
    feasible: np.ndarray  # (n, m) bool, per look time
    times_s: np.ndarray  # (m,) look times


def engagement_windows(batch: TrajectoryBatch, table: FlyoutTable, interceptor: Interceptor,
                       launch_allowed_s, step_s: float = 2.0) -> EngagementWindow:
    """Engagement windows of ``interceptor`` from the table's site against every recorded
    trajectory of ``batch``. ``launch_allowed_s`` (scalar or per trajectory; NaN = never) is the
    earliest interceptor launch time after the threat's launch."""
    n = len(batch)
    allowed = np.broadcast_to(np.asarray(launch_allowed_s, dtype=float), (n,))
    t_end = float(np.nanmax(batch.impact_time_s))
    times = np.arange(0.0, t_end + step_s, step_s)
    y = batch.states_at(times)  # (n, m, 6) ECI
    tt = np.broadcast_to(times, y.shape[:2])
    lat, lon, h = batch.point_geodetic(tt, y)
    shape = lat.shape
    d, az, _ = geodesy.inverse(np.full(shape, table.site_lat_deg),
                               np.full(shape, table.site_lon_deg), lat, lon)
    d, az = np.asarray(d, float), np.asarray(az, float)
    tau = table.time_to(az, d, h)
    launch = tt - tau
    h_ok = (h >= interceptor.min_intercept_altitude_km * 1e3) & (
        h <= interceptor.max_intercept_altitude_km * 1e3)
    reach_ok = np.isfinite(tau) & (tau <= interceptor.max_flyout_time_s)
    margin = launch - allowed[:, None]
    feasible = reach_ok & h_ok & (margin >= 0)

    best_margin = np.where(reach_ok & h_ok, margin, -np.inf)
    k = np.argmax(best_margin, axis=1)
    rows = np.arange(n)
    has_candidate = np.isfinite(best_margin[rows, k])
    engageable = feasible.any(axis=1)
    f_launch = np.where(feasible, launch, np.nan)
    with np.errstate(all="ignore"):
        earliest = np.nanmin(np.where(feasible.any(axis=1)[:, None], f_launch, 0.0), axis=1)
        latest = np.nanmax(np.where(feasible.any(axis=1)[:, None], f_launch, 0.0), axis=1)
    earliest = np.where(engageable, earliest, np.nan)
    latest = np.where(engageable, latest, np.nan)

    def at_best(a):
        return np.where(has_candidate, a[rows, k], np.nan)

    # closing speed: threat velocity against the interceptor's, taken along the site-to-point
    # line of sight (the fly-out's direction of travel, to first order), Earth-fixed frame
    e = eci_to_ecef_states(tt[rows, k], y[rows, k], batch.omega)
    r_site = frames.geodetic_to_ecef(table.site_lat_deg, table.site_lon_deg, 0.0)
    los = e[:, :3] - r_site
    los /= np.linalg.norm(los, axis=-1, keepdims=True)
    v_int = table.speed_at(az[rows, k], d[rows, k], h[rows, k])[:, None] * los
    closing = np.linalg.norm(e[:, 3:] - v_int, axis=-1)

    reasons = []
    for i in range(n):  # reasons are text: one short loop over results, not in the kernel
        if engageable[i]:
            reasons.append("")
        elif not np.isfinite(tau[i]).any():
            reasons.append("no point of the trajectory is within the interceptor's fly-out reach")
        elif not (np.isfinite(tau[i]) & h_ok[i]).any():
            reasons.append("all reachable points are outside the intercept altitude band "
                           f"{interceptor.min_intercept_altitude_km:g}-"
                           f"{interceptor.max_intercept_altitude_km:g} km")
        elif not reach_ok[i].any():
            reasons.append(f"every reachable point needs more than the maximum fly-out time "
                           f"{interceptor.max_flyout_time_s:g} s")
        elif not np.isfinite(allowed[i]):
            reasons.append("no launch-quality track: launch is never allowed")
        else:
            late = -best_margin[i, k[i]]
            reasons.append(f"interceptor arrives {late:.0f} s late at the best point "
                           f"(launch allowed only from T+{allowed[i]:.0f} s)")
    return EngagementWindow(
        engageable=engageable,
        reason=reasons,
        earliest_launch_s=earliest,
        latest_launch_s=latest,
        intercept_time_s=np.where(has_candidate, times[k], np.nan),
        intercept_altitude_m=at_best(h),
        intercept_ground_range_m=at_best(d),
        closing_speed_m_s=np.where(has_candidate, closing, np.nan),
        margin_s=np.where(has_candidate, best_margin[rows, k], np.nan),
        feasible=feasible,
        times_s=times,
    )
