"""Main-job benchmark: `euroshield study` on the default scenario, a new process each time.

Times the whole report (two deterrence studies - the scenario's timeline and the infrared-cue
what-if - with flip thresholds and the expansion sweep, maps, charts, CZML, KML, the globe page,
the flight check and index.html) against, in the same run, the deterrence study alone
(`euroshield deterrence --json`), so the report's own cost is visible. Both run after one
warm-up process, so the numerical kernels come from the disk cache (a cold process, not a cold
cache). Target: under 30 s on 2 cores.

Usage: python benchmarks/study.py. The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = [sys.executable, "-m", "euroshield.cli"]


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(EXE + args, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report"
        timed(["study", "--out", str(out)])  # warm-up: JIT cache, Cesium copy, font cache
        study_s = timed(["study", "--out", str(out)])
        deterrence_s = timed(["deterrence", "--json"])
        files = sorted(p.name for p in out.iterdir())
        size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    print(f"euroshield study: {study_s:.1f} s in a new process (deterrence alone "
          f"{deterrence_s:.1f} s); {len(files)} entries, {size_mb:.0f} MB with the globe")
    print(json.dumps({"study_s": round(study_s, 2), "deterrence_only_s": round(deterrence_s, 2),
                      "report_overhead_s": round(study_s - deterrence_s, 2),
                      "target_s": 30.0, "files": files, "cores": os.cpu_count()}))


if __name__ == "__main__":
    main()
