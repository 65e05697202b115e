"""Architectures' fire control on real tracks (euroshield.network.architecture).

Monte Carlo runs of one ballistic arc from northern Iran toward Europe (``tracking_support``:
truth integrated by SciPy's DOP853, observed through ``Topocentric.aer`` with seeded noise),
tracked by the batched EKF (:func:`euroshield.network.track`): a NATO system with a
Kürecik-like radar and a Russian system with a Gabala-like radar (test sites and noise levels,
not catalogue parameters). What must hold whatever the numbers: more sharing never delays the
first launch-quality track (independent >= cueing >= launch-on-remote >= joint, route by
route); a remote track reaches the other command node exactly one link latency after it was
good enough (plus the wait for the next transmission); one central picture from both radars'
measurements converges faster than either radar alone; a system whose radar cannot see the
missile gets no launch from its own sensors, whatever the architecture's kind.
"""

from __future__ import annotations

import numpy as np
import pytest
from tracking_support import initial_state, observe, truth_arc

from euroshield.earth.frames import Topocentric
from euroshield.network import FilterParams, ProcessModel, track
from euroshield.network.architecture import (
    Access,
    TrackQuality,
    fire_control,
    parse_architecture,
    received_first_time,
)

RUNS = 40
PARAMS = FilterParams(model=ProcessModel(accel_psd_m2_s3=1e-9))
NATO_SIGMAS = [60.0, 4e-3, 4e-3]  # an early-warning-class radar: range [m], angles [rad]
RUSSIA_SIGMAS = [15.0, 1e-3, 1e-3]
KURECIK_LIKE = Topocentric(38.35, 37.79, 1900.0)
GABALA_LIKE = Topocentric(40.87, 47.80, 300.0)
IRAN_ARC = initial_state(35.7, 51.4, 200e3, 4000.0, 40.0, 315.0)
# test thresholds (the defaults are 1 km, 50 m/s): the Gabala-like track meets them after
# ~40 s, the noisier Kürecik-like one only after ~250 s, so exchange and fusion matter
QUALITY = {"launch_position_sigma_m": 1200.0, "launch_velocity_sigma_m_s": 20.0,
           "engage_position_sigma_m": 150.0, "engage_velocity_sigma_m_s": 2.0}


def _arch(kind, sharing="launch-on-remote", latency_s=0.0, update_s=2.5):
    data = {"kind": kind, "track_quality": QUALITY, "systems": [
        {"name": "nato", "side": "nato", "sensors": ["kurecik-like"], "shooters": ["deveselu"],
         "command_node": "ramstein"},
        {"name": "russia", "side": "russia", "sensors": ["gabala-like"],
         "shooters": ["armavir-site"], "command_node": "moscow"}]}
    if kind == "exchange":
        data["links"] = [{"from": a, "to": b, "latency_s": latency_s,
                          "update_interval_s": update_s, "sharing": sharing}
                         for a, b in (("russia", "nato"), ("nato", "russia"))]
    return parse_architecture(data)


@pytest.fixture(scope="module")
def tracked():
    times = np.arange(0.0, 600.0, 2.5)
    truth = truth_arc(IRAN_ARC, times)
    ma = observe(truth[0::2], times[0::2], KURECIK_LIKE, NATO_SIGMAS, RUNS, seed=31,
                 sensor="kurecik-like", min_elevation_deg=1.0)
    mb = observe(truth[1::2], times[1::2], GABALA_LIKE, RUSSIA_SIGMAS, RUNS, seed=32,
                 sensor="gabala-like", min_elevation_deg=1.0)
    return ({"kurecik-like": track(ma, PARAMS), "gabala-like": track(mb, PARAMS)},
            track([ma, mb], PARAMS), (ma, mb))


def _rank(t):
    return np.where(np.isnan(t), np.inf, t)


def test_more_sharing_never_delays_launch(tracked):
    by_sensor, central, _ = tracked
    ind = fire_control(_arch("independent"), by_sensor).launch_quality_s
    assert np.isfinite(ind).all()  # both radars reach launch quality alone on every run
    joint = fire_control(_arch("joint"), by_sensor, central_tracks=central).launch_quality_s
    for lat in (0.0, 10.0):
        prev = _rank(ind)
        for sharing in ("none", "early-warning-cue", "cueing-tracks", "launch-on-remote",
                        "engage-on-remote"):
            t = fire_control(_arch("exchange", sharing, lat), by_sensor).launch_quality_s
            assert (_rank(t) <= prev + 1e-9).all(), (sharing, lat)
            prev = _rank(t)
        assert (_rank(joint) <= prev + 1e-9).all()
        assert (prev < _rank(ind)).any()  # exchange helps the later system somewhere
    # the joint picture (both radars' measurements in one filter) beats each radar's own
    # track on most runs: twice the measurements per unit time
    assert np.mean(joint[:, 0] < np.fmin(ind[:, 0], ind[:, 1])) > 0.5


def test_remote_track_arrives_one_latency_later(tracked):
    """Gabala-like estimates are made every 5 s at odd multiples of 2.5 s; transmissions
    every 2.5 s mean no wait. Without latency the remote time is the track's own first
    launch-quality epoch; with latency L it is L later, or a whole number of 5 s estimates
    later still when the first good estimate no longer meets the thresholds after L s of
    prediction. Checked against :meth:`Tracks.predict_to` (a separate code path: the last
    estimate at or before t - L, predicted to t): the estimate received at the returned time
    meets the thresholds there, and the one received 5 s earlier does not."""
    by_sensor, _, _ = tracked
    tb = by_sensor["gabala-like"]
    q = TrackQuality(**QUALITY)
    own = q.first_time(tb, "launch")
    assert np.isfinite(own).all()
    np.testing.assert_allclose(received_first_time(tb, q, "launch", 0.0, 2.5), own, atol=1e-9)
    for lat in (10.0, 45.0):
        got = received_first_time(tb, q, "launch", lat, 2.5)
        extra = got - own - lat
        assert (extra >= -1e-9).all()
        np.testing.assert_allclose(extra / 5.0, np.round(extra / 5.0), atol=1e-9)
        at = q.within(tb.predict_to(got[:, None], lat), "launch")[:, 0]
        before = q.within(tb.predict_to(got[:, None] - 5.0, lat), "launch")[:, 0]
        assert at.all() and not before.any()
    # with its own track as well, the NATO node fuses both (covariance intersection): never
    # later than the remote track alone; here earlier, because the two radars' error
    # ellipsoids are elongated across different lines of sight, so their intersection is
    # small before either one alone meets the thresholds
    fc = fire_control(_arch("exchange", latency_s=10.0), by_sensor)
    alone = received_first_time(tb, q, "launch", 10.0, 2.5)
    assert (fc.launch_quality_s[:, 0] <= alone + 1e-9).all()
    assert np.mean(fc.reason[:, 0] == Access.FUSED_TRACK) > 0.5


def test_a_system_that_cannot_see_gets_no_own_launch(tracked):
    """A radar whose elevation mask hides the whole arc produces no track: its system's
    shooter has no launch of its own in any kind, and one only over a sharing link."""
    by_sensor, _, (ma, _) = tracked
    blind = observe(ma.truth_ecef[0], ma.times_s[0], KURECIK_LIKE, NATO_SIGMAS, RUNS,
                    seed=33, sensor="kurecik-like", min_elevation_deg=89.0)
    tracks = {**by_sensor, "kurecik-like": track(blind, PARAMS)}
    assert not tracks["kurecik-like"].initiated.any()
    ind = fire_control(_arch("independent"), tracks)
    assert np.isnan(ind.launch_quality_s[:, 0]).all()
    assert (ind.reason[:, 0] == Access.NO_QUALITY_TRACK).all()
    cueing = fire_control(_arch("exchange", "cueing-tracks"), tracks)
    assert np.isnan(cueing.launch_quality_s[:, 0]).all()  # cueing needs an own track
    lor = fire_control(_arch("exchange", "launch-on-remote", 5.0), tracks)
    q = TrackQuality(**QUALITY)
    np.testing.assert_allclose(lor.launch_quality_s[:, 0], received_first_time(
        tracks["gabala-like"], q, "launch", 5.0, 2.5), atol=1e-9)
    assert np.isfinite(lor.launch_quality_s[:, 0]).all()
    assert (lor.reason[:, 0] == Access.REMOTE_TRACK).all()
