"""Monte Carlo campaigns over a scenario's disputed parameters: seeded draws, a fast evaluator
of the deterrence matrix, and the reductions (probabilities with intervals, Sobol indices, a
one-at-a-time tornado).

**Draws.** A campaign of N draws over a scenario with P distributions evaluates, by integer key:

* draw ``i`` (``0 <= i < N``), variant 0: the Monte Carlo draw (uniforms ``A_i``, see
  :func:`~euroshield.studies.distributions.uniforms`);
* for the first ``sobol_draws`` draws, variants ``1..P`` (``A_i`` with column j taken from
  ``B_i``) and ``P + 1`` (``B_i``): the radial design of the Saltelli/Jansen estimators that
  SALib's ``sobol.analyze`` takes (``calc_second_order=False``);
* the tornado rows (negative keys): the scenario as written, then each parameter alone at its
  5th and 95th percentile.

Each key's parameter values depend only on (seed, key), so results are the same whatever the
executor, the number of workers, the chunking or the order in which chunks complete.

**Evaluation.** Every draw is a concrete scenario, ``Scenario.with_overrides(values)``,
validated like a file. The *fast path* evaluates a chunk of draws as array operations over
what no draw changes, precomputed once per campaign:

* trajectories and look points (``fly``, ``look``);
* per radar, the geometric visibility (sector, elevation mask, horizon) and slant range of
  every revisit sample; the time of the N-th detection at detection range R is then
  ``t_k`` at the first sample whose running N-th smallest visible slant range is <= R, so a
  draw's track time follows from its radar ranges (``reference_range_km``, ``rcs_m2``) by a
  lookup, with the same ``slant <= R`` test as :func:`~euroshield.defense.radar.detections`;
* per shooter, the latest feasible launch time ``max_k (t_k - tau_k)`` over the look points
  in the altitude band and within the fly-out time (the engagement window of
  :func:`~euroshield.defense.engagement.engagement_windows`) of every trajectory: at the
  nominal speed, or, for a varied speed, at every speed of a grid ``SPEED_QUANTUM_KMS`` apart
  over the distribution's support, each from the exact single-speed fly-out table the exact
  pipeline builds at that speed (:func:`~euroshield.defense.flyout.flyout_arrivals`, all
  speeds in one batch, bit-identical to those tables); a draw's speed is linear in 1/v between
  the two bracketing grid speeds, or the nearer one's at a reach edge
  (:func:`_latest_at_nodes`);
* then, per draw: launch allowed (the sensor picture's rule with the draw's delays, early
  warning and fire control) and engageable = the latest feasible launch is no earlier than
  the launch allowed.

Why a grid of exact tables and not arrival times interpolated between the tables of a
coarser shared ladder: fly-out tables hold ascending branches only, so which look points an
interceptor reaches changes with its speed, not only how fast it gets there. Interpolating
between two ladder tables 0.1 km/s apart left out the points that only the faster one reaches,
and a ladder slice of a multi-speed table has the cells of the fastest speed, not its own: a
route engageable with 70-200 s to spare at the reach edge (Dombarovsky to Bucharest against
SM-3 IIA at Redzikowo near 5.1 km/s) was called not engageable (measured: 23 of 33,600
verdicts over 200 draws, tests/validation/test_campaign_fast_path.py).

Draws that change anything else (missiles, bases, sites, burn times, radar positions, ...), or
a speed outside the grid, go through the exact pipeline (``sense``, ``reach_of``,
``engage``; trajectories, radar tracks and fly-out tables are reused between draws that share
them): slower, but correct.

Agreement with ``Scenario.with_overrides`` + ``deterrence`` (tests/validation/
test_campaign.py, test_campaign_fast_path.py): launch times identical; margins identical to
1e-6 s where the speed does not vary and at the grid's speeds; between them, every verdict
identical (0 of 110,000 differ over 200 draws of ``campaigns/disputed-parameters``, 0 of
33,600 over 200 draws of a scenario with a reach-edge route); margins 0.01 s from the exact
ones in the median and at most 0.15 s within 30 s of a verdict's edge. At a reach edge inside
a grid interval the nearer grid speed's table decides, so a margin can be off by tens of
seconds there, but in these measurements only where the exact margin is more than 40 s from
the verdict's edge.

**Footprint campaigns** (``Plan.study == "footprint"``, :func:`footprint_cells`): the rows
are every (missile, launch point, aim point) of the scenario's footprint section within reach,
on a coarse grid plus the capitals, all launch areas together; per draw the reductions are the
footprint study's (:func:`footprint_status`: threatened, defended from every launch point,
engageable from at least one) and the headline figures per missile (defended area, area
engageable from one launch point, capitals defended). The fast path
(:meth:`FastEvaluator.build_footprint`) keeps per row only the radar step functions and the
latest feasible launch per shooter, for a varied speed on a grid of exact single-speed tables
``SPEED_QUANTUM_KMS`` apart (a shared ladder table loses trajectories at the edge of the
interceptor's reach: the tables hold ascending branches only, so the set of reachable points
changes with speed). Agreement (tests/validation/test_campaign.py): identical to the footprint
study's pipeline at the grid's speeds (margins to 1e-6 s); between them 1,626 of 1,632
verdicts agree and each other one is the exact pipeline's verdict at a bracketing grid speed.

Units: SI inside (m, s); the parameters' own units in their paths.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from euroshield.errors import InputError
from euroshield.scenario import Scenario
from euroshield.studies.distributions import Distribution, salib_problem, uniforms

LADDER_STEP_KMS = 0.1  # a varied speed's grid spans its support rounded out to this step
TORNADO_QUANTILES = (0.05, 0.95)  # one-at-a-time low / high values
CONDITIONAL_SHARE = 0.2  # lowest / highest fifth of a parameter's distribution
DEFAULT_SOBOL_DRAWS = 256  # base draws of the Sobol design (each costs P + 1 more draws)
CHUNK_DRAWS = 64  # draws per chunk (the unit of work sent to a worker), at least
MAX_CHUNK_DRAWS = 256  # and at most: a chunk costs ~20 ms of store writing and scheduling in
# the main process, which on 2 cores competes with the workers; 64-draw chunks of a 10,000-draw
# campaign made that 157 chunks (Dask efficiency 1 -> 2 workers 0.74), ~32 chunks keep both
# workers busy to the end
MAX_CELLS = 4_000_000  # (draws x trajectories x look points) per array step: bounds memory
Z95 = 1.959963984540054  # standard normal 97.5 % quantile

# parameters the fast path evaluates from its precomputed arrays
FAST_SECTION_PATHS = frozenset({"timeline.decision_delay_s", "timeline.fire_control",
                                "early_warning.detection_delay_s", "early_warning.enabled",
                                "threats.rcs_m2", "footprint.rcs_m2"})
STUDIES = ("deterrence", "footprint")
FOOTPRINT_RESOLUTION_DEG = 2.0  # a footprint campaign's default grid (as the report's)
SPEED_QUANTUM_KMS = 0.05  # footprint campaigns: exact fly-out tables this far apart in speed


def fast_sensing(sc: Scenario) -> bool:
    """True when the scenario senses with the n-detections rule, the only one the fast path
    models (radar step functions); a tracking architecture (measurements, filters, fusion)
    runs the exact pipeline for every draw, reusing each sensor's tracks between draws."""
    return sc.architecture_name == "n-detections"


def fast_path(path: str) -> bool:
    """True for a parameter the fast evaluator covers."""
    parts = path.split(".")
    return (path in FAST_SECTION_PATHS
            or (parts[0] == "radars" and parts[-1] == "reference_range_km")
            or (parts[0] == "interceptors" and parts[-1] == "burnout_speed_kms"))


# ---- the plan: keys and their parameter values ---------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a campaign evaluates: ``runs`` Monte Carlo draws of ``scenario``'s distributions
    from ``seed``, the Sobol design on the first ``sobol_draws`` of them and the tornado."""

    scenario: Scenario
    seed: int
    runs: int
    sobol_draws: int
    chunk_draws: int | None = None  # None: runs / 32, within [CHUNK_DRAWS, MAX_CHUNK_DRAWS]
    study: str = "deterrence"  # or "footprint" (see STUDIES)
    cells: FootprintCells | None = None  # the footprint campaign's rows

    @property
    def dists(self) -> tuple[Distribution, ...]:
        return tuple(self.scenario.distributions)

    @property
    def n_params(self) -> int:
        return len(self.scenario.distributions)

    @property
    def variants(self) -> int:
        """Keys per draw: the draw, its P A_B^j rows and its B row."""
        return self.n_params + 2

    @property
    def nominal(self) -> Scenario:
        return self.scenario.nominal()

    def tornado_keys(self) -> np.ndarray:
        return -1 - np.arange(1 + 2 * self.n_params, dtype=np.int64)

    def draw_keys(self, start: int, stop: int) -> np.ndarray:
        """Keys of draws [start, stop): each draw, then its Sobol rows if it has them."""
        out = []
        v = self.variants
        for i in range(start, stop):
            out.append(i * v)
            if i < self.sobol_draws:
                out.extend(i * v + j for j in range(1, v))
        return np.asarray(out, dtype=np.int64)

    def chunks(self) -> list[np.ndarray]:
        """Every key, in chunks: the tornado first, then the draws in order."""
        out = [self.tornado_keys()]
        for a in range(0, self.runs, self.chunk):
            out.append(self.draw_keys(a, min(self.runs, a + self.chunk)))
        return out

    def checkpoints(self) -> list[int]:
        """Draw counts at which convergence is checked (the ends of the chunks)."""
        return [min(self.runs, a + self.chunk) for a in range(0, self.runs, self.chunk)]

    @property
    def chunk(self) -> int:
        """Draws per chunk: ``chunk_draws``, or a function of ``runs`` only (never of the
        workers: chunk ends are the convergence checkpoints, so results must not depend on
        how many workers there are)."""
        if self.chunk_draws is not None:
            return int(self.chunk_draws)
        return int(min(MAX_CHUNK_DRAWS, max(CHUNK_DRAWS, self.runs // 32)))

    def values(self, keys) -> list[dict]:
        """Parameter values (path -> value) of each key; the tornado's base row is {}."""
        keys = np.asarray(keys, dtype=np.int64)
        dists = self.dists
        p = len(dists)
        out: list[dict | None] = [None] * len(keys)
        pos = keys >= 0
        if pos.any():
            draws = keys[pos] // self.variants
            var = keys[pos] % self.variants
            a, b = uniforms(self.seed, draws, p)
            u = a.copy()
            for j in range(p):
                u[var == j + 1, j] = b[var == j + 1, j]
            u[var == p + 1] = b[var == p + 1]
            cols = [d.values_at(u[:, j]) for j, d in enumerate(dists)]
            for r, k in enumerate(np.flatnonzero(pos)):
                out[k] = {d.parameter: cols[j][r] for j, d in enumerate(dists)}
        for k in np.flatnonzero(~pos):
            t = int(-1 - keys[k])
            if t == 0:
                out[k] = {}
            else:
                d = dists[(t - 1) // 2]
                out[k] = {d.parameter: d.quantiles([TORNADO_QUANTILES[(t - 1) % 2]])[0]}
        return out  # type: ignore[return-value]


# ---- evaluation ---------------------------------------------------------------------------


@dataclass
class ChunkResult:
    """Evaluated keys: per key the engageable matrix (routes x shooters) and how."""

    keys: np.ndarray  # (K,) int64
    engageable: np.ndarray  # (K, n, J) bool
    exact: np.ndarray  # (K,) bool: evaluated by the exact pipeline
    values: list[dict]
    seconds: float = 0.0  # evaluation time (in the worker that did it)
    cpu_seconds: float = 0.0  # CPU time of that worker process meanwhile


@dataclass
class _RadarTrack:
    """Track time as a step function of detection range: breakpoints per trajectory."""

    range_m: np.ndarray  # (n, B) running N-th smallest visible slant range, +inf padded
    time_s: np.ndarray  # (n, B) time of the sample where it drops to that value


@dataclass
class _ShooterArrays:
    interceptor: str
    max_flyout_time_s: float
    latest_launch_s: np.ndarray  # (n,) at the nominal speed; -inf where nothing is feasible
    # when the speed varies: the latest feasible launch at every speed of the interceptor's
    # grid (SPEED_QUANTUM_KMS apart), each from its own exact single-speed table
    node_speeds_kms: np.ndarray | None = None  # (Q,) ascending
    node_latest_s: np.ndarray | None = None  # (n, Q); -inf where nothing is feasible


def _running_nth_smallest(x: np.ndarray, n: int) -> np.ndarray:
    """(R, m) -> (R, m): the n-th smallest of x[:, :k+1] (inf while fewer than n finite)."""
    best = np.full((x.shape[0], n), np.inf)
    out = np.empty_like(x)
    for k in range(x.shape[1]):  # over samples, vectorised over trajectories
        best = np.sort(np.concatenate([best, x[:, k:k + 1]], axis=1), axis=1)[:, :n]
        out[:, k] = best[:, n - 1]
    return out


def radar_steps(looks, radar) -> _RadarTrack:
    """The track-time step function of ``radar`` over every trajectory of ``looks`` (same
    revisit sampling and visibility as :func:`~euroshield.studies.pipeline.radar_track`)."""
    from euroshield.defense.radar import visibility

    times = np.arange(0.0, float(looks.points.times_s[-1]) + radar.revisit_s, radar.revisit_s)
    p = looks.sample(times)
    vis = visibility(radar, p.lat_deg, p.lon_deg, p.height_m, rcs_m2=np.inf)
    slant = np.where(vis.visible, vis.slant_range_m, np.inf)
    g = _running_nth_smallest(slant, radar.detections_for_track)
    drop = np.isfinite(g) & np.concatenate([np.ones((len(g), 1), bool),
                                           g[:, 1:] < g[:, :-1]], axis=1)
    width = max(1, int(drop.sum(axis=1).max(initial=0)))
    rng = np.full((len(g), width), np.inf)
    tim = np.full((len(g), width), np.nan)
    for i in np.flatnonzero(drop.any(axis=1)):  # per trajectory, once per campaign
        k = np.flatnonzero(drop[i])
        rng[i, :len(k)], tim[i, :len(k)] = g[i, k], times[k]
    return _RadarTrack(rng, tim)


def _track_times(step: _RadarTrack, range_m: np.ndarray) -> np.ndarray:
    """(K,) detection ranges -> (K, n) track times (NaN: never)."""
    hit = _scratch("hit", (len(range_m), *step.range_m.shape), bool)
    np.less_equal(step.range_m[None], range_m[:, None, None], out=hit)
    k = np.argmax(hit, axis=2)
    t = step.time_s[np.arange(step.time_s.shape[0])[None, :], k]
    return np.where(hit.any(axis=2), t, np.nan)


_WORK = threading.local()  # per-thread scratch arrays of the fast path


def _scratch(name: str, shape: tuple, dtype) -> np.ndarray:
    """A reusable scratch array: the fast path's (draws x trajectories x look points) steps
    would otherwise allocate and page in tens of MB per step (measured: worker processes,
    whose allocator has not grown yet, ran 1.75x slower than this one)."""
    size = math.prod(shape)
    buf = getattr(_WORK, name, None)
    if buf is None or buf.size < size or buf.dtype != np.dtype(dtype):
        buf = np.empty(max(size, 1), dtype=dtype)
        setattr(_WORK, name, buf)
    return buf[:size].reshape(shape)


def _latest_launch(times_s, tau, max_flyout_s) -> np.ndarray:
    """max over look points of (t - tau) where the arrival is finite and within the fly-out
    limit ((..., m) -> (...,), -inf where none)."""
    late = _scratch("late", tau.shape, bool)
    np.less_equal(tau, max_flyout_s, out=late)  # NaN (out of reach or band) compares False
    np.logical_not(late, out=late)
    launch = np.subtract(times_s, tau)
    np.copyto(launch, -np.inf, where=late)
    return launch.max(axis=-1, initial=-np.inf)


def speed_ladders(dists: Sequence[Distribution]) -> dict[str, tuple[float, ...]]:
    """Interceptor -> the ladder of burnout speeds [km/s] (``LADDER_STEP_KMS`` apart) that
    covers the support of its speed distribution."""
    ladders: dict[str, tuple[float, ...]] = {}
    for d in dists:
        parts = d.parameter.split(".")
        if parts[0] == "interceptors" and parts[-1] == "burnout_speed_kms":
            lo, hi = min(d.support()), max(d.support())
            if not (math.isfinite(lo) and math.isfinite(hi)):
                lo, hi = d.quantiles([1e-4, 1 - 1e-4])
            a = math.floor(lo / LADDER_STEP_KMS + 1e-9) * LADDER_STEP_KMS
            b = math.ceil(hi / LADDER_STEP_KMS - 1e-9) * LADDER_STEP_KMS
            grid = np.round(np.arange(a, b + LADDER_STEP_KMS / 2, LADDER_STEP_KMS), 6)
            ladders[".".join(parts[1:-1])] = tuple(float(v) for v in grid if 0.5 < v <= 12)
    return ladders


def speed_grids(dists: Sequence[Distribution]) -> dict[str, tuple[float, ...]]:
    """Interceptor -> the burnout speeds [km/s], ``SPEED_QUANTUM_KMS`` apart, that cover the
    support of its speed distribution (a footprint campaign evaluates a draw's speed between
    the two that bracket it)."""
    q = SPEED_QUANTUM_KMS
    out = {}
    for name, ladder in speed_ladders(dists).items():
        lo = math.floor(ladder[0] / q + 1e-9)
        hi = math.ceil(ladder[-1] / q - 1e-9)
        out[name] = tuple(round(k * q, 6) for k in range(lo, hi + 1))
    return out


EXTENT_MARGIN = 1.05  # look points up to 5 % beyond the fastest table's extent are kept


def _within_extent(points, s, table) -> np.ndarray:
    """(rows, m) look points inside shooter ``s``'s altitude band and inside the extent
    (geocentric angle and height from the site, plus ``EXTENT_MARGIN``) of ``table``, its
    fastest speed's: a slower interceptor's table covers less (its fly-outs go less far and
    less high), so no other point can be reached at any speed of its grid, although which
    points inside are reached need not grow with speed (tables hold ascending branches)."""
    from euroshield.defense.engagement import in_band
    from euroshield.defense.flyout import site_coords

    band = in_band(points.height_m, s.interceptor)
    c = site_coords(s.lat_deg, s.lon_deg, points.ecef[..., :3][band])
    theta_max = table.angle_step_rad * (table.time_s.shape[2] - 1) * EXTENT_MARGIN
    h_max = table.height_step_m * (table.time_s.shape[3] - 1) * EXTENT_MARGIN
    out = np.zeros(band.shape, dtype=bool)
    out[band] = (c[:, 1] <= theta_max) & (c[:, 2] <= h_max)
    return out


def _latest_on_grid(s, grid: Sequence[float], rows: np.ndarray, times_s: np.ndarray,
                    xyz: np.ndarray, n: int) -> np.ndarray:
    """(n, Q) latest feasible launch [s after threat launch; -inf: none] of shooter ``s`` at
    each speed of ``grid`` over the look points (row, time, ECEF position; in the altitude
    band, sorted by row): each speed's own single-speed table over every azimuth."""
    from euroshield.defense.flyout import flyout_table

    ic = s.interceptor
    out = np.full((n, len(grid)), -np.inf)
    if not len(rows):
        return out
    starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    first = rows[starts]
    for k, v in enumerate(grid):
        table = flyout_table(ic.with_speed(v), s.lat_deg, s.lon_deg)
        tau = table.lookup(xyz)[0][:, 0]
        with np.errstate(invalid="ignore"):
            launch = np.where(tau <= ic.max_flyout_time_s, times_s - tau, -np.inf)
        out[first, k] = np.maximum.reduceat(launch, starts)
    return out


def _latest_at_speeds(points, s, grid: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Deterrence campaigns: (kept speeds (Q',) ascending, (n, Q') latest feasible launch [s
    after threat launch; -inf: none]) of shooter ``s`` at the burnout speeds of ``grid`` over
    every trajectory of ``points``. Each speed's arrival times are those of the exact pipeline's
    own single-speed table (``flyout_table(ic.with_speed(v), bearings_deg=B)`` with B the
    bearings of the look points in the altitude band, see
    :func:`~euroshield.studies.pipeline.reach_of`): :func:`~euroshield.defense.flyout.
    flyout_arrivals` flies every speed in one batch and returns those numbers to the last bit.
    Speeds no equivalent booster flies end the grid (kept: from the first flown speed up to
    the next one not flown)."""
    from euroshield.defense.engagement import in_band
    from euroshield.defense.flyout import flyout_arrivals

    ic = s.interceptor
    n = points.height_m.shape[0]
    rows, cols = np.nonzero(in_band(points.height_m, ic))  # row-major: sorted by row
    xyz = points.ecef[rows, cols, :3]
    speeds = np.asarray(grid, dtype=float)
    kept, tau, _ = flyout_arrivals(ic, s.lat_deg, s.lon_deg, speeds, xyz,
                                   np.ones((len(xyz), len(speeds)), dtype=bool))
    first = int(np.argmax(kept))
    stop = first + (int(np.argmin(kept[first:])) if not kept[first:].all()
                    else len(kept) - first)
    keep = np.arange(first, stop) if kept.any() else np.arange(0)
    out = np.full((n, len(keep)), -np.inf)
    if len(rows) and len(keep):
        launch = tau[:, keep]  # a copy: the launch times are written into it
        with np.errstate(invalid="ignore"):  # NaN: not reachable at that speed
            late = ~(launch <= ic.max_flyout_time_s)
        np.subtract(points.times_s[cols][:, None], launch, out=launch)
        launch[late] = -np.inf
        starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
        out[rows[starts]] = np.maximum.reduceat(launch, starts, axis=0)
    return speeds[keep], out


def _latest_at_nodes(sa: _ShooterArrays, v: np.ndarray) -> np.ndarray:
    """(K,) burnout speeds -> (K, n) latest feasible launch: linear in 1/v between the two
    bracketing speeds of the shooter's grid where both have a feasible point, else (a point
    that only one of them reaches: a reach edge) the nearer one's."""
    ns, table = sa.node_speeds_kms, sa.node_latest_s
    if len(ns) == 1:
        return np.broadcast_to(table[:, 0], (len(v), table.shape[0])).copy()
    i = np.clip(np.floor((v - ns[0]) / SPEED_QUANTUM_KMS + 1e-9).astype(np.int64), 0,
                len(ns) - 2)
    w = np.clip((1 / v - 1 / ns[i]) / (1 / ns[i + 1] - 1 / ns[i]), 0.0, 1.0)[:, None]
    a, b = table[:, i].T, table[:, i + 1].T
    with np.errstate(invalid="ignore"):
        mid = a + w * (b - a)
    return np.where(np.isfinite(a) & np.isfinite(b), mid, np.where(w < 0.5, a, b))


def _concat_steps(parts: Sequence[_RadarTrack]) -> _RadarTrack:
    """Radar step functions of consecutive row chunks as one (padded to the widest)."""
    width = max(p.range_m.shape[1] for p in parts)

    def pad(a, fill):
        return np.pad(a, ((0, 0), (0, width - a.shape[1])), constant_values=fill)

    return _RadarTrack(np.concatenate([pad(p.range_m, np.inf) for p in parts]),
                       np.concatenate([pad(p.time_s, np.nan) for p in parts]))


# ---- footprint campaigns: the rows ------------------------------------------------------------


@dataclass(frozen=True)
class FootprintCells:
    """The trajectories of a footprint campaign: every (missile, launch point, aim point) of
    the scenario's footprint section that the missile may reach (all launch areas together,
    as the report's "all launch areas" footprint), flown once for every draw. Aim points are
    the grid cells, then the capitals (exact coordinates)."""

    missiles: tuple[str, ...]
    launch_areas: tuple[str, ...]
    launch_points: tuple[tuple[str, float, float], ...]
    grid: object  # studies.footprint.Grid
    capitals: tuple[str, ...]
    capital_lat_deg: np.ndarray
    capital_lon_deg: np.ndarray
    missile_of: np.ndarray  # (n,) index into missiles
    launch_of: np.ndarray  # (n,) index into launch_points
    aim_of: np.ndarray  # (n,) index into the aim points
    threats: object  # ThreatSet (n rows)

    @property
    def n_cells(self) -> int:
        return len(self.grid)

    @property
    def n_aims(self) -> int:
        return len(self.grid) + len(self.capitals)

    @property
    def aim_lat_deg(self) -> np.ndarray:
        return np.concatenate([self.grid.lat_deg, self.capital_lat_deg])

    @property
    def aim_lon_deg(self) -> np.ndarray:
        return np.concatenate([self.grid.lon_deg, self.capital_lon_deg])

    @property
    def group_of(self) -> np.ndarray:
        """(n,) each row's (missile, aim point) group, ``missile * n_aims + aim``."""
        return self.missile_of * self.n_aims + self.aim_of


def footprint_cells(sc: Scenario, resolution_deg: float | None = None,
                    capitals: Sequence[str] | None = None,
                    max_rows: int | None = None) -> FootprintCells:
    """The rows of a footprint campaign of ``sc`` on a grid every ``resolution_deg`` (default:
    the scenario's, but no finer than ``FOOTPRINT_RESOLUTION_DEG``) plus the capitals (default:
    every built-in capital). More than ``max_rows`` rows (default: the deterrence study's
    route limit, as every row's look points are held at once) is one InputError line."""
    from euroshield import catalog
    from euroshield.scenario import MAX_ROUTES
    from euroshield.studies import footprint as fp
    from euroshield.studies.pipeline import ThreatSet

    f = sc.footprint
    res = (max(f.resolution_deg, FOOTPRINT_RESOLUTION_DEG) if resolution_deg is None
           else float(resolution_deg))
    grid = fp.aim_grid(f.region, res, f.land_only)
    caps_all = catalog.capitals()
    caps = tuple(sorted(caps_all) if capitals is None else capitals)
    c_lat = np.array([caps_all[c].lat for c in caps], dtype=float)
    c_lon = np.array([caps_all[c].lon for c in caps], dtype=float)
    pts = tuple(dict.fromkeys(p for a in f.launch_areas for p in fp.launch_points(a, sc)))
    a_lat, a_lon = np.concatenate([grid.lat_deg, c_lat]), np.concatenate([grid.lon_deg, c_lon])
    mis, lau, aim = [], [], []
    for g, m in enumerate(f.missiles):
        for i, p in enumerate(pts):
            rows = np.flatnonzero(fp.within_reach(m, p, a_lat, a_lon))
            mis.append(np.full(len(rows), g))
            lau.append(np.full(len(rows), i))
            aim.append(rows)
    mis, lau, aim = (np.concatenate(x).astype(np.int64) for x in (mis, lau, aim))
    if not len(mis):
        raise InputError(f"footprint: no aim point of the region lies within reach of "
                         f"{', '.join(f.missiles)} from {', '.join(f.launch_areas)}")
    limit = MAX_ROUTES if max_rows is None else max_rows
    if len(mis) > limit:
        raise InputError(f"resolution_deg: {res:g} deg gives {len(mis):,} trajectories "
                         f"(missiles x launch points x aim points within reach), more than "
                         f"the {limit:,} a footprint campaign holds; coarsen it")
    names = np.array([f"{a:.3f},{b:.3f}" for a, b in zip(grid.lat_deg, grid.lon_deg,
                                                          strict=True)] + list(caps))
    threats = ThreatSet.from_arrays(
        [pts[i][1] for i in lau], [pts[i][2] for i in lau], a_lat[aim], a_lon[aim],
        [f.missiles[g] for g in mis], [pts[i][0] for i in lau], names[aim])
    return FootprintCells(tuple(f.missiles), tuple(f.launch_areas), pts, grid, caps, c_lat,
                          c_lon, mis, lau, aim, threats)


@dataclass
class FastEvaluator:
    """Precomputed arrays of a campaign's nominal scenario (picklable: shipped once to each
    worker). Build with :meth:`build`."""

    n_routes: int
    n_shooters: int
    radar_names: tuple[str, ...]
    radars: list[_RadarTrack]
    shooters: list[_ShooterArrays]
    speed_cover: dict[str, tuple[float, float]]  # interceptor -> grid [min, max] km/s
    shooter_names: tuple[str, ...] = ()
    rcs_section: str = "threats"  # whose rcs_m2 the radars see: threats, or footprint
    flown: np.ndarray | None = None  # (n,) trajectories flown (aim converged)

    @classmethod
    def build(cls, sc: Scenario, dists: Sequence[Distribution], looks=None,
              progress: Callable[[str], None] | None = None) -> FastEvaluator:
        """Precompute for nominal scenario ``sc`` (no distributions); ``looks`` may pass the
        scenario's look points if already flown."""
        from euroshield.defense.engagement import arrival_times
        from euroshield.defense.flyout import flyout_table
        from euroshield.defense.interceptors import boosters
        from euroshield.studies.deterrence import shooters_of, threats_of
        from euroshield.studies.pipeline import bearings_in_band, fly, look

        say = progress or (lambda _m: None)
        if looks is None:
            say("flying the threat trajectories")
            looks = look(fly(threats_of(sc)))
        say("radar visibility of every revisit sample")
        models = sc.radar_models()
        radars = [radar_steps(looks, r) for r in models]
        grids = speed_grids(dists)
        shooters = shooters_of(sc)
        say(f"fly-out tables of {len(shooters)} shooters")
        variants = [s.interceptor.with_speed(v) for s in shooters
                    for v in grids.get(s.interceptor.name, ())]
        if variants:
            boosters(variants)  # calibrate every speed of the grids in one batch
        arrays, cover = [], {}
        pts = looks.points
        n = len(looks.threats)
        for s in shooters:
            ic = s.interceptor
            grid = grids.get(ic.name)
            sa = _ShooterArrays(ic.name, float(ic.max_flyout_time_s), np.full(n, -np.inf))
            if grid is None:  # the nominal speed: the exact pipeline's own table
                table = flyout_table(ic, s.lat_deg, s.lon_deg, bearings_deg=bearings_in_band(
                    pts, s.lat_deg, s.lon_deg, ic))
                tau = arrival_times(pts, table, ic)[0][..., 0]  # NaN outside the band
                sa.latest_launch_s = _latest_launch(pts.times_s, tau, ic.max_flyout_time_s)
            else:
                sa.node_speeds_kms, sa.node_latest_s = _latest_at_speeds(pts, s, grid)
                if not len(sa.node_speeds_kms):  # no speed flies: every draw goes exact
                    sa.node_speeds_kms = np.array([np.inf])
                    sa.node_latest_s = np.full((n, 1), -np.inf)
                lo, hi = float(sa.node_speeds_kms[0]), float(sa.node_speeds_kms[-1])
                old = cover.get(ic.name, (lo, hi))
                cover[ic.name] = (max(lo, old[0]), min(hi, old[1]))
            arrays.append(sa)
        return cls(len(looks.threats), len(shooters), tuple(r.name for r in models), radars,
                   arrays, cover, tuple(f"{s.site}/{s.interceptor.name}" for s in shooters),
                   flown=looks.trajectories.flown)

    @classmethod
    def build_footprint(cls, sc: Scenario, dists: Sequence[Distribution], cells: FootprintCells,
                        progress: Callable[[str], None] | None = None,
                        chunk_rows: int | None = None) -> FastEvaluator:
        """Precompute for the footprint campaign of nominal scenario ``sc`` over ``cells``:
        the trajectories, flown in chunks as :func:`~euroshield.studies.footprint.footprints`
        flies them (same aim tolerance), each chunk reduced to radar step functions and, per
        shooter, the latest feasible launch of every row: at the nominal speed, or for a
        varied speed at every speed of its grid (``SPEED_QUANTUM_KMS`` apart, each with its own
        single-speed fly-out table over every azimuth, as the footprint study's exact
        pipeline builds it; a draw's speed is interpolated, see :func:`_latest_at_nodes`).
        Memory stays bounded whatever the grid: only the look points inside the extent of
        the grid's fastest table are kept for the tables."""
        from euroshield.defense.engagement import arrival_times
        from euroshield.defense.flyout import flyout_table
        from euroshield.defense.interceptors import boosters
        from euroshield.studies.deterrence import shooters_of
        from euroshield.studies.footprint import AIM_TOLERANCE_M, CHUNK_ROWS
        from euroshield.studies.pipeline import ROW_BLOCK, fly, look

        say = progress or (lambda _m: None)
        chunk_rows = chunk_rows or CHUNK_ROWS
        grids = speed_grids(dists)
        shooters = shooters_of(sc)
        variants = [s.interceptor.with_speed(v) for s in shooters
                    for v in grids.get(s.interceptor.name, ())]
        if variants:
            boosters(variants)  # calibrate every speed of the grids in one batch
        models = sc.radar_models()
        n = len(cells.threats)
        flown = np.zeros(n, dtype=bool)
        parts: list[list[_RadarTrack]] = [[] for _ in models]
        arrays, first_tables = [], []
        for s in shooters:  # nominal speed, or the grid's fastest (it bounds the reach)
            ic = s.interceptor
            grid = grids.get(ic.name)
            arrays.append(_ShooterArrays(ic.name, float(ic.max_flyout_time_s),
                                         np.full(n, -np.inf)))
            first_tables.append(flyout_table(ic if grid is None else ic.with_speed(grid[-1]),
                                             s.lat_deg, s.lon_deg))
        # per varied shooter: the look points in the band and inside its fastest table's
        # extent, the only ones any speed of the grid can reach (row, time, ECEF)
        reached: list[list[tuple]] = [[] for _ in shooters]
        for c0 in range(0, n, chunk_rows):
            idx = np.arange(c0, min(n, c0 + chunk_rows))
            say(f"flying trajectories {c0 + 1:,}-{idx[-1] + 1:,} of {n:,}")
            looks = look(fly(cells.threats.take(idx), tolerance_m=AIM_TOLERANCE_M))
            flown[idx] = looks.trajectories.flown
            for r, model in enumerate(models):
                parts[r].append(radar_steps(looks, model))
            pts = looks.points
            for j, (s, table, sa) in enumerate(zip(shooters, first_tables, arrays,
                                                   strict=True)):
                ic = s.interceptor
                for b in range(0, len(idx), ROW_BLOCK):
                    r = slice(b, min(len(idx), b + ROW_BLOCK))
                    p = type(pts)(pts.times_s, pts.ecef[r], pts.lat_deg[r], pts.lon_deg[r],
                                  pts.height_m[r])
                    if ic.name not in grids:
                        tau = arrival_times(p, table, ic)[0][..., 0]  # NaN outside the band
                        sa.latest_launch_s[idx[r]] = _latest_launch(pts.times_s, tau,
                                                                    ic.max_flyout_time_s)
                    else:
                        rr, kk = np.nonzero(_within_extent(p, s, table))
                        reached[j].append((idx[r][rr], pts.times_s[kk],
                                           p.ecef[rr, kk, :3].copy()))
        cover = {}
        for j, (s, sa) in enumerate(zip(shooters, arrays, strict=True)):
            grid = grids.get(s.interceptor.name)
            if grid is None:
                continue
            say(f"fly-out tables of {s.site}/{s.interceptor.name} at {len(grid)} speeds")
            rows, times, xyz = (np.concatenate([x[i] for x in reached[j]]) if reached[j]
                                else np.empty((0, 3) if i == 2 else 0) for i in range(3))
            sa.node_speeds_kms = np.asarray(grid)
            sa.node_latest_s = _latest_on_grid(s, grid, rows.astype(np.int64), times, xyz, n)
            cover[s.interceptor.name] = (float(grid[0]), float(grid[-1]))
        return cls(n, len(shooters), tuple(m.name for m in models),
                   [_concat_steps(p) for p in parts], arrays, cover,
                   tuple(f"{s.site}/{s.interceptor.name}" for s in shooters),
                   rcs_section="footprint", flown=flown)

    def covers(self, sc: Scenario) -> bool:
        """True if the fast path can evaluate concrete scenario ``sc`` (its varied speeds lie
        on the grids of exact tables)."""
        for name, (lo, hi) in self.speed_cover.items():
            v = sc.interceptor(name).burnout_speed_kms
            if not lo - 1e-9 <= v <= hi + 1e-9:
                return False
        return True

    def evaluate(self, scs: Sequence[Scenario]) -> np.ndarray:
        """(K, n, J) engageable for concrete scenarios that differ from the nominal one only
        in fast-path parameters."""
        with np.errstate(invalid="ignore"):
            return self.margins(scs) >= 0

    def margins(self, scs: Sequence[Scenario]) -> np.ndarray:
        """(K, n, J) launch margins [s]: the latest feasible launch minus the launch allowed
        (the exact pipeline's ``Engagements.margin_s``; -inf: no feasible point, NaN: launch
        never allowed); engageable where >= 0."""
        k = len(scs)
        allowed = self.launch_allowed(scs)
        out = np.empty((k, self.n_routes, self.n_shooters))
        with np.errstate(invalid="ignore"):
            for j, sa in enumerate(self.shooters):
                if sa.node_speeds_kms is not None:
                    v = np.array([s.interceptor(sa.interceptor).burnout_speed_kms for s in scs])
                    latest = _latest_at_nodes(sa, v)
                else:
                    latest = np.broadcast_to(sa.latest_launch_s, (k, self.n_routes))
                out[:, :, j] = latest - allowed
        return out

    def launch_allowed(self, scs: Sequence[Scenario]) -> np.ndarray:
        """(K, n) interceptor launch allowed [s after threat launch; NaN: never], the
        ``sense`` stage's rule with each draw's radar ranges, delays and fire control."""
        k = len(scs)
        rcs = np.array([getattr(s, self.rcs_section).rcs_m2 for s in scs])
        track = np.full((k, self.n_routes), np.nan)
        models = [s.radar_models() for s in scs]
        for j, step in enumerate(self.radars):
            rng = np.array([float(m[j].max_range_m(r)) for m, r in zip(models, rcs,
                                                                       strict=True)])
            track = np.fmin(track, self._chunked(lambda r, step=step: _track_times(step, r),
                                                 rng, step.range_m.shape[1]))
        delay = np.array([s.timeline.decision_delay_s for s in scs], dtype=float)[:, None]
        ew_on = np.array([s.early_warning.enabled for s in scs])[:, None]
        ew = np.array([s.early_warning.detection_delay_s for s in scs], dtype=float)[:, None]
        ir = np.array([s.timeline.fire_control == "ir-cue" for s in scs])[:, None]
        return np.where(ir, ew + delay,
                        np.where(ew_on, np.maximum(track, ew + delay), track + delay))

    def _chunked(self, fn, x: np.ndarray, width: int) -> np.ndarray:
        """fn over slices of draws x, sized so that (draws x n x width) <= MAX_CELLS."""
        step = max(1, MAX_CELLS // max(1, self.n_routes * width))
        return np.concatenate([fn(x[a:a + step]) for a in range(0, len(x), step)]) if len(
            x) else np.empty((0, self.n_routes))


@dataclass
class ExactEvaluator:
    """The exact pipeline per draw, reusing trajectories (per threat set), radar tracks (per
    radar and RCS) and fly-out tables (per shooter) between draws; bounded caches."""

    max_tables: int = 48
    max_tracks: int = 64
    _looks: dict = field(default_factory=dict)
    _tracks: dict = field(default_factory=dict)
    _tables: dict = field(default_factory=dict)

    def __getstate__(self):  # caches stay in the process that filled them
        return {"max_tables": self.max_tables, "max_tracks": self.max_tracks, "_looks": {},
                "_tracks": {}, "_tables": {}}

    def footprint_looks(self, cells: FootprintCells):
        """The look points of a footprint campaign's rows (flown once per process, as the
        footprint study flies them)."""
        from euroshield.studies.footprint import AIM_TOLERANCE_M
        from euroshield.studies.pipeline import fly, look

        if "footprint" not in self._looks:
            self._looks["footprint"] = look(fly(cells.threats, tolerance_m=AIM_TOLERANCE_M))
        return self._looks["footprint"]

    def evaluate_footprint(self, sc: Scenario, cells: FootprintCells) -> np.ndarray:
        """(n, J) engageable of concrete scenario ``sc`` over the footprint rows: the
        footprint study's own stages (fly-out tables over every azimuth, footprint RCS)."""
        from euroshield.studies.footprint import defence_of, engage_rows

        e = engage_rows(self.footprint_looks(cells), defence_of(sc), self._tables,
                        tracks=self._tracks)
        for cache, cap in ((self._tables, self.max_tables), (self._tracks, self.max_tracks)):
            while len(cache) > cap:
                cache.pop(next(iter(cache)))
        return e.engageable

    def looks_of(self, sc: Scenario):
        from euroshield.studies.deterrence import threats_of
        from euroshield.studies.pipeline import fly, look

        key = sc.threats.model_dump_json(exclude={"rcs_m2"})
        if key not in self._looks:
            if len(self._looks) >= 2:
                self._looks.pop(next(iter(self._looks)))
            self._looks[key] = look(fly(threats_of(sc)))
        return self._looks[key]

    def evaluate_one(self, sc: Scenario) -> np.ndarray:
        """(n, J) engageable of concrete scenario ``sc``."""
        from euroshield.studies.deterrence import shooters_of
        from euroshield.studies.pipeline import engage, reach_of, sense

        looks = self.looks_of(sc)
        picture = sense(looks, sc.radar_models(), sc.early_warning, sc.timeline,
                        sc.threats.rcs_m2, memo=self._tracks)
        shooters = shooters_of(sc)
        memo = {k: v for k, v in self._tables.items()}
        reach = reach_of(looks, shooters, (), memo=memo)
        for k, v in memo.items():
            self._tables.pop(k, None)
            self._tables[k] = v  # most recently used last
        for cache, cap in ((self._tables, self.max_tables), (self._tracks, self.max_tracks)):
            while len(cache) > cap:
                cache.pop(next(iter(cache)))
        return engage(looks, reach, picture).engageable


@dataclass
class Evaluator:
    """Evaluates chunks of keys: the fast path where it applies, the exact pipeline
    otherwise. ``fast`` is None when some distribution is outside the fast path."""

    plan: Plan
    fast: FastEvaluator | None
    exact: ExactEvaluator = field(default_factory=ExactEvaluator)

    def evaluate(self, keys) -> ChunkResult:
        import time

        t0, c0 = time.perf_counter(), time.process_time()
        keys = np.asarray(keys, dtype=np.int64)
        values = self.plan.values(keys)
        nominal = self.plan.nominal
        scs = []
        for k, vals in zip(keys, values, strict=True):
            try:
                scs.append(nominal.with_overrides(vals, where="", check_boosters=False))
            except InputError as exc:
                what = (f"draw {k // self.plan.variants}" if k >= 0 else "tornado row")
                shown = ", ".join(f"{p} = {v:g}" if isinstance(v, float) else f"{p} = {v!r}"
                                  for p, v in vals.items())
                raise InputError(f"distributions: {what} ({shown}) is not a valid scenario: "
                                 f"{exc}") from None
        fast = (np.array([self.fast.covers(s) for s in scs], dtype=bool)
                if self.fast is not None else np.zeros(len(scs), dtype=bool))
        n_j = None
        eng = None
        if fast.any():
            e = self.fast.evaluate([s for s, f in zip(scs, fast, strict=True) if f])
            n_j = e.shape[1:]
            eng = np.zeros((len(scs), *n_j), dtype=bool)
            eng[fast] = e
        for r in np.flatnonzero(~fast):
            e = (self.exact.evaluate_one(scs[r]) if self.plan.cells is None
                 else self.exact.evaluate_footprint(scs[r], self.plan.cells))
            if eng is None:
                eng = np.zeros((len(scs), *e.shape), dtype=bool)
            eng[r] = e
        return ChunkResult(keys, eng, ~fast, values, time.perf_counter() - t0,
                           time.process_time() - c0)


def build_evaluator(plan: Plan, progress: Callable[[str], None] | None = None,
                    looks=None) -> Evaluator:
    """The evaluator of a plan: the fast path's precomputation when every distribution is a
    fast-path parameter (see :func:`fast_path`) and the scenario senses with the n-detections
    rule (:func:`fast_sensing`), else the exact pipeline for every draw."""
    ev = Evaluator(plan, None)
    fast = fast_sensing(plan.nominal) and all(fast_path(d.parameter) for d in plan.dists)
    if plan.cells is not None:
        if fast:
            ev.fast = FastEvaluator.build_footprint(plan.nominal, plan.dists, plan.cells,
                                                    progress=progress)
        return ev
    if fast:
        ev.fast = FastEvaluator.build(plan.nominal, plan.dists, looks=looks, progress=progress)
    elif looks is not None:  # the exact path reuses them in this process
        ev.exact._looks[plan.nominal.threats.model_dump_json(exclude={"rcs_m2"})] = looks
    return ev


# ---- reductions ---------------------------------------------------------------------------


def wilson(k, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion k / n (arrays; n > 0)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return np.clip(mid - half, 0, 1), np.clip(mid + half, 0, 1)


def clopper_pearson(k, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson ("exact") interval of a binomial proportion k / n (arrays)."""
    from scipy.stats import beta

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    a = (1 - level) / 2
    lo = np.where(k > 0, beta.ppf(a, k, n - k + 1), 0.0)
    hi = np.where(k < n, beta.ppf(1 - a, k + 1, n - k), 1.0)
    return lo, hi


def sobol_indices(y: np.ndarray, n_params: int, names: Sequence[str],
                  seed: int = 0) -> dict:
    """First-order and total Sobol indices (SALib ``sobol.analyze``, Saltelli 2010 / Jansen
    estimators, 95 % bootstrap half-widths) from outputs ``y`` in SALib's layout (per base
    draw: A, A_B^1..A_B^P, B). NaN when the output does not vary."""
    from SALib.analyze import sobol

    y = np.asarray(y, dtype=float)
    nan = np.full(n_params, np.nan)
    if len(y) == 0 or np.var(y) == 0:
        return {"S1": nan, "ST": nan, "S1_conf": nan, "ST_conf": nan}
    with np.errstate(all="ignore"):
        res = sobol.analyze(salib_problem(names), y, calc_second_order=False, seed=seed)
    return {k: np.asarray(res[k], dtype=float) for k in ("S1", "ST", "S1_conf", "ST_conf")}


HEADLINES = {
    "engageable_routes": "routes engageable by at least one shooter",
    "engageable_pairs": "(route, shooter) pairs engageable",
}


def headline_values(engageable: np.ndarray) -> dict[str, np.ndarray]:
    """Headline figures of (K, n, J) verdicts: per key."""
    return {"engageable_routes": engageable.any(axis=2).sum(axis=1),
            "engageable_pairs": engageable.sum(axis=(1, 2))}


@dataclass(frozen=True)
class Outcome:
    """A finished campaign's reductions (unrounded arrays; rows and rounding belong to the
    report layer)."""

    runs: int  # Monte Carlo draws used
    requested_runs: int
    seed: int
    converged: bool | None  # None: no target interval width was asked for
    route_hits: np.ndarray  # (n,) draws in which the route is engageable by any shooter
    pair_hits: np.ndarray  # (n, J)
    aim_all_hits: np.ndarray  # (a,) draws in which every flown route to the aim point is
    aim_any_hits: np.ndarray  # (a,) ... at least one route to the aim point
    aim_points: tuple[str, ...]
    headlines: dict[str, np.ndarray]  # figure -> (runs,) per draw
    sobol: dict[str, dict]  # figure -> SALib indices
    sobol_draws: int
    tornado: dict[str, np.ndarray]  # figure -> (1 + 2P,) base, then low/high per parameter
    tornado_values: list[dict]
    exact_draws: int
    fast_draws: int
    # P(at least one route engageable) among the draws with each parameter in its lowest /
    # highest CONDITIONAL_SHARE of its distribution (uniform u below / above the share):
    # (P, 2) hits and (P, 2) draws
    conditional_hits: np.ndarray
    conditional_draws: np.ndarray


def aim_groups(aim_names: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """Distinct aim points (first-seen order) and each route's index into them."""
    names = tuple(dict.fromkeys(aim_names))
    index = {n: i for i, n in enumerate(names)}
    return names, np.array([index[n] for n in aim_names], dtype=np.int64)


def reduce(plan: Plan, keys: np.ndarray, engageable: np.ndarray, exact: np.ndarray,
           aim_names: Sequence[str], flown: np.ndarray, runs: int,
           converged: bool | None) -> Outcome:
    """Reductions over evaluated keys (any order; duplicates not allowed) for the first
    ``runs`` draws."""
    order = np.argsort(keys)
    keys, engageable, exact = keys[order], engageable[order], exact[order]
    v = plan.variants
    mc = (keys >= 0) & (keys % v == 0) & (keys // v < runs)
    e_mc = engageable[mc]
    routes = e_mc.any(axis=2)  # (runs, n)
    names, idx = aim_groups(aim_names)
    a = len(names)
    all_hits = np.zeros(a, dtype=np.int64)
    any_hits = np.zeros(a, dtype=np.int64)
    for g in range(a):
        rows = (idx == g) & flown
        if rows.any():
            all_hits[g] = routes[:, rows].all(axis=1).sum()
            any_hits[g] = routes[:, rows].any(axis=1).sum()
    heads = headline_values(e_mc)
    n_sobol = min(plan.sobol_draws, runs)
    sob = {}
    if n_sobol >= 2 and plan.n_params:
        sel = (keys >= 0) & (keys // v < n_sobol)
        if sel.sum() == n_sobol * v:
            hv = headline_values(engageable[sel])
            for fig, y in hv.items():
                sob[fig] = sobol_indices(y, plan.n_params, [d.parameter for d in plan.dists],
                                         seed=plan.seed)
    torn_sel = keys < 0
    tk = keys[torn_sel]
    t_order = np.argsort(-tk)  # -1, -2, ...: base, then low/high per parameter
    tv = headline_values(engageable[torn_sel][t_order])
    used = (keys >= 0) & (keys // v < runs) & ((keys % v == 0) | (keys // v < n_sobol))
    u, _ = uniforms(plan.seed, keys[mc] // v, plan.n_params)
    hit = routes.any(axis=1)
    c_hits = np.zeros((plan.n_params, 2), dtype=np.int64)
    c_draws = np.zeros((plan.n_params, 2), dtype=np.int64)
    for j in range(plan.n_params):
        for side, sel in enumerate((u[:, j] < CONDITIONAL_SHARE,
                                    u[:, j] >= 1 - CONDITIONAL_SHARE)):
            c_hits[j, side], c_draws[j, side] = hit[sel].sum(), sel.sum()
    return Outcome(runs, plan.runs, plan.seed, converged, routes.sum(axis=0),
                   e_mc.sum(axis=0), all_hits, any_hits, names, heads, sob, n_sobol, tv,
                   plan.values(tk[t_order]), int(exact[used | torn_sel].sum()),
                   int((~exact[used | torn_sel]).sum()), c_hits, c_draws)


def interval_width(hits: np.ndarray, runs: int) -> float:
    """Widest Wilson 95 % interval among proportions hits / runs."""
    if runs == 0 or len(hits) == 0:
        return 1.0
    lo, hi = wilson(hits, runs)
    return float(np.max(hi - lo))


# ---- footprint campaigns: reductions ------------------------------------------------------------

FOOTPRINT_HEADLINES = {
    "defended_area_km2": "area defended from every launch point (km²)",
    "engageable_area_km2": "area engageable from at least one launch point (km²)",
    "capitals_defended": "capitals defended from every launch point",
}


def footprint_status(cells: FootprintCells, flown: np.ndarray, routes: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Verdicts (K, n) of the rows (engageable by at least one shooter) -> per (missile, aim
    point) group (see :attr:`FootprintCells.group_of`): defended (K, G), engageable from at
    least one launch point (K, G), and threatened (G,), with the footprint study's rules
    (:meth:`~euroshield.studies.footprint.Footprint.defended`): an aim point is threatened
    when a trajectory onto it was flown, defended when every flown trajectory onto it is
    engageable."""
    g_all = len(cells.missiles) * cells.n_aims
    k = routes.shape[0]
    defended = np.zeros((k, g_all), dtype=bool)
    partly = np.zeros((k, g_all), dtype=bool)
    threatened = np.zeros(g_all, dtype=bool)
    rows = np.flatnonzero(flown)
    if len(rows):
        grp = cells.group_of[rows]
        order = np.argsort(grp, kind="stable")
        gs = grp[order]
        starts = np.r_[0, np.flatnonzero(np.diff(gs)) + 1]
        uniq = gs[starts]
        count = np.diff(np.r_[starts, len(gs)])
        hits = np.add.reduceat(routes[:, rows[order]].astype(np.int32), starts, axis=1)
        defended[:, uniq] = hits == count
        partly[:, uniq] = hits > 0
        threatened[uniq] = True
    return defended, partly, threatened


def footprint_headlines(cells: FootprintCells, defended: np.ndarray, partly: np.ndarray
                        ) -> dict[str, np.ndarray]:
    """Headline figures per key, per missile (``FIGURE:MISSILE``): the defended area [km²]
    (exact ellipsoidal cell areas), the area engageable from at least one launch point
    [km²] and the number of capitals defended."""
    a, c = cells.n_aims, cells.n_cells
    area_km2 = cells.grid.area_m2 / 1e6
    out = {}
    for g, m in enumerate(cells.missiles):
        d, p = defended[:, g * a:(g + 1) * a], partly[:, g * a:(g + 1) * a]
        out[f"defended_area_km2:{m}"] = d[:, :c].astype(float) @ area_km2
        out[f"engageable_area_km2:{m}"] = p[:, :c].astype(float) @ area_km2
        out[f"capitals_defended:{m}"] = d[:, c:].sum(axis=1).astype(float)
    return out


@dataclass(frozen=True)
class FootprintOutcome:
    """A finished footprint campaign's reductions (unrounded; groups are (missile, aim point)
    pairs, ``missile * n_aims + aim``)."""

    runs: int
    requested_runs: int
    seed: int
    converged: bool | None
    threatened: np.ndarray  # (G,) bool
    defended_hits: np.ndarray  # (G,) draws in which the aim point is defended
    partly_hits: np.ndarray  # (G,) ... engageable from at least one launch point
    headlines: dict[str, np.ndarray]  # figure -> (runs,) per draw
    sobol: dict[str, dict]
    sobol_draws: int
    tornado: dict[str, np.ndarray]  # figure -> (1 + 2P,)
    tornado_values: list[dict]
    exact_draws: int
    fast_draws: int
    # figure -> (P, 2, 3): for the draws with each parameter in its lowest / highest
    # CONDITIONAL_SHARE, the number of draws, the mean and the standard deviation of the figure
    conditional: dict[str, np.ndarray]


def reduce_footprint(plan: Plan, keys: np.ndarray, defended: np.ndarray, partly: np.ndarray,
                     exact: np.ndarray, threatened: np.ndarray, runs: int,
                     converged: bool | None) -> FootprintOutcome:
    """Reductions over evaluated keys (any order, no duplicates) for the first ``runs``
    draws of a footprint campaign."""
    order = np.argsort(keys)
    keys, defended, partly, exact = keys[order], defended[order], partly[order], exact[order]
    v = plan.variants
    mc = (keys >= 0) & (keys % v == 0) & (keys // v < runs)
    every = footprint_headlines(plan.cells, defended, partly)
    heads = {f: y[mc] for f, y in every.items()}
    n_sobol = min(plan.sobol_draws, runs)
    sob = {}
    if n_sobol >= 2 and plan.n_params:
        sel = (keys >= 0) & (keys // v < n_sobol)
        if sel.sum() == n_sobol * v:
            names = [d.parameter for d in plan.dists]
            sob = {f: sobol_indices(y[sel], plan.n_params, names, seed=plan.seed)
                   for f, y in every.items()}
    torn_sel = keys < 0
    tk = keys[torn_sel]
    t_order = np.argsort(-tk)
    torn = {f: y[torn_sel][t_order] for f, y in every.items()}
    used = (keys >= 0) & (keys // v < runs) & ((keys % v == 0) | (keys // v < n_sobol))
    u, _ = uniforms(plan.seed, keys[mc] // v, plan.n_params)
    cond = {}
    for f, y in heads.items():
        c = np.zeros((plan.n_params, 2, 3))
        for j in range(plan.n_params):
            for side, s in enumerate((u[:, j] < CONDITIONAL_SHARE,
                                      u[:, j] >= 1 - CONDITIONAL_SHARE)):
                ys = y[s]
                c[j, side] = (len(ys), ys.mean() if len(ys) else np.nan,
                              ys.std(ddof=1) if len(ys) > 1 else np.nan)
        cond[f] = c
    return FootprintOutcome(runs, plan.runs, plan.seed, converged, threatened,
                            defended[mc].sum(axis=0), partly[mc].sum(axis=0), heads, sob,
                            n_sobol, torn, plan.values(tk[t_order]),
                            int(exact[used | torn_sel].sum()),
                            int((~exact[used | torn_sel]).sum()), cond)
