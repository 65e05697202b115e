"""The footprint study against truth: exact ellipsoidal areas, a spherical-cap footprint, and
grid verdicts against single-route evaluations of the same aim points."""

import numpy as np
import pytest
from pyproj import Geod

from euroshield import scenario
from euroshield.earth.constants import R_MEAN_EARTH
from euroshield.earth.geodesy import inverse
from euroshield.scenario import Region
from euroshield.studies import footprint as fp
from euroshield.studies.deterrence import picture_of, shooters_of
from euroshield.studies.pipeline import ThreatSet, engage, fly, look, reach_of

# WGS84 authalic radius R_q = 6,371,007.1810 m (NIMA TR8350.2, Table 3.3, "radius of sphere of
# equal area"): the whole ellipsoid's area is 4 pi R_q^2
R_AUTHALIC_M = 6_371_007.1810


def test_cell_areas_sum_to_the_ellipsoid_area():
    lat = np.arange(-90.0, 90.0, 1.0)
    total = fp.cell_area_m2(lat, lat + 1.0, 360.0).sum()
    assert total == pytest.approx(4 * np.pi * R_AUTHALIC_M**2, rel=1e-9)


@pytest.mark.parametrize("lat0", [-89.5, -45.0, 0.0, 37.25, 71.0])
def test_cell_area_matches_geodesic_polygon_area(lat0):
    """A 0.5 x 0.5 deg cell against PROJ's geodesic polygon area (Karney 2013); the cell's
    meridians and parallels are not all geodesics, so allow 1e-4."""
    lon = np.linspace(10.0, 10.5, 200)
    lats = np.concatenate([np.full(200, lat0), np.full(200, lat0 + 0.5)])
    lons = np.concatenate([lon, lon[::-1]])
    area, _ = Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)
    assert fp.cell_area_m2(lat0, lat0 + 0.5, 0.5) == pytest.approx(abs(area), rel=1e-4)


@pytest.mark.parametrize(("lat0", "lon0", "radius_km"), [(50.0, 10.0, 1000.0),
                                                          (-30.0, 150.0, 600.0),
                                                          (0.0, 179.5, 800.0)])
def test_spherical_cap_footprint_area(lat0, lon0, radius_km):
    """The cells whose centres lie within a geodesic radius r of a point form a cap of area
    2 pi R^2 (1 - cos(r / R)) (R: mean radius); the gridded area is within 1 %."""
    reg = Region(lat_min_deg=max(lat0 - 12, -90), lat_max_deg=min(lat0 + 12, 90),
                 lon_min_deg=-180.0, lon_max_deg=180.0)
    g = fp.aim_grid(reg, 0.1, land_only=False)
    d, _, _ = inverse(np.full(len(g), lat0), np.full(len(g), lon0), g.lat_deg, g.lon_deg)
    inside = np.asarray(d) <= radius_km * 1e3
    area = g.area_m2[inside].sum()
    r = R_MEAN_EARTH
    cap = 2 * np.pi * r**2 * (1 - np.cos(radius_km * 1e3 / r))
    assert area == pytest.approx(cap, rel=0.01)


@pytest.fixture(scope="module")
def phase3_footprint():
    sc = scenario.load("epaa-phase-3")
    reg = Region(lat_min_deg=36.0, lat_max_deg=56.0, lon_min_deg=14.0, lon_max_deg=40.0)
    g = fp.aim_grid(reg, 2.0, land_only=True)
    (res,) = fp.footprints([fp.defence_of(sc)], "iran-north-west", "sejjil2-like", g,
                           capitals=["bucharest", "ankara"])
    return sc, res


def test_grid_verdicts_equal_single_route_verdicts(phase3_footprint):
    """Sampled aim points flown one by one through the same stages (fresh fly-out tables over
    only the needed azimuths, no chunking) give the same verdicts and intercept points."""
    sc, res = phase3_footprint
    thr = res.threatened[0]
    eng = res.engageable[0].any(axis=1)
    picks = np.concatenate([np.flatnonzero(thr & eng)[:4], np.flatnonzero(thr & ~eng)[:4]])
    assert len(picks) >= 4
    (name, lat, lon), = res.launch_points
    a_lat = np.concatenate([res.grid.lat_deg, res.capital_lat_deg])[picks]
    a_lon = np.concatenate([res.grid.lon_deg, res.capital_lon_deg])[picks]
    looks = look(fly(ThreatSet.from_arrays(lat, lon, a_lat, a_lon, "sejjil2-like"),
                     tolerance_m=fp.AIM_TOLERANCE_M))
    sc2 = sc.model_copy(update={"threats": sc.threats.model_copy(
        update={"rcs_m2": sc.footprint.rcs_m2})})
    e = engage(looks, reach_of(looks, shooters_of(sc)), picture_of(looks, sc2))
    np.testing.assert_array_equal(e.engageable, res.engageable[0, picks])
    np.testing.assert_array_equal(e.reason, res.reason[0, picks])
    np.testing.assert_allclose(e.intercept_time_s, res.intercept_time_s[0, picks], atol=1e-6)
    np.testing.assert_allclose(e.margin_s, res.margin_s[0, picks], atol=1e-6)


def test_footprint_layers_are_nested(phase3_footprint):
    _, res = phase3_footprint
    thr = res.threatened_any()
    union = res.defended()
    part = res.defended(every=False)
    assert np.all(union <= part) and np.all(part <= thr)
    for site in res.sites:
        assert np.all(res.defended(site) <= union)
    assert res.area_km2(union) <= res.area_km2(thr)
    sls = res.defended(min_shots=2)
    assert np.all(sls <= union)
