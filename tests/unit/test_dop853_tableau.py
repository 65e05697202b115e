"""The vendored DOP853 tableau is SciPy's, bit for bit (tools/make_dop853_tableau.py)."""

import numpy as np
import pytest
from scipy.integrate import DOP853

from euroshield.flight import integrator


@pytest.mark.parametrize("name", ["A", "B", "C", "E3", "E5"])
def test_tableau_equals_scipy(name):
    """Coefficients of Hairer, Norsett & Wanner's DOP853 as published by SciPy."""
    ours = getattr(integrator, f"_{name}")
    assert np.array_equal(ours, np.asarray(getattr(DOP853, name), dtype=np.float64))


def test_tableau_is_consistent():
    """Row sums of A equal the nodes C (the stage consistency condition), and the weights B sum
    to 1 (exactness for constant right-hand sides)."""
    a = integrator._A
    c = integrator._C
    assert np.allclose(a[: len(c)].sum(axis=1), c, atol=1e-14)
    assert integrator._B.sum() == pytest.approx(1.0, abs=1e-14)
