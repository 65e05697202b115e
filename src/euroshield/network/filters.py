"""Batched extended Kalman filter with ballistic Earth-fixed dynamics, and track initiation.

:func:`track` turns the :class:`~euroshield.defense.measurements.Measurements` of one sensor
into one track per threat; given several sensors' measurements it runs one filter per threat
over all of them in time order (central measurement fusion: the joint system's picture).

Why not Stone Soup. Stone Soup 1.9 (``stonesoup``) has the EKF, UKF and the measurement
model this needs, but it processes one track at a time through Python objects (a
``GaussianState``, a ``Hypothesis``, a ``Prediction`` per step). Measured on the 2-core
development machine: 1.5 ms per predict-update step even with its linear constant-velocity
model (7.9 ms with the ballistic transition model of
``tests/validation/test_tracking_stonesoup.py``), i.e. 50 s (260 s) for 110 routes x 300
measurements through one sensor, against 80 ms for this kernel over all routes at once.
Studies run hundreds of routes x several sensors x several architectures, so the filter is
written here as one kernel (:func:`euroshield.network._kernels.ekf_rows`) and Stone Soup serves
as the independent implementation it is validated against (same measurements, same models:
states and covariances agree to 1e-5 of the standard deviations).

Model. Predictor: the ballistic dynamics of :mod:`euroshield.network.dynamics` (point-mass +
J2 gravity, Coriolis and centrifugal terms, no drag) with the state transition matrix from
the variational equations, plus white-noise-acceleration process noise. Measurement: range,
azimuth (clockwise from north), geometric elevation and, where the radar has it, range rate in
the site's topocentric frame (:class:`euroshield.earth.frames.Topocentric`), linearised
analytically, with the second-order terms of the range and the range rate (Gaussian
second-order filter); azimuth innovations wrap at north. Update: Joseph form.

Initiation. From the first two measurements of a threat (``min_init_gap_s`` to
``max_init_gap_s`` apart): each measured position (range/az/el to ECEF, the mean and
covariance given the measurement, consistent for angle noise of kilometres across the line of
sight: :func:`euroshield.network._kernels.polar_to_ecef_nb`), then the ballistic arc through
both positions (velocity by Newton's method on the transition matrix: two-point differencing
with gravity, Coriolis and J2 exactly accounted for) and its first-order covariance; see
:func:`euroshield.network._kernels._initiate`. A threat with fewer than two measurements gets
no track: a sensor that cannot see the missile never produces one.

Gating. A measurement whose normalised innovation squared exceeds the chi-square quantile
``gate_probability`` for its dimension is not used (the track coasts); after
``reinit_after`` consecutive rejections the track is re-initiated from the last two
measurements. This is how thrust and deep re-entry drag, which the ballistic model lacks,
show up: as a track that keeps restarting, whose covariance stays large.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from euroshield._parallel import parallel_blocks
from euroshield.defense.measurements import Measurements
from euroshield.earth.frames import Topocentric

from . import _kernels
from .dynamics import DEFAULT_MODEL, ProcessModel
from .tracks import Tracks

# Chi-square quantiles for the gate (scipy.stats.chi2.ppf(p, k), checked in the unit tests);
# tabulated so that importing the tracker does not import scipy.stats.
CHI2_QUANTILES = {
    (0.999, 3): 16.26623619623813,
    (0.999, 4): 18.46682695290317,
    (0.9999, 3): 21.107513466160444,
    (0.9999, 4): 23.512742444991076,
}


@dataclass(frozen=True)
class FilterParams:
    """Settings of the tracker.

    ``gate_probability``: chi-square probability of the NIS gate (0.9999: one good
    measurement in 10,000 rejected). ``reinit_after``: consecutive rejections before the
    track is re-initiated. ``min_init_gap_s`` / ``max_init_gap_s``: the two measurements of an
    initiation must be this far apart (closer pairs give a velocity dominated by noise; pairs
    further apart than 120 s are not treated as the same object's consecutive plots).
    ``second_order``: Gaussian second-order update for the range and the range rate (their
    Hessian terms in the predicted measurement and the innovation covariance); without it a
    young track kilometres wide across the line of sight is overconfident (the range is
    curved across it, the range rate bilinear in position and velocity). Off only to compare
    with a plain EKF.
    """

    model: ProcessModel = field(default_factory=lambda: DEFAULT_MODEL)
    gate_probability: float = 0.9999
    reinit_after: int = 3
    min_init_gap_s: float = 0.5
    max_init_gap_s: float = 120.0
    second_order: bool = True

    def __post_init__(self):
        if not 0.5 <= self.gate_probability < 1.0:
            raise ValueError(f"gate_probability: {self.gate_probability} is outside the "
                             "allowed range [0.5, 1)")
        if not 1 <= self.reinit_after <= 1000:
            raise ValueError(f"reinit_after: {self.reinit_after} is outside the allowed range "
                             "[1, 1000]")
        if not 0.0 < self.min_init_gap_s <= self.max_init_gap_s < np.inf:
            raise ValueError(f"min_init_gap_s, max_init_gap_s: {self.min_init_gap_s}, "
                             f"{self.max_init_gap_s} must satisfy 0 < min <= max < inf")

    def gate(self, k: int) -> float:
        try:
            return CHI2_QUANTILES[(self.gate_probability, k)]
        except KeyError:
            from scipy.stats import chi2  # only for a non-tabulated probability

            return float(chi2.ppf(self.gate_probability, k))


DEFAULT_PARAMS = FilterParams()


def site_frame(m: Measurements) -> tuple[np.ndarray, np.ndarray]:
    """ECEF position (3,) [m] and ENU rotation rows (3, 3) of a measurement set's site."""
    topo = Topocentric(m.site_lat_deg, m.site_lon_deg, m.site_height_m)
    return np.asarray(topo.ecef, dtype=float), np.ascontiguousarray(topo.rotation)


def measure(state, site_ecef, site_rotation) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free measurements (n, 4) (range [m], azimuth [rad], elevation [rad], range rate
    [m/s]) of Earth-fixed states (n, 6) from a site, and their Jacobians (n, 4, 6)."""
    s = np.ascontiguousarray(np.asarray(state, dtype=float).reshape(-1, 6))
    n = s.shape[0]
    z = np.empty((n, 4))
    h = np.empty((n, 4, 6))
    site = np.ascontiguousarray(site_ecef, dtype=float)
    rot = np.ascontiguousarray(site_rotation, dtype=float)

    def run(b: slice) -> None:
        _kernels.measure_rows(b.start, b.stop, s, site, rot, z, h)

    parallel_blocks(run, n, min_block=256)
    return z, h


def _merged(sets: Sequence[Measurements]):
    """Several sensors' measurements of the same ``n`` threats as one time-ordered sequence per
    threat: times (n, M), z (n, M, 4), R (n, M, 4, 4), sensor index (n, M) and the column of
    each entry in its sensor's set (n, M). One sensor's set keeps its own column order (its
    measurements are in time order already; NaN columns are skipped by the filter)."""
    n = sets[0].times_s.shape[0]
    times, zs, rs, idx, cols = [], [], [], [], []
    for si, m in enumerate(sets):
        if m.times_s.shape[0] != n:
            raise ValueError(f"sensor {m.sensor!r} measures {m.times_s.shape[0]} threats, "
                             f"the first sensor {n}: all sensors must measure the same set")
        mm = m.times_s.shape[1]
        k = m.k
        z = np.full((n, mm, 4), np.nan)
        z[..., :k] = m.z[..., :k]
        r = np.zeros((n, mm, 4, 4))
        r[..., :k, :k] = m.covariance()
        times.append(np.asarray(m.times_s, dtype=float))
        zs.append(z)
        rs.append(r)
        idx.append(np.full((n, mm), si, dtype=np.int64))
        cols.append(np.broadcast_to(np.arange(mm), (n, mm)))
    t = np.concatenate(times, axis=1)
    z, r, idx, cols = (np.concatenate(a, axis=1) for a in (zs, rs, idx, cols))
    if len(sets) > 1:
        order = np.argsort(t, axis=1, kind="stable")  # NaN (no measurement) sorts last
        rows = np.arange(n)[:, None]
        t, z, r, idx, cols = t[rows, order], z[rows, order], r[rows, order], \
            idx[rows, order], cols[rows, order]
    return (np.ascontiguousarray(t), np.ascontiguousarray(z), np.ascontiguousarray(r),
            np.ascontiguousarray(idx), cols)


def track(measurements: Measurements | Sequence[Measurements],
          params: FilterParams = DEFAULT_PARAMS) -> Tracks:
    """Tracks (one per threat) from one sensor's measurements, or from several sensors'
    measurements fused centrally (one filter per threat updated with every sensor's
    measurements in time order).

    The result has one epoch per measurement column: for one sensor the columns of its
    ``Measurements`` (same order), for several the merged time-ordered sequence
    (``Tracks.sensor_index`` and ``Tracks.measurement_index`` give each epoch's sensor and
    column), each with the posterior estimate after that measurement; ``Measurements.truth_ecef`` is
    never read. Vectorised over threats: one numba pass over the epochs, rows on threads.
    """
    sets = [measurements] if isinstance(measurements, Measurements) else list(measurements)
    if not sets:
        raise ValueError("track() needs at least one set of measurements")
    times, z, r, sensor, columns = _merged(sets)
    n, m = times.shape
    frames = [site_frame(s) for s in sets]
    sites = np.ascontiguousarray(np.stack([f[0] for f in frames]))
    rots = np.ascontiguousarray(np.stack([f[1] for f in frames]))
    kdim = np.array([s.k for s in sets], dtype=np.int64)
    gates = np.array([params.gate(int(k)) for k in kdim])
    out_x = np.empty((n, m, 6))
    out_p = np.empty((n, m, 6, 6))
    status = np.empty((n, m), dtype=np.int8)
    nis = np.empty((n, m))
    max_step, j2, omega, qh, ql, hd = params.model.kernel_args()

    def run(b: slice) -> None:
        _kernels.ekf_rows(b.start, b.stop, times, z, r, sensor, kdim, sites, rots, max_step,
                          j2, omega, qh, ql, hd, gates, int(params.reinit_after),
                          float(params.min_init_gap_s), float(params.max_init_gap_s),
                          bool(params.second_order), out_x, out_p, status, nis)

    parallel_blocks(run, n, min_block=8)
    has = status != _kernels.NO_TRACK
    return Tracks(
        sensors=tuple(s.sensor for s in sets),
        times_s=np.where(has, times, np.nan),
        state=out_x,
        covariance=out_p,
        status=status,
        nis=nis,
        nis_dof=np.where(np.isfinite(nis), kdim[np.clip(sensor, 0, None)], 0).astype(np.int8),
        sensor_index=np.where(np.isfinite(times), sensor, -1).astype(np.int16),
        model=params.model,
        measurement_index=np.where(np.isfinite(times), columns, -1),
    )
