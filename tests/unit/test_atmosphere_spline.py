"""The vendored spline coefficients of the US76 table are scipy's CubicSpline through it."""

import numpy as np
from scipy.interpolate import CubicSpline

from euroshield.earth import atmosphere as atm


def test_spline_coefficients_equal_scipy():
    """tools/make_us76_spline.py output equals CubicSpline (not-a-knot) on the vendored table;
    regenerate it when the table changes."""
    assert np.array_equal(atm._C_RHO, CubicSpline(atm.ALTITUDE_M, np.log(atm.DENSITY_KG_M3)).c)
    assert np.array_equal(atm._C_P, CubicSpline(atm.ALTITUDE_M, np.log(atm.PRESSURE_PA)).c)


def test_spline_passes_through_the_table():
    """At every node the interpolated density is the tabulated US76 value (1e-12 relative)."""
    rho = np.exp(atm._C_RHO[3])
    assert np.allclose(rho, atm.DENSITY_KG_M3[:-1], rtol=1e-12, atol=0)
