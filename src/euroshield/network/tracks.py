"""Tracks: a tracker's estimates of ``n`` threats at up to ``m`` epochs each, and their quality.

States are WGS84 Earth-fixed (ECEF) ``[x, y, z, vx, vy, vz]`` [m, m/s]; covariances in the
same units; times in seconds after the threat's launch (the times of
:class:`euroshield.defense.measurements.Measurements`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from euroshield._parallel import parallel_blocks

from . import _kernels
from .dynamics import DEFAULT_MODEL, ProcessModel, propagate

# per-epoch status codes (``Tracks.status``)
NO_TRACK = _kernels.NO_TRACK
INITIATED = _kernels.INITIATED
UPDATED = _kernels.UPDATED
REJECTED = _kernels.REJECTED


@dataclass(frozen=True)
class Tracks:
    """Track estimates of ``n`` threats at ``m`` epochs per threat.

    ``times_s`` (n, m) is NaN where there is no estimate (no track yet, or padding); times of
    a row are non-decreasing. ``state`` (n, m, 6) and ``covariance`` (n, m, 6, 6) are the
    posterior (updated or coasted) estimates, NaN where there is none. ``status`` (n, m)
    holds the filter's code per epoch (``NO_TRACK``, ``INITIATED``, ``UPDATED``,
    ``REJECTED``), ``nis`` (n, m) the normalised innovation squared of each measurement
    tested against a track (NaN otherwise) with ``nis_dof`` (n, m) its degrees of freedom,
    ``sensor_index`` (n, m) which of ``sensors`` produced the epoch (-1 for fused epochs)
    and ``measurement_index`` (n, m) the column of that sensor's ``Measurements`` (-1 where
    none; None for fused or predicted tracks). ``model`` is the motion model used to predict
    the tracks forward.
    """

    sensors: tuple[str, ...]
    times_s: np.ndarray
    state: np.ndarray
    covariance: np.ndarray
    status: np.ndarray
    nis: np.ndarray
    nis_dof: np.ndarray
    sensor_index: np.ndarray
    model: ProcessModel = DEFAULT_MODEL
    measurement_index: np.ndarray | None = None

    @property
    def sensor(self) -> str:
        """The producing sensor's name, or the names joined with '+' (fused tracks)."""
        return "+".join(self.sensors)

    @property
    def shape(self) -> tuple[int, int]:
        return self.times_s.shape

    @property
    def valid(self) -> np.ndarray:
        """(n, m) bool: a track estimate exists at this epoch."""
        return np.isfinite(self.times_s)

    @property
    def initiated(self) -> np.ndarray:
        """(n,) bool: a track was ever initiated for this threat."""
        return self.valid.any(axis=1)

    @property
    def first_track_time_s(self) -> np.ndarray:
        """(n,) time [s] of the first track estimate, NaN without a track (also for a sensor
        with no measurement epoch at all: m = 0)."""
        with np.errstate(all="ignore"):
            first = np.min(np.where(self.valid, self.times_s, np.inf), axis=1, initial=np.inf)
            return np.where(self.initiated, first, np.nan)

    # --- quality: the position and velocity blocks of the covariance ---

    @property
    def position_sigma_m(self) -> np.ndarray:
        """(n, m) sqrt(trace P_rr) [m]: root-sum-square position uncertainty."""
        return np.sqrt(np.trace(self.covariance[..., :3, :3], axis1=-2, axis2=-1))

    @property
    def velocity_sigma_m_s(self) -> np.ndarray:
        """(n, m) sqrt(trace P_vv) [m/s]: root-sum-square velocity uncertainty."""
        return np.sqrt(np.trace(self.covariance[..., 3:, 3:], axis1=-2, axis2=-1))

    @property
    def position_major_sigma_m(self) -> np.ndarray:
        """(n, m) sqrt of the largest eigenvalue of P_rr [m]: the 1-sigma semi-major axis of
        the position error ellipsoid."""
        return _major_sigma(self.covariance[..., :3, :3])

    @property
    def velocity_major_sigma_m_s(self) -> np.ndarray:
        """(n, m) sqrt of the largest eigenvalue of P_vv [m/s]."""
        return _major_sigma(self.covariance[..., 3:, 3:])

    def first_time_within(self, position_sigma_m: float = np.inf,
                          velocity_sigma_m_s: float = np.inf, major: bool = False) -> np.ndarray:
        """(n,) first epoch [s] at which the track's position and velocity uncertainties are
        both within the thresholds (root-sum-square sigmas, or 1-sigma semi-major axes with
        ``major``); NaN if never. The question "when is the track good enough to cue, to
        launch on, to engage on"."""
        pos = self.position_major_sigma_m if major else self.position_sigma_m
        vel = self.velocity_major_sigma_m_s if major else self.velocity_sigma_m_s
        ok = self.valid & (pos <= position_sigma_m) & (vel <= velocity_sigma_m_s)
        if ok.shape[1] == 0:  # no epoch at all (a sensor that never measured)
            return np.full(ok.shape[0], np.nan)
        first = np.argmax(ok, axis=1)
        return np.where(ok.any(axis=1), self.times_s[np.arange(ok.shape[0]), first], np.nan)

    def predict_to(self, query_times_s, latency_s: float = 0.0) -> Tracks:
        """The tracks as known at ``t - latency_s``, predicted forward to ``t``, for query
        times ``t`` (n, T) [s] (or (T,), the same for every row).

        At each query time the last estimate at or before ``t - latency_s`` (what a remote
        node has received over a link of that latency) is propagated to ``t`` with the motion
        model and its process noise. Rows with no such estimate are NaN. The result is a
        :class:`Tracks` on the query epochs (status ``NO_TRACK`` where there is no estimate,
        else that of the source epoch; no NIS). Vectorised over all (row, query) pairs.
        """
        if latency_s < 0.0 or not np.isfinite(latency_s):
            raise ValueError(f"latency_s must be a finite number >= 0, got {latency_s}")
        n, _ = self.shape
        q = np.asarray(query_times_s, dtype=float)
        if q.ndim == 1:
            q = np.broadcast_to(q, (n, q.size))
        q = np.ascontiguousarray(q)
        avail = np.ascontiguousarray(q - latency_s)
        times = np.ascontiguousarray(self.times_s)
        idx = np.empty(q.shape, dtype=np.int64)

        def run(b: slice) -> None:
            _kernels.last_at_or_before_rows(b.start, b.stop, times, avail, idx)

        parallel_blocks(run, n, min_block=64)
        ok = idx >= 0
        rows = np.broadcast_to(np.arange(n)[:, None], q.shape)
        src = np.where(ok, idx, 0)
        t0 = np.where(ok, times[rows, src], np.nan)
        s0 = self.state[rows, src]
        p0 = self.covariance[rows, src]
        dt = np.where(ok, q - t0, np.nan)
        s1, p1, _ = propagate(s0.reshape(-1, 6), dt.ravel(), p0.reshape(-1, 6, 6), self.model)
        return Tracks(
            sensors=self.sensors,
            times_s=np.where(ok, q, np.nan),
            state=s1.reshape(q.shape + (6,)),
            covariance=p1.reshape(q.shape + (6, 6)),
            status=np.where(ok, self.status[rows, src], NO_TRACK).astype(np.int8),
            nis=np.full(q.shape, np.nan),
            nis_dof=np.zeros(q.shape, dtype=np.int8),
            sensor_index=np.where(ok, self.sensor_index[rows, src], -1).astype(np.int16),
            model=self.model,
        )


def _major_sigma(block: np.ndarray) -> np.ndarray:
    out = np.full(block.shape[:-2], np.nan)
    ok = np.isfinite(block).all(axis=(-2, -1))
    if ok.any():
        out[ok] = np.sqrt(np.maximum(np.linalg.eigvalsh(block[ok])[..., -1], 0.0))
    return out


def nees(tracks: Tracks, truth_state) -> np.ndarray:
    """Normalised estimation error squared (n, m) of ``tracks`` against true states
    (n, m, 6) [m, m/s]: e^T P^-1 e with e = estimate - truth; NaN where no estimate. For a
    consistent filter it is chi-square distributed with 6 degrees of freedom."""
    err = tracks.state - np.asarray(truth_state, dtype=float)
    out = np.full(tracks.shape, np.nan)
    ok = tracks.valid & np.isfinite(err).all(axis=-1)
    if ok.any():
        e = err[ok]
        out[ok] = np.einsum("ki,ki->k", e, np.linalg.solve(tracks.covariance[ok], e[..., None])
                            [..., 0])
    return out
