"""The sense stage with an architecture (euroshield.studies.sensing).

A few Iranian IRBM routes toward Europe, flown once, sensed under the old rule and under
architectures. Expectations come from arguments independent of the code's output: the old
rule is reproduced by definition; a radar beyond the horizon of every trajectory cannot
measure (spherical-Earth horizon); more sharing can only add candidate launch times
(monotonicity); the 2012 sector description places the Baltic states and Finland in Russia's
sector and Italy and Romania outside it; each sensor's random stream is keyed by its name.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from euroshield import catalog, scenario
from euroshield.network.architecture import Access
from euroshield.studies.deterrence import shooters_of
from euroshield.studies.pipeline import ThreatSet, fly, look, sense
from euroshield.studies.sensing import combine, sense_network, sensor_rng

# aim points: inside Russia's 2012 sector (Podvig: "the Baltic states ... most of Sweden and
# Finland") and outside it (Italy, Romania)
AIMS = {"riga": (56.95, 24.11, True), "helsinki": (60.17, 24.94, True),
        "rome": (41.90, 12.50, False), "bucharest": (44.43, 26.10, False)}
LAUNCH = ("tabriz", 38.08, 46.29)
RUSSIA = {"name": "russia", "side": "russia", "command_node": "moscow",
          "sensors": ["voronezh-dm-armavir", "daryal-gabala"]}


def _nato(sensors=("scenario",)):
    return {"name": "nato", "side": "nato", "command_node": "ramstein",
            "sensors": list(sensors), "cue_sensors": ["sbirs"], "shooters": ["scenario"]}


def _exchange(level):
    return {"kind": "exchange", "systems": [_nato(), RUSSIA], "links": [
        {"from": a, "to": b, "latency_s": 5.0, "update_interval_s": 10.0, "sharing": level}
        for a, b in (("russia", "nato"), ("nato", "russia"))]}


@pytest.fixture(scope="module")
def sc():
    return scenario.load("shield-today")


@pytest.fixture(scope="module")
def looks():
    lat = [v[0] for v in AIMS.values()]
    lon = [v[1] for v in AIMS.values()]
    th = ThreatSet.from_grid([LAUNCH], lat, lon, "irbm-hypothetical", aim_name=list(AIMS))
    out = look(fly(th))
    assert out.trajectories.flown.all()  # all within the IRBM's reach (precondition)
    return out


def _pic(looks, sc, arch, memo=None, seed=None):
    return sense_network(looks, sc, shooters_of(sc), sc.footprint.rcs_m2, architecture=arch,
                         memo={} if memo is None else memo, seed=seed)


def test_n_detections_is_the_old_rule(looks, sc):
    old = sense(looks, sc.radar_models(), sc.early_warning, sc.timeline, 0.1)
    new = sense_network(looks, sc, shooters_of(sc), 0.1, architecture="n-detections")
    for f in ("first_detection_s", "track_time_s", "tracked_by", "cue_s", "launch_allowed_s"):
        np.testing.assert_array_equal(getattr(old, f), getattr(new, f), err_msg=f)
    assert new.architecture is None and new.tracks is None


def test_radar_beyond_every_horizon_gives_no_track_and_no_launch(looks, sc):
    """A radar near Wellington, New Zealand, sees none of these flights: an IRBM below
    1,500 km altitude is above a ground radar's horizon only within the central angle
    arccos(R / (R + h)) = 36.8 deg (4,100 km) of it, and Tehran-Wellington is ~14,800 km."""
    assert np.nanmax(looks.points.height_m) < 1.5e6  # the altitude bound used above
    r_e = 6371.0
    horizon_km = r_e * math.acos(r_e / (r_e + 1500.0))
    assert horizon_km < 4200.0
    data = sc.model_dump(exclude_none=True)
    data["radars"] = [{"radar": "spy1-ship", "label": "nz-ship", "lat": -41.3, "lon": 174.8}]
    far = scenario.parse(data, "test")
    pic = _pic(looks, far, {"kind": "independent", "systems": [_nato()]})
    tr = pic.tracks["nz-ship"]
    assert not tr.valid.any()
    assert np.isnan(pic.sensor_first_detection_s["nz-ship"]).all()
    assert np.isnan(pic.launch_quality_s).all() and np.isnan(pic.launch_allowed_s).all()
    assert np.all(pic.access == Access.NO_QUALITY_TRACK)
    assert (pic.tracked_by == -1).all()


def _rank(t):
    return np.where(np.isnan(t), np.inf, t)


def test_more_sharing_is_never_later(looks, sc):
    """Sharing only adds candidate tracks (a remote track received, a central track over
    every sensor), each judged by the same thresholds, and the first time is a minimum over
    candidates: exchange at launch-on-remote and joint are never later than independent,
    route by route and shooter by shooter (same sensors, same seed)."""
    memo: dict = {}
    ind = _pic(looks, sc, {"kind": "independent", "systems": [_nato(), RUSSIA]}, memo)
    lor = _pic(looks, sc, _exchange("launch-on-remote"), memo)
    joint = _pic(looks, sc, {"kind": "joint", "systems": [_nato(), RUSSIA]}, memo)
    assert np.isfinite(ind.launch_quality_s).any()  # the comparison is not empty
    assert np.all(_rank(lor.launch_quality_s) <= _rank(ind.launch_quality_s))
    assert np.all(_rank(joint.launch_quality_s) <= _rank(ind.launch_quality_s))
    assert np.all(_rank(lor.launch_allowed_s) <= _rank(ind.launch_allowed_s))
    # the same tracks were used (memo): sharing changes the rule, not the measurements
    assert all(lor.tracks[k] is ind.tracks[k] for k in ind.tracks)


def test_sectoral_shooters_never_launch_outside_their_sector(looks, sc):
    """The built-in sectoral architecture (2012 proposal, aim points): NATO's shooters never
    launch at threats aimed at Riga or Helsinki (Russia's sector), and at Rome and Bucharest
    they launch exactly as under exchange (same sensors and links)."""
    sect = _pic(looks, sc, "sectoral")
    exch = _pic(looks, sc, "exchange")
    inside = np.array([v[2] for v in AIMS.values()])
    assert np.isnan(sect.launch_allowed_s[inside]).all()
    assert np.all(sect.access[inside] == Access.NOT_IN_SECTOR)
    np.testing.assert_array_equal(sect.launch_allowed_s[~inside],
                                  exch.launch_allowed_s[~inside])
    assert np.all(sect.access[~inside] != Access.NOT_IN_SECTOR)


def test_same_seed_same_arrays_and_sensor_order_does_not_matter(looks, sc):
    arch = {"kind": "independent", "systems": [_nato(("spy1-deveselu", "tpy2-kurecik")),
                                                RUSSIA]}
    rev = {"kind": "independent", "systems": [_nato(("tpy2-kurecik", "spy1-deveselu")),
                                               {**RUSSIA, "sensors": RUSSIA["sensors"][::-1]}]}
    a = _pic(looks, sc, arch, seed=7)
    b = _pic(looks, sc, arch, seed=7)
    c = _pic(looks, sc, rev, seed=7)
    d = _pic(looks, sc, arch, seed=8)
    for x in (b, c):
        for f in ("launch_quality_s", "launch_allowed_s", "engage_quality_s", "access"):
            np.testing.assert_array_equal(getattr(a, f), getattr(x, f), err_msg=f)
        for k in a.tracks:
            np.testing.assert_array_equal(a.tracks[k].state, x.tracks[k].state)
            np.testing.assert_array_equal(a.tracks[k].covariance, x.tracks[k].covariance)
    k = "spy1-deveselu"
    assert a.tracks[k].valid.any()
    assert not np.array_equal(a.tracks[k].state[a.tracks[k].valid],
                              d.tracks[k].state[d.tracks[k].valid])  # another seed: other noise
    # the streams: keyed by name, independent of anything else
    assert sensor_rng(7, k).random() == sensor_rng(7, k).random()
    assert sensor_rng(7, k).random() != sensor_rng(7, "tpy2-kurecik").random()


def test_timeline_rule_per_shooter():
    """The old rule, per shooter: max(track, cue + delay) with a cue, track + delay without,
    cue + delay for ir-cue, never outside the sector."""
    lq = np.array([[100.0, np.nan, 300.0, 10.0]])
    cue = np.array([[60.0, 60.0, np.nan, 60.0]])
    inside = np.array([[True, True, True, False]])
    got = combine(lq, cue, inside, 60.0)
    np.testing.assert_array_equal(got, [[120.0, np.nan, 360.0, np.nan]])
    got = combine(lq, cue, inside, 60.0, "ir-cue")
    np.testing.assert_array_equal(got, [[120.0, 120.0, np.nan, np.nan]])


def test_timeline_what_if_does_not_retrack(looks, sc):
    """A decision-delay what-if reuses the tracks; where the launch-quality track comes after
    the cue + delay, launch moves by exactly the change in delay only while the cue term
    decides, so check the rule directly: allowed = max(track, cue + delay)."""
    memo: dict = {}
    a = _pic(looks, sc, "exchange", memo)
    sc2 = sc.with_overrides({"timeline.decision_delay_s": 200.0})
    b = _pic(looks, sc2, "exchange", memo)
    assert all(b.tracks[k] is a.tracks[k] for k in a.tracks)
    np.testing.assert_array_equal(a.launch_quality_s, b.launch_quality_s)
    want = np.maximum(b.launch_quality_s, b.shooter_cue_s + 200.0)
    np.testing.assert_array_equal(b.launch_allowed_s, want)


def test_builtin_architectures_have_sources():
    arch = catalog.architectures()
    assert tuple(arch) == catalog.ARCHITECTURE_NAMES
    for entry in arch.values():
        assert entry.sources and entry.description
