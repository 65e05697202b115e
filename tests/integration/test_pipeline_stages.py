"""Pipeline stages: threat sets, shot opportunities, unreachable aim points, the what-if guard,
and bad footprint sections of scenario files."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from cli_support import invoke

from euroshield import catalog, scenario
from euroshield.defense.engagement import Reason, shot_opportunities
from euroshield.errors import InputError
from euroshield.studies.deterrence import shooters_of
from euroshield.studies.pipeline import ThreatSet, engage, fly, look, reach_of, sense


def test_threat_set_from_places_is_launch_major():
    t = ThreatSet.from_places(["kozelsk", "uzhur"], ["washington", "boston", "chicago"],
                              "topol-m-like")
    assert len(t) == 6
    assert t.launch_name.tolist() == ["kozelsk"] * 3 + ["uzhur"] * 3
    assert t.aim_name.tolist() == ["washington", "boston", "chicago"] * 2
    p = catalog.get_place("uzhur")
    assert (t.launch_lat_deg[3], t.launch_lon_deg[3]) == (p.lat, p.lon)


def test_threat_set_from_grid_and_take():
    t = ThreatSet.from_grid([("a", 38.0, 46.0), ("b", 34.0, 47.0)], [40.0, 41.0, 42.0],
                            [20.0, 21.0, 22.0], "shahab3-like")
    assert len(t) == 6 and t.launch_name.tolist() == ["a"] * 3 + ["b"] * 3
    sub = t.take(np.array([1, 4]))
    assert sub.aim_lat_deg.tolist() == [41.0, 41.0] and sub.launch_name.tolist() == ["a", "b"]


def test_threat_set_wraps_longitudes_and_rejects_bad_points():
    t = ThreatSet.from_arrays(10.0, 190.0, -10.0, -190.0, "shahab3-like")
    assert t.launch_lon_deg[0] == pytest.approx(-170.0) and t.aim_lon_deg[0] == pytest.approx(170)
    with pytest.raises(InputError, match="latitude"):
        ThreatSet.from_arrays(95.0, 0.0, 0.0, 0.0, "shahab3-like")
    with pytest.raises(InputError, match="finite"):
        ThreatSet.from_arrays(np.nan, 0.0, 0.0, 0.0, "shahab3-like")


def test_shot_opportunities_closed_form():
    """Feasible intercepts at t in [20, 80] s with a constant 10 s fly-out and 15 s kill
    assessment: shots at t = 20, 45, 70, i.e. 1 + floor((80 - 20) / (10 + 15)) = 3."""
    t = np.arange(0.0, 101.0)
    feasible = ((t >= 20) & (t <= 80))[None, :]
    launch = (t - 10.0)[None, :]
    assert shot_opportunities(feasible, launch, t, 15.0).tolist() == [3]
    # no assessment delay: one shot per fly-out time, 1 + floor(60 / 10) = 7
    assert shot_opportunities(feasible, launch, t, 0.0).tolist() == [7]
    assert shot_opportunities(feasible, launch, t, 0.0, max_shots=4).tolist() == [4]
    assert shot_opportunities(np.zeros_like(feasible), launch, t, 0.0).tolist() == [0]


def test_unreachable_aim_point_has_no_trajectory_and_no_numbers():
    """A Shahab-3-like (1,300 km) cannot reach London from Tabriz: nothing flies, and every
    shooter reports MISSILE_CANNOT_REACH with no intercept numbers."""
    sc = scenario.load(None)
    looks = look(fly(ThreatSet.from_places(["tabriz"], ["bucharest"], "shahab3-like")))
    assert not looks.trajectories.flown[0] and not looks.trajectories.reachable[0]
    pic = sense(looks, sc.radar_models(), sc.early_warning, sc.timeline, 0.1)
    e = engage(looks, reach_of(looks, shooters_of(sc)[:2]), pic)
    assert (e.reason == Reason.MISSILE_CANNOT_REACH).all() and not e.engageable.any()
    assert np.isnan(e.intercept_time_s).all() and np.isnan(e.margin_s).all()


def test_with_timeline_refuses_other_threats_or_sites():
    from euroshield.studies.deterrence import DeterrenceResult, with_timeline

    sc = scenario.load(None)
    other = sc.model_copy(update={"sites": sc.sites[:1]})
    fake = DeterrenceResult(sc, None, None, ())
    with pytest.raises(ValueError, match="more than sensors and timeline"):
        with_timeline(fake, other)


BAD_FOOTPRINTS = [
    ({"launch_areas": []}, "footprint.launch_areas"),
    ({"launch_areas": ["atlantis"]}, "unknown launch area 'atlantis'"),
    ({"missiles": ["scud-z"]}, "unknown missile 'scud-z'"),
    ({"us_targets": ["paris"]}, "footprint.us_targets.0"),
    ({"resolution_deg": 0}, "resolution_deg"),
    ({"resolution_deg": -1}, "resolution_deg"),
    ({"region": {"lat_min_deg": 60, "lat_max_deg": 40, "lon_min_deg": 0, "lon_max_deg": 10}},
     "lat_min_deg must be below lat_max_deg"),
    ({"region": {"lat_min_deg": 40, "lat_max_deg": 60, "lon_min_deg": 10, "lon_max_deg": 0}},
     "lon_min_deg must be below lon_max_deg"),
    ({"region": [[40, 0], [60, 0], [60, 10]]}, "footprint.region"),
    ({"region": {"lat_min_deg": 40, "lat_max_deg": 95, "lon_min_deg": 0, "lon_max_deg": 10}},
     "lat_max_deg"),
    ({"colour": "red"}, "unknown field"),
]


@pytest.mark.parametrize(("footprint", "expect"), BAD_FOOTPRINTS)
def test_bad_footprint_section_is_one_line(tmp_path, footprint, expect):
    data = scenario.load(None).model_dump(mode="json")
    data["footprint"].update(footprint)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    o = invoke(["footprint", "--scenario", str(path), "--json"])
    assert o.code == 2, o.err
    assert len(o.lines) == 1 and "Traceback" not in o.err
    assert expect in o.message, o.message
    assert o.out == ""


def test_grid_over_the_limit_names_the_field(tmp_path):
    data = scenario.load(None).model_dump(mode="json")
    data["footprint"]["resolution_deg"] = 0.005
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    o = invoke(["footprint", "--scenario", str(path)])
    assert o.code == 2 and len(o.lines) == 1
    assert "more than 5,000,000" in o.message and "--force" in o.message


def test_too_many_routes_is_one_line(tmp_path):
    data = scenario.load(None).model_dump(mode="json")
    data["threats"]["targets"] = ["washington"] * 2000  # 11 bases x 2,000 = 22,000 routes
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    o = invoke(["deterrence", "--scenario", str(path)])
    assert o.code == 2 and len(o.lines) == 1
    assert "22,000 routes" in o.message and "8,000" in o.message


def test_scenario_defines_its_own_launch_area(tmp_path):
    """A launch area defined in the scenario file is used by name (one point at Tabriz's
    coordinates gives the same footprint as the catalogue's iran-north-west)."""
    import json

    data = scenario.load(None).model_dump(mode="json")
    data["footprint"]["launch_area_definitions"] = [{
        "name": "my-area", "description": "one point", "source": "test",
        "points": [{"name": "p1", "lat": 38.08, "lon": 46.29, "uncertainty_km": 0}]}]
    data["footprint"].update(launch_areas=["my-area"], missiles=["sejjil2-like"])
    path = tmp_path / "own.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    common = ["--resolution-deg", "3", "--json", "--missile", "sejjil2-like"]
    own = invoke(["footprint", "--scenario", str(path), *common])
    ref = invoke(["footprint", *common, "--launch-area", "iran-north-west"])
    assert own.code == 0 and ref.code == 0, own.err + ref.err
    a, b = (json.loads(o.out)["footprints"] for o in (own, ref))
    assert [f["defended_area_km2"] for f in a] == [f["defended_area_km2"] for f in b]
    assert {f["launch_area"] for f in a} == {"my-area"}
    data["footprint"]["launch_area_definitions"][0]["points"] = []
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    o = invoke(["footprint", "--scenario", str(path)])
    assert o.code == 2 and len(o.lines) == 1 and "points" in o.message


def test_ctrl_c_during_footprint_exits_130_with_one_line():
    """SIGINT while the footprint computes: one line on stderr, exit code 130. The job (a 0.5
    deg grid against the IRBM) runs for about a minute, so the signal arrives mid-computation
    and not while the interpreter shuts down (when Python restores the default action)."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import sys; from euroshield.cli import main; sys.exit(main(['footprint', "
            "'--resolution-deg', '0.5', '--launch-area', 'iran-west', '--missile', "
            "'irbm-hypothetical']))")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         # a shell without job control starts background jobs with Ctrl-C
                         # ignored, and Python then keeps ignoring it
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(5.0)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err.strip().splitlines()[-1] == "euroshield: interrupted"
    assert "Traceback" not in err


def test_too_many_sites_is_one_line(tmp_path):
    data = scenario.load(None).model_dump(mode="json")
    data["sites"] = [{"site": f"s{i}", "lat": 50.0, "lon": float(i % 90),
                      "interceptors": ["sm3-ib"]} for i in range(201)]
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    o = invoke(["scenario", "show", str(path)])
    assert o.code == 2 and len(o.lines) == 1
    assert "sites" in o.message and "200" in o.message
