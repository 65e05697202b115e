"""Write tests/data/deterrence-golden.json.gz: the deterrence verdicts of the built-in scenarios
(scenario timeline and the infrared-cue what-if) as computed by euroshield at the commit named
in the file, before the study layer became pipeline stages. The regression test
tests/integration/test_pipeline_regression.py checks that the pipeline gives the same verdicts.

Run: .venv/bin/python tools/make_deterrence_golden.py  (takes about two minutes)
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from euroshield import scenario
from euroshield.studies.deterrence import deterrence

KEYS = ("base", "target", "site", "interceptor", "engageable", "reason", "intercept_time_s",
        "intercept_altitude_km", "margin_s", "earliest_launch_s", "latest_launch_s",
        "track_time_s", "launch_allowed_s", "threshold_speed_kms")


def with_fire_control(sc, fc):
    data = sc.model_dump(exclude_none=True)
    data["threats"]["missile"] = "topol-m-like"  # the golden rule: one missile at every base
    data["timeline"]["fire_control"] = fc
    data["early_warning"]["enabled"] = True
    return scenario.parse(data, "scenario")


def main() -> None:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=False).stdout.strip()
    out = {"commit": commit, "note": "verdicts before the pipeline refactor (issue 8)",
           "runs": []}
    for name in scenario.builtin_names():
        base = scenario.load(name)
        for fc in ("radar-track", "ir-cue"):
            res = deterrence(with_fire_control(base, fc))
            out["runs"].append({"scenario": name, "fire_control": fc,
                                "routes": [{k: r[k] for k in KEYS} for r in res.routes]})
            print(name, fc, sum(r["engageable"] for r in res.routes), file=sys.stderr)
    path = Path(__file__).resolve().parents[1] / "tests" / "data" / "deterrence-golden.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(out, f, sort_keys=True, separators=(",", ":"))


if __name__ == "__main__":
    main()
