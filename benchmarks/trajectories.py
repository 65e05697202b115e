"""Trajectory engine benchmark: batched numba DOP853 against SciPy's solve_ivp, same physics.

10,000 ICBM free-flight + re-entry trajectories (burnout states spread over routes from Russian
ICBM bases to U.S. targets), rotating WGS84 Earth with J2 and US76 drag on the re-entry vehicle,
through the engine; a 200-trajectory subsample through ``scipy.integrate.solve_ivp`` (DOP853, rtol
1e-10, one call per trajectory) twice: with the physics written in NumPy, the way a one-off
analysis script does it (the headline ``speedup``; the two right-hand sides are checked equal to
1e-9), and, as a much stronger baseline, calling the engine's own numba-compiled right-hand side
(``speedup_vs_compiled_rhs``); all compared with a tight reference (DOP853, rtol 1e-12). Also: time
to aim 1,000 launch/target pairs with full boost, and the cold (empty JIT cache) and warm wall time
of ``euroshield fly``.

Usage: python benchmarks/trajectories.py [--quick]. The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from euroshield import catalog
from euroshield.earth import frames, geodesy
from euroshield.earth.atmosphere import us76
from euroshield.earth.constants import OMEGA_EARTH, WGS84_A, WGS84_B
from euroshield.earth.gravity import gravity
from euroshield.flight import aiming, integrator, kepler
from euroshield.flight.engine import STUDY_RTOL, Physics, fly_ballistic
from euroshield.flight.summary import burnout_state
from euroshield.flight.vehicles import ballistic_rv

# approximate public coordinates (shared reference public-parameters.md B3 and C10)
BASES = {
    "Kozelsk": (54.03, 35.77), "Tatishchevo": (51.67, 45.57), "Teykovo": (56.85, 40.53),
    "Yoshkar-Ola": (56.63, 47.85), "Novosibirsk": (55.33, 83.00), "Nizhny Tagil": (58.07, 60.55),
    "Irkutsk": (52.32, 104.23), "Uzhur": (55.33, 89.80), "Dombarovsky": (50.75, 59.50),
}
TARGETS = {
    "Washington": (38.91, -77.04), "New York": (40.71, -74.01), "Chicago": (41.88, -87.63),
    "Los Angeles": (34.05, -118.24), "Houston": (29.76, -95.37), "Seattle": (47.61, -122.33),
    "Minot": (48.42, -101.36), "Malmstrom": (47.51, -111.18), "F.E. Warren": (41.13, -104.87),
    "Boston": (42.36, -71.06),
}
BETA = 10_000.0  # kg/m^2, strategic RV (catalogue value)
ENGINE_RTOL = STUDY_RTOL  # the engine's study tolerance; its impact error is measured below


def burnout_states(n: int, rng: np.random.Generator, physics: Physics) -> np.ndarray:
    """Burnout states ~ 170 s after launch: 600-900 km downrange of a base on the great circle to
    a U.S. target, 180-250 km up, with the two-body minimum-energy speed for the remaining range
    (scaled by 0.97-1.01) and its optimal flight-path angle, relative to the rotating Earth."""
    b = rng.integers(len(BASES), size=n)
    t = rng.integers(len(TARGETS), size=n)
    lat0 = np.array([list(BASES.values())[i][0] for i in b])
    lon0 = np.array([list(BASES.values())[i][1] for i in b])
    lat1 = np.array([list(TARGETS.values())[i][0] for i in t])
    lon1 = np.array([list(TARGETS.values())[i][1] for i in t])
    dist, az, _ = geodesy.inverse(lat0, lon0, lat1, lon1)
    down = rng.uniform(600e3, 900e3, n)
    la, lo, az_bo = geodesy.direct(lat0, lon0, az, down)
    h = rng.uniform(180e3, 250e3, n)
    r_e = 6371e3
    psi = (np.asarray(dist) - down) / r_e
    v, g, _, _ = kepler.minimum_energy(psi, r_e + h, r_e)
    v = v * rng.uniform(0.97, 1.01, n)
    return burnout_state(la, lo, h, v, np.degrees(g), az_bo, physics, relative_to_earth=False)


def scipy_rhs_factory(physics: Physics):
    env = physics.env()
    seg = np.zeros(integrator.N_SEG)
    seg[integrator.G_TYPE] = integrator.SEG_COAST
    seg[integrator.G_BETA] = BETA
    cdm, cdv = np.array([0.0, 1.0]), np.zeros(2)
    rhs_nb = integrator.rhs
    height = integrator._height

    def f(t, y):
        return np.array(rhs_nb(t, y[0], y[1], y[2], y[3], y[4], y[5], seg, env, cdm, cdv, 2))

    def ground(t, y):
        return height(y[0], y[1], y[2], 0.0)

    ground.terminal = True
    ground.direction = -1
    return f, ground


def numpy_rhs_factory(physics: Physics):
    """The same physics written the way a one-off analysis script would: NumPy on each call,
    using the public vectorised Earth-model functions (checked against the compiled RHS)."""
    omega = physics.omega

    def f(t, y):
        r, v = y[:3], y[3:]
        a = gravity(r[None, :], j2=True)[0]
        # height along the radius, as the engine's air model (within 1 m of geodetic below 100 km)
        rn = np.linalg.norm(r)
        s2 = (r[2] / rn) ** 2
        h = rn - WGS84_A * WGS84_B / np.sqrt(WGS84_B**2 * (1 - s2) + WGS84_A**2 * s2)
        rho = float(us76(h).density_kg_m3) if h <= 1e6 else 0.0
        w = v - np.cross([0.0, 0.0, omega], r)
        a = a - 0.5 * rho * np.linalg.norm(w) * w / BETA
        return np.concatenate([v, a])

    def ground(t, y):
        return frames.ecef_to_geodetic(y[:3])[2]

    ground.terminal = True
    ground.direction = -1
    return f, ground


def scipy_impacts(y0: np.ndarray, rtol: float, atol: float, physics: Physics,
                  factory=scipy_rhs_factory) -> np.ndarray:
    f, ground = factory(physics)
    out = np.empty((len(y0), 4))
    for i, y in enumerate(y0):
        sol = solve_ivp(f, (0.0, 5000.0), y, method="DOP853", rtol=rtol, atol=atol,
                        events=ground)
        te = sol.t_events[0][0]
        out[i, 0] = te
        out[i, 1:] = sol.y_events[0][0][:3]
    return out


def ecef_impacts(t: np.ndarray, r: np.ndarray) -> np.ndarray:
    return frames.eci_to_ecef(r, t) if OMEGA_EARTH else r


def time_fly(cold: bool) -> float:
    env = dict(os.environ)
    tmp = None
    if cold:
        tmp = tempfile.mkdtemp(prefix="es-numba-")
        env["NUMBA_CACHE_DIR"] = tmp
    exe = Path(sys.executable).with_name("euroshield")
    t = time.perf_counter()
    subprocess.run([str(exe), "fly", "--launch", "54.03,35.77", "--target", "38.91,-77.04",
                    "--json"], check=True, env=env, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    quick = "--quick" in sys.argv
    rtol = float(sys.argv[sys.argv.index("--rtol") + 1]) if "--rtol" in sys.argv else ENGINE_RTOL
    n_engine = 2000 if quick else 10_000
    n_scipy = 40 if quick else 200
    rng = np.random.default_rng(20261127)
    def arg(name, default):
        return float(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default

    physics = Physics(rtol=rtol, atol_position_m=arg("--atol-r", Physics.atol_position_m),
                      atol_velocity_m_s=arg("--atol-v", Physics.atol_velocity_m_s))
    tables = ballistic_rv(BETA)
    y0 = burnout_states(n_engine, rng, physics)

    # warm-up (JIT compile or cache load), not timed; best of three runs
    fly_ballistic(y0[:4], 0.0, tables, physics)
    t_engine = np.inf
    for _ in range(3):
        t = time.perf_counter()
        b = fly_ballistic(y0, 0.0, tables, physics)
        t_engine = min(t_engine, time.perf_counter() - t)
    assert b.ok.all(), "every benchmark trajectory must impact"
    eng_imp = ecef_impacts(b.impact_time_s, b.impact_state_eci[:, :3])

    sub = rng.choice(n_engine, size=n_scipy, replace=False)
    scipy_impacts(y0[sub][:1], 1e-10, 1e-6, physics)  # warm-up: numba's Python entry points
    t = time.perf_counter()
    sp = scipy_impacts(y0[sub], 1e-10, 1e-6, physics)
    t_scipy = time.perf_counter() - t
    # the typical-script baseline: same physics in NumPy (a few trajectories suffice to time it)
    fc, _ = scipy_rhs_factory(physics)
    fn, _ = numpy_rhs_factory(physics)
    for y in y0[sub[:5]]:
        for hh in (0.0, 60e3, 20e3):  # compare the two right-hand sides in and above the air
            yy = y.copy()
            yy[:3] *= (6371e3 + hh) / np.linalg.norm(yy[:3])
            np.testing.assert_allclose(fn(0.0, yy), fc(0.0, yy), rtol=1e-9, atol=1e-9)
    t = time.perf_counter()
    sp_np = scipy_impacts(y0[sub], 1e-10, 1e-6, physics, numpy_rhs_factory)
    numpy_rate = n_scipy / (time.perf_counter() - t)
    ref = scipy_impacts(y0[sub], 1e-12, 1e-9, physics)
    ref_imp = ecef_impacts(ref[:, 0], ref[:, 1:])
    sp_imp = ecef_impacts(sp[:, 0], sp[:, 1:])
    err_engine = np.linalg.norm(eng_imp[sub] - ref_imp, axis=-1)
    err_scipy = np.linalg.norm(sp_imp - ref_imp, axis=-1)

    engine_rate = n_engine / t_engine
    scipy_rate = n_scipy / t_scipy
    print(f"engine: {n_engine} trajectories in {t_engine:.2f} s -> {engine_rate:,.0f} traj/s "
          f"(mean {b.n_steps.mean():.0f} steps)")
    err_np = np.linalg.norm(ecef_impacts(sp_np[:, 0], sp_np[:, 1:]) - ref_imp, axis=-1)
    print(f"scipy DOP853 rtol 1e-10, NumPy right-hand side: {numpy_rate:,.2f} traj/s "
          f"(impact error {err_np.max():.4f} m)")
    print(f"scipy DOP853 rtol 1e-10, the engine's compiled right-hand side: {n_scipy} "
          f"trajectories in {t_scipy:.2f} s -> {scipy_rate:,.1f} traj/s")
    print(f"impact error vs rtol 1e-12 reference: engine max {err_engine.max():.4f} m, "
          f"scipy(1e-10) max {err_scipy.max():.4f} m")

    # aiming 1,000 launch/target pairs with full boost
    m = catalog.get_missile("topol-m-like")
    n_aim = 200 if quick else 1000
    bi = rng.integers(len(BASES), size=n_aim)
    ti = rng.integers(len(TARGETS), size=n_aim)
    la0 = np.array([list(BASES.values())[i][0] for i in bi])
    lo0 = np.array([list(BASES.values())[i][1] for i in bi])
    la1 = np.array([list(TARGETS.values())[i][0] for i in ti]) + rng.uniform(-1, 1, n_aim)
    lo1 = np.array([list(TARGETS.values())[i][1] for i in ti]) + rng.uniform(-1, 1, n_aim)
    aiming.aim(m, la0[:2], lo0[:2], la1[:2], lo1[:2])  # warm-up
    t = time.perf_counter()
    res = aiming.aim(m, la0, lo0, la1, lo1)
    t_aim = time.perf_counter() - t
    ok = res.converged & res.reachable
    print(f"aim {n_aim} pairs (topol-m-like, minimum energy, full boost): {t_aim:.1f} s; "
          f"{ok.sum()} converged, max miss {np.nanmax(res.miss_m[ok]):.1f} m; "
          f"{(~res.reachable).sum()} out of reach")

    fly_cold = time_fly(cold=True)
    fly_warm = time_fly(cold=False)
    print(f"euroshield fly: cold (empty JIT cache) {fly_cold:.1f} s, warm {fly_warm:.1f} s")

    print(json.dumps({
        "engine_traj_per_s": round(engine_rate, 1),
        "engine_rtol": rtol,
        "scipy_traj_per_s": round(numpy_rate, 3),
        "speedup": round(engine_rate / numpy_rate, 1),
        "max_impact_error_m": round(float(err_engine.max()), 4),
        "scipy_max_impact_error_m": round(float(err_scipy.max()), 4),
        "scipy_compiled_rhs_traj_per_s": round(scipy_rate, 2),
        "speedup_vs_compiled_rhs": round(engine_rate / scipy_rate, 1),
        "n_engine": n_engine,
        "n_scipy": n_scipy,
        "aim_pairs": n_aim,
        "aim_s": round(t_aim, 2),
        "aim_converged": int(ok.sum()),
        "fly_cold_s": round(fly_cold, 2),
        "fly_warm_s": round(fly_warm, 2),
        "cores": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
