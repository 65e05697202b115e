"""The deterrence study: can the scenario's interceptors engage Russian ICBMs flying to the
United States, from which site, with which interceptor and sensor picture, and at what
interceptor burnout speed would each answer flip?

Pure function of a resolved scenario:

1. aim every base -> target route (minimum-energy trajectory of the scenario's missile);
2. the sensor picture: the earliest launch-quality track among the scenario's radars, and the
   space-based infrared cue (boost seen after the early-warning delay). The cue is not a
   fire-control track, but the launch decision may start with it: interceptor launch is
   allowed at max(track, cue + decision delay) with early warning, at track + decision delay
   without;
3. for every site x interceptor: one batch of fly-out tables over a ladder of burnout speeds
   (the nominal one first), the engagement window at the nominal speed, and the flip threshold:
   the lowest burnout speed at which the route becomes engageable with the same timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from euroshield import catalog
from euroshield.defense.engagement import (
    arrival_times,
    engagement_windows,
    flip_thresholds,
    in_band,
    look_points,
)
from euroshield.defense.flyout import flyout_table, site_coords
from euroshield.defense.interceptors import boosters
from euroshield.defense.radar import detect
from euroshield.errors import InputError
from euroshield.flight import aiming
from euroshield.flight.engine import STUDY_RTOL, Physics
from euroshield.scenario import Scenario

# burnout speeds tabulated for the flip thresholds [km/s]; the nominal speed is added
PATH_STEP_S = 10.0  # sampling of the stored trajectories for globes and charts
LADDER_KMS = tuple(np.round(np.arange(2.5, 8.01, 0.5), 2))


@dataclass
class DeterrenceResult:
    """Verdicts for every (base, target, site, interceptor); ``tracks`` keeps each route's
    Earth-fixed ground track (lat_deg, lon_deg arrays) for maps."""

    scenario: str
    assumptions: dict
    routes: list[dict] = field(default_factory=list)
    tracks: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    sites: list[dict] = field(default_factory=list)
    # (base, target) -> (time s after launch, lat deg, lon deg, height m), Earth-fixed, every
    # PATH_STEP_S seconds from launch to impact: for globes and timelines
    paths: dict[tuple[str, str], tuple[np.ndarray, ...]] = field(default_factory=dict)
    # one per engageable (route, site, interceptor): the best intercept and its site
    intercepts: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        """Per (site, interceptor): routes, engageable routes, and the flip speeds (lowest and
        median over the routes that flip within the ladder)."""
        out: dict[str, dict] = {}
        for r in self.routes:
            key = f"{r['site']}/{r['interceptor']}"
            d = out.setdefault(key, {"site": r["site"], "interceptor": r["interceptor"],
                                     "nominal_speed_kms": r["interceptor_speed_kms"],
                                     "routes": 0, "engageable": 0, "_flip": []})
            d["routes"] += 1
            d["engageable"] += int(bool(r["engageable"]))
            if r["threshold_speed_kms"] is not None:
                d["_flip"].append(r["threshold_speed_kms"])
        for d in out.values():
            f = d.pop("_flip")
            d["flip_routes"] = len(f)
            d["min_threshold_speed_kms"] = min(f) if f else None
            d["median_threshold_speed_kms"] = round(float(np.median(f)), 2) if f else None
        total = len({(r["base"], r["target"]) for r in self.routes})
        reached = len({(r["base"], r["target"]) for r in self.routes if r["engageable"]})
        return {"routes": total, "engageable_by_any_site": reached, "by_site": out}

    def to_json(self) -> dict:
        return {"scenario": self.scenario, "assumptions": self.assumptions,
                "routes": self.routes, "summary": self.summary()}


def _round(x, nd=1):
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


def sensor_picture(sc: Scenario, batch) -> dict[str, np.ndarray | list]:
    """Track times (earliest launch-quality radar track), which radar, the IR cue and the
    resulting earliest interceptor launch time, per trajectory [s after threat launch]."""
    n = len(batch)
    track = np.full(n, np.nan)
    tracked_by = [""] * n
    for radar in sc.radar_models():
        det = detect(radar, batch, rcs_m2=sc.threats.rcs_m2)
        better = np.isfinite(det.track_time_s) & ~(det.track_time_s >= track)
        for i in np.flatnonzero(better):
            tracked_by[i] = radar.name
        track = np.where(better, det.track_time_s, track)
    delay = sc.timeline.decision_delay_s
    if sc.timeline.fire_control == "ir-cue":  # what-if: the cue is taken as fire-control data
        if not sc.early_warning.enabled:
            raise InputError("timeline.fire_control: 'ir-cue' needs early_warning.enabled: true")
        cue = np.full(n, sc.early_warning.detection_delay_s)
        allowed = cue + delay
    elif sc.early_warning.enabled:
        cue = np.full(n, sc.early_warning.detection_delay_s)
        allowed = np.maximum(track, cue + delay)  # NaN track stays NaN: no fire control
    else:
        cue = np.full(n, np.nan)
        allowed = track + delay
    return {"track": track, "tracked_by": tracked_by, "cue": cue, "allowed": allowed}


def bearings_in_band(looks, site_lat: float, site_lon: float, ic) -> np.ndarray:
    """Bearings [deg] from a site of the look points inside the interceptor's altitude band:
    the only directions its fly-out table needs."""
    c = site_coords(site_lat, site_lon, looks.ecef[..., :3][in_band(looks.height_m, ic)])
    return np.degrees(c[:, 0])


def deterrence(sc: Scenario, interceptor_speed_kms: float | None = None,
               ladder_kms=LADDER_KMS, progress=None) -> DeterrenceResult:
    """Evaluate every (base, target, site, interceptor) of the scenario.

    ``interceptor_speed_kms`` gives every interceptor that burnout speed (same burn time and
    mass). ``progress``, if given, is called with (done, total) after each site x interceptor.
    """
    missile = catalog.get_missile(sc.threats.missile)
    bases = [catalog.get_place(b) for b in sc.threats.bases]
    targets = [catalog.get_place(t) for t in sc.threats.targets]
    pairs = [(b, t) for b in bases for t in targets]
    res = aiming.aim(missile, np.array([b.lat for b, _ in pairs]),
                     np.array([b.lon for b, _ in pairs]), np.array([t.lat for _, t in pairs]),
                     np.array([t.lon for _, t in pairs]), record=True,
                     physics=Physics(rtol=STUDY_RTOL))  # metres at impact: ample here
    batch, flown = res.batch, res.converged
    looks = look_points(batch)
    pic = sensor_picture(sc, batch)
    allowed = pic["allowed"]

    result = DeterrenceResult(
        scenario=sc.name,
        assumptions={
            "missile": missile.name,
            "trajectory_shape": "minimum-energy",
            "radars": [r.name for r in sc.radar_models()],
            "rcs_m2": sc.threats.rcs_m2,
            "early_warning_delay_s": (sc.early_warning.detection_delay_s
                                      if sc.early_warning.enabled else None),
            "decision_delay_s": sc.timeline.decision_delay_s,
            "fire_control": sc.timeline.fire_control,
            "launch_rule": ("IR cue + decision delay (what-if: cue taken as fire-control data)"
                            if sc.timeline.fire_control == "ir-cue" else
                            "max(radar track, IR cue + decision delay)"
                            if sc.early_warning.enabled else "radar track + decision delay"),
            "interceptor_speed_kms": interceptor_speed_kms,
            "threshold_ladder_kms": [float(v) for v in ladder_kms],
        },
    )
    lat, lon, h_all = looks.lat_deg, looks.lon_deg, looks.height_m
    every = max(1, int(round(PATH_STEP_S / (looks.times_s[1] - looks.times_s[0]))))
    for i, (b, t) in enumerate(pairs):
        ok = np.isfinite(lat[i])
        result.tracks[(b.name, t.name)] = (lat[i][ok], lon[i][ok])
        k = np.flatnonzero(ok)
        k = np.unique(np.concatenate([k[::every], k[-1:]]))  # keep the impact sample
        result.paths[(b.name, t.name)] = (looks.times_s[k], lat[i][k], lon[i][k], h_all[i][k])

    jobs = [(spec, name) for spec in sc.sites for name in spec.interceptors]
    models = {}
    for name in dict.fromkeys(n for _, n in jobs):
        ic = sc.interceptor(name)
        models[name] = ic if interceptor_speed_kms is None else ic.with_speed(
            interceptor_speed_kms)
    # calibrate every speed variant of every interceptor in one batch (cached for the tables)
    boosters([ic.with_speed(v) for ic in models.values() for v in
              (ic.burnout_speed_kms, *ladder_kms)])
    for done, (spec, ic_name) in enumerate(jobs):
        s_lat, s_lon = sc.site_position(spec)
        ic = models[ic_name]
        bearings = bearings_in_band(looks, s_lat, s_lon, ic)
        table = flyout_table(ic, s_lat, s_lon, speeds_kms=ladder_kms, bearings_deg=bearings)
        arr = arrival_times(looks, table, ic)
        w = engagement_windows(looks, table, ic, allowed, arrivals=arr)
        thr = flip_thresholds(looks, table, ic, allowed, arrivals=arr)
        top = float(table.speeds_kms.max())
        for i, (b, t) in enumerate(pairs):
            ok = bool(flown[i] and w.engageable[i])
            reason = w.reason[i] if flown[i] else "the missile cannot reach this target"
            if not ok and flown[i] and not np.isfinite(thr[i]):
                reason += f"; not engageable even at {top:g} km/s"
            if ok:
                k = np.searchsorted(looks.times_s, w.intercept_time_s[i])
                p_lat, p_lon, p_h = (float(a[i, k]) for a in (lat, lon, h_all))
                result.intercepts.append({
                    "base": b.name, "target": t.name, "site": spec.site, "interceptor": ic.name,
                    "site_lat_deg": s_lat, "site_lon_deg": s_lon,
                    "launch_time_s": float(w.intercept_time_s[i] - w.flyout_time_s[i]),
                    "intercept_time_s": float(w.intercept_time_s[i]),
                    "lat_deg": p_lat, "lon_deg": p_lon, "altitude_km": p_h / 1e3})
            result.routes.append({
                "base": b.name, "target": t.name, "site": spec.site,
                "interceptor": ic.name, "interceptor_speed_kms": ic.burnout_speed_kms,
                "engageable": ok, "reason": "" if ok else reason,
                "intercept_time_s": _round(w.intercept_time_s[i]),
                "intercept_altitude_km": _round(w.intercept_altitude_m[i] / 1e3),
                "intercept_ground_range_km": _round(w.intercept_ground_range_m[i] / 1e3),
                "flyout_time_s": _round(w.flyout_time_s[i]),
                "closing_speed_kms": _round(w.closing_speed_m_s[i] / 1e3, 2),
                "margin_s": _round(w.margin_s[i]),
                "earliest_launch_s": _round(w.earliest_launch_s[i]),
                "latest_launch_s": _round(w.latest_launch_s[i]),
                "track_time_s": _round(pic["track"][i]),
                "tracked_by": pic["tracked_by"][i],
                "launch_allowed_s": _round(allowed[i]),
                "threshold_speed_kms": _round(thr[i], 2) if flown[i] else None,
            })
        if progress is not None:
            progress(done + 1, len(jobs))
    for spec in sc.sites:
        s_lat, s_lon = sc.site_position(spec)
        kind = catalog.places()[spec.site].kind if spec.site in catalog.places() else "site"
        n_ok = len({(r["base"], r["target"]) for r in result.routes
                    if r["site"] == spec.site and r["engageable"]})
        result.sites.append({"name": spec.site, "lat_deg": s_lat, "lon_deg": s_lon,
                             "kind": kind, "interceptors": list(spec.interceptors),
                             "inventory": spec.inventory, "engageable_routes": n_ok})
    return result


def expansion(result: DeterrenceResult, doctrine, sweep_rows: bool = False,
              estimate: str = "value") -> dict:
    """The expansion question on the study's verdicts: expected attrition of the raid (the
    sourced warheads per base, split evenly over its routes) by the scenario's inventories with
    ``doctrine`` (an :class:`~euroshield.studies.attrition.Doctrine`), and optionally the sweep
    over sites, inventories and interceptor speed (engageable at v iff flip threshold <= v)."""
    from euroshield.studies import attrition as at

    pairs = list(dict.fromkeys((r["base"], r["target"]) for r in result.routes))
    rid = {p: i for i, p in enumerate(pairs)}
    rows = []
    for r in result.routes:
        window = (r["latest_launch_s"] - r["earliest_launch_s"]
                  if r["engageable"] else float("nan"))
        sls = bool(at.sls_possible(window, r["flyout_time_s"] or float("nan"),
                                   doctrine.assess_delay_s)) if r["engageable"] else False
        thr = r["threshold_speed_kms"]
        rows.append({"route_id": rid[(r["base"], r["target"])], "site": r["site"],
                     "interceptor": r["interceptor"], "engageable": r["engageable"],
                     "sls_possible": sls,
                     "threshold_speed_kms": float("nan") if thr is None else thr})
    bases = [b for b, _ in pairs]
    raid = at.split_raid(bases, estimate=estimate)
    inventories = {s["name"]: float(s["inventory"]) for s in result.sites}
    res = at.raid_attrition(rows, raid, inventories, doctrine, route_bases=bases)
    out = {"doctrine": doctrine.model_dump(), "warhead_estimate": estimate,
           "raid_warheads": res.raid, "engaged": res.engaged, "intercepted": res.intercepted,
           "surviving": res.surviving, "fraction_intercepted": res.fraction_intercepted,
           "interceptors_used": res.interceptors_used, "per_base": res.per_base}
    if sweep_rows:
        out["sweep"] = at.sweep(rows, raid, inventories, doctrine,
                                site_order=[s["name"] for s in result.sites])
    return out
