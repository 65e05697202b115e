"""Track-to-track fusion without double counting, with link latency.

Two systems that exchange tracks of the same threat cannot know how much of their information
is shared (common process noise, earlier exchanges, the same prior), so adding their
information matrices (:func:`naive_fusion`, exact only for independent estimates) can make the
fused track look better than it is. Covariance intersection (Julier & Uhlmann 1997; for
Gaussians the same as Chernoff fusion, Hurley 2002, which Stone Soup implements as
``ChernoffUpdater`` / ``CovarianceIntersection``) is consistent whatever the unknown
correlation:

    P^-1 = w Pa^-1 + (1 - w) Pb^-1,   x = P (w Pa^-1 xa + (1 - w) Pb^-1 xb),   w in [0, 1]

with ``w`` chosen to minimise the trace or the determinant of P (both are convex/unimodal in
``w``: the trace of a matrix inverse is convex and log det is concave over positive-definite
matrices). Stone Soup's implementation takes a fixed ``w`` and one pair at a time; here ``w`` is
optimised for all pairs at once (Newton's method on the derivative, vectorised over rows,
after one simultaneous diagonalisation of each pair).

Latency: a remote track is used at time t only as it was known at ``t - latency``, predicted
forward to t with the ballistic model (:meth:`Tracks.predict_to`).

Units: states ECEF [m, m/s], covariances in the same units, times [s].
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .tracks import NO_TRACK, Tracks

CRITERIA = ("trace", "det")


def _spectra(pa, pb):
    """Simultaneous diagonalisation of the two information matrices.

    With Pb = L L^T and L^T Pa^-1 L = V diag(lam) V^T, the fused information is
    L^-T V diag(1 + w (lam - 1)) V^T L^-1, so for every weight w

        P(w) = (L V) diag(1 / (1 + w (lam - 1))) (L V)^T,
        trace P(w) = sum_i c_i / (1 + w (lam_i - 1)),  c_i = |L v_i|^2,
        log det P(w) = log det Pb - sum_i log(1 + w (lam_i - 1)).

    One eigendecomposition per pair makes each cost evaluation of the weight search a few
    operations on (n, d) arrays instead of a matrix inversion. Returns (lam, LV, c)."""
    chol = np.linalg.cholesky(pb)
    m = np.swapaxes(chol, -1, -2) @ np.linalg.solve(pa, chol)
    lam, v = np.linalg.eigh(0.5 * (m + np.swapaxes(m, -1, -2)))
    lv = chol @ v
    return lam, lv, np.sum(lv * lv, axis=-2)


def _slopes(lam, c, w, criterion: str):
    """First and second derivatives of the cost with respect to w (convex: f'' > 0, because
    1 + w (lam - 1) > 0 on [0, 1] for positive-definite inputs)."""
    a = lam - 1.0
    den = 1.0 + w[:, None] * a
    if criterion == "trace":
        t = c * a / den**2
        return -np.sum(t, axis=-1), 2.0 * np.sum(t * a / den, axis=-1)
    t = a / den
    return -np.sum(t, axis=-1), np.sum(t * t, axis=-1)


def ci_weight(pa, pb, criterion: str = "det", iterations: int = 30) -> np.ndarray:
    """The covariance-intersection weight ``w`` (n,) in [0, 1] minimising the trace or the
    determinant of the fused covariance of ``pa``, ``pb`` (n, d, d), vectorised over rows.

    Both costs are convex in ``w`` (the trace of a matrix inverse is convex and log det
    concave over positive-definite matrices), so the optimum is an end point (one input
    alone: the fusion is then never worse than the better input) or the root of the
    derivative, found by Newton's method kept inside a shrinking bracket (bisection when a
    Newton step leaves it)."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    lam, _, c = _spectra(np.asarray(pa, dtype=float), np.asarray(pb, dtype=float))
    return _optimal_weight(lam, c, criterion, iterations)


def _optimal_weight(lam, c, criterion, iterations):
    n = lam.shape[0]
    d0, _ = _slopes(lam, c, np.zeros(n), criterion)
    d1, _ = _slopes(lam, c, np.ones(n), criterion)
    lo = np.zeros(n)
    hi = np.ones(n)
    w = np.full(n, 0.5)
    inner = (d0 < 0.0) & (d1 > 0.0)
    for _ in range(iterations):
        g, h = _slopes(lam, c, w, criterion)
        lo = np.where(g < 0.0, w, lo)
        hi = np.where(g > 0.0, w, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = w - g / h
        w = np.where((step > lo) & (step < hi), step, 0.5 * (lo + hi))
    # end points where the cost is monotone on [0, 1]
    return np.where(inner, w, np.where(d0 >= 0.0, 0.0, 1.0))


def covariance_intersection(xa, pa, xb, pb, criterion: str = "det", weight=None):
    """Covariance intersection of estimates (xa (n, d), pa (n, d, d)) and (xb, pb).

    Returns ``(x, p, w)``; ``w`` (n,) is optimised (:func:`ci_weight`) unless given.
    Consistent for any correlation between the inputs; identical inputs give back the input
    (no double counting)."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    xa = np.asarray(xa, dtype=float)
    xb = np.asarray(xb, dtype=float)
    pa = np.asarray(pa, dtype=float)
    pb = np.asarray(pb, dtype=float)
    lam, lv, c = _spectra(pa, pb)
    w = _optimal_weight(lam, c, criterion, 30) if weight is None else np.broadcast_to(
        np.asarray(weight, dtype=float), xa.shape[:1])
    p = np.einsum("nik,nk,njk->nij", lv, 1.0 / (1.0 + w[:, None] * (lam - 1.0)), lv)
    p = 0.5 * (p + np.swapaxes(p, -1, -2))
    info = (w[:, None] * np.linalg.solve(pa, xa[..., None])[..., 0]
            + (1.0 - w)[:, None] * np.linalg.solve(pb, xb[..., None])[..., 0])
    return np.einsum("nij,nj->ni", p, info), p, w


def naive_fusion(xa, pa, xb, pb):
    """Fusion that assumes independent errors: P^-1 = Pa^-1 + Pb^-1. Exact for independent
    estimates; double counts shared information otherwise (two copies of one track halve its
    covariance). For comparison only."""
    ia = np.linalg.inv(pa)
    ib = np.linalg.inv(pb)
    p = np.linalg.inv(ia + ib)
    p = 0.5 * (p + np.swapaxes(p, -1, -2))
    x = np.einsum("nij,nj->ni", p, np.einsum("nij,nj->ni", ia, xa)
                  + np.einsum("nij,nj->ni", ib, xb))
    return x, p


def fuse_tracks(tracks: Sequence[Tracks], times_s, latencies_s: Sequence[float] | None = None,
                criterion: str = "det") -> Tracks:
    """Track-to-track fusion of several trackers' tracks of the same ``n`` threats at query
    times ``times_s`` (n, T) or (T,) [s].

    Each input ``tracks[k]`` is taken as known at ``t - latencies_s[k]`` (0 for the local
    tracker, the link latency for a remote one) and predicted to ``t``
    (:meth:`Tracks.predict_to`); the available estimates are combined by covariance
    intersection, pairwise in input order (each step consistent, so the result is). Where
    only one input has an estimate the result is that estimate; where none has, NaN.
    Returns :class:`Tracks` on the query epochs: ``sensors`` has one entry per input (its
    sensor names joined with '+'), ``sensor_index`` is the input that alone gave the estimate
    (-1 where several were fused), status that of the first contributing input, no NIS.
    """
    if not tracks:
        raise ValueError("fuse_tracks needs at least one Tracks")
    lat = [0.0] * len(tracks) if latencies_s is None else list(latencies_s)
    if len(lat) != len(tracks):
        raise ValueError(f"{len(tracks)} tracks but {len(lat)} latencies")
    known = [t.predict_to(times_s, float(lat_k)) for t, lat_k in zip(tracks, lat, strict=True)]
    x = known[0].state.copy()
    p = known[0].covariance.copy()
    have = known[0].valid.copy()
    status = known[0].status.copy()
    count = have.astype(np.int16)
    for k in known[1:]:
        both = have & k.valid
        only_new = ~have & k.valid
        if both.any():
            fx, fp, _ = covariance_intersection(x[both], p[both], k.state[both],
                                                k.covariance[both], criterion)
            x[both] = fx
            p[both] = fp
        x[only_new] = k.state[only_new]
        p[only_new] = k.covariance[only_new]
        status = np.where(only_new, k.status, status)
        have |= k.valid
        count += k.valid
    q = np.broadcast_to(np.asarray(times_s, dtype=float), x.shape[:2])
    single = np.full(x.shape[:2], -1, dtype=np.int16)
    for idx, k in enumerate(known):
        single = np.where((count == 1) & k.valid, idx, single)
    return Tracks(
        sensors=tuple(t.sensor for t in tracks),
        times_s=np.where(have, q, np.nan),
        state=np.where(have[..., None], x, np.nan),
        covariance=np.where(have[..., None, None], p, np.nan),
        status=np.where(have, status, NO_TRACK).astype(np.int8),
        nis=np.full(x.shape[:2], np.nan),
        nis_dof=np.zeros(x.shape[:2], dtype=np.int8),
        sensor_index=single,
        model=tracks[0].model,
    )
