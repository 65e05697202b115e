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
from typing import NamedTuple

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
    """Interceptor arrival time [s] at every look point, (n, m, S) over the table's speeds, and
    its speed [m/s] there at the nominal speed (index 0), (n, m, 1): the only one engagement
    windows use; with ``interceptor``, only at points inside its altitude band (NaN
    elsewhere, where no intercept is allowed anyway)."""
    sel = (np.isfinite(looks.height_m) if interceptor is None
           else in_band(looks.height_m, interceptor))
    return table.lookup(looks.ecef[..., :3], where=sel, speeds_of=1)


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


# exact refinement of the rows engageable at the nominal speed: one shared sub-ladder of this
# many interior speeds per ladder bracket (0.1 km/s apart in a 0.5 km/s bracket, where linear
# interpolation in 1/v is good to about 1 s of arrival time instead of 20 s: on the benchmark
# matrix, within 5 s of the flip, the interpolated best margin is 0.15 s short of the exact
# one in the median, 1.4 s short and 0.1 s over at worst), then exact bisection steps for the
# rows the interpolation still cannot resolve
SUB_LADDER_SPEEDS = 4


def _bracket_thresholds(t_look, height_m, tau, v, allowed, interceptor: Interceptor,
                        tol_kms: float):
    """Flip thresholds from arrival times ``tau`` (n, m, S) at look times ``t_look`` (m,) for the
    exactly tabulated speeds ``v``, increasing: (S,), or (n, S) per row.

    The first tabulated speed that engages brackets the threshold with the speed below it; inside
    the bracket the best launch margin is bisected on speed to ``tol_kms``, with arrival times
    interpolated linearly in 1/v between the two tables (coasting time scales as 1/v). Only
    points reachable at both ends of the bracket can be interpolated, so a row that engages only
    through points the slower table does not reach (they lie beyond its ascending fly-outs)
    ends at the bracket's upper speed: ``stuck`` marks those rows (bracket wider than
    ``tol_kms``) for exact refinement. Returns (threshold (n,) NaN = never, index of the
    first engaging speed (n,) -1 = never, stuck (n,) bool, the look points feasible at that
    speed (n, m) bool)."""
    n = tau.shape[0]
    h_ok, reach_ok = _constraints(height_m[..., None], tau, interceptor)
    ok = h_ok & reach_ok
    margin = np.where(ok, t_look[None, :, None] - tau - allowed[:, None, None], -np.inf)
    flips = margin.max(axis=1, initial=-np.inf) >= 0  # (n, S)
    # the first tabulated speed that engages (the lowest speed: take the first True)
    j = np.argmax(flips, axis=1)
    never = ~flips.any(axis=1)

    def speed(rows, jj):  # v[jj] of each row
        return v[jj] if v.ndim == 1 else v[rows, jj]

    out = np.where(never, np.nan, speed(np.arange(n), j))
    # the points feasible there: the only ones that can be feasible at a lower speed
    feasible = np.take_along_axis(margin, j[:, None, None], axis=2)[..., 0] >= 0
    j = np.where(never, -1, j)
    stuck = np.zeros(n, dtype=bool)
    todo = np.flatnonzero(j > 0)
    if len(todo) == 0:
        return out, j, stuck, feasible
    jt = j[todo]
    rows_lo = np.take_along_axis(tau[todo], (jt - 1)[:, None, None], axis=2)[..., 0]
    rows_hi = np.take_along_axis(tau[todo], jt[:, None, None], axis=2)[..., 0]
    ok_both = np.take_along_axis(ok[todo], jt[:, None, None], axis=2)[..., 0] & np.isfinite(
        rows_lo)
    v_lo, v_hi = speed(todo, jt - 1), speed(todo, jt)
    lo, hi = v_lo.copy(), v_hi.copy()
    while np.max(hi - lo) > tol_kms:
        mid = 0.5 * (lo + hi)
        f = ((1 / mid - 1 / v_lo) / (1 / v_hi - 1 / v_lo))[:, None]
        tau_mid = rows_lo + f * (rows_hi - rows_lo)
        fly_ok = ok_both & (tau_mid <= interceptor.max_flyout_time_s)
        m_mid = np.where(fly_ok, t_look[None, :] - tau_mid - allowed[todo, None], -np.inf).max(
            axis=1, initial=-np.inf)
        up = m_mid >= 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    out[todo] = hi
    stuck[todo] = (hi == v_hi) & (v_hi - v_lo > tol_kms + 1e-9)
    return out, j, stuck, feasible


def _sub_ladder(v_lo: float, v_hi: float, tol_kms: float, n: int) -> np.ndarray:
    """Interior speeds [km/s] splitting (v_lo, v_hi) into n + 1 parts, on the ``tol_kms`` grid
    (at least one speed while the bracket is wider than ``tol_kms``)."""
    k = np.arange(1, n + 1) / (n + 1)
    grid = np.round((v_lo + k * (v_hi - v_lo)) / tol_kms) * tol_kms
    grid = np.round(grid, 6)
    return np.unique(grid[(grid > v_lo + 1e-9) & (grid < v_hi - 1e-9)])


class Thresholds(NamedTuple):
    """Flip thresholds of :func:`flip_thresholds`, arrays over trajectories."""

    speed_kms: np.ndarray  # lowest engaging burnout speed [km/s]; NaN: not even at the top
    upper_bound: np.ndarray  # bool: the threshold is only known to be <= speed_kms


def flip_thresholds(looks: LookPoints, table: FlyoutTable, interceptor: Interceptor,
                    launch_allowed_s, tol_kms: float = 0.01, arrivals=None,
                    exact=None) -> Thresholds:
    """Lowest interceptor burnout speed [km/s] at which each trajectory becomes engageable with
    the same timeline, to ``tol_kms`` (NaN: not even at the table's highest speed).

    The best launch margin is evaluated with the exact fly-out table of every tabulated speed;
    inside the bracketing pair of speeds it is bisected on speed, with arrival times
    interpolated linearly in 1/v between the two tables. Over a 0.5 km/s bracket that
    interpolation overestimates arrival times near the edge of the slower table's reach by up
    to about 20 s (thresholds up to about 0.1 km/s too high), and it cannot see points the
    slower table does not reach at all (beyond its ascending fly-outs): a row engageable only
    through such points stops at the faster speed of the bracket, e.g. at the nominal speed for
    a route engageable with a wide margin.

    With ``exact``, rows engageable at the nominal speed (index 0 of the table) are refined
    with exact tables: ``exact(rows, speeds_kms, need)`` returns (kept (S,) bool: an
    equivalent booster flies the speed, arrival times (len(rows), m, S)) of exact fly-out
    tables at the given speeds for the given rows (row indices into ``looks``), needed only
    where ``need`` (len(rows), m, S) says: each row asks for its own speeds, at the points
    feasible at its bracket's upper speed (no other point can be feasible at a lower speed).
    Their bracket is first split by SUB_LADDER_SPEEDS exact speeds (the same for all rows of
    one ladder bracket), the bisection repeats inside the new bracket, and rows still stuck
    (engageable only through points the slower table does not reach) get exact bisection
    steps until their bracket is ``tol_kms`` wide. The interpolated bisection only proposes a
    candidate speed c on the ``tol_kms`` grid; an exact table at c - ``tol_kms`` certifies it
    (the flip lies in (c - tol, c]) or, when it engages, becomes the new upper end of the
    bracket. So a refined threshold is always a grid speed whose exact table engages while the
    one a step slower does not. Rows not engageable at the nominal speed are not
    refined: refining those too made the 2,640-row benchmark study about four times slower
    (measured before :func:`~euroshield.defense.flyout.flyout_arrivals`).

    ``upper_bound`` marks thresholds known only from above: rows engageable already at the
    table's lowest speed (the ladder goes no lower), and rows left stuck at the faster speed of
    their bracket (the flip lies somewhere inside it).
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
    h = looks.height_m[:, cols]
    out, j, stuck, feas = _bracket_thresholds(t_look, h, tau, v, allowed, interceptor,
                                              tol_kms)
    floor = j == 0  # engageable at the lowest tabulated speed
    if exact is not None:
        wide = np.zeros(n, dtype=bool)
        ok = j > 0
        wide[ok] = v[j[ok]] - v[j[ok] - 1] > tol_kms + 1e-9
        refine = wide & (out <= table.speeds_kms[0] + 1e-9)  # engageable at the nominal speed
        if refine.any():
            jr = j[refine]
            at = np.arange(len(jr))
            state = _Refinement(np.flatnonzero(refine), v[jr - 1], v[jr],
                                tau[refine][at, :, jr - 1], tau[refine][at, :, jr],
                                feas[refine])
            thr, st = state.run(t_look, h, allowed, interceptor, tol_kms, exact, cols,
                                len(looks.times_s))
            out[refine] = np.minimum(out[refine], thr)
            stuck[refine] = st
    return Thresholds(out, floor | stuck)


def _margins(t_look, height_m, tau, allowed, interceptor: Interceptor, points=None):
    """Launch margins [s] (n, m, K) at look times ``t_look`` (m,) from arrival times ``tau``
    (n, m, K); -inf at points outside the band, beyond reach or fly-out time, or not among
    ``points`` (n, m)."""
    h_ok, reach_ok = _constraints(height_m[..., None], tau, interceptor)
    ok = h_ok & reach_ok if points is None else h_ok & reach_ok & points[..., None]
    return np.where(ok, t_look[None, :, None] - tau - allowed[:, None, None], -np.inf)


@dataclass
class _Refinement:
    """Rows of :func:`flip_thresholds` under exact refinement: each row's bracket of exactly
    tabulated speeds (``lo`` does not engage, ``hi`` does), its arrival times at both ends over
    the look columns, and the points feasible at ``hi`` (no other point can be feasible at a
    lower speed)."""

    rows: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    tau_lo: np.ndarray  # (R, m)
    tau_hi: np.ndarray  # (R, m)
    feas: np.ndarray  # (R, m) bool
    cert: np.ndarray | None = None  # (R,) candidate under certification, NaN: none (run sets it)

    def take(self, keep):
        for name in ("rows", "lo", "hi", "tau_lo", "tau_hi", "feas", "cert"):
            setattr(self, name, getattr(self, name)[keep])

    def _next_speeds(self, t_look, h, allowed, interceptor, tol_kms, first):
        """Per row the exact speeds to tabulate next (empty: done), which rows are done, their
        thresholds, and the candidate each row's next speed certifies (NaN: none)."""
        n = len(self.rows)
        subs = [np.empty(0)] * n
        cert = np.full(n, np.nan)
        if first:  # the sub-ladder: the same speeds for every row of one ladder bracket
            for r in range(n):
                subs[r] = _sub_ladder(self.lo[r], self.hi[r], tol_kms, SUB_LADDER_SPEEDS)
            return subs, np.array([len(x) == 0 for x in subs]), self.hi.copy(), cert
        # a bracket one grid step wide is resolved: lo does not engage, hi does (both exact)
        done = self.hi - self.lo <= tol_kms + 1e-9
        # bisection interpolated in 1/v inside the bracket (see _bracket_thresholds) proposes
        # a candidate c on the tol grid. Interpolated arrival times run late (never early, in
        # every case measured): the candidate engages, but may be too high: near the edge of
        # the slower table's reach they are late by up to ~1.5 s even over 0.1 km/s, which put
        # 30 of 231 refined thresholds of the benchmark matrix one 0.01 km/s step too high.
        tau = np.stack([self.tau_lo, self.tau_hi], axis=2)
        v = np.stack([self.lo, self.hi], axis=1)
        out, _, stuck, _ = _bracket_thresholds(t_look, h, tau, v, allowed, interceptor,
                                               tol_kms)
        # stuck at hi, yet every candidate point is reachable at lo too: the interpolation
        # saw them all and puts the flip within tol_kms below hi
        seen = ~(self.feas & ~np.isfinite(self.tau_lo)).any(axis=1)
        cand = np.where(np.isfinite(out), out, self.hi)
        cand = np.minimum(np.round(np.ceil(cand / tol_kms - 1e-6) * tol_kms, 6), self.hi)
        thr = self.hi.copy()
        for r in np.flatnonzero(~done):
            if stuck[r] and not seen[r]:  # reach-limited: exact bisection
                subs[r] = _sub_ladder(self.lo[r], self.hi[r], tol_kms, 1)
                continue
            # certify c with one exact table at c - tol: if that does not engage, c is the
            # answer (see run); if it does, the bracket becomes (lo, c - tol) and the search
            # goes on. c - tol at or below lo: lo (exact) does not engage, c is the answer.
            c = cand[r]
            below = round(c - tol_kms, 6)
            if below <= self.lo[r] + 1e-9:
                done[r], thr[r] = True, c
            else:
                subs[r] = np.array([below])
                cert[r] = c if c < self.hi[r] - 1e-9 else np.nan
        return subs, done, thr, cert

    def run(self, t_look, h, allowed, interceptor, tol_kms, exact, cols, m_all):
        """Refine to ``tol_kms``; returns the thresholds and the rows left with an upper bound
        (no equivalent booster flies the speeds their bracket needs).

        Every pass asks ``exact`` once for all rows, each row for its own speeds inside its
        own bracket, at the points feasible at its upper speed (the speeds a row's threshold
        rests on do not depend on which other rows were refined with it): first the
        sub-ladder (SUB_LADDER_SPEEDS speeds, the same for the rows of one ladder bracket),
        then exact bisection steps for the rows the bisection interpolated in 1/v inside their
        new bracket cannot resolve (see :meth:`_next_speeds`)."""
        n = len(self.rows)
        thr = self.hi.copy()
        bound = np.zeros(n, dtype=bool)
        idx = np.arange(n)  # positions of the rows still refined
        first = True
        while len(idx):
            hr, ar = h[self.rows], allowed[self.rows]
            subs, done, out, self.cert = self._next_speeds(t_look, hr, ar, interceptor,
                                                           tol_kms, first)
            first = False
            thr[idx[done]] = out[done]
            self.take(~done)
            idx, hr, ar = idx[~done], hr[~done], ar[~done]
            subs = [x for x, d in zip(subs, done, strict=True) if not d]
            if not len(idx):
                break
            speeds = np.unique(np.concatenate(subs))
            asked = np.zeros((len(idx), len(speeds)), dtype=bool)
            for r, x in enumerate(subs):
                asked[r, np.searchsorted(speeds, x)] = True
            need = np.zeros((len(idx), m_all, len(speeds)), dtype=bool)
            need[:, cols] = self.feas[:, :, None] & asked[:, None, :]
            kept, tau_new = exact(self.rows, speeds, need)
            got = asked & np.asarray(kept, dtype=bool)[None, :]
            cnt = got.sum(axis=1)
            # per row: lo, its new speeds, hi, then padding that never engages
            width = int(cnt.max()) + 2
            at = np.arange(len(idx))
            v = np.full((len(idx), width), np.inf)
            tau = np.full((len(idx), len(t_look), width), np.nan)
            v[:, 0], tau[..., 0] = self.lo, self.tau_lo
            rr, ss = np.nonzero(got)
            pos = np.arange(len(rr)) - np.repeat(np.cumsum(cnt) - cnt, cnt) + 1
            v[rr, pos] = speeds[ss]
            tau[rr, :, pos] = np.asarray(tau_new)[:, cols][rr, :, ss]
            v[at, cnt + 1], tau[at, :, cnt + 1] = self.hi, self.tau_hi
            margin = _margins(t_look, hr, tau, ar, interceptor, self.feas)
            j = np.argmax(margin.max(axis=1, initial=-np.inf) >= 0, axis=1)  # first engaging
            lost = cnt == 0  # no equivalent booster flies its speeds: keep the bound
            thr[idx[lost]], bound[idx[lost]] = self.hi[lost], True
            # certified: c - tol (exact) does not engage, so the flip lies in (c - tol, c]
            sure = np.isfinite(self.cert) & (j == cnt + 1) & ~lost
            thr[idx[sure]] = self.cert[sure]
            lost = lost | sure
            j = np.maximum(j, 1)  # (guard: lo does not engage)
            self.lo, self.hi = v[at, j - 1], v[at, j]
            self.tau_lo, self.tau_hi = tau[at, :, j - 1], tau[at, :, j]
            self.feas = margin[at, :, j] >= 0
            self.take(~lost)
            idx = idx[~lost]
        return thr, bound
