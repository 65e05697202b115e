"""Systems, links and architectures: who may launch on whose track, and when.

The dispute this models (issue 9): NATO's two independent systems that exchange data, Russia's
one joint system, and Russia's sectoral defence. A :class:`System` owns sensors (radars that
track, and cue-only space sensors), shooters (interceptor sites) and a command node. A
:class:`Link` carries data from one system to another with a latency, an update interval, an
availability and a :class:`SharingLevel`. An :class:`Architecture` combines them with a kind:

* ``independent``: each system uses only its own sensors' tracks, each alone and fused by
  covariance intersection (links are not allowed). Every kind but ``joint`` fuses a system's
  own sensors the same way, so what an exchange adds is only what the partner sends.
* ``exchange``: each system uses its own tracks, and what its incoming links share, as
  received (see "Exchange" below).
* ``joint``: one picture: a central track fused from the measurements of every sensor of
  every system (:func:`euroshield.network.filters.track` given all sensors), at the one
  command node without link latency (links are ignored); every shooter may launch on it or
  on any single sensor's track (the battle manager choosing the best shooter is the
  engagement stage's job: it has the per-shooter times).
* ``sectoral``: like ``exchange`` for the sensors, but a system's shooters engage only the
  threats whose sector point lies in that system's sector. The sector point is the threat's
  aim point (``sector_point: aim``, the default: responsibility follows what is defended, and
  is known before any intercept is planned) or the planned intercept point of each shooter
  (``sector_point: intercept``); the caller passes the points the scenario names.

:func:`fire_control` turns per-sensor tracks into, per route x shooter, the first time a
launch-quality track is available at the shooter's command node, the launch time that allows
and a :class:`Access` code saying why. Pure function over arrays, no I/O.

Exchange, level by level (a link's level allows everything below it):

* ``early-warning-cue``: the sender's cue sensors' launch cues arrive at the receiver
  (``cue_s``) after the link delay. They do not change track times: the radar model measures
  at every revisit epoch wherever the target is in the field of regard (no search/track
  scheduling to shorten), so a cue's effect on launch is the timeline's track-and-cue rule,
  applied by the caller with ``cue_s``.
* ``cueing-tracks``: the sender's tracks may sharpen the receiver's own track but not
  replace it. Modelled simply: the receiver's launch-quality time is the first epoch at
  which the covariance-intersection fusion of its own tracks and the received remote tracks
  (:func:`euroshield.network.fusion.fuse_tracks`, remote age = latency + update interval,
  the worst case) meets the launch thresholds, counted only where the receiver holds a
  track of its own (the launch still rests on its own sensors). The fused picture is
  evaluated on a grid of ``grid_step_s`` (multiples from launch), only where at least two
  inputs hold estimates and only before the time already reached otherwise; an own-only
  time is never made later by it. Fusion can beat both inputs: two radars' error ellipsoids
  are long across their different lines of sight, and their intersection is small.
* ``launch-on-remote``: additionally, a received remote launch-quality track alone allows
  the launch (reason ``REMOTE_TRACK``), and the fusion counts without an own track.
* ``engage-on-remote``: additionally, a received remote engage-quality track counts for
  ``engage_quality_s`` (guiding the intercept without the receiver's own sensors).

Link delay: the sender transmits every ``update_interval_s`` from the threat's launch (its
latest estimate at each transmission); a transmission arrives ``latency_s`` later. So an
estimate made at ``t`` is received at ``ceil(t / U) U + L``, predicted to that time with the
ballistic model (:func:`euroshield.network.dynamics.propagate`) and judged there; only
estimates already within the thresholds when made are candidates (propagation over a link
delay inflates the covariance: an estimate not good enough when sent is taken as not good
enough when received). Links are direct (no relaying through a third system).

Availability ``a``: for each route the link is either up for the whole engagement or down
(outages of minutes, engagements of ten: an own simplification). Which routes have the link
up is drawn from ``rng`` when one is given (Bernoulli ``a`` per route and link); without it a
deterministic low-discrepancy choice (the Weyl sequence ``frac((i + 1) / phi)`` below ``a``)
puts the link up on a fraction ``a`` of the routes, unrelated to their order (the same
routes for every link of equal availability: outages then coincide; pass ``rng`` for
independent links). ``a = 0`` equals no link; ``a = 1`` always up. A system with several
incoming links judges the fused picture by the highest level among them (launch without an
own track if any link is launch-on-remote).

Track quality (:class:`TrackQuality`): root-sum-square 1-sigma position and velocity
uncertainty (``sqrt(trace P)``; semi-major axes with ``measure: major``). Defaults are own
assumptions, not from a source (public sources give no fire-control track accuracies for
these systems): cue 10 km / 500 m/s (enough to point a radar's beam of ~1 deg at 1,000 km
onto the target: 17 km across), launch 1 km / 50 m/s (an interceptor's in-flight target
updates and seeker acquisition basket are taken as tolerating about 1 km at launch;
propagating 50 m/s over a 200 s fly-out adds 10 km, which in-flight updates must remove),
engage 100 m / 5 m/s (handover to a kinetic kill vehicle's seeker).

Units: times [s after the threat's launch], sigmas [m, m/s], angles [deg] at the boundary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Annotated, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from euroshield.errors import InputError

from .dynamics import propagate
from .fusion import fuse_tracks
from .tracks import Tracks

__all__ = [
    "BUILTIN_SECTORS", "RUSSIA_2012_POLYGON", "Access", "Architecture", "Box", "FireControl",
    "KINDS", "Link", "Sector", "SharingLevel",
    "System", "TrackQuality", "check_sensors", "fire_control", "in_sector", "link_up",
    "parse_architecture",
]

KINDS = ("independent", "exchange", "joint", "sectoral")


class SharingLevel(IntEnum):
    """What a link shares, ordered: each level includes those below it."""

    NONE = 0
    EARLY_WARNING_CUE = 1
    CUEING_TRACKS = 2
    LAUNCH_ON_REMOTE = 3
    ENGAGE_ON_REMOTE = 4

    @property
    def key(self) -> str:
        """The name scenarios use (``launch-on-remote``)."""
        return self.name.lower().replace("_", "-")

    @classmethod
    def parse(cls, name: str) -> SharingLevel:
        for level in cls:
            if level.key == name:
                return level
        raise ValueError(f"unknown sharing level {name!r}; allowed: "
                         f"{', '.join(x.key for x in cls)}")


SHARING_KEYS = tuple(level.key for level in SharingLevel)


class Access(IntEnum):
    """Why a shooter may (or may not) launch: the source of its first launch-quality track."""

    OWN_TRACK = 0  # its own system's sensors
    FUSED_TRACK = 1  # own tracks fused with received remote tracks (cueing/launch-on-remote)
    REMOTE_TRACK = 2  # a received remote track alone (launch-on-remote)
    JOINT_TRACK = 3  # the joint system's central picture
    NO_QUALITY_TRACK = 4  # no launch-quality track ever reaches the shooter's command node
    NOT_IN_SECTOR = 5  # sectoral: the threat is another system's responsibility


# ---- the scenario section (pydantic: extra fields forbidden, one-line errors) ---------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True, frozen=True,
                              str_strip_whitespace=True, populate_by_name=True)


def _printable(v: str) -> str:
    if not v.isprintable():
        raise ValueError("must not contain control characters (line breaks, tabs, escapes)")
    return v


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]


class TrackQuality(_Strict):
    """1-sigma thresholds (root-sum-square, or semi-major axes with ``measure: major``) a
    track must meet to cue a sensor, to allow a launch, to guide an intercept. Defaults: own
    assumptions (see the module docstring)."""

    cue_position_sigma_m: float = Field(default=10_000.0, gt=0, le=1e7)
    cue_velocity_sigma_m_s: float = Field(default=500.0, gt=0, le=1e5)
    launch_position_sigma_m: float = Field(default=1_000.0, gt=0, le=1e7)
    launch_velocity_sigma_m_s: float = Field(default=50.0, gt=0, le=1e5)
    engage_position_sigma_m: float = Field(default=100.0, gt=0, le=1e7)
    engage_velocity_sigma_m_s: float = Field(default=5.0, gt=0, le=1e5)
    measure: Literal["rss", "major"] = "rss"

    @model_validator(mode="after")
    def _nested(self) -> TrackQuality:
        for q in ("position_sigma_m", "velocity_sigma_m_s"):
            c, la, e = (getattr(self, f"{k}_{q}") for k in ("cue", "launch", "engage"))
            if not c >= la >= e:
                raise ValueError(f"cue_{q} >= launch_{q} >= engage_{q} is required (a track "
                                 f"good enough to engage on is good enough to launch on), got "
                                 f"{c:g}, {la:g}, {e:g}")
        return self

    def first_time(self, tracks: Tracks, use: str) -> np.ndarray:
        """(n,) first epoch [s] at which ``tracks`` meet the ``use`` thresholds (cue, launch,
        engage); NaN if never."""
        return tracks.first_time_within(getattr(self, f"{use}_position_sigma_m"),
                                        getattr(self, f"{use}_velocity_sigma_m_s"),
                                        major=self.measure == "major")

    def within(self, tracks: Tracks, use: str) -> np.ndarray:
        """(n, m) bool: the epochs meeting the ``use`` thresholds."""
        major = self.measure == "major"
        pos = tracks.position_major_sigma_m if major else tracks.position_sigma_m
        vel = tracks.velocity_major_sigma_m_s if major else tracks.velocity_sigma_m_s
        return (tracks.valid & (pos <= getattr(self, f"{use}_position_sigma_m"))
                & (vel <= getattr(self, f"{use}_velocity_sigma_m_s")))


class System(_Strict):
    """A side's defence system: tracking radars, cue-only space sensors, shooters (interceptor
    sites) and the command node that decides launches."""

    name: Name
    side: Name = Field(description="e.g. nato, russia")
    sensors: list[Name] = Field(default_factory=list, description="tracking radars")
    cue_sensors: list[Name] = Field(default_factory=list,
                                    description="cue-only space sensors (e.g. sbirs)")
    shooters: list[Name] = Field(default_factory=list, description="interceptor sites")
    command_node: Name


class Link(_Strict):
    """Data flow from one system to another (one direction; give two links for both)."""

    from_system: Name = Field(alias="from")
    to_system: Name = Field(alias="to")
    latency_s: float = Field(default=0.0, ge=0, le=3600)
    update_interval_s: float = Field(default=1.0, gt=0, le=3600)
    availability: float = Field(default=1.0, ge=0, le=1)
    # own default: tracks shared for cueing, launch decisions on own data
    sharing: Literal[SHARING_KEYS] = "cueing-tracks"  # type: ignore[valid-type]

    @field_validator("sharing", mode="before")
    @classmethod
    def _known_level(cls, v):
        if isinstance(v, str) and v.strip() not in SHARING_KEYS:
            raise ValueError(f"unknown sharing level {v.strip()!r}; allowed: "
                             f"{', '.join(SHARING_KEYS)}")
        return v

    @property
    def level(self) -> SharingLevel:
        return SharingLevel.parse(self.sharing)

    @model_validator(mode="after")
    def _two_systems(self) -> Link:
        if self.from_system == self.to_system:
            raise ValueError(f"from and to are both {self.from_system!r}: a link joins two "
                             "different systems")
        return self


class Box(_Strict):
    """A latitude/longitude box [deg, WGS84]. ``lon_min_deg > lon_max_deg`` crosses the
    antimeridian (170 to -170 is 20 deg wide); -180 to 180 is every longitude. A box
    reaching a pole (``lat_max_deg: 90``) contains the pole whatever its longitudes."""

    lat_min_deg: Lat
    lat_max_deg: Lat
    lon_min_deg: Lon
    lon_max_deg: Lon

    @model_validator(mode="after")
    def _ordered(self) -> Box:
        if self.lat_min_deg > self.lat_max_deg:
            raise ValueError(f"lat_min_deg ({self.lat_min_deg:g}) must not exceed lat_max_deg "
                             f"({self.lat_max_deg:g})")
        return self


def _polygon_ok(v: list[list[float]]) -> list[list[float]]:
    for i, (lat, lon) in enumerate(v):
        if not -90.0 <= lat <= 90.0:
            raise ValueError(f"vertex {i}: latitude {lat:g} outside the allowed range [-90, 90]")
        if not -180.0 <= lon <= 180.0:
            raise ValueError(f"vertex {i}: longitude {lon:g} outside the allowed range "
                             "[-180, 180]")
    return v


Vertex = Annotated[list[float], Field(min_length=2, max_length=2,
                                      description="[lat_deg, lon_deg]")]
Polygon = Annotated[list[Vertex], Field(min_length=3, max_length=10_000),
                    AfterValidator(_polygon_ok)]


# The 2012 Russian "sectoral defence" proposal, as far as public sources describe it: the
# Chief of the General Staff's slide (Russian MoD conference, May 2012) left to Russia's sector
# "the Baltic states, parts of Poland, most of Norway", and "most of Sweden and Finland ...
# would be protected by Russia" (quoted by P. Podvig, russianforces.org, May 2012,
# http://russianforces.org/blog/2012/05/russias_sectoral_defense.shtml). The slide's lines
# are not public: this polygon is an OWN APPROXIMATION of that description ([lat, lon] deg):
# Norway north of 60.5 N, Sweden north and east of a line Karlstad - Kalmar (Skane and the
# south-west left out), Finland, the Baltic states, Poland north-east of a line from the coast
# near Slupsk to the Belarus border near Brest (Gdansk in, Warsaw just out), Belarus and
# Russia west of the Chukotka peninsula (the polygon stops at 180 E; Ukraine, the Caucasus
# states and Kazakhstan left out). NATO's sector is its complement ("outside": true).
RUSSIA_2012_POLYGON = (
    (71.5, 4.0), (60.5, 4.0), (60.5, 12.0), (56.0, 14.0), (55.0, 15.5), (54.6, 17.0),
    (52.5, 20.0), (52.0, 23.6), (51.5, 23.6), (51.9, 31.8), (52.3, 34.0), (50.3, 35.5),
    (50.0, 40.0), (47.0, 38.0), (44.5, 37.5), (43.3, 40.0), (41.2, 48.5), (45.0, 51.0),
    (51.0, 55.0), (50.5, 61.0), (54.0, 73.0), (50.5, 87.0), (50.0, 98.0), (52.0, 120.0),
    (42.3, 130.6), (43.0, 145.0), (60.0, 180.0), (85.0, 180.0), (85.0, 90.0), (85.0, 4.0),
)
BUILTIN_SECTORS = {"russia-2012": RUSSIA_2012_POLYGON}


class Sector(_Strict):
    """A system's area of responsibility: the union of boxes, polygons and a built-in sector
    (``builtin: russia-2012``, :data:`RUSSIA_2012_POLYGON`), or with ``outside: true`` all of
    the Earth except that union (e.g. NATO's sector in the 2012 proposal). A polygon is a list
    of ``[lat, lon]`` vertices [deg] (closed implicitly); its edges are straight in
    latitude/longitude and take the shorter way round in longitude (so they may cross the
    antimeridian). A polygon whose edges go once round the Earth encloses the pole on the side
    of its mean latitude."""

    boxes: list[Box] = Field(default_factory=list)
    polygons: list[Polygon] = Field(default_factory=list)
    builtin: Literal[tuple(BUILTIN_SECTORS)] | None = None  # type: ignore[valid-type]
    outside: bool = False

    @model_validator(mode="after")
    def _not_empty(self) -> Sector:
        if not self.boxes and not self.polygons and self.builtin is None:
            raise ValueError("a sector needs at least one box, polygon or builtin")
        return self

    def contains(self, lat_deg, lon_deg) -> np.ndarray:
        """Boolean array: the points (any shape) [deg] lie in the sector (boundaries included
        for boxes)."""
        lat = np.asarray(lat_deg, dtype=float)
        lon = np.asarray(lon_deg, dtype=float)
        out = np.zeros(np.broadcast_shapes(lat.shape, lon.shape), dtype=bool)
        for b in self.boxes:
            out |= _in_box(b, lat, lon)
        polygons = [*self.polygons] + ([BUILTIN_SECTORS[self.builtin]] if self.builtin else [])
        for p in polygons:
            out |= _in_polygon(np.asarray(p, dtype=float), lat, lon)
        return ~out if self.outside else out


class Architecture(_Strict):
    """The ``architecture:`` section of a scenario (see the module docstring)."""

    kind: Literal[KINDS]  # type: ignore[valid-type]
    systems: list[System] = Field(min_length=1)
    links: list[Link] = Field(default_factory=list)
    sectors: dict[Name, Sector] = Field(default_factory=dict)
    sector_point: Literal["aim", "intercept"] = "aim"
    track_quality: TrackQuality = Field(default_factory=TrackQuality)

    @model_validator(mode="after")
    def _consistent(self) -> Architecture:
        names = [s.name for s in self.systems]
        for i, n in enumerate(names):
            if n in names[:i]:
                raise ValueError(f"systems.{i}.name: system {n!r} appears twice")
        owner: dict[str, str] = {}
        for i, s in enumerate(self.systems):
            for j, site in enumerate(s.shooters):
                if site in owner:
                    raise ValueError(f"systems.{i}.shooters.{j}: shooter {site!r} already "
                                     f"belongs to system {owner[site]!r}")
                owner[site] = s.name
        known = ", ".join(names)
        for i, link in enumerate(self.links):
            for end, v in (("from", link.from_system), ("to", link.to_system)):
                if v not in names:
                    raise ValueError(f"links.{i}.{end}: unknown system {v!r}; known: {known}")
        if self.kind == "independent" and self.links:
            raise ValueError("links: an independent architecture exchanges nothing; remove "
                             "the links or use kind exchange")
        for name in self.sectors:
            if name not in names:
                raise ValueError(f"sectors.{name}: unknown system {name!r}; known: {known}")
        if self.kind == "sectoral":
            for i, n in enumerate(names):
                if n not in self.sectors:
                    raise ValueError(f"sectors: system {n!r} (systems.{i}) has no sector; "
                                     "a sectoral architecture needs one per system")
        elif self.sectors:
            raise ValueError(f"sectors: only a sectoral architecture has sectors (kind is "
                             f"{self.kind})")
        return self

    def system(self, name: str) -> System:
        for s in self.systems:
            if s.name == name:
                return s
        raise KeyError(name)

    def shooter_systems(self) -> dict[str, str]:
        """Shooter site -> the name of the system that owns it."""
        return {site: s.name for s in self.systems for site in s.shooters}


def parse_architecture(data, where: str = "architecture") -> Architecture:
    """Validate an ``architecture:`` mapping; every error is one InputError line that starts
    with ``where`` and names the field."""
    from euroshield.catalog import format_validation_error

    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping (kind, systems, links, sectors, "
                         f"track_quality), got {type(data).__name__}")
    try:
        return Architecture.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, where)) from None


def check_sensors(arch: Architecture, radars: Mapping, space_sensors: Mapping,
                  where: str = "architecture") -> None:
    """Every tracking sensor of every system is a known radar with a field of regard and a
    measurement model; every cue sensor is a known space sensor. One InputError line naming
    the field otherwise. ``radars`` / ``space_sensors``: name -> catalogue entry."""
    for i, s in enumerate(arch.systems):
        for j, name in enumerate(s.sensors):
            field = f"{where}.systems.{i}.sensors.{j}"
            if name in space_sensors:
                raise InputError(f"{field}: {name!r} is a cue-only space sensor with no field "
                                 "of regard (it cannot track); list it under cue_sensors")
            if name not in radars:
                raise InputError(f"{field}: unknown radar {name!r}; known: "
                                 f"{', '.join(sorted(radars))}")
            r = radars[name]
            if not getattr(r, "measures", False):
                raise InputError(f"{field}: radar {name!r} has no measurement model "
                                 "(range_sigma_m and angle_sigma_mrad) and cannot track")
        for j, name in enumerate(s.cue_sensors):
            if name not in space_sensors:
                what = ("is a radar: list it under sensors" if name in radars else
                        f"is not a space sensor; known: {', '.join(sorted(space_sensors))}")
                raise InputError(f"{where}.systems.{i}.cue_sensors.{j}: {name!r} {what}")


# ---- point in sector ---------------------------------------------------------------------


def _wrap180(x):
    """Longitude differences into [-180, 180)."""
    return (np.asarray(x, dtype=float) + 180.0) % 360.0 - 180.0


def _in_box(b: Box, lat, lon) -> np.ndarray:
    ok_lat = (lat >= b.lat_min_deg) & (lat <= b.lat_max_deg)
    width = b.lon_max_deg - b.lon_min_deg
    if width >= 360.0:
        ok_lon = np.ones(np.shape(lon), dtype=bool)
    else:
        width %= 360.0  # lon_min > lon_max: across the antimeridian
        ok_lon = (np.asarray(lon, dtype=float) - b.lon_min_deg) % 360.0 <= width
    pole = np.abs(lat) >= 90.0  # longitude is meaningless at a pole
    return ok_lat & (ok_lon | pole)


def _in_polygon(v: np.ndarray, lat, lon) -> np.ndarray:
    """Crossing-number test along the meridian from each point to the north pole, with edges
    straight in (lat, lon) taking the shorter way in longitude. A polygon that winds once
    round the Earth encloses the pole on its mean latitude's side; if that is the north pole,
    a point is inside when the count is even."""
    a1, o1 = v[:, 0], v[:, 1]
    a2, o2 = np.roll(a1, -1), np.roll(o1, -1)
    d = _wrap180(o2 - o1)  # edge's signed longitude extent, the shorter way
    d = np.where(d == -180.0, 180.0, d)
    winding = float(d.sum())
    north_inside = abs(winding) > 180.0 and float(a1.mean()) > 0.0
    south_inside = abs(winding) > 180.0 and float(a1.mean()) < 0.0
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    shape = np.broadcast_shapes(lat.shape, lon.shape)
    pl = np.broadcast_to(lat, shape).ravel()[:, None]
    po = np.broadcast_to(lon, shape).ravel()[:, None]
    r = _wrap180(po - o1[None, :])  # point's longitude relative to each edge's start
    crosses = np.where(d > 0, (r >= 0) & (r < d), (r < 0) & (r >= d)) & (d != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = a1 + (a2 - a1) * np.where(d != 0, r / d, 0.0)
    count = np.sum(crosses & (at > pl), axis=1)
    inside = (count % 2 == 0) if north_inside else (count % 2 == 1)
    inside = np.where(pl[:, 0] >= 90.0, north_inside, inside)
    inside = np.where(pl[:, 0] <= -90.0, south_inside, inside)
    return inside.reshape(shape)


def in_sector(sector: Sector, lat_deg, lon_deg) -> np.ndarray:
    """Boolean array: the points [deg, WGS84] lie in ``sector``."""
    return sector.contains(lat_deg, lon_deg)


# ---- links ----------------------------------------------------------------------------------

_INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0


def link_up(link: Link, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """(n,) bool: the link is up for each route (see "Availability" in the module
    docstring)."""
    a = float(link.availability)
    if a >= 1.0:
        return np.ones(n, dtype=bool)
    if a <= 0.0:
        return np.zeros(n, dtype=bool)
    u = rng.random(n) if rng is not None else ((np.arange(n) + 1.0) * _INV_PHI) % 1.0
    return u < a


def received_first_time(tracks: Tracks, quality: TrackQuality, use: str, latency_s: float,
                        update_interval_s: float) -> np.ndarray:
    """(n,) first time [s] at which a ``use``-quality estimate of ``tracks`` has been received
    over a link (sent every ``update_interval_s`` from launch, arriving ``latency_s`` later),
    judged after prediction to its arrival; NaN if never."""
    n = tracks.shape[0]
    ok = quality.within(tracks, use)
    out = np.full(n, np.nan)
    if not ok.any():
        return out
    t = tracks.times_s[ok]
    u = float(update_interval_s)
    sent = np.ceil(t / u - 1e-12) * u
    recv = np.maximum(sent, t) + float(latency_s)
    s1, p1, _ = propagate(tracks.state[ok], recv - t, tracks.covariance[ok], tracks.model)
    moved = Tracks(sensors=tracks.sensors, times_s=recv[None, :], state=s1[None],
                   covariance=p1[None], status=tracks.status[ok][None],
                   nis=np.full((1, recv.size), np.nan),
                   nis_dof=np.zeros((1, recv.size), dtype=np.int8),
                   sensor_index=tracks.sensor_index[ok][None], model=tracks.model)
    still = quality.within(moved, use)[0]
    rows = np.broadcast_to(np.arange(n)[:, None], ok.shape)[ok]
    cand = np.where(still, recv, np.inf)
    best = np.full(n, np.inf)
    np.minimum.at(best, rows, cand)
    return np.where(np.isfinite(best), best, np.nan)


# ---- fire control ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FireControl:
    """Per route x shooter (``(n, J)`` arrays, columns in the order of ``shooters``) [s after
    the threat's launch, NaN = never]:

    ``launch_quality_s``: first time a launch-quality track is available at the shooter's
    command node; ``launch_allowed_s``: that plus the decision delay, NaN where the shooter
    may not launch (no such track, or not its sector); ``engage_quality_s``: first time an
    engage-quality track is available to guide the intercept; ``cue_s``: first launch cue
    (own cue sensors, or received over early-warning links); ``reason``: :class:`Access`
    codes; ``in_sector``: the sector point lies in the shooter's system's sector (all true
    for kinds other than sectoral); ``link_up``: per incoming link of each system (keyed
    ``(from, to)``), the routes on which it was up."""

    kind: str
    shooters: tuple[str, ...]
    systems: tuple[str, ...]
    launch_quality_s: np.ndarray
    launch_allowed_s: np.ndarray
    engage_quality_s: np.ndarray
    cue_s: np.ndarray
    reason: np.ndarray
    in_sector: np.ndarray
    decision_delay_s: float
    link_up: dict


def _fmin_all(arrays, n) -> np.ndarray:
    out = np.full(n, np.nan)
    for a in arrays:
        out = np.fmin(out, a)
    return out


def _take(tracks: Tracks, rows: np.ndarray) -> Tracks:
    """The routes ``rows`` of ``tracks``."""
    mi = tracks.measurement_index
    return Tracks(sensors=tracks.sensors, times_s=tracks.times_s[rows],
                  state=tracks.state[rows], covariance=tracks.covariance[rows],
                  status=tracks.status[rows], nis=tracks.nis[rows], nis_dof=tracks.nis_dof[rows],
                  sensor_index=tracks.sensor_index[rows], model=tracks.model,
                  measurement_index=None if mi is None else mi[rows])


def _first_fused(inputs: Sequence[Tracks], delays: Sequence[float], quality: TrackQuality,
                 own_first_s, before_s, step_s: float, chunk: int = 32) -> np.ndarray:
    """(n,) first epoch on the grid of multiples of ``step_s`` at which the covariance
    intersection of ``inputs`` (each known ``delays[k]`` late, :func:`fuse_tracks`) meets the
    launch thresholds; NaN if none before ``before_s`` (n,) (the time already reached
    another way; NaN: no limit). With ``own_first_s`` (n,) only epochs at or after it count
    (cueing: the launch rests on an own track; NaN there: never). Only epochs where two
    inputs hold estimates are judged (one alone is judged by its own path), row by row in
    chunks of ``chunk`` epochs, rows leaving once decided: the cost follows the time to a
    launch-quality track, not the length of the flight."""
    n = inputs[0].shape[0]
    avail = np.stack([t.first_track_time_s + d for t, d in zip(inputs, delays, strict=True)],
                     axis=1)
    start = np.sort(avail, axis=1)[:, 1]  # NaN sorts last: fewer than two inputs = NaN
    if own_first_s is not None:
        start = np.maximum(start, own_first_s)  # NaN own track: NaN
    end = np.max([np.max(np.where(t.valid, t.times_s, -np.inf), axis=1) + d
                  for t, d in zip(inputs, delays, strict=True)], axis=0)
    end = np.where(np.isfinite(end), end, np.nan)
    stop = np.fmin(end, np.asarray(before_s, dtype=float))
    start = np.ceil(start / step_s - 1e-9) * step_s
    out = np.full(n, np.nan)
    active = np.isfinite(start) & (start <= stop)
    k0 = 0
    while active.any():
        rows = np.flatnonzero(active)
        qt = start[rows, None] + (k0 + np.arange(chunk))[None, :] * step_s
        fused = fuse_tracks([_take(t, rows) for t in inputs], qt, delays)
        ok = quality.within(fused, "launch") & (qt <= stop[rows, None])
        found = ok.any(axis=1)
        out[rows[found]] = qt[found, np.argmax(ok[found], axis=1)]
        active[rows[found]] = False
        k0 += chunk
        active[rows] &= start[rows] + k0 * step_s <= stop[rows]
    return out


def fire_control(architecture: Architecture, tracks_by_sensor: Mapping[str, Tracks],
                 shooters: Sequence[str] | None = None, cues: Mapping | None = None,
                 shooter_system_of: Mapping[str, str] | None = None,
                 central_tracks: Tracks | None = None, sector_lat_deg=None,
                 sector_lon_deg=None, decision_delay_s: float = 0.0, grid_step_s: float = 2.0,
                 rng: np.random.Generator | None = None, memo: dict | None = None
                 ) -> FireControl:
    """When each shooter may launch on each route, and why (see the module docstring).

    ``tracks_by_sensor``: each tracking sensor's :class:`Tracks` of the same ``n`` routes
    (every sensor of every system must be there). ``shooters``: the columns (default: every
    system's shooters in order); ``shooter_system_of``: shooter -> system (default: from the
    architecture). ``cues``: cue sensor name -> :class:`~euroshield.defense.measurements.Cues`
    (optional). ``central_tracks``: for ``joint``, the central measurement-fused track of
    all sensors (:func:`euroshield.network.filters.track` given every sensor's measurements).
    ``sector_lat_deg`` / ``sector_lon_deg``: for ``sectoral``, the sector points (``(n,)``
    aim points or ``(n, J)`` intercept points, per ``architecture.sector_point``).
    ``decision_delay_s`` [s] is added to the launch-quality time. ``grid_step_s`` [s]: the
    epochs on which fused own + remote pictures are judged. ``rng``: link availability draws
    (None: the deterministic choice). ``memo``: a dict kept by the caller with the tracks
    (e.g. the looks' memo) in which fused launch-quality times are kept, so that another
    architecture with the same inputs (``sectoral`` and ``exchange`` share their links) or
    another timeline does not fuse again."""
    arch = architecture
    q = arch.track_quality
    owner = dict(shooter_system_of) if shooter_system_of is not None else arch.shooter_systems()
    cols = tuple(shooters) if shooters is not None else tuple(owner)
    for s in cols:
        if s not in owner:
            raise ValueError(f"shooter {s!r} belongs to no system of the architecture")
    sys_names = [s.name for s in arch.systems]
    for s in cols:
        if owner[s] not in sys_names:
            raise ValueError(f"shooter {s!r}: unknown system {owner[s]!r}")
    needed = [name for s in arch.systems for name in s.sensors]
    missing = [name for name in needed if name not in tracks_by_sensor]
    if missing:
        raise ValueError(f"no tracks for sensor(s) {', '.join(missing)}")
    sizes = {tracks_by_sensor[k].shape[0] for k in needed}
    if central_tracks is not None:
        sizes.add(central_tracks.shape[0])
    if len(sizes) > 1:
        raise ValueError(f"tracks of different numbers of routes: {sorted(sizes)}")
    if not sizes:
        raise ValueError("the architecture's systems have no tracking sensors")
    n = sizes.pop()
    cues = cues or {}

    def own_cue(system: System) -> np.ndarray:
        return _fmin_all([np.asarray(cues[c].time_s, dtype=float) for c in system.cue_sensors
                          if c in cues], n)

    # per system: own launch / engage quality times and cue, then what links add
    launch: dict[str, np.ndarray] = {}
    engage: dict[str, np.ndarray] = {}
    cue: dict[str, np.ndarray] = {}
    why: dict[str, np.ndarray] = {}
    ups: dict = {}
    for s in arch.systems:
        own = [tracks_by_sensor[k] for k in s.sensors]
        t_own = _fmin_all([q.first_time(t, "launch") for t in own], n)
        e_own = _fmin_all([q.first_time(t, "engage") for t in own], n)
        c_own = own_cue(s)
        reason = np.where(np.isfinite(t_own), Access.OWN_TRACK, Access.NO_QUALITY_TRACK)
        if arch.kind == "joint":
            if central_tracks is None:
                raise ValueError("a joint architecture needs central_tracks (filters.track "
                                 "of every sensor's measurements)")
            every = [tracks_by_sensor[k] for k in needed]
            t_j = _fmin_all([q.first_time(central_tracks, "launch")]
                            + [q.first_time(t, "launch") for t in every], n)
            e_j = _fmin_all([q.first_time(central_tracks, "engage")]
                            + [q.first_time(t, "engage") for t in every], n)
            reason = np.where(np.isfinite(t_j) & ~(t_j >= t_own), Access.JOINT_TRACK, reason)
            t_own, e_own = np.fmin(t_own, t_j), np.fmin(e_own, e_j)
            c_own = _fmin_all([own_cue(x) for x in arch.systems], n)
        fused_in: list[Tracks] = []
        fused_delay: list[float] = []
        launch_remote = False
        if arch.kind in ("exchange", "sectoral"):
            for link in arch.links:
                if link.to_system != s.name or link.level == SharingLevel.NONE:
                    continue
                up = link_up(link, n, rng)
                ups[(link.from_system, link.to_system)] = up
                if not up.any():
                    continue
                src = arch.system(link.from_system)
                delay = link.latency_s
                if link.level >= SharingLevel.EARLY_WARNING_CUE:
                    u = link.update_interval_s
                    sent = np.ceil(own_cue(src) / u - 1e-12) * u  # the next transmission
                    c_own = np.fmin(c_own, np.where(up, sent + delay, np.nan))
                if link.level >= SharingLevel.CUEING_TRACKS:
                    for k in src.sensors:
                        fused_in.append(_masked(tracks_by_sensor[k], up))
                        fused_delay.append(delay + link.update_interval_s)
                if link.level >= SharingLevel.LAUNCH_ON_REMOTE:
                    launch_remote = True
                    for k in src.sensors:
                        tr = received_first_time(tracks_by_sensor[k], q, "launch", delay,
                                                 link.update_interval_s)
                        tr = np.where(up, tr, np.nan)
                        better = np.isfinite(tr) & ~(tr >= t_own)
                        reason = np.where(better, Access.REMOTE_TRACK, reason)
                        t_own = np.where(better, tr, t_own)
                if link.level >= SharingLevel.ENGAGE_ON_REMOTE:
                    for k in src.sensors:
                        te = received_first_time(tracks_by_sensor[k], q, "engage", delay,
                                                 link.update_interval_s)
                        e_own = np.fmin(e_own, np.where(up, te, np.nan))
        # every system fuses what it holds: its own sensors' tracks (in every kind: a system
        # with two radars fuses them with or without a partner, so the exchange's gain is
        # only what the partner adds) and, over links, the partner's
        if (arch.kind != "joint" and len(own) + len(fused_in) >= 2
                and any(t.valid.any() for t in own)):
            own_first = _fmin_all([t.first_track_time_s for t in own], n)
            inputs, delays = own + fused_in, [0.0] * len(own) + fused_delay
            # keyed by the inputs' identities: the memo holds them, so no other object can
            # take their ids while the entry lives
            key = ("fused", tuple(id(t) for t in inputs), tuple(delays), q.model_dump_json(),
                   launch_remote, float(grid_step_s), np.asarray(t_own).tobytes())
            hit = memo.get(key) if memo is not None else None
            if hit is not None:
                tf = hit[1]
            else:
                tf = _first_fused(inputs, delays, q, None if launch_remote else own_first,
                                  t_own, grid_step_s)
                if memo is not None:
                    memo[key] = (tuple(inputs), tf)
            better = np.isfinite(tf) & ~(tf >= t_own)
            reason = np.where(better, Access.FUSED_TRACK, reason)
            t_own = np.where(better, tf, t_own)
        launch[s.name], engage[s.name], cue[s.name], why[s.name] = t_own, e_own, c_own, reason

    n_j = len(cols)
    col_sys = tuple(owner[c] for c in cols)
    lq = np.stack([launch[x] for x in col_sys], axis=1) if n_j else np.zeros((n, 0))
    eq = np.stack([engage[x] for x in col_sys], axis=1) if n_j else np.zeros((n, 0))
    cs = np.stack([cue[x] for x in col_sys], axis=1) if n_j else np.zeros((n, 0))
    rs = (np.stack([why[x] for x in col_sys], axis=1).astype(np.int8) if n_j
          else np.zeros((n, 0), dtype=np.int8))
    inside = np.ones((n, n_j), dtype=bool)
    if arch.kind == "sectoral":
        if sector_lat_deg is None or sector_lon_deg is None:
            raise ValueError(f"a sectoral architecture needs the sector points "
                             f"(sector_point: {arch.sector_point})")
        lat = np.broadcast_to(np.asarray(sector_lat_deg, dtype=float).reshape(n, -1), (n, n_j))
        lon = np.broadcast_to(np.asarray(sector_lon_deg, dtype=float).reshape(n, -1), (n, n_j))
        for j, x in enumerate(col_sys):
            inside[:, j] = arch.sectors[x].contains(lat[:, j], lon[:, j])
        rs = np.where(inside, rs, Access.NOT_IN_SECTOR).astype(np.int8)
    allowed = np.where(inside, lq + float(decision_delay_s), np.nan)
    return FireControl(kind=arch.kind, shooters=cols, systems=col_sys, launch_quality_s=lq,
                       launch_allowed_s=allowed, engage_quality_s=eq, cue_s=cs, reason=rs,
                       in_sector=inside, decision_delay_s=float(decision_delay_s), link_up=ups)


def _masked(tracks: Tracks, rows_up: np.ndarray) -> Tracks:
    """``tracks`` with the routes where the link is down emptied (no estimate)."""
    if rows_up.all():
        return tracks
    down = ~rows_up
    times = tracks.times_s.copy()
    times[down] = np.nan
    return Tracks(sensors=tracks.sensors, times_s=times, state=tracks.state,
                  covariance=tracks.covariance, status=tracks.status, nis=tracks.nis,
                  nis_dof=tracks.nis_dof, sensor_index=tracks.sensor_index, model=tracks.model,
                  measurement_index=tracks.measurement_index)
