"""U.S. Standard Atmosphere 1976, 0-1000 km geometric altitude, from a vendored table.

The table ``data/us76.csv`` (uniform 1 km grid, see ``data/US76_SOURCE.md``)
is loaded once at import. Log density and log pressure are interpolated with a
cubic spline through the table nodes (they are close to exponential in altitude;
a C2-smooth interpolant matters because the trajectory integrator is 8th order
and a piecewise-linear table made it take five times more steps in re-entry);
temperature and speed of sound linearly. Outside the table: below 0 m the
first spline piece is extrapolated down to -5 km (the lower limit of US76; this
keeps the air smooth through a trajectory step that ends below the ground, which
the impact search needs), constant below that; above 1000 km density and
pressure are 0 and the speed of sound and temperature keep their 1000 km
values. A NaN altitude gives NaN outputs.

Altitudes are geometric heights in metres (use the WGS84 ellipsoidal height);
density kg/m^3, pressure Pa, temperature K, speed of sound m/s.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numba import njit

_COLUMNS = ("altitude_m", "temperature_K", "pressure_Pa", "density_kg_m3", "speed_of_sound_m_s")


def _load_table() -> np.ndarray:
    text = resources.files("euroshield.earth").joinpath("data/us76.csv").read_text("ascii")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    if tuple(lines[0].split(",")) != _COLUMNS:
        raise ValueError(f"unexpected us76.csv header: {lines[0]!r}")
    return np.array([[float(v) for v in ln.split(",")] for ln in lines[1:]])


_TABLE = _load_table()

#: Table altitudes (m), temperature (K), pressure (Pa), density (kg/m^3), speed of sound (m/s).
ALTITUDE_M: np.ndarray = _TABLE[:, 0].copy()
TEMPERATURE_K: np.ndarray = _TABLE[:, 1].copy()
PRESSURE_PA: np.ndarray = _TABLE[:, 2].copy()
DENSITY_KG_M3: np.ndarray = _TABLE[:, 3].copy()
SPEED_OF_SOUND_M_S: np.ndarray = _TABLE[:, 4].copy()

# The O(1) lookup below relies on a uniform grid starting at 0 m.
_DZ = float(ALTITUDE_M[1] - ALTITUDE_M[0])
if ALTITUDE_M[0] != 0.0 or not np.allclose(np.diff(ALTITUDE_M), _DZ, rtol=0.0, atol=1e-9):
    raise ValueError("us76.csv must be on a uniform grid starting at 0 m")
_INV_DZ = 1.0 / _DZ
_N = ALTITUDE_M.size
H_MAX_M: float = float(ALTITUDE_M[-1])

_LOG_RHO = np.log(DENSITY_KG_M3)
_LOG_P = np.log(PRESSURE_PA)
# spline coefficients (4, N-1) in powers of the offset from the left node, highest power first:
# scipy's CubicSpline through the table, vendored by tools/make_us76_spline.py so that start-up
# does not import scipy.interpolate (0.5 s); a unit test checks them against CubicSpline
_SPLINE = json.loads(resources.files("euroshield.earth").joinpath(
    "data/us76_spline.json").read_text("ascii"))
_C_RHO = np.ascontiguousarray(_SPLINE["log_density"], dtype=np.float64)
_C_P = np.ascontiguousarray(_SPLINE["log_pressure"], dtype=np.float64)
_CS = SPEED_OF_SOUND_M_S.copy()
H_MIN_M: float = -5000.0
_LOG_RHO_MIN = float(np.polyval(_C_RHO[:, 0], H_MIN_M))
_LOG_P_MIN = float(np.polyval(_C_P[:, 0], H_MIN_M))
_CS_SLOPE0 = float((SPEED_OF_SOUND_M_S[1] - SPEED_OF_SOUND_M_S[0]) * _INV_DZ)
_CS0 = float(SPEED_OF_SOUND_M_S[0])
_CS_TOP = float(SPEED_OF_SOUND_M_S[-1])


@njit(cache=True)
def _cell(h_m):
    """Grid index and fraction for 0 <= h_m <= H_MAX_M."""
    u = h_m * _INV_DZ
    i = int(u)
    if i > _N - 2:
        i = _N - 2
    return i, u - i


@njit(cache=True, inline="always")
def _spline(c, i, dx):
    return ((c[0, i] * dx + c[1, i]) * dx + c[2, i]) * dx + c[3, i]


@njit(cache=True)
def density_nb(h_m):
    """US76 air density (kg/m^3) at geometric altitude ``h_m`` (m); scalar kernel."""
    if h_m < 0.0:
        if h_m < H_MIN_M:
            return math.exp(_LOG_RHO_MIN)
        return math.exp(_spline(_C_RHO, 0, h_m))
    if h_m <= H_MAX_M:
        i, f = _cell(h_m)
        return math.exp(_spline(_C_RHO, i, f * _DZ))
    if h_m > H_MAX_M:
        return 0.0
    # NaN altitude: propagate rather than index the table with garbage.
    return math.nan


@njit(cache=True)
def atmosphere_nb(h_m):
    """US76 ``(density kg/m^3, pressure Pa, speed of sound m/s)`` at ``h_m`` (m); scalar."""
    if h_m < 0.0:
        hh = max(h_m, H_MIN_M)
        return (math.exp(_spline(_C_RHO, 0, hh)), math.exp(_spline(_C_P, 0, hh)),
                _CS0 + _CS_SLOPE0 * hh)
    if h_m <= H_MAX_M:
        i, f = _cell(h_m)
        dx = f * _DZ
        rho = math.exp(_spline(_C_RHO, i, dx))
        p = math.exp(_spline(_C_P, i, dx))
        a = _CS[i] + f * (_CS[i + 1] - _CS[i])
        return rho, p, a
    if h_m > H_MAX_M:
        return 0.0, 0.0, _CS_TOP
    return math.nan, math.nan, math.nan


@dataclass(frozen=True)
class US76State:
    """Atmospheric state arrays (same shape as the altitude input)."""

    density_kg_m3: np.ndarray
    pressure_Pa: np.ndarray
    speed_of_sound_m_s: np.ndarray
    temperature_K: np.ndarray


def us76(h_m) -> US76State:
    """Vectorised US76 state at geometric altitudes ``h_m`` (m, any shape).

    Same interpolation and out-of-range rules as the numba kernels.
    """
    h = np.asarray(h_m, dtype=float)
    nan = np.isnan(h)
    hc = np.clip(np.where(nan, 0.0, h), H_MIN_M, H_MAX_M)
    u = hc * _INV_DZ
    i = np.clip(np.floor(u).astype(np.int64), 0, _N - 2)
    f = u - i  # negative below 0 m: the first cell is extrapolated

    def lin(y):
        return np.where(nan, np.nan, y[i] + f * (y[i + 1] - y[i]))

    def spline(c):
        dx = f * _DZ
        return np.where(nan, np.nan, ((c[0, i] * dx + c[1, i]) * dx + c[2, i]) * dx + c[3, i])

    above = h > H_MAX_M
    rho = np.where(above, 0.0, np.exp(spline(_C_RHO)))
    p = np.where(above, 0.0, np.exp(spline(_C_P)))
    return US76State(
        density_kg_m3=rho,
        pressure_Pa=p,
        speed_of_sound_m_s=lin(_CS),
        temperature_K=lin(TEMPERATURE_K),
    )
