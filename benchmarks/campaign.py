"""Campaign benchmark: 10,000 Monte Carlo draws of one phase's deterrence matrix.

Scenario: the built-in ``campaigns/disputed-parameters`` (EPAA Phase 3: 110 routes x 5
site/interceptor shooters) with nine uncertain parameters: the SM-3 IIA and IB burnout speeds,
three radar ranges, the decision and early-warning delays and the warhead RCS of each study (the
Iranian one, ``footprint.rcs_m2``, does not change a deterrence verdict). No Sobol design
(``sobol_draws = 0``): 10,000 draws plus the 19 tornado rows, each a full deterrence matrix.

The same campaign runs four times, each into a fresh store: in this process (``single``), on
local worker processes on all cores (``local``), and on a Dask LocalCluster with 1 and 2
workers. ``*_s`` are wall times of the whole campaign (precompute: trajectories, radar
visibility and fly-out tables; starting the workers; the draws; the Dask cluster's own start-up
excluded); ``efficiency_1_to_2`` compares the draw phase once the workers are up (the part that
runs in parallel) of Dask with 2 and 1 workers: t1 / (2 t2), and ``efficiency_1_to_2_total``
the whole campaigns. The four runs must give identical results.

Usage: python benchmarks/campaign.py [--quick] (1,000 draws). The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def one(kind: str, workers: int | None, runs: int, folder: Path) -> tuple[float, float, dict]:
    from euroshield import scenario
    from euroshield.executors import execute, make_executor
    from euroshield.report.campaign import campaign_doc
    from euroshield.studies.campaign import Plan

    sc = scenario.load("campaigns/disputed-parameters")
    plan = Plan(sc, seed=2026, runs=runs, sobol_draws=0)
    ex = make_executor(kind, workers)
    ex.connect()  # a Dask cluster starts here, outside the timing
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    c = execute(plan, ex, folder / f"store-{kind}-{workers}")
    total = time.perf_counter() - t0
    cpu = time.process_time() - cpu0  # this process: precompute, store writes, Dask scheduler
    doc = campaign_doc(c)
    draw_phase = c.info.seconds - c.info.start_s
    print(f"{kind:>6} x {workers or 'all'}: {total:7.1f} s (precompute {c.info.precompute_s:.1f} s,"
          f" workers start {c.info.start_s:.1f} s, draws {draw_phase:.1f} s; evaluating "
          f"{c.info.worker_s:.1f} s summed over workers, of which {c.info.worker_cpu_s:.1f} s on "
          f"a CPU; this process used {cpu:.1f} s CPU; {c.info.executor}); "
          f"P(any route engageable) = {doc['summary'][0]['p']}", flush=True)
    return total, draw_phase, doc, c.info


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 1000 if quick else 10_000
    from euroshield.executors import cores

    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="euroshield-bench-") as tmp:
        folder = Path(tmp)
        single, _, ref, _ = one("single", None, runs, folder)
        local, _, d_local, _ = one("local", None, runs, folder)
        dask1, draws1, d1, i1 = one("dask", 1, runs, folder)
        dask2, draws2, d2, i2 = one("dask", 2, runs, folder)
    load = os.getloadavg()[0]
    same = all(d[k] == ref[k] for d in (d_local, d1, d2)
               for k in ("results", "summary", "tornado", "conditional"))
    elapsed = time.perf_counter() - t_start
    print(f"identical results in all four runs: {same}; whole benchmark {elapsed:.0f} s")
    print(json.dumps({"draws": runs, "single_s": round(single, 1), "local_s": round(local, 1),
                      "dask1_s": round(dask1, 1), "dask2_s": round(dask2, 1),
                      "efficiency_1_to_2": round(draws1 / (2 * draws2), 3),
                      "efficiency_1_to_2_total": round(dask1 / (2 * dask2), 3),
                      # CPU seconds of the draws with 2 workers over those with 1: the work
                      # itself does not grow (1.0) unless splitting it costs CPU
                      "cpu_ratio_2_to_1": round(i2.worker_cpu_s / i1.worker_cpu_s, 3),
                      "draws_per_s": round(runs / local, 1), "cores": cores(),
                      "identical": same, "benchmark_s": round(elapsed, 1),
                      "load_average_1min": round(load, 2)}))


if __name__ == "__main__":
    main()
