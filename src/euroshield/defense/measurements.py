"""Radar measurements: what a sensor reports of each threat, with its noise model.

The contract between the sensor models (which produce :class:`Measurements` from flown
trajectories) and the trackers in :mod:`euroshield.network` (which consume them). Like Stone
Soup's ``Detection``, every measurement carries its measurement model (the sensor's
site-centred frame and the measured components) and its noise covariance.

Frames and units: measurement vectors are in the sensor's site frame
(:class:`euroshield.earth.frames.Topocentric` at ``site_lat_deg``, ``site_lon_deg``,
``site_height_m``): slant range [m], azimuth [rad, clockwise from north, in [0, 2 pi)],
geometric elevation [rad] and, where the radar measures it, range rate [m/s]. Times are
seconds after the threat's launch. States are Earth-fixed (WGS84 ECEF) [m, m/s].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from euroshield.earth.frames import Topocentric

# the measured components, in order; a radar without Doppler reports the first three
COMPONENTS = ("range_m", "azimuth_rad", "elevation_rad", "range_rate_m_s")


@dataclass(frozen=True)
class Measurements:
    """Measurements of ``n`` threats by one sensor, padded to ``m`` per threat.

    ``times_s`` is NaN where there is no measurement (padding, a missed detection, or the
    target outside the field of regard / below the horizon / beyond range); measurements of
    a threat are in time order. ``z[..., :k]`` holds the first ``k`` of :data:`COMPONENTS`
    (``k`` = 4 when ``has_range_rate``). ``noise_cov`` is the measurement noise covariance R
    in the same units, ``(k, k)`` for every measurement or ``(n, m, k, k)`` when it varies
    (e.g. with the signal-to-noise ratio). ``truth_ecef`` holds the true Earth-fixed
    position and velocity ``(n, m, 6)`` at each measurement time, for validation only: a
    tracker must never read it (:func:`euroshield.defense.sensors.measure` also fills it, and
    ``z_true``, at the epochs without a measurement while the threat flies).
    """

    sensor: str
    site_lat_deg: float
    site_lon_deg: float
    site_height_m: float
    times_s: np.ndarray  # (n, m), NaN = none
    z: np.ndarray  # (n, m, k)
    noise_cov: np.ndarray  # (k, k) or (n, m, k, k)
    has_range_rate: bool
    snr_db: np.ndarray  # (n, m) signal-to-noise ratio of each detection [dB], NaN = none
    truth_ecef: np.ndarray  # (n, m, 6) [m, m/s], validation only
    # ---- added by the sensor models (defense/sensors.py); optional for other producers ----
    # the radar's revisit epochs of the columns (m,) [s]: column j is the same time for every
    # threat (times_s[:, j] is epochs_s[j] or NaN), so a batched filter steps once per column
    epochs_s: np.ndarray | None = None
    # (n, m, k) noise-free measurement of truth_ecef (h(truth)), validation only
    z_true: np.ndarray | None = None
    # (n, m) Swerling 1 detection probability from the SNR at each epoch, before the field of
    # regard is applied (NaN outside the flight); for analysis and validation
    pd: np.ndarray | None = None
    rcs_m2: float | None = None  # the target radar cross-section assumed [m^2]

    @property
    def k(self) -> int:
        """Number of measured components (3, or 4 with range rate)."""
        return 4 if self.has_range_rate else 3

    @property
    def present(self) -> np.ndarray:
        """(n, m) bool: a measurement exists."""
        return np.isfinite(self.times_s)

    def covariance(self) -> np.ndarray:
        """R broadcast to ``(n, m, k, k)``."""
        n, m = self.times_s.shape
        return np.broadcast_to(self.noise_cov, (n, m, self.k, self.k))

    def site(self) -> Topocentric:
        """The sensor's site frame."""
        return Topocentric(self.site_lat_deg, self.site_lon_deg, self.site_height_m)

    def expected(self, states_ecef) -> np.ndarray:
        """The measurement function h: noise-free measurement vectors ``(..., k)`` of
        Earth-fixed states ``(..., 6)`` [m, m/s] (see :func:`measure_states`)."""
        return measure_states(self.site(), states_ecef, self.has_range_rate)


def measure_states(site: Topocentric, states_ecef, range_rate: bool = True) -> np.ndarray:
    """Noise-free measurements ``(..., 3 or 4)`` of Earth-fixed states ``(..., 6)`` [m, m/s]
    from a site: slant range [m], azimuth [rad, clockwise from north, in [0, 2 pi)],
    geometric elevation [rad] (:meth:`Topocentric.aer`) and, with ``range_rate``, the range
    rate [m/s] = (r - r_site) . v / |r - r_site| (the site is fixed in the Earth-fixed frame,
    so the Earth-relative velocity is the one that changes the range)."""
    x = np.asarray(states_ecef, dtype=float)
    az, el, rng = site.aer(x[..., :3])
    comps = [rng, np.radians(az), np.radians(el)]
    if range_rate:
        d = x[..., :3] - site.ecef
        with np.errstate(invalid="ignore", divide="ignore"):
            comps.append(np.einsum("...i,...i->...", d, x[..., 3:6]) / rng)
    return np.stack(np.broadcast_arrays(*comps), axis=-1)


def residual(z, z_ref) -> np.ndarray:
    """``z - z_ref`` (``(..., k)``) with the azimuth difference wrapped to [-pi, pi): the
    innovation a filter must use (an azimuth near 0 / 2 pi must not give a 2 pi jump)."""
    d = np.asarray(z, dtype=float) - np.asarray(z_ref, dtype=float)
    d[..., 1] = (d[..., 1] + np.pi) % (2.0 * np.pi) - np.pi
    return d


@dataclass(frozen=True)
class Cues:
    """Launch cues of ``n`` threats by a space-based infrared sensor (cue only, no range).

    The sensor reports, ``time_s`` after launch (NaN = no cue), that a missile was launched
    near (``launch_lat_deg``, ``launch_lon_deg``) (WGS84; circular Gaussian error of
    ``launch_point_sigma_m`` per ground axis) flying toward ``azimuth_rad`` (ground-track
    direction at the cue, clockwise from north in [0, 2 pi), Gaussian error
    ``azimuth_sigma_rad``). How a tracker may use it: to point a radar's search (a sector
    around the reported azimuth from the reported launch point) or as a broad prior for track
    initiation; never as a measurement update of the state, and never as fire-control data.
    ``truth_*`` are for validation only: a tracker must never read them.
    """

    sensor: str
    time_s: np.ndarray  # (n,)
    launch_lat_deg: np.ndarray  # (n,)
    launch_lon_deg: np.ndarray  # (n,)
    azimuth_rad: np.ndarray  # (n,)
    launch_point_sigma_m: float
    azimuth_sigma_rad: float
    truth_launch_lat_deg: np.ndarray  # (n,) validation only
    truth_launch_lon_deg: np.ndarray  # (n,)
    truth_azimuth_rad: np.ndarray  # (n,)

    @property
    def present(self) -> np.ndarray:
        """(n,) bool: a cue exists."""
        return np.isfinite(self.time_s)
