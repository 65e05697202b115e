"""Sensor models (defense/sensors.py): the radar equation, Swerling 1 detection, accuracy
versus SNR, Hermite interpolation, the field of regard at poles and across the antimeridian,
reproducibility, infrared cues, and the radar catalogue's measurement fields and errors."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest
from scipy import stats

from euroshield.catalog import load_yaml_text
from euroshield.defense import radar as radar_mod
from euroshield.defense.engagement import LookPoints
from euroshield.defense.measurements import Cues
from euroshield.defense.radar import Radar, get_radar, get_space_sensor, parse_radars, radars
from euroshield.defense.sensors import (
    cue,
    interpolate_states,
    measure,
    pd_swerling1,
    reference_snr,
    sigmas,
    snr,
)
from euroshield.earth import frames, geodesy
from euroshield.errors import InputError

SOURCE = [{"title": "test radar"}]


def make_radar(**kw) -> Radar:
    base = dict(name="test", description="test radar", lat=50.0, lon=10.0,
                reference_range_km=1000.0, reference_rcs_m2=1.0, revisit_s=2.0,
                min_elevation_deg=1.0, range_sigma_m=20.0, angle_sigma_mrad=1.0,
                range_rate_sigma_m_s=2.0, sources=SOURCE)
    base.update(kw)
    return Radar.model_validate(base)


def hovering(points_deg_m, n_rows: int = 1, t_end_s: float = 20.0, step_s: float = 2.0
             ) -> LookPoints:
    """Look points of targets fixed in the Earth-fixed frame (zero velocity) at geodetic
    (lat, lon, height) points, each repeated ``n_rows`` times."""
    times = np.arange(0.0, t_end_s + step_s / 2, step_s)
    p = np.repeat(np.array(points_deg_m, dtype=float), n_rows, axis=0)
    xyz = frames.geodetic_to_ecef(p[:, 0], p[:, 1], p[:, 2])
    ecef = np.zeros((len(p), len(times), 6))
    ecef[..., :3] = xyz[:, None, :]
    return LookPoints(times, ecef, *(np.repeat(p[:, i, None], len(times), axis=1)
                                     for i in range(3)))


# ---- radar equation and detection probability -------------------------------------------


def test_reference_snr_is_the_swerling1_threshold():
    """Pd = Pfa^(1/(1+SNR)) solved for SNR: ln(1e-6)/ln(0.9) - 1 = 13.81551/0.105361 - 1 =
    130.126 (21.14 dB) for Pd 0.9 at Pfa 1e-6 (hand calculation; the single-look Swerling 1
    figure of radar textbooks, about 21 dB); Pd 0.5: 13.81551/0.693147 - 1 = 18.932."""
    assert reference_snr(make_radar()) == pytest.approx(130.126, abs=1e-3)
    assert 10 * math.log10(reference_snr(make_radar())) == pytest.approx(21.14, abs=0.01)
    assert reference_snr(make_radar(pd_at_reference=0.5)) == pytest.approx(18.932, abs=1e-3)


def test_radar_equation_scaling():
    """SNR at the reference range for the reference RCS is the reference SNR; half the range
    gives 2^4 = 16 times, +12.04 dB; twice the RCS +3.01 dB (SNR ~ RCS / R^4)."""
    r = make_radar()
    ref = reference_snr(r)
    assert snr(r, 1000e3, 1.0) == pytest.approx(ref, rel=1e-12)
    assert 10 * np.log10(snr(r, 500e3, 1.0) / ref) == pytest.approx(12.0412, abs=1e-4)
    assert 10 * np.log10(snr(r, 1000e3, 2.0) / ref) == pytest.approx(3.0103, abs=1e-4)
    # at the reference point Pd is the catalogue's pd_at_reference
    assert pd_swerling1(ref, r.pfa) == pytest.approx(0.9, abs=1e-12)


def test_swerling1_pd_against_a_simulated_detector():
    """Independent route: a Rayleigh target in complex Gaussian noise through a square-law
    detector with the threshold T = -ln Pfa (noise power 1). The detected fraction over
    200,000 draws lies in the binomial interval around Pfa^(1/(1+SNR)), at 95 % for the eight
    cases together (Bonferroni: 1 - 0.05/8 each, z = 2.73)."""
    rng = np.random.default_rng(7)
    n = 200_000
    z = stats.norm.ppf(1 - 0.05 / 8 / 2)
    for pfa in (1e-2, 1e-3):
        for snr_db in (0.0, 6.0, 10.0, 15.0):
            s = 10 ** (snr_db / 10)
            cn = (rng.standard_normal((2, n)) + 1j * rng.standard_normal((2, n))) / math.sqrt(2)
            y = math.sqrt(s) * cn[0] + cn[1]  # target amplitude Rayleigh, power s; noise 1
            frac = np.mean(np.abs(y) ** 2 > -math.log(pfa))
            p = float(pd_swerling1(s, pfa))
            half = z * math.sqrt(p * (1 - p) / n)
            assert abs(frac - p) <= half, (pfa, snr_db, frac, p)


def test_accuracy_scales_with_snr_down_to_the_floor():
    """sigma^2 = floor^2 + (sigma_ref^2 - floor^2) SNR_ref/SNR: the reference value at the
    reference SNR, sqrt(floor^2 + (ref^2 - floor^2)/4) at 4x the SNR, the floor at infinite
    SNR; no floor: constant."""
    r = make_radar(range_sigma_floor_m=5.0, angle_sigma_floor_mrad=0.2,
                   range_rate_sigma_floor_m_s=0.5)
    ref = reference_snr(r)
    s_r, s_a, s_rr = sigmas(r, np.array([ref, 4 * ref, np.inf]))
    np.testing.assert_allclose(s_r, [20.0, math.sqrt(25 + 375 / 4), 5.0], rtol=1e-12)
    np.testing.assert_allclose(s_a, [1e-3, 1e-3 * math.sqrt(0.04 + 0.96 / 4), 0.2e-3],
                               rtol=1e-12)
    np.testing.assert_allclose(s_rr, [2.0, math.sqrt(0.25 + 3.75 / 4), 0.5], rtol=1e-12)
    s_r, s_a, s_rr = sigmas(make_radar(range_rate_sigma_m_s=None), np.array([1.0, 1e6]))
    np.testing.assert_array_equal(s_r, [20.0, 20.0])
    assert s_rr is None


# ---- interpolation ------------------------------------------------------------------------


def test_hermite_is_exact_for_cubic_motion():
    """Cubic Hermite interpolation reproduces a cubic polynomial and its derivative exactly
    (up to rounding); NaN outside the samples and after the flight, but the last flown
    sample itself is returned."""
    t = np.arange(0.0, 21.0, 2.0)
    c = np.array([[7e6, 100.0, -3.0, 0.02], [-2e6, -50.0, 1.5, -0.01], [1e6, 20.0, 0.5, 0.003]])

    def pos(tt):
        return np.stack([np.polyval(ci[::-1], tt) for ci in c], axis=-1)

    def vel(tt):
        return np.stack([np.polyval(np.polyder(ci[::-1]), tt) for ci in c], axis=-1)

    states = np.concatenate([pos(t), vel(t)], axis=-1)[None]
    at = np.array([0.0, 0.7, 3.3, 9.99, 14.0, 19.5, 20.0])
    got = interpolate_states(t, states, at)[0]
    np.testing.assert_allclose(got[:, :3], pos(at), rtol=0, atol=1e-6)
    np.testing.assert_allclose(got[:, 3:], vel(at), rtol=0, atol=1e-8)
    assert np.isnan(interpolate_states(t, states, [-0.1, 20.1])).all()
    cut = states.copy()
    cut[0, 6:] = np.nan  # the flight ends at t = 10 s
    got = interpolate_states(t, cut, [9.0, 10.0, 11.0])[0]
    assert np.isfinite(got[:2]).all() and np.isnan(got[2]).all()
    np.testing.assert_array_equal(got[1], states[0, 5])


# ---- field of regard: never a measurement outside it ---------------------------------------


def _seen(radar: Radar, points, rcs_m2: float = 1e4, seed: int = 0) -> np.ndarray:
    """Fraction of epochs with a measurement per target (RCS large: Pd ~ 1 in view)."""
    m = measure(radar, hovering(points), rcs_m2, np.random.default_rng(seed))
    if m.times_s.shape[1] == 0:
        return np.zeros(len(points))
    return m.present.sum(axis=1) / 11.0


@pytest.mark.parametrize("pole_lat", [90.0, -90.0])
def test_radar_at_a_pole_sees_above_its_horizon_only(pole_lat):
    """A full-coverage radar at a pole: a target 10 deg of latitude away at 1,000 km height
    (elevation about 40 deg) is measured at every look; one 30 deg away at 50 km height is
    far below the horizon (4/3-Earth horizon for 50 km: about 920 km; it is 3,300 km away)
    and is never measured."""
    sgn = math.copysign(1.0, pole_lat)
    r = make_radar(lat=pole_lat, lon=0.0)
    seen = _seen(r, [(sgn * 80.0, 45.0, 1000e3), (sgn * 60.0, -120.0, 50e3)])
    assert seen.tolist() == [1.0, 0.0]


def test_sector_across_the_antimeridian_and_negative_longitudes():
    """A sector radar at 179.5 E facing east (90 +/- 30 deg) measures a target across the
    antimeridian at 175 W (bearing about 86 deg) and never one at 174 E behind it (bearing
    about 274 deg); one at 77 W facing north (0 +/- 45) measures a target to the north and
    never one to the south, both in range and above the horizon."""
    east = make_radar(lat=65.0, lon=179.5, boresight_azimuth_deg=90.0, half_width_deg=30.0)
    _, az, _ = geodesy.inverse(65.0, 179.5, np.array([65.0, 65.0]), np.array([-175.0, 174.0]))
    az %= 360.0
    assert abs(az[0] - 86) < 5 and abs(az[1] - 274) < 5  # the geometry the test relies on
    assert _seen(east, [(65.0, -175.0, 300e3), (65.0, 174.0, 300e3)]).tolist() == [1.0, 0.0]
    north = make_radar(lat=38.9, lon=-77.0, boresight_azimuth_deg=0.0, half_width_deg=45.0)
    assert _seen(north, [(43.0, -77.0, 300e3), (34.8, -77.0, 300e3)]).tolist() == [1.0, 0.0]


def test_catalogue_sector_radar_never_measures_behind_it():
    """The Kurecik AN/TPY-2 faces 100 +/- 60 deg: a target north-west of it (bearing about
    315 deg, 700 km away, 500 km up) is never measured even at huge RCS; one due east is."""
    tpy2 = get_radar("tpy2-kurecik")
    lat, lon, _ = geodesy.direct(np.full(2, tpy2.lat), np.full(2, tpy2.lon),
                                 np.array([315.0, 100.0]), np.full(2, 700e3))
    pts = [(lat[0], lon[0], 500e3), (lat[1], lon[1], 500e3)]
    assert _seen(tpy2, pts).tolist() == [0.0, 1.0]


# ---- reproducibility ------------------------------------------------------------------------


def test_same_seed_same_measurements_different_seed_different():
    r = make_radar()
    pts = hovering([(55.0, 15.0, 400e3), (52.0, 20.0, 200e3)], n_rows=5)
    a, b = (measure(r, pts, 0.5, np.random.default_rng(42)) for _ in range(2))
    c = measure(r, pts, 0.5, np.random.default_rng(43))
    for f in ("times_s", "z", "noise_cov", "snr_db", "truth_ecef", "z_true", "pd"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    both = a.present & c.present
    assert both.any() and not np.array_equal(a.z[both], c.z[both])


def test_measurements_shapes_and_contract():
    """Columns are revisit epochs shared by all threats; no range rate without Doppler."""
    r = make_radar(range_rate_sigma_m_s=None, revisit_s=4.0)
    m = measure(r, hovering([(55.0, 15.0, 400e3)], n_rows=3), 1.0, np.random.default_rng(1))
    assert m.k == 3 and m.z.shape[-1] == 3 and m.noise_cov.shape[-2:] == (3, 3)
    np.testing.assert_array_equal(m.epochs_s, [0.0, 4.0, 8.0, 12.0, 16.0, 20.0])
    t = np.where(m.present, m.times_s, m.epochs_s[None, :])
    np.testing.assert_array_equal(t, np.broadcast_to(m.epochs_s, t.shape))
    assert m.covariance().shape == (3, 6, 3, 3)
    z = m.z[m.present]
    assert ((z[:, 1] >= 0) & (z[:, 1] < 2 * np.pi)).all()


def test_no_measurement_model_or_bad_rcs_is_one_line():
    bare = make_radar(range_sigma_m=None, angle_sigma_mrad=None, range_rate_sigma_m_s=None)
    pts = hovering([(55.0, 15.0, 400e3)])
    with pytest.raises(InputError, match="no measurement model: range_sigma_m"):
        measure(bare, pts, 1.0, np.random.default_rng(0))
    with pytest.raises(InputError, match="rcs_m2"):
        measure(make_radar(), pts, -1.0, np.random.default_rng(0))
    with pytest.raises(InputError, match=r"phase_s: 3 is outside the allowed range \[0, 2\)"):
        measure(make_radar(), pts, 1.0, np.random.default_rng(0), phase_s=3.0)


# ---- infrared cue ----------------------------------------------------------------------------


def test_infrared_cue_statistics():
    """3,999 identical launches (a target climbing from 56 N 38 E and moving north-west):
    the cue comes at the detection delay, the launch-point error has variance sigma^2 per
    ground axis and the azimuth error variance sigma_az^2, each inside its chi-square
    interval with 3,999 degrees of freedom (95 % for the three together); the true azimuth
    is the geodesic one (315 deg); a row that was not flown gets no cue."""
    sb = get_space_sensor("sbirs")
    assert sb.cue_only
    n = 4000
    times = np.arange(0.0, 121.0, 2.0)
    lat2, lon2, _ = geodesy.direct(56.0, 38.0, 315.0, 50e3)  # 50 km downrange at 100 s
    p0 = frames.geodetic_to_ecef(56.0, 38.0, 0.0)
    p1 = frames.geodetic_to_ecef(float(lat2), float(lon2), 80e3)
    v = (p1 - p0) / 100.0
    ecef = np.zeros((n, times.size, 6))
    ecef[..., :3] = p0 + v * times[:, None]
    ecef[..., 3:] = v
    la, lo, h = frames.ecef_to_geodetic(ecef[..., :3])
    ecef[-1] = np.nan  # a row that was not flown: no cue
    c = cue(sb, LookPoints(times, ecef, la, lo, h), np.random.default_rng(3))
    assert (c.time_s[:-1] == sb.detection_delay_s).all()
    assert not c.present[-1] and np.isnan([c.launch_lat_deg[-1], c.azimuth_rad[-1]]).all()
    n -= 1
    c = Cues(**{f: (v[:-1] if isinstance(v, np.ndarray) else v) for f, v in vars(c).items()})
    dist, az, _ = geodesy.inverse(c.truth_launch_lat_deg, c.truth_launch_lon_deg,
                                  c.launch_lat_deg, c.launch_lon_deg)
    east = dist * np.sin(np.radians(az)) / c.launch_point_sigma_m
    north = dist * np.cos(np.radians(az)) / c.launch_point_sigma_m
    daz = ((c.azimuth_rad - c.truth_azimuth_rad + np.pi) % (2 * np.pi) - np.pi)
    lo95, hi95 = stats.chi2.ppf([0.05 / 6, 1 - 0.05 / 6], n)  # 95 % for the three together
    for e in (east, north, daz / c.azimuth_sigma_rad):
        assert lo95 <= np.sum(e**2) <= hi95
    # the straight chord to a point 50 km away along 315 deg: the geodesic azimuth at launch
    assert np.degrees(c.truth_azimuth_rad[0]) == pytest.approx(315.0, abs=0.1)


# ---- catalogue ---------------------------------------------------------------------------


def test_every_catalogue_radar_measures_and_the_new_entries():
    cat = radars()
    assert all(r.measures for r in cat.values())
    for name in ("spy1-ship", "uewr-fylingdales", "uewr-thule"):
        assert name in cat
    fy, th = cat["uewr-fylingdales"], cat["uewr-thule"]
    # public-parameters.md E4: Fylingdales 54.36 N 0.67 W, 360 deg, >4,500 km; Thule
    # 76.57 N 68.30 W, two faces, 240 deg
    assert (fy.lat, fy.lon, fy.boresight_azimuth_deg, fy.reference_range_km) == (
        54.36, -0.67, None, 4500)
    assert (th.lat, th.lon, 2 * th.half_width_deg) == (76.57, -68.30, 240)
    assert cat["tpy2-kurecik"].has_range_rate and not cat["voronezh-dm-armavir"].has_range_rate


def _entry(**kw) -> dict:
    e = dict(name="bad-radar", description="d", lat=50.0, lon=10.0, reference_range_km=500.0,
             reference_rcs_m2=1.0, range_sigma_m=10.0, angle_sigma_mrad=1.0,
             sources=SOURCE)
    e.update(kw)
    return {"radars": [e]}


@pytest.mark.parametrize(("kw", "expected"), [
    ({"range_sigma_m": -5.0},
     "radar bad-radar: range_sigma_m: must lie in (0, 10000] m (got -5.0)"),
    ({"angle_sigma_mrad": 0.0},
     "radar bad-radar: angle_sigma_mrad: must lie in (0, 100] mrad (got 0.0)"),
    ({"range_rate_sigma_m_s": -1.0},
     "radar bad-radar: range_rate_sigma_m_s: must lie in (0, 1000] m/s (got -1.0)"),
    ({"pfa": 0.5}, "radar bad-radar: pfa: must lie in (0, 0.01] (got 0.5)"),
    ({"pd_at_reference": 1.0}, "radar bad-radar: pd_at_reference: must lie in (0, 0.999]"),
    ({"range_sigma_floor_m": 20.0}, "range_sigma_floor_m (20) needs range_sigma_m and must "
                                    "not exceed it (allowed: [0, range_sigma_m])"),
    ({"min_elevation_deg": 10.0, "max_elevation_deg": 5.0},
     "min_elevation_deg must be below max_elevation_deg (else the field of regard is empty)"),
    ({"half_width_deg": 0.0}, "radar bad-radar: half_width_deg: Input should be greater than 0"),
    ({"half_width_deg": 60.0}, "half_width_deg (60) needs boresight_azimuth_deg in [0, 360)"),
    ({"angle_sigma": 1.0}, "radar bad-radar: angle_sigma: unknown field"),
])
def test_bad_radar_entries_are_one_precise_line(kw, expected):
    with pytest.raises(InputError) as exc:
        parse_radars(_entry(**kw), "radars.yaml")
    msg = str(exc.value)
    assert expected in msg and "\n" not in msg, msg


def test_unknown_names_and_bad_space_sensor():
    with pytest.raises(InputError, match="unknown radar 'spy1-nowhere'; known radars: .*"
                                         "uewr-thule"):
        get_radar("spy1-nowhere")
    with pytest.raises(InputError, match="unknown space sensor 'dsp'; known space sensors: "
                                         "sbirs"):
        get_space_sensor("dsp")
    data = {"radars": [], "space_sensors": [
        {"name": "sb", "description": "d", "cue_only": False, "detection_delay_s": 60.0,
         "launch_point_sigma_km": 5.0, "azimuth_sigma_deg": 5.0, "sources": SOURCE}]}
    with pytest.raises(InputError, match="space sensor sb: cue_only: Input should be True"):
        radar_mod.parse_space_sensors(data, "radars.yaml")
    with pytest.raises(InputError, match="unknown top-level key"):
        parse_radars({"radars": [], "sensors": []}, "radars.yaml")


def test_bad_catalogue_through_the_cli_is_exit_2(monkeypatch):
    """A catalogue radar with a negative accuracy: `euroshield catalog radars` prints one
    line naming the entry, field and allowed range, exit code 2, no traceback."""
    from euroshield.cli import main

    text = radar_mod._catalog_text().replace("range_sigma_m: 10\n", "range_sigma_m: -10\n", 1)
    assert load_yaml_text(text, "x") is not None
    monkeypatch.setattr(radar_mod, "_catalog_text", lambda: text)
    radars.cache_clear()
    try:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["catalog", "radars"])
    finally:
        monkeypatch.undo()
        radars.cache_clear()
    lines = err.getvalue().strip().splitlines()
    assert code == 2 and len(lines) == 1, err.getvalue()
    assert ("catalog/radars.yaml: radar tpy2-kurecik: range_sigma_m: must lie in (0, 10000] m"
            in lines[0])


def test_ship_radar_moved_to_a_station_by_a_scenario_entry():
    """spy1-ship is generic: a scenario radars entry {radar, label, lat, lon} puts it at any
    ship station (here the notional Black Sea one) with its measurement model, and it
    measures from there."""
    import yaml

    from euroshield import scenario
    from euroshield.catalog import get_place

    bs = get_place("black-sea")
    text = radar_mod.resources.files("euroshield.catalog").joinpath(
        "scenarios/shield-today.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["radars"] = [{"radar": "spy1-ship", "label": "spy1-black-sea", "lat": bs.lat,
                       "lon": bs.lon}]
    (ship,) = scenario.parse(data, "test").radar_models()
    assert (ship.name, ship.lat, ship.lon, ship.range_sigma_m) == (
        "spy1-black-sea", bs.lat, bs.lon, get_radar("spy1-ship").range_sigma_m)
    m = measure(ship, hovering([(bs.lat + 2.0, bs.lon, 200e3)]), 1.0,
                np.random.default_rng(0))
    assert (m.sensor, m.site_lat_deg, m.site_lon_deg) == ("spy1-black-sea", bs.lat, bs.lon)
    assert m.present.sum() >= 9  # 222 km away, SNR ~ 45 dB: (almost) every look
