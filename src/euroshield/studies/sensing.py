"""The ``sense`` stage with an architecture: sensors that measure, trackers, links and the
fire-control rule of :mod:`euroshield.network.architecture`, in place of the old rule
("N detections make a track", :func:`euroshield.studies.pipeline.sense`).

:func:`sense_network` turns the look points of every flown trajectory into a
:class:`~euroshield.studies.pipeline.SensorPicture` whose ``launch_allowed_s`` is per route x
engage shooter, ``(n, J)``:

1. **Measure**: every tracking sensor of every system of the architecture measures every
   trajectory (:func:`euroshield.defense.sensors.measure`: range, angles, range rate with
   noise, Swerling 1 detections, field of regard) at the scenario's RCS. The random numbers
   of a sensor come from ``numpy.random.SeedSequence([seed, crc32(sensor name)])``: each
   sensor has its own stream, so results do not depend on the order in which sensors are
   listed, and the same seed gives the same arrays.
2. **Track**: one batched EKF per sensor (:func:`euroshield.network.filters.track`), and
   for a ``joint`` architecture the central track fused from every sensor's measurements.
3. **Cue**: the systems' cue sensors (SBIRS) give a launch cue at the scenario's
   ``early_warning.detection_delay_s`` (the catalogue's delay replaced by the scenario's, so
   early-warning what-ifs act as they do under the old rule); none if
   ``early_warning.enabled`` is false.
4. **Fire control** (:func:`euroshield.network.architecture.fire_control`): per route x site,
   the first time a launch-quality track is available at the site's command node, the cue
   there, the reason (``Access``) and, for ``sectoral``, whether the threat's aim point lies
   in the site's system's sector. Interceptors at one site share the site's column.
5. **Timeline**, exactly the old rule applied per shooter with the shooter's own cue:
   with a cue (the shooter's system has early warning, its own or received over an
   early-warning link) launch is allowed at ``max(launch-quality track, cue + decision
   delay)``: the decision process starts at the cue and the launch needs the track; without a
   cue at ``track + decision delay``; the ``timeline.fire_control: ir-cue`` what-if at
   ``cue + decision delay`` (no track needed). Never (NaN) outside a sectoral shooter's
   sector, or without a track (or cue, for ir-cue).

Memo: the measurements, tracks and cues depend on the looks, the sensor (every catalogue
field after the scenario's moves), the RCS, the seed and (cues) the early-warning delay, not
on the timeline, links, sectors or thresholds; they are kept per ``Looks`` object (in the
``memo`` given, or one kept alive with the looks), so a what-if that changes only the
timeline or the architecture's links does not measure or track again.

Units: times in seconds after the threat's launch, NaN = never.
"""

from __future__ import annotations

import weakref
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from euroshield.defense import sensors as sensor_models
from euroshield.defense.radar import Radar, get_radar, space_sensors
from euroshield.network.architecture import Architecture, fire_control
from euroshield.network.filters import track
from euroshield.scenario import N_DETECTIONS, Scenario
from euroshield.studies.pipeline import Looks, SensorPicture, Shooter, sense

__all__ = ["N_DETECTIONS", "combine", "looks_memo", "picture", "resolve_architecture",
           "sense_network", "sensor_rng"]

_LOOKS_MEMOS: dict[int, dict] = {}  # id(looks) -> memo, dropped when the looks are collected


def looks_memo(looks: Looks) -> dict:
    """A memo kept as long as ``looks`` lives (measurements and tracks of these looks)."""
    key = id(looks)
    memo = _LOOKS_MEMOS.get(key)
    if memo is None:
        memo = _LOOKS_MEMOS[key] = {}
        weakref.finalize(looks, _LOOKS_MEMOS.pop, key, None)
    return memo


def sensor_rng(seed: int, name: str) -> np.random.Generator:
    """The random stream of one sensor: ``SeedSequence([seed, crc32(name)])`` (independent of
    the other sensors and of their order)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed),
                                                          zlib.crc32(name.encode("utf-8"))]))


def resolve_architecture(sc: Scenario, architecture=None,
                         where: str = "architecture") -> Architecture | None:
    """The scenario's architecture, or ``architecture`` (a built-in name, ``n-detections``, a
    mapping or an :class:`Architecture`), expanded and validated against the scenario (see
    :meth:`euroshield.scenario.Scenario.architecture_model`); None for the old rule."""
    return sc.architecture_model(architecture, where=where)


def _radar_models(sc: Scenario, names: Sequence[str]) -> list[Radar]:
    own = {r.name: r for r in sc.radar_models()}
    return [own[n] if n in own else get_radar(n) for n in names]


MEMO_ENTRIES = 64  # a memo holding more entries is emptied first (campaign draws vary radars)


def _measured(looks: Looks, radar: Radar, rcs_m2: float, seed: int, memo: dict):
    key = ("measure", radar.model_dump_json(), float(rcs_m2), int(seed))
    m = memo.get(key)
    if m is None:
        if len(memo) > MEMO_ENTRIES:
            memo.clear()
        m = memo[key] = _at_least_one_column(
            sensor_models.measure(radar, looks, rcs_m2, sensor_rng(seed, radar.name)))
    return key, m


def _at_least_one_column(m):
    """A sensor that detects nothing has measurements with no column; the trackers and track
    quality reductions need one: an empty (NaN) column, no measurement in it."""
    if m.times_s.shape[1] > 0:
        return m
    n, k = m.times_s.shape[0], m.k
    nan = np.full
    return replace(m, times_s=nan((n, 1), np.nan), z=nan((n, 1, k), np.nan),
                   noise_cov=nan((n, 1, k, k), np.nan), snr_db=nan((n, 1), np.nan),
                   truth_ecef=nan((n, 1, 6), np.nan), epochs_s=np.zeros(1),
                   z_true=nan((n, 1, k), np.nan), pd=nan((n, 1), np.nan))


def _tracked(key: tuple, m, memo: dict):
    tkey = ("track",) + key[1:]
    t = memo.get(tkey)
    if t is None:
        t = memo[tkey] = track(m)
    return t


def sense_network(looks: Looks, sc: Scenario, shooters: Sequence[Shooter],
                  rcs_m2: float | None = None, architecture=None, seed: int | None = None,
                  memo: dict | None = None) -> SensorPicture:
    """The sensor picture of every trajectory of ``looks`` under an architecture (see the
    module docstring), for the engage stage's ``shooters`` (columns of
    ``launch_allowed_s``, (n, J)).

    ``sc``: the validated scenario (radars with its moves, early warning, timeline, sites,
    tracking seed). ``rcs_m2`` [m^2]: default ``sc.threats.rcs_m2`` (the footprint passes
    ``sc.footprint.rcs_m2``). ``architecture``: default the scenario's; a built-in name,
    ``n-detections`` (then this is exactly :func:`~euroshield.studies.pipeline.sense`), a
    mapping or an :class:`Architecture`. ``seed``: default ``sc.tracking_settings.seed``.
    ``memo``: measurements and tracks of these looks (default: one kept with the looks)."""
    rcs = float(sc.threats.rcs_m2 if rcs_m2 is None else rcs_m2)
    arch = sc.architecture_model(architecture)
    if arch is None:
        return sense(looks, sc.radar_models(), sc.early_warning, sc.timeline, rcs, memo=memo)
    settings = sc.tracking_settings
    seed = settings.seed if seed is None else int(seed)
    memo = looks_memo(looks) if memo is None else memo
    n = len(looks.threats)
    names = list(dict.fromkeys(x for s in arch.systems for x in s.sensors))
    radars = _radar_models(sc, names)
    meas, tracks, first = {}, {}, {}
    keys = []
    for radar in radars:
        key, m = _measured(looks, radar, rcs, seed, memo)
        keys.append(key)
        meas[radar.name] = m
        tracks[radar.name] = _tracked(key, m, memo)
        first[radar.name] = _fmin_cols(m.times_s, n)  # time-ordered: the first column
    central = None
    if arch.kind == "joint":
        ckey = ("central", tuple(keys))
        central = memo.get(ckey)
        if central is None:
            central = memo[ckey] = track([meas[x] for x in names])
    cues = {}
    ew = sc.early_warning
    if ew.enabled:
        for name in dict.fromkeys(x for s in arch.systems for x in s.cue_sensors):
            sensor = space_sensors()[name].model_copy(
                update={"detection_delay_s": float(ew.detection_delay_s)})
            ckey = ("cue", sensor.model_dump_json(), seed)
            c = memo.get(ckey)
            if c is None:
                c = memo[ckey] = sensor_models.cue(sensor, looks, sensor_rng(seed, name))
            cues[name] = c
    delay = float(sc.timeline.decision_delay_s)
    sites = tuple(dict.fromkeys(s.site for s in shooters))
    th = looks.threats
    fc = fire_control(arch, tracks, shooters=sites, cues=cues, central_tracks=central,
                      sector_lat_deg=th.aim_lat_deg if arch.kind == "sectoral" else None,
                      sector_lon_deg=th.aim_lon_deg if arch.kind == "sectoral" else None,
                      decision_delay_s=delay, grid_step_s=settings.grid_step_s, memo=memo)
    col = np.array([sites.index(s.site) for s in shooters], dtype=np.int64)
    allowed = combine(fc.launch_quality_s[:, col], fc.cue_s[:, col], fc.in_sector[:, col],
                      delay, sc.timeline.fire_control)
    lq = fc.launch_quality_s[:, col]
    n_j = len(shooters)
    track_time = _fmin_cols(lq, n)
    q = arch.track_quality
    own = np.stack([q.first_time(tracks[x], "launch") for x in names], axis=1) if names \
        else np.zeros((n, 0))
    hit = np.isfinite(own) & (own == track_time[:, None])
    tracked_by = np.where(hit.any(axis=1), np.argmax(hit, axis=1), -1).astype(np.int64)
    first_any = _fmin_cols(np.stack(list(first.values()), axis=1) if first else
                           np.zeros((n, 0)), n)
    return SensorPicture(
        sensors=tuple(names), first_detection_s=first_any, track_time_s=track_time,
        tracked_by=tracked_by, cue_s=_fmin_cols(fc.cue_s[:, col], n) if n_j else
        np.full(n, np.nan), launch_allowed_s=allowed, fire_control=sc.timeline.fire_control,
        decision_delay_s=delay,
        early_warning_delay_s=float(ew.detection_delay_s) if ew.enabled else None,
        rcs_m2=rcs, architecture=sc.architecture_name if architecture is None else (
            architecture if isinstance(architecture, str) else "inline"),
        launch_quality_s=lq, engage_quality_s=fc.engage_quality_s[:, col],
        shooter_cue_s=fc.cue_s[:, col], access=fc.reason[:, col], network=fc,
        shooter_column=col, tracks=tracks, central_tracks=central,
        sensor_first_detection_s=first)


def combine(launch_quality_s, cue_s, in_sector, decision_delay_s: float,
            fire_control_rule: str = "radar-track") -> np.ndarray:
    """Launch allowed [s] from per-shooter launch-quality track and cue times (same shape):
    ``max(track, cue + delay)`` where there is a cue, ``track + delay`` where not;
    ``cue + delay`` for the ``ir-cue`` what-if; NaN outside the sector (see the module
    docstring: the old rule, per shooter)."""
    lq = np.asarray(launch_quality_s, dtype=float)
    cue = np.asarray(cue_s, dtype=float)
    d = float(decision_delay_s)
    if fire_control_rule == "ir-cue":
        allowed = cue + d
    else:
        allowed = np.where(np.isfinite(cue), np.maximum(lq, cue + d), lq + d)
    return np.where(in_sector, allowed, np.nan)


def _fmin_cols(a: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    for j in range(a.shape[1]):
        out = np.fmin(out, a[:, j])
    return out


def picture(looks: Looks, sc: Scenario, shooters: Sequence[Shooter], rcs_m2: float,
            memo: Mapping | None = None) -> SensorPicture:
    """The studies' ``sense`` call: the old rule exactly as before for ``n-detections``
    (``memo``: the old rule's radar-track cache), else :func:`sense_network` (its memo kept
    with the looks)."""
    if sc.architecture_name == N_DETECTIONS:
        return sense(looks, sc.radar_models(), sc.early_warning, sc.timeline, rcs_m2,
                     memo=memo)
    return sense_network(looks, sc, shooters, rcs_m2)
