"""Footprint benchmark: the defended area of Europe on a 0.25 deg aim-point grid.

Grid: the default region of the footprint study (34-72 N, 25 W-45 E, land only, Natural Earth
1:110m) every 0.25 deg; threat: the Khorramshahr-like 2,000 km missile from three launch points
(Tabriz, Kermanshah, Khorramabad); defence: three sites of the shield as built (Deveselu SM-3
IB, Redzikowo SM-3 IB and IIA, the Black Sea ship SM-3 IB and IIA) with its radars.

* cold: a new Python process (imports, JIT kernels loaded from the disk cache) running the
  whole footprint, wall time from process start;
* warm: the same footprint again in that process;
* baseline, in the same run: the straightforward method - each aim point flown and evaluated
  alone through the same stages, with fresh fly-out tables (one route at a time, as a script
  calling the deterrence machinery per point would), timed on a sample and scaled;
* peak memory: the process's maximum resident set size.

A progress bar runs on stderr while the footprint is computed.
Usage: python benchmarks/footprint.py [--quick]. The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

SITES = ["deveselu", "redzikowo", "black-sea"]
AREAS = ["iran-north-west", "iran-west"]  # 1 + 2 launch points
MISSILE = "khorramshahr-like"


def setup(quick: bool):
    from euroshield import scenario
    from euroshield.studies import footprint as fp

    sc = scenario.load(None)
    data = sc.model_dump()
    data["sites"] = [s for s in data["sites"] if s["site"] in SITES]
    sc = scenario.parse(data, "benchmark")
    grid = fp.aim_grid(sc.footprint.region, 1.0 if quick else 0.25, land_only=True)
    return sc, grid


def run(sc, grid, progress=None) -> list:
    from euroshield.studies import footprint as fp

    d = fp.defence_of(sc)
    return [fp.footprints([d], a, MISSILE, grid, progress=progress)[0] for a in AREAS]


def child(quick: bool) -> None:
    from rich.progress import Progress

    t0 = time.perf_counter()
    sc, grid = setup(quick)
    with Progress(transient=True) as bar:
        task = bar.add_task("footprint (chunks)", total=None)

        def progress(done, total):
            bar.update(task, completed=done, total=total)

        res = run(sc, grid, progress)
    t1 = time.perf_counter()
    res2 = run(sc, grid)
    t2 = time.perf_counter()
    same = all((a.engageable == b.engageable).all() and (a.threatened == b.threatened).all()
               for a, b in zip(res, res2, strict=True))
    union = {r.launch_area: round(r.area_km2(r.defended())) for r in res}
    threatened = {r.launch_area: round(r.area_km2(r.threatened_any())) for r in res}
    rows = sum(int(r.threatened.size) for r in res)
    print(json.dumps({"aim_points": len(grid), "rows": rows, "first_s": t1 - t0,
                      "warm_s": t2 - t1, "reproducible": bool(same),
                      "defended_km2": union, "threatened_km2": threatened,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def baseline(sc, grid, n: int = 12) -> float:
    """Seconds per (launch point, aim point) row, evaluated one route at a time."""
    import numpy as np

    from euroshield.studies import footprint as fp
    from euroshield.studies.deterrence import shooters_of
    from euroshield.studies.pipeline import ThreatSet, engage, fly, look, reach_of, sense

    (name, lat, lon), = fp.launch_points(AREAS[0])
    near = np.flatnonzero(fp.within_reach(MISSILE, (name, lat, lon), grid.lat_deg,
                                          grid.lon_deg))
    picks = near[:: max(1, len(near) // n)][:n]
    t0 = time.perf_counter()
    for k in picks:
        looks = look(fly(ThreatSet.from_arrays(lat, lon, grid.lat_deg[k], grid.lon_deg[k],
                                               MISSILE)))
        pic = sense(looks, sc.radar_models(), sc.early_warning, sc.timeline,
                    sc.footprint.rcs_m2)
        engage(looks, reach_of(looks, shooters_of(sc)), pic)
    return (time.perf_counter() - t0) / len(picks)


def main() -> None:
    quick = "--quick" in sys.argv
    if "--child" in sys.argv:
        child(quick)
        return
    cmd = [sys.executable, __file__, "--child"] + (["--quick"] if quick else [])
    subprocess.run([sys.executable, __file__, "--child", "--quick"], check=True,
                   capture_output=True)  # fill the JIT disk cache
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    process = time.perf_counter() - t0
    res = json.loads(out.stdout.strip().splitlines()[-1])
    cold = process - res["warm_s"]
    sc, grid = setup(quick)
    per_row = baseline(sc, grid)
    naive = per_row * res["rows"]
    print(f"footprint: {res['aim_points']:,} aim points x 3 launch points x {len(SITES)} "
          f"sites; cold process {cold:.1f} s, warm {res['warm_s']:.1f} s; one route at a "
          f"time {per_row:.2f} s per row -> {naive:.0f} s; peak RSS "
          f"{res['peak_rss_mb']:.0f} MB; defended {res['defended_km2']} km2 of threatened "
          f"{res['threatened_km2']} km2")
    print(json.dumps({
        "aim_points": res["aim_points"], "launch_points": 3, "sites": len(SITES),
        "missile": MISSILE, "cold_s": round(cold, 2), "warm_s": round(res["warm_s"], 2),
        "aim_points_per_s": round(res["aim_points"] / res["warm_s"], 1),
        "baseline_s_per_row": round(per_row, 3), "baseline_s": round(naive, 1),
        "speedup_vs_baseline": round(naive / res["warm_s"], 1),
        "peak_rss_mb": round(res["peak_rss_mb"]), "reproducible": res["reproducible"],
        "target_s": 60.0, "cores": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
