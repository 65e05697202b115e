"""The published analyses: run every paper's scenario and evaluate its claims.

For each paper scenario (``catalog/scenarios/papers/``) and each claim with a check, the check's
metric (:data:`euroshield.papers.METRICS`) is computed twice: under the paper's assumptions
(the file) and under the built-in scenario the paper is compared with (``paper.compare_with``,
the EPAA phase it discusses). For route metrics it also finds the *nearest flip* of the
claim's verdict in three directions:

* speed: every selected interceptor at one burnout speed v; a route is engageable at v when
  its flip threshold (``Engagements.threshold_speed_kms``, the lowest speed at which it becomes
  engageable with the same timeline; the minimum over the selected shooters) is at most v;
* delay: the interceptor launch time shifted by d seconds (negative = earlier) for every
  route; a route is engageable when its best launch margin (``margin_s``, the maximum over the
  selected shooters) is at least d, and the shifted launch is not before the threat's launch;
* sensor: one radar's detection range at the scenario's RCS
  (:func:`euroshield.studies.flips.sensor_flips`, ``flip_range_km`` and ``flip_radar``).

In each direction the flip is the smallest change that adds (or removes) the number of
engageable routes the claim's expectation needs to change its truth value.

Work is shared: routes with the same threat set are flown once for all papers and defaults,
fly-out tables (with the flip-threshold ladder) are built once per shooter, timeline what-ifs
rerun only ``sense`` and ``engage``, and each scenario's result is computed once whatever the
number of claims that use it. Pure functions of validated inputs: no printing, no rounding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from euroshield import catalog
from euroshield.defense.engagement import LookPoints, Reason, arrival_times, in_band
from euroshield.papers import CAPITAL_PREFIX, RANK_METRICS, Check, Claim, Expectation
from euroshield.scenario import Scenario
from euroshield.studies.deterrence import (
    LADDER_KMS,
    DeterrenceResult,
    shooters_of,
    threats_of,
)
from euroshield.studies.pipeline import Reach, ThreatSet, engage, fly, look, reach_of, sense

ATTRITION_SALVO, ATTRITION_SSPK = 2, 0.7  # the report's doctrine (assumptions)
COUNT_METRICS = ("engageable-routes", "engageable-iran-us-routes", "engageable-fraction")
SPEED_METRICS = ("min-flip-speed-kms", "median-flip-speed-kms", "flip-speed-rank")


# ---- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flip:
    """The nearest flip of a claim's verdict (None where there is none in that direction).

    ``speed_kms`` with ``speed_direction`` "up" (the verdict flips at or above this speed) or
    "down" (below it); ``delay_s``: the launch-time shift that flips it (negative = earlier),
    against the allowed launch or, for a route without a radar track, against the infrared cue
    plus the decision delay (``delay_needs_track``: a track by then is needed too);
    ``sensor_range_km`` of ``sensor_radar`` (its range as studied: ``sensor_studied_km``);
    ``deciders``: over the selected routes, which assumption decides the verdict
    (:class:`~euroshield.studies.flips.Decider` names -> routes)."""

    routes_needed: int | None = None  # engageable routes to add (+) or remove (-)
    speed_kms: float | None = None
    speed_direction: str | None = None
    delay_s: float | None = None
    delay_needs_track: bool = False  # the route has no radar track: one is needed as well
    sensor_range_km: float | None = None
    sensor_radar: str | None = None
    sensor_studied_km: float | None = None
    deciders: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    """One check on one scenario: the metric's value (NaN: undefined), whether the
    expectation holds (None: undefined), the numbers behind it (``detail``), the nearest flip,
    or ``missing`` saying why the check does not apply to this scenario."""

    scenario: str
    value: float = float("nan")
    holds: bool | None = None
    detail: dict = field(default_factory=dict)
    flip: Flip | None = None
    missing: str | None = None


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    model: Evaluation | None  # under the paper's assumptions (None: not checkable)
    default: Evaluation | None  # under the compared built-in scenario


@dataclass(frozen=True)
class PaperResult:
    name: str  # papers/NAME
    scenario: Scenario
    compare: Scenario
    claims: tuple[ClaimResult, ...]


# ---- scenario variants ---------------------------------------------------------------------


def timeline_variant(sc: Scenario, timeline: str) -> Scenario:
    """The scenario under a check's timeline: ``scenario`` (as is), ``ir-cue`` (launch on the
    infrared cue + decision delay) or ``kinematic`` (launch allowed at the threat's launch:
    cue and decision delay 0, the kinematic upper bound)."""
    if timeline == "scenario":
        return sc
    data = sc.model_dump(exclude_none=True)
    data["timeline"]["fire_control"] = "ir-cue"
    data["early_warning"]["enabled"] = True
    if timeline == "kinematic":
        data["timeline"]["decision_delay_s"] = 0.0
        data["early_warning"]["detection_delay_s"] = 0.0
    from euroshield import scenario

    return scenario.parse(data, "scenario")


def iran_us_threats(sc: Scenario) -> ThreatSet:
    """Iran -> United States routes: every launch point of the footprint section's launch
    areas x every U.S. target, with its ``us_missile`` (as ``footprint.us_routes``)."""
    from euroshield.studies.footprint import launch_points

    f = sc.footprint
    pts = list(dict.fromkeys(p for a in f.launch_areas for p in launch_points(a, sc)))
    targets = [catalog.get_place(t) for t in f.us_targets]
    return ThreatSet.from_grid(pts, [t.lat for t in targets], [t.lon for t in targets],
                               f.us_missile, aim_name=[t.name for t in targets])


# ---- the runner: caches shared by every paper ----------------------------------------------


class Runner:
    """Computes study results once and shares trajectories and fly-out tables."""

    def __init__(self, progress: Callable[[str], None] | None = None,
                 speed_flips: bool = True):
        """``speed_flips=False`` skips the flip-threshold ladder (and so the nearest speed
        flip) where no metric needs it: the fast version the study report runs."""
        self.progress = progress or (lambda msg: None)
        self.speed_flips = speed_flips
        self._looks: dict = {}
        self._tracks: dict = {}  # per looks: radar tracks (sense memo)
        self._tables: dict = {}  # fly-out tables with the ladder, per shooter
        self._fp_tables: dict = {}  # footprint fly-out tables (nominal speed), per shooter
        self._results: dict = {}
        self._flips: dict = {}
        self._fp: dict = {}  # (defence, threat signature, missile, resolution) -> Footprint
        self._burnout: dict = {}
        self._keep: dict = {}  # (scenario, study, timeline) -> {(site, interceptor)} needed
        self._scenarios: dict = {}

    def looks_of(self, threats: ThreatSet):
        key = _threat_key(threats)
        if key not in self._looks:
            self.progress(f"flying {len(threats)} routes")
            self._looks[key] = look(fly(threats))
            self._tracks[id(self._looks[key])] = {}
        return self._looks[key]

    def builtin(self, name: str) -> Scenario:
        """A built-in scenario (loaded once)."""
        if name not in self._scenarios:
            from euroshield import scenario

            self._scenarios[name] = scenario.load(name)
        return self._scenarios[name]

    def plan(self, sc: Scenario, check: Check, flips: bool = True) -> None:
        """Note the shooters a check needs, and whether it needs flip thresholds (the speed
        ladder), so that each study engages only what some claim uses (call for every check
        before evaluating any)."""
        key = (sc.model_dump_json(), check.study, check.timeline)
        keep, ladder = self._keep.get(key, (set(), False))
        needs_ladder = check.expectation.metric in SPEED_METRICS or (
            flips and self.speed_flips and check.expectation.metric in COUNT_METRICS)
        self._keep[key] = (keep | _selected(sc, check), ladder or needs_ladder)

    def route_result(self, sc: Scenario, study: str, timeline: str = "scenario"
                     ) -> DeterrenceResult:
        """The deterrence (or Iran -> U.S.) study of ``sc`` under a timeline what-if, with
        flip thresholds, over the shooters the planned checks need (all without a plan).
        Trajectories, radar tracks and fly-out tables are shared with every other study."""
        key = (sc.model_dump_json(), study, timeline)
        keep, ladder = self._keep.get(key, (None, True))
        if key in self._results:
            res, had = self._results[key]
            if had is None or (keep is not None and keep <= had[0] and ladder <= had[1]):
                return res
        shooters = [s for s in shooters_of(sc)
                    if keep is None or (s.site, s.interceptor.name) in keep]
        threats = threats_of(sc) if study == "deterrence" else iran_us_threats(sc)
        looks = self.looks_of(threats)
        var = timeline_variant(sc, timeline)
        rcs = sc.threats.rcs_m2 if study == "deterrence" else sc.footprint.rcs_m2
        self.progress(f"{sc.name}: {study}, {timeline} timeline ({len(threats)} routes x "
                      f"{len(shooters)} shooters)")
        pic = sense(looks, var.radar_models(), var.early_warning, var.timeline, rcs,
                    memo=self._tracks[id(looks)])
        speeds = LADDER_KMS if ladder else ()
        reach = reach_of(looks, shooters, speeds, tables=self._tables)
        res = DeterrenceResult(var, engage(looks, reach, pic), None, speeds)
        self._results[key] = (res, None if keep is None else (set(keep), ladder))
        return res

    def sensor_flips(self, res: DeterrenceResult):
        """:func:`euroshield.studies.flips.sensor_flips` of a result (cached); None when that
        module is not available."""
        if id(res) not in self._flips:
            try:
                from euroshield.studies.flips import sensor_flips
            except ImportError:  # pragma: no cover - the module ships with the package
                self._flips[id(res)] = None
            else:
                self._flips[id(res)] = sensor_flips(res)
        return self._flips[id(res)]

    def burnout_s(self, res: DeterrenceResult) -> np.ndarray:
        """(n,) each threat's burnout time [s after launch] (NaN if not flown)."""
        trajs = res.looks.trajectories
        if id(trajs) not in self._burnout:
            out = np.full(len(trajs.threats), np.nan)
            for rows, batch in trajs.groups:
                out[rows] = np.where(trajs.flown[rows], batch.burnout_time_s - batch.t0_s,
                                     np.nan)
            self._burnout[id(trajs)] = out
        return self._burnout[id(trajs)]

    def seed_looks(self, looks) -> None:
        """Reuse trajectories flown elsewhere (e.g. by the study report's deterrence study)."""
        key = _threat_key(looks.threats)
        if key not in self._looks:
            self._looks[key] = looks
            self._tracks[id(looks)] = {}

    def seed_footprint(self, defence, areas_of: Scenario, missile: str,
                       resolution_deg: float, merged) -> None:
        """Reuse a footprint computed elsewhere (all launch areas merged) of ``defence`` (a
        :class:`~euroshield.studies.footprint.Defence`) against ``missile`` from the launch
        areas of ``areas_of``'s footprint section."""
        self._fp[(_defence_key(defence), _fp_signature(areas_of), missile,
                  float(resolution_deg))] = merged

    def footprint(self, defences: Sequence, missile: str, resolution_deg: float) -> list:
        """Footprints of ``missile`` from the first defence's launch areas against each
        defence (:class:`~euroshield.studies.footprint.Defence`; the same shooters and
        sensors are computed once, with one flight of the threats for all), merged over the
        launch areas; in the order given."""
        from euroshield.studies import footprint as fp

        sig = _fp_signature(defences[0].scenario)
        keys = [(_defence_key(d), sig, missile, float(resolution_deg)) for d in defences]
        todo = list({k: d for k, d in zip(keys, defences, strict=True)
                     if k not in self._fp}.values())
        if todo and _fp_signature(todo[0].scenario) != sig:  # launch points: defences[0]'s
            todo = [defences[0], *todo]
        if todo:
            f = todo[0].scenario.footprint
            grid = fp.aim_grid(f.region, resolution_deg, f.land_only, force=True)
            caps = sorted(catalog.capitals())
            self.progress(f"{todo[0].scenario.name}: footprint of {missile} ({len(grid)} aim "
                          f"points every {resolution_deg:g} deg)")
            per_area = [fp.footprints(todo, a, missile, grid, caps, tables=self._fp_tables)
                        for a in f.launch_areas]
            for k, d in enumerate(todo):
                self._fp[(_defence_key(d), sig, missile, float(resolution_deg))] = fp.merge(
                    [pa[k] for pa in per_area], "all launch areas")
        return [self._fp[k] for k in keys]


def _defence_key(defence) -> str:
    """What a footprint depends on besides its threats: the shooters (position and
    interceptor) and the sensor rules."""
    sc = defence.scenario
    return json.dumps([sorted(json.dumps([s.site, s.lat_deg, s.lon_deg,
                                          s.interceptor.model_dump(mode="json")])
                              for s in defence.shooters),
                       [r.model_dump(mode="json") for r in sc.radar_models()],
                       sc.early_warning.model_dump(), sc.timeline.model_dump(),
                       sc.footprint.rcs_m2])


def _threat_key(threats: ThreatSet) -> tuple:
    return (threats.shape, *(tuple(np.asarray(getattr(threats, f)).tolist()) for f in (
        "launch_name", "launch_lat_deg", "launch_lon_deg", "aim_name", "aim_lat_deg",
        "aim_lon_deg", "missile")))


def _fp_signature(sc: Scenario) -> str:
    """What fixes a footprint's threats besides the missile: launch areas, grid region."""
    f = sc.footprint
    return json.dumps([f.launch_areas, [a.model_dump(mode="json")
                                        for a in f.launch_area_definitions],
                       f.region.model_dump(), f.land_only])


# ---- metrics -------------------------------------------------------------------------------


def _selected(sc: Scenario, check: Check) -> set[tuple[str, str]]:
    """(site, interceptor) pairs of ``sc`` a check uses: its sites and interceptors, and for
    rank metrics every compared site."""
    sites = check.sites
    if check.expectation.metric in RANK_METRICS:
        sites = check.among or None  # default: every site with the check's interceptors
    ics = check.interceptors
    return {(spec.site, name) for spec in sc.sites for name in spec.interceptors
            if (sites is None or spec.site in sites) and (ics is None or name in ics)}


def _columns(res: DeterrenceResult, check: Check, sites: Sequence[str] | None = None):
    """Indices of the shooters the check selects (``sites`` overrides the check's sites)."""
    sites = check.sites if sites is None else sites
    ics = check.interceptors
    return [j for j, s in enumerate(res.shooters)
            if (sites is None or s.site in sites) and (ics is None or s.interceptor.name in ics)]


def _rows(res: DeterrenceResult, check: Check) -> np.ndarray:
    th = res.threats
    ok = np.ones(len(th), dtype=bool)
    if check.bases:
        ok &= np.isin(th.launch_name, check.bases)
    if check.targets:
        ok &= np.isin(th.aim_name, check.targets)
    return np.flatnonzero(ok)


def _route_reason(reason: np.ndarray, engageable: np.ndarray) -> np.ndarray:
    """(n,) one reason per route over the selected shooters: engageable, else the most
    advanced failing check (the largest code: e.g. too late beats no reachable point)."""
    if reason.shape[1] == 0:
        return np.full(reason.shape[0], Reason.MISSILE_CANNOT_REACH, dtype=np.int8)
    return np.where(engageable.any(axis=1), Reason.ENGAGEABLE, reason.max(axis=1))


def _median(a) -> float:
    a = np.asarray(a, dtype=float)
    a = a[np.isfinite(a)]
    return float(np.median(a)) if len(a) else float("nan")


def _site_medians(res: DeterrenceResult, check: Check, rows, which: str) -> dict[str, float]:
    """Per compared site: the median over routes of its best margin (``margin``) or of its
    lowest flip speed (``speed``) with the check's interceptors."""
    e = res.engagements
    among = check.among or list(dict.fromkeys(
        s.site for s in res.shooters
        if check.interceptors is None or s.interceptor.name in check.interceptors))
    out = {}
    for site in among:
        cols = _columns(res, check, sites=[site])
        if not cols:
            out[site] = float("nan")
            continue
        with np.errstate(all="ignore"):
            if which == "margin":
                v = np.nanmax(e.margin_s[np.ix_(rows, cols)], axis=1, initial=-np.inf)
            else:
                v = np.nanmin(e.threshold_speed_kms[np.ix_(rows, cols)], axis=1,
                              initial=np.inf)
        out[site] = _median(v)
    return out


def _rank(values: dict[str, float], site: str, higher_better: bool) -> float:
    """1 + the number of compared sites strictly better than ``site`` (NaN counts as worst)."""
    def score(v):
        if not np.isfinite(v):
            return -np.inf
        return v if higher_better else -v

    mine = score(values[site])
    return float(1 + sum(score(v) > mine for k, v in values.items() if k != site))


def _allowed(e, rows, cols) -> np.ndarray:
    """(len(rows),) the earliest allowed launch [s] over the selected shooters (the same for
    every shooter under the n-detections rule; per shooter with an architecture)."""
    a = e.picture.launch_allowed_s
    if a.ndim == 1:
        return a[rows]
    sub = a[np.ix_(rows, list(cols))]
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(sub).any(axis=1), np.nanmin(sub, axis=1, initial=np.inf),
                        np.nan) if sub.shape[1] else np.full(len(rows), np.nan)


def _boost_intercept(res: DeterrenceResult, rows, cols, burnout: np.ndarray) -> np.ndarray:
    """(len(rows),) a feasible intercept point before the threat's burnout exists for at
    least one selected shooter (same feasibility as ``engage``: band, fly-out limit, launch
    no earlier than allowed)."""
    e = res.engagements
    pts = e.looks.points
    out = np.zeros(len(rows), dtype=bool)
    p = LookPoints(pts.times_s, pts.ecef[rows], pts.lat_deg[rows], pts.lon_deg[rows],
                   pts.height_m[rows])
    for j in cols:
        s, table = e.reach.shooters[j], e.reach.tables[j]
        tau = arrival_times(p, table, s.interceptor)[0][..., 0]
        allowed = e.picture.allowed_for(j)[rows]
        t = pts.times_s[None, :]
        with np.errstate(invalid="ignore"):
            ok = (in_band(p.height_m, s.interceptor) & np.isfinite(tau)
                  & (tau <= s.interceptor.max_flyout_time_s) & (t - tau >= allowed[:, None])
                  & (t <= burnout[rows][:, None]))
        out |= ok.any(axis=1)
    return out


def _attrition(res: DeterrenceResult, cols) -> dict:
    """Expected attrition of the raid by the selected shooters (the report's doctrine)."""
    from euroshield.studies.attrition import Doctrine
    from euroshield.studies.deterrence import expansion

    e = res.engagements
    if len(cols) != len(e.shooters):
        sub = {k: getattr(e, k)[:, cols] for k in (
            "engageable", "reason", "intercept_time_s", "intercept_altitude_m",
            "intercept_ground_range_m", "intercept_lat_deg", "intercept_lon_deg",
            "flyout_time_s", "closing_speed_m_s", "margin_s", "earliest_launch_s",
            "latest_launch_s", "shots", "threshold_speed_kms", "intercept_after_apogee")}
        reach = Reach(tuple(e.reach.shooters[j] for j in cols),
                      tuple(e.reach.tables[j] for j in cols), None, e.reach.ladder_kms)
        res = replace(res, engagements=replace(e, reach=reach, **sub))
    return expansion(res, Doctrine(salvo=ATTRITION_SALVO, sspk=ATTRITION_SSPK))


def _needed(exp: Expectation, count: int, total: int, fraction: bool) -> list[int]:
    """The smallest numbers of engageable routes to add (+k) and to remove (-k) that change
    the expectation's truth value (each at most once; none when no such number exists)."""
    def holds(c):
        return exp.holds(c / total if fraction else float(c))

    now = holds(count)
    out = []
    for sign, limit in ((1, total - count), (-1, count)):
        for k in range(1, limit + 1):
            if holds(count + sign * k) != now:
                out.append(sign * k)
                break
    return out


def _flips(runner: Runner, res: DeterrenceResult, rows, cols, exp: Expectation,
           count: int, total: int, fraction: bool) -> Flip:
    """The nearest speed, delay and sensor flips of a count expectation (module docstring)."""
    e = res.engagements
    eng = e.engageable[np.ix_(rows, cols)]
    eng_route = eng.any(axis=1)
    with np.errstate(all="ignore"):
        thr = np.nanmin(e.threshold_speed_kms[np.ix_(rows, cols)], axis=1, initial=np.inf)
        margin = np.nanmax(e.margin_s[np.ix_(rows, cols)], axis=1, initial=-np.inf)
    allowed = _allowed(e, rows, cols)
    flips = runner.sensor_flips(res)
    deciders: dict[str, int] = {}
    need_range = np.full(len(rows), np.inf)
    need_radar = np.full(len(rows), -1)
    stop_range = np.full(len(rows), -np.inf)
    stop_radar = np.full(len(rows), -1)
    if flips is not None and cols:
        from euroshield.studies.flips import Decider

        launch = flips.launch_needed_s[np.ix_(rows, cols)]
        with np.errstate(invalid="ignore"):
            best = np.argmax(np.where(np.isnan(launch), -np.inf, launch), axis=1)
        has = np.isfinite(launch).any(axis=1)
        dec = np.where(has, flips.decider[np.ix_(rows, cols)][np.arange(len(rows)), best],
                       Decider.KINEMATICS)
        for d in Decider:
            n = int(np.sum(dec == d))
            if n:
                deciders[d.name.lower()] = n
        fr = flips.flip_range_km[np.ix_(rows, cols)]
        rd = flips.flip_radar[np.ix_(rows, cols)]
        # not engageable: the smallest range over the selected shooters
        fr_need = np.where(eng, np.inf, np.where(np.isnan(fr), np.inf, fr))
        k = np.argmin(fr_need, axis=1)
        need_range = np.where(eng_route, np.inf, fr_need[np.arange(len(rows)), k])
        need_radar = rd[np.arange(len(rows)), k]
        # engageable: stops below the range only if every engageable row depends on the same
        # single radar
        fr_stop = np.where(eng, fr, np.nan)
        rd_stop = np.where(eng, rd, -1)
        for i in np.flatnonzero(eng_route):
            radars = set(rd_stop[i][eng[i]].tolist())
            vals = fr_stop[i][eng[i]]
            if len(radars) == 1 and -1 not in radars and np.all(np.isfinite(vals)):
                stop_range[i] = float(np.min(vals))
                stop_radar[i] = radars.pop()
    # the launch-time shift that just reaches each route: against the allowed launch, or
    # without a track against the cue + decision delay (a track is then needed as well)
    pic = e.picture
    with np.errstate(all="ignore"):
        if flips is not None and cols:
            latest = np.nanmax(flips.launch_needed_s[np.ix_(rows, cols)], axis=1,
                               initial=-np.inf)
        else:
            latest = margin + allowed
        latest = np.where(np.isfinite(latest), latest, np.nan)
        no_track = ~np.isfinite(allowed)
        ref = np.where(no_track, pic.cue_s[rows] + pic.decision_delay_s
                       if pic.launch_rule == "track-and-cue" else np.nan, allowed)
        shift = latest - ref
    flip = Flip(deciders=deciders)
    for k in _needed(exp, count, total, fraction):
        if flip.routes_needed is not None:
            break  # the first direction that exists (adding routes before removing them)
        upd: dict = {"routes_needed": k}
        if k > 0:
            cand = np.sort(thr[~eng_route & np.isfinite(thr)])
            if len(cand) >= k:
                upd.update(speed_kms=float(cand[k - 1]), speed_direction="up")
            with np.errstate(invalid="ignore"):
                late = np.flatnonzero(~eng_route & (shift < 0) & (latest >= 0))
            if len(late) >= k:
                i = late[np.argsort(-shift[late], kind="stable")[k - 1]]
                upd.update(delay_s=float(shift[i]), delay_needs_track=bool(no_track[i]))
            order = np.argsort(need_range)
            if len(order) >= k and np.isfinite(need_range[order[k - 1]]):
                i = order[k - 1]
                upd.update(sensor_range_km=float(need_range[i]),
                           sensor_radar=flips.sensors[int(need_radar[i])],
                           sensor_studied_km=float(flips.sensor_range_km[int(need_radar[i])]))
        else:
            m = -k
            cand = np.sort(thr[eng_route & np.isfinite(thr)])[::-1]
            if len(cand) >= m:
                upd.update(speed_kms=float(cand[m - 1]), speed_direction="down")
            cand = np.sort(shift[eng_route & np.isfinite(shift)])
            if len(cand) >= m:
                upd["delay_s"] = float(cand[m - 1])
            order = np.argsort(-stop_range)
            if len(order) >= m and np.isfinite(stop_range[order[m - 1]]):
                i = order[m - 1]
                upd.update(sensor_range_km=float(stop_range[i]),
                           sensor_radar=flips.sensors[int(stop_radar[i])],
                           sensor_studied_km=float(flips.sensor_range_km[int(stop_radar[i])]))
        flip = replace(flip, **upd)
    return flip


def route_metric(runner: Runner, res: DeterrenceResult, check: Check,
                 flips: bool = True) -> Evaluation:
    """A deterrence or Iran -> U.S. check on one result (the check's timeline applied), with
    the nearest flips of a count metric (``flips``; the speed flip needs the ladder)."""
    exp = check.expectation
    e = res.engagements
    name = res.scenario.name
    have_sites = {s.site for s in res.shooters}
    for site in [*(check.sites or []), *(check.among or [])]:
        if site not in have_sites:
            return Evaluation(name, missing=f"no site {site} in {name}")
    cols = _columns(res, check)
    if not cols:
        return Evaluation(name, missing=f"no {'/'.join(check.interceptors or [])} at "
                                        f"{', '.join(check.sites or ['its sites'])} in {name}")
    rows = _rows(res, check)
    if len(rows) == 0:
        return Evaluation(name, missing=f"none of the check's routes in {name}")
    eng = e.engageable[np.ix_(rows, cols)]
    eng_route = eng.any(axis=1)
    n, count = len(rows), int(eng_route.sum())
    tracked = np.isfinite(e.picture.track_time_s[rows])
    route_reason = _route_reason(e.reason[np.ix_(rows, cols)], eng)
    burnout = runner.burnout_s(res)
    with np.errstate(all="ignore"):
        thr = np.nanmin(e.threshold_speed_kms[np.ix_(rows, cols)], axis=1, initial=np.inf)
        margin = np.nanmax(e.margin_s[np.ix_(rows, cols)], axis=1, initial=-np.inf)
        latest = np.nanmax(np.where(eng, e.latest_launch_s[np.ix_(rows, cols)], -np.inf),
                           axis=1, initial=-np.inf)
    thr = np.where(np.isfinite(thr), thr, np.nan)
    margin = np.where(np.isfinite(margin), margin, np.nan)
    latest = np.where(eng_route, latest, np.nan)
    detail = {
        "routes": n, "engageable": count, "tracked": int(tracked.sum()),
        "reasons": {Reason(int(c)).name.lower(): int(np.sum(route_reason == c))
                    for c in np.unique(route_reason)},
        "median_margin_s": _median(margin),
        "min_flip_speed_kms": float(np.nanmin(thr)) if np.isfinite(thr).any() else None,
        "median_latest_launch_s": _median(latest),
        "median_burnout_s": _median(burnout[rows]),
        "launch_rule": e.picture.launch_rule,
        "shooters": [f"{e.shooters[j].site}/{e.shooters[j].interceptor.name}" for j in cols],
        "speeds_kms": sorted({e.shooters[j].interceptor.burnout_speed_kms for j in cols}),
    }
    if count:
        i = int(np.flatnonzero(eng_route)[0])
        th = res.threats
        detail["example"] = f"{th.launch_name[rows[i]]} -> {th.aim_name[rows[i]]}"
    m = exp.metric
    flip = None
    if m in ("engageable-routes", "engageable-iran-us-routes"):
        value = float(count)
    elif m == "engageable-fraction":
        value = count / n
    elif m == "routes":
        value = float(n)
    elif m == "tracked-routes":
        value = float(tracked.sum())
    elif m == "tracked-fraction":
        value = float(tracked.sum()) / n
    elif m == "boost-launch-routes":
        value = float(np.sum(eng_route & (latest < burnout[rows])))
    elif m == "boost-intercept-routes":
        value = float(_boost_intercept(res, rows, cols, burnout).sum())
    elif m == "min-flip-speed-kms":
        value = float(np.nanmin(thr)) if np.isfinite(thr).any() else float("nan")
    elif m == "median-flip-speed-kms":
        value = _median(thr)
    elif m == "median-margin-s":
        value = _median(margin)
    elif m in RANK_METRICS:
        which = "margin" if m == "margin-rank" else "speed"
        per_site = _site_medians(res, check, rows, which)
        detail["by_site"] = per_site
        detail["rank_by"] = which
        value = _rank(per_site, check.sites[0], higher_better=which == "margin")
    elif m in ("intercepted-warheads", "intercepted-fraction"):
        a = _attrition(res, cols)
        detail.update(intercepted=a["intercepted"], raid_warheads=a["raid_warheads"])
        value = float(a["intercepted"] if m == "intercepted-warheads"
                      else a["fraction_intercepted"])
    else:  # pragma: no cover - the schema's metric check rejects the rest
        raise ValueError(f"unknown route metric {m!r}")
    if m in COUNT_METRICS and flips:
        flip = _flips(runner, res, rows, cols, exp, count, n, m == "engageable-fraction")
    return Evaluation(name, value, exp.holds(value), detail, flip)


def footprint_metric(fpr, check: Check, name: str) -> Evaluation:
    """A footprint check on one merged footprint (all launch areas)."""
    exp = check.expectation
    have_sites = {s.site for s in fpr.shooters}
    for site in check.sites or []:
        if site not in have_sites:
            return Evaluation(name, missing=f"no site {site} in {name}")
    cols = [j for j, s in enumerate(fpr.shooters)
            if (check.sites is None or s.site in check.sites)
            and (check.interceptors is None or s.interceptor.name in check.interceptors)]
    if not cols:
        return Evaluation(name, missing=f"no {'/'.join(check.interceptors or [])} in {name}")
    thr = fpr.threatened
    eng = fpr.engageable[..., cols].any(axis=-1) & thr
    threatened_any = thr.any(axis=0)
    defended = threatened_any & np.all(eng | ~thr, axis=0)
    partly = eng.any(axis=0) & ~defended
    k = len(fpr.grid)
    area_thr = fpr.area_km2(threatened_any)
    area_def = fpr.area_km2(defended)
    status = {c: (1.0 if defended[k + i] else 0.5 if partly[k + i] else
                  0.0 if threatened_any[k + i] else float("nan"))
              for i, c in enumerate(fpr.capitals)}
    detail = {"threatened_km2": area_thr, "defended_km2": area_def,
              "partly_defended_km2": fpr.area_km2(partly),
              "defended_capitals": int(sum(v == 1.0 for v in status.values())),
              "threatened_capitals": int(sum(np.isfinite(v) for v in status.values())),
              "missile": fpr.missile, "resolution_deg": fpr.grid.resolution_deg,
              "shooters": [f"{fpr.shooters[j].site}/{fpr.shooters[j].interceptor.name}"
                           for j in cols]}
    m = exp.metric
    if m == "defended-area-km2":
        value = area_def
    elif m == "partly-defended-area-km2":
        value = detail["partly_defended_km2"]
    elif m == "threatened-area-km2":
        value = area_thr
    elif m == "defended-fraction":
        value = area_def / area_thr if area_thr else float("nan")
    elif m == "defended-capitals":
        value = float(detail["defended_capitals"])
    elif m.startswith(CAPITAL_PREFIX):
        value = status[m[len(CAPITAL_PREFIX):]]
        detail["capital"] = m[len(CAPITAL_PREFIX):]
    else:  # pragma: no cover - the schema's metric check rejects the rest
        raise ValueError(f"unknown footprint metric {m!r}")
    return Evaluation(name, value, exp.holds(value), detail)


# ---- papers --------------------------------------------------------------------------------


def _evaluate(runner: Runner, check: Check, sc: Scenario, compare: Scenario
              ) -> tuple[Evaluation, Evaluation]:
    if check.study == "footprint":
        from euroshield.studies.footprint import Defence

        missile = check.missile or sc.footprint.missiles[0]
        chosen = [Defence(s, tuple(x for x in shooters_of(s)
                                   if (x.site, x.interceptor.name) in _selected(s, check)))
                  for s in (sc, compare)]
        if not chosen[1].shooters:  # nothing selected there: footprint_metric says so
            chosen[1] = Defence(compare, tuple(shooters_of(compare)))
        a, b = runner.footprint(chosen, missile, check.resolution_deg)
        return footprint_metric(a, check, sc.name), footprint_metric(b, check, compare.name)
    a = route_metric(runner, runner.route_result(sc, check.study, check.timeline), check)
    b = route_metric(runner, runner.route_result(compare, check.study, check.timeline), check,
                     flips=False)
    return a, b


def paper_ref(name: str) -> str:
    """``NAME`` of a built-in paper as ``papers/NAME``; anything else as given."""
    from euroshield import scenario

    ref = f"{scenario.PAPERS_DIR}/{name}"
    return ref if ref in scenario.paper_names() else name


def load_paper(name: str, option: str = "--paper") -> Scenario:
    """A paper scenario (built-in ``papers/NAME``, ``NAME`` or a file), validated with its
    claims; one InputError line otherwise."""
    from euroshield import scenario
    from euroshield.errors import InputError

    sc = scenario.load(paper_ref(name), option=option)
    if sc.paper is None:
        raise InputError(f"{option}: {name} has no paper section (it is not a published "
                         "analysis; see `euroshield scenario list`)")
    return sc


def plan_paper(runner: Runner, sc: Scenario) -> None:
    """Tell the runner which shooters the paper's checks need (on the paper's scenario and on
    the compared one), so each study engages only those."""
    compare = runner.builtin(sc.paper.compare_with)
    for claim in sc.claims:
        if claim.check is not None and claim.check.study != "footprint":
            runner.plan(sc, claim.check)
            runner.plan(compare, claim.check, flips=False)  # flips: the paper's column only


def run_paper(runner: Runner, name: str, sc: Scenario | None = None) -> PaperResult:
    """Evaluate every claim of one paper scenario (``sc``, or loaded from ``name``); plan
    every paper first (:func:`plan_paper`) when several share the runner."""
    sc = sc if sc is not None else load_paper(name)
    compare = runner.builtin(sc.paper.compare_with)
    plan_paper(runner, sc)
    out = []
    for claim in sc.claims:
        if claim.check is None:
            out.append(ClaimResult(claim, None, None))
            continue
        a, b = _evaluate(runner, claim.check, sc, compare)
        out.append(ClaimResult(claim, a, b))
    return PaperResult(name, sc, compare, tuple(out))


def run_papers(names: Sequence[str] | None = None,
               progress: Callable[[str], None] | None = None,
               runner: Runner | None = None) -> list[PaperResult]:
    """Every paper scenario (default: all built-in ``papers/*``), sharing work (``runner``
    may carry work done elsewhere, see :meth:`Runner.seed_looks`)."""
    from euroshield import scenario

    names = (list(dict.fromkeys(paper_ref(n) for n in names)) if names
             else scenario.paper_names())
    scs = [load_paper(n) for n in names]  # every file is checked before anything is computed
    runner = runner or Runner(progress)
    for sc in scs:
        plan_paper(runner, sc)
    return [run_paper(runner, n, sc) for n, sc in zip(names, scs, strict=True)]
