"""Systems, links, architectures and their fire-control rule (euroshield.network.architecture).

Tracks here are synthetic: a fixed Earth-fixed state whose covariance steps from very large
(1e4 km) to small (10 m, 1 m/s) at a chosen epoch, so the first launch-quality epoch of each
track is known by construction, and the expected times follow from the rule's definition
(latency added, transmissions every update interval), not from the code's output.
"""

from __future__ import annotations

import numpy as np
import pytest

from euroshield.defense.radar import radars, space_sensors
from euroshield.errors import InputError
from euroshield.network import Tracks
from euroshield.network.architecture import (
    Access,
    Box,
    Sector,
    SharingLevel,
    TrackQuality,
    check_sensors,
    fire_control,
    link_up,
    parse_architecture,
    received_first_time,
)
from euroshield.network.tracks import UPDATED

# a state at ~630 km altitude moving at 6 km/s (any plausible ballistic state will do)
STATE = np.array([7.0e6, 0.0, 0.0, 0.0, 6.0e3, 1.0e3])
BIG, SMALL_P, SMALL_V = 1e7, 10.0, 1.0  # sigmas [m], [m], [m/s]


TIMES = np.arange(0.0, 600.0, 1.0)


def synthetic(name: str, good_from_s, times=TIMES, start_s=None) -> Tracks:
    """Tracks of n routes on epochs ``times``: no estimate before ``start_s`` (default: the
    first epoch), sigmas BIG before ``good_from_s`` (n,) (NaN: never good), small from it."""
    good = np.asarray(good_from_s, dtype=float)
    n, m = good.size, times.size
    start = np.full(n, times[0]) if start_s is None else np.asarray(start_s, dtype=float)
    t = np.broadcast_to(times, (n, m))
    valid = t >= start[:, None]
    is_good = t >= np.where(np.isnan(good), np.inf, good)[:, None]
    sig_p = np.where(is_good, SMALL_P, BIG)
    sig_v = np.where(is_good, SMALL_V, BIG)
    cov = np.zeros((n, m, 6, 6))
    for i in range(3):
        cov[..., i, i] = sig_p**2 / 3.0  # rss sigma = sig_p
        cov[..., 3 + i, 3 + i] = sig_v**2 / 3.0
    return Tracks(sensors=(name,), times_s=np.where(valid, t, np.nan),
                  state=np.broadcast_to(STATE, (n, m, 6)).copy(), covariance=cov,
                  status=np.full((n, m), UPDATED, dtype=np.int8), nis=np.full((n, m), np.nan),
                  nis_dof=np.zeros((n, m), dtype=np.int8),
                  sensor_index=np.zeros((n, m), dtype=np.int16))


def two_systems(kind="exchange", sharing="launch-on-remote", latency_s=0.0, update_s=1.0,
                availability=1.0, sectors=None, both_ways=False):
    data = {
        "kind": kind,
        "systems": [
            {"name": "nato", "side": "nato", "sensors": ["a"], "shooters": ["site-a"],
             "command_node": "ramstein"},
            {"name": "russia", "side": "russia", "sensors": ["b"], "shooters": ["site-b"],
             "command_node": "moscow"},
        ],
    }
    if kind in ("exchange", "sectoral"):
        data["links"] = [{"from": "russia", "to": "nato", "latency_s": latency_s,
                          "update_interval_s": update_s, "availability": availability,
                          "sharing": sharing}]
        if both_ways:
            data["links"].append({**data["links"][0], "from": "nato", "to": "russia"})
    if sectors is not None:
        data["sectors"] = sectors
    return parse_architecture(data)


# per route: when own (a), remote (b) and central tracks become launch-quality [s]
T_A = np.array([300.0, 200.0, np.nan, 150.0, np.nan])
T_B = np.array([100.0, 250.0, 120.0, np.nan, np.nan])
T_C = np.array([90.0, 180.0, 110.0, 140.0, np.nan])


@pytest.fixture(scope="module")
def tracks():
    return {"a": synthetic("a", T_A), "b": synthetic("b", T_B)}


def test_sharing_levels_are_ordered_and_named():
    assert [lv.key for lv in SharingLevel] == [
        "none", "early-warning-cue", "cueing-tracks", "launch-on-remote", "engage-on-remote"]
    assert SharingLevel.NONE < SharingLevel.EARLY_WARNING_CUE < SharingLevel.CUEING_TRACKS \
        < SharingLevel.LAUNCH_ON_REMOTE < SharingLevel.ENGAGE_ON_REMOTE
    assert SharingLevel.parse("cueing-tracks") is SharingLevel.CUEING_TRACKS
    with pytest.raises(ValueError, match="unknown sharing level"):
        SharingLevel.parse("everything")


def test_independent_uses_only_own_tracks(tracks):
    fc = fire_control(two_systems("independent"), tracks)
    assert fc.shooters == ("site-a", "site-b") and fc.systems == ("nato", "russia")
    np.testing.assert_array_equal(fc.launch_quality_s[:, 0], T_A)  # nan-aware equality
    np.testing.assert_array_equal(fc.launch_quality_s[:, 1], T_B)
    assert fc.reason[2, 0] == Access.NO_QUALITY_TRACK and fc.reason[0, 0] == Access.OWN_TRACK
    fc2 = fire_control(two_systems("independent"), tracks, decision_delay_s=30.0)
    np.testing.assert_array_equal(fc2.launch_allowed_s, fc.launch_quality_s + 30.0)


def test_launch_on_remote_adds_exactly_the_latency(tracks):
    """A remote launch-quality estimate made at t (an integer second, transmissions every
    1 s) arrives at t + L: the launch is allowed at min(own, remote + L)."""
    for lat in (0.0, 3.7, 30.0):
        fc = fire_control(two_systems(latency_s=lat), tracks)
        expect = np.fmin(T_A, T_B + lat)
        np.testing.assert_allclose(fc.launch_quality_s[:, 0], expect, rtol=0, atol=1e-9)
        remote = np.isfinite(T_B) & ~(T_B + lat >= T_A)
        assert (fc.reason[remote, 0] == Access.REMOTE_TRACK).all()
        # the link is one way: russia's shooters get nothing from nato
        np.testing.assert_array_equal(fc.launch_quality_s[:, 1], T_B)


def test_update_interval_waits_for_the_next_transmission():
    """Estimate good from t = 101 s, transmissions every 5 s from launch: sent at 105 s,
    received at 105 + L."""
    tr = synthetic("b", [101.0])
    q = TrackQuality()
    for lat in (0.0, 2.0):
        got = received_first_time(tr, q, "launch", lat, 5.0)
        assert got[0] == pytest.approx(105.0 + lat, abs=1e-9)
    assert received_first_time(tr, q, "launch", 0.0, 1.0)[0] == pytest.approx(101.0)


def test_availability_zero_equals_no_link_and_fraction_up(tracks):
    ind = fire_control(two_systems("independent"), tracks)
    off = fire_control(two_systems(availability=0.0), tracks)
    np.testing.assert_array_equal(off.launch_quality_s, ind.launch_quality_s)
    np.testing.assert_array_equal(off.reason, ind.reason)
    link = two_systems(availability=0.3).links[0]
    for n in (10, 1000):
        frac = link_up(link, n).mean()
        assert abs(frac - 0.3) <= 1.0 / n + 1e-12  # the Weyl sequence is equidistributed
    frac = link_up(link, 20_000, np.random.default_rng(1)).mean()
    assert abs(frac - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 20_000)  # binomial, 4 sigma
    assert link_up(two_systems(availability=1.0).links[0], 5).all()


def test_monotone_in_sharing_level_and_joint_best(tracks):
    """independent >= exchange at every higher level >= joint, route by route (NaN =
    never, ranked last)."""
    def key(a):
        return np.where(np.isnan(a), np.inf, a)

    ind = fire_control(two_systems("independent"), tracks).launch_quality_s[:, 0]
    for lat in (0.0, 20.0):
        prev = key(ind)
        for lvl in SharingLevel:
            t = fire_control(two_systems(sharing=lvl.key, latency_s=lat),
                             tracks).launch_quality_s[:, 0]
            assert (key(t) <= prev + 1e-9).all(), (lvl, lat)
            prev = key(t)
        assert (prev < key(ind)).any()  # sharing helps somewhere in these cases
    exch = fire_control(two_systems(sharing="engage-on-remote"), tracks).launch_quality_s
    joint = fire_control(two_systems("joint"), tracks, central_tracks=synthetic("c", T_C))
    assert (key(joint.launch_quality_s[:, 0]) <= key(exch[:, 0]) + 1e-9).all()
    # the joint picture: every shooter gets the same time, min(central, every sensor's own)
    np.testing.assert_array_equal(joint.launch_quality_s[:, 0], joint.launch_quality_s[:, 1])
    np.testing.assert_array_equal(joint.launch_quality_s[:, 0],
                                  np.fmin(np.fmin(T_A, T_B), T_C))
    assert joint.reason[0, 0] == Access.JOINT_TRACK


def test_cueing_needs_an_own_track_launch_on_remote_does_not():
    """Route 0: the own radar never tracks; route 1: it tracks from 200 s (never launch
    quality alone). Cueing tracks cannot allow a launch without an own track; fused with a
    remote track good from 100 s it can once the own track exists (first 2 s grid epoch at
    or after 200 s). Launch-on-remote uses the remote track alone."""
    own = synthetic("a", [np.nan, np.nan], start_s=[np.inf, 200.0])
    remote = synthetic("b", [100.0, 100.0])
    tr = {"a": own, "b": remote}
    cueing = fire_control(two_systems(sharing="cueing-tracks"), tr)
    assert np.isnan(cueing.launch_quality_s[0, 0])
    assert cueing.reason[0, 0] == Access.NO_QUALITY_TRACK
    assert cueing.launch_quality_s[1, 0] == pytest.approx(200.0)
    assert cueing.reason[1, 0] == Access.FUSED_TRACK
    lor = fire_control(two_systems(sharing="launch-on-remote", latency_s=5.0), tr)
    np.testing.assert_allclose(lor.launch_quality_s[:, 0], [105.0, 105.0])
    assert (lor.reason[:, 0] == Access.REMOTE_TRACK).all()


def test_engage_on_remote_only_at_its_level(tracks):
    lor = fire_control(two_systems(sharing="launch-on-remote", latency_s=4.0), tracks)
    eor = fire_control(two_systems(sharing="engage-on-remote", latency_s=4.0), tracks)
    np.testing.assert_array_equal(lor.engage_quality_s[:, 0], T_A)  # small sigmas pass engage
    np.testing.assert_allclose(eor.engage_quality_s[:, 0], np.fmin(T_A, T_B + 4.0))


def test_early_warning_cue_over_a_link(tracks):
    from euroshield.defense.measurements import Cues

    arch = parse_architecture({
        "kind": "exchange",
        "systems": [
            {"name": "nato", "side": "nato", "sensors": ["a"], "cue_sensors": ["sbirs"],
             "shooters": ["site-a"], "command_node": "ramstein"},
            {"name": "russia", "side": "russia", "sensors": ["b"], "shooters": ["site-b"],
             "command_node": "moscow"}],
        "links": [{"from": "nato", "to": "russia", "latency_s": 3.0, "update_interval_s": 4.0,
                   "sharing": "early-warning-cue"}]})
    n = T_A.size
    nan = np.full(n, np.nan)
    cue = Cues("sbirs", np.full(n, 61.0), nan, nan, nan, 1e4, 0.1, nan, nan, nan)
    fc = fire_control(arch, tracks, cues={"sbirs": cue})
    np.testing.assert_allclose(fc.cue_s[:, 0], 61.0)
    np.testing.assert_allclose(fc.cue_s[:, 1], 64.0 + 3.0)  # next transmission at 64 s
    np.testing.assert_array_equal(fc.launch_quality_s[:, 1], T_B)  # cues change no track


def test_sectoral_engages_only_its_sector(tracks):
    west = {"boxes": [{"lat_min_deg": -90, "lat_max_deg": 90, "lon_min_deg": -180,
                       "lon_max_deg": 30}]}
    east = {"boxes": [{"lat_min_deg": -90, "lat_max_deg": 90, "lon_min_deg": 30,
                       "lon_max_deg": 180}]}
    arch = two_systems("sectoral", sectors={"nato": west, "russia": east})
    aim_lon = np.array([10.0, 50.0, -20.0, 179.0, 0.0])
    fc = fire_control(arch, tracks, sector_lat_deg=np.full(5, 55.0), sector_lon_deg=aim_lon)
    assert fc.in_sector[:, 0].tolist() == [True, False, True, False, True]
    assert fc.in_sector[:, 1].tolist() == [False, True, False, True, False]
    assert fc.reason[1, 0] == Access.NOT_IN_SECTOR and np.isnan(fc.launch_allowed_s[1, 0])
    assert fc.launch_allowed_s[0, 0] == pytest.approx(min(T_A[0], T_B[0]))
    with pytest.raises(ValueError, match="sector points"):
        fire_control(arch, tracks)


# ---- point in sector -----------------------------------------------------------------------


def _box(la0, la1, lo0, lo1):
    return Sector(boxes=[Box(lat_min_deg=la0, lat_max_deg=la1, lon_min_deg=lo0,
                             lon_max_deg=lo1)])


def test_box_across_antimeridian_negative_longitudes_and_poles():
    s = _box(-10, 10, 170, -170)  # 20 deg wide across the antimeridian
    assert s.contains([0, 0, 0, 0, 0, 0], [179, -179, 180, -180, 170, -170]).all()
    assert not s.contains([0, 0, 20], [0, 169, 175]).any()
    neg = _box(50, 60, -10, -5)
    assert neg.contains(55, -7) and not neg.contains(55, 7) and not neg.contains(55, -11)
    cap = _box(80, 90, 0, 10)
    assert cap.contains(90, 123) and cap.contains(90, -180)  # the pole has every longitude
    assert not cap.contains(89, 123) and cap.contains(85, 5)
    south = _box(-90, -80, -20, -10)
    assert south.contains(-90, 77) and not south.contains(-85, 0)
    world = _box(-90, 90, -180, 180)
    assert world.contains([0, 45, -45], [-180, 0, 180]).all()


def test_polygon_across_antimeridian_and_around_poles():
    dateline = Sector(polygons=[[[0, 170], [0, -170], [10, -170], [10, 170]]])
    assert dateline.contains([5, 5, 5], [180, -175, 175]).all()
    assert not dateline.contains([5, 5, 15], [0, 165, 180]).any()
    arctic = Sector(polygons=[[[70, 0], [70, 90], [70, 180], [70, -90]]])
    assert arctic.contains([80, 90, 75, 71], [45, 0, -135, 179]).all()
    assert not arctic.contains([60, -60, -90], [45, 45, 0]).any()
    antarctic = Sector(polygons=[[[-60, 0], [-60, -90], [-60, 180], [-60, 90]]])
    assert antarctic.contains([-70, -90], [10, 0]).all()
    assert not antarctic.contains([-50, 90], [10, 0]).any()


def test_polygon_rectangle_agrees_with_the_box_test():
    """A lat/lon rectangle as a polygon (edges straight in lat/lon) holds the same points as
    the box (simple interval arithmetic), here across the antimeridian, away from edges."""
    rng = np.random.default_rng(3)
    lat = rng.uniform(-89.0, 89.0, 20_000)
    lon = rng.uniform(-180.0, 180.0, 20_000)
    for la0, la1, lo0, lo1 in ((-20, 35, 150, -120), (40, 70, -30, 45), (-60, -10, -100, -95)):
        box = _box(la0, la1, lo0, lo1).contains(lat, lon)
        poly = Sector(polygons=[[[la0, lo0], [la0, lo1], [la1, lo1], [la1, lo0]]])
        if (lo1 - lo0) % 360 > 180:  # the polygon's edges take the shorter way: skip
            continue
        edge = (np.minimum(np.abs(lat - la0), np.abs(lat - la1)) < 1e-6)
        agree = poly.contains(lat, lon) == box
        assert agree[~edge].all()
        assert box.sum() > 50  # the test is not vacuous


# capitals and cities the 2012 description places (Podvig, russianforces.org, May 2012:
# "the Baltic states, parts of Poland, most of Norway" and "most of Sweden and Finland" in
# Russia's sector; Russia and Belarus obviously; the rest of Europe in NATO's). Coordinates
# rounded from any atlas.
RUSSIAN_SECTOR_2012 = {"Riga": (56.95, 24.10), "Tallinn": (59.44, 24.75),
                       "Vilnius": (54.69, 25.28), "Kaliningrad": (54.71, 20.51),
                       "Tromso": (69.65, 18.96), "Helsinki": (60.17, 24.94),
                       "Stockholm": (59.33, 18.07), "Gdansk": (54.35, 18.65),
                       "Minsk": (53.90, 27.56), "Moscow": (55.75, 37.62),
                       "Murmansk": (68.97, 33.08), "Sochi": (43.60, 39.73),
                       "Vladivostok": (43.12, 131.90)}
NATO_SECTOR_2012 = {"Oslo": (59.91, 10.75), "Berlin": (52.52, 13.40),
                    "London": (51.50, -0.13), "Bucharest": (44.43, 26.10),
                    "Krakow": (50.06, 19.94), "Copenhagen": (55.68, 12.57),
                    "Reykjavik": (64.15, -21.94), "Pituffik": (76.53, -68.70),
                    "Madrid": (40.42, -3.70), "Ankara": (39.93, 32.86)}


def test_builtin_2012_sectors_place_the_named_countries():
    russia = Sector(builtin="russia-2012")
    nato = Sector(builtin="russia-2012", outside=True)
    for where, (lat, lon) in RUSSIAN_SECTOR_2012.items():
        assert russia.contains(lat, lon) and not nato.contains(lat, lon), where
    for where, (lat, lon) in NATO_SECTOR_2012.items():
        assert nato.contains(lat, lon) and not russia.contains(lat, lon), where
    arch = parse_architecture(_base(kind="sectoral", sectors={
        "russia": {"builtin": "russia-2012"},
        "nato": {"builtin": "russia-2012", "outside": True}}))
    assert arch.sectors["nato"].outside


# ---- bad input: one line naming the field --------------------------------------------------


def _base(**extra):
    return {"kind": "exchange",
            "systems": [{"name": "nato", "side": "nato", "sensors": ["tpy2-kurecik"],
                         "command_node": "ramstein"},
                        {"name": "russia", "side": "russia", "sensors": ["daryal-gabala"],
                         "command_node": "moscow"}], **extra}


@pytest.mark.parametrize("data, field, words", [
    (_base(links=[{"from": "nato", "to": "china"}]), "links.0.to", "unknown system 'china'"),
    (_base(links=[{"from": "nato", "to": "russia", "latency_s": -1.0}]), "links.0.latency_s",
     "greater than or equal to 0"),
    (_base(links=[{"from": "nato", "to": "russia", "sharing": "everything"}]),
     "links.0.sharing", "allowed: none, early-warning-cue"),
    (_base(links=[{"from": "nato", "to": "russia", "availability": 1.5}]),
     "links.0.availability", "less than or equal to 1"),
    (_base(links=[{"from": "nato", "to": "russia", "update_interval_s": 0.0}]),
     "links.0.update_interval_s", "greater than 0"),
    (_base(links=[{"from": "nato", "to": "nato"}]), "links.0", "two different systems"),
    (_base(kind="sectoral", sectors={"nato": {"boxes": [{"lat_min_deg": 10}]}}),
     "sectors.nato.boxes.0.lat_max_deg", "Field required"),
    (_base(kind="sectoral", sectors={"nato": "the baltics"}), "sectors.nato",
     "should be a mapping"),
    (_base(kind="sectoral", sectors={"nato": {"polygons": [[[1, 2], [3, 4]]]}}),
     "sectors.nato.polygons.0", "at least 3"),
    (_base(kind="sectoral", sectors={"nato": {"polygons": [[[1, 2], [3, 4], [95, 0]]]}}),
     "sectors.nato.polygons.0", "latitude 95"),
    (_base(kind="sectoral", sectors={"nato": {"boxes": [{"lat_min_deg": 0, "lat_max_deg": 1,
                                                         "lon_min_deg": 0,
                                                         "lon_max_deg": 1}]}}),
     "sectors", "system 'russia'"),
    (_base(sectors={"nato": {"boxes": [{"lat_min_deg": 0, "lat_max_deg": 1, "lon_min_deg": 0,
                                        "lon_max_deg": 1}]}}), "sectors", "only a sectoral"),
    (_base(kind="independent", links=[{"from": "nato", "to": "russia"}]), "links",
     "independent"),
    (_base(kind="sectoral", sectors={"nato": {"builtin": "russia-2007"}}),
     "sectors.nato.builtin", "'russia-2012'"),
    (_base(kind="two-systems"), "kind", "'independent', 'exchange', 'joint' or 'sectoral'"),
    (_base(links=[{"from": "nato", "to": "russia", "delay": 3}]), "links.0.delay",
     "unknown field"),
    (_base(track_quality={"launch_position_sigma_m": 1e5}), "track_quality",
     "cue_position_sigma_m >= launch_position_sigma_m"),
])
def test_bad_architecture_is_one_line_naming_the_field(data, field, words):
    with pytest.raises(InputError) as err:
        parse_architecture(data, "scenario.yaml: architecture")
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(f"scenario.yaml: architecture: {field}") or \
        f"architecture: {field}:" in msg, msg
    assert words in msg, msg


@pytest.mark.parametrize("sensors, cue_sensors, field, words", [
    (["sbirs"], [], "systems.0.sensors.0", "no field of regard"),
    (["gabala"], [], "systems.0.sensors.0", "unknown radar 'gabala'"),
    ([], ["tpy2-kurecik"], "systems.0.cue_sensors.0", "is a radar"),
])
def test_bad_sensors_name_the_field(sensors, cue_sensors, field, words):
    arch = parse_architecture({"kind": "joint", "systems": [
        {"name": "nato", "side": "nato", "sensors": sensors, "cue_sensors": cue_sensors,
         "command_node": "ramstein"}]})
    with pytest.raises(InputError) as err:
        check_sensors(arch, radars(), space_sensors())
    msg = str(err.value)
    assert msg.startswith(f"architecture.{field}: ") and words in msg and "\n" not in msg


def test_catalogue_sensors_pass():
    arch = parse_architecture(_base())
    check_sensors(arch, radars(), space_sensors())  # no error


def test_fire_control_input_checks(tracks):
    with pytest.raises(ValueError, match="no tracks for sensor"):
        fire_control(two_systems("independent"), {"a": tracks["a"]})
    with pytest.raises(ValueError, match="belongs to no system"):
        fire_control(two_systems("independent"), tracks, shooters=["site-c"])
    with pytest.raises(ValueError, match="central_tracks"):
        fire_control(two_systems("joint"), tracks)
    short = {"a": tracks["a"], "b": synthetic("b", [1.0, 2.0])}
    with pytest.raises(ValueError, match="different numbers of routes"):
        fire_control(two_systems("independent"), short)


def test_sectoral_with_intercept_points_per_shooter(tracks):
    """``sector_point: intercept``: one point per route and shooter; the same route can be
    each shooter's responsibility at its own intercept point."""
    data = two_systems("sectoral", sectors={
        "nato": {"boxes": [{"lat_min_deg": -90, "lat_max_deg": 90, "lon_min_deg": -180,
                            "lon_max_deg": 0}]},
        "russia": {"boxes": [{"lat_min_deg": -90, "lat_max_deg": 90, "lon_min_deg": 0,
                              "lon_max_deg": 180}]}}).model_dump(by_alias=True)
    arch = parse_architecture({**data, "sector_point": "intercept"})
    lon = np.array([[-5.0, 5.0], [5.0, -5.0], [-5.0, -5.0], [5.0, 5.0], [-1.0, 1.0]])
    fc = fire_control(arch, tracks, sector_lat_deg=np.zeros((5, 2)), sector_lon_deg=lon)
    assert fc.in_sector.tolist() == [[True, True], [False, False], [True, False],
                                     [False, True], [True, True]]
