"""Sensors that measure: radar measurements of flown trajectories, and infrared launch cues.

:func:`measure` turns the look points of flown trajectories (Earth-fixed states every 2 s,
:class:`~euroshield.defense.engagement.LookPoints`) into what one radar reports
(:class:`~euroshield.defense.measurements.Measurements`): noisy range, azimuth, elevation and,
where the radar has it, range rate, at the radar's revisit epochs, where a detection happens.
:func:`cue` does the same for a space-based infrared sensor, which only cues
(:class:`~euroshield.defense.measurements.Cues`). Pure functions: the random numbers come from
the ``numpy.random.Generator`` passed in (same seed, same measurements). Vectorised over
threats and epochs; no loop per trajectory.

The model, choice by choice:

* **Signal-to-noise ratio** (radar equation scaled from the catalogue's reference point, fixed
  radar and dwell): ``SNR = SNR_ref (RCS / RCS_ref) (R_ref / R)^4``, ``R`` the slant range.
  ``SNR_ref`` is the SNR at which the radar detects its reference target at its reference
  range with probability ``pd_at_reference`` (how the quoted detection range is read).
* **Detection probability:** Swerling 1 target (Rayleigh amplitude, independent from look to
  look), one look, square-law detector: ``Pd = Pfa^(1 / (1 + SNR))`` (M. A. Richards,
  *Fundamentals of Radar Signal Processing*, 2005, ch. 6). Derivation: the detector output
  over noise power is exponential with mean ``1 + SNR`` (noise plus a Rayleigh target); the
  threshold giving ``Pfa`` on noise alone is ``T = -ln Pfa``; so ``Pd = exp(-T / (1 + SNR))``.
  Hence ``SNR_ref = ln Pfa / ln Pd_ref - 1`` (Pd 0.9 at Pfa 1e-6: 130.1, 21.1 dB). Each
  look detects independently (Swerling 1's scan-to-scan decorrelation).
* **Field of regard:** the existing line-of-sight model,
  :func:`~euroshield.defense.radar.visibility` without its range cut: sector (boresight +/-
  half width), elevation mask on the 4/3-Earth refracted elevation, and the horizon, on WGS84.
  A target outside it is never measured, whatever its SNR.
* **Noise:** independent zero-mean Gaussian errors, 1-sigma from the catalogue:
  ``sigma^2 = floor^2 + (sigma_ref^2 - floor^2) SNR_ref / SNR``. The thermal part scales as
  ``1 / sqrt(SNR)`` (angle ~ beamwidth / (1.6 sqrt(2 SNR)), range ~ resolution /
  sqrt(2 SNR): Richards 2005 ch. 7; Skolnik, *Introduction to Radar Systems*, 3rd ed.); the
  floor (bias, calibration) is what is left at high SNR; equal reference and floor (or no
  floor) means constant accuracy. The SNR used is the mean one (the catalogue's radar
  equation), not the fluctuating realisation of each look: a simplification.
  Elevation error = the angle sigma; the azimuth error is the angle sigma across the line of
  sight, ``sigma_az = sigma_angle / cos(el)`` (capped at pi), so the cross-range position
  error is ``R sigma_angle`` in every direction. Measured angles are geometric
  (:meth:`~euroshield.earth.frames.Topocentric.aer`): refraction corrected by the radar.
* **Epochs:** ``phase_s + j revisit_s`` from launch; the states there are interpolated
  between look points by cubic Hermite polynomials in position and velocity (look points
  carry Earth-fixed velocities), and the velocity is the polynomial's derivative. Error
  against the integrator's dense output on the shield-today routes: below 1 mm in
  midcourse; up to 9 m and 19 m/s in the 2 s around a staging or burnout kink and a few
  metres in re-entry drag (tests/validation/test_measurements.py).
* **Random numbers:** one uniform (detection) and ``k`` standard normals (noise) per
  (threat, epoch), drawn for every epoch whatever the geometry, in that order.
"""

from __future__ import annotations

import math

import numpy as np

from euroshield.earth import frames, geodesy
from euroshield.errors import InputError

from .engagement import LookPoints
from .measurements import Cues, Measurements, measure_states
from .radar import REFRACTION_K, Radar, SpaceSensor, visibility

PD_MODEL = "swerling-1"  # Pd = Pfa^(1 / (1 + SNR)), one look (Richards 2005 ch. 6)


def reference_snr(radar: Radar) -> float:
    """Linear SNR at which the radar detects its reference target (``reference_rcs_m2`` at
    ``reference_range_km``) with probability ``pd_at_reference`` at false-alarm probability
    ``pfa``, for a Swerling 1 target: ``ln Pfa / ln Pd - 1``."""
    return math.log(radar.pfa) / math.log(radar.pd_at_reference) - 1.0


def snr(radar: Radar, slant_range_m, rcs_m2) -> np.ndarray:
    """Mean linear SNR at slant ranges [m] for a target cross-section [m^2] (radar equation
    scaled from the reference: ``SNR_ref (RCS / RCS_ref) (R_ref / R)^4``)."""
    r = np.asarray(slant_range_m, dtype=float)
    with np.errstate(divide="ignore"):
        return (reference_snr(radar) * (np.asarray(rcs_m2, dtype=float) / radar.reference_rcs_m2)
                * (radar.reference_range_km * 1e3 / r) ** 4)


def pd_swerling1(snr_linear, pfa: float) -> np.ndarray:
    """Detection probability of a Swerling 1 target in one look, square-law detector:
    ``Pfa^(1 / (1 + SNR))`` (Richards 2005 ch. 6)."""
    return np.power(pfa, 1.0 / (1.0 + np.asarray(snr_linear, dtype=float)))


def sigmas(radar: Radar, snr_linear) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """1-sigma range [m], angle [rad] and range-rate [m/s] (None without Doppler) noise at
    linear SNRs: ``sigma^2 = floor^2 + (sigma_ref^2 - floor^2) SNR_ref / SNR``."""
    if not radar.measures:
        raise InputError(f"radar {radar.name}: no measurement model: range_sigma_m and "
                         "angle_sigma_mrad must be given (catalogue fields) to measure")
    scale = reference_snr(radar) / np.asarray(snr_linear, dtype=float)

    def sigma(ref, floor):
        f = ref if floor is None else floor
        return np.sqrt(f * f + (ref * ref - f * f) * scale)

    rr = (sigma(radar.range_rate_sigma_m_s, radar.range_rate_sigma_floor_m_s)
          if radar.has_range_rate else None)
    return (sigma(radar.range_sigma_m, radar.range_sigma_floor_m),
            sigma(radar.angle_sigma_mrad, radar.angle_sigma_floor_mrad) * 1e-3, rr)


def interpolate_states(times_s, states_ecef, at_s) -> np.ndarray:
    """Earth-fixed states ``(n, len(at_s), 6)`` at times ``at_s`` [s] from states ``(n, m, 6)``
    [m, m/s] sampled at increasing ``times_s`` (m,): cubic Hermite interpolation of the
    position from the positions and velocities at the two surrounding samples; the velocity
    is the polynomial's derivative. NaN outside ``times_s`` or where a surrounding sample is
    NaN (outside the flight), except exactly at a sample time, which returns that sample."""
    t = np.asarray(times_s, dtype=float)
    x = np.asarray(states_ecef, dtype=float)
    at = np.asarray(at_s, dtype=float)
    if t.size < 2:
        raise ValueError("need at least two sample times to interpolate")
    hit = np.clip(np.searchsorted(t, at), 0, t.size - 1)
    if np.array_equal(t[hit], at):  # every epoch is a sample time (a 2 s radar): no arithmetic
        return x[:, hit].copy()
    j = np.clip(np.searchsorted(t, at, side="right") - 1, 0, t.size - 2)
    h = t[j + 1] - t[j]
    s = ((at - t[j]) / h)[None, :, None]
    hh = h[None, :, None]
    p0, v0 = x[:, j, :3], x[:, j, 3:]
    p1, v1 = x[:, j + 1, :3], x[:, j + 1, 3:]
    s2, s3 = s * s, s * s * s
    pos = ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * hh * v0
           + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * hh * v1)
    vel = ((6 * s2 - 6 * s) * p0 / hh + (3 * s2 - 4 * s + 1) * v0
           + (-6 * s2 + 6 * s) * p1 / hh + (3 * s2 - 2 * s) * v1)
    out = np.concatenate([pos, vel], axis=-1)
    # exactly at a sample: that sample (its neighbour may be NaN: the last point of a flight)
    out = np.where((s == 0.0), x[:, j], out)
    out = np.where((s == 1.0), x[:, j + 1], out)
    outside = (at < t[0]) | (at > t[-1])
    out[:, outside] = np.nan
    return out


def revisit_epochs(radar: Radar, t_end_s: float, phase_s: float = 0.0) -> np.ndarray:
    """The radar's look epochs ``phase_s + j revisit_s`` [s after launch] up to ``t_end_s``."""
    if not 0.0 <= phase_s < radar.revisit_s:
        raise InputError(f"phase_s: {phase_s:g} is outside the allowed range [0, "
                         f"{radar.revisit_s:g}) s (the radar's revisit interval)")
    return np.arange(phase_s, t_end_s + 1e-9, radar.revisit_s)


def measure(radar: Radar, looks, rcs_m2: float, rng: np.random.Generator,
            phase_s: float = 0.0, k_refraction: float = REFRACTION_K) -> Measurements:
    """What ``radar`` reports of every trajectory of ``looks`` (a
    :class:`~euroshield.studies.pipeline.Looks` or its
    :class:`~euroshield.defense.engagement.LookPoints`) for a target of ``rcs_m2`` [m^2].

    Columns are the radar's revisit epochs from ``phase_s`` (see :func:`revisit_epochs`),
    cropped to the span holding any detection (``epochs_s``); ``times_s`` is the epoch where
    the threat is detected, else NaN. See the module docstring for the model."""
    pts: LookPoints = getattr(looks, "points", looks)
    if not (isinstance(rcs_m2, int | float) and math.isfinite(rcs_m2) and rcs_m2 > 0):
        raise InputError(f"rcs_m2: {rcs_m2!r} must be a finite number > 0 (m^2)")
    k = 4 if radar.has_range_rate else 3
    sigmas(radar, 1.0)  # a radar without a measurement model: one line, before any work
    epochs = revisit_epochs(radar, float(pts.times_s[-1]), phase_s)
    n, m = pts.ecef.shape[0], epochs.size
    u = rng.random((n, m))
    noise = rng.standard_normal((n, m, k))

    truth = interpolate_states(pts.times_s, pts.ecef, epochs)
    site = frames.Topocentric(radar.lat, radar.lon, radar.height_m)
    flying = np.isfinite(truth).all(axis=-1)
    snr_lin = snr(radar, site.slant_range_m(truth[..., :3]), rcs_m2)  # NaN where not flying
    pd = pd_swerling1(snr_lin, radar.pfa)
    # the field of regard (the geodesic look angles are the costly part) only where the draw
    # detects: the same answer as testing it everywhere first
    detected = flying & (u < pd)
    if detected.any():
        lat, lon, h = frames.ecef_to_geodetic(truth[detected][:, :3])
        detected[detected] = visibility(radar, lat, lon, h, rcs_m2, k_refraction,
                                        range_limit=False).visible

    cols = np.flatnonzero(detected.any(axis=0))
    span = slice(cols[0], cols[-1] + 1) if cols.size else slice(0, 0)
    epochs, detected, truth, snr_lin, pd, noise, flying = (
        epochs[span], detected[:, span], truth[:, span], snr_lin[:, span], pd[:, span],
        noise[:, span], flying[:, span])
    m = epochs.size
    z_true = np.full((n, m, k), np.nan)
    z_true[flying] = measure_states(site, truth[flying], radar.has_range_rate)

    s_r, s_a, s_rr = sigmas(radar, snr_lin)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_az = np.minimum(s_a / np.cos(z_true[..., 2]), np.pi)
    sig = np.stack([s_r, s_az, s_a] + ([s_rr] if s_rr is not None else []), axis=-1)
    z = z_true + sig * noise
    z[..., 1] %= 2.0 * np.pi
    z[..., 1] = np.where(z[..., 1] >= 2.0 * np.pi, 0.0, z[..., 1])  # -tiny % 2 pi rounds up
    z[~detected] = np.nan
    cov = np.zeros((n, m, k, k))
    idx = np.arange(k)
    cov[..., idx, idx] = sig * sig
    cov[~detected] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        snr_db = np.where(detected, 10.0 * np.log10(snr_lin), np.nan)
    return Measurements(
        sensor=radar.name, site_lat_deg=radar.lat, site_lon_deg=radar.lon,
        site_height_m=radar.height_m,
        times_s=np.where(detected, epochs[None, :], np.nan), z=z, noise_cov=cov,
        has_range_rate=radar.has_range_rate, snr_db=snr_db, truth_ecef=truth,
        epochs_s=epochs, z_true=z_true, pd=pd, rcs_m2=float(rcs_m2))


def cue(sensor: SpaceSensor, looks, rng: np.random.Generator) -> Cues:
    """The launch cue of every flown trajectory of ``looks`` (``Looks`` or ``LookPoints``) by
    a space-based infrared sensor: ``detection_delay_s`` after launch, the launch point
    displaced by a circular Gaussian error (``launch_point_sigma_km`` per ground axis, along
    a WGS84 geodesic) and the direction of flight (the geodesic azimuth from the launch point
    to the ground point under the missile at the cue) with a Gaussian error
    (``azimuth_sigma_deg``). No cue (NaN) for a trajectory not flying at the cue time.
    Random numbers: three standard normals per threat (east, north, azimuth)."""
    pts: LookPoints = getattr(looks, "points", looks)
    n = pts.ecef.shape[0]
    noise = rng.standard_normal((n, 3))
    tc = float(sensor.detection_delay_s)
    at = interpolate_states(pts.times_s, pts.ecef, [0.0, tc])  # (n, 2, 6)
    ok = np.isfinite(at).all(axis=(1, 2))
    nan = np.full(n, np.nan)
    lat0, lon0, t_az, lat, lon, az = (nan.copy() for _ in range(6))
    if ok.any():
        la0, lo0, _ = frames.ecef_to_geodetic(at[ok, 0, :3])
        lac, loc, _ = frames.ecef_to_geodetic(at[ok, 1, :3])
        _, a, _ = geodesy.inverse(la0, lo0, lac, loc)
        t_az[ok] = np.radians(np.asarray(a, dtype=float)) % (2.0 * np.pi)
        sig_m = sensor.launch_point_sigma_km * 1e3
        east, north = noise[ok, 0] * sig_m, noise[ok, 1] * sig_m
        la, lo, _ = geodesy.direct(la0, lo0, np.degrees(np.arctan2(east, north)),
                                   np.hypot(east, north))
        lat0[ok], lon0[ok], lat[ok], lon[ok] = la0, lo0, la, lo
        az[ok] = (t_az[ok] + np.radians(sensor.azimuth_sigma_deg) * noise[ok, 2]) % (2 * np.pi)
    return Cues(sensor=sensor.name, time_s=np.where(ok, tc, np.nan), launch_lat_deg=lat,
                launch_lon_deg=lon, azimuth_rad=az,
                launch_point_sigma_m=sensor.launch_point_sigma_km * 1e3,
                azimuth_sigma_rad=math.radians(sensor.azimuth_sigma_deg),
                truth_launch_lat_deg=lat0, truth_launch_lon_deg=lon0, truth_azimuth_rad=t_az)
