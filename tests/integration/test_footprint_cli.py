"""``euroshield footprint`` end to end: the JSON contract, the consistency of the areas and
capital lists, the GeoJSON files (valid, equal-area check against the reported km²), the
output folder, and bad input.

One coarse study (2 deg grid, one launch area, one missile, the default scenario's sites) is
run once per module through ``euroshield.cli.main`` in process and shared by the tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import invoke

from euroshield.cli import main

PREFIX = "euroshield: error:"
AREA, MISSILE = "iran-north-west", "sejjil2-like"
SMALL = ["--resolution-deg", "2", "--launch-area", AREA, "--missile", MISSILE]
TOP_KEYS = {"scenario", "assumptions", "footprints", "us_routes", "meta"}
FOOTPRINT_KEYS = {"launch_area", "missile", "site", "defended_area_km2",
                  "partly_defended_area_km2", "threatened_area_km2",
                  "shoot_look_shoot_area_km2", "capitals_defended",
                  "capitals_partly_defended", "capitals_threatened", "capitals_out_of_reach"}
CAPITAL_LISTS = ("capitals_defended", "capitals_partly_defended", "capitals_threatened",
                 "capitals_out_of_reach")
ROUTE_KEYS = {"launch_point", "target", "site", "interceptor", "engageable", "reason",
              "reason_code", "margin_s", "intercept_time_s", "intercept_altitude_km", "phase",
              "shots"}


def _no_nan(token: str):
    raise AssertionError(f"non-finite number {token} in JSON output")


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> tuple[dict, Path]:
    """The small study with --json and --out: (printed document, output folder)."""
    out_dir = tmp_path_factory.mktemp("footprint") / "out"
    o = invoke(["footprint", *SMALL, "--json", "--out", str(out_dir)])
    assert o.code == 0, o.err
    return json.loads(o.out, parse_constant=_no_nan), out_dir


@pytest.fixture(scope="module")
def doc(study) -> dict:
    return study[0]


def union_of(doc: dict) -> dict:
    (u,) = [f for f in doc["footprints"] if f["site"] == "union"]
    return u


# ---- the JSON contract ----------------------------------------------------------------------


def test_json_has_the_documented_shape(doc):
    assert set(doc) == TOP_KEYS
    assert doc["scenario"] == "shield-today"
    a = doc["assumptions"]
    assert a["grid_resolution_deg"] == 2.0
    assert a["missiles"] == [MISSILE]
    assert list(a["launch_points"]) == [AREA]
    assert a["land_mask"] == "Natural Earth 1:110m land"
    assert a["aim_points"] > 0 and a["trajectory_shape"] == "minimum-energy"
    assert {"threatened", "defended", "partly_defended"} <= set(a["definitions"])
    assert "WGS84" in a["areas"]
    for f in doc["footprints"]:
        assert set(f) == FOOTPRINT_KEYS
        assert (f["launch_area"], f["missile"]) == (AREA, MISSILE)
        for k in ("defended_area_km2", "partly_defended_area_km2", "threatened_area_km2"):
            assert isinstance(f[k], int) and f[k] >= 0
    sites = [f["site"] for f in doc["footprints"]]
    assert sites.count("union") == 1
    assert set(sites) - {"union"} == {s["site"] for s in doc["meta"]["scenario"]["sites"]}
    assert doc["us_routes"], "the Iran -> U.S. routes are missing"
    for r in doc["us_routes"]:
        assert set(r) == ROUTE_KEYS
        assert r["phase"] in ("ascent", "descent", None)
        assert (r["reason"] == "") == r["engageable"]


def test_areas_are_consistent(doc):
    """The union defends at least what any single site defends and no more than is
    threatened; the classes partition the threatened area."""
    u = union_of(doc)
    assert u["threatened_area_km2"] > 0
    for f in doc["footprints"]:
        assert f["threatened_area_km2"] == u["threatened_area_km2"]
        assert u["defended_area_km2"] >= f["defended_area_km2"]
        assert f["defended_area_km2"] + f["partly_defended_area_km2"] <= (
            f["threatened_area_km2"] + 1)  # whole-km² rounding


def test_capital_lists_are_disjoint(doc):
    for f in doc["footprints"]:
        lists = [set(f[k]) for k in CAPITAL_LISTS]
        assert sum(map(len, lists)) == len(set().union(*lists))
    u = union_of(doc)
    assert u["capitals_defended"] or u["capitals_threatened"]  # capitals are evaluated


# ---- files ----------------------------------------------------------------------------------


def test_out_writes_every_file(study):
    doc, out_dir = study
    names = {p.name for p in out_dir.iterdir()}
    assert {"footprint.json", "footprints.csv", "capitals.csv", "us-routes.csv",
            f"footprint-{AREA}-{MISSILE}.png"} <= names
    for f in doc["footprints"]:
        assert f"footprint-{AREA}-{MISSILE}-{f['site']}.geojson" in names
    assert json.loads((out_dir / "footprint.json").read_text())["footprints"] == \
        doc["footprints"]
    assert (out_dir / f"footprint-{AREA}-{MISSILE}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_geojson_is_valid_and_areas_match(study):
    """The GeoJSON parses back (strict JSON, RFC 7946 lon/lat), its status polygons are valid
    and the defended union's geodesic (WGS84) area matches the reported km² within 2 %."""
    from pyproj import Geod
    from shapely.geometry import shape

    doc, out_dir = study
    geod = Geod(ellps="WGS84")
    for f in doc["footprints"]:
        path = out_dir / f"footprint-{AREA}-{MISSILE}-{f['site']}.geojson"
        gj = json.loads(path.read_text(), parse_constant=_no_nan)
        assert gj["type"] == "FeatureCollection"
        polys = {x["properties"]["status"]: x for x in gj["features"]
                 if x["geometry"] is None or x["geometry"]["type"] == "MultiPolygon"}
        assert set(polys) == {"defended", "partly-defended", "threatened"}
        for x in polys.values():
            p = x["properties"]
            assert (p["launch_area"], p["missile"], p["site"]) == (AREA, MISSILE, f["site"])
            assert p["scenario"] == doc["scenario"]
            if x["geometry"] is None:
                assert p["area_km2"] == 0
                continue
            g = shape(x["geometry"])
            assert g.is_valid
            lon0, lat0, lon1, lat1 = g.bounds
            assert -180 <= lon0 <= lon1 <= 180 and -90 <= lat0 <= lat1 <= 90
            area_km2 = abs(geod.geometry_area_perimeter(g)[0]) / 1e6
            assert area_km2 == pytest.approx(p["area_km2"], rel=0.02)
        assert polys["defended"]["properties"]["area_km2"] == f["defended_area_km2"]
        if f["defended_area_km2"]:
            g = shape(polys["defended"]["geometry"])
            assert abs(geod.geometry_area_perimeter(g)[0]) / 1e6 == pytest.approx(
                f["defended_area_km2"], rel=0.02)
        kinds = {x["properties"].get("kind") for x in gj["features"]
                 if x["geometry"] is not None and x["geometry"]["type"] == "Point"}
        assert {"capital", "launch-point", "site"} <= kinds


def test_summary_is_printed_without_json(tmp_path):
    o = invoke(["footprint", *SMALL, "--site", "deveselu"])
    assert o.code == 0, o.err
    assert "threatened km²" in o.out and AREA in o.out and "deveselu" in o.out
    assert "Iran -> United States" in o.out
    assert not o.out.lstrip().startswith("{")


# ---- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "needle"), [
    (["--resolution-deg", "0"], "--resolution-deg"),
    (["--resolution-deg", "-1"], "--resolution-deg"),
    (["--resolution-deg", "nan"], "--resolution-deg"),
    (["--resolution-deg", "0.001"], "--resolution-deg"),
    (["--resolution-deg", "2", "--launch-area", "atlantis"], "iran-north-west"),
    (["--resolution-deg", "2", "--missile", "nope"], "sejjil2-like"),
    (["--resolution-deg", "2", "--site", "nowhere"], "deveselu"),
])
def test_bad_input_is_one_line(argv, needle, capsys):
    capsys.readouterr()
    code = main(["footprint", *argv])
    cap = capsys.readouterr()
    assert code == 2, cap.err
    assert cap.out == ""
    assert "Traceback" not in cap.err
    assert cap.err.startswith(PREFIX), cap.err
    assert len(cap.err.splitlines()) == 1, cap.err
    assert needle in cap.err


def test_too_fine_grid_names_force(capsys):
    main(["footprint", "--resolution-deg", "0.001"])
    err = capsys.readouterr().err
    assert "--force" in err and "5,000,000" in err


def test_unwritable_out_is_refused_before_computing(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = main(["footprint", *SMALL, "--out", str(blocker / "out")])
    cap = capsys.readouterr()
    assert code == 2 and cap.out == ""
    assert cap.err.startswith(f"{PREFIX} --out:") and len(cap.err.splitlines()) == 1
