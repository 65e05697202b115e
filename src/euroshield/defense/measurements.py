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
    tracker must never read it.
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
