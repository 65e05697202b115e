"""The deterrence study (first version): can the scenario's interceptors engage Russian ICBMs
flying to the United States, from which site, with which interceptor and sensor picture?

Pure function of a resolved scenario: aim every base -> target route (minimum energy), build the
sensor picture (the first launch-quality radar track among the scenario's radars, plus the
decision delay), then evaluate engagement windows for every site x interceptor. Flip-threshold
speeds, attrition, the map and the command line come next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from euroshield import catalog
from euroshield.defense.engagement import engagement_windows
from euroshield.defense.flyout import flyout_table
from euroshield.defense.radar import detect, get_radar
from euroshield.flight import aiming
from euroshield.scenario import Scenario


@dataclass
class DeterrenceResult:
    scenario: str
    assumptions: dict
    routes: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        """Engageable route counts per (site, interceptor)."""
        out: dict[str, dict[str, int]] = {}
        for r in self.routes:
            key = f"{r['site']}/{r['interceptor']}"
            d = out.setdefault(key, {"routes": 0, "engageable": 0})
            d["routes"] += 1
            d["engageable"] += int(bool(r["engageable"]))
        return out


def _round(x, nd=1):
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


def deterrence(sc: Scenario, interceptor_speed_kms: float | None = None) -> DeterrenceResult:
    """Evaluate every (base, target, site, interceptor) of the scenario."""
    missile = catalog.get_missile(sc.threats.missile)
    bases = [catalog.get_place(b) for b in sc.threats.bases]
    targets = [catalog.get_place(t) for t in sc.threats.targets]
    pairs = [(b, t) for b in bases for t in targets]
    lat0 = np.array([b.lat for b, _ in pairs])
    lon0 = np.array([b.lon for b, _ in pairs])
    lat1 = np.array([t.lat for _, t in pairs])
    lon1 = np.array([t.lon for _, t in pairs])
    res = aiming.aim(missile, lat0, lon0, lat1, lon1, record=True)
    batch = res.batch
    flown = res.converged

    # sensor picture: the earliest launch-quality track among the scenario's radars
    track = np.full(len(pairs), np.nan)
    tracked_by = [""] * len(pairs)
    for name in sc.radars:
        det = detect(get_radar(name), batch, rcs_m2=sc.threats.rcs_m2)
        better = np.isfinite(det.track_time_s) & ~(det.track_time_s >= track)
        for i in np.flatnonzero(better):
            tracked_by[i] = name
        track = np.where(better, det.track_time_s, track)
    allowed = track + sc.timeline.decision_delay_s

    result = DeterrenceResult(
        scenario=sc.name,
        assumptions={
            "missile": missile.name,
            "decision_delay_s": sc.timeline.decision_delay_s,
            "radars": list(sc.radars),
            "rcs_m2": sc.threats.rcs_m2,
            "early_warning_delay_s": (sc.early_warning.detection_delay_s
                                      if sc.early_warning.enabled else None),
            "interceptor_speed_kms": interceptor_speed_kms,
            "trajectory_shape": "minimum-energy",
        },
    )
    for spec in sc.sites:
        if spec.lat is not None:
            s_lat, s_lon = spec.lat, spec.lon
        else:
            p = catalog.get_place(spec.site)
            s_lat, s_lon = p.lat, p.lon
        for ic_name in spec.interceptors:
            ic = sc.interceptor(ic_name)
            if interceptor_speed_kms is not None:
                ic = ic.with_speed(interceptor_speed_kms)
            table = flyout_table(ic, s_lat, s_lon)
            w = engagement_windows(batch, table, ic, allowed)
            for i, (b, t) in enumerate(pairs):
                ok = bool(flown[i] and w.engageable[i])
                reason = w.reason[i] if flown[i] else "the missile cannot reach this target"
                result.routes.append({
                    "base": b.name, "target": t.name, "site": spec.site,
                    "interceptor": ic.name, "engageable": ok, "reason": "" if ok else reason,
                    "intercept_time_s": _round(w.intercept_time_s[i]),
                    "intercept_altitude_km": _round(w.intercept_altitude_m[i] / 1e3),
                    "intercept_ground_range_km": _round(w.intercept_ground_range_m[i] / 1e3),
                    "margin_s": _round(w.margin_s[i]),
                    "track_time_s": _round(track[i]),
                    "tracked_by": tracked_by[i],
                    "threshold_speed_kms": None,
                })
    return result
