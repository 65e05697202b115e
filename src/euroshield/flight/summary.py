"""Plain-dict summaries of flights (units in the key names). Their keys are part of the public
JSON interface of the command line: add keys, never rename them."""

from __future__ import annotations

import numpy as np

from euroshield.earth import frames, geodesy
from euroshield.earth.constants import R_MEAN_EARTH
from euroshield.flight import kepler
from euroshield.flight.engine import Physics, fly_ballistic, ground_point_eci
from euroshield.flight.trajectory import TrajectoryBatch, flight_path_angle_deg
from euroshield.flight.vehicles import ballistic_rv


def _f(x, nd: int = 3) -> float | None:
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


def flight_record(b: TrajectoryBatch, i: int = 0) -> dict:
    """Burnout, apogee and impact of trajectory ``i`` of a batch."""
    lat, lon, _ = b.impact_geodetic()
    _, _, h_bo = b.burnout_geodetic()
    return {
        "ground_range_km": _f(b.ground_range_m()[i] / 1e3),
        "flight_time_s": _f(b.flight_time_s[i]),
        "apogee_km": _f(b.max_height_m[i] / 1e3),
        "burnout_time_s": _f(b.burnout_time_s[i]),
        "burnout_speed_kms": _f(b.burnout_speed_m_s()[i] / 1e3, 4),
        "burnout_gamma_deg": _f(b.burnout_gamma_deg()[i]),
        "burnout_altitude_km": _f(h_bo[i] / 1e3),
        "reentry_time_s": _f(b.reentry_time_s[i]),
        "impact_speed_kms": _f(np.linalg.norm(b.impact_state_eci[i, 3:]) / 1e3, 4),
        "impact_lat": _f(lat[i], 5),
        "impact_lon": _f(lon[i], 5),
    }


def free_flight_closed(altitude_km: float, speed_kms: float, gamma_deg: float,
                       earth_radius_km: float = R_MEAN_EARTH / 1e3,
                       reentry_altitude_km: float = 0.0) -> dict:
    """BMW closed form on a non-rotating sphere."""
    r_km = earth_radius_km
    ff = kepler.free_flight((r_km + altitude_km) * 1e3, speed_kms * 1e3, np.radians(gamma_deg),
                            (r_km + reentry_altitude_km) * 1e3)
    psi = float(ff.range_angle_rad)
    return {
        "model": "kepler (two-body, non-rotating sphere)",
        "range_angle_deg": _f(np.degrees(psi), 4),
        "ground_range_km": _f(psi * r_km),
        "flight_time_s": _f(ff.flight_time_s),
        "apogee_km": _f(float(ff.apogee_radius_m) / 1e3 - r_km),
    }


def minimum_energy_state(range_km: float, altitude_km: float = 0.0,
                         earth_radius_km: float = R_MEAN_EARTH / 1e3,
                         reentry_altitude_km: float = 0.0) -> tuple[float, float]:
    """Unrounded minimum-energy burnout speed [m/s] and flight-path angle [deg]."""
    r_km = earth_radius_km
    v, g, _, _ = kepler.minimum_energy(range_km / r_km, (r_km + altitude_km) * 1e3,
                                       (r_km + reentry_altitude_km) * 1e3)
    return float(v), float(np.degrees(g))


def minimum_energy_closed(range_km: float, altitude_km: float = 0.0,
                          earth_radius_km: float = R_MEAN_EARTH / 1e3,
                          reentry_altitude_km: float = 0.0) -> dict:
    r_km = earth_radius_km
    v, g, tof, ra = kepler.minimum_energy(range_km / r_km, (r_km + altitude_km) * 1e3,
                                          (r_km + reentry_altitude_km) * 1e3)
    return {
        "model": "kepler minimum-energy ellipse (non-rotating sphere)",
        "speed_kms": _f(v / 1e3, 4),
        "gamma_deg": _f(np.degrees(g), 4),
        "flight_time_s": _f(tof),
        "apogee_km": _f(float(ra) / 1e3 - r_km),
    }


def burnout_state(lat_deg, lon_deg, altitude_m, speed_m_s, gamma_deg, azimuth_deg,
                  physics: Physics, relative_to_earth: bool = True) -> np.ndarray:
    """ECI state(s) at t = 0 for a burnout above (lat, lon): speed and flight-path angle relative
    to the rotating Earth (``relative_to_earth``) or inertial; heading ``azimuth_deg``."""
    p = ground_point_eci(lat_deg, lon_deg, altitude_m, physics)
    r = p[:, :3]  # ECI = ECEF at t = 0
    up, north, east = frames.geocentric_basis(r, lon_deg)
    g = np.radians(np.asarray(gamma_deg, dtype=float))[..., None]
    a = np.radians(np.asarray(azimuth_deg, dtype=float))[..., None]
    v_dir = np.cos(g) * (np.cos(a) * north + np.sin(a) * east) + np.sin(g) * up
    v = np.asarray(speed_m_s, dtype=float)[..., None] * v_dir
    if relative_to_earth:
        v = v + p[:, 3:]
    return np.concatenate([r, v], axis=-1)


def free_flight_numeric(altitude_km: float, speed_kms: float, gamma_deg: float,
                        earth: str = "sphere", rotating: bool = False,
                        earth_radius_km: float = R_MEAN_EARTH / 1e3,
                        reentry_altitude_km: float = 0.0, lat_deg: float = 0.0,
                        lon_deg: float = 0.0, azimuth_deg: float = 90.0,
                        beta_kg_m2: float = 0.0) -> dict:
    """Integrate the same burnout state numerically (no drag unless ``beta_kg_m2 > 0``)."""
    sphere = earth == "sphere"
    ph = Physics(rotating=rotating, j2=not sphere, drag=beta_kg_m2 > 0,
                 sphere_radius_m=earth_radius_km * 1e3 if sphere else 0.0,
                 impact_altitude_m=reentry_altitude_km * 1e3)
    y0 = burnout_state(lat_deg, lon_deg, altitude_km * 1e3, speed_kms * 1e3, gamma_deg,
                       azimuth_deg, ph)
    b = fly_ballistic(y0, 0.0, ballistic_rv(beta_kg_m2), ph, launch_lat_deg=lat_deg,
                      launch_lon_deg=lon_deg)
    r0, r1 = y0[0, :3], b.impact_state_eci[0, :3]
    psi = np.arccos(np.clip(r0 @ r1 / np.linalg.norm(r0) / np.linalg.norm(r1), -1, 1))
    lat, lon, _ = b.impact_geodetic()
    if sphere:
        gr = geodesy.great_circle_distance_sphere(lat_deg, lon_deg, lat, lon,
                                                  radius_m=earth_radius_km * 1e3)
    else:
        gr, _, _ = geodesy.inverse(lat_deg, lon_deg, lat, lon)
    return {
        "model": f"numeric ({'sphere' if sphere else 'WGS84 + J2'}, "
                 f"{'rotating' if rotating else 'non-rotating'}"
                 f"{', drag' if beta_kg_m2 > 0 else ', no drag'})",
        "range_angle_deg": _f(np.degrees(psi), 4),
        "ground_range_km": _f(float(np.asarray(gr).ravel()[0]) / 1e3),
        "flight_time_s": _f(b.flight_time_s[0]),
        "apogee_km": _f(b.max_height_m[0] / 1e3),
        "impact_lat": _f(lat[0], 5),
        "impact_lon": _f(lon[0], 5),
        "burnout_inertial_speed_kms": _f(np.linalg.norm(y0[0, 3:]) / 1e3, 4),
        "burnout_inertial_gamma_deg": _f(flight_path_angle_deg(y0[0]), 4),
    }
