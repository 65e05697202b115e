"""Aiming: the solved guidance lands within 1 km of the target on the rotating WGS84 Earth with
J2 and drag, for random launch/target pairs within reach (issue acceptance: 100 pairs)."""

import numpy as np
import pytest

from euroshield import catalog
from euroshield.earth import geodesy
from euroshield.errors import UnreachableTargetError
from euroshield.flight import aiming


def _pairs(n, seed, dmin_km, dmax_km):
    rng = np.random.default_rng(seed)
    lat0 = rng.uniform(25.0, 60.0, n)
    lon0 = rng.uniform(-10.0, 120.0, n)
    az = rng.uniform(0.0, 360.0, n)
    d = rng.uniform(dmin_km, dmax_km, n) * 1e3
    lat1, lon1, _ = geodesy.direct(lat0, lon0, az, d)
    return lat0, lon0, np.asarray(lat1), np.asarray(lon1), d


def _check_misses(res, truth_lat, truth_lon):
    lat, lon, _ = res.batch.impact_geodetic()
    miss, _, _ = geodesy.inverse(lat, lon, truth_lat, truth_lon)
    assert res.converged.all(), np.flatnonzero(~res.converged)
    assert np.max(miss) < 1000.0


def test_minimum_energy_100_random_pairs():
    m = catalog.get_missile("topol-m-like")
    lat0, lon0, lat1, lon1, _ = _pairs(100, 1, 1500.0, 8000.0)
    res = aiming.aim(m, lat0, lon0, lat1, lon1)
    _check_misses(res, lat1, lon1)


@pytest.mark.parametrize("shape", ["lofted", "depressed"])
def test_lofted_and_depressed_shapes(shape):
    """Shape constraints are met too: apogee within 1 km, burnout angle within 0.01 deg."""
    m = catalog.get_missile("minuteman3-like")
    lat0, lon0, lat1, lon1, d = _pairs(40, 2, 2000.0, 7000.0)
    kw = {"apogee_km": np.maximum(1500.0, 0.25 * d / 1e3)} if shape == "lofted" else {
        "gamma_deg": 15.0}
    res = aiming.aim(m, lat0, lon0, lat1, lon1, shape=shape, **kw)
    _check_misses(res, lat1, lon1)
    if shape == "lofted":
        assert np.max(np.abs(res.batch.apogee_height_m() / 1e3 - kw["apogee_km"])) < 1.0
    else:
        assert np.max(np.abs(res.batch.burnout_gamma_deg() - 15.0)) < 0.01


def test_mrbm_minimum_energy():
    m = catalog.get_missile("shahab3-like")
    lat0, lon0, lat1, lon1, _ = _pairs(30, 3, 300.0, 1100.0)
    res = aiming.aim(m, lat0, lon0, lat1, lon1)
    _check_misses(res, lat1, lon1)


def test_unreachable_target_reports_reach():
    """A target beyond reach raises an error that states the maximum range on the launch heading
    toward it, and that maximum agrees with a reach() search on the same heading."""
    m = catalog.get_missile("sejjil2-like")
    with pytest.raises(UnreachableTargetError) as exc:
        aiming.aim_one(m, (35.7, 51.4), (51.5, -0.1))
    msg = str(exc.value)
    assert "maximum range on azimuth" in msg
    az = float(msg.split("maximum range on azimuth ")[1].split(" deg")[0])
    r = aiming.reach(m, 35.7, 51.4, az)
    assert exc.value.max_range_km == pytest.approx(float(r.max_ground_range_m[0]) / 1e3, rel=1e-3)


def test_edge_of_envelope_is_aimed_or_declared_out_of_reach():
    """Near maximum range every pair either converges (within 1 km) or is out of reach on the
    rotation-corrected heading; none is left unconverged though reachable."""
    m = catalog.get_missile("topol-m-like")
    _, h = aiming.reach_toward(m, 52.32, 104.23, 38.9, -77.0)
    best = aiming.reach(m, 52.32, 104.23, h)
    d_max = float(best.max_ground_range_m[0])
    lat_i, lon_i, _ = best.batch.impact_geodetic()
    _, bearing, _ = geodesy.inverse(52.32, 104.23, lat_i[0], lon_i[0])
    lat1, lon1, _ = geodesy.direct(52.32, 104.23, float(bearing),
                                   np.array([0.97, 0.99, 0.995, 1.02]) * d_max)
    res = aiming.aim(m, 52.32, 104.23, np.asarray(lat1), np.asarray(lon1))
    assert np.all(res.converged | ~res.reachable)
    assert not res.reachable[-1]
    assert res.converged[:2].all()
    assert np.nanmax(res.miss_m[res.converged]) < 1000.0
