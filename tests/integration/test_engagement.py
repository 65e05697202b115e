"""Engagement windows: verdicts and reasons, and a declared-reachable intercept point checked by
an actually integrated interceptor fly-out (issue acceptance test)."""

import numpy as np
import pytest

from euroshield.defense.engagement import Reason, engagement_windows
from euroshield.earth import geodesy
from euroshield.flight.engine import Physics, fly_missiles
from euroshield.flight.vehicles import pack_vehicles
from euroshield.report.deterrence import reason_text


@pytest.fixture(scope="module")
def setup(engage):
    """A Sejjil-2-like shot from Tabriz at Bucharest, SM-3 IB at Deveselu."""
    res, table, ic, _ = engage("sejjil2-like", "tabriz", "bucharest", "deveselu", "sm3-ib")
    return res.batch, table, ic


def test_engageable_with_an_early_track(setup):
    batch, table, ic = setup
    w = engagement_windows(batch, table, ic, launch_allowed_s=120.0)
    assert w.engageable[0] and w.reason[0] == Reason.ENGAGEABLE
    assert w.earliest_launch_s[0] >= 120.0 and w.latest_launch_s[0] >= w.earliest_launch_s[0]
    assert ic.min_intercept_altitude_km * 1e3 <= w.intercept_altitude_m[0] <= (
        ic.max_intercept_altitude_km * 1e3)
    assert w.margin_s[0] >= 0
    # closing speed: at least the threat's speed scale, below threat + interceptor speeds
    assert 2000.0 < w.closing_speed_m_s[0] < 3500.0 + ic.burnout_speed_kms * 1e3


def test_late_track_gives_a_reason_with_the_delay(setup):
    """With launch allowed only after the threat has landed, the verdict says how late."""
    batch, table, ic = setup
    w = engagement_windows(batch, table, ic, launch_allowed_s=2000.0)
    assert not w.engageable[0]
    assert w.reason[0] == Reason.TOO_LATE and w.margin_s[0] < 0
    assert "late at the best point" in reason_text(w.reason[0], ic, w.margin_s[0], 2000.0)
    assert "T+2000" in reason_text(w.reason[0], ic, w.margin_s[0], 2000.0)
    w2 = engagement_windows(batch, table, ic, launch_allowed_s=np.nan)
    assert w2.reason[0] == Reason.NO_TRACK
    assert "no launch-quality track" in reason_text(w2.reason[0], ic)


def test_out_of_reach_reason(engage):
    """An SM-3 IB in Redzikowo (Poland) cannot reach a short Shahab-3-like shot in Iran."""
    _, _, ic, w = engage("shahab3-like", "tabriz", "ankara", "redzikowo", "sm3-ib")
    assert not w.engageable[0]
    assert w.reason[0] == Reason.NO_REACHABLE_POINT
    assert "fly-out reach" in reason_text(w.reason[0], ic)


def test_declared_point_is_reached_by_an_integrated_flyout(setup):
    """The best intercept point is reached by a real fly-out: aim the interceptor at it
    (heading corrected for the Earth's rotation, pitch-over by bisection) and integrate it; it
    passes within 5 km of the point within 3 s of the tabulated fly-out time."""
    batch, table, ic = setup
    w = engagement_windows(batch, table, ic, launch_allowed_s=120.0)
    t_i = w.intercept_time_s[0]
    y = batch.states_at(np.array([t_i]))[0]
    lat_p, lon_p, h_p = (float(v[0]) for v in batch.point_geodetic(np.array([t_i]), y))
    d_p, az_p, _ = geodesy.inverse(table.site_lat_deg, table.site_lon_deg, lat_p, lon_p)
    tau = float(table.time_to_point(lat_p, lon_p, h_p))
    booster = ic.booster()
    tables = pack_vehicles([booster])
    ph = Physics(t_max_s=ic.max_flyout_time_s, record_max_step_s=1.0)

    def fly(heading, kick):
        b = fly_missiles(tables, 0, table.site_lat_deg, table.site_lon_deg, heading, kick,
                         booster.total_burn_time_s, physics=ph, record=True)
        tr = b[0]
        lat, lon, h = tr.geodetic()
        top = int(np.argmax(h))
        dd, aa, _ = geodesy.inverse(np.full(top + 1, table.site_lat_deg),
                                    np.full(top + 1, table.site_lon_deg), lat[:top + 1],
                                    lon[:top + 1])
        j = int(np.searchsorted(dd, d_p))  # ascending branch: range grows with time
        if j >= len(dd):
            return None
        f = (d_p - dd[j - 1]) / (dd[j] - dd[j - 1])
        t_arr = tr.times_s[j - 1] + f * (tr.times_s[j] - tr.times_s[j - 1])
        return t_arr, h[j - 1] + f * (h[j] - h[j - 1]), aa[j - 1] + f * (aa[j] - aa[j - 1]), tr

    heading = float(az_p)
    for _ in range(3):
        lo, hi = 0.05, 40.0
        for _ in range(30):  # a bigger kick passes lower at the same ground range
            mid = 0.5 * (lo + hi)
            r = fly(heading, mid)
            if r is None or r[1] < h_p:
                hi = mid
            else:
                lo = mid
        t_arr, h_arr, az_arr, tr = fly(heading, 0.5 * (lo + hi))
        heading += (float(az_p) - az_arr + 180.0) % 360.0 - 180.0
    state = tr.at(t_arr)
    la, lo_, ha = (float(np.ravel(v)[0])
                   for v in tr.batch.point_geodetic(np.array([t_arr]), state[None]))
    miss_h, _, _ = geodesy.inverse(la, lo_, lat_p, lon_p)
    miss = np.hypot(float(miss_h), ha - h_p)
    print(f"intercept at T+{t_i:.0f} s, {h_p / 1e3:.0f} km up, {d_p / 1e3:.0f} km from the site: "
          f"table {tau:.2f} s, integrated {t_arr:.2f} s, miss {miss:.0f} m")
    assert t_arr == pytest.approx(tau, abs=3.0)
    assert miss < 5e3
