"""The second flip: sensors. For every route x shooter of a deterrence study, which assumption
decides the verdict (kinematics, the timeline's delays, or the radars), the radar detection
range at which it flips, and the interceptor launch and track times it would need.

Definitions (the report states them in words):

* ``launch_needed_s`` L: the latest interceptor launch time [s after threat launch] that still
  reaches an intercept point (inside the altitude band, within the maximum fly-out time), at
  the interceptor's nominal speed on the engagement stage's look points. The row is engageable
  exactly when launch is allowed no later than L (``engage`` feasibility: launch >= allowed).
* ``track_needed_s`` T: the latest launch-quality track time that still allows launch by L
  under the picture's launch rule: T = L with ``max(track, cue + decision delay)``, T = L -
  decision delay with ``track + decision delay``; NaN with the ``ir-cue`` what-if (no track
  is needed), where L is NaN, and where T < 0.
* ``flip_range_km``: the detection range at the scenario's RCS (the range ``Radar.max_range_m``
  returns for that RCS; the catalogue's reference range scales as RCS^(1/4)) that one radar
  alone must have, every other sensor unchanged, for the verdict to flip. For a row that is
  not engageable: the smallest range at which that radar tracks by T, minimised over the
  scenario's radars (``flip_radar`` is the radar). For an engageable row: the range below which
  it stops being engageable, when exactly one radar delivers a track by T (with two or more,
  no single radar's range flips it: NaN, -1). NaN wherever no range suffices.
* ``decider`` (:class:`Decider`): for a row that is not engageable, the first of these that
  holds: KINEMATICS (no reachable intercept point, or L < 0: the interceptor would have to
  leave before the threat), TIMELINE (even a track at threat launch is too late: L < cue +
  decision delay, or L < decision delay without early warning; always, with the ``ir-cue``
  what-if), SENSOR (a longer range of one scenario radar flips it), COVERAGE (no range of any
  scenario radar does: horizon, elevation mask or sector; only a radar placed elsewhere, or a
  shorter revisit, would). For an engageable row, the smaller launch margin decides: SENSOR
  when the track margin T - track is at most the timeline margin L - (cue + decision delay)
  (with ``track + decision delay`` the two are the same seconds and the row counts as SENSOR:
  the track starts the clock), TIMELINE otherwise and with ``ir-cue``.

A route (one threat) is engageable by some shooter exactly when launch is allowed by the
largest L over its shooters, and every quantity above depends on the shooter only through L,
so a route's values are those of its row with the largest L (``best_shooter``).

The flip range is exact on the study's sampling: a radar detects at each revisit look where the
target is in its sector, above its elevation mask and horizon (4/3-Earth refraction, as
:func:`euroshield.defense.radar.visibility`) and within range, so it tracks by T at range R
exactly when R is at least the N-th smallest slant range among the geometrically visible looks
up to T (:func:`range_for_track_m`). Pure functions of the pipeline stages; SI inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from euroshield.defense.engagement import LookPoints, Reason, arrival_times, in_band
from euroshield.defense.radar import Radar, visibility
from euroshield.studies.pipeline import ROW_BLOCK, Engagements, Looks

__all__ = ["Decider", "SensorFlips", "flips_of", "latest_launch_s", "range_for_track_m",
           "sensor_flips"]

RANGE_BLOCK = 512  # trajectories per block of visibility evaluations: bounds memory


class Decider(IntEnum):
    """Which assumption decides a verdict (see the module docstring). Codes are stable (stored
    in files); sentences for them belong to the report layer."""

    KINEMATICS = 0  # no reachable intercept point, or the interceptor would leave before the threat
    TIMELINE = 1  # the early-warning / decision delays: even a track at threat launch is too late
    SENSOR = 2  # the radar detection range: one scenario radar with a longer range flips it
    COVERAGE = 3  # radar coverage: no range of any scenario radar flips it (horizon, sector)


@dataclass(frozen=True)
class SensorFlips:
    """Sensor flips of a study, (n, J) arrays over routes x shooters (NaN where none).

    ``sensors`` are the picture's radars (``flip_radar`` indexes them, -1 = none) and
    ``sensor_range_km`` their detection ranges at the scenario's RCS as studied.
    ``best_shooter`` (n,) is the shooter with the latest ``launch_needed_s`` (-1 when no shooter
    reaches the route): the route's values are that row's (``route(...)``)."""

    sensors: tuple[str, ...]
    sensor_range_km: np.ndarray  # (K,)
    flip_range_km: np.ndarray  # (n, J) detection range at the scenario RCS, one radar alone
    flip_radar: np.ndarray  # (n, J) int index into sensors, -1 = none
    launch_needed_s: np.ndarray  # (n, J) latest interceptor launch that reaches a point
    track_needed_s: np.ndarray  # (n, J) latest track time that allows it
    decider: np.ndarray  # (n, J) int8 Decider codes
    best_shooter: np.ndarray  # (n,) int

    def route(self, name: str) -> np.ndarray:
        """The route-level (n,) values of field ``name`` (its best shooter's row)."""
        a = getattr(self, name)
        j = np.maximum(self.best_shooter, 0)
        out = np.take_along_axis(a, j[:, None], axis=1)[:, 0]
        if name == "decider":
            return np.where(self.best_shooter >= 0, out, Decider.KINEMATICS).astype(np.int8)
        if name == "flip_radar":
            return np.where(self.best_shooter >= 0, out, -1)
        return np.where(self.best_shooter >= 0, out, np.nan)


def sensor_flips(result) -> SensorFlips:
    """Sensor flips of a :class:`~euroshield.studies.deterrence.DeterrenceResult` (its
    scenario's radars are the picture's sensors)."""
    radars = result.scenario.radar_models()
    return flips_of(result.engagements, radars)


def flips_of(e: Engagements, radars: Sequence[Radar]) -> SensorFlips:
    """Sensor flips of engagements whose picture was sensed with ``radars`` (same order)."""
    pic = e.picture
    # a picture sensed with an architecture (tracking, fusion, fire control): its launch
    # quality comes from track covariances, not from N detections, so there is no radar range
    # to flip; the decider still separates kinematics, timeline and sensors (the network)
    network = getattr(pic, "launch_quality_s", None) is not None
    if network:
        radars = ()
    elif tuple(r.name for r in radars) != tuple(pic.sensors):
        raise ValueError(f"flips_of: radars {[r.name for r in radars]} are not the picture's "
                         f"sensors {list(pic.sensors)}")
    n, n_j = e.engageable.shape
    latest = latest_launch_s(e)
    rule = pic.launch_rule
    delay = pic.decision_delay_s
    cue = pic.shooter_cue_s if network else pic.cue_s[:, None]
    track = pic.launch_quality_s if network else pic.track_time_s[:, None]
    if rule == "track-and-cue":
        deadline = latest.copy()
        timeline_ok = cue + delay <= latest
    elif rule == "track":
        deadline = latest - delay
        timeline_ok = deadline >= 0.0
    else:  # ir-cue: no track is needed; only the delays and kinematics matter
        deadline = np.full((n, n_j), np.nan)
        timeline_ok = np.zeros((n, n_j), dtype=bool)
    with np.errstate(invalid="ignore"):
        kinematic = ~(latest >= 0.0)  # NaN (no reachable point) or launch before the threat
        deadline = np.where(kinematic | ~(deadline >= 0.0), np.nan, deadline)
    nominal = np.array([float(r.max_range_m(pic.rcs_m2)) for r in radars])
    # (n, J, K): the range each radar needs for a track by T; no radar: one that never tracks
    need = (np.stack([_range_needed(e.looks, r, deadline) for r in radars], axis=-1)
            if radars else np.full((n, n_j, 1), np.inf))
    ok = e.engageable
    with np.errstate(invalid="ignore"):
        # not engageable: the best single radar
        k_best = np.argmin(np.where(np.isnan(need), np.inf, need), axis=-1)
        r_best = np.take_along_axis(need, k_best[..., None], axis=-1)[..., 0]
        # engageable: the radars that deliver a track by T at their studied range
        capable = need <= (nominal if radars else np.zeros(1))
        sole = capable.sum(axis=-1) == 1
        k_sole = np.argmax(capable, axis=-1)
        r_sole = np.take_along_axis(need, k_sole[..., None], axis=-1)[..., 0]
    sensor_can = timeline_ok & (True if network else np.isfinite(r_best))
    decider = np.full((n, n_j), Decider.COVERAGE, dtype=np.int8)
    decider[sensor_can] = Decider.SENSOR
    decider[~timeline_ok] = Decider.TIMELINE
    decider[kinematic] = Decider.KINEMATICS
    # engageable rows: the smaller launch margin
    with np.errstate(invalid="ignore"):
        track_margin = deadline - track
        timeline_margin = latest - (cue + delay)
    if rule == "track-and-cue":
        by_sensor = track_margin <= timeline_margin
    else:
        by_sensor = np.full((n, n_j), rule == "track")
    decider[ok] = np.where(by_sensor, Decider.SENSOR, Decider.TIMELINE)[ok]
    flip = np.where(ok, np.where(sole, r_sole, np.nan),
                    np.where(sensor_can, r_best, np.nan))
    radar = np.where(ok, np.where(sole, k_sole, -1), np.where(sensor_can, k_best, -1))
    if rule == "ir-cue" or network:
        flip, radar = np.full((n, n_j), np.nan), np.full((n, n_j), -1)
    with np.errstate(invalid="ignore"):
        best = np.argmax(np.where(np.isnan(latest), -np.inf, latest), axis=1)
    best = np.where(np.isfinite(latest).any(axis=1), best, -1)
    return SensorFlips(tuple(r.name for r in radars), nominal / 1e3, flip / 1e3,
                       radar.astype(np.int64), latest, deadline, decider, best)


def latest_launch_s(e: Engagements) -> np.ndarray:
    """(n, J) the latest interceptor launch time [s after threat launch] that still reaches an
    intercept point at the nominal speed (NaN: no reachable point in the band within the
    fly-out limit). Taken from the engagement stage where launch was allowed (best margin plus
    the allowed time, the best point being the one with the latest launch); recomputed from the
    arrival times for rows without a track (``Reason.NO_TRACK``)."""
    a = e.picture.launch_allowed_s
    allowed = a if a.ndim == 2 else a[:, None]  # per shooter with an architecture
    out = np.where(e.engageable, e.latest_launch_s, e.margin_s + allowed)
    out = np.where(np.isfinite(out), out, np.nan)
    redo = e.reason == Reason.NO_TRACK
    pts = e.looks.points
    for j, (s, table) in enumerate(zip(e.reach.shooters, e.reach.tables, strict=True)):
        rows = np.flatnonzero(redo[:, j])
        ic = s.interceptor
        for b in range(0, len(rows), ROW_BLOCK):
            r = rows[b:b + ROW_BLOCK]
            p = LookPoints(pts.times_s, pts.ecef[r], pts.lat_deg[r], pts.lon_deg[r],
                           pts.height_m[r])
            tau = (e.reach.arrivals[j][0][r] if e.reach.arrivals is not None
                   else arrival_times(p, table, ic)[0])[..., 0]
            with np.errstate(invalid="ignore"):
                ok = in_band(p.height_m, ic) & np.isfinite(tau) & (tau <= ic.max_flyout_time_s)
            launch = np.where(ok, pts.times_s - tau, -np.inf).max(axis=1, initial=-np.inf)
            out[r, j] = np.where(np.isfinite(launch), launch, np.nan)
    return out


def range_for_track_m(radar: Radar, times_s, lat_deg, lon_deg, height_m) -> np.ndarray:
    """(n, m): the smallest detection range [m] at which ``radar`` has a launch-quality track
    (its N-th detection) by each look time ``times_s`` (m,), for targets at geodetic (n, m)
    points (NaN outside each flight); inf where no range suffices by then (fewer than N looks
    in its sector, above its elevation mask and horizon). A track by look m at range R exactly
    when R >= the N-th smallest slant range among the geometrically visible looks 0..m."""
    lat, lon, h = (np.asarray(a, dtype=float) for a in (lat_deg, lon_deg, height_m))
    unlimited = radar.model_copy(update={"reference_range_km": np.inf})
    slant = np.full(h.shape, np.inf)
    seen = np.isfinite(h)
    if seen.any():
        v = visibility(unlimited, lat[seen], lon[seen], h[seen])
        slant[seen] = np.where(v.visible, v.slant_range_m, np.inf)
    n_track = radar.detections_for_track
    best = np.full((h.shape[0], n_track), np.inf)  # the N smallest slants so far, sorted
    out = np.empty(h.shape)
    for m in range(h.shape[1]):  # running N-th smallest over look times, all targets at once
        best = np.sort(np.concatenate([best, slant[:, m:m + 1]], axis=1), axis=1)[:, :n_track]
        out[:, m] = best[:, -1]
    return out


def _range_needed(looks: Looks, radar: Radar, deadline_s: np.ndarray) -> np.ndarray:
    """(n, J): the detection range [m] ``radar`` needs for a track by each deadline (n, J)
    [s], on the radar's own revisit looks as the ``sense`` stage samples them
    (:func:`euroshield.studies.pipeline.radar_track`); NaN where the deadline is NaN."""
    out = np.full(deadline_s.shape, np.nan)
    if not np.isfinite(deadline_s).any():
        return out
    t_max = float(np.nanmax(deadline_s))
    times = np.arange(0.0, float(looks.points.times_s[-1]) + radar.revisit_s, radar.revisit_s)
    times = times[times <= t_max]  # later looks cannot help any deadline
    p = looks.sample(times)
    m = np.searchsorted(times, deadline_s, side="right") - 1  # last look by each deadline
    for b in range(0, deadline_s.shape[0], RANGE_BLOCK):
        r = slice(b, min(deadline_s.shape[0], b + RANGE_BLOCK))
        d = deadline_s[r]
        if not np.isfinite(d).any():
            continue
        q = range_for_track_m(radar, times, p.lat_deg[r], p.lon_deg[r], p.height_m[r])
        mm = m[r]
        got = np.take_along_axis(q, np.clip(mm, 0, len(times) - 1), axis=1)
        out[r] = np.where(np.isnan(d), np.nan, np.where(mm >= 0, got, np.inf))
    return out
