"""The defence-of-Europe study: which aim points can the shield defend against missiles from a
launch area, and what area is that in km²?

A reduction over the pipeline stages (:mod:`euroshield.studies.pipeline`) on an aim-point grid:

1. the grid: cell centres every ``resolution_deg`` over the scenario's region, on land;
2. reach: the missile's maximum range on every heading from each launch point (full burn, the
   range-maximising pitch-over), so only threatened aim points are aimed and flown;
3. per chunk of threatened (launch point, aim point) rows: ``fly``, ``look``, then for every
   defence configuration (scenario) ``sense``, ``reach_of`` and ``engage``. Chunks bound the
   memory whatever the grid size; several scenarios (e.g. the EPAA phases) share the
   trajectories of each chunk;
4. reductions: an aim point is *threatened* when at least one launch point of the area reaches
   it; *defended* when it is engageable from every launch point that threatens it (and, a second
   layer, *partly defended* when from at least one); areas are sums of exact ellipsoidal cell
   areas.

Capitals are evaluated as aim points of their own (exact coordinates, not grid cells).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from euroshield import catalog
from euroshield.earth.constants import WGS84_A, WGS84_E2
from euroshield.earth.geodesy import inverse
from euroshield.errors import InputError
from euroshield.flight import aiming
from euroshield.scenario import MAX_GRID_POINTS, N_DETECTIONS, Region, Scenario
from euroshield.studies.deterrence import shooters_of
from euroshield.studies.pipeline import (
    Engagements,
    Shooter,
    ThreatSet,
    engage,
    fly,
    look,
    reach_of,
    sense,
)

CHUNK_ROWS = 1500  # trajectories per chunk: ~0.3 GB of look points for an IRBM
REACH_AZIMUTHS = 36  # headings of the reach fan [every 10 deg]: the range varies smoothly
REACH_ITERATIONS = 24  # golden-section steps on the pitch-over: bracket / 1e5
AIM_TOLERANCE_M = 1000.0  # impact within 1 km of the aim point: cells are >= 0.25 deg (28 km)
REACH_MARGIN = 1.01  # aim points up to 1 % beyond the fan's interpolated range are tried


# ---- the grid ------------------------------------------------------------------------------


def cell_area_m2(lat_min_deg, lat_max_deg, dlon_deg) -> np.ndarray:
    """Area [m²] of latitude/longitude cells on the WGS84 ellipsoid (closed form).

    Between latitudes p1 < p2 and over dlon radians the area is
    (b²/2) dlon [q(p2) - q(p1)], q(p) = sin p / (1 - e² sin² p) + atanh(e sin p) / e,
    the authalic-latitude integral (Snyder 1987, "Map Projections - A Working Manual", eq. 3-12);
    over the whole ellipsoid it gives 4 pi R_q² (R_q = 6,371,007.2 m, the authalic radius)."""
    e = np.sqrt(WGS84_E2)
    b2 = WGS84_A**2 * (1.0 - WGS84_E2)

    def q(lat):
        s = np.sin(np.radians(np.asarray(lat, dtype=float)))
        return s / (1.0 - WGS84_E2 * s * s) + np.arctanh(e * s) / e

    return 0.5 * b2 * np.radians(np.asarray(dlon_deg, dtype=float)) * (
        q(lat_max_deg) - q(lat_min_deg))


@dataclass(frozen=True)
class Grid:
    """Aim points at cell centres, with each cell's area."""

    lat_deg: np.ndarray  # (k,)
    lon_deg: np.ndarray
    resolution_deg: float
    region: Region
    land_only: bool
    area_m2: np.ndarray  # (k,)

    def __len__(self) -> int:
        return len(self.lat_deg)


def grid_size(region: Region, resolution_deg: float) -> int:
    """Cells of the full box (before the land mask)."""
    n_lat = int(np.floor((region.lat_max_deg - region.lat_min_deg) / resolution_deg + 1e-9))
    n_lon = int(np.floor((region.lon_max_deg - region.lon_min_deg) / resolution_deg + 1e-9))
    return max(n_lat, 0) * max(n_lon, 0)


def aim_grid(region: Region, resolution_deg: float, land_only: bool = True,
             force: bool = False) -> Grid:
    """Cell centres every ``resolution_deg`` inside the box (whole cells only); with
    ``land_only`` those on Natural Earth 1:110m land."""
    if not resolution_deg > 0:
        raise InputError(f"resolution_deg: {resolution_deg:g} must be above 0")
    size = grid_size(region, resolution_deg)
    if size > MAX_GRID_POINTS and not force:
        raise InputError(f"resolution_deg: {resolution_deg:g} deg gives {size:,} aim points, "
                         f"more than {MAX_GRID_POINTS:,}; coarsen it or pass --force")
    if size == 0:
        raise InputError(f"resolution_deg: {resolution_deg:g} deg is larger than the region "
                         "box: no whole cell fits")
    r = resolution_deg
    lat = region.lat_min_deg + r * (0.5 + np.arange(
        int(np.floor((region.lat_max_deg - region.lat_min_deg) / r + 1e-9))))
    lon = region.lon_min_deg + r * (0.5 + np.arange(
        int(np.floor((region.lon_max_deg - region.lon_min_deg) / r + 1e-9))))
    la, lo = (a.ravel() for a in np.meshgrid(lat, lon, indexing="ij"))
    if land_only:
        import shapely

        from euroshield.earth.naturalearth import land

        mask = shapely.contains_xy(shapely.union_all(land()), lo, la)
        la, lo = la[mask], lo[mask]
    area = cell_area_m2(la - r / 2, la + r / 2, r)
    return Grid(la, lo, float(r), region, land_only, area)


# ---- reach of a missile from a launch point --------------------------------------------------


def max_range_m(missile_name: str, lat_deg: float, lon_deg: float,
                azimuth_deg) -> np.ndarray:
    """The missile's maximum ground range [m] from a launch point on the given headings:
    full burn, range-maximising pitch-over, rotating WGS84 Earth (a fan of ``REACH_AZIMUTHS``
    headings, interpolated periodically)."""
    m = catalog.get_missile(missile_name)
    fan = np.arange(REACH_AZIMUTHS) * 360.0 / REACH_AZIMUTHS
    r = aiming.reach(m, np.full(fan.shape, lat_deg), np.full(fan.shape, lon_deg), fan,
                     iterations=REACH_ITERATIONS)
    rng = np.asarray(r.max_ground_range_m, dtype=float)
    return np.interp(np.asarray(azimuth_deg, dtype=float) % 360.0,
                     np.append(fan, 360.0), np.append(rng, rng[0]))


def within_reach(missile_name: str, launch: tuple[str, float, float], lat_deg,
                 lon_deg) -> np.ndarray:
    """Aim points that the missile may reach from ``launch`` (name, lat, lon): within the
    fan's range on their heading, plus ``REACH_MARGIN``."""
    lat_deg, lon_deg = np.asarray(lat_deg, float), np.asarray(lon_deg, float)
    d, az, _ = inverse(np.full(lat_deg.shape, launch[1]), np.full(lat_deg.shape, launch[2]),
                       lat_deg, lon_deg)
    return np.asarray(d) <= REACH_MARGIN * max_range_m(missile_name, launch[1], launch[2], az)


# ---- the study -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Defence:
    """One defence configuration: a scenario's shooters and sensor rules."""

    scenario: Scenario
    shooters: tuple[Shooter, ...]


@dataclass(frozen=True)
class Footprint:
    """Verdicts of one launch area x missile against one defence, over the aim points.

    Arrays are (L launch points, k aim points) or (L, k, J shooters); the last ``n_capitals``
    aim points are the capitals (exact coordinates), the others the grid cells.
    """

    defence: Defence
    launch_area: str
    missile: str
    launch_points: tuple[tuple[str, float, float], ...]
    grid: Grid
    capitals: tuple[str, ...]
    capital_lat_deg: np.ndarray
    capital_lon_deg: np.ndarray
    threatened: np.ndarray  # (L, k + c) bool: flown onto the aim point
    engageable: np.ndarray  # (L, k + c, J) bool
    reason: np.ndarray  # (L, k + c, J) int8 Reason codes
    margin_s: np.ndarray  # (L, k + c, J) launch margin at the best point
    shots: np.ndarray  # (L, k + c, J) shoot-look-shoot opportunities
    intercept_time_s: np.ndarray  # (L, k + c, J) best intercept point, s after launch
    intercept_altitude_m: np.ndarray  # (L, k + c, J)

    @property
    def shooters(self) -> tuple[Shooter, ...]:
        return self.defence.shooters

    @property
    def sites(self) -> list[str]:
        return list(dict.fromkeys(s.site for s in self.shooters))

    def _by(self, site: str | None, min_shots: int = 1) -> np.ndarray:
        """(L, k + c) engageable by the shooters of ``site`` (None: any site), with at least
        ``min_shots`` shoot-look-shoot opportunities from one shooter."""
        cols = [j for j, s in enumerate(self.shooters) if site is None or s.site == site]
        if not cols:
            return np.zeros(self.threatened.shape, dtype=bool)
        ok = self.engageable[..., cols]
        if min_shots > 1:
            ok = ok & (self.shots[..., cols] >= min_shots)
        return ok.any(axis=-1)

    def threatened_any(self) -> np.ndarray:
        """(k + c,) reached from at least one launch point of the area."""
        return self.threatened.any(axis=0)

    def defended(self, site: str | None = None, every: bool = True,
                 min_shots: int = 1) -> np.ndarray:
        """(k + c,) defended by ``site`` (None: the union of sites): engageable from every
        launch point that threatens the aim point (``every``), or from at least one; with
        ``min_shots`` = 2, only where one shooter has time to shoot, look and shoot again."""
        eng = self._by(site, min_shots) & self.threatened
        if every:
            return self.threatened_any() & np.all(eng | ~self.threatened, axis=0)
        return eng.any(axis=0)

    def area_km2(self, mask: np.ndarray) -> float:
        """Area [km²] of the grid cells in ``mask`` ((k + c,) or (k,); capitals ignored)."""
        k = len(self.grid)
        return float(self.grid.area_m2[np.asarray(mask)[:k]].sum()) / 1e6

    def capital_status(self, site: str | None = None) -> dict[str, str]:
        """Capital -> "defended" | "partly-defended" | "threatened" | "out-of-reach"."""
        k = len(self.grid)
        thr = self.threatened_any()[k:]
        full = self.defended(site)[k:]
        part = self.defended(site, every=False)[k:]
        out = {}
        for i, name in enumerate(self.capitals):
            out[name] = ("defended" if full[i] else "partly-defended" if part[i]
                         else "threatened" if thr[i] else "out-of-reach")
        return out


def launch_points(area: str, sc: Scenario | None = None) -> tuple[tuple[str, float, float],
                                                                  ...]:
    """(name, lat, lon) of a launch area's points: the scenario's own definition of that
    name if it has one, else the catalogue's."""
    known = sc.launch_areas() if sc is not None else catalog.launch_areas()
    if area not in known:
        raise InputError(f"unknown launch area {area!r}; known launch areas: "
                         f"{', '.join(sorted(known))}")
    a = known[area]
    return tuple((p.name, float(p.lat), float(p.lon)) for p in a.points)


def defence_of(sc: Scenario) -> Defence:
    """The scenario's sites x interceptors and sensor rules."""
    return Defence(sc, tuple(shooters_of(sc)))


def _engage_chunk(looks, defence: Defence, tables: dict, memo: dict | None = None
                  ) -> Engagements:
    """sense -> reach_of -> engage for one defence; ``tables`` (fly-out tables) and ``memo``
    (radar tracks and arrival times of these looks) are shared by the defences."""
    sc = defence.scenario
    memo = {} if memo is None else memo
    if sc.architecture_name == N_DETECTIONS:  # the old rule, exactly as before
        picture = sense(looks, sc.radar_models(), sc.early_warning, sc.timeline,
                        sc.footprint.rcs_m2, memo=memo.setdefault("tracks", {}))
    else:  # measurements and tracks kept with the looks (shared by defences and draws)
        from euroshield.studies.sensing import sense_network

        picture = sense_network(looks, sc, defence.shooters, sc.footprint.rcs_m2)
    reach = reach_of(looks, defence.shooters, tables=tables,
                     memo=memo.setdefault("arrivals", {}), keep_arrivals=True)
    return engage(looks, reach, picture)


def engage_rows(looks, defence: Defence, tables: dict, tracks: dict | None = None
                ) -> Engagements:
    """The engagement stages of :func:`footprints` for one defence over rows already flown
    and looked at (footprint campaigns evaluate many defences on the same looks). ``tables``
    (fly-out tables over every azimuth) and ``tracks`` (radar tracks of these looks) are
    caches the caller may keep between calls."""
    return _engage_chunk(looks, defence, tables, {} if tracks is None else {"tracks": tracks})


def footprints(defences: Sequence[Defence], launch_area: str, missile: str, grid: Grid,
               capitals: Sequence[str] = (), chunk_rows: int = CHUNK_ROWS,
               progress: Callable[[int, int], None] | None = None,
               tables: dict | None = None) -> list[Footprint]:
    """The footprint of ``missile`` from ``launch_area`` against each defence (the
    trajectories are flown once and shared by all defences). ``tables`` may pass a fly-out
    table cache shared with other calls (same shooters, other areas or missiles)."""
    pts = launch_points(launch_area, defences[0].scenario)
    caps = [catalog.capitals()[c] for c in capitals]
    a_lat = np.concatenate([grid.lat_deg, [c.lat for c in caps]])
    a_lon = np.concatenate([grid.lon_deg, [c.lon for c in caps]])
    n_l, n_a = len(pts), len(a_lat)
    candidates = np.stack([within_reach(missile, p, a_lat, a_lon) for p in pts])
    rows = np.flatnonzero(candidates.ravel())  # index l * n_a + a
    threats = ThreatSet.from_grid(pts, a_lat, a_lon, missile).take(rows)
    threatened = np.zeros(n_l * n_a, dtype=bool)
    out_shapes = []
    for d in defences:
        j = len(d.shooters)
        out_shapes.append({
            "engageable": np.zeros((n_l * n_a, j), dtype=bool),
            "reason": np.full((n_l * n_a, j), 1, dtype=np.int8),
            "margin_s": np.full((n_l * n_a, j), np.nan),
            "shots": np.zeros((n_l * n_a, j), dtype=np.int64),
            "intercept_time_s": np.full((n_l * n_a, j), np.nan),
            "intercept_altitude_m": np.full((n_l * n_a, j), np.nan)})
    tables = {} if tables is None else tables  # fly-out tables: once per shooter
    n_chunks = max(1, -(-len(rows) // chunk_rows))
    for c in range(n_chunks):
        sl = slice(c * chunk_rows, (c + 1) * chunk_rows)
        part = threats.take(np.arange(len(rows))[sl])
        if len(part) == 0:
            break
        looks = look(fly(part, tolerance_m=AIM_TOLERANCE_M))
        idx = rows[sl]
        threatened[idx] = looks.trajectories.flown
        memo: dict = {}  # radar tracks and arrival times of this chunk, shared by defences
        for d, acc in zip(defences, out_shapes, strict=True):
            e = _engage_chunk(looks, d, tables, memo)
            for k in acc:
                acc[k][idx] = getattr(e, k)
        if progress is not None:
            progress(c + 1, n_chunks)
    res = []
    for d, acc in zip(defences, out_shapes, strict=True):
        shaped = {k: v.reshape((n_l, n_a) + v.shape[1:]) for k, v in acc.items()}
        res.append(Footprint(d, launch_area, missile, pts, grid, tuple(capitals),
                             np.array([c.lat for c in caps]), np.array([c.lon for c in caps]),
                             threatened.reshape(n_l, n_a), **shaped))
    return res


def us_routes(sc: Scenario, launch_areas: Sequence[str] | None = None) -> tuple[
        ThreatSet, Engagements]:
    """Iran -> United States routes (the EPAA Phase 4 question): every launch point of the
    scenario's launch areas x every U.S. target, with the footprint's ``us_missile``, against
    the scenario's shooters and sensors."""
    fp = sc.footprint
    pts = [p for a in (launch_areas or fp.launch_areas) for p in launch_points(a, sc)]
    pts = list(dict.fromkeys(pts))
    targets = [catalog.get_place(t) for t in fp.us_targets]
    threats = ThreatSet.from_grid(pts, [t.lat for t in targets], [t.lon for t in targets],
                                  fp.us_missile, aim_name=[t.name for t in targets])
    looks = look(fly(threats))
    return threats, _engage_chunk(looks, defence_of(sc), {})


def merge(results: Sequence[Footprint], label: str) -> Footprint:
    """Footprints of one missile and defence from several launch areas (same grid and
    capitals) as one footprint over all their launch points: an aim point is then defended
    only if it is engageable from every launch point, of any area, that threatens it."""
    first = results[0]
    for r in results[1:]:
        if (r.defence is not first.defence or r.missile != first.missile
                or r.grid is not first.grid or r.capitals != first.capitals):
            raise ValueError("merge: footprints of different defences, missiles or grids")
    cat = {k: np.concatenate([getattr(r, k) for r in results]) for k in (
        "threatened", "engageable", "reason", "margin_s", "shots", "intercept_time_s",
        "intercept_altitude_m")}
    pts = tuple(p for r in results for p in r.launch_points)
    return Footprint(first.defence, label, first.missile, pts, first.grid, first.capitals,
                     first.capital_lat_deg, first.capital_lon_deg, **cat)
