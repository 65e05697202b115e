"""Radar geometry against closed forms and the published radar-horizon table.

Truth: shared reference public-parameters.md B2 "Radar horizon toward Tehran" (own calculation
of that reference: 0 deg elevation, no refraction, sphere R = 6,371 km, h = R (1/cos(d/R) - 1)):
Gabala 656 km -> ~34 km, Kurecik 1,242 km -> ~123 km, Armavir 1,352 km -> ~146 km.
"""

import numpy as np
import pytest

from euroshield import catalog
from euroshield.defense.radar import (
    Radar,
    apparent_elevation_deg,
    detect,
    lowest_visible_height_m,
    visibility,
)
from euroshield.flight import aiming

R = 6371e3


def _radar(**kw) -> Radar:
    base = dict(name="test", description="test radar", lat=40.87, lon=47.80,
                reference_range_km=6000.0, reference_rcs_m2=1.0,
                sources=[{"title": "test"}])
    base.update(kw)
    return Radar(**base)


@pytest.mark.parametrize("d_km, h_km", [(656, 34), (1242, 123), (1352, 146)])
def test_radar_horizon_table(d_km, h_km):
    """Geometric horizon (k = 1) reproduces the reference table to 1 km."""
    assert lowest_visible_height_m(d_km * 1e3, 0.0, 0.0, R, k=1.0) / 1e3 == pytest.approx(
        h_km, abs=1.0)


def test_refraction_lowers_the_horizon():
    """With the 4/3 Earth the horizon height is the same formula on a radius 4/3 R: at 1,242 km
    that is R' (1/cos(d/R') - 1) with R' = 8,495 km, ~92 km instead of 123 km."""
    d = 1242e3
    rp = 4.0 / 3.0 * R
    assert lowest_visible_height_m(d, 0.0, 0.0, R) == pytest.approx(
        rp * (1 / np.cos(d / rp) - 1), rel=1e-12)
    assert lowest_visible_height_m(d, 0.0, 0.0, R) < lowest_visible_height_m(d, 0.0, 0.0, R, 1.0)


def test_elevation_round_trip_and_earth_blocking():
    """A target on the ray of elevation el is seen at el (the two closed forms agree); with a
    negative elevation mask, a ground-level radar still cannot see through the Earth: a target
    just below its geometric horizon is blocked, while a 2,085 m site (Kurecik) looking 1 deg
    down sees it (its horizon dip is acos(R/(R+h)) = 1.47 deg)."""
    d = np.linspace(50e3, 3000e3, 30)
    for el in (0.0, 2.0, 10.0):
        h = lowest_visible_height_m(d, el, 2085.0, R)
        assert apparent_elevation_deg(d, h, 2085.0, R) == pytest.approx(el, abs=1e-8)
    tehran = catalog.get_place("tehran")
    h_below = 30e3  # under the ~34 km geometric horizon of a sea-level radar at Gabala
    low = _radar(min_elevation_deg=-1.0, height_m=0.0)
    high = _radar(min_elevation_deg=-1.0, height_m=2085.0)
    assert not visibility(low, tehran.lat, tehran.lon, h_below, 1.0, k=1.0).visible
    assert visibility(high, tehran.lat, tehran.lon, h_below, 1.0, k=1.0).visible


def test_rcs_fourth_root_scaling():
    """Radar equation: 16 times the RCS doubles the detection range."""
    r = _radar()
    assert r.max_range_m(16.0) == pytest.approx(2 * r.max_range_m(1.0))
    assert r.max_range_m(0.01) == pytest.approx(6000e3 * 0.01 ** 0.25)


def test_visibility_over_tehran_from_gabala():
    """On the ellipsoid, targets over Tehran become visible from Gabala just above the
    geometric horizon height (within 2 km of the spherical table value, 34 km)."""
    tehran = catalog.get_place("tehran")
    r = _radar(min_elevation_deg=0.0)
    hs = np.arange(20e3, 50e3, 250.0)
    v = visibility(r, tehran.lat, tehran.lon, hs, rcs_m2=1.0, k=1.0)
    h_first = hs[np.argmax(v.visible)]
    assert h_first / 1e3 == pytest.approx(34.0, abs=2.0)
    assert v.visible[hs > h_first + 1].all() and not v.visible[hs < h_first].any()


def test_sector_and_detection_times_along_a_flight():
    """A Shahab-3-like shot from Tabriz to Ankara seen by a full-azimuth radar at Gabala: the
    first detection is the first look with the missile above the radar horizon, the track comes
    (N - 1) revisits later while it stays in view, and a sector pointing away sees nothing."""
    m = catalog.get_missile("shahab3-like")
    tab, ank = catalog.get_place("tabriz"), catalog.get_place("ankara")
    res = aiming.aim(m, tab.lat, tab.lon, ank.lat, ank.lon, record=True)
    r = _radar(revisit_s=2.0, detections_for_track=4)
    det = detect(r, res.batch, rcs_m2=1.0)
    t1 = det.first_detection_s[0]
    assert np.isfinite(t1) and t1 > 0
    assert det.track_time_s[0] == pytest.approx(t1 + 3 * 2.0)
    # independent check of the first detection: the horizon height at the missile's distance
    y = res.batch.states_at(np.array([t1 - 2.0, t1]))[0]
    lat, lon, h = res.batch.point_geodetic(np.array([t1 - 2.0, t1]), y)
    from euroshield.earth import geodesy

    d, _, _ = geodesy.inverse(r.lat, r.lon, lat, lon)
    horizon = lowest_visible_height_m(d, 0.0, 0.0, 6371e3 * 1.0)
    assert h[0] < horizon[0] + 2e3 and h[1] >= horizon[1] - 2e3
    away = _radar(boresight_azimuth_deg=90.0, half_width_deg=30.0)
    assert np.isnan(detect(away, res.batch, rcs_m2=1.0).first_detection_s[0])


def test_catalogue_radars_see_what_their_geometry_allows():
    """The Kurecik AN/TPY-2 (boresight toward Iran) tracks a Sejjil-2-like shot from Tabriz to
    Bucharest; the Kaliningrad Voronezh-DM, facing west, never sees it; every radar is sourced
    and its central values lie in their ranges (checked when the catalogue loads)."""
    from euroshield.defense.radar import get_radar, radars

    assert all(r.sources for r in radars().values())
    m = catalog.get_missile("sejjil2-like")
    tab, buc = catalog.get_place("tabriz"), catalog.get_place("bucharest")
    res = aiming.aim(m, tab.lat, tab.lon, buc.lat, buc.lon, record=True)
    kur = detect(get_radar("tpy2-kurecik"), res.batch, rcs_m2=0.1)
    assert np.isfinite(kur.track_time_s[0])
    assert kur.first_detection_s[0] < res.batch.burnout_time_s[0] + 120
    kal = detect(get_radar("voronezh-dm-kaliningrad"), res.batch, rcs_m2=0.1)
    assert np.isnan(kal.first_detection_s[0])
