"""The architecture comparison: what each way of organising the sensors buys the defence and
reveals to the other side (issue 9: two independent systems exchanging data, one joint system,
sectoral defence, or the old "N detections make a track" rule).

For every architecture (default: ``n-detections`` and every built-in one, ``euroshield catalog
architectures``) on one scenario, over three route sets:

* ``russia-icbm``: the scenario's Russian ICBM routes (every base x every target, the
  deterrence study's threat set);
* ``iran-us``: every launch point of the scenario's Iranian launch areas x every U.S. target
  (the footprint study's ``us_missile`` and ``us_targets``: the EPAA Phase 4 question);
* ``iran-europe``: every launch point x every European capital within the reach of each of the
  footprint's missiles (minimum energy);

per route: the first detection by any of the architecture's sensors, the first
fire-control-quality (launch-quality) track at any shooter's command node, the earliest
allowed launch, whether any shooter can engage it, the best launch window (latest minus
earliest launch of the engageable shooter with the longest window) and its shoot-look-shoot
opportunities; per architecture the defended area of Europe (footprint machinery on a coarse
grid, ``resolution_deg``, against every footprint missile from every launch area) and, for
transparency, what each system's command node sees of each route set (detection, cue-quality
track, launch-quality track; own sensors plus whatever the architecture's links or joint
picture bring).

Reuse (a what-if reruns only the stages it changes): the trajectories, look points and
fly-out tables (with their arrival times) of each route set are computed once and shared by
every architecture; each sensor's measurements and tracks are computed once (the ``memo`` of
:func:`~euroshield.studies.sensing.sense_network`, keyed by radar, RCS and seed, so the same
sensor in two architectures is the same draw); per architecture only the fire control and the
engagement stage run. The Europe grid flies each chunk of trajectories once for every
architecture (:func:`~euroshield.studies.footprint.footprints` with one defence per
architecture). :func:`compare_scenarios` shares trajectories and fly-out tables between
scenarios too (the benchmark).

Pure: arrays, enums and the pipeline's objects; no rounding, rows or sentences (those are in
:mod:`euroshield.report.architectures`). Times are seconds after the threat's launch, NaN =
never; areas are in m² inside the grid and km² from :meth:`Footprint.area_km2`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from euroshield import catalog
from euroshield.errors import InputError
from euroshield.scenario import Scenario
from euroshield.studies import footprint as fp
from euroshield.studies.deterrence import shooters_of, threats_of
from euroshield.studies.pipeline import (
    Engagements,
    Looks,
    Reach,
    SensorPicture,
    ThreatSet,
    engage,
    fly,
    look,
    reach_of,
)

N_DETECTIONS = "n-detections"
DEFAULT_RESOLUTION_DEG = 3.0  # coarse: 136 land cells of Europe (the study report's is 2 deg)
SETS = ("russia-icbm", "iran-us", "iran-europe")
IRAN_SETS = ("iran-us", "iran-europe")

Progress = Callable[[str], None]


# ---- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One architecture to compare: its label, and what the scenario's ``architecture:`` field
    would hold (``n-detections``, a built-in name, or a mapping)."""

    name: str
    value: str | dict
    source: str = "builtin"  # builtin | file | scenario


def default_names() -> list[str]:
    """``n-detections`` and every built-in architecture, in catalogue order."""
    return [N_DETECTIONS, *catalog.ARCHITECTURE_NAMES]


def specs_of(sc: Scenario, names: Sequence[str] | None = None,
             option: str = "--architecture") -> list[Spec]:
    """The architectures named (default: :func:`default_names`, plus the scenario's own if it
    declares another) as validated :class:`Spec` objects. A name is ``n-detections``, a
    built-in architecture, ``scenario`` (the scenario's own ``architecture:``) or a YAML file
    holding an architecture mapping (kind, systems, links, ...) or a mapping with an
    ``architecture:`` key. Every spec is checked against the scenario (placeholders expanded,
    sensors and shooters known): one InputError line naming ``option`` otherwise."""
    if names is None:
        names = default_names()
        own = sc.architecture
        if own is not None and own != N_DETECTIONS and own not in names:
            names = [*names, "scenario"]
    out: list[Spec] = []
    for name in names:
        where = f"{option} {name}: architecture"
        spec = _spec(sc, str(name), where, option)
        if any(s.name == spec.name for s in out):
            raise InputError(f"{option}: {spec.name!r} is given twice")
        sc.architecture_model(spec.value, where=where)  # validated against this scenario
        out.append(spec)
    if not out:
        raise InputError(f"{option}: give at least one architecture")
    return out


def _spec(sc: Scenario, name: str, where: str, option: str) -> Spec:
    known = catalog.architectures()
    if name == N_DETECTIONS or name in known:
        return Spec(name, name)
    if name == "scenario":
        own = sc.architecture
        if own is None:
            return Spec(N_DETECTIONS, N_DETECTIONS, "scenario")
        label = own if isinstance(own, str) else "scenario"
        return Spec(label, own, "scenario")
    looks_like_file = name.endswith((".yaml", ".yml", ".json")) or "/" in name or Path(
        name).exists()
    if not looks_like_file:
        raise InputError(f"{option}: unknown architecture {name!r}; known: {N_DETECTIONS} "
                         f"(the old rule), {', '.join(known)}, scenario (the scenario's own), "
                         "or a YAML file with an architecture mapping")
    try:
        data = catalog.read_yaml_file(name)
    except InputError as exc:
        raise InputError(f"{option}: {exc}") from None
    if isinstance(data, dict) and set(data) <= {"name", "description", "architecture",
                                                "sources"} and "architecture" in data:
        label = data.get("name") or Path(name).stem
        data = data["architecture"]
    else:
        label = Path(name).stem
    if isinstance(data, str):
        if data != N_DETECTIONS and data not in known:
            raise InputError(f"{where}: architecture: unknown architecture {data!r}; known: "
                             f"{N_DETECTIONS}, {', '.join(known)}")
        return Spec(str(label), data, "file")
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping (kind, systems, links, sectors, "
                         f"track_quality), got {type(data).__name__}")
    return Spec(str(label), data, "file")


def scenario_with(sc: Scenario, spec: Spec) -> Scenario:
    """The scenario with its ``architecture:`` replaced by ``spec`` (validated)."""
    from euroshield import scenario

    data = sc.model_dump(exclude_none=True)
    data.pop("distributions", None)  # a campaign's draws are not part of this comparison
    data["architecture"] = spec.value
    return scenario.parse(data, "scenario")


# ---- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteSet:
    """The trajectories of one route set, shared by every architecture: look points and the
    fly-out tables (with arrival times) of every shooter of the scenario."""

    key: str
    looks: Looks
    reach: Reach
    rcs_m2: float

    @property
    def threats(self) -> ThreatSet:
        return self.looks.threats

    def __len__(self) -> int:
        return len(self.looks.threats)


@dataclass(frozen=True)
class Outcome:
    """One architecture on one route set: (n,) arrays over routes (NaN = never / none).

    ``first_detection_s``: earliest detection by any sensor of the architecture (every
    system's; the old rule: the scenario's radars). ``first_track_s``: first launch-quality
    (fire-control-quality) track at any shooter's command node (the old rule: the N-th
    detection). ``launch_allowed_s``: earliest allowed launch over shooters. ``engageable``:
    by at least one shooter. ``window_s``: among engageable shooters, the longest launch window
    (latest minus earliest launch time), NaN where none engages; ``best`` its shooter column
    (-1: none). ``shots``: shoot-look-shoot opportunities of that shooter (0: none).
    ``access``: the :class:`~euroshield.network.architecture.Access` code of the shooter
    whose launch-quality track came first (-1 with the old rule or without a track)."""

    picture: SensorPicture
    engagements: Engagements
    first_detection_s: np.ndarray
    first_track_s: np.ndarray
    launch_allowed_s: np.ndarray
    engageable: np.ndarray
    window_s: np.ndarray
    best: np.ndarray
    shots: np.ndarray
    access: np.ndarray


@dataclass(frozen=True)
class NodeView:
    """Transparency: what one system's command node sees of one route set, (n,) times [s]:
    ``detected_s`` first detection by a sensor whose data reach the node (own sensors; the
    other systems' over links sharing tracks, after the link delay; every sensor in a joint
    system); ``cue_track_s`` / ``launch_track_s`` first cue-quality / launch-quality track
    there (own, fused, received or joint); ``own_detected_s`` by its own sensors only."""

    system: str
    side: str
    route_set: str
    sensors: tuple[str, ...]
    detected_s: np.ndarray
    cue_track_s: np.ndarray
    launch_track_s: np.ndarray
    own_detected_s: np.ndarray


@dataclass(frozen=True)
class Europe:
    """The defended area of one architecture: per footprint missile, the footprint from all
    launch areas together (:func:`~euroshield.studies.footprint.merge`)."""

    merged: dict  # missile -> Footprint

    def classes(self) -> dict[str, np.ndarray]:
        """Status -> (k,) disjoint masks over the grid cells, every missile together: an aim
        point is ``defended`` when it is engageable from every (launch point, missile) that
        threatens it, ``partly-defended`` when from at least one, else ``threatened`` if any
        threatens it."""
        fps = list(self.merged.values())
        k = len(fps[0].grid)
        thr = np.zeros(k, dtype=bool)
        full = np.ones(k, dtype=bool)
        part = np.zeros(k, dtype=bool)
        for f in fps:
            t = f.threatened_any()[:k]
            thr |= t
            full &= f.defended()[:k] | ~t
            part |= f.defended(every=False)[:k]
        full &= thr
        part &= ~full
        return {"defended": full, "partly-defended": part,
                "threatened": thr & ~full & ~part}

    def area_km2(self, mask) -> float:
        return next(iter(self.merged.values())).area_km2(mask)


@dataclass(frozen=True)
class ArchitectureOutcome:
    """Everything the comparison computed for one architecture."""

    spec: Spec
    scenario: Scenario  # the scenario with this architecture selected
    architecture: object | None  # network.architecture.Architecture; None: the old rule
    sets: dict  # route set key -> Outcome
    europe: Europe | None
    transparency: tuple[NodeView, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return N_DETECTIONS if self.architecture is None else self.architecture.kind


@dataclass(frozen=True)
class Comparison:
    """The comparison of architectures on one scenario (see the module docstring)."""

    scenario: Scenario
    route_sets: dict  # key -> RouteSet
    architectures: tuple[ArchitectureOutcome, ...]
    grid: fp.Grid | None
    resolution_deg: float | None
    seed: int
    seconds: dict = field(default_factory=dict)  # stage -> wall time [s], for the record

    def outcome(self, name: str) -> ArchitectureOutcome:
        for a in self.architectures:
            if a.name == name:
                return a
        raise KeyError(name)


# ---- the stages ----------------------------------------------------------------------------


def iran_us_threats(sc: Scenario) -> ThreatSet:
    """Every launch point of the scenario's launch areas x every U.S. target, with the
    footprint's ``us_missile`` (as :func:`euroshield.studies.footprint.us_routes`)."""
    f = sc.footprint
    pts = list(dict.fromkeys(p for a in f.launch_areas for p in fp.launch_points(a, sc)))
    targets = [catalog.get_place(t) for t in f.us_targets]
    return ThreatSet.from_grid(pts, [t.lat for t in targets], [t.lon for t in targets],
                               f.us_missile, aim_name=[t.name for t in targets])


def iran_europe_threats(sc: Scenario, capitals: Sequence[str] | None = None,
                        cache: dict | None = None) -> ThreatSet:
    """Every launch point x every European capital (default: the catalogue's) within the
    reach of each footprint missile (the footprint's reach fan plus its 1 % margin; rows that
    then fail to aim are left unflown by ``fly``)."""
    f = sc.footprint
    pts = list(dict.fromkeys(p for a in f.launch_areas for p in fp.launch_points(a, sc)))
    caps = catalog.capitals()
    names = sorted(caps) if capitals is None else list(capitals)
    lat = np.array([caps[c].lat for c in names])
    lon = np.array([caps[c].lon for c in names])
    parts = []
    for m in f.missiles:
        ok = np.stack([within_reach(m, p, lat, lon, cache) for p in pts])
        th = ThreatSet.from_grid(pts, lat, lon, m, aim_name=names)
        parts.append(th.take(np.flatnonzero(ok.ravel())))
    return ThreatSet(*(np.concatenate([getattr(t, k) for t in parts]) for k in (
        "launch_name", "launch_lat_deg", "launch_lon_deg", "aim_name", "aim_lat_deg",
        "aim_lon_deg", "missile")))


def within_reach(missile: str, point: tuple[str, float, float], lat_deg, lon_deg,
                 cache: dict | None = None) -> np.ndarray:
    """:func:`euroshield.studies.footprint.within_reach` with the missile's reach fan from
    the launch point cached (the fan is a golden-section search per heading: the costly part,
    the same for every aim point, route set and scenario)."""
    from euroshield.earth.geodesy import inverse

    fans = (cache if cache is not None else {}).setdefault("reach_fans", {})
    key = (missile, float(point[1]), float(point[2]))
    if key not in fans:
        az = np.arange(fp.REACH_AZIMUTHS) * 360.0 / fp.REACH_AZIMUTHS
        fans[key] = fp.max_range_m(missile, point[1], point[2], az)
    rng = fans[key]
    lat_deg, lon_deg = np.asarray(lat_deg, float), np.asarray(lon_deg, float)
    d, az, _ = inverse(np.full(lat_deg.shape, point[1]), np.full(lat_deg.shape, point[2]),
                       lat_deg, lon_deg)
    fan = np.arange(fp.REACH_AZIMUTHS) * 360.0 / fp.REACH_AZIMUTHS
    limit = np.interp(np.asarray(az, dtype=float) % 360.0, np.append(fan, 360.0),
                      np.append(rng, rng[0]))
    return np.asarray(d) <= fp.REACH_MARGIN * limit


def europe_footprints(sc: Scenario, defences: Sequence[fp.Defence], grid: fp.Grid,
                      cache: dict) -> list[dict]:
    """Per defence, per footprint missile of ``sc``: the footprint over ``grid`` from all of
    the scenario's launch areas together (as :func:`euroshield.studies.footprint.footprints`
    followed by :func:`~euroshield.studies.footprint.merge`, with the same stages: reach
    filter, ``fly`` at the footprint's aim tolerance, ``look``, then per defence
    :func:`~euroshield.studies.footprint.engage_rows` sharing arrival times), every launch
    point's trajectories flown once for every defence, reach fans and fly-out tables cached in
    ``cache``."""
    f = sc.footprint
    pts = tuple(dict.fromkeys(p for a in f.launch_areas for p in fp.launch_points(a, sc)))
    n_l, k = len(pts), len(grid)
    tables = cache.setdefault("tables", {})
    out: list[dict] = [{} for _ in defences]
    for m in f.missiles:
        cand = np.stack([within_reach(m, p, grid.lat_deg, grid.lon_deg, cache) for p in pts])
        rows = np.flatnonzero(cand.ravel())
        threats = ThreatSet.from_grid(pts, grid.lat_deg, grid.lon_deg, m).take(rows)
        threatened = np.zeros(n_l * k, dtype=bool)
        acc = [{"engageable": np.zeros((n_l * k, len(d.shooters)), dtype=bool),
                "reason": np.full((n_l * k, len(d.shooters)), 1, dtype=np.int8),
                "margin_s": np.full((n_l * k, len(d.shooters)), np.nan),
                "shots": np.zeros((n_l * k, len(d.shooters)), dtype=np.int64),
                "intercept_time_s": np.full((n_l * k, len(d.shooters)), np.nan),
                "intercept_altitude_m": np.full((n_l * k, len(d.shooters)), np.nan)}
               for d in defences]
        for c in range(0, len(rows), fp.CHUNK_ROWS):
            idx = rows[c:c + fp.CHUNK_ROWS]
            looks = look(fly(threats.take(np.arange(c, c + len(idx))),
                             tolerance_m=fp.AIM_TOLERANCE_M))
            threatened[idx] = looks.trajectories.flown
            memo: dict = {}  # this chunk's arrival times (and old-rule tracks), shared
            for d, a in zip(defences, acc, strict=True):
                e = fp._engage_chunk(looks, d, tables, memo)  # footprints()' own stage
                for key in a:
                    a[key][idx] = getattr(e, key)
        for i, (d, a) in enumerate(zip(defences, acc, strict=True)):
            shaped = {key: v.reshape((n_l, k) + v.shape[1:]) for key, v in a.items()}
            out[i][m] = fp.Footprint(d, "all launch areas", m, pts, grid, (), np.zeros(0),
                                     np.zeros(0), threatened.reshape(n_l, k), **shaped)
    return out


def _threat_key(th: ThreatSet) -> tuple:
    return (th.shape, th.missile.tobytes(), th.launch_lat_deg.tobytes(),
            th.launch_lon_deg.tobytes(), th.aim_lat_deg.tobytes(), th.aim_lon_deg.tobytes())


def seed_looks(cache: dict, looks: Looks, tolerance_m: float = 100.0) -> None:
    """Put look points already computed (e.g. the deterrence study's) into ``cache`` so that
    :func:`route_set` reuses them for the same threats."""
    key = (_threat_key(looks.threats), tolerance_m)
    cache.setdefault("looks", {})[key] = looks


def route_set(key: str, threats: ThreatSet, shooters, rcs_m2: float, cache: dict,
              tolerance_m: float = 100.0) -> RouteSet:
    """Fly and look at ``threats`` (cached by the threat arrays) and build every shooter's
    fly-out table with its arrival times at the look points (tables cached by shooter)."""
    looks_cache = cache.setdefault("looks", {})
    tk = (_threat_key(threats), tolerance_m)
    if tk not in looks_cache:
        looks_cache[tk] = look(fly(threats, tolerance_m=tolerance_m)) if len(threats) else None
    looks = looks_cache[tk]
    reach = reach_of(looks, shooters, tables=cache.setdefault("tables", {}),
                     memo=cache.setdefault("arrivals", {}).setdefault(tk, {}),
                     keep_arrivals=True)
    return RouteSet(key, looks, reach, float(rcs_m2))


def _fmin_rows(a: np.ndarray) -> np.ndarray:
    """(n,) NaN-aware minimum over the columns of ``a`` (n, J); NaN where all are NaN."""
    if a.ndim == 1:
        return a.astype(float)
    out = np.full(a.shape[0], np.nan)
    for j in range(a.shape[1]):
        out = np.fmin(out, a[:, j])
    return out


def outcome(rs: RouteSet, picture: SensorPicture) -> Outcome:
    """Engage ``rs`` under ``picture`` and reduce to the per-route quantities of
    :class:`Outcome`."""
    e = engage(rs.looks, rs.reach, picture)
    n = len(rs)
    allowed = picture.launch_allowed_s
    allowed2 = allowed if allowed.ndim == 2 else np.repeat(allowed[:, None], max(
        1, len(rs.reach.shooters)), axis=1)
    window = np.where(e.engageable, e.latest_launch_s - e.earliest_launch_s, -np.inf)
    has = e.engageable.any(axis=1) if e.engageable.size else np.zeros(n, dtype=bool)
    best = np.where(has, np.argmax(window, axis=1) if window.size else 0, -1)
    rows = np.arange(n)
    w = np.where(has, window[rows, np.clip(best, 0, None)] if window.size else np.nan, np.nan)
    shots = np.where(has, e.shots[rows, np.clip(best, 0, None)] if e.shots.size else 0, 0)
    if picture.launch_quality_s is not None:
        lq = picture.launch_quality_s
        first_track = _fmin_rows(lq)
        if lq.size:
            lq_rank = np.where(np.isfinite(lq), lq, np.inf)
            jj = np.argmin(lq_rank, axis=1)
            access = np.where(np.isfinite(first_track),
                              np.asarray(picture.access)[rows, jj], -1).astype(np.int8)
        else:
            access = np.full(n, -1, dtype=np.int8)
    else:
        first_track = np.asarray(picture.track_time_s, dtype=float)
        access = np.full(n, -1, dtype=np.int8)
    return Outcome(picture, e, np.asarray(picture.first_detection_s, dtype=float),
                   first_track, _fmin_rows(allowed2), has, w, best, shots, access)


def node_views(arch, picture: SensorPicture, key: str, grid_step_s: float,
               memo: dict | None = None, context=None) -> tuple[NodeView, ...]:
    """What each system's command node sees of the routes of ``picture`` (see
    :class:`NodeView`). With the old rule (``arch`` None) one view: the scenario's radars,
    whose N-th detection is the track (there is no cue-quality notion: the track time is
    used for both). ``memo`` keeps the node pictures of systems without shooters, keyed by
    ``context`` (whatever identifies the tracks: looks, RCS, seed, the scenario's radars)."""
    n = len(picture.first_detection_s)
    if arch is None:
        t = np.asarray(picture.track_time_s, dtype=float)
        d = np.asarray(picture.first_detection_s, dtype=float)
        return (NodeView("nato", "nato", key, tuple(picture.sensors), d, t, t, d),)
    from euroshield.network.architecture import (
        SharingLevel,
        fire_control,
        link_up,
        received_first_time,
    )

    q = arch.track_quality
    tracks = picture.tracks or {}
    first = picture.sensor_first_detection_s or {}
    central = picture.central_tracks
    nan = np.full(n, np.nan)

    def det(names):
        out = nan.copy()
        for k in names:
            out = np.fmin(out, np.asarray(first.get(k, nan), dtype=float))
        return out

    def cue_q(t):
        return q.first_time(t, "cue") if t.shape[1] else nan

    fc = picture.network
    out = []
    for s in arch.systems:
        own = det(s.sensors)
        seen = own.copy()
        cue_t = nan.copy()
        for k in s.sensors:
            cue_t = np.fmin(cue_t, cue_q(tracks[k]))
        used = list(s.sensors)
        if arch.kind == "joint":
            every = [k for x in arch.systems for k in x.sensors]
            seen = det(every)
            for k in every:
                cue_t = np.fmin(cue_t, cue_q(tracks[k]))
            if central is not None:
                cue_t = np.fmin(cue_t, cue_q(central))
            used = list(dict.fromkeys(every))
        else:
            for link in arch.links:
                if link.to_system != s.name or link.level < SharingLevel.CUEING_TRACKS:
                    continue
                up = link_up(link, n)
                u, lat = link.update_interval_s, link.latency_s
                for k in arch.system(link.from_system).sensors:
                    d = np.asarray(first.get(k, nan), dtype=float)
                    recv = np.ceil(d / u - 1e-12) * u + lat  # next transmission, then latency
                    seen = np.fmin(seen, np.where(up, recv, np.nan))
                    if tracks[k].shape[1]:
                        r = received_first_time(tracks[k], q, "cue", lat, u)
                        cue_t = np.fmin(cue_t, np.where(up, r, np.nan))
                    used.append(k)
        if fc is not None and s.name in fc.systems:
            j = fc.systems.index(s.name)
            launch_t = np.asarray(fc.launch_quality_s[:, j], dtype=float)
        else:  # a system without shooters: its node's picture, as a shooter there would see it
            # sectoral judges tracks exactly as exchange (sectors only mask launches): one key
            mk = (context, "exchange" if arch.kind == "sectoral" else arch.kind, s.name,
                  grid_step_s, json.dumps(arch.model_dump(mode="json", by_alias=True,
                                                          exclude={"kind", "sectors"}),
                                          sort_keys=True))
            memo = {} if memo is None or context is None else memo
            if mk not in memo:
                memo[mk] = _node_launch_quality(arch, s.name, tracks, central, n, grid_step_s,
                                                fire_control)
            launch_t = memo[mk]
        # a launch-quality track meets the (looser, TrackQuality-enforced) cue thresholds too;
        # the node's own fused or received picture can get there before any single sensor
        cue_t = np.fmin(cue_t, launch_t)
        out.append(NodeView(s.name, s.side, key, tuple(dict.fromkeys(used)), seen, cue_t,
                            launch_t, own))
    return tuple(out)


def _node_launch_quality(arch, system: str, tracks, central, n, grid_step_s, fire_control):
    """(n,) first launch-quality track at ``system``'s node (a stand-in shooter there)."""
    stand_in = f"@{system}"
    kw = {}
    if arch.kind == "sectoral":  # sector membership does not change the track time
        kw = {"sector_lat_deg": np.zeros(n), "sector_lon_deg": np.zeros(n)}
    fc = fire_control(arch, tracks, shooters=[stand_in], shooter_system_of={stand_in: system},
                      central_tracks=central, grid_step_s=grid_step_s, **kw)
    return np.asarray(fc.launch_quality_s[:, 0], dtype=float)


# ---- the comparison ------------------------------------------------------------------------


def compare(sc: Scenario, names: Sequence[str] | None = None, *,
            resolution_deg: float | None = DEFAULT_RESOLUTION_DEG, seed: int | None = None,
            progress: Progress | None = None, cache: dict | None = None) -> Comparison:
    """Compare architectures on ``sc`` (see the module docstring). ``names``: architectures
    (:func:`specs_of`; default every built-in plus ``n-detections``). ``resolution_deg``: the
    Europe grid [deg] for the defended area (None: no Europe grid). ``seed``: measurement noise
    (default: the scenario's ``tracking.seed``). ``cache``: a dict shared between calls
    (trajectories by threat set, fly-out tables by shooter, sensor tracks)."""
    return compare_scenarios([sc], names, resolution_deg=resolution_deg, seed=seed,
                             progress=progress, cache=cache)[0]


def compare_scenarios(scenarios: Sequence[Scenario], names: Sequence[str] | None = None, *,
                      resolution_deg: float | None = DEFAULT_RESOLUTION_DEG,
                      seed: int | None = None, progress: Progress | None = None,
                      cache: dict | None = None) -> list[Comparison]:
    """:func:`compare` for several scenarios, sharing trajectories (identical threat sets),
    fly-out tables (identical shooters) and the Europe grid's trajectories (scenarios with the
    same footprint region, resolution, launch areas and missiles are evaluated in one
    :func:`~euroshield.studies.footprint.footprints` call per launch area and missile)."""
    import time

    from euroshield.studies.sensing import sense_network

    say = progress or (lambda msg: None)
    cache = {} if cache is None else cache
    plans = []
    for sc in scenarios:
        specs = specs_of(sc, names)
        scs = [scenario_with(sc, s) for s in specs]
        archs = [x.architecture_model() for x in scs]
        plans.append((sc, specs, scs, archs))

    comparisons = []
    europe_jobs: dict = {}  # footprint key -> [(plan index, arch index, Defence)]
    for pi, (sc, specs, scs, archs) in enumerate(plans):
        t0 = time.perf_counter()
        sd = sc.tracking_settings.seed if seed is None else int(seed)
        shooters = shooters_of(sc)
        sets_in = {"russia-icbm": (threats_of(sc), sc.threats.rcs_m2, 100.0),
                   "iran-us": (iran_us_threats(sc), sc.footprint.rcs_m2, 100.0),
                   "iran-europe": (iran_europe_threats(sc, cache=cache), sc.footprint.rcs_m2,
                                   fp.AIM_TOLERANCE_M)}
        sets = {}
        for key, (th, rcs, tol) in sets_in.items():
            say(f"{sc.name}: {key}: flying {len(th)} routes and {len(shooters)} fly-out tables")
            sets[key] = route_set(key, th, shooters, rcs, cache, tol)
        t1 = time.perf_counter()
        memo = cache.setdefault("sense", {})  # per look points: tracks shared by all
        per_arch = []
        for spec, sca, arch in zip(specs, scs, archs, strict=True):
            say(f"{sc.name}: {spec.name}: sensing, tracking, fire control and engagement")
            outs, views = {}, []
            for key, rs in sets.items():
                m = memo.setdefault(id(rs.looks), {})
                pic = sense_network(rs.looks, sca, rs.reach.shooters, rcs_m2=rs.rcs_m2,
                                    seed=sd, memo=m)
                outs[key] = outcome(rs, pic)
                context = (id(rs.looks), rs.rcs_m2, sd,
                           tuple(r.model_dump_json() for r in sca.radar_models()))
                views.extend(node_views(arch, pic, key, sca.tracking_settings.grid_step_s,
                                        cache.setdefault("nodes", {}), context))
            per_arch.append([spec, sca, arch, outs, tuple(views)])
        t2 = time.perf_counter()
        comparisons.append([sc, sets, per_arch, sd, {"routes_s": t1 - t0, "sense_s": t2 - t1}])
        if resolution_deg is not None:
            f = sc.footprint
            fkey = (f.region.model_dump_json(), float(max(resolution_deg, 0.0)), f.land_only,
                    tuple(f.launch_areas), tuple(f.missiles),
                    tuple(a.model_dump_json() for a in f.launch_area_definitions))
            for ai, sca in enumerate(scs):
                europe_jobs.setdefault(fkey, []).append((pi, ai, fp.defence_of(sca)))

    grids: dict = {}
    europe: dict = {}
    for jobs in europe_jobs.values():
        t0 = time.perf_counter()
        sc0 = plans[jobs[0][0]][0]
        f = sc0.footprint
        grid = fp.aim_grid(f.region, resolution_deg, f.land_only, force=True)
        say(f"defence of Europe: {', '.join(f.missiles)} from {', '.join(f.launch_areas)} "
            f"against {len(jobs)} architectures ({len(grid)} aim points every "
            f"{resolution_deg:g} deg)")
        merged = europe_footprints(sc0, [d for _, _, d in jobs], grid, cache)
        for k, (pi, ai, _) in enumerate(jobs):
            europe[(pi, ai)] = Europe(merged[k])
            grids[pi] = grid
        dt = time.perf_counter() - t0
        for pi in {j[0] for j in jobs}:
            comparisons[pi][4]["europe_s"] = dt
    out = []
    for pi, (sc, sets, per_arch, sd, secs) in enumerate(comparisons):
        archs = tuple(ArchitectureOutcome(spec, sca, arch, outs, europe.get((pi, ai)), views)
                      for ai, (spec, sca, arch, outs, views) in enumerate(per_arch))
        out.append(Comparison(sc, sets, archs, grids.get(pi), resolution_deg, sd, secs))
    return out


def medians(o: ArchitectureOutcome, sets: Sequence[str]) -> dict[str, float]:
    """Medians over the routes of ``sets`` (flown routes only): ``first_track_s`` over the
    routes with a launch-quality track, ``window_s`` over the engageable routes, NaN when
    there are none; and the counts they are taken over."""
    ft, win, det, fl = [], [], [], []
    for k in sets:
        x = o.sets[k]
        flown = x.engagements.looks.trajectories.flown
        ft.append(x.first_track_s[flown])
        win.append(x.window_s[flown])
        det.append(x.first_detection_s[flown])
        fl.append(flown)
    ft, win, det = (np.concatenate(a) if a else np.zeros(0) for a in (ft, win, det))

    def med(a):
        a = a[np.isfinite(a)]
        return float(np.median(a)) if a.size else float("nan")

    return {"first_detection_s": med(det), "first_track_s": med(ft), "window_s": med(win),
            "routes": int(sum(int(f.sum()) for f in fl)),
            "detected": int(np.isfinite(det).sum()), "tracked": int(np.isfinite(ft).sum()),
            "engageable": int(np.isfinite(win).sum())}


def transparency(o: ArchitectureOutcome, system_side: str, route_set: str) -> Mapping | None:
    """The :class:`NodeView` of the first system of ``system_side`` on ``route_set`` (None if
    the architecture has no such system)."""
    for v in o.transparency:
        if v.side == system_side and v.route_set == route_set:
            return v
    return None
