"""``flyout_arrivals`` (the cheap exact arrival times the flip-threshold refinement uses) against
independently built single-speed fly-out tables.

``flyout_arrivals`` integrates the fly-outs of several burnout speeds in one batch and rasterises
each family only into the table cells its lookups read. The reference is the full table of one
speed, ``flyout_table(interceptor.with_speed(v), ...)``, built and looked up the usual way: the
arrival times must agree to the last bit (the same fly-outs, cells and arithmetic), which is what
makes the refinement's thresholds those of exact single-speed tables. Setup: three Russian ICBM
routes to the United States, SM-3 IIA from the Norwegian Sea and GBI (two-stage) from Redzikowo,
speeds inside the ladder brackets the refinement splits, a random tenth of the in-band look
points per speed.
"""

import math

import numpy as np
import pytest

from euroshield import catalog, scenario
from euroshield.defense.engagement import in_band
from euroshield.defense.flyout import flyout_arrivals, flyout_table, site_coords
from euroshield.studies.pipeline import ThreatSet, fly, look

CASES = [("sm3-iia", "norwegian-sea", [4.13, 4.37]), ("gbi-2stage", "redzikowo", [6.07, 6.2])]


@pytest.fixture(scope="module")
def points():
    sc = scenario.load(None)
    looks = look(fly(ThreatSet.from_places(["kozelsk", "uzhur", "teykovo"], ["chicago"],
                                           sc.threats.missile_by_base())))
    return sc, looks.points


def _need(pts, ic, n_speeds, seed=3):
    inb = in_band(pts.height_m, ic).ravel()
    rng = np.random.default_rng(seed)
    return (rng.random((inb.size, n_speeds)) < 0.1) & inb[:, None]


@pytest.mark.parametrize("name,site,speeds", CASES)
def test_bearings_mode_equals_single_speed_tables_bitwise(points, name, site, speeds):
    """Each speed's column equals the lookup of that speed's own table flown toward the
    bearings of the points that need it, bit for bit (NaN where unreachable or not needed);
    some points must be reachable, or the comparison would be empty."""
    sc, pts = points
    ic, p = sc.interceptor(name), catalog.get_place(site)
    xyz = pts.ecef[..., :3].reshape(-1, 3)
    need = _need(pts, ic, len(speeds))
    kept, got, flown = flyout_arrivals(ic, p.lat, p.lon, speeds, xyz, need)
    assert kept.all()
    for s, v in enumerate(speeds):
        bearings = np.degrees(site_coords(p.lat, p.lon, xyz[need[:, s]])[:, 0])
        table = flyout_table(ic.with_speed(v), p.lat, p.lon, bearings_deg=bearings)
        want = table.lookup(xyz, where=need[:, s])[0][:, 0]
        assert np.isfinite(want).sum() >= 5, (name, v)
        np.testing.assert_array_equal(got[:, s], want)
        assert np.isnan(got[~need[:, s], s]).all()
        assert flown[s].sum() == (~np.isnan(table.time_s[0]).all(axis=(1, 2))).sum()


def _slices_read(table, xyz, where):
    """Launch-azimuth slices a lookup of ``table`` reads at the points ``where``: the fixed-point
    iteration of FlyoutTable.lookup (two turn interpolations, then the time), re-implemented
    here in Python."""
    n_a = table.n_azimuths
    d_az = 2 * math.pi / n_a
    turn = table.turn_rad[0]
    _, n_r, n_h = turn.shape
    read = set()
    for beta, theta, h in site_coords(table.site_lat_deg, table.site_lon_deg, xyz[where]):
        u, w = theta / table.angle_step_rad, h / table.height_step_m
        if not (0 <= u <= n_r - 1 and 0 <= w <= n_h - 1):
            continue
        j0, k0 = min(int(u), n_r - 2), min(int(w), n_h - 2)
        tu, tw = u - j0, w - k0
        alpha = beta
        for step in range(3):
            a = alpha / d_az
            i0 = math.floor(a) % n_a
            read |= {i0, (i0 + 1) % n_a}
            if step == 2:
                break
            ta = a - math.floor(a)
            tr = 0.0
            for ii, wa in ((i0, 1 - ta), ((i0 + 1) % n_a, ta)):
                c = turn[ii, j0:j0 + 2, k0:k0 + 2]
                tr += wa * ((1 - tu) * (1 - tw) * c[0, 0] + tu * (1 - tw) * c[1, 0]
                            + (1 - tu) * tw * c[0, 1] + tu * tw * c[1, 1])
            if not math.isfinite(tr):
                break
            alpha = beta - tr
    return read


@pytest.mark.parametrize("name,site,speeds", CASES)
def test_needed_mode_flies_every_azimuth_lookups_read(points, name, site, speeds):
    """``azimuths="needed"``: each column equals the lookup of a single-speed table flown
    toward exactly the launch azimuths it reports, bit for bit; every slice those lookups read
    (re-derived here from the table's turn angles) was flown, so no number comes from a
    missing slice; and it flies no more launch azimuths than the bearings rule (18 deg turn
    margin), fewer in at least one case."""
    sc, pts = points
    ic, p = sc.interceptor(name), catalog.get_place(site)
    xyz = pts.ecef[..., :3].reshape(-1, 3)
    need = _need(pts, ic, len(speeds))
    _, got, flown = flyout_arrivals(ic, p.lat, p.lon, speeds, xyz, need, azimuths="needed")
    _, _, rule = flyout_arrivals(ic, p.lat, p.lon, speeds, xyz, need)
    for s, v in enumerate(speeds):
        table = flyout_table(ic.with_speed(v), p.lat, p.lon, flown_azimuths=flown[s])
        want = table.lookup(xyz, where=need[:, s])[0][:, 0]
        assert np.isfinite(want).sum() >= 5, (name, v)
        np.testing.assert_array_equal(got[:, s], want)
        assert _slices_read(table, xyz, need[:, s]) <= set(np.flatnonzero(flown[s]))
        assert not (flown[s] & ~rule[s]).any()
    assert (flown.sum(axis=1) < rule.sum(axis=1)).any()


def test_lookup_speeds_of_keeps_times_and_first_speeds(points):
    """``lookup(speeds_of=1)``: the same arrival times for every tabulated speed, and the
    interceptor speed of the first (nominal) one only, equal to the full lookup's."""
    sc, pts = points
    ic, p = sc.interceptor("sm3-iia"), catalog.get_place("norwegian-sea")
    table = flyout_table(ic, p.lat, p.lon, speeds_kms=(3.5, 5.0))
    xyz = pts.ecef[..., :3]
    t_all, v_all = table.lookup(xyz)
    t_one, v_one = table.lookup(xyz, speeds_of=1)
    assert v_one.shape == t_all.shape[:-1] + (1,) and np.isfinite(v_one).sum() > 10
    np.testing.assert_array_equal(t_one, t_all)
    np.testing.assert_array_equal(v_one[..., 0], v_all[..., 0])


def test_unflyable_speed_is_dropped(points):
    """A burnout speed no equivalent booster of the SM-3 IIA flies (1.0 km/s: the calibration
    finds none within its bounds - propellant fraction 0.2-0.92, Isp <= 480 s, enough thrust to
    lift off) is reported as not kept, with NaN times, and does not disturb the others."""
    sc, pts = points
    ic, p = sc.interceptor("sm3-iia"), catalog.get_place("norwegian-sea")
    xyz = pts.ecef[..., :3].reshape(-1, 3)
    need = _need(pts, ic, 2)
    kept, got, _ = flyout_arrivals(ic, p.lat, p.lon, [4.37, 1.0], xyz, need)
    _, alone, _ = flyout_arrivals(ic, p.lat, p.lon, [4.37], xyz, need[:, :1])
    assert kept.tolist() == [True, False]
    assert np.isnan(got[:, 1]).all()
    np.testing.assert_array_equal(got[:, 0], alone[:, 0])
