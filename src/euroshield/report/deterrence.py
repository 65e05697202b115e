"""Presentation of the deterrence study: rows, reason sentences, the ten-second summary,
CSV/JSON files and the map.

:func:`view` turns the study's arrays (:class:`~euroshield.studies.deterrence.DeterrenceResult`)
into rounded rows and documents; everything after that reads those rows. Computes nothing
physical.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

ROUTE_COLUMNS = (
    "base", "target", "missile", "site", "interceptor", "interceptor_speed_kms", "engageable",
    "reason",
    "intercept_time_s", "intercept_altitude_km", "intercept_ground_range_km", "flyout_time_s",
    "closing_speed_kms", "margin_s", "earliest_launch_s", "latest_launch_s", "track_time_s",
    "tracked_by", "launch_allowed_s", "threshold_speed_kms", "threshold_upper_bound",
    "reason_code", "shots",
    "launch_needed_s", "track_needed_s", "sensor_flip_range_km", "sensor_flip_radar",
    "decided_by", "route_decided_by",
)


PATH_STEP_S = 10.0  # sampling of the stored trajectories for globes and charts

# the documents' statements of two modelling choices (assumptions.threshold_method and
# assumptions.interceptor_flyouts)
THRESHOLD_METHOD = (
    "fly-out tables at the ladder speeds and the nominal speed; the threshold is bracketed by "
    "the first tabulated speed that engages and bisected to 0.01 km/s inside the bracket with "
    "arrival times interpolated linearly in 1/v (up to about 0.1 km/s too high). Routes "
    "engageable at the nominal speed are refined with exact tables: four exact speeds 0.1 km/s "
    "apart inside the bracket, then exact bisection steps to 0.01 km/s where the interpolation "
    "cannot resolve the flip. For the other routes, where the route engages only through points "
    "the slower table of the bracket does not reach, the threshold is the faster speed of the "
    "bracket, marked threshold_upper_bound (the flip lies inside that ladder step). A route "
    "engageable already at the lowest tabulated speed (the ladder's lowest speed an equivalent "
    "booster flies) is also marked threshold_upper_bound: its threshold is at most that speed.")
FLYOUT_BRANCHES = (
    "ascending branches only: the fly-out tables hold each interceptor fly-out up to its "
    "apogee; points it would reach only after its apogee (on the descending branch) count as "
    "out of reach. Verdicts that could change with descending branches: late, low intercepts "
    "at long ground range from the site, beyond the ground range of the interceptor's apogee "
    "(rows now 'no point within reach' or 'too late' could become engageable, margins could "
    "grow) and flip thresholds, which could come out lower; engageable verdicts stay "
    "engageable.")


def reason_text(code: int, interceptor=None, margin_s: float = float("nan"),
                allowed_s: float = float("nan")) -> str:
    """The sentence for a :class:`~euroshield.defense.engagement.Reason` code ("" when
    engageable); ``interceptor`` supplies the altitude band and fly-out limit."""
    from euroshield.defense.engagement import Reason

    code = Reason(int(code))
    if code == Reason.ENGAGEABLE:
        return ""
    if code == Reason.MISSILE_CANNOT_REACH:
        return "the missile cannot reach this target"
    if code == Reason.NO_REACHABLE_POINT:
        return "no point of the trajectory is within the interceptor's fly-out reach"
    if code == Reason.OUTSIDE_ALTITUDE_BAND:
        return ("all reachable points are outside the intercept altitude band "
                f"{interceptor.min_intercept_altitude_km:g}-"
                f"{interceptor.max_intercept_altitude_km:g} km")
    if code == Reason.FLYOUT_TOO_LONG:
        return (f"every reachable point needs more than the maximum fly-out time "
                f"{interceptor.max_flyout_time_s:g} s")
    if code == Reason.NO_TRACK:
        return "no launch-quality track: launch is never allowed"
    return (f"interceptor arrives {-margin_s:.0f} s late at the best point "
            f"(launch allowed only from T+{allowed_s:.0f} s)")


def out_of_reach_text(f: dict) -> str:
    """Why a route has no trajectory, from :attr:`DeterrenceResult.out_of_reach` facts."""
    rng, dist = f["max_range_m"] / 1e3, f["distance_m"] / 1e3
    head = (f"{f['missile']}: the longest range on the launch heading of "
            f"{f['heading_deg']:.0f} deg, the Earth's rotation included, is ")
    if not np.isfinite(rng):
        return f"{f['missile']}: every full-burn trial on the heading failed"
    if rng < dist:
        return f"{head}{rng:,.0f} km, short of the {dist:,.0f} km great-circle distance"
    return f"{head}{rng:,.0f} km, over the {dist:,.0f} km distance, but the aim did not converge"


def missile_text(a: dict) -> str:
    """The threat missile(s) of an assumptions block in words: one name, or each base's own
    missile with how many bases fly each."""
    by_base = a.get("missile_by_base") or {}
    names = Counter(by_base.values())
    if a.get("missile") != "by-base" and len(names) <= 1:
        return str(a.get("missile"))
    what = "each base's own missile" if a.get("missile") == "by-base" else "per-base missiles"
    return f"{what} ({', '.join(f'{m} at {n}' for m, n in names.most_common())})"


def published_km(missile: str) -> list[float]:
    """[min, max] of a catalogue missile's published range band [km]."""
    from euroshield import catalog

    pr = catalog.get_missile(missile).published_range
    return [pr.min_km or pr.value_km, pr.max_km or pr.value_km]


def catalog_unflown() -> list[dict]:
    from euroshield import catalog

    return catalog.unflown_force()


def launch_rule_text(key: str) -> str:
    """The sentence for a launch-rule key (:func:`euroshield.studies.pipeline.launch_rule`)."""
    return {"ir-cue": "IR cue + decision delay (what-if: cue taken as fire-control data)",
            "track-and-cue": "max(radar track, IR cue + decision delay)",
            "track": "radar track + decision delay"}[key]


def _round(x, nd=1):
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


@dataclass
class DeterrenceView:
    """The deterrence study as rows for reports: one dict per (base, target, site,
    interceptor) with rounded numbers and reason sentences; ``tracks`` keeps each route's
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
                d["_flip"].append((r["threshold_speed_kms"],
                                   bool(r.get("threshold_upper_bound"))))
        for d in out.values():
            f = sorted(d.pop("_flip"))
            d["flip_routes"] = len(f)
            d["min_threshold_speed_kms"] = f[0][0] if f else None
            # the lowest flip is known only from above ("<=") when it is the threshold of a row
            # marked so (and of no row known exactly: (v, False) sorts first)
            d["min_threshold_upper_bound"] = bool(f[0][1]) if f else False
            d["upper_bound_thresholds"] = sum(b for _, b in f)
            d["median_threshold_speed_kms"] = (round(float(np.median([v for v, _ in f])), 2)
                                               if f else None)
        total = len({(r["base"], r["target"]) for r in self.routes})
        reached = len({(r["base"], r["target"]) for r in self.routes if r["engageable"]})
        return {"routes": total, "engageable_by_any_site": reached, "by_site": out,
                "decided_by": deciders({"routes": self.routes})}

    def to_json(self) -> dict:
        return {"scenario": self.scenario, "assumptions": self.assumptions,
                "routes": self.routes, "summary": self.summary()}


def assumptions(result) -> dict:
    """The assumptions block of the study's documents."""
    sc, pic = result.scenario, result.picture
    th = result.threats
    reach = getattr(result, "out_of_reach", {})
    return {
        "missile": sc.threats.missile,
        "missile_by_base": sc.threats.missile_by_base(),
        "not_flown": [e for e in catalog_unflown() if e["base"] in sc.threats.bases],
        "out_of_reach": [
            {"base": str(th.launch_name[i]), "target": str(th.aim_name[i]),
             "missile": f["missile"], "published_range_km": published_km(f["missile"]),
             "distance_km": _round(f["distance_m"] / 1e3, 0),
             "max_range_km": _round(f["max_range_m"] / 1e3, 0),
             "heading_deg": _round(f["heading_deg"], 1)} for i, f in sorted(reach.items())],
        "trajectory_shape": result.threats.shape,
        "radars": list(pic.sensors),
        "architecture": getattr(pic, "architecture", None) or "n-detections",
        "sensing": ("n-detections: a radar's N-th detection makes a launch-quality track"
                    if getattr(pic, "launch_quality_s", None) is None else
                    "tracking: measurements with noise and detection probability, EKF tracks, "
                    "fusion and the architecture's fire-control rule (euroshield "
                    "architectures); no radar-range flip is computed"),
        "rcs_m2": pic.rcs_m2,
        "radar_range_km": [round(float(x), 1) for x in result.flips.sensor_range_km],
        "early_warning_delay_s": pic.early_warning_delay_s,
        "decision_delay_s": pic.decision_delay_s,
        "fire_control": pic.fire_control,
        "launch_rule": launch_rule_text(pic.launch_rule),
        "interceptor_speed_kms": result.interceptor_speed_kms,
        "threshold_ladder_kms": list(result.ladder_kms),
        "threshold_method": THRESHOLD_METHOD,
        "interceptor_flyouts": FLYOUT_BRANCHES,
    }


def view(result) -> DeterrenceView:
    """Rows, tracks, paths, intercepts and sites of a deterrence result."""
    e, th, pic = result.engagements, result.threats, result.picture
    fl = result.flips  # sensor flips and the deciding assumption (studies.flips)
    route_decider = fl.route("decider")
    pts = e.looks.points
    flown = e.looks.trajectories.flown
    v = DeterrenceView(scenario=result.scenario.name, assumptions=assumptions(result))
    top = max(result.ladder_kms) if result.ladder_kms else None
    bounds = e.threshold_upper_bound  # thresholds known only from above (None: no ladder)
    if bounds is not None and bounds.shape != e.threshold_speed_kms.shape:
        bounds = None  # a column subset made without it: no flag rather than a wrong one
    every = max(1, int(round(PATH_STEP_S / e.looks.step_s)))
    keys = list(zip(th.launch_name.tolist(), th.aim_name.tolist(), strict=True))
    reach = getattr(result, "out_of_reach", {})  # rows without a trajectory: why
    for i, key in enumerate(keys):
        if not flown[i]:  # no trajectory: the missile cannot reach this target
            continue
        ok = np.isfinite(pts.lat_deg[i])
        v.tracks[key] = (pts.lat_deg[i][ok], pts.lon_deg[i][ok])
        k = np.flatnonzero(ok)
        k = np.unique(np.concatenate([k[::every], k[-1:]]))  # keep the impact sample
        v.paths[key] = (pts.times_s[k], pts.lat_deg[i][k], pts.lon_deg[i][k],
                        pts.height_m[i][k])
    for j, s in enumerate(e.shooters):
        ic = s.interceptor
        for i, (b, t) in enumerate(keys):
            ok = bool(e.engageable[i, j])
            reason = reason_text(e.reason[i, j], ic, e.margin_s[i, j],
                                 pic.allowed_for(j)[i])
            if i in reach:
                reason += f" ({out_of_reach_text(reach[i])})"
            thr = e.threshold_speed_kms[i, j]
            if not ok and flown[i] and top is not None and not np.isfinite(thr):
                reason += f"; not engageable even at {top:g} km/s"
            if ok:
                v.intercepts.append({
                    "base": b, "target": t, "site": s.site, "interceptor": ic.name,
                    "site_lat_deg": s.lat_deg, "site_lon_deg": s.lon_deg,
                    "launch_time_s": float(e.intercept_time_s[i, j] - e.flyout_time_s[i, j]),
                    "intercept_time_s": float(e.intercept_time_s[i, j]),
                    "lat_deg": float(e.intercept_lat_deg[i, j]),
                    "lon_deg": float(e.intercept_lon_deg[i, j]),
                    "altitude_km": float(e.intercept_altitude_m[i, j]) / 1e3})
            by = int(pic.tracked_by[i])
            v.routes.append({
                "base": b, "target": t, "missile": str(th.missile[i]), "site": s.site,
                "interceptor": ic.name, "interceptor_speed_kms": ic.burnout_speed_kms,
                "engageable": ok, "reason": reason,
                "reason_code": reason_key(e.reason[i, j]),
                "intercept_time_s": _round(e.intercept_time_s[i, j]),
                "intercept_altitude_km": _round(e.intercept_altitude_m[i, j] / 1e3),
                "intercept_ground_range_km": _round(e.intercept_ground_range_m[i, j] / 1e3),
                "flyout_time_s": _round(e.flyout_time_s[i, j]),
                "closing_speed_kms": _round(e.closing_speed_m_s[i, j] / 1e3, 2),
                "margin_s": _round(e.margin_s[i, j]),
                "earliest_launch_s": _round(e.earliest_launch_s[i, j]),
                "latest_launch_s": _round(e.latest_launch_s[i, j]),
                "shots": int(e.shots[i, j]),
                "track_time_s": _round(pic.track_time_s[i]),
                "tracked_by": pic.sensors[by] if by >= 0 else "",
                "launch_allowed_s": _round(pic.allowed_for(j)[i]),
                "threshold_speed_kms": _round(thr, 2) if flown[i] else None,
                "threshold_upper_bound": bool(bounds is not None and bounds[i, j]
                                              and np.isfinite(thr)),
                **flip_fields(fl, i, j), "route_decided_by": decider_key(route_decider[i]),
            })
    names = catalog_kinds()
    for spec in result.scenario.sites:
        s_lat, s_lon = result.scenario.site_position(spec)
        n_ok = len({(r["base"], r["target"]) for r in v.routes
                    if r["site"] == spec.site and r["engageable"]})
        v.sites.append({"name": spec.site, "lat_deg": s_lat, "lon_deg": s_lon,
                        "kind": names.get(spec.site, "site"),
                        "interceptors": list(spec.interceptors),
                        "inventory": spec.inventory, "engageable_routes": n_ok})
    return v


def reason_key(code) -> str:
    """The stable key of a reason code, e.g. ``no_track``."""
    from euroshield.defense.engagement import Reason

    return Reason(int(code)).name.lower()


def decider_key(code) -> str:
    """The stable key of a :class:`~euroshield.studies.flips.Decider` code, e.g. ``sensor``."""
    from euroshield.studies.flips import Decider

    return Decider(int(code)).name.lower()


DECIDERS = {  # decided_by key -> what decides, short, for sentences and legends
    "sensor": "radar range",
    "coverage": "radar coverage",
    "timeline": "early-warning and decision delays",
    "kinematics": "kinematics",
}


def flip_fields(f, i: int, j: int) -> dict:
    """The sensor-flip fields of row (route ``i``, shooter ``j``) of a
    :class:`~euroshield.studies.flips.SensorFlips`, rounded."""
    k = int(f.flip_radar[i, j])
    return {"launch_needed_s": _round(f.launch_needed_s[i, j]),
            "track_needed_s": _round(f.track_needed_s[i, j]),
            "sensor_flip_range_km": _round(f.flip_range_km[i, j]),
            "sensor_flip_radar": f.sensors[k] if k >= 0 else "",
            "decided_by": decider_key(f.decider[i, j])}


def deciders(doc: dict) -> dict:
    """What decides each route's verdict (``route_decided_by`` of its rows): counts per
    :data:`DECIDERS` key, and for the routes that are not engageable and flip with a longer
    radar range, the range the best single radar needs (the smallest over the route's
    rows: its best-placed shooter's) and which radar."""
    route, flip, ok = {}, {}, set()
    for r in doc["routes"]:
        key = (r["base"], r["target"])
        route.setdefault(key, r.get("route_decided_by"))
        if r["engageable"]:
            ok.add(key)
        rng = r.get("sensor_flip_range_km")
        if r.get("route_decided_by") == "sensor" and rng is not None and (
                key not in flip or rng < flip[key][0]):
            flip[key] = (rng, r["sensor_flip_radar"])
    counts = Counter(v for v in route.values() if v)
    need = [v for k, v in flip.items() if k not in ok]
    ranges = [x for x, _ in need]
    return {"routes": dict(counts.most_common()),
            "sensor_flips": {
                "routes": len(need),
                "min_range_km": min(ranges) if ranges else None,
                "median_range_km": round(float(np.median(ranges)), 1) if ranges else None,
                "max_range_km": max(ranges) if ranges else None,
                "radars": dict(Counter(name for _, name in need).most_common())}}


def decider_sentence(doc: dict) -> str:
    """One sentence: which assumption decides how many route verdicts, and the radar range
    that would flip the sensor-decided routes that are not engageable ("" without them)."""
    d, a = doc["summary"].get("decided_by") or deciders(doc), doc["assumptions"]
    sf = d["sensor_flips"]
    nominal = dict(zip(a.get("radars", []), a.get("radar_range_km", []), strict=False))
    notes = {"coverage": "no range of these radars flips them",
             "kinematics": "no intercept point even on launch at T+0"}
    if sf["routes"]:
        lo, hi = sf["min_range_km"], sf["max_range_km"]
        span = f"{lo:,.0f} km" if lo == hi else f"{lo:,.0f}-{hi:,.0f} km"
        who = " or ".join(f"{k} (studied: {nominal[k]:,.0f} km)" if k in nominal else k
                          for k in sf["radars"])
        notes["sensor"] = (f"{sf['routes']} not engageable flip if {who} detects at {span} "
                           f"at {a['rcs_m2']:g} m²")
    words_of = dict(DECIDERS)
    if a.get("architecture", "n-detections") != "n-detections":
        # a tracking picture: the network's track quality, not one radar's range, decides
        words_of["sensor"] = f"tracking ({a['architecture']} architecture)"
        notes.pop("coverage", None)
    parts = [f"{words} {d['routes'][key]}" + (f" ({notes[key]})" if key in notes else "")
             for key, words in words_of.items() if d["routes"].get(key)]
    if not parts:  # rows without the sensor-flip fields (documents from older versions)
        return ""
    return (f"What decides the verdict of each of the {doc['summary']['routes']} routes (by "
            "its best-placed shooter; for an engageable route, its smaller launch margin): "
            f"{', '.join(parts)}.")


def catalog_kinds() -> dict[str, str]:
    from euroshield import catalog

    return {n: p.kind for n, p in catalog.places().items()}


SHORT_REASONS = {  # reason_code -> a label without numbers, for counting and legends
    "missile_cannot_reach": "the missile cannot reach this target",
    "no_reachable_point": "no point of the trajectory is within the interceptor's fly-out reach",
    "outside_altitude_band": "all reachable points are outside the intercept altitude band",
    "flyout_too_long": "every reachable point needs more than the maximum fly-out time",
    "no_track": "no launch-quality track: launch is never allowed",
    "too_late": "interceptor arrives late at the best point",
}


def short_reason(reason: str) -> str:
    """A reason sentence without its numbers' context (rows without a ``reason_code``)."""
    return str(reason).split(" (")[0].split(";")[0]


def reason_label(row: dict) -> str:
    """The short label of a row's reason: from its ``reason_code`` when it has one."""
    code = row.get("reason_code")
    if code in SHORT_REASONS:
        return SHORT_REASONS[code]
    return short_reason(row.get("reason") or "")


def commonest_reason(doc: dict, site: str, interceptor: str) -> str:
    """The most frequent reason (by code) among the site/interceptor's non-engageable
    routes."""
    reasons = Counter(reason_label(r) for r in doc["routes"]
                      if r["site"] == site and r["interceptor"] == interceptor
                      and not r["engageable"] and (r.get("reason_code") or r["reason"]))
    return reasons.most_common(1)[0][0] if reasons else ""


def tracked_routes(doc: dict) -> int:
    """Routes (base, target) with a launch-quality radar track."""
    return len({(r["base"], r["target"]) for r in doc["routes"]
                if r["track_time_s"] is not None})


def summary_renderable(doc: dict) -> Group:
    """What a reader takes in within ten seconds: the verdict per site and interceptor, the
    flip speeds, the commonest reason, and the assumptions."""
    s, a = doc["summary"], doc["assumptions"]
    head = Text()
    head.append(f"{doc['scenario']}: ", style="bold")
    head.append(f"{s['engageable_by_any_site']} of {s['routes']} routes (ICBM base -> U.S. "
                "target) engageable by at least one site")
    if a.get("interceptor_speed_kms") is not None:
        head.append(f" with every interceptor at {a['interceptor_speed_kms']:g} km/s")
    t = Table(header_style="bold", show_edge=False)
    for c, j in (("site / interceptor", "left"), ("km/s", "right"), ("engageable", "right"),
                 ("flips by 8 km/s", "right"), ("lowest flip", "right"),
                 ("median flip", "right"), ("commonest reason otherwise", "left")):
        t.add_column(c, justify=j)
    for key, v in s["by_site"].items():
        common = commonest_reason(doc, v["site"], v["interceptor"])

        def kms(x, bound=False):
            return "-" if x is None else f"{'≤' if bound else ''}{x:.2f}"

        t.add_row(key, f"{v['nominal_speed_kms']:g}", f"{v['engageable']} / {v['routes']}",
                  str(v["flip_routes"]),
                  kms(v["min_threshold_speed_kms"], v.get("min_threshold_upper_bound", False)),
                  kms(v["median_threshold_speed_kms"]), common)
    tracked = tracked_routes(doc)
    ew = a.get("early_warning_delay_s")
    foot = Text(
        f"assumptions: {missile_text(a)} on minimum-energy trajectories; radars "
        f"{', '.join(a['radars']) or 'none'} (RCS {a['rcs_m2']:g} m²) track {tracked} of "
        f"{s['routes']} routes; IR cue "
        f"{f'at T+{ew:g} s' if ew is not None else 'off'}; decision delay "
        f"{a['decision_delay_s']:g} s; launch rule: {a['launch_rule']}. 'flips': the lowest "
        "burnout speed (same burn time) that makes a route engageable with this timeline "
        "('≤': known only from above, see threshold_method). Interceptor fly-outs: ascending "
        "branches only (see interceptor_flyouts).",
        style="dim")
    return Group(head, t, Text(decider_sentence(doc)), foot,
                 *(Text(n, style="dim") for n in force_notes(a)))


def force_notes(a: dict) -> list[str]:
    """Sentences on the threat force of an assumptions block: the routes the base's missile
    cannot reach (with its range on the heading against the distance), and the force
    elements that are not flown (e.g. Avangard), with the reason."""
    out = []
    far = a.get("out_of_reach") or []
    if far:
        out.append(f"out of reach ({len(far)} routes, counted as not engageable): " + "; ".join(
            f"{r['base']} -> {r['target']} ({r['missile']}{_band(r)}: {r['max_range_km']:,.0f} "
            f"km on the launch heading < {r['distance_km']:,.0f} km)"
            if r["max_range_km"] is not None
            and r["max_range_km"] < r["distance_km"] else
            f"{r['base']} -> {r['target']} ({r['missile']}: aim did not converge)"
            for r in far) + ".")
    for e in a.get("not_flown") or []:
        out.append(f"not flown and not in the raid: {e['type']} at {e['base']} "
                   f"({e['launchers']} launchers, {e['warheads']:g} warheads): {e['reason']}.")
    return out


def _band(r: dict) -> str:
    lo, hi = r.get("published_range_km") or (None, None)
    return "" if lo is None else f", published {lo:,.0f}-{hi:,.0f} km"


def write_csv(rows: list[dict], columns, path: Path) -> Path:
    """Rows as CSV with the given columns (None as an empty cell, other keys ignored)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
    return path


def write_routes_csv(routes: list[dict], path: Path) -> Path:
    return write_csv(routes, ROUTE_COLUMNS, path)


def write_rows_csv(rows: list[dict], path: Path) -> Path:
    cols = list(rows[0]) if rows else []
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({k: (";".join(v) if isinstance(v, list | tuple) else v)
                        for k, v in r.items()})
    return path


def write_json(doc: dict, path: Path) -> Path:
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def write_map(result, radars: list, path: Path) -> Path:
    """Routes coloured by verdict (engageable by any site), sites and radar coverage."""
    from euroshield.report.maps import route_map

    doc = result.to_json()  # result: a DeterrenceView
    ok = {(r["base"], r["target"]) for r in doc["routes"] if r["engageable"]}
    tracks = [{"lat_deg": lat, "lon_deg": lon, "engageable": key in ok,
               "label": f"{key[0]}-{key[1]}"} for key, (lat, lon) in result.tracks.items()]
    rcs = doc["assumptions"]["rcs_m2"]
    radar_rows = [{"name": r.name, "lat_deg": r.lat, "lon_deg": r.lon,
                   "boresight_deg": r.boresight_azimuth_deg,
                   "half_width_deg": (r.half_width_deg if r.boresight_azimuth_deg is not None
                                      else None),
                   "range_km": float(r.max_range_m(rcs)) / 1e3} for r in radars]
    s = doc["summary"]
    return route_map(path, title=f"euroshield deterrence: {doc['scenario']}",
                     subtitle=(f"{s['engageable_by_any_site']} of {s['routes']} routes "
                               "engageable by at least one site"),
                     tracks=tracks, sites=result.sites, radars=radar_rows)


def attrition_table(rows: list[dict], title: str) -> Table:
    t = Table(title=title, header_style="bold", show_edge=False)
    for c in ("interceptor", "sites", "inventory x", "speed km/s", "raid", "engaged",
              "intercepted", "share"):
        t.add_column(c, justify="right")
    for r in rows:
        t.add_row(r["interceptor"], str(r["n_sites"]), f"{r['inventory_multiplier']:g}",
                  f"{r['speed_kms']:g}", f"{r['raid']:.0f}", f"{r['engaged']:.1f}",
                  f"{r['intercepted']:.1f}", f"{100 * r['fraction_intercepted']:.1f} %")
    return t
