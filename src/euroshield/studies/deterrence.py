"""The deterrence study: can the scenario's interceptors engage Russian ICBMs flying to the
United States, from which site, with which interceptor and sensor picture, and at what
interceptor burnout speed would each answer flip?

A reduction over the pipeline stages (:mod:`euroshield.studies.pipeline`):

1. ``ThreatSet``: every base -> target route with the scenario's missile (minimum energy);
2. ``fly`` and ``look``: aimed trajectories, sampled Earth-fixed every 2 s;
3. ``sense``: the earliest launch-quality track among the scenario's radars and the
   space-based infrared cue give the interceptor launch time (the old rule, ``architecture:
   n-detections``); with an architecture, measured tracks and its fire-control rule give
   one launch time per shooter (:mod:`euroshield.studies.sensing`);
4. ``reach_of``: fly-out tables of every site x interceptor over a ladder of burnout speeds
   (the nominal one first);
5. ``engage``: verdicts, reasons, intercept points and flip thresholds (the lowest burnout
   speed at which the route becomes engageable with the same timeline).

A timeline what-if (:func:`with_timeline`) reruns only steps 3 and 5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from euroshield.scenario import N_DETECTIONS, Scenario
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

# burnout speeds tabulated for the flip thresholds [km/s]; the nominal speed is added
LADDER_KMS = tuple(float(v) for v in np.round(np.arange(2.5, 8.01, 0.5), 2))


@dataclass(frozen=True)
class DeterrenceResult:
    """The deterrence study of one scenario: the pipeline's arrays over routes (base-major
    base x target) x shooters (site x interceptor, in scenario order), and their inputs."""

    scenario: Scenario
    engagements: Engagements
    interceptor_speed_kms: float | None
    ladder_kms: tuple[float, ...]

    @property
    def threats(self) -> ThreatSet:
        return self.engagements.threats

    @property
    def looks(self):
        return self.engagements.looks

    @property
    def picture(self):
        return self.engagements.picture

    @property
    def shooters(self) -> tuple[Shooter, ...]:
        return self.engagements.shooters

    def engageable_routes(self) -> np.ndarray:
        """(n,) bool: engageable by at least one shooter."""
        return self.engagements.engageable.any(axis=1)

    @cached_property
    def flips(self):
        """The sensor flips and deciding assumption of every route x shooter
        (:func:`euroshield.studies.flips.sensor_flips`). Computed on first use."""
        from euroshield.studies.flips import sensor_flips

        return sensor_flips(self)

    @cached_property
    def out_of_reach(self) -> dict[int, dict]:
        """Routes without a trajectory (row -> facts): the route's ``missile``, the
        great-circle ``distance_m`` and ``max_range_m``, the longest full-burn range on the
        launch heading toward the target (``heading_deg``; the Earth's rotation included), so
        a report can say why the missile cannot reach the target. Computed on first use."""
        from euroshield import catalog
        from euroshield.earth import geodesy
        from euroshield.flight import aiming

        trajs, th = self.looks.trajectories, self.threats
        rows = np.flatnonzero(~trajs.flown)
        out: dict[int, dict] = {}
        for name in dict.fromkeys(th.missile[rows].tolist()):
            r = rows[th.missile[rows] == name]
            args = (th.launch_lat_deg[r], th.launch_lon_deg[r], th.aim_lat_deg[r],
                    th.aim_lon_deg[r])
            best, heading = aiming.reach_toward(catalog.get_missile(name), *args,
                                                physics=trajs.physics)
            dist, _, _ = geodesy.inverse(*args)
            for k, i in enumerate(r.tolist()):
                out[i] = {"missile": name, "distance_m": float(np.asarray(dist)[k]),
                          "max_range_m": float(best.max_ground_range_m[k]),
                          "heading_deg": float(heading[k] % 360.0)}
        return out


def threats_of(sc: Scenario) -> ThreatSet:
    """The scenario's Russian ICBM routes: every base x every target, each base flying its
    missile (``threats.missile``: by-base, or one missile; ``threats.missiles`` overrides)."""
    return ThreatSet.from_places(sc.threats.bases, sc.threats.targets,
                                 sc.threats.missile_by_base())


def shooters_of(sc: Scenario, interceptor_speed_kms: float | None = None) -> list[Shooter]:
    """Every site x interceptor of the scenario (overrides applied; ``interceptor_speed_kms``
    gives every interceptor that burnout speed, same burn time and mass)."""
    out = []
    for spec in sc.sites:
        lat, lon = sc.site_position(spec)
        for name in spec.interceptors:
            ic = sc.interceptor(name)
            if interceptor_speed_kms is not None:
                ic = ic.with_speed(interceptor_speed_kms)
            out.append(Shooter(spec.site, lat, lon, ic))
    return out


def picture_of(looks, sc: Scenario, shooters=None):
    """The ``sense`` stage with the scenario's radars, early warning, timeline and RCS: the
    old rule (``architecture: n-detections``, the default) exactly as before, else the
    scenario's architecture (:func:`euroshield.studies.sensing.sense_network`, launch times
    per shooter: ``shooters``, default :func:`shooters_of`, in the engage stage's order;
    measurements and tracks kept with the looks, so a timeline what-if does not re-track)."""
    if sc.architecture_name == N_DETECTIONS:
        return sense(looks, sc.radar_models(), sc.early_warning, sc.timeline,
                     sc.threats.rcs_m2)
    from euroshield.studies.sensing import sense_network

    return sense_network(looks, sc, shooters_of(sc) if shooters is None else shooters,
                         sc.threats.rcs_m2)


def deterrence(sc: Scenario, interceptor_speed_kms: float | None = None,
               ladder_kms=LADDER_KMS,
               progress: Callable[[int, int], None] | None = None) -> DeterrenceResult:
    """Evaluate every (base, target, site, interceptor) of the scenario.

    ``progress``, if given, is called with (done, total) after each site x interceptor table.
    """
    looks = look(fly(threats_of(sc)))
    shooters = shooters_of(sc, interceptor_speed_kms)
    picture = picture_of(looks, sc, shooters)
    reach = reach_of(looks, shooters, ladder_kms, progress=progress)
    return DeterrenceResult(sc, engage(looks, reach, picture), interceptor_speed_kms,
                            tuple(float(v) for v in ladder_kms))


def with_timeline(result: DeterrenceResult, sc: Scenario) -> DeterrenceResult:
    """The same study under another scenario that differs only in its sensors and timeline
    (radars, early warning, decision delay, fire control, RCS): reruns ``sense`` and
    ``engage`` and reuses the trajectories and fly-out tables."""
    old = result.scenario
    if (sc.threats.bases, sc.threats.targets, sc.threats.missile_by_base(), sc.sites,
            sc.interceptor_overrides) != (old.threats.bases, old.threats.targets,
                                          old.threats.missile_by_base(), old.sites,
                                          old.interceptor_overrides):
        raise ValueError("with_timeline: the scenarios differ in more than sensors and timeline")
    e = result.engagements
    return replace(result, scenario=sc,
                   engagements=engage(e.looks, e.reach, picture_of(e.looks, sc, e.reach.shooters)))


def expansion(result: DeterrenceResult, doctrine, sweep_rows: bool = False,
              estimate: str = "value") -> dict:
    """The expansion question on the study's verdicts: expected attrition of the raid (the
    sourced warheads per base, split evenly over its routes) by the scenario's inventories with
    ``doctrine`` (an :class:`~euroshield.studies.attrition.Doctrine`), and optionally the sweep
    over sites, inventories and interceptor speed (engageable at v iff flip threshold <= v)."""
    from euroshield.studies import attrition as at

    e = result.engagements
    th = result.threats
    window = np.where(e.engageable, e.latest_launch_s - e.earliest_launch_s, np.nan)
    sls = e.engageable & at.sls_possible(window, e.flyout_time_s, doctrine.assess_delay_s)
    rows = [{"route_id": i, "site": s.site, "interceptor": s.interceptor.name,
             "engageable": bool(e.engageable[i, j]), "sls_possible": bool(sls[i, j]),
             "threshold_speed_kms": float(e.threshold_speed_kms[i, j])}
            for i in range(len(th)) for j, s in enumerate(e.shooters)]
    bases = th.launch_name.tolist()
    raid = at.split_raid(bases, estimate=estimate)
    sc = result.scenario
    inventories = {spec.site: float(spec.inventory) for spec in sc.sites}
    res = at.raid_attrition(rows, raid, inventories, doctrine, route_bases=bases)
    out = {"doctrine": doctrine.model_dump(), "warhead_estimate": estimate,
           "raid_warheads": res.raid, "engaged": res.engaged, "intercepted": res.intercepted,
           "surviving": res.surviving, "fraction_intercepted": res.fraction_intercepted,
           "interceptors_used": res.interceptors_used, "per_base": res.per_base}
    if sweep_rows:
        out["sweep"] = at.sweep(rows, raid, inventories, doctrine,
                                site_order=[spec.site for spec in sc.sites])
    return out
