"""Generate the vendored U.S. Standard Atmosphere 1976 table used by euroshield.

Writes ``src/euroshield/earth/data/us76.csv`` from the ``ussa1976`` package
(a dev/test-only dependency; euroshield never imports it at run time).

Grid: uniform 1 km steps from 0 to 1000 km (1001 rows, ~70 KB), so that the
run-time lookup is O(1). With log-linear interpolation of density and pressure
the worst relative error against ussa1976 (checked here on a 100 m grid) is
about 0.23 % below 86 km and 0.12 % above; the script fails if it exceeds the
design budget of 0.5 % / 2 %.

Usage::

    python tools/make_us76_table.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import ussa1976

STEP_M = 1000.0
TOP_M = 1_000_000.0
OUT = Path(__file__).resolve().parents[1] / "src/euroshield/earth/data/us76.csv"

# Above 86 km ussa1976 leaves the speed of sound undefined (NaN): the US76
# document does not tabulate it there. We fill it with the ideal-gas value
# sqrt(gamma R T), gamma = 1.4, R = 287.05 J/(kg K), an approximation that only
# matters for Mach-dependent drag, i.e. in the boost phase below ~100 km.
GAMMA_AIR = 1.4
R_AIR = 287.05

BUDGET_LOW = 0.005  # max rel. error of rho and p below 86 km
BUDGET_HIGH = 0.02  # max rel. error of rho and p at and above 86 km


def compute(z_m: np.ndarray) -> dict[str, np.ndarray]:
    """US76 temperature, pressure, density and speed of sound at geometric altitudes."""
    ds = ussa1976.compute(z=z_m, variables=["t", "p", "rho", "cs"])
    t = ds["t"].to_numpy()
    cs = ds["cs"].to_numpy()
    cs = np.where(np.isnan(cs), np.sqrt(GAMMA_AIR * R_AIR * t), cs)
    return {"t": t, "p": ds["p"].to_numpy(), "rho": ds["rho"].to_numpy(), "cs": cs}


def check_accuracy(z_grid: np.ndarray, grid: dict[str, np.ndarray]) -> dict[str, float]:
    """Max relative log-linear interpolation error of rho and p vs a 100 m reference."""
    z_ref = np.arange(0.0, TOP_M + 1.0, 100.0)
    ref = compute(z_ref)
    low = z_ref < 86_000.0
    errors = {}
    for key in ("rho", "p"):
        interp = np.exp(np.interp(z_ref, z_grid, np.log(grid[key])))
        rel = np.abs(interp / ref[key] - 1.0)
        errors[f"{key}_below_86km"] = float(rel[low].max())
        errors[f"{key}_above_86km"] = float(rel[~low].max())
    return errors


def main() -> None:
    z = np.arange(0.0, TOP_M + 1.0, STEP_M)
    data = compute(z)
    errors = check_accuracy(z, data)
    for name, value in errors.items():
        print(f"max rel. error {name}: {value:.3e}")
        budget = BUDGET_LOW if "below" in name else BUDGET_HIGH
        if value > budget:
            raise SystemExit(f"{name} = {value:.3e} exceeds budget {budget}")

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="ascii", newline="\n") as fh:
        fh.write(
            "# U.S. Standard Atmosphere 1976 (NOAA/NASA/USAF, public domain); geometric "
            "altitude; computed with the ussa1976 Python package by tools/make_us76_table.py; "
            "speed of sound above 86 km = sqrt(1.4*287.05*T) (approximation)\n"
        )
        fh.write("altitude_m,temperature_K,pressure_Pa,density_kg_m3,speed_of_sound_m_s\n")
        for i, zi in enumerate(z):
            fh.write(
                f"{zi:.0f},{data['t'][i]:.6f},{data['p'][i]:.9e},"
                f"{data['rho'][i]:.9e},{data['cs'][i]:.6f}\n"
            )
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(z)} rows)")


if __name__ == "__main__":
    main()
