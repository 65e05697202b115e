"""``euroshield architectures``: the JSON document (issue 9 §4 schema), the --out files, and bad
input (one ``euroshield: error:`` line naming the field, exit code 2, no traceback).

A small scenario keeps it fast: two Russian bases x two U.S. targets, one Aegis Ashore site,
one Iranian launch point (Tabriz), one missile and a 6 deg Europe grid."""

from __future__ import annotations

import csv
import json
import statistics

import pytest
import yaml
from cli_support import assert_one_line_error, invoke, invoke_json

SMALL = {
    "name": "architectures-small",
    "sites": [{"site": "deveselu", "interceptors": ["sm3-ib"], "inventory": 24}],
    "radars": ["tpy2-kurecik", "spy1-deveselu"],
    "threats": {"missile": "by-base", "bases": ["kozelsk", "teykovo"],
                "targets": ["washington", "minot"]},
    "footprint": {"launch_areas": ["iran-north-west"], "missiles": ["khorramshahr-like"],
                  "us_targets": ["washington"], "resolution_deg": 6.0},
}
ARCH_KEYS = {"name", "kind", "description", "first_track_s", "window_s", "first_detection_s",
             "defended_area_km2", "partly_defended_area_km2", "threatened_area_km2",
             "russian_routes_engageable", "iranian", "russian", "by_set", "transparency",
             "routes"}
ROUTE_KEYS = {"set", "launch", "target", "missile", "flown", "first_detection_s",
              "first_track_s", "launch_allowed_s", "engageable", "window_s", "shots",
              "best_site", "best_interceptor", "intercept_time_s", "access"}


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("arch") / "small.yaml"
    p.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def run(small_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("arch-out") / "out"
    o = invoke(["architectures", "--scenario", str(small_file), "--architecture",
                "n-detections", "--architecture", "independent", "--architecture", "joint",
                "--architecture", "sectoral", "--resolution-deg", "6", "--json", "--out",
                str(out)])
    assert o.code == 0, o.err
    return json.loads(o.out), out


def test_json_schema(run):
    doc, _ = run
    assert {"scenario", "architectures", "assumptions", "meta"} <= set(doc)
    assert doc["scenario"] == "architectures-small"
    assert [a["name"] for a in doc["architectures"]] == ["n-detections", "independent",
                                                         "joint", "sectoral"]
    for a in doc["architectures"]:
        assert ARCH_KEYS <= set(a), ARCH_KEYS - set(a)
        for k in ("first_track_s", "window_s"):
            assert a[k] is None or isinstance(a[k], float)
        assert isinstance(a["defended_area_km2"], int)
        assert isinstance(a["russian_routes_engageable"], int)
        # 2 x 2 Russian routes, Tabriz -> Washington, Tabriz -> capitals in reach
        sets = [r["set"] for r in a["routes"]]
        assert sets.count("russia-icbm") == 4 and sets.count("iran-us") == 1
        for r in a["routes"]:
            assert set(r) == ROUTE_KEYS
    assert any("median" in s for s in doc["assumptions"])
    assert doc["meta"]["resolution_deg"] == 6.0 and "versions" in doc["meta"]


def test_medians_are_the_routes_medians(run):
    """first_track_s / window_s are the medians over the Iranian flown routes of the rows
    (the definition in the assumptions), recomputed here from the per-route rows."""
    doc, _ = run
    for a in doc["architectures"]:
        rows = [r for r in a["routes"] if r["set"] != "russia-icbm" and r["flown"]]
        ft = [r["first_track_s"] for r in rows if r["first_track_s"] is not None]
        win = [r["window_s"] for r in rows if r["window_s"] is not None]
        # rows are rounded to 0.1 s, the medians from unrounded values: 0.1 s tolerance
        if ft:
            assert a["first_track_s"] == pytest.approx(statistics.median(ft), abs=0.1)
        else:
            assert a["first_track_s"] is None
        if win:
            assert a["window_s"] == pytest.approx(statistics.median(win), abs=0.1)
        russian = [r for r in a["routes"] if r["set"] == "russia-icbm"]
        assert a["russian_routes_engageable"] == sum(r["engageable"] for r in russian)


def test_out_files(run):
    doc, out = run
    names = {p.name for p in out.iterdir()}
    assert {"architectures.json", "architectures.csv", "architectures.md",
            "architecture-routes.csv"} <= names
    assert {f"architecture-timeline-{k}.png" for k in ("russia-icbm", "iran-us")} <= names
    assert {f"architecture-map-{a['name']}.png" for a in doc["architectures"]} <= names
    for n in names:
        if n.endswith(".png"):
            assert (out / n).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((out / "architectures.json").read_text(encoding="utf-8"))
    assert [a["defended_area_km2"] for a in saved["architectures"]] == [
        a["defended_area_km2"] for a in doc["architectures"]]
    with open(out / "architectures.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 1 + len(doc["architectures"])
    with open(out / "architecture-routes.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == sum(len(a["routes"]) for a in
                                                    doc["architectures"])


def test_table_output(small_file):
    o = invoke(["architectures", "--scenario", str(small_file), "--architecture",
                "n-detections", "--resolution-deg", "10"])
    assert o.code == 0, o.err
    assert "n-detections" in o.out and "defended area" in o.out


def _bad_arch(tmp_path, data, name="arch.yaml"):
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return str(p)


NATO = {"name": "nato", "side": "nato", "sensors": ["scenario"], "shooters": ["scenario"],
        "command_node": "ramstein"}
RUSSIA = {"name": "russia", "side": "russia", "sensors": ["daryal-gabala"],
          "command_node": "moscow"}


@pytest.mark.parametrize("data, needles", [
    ({"kind": "exchange", "systems": [NATO, RUSSIA],
      "links": [{"from": "russia", "to": "china"}]}, ["links.0.to", "china"]),
    ({"kind": "exchange", "systems": [NATO, RUSSIA],
      "links": [{"from": "russia", "to": "nato", "latency_s": -5}]}, ["links.0.latency_s"]),
    ({"kind": "exchange", "systems": [NATO, RUSSIA],
      "links": [{"from": "russia", "to": "nato", "sharing": "everything"}]},
     ["links.0.sharing", "launch-on-remote"]),
    ({"kind": "sectoral", "systems": [NATO, RUSSIA],
      "sectors": {"nato": {"polygons": [[[50, 10], [51, 11]]]}, "russia": {"builtin":
                                                                      "russia-2012"}}},
     ["sectors.nato.polygons.0"]),
    ({"kind": "independent", "systems": [{**NATO, "sensors": ["sbirs"]}]},
     ["systems.0.sensors.0", "no field of regard"]),
    ({"kind": "joint", "systems": [{**NATO, "shooters": ["nowhere"]}]},
     ["systems.0.shooters.0", "nowhere"]),
    ("kind: [unclosed", ["arch.yaml"]),
])
def test_bad_architecture_file(small_file, tmp_path, data, needles):
    o = invoke(["architectures", "--scenario", str(small_file), "--architecture",
                _bad_arch(tmp_path, data), "--json"])
    assert_one_line_error(o, "--architecture", *needles)


@pytest.mark.parametrize("argv, needles", [
    (["--architecture", "star-wars"], ["--architecture", "star-wars", "independent"]),
    (["--architecture", "joint", "--architecture", "joint"], ["--architecture", "twice"]),
    (["--architecture", "/no/such/file.yaml"], ["--architecture", "file.yaml"]),
    (["--resolution-deg", "-1"], ["--resolution-deg"]),
    (["--seed", "1.5"], ["--seed"]),
    (["--scenario", "no-such-scenario"], ["no-such-scenario"]),
])
def test_bad_options(small_file, argv, needles):
    args = ["architectures", *argv] if "--scenario" in argv else [
        "architectures", "--scenario", str(small_file), *argv]
    assert_one_line_error(invoke([*args, "--json"]), *needles)


def test_inline_scenario_architecture(tmp_path):
    """A scenario's own inline architecture is compared by default (as 'scenario') and on
    request; with NATO's sensors as in the built-in independent (the scenario's radars,
    Fylingdales, Thule), a launch-on-remote link from a Russian radar never makes NATO's first
    track later (NATO's own picture is still there: an added input can only help)."""
    nato = {**NATO, "sensors": ["scenario", "uewr-fylingdales", "uewr-thule"]}
    own = {**SMALL, "architecture": {"kind": "exchange", "systems": [nato, RUSSIA], "links": [
        {"from": "russia", "to": "nato", "latency_s": 2, "update_interval_s": 1,
         "sharing": "launch-on-remote"}]}}
    p = tmp_path / "inline.yaml"
    p.write_text(yaml.safe_dump(own), encoding="utf-8")
    doc = invoke_json(["architectures", "--scenario", str(p), "--architecture", "scenario",
                       "--architecture", "independent", "--resolution-deg", "10", "--json"])
    names = [a["name"] for a in doc["architectures"]]
    assert names == ["scenario", "independent"]
    own_rows, ind_rows = (a["routes"] for a in doc["architectures"])
    for a, b in zip(own_rows, ind_rows, strict=True):
        assert (a["set"], a["launch"], a["target"]) == (b["set"], b["launch"], b["target"])
        if b["first_track_s"] is not None:
            assert a["first_track_s"] is not None and a["first_track_s"] <= b["first_track_s"]
    default = invoke_json(["architectures", "--scenario", str(p), "--resolution-deg", "10",
                           "--json"])
    assert [a["name"] for a in default["architectures"]][-1] == "scenario"


def test_scenario_architecture_is_validated(tmp_path):
    bad = {**SMALL, "architecture": {"kind": "exchange", "systems": [NATO, RUSSIA],
                                     "links": [{"from": "nato", "to": "russia",
                                                "latency_s": -1}]}}
    p = tmp_path / "bad-scenario.yaml"
    p.write_text(yaml.safe_dump(bad), encoding="utf-8")
    assert_one_line_error(invoke(["architectures", "--scenario", str(p), "--json"]),
                          "architecture.links.0.latency_s")


def test_json_is_deterministic(small_file):
    """Same seed: identical documents (apart from the timings)."""
    args = ["architectures", "--scenario", str(small_file), "--architecture", "exchange",
            "--resolution-deg", "10", "--seed", "3", "--json"]
    a, b = invoke_json(args), invoke_json(args)
    for d in (a, b):
        d["meta"].pop("seconds")
    assert a == b


def test_catalog_lists_the_builtin_architectures_with_sources():
    """`euroshield catalog architectures` lists the four built-ins (catalog/architectures.yaml),
    each with a kind and at least one source (every catalogue entry is sourced)."""
    from cli_support import invoke_json

    rows = invoke_json(["catalog", "architectures", "--json"])
    assert [r["name"] for r in rows] == ["independent", "exchange", "joint", "sectoral"]
    for r in rows:
        assert r["architecture"]["kind"] == r["name"]
        assert r["sources"] and all(s["title"] for s in r["sources"])
