"""Tests of euroshield.earth.gravity against its potential and closed forms."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from euroshield.earth import constants as c

# Imported via importlib: the package re-exports the function ``gravity``, which
# shadows the submodule attribute ``euroshield.earth.gravity``.
g = importlib.import_module("euroshield.earth.gravity")


@pytest.fixture(scope="module")
def positions():
    """Random positions from the surface to 3000 km, all latitudes."""
    rng = np.random.default_rng(11)
    n = 500
    direction = rng.normal(size=(n, 3))
    direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
    radius = rng.uniform(c.WGS84_B, c.WGS84_A + 3000e3, n)
    r = direction * radius[:, None]
    r[0] = [0.0, 0.0, c.WGS84_B]  # north pole
    r[1] = [c.WGS84_A, 0.0, 0.0]  # equator
    return r


def _numerical_gradient(f, r, step=10.0):
    grad = np.empty_like(r)
    for k in range(3):
        dr = np.zeros(3)
        dr[k] = step
        grad[..., k] = (f(r + dr) - f(r - dr)) / (2.0 * step)
    return grad


def test_constants_derived_values():
    # Truth: NIMA TR8350.2 Table 3.3 derived constants and J2 = -sqrt(5) * C20bar.
    assert c.WGS84_B == pytest.approx(6356752.3142, abs=1e-4)
    assert c.WGS84_E2 == pytest.approx(6.69437999014e-3, rel=1e-11)
    assert c.WGS84_EP2 == pytest.approx(6.73949674228e-3, rel=1e-11)
    assert c.J2_EARTH == pytest.approx(-math.sqrt(5.0) * -4.84166774985e-4, rel=1e-11)


def test_acceleration_is_minus_gradient_of_potential(positions):
    # Truth: central-difference gradient of j2_potential (10 m step: truncation
    # ~1e-12 relative, round-off ~1e-10 relative).
    grad = _numerical_gradient(g.j2_potential, positions)
    acc = g.gravity(positions)
    acc_nb = np.array([g.j2_gravity_nb(*p) for p in positions])
    scale = np.linalg.norm(acc, axis=-1, keepdims=True)
    assert np.max(np.abs(acc + grad) / scale) < 1e-7
    assert np.max(np.abs(acc_nb - acc) / scale) < 1e-14


def test_equator_and_pole_closed_form():
    # Truth: on the equator (z = 0) |g| = GM/a^2 (1 + 3/2 J2); on the pole axis at
    # r = b: |g| = GM/b^2 (1 - 3 J2 (a/b)^2) (analytic gradient of U).
    ge = np.linalg.norm(g.j2_gravity_nb(c.WGS84_A, 0.0, 0.0))
    assert ge == pytest.approx(c.GM_EARTH / c.WGS84_A**2 * (1 + 1.5 * c.J2_EARTH), rel=1e-13)
    gp = g.j2_gravity_nb(0.0, 0.0, c.WGS84_B)
    assert gp[0] == 0.0 and gp[1] == 0.0
    expected = c.GM_EARTH / c.WGS84_B**2 * (1 - 3 * c.J2_EARTH * (c.WGS84_A / c.WGS84_B) ** 2)
    assert -gp[2] == pytest.approx(expected, rel=1e-13)


def test_matches_wgs84_normal_gravity():
    # Truth: WGS84 normal gravity (TR8350.2 Table 3.4) on the ellipsoid, equator
    # 9.7803253359 and pole 9.8321849378 m/s^2, which includes the centrifugal term
    # and all zonal terms; J2-only gravity minus omega^2 a agrees to ~5e-5.
    ge = np.linalg.norm(g.gravity(np.array([c.WGS84_A, 0.0, 0.0])))
    assert ge - c.OMEGA_EARTH**2 * c.WGS84_A == pytest.approx(9.7803253359, rel=1e-4)
    gp = np.linalg.norm(g.gravity(np.array([0.0, 0.0, c.WGS84_B])))
    assert gp == pytest.approx(9.8321849378, rel=1e-4)


def test_point_mass(positions):
    # Truth: Newton's law -GM r / |r|^3.
    rn = np.linalg.norm(positions, axis=-1, keepdims=True)
    newton = -c.GM_EARTH * positions / rn**3
    np.testing.assert_allclose(g.gravity(positions, j2=False), newton, rtol=1e-14, atol=0)
    pm = np.array([g.point_mass_gravity_nb(*p) for p in positions])
    np.testing.assert_allclose(pm, newton, rtol=1e-14, atol=0)
    # The J2 term's relative size is 1.5 J2 (a/r)^2 on the equator and 3 J2 (a/r)^2
    # (its maximum) on the axis; its minimum is 0.894 * 1.5 J2 (a/r)^2 at sin^2(lat) = 0.2.
    rel = np.linalg.norm(g.gravity(positions) - newton, axis=-1) / rn[:, 0]**-2 / c.GM_EARTH
    bound = 3.0 * c.J2_EARTH * (c.WGS84_A / rn[:, 0]) ** 2
    assert np.all(rel <= bound * (1 + 1e-9))
    assert np.all(rel >= 0.4 * bound)


def test_point_mass_limit_far_away():
    # Truth: the J2 term decays as (a/r)^2 relative, i.e. 1.5 J2 (a/r)^2 < 7e-8 at 1e9 m.
    r = np.array([4e8, -5e8, 7e8])
    r *= 1e9 / np.linalg.norm(r)
    full = np.array(g.j2_gravity_nb(*r))
    pm = np.array(g.point_mass_gravity_nb(*r))
    rel = np.linalg.norm(full - pm) / np.linalg.norm(pm)
    assert 0.0 < rel < 1.5 * c.J2_EARTH * (c.WGS84_A / 1e9) ** 2 * 4


def test_potential_values():
    # Truth: closed form U = -GM/r (1 - J2 (a/r)^2 (3 sin^2 phi - 1)/2) at the equator
    # (sin phi = 0) and pole (sin phi = 1).
    ue = g.j2_potential(np.array([c.WGS84_A, 0.0, 0.0]))
    assert ue == pytest.approx(-c.GM_EARTH / c.WGS84_A * (1 + c.J2_EARTH / 2), rel=1e-14)
    up = g.j2_potential(np.array([0.0, 0.0, 7e6]))
    assert up == pytest.approx(-c.GM_EARTH / 7e6 * (1 - c.J2_EARTH * (c.WGS84_A / 7e6) ** 2),
                               rel=1e-14)
    assert g.j2_potential(np.zeros((4, 2, 3)) + [7e6, 0, 0]).shape == (4, 2)


def test_kernels_callable_from_njit_code():
    # Truth: the numpy path; the flight integrator calls the kernel from @njit code.
    from numba import njit

    @njit
    def both(x, y, z):
        ax, ay, az = g.j2_gravity_nb(x, y, z)
        bx, by, bz = g.point_mass_gravity_nb(x, y, z)
        return ax, ay, az, bx, by, bz

    r = np.array([3e6, -4e6, 5e6])
    out = np.array(both(*r))
    np.testing.assert_allclose(out[:3], g.gravity(r), rtol=1e-14)
    np.testing.assert_allclose(out[3:], g.gravity(r, j2=False), rtol=1e-14)
