"""Vectorised one-dimensional searches used by the closed forms and by aiming."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_GOLD = (np.sqrt(5.0) - 1.0) / 2.0


def golden_max(f: Callable[[np.ndarray], np.ndarray], lo, hi, iterations: int = 60,
               xtol: float = 0.0) -> np.ndarray:
    """Maximiser of a unimodal ``f`` on [lo, hi], elementwise over arrays (golden section).

    ``f`` takes and returns arrays of the shape of ``lo``/``hi``; each iteration evaluates it
    once. Stops after ``iterations`` or when every bracket is narrower than ``xtol``.
    """
    lo = np.array(lo, dtype=float)
    hi = np.array(hi, dtype=float)
    x1 = hi - _GOLD * (hi - lo)
    x2 = lo + _GOLD * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(iterations):
        left = f1 > f2  # the maximum lies in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        x1_new = np.where(left, hi - _GOLD * (hi - lo), x2)
        x2_new = np.where(left, x1, lo + _GOLD * (hi - lo))
        probe = f(np.where(left, x1_new, x2_new))
        f1, f2 = np.where(left, probe, f2), np.where(left, f1, probe)
        x1, x2 = x1_new, x2_new
        if xtol > 0 and np.all(hi - lo < xtol):
            break
    return 0.5 * (lo + hi)
