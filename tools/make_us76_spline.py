"""Write the cubic-spline coefficients of log density and log pressure through the vendored US76
table (scipy.interpolate.CubicSpline, not-a-knot) to src/euroshield/earth/data/us76_spline.json.

euroshield.earth.atmosphere reads this copy so that importing euroshield does not import
scipy.interpolate (0.5 s of every command's start-up); tests/unit/test_atmosphere_spline.py
checks it against CubicSpline on the table, bit for bit. Rerun after make_us76_table.py.
Usage: python tools/make_us76_spline.py
"""

import json
from pathlib import Path

import numpy as np
from scipy.interpolate import CubicSpline

DATA = Path(__file__).resolve().parents[1] / "src/euroshield/earth/data"


def coefficients(table: np.ndarray) -> dict[str, list]:
    z = table[:, 0]
    return {"log_density": CubicSpline(z, np.log(table[:, 3])).c.tolist(),
            "log_pressure": CubicSpline(z, np.log(table[:, 2])).c.tolist()}


def main() -> None:
    lines = [ln for ln in (DATA / "us76.csv").read_text("ascii").splitlines()
             if ln and not ln.startswith("#")]
    table = np.array([[float(v) for v in ln.split(",")] for ln in lines[1:]])
    out = {"source": "scipy.interpolate.CubicSpline (not-a-knot) through us76.csv; "
                     "rows: powers 3..0 of the offset from the left node [m]",
           **coefficients(table)}
    (DATA / "us76_spline.json").write_text(json.dumps(out) + "\n", encoding="utf-8")
    print(f"wrote {DATA / 'us76_spline.json'}")


if __name__ == "__main__":
    main()
