"""Aiming: solve the guidance so a missile lands on its target on the rotating Earth.

Unknowns per shot: launch azimuth, pitch-over kick angle and thrust-cutoff time (thrust
termination, as solid ICBMs do with thrust-termination ports and liquid ones by engine cut-off).
Three equations: down-range and cross-range miss, plus one that fixes the trajectory shape:

- ``minimum-energy``: the inertial burnout flight-path angle equals the angle that maximises the
  two-body range for the burnout radius and speed actually reached (the burnout speed needed is
  then the least possible);
- ``lofted``: the apogee height equals the requested value;
- ``depressed``: the inertial burnout flight-path angle equals the requested value.

Newton iterations with a finite-difference Jacobian; each iteration flies 4 trajectories per
active shot in one batched integrator call. The starting guess comes from a small table of shots
flown once per vehicle on a non-rotating Earth.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from euroshield.earth import frames, geodesy
from euroshield.errors import InputError, UnreachableTargetError
from euroshield.flight import kepler
from euroshield.flight.engine import Physics, fly_missiles
from euroshield.flight.search import golden_max
from euroshield.flight.trajectory import TrajectoryBatch
from euroshield.flight.vehicles import Missile, pack_vehicles

SHAPES = ("minimum-energy", "lofted", "depressed")
KICK_MIN_DEG, KICK_MAX_DEG = 0.05, 60.0
_STEP_DEG_AZ, _STEP_DEG_KICK, _STEP_S_CUT = 1e-3, 1e-3, 0.02


@dataclass
class AimResult:
    """Guidance solutions (arrays over shots) and the final flown trajectories."""

    # launch azimuth: the pitch-over plane's azimuth, clockwise from geocentric north at the
    # launch point (not the bearing to the target: it includes the Earth-rotation aim-off)
    azimuth_deg: np.ndarray
    kick_deg: np.ndarray
    cutoff_s: np.ndarray
    miss_m: np.ndarray
    converged: np.ndarray
    reachable: np.ndarray
    iterations: int
    batch: TrajectoryBatch
    full_burn: np.ndarray  # minimum-energy shots beyond the family's reach, flown at full burn


def _cutoff_bounds(m: Missile) -> tuple[float, float]:
    t_min = m.guidance.vertical_rise_s + m.guidance.pitchover_s + 5.0
    return t_min, m.total_burn_time_s


@lru_cache(maxsize=32)
def _shot_table(missile_json: str, physics: Physics):
    """Range, burnout and apogee over a (kick, cutoff) grid, non-rotating Earth, launch at (0, 0)
    heading north: the starting guesses for Newton."""
    m = Missile.model_validate_json(missile_json)
    tables = pack_vehicles([m])
    t_lo, t_hi = _cutoff_bounds(m)
    kicks = np.concatenate([np.linspace(0.2, 4.0, 8), np.linspace(5.0, 50.0, 19)])
    cuts = np.linspace(t_lo, t_hi, 24)
    kk, cc = np.meshgrid(kicks, cuts, indexing="ij")
    ph = Physics(
        rotating=False, j2=physics.j2, drag=physics.drag, sphere_radius_m=physics.sphere_radius_m
    )
    b = fly_missiles(tables, 0, 0.0, 0.0, 0.0, kk.ravel(), cc.ravel(), physics=ph)
    rng = np.where(b.ok, b.ground_range_m(), np.nan).reshape(kk.shape)
    gam = b.burnout_gamma_deg().reshape(kk.shape)
    apo = b.apogee_height_m().reshape(kk.shape)
    r_bo = np.linalg.norm(b.burnout_state_eci[:, :3], axis=-1)
    v_bo = b.burnout_speed_m_s()
    r_imp = np.linalg.norm(b.impact_state_eci[:, :3], axis=-1)
    g_opt = np.degrees(kepler.optimal_gamma(r_bo, v_bo, r_imp)).reshape(kk.shape)
    return kicks, cuts, rng, gam, apo, g_opt


def _initial_guess(m: Missile, physics: Physics, dist_m, shape, apogee_m, gamma_deg):
    kicks, cuts, rng, gam, apo, g_opt = _shot_table(m.model_dump_json(), physics)
    n = len(dist_m)
    kick0 = np.full(n, 20.0)
    cut0 = np.full(n, cuts[-1])
    for i in range(n):
        best = None
        for a, _k in enumerate(kicks):
            row = rng[a]
            ok = np.isfinite(row)
            if not ok.any() or np.nanmax(row) < dist_m[i]:
                continue
            j = int(np.argmax(row >= dist_m[i]))
            if j == 0:
                tc, f = cuts[0], 0.0
                jj = 0
            else:
                f = (dist_m[i] - row[j - 1]) / (row[j] - row[j - 1])
                tc = cuts[j - 1] + f * (cuts[j] - cuts[j - 1])
                jj = j - 1
            jn = min(jj + 1, len(cuts) - 1)
            if shape == "lofted":
                res = (apo[a, jj] + f * (apo[a, jn] - apo[a, jj]) - apogee_m[i]) / 1e3
            elif shape == "depressed":
                res = gam[a, jj] + f * (gam[a, jn] - gam[a, jj]) - gamma_deg[i]
            else:
                res = (gam[a, jj] + f * (gam[a, jn] - gam[a, jj])
                       - (g_opt[a, jj] + f * (g_opt[a, jn] - g_opt[a, jj])))
            if best is None or abs(res) < abs(best[0]):
                best = (res, kicks[a], tc)
        if best is not None:
            kick0[i], cut0[i] = best[1], best[2]
    return kick0, cut0


def _residuals(b: TrajectoryBatch, lat0, lon0, dist, az_t, r_target, shape, apogee_m, gamma_deg):
    """Scaled residuals (n, 3): down-range km, cross-range km, shape (km or 0.01 deg units)."""
    lat, lon, _ = b.impact_geodetic()
    d_i, az_i, _ = geodesy.inverse(lat0, lon0, lat, lon)
    dang = np.radians((az_i - az_t + 180.0) % 360.0 - 180.0)
    e_down = (d_i - dist) / 1e3
    e_cross = d_i * np.sin(dang) / 1e3
    if shape == "lofted":
        e_shape = (b.apogee_height_m() - apogee_m) / 1e3
    else:
        g = b.burnout_gamma_deg()
        if shape == "depressed":
            target = gamma_deg
        else:
            r_bo = np.linalg.norm(b.burnout_state_eci[:, :3], axis=-1)
            target = np.degrees(kepler.optimal_gamma(r_bo, b.burnout_speed_m_s(), r_target))
        e_shape = (g - target) * 100.0
    res = np.stack([e_down, e_cross, e_shape], axis=-1)
    res[~b.ok] = np.nan
    return res


def aim(
    missile: Missile,
    launch_lat_deg,
    launch_lon_deg,
    target_lat_deg,
    target_lon_deg,
    shape: str = "minimum-energy",
    apogee_km=None,
    gamma_deg=None,
    physics: Physics | None = None,
    tolerance_m: float = 100.0,
    max_iterations: int = 15,
    record: bool = False,
) -> AimResult:
    """Solve the guidance for every launch/target pair (arrays broadcast together).

    Shots that cannot reach their target come back with ``reachable == False``; use
    :func:`aim_one` for a single shot that raises :class:`UnreachableTargetError` instead.
    """
    if shape not in SHAPES:
        raise InputError(f"shape must be one of {', '.join(SHAPES)}; got {shape!r}")
    physics = physics or Physics()
    lat0, lon0, lat1, lon1 = (
        np.atleast_1d(np.asarray(a, dtype=float)).ravel()
        for a in np.broadcast_arrays(launch_lat_deg, launch_lon_deg, target_lat_deg,
                                     target_lon_deg)
    )
    n = len(lat0)
    apo = np.broadcast_to(np.nan if apogee_km is None else np.asarray(apogee_km) * 1e3, (n,))
    gam = np.broadcast_to(np.nan if gamma_deg is None else np.asarray(gamma_deg, float), (n,))
    if shape == "lofted" and not np.all(np.isfinite(apo)):
        raise InputError("--apogee-km is required for the lofted shape")
    if shape == "depressed" and not np.all(np.isfinite(gam)):
        raise InputError("--gamma-deg is required for the depressed shape")
    tables = pack_vehicles([missile])
    dist, az_t, _ = geodesy.inverse(lat0, lon0, lat1, lon1)
    dist, az_t = np.asarray(dist, float), np.asarray(az_t, float)
    r_target = np.linalg.norm(frames.geodetic_to_ecef(lat1, lon1, 0.0), axis=-1)
    if physics.sphere_radius_m > 0:
        r_target = np.full(n, physics.sphere_radius_m)
    t_lo, t_hi = _cutoff_bounds(missile)

    kick, cut = _initial_guess(missile, physics, dist, shape, apo, gam)
    az = az_t.copy()
    x = np.stack([az, kick, cut], axis=-1)
    lo = np.array([-np.inf, KICK_MIN_DEG, t_lo])
    hi = np.array([np.inf, KICK_MAX_DEG, t_hi])
    steps = np.array([_STEP_DEG_AZ, _STEP_DEG_KICK, _STEP_S_CUT])
    max_dx = np.array([5.0, 8.0, 30.0])
    converged = np.zeros(n, dtype=bool)
    reachable = np.ones(n, dtype=bool)
    iterations = 0

    full_burn = np.zeros(n, dtype=bool)

    def newton(active: np.ndarray) -> None:
        """Newton iterations on the shots in ``active`` (updates x, converged, reachable).
        Shots flagged ``full_burn`` replace the shape equation by cutoff = full burn."""
        nonlocal iterations
        pinned = np.zeros(n, dtype=int)
        for _ in range(max_iterations):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            iterations += 1
            m = idx.size
            xs = np.repeat(x[idx][:, None, :], 4, axis=1)
            for k in range(3):
                xs[:, k + 1, k] += steps[k]
            xs = xs.reshape(-1, 3)
            rep = np.repeat(idx, 4)
            b = fly_missiles(tables, 0, lat0[rep], lon0[rep], xs[:, 0], xs[:, 1], xs[:, 2],
                             physics=physics)
            r = _residuals(b, lat0[rep], lon0[rep], dist[rep], az_t[rep], r_target[rep], shape,
                           apo[rep], gam[rep]).reshape(m, 4, 3)
            fb = full_burn[idx]
            if fb.any():
                r[fb, :, 2] = (xs.reshape(m, 4, 3)[fb, :, 2] - t_hi) * 10.0
            f0 = r[:, 0, :]
            jac = (r[:, 1:, :] - f0[:, None, :]) / steps[None, :, None]  # (m, var, eq)
            jac = np.transpose(jac, (0, 2, 1))  # (m, eq, var)
            miss_ok = np.hypot(f0[:, 0], f0[:, 1]) * 1e3 < tolerance_m
            done = miss_ok & (np.abs(f0[:, 2]) < 0.5)
            converged[idx[done]] = True
            bad = ~np.all(np.isfinite(jac), axis=(1, 2)) | ~np.all(np.isfinite(f0), axis=1)
            with np.errstate(all="ignore"):
                dx = np.linalg.solve(np.where(bad[:, None, None], np.eye(3), jac),
                                     -np.where(bad[:, None], 0.0, f0)[..., None])[..., 0]
            scale = np.max(np.abs(dx) / max_dx, axis=1)
            dx = dx / np.maximum(scale, 1.0)[:, None]
            xn = np.clip(x[idx] + dx, lo, hi)
            # wanting more burn than the missile has while still short: probably out of reach
            at_max = (xn[:, 2] >= t_hi - 1e-9) & (dx[:, 2] > 0) & (
                f0[:, 0] < -tolerance_m / 1e3)
            pinned[idx] = np.where(at_max, pinned[idx] + 1, 0)
            out = pinned[idx] >= 3
            reachable[idx[out]] = False
            # a failed flight (crash during boost) gets a blind step toward a gentler kick
            xn[bad, 1] = np.clip(x[idx][bad, 1] * 0.7, KICK_MIN_DEG, KICK_MAX_DEG)
            x[idx[~done]] = xn[~done]
            active[idx[done | out]] = False

    newton(np.ones(n, dtype=bool))
    # Shots given up near the edge of the envelope: settle reachability with the best full-burn
    # shot on the same heading. With drag and rotation the true maximum range lies beyond the
    # minimum-energy family (whose burnout angle is the two-body optimum), so a minimum-energy
    # shot between the two is flown at full burn, on the lofted side of the range-maximising
    # kick (the side nearer the two-body optimum); ``full_burn`` reports it.
    retry = np.flatnonzero(~converged)
    if retry.size:
        best, heading = reach_toward(missile, lat0[retry], lon0[retry], lat1[retry],
                                     lon1[retry], physics=physics)
        can = np.isfinite(best.max_ground_range_m) & (dist[retry] <= best.max_ground_range_m)
        reachable[retry] = can
        again = retry[can]
        if again.size and shape == "minimum-energy":
            full_burn[again] = True
            # the range grows with the kick up to the range-maximising one: bisect for the kick
            # whose full-burn range is the target distance, then let Newton fix the heading
            k_lo = np.maximum(best.kick_deg[can] - 15.0, KICK_MIN_DEG)
            k_hi = best.kick_deg[can].copy()
            for _ in range(25):
                k_mid = 0.5 * (k_lo + k_hi)
                fb_b = fly_missiles(tables, 0, lat0[again], lon0[again], heading[can], k_mid,
                                    t_hi, physics=physics)
                short = np.where(fb_b.ok, fb_b.ground_range_m(), -1.0) < dist[again]
                k_lo = np.where(short, k_mid, k_lo)
                k_hi = np.where(short, k_hi, k_mid)
            x[again] = np.stack([heading[can], 0.5 * (k_lo + k_hi),
                                 np.full(again.size, t_hi)], axis=-1)
            active = np.zeros(n, dtype=bool)
            active[again] = True
            newton(active)
            reachable[again] = True  # reach() showed it: a failure here is non-convergence

    b = fly_missiles(tables, 0, lat0, lon0, x[:, 0], x[:, 1], x[:, 2], physics=physics,
                     record=record)
    lat, lon, _ = b.impact_geodetic()
    miss, _, _ = geodesy.inverse(lat, lon, lat1, lon1)
    miss = np.where(b.ok, np.asarray(miss, float), np.nan)
    converged &= np.isfinite(miss) & (miss < 10 * tolerance_m)
    return AimResult(x[:, 0] % 360.0, x[:, 1], x[:, 2], miss, converged, reachable, iterations,
                     b, full_burn & converged)


@dataclass
class Reach:
    """Best full-burn shot on a launch azimuth."""

    max_ground_range_m: np.ndarray
    kick_deg: np.ndarray
    batch: TrajectoryBatch


def reach(
    missile: Missile,
    launch_lat_deg,
    launch_lon_deg,
    azimuth_deg,
    physics: Physics | None = None,
    iterations: int = 40,
    record: bool = False,
) -> Reach:
    """Maximum ground range on a launch azimuth (full burn, kick optimised by golden section)."""
    physics = physics or Physics()
    lat, lon, az = (
        np.atleast_1d(np.asarray(a, dtype=float)).ravel()
        for a in np.broadcast_arrays(launch_lat_deg, launch_lon_deg, azimuth_deg)
    )
    tables = pack_vehicles([missile])
    t_full = missile.total_burn_time_s
    n = len(lat)

    def rng(k):
        b = fly_missiles(tables, 0, lat, lon, az, k, t_full, physics=physics)
        return np.where(b.ok, b.ground_range_m(), -1.0)

    # coarse scan, then golden section inside the best bracket
    grid = np.concatenate([np.linspace(0.5, 4.0, 5), np.linspace(6.0, 50.0, 12)])
    g = len(grid)
    b = fly_missiles(tables, 0, np.repeat(lat, g), np.repeat(lon, g), np.repeat(az, g),
                     np.tile(grid, n), t_full, physics=physics)
    vals = np.where(b.ok, b.ground_range_m(), -1.0).reshape(n, g)
    j = np.argmax(vals, axis=1)
    lo = grid[np.maximum(j - 1, 0)]
    hi = grid[np.minimum(j + 1, len(grid) - 1)]
    k_best = golden_max(rng, lo, hi, iterations, xtol=1e-3)
    b = fly_missiles(tables, 0, lat, lon, az, k_best, t_full, physics=physics, record=record)
    return Reach(np.where(b.ok, b.ground_range_m(), np.nan), k_best, b)


def reach_toward(missile: Missile, launch_lat_deg, launch_lon_deg, target_lat_deg,
                 target_lon_deg, physics: Physics | None = None, iterations: int = 3):
    """Best full-burn shot whose impact lies on the bearing of the target.

    The Earth turns under the flight, so the launch heading differs from the target bearing by
    several degrees on long shots: the heading is corrected by the bearing error of the best
    shot, ``iterations`` times. Returns (Reach, heading_deg)."""
    lat0, lon0, lat1, lon1 = (
        np.atleast_1d(np.asarray(a, dtype=float))
        for a in np.broadcast_arrays(launch_lat_deg, launch_lon_deg, target_lat_deg,
                                     target_lon_deg))
    _, az_t, _ = geodesy.inverse(lat0, lon0, lat1, lon1)
    az_t = np.asarray(az_t, dtype=float)
    heading = az_t.copy()
    for _ in range(iterations):
        best = reach(missile, lat0, lon0, heading, physics=physics)
        lat_i, lon_i, _ = best.batch.impact_geodetic()
        _, bearing, _ = geodesy.inverse(lat0, lon0, lat_i, lon_i)
        err = (az_t - np.asarray(bearing) + 180.0) % 360.0 - 180.0
        heading = heading + np.where(np.isfinite(err), err, 0.0)
    return reach(missile, lat0, lon0, heading, physics=physics), heading


def aim_one(missile: Missile, launch, target, shape="minimum-energy", apogee_km=None,
            gamma_deg=None, physics: Physics | None = None, record: bool = False) -> AimResult:
    """Aim a single shot; raise :class:`UnreachableTargetError` with the reach if it cannot."""
    res = aim(missile, launch[0], launch[1], target[0], target[1], shape=shape,
              apogee_km=apogee_km, gamma_deg=gamma_deg, physics=physics, record=record)
    if not res.converged[0]:
        dist, _, _ = geodesy.inverse(launch[0], launch[1], target[0], target[1])
        best, heading = reach_toward(missile, launch[0], launch[1], target[0], target[1],
                                     physics=physics)
        az = heading[0]
        max_km = float(best.max_ground_range_m[0]) / 1e3
        d_km = float(dist) / 1e3
        if not np.isfinite(max_km):
            raise UnreachableTargetError(
                f"{missile.name} reaches no range on azimuth {float(az) % 360:.1f} deg (every "
                "full-burn trial failed during boost)")
        if not res.reachable[0] or d_km > max_km:
            raise UnreachableTargetError(
                f"target is {d_km:,.0f} km away, beyond the reach of {missile.name}: maximum "
                f"range on azimuth {float(az) % 360:.1f} deg is {max_km:,.0f} km (the launch "
                "heading toward the target, allowing for the Earth's rotation)",
                max_range_km=max_km,
            )
        raise InputError(
            f"aiming did not converge for shape {shape} (miss {res.miss_m[0] / 1e3:.1f} km); "
            "the requested shape may be infeasible for this missile at this range"
        )
    return res
