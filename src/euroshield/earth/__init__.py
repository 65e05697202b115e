"""Earth model: WGS84 constants and frames, J2 gravity, US76 atmosphere, geodesics.

Submodules: :mod:`constants`, :mod:`frames`, :mod:`gravity`, :mod:`atmosphere`, :mod:`geodesy`.
Functions ending in ``_nb`` are scalar numba kernels meant to be called from other ``@njit``
code; the rest are vectorised NumPy functions. Nothing is re-exported here so that each
submodule name stays a module (``euroshield.earth.gravity`` is the module, not a function).
"""
