"""Deterrence-study benchmark: the full matrix, flip thresholds included, cold and warm.

Matrix: 11 Russian ICBM bases x 10 U.S. targets x 6 sites (Deveselu, Redzikowo and four Aegis
ship stations) x 4 interceptors (SM-3 IB, IIA, IIB, two-stage GBI) = 2,640 verdicts and flip
thresholds. The timeline is the "ir-cue" what-if (interceptors may launch on the infrared cue
plus the decision delay), so that thresholds exist and the bisection on speed really runs; with
the radar-track timeline of the built-in scenarios no route is tracked and every threshold is
trivially "never".

* cold: a new Python process (imports, JIT kernels loaded from the disk cache, interceptor
  calibration) running the whole study, wall time;
* warm: the same study again in that process;
* baseline, in the same run: the straightforward method - bisection on burnout speed with a
  freshly integrated single-speed fly-out table and engagement window at every step (2 -> 8
  km/s to 0.01 km/s, 10 steps) - timed on a few (route, site, interceptor) triples and scaled
  to the matrix.

Usage: python benchmarks/deterrence.py [--quick]. The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

SITES = ["deveselu", "redzikowo", "north-sea", "norwegian-sea", "baltic-sea", "black-sea"]
INTERCEPTORS = ["sm3-ib", "sm3-iia", "sm3-iib", "gbi-2stage"]


def matrix_scenario(quick: bool = False):
    from euroshield import scenario

    sc = scenario.load(None)
    data = sc.model_dump()
    sites = SITES[:2] if quick else SITES
    data["sites"] = [{"site": s, "interceptors": INTERCEPTORS, "inventory": 24} for s in sites]
    data["timeline"]["fire_control"] = "ir-cue"
    data["name"] = "benchmark-matrix"
    return scenario.parse(data, "benchmark")


def child(quick: bool) -> None:
    t0 = time.perf_counter()
    from euroshield.report.deterrence import view
    from euroshield.studies.deterrence import deterrence

    sc = matrix_scenario(quick)
    t1 = time.perf_counter()
    r = view(deterrence(sc))
    t2 = time.perf_counter()
    r2 = view(deterrence(sc))
    t3 = time.perf_counter()
    same = [x["threshold_speed_kms"] for x in r.routes] == [
        x["threshold_speed_kms"] for x in r2.routes]
    flips = sum(x["threshold_speed_kms"] is not None for x in r.routes)
    print(json.dumps({"setup_s": t1 - t0, "first_s": t2 - t1, "warm_s": t3 - t2,
                      "verdicts": len(r.routes), "thresholds_found": flips,
                      "engageable": sum(x["engageable"] for x in r.routes),
                      "reproducible": same}))


def baseline(n_triples: int = 3) -> float:
    """Seconds per threshold with the straightforward bisection (one exact table per step)."""
    import numpy as np

    from euroshield import catalog
    from euroshield.defense.engagement import engagement_windows
    from euroshield.defense.flyout import flyout_table
    from euroshield.errors import InputError
    from euroshield.studies.deterrence import picture_of
    from euroshield.studies.pipeline import ThreatSet, fly, look

    sc = matrix_scenario()
    missile_of = sc.threats.missile_by_base()  # each base's own missile (issue 10)
    triples = [("kozelsk", "chicago", "norwegian-sea", "sm3-iia"),
               ("teykovo", "washington", "baltic-sea", "sm3-iib"),
               ("uzhur", "boston", "redzikowo", "gbi-2stage")][:n_triples]
    t0 = time.perf_counter()
    for base, target, site, ic_name in triples:
        flown = look(fly(ThreatSet.from_places([base], [target], missile_of[base])))
        looks = flown.points
        allowed = picture_of(flown, sc).launch_allowed_s
        p = catalog.get_place(site)
        ic = sc.interceptor(ic_name)
        lo, hi = 2.0, 8.0
        while hi - lo > 0.01:
            mid = 0.5 * (lo + hi)
            icv = ic.with_speed(mid)
            try:
                w = engagement_windows(looks, flyout_table(icv, p.lat, p.lon), icv, allowed)
                ok = bool(w.engageable[0])
            except InputError:  # no equivalent booster flies this speed
                ok = False
            lo, hi = (lo, mid) if ok else (mid, hi)
        _ = np.round(hi, 2)
    return (time.perf_counter() - t0) / len(triples)


def main() -> None:
    quick = "--quick" in sys.argv
    if "--child" in sys.argv:
        child(quick)
        return
    env = dict(os.environ)
    cmd = [sys.executable, __file__, "--child"] + (["--quick"] if quick else [])
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # fill the JIT disk cache
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    process = time.perf_counter() - t0
    res = json.loads(out.stdout.strip().splitlines()[-1])
    # cold: from process start to the first study's end (the process then reruns it warm)
    cold = process - res["warm_s"]
    per_threshold = baseline(1 if quick else 3)
    naive = per_threshold * res["verdicts"]
    print(f"matrix: {res['verdicts']} verdicts and flip thresholds; cold process {cold:.1f} s "
          f"(study {res['first_s']:.1f} s), warm {res['warm_s']:.1f} s; straightforward "
          f"bisection {per_threshold:.2f} s per threshold -> {naive:.0f} s for the matrix")
    print(json.dumps({
        "verdicts": res["verdicts"], "thresholds_found": res["thresholds_found"],
        "engageable": res["engageable"], "cold_s": round(cold, 2),
        "cold_study_s": round(res["first_s"], 2), "warm_s": round(res["warm_s"], 2),
        "baseline_s_per_threshold": round(per_threshold, 3),
        "baseline_matrix_s": round(naive, 1), "speedup_vs_baseline": round(naive / res["warm_s"]),
        "reproducible": res["reproducible"], "target_cold_s": 10.0, "cores": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
