"""Architecture-comparison benchmark: every built-in architecture (plus the old n-detections
rule) on every built-in scenario, with measuring and tracking on, cold and warm.

Per scenario and architecture: the Russian ICBM routes (11 bases x 10 targets), Iran -> United
States (5 launch points x 4 targets), Iran -> European capitals within reach, each measured
by every sensor of the architecture's systems and tracked by the batched EKF (and centrally
for `joint`), fire control, engagement; and the defended area of Europe on the comparison's
default grid (3 deg, every footprint missile from every launch area).

* cold: a new Python process (imports, numerical kernels loaded from the disk cache) running
  :func:`euroshield.studies.architectures.compare_scenarios` on the five built-in scenarios,
  wall time;
* warm: the same again in that process with an empty cache (kernels loaded, nothing reused);
* baseline, in the same run: the straightforward method, each architecture compared alone
  (its own trajectories, fly-out tables, measurements and tracks: nothing shared between
  architectures or scenarios), timed on one scenario and scaled to the matrix.

Usage: python benchmarks/architectures.py [--quick]. The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def scenarios(quick: bool):
    from euroshield import scenario

    names = scenario.builtin_names()
    return [scenario.load(n) for n in (names[-1:] if quick else names)]


def child(quick: bool) -> None:
    t0 = time.perf_counter()
    import numpy as np

    from euroshield.studies.architectures import compare_scenarios, default_names

    scs = scenarios(quick)
    t1 = time.perf_counter()
    first = compare_scenarios(scs)
    t2 = time.perf_counter()
    again = compare_scenarios(scs)
    t3 = time.perf_counter()
    same = all(
        np.array_equal(x.sets[k].first_track_s, y.sets[k].first_track_s, equal_nan=True)
        for a, b in zip(first, again, strict=True)
        for x, y in zip(a.architectures, b.architectures, strict=True) for k in x.sets)
    routes = sum(len(rs) for c in first for rs in c.route_sets.values())
    print(json.dumps({"setup_s": t1 - t0, "first_s": t2 - t1, "warm_s": t3 - t2,
                      "scenarios": len(scs), "architectures": len(default_names()),
                      "routes": routes, "grid_cells": len(first[0].grid),
                      "stages": [c.seconds for c in first], "reproducible": same}))


def baseline(quick: bool) -> tuple[float, int]:
    """Seconds for one scenario with each architecture compared alone (nothing shared)."""
    from euroshield import scenario
    from euroshield.studies.architectures import compare, default_names

    sc = scenario.load("shield-today")
    names = default_names()[:2] if quick else default_names()
    t0 = time.perf_counter()
    for n in names:
        compare(sc, [n], cache={})
    return time.perf_counter() - t0, len(names)


def main() -> None:
    quick = "--quick" in sys.argv
    if "--child" in sys.argv:
        child(quick)
        return
    env = dict(os.environ)
    cmd = [sys.executable, __file__, "--child", "--quick"]  # fill the JIT disk cache
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    cmd = [sys.executable, __file__, "--child"] + (["--quick"] if quick else [])
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    process = time.perf_counter() - t0
    res = json.loads(out.stdout.strip().splitlines()[-1])
    cold = process - res["warm_s"]  # from process start to the first comparison's end
    base_s, base_n = baseline(quick)
    naive = base_s / base_n * res["architectures"] * res["scenarios"]
    print(f"{res['scenarios']} scenarios x {res['architectures']} architectures, "
          f"{res['routes']} routes (all scenarios) + {res['grid_cells']} grid cells per "
          "architecture: "
          f"cold process {cold:.1f} s (comparison {res['first_s']:.1f} s), warm "
          f"{res['warm_s']:.1f} s; each architecture alone {base_s / base_n:.1f} s -> "
          f"{naive:.0f} s for the matrix")
    print(json.dumps({
        "architectures": res["architectures"], "scenarios": res["scenarios"],
        "routes": res["routes"], "grid_cells": res["grid_cells"],
        "cold_s": round(cold, 2), "cold_comparison_s": round(res["first_s"], 2),
        "warm_s": round(res["warm_s"], 2),
        "baseline_s_per_architecture": round(base_s / base_n, 2),
        "baseline_matrix_s": round(naive, 1),
        "speedup_vs_baseline": round(naive / res["warm_s"], 1),
        "reproducible": res["reproducible"], "target_s": 60.0, "cores": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
