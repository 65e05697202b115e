"""Engagement windows: where and when an interceptor from a site can meet a threat trajectory.

For every look time t along a recorded threat trajectory the interceptor needs tau(t) seconds to
reach the threat's position (fly-out table), so it must leave at t - tau(t). A point is a feasible
intercept when that launch time is no earlier than the time launch is allowed (track plus
decision delay, from the sensor picture), the fly-out time is within the interceptor's limit and
the altitude within its intercept band. Vectorised over trajectories (one site at a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from euroshield.earth import frames, geodesy
from euroshield.flight.trajectory import TrajectoryBatch, eci_to_ecef_states

from .flyout import FlyoutTable
from .interceptors import Interceptor


class Reason(IntEnum):
    """Why a (trajectory, site, interceptor) is or is not engageable, in the order the checks
    apply: the first failing condition names the verdict. Codes are stable (stored in files);
    sentences for them belong to the report layer."""

    ENGAGEABLE = 0
    MISSILE_CANNOT_REACH = 1  # the threat missile cannot reach its aim point: nothing flies
    NO_REACHABLE_POINT = 2  # no point of the trajectory is within the fly-out reach
    OUTSIDE_ALTITUDE_BAND = 3  # reachable points all lie outside the intercept altitude band
    FLYOUT_TOO_LONG = 4  # every reachable point needs more than the maximum fly-out time
    NO_TRACK = 5  # no launch-quality track: launch is never allowed
    TOO_LATE = 6  # the interceptor arrives late at the best point


@dataclass
class LookPoints:
    """Threat positions sampled every ``step_s`` (shared by all sites): Earth-fixed states."""

    times_s: np.ndarray  # (m,)
    ecef: np.ndarray  # (n, m, 6) position [m] and velocity relative to the Earth [m/s]
    lat_deg: np.ndarray  # (n, m) WGS84, Earth-fixed; NaN after impact
    lon_deg: np.ndarray  # (n, m)
    height_m: np.ndarray  # (n, m) geodetic height


def look_points(batch: TrajectoryBatch, step_s: float = 2.0,
                times_s: np.ndarray | None = None) -> LookPoints:
    """Sample every recorded trajectory of ``batch`` at ``times_s`` [s after launch], by
    default every ``step_s`` from launch to the last impact."""
    if times_s is None:
        t_end = float(np.nanmax(batch.impact_time_s))
        times_s = np.arange(0.0, t_end + step_s, step_s)
    times = np.asarray(times_s, dtype=float)
    y = batch.states_at(times)  # (n, m, 6) ECI, NaN outside each flight
    e = eci_to_ecef_states(np.broadcast_to(times, y.shape[:2]), y, batch.omega)
    lat, lon, h = frames.ecef_to_geodetic(e[..., :3])
    return LookPoints(times, e, lat, lon, h)


def in_band(height_m, interceptor: Interceptor) -> np.ndarray:
    """Heights [m] inside the interceptor's intercept altitude band (False for NaN)."""
    h = np.asarray(height_m)
    return (h >= interceptor.min_intercept_altitude_km * 1e3) & (
        h <= interceptor.max_intercept_altitude_km * 1e3)


@dataclass
class EngagementWindow:
    """Per-trajectory results (arrays over trajectories; NaN where there is no such point)."""

    engageable: np.ndarray  # bool
    reason: np.ndarray  # int8 Reason codes (Reason.ENGAGEABLE when engageable)
    earliest_launch_s: np.ndarray
    latest_launch_s: np.ndarray
    intercept_time_s: np.ndarray  # best point: the one with the largest launch margin
    intercept_altitude_m: np.ndarray
    intercept_ground_range_m: np.ndarray  # from the site (WGS84 geodesic)
    flyout_time_s: np.ndarray  # interceptor flight time to the best point
    closing_speed_m_s: np.ndarray
    margin_s: np.ndarray  # launch slack at the best point; negative = late by that much
    feasible: np.ndarray  # (n, m) bool, per look time
    times_s: np.ndarray  # (m,) look times
    shots: np.ndarray  # (n,) shoot-look-shoot opportunities (see shot_opportunities)


def _constraints(height_m, tau, interceptor: Interceptor):
    """Masks of look points inside the altitude band and within fly-out time; ``height_m``
    broadcasts against the arrival times ``tau``."""
    return in_band(height_m, interceptor), np.isfinite(tau) & (
        tau <= interceptor.max_flyout_time_s)


def arrival_times(looks: LookPoints, table: FlyoutTable,
                  interceptor: Interceptor | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Interceptor arrival time [s] and speed [m/s] at every look point, (n, m, S) over the
    table's speeds; with ``interceptor``, only at points inside its altitude band (NaN
    elsewhere, where no intercept is allowed anyway)."""
    sel = (np.isfinite(looks.height_m) if interceptor is None
           else in_band(looks.height_m, interceptor))
    return table.lookup(looks.ecef[..., :3], where=sel)


def engagement_windows(batch: TrajectoryBatch | LookPoints, table: FlyoutTable,
                       interceptor: Interceptor, launch_allowed_s,
                       step_s: float = 2.0, arrivals=None,
                       assess_delay_s: float = 0.0) -> EngagementWindow:
    """Engagement windows of ``interceptor`` (the table's nominal speed) from the table's site
    against every trajectory (a recorded batch, or its look points). ``launch_allowed_s``
    (scalar or per trajectory; NaN = never) is the earliest interceptor launch time after the
    threat's launch. ``arrivals`` may pass :func:`arrival_times` already computed;
    ``assess_delay_s`` is the kill-assessment time between shots (for ``shots``)."""
    looks = batch if isinstance(batch, LookPoints) else look_points(batch, step_s)
    times = looks.times_s
    n = looks.ecef.shape[0]
    allowed = np.broadcast_to(np.asarray(launch_allowed_s, dtype=float), (n,))
    tt = np.broadcast_to(times, (n, len(times)))
    tau_s, v_int_s = arrivals if arrivals is not None else arrival_times(looks, table)
    tau, v_int = tau_s[..., 0], v_int_s[..., 0]
    h = looks.height_m
    launch = tt - tau
    h_ok, reach_ok = _constraints(h, tau, interceptor)
    margin = launch - allowed[:, None]
    feasible = reach_ok & h_ok & (margin >= 0)

    best_margin = np.where(reach_ok & h_ok, margin, -np.inf)
    k = np.argmax(best_margin, axis=1)
    rows = np.arange(n)
    has_candidate = np.isfinite(best_margin[rows, k])
    engageable = feasible.any(axis=1)
    f_launch = np.where(feasible, launch, np.nan)
    with np.errstate(all="ignore"):
        earliest = np.nanmin(np.where(engageable[:, None], f_launch, 0.0), axis=1)
        latest = np.nanmax(np.where(engageable[:, None], f_launch, 0.0), axis=1)
    earliest = np.where(engageable, earliest, np.nan)
    latest = np.where(engageable, latest, np.nan)

    def at_best(a):
        return np.where(has_candidate, a[rows, k], np.nan)

    # closing speed: threat velocity against the interceptor's, taken along the site-to-point
    # line of sight (the fly-out's direction of travel, to first order), Earth-fixed frame
    e = looks.ecef[rows, k]
    r_site = frames.geodetic_to_ecef(table.site_lat_deg, table.site_lon_deg, 0.0)
    los = e[:, :3] - r_site
    los /= np.linalg.norm(los, axis=-1, keepdims=True)
    closing = np.linalg.norm(e[:, 3:] - v_int[rows, k][:, None] * los, axis=-1)
    ground = np.full(n, np.nan)
    if has_candidate.any():
        lat_b, lon_b, _ = frames.ecef_to_geodetic(e[has_candidate, :3])
        ground[has_candidate] = geodesy.inverse(
            np.full(lat_b.shape, table.site_lat_deg), np.full(lat_b.shape, table.site_lon_deg),
            lat_b, lon_b)[0]

    reason = np.full(n, Reason.TOO_LATE, dtype=np.int8)
    finite_tau = np.isfinite(tau)
    reason[~np.isfinite(allowed)] = Reason.NO_TRACK
    reason[~reach_ok.any(axis=1)] = Reason.FLYOUT_TOO_LONG
    reason[~(finite_tau & h_ok).any(axis=1)] = Reason.OUTSIDE_ALTITUDE_BAND
    reason[~finite_tau.any(axis=1)] = Reason.NO_REACHABLE_POINT
    reason[engageable] = Reason.ENGAGEABLE
    return EngagementWindow(
        engageable=engageable,
        reason=reason,
        earliest_launch_s=earliest,
        latest_launch_s=latest,
        intercept_time_s=np.where(has_candidate, times[k], np.nan),
        intercept_altitude_m=at_best(h),
        intercept_ground_range_m=ground,
        flyout_time_s=at_best(tau),
        closing_speed_m_s=np.where(has_candidate, closing, np.nan),
        margin_s=np.where(has_candidate, best_margin[rows, k], np.nan),
        feasible=feasible,
        times_s=times,
        shots=shot_opportunities(feasible, launch, times, assess_delay_s),
    )


def shot_opportunities(feasible: np.ndarray, launch_s: np.ndarray, times_s: np.ndarray,
                       assess_delay_s: float = 0.0, max_shots: int = 8) -> np.ndarray:
    """How many interceptors one site can fire in sequence (shoot-look-shoot) at each
    trajectory: each shot takes the feasible point with the earliest intercept among launches
    no earlier than the previous intercept plus ``assess_delay_s``. ``feasible`` and
    ``launch_s`` are (n, m) over look times ``times_s`` (m,); result (n,) int, 0 when none."""
    shots = np.zeros(feasible.shape[0], dtype=np.int64)
    ready = np.full(feasible.shape[0], -np.inf)
    for _ in range(max_shots):
        cand = feasible & (launch_s >= ready[:, None])
        has = cand.any(axis=1)
        if not has.any():
            break
        k = np.argmax(cand, axis=1)  # times increase: the first candidate intercepts earliest
        shots += has
        ready = np.where(has, times_s[k] + assess_delay_s, np.inf)
    return shots


def flip_thresholds(looks: LookPoints, table: FlyoutTable, interceptor: Interceptor,
                    launch_allowed_s, tol_kms: float = 0.01, arrivals=None) -> np.ndarray:
    """Lowest interceptor burnout speed [km/s] at which each trajectory becomes engageable with
    the same timeline (NaN: not even at the table's highest speed; the lowest tabulated speed
    when already engageable there).

    The best launch margin is evaluated with the exact fly-out table of every tabulated speed;
    inside the bracketing pair of speeds it is bisected on speed, with arrival times
    interpolated linearly in 1/v between the two tables (coasting time scales as 1/v), points
    reachable only at the faster speed counting from that speed on.
    """
    n = looks.height_m.shape[0]
    allowed = np.broadcast_to(np.asarray(launch_allowed_s, dtype=float), (n,))
    order = np.argsort(table.speeds_kms)
    v = table.speeds_kms[order]
    tau = (arrivals if arrivals is not None else arrival_times(looks, table))[0]
    # only look times some trajectory can be reached at matter: drop the others up front
    cols = np.isfinite(tau).any(axis=(0, 2))
    tau = tau[:, cols][..., order]
    t_look = looks.times_s[cols]
    h_ok, reach_ok = _constraints(looks.height_m[:, cols, None], tau, interceptor)
    ok = h_ok & reach_ok
    margin = np.where(ok, t_look[None, :, None] - tau - allowed[:, None, None], -np.inf)
    best = margin.max(axis=1, initial=-np.inf)  # (n, S)
    flips = best >= 0
    # the first tabulated speed that engages (faster never hurts: take the first True)
    j = np.argmax(flips, axis=1)
    never = ~flips.any(axis=1)
    out = np.where(never, np.nan, v[j])
    todo = np.flatnonzero(~never & (j > 0))
    if len(todo) == 0:
        return out
    rows_lo = np.take_along_axis(tau[todo], (j[todo] - 1)[:, None, None], axis=2)[..., 0]
    rows_hi = np.take_along_axis(tau[todo], j[todo][:, None, None], axis=2)[..., 0]
    ok_both = np.take_along_axis(ok[todo], j[todo][:, None, None], axis=2)[..., 0] & np.isfinite(
        rows_lo)
    v_lo, v_hi = v[j[todo] - 1], v[j[todo]]
    t_look = t_look[None, :]
    lo, hi = v_lo.copy(), v_hi.copy()
    while np.max(hi - lo) > tol_kms:
        mid = 0.5 * (lo + hi)
        f = ((1 / mid - 1 / v_lo) / (1 / v_hi - 1 / v_lo))[:, None]
        tau_mid = rows_lo + f * (rows_hi - rows_lo)
        fly_ok = ok_both & (tau_mid <= interceptor.max_flyout_time_s)
        m_mid = np.where(fly_ok, t_look - tau_mid - allowed[todo, None], -np.inf).max(
            axis=1, initial=-np.inf)
        up = m_mid >= 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    out[todo] = hi
    return out
