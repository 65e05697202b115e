"""The architecture comparison (euroshield.studies.architectures) against what must hold by
construction of each architecture, route by route, whatever the numbers:

* one joint picture is never later than two independent systems (the joint node has every
  sensor's own track plus the central track);
* exchanging tracks never delays NATO's first launch-quality track (an own-only time is never
  made later by fusion, see network/architecture.py) and never changes the routes no Russian
  radar detects;
* a Russian radar that cannot see a route contributes nothing to what NATO's node sees of it;
* a detection relayed over a link arrives at the next transmission plus the latency (the
  catalogue's exchange link: every 10 s, 5 s latency);
* in a joint system both command nodes see the same thing, the union of every sensor;
* sectoral = exchange where the aim point is in NATO's sector, and no NATO launch where it is
  in Russia's; the defended area can only shrink.

Small scenario: three Russian bases x two targets, two Aegis Ashore sites, NATO's radars
reduced to Redzikowo's SPY-1 (plus the built-in systems' Fylingdales and Thule), so that some
Iranian missiles are seen by Russian radars only; one Iranian launch point (Tabriz), the
long-range IRBM (so that capitals in Russia's 2012 sector are within reach), a 6 deg grid."""

from __future__ import annotations

import numpy as np
import pytest

from euroshield import catalog, scenario
from euroshield.network.architecture import RUSSIA_2012_POLYGON, Sector, SharingLevel
from euroshield.studies import architectures as st

SMALL = {
    "name": "architectures-validation",
    "sites": [{"site": "deveselu", "interceptors": ["sm3-ib"], "inventory": 24},
              {"site": "redzikowo", "interceptors": ["sm3-iia"], "inventory": 24}],
    "radars": ["spy1-redzikowo"],
    "threats": {"missile": "by-base", "bases": ["kozelsk", "teykovo", "yoshkar-ola"],
                "targets": ["washington", "seattle"]},
    "footprint": {"launch_areas": ["iran-north-west"], "missiles": ["irbm-hypothetical"],
                  "us_targets": ["washington", "new-york"], "resolution_deg": 6.0},
}


@pytest.fixture(scope="module")
def comparison():
    sc = scenario.parse(SMALL, "test")
    return st.compare(sc, ["independent", "exchange", "joint", "sectoral"], resolution_deg=6.0)


def _rank(t):
    return np.where(np.isnan(t), np.inf, t)


def _view(c, name, system, key):
    return next(v for v in c.outcome(name).transparency
                if v.system == system and v.route_set == key)


def test_route_sets_flown(comparison):
    c = comparison
    assert len(c.route_sets["russia-icbm"]) == 6 and len(c.route_sets["iran-us"]) == 2
    # every Russian route is within the ICBMs' reach (intercontinental, < 10,000 km)
    assert c.route_sets["russia-icbm"].looks.trajectories.flown.all()


def test_joint_never_later_than_independent(comparison):
    c = comparison
    for key in c.route_sets:
        ind = c.outcome("independent").sets[key].first_track_s
        joint = c.outcome("joint").sets[key].first_track_s
        assert (_rank(joint) <= _rank(ind) + 1e-9).all(), key
        # and the launch itself (same timeline rule applied to an earlier or equal track)
        a = c.outcome("independent").sets[key].launch_allowed_s
        b = c.outcome("joint").sets[key].launch_allowed_s
        assert (_rank(b) <= _rank(a) + 1e-9).all(), key


def test_exchange_never_later_than_independent(comparison):
    c = comparison
    better = 0
    for key in c.route_sets:
        ind = c.outcome("independent").sets[key].first_track_s
        ex = c.outcome("exchange").sets[key].first_track_s
        assert (_rank(ex) <= _rank(ind) + 1e-9).all(), key
        better += int((_rank(ex) < _rank(ind)).sum())
    assert better > 0  # Russia's radars near Iran help NATO on some Iranian routes


def test_unseen_by_russia_changes_nothing(comparison):
    """Routes that no Russian radar detects: exchange gives NATO's node exactly what it has
    alone (detections, cue-quality and launch-quality tracks)."""
    c = comparison
    russia = catalog.architectures()["exchange"].architecture["systems"][1]["sensors"]
    checked = 0
    for key in c.route_sets:
        pic = c.outcome("exchange").sets[key].picture
        unseen = np.ones(len(c.route_sets[key]), dtype=bool)
        for r in russia:
            unseen &= np.isnan(pic.sensor_first_detection_s[r])
        a, b = _view(c, "independent", "nato", key), _view(c, "exchange", "nato", key)
        for f in ("detected_s", "cue_track_s", "launch_track_s"):
            np.testing.assert_array_equal(getattr(a, f)[unseen], getattr(b, f)[unseen])
        checked += int(unseen.sum())
    assert checked > 0  # the Russian ICBMs fly north, away from the south/west-facing radars


def test_relayed_detection_time(comparison):
    """Routes that NATO's own sensors never detect but a Russian radar does: NATO's node
    learns of them at the next transmission after the detection plus the latency."""
    c = comparison
    arch = c.outcome("exchange").architecture
    link = next(x for x in arch.links if x.to_system == "nato")
    assert link.level >= SharingLevel.CUEING_TRACKS
    u, lat = link.update_interval_s, link.latency_s
    assert (u, lat) == (10.0, 5.0)  # catalog/architectures.yaml
    relayed = 0
    for key in c.route_sets:
        v = _view(c, "exchange", "nato", key)
        pic = c.outcome("exchange").sets[key].picture
        d = np.full(len(v.detected_s), np.nan)
        for r in arch.system("russia").sensors:
            d = np.fmin(d, pic.sensor_first_detection_s[r])
        expect = np.ceil(d / u - 1e-12) * u + lat
        only = np.isnan(v.own_detected_s) & np.isfinite(d)
        np.testing.assert_allclose(v.detected_s[only], expect[only], rtol=0, atol=1e-9)
        both = np.isfinite(v.own_detected_s)
        assert (v.detected_s[both] <= v.own_detected_s[both]).all()
        relayed += int(only.sum())
    assert relayed > 0  # Iranian missiles to the south seen by Armavir/Gabala only


def test_joint_nodes_see_the_same(comparison):
    c = comparison
    for key in c.route_sets:
        pic = c.outcome("joint").sets[key].picture
        every = np.full(len(c.route_sets[key]), np.nan)
        for t in pic.sensor_first_detection_s.values():
            every = np.fmin(every, t)
        for system in ("nato", "russia"):
            v = _view(c, "joint", system, key)
            np.testing.assert_array_equal(v.detected_s, every)
        np.testing.assert_array_equal(_view(c, "joint", "nato", key).cue_track_s,
                                      _view(c, "joint", "russia", key).cue_track_s)
        # independent: each node sees only its own sensors
        for system in ("nato", "russia"):
            v = _view(c, "independent", system, key)
            np.testing.assert_array_equal(v.detected_s, v.own_detected_s)


def test_sectoral_is_exchange_outside_russias_sector(comparison):
    c = comparison
    ex, sec = c.outcome("exchange"), c.outcome("sectoral")
    assert [x.model_dump() for x in ex.architecture.links] == [
        x.model_dump() for x in sec.architecture.links]  # same sensors and links
    russia = Sector(polygons=[[list(v) for v in RUSSIA_2012_POLYGON]])
    n_inside = 0
    for key, rs in c.route_sets.items():
        th = rs.threats
        inside = russia.contains(th.aim_lat_deg, th.aim_lon_deg)
        n_inside += int(inside.sum())
        a, b = ex.sets[key], sec.sets[key]
        assert not b.engageable[inside].any()
        assert np.isnan(b.launch_allowed_s[inside]).all()
        np.testing.assert_array_equal(a.engageable[~inside], b.engageable[~inside])
        np.testing.assert_array_equal(a.launch_allowed_s[~inside], b.launch_allowed_s[~inside])
    assert n_inside > 0  # e.g. Tabriz -> Vilnius, Riga, Tallinn, Helsinki
    cls_ex, cls_sec = ex.europe.classes(), sec.europe.classes()
    assert not (cls_sec["defended"] & ~cls_ex["defended"]).any()
    assert ex.europe.area_km2(cls_sec["defended"]) <= ex.europe.area_km2(cls_ex["defended"])


def test_europe_classes_partition_the_threatened_cells(comparison):
    """Defended, partly defended and threatened are disjoint and together the cells some
    (launch point, missile) threatens; the areas add up (exact cell areas)."""
    for a in comparison.architectures:
        cls = a.europe.classes()
        d, p, t = cls["defended"], cls["partly-defended"], cls["threatened"]
        assert not (d & p).any() and not (d & t).any() and not (p & t).any()
        fps = list(a.europe.merged.values())
        k = len(fps[0].grid)
        thr = np.any([f.threatened_any()[:k] for f in fps], axis=0)
        np.testing.assert_array_equal(d | p | t, thr)
        whole = a.europe.area_km2(thr)
        parts = sum(a.europe.area_km2(m) for m in (d, p, t))
        assert parts == pytest.approx(whole, rel=1e-12)


def test_medians_exclude_untracked_and_unflown(comparison):
    o = comparison.outcome("joint")
    m = st.medians(o, ["iran-us"])
    x = o.sets["iran-us"]
    flown = x.engagements.looks.trajectories.flown
    ft = x.first_track_s[flown]
    ft = ft[np.isfinite(ft)]
    assert m["tracked"] == ft.size
    if ft.size:
        assert m["first_track_s"] == pytest.approx(float(np.median(ft)))


def test_track_packets_follow_the_missile(comparison):
    """The globe's track packets: one per sensor tracking each representative route (and the
    joint central track), times strictly increasing, estimated positions within 50 km of the
    true trajectory (tracks meet 10 km cue thresholds within tens of seconds; the first
    estimates of a two-point initiation are km-wide across the line of sight)."""
    import json

    from czml3 import Document

    from euroshield.earth.frames import geodetic_to_ecef
    from euroshield.report.architectures import representative_row, track_packets

    c = comparison
    packets = json.loads(Document(packets=track_packets(c)).dumps())
    tracks = [p for p in packets if p["id"].startswith("architecture-track/")]
    assert tracks and len({p["id"] for p in tracks}) == len(tracks)
    for p in tracks:
        key = p["id"].split("/")[1]
        i = representative_row(c, key)
        s = np.asarray(p["position"]["cartographicDegrees"], dtype=float).reshape(-1, 4)
        assert (np.diff(s[:, 0]) > 0).all()
        est = np.asarray(geodetic_to_ecef(s[:, 2], s[:, 1], s[:, 3]))  # (T, 3) [m]
        true_xyz = c.route_sets[key].looks.sample(s[:, 0]).ecef[i, :, :3]
        err = np.linalg.norm(est - true_xyz, axis=1)
        ok = np.isfinite(err)
        assert ok.any() and np.median(err[ok]) < 50e3, (p["id"], np.median(err[ok]))
