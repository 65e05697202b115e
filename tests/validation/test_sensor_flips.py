"""Sensor flips (:mod:`euroshield.studies.flips`) against independent truth.

* The radar range a track needs, against the closed form of a target rising over the horizon of
  the 4/3-Earth model the radar uses (straight rays over an Earth of radius kR) and the exact
  slant range on the equator (ECEF geometry), including negative longitudes and the antimeridian.
* The flip range, by rerunning the pipeline's own ``sense`` and ``engage`` (through scenario
  overrides of the radar's reference range, the path a user takes) at 1.01x and 0.99x of it:
  the verdict must differ, for routes that are not engageable and for routes that are.
* ``launch_needed_s``, against ``engagement_windows`` given exactly that launch time (engageable)
  and one second later (not engageable).
* The deciding assumption, against what-ifs run through ``engage``: KINEMATICS exactly when no
  shooter engages even with launch allowed at the threat's launch (t = 0); TIMELINE exactly
  when a track at threat launch would still be too late; SENSOR rows become engageable with
  radars of unlimited range, COVERAGE rows do not.

The study is small (five bases x three targets x three shooters, nominal speeds only) so the
module runs in a few seconds once the kernels are compiled.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import replace

import numpy as np
import pytest

from euroshield import scenario
from euroshield.defense.engagement import engagement_windows
from euroshield.defense.radar import Radar
from euroshield.earth.constants import WGS84_A, WGS84_E2
from euroshield.report.deterrence import ROUTE_COLUMNS, view
from euroshield.studies.deterrence import deterrence, with_timeline
from euroshield.studies.flips import Decider, range_for_track_m, sensor_flips
from euroshield.studies.pipeline import engage

BASES = ["kozelsk", "teykovo", "yoshkar-ola", "vypolzovo", "tatishchevo"]
TARGETS = ["washington", "chicago", "malmstrom"]
SHOOTERS = {"north-sea": ["sm3-iia"], "norwegian-sea": ["sm3-iia"], "deveselu": ["sm3-ib"]}
# a forward AN/TPY-2 in Estonia facing Russia (a what-if placement, not a catalogue site): it
# tracks early enough for some routes to be engageable under the default timeline
ESTONIA = {"radar": "tpy2-kurecik", "label": "tpy2-estonia", "lat": 58.5, "lon": 27.0,
           "boresight_azimuth_deg": 90}


def small_scenario(**changes):
    sc = scenario.load("shield-today")
    data = sc.model_dump(exclude_none=True)
    data["threats"]["bases"] = BASES
    data["threats"]["targets"] = TARGETS
    data["sites"] = [{**s, "interceptors": SHOOTERS[s["site"]]} for s in data["sites"]
                     if s["site"] in SHOOTERS]
    for k, v in changes.items():
        data[k] = {**data[k], **v} if isinstance(v, dict) else v
    return scenario.parse(data, "scenario")


@pytest.fixture(scope="module")
def study():
    """The default timeline (launch at max(track, IR cue + decision delay))."""
    return deterrence(small_scenario(), ladder_kms=())


# launch on track + decision delay (no early warning) with a short-range forward radar: both
# sensor-decided rows that are engageable and rows that are not occur
NO_EW = {"early_warning": {"enabled": False},
         "radars": ["spy1-redzikowo", {**ESTONIA, "reference_range_km": 300}]}


@pytest.fixture(scope="module")
def estonia(study):
    """The same routes with the Redzikowo SPY-1 and a forward TPY-2 in Estonia."""
    return with_timeline(study, small_scenario(radars=["spy1-redzikowo", ESTONIA]))


@pytest.fixture(scope="module")
def no_ew(study):
    return with_timeline(study, small_scenario(**NO_EW))


def with_range(result, k: int, range_km: float):
    """The study rerun (sense + engage) with radar ``k``'s detection range at the scenario's
    RCS set to ``range_km`` through the scenario's radar override."""
    sc = result.scenario
    radar = sc.radar_models()[k]
    ref_km = range_km * (radar.reference_rcs_m2 / sc.threats.rcs_m2) ** 0.25
    data = sc.model_dump(exclude_none=True)
    spec = data["radars"][k]
    spec = {"radar": spec} if isinstance(spec, str) else dict(spec)
    data["radars"][k] = {**spec, "reference_range_km": ref_km}
    out = with_timeline(result, scenario.parse(data, "scenario"))
    assert out.scenario.radar_models()[k].max_range_m(sc.threats.rcs_m2) == pytest.approx(
        range_km * 1e3, rel=1e-12)
    return out


# ---- the range a track needs: closed form --------------------------------------------------
K = 4.0 / 3.0  # the standard-atmosphere refraction factor the radar model states
R_GAUSS_EQUATOR = WGS84_A * np.sqrt(1.0 - WGS84_E2)  # Gaussian mean radius sqrt(MN) at lat 0


@pytest.mark.parametrize(("radar_lon", "target_lon", "mask_deg"), [
    (0.0, -15.0, 0.0),  # a target west of the radar (negative longitude)
    (172.5, -172.5, 0.0),  # across the antimeridian, 15 deg away
    (-60.0, -47.0, 1.0),  # 13 deg east, behind a 1 deg elevation mask
])
def test_range_for_track_against_horizon_closed_form(radar_lon, target_lon, mask_deg):
    """A target rising vertically at 1 km/s from the equator, seen by a radar on the equator
    (full azimuth, one detection per track). Straight rays over an Earth of radius a = kR
    (R the Gaussian radius at the radar) reach a target at central angle theta = d/a above an
    elevation mask el when a + h >= a cos(el) / cos(theta + el) (law of sines in the triangle
    centre-radar-target), d the geodesic distance, here the equatorial arc WGS84_A x dlon. The
    smallest range that tracks is the slant range at that height, exactly (ECEF on the equator,
    law of cosines): s^2 = A^2 + (A+h)^2 - 2 A (A+h) cos(dlon), A = WGS84_A. No range tracks
    before the target clears the horizon (inf); sampling every 0.1 s (100 m of height) bounds
    the error by 0.1 km."""
    dlon = np.radians(abs((target_lon - radar_lon + 180.0) % 360.0 - 180.0))
    a = K * R_GAUSS_EQUATOR
    el = np.radians(mask_deg)
    h_vis = a * np.cos(el) / np.cos(WGS84_A * dlon / a + el) - a
    s_vis = np.sqrt(WGS84_A**2 + (WGS84_A + h_vis) ** 2
                    - 2 * WGS84_A * (WGS84_A + h_vis) * np.cos(dlon))
    radar = Radar(name="r", description="test", lat=0.0, lon=radar_lon,
                  min_elevation_deg=mask_deg, reference_range_km=1.0, reference_rcs_m2=1.0,
                  detections_for_track=1, sources=[{"title": "test radar"}])
    times = np.arange(0.0, 600.0, 0.1)
    h = 1000.0 * times  # 1 km/s vertical rise
    need = range_for_track_m(radar, times, np.zeros((1, len(times))),
                             np.full((1, len(times)), target_lon), h[None, :])[0]
    seen = np.isfinite(need)
    t_first = times[np.argmax(seen)]
    assert t_first == pytest.approx(h_vis / 1000.0, abs=0.11)  # within one look (0.1 s)
    assert np.all(np.isinf(need[~seen])) and np.all(seen[times >= t_first])
    # the slant range grows as the target rises: the first visible look needs the least range
    assert need[seen] == pytest.approx(s_vis, abs=100.0)
    assert 100e3 < h_vis < 200e3 and 1.4e6 < s_vis < 1.8e6  # the case is what it says it is


def test_range_for_track_counts_n_detections():
    """With N detections per track, the range for a track by look m is the N-th smallest slant
    range among visible looks 0..m: for a target receding at constant height the slant range
    grows, so it is the slant range of the N-th visible look (looks 1..N-1 also detected)."""
    radar = Radar(name="r", description="test", lat=0.0, lon=0.0, reference_range_km=1.0,
                  reference_rcs_m2=1.0, detections_for_track=3, sources=[{"title": "test"}])
    times = np.arange(6.0)
    lon = np.linspace(1.0, 3.0, 6)[None, :]  # receding eastward at 300 km height
    h = np.full((1, 6), 300e3)
    need = range_for_track_m(radar, times, np.zeros((1, 6)), lon, h)[0]
    th = np.radians(lon[0])  # exact ECEF slant on the equator (law of cosines)
    s = np.sqrt(WGS84_A**2 + (WGS84_A + 300e3) ** 2 - 2 * WGS84_A * (WGS84_A + 300e3)
                * np.cos(th))
    assert np.all(np.isinf(need[:2]))  # fewer than 3 looks
    assert need[2:] == pytest.approx(np.full(4, s[2]), rel=1e-9)


# ---- the flip range flips the verdict --------------------------------------------------------
def _check_flip(result, rows):
    f = sensor_flips(result)
    for i, j in rows:
        k, rng = int(f.flip_radar[i, j]), float(f.flip_range_km[i, j])
        above = with_range(result, k, rng * 1.01).engagements.engageable[i, j]
        below = with_range(result, k, rng * 0.99).engagements.engageable[i, j]
        assert above and not below, (i, j, f.sensors[k], rng)


@pytest.mark.parametrize("which", ["study", "no_ew"])
def test_flip_range_makes_routes_engageable(which, request):
    """Routes that are not engageable and are decided by the sensor: the best single radar at
    1.01x the flip range (at the scenario's RCS) makes them engageable, at 0.99x not; the flip
    range is beyond the radar's studied range (else the route would already be engageable).
    Under both launch rules that use a track."""
    study = request.getfixturevalue(which)
    f = sensor_flips(study)
    rows = np.argwhere((f.decider == Decider.SENSOR) & ~study.engagements.engageable)
    assert len(rows) >= 2
    for i, j in rows:
        k = f.flip_radar[i, j]
        assert k >= 0 and f.flip_range_km[i, j] > f.sensor_range_km[k]
    _check_flip(study, rows[:: max(1, len(rows) // 4)][:4])


def test_flip_range_of_engageable_routes(estonia):
    """Engageable routes tracked by a single radar: below the flip range (0.99x) they stop being
    engageable, at 1.01x they still are; the flip range is within the radar's studied range."""
    f = sensor_flips(estonia)
    ok = estonia.engagements.engageable
    rows = np.argwhere(ok & np.isfinite(f.flip_range_km))
    assert len(rows) >= 3
    for i, j in rows:
        assert f.flip_range_km[i, j] <= f.sensor_range_km[f.flip_radar[i, j]]
    _check_flip(estonia, rows[:: max(1, len(rows) // 4)][:4])


# ---- launch and track times needed ----------------------------------------------------------
@pytest.mark.parametrize("which", ["study", "estonia"])
def test_launch_needed_is_the_latest_launch(which, request):
    """``engagement_windows`` with launch allowed exactly at launch_needed_s engages; one second
    later it does not; where launch_needed_s is NaN nothing engages even at t = -1e9 s."""
    result = request.getfixturevalue(which)
    f = sensor_flips(result)
    e = result.engagements
    pts = e.looks.points
    assert np.isfinite(f.launch_needed_s).any()
    for j, (s, table) in enumerate(zip(e.shooters, e.reach.tables, strict=True)):
        need = f.launch_needed_s[:, j]
        has = np.isfinite(need)
        at = engagement_windows(pts, table, s.interceptor, np.where(has, need, -1e9))
        late = engagement_windows(pts, table, s.interceptor, need + 1.0)
        assert np.array_equal(at.engageable, has)
        assert not late.engageable[has].any()


def test_track_needed_follows_the_launch_rule(study):
    """With launch at max(track, cue + delay), the track may come as late as the launch; without
    early warning (launch at track + delay) it must come one decision delay earlier."""
    f = sensor_flips(study)
    ok = np.isfinite(f.track_needed_s)
    assert ok.any()
    np.testing.assert_array_equal(f.track_needed_s[ok], f.launch_needed_s[ok])
    no_ew = with_timeline(study, small_scenario(early_warning={"enabled": False}))
    g = sensor_flips(no_ew)
    delay = no_ew.scenario.timeline.decision_delay_s
    ok = np.isfinite(g.track_needed_s)
    assert ok.any()
    np.testing.assert_allclose(g.track_needed_s[ok], g.launch_needed_s[ok] - delay)


# ---- the deciding assumption ------------------------------------------------------------------
def _engageable_if_allowed(result, allowed_s):
    pic = replace(result.picture, launch_allowed_s=np.broadcast_to(
        np.asarray(allowed_s, dtype=float), result.picture.launch_allowed_s.shape).copy())
    e = result.engagements
    return engage(e.looks, e.reach, pic).engageable


@pytest.mark.parametrize("timeline", ["track-and-cue", "track", "ir-cue"])
def test_deciders_against_what_ifs(study, timeline):
    """KINEMATICS exactly where no launch at the threat's launch (t = 0) engages; among the
    other rows that are not engageable, TIMELINE exactly where a track at threat launch is
    still too late (launch allowed at cue + delay, or at the delay without early warning; every
    row with launch on the cue); SENSOR rows become engageable with the scenario's radars at
    unlimited range, COVERAGE rows do not. All three outcomes occur."""
    changes = {"track": NO_EW, "ir-cue": {"timeline": {"fire_control": "ir-cue"}}}.get(
        timeline, {})
    result = with_timeline(study, small_scenario(**changes)) if changes else study
    f = sensor_flips(result)
    pic = result.picture
    assert pic.launch_rule == timeline
    d, ok = f.decider, result.engagements.engageable
    np.testing.assert_array_equal(d == Decider.KINEMATICS, ~_engageable_if_allowed(result, 0.0))
    open_ = ~ok & (d != Decider.KINEMATICS)
    first = {"track-and-cue": pic.cue_s + pic.decision_delay_s,
             "track": np.full(len(pic.cue_s), pic.decision_delay_s),
             "ir-cue": pic.launch_allowed_s}[timeline]
    instant = _engageable_if_allowed(result, first)  # a track at threat launch
    np.testing.assert_array_equal((d == Decider.TIMELINE)[open_], ~instant[open_])
    assert (d[open_] == Decider.TIMELINE).any()
    sc = result.scenario
    if timeline == "ir-cue":
        assert np.all(np.isnan(f.flip_range_km)) and np.all(f.flip_radar == -1)
        assert set(np.unique(d)) <= {Decider.KINEMATICS, Decider.TIMELINE}
        return
    unlimited = [r.model_copy(update={"reference_range_km": 1e9}) for r in sc.radar_models()]
    from euroshield.studies.pipeline import sense

    big = sense(result.looks, unlimited, sc.early_warning, sc.timeline, sc.threats.rcs_m2)
    e = result.engagements
    wide = engage(e.looks, e.reach, big).engageable
    assert wide[d == Decider.SENSOR].all() and (d == Decider.SENSOR).any()
    assert not wide[d == Decider.COVERAGE].any() and (d == Decider.COVERAGE).any()


def test_route_values_are_the_best_shooters(study, estonia):
    """A route is engageable by some shooter exactly when its route-level decider is not
    KINEMATICS under launch at t = 0, and its values are those of its best-placed shooter (the
    latest launch_needed_s)."""
    for result in (study, estonia):
        f = sensor_flips(result)
        any0 = _engageable_if_allowed(result, 0.0).any(axis=1)
        np.testing.assert_array_equal(f.route("decider") == Decider.KINEMATICS, ~any0)
        with np.errstate(invalid="ignore"):
            np.testing.assert_array_equal(f.route("launch_needed_s")[any0],
                                          np.nanmax(f.launch_needed_s[any0], axis=1))
        np.testing.assert_array_equal(result.engageable_routes(),
                                      result.engagements.engageable.any(axis=1))


# ---- the report ---------------------------------------------------------------------------
def test_rows_and_summary_carry_the_flips(estonia):
    """The rows carry the flip fields (also as CSV columns); the summary counts every route
    exactly once by what decides it, and the sensor flips it lists need more than the studied
    range of their radar."""
    v = view(estonia)
    doc = v.to_json()
    keys = {"launch_needed_s", "track_needed_s", "sensor_flip_range_km", "sensor_flip_radar",
            "decided_by", "route_decided_by"}
    assert keys <= set(ROUTE_COLUMNS)
    for r in doc["routes"]:
        assert keys <= set(r)
        assert r["decided_by"] in {d.name.lower() for d in Decider}
    d = doc["summary"]["decided_by"]
    assert sum(d["routes"].values()) == doc["summary"]["routes"] == len(BASES) * len(TARGETS)
    ranges = dict(zip(doc["assumptions"]["radars"], doc["assumptions"]["radar_range_km"],
                      strict=True))
    for r in doc["routes"]:
        if not r["engageable"] and r["decided_by"] == "sensor":
            assert r["sensor_flip_range_km"] > ranges[r["sensor_flip_radar"]]
    json.dumps(doc, allow_nan=False)


def test_cli_json_shows_the_flips():
    """`euroshield deterrence --json` prints the flip fields on every route record and the
    counts in the summary."""
    from euroshield.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["deterrence", "--base", "kozelsk", "--target", "washington", "--site",
                     "north-sea", "--interceptor", "sm3-iia", "--json"])
    assert code == 0
    doc = json.loads(out.getvalue())
    assert doc["summary"]["decided_by"]["routes"]
    for r in doc["routes"]:
        assert {"decided_by", "sensor_flip_range_km", "launch_needed_s"} <= set(r)
