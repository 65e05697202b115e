"""Tests of the vendored US76 table against the ussa1976 package and published values."""

from __future__ import annotations

import numpy as np
import pytest

from euroshield.earth import atmosphere as atm

ussa1976 = pytest.importorskip("ussa1976")  # test-only dependency, the truth here


@pytest.fixture(scope="module")
def off_grid():
    """Random altitudes kept >= 50 m away from the 1 km table nodes."""
    rng = np.random.default_rng(76)
    z = rng.uniform(0.0, 1_000_000.0, 5000)
    frac = np.mod(z, 1000.0)
    z = z[(frac > 50.0) & (frac < 950.0)]
    # Add the regions where interpolation is hardest: US76 layer kinks (converted
    # to geometric height) and the 86 km junction.
    extra = np.array([11019.0, 20063.0, 32162.0, 47350.0, 51412.0, 71802.0, 85500.0,
                      86500.0, 91500.0, 110500.0, 120500.0])
    z = np.sort(np.concatenate([z, extra]))
    ref = ussa1976.compute(z=z, variables=["t", "p", "rho", "cs"])
    return z, ref


def test_density_and_pressure_vs_ussa1976(off_grid):
    # Truth: ussa1976 evaluated at the same altitudes; budget 1 % below 86 km, 5 % above.
    z, ref = off_grid
    state = atm.us76(z)
    low = z < 86_000.0
    for ours, key in ((state.density_kg_m3, "rho"), (state.pressure_Pa, "p")):
        rel = np.abs(ours / ref[key].to_numpy() - 1.0)
        assert np.max(rel[low]) < 0.01, key
        assert np.max(rel[~low]) < 0.05, key


def test_temperature_and_speed_of_sound_vs_ussa1976(off_grid):
    # Truth: ussa1976 (speed of sound only defined below 86 km there).
    z, ref = off_grid
    state = atm.us76(z)
    low = z < 86_000.0
    np.testing.assert_allclose(state.speed_of_sound_m_s[low], ref["cs"].to_numpy()[low],
                               rtol=2e-3)
    np.testing.assert_allclose(state.temperature_K, ref["t"].to_numpy(), rtol=1e-2)


def test_published_values():
    # Truth: U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), Table I:
    # sea level rho = 1.2250 kg/m^3, p = 101325 Pa, a = 340.29 m/s, T = 288.15 K;
    # 86 km: p = 3.7338e-1 Pa, rho = 6.958e-6 kg/m^3.
    rho, p, a = atm.atmosphere_nb(0.0)
    assert rho == pytest.approx(1.225, rel=1e-3)
    assert p == pytest.approx(101325.0, rel=1e-6)
    assert a == pytest.approx(340.29, abs=0.01)
    assert atm.us76(0.0).temperature_K == pytest.approx(288.15, abs=1e-6)
    rho86, p86, _ = atm.atmosphere_nb(86_000.0)
    assert p86 == pytest.approx(3.7338e-1, rel=1e-3)
    assert rho86 == pytest.approx(6.958e-6, rel=1e-3)


def test_numba_kernel_equals_numpy_path():
    # Truth: the numpy implementation (same table, same interpolation rules).
    z = np.concatenate([[-500.0, 0.0, 1e-3, 999.999, 1000.0, 999_999.0, 1e6, 1e6 + 1.0, 2e6],
                        np.linspace(-1e3, 1.1e6, 2001)])
    state = atm.us76(z)
    nb = np.array([atm.atmosphere_nb(h) for h in z])
    rho_only = np.array([atm.density_nb(h) for h in z])
    np.testing.assert_allclose(nb[:, 0], state.density_kg_m3, rtol=1e-13, atol=0)
    np.testing.assert_allclose(rho_only, state.density_kg_m3, rtol=1e-13, atol=0)
    np.testing.assert_allclose(nb[:, 1], state.pressure_Pa, rtol=1e-13, atol=0)
    np.testing.assert_allclose(nb[:, 2], state.speed_of_sound_m_s, rtol=1e-13, atol=0)


def test_out_of_range_rules():
    # Truth: the documented rules (vacuum above 1000 km; below -5 km, the US76 floor, constant).
    assert atm.atmosphere_nb(-6000.0) == atm.atmosphere_nb(-9000.0)
    rho, p, a = atm.atmosphere_nb(1.5e6)
    assert rho == 0.0 and p == 0.0
    assert a == pytest.approx(atm.SPEED_OF_SOUND_M_S[-1])
    assert atm.density_nb(1e6 + 1.0) == 0.0
    assert atm.density_nb(1e6) == pytest.approx(atm.DENSITY_KG_M3[-1], rel=1e-14)
    # A NaN altitude (e.g. a diverged integration) propagates instead of indexing garbage.
    assert np.isnan(atm.density_nb(np.nan))
    assert np.all(np.isnan(atm.atmosphere_nb(np.nan)))
    state = atm.us76([np.nan, 0.0])
    assert np.isnan(state.density_kg_m3[0]) and np.isnan(state.speed_of_sound_m_s[0])
    assert state.density_kg_m3[1] == atm.DENSITY_KG_M3[0]


def test_table_shape_and_monotonic_density():
    # Truth: physics; density and pressure decrease monotonically with height.
    assert atm.ALTITUDE_M[0] == 0.0 and atm.ALTITUDE_M[-1] == 1_000_000.0
    assert np.all(np.diff(atm.DENSITY_KG_M3) < 0.0)
    assert np.all(np.diff(atm.PRESSURE_PA) < 0.0)
    assert atm.us76(np.zeros((3, 4))).density_kg_m3.shape == (3, 4)


def test_kernels_callable_from_njit_code():
    # Truth: the numpy path; the flight integrator calls the kernels from @njit code.
    from numba import njit

    @njit
    def drag_inputs(h):
        rho, p, a = atm.atmosphere_nb(h)
        return atm.density_nb(h), rho, p, a

    state = atm.us76(42_345.0)
    rho1, rho2, p, a = drag_inputs(42_345.0)
    assert rho1 == pytest.approx(state.density_kg_m3, rel=1e-13)
    assert rho2 == pytest.approx(state.density_kg_m3, rel=1e-13)
    assert p == pytest.approx(state.pressure_Pa, rel=1e-13)
    assert a == pytest.approx(state.speed_of_sound_m_s, rel=1e-13)


@pytest.mark.parametrize("h_m, rho_us76", [(-1000.0, 1.3470), (-2000.0, 1.4782)])
def test_below_sea_level_extrapolation(h_m, rho_us76):
    """Below 0 m the table's first spline piece is extrapolated so the air stays smooth through
    an impact step. Truth: the US76 first-layer closed form rho0 (T/T0)^(g0 M / (R* L) - 1),
    T = 288.15 K - 6.5 K/km x geopotential height, which gives the published US76 values
    1.3470 kg/m^3 at -1 km and 1.4782 kg/m^3 at -2 km. Tolerance 0.5 %."""
    assert atm.density_nb(h_m) == pytest.approx(rho_us76, rel=5e-3)
    assert float(atm.us76(h_m).density_kg_m3) == pytest.approx(atm.density_nb(h_m), rel=1e-13)
    # continuity at sea level
    assert atm.density_nb(-1e-6) == pytest.approx(atm.density_nb(1e-6), rel=1e-9)
