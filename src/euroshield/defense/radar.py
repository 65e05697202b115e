"""Ground radars: look angles, line of sight over the WGS84 Earth with 4/3-Earth refraction,
detection range scaled with radar cross-section, and detections along trajectories.

Geometry: the radar sits at a geodetic point; target positions are Earth-fixed (ECEF, m). Line of
sight uses the standard effective-Earth-radius model of atmospheric refraction (k = 4/3): rays
are straight over an Earth of radius k R, where R is the ellipsoid's local Gaussian mean radius,
so the elevation of a target at great-circle distance d and height h seen from a radar at height
h_r is

    sin(el) = ((kR + h) cos(d/kR) - (kR + h_r)) / D,  D^2 = (kR+h_r)^2 + (kR+h)^2
              - 2 (kR+h_r)(kR+h) cos(d/kR).

Detection range follows the radar equation: for a fixed radar and dwell, R_max scales as
RCS^(1/4) from a reference (R_ref for RCS_ref). Detections are evaluated every revisit interval
along each trajectory; a track is established at the N-th detection.

The measurement-model fields (``pfa``, ``pd_at_reference``, the ``*_sigma_*`` accuracies) are
used by :mod:`euroshield.defense.sensors` only (noisy measurements with a Swerling 1
detection probability); the detection rule above does not read them. Space-based infrared
sensors (:class:`SpaceSensor`, cue only) are listed under ``space_sensors:`` in the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from euroshield.earth import frames, geodesy
from euroshield.earth.constants import R_MEAN_EARTH, WGS84_A, WGS84_E2
from euroshield.flight.vehicles import Source

REFRACTION_K = 4.0 / 3.0  # standard-atmosphere effective Earth radius factor


# bounds of the measurement-model fields: (low, high, low bound excluded, unit for messages)
_MEASUREMENT_BOUNDS = {
    "pfa": (0.0, 0.01, True, ""),
    "pd_at_reference": (0.0, 0.999, True, ""),
    "range_sigma_m": (0.0, 10_000.0, True, " m"),
    "range_sigma_floor_m": (0.0, 10_000.0, False, " m"),
    "angle_sigma_mrad": (0.0, 100.0, True, " mrad"),
    "angle_sigma_floor_mrad": (0.0, 100.0, False, " mrad"),
    "range_rate_sigma_m_s": (0.0, 1_000.0, True, " m/s"),
    "range_rate_sigma_floor_m_s": (0.0, 1_000.0, False, " m/s"),
}
_SIGMA_UNITS = {"range": "m", "angle": "mrad", "range_rate": "m_s"}


class Radar(BaseModel):
    """A ground radar (units in field names; azimuths from north, clockwise)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    description: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    height_m: float = Field(default=0.0, ge=-500, le=9000)
    boresight_azimuth_deg: float | None = Field(default=None, ge=0, lt=360,
                                                description="None: full azimuth coverage")
    half_width_deg: float = Field(default=180.0, gt=0, le=180)
    min_elevation_deg: float = Field(default=0.0, ge=-2, le=60)
    max_elevation_deg: float = Field(default=90.0, gt=0, le=90)
    reference_range_km: float = Field(gt=0, le=20000)
    reference_rcs_m2: float = Field(gt=0, le=1000)
    revisit_s: float = Field(default=5.0, gt=0, le=600)
    detections_for_track: int = Field(default=3, ge=1, le=100)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    sources: list[Source] = Field(min_length=1)
    # ---- measurement model (euroshield.defense.sensors); none of it changes the detection
    # rule above. Swerling 1 detection: Pd = pfa^(1 / (1 + SNR)), with the reference SNR (at
    # reference_range_km for reference_rcs_m2) the one giving pd_at_reference.
    pfa: float = Field(default=1e-6, description="false-alarm probability per resolution cell")
    pd_at_reference: float = Field(
        default=0.9, description="detection probability at reference_range_km for "
        "reference_rcs_m2 (the meaning given to the quoted detection range)")
    # 1-sigma noise at the reference SNR; the floors are the high-SNR limits (bias,
    # calibration): sigma^2 = floor^2 + (sigma_ref^2 - floor^2) SNR_ref / SNR; no floor given:
    # constant accuracy. None: the radar does not measure that component (range rate)
    range_sigma_m: float | None = Field(default=None, description="range noise [m]")
    range_sigma_floor_m: float | None = Field(default=None)
    angle_sigma_mrad: float | None = Field(
        default=None, description="angle noise [mrad] (elevation; cross-range for azimuth)")
    angle_sigma_floor_mrad: float | None = Field(default=None)
    range_rate_sigma_m_s: float | None = Field(default=None, description="range-rate noise "
                                               "[m/s]; None: no range-rate measurement")
    range_rate_sigma_floor_m_s: float | None = Field(default=None)

    @field_validator(*_MEASUREMENT_BOUNDS)
    @classmethod
    def _measurement_bounds(cls, v, info):
        """One line naming the allowed interval (for YAML errors: field, range and unit)."""
        lo, hi, lo_open, unit = _MEASUREMENT_BOUNDS[info.field_name]
        if v is not None and not ((lo < v if lo_open else lo <= v) and v <= hi):
            raise ValueError(f"must lie in {'(' if lo_open else '['}{lo:g}, {hi:g}]{unit}")
        return v

    @model_validator(mode="after")
    def _elevations(self) -> Radar:
        if self.min_elevation_deg >= self.max_elevation_deg:
            raise ValueError("min_elevation_deg must be below max_elevation_deg (else the field "
                             "of regard is empty)")
        if self.boresight_azimuth_deg is None and self.half_width_deg < 180:
            raise ValueError(f"half_width_deg ({self.half_width_deg:g}) needs "
                             "boresight_azimuth_deg in [0, 360) (a sector has a direction); "
                             "omit both for full azimuth coverage")
        if self.pd_at_reference <= self.pfa:
            raise ValueError(f"pd_at_reference ({self.pd_at_reference:g}) must exceed pfa "
                             f"({self.pfa:g})")
        for comp in ("range", "angle", "range_rate"):
            unit = _SIGMA_UNITS[comp]
            ref = getattr(self, f"{comp}_sigma_{unit}")
            floor = getattr(self, f"{comp}_sigma_floor_{unit}")
            if floor is not None and (ref is None or floor > ref):
                raise ValueError(f"{comp}_sigma_floor_{unit} ({floor:g}) needs "
                                 f"{comp}_sigma_{unit} and must not exceed it (allowed: "
                                 f"[0, {comp}_sigma_{unit}])")
        return self

    @property
    def measures(self) -> bool:
        """The catalogue gives range and angle accuracies (the radar can be measured with)."""
        return self.range_sigma_m is not None and self.angle_sigma_mrad is not None

    @property
    def has_range_rate(self) -> bool:
        """The radar measures range rate (Doppler)."""
        return self.range_rate_sigma_m_s is not None

    def max_range_m(self, rcs_m2) -> np.ndarray:
        """Detection range for a target RCS (radar equation: R ~ RCS^(1/4))."""
        rcs = np.asarray(rcs_m2, dtype=float)
        return self.reference_range_km * 1e3 * (rcs / self.reference_rcs_m2) ** 0.25


def _mean_radius(lat_deg) -> np.ndarray:
    """Gaussian mean radius of curvature of the WGS84 ellipsoid at a latitude [m]."""
    s2 = np.sin(np.radians(lat_deg)) ** 2
    return WGS84_A * np.sqrt(1.0 - WGS84_E2) / (1.0 - WGS84_E2 * s2)


def apparent_elevation_deg(ground_distance_m, target_height_m, radar_height_m=0.0,
                           radius_m=R_MEAN_EARTH, k: float = REFRACTION_K) -> np.ndarray:
    """Elevation [deg] of a target in the effective-Earth-radius model (k = 1: geometric)."""
    a = k * np.asarray(radius_m, dtype=float)
    d = np.asarray(ground_distance_m, dtype=float)
    rr = a + np.asarray(radar_height_m, dtype=float)
    rt = a + np.asarray(target_height_m, dtype=float)
    c = np.cos(d / a)
    slant = np.sqrt(np.maximum(rr**2 + rt**2 - 2.0 * rr * rt * c, 1e-9))
    return np.degrees(np.arcsin(np.clip((rt * c - rr) / slant, -1.0, 1.0)))


def lowest_visible_height_m(ground_distance_m, elevation_deg=0.0, radar_height_m=0.0,
                            radius_m=R_MEAN_EARTH, k: float = REFRACTION_K) -> np.ndarray:
    """Lowest target height visible at a ground distance above an elevation mask: from the
    effective-Earth geometry, (a + h_r) cos(el) / cos(d/a + el) - a."""
    a = k * np.asarray(radius_m, dtype=float)
    d = np.asarray(ground_distance_m, dtype=float)
    el = np.radians(elevation_deg)
    return (a + radar_height_m) * np.cos(el) / np.cos(d / a + el) - a


@dataclass
class Visibility:
    """What a radar sees of trajectory samples (arrays shaped like the samples)."""

    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray  # apparent (refracted)
    slant_range_m: np.ndarray
    visible: np.ndarray  # in sector, above the elevation mask, inside detection range


def visibility(radar: Radar, lat_deg, lon_deg, height_m, rcs_m2=0.1,
               k: float = REFRACTION_K, range_limit: bool = True) -> Visibility:
    """Look angles and detectability of targets at geodetic points (vectorised).

    ``range_limit=False`` leaves out the detection-range cut: ``visible`` is then the field of
    regard alone (sector, elevation mask, horizon), for the measurement model, where the
    signal-to-noise ratio decides detection (:mod:`euroshield.defense.sensors`)."""
    lat, lon, h = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float),
                                      np.asarray(height_m, float))
    d, az, _ = geodesy.inverse(np.full(lat.shape, radar.lat), np.full(lat.shape, radar.lon),
                               lat, lon)
    d, az = np.asarray(d, float), np.asarray(az, float) % 360.0
    radius = _mean_radius(radar.lat)
    el = apparent_elevation_deg(d, h, radar.height_m, radius, k)
    site = frames.Topocentric(radar.lat, radar.lon, radar.height_m)
    slant = site.slant_range_m(frames.geodetic_to_ecef(lat, lon, h))
    ok = (el >= radar.min_elevation_deg) & (el <= radar.max_elevation_deg)
    # a negative mask lets rays dip below the horizontal: they must not graze the Earth first
    a = k * radius
    el_r = np.radians(el)
    ok &= ~((el_r < 0) & ((a + radar.height_m) * np.cos(el_r) < a) & (d / a > -el_r))
    if range_limit:
        ok &= slant <= radar.max_range_m(rcs_m2)
    if radar.boresight_azimuth_deg is not None:
        off = (az - radar.boresight_azimuth_deg + 180.0) % 360.0 - 180.0
        ok &= np.abs(off) <= radar.half_width_deg
    return Visibility(az, el, slant, ok & np.isfinite(h))


def detectable(radar: Radar, lat_deg, lon_deg, height_m, rcs_m2=0.1,
               k: float = REFRACTION_K) -> np.ndarray:
    """``visibility(...).visible``, evaluated in full only where the slant range is inside the
    detection range: the same answer for a fraction of the cost, since the geodesic inverse of
    the look angles is the expensive part and most samples of a long trajectory are far away."""
    lat, lon, h = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float),
                                      np.asarray(height_m, float))
    site = frames.Topocentric(radar.lat, radar.lon, radar.height_m)
    with np.errstate(invalid="ignore"):
        near = np.isfinite(h) & (site.slant_range_m(frames.geodetic_to_ecef(lat, lon, h))
                                 <= radar.max_range_m(rcs_m2))
    out = np.zeros(lat.shape, dtype=bool)
    if near.any():
        out[near] = visibility(radar, lat[near], lon[near], h[near], rcs_m2, k).visible
    return out


@dataclass
class Detections:
    """Per-trajectory detection summary (arrays over trajectories; NaN = never)."""

    times_s: np.ndarray  # (n, m) look times
    detected: np.ndarray  # (n, m) bool
    first_detection_s: np.ndarray
    track_time_s: np.ndarray  # time of the N-th detection (track established)
    last_detection_s: np.ndarray


def detections(radar: Radar, times_s, lat_deg, lon_deg, height_m, rcs_m2=0.1,
               k: float = REFRACTION_K) -> Detections:
    """Detections of targets sampled at ``times_s`` (m,) [s], geodetic (n, m) arrays (NaN
    outside each flight); a track is established at the radar's N-th detection."""
    times = np.asarray(times_s, dtype=float)
    vis = detectable(radar, lat_deg, lon_deg, height_m, rcs_m2, k)
    n_cum = np.cumsum(vis, axis=1)

    def first_time(mask):
        idx = np.argmax(mask, axis=1)
        return np.where(mask.any(axis=1), times[idx], np.nan)

    last_idx = vis.shape[1] - 1 - np.argmax(vis[:, ::-1], axis=1)
    return Detections(
        times_s=np.broadcast_to(times, vis.shape),
        detected=vis,
        first_detection_s=first_time(vis),
        track_time_s=first_time(vis & (n_cum >= radar.detections_for_track)),
        last_detection_s=np.where(vis.any(axis=1), times[last_idx], np.nan),
    )


def detect(radar: Radar, batch, rcs_m2=0.1, t_start_s: float = 0.0,
           k: float = REFRACTION_K) -> Detections:
    """Look at every recorded trajectory of ``batch`` once per revisit interval.

    ``batch`` is a recorded :class:`~euroshield.flight.trajectory.TrajectoryBatch`."""
    t_end = float(np.nanmax(batch.impact_time_s)) if np.any(np.isfinite(batch.impact_time_s)) \
        else float(np.nanmax(batch.t))
    times = np.arange(t_start_s, t_end + radar.revisit_s, radar.revisit_s)
    y = batch.states_at(times)  # (n, m, 6) ECI, NaN outside each flight
    lat, lon, h = batch.point_geodetic(np.broadcast_to(times, y.shape[:2]), y)
    return detections(radar, times, lat, lon, h, rcs_m2, k)


class SpaceSensor(BaseModel):
    """A space-based infrared early-warning sensor (SBIRS): a cue, not a measurement.

    It reports that a missile was launched ``detection_delay_s`` after launch, with a coarse
    launch point (circular 1-sigma ``launch_point_sigma_km`` on the ground) and direction of
    flight (1-sigma ``azimuth_sigma_deg``); no range. ``cue_only`` is always true: a tracker
    may use the cue to open a search sector or as a broad prior for track initiation, never
    as a measurement of the threat's state (see :func:`euroshield.defense.sensors.cue`)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    description: str
    cue_only: Literal[True] = True
    detection_delay_s: float = Field(ge=0, le=600, description="launch to cue [s]")
    launch_point_sigma_km: float = Field(gt=0, le=1000)
    azimuth_sigma_deg: float = Field(gt=0, le=180)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    sources: list[Source] = Field(min_length=1)


def _catalog_text() -> str:
    """The text of the built-in ``catalog/radars.yaml``."""
    return resources.files("euroshield.catalog").joinpath("radars.yaml").read_text("utf-8")


def parse_radars(data, where: str) -> dict[str, Radar]:
    """Validate a radar catalogue mapping (``radars:`` list, optional ``space_sensors:``)
    into Radar objects by name; one InputError line naming the entry and field otherwise."""
    from euroshield.catalog import parse_entries

    return parse_entries(data, where, "radars", Radar, "radar", ("space_sensors",))


def parse_space_sensors(data, where: str) -> dict[str, SpaceSensor]:
    """The ``space_sensors:`` list of a radar catalogue mapping (none: an empty mapping)."""
    from euroshield.catalog import parse_entries

    if isinstance(data, dict) and "space_sensors" not in data:
        return {}
    return parse_entries(data, where, "space_sensors", SpaceSensor, "space sensor",
                         ("radars",))


@lru_cache(maxsize=1)
def radars() -> dict[str, Radar]:
    """The built-in radar catalogue (``catalog/radars.yaml``)."""
    from euroshield.catalog import load_yaml_text

    where = "catalog/radars.yaml"
    return parse_radars(load_yaml_text(_catalog_text(), where), where)


@lru_cache(maxsize=1)
def space_sensors() -> dict[str, SpaceSensor]:
    """The built-in space-based sensors (``space_sensors:`` of ``catalog/radars.yaml``)."""
    from euroshield.catalog import load_yaml_text

    where = "catalog/radars.yaml"
    return parse_space_sensors(load_yaml_text(_catalog_text(), where), where)


def get_radar(name: str) -> Radar:
    from euroshield.catalog import lookup

    return lookup(radars(), name, "radar")


def get_space_sensor(name: str) -> SpaceSensor:
    from euroshield.catalog import lookup

    return lookup(space_sensors(), name, "space sensor")
