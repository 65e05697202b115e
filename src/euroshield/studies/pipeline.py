"""The study pipeline: typed, pure stages over arrays. Read it top to bottom:

    threats  = ThreatSet.from_places(bases, targets, missile)   # who flies where
    flown    = fly(threats)                                      # aimed, recorded trajectories
    looks    = look(flown)                                       # one Earth-fixed sampling
    picture  = sense(looks, radars, early_warning, timeline, rcs_m2)   # when launch is allowed
    reach    = reach_of(looks, shooters, ladder_kms)             # interceptor arrival times
    result   = engage(looks, reach, picture)                     # verdicts, reasons, margins

Each stage is a pure function of its (validated) inputs and returns unrounded arrays together
with the inputs that made them, so studies (deterrence, footprint, attrition, campaigns) are
reductions over the arrays and a what-if reruns only the stages it changes: a new timeline
reruns ``sense`` and ``engage``, a new interceptor speed ``reach_of`` and ``engage``. Rows,
rounding, sentences and files belong to ``euroshield.report`` and the command line.

Units: SI inside (m, s, m/s); names at the boundary carry their unit (``lat_deg``,
``intercept_time_s``). Frames: look points are Earth-fixed (WGS84 ECEF and geodetic).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from euroshield import catalog
from euroshield.defense.engagement import (
    LookPoints,
    Reason,
    arrival_times,
    engagement_windows,
    flip_thresholds,
    in_band,
    look_points,
)
from euroshield.defense.flyout import FlyoutTable, flyout_arrivals, flyout_table, site_coords
from euroshield.defense.interceptors import Interceptor, boosters
from euroshield.defense.radar import Detections, Radar, detections
from euroshield.errors import InputError
from euroshield.flight import aiming
from euroshield.flight.engine import STUDY_RTOL, Physics
from euroshield.flight.trajectory import TrajectoryBatch

__all__ = [
    "Engagements", "Looks", "Reach", "Reason", "SensorPicture", "Shooter", "ThreatSet",
    "Trajectories", "engage", "fly", "look", "reach_of", "sense",
]

LOOK_STEP_S = 2.0  # spacing of the look points shared by every site
ROW_BLOCK = 256  # trajectories per block of arrival-time lookups in engage: bounds memory


# ---- threats -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreatSet:
    """Arrays over threats (one row = one missile from a launch point to an aim point).

    ``launch_name``/``aim_name`` label rows for reports (a place or grid-cell name);
    ``missile`` holds the catalogue missile of each row.
    """

    launch_name: np.ndarray  # (n,) str
    launch_lat_deg: np.ndarray  # (n,) WGS84
    launch_lon_deg: np.ndarray
    aim_name: np.ndarray  # (n,) str
    aim_lat_deg: np.ndarray
    aim_lon_deg: np.ndarray
    missile: np.ndarray  # (n,) str, catalogue names
    shape: str = "minimum-energy"

    def __post_init__(self):
        n = len(self.launch_lat_deg)
        for name in ("launch_name", "launch_lon_deg", "aim_name", "aim_lat_deg",
                     "aim_lon_deg", "missile"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"ThreatSet.{name} has {len(getattr(self, name))} rows, "
                                 f"expected {n}")

    def __len__(self) -> int:
        return len(self.launch_lat_deg)

    @classmethod
    def from_arrays(cls, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg,
                    missile: str | Sequence[str], launch_name=None, aim_name=None,
                    shape: str = "minimum-energy") -> ThreatSet:
        """Threats from explicit arrays (broadcast together); checks coordinates."""
        la, lo, ta, to = (np.atleast_1d(np.asarray(a, dtype=float)).ravel() for a in
                          np.broadcast_arrays(launch_lat_deg, launch_lon_deg, aim_lat_deg,
                                              aim_lon_deg))
        for what, lat, lon in (("launch", la, lo), ("aim", ta, to)):
            if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon))):
                raise InputError(f"{what} points: coordinates must be finite numbers")
            if np.any(np.abs(lat) > 90.0):
                raise InputError(f"{what} points: latitude outside the allowed range [-90, 90]")
        n = len(la)
        def wrap(lon):  # into [-180, 180); values already there are kept exactly
            return np.where((lon >= -180.0) & (lon < 180.0), lon, (lon + 180.0) % 360.0 - 180.0)

        lon_wrap, to_wrap = wrap(lo), wrap(to)

        def names(v, lat, lon):
            if v is None:
                return np.array([f"{a:.4f},{b:.4f}" for a, b in zip(lat, lon, strict=True)])
            return np.broadcast_to(np.asarray(v, dtype=str), (n,)).copy()

        mis = np.broadcast_to(np.asarray(missile, dtype=str), (n,)).copy()
        return cls(names(launch_name, la, lon_wrap), la, lon_wrap, names(aim_name, ta, to_wrap),
                   ta, to_wrap, mis, shape)

    @classmethod
    def from_places(cls, launches: Sequence[str], aims: Sequence[str],
                    missile: str | Mapping[str, str]) -> ThreatSet:
        """Every launch place x every aim place (launch-major order), by catalogue name (a
        place, or a capital for aim points). ``missile`` is one catalogue missile, or a mapping
        launch name -> missile."""
        a = [catalog.get_place(n) for n in launches]
        b = [_aim_point(n) for n in aims]
        pairs = [(p, q) for p in a for q in b]
        mis = [missile[p.name] if isinstance(missile, Mapping) else missile for p, _ in pairs]
        return cls.from_arrays([p.lat for p, _ in pairs], [p.lon for p, _ in pairs],
                               [q.lat for _, q in pairs], [q.lon for _, q in pairs], mis,
                               [p.name for p, _ in pairs], [q.name for _, q in pairs])

    @classmethod
    def from_grid(cls, launch_points: Sequence[tuple[str, float, float]], aim_lat_deg,
                  aim_lon_deg, missile: str, aim_name=None) -> ThreatSet:
        """Every launch point (name, lat, lon) x every aim point (launch-major order)."""
        ta = np.atleast_1d(np.asarray(aim_lat_deg, dtype=float)).ravel()
        to = np.atleast_1d(np.asarray(aim_lon_deg, dtype=float)).ravel()
        names = (np.array([f"{a:.3f},{b:.3f}" for a, b in zip(ta, to, strict=True)])
                 if aim_name is None else np.asarray(aim_name, dtype=str))
        k = len(ta)
        return cls.from_arrays(np.repeat([p[1] for p in launch_points], k),
                               np.repeat([p[2] for p in launch_points], k),
                               np.tile(ta, len(launch_points)), np.tile(to, len(launch_points)),
                               missile, np.repeat([p[0] for p in launch_points], k),
                               np.tile(names, len(launch_points)))

    def take(self, rows) -> ThreatSet:
        """The threats at ``rows`` (an index array or a boolean mask)."""
        return ThreatSet(*(getattr(self, f)[rows] for f in (
            "launch_name", "launch_lat_deg", "launch_lon_deg", "aim_name", "aim_lat_deg",
            "aim_lon_deg", "missile")), shape=self.shape)


def _aim_point(name: str):
    """A catalogue place, else a capital (``euroshield catalog capitals``), by name."""
    caps = catalog.capitals()
    if name in caps and name not in catalog.places():
        return caps[name]
    try:
        return catalog.get_place(name)
    except InputError:
        known = sorted({*catalog.places(), *caps})
        raise InputError(f"unknown place or capital {name!r}; known: "
                         f"{', '.join(known)}") from None


# ---- fly -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trajectories:
    """Aimed trajectories of a threat set, recorded for interpolation.

    ``groups`` holds one recorded batch per missile type with the threat rows it flew.
    ``flown``: the aim converged (the trajectory ends on its aim point); rows that are not
    flown have no trajectory (out of the missile's reach, or no converged solution).
    """

    threats: ThreatSet
    groups: tuple[tuple[np.ndarray, TrajectoryBatch], ...]
    flown: np.ndarray  # (n,) bool
    reachable: np.ndarray  # (n,) bool: within the missile's reach on its heading
    impact_time_s: np.ndarray  # (n,) after launch; NaN when not flown
    apogee_time_s: np.ndarray  # (n,)
    miss_m: np.ndarray  # (n,) impact point to aim point
    physics: Physics


def fly(threats: ThreatSet, physics: Physics | None = None,
        tolerance_m: float = 100.0) -> Trajectories:
    """Aim every threat (its catalogue missile and shape) and record the trajectories on the
    rotating WGS84 Earth (J2, US76 drag) at the study tolerance (metres at impact)."""
    physics = physics or Physics(rtol=STUDY_RTOL)
    n = len(threats)
    flown = np.zeros(n, dtype=bool)
    reachable = np.zeros(n, dtype=bool)
    t_imp, t_apo, miss = (np.full(n, np.nan) for _ in range(3))
    groups = []
    for name in dict.fromkeys(threats.missile.tolist()):
        rows = np.flatnonzero(threats.missile == name)
        res = aiming.aim(catalog.get_missile(name), threats.launch_lat_deg[rows],
                         threats.launch_lon_deg[rows], threats.aim_lat_deg[rows],
                         threats.aim_lon_deg[rows], shape=threats.shape, record=True,
                         physics=physics, tolerance_m=tolerance_m)
        ok = res.converged
        flown[rows], reachable[rows] = ok, res.reachable
        b = res.batch
        t_imp[rows] = np.where(ok, b.impact_time_s - b.t0_s, np.nan)
        t_apo[rows] = np.where(ok, b.apogee_time_s - b.t0_s, np.nan)
        miss[rows] = res.miss_m
        groups.append((rows, b))
    return Trajectories(threats, tuple(groups), flown, reachable, t_imp, t_apo, miss, physics)


# ---- look ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Looks:
    """Earth-fixed look points of every flown trajectory, shared by sensors and shooters:
    ``points`` every ``step_s`` from launch to the last impact (NaN outside each flight and
    for rows that were not flown)."""

    trajectories: Trajectories
    points: LookPoints
    step_s: float

    @property
    def threats(self) -> ThreatSet:
        return self.trajectories.threats

    def sample(self, times_s) -> LookPoints:
        """Look points at other times (e.g. a radar's revisit times), same frames."""
        return _sample(self.trajectories, np.asarray(times_s, dtype=float))


def _sample(trajs: Trajectories, times: np.ndarray) -> LookPoints:
    n, m = len(trajs.threats), len(times)
    ecef = np.full((n, m, 6), np.nan)
    lat, lon, h = (np.full((n, m), np.nan) for _ in range(3))
    for rows, batch in trajs.groups:
        p = look_points(batch, times_s=times)
        keep = trajs.flown[rows]
        r = rows[keep]
        ecef[r], lat[r], lon[r], h[r] = (a[keep] for a in (p.ecef, p.lat_deg, p.lon_deg,
                                                          p.height_m))
    return LookPoints(times, ecef, lat, lon, h)


def look(trajs: Trajectories, step_s: float = LOOK_STEP_S) -> Looks:
    """Sample every flown trajectory every ``step_s`` seconds from launch to the last impact."""
    t_end = float(np.nanmax(trajs.impact_time_s)) if trajs.flown.any() else 0.0
    times = np.arange(0.0, t_end + step_s, step_s)
    return Looks(trajs, _sample(trajs, times), step_s)


# ---- sense ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensorPicture:
    """Per trajectory: when the sensors first see it, when a launch-quality track exists and
    when interceptor launch is allowed [s after threat launch; NaN = never].

    The rule (the stage the architecture study will swap): a radar's track is established at
    its N-th detection (one look per revisit interval); the space-based infrared cue comes at
    the early-warning delay. With ``fire_control == "radar-track"`` launch is allowed at
    max(track, cue + decision delay) with early warning, at track + decision delay without;
    the ``"ir-cue"`` what-if allows launch at cue + decision delay.
    """

    sensors: tuple[str, ...]
    first_detection_s: np.ndarray  # (n,)
    track_time_s: np.ndarray  # (n,) earliest launch-quality track among the sensors
    tracked_by: np.ndarray  # (n,) int index into ``sensors``, -1 = no track
    cue_s: np.ndarray  # (n,) infrared cue (NaN without early warning)
    launch_allowed_s: np.ndarray  # (n,)
    fire_control: str
    decision_delay_s: float
    early_warning_delay_s: float | None  # None: no space-based early warning
    rcs_m2: float
    # ---- with an architecture (euroshield.studies.sensing.sense_network); None for the old
    # rule. Then launch_allowed_s is (n, J) per engage shooter (J = the shooters passed),
    # track_time_s / cue_s the earliest over shooters, tracked_by the sensor whose own track
    # gave track_time_s (-1: none, or a fused / remote / joint track did).
    architecture: str | None = None  # its name ("n-detections" for the old rule)
    launch_quality_s: np.ndarray | None = None  # (n, J) launch-quality track at command node
    engage_quality_s: np.ndarray | None = None  # (n, J) engage-quality track [s]
    shooter_cue_s: np.ndarray | None = None  # (n, J) cue at the shooter's command node [s]
    access: np.ndarray | None = None  # (n, J) int8 network.architecture.Access codes
    network: object | None = None  # the network.architecture.FireControl (columns = sites)
    shooter_column: np.ndarray | None = None  # (J,) column of each shooter in ``network``
    tracks: dict | None = None  # sensor name -> network.tracks.Tracks (n, m)
    central_tracks: object | None = None  # joint: the central measurement-fused Tracks
    sensor_first_detection_s: dict | None = None  # sensor name -> (n,) first detection [s]

    def allowed_for(self, j: int) -> np.ndarray:
        """(n,) launch allowed [s] for shooter column ``j`` (the same for every shooter under
        the old rule)."""
        a = self.launch_allowed_s
        return a[:, j] if a.ndim == 2 else a

    @property
    def launch_rule(self) -> str:
        """The rule as a stable key (see :func:`launch_rule`)."""
        return launch_rule(self.fire_control, self.early_warning_delay_s is not None)


def launch_rule(fire_control: str, early_warning: bool) -> str:
    """The launch rule of a timeline as a stable key: ``ir-cue`` (what-if: launch on the cue),
    ``track-and-cue`` (radar track and infrared cue) or ``track`` (no early warning)."""
    if fire_control == "ir-cue":
        return "ir-cue"
    return "track-and-cue" if early_warning else "track"


def radar_track(looks: Looks, radar: Radar, rcs_m2: float) -> Detections:
    """The radar looks at every trajectory once per revisit interval from launch, on the
    same Earth-fixed sampling as the look points (:meth:`Looks.sample`)."""
    times = np.arange(0.0, float(looks.points.times_s[-1]) + radar.revisit_s, radar.revisit_s)
    p = looks.sample(times)
    return detections(radar, times, p.lat_deg, p.lon_deg, p.height_m, rcs_m2)


def sense(looks: Looks, radars: Sequence[Radar], early_warning, timeline,
          rcs_m2: float, memo: dict | None = None) -> SensorPicture:
    """The sensor picture of every trajectory: ``radars`` (with the scenario's moves applied),
    ``early_warning`` and ``timeline`` are the scenario's validated sections. ``memo``, if
    given, keeps each radar's track of these looks for other pictures (same radar and RCS)."""
    n = len(looks.threats)
    track = np.full(n, np.nan)
    first = np.full(n, np.nan)
    by = np.full(n, -1, dtype=np.int64)
    for j, radar in enumerate(radars):
        key = (radar.model_dump_json(), float(rcs_m2))
        rt = memo.get(key) if memo is not None else None
        if rt is None:
            rt = radar_track(looks, radar, rcs_m2)
            if memo is not None:
                memo[key] = rt
        better = np.isfinite(rt.track_time_s) & ~(rt.track_time_s >= track)
        by[better] = j
        track = np.where(better, rt.track_time_s, track)
        first = np.fmin(first, rt.first_detection_s)
    delay = float(timeline.decision_delay_s)
    ew = float(early_warning.detection_delay_s) if early_warning.enabled else None
    if timeline.fire_control == "ir-cue":  # what-if: the cue is taken as fire-control data
        if ew is None:
            raise InputError("timeline.fire_control: 'ir-cue' needs early_warning.enabled: true")
        cue = np.full(n, ew)
        allowed = cue + delay
    elif ew is not None:
        cue = np.full(n, ew)
        allowed = np.maximum(track, cue + delay)  # NaN track stays NaN: no fire control
    else:
        cue = np.full(n, np.nan)
        allowed = track + delay
    return SensorPicture(tuple(r.name for r in radars), first, track, by, cue, allowed,
                         timeline.fire_control, delay, ew, float(rcs_m2))


# ---- reach (interceptor fly-out over the look points) ---------------------------------------


@dataclass(frozen=True)
class Shooter:
    """One interceptor type at one launch site."""

    site: str
    lat_deg: float
    lon_deg: float
    interceptor: Interceptor

    @property
    def key(self) -> tuple:
        """Identity for caches: position and every interceptor parameter."""
        return (self.lat_deg, self.lon_deg, self.interceptor.model_dump_json())


@dataclass(frozen=True)
class Reach:
    """Per shooter: its fly-out table (nominal speed first, then the ladder). ``arrivals``
    (arrival times and speeds at every look point inside the altitude band, (n, m, S)) are
    kept only when asked for (small studies that reuse them); otherwise :func:`engage` looks
    them up in row blocks, so memory stays bounded whatever the number of trajectories."""

    shooters: tuple[Shooter, ...]
    tables: tuple[FlyoutTable, ...]
    arrivals: tuple[tuple[np.ndarray, np.ndarray], ...] | None
    ladder_kms: tuple[float, ...]


def bearings_in_band(points: LookPoints, site_lat: float, site_lon: float,
                     ic: Interceptor) -> np.ndarray:
    """Bearings [deg] from a site of the look points inside the interceptor's altitude band:
    the only directions its fly-out table needs."""
    c = site_coords(site_lat, site_lon, points.ecef[..., :3][in_band(points.height_m, ic)])
    return np.degrees(c[:, 0])


def reach_of(looks: Looks, shooters: Sequence[Shooter], ladder_kms: Sequence[float] = (),
             progress: Callable[[int, int], None] | None = None,
             tables: dict | None = None, memo: dict | None = None,
             keep_arrivals: bool = False) -> Reach:
    """Fly-out tables of every shooter (its nominal speed, plus the ``ladder_kms`` burnout
    speeds for flip thresholds) and the arrival times at the look points.

    ``tables``, if given, is a cache (shooter key -> table) filled on first use with tables
    over every launch azimuth, so that chunks and defences of one study share them; without
    it each table flies only the azimuths these look points need. ``keep_arrivals`` looks up
    and keeps the arrival times (``memo`` then shares them, per shooter key, with other
    defences evaluated on the same looks)."""
    ladder = tuple(float(v) for v in ladder_kms)
    # calibrate every speed variant of every interceptor in one batch (cached for the tables)
    ics = {s.interceptor.name + repr(s.interceptor.burnout_speed_kms): s.interceptor
           for s in shooters}
    if ladder:
        boosters([ic.with_speed(v) for ic in ics.values()
                  for v in (ic.burnout_speed_kms, *ladder)])
    built, arrivals = [], []
    for i, s in enumerate(shooters):
        key = (s.key, ladder)
        if memo is not None and key in memo and (memo[key][1] is not None or not keep_arrivals):
            built.append(memo[key][0])
            if keep_arrivals:
                arrivals.append(memo[key][1])
            if progress is not None:
                progress(i + 1, len(shooters))
            continue
        if tables is not None and key in tables:
            table = tables[key]
        else:
            bearings = (None if tables is not None else
                        bearings_in_band(looks.points, s.lat_deg, s.lon_deg, s.interceptor))
            table = flyout_table(s.interceptor, s.lat_deg, s.lon_deg, speeds_kms=ladder,
                                 bearings_deg=bearings)
            if tables is not None:
                tables[key] = table
        built.append(table)
        if keep_arrivals:
            arrivals.append(arrival_times(looks.points, table, s.interceptor))
        if memo is not None:
            memo[key] = (table, arrivals[-1] if keep_arrivals else None)
        if progress is not None:
            progress(i + 1, len(shooters))
    return Reach(tuple(shooters), tuple(built), tuple(arrivals) if keep_arrivals else None,
                 ladder)


# ---- engage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engagements:
    """Verdicts over trajectories x shooters, (n, J) arrays (NaN where no such point).

    The best intercept point is the feasible one with the largest launch margin (or, when
    none is feasible, the reachable one that is least late). ``threshold_speed_kms`` is the
    flip threshold: the lowest burnout speed (same burn time and mass) at which the row becomes
    engageable with the same timeline, to 0.01 km/s, for engageable rows too (below their
    nominal speed); NaN: not even at the ladder's top; only with a ladder.
    ``threshold_upper_bound`` marks thresholds known only from above: rows engageable already
    at the ladder's lowest speed, and rows not engageable at the nominal speed whose flip lies
    beyond the slower table's ascending fly-outs inside a ladder bracket (see
    :func:`~euroshield.defense.engagement.flip_thresholds`).
    """

    looks: Looks
    reach: Reach
    picture: SensorPicture
    engageable: np.ndarray  # bool
    reason: np.ndarray  # int8 Reason codes
    intercept_time_s: np.ndarray
    intercept_altitude_m: np.ndarray
    intercept_ground_range_m: np.ndarray  # from the site, WGS84 geodesic
    intercept_lat_deg: np.ndarray
    intercept_lon_deg: np.ndarray
    flyout_time_s: np.ndarray
    closing_speed_m_s: np.ndarray
    margin_s: np.ndarray  # launch slack at the best point; negative = late by that much
    earliest_launch_s: np.ndarray
    latest_launch_s: np.ndarray
    shots: np.ndarray  # int: shoot-look-shoot opportunities
    threshold_speed_kms: np.ndarray
    intercept_after_apogee: np.ndarray  # bool: descent-phase intercept
    assess_delay_s: float = 0.0  # kill-assessment time between shots [s]
    # bool (n, J): threshold_speed_kms is only an upper bound (None: no ladder information)
    threshold_upper_bound: np.ndarray | None = None

    @property
    def shooters(self) -> tuple[Shooter, ...]:
        return self.reach.shooters

    @property
    def threats(self) -> ThreatSet:
        return self.looks.threats


def _exact_arrivals(s: Shooter, points: LookPoints):
    """For :func:`~euroshield.defense.engagement.flip_thresholds`: arrival times at the look
    points of some rows with exact fly-out tables at extra burnout speeds, each speed only at
    the points that need it inside the altitude band (one batch, see
    :func:`~euroshield.defense.flyout.flyout_arrivals`: each speed has the cells of its own
    single-speed table and flies only the launch azimuths its lookups read); speeds no
    equivalent booster flies are dropped."""
    def exact(rows, speeds_kms, need):
        use = need & in_band(points.height_m[rows], s.interceptor)[..., None]
        xyz = points.ecef[rows][..., :3]
        kept, tau, _ = flyout_arrivals(s.interceptor, s.lat_deg, s.lon_deg, speeds_kms,
                                       xyz.reshape(-1, 3), use.reshape(-1, len(speeds_kms)),
                                       azimuths="needed")
        return kept, tau.reshape(use.shape)
    return exact


def engage(looks: Looks, reach: Reach, picture: SensorPicture,
           assess_delay_s: float = 0.0) -> Engagements:
    """Engagement windows of every shooter against every trajectory under the picture's
    launch times (``picture.launch_allowed_s``: (n,) for every shooter, or (n, J) per shooter
    under an architecture); flip thresholds when ``reach`` carries a speed ladder."""
    n, n_j = len(looks.threats), len(reach.shooters)
    flown = looks.trajectories.flown
    allowed = picture.launch_allowed_s
    f = {k: np.full((n, n_j), np.nan) for k in (
        "intercept_time_s", "intercept_altitude_m", "intercept_ground_range_m",
        "intercept_lat_deg", "intercept_lon_deg", "flyout_time_s", "closing_speed_m_s",
        "margin_s", "earliest_launch_s", "latest_launch_s", "threshold_speed_kms")}
    ok = np.zeros((n, n_j), dtype=bool)
    reason = np.full((n, n_j), Reason.MISSILE_CANNOT_REACH, dtype=np.int8)
    shots = np.zeros((n, n_j), dtype=np.int64)
    bound = np.zeros((n, n_j), dtype=bool)
    pts = looks.points
    for j, (s, table) in enumerate(zip(reach.shooters, reach.tables, strict=True)):
        allowed_j = allowed[:, j] if allowed.ndim == 2 else allowed  # per shooter: a network
        for b in range(0, n, ROW_BLOCK):
            r = slice(b, min(n, b + ROW_BLOCK))
            p = LookPoints(pts.times_s, pts.ecef[r], pts.lat_deg[r], pts.lon_deg[r],
                           pts.height_m[r])
            arr = (tuple(a[r] for a in reach.arrivals[j]) if reach.arrivals is not None
                   else arrival_times(p, table, s.interceptor))
            w = engagement_windows(p, table, s.interceptor, allowed_j[r], arrivals=arr,
                                   assess_delay_s=assess_delay_s)
            fl = flown[r]
            ok[r, j] = fl & w.engageable
            reason[r, j] = np.where(fl, w.reason, Reason.MISSILE_CANNOT_REACH)
            shots[r, j] = np.where(fl, w.shots, 0)
            for k in ("intercept_time_s", "intercept_altitude_m", "intercept_ground_range_m",
                      "flyout_time_s", "closing_speed_m_s", "margin_s", "earliest_launch_s",
                      "latest_launch_s"):
                f[k][r, j] = getattr(w, k)
            kk = np.clip(np.searchsorted(pts.times_s, w.intercept_time_s), 0,
                         len(pts.times_s) - 1)
            has = np.isfinite(w.intercept_time_s)
            rows = np.arange(p.lat_deg.shape[0])
            f["intercept_lat_deg"][r, j] = np.where(has, p.lat_deg[rows, kk], np.nan)
            f["intercept_lon_deg"][r, j] = np.where(has, p.lon_deg[rows, kk], np.nan)
            if len(table.speeds_kms) > 1:
                thr = flip_thresholds(p, table, s.interceptor, allowed_j[r], arrivals=arr,
                                      exact=_exact_arrivals(s, p))
                f["threshold_speed_kms"][r, j] = np.where(fl, thr.speed_kms, np.nan)
                bound[r, j] = fl & thr.upper_bound
    after = f["intercept_time_s"] > looks.trajectories.apogee_time_s[:, None]
    return Engagements(looks, reach, picture, ok, reason, shots=shots,
                       intercept_after_apogee=after, assess_delay_s=assess_delay_s,
                       threshold_upper_bound=bound, **f)
