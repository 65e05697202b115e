"""`euroshield study`: the report folder on a small scenario - files, the effective scenario that
reruns to the same numbers, generated findings, escaping of user strings."""

import json

import pytest

from euroshield import scenario
from euroshield.cli import main
from euroshield.report.html import esc, table
from euroshield.report.study import findings, run_study

NASTY = "<script>alert(1)</script>"


def small_scenario(name="small"):
    data = scenario.load(None).model_dump(mode="json")
    data["name"] = name
    data["description"] = "<img src=x onerror=alert(2)> & friends"
    data["threats"]["bases"] = ["kozelsk", "teykovo"]
    data["threats"]["targets"] = ["washington", "chicago"]
    data["sites"] = [{"site": "norwegian-sea", "interceptors": ["sm3-iia"], "inventory": 8}]
    data["footprint"].update(launch_areas=["iran-north-west"], missiles=["sejjil2-like"],
                             resolution_deg=2.0)
    return scenario.parse(data, "test")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    info = run_study(small_scenario(NASTY), out, progress=lambda m: None)
    return out, info


def test_report_files(report):
    """index.html and the data files the issue lists are written; the page is self-contained
    (images inlined, no external references)."""
    out, info = report
    for name in ("index.html", "scenario.yaml", "deterrence.json", "routes.csv",
                 "trajectories.czml", "study.kml", "deterrence-ir-cue.json"):
        assert (out / name).exists(), name
    page = (out / "index.html").read_text("utf-8")
    assert page.count("data:image/png;base64,") >= 4  # maps and charts inlined
    assert "http://" not in page.replace("http://127.0.0.1", "")
    assert "https://" not in page


def test_user_strings_are_escaped(report):
    """A scenario named <script>alert(1)</script> renders as text: no raw tag in the page."""
    out, _ = report
    page = (out / "index.html").read_text("utf-8")
    assert "<script" not in page.lower()
    assert "<img src=x" not in page
    assert esc(NASTY) in page


def test_effective_scenario_reruns_the_same(report, tmp_path):
    """scenario.yaml is the exact effective scenario: loading it gives the same model, and the
    deterrence verdicts of a rerun equal the report's (deterministic, no seed)."""
    out, _ = report
    again = scenario.load(out / "scenario.yaml")
    assert again == small_scenario(NASTY)
    doc = json.loads((out / "deterrence.json").read_text())
    assert doc["meta"]["seed"] is None
    assert main(["deterrence", "--scenario", str(out / "scenario.yaml"), "--json"]) == 0


def test_findings_are_generated_from_the_numbers():
    """The sentences carry the counts of the documents they are generated from."""
    routes = [{"base": "a", "target": "b", "site": "s", "interceptor": "i",
               "track_time_s": None, "reason": "no launch-quality track", "engageable": False}]
    doc = {"summary": {"routes": 1, "engageable_by_any_site": 0,
                       "by_site": {"s/i": {"site": "s", "interceptor": "i", "engageable": 0,
                                           "min_threshold_speed_kms": None}}},
           "assumptions": {"launch_rule": "track + decision", "radars": ["r1"],
                           "missile": "m"}, "routes": routes}
    whatif = {"summary": {"routes": 1, "engageable_by_any_site": 1,
                          "by_site": {"s/i": {"site": "s", "interceptor": "i", "engageable": 1,
                                              "min_threshold_speed_kms": 4.2}}},
              "attrition": {"intercepted": 0.91, "raid_warheads": 3, "fraction_intercepted":
                            0.3033}}
    text = " ".join(findings(doc, whatif))
    assert "0 of 1 routes" in text and "track on 0 of 1 routes" in text
    assert "1 of 1 routes become engageable, most from s with i (1 routes)" in text
    assert "0.9 of 3 warheads (30.3 %)" in text


def test_table_escapes_cells():
    html = table(["a", "b"], [[NASTY, 1.5]])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_study_cli_bad_out(tmp_path):
    """--out on an existing file: one line, exit 2."""
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["study", "--out", str(f / "sub"), "--scenario", "shield-today"]) == 2


def test_defence_of_europe_section(report):
    """The report's "Defence of Europe": a footprint per EPAA phase on the same threats, the
    area table, findings from the numbers, footprint.json and GeoJSON, and the footprints as
    polygons on the globe (CZML) and in the KML."""
    out, _ = report
    page = (out / "index.html").read_text("utf-8")
    assert "Defence of Europe" in page
    for phase in ("epaa-phase-1", "epaa-phase-2", "epaa-phase-3", "epaa-phase-4"):
        assert (out / f"footprint-{phase}-sejjil2-like.png").exists()
        assert phase in page
    doc = json.loads((out / "footprint.json").read_text("utf-8"))
    union = [f for f in doc["footprints"] if f["site"] == "union"]
    assert union and all(f["defended_area_km2"] <= f["threatened_area_km2"] for f in union)
    gj = json.loads(next(out.glob("footprint-*-sejjil2-like.geojson")).read_text("utf-8"))
    assert gj["type"] == "FeatureCollection" and gj["features"]
    czml = json.loads((out / "trajectories.czml").read_text("utf-8"))
    assert any(str(p.get("id", "")).startswith("footprint-") for p in czml)
    assert "Defence of Europe" in (out / "study.kml").read_text("utf-8")
