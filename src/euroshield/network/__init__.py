"""Tracking and fusion: batched ballistic EKF tracks from radar measurements, track quality,
track-to-track fusion (covariance intersection, with link latency) and central measurement
fusion.

Modules: :mod:`.dynamics` (ballistic Earth-fixed motion, state transition matrix),
:mod:`.filters` (the EKF, initiation, central measurement fusion), :mod:`.tracks` (the
``Tracks`` type, quality, prediction with latency, NEES), :mod:`.fusion` (covariance
intersection, naive fusion for comparison, track-to-track fusion). Numba kernels are all in
``_kernels.py``.
"""

from .dynamics import DEFAULT_MODEL, ProcessModel, propagate
from .filters import DEFAULT_PARAMS, FilterParams, track
from .fusion import covariance_intersection, fuse_tracks, naive_fusion
from .tracks import Tracks, nees

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_PARAMS",
    "FilterParams",
    "ProcessModel",
    "Tracks",
    "covariance_intersection",
    "fuse_tracks",
    "naive_fusion",
    "nees",
    "propagate",
    "track",
]
