"""``euroshield papers``: the JSON document, the --out files, the report section, and bad paper
files (one ``euroshield: error:`` line naming the field, exit code 2, no traceback)."""

from __future__ import annotations

import csv
import json
from importlib import resources

import pytest
import yaml
from cli_support import assert_one_line_error, invoke, invoke_json

from euroshield import scenario

CLAIM_KEYS = {"id", "text", "source", "label", "reading", "check", "paper_answer",
              "model_answer", "model_value", "default_scenario", "default_answer",
              "default_value", "default_agreement", "agrees", "agreement", "reason",
              "nearest_flip", "nearest_flip_text"}
FLIP_KEYS = {"routes_needed", "speed_kms", "speed_direction", "delay_s", "delay_needs_track",
             "sensor_range_km", "sensor_radar", "sensor_studied_km", "deciders"}


@pytest.fixture(scope="module")
def mod_run(tmp_path_factory):
    """One run of the smallest paper (two shooters) with --json and --out."""
    out = tmp_path_factory.mktemp("papers") / "out"
    o = invoke(["papers", "--paper", "russian-mod-2012", "--json", "--out", str(out)])
    assert o.code == 0, o.err
    return json.loads(o.out), out


def test_json_shape(mod_run):
    doc, _ = mod_run
    assert set(doc) == {"papers", "summary", "assumptions", "versions"}
    (p,) = doc["papers"]
    assert p["name"] == "papers/russian-mod-2012" and p["compare_with"] == "epaa-phase-3"
    assert {"title", "authors", "year", "url", "not_extracted", "claims"} <= set(p)
    for c in p["claims"]:
        assert set(c) == CLAIM_KEYS, set(c) ^ CLAIM_KEYS
        assert c["agreement"] in ("agrees", "disagrees", "not checkable", "undetermined")
        assert c["agrees"] in (True, False, None)
        if c["nearest_flip"] is not None:
            assert set(c["nearest_flip"]) == FLIP_KEYS
    by_id = {c["id"]: c for c in p["claims"]}
    assert by_id["sectoral-defence"]["agreement"] == "not checkable"
    assert by_id["sectoral-defence"]["reason"]  # says why
    flip = by_id["challenge-at-4kms-ir-cue"]["nearest_flip"]
    assert flip["speed_direction"] == "up" and flip["speed_kms"] > 4.0
    s = doc["summary"]
    assert s["claims"] == len(p["claims"]) == sum(s[k] for k in (
        "agrees", "disagrees", "not checkable", "undetermined"))
    assert doc["versions"]["euroshield"]


def test_out_files(mod_run):
    doc, out = mod_run
    assert sorted(x.name for x in out.iterdir() if not x.name.startswith(".")) == [
        "papers.csv", "papers.json", "papers.md"]
    assert json.loads((out / "papers.json").read_text("utf-8")) == doc
    with open(out / "papers.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == doc["summary"]["claims"]
    assert {r["claim"] for r in rows} == {c["id"] for c in doc["papers"][0]["claims"]}
    md = (out / "papers.md").read_text("utf-8")
    assert md.startswith("# Published analyses") and "challenge-at-4kms" in md


def test_report_section_renders_the_table(mod_run):
    from euroshield.report.html import render_page
    from euroshield.report.papers import section

    doc, _ = mod_run
    page = render_page("t", "", [section(doc)])
    assert "Published analyses" in page and "patrushev-part" in page
    assert "“if they develop a speed of 4 kilometers per second" in page


def test_scenario_list_and_load_by_name():
    o = invoke(["scenario", "list"])
    assert o.code == 0
    for name in ("papers/gao-13-382r", "papers/sankaran-2015", "papers/butt-postol-2011"):
        assert f"{name}: " in o.out
    assert invoke(["scenario", "show", "papers/nrc-2012"]).code == 0


def test_a_paper_scenario_runs_as_a_normal_scenario_with_options():
    # the options replace the paper's sites and routes: its claims no longer apply
    doc = invoke_json(["deterrence", "--scenario", "papers/gao-13-382r", "--site", "north-sea",
                       "--base", "kozelsk", "--target", "washington", "--json"])
    assert doc["summary"]["routes"] == 1


def _paper(name: str) -> dict:
    text = resources.files("euroshield.catalog").joinpath(
        f"scenarios/papers/{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _write(tmp_path, data) -> str:
    p = tmp_path / "paper.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(p)


def _check(**fields):
    def edit(d):
        d["claims"][0]["check"].update(fields)
    return edit


def _set(path, value):
    def edit(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return edit


BAD = [
    pytest.param(_check(site="atlantis"),
                 ["claims.0.check.site: 'atlantis' is not a site of this scenario",
                  "deveselu, redzikowo, north-sea"], id="unknown-site"),
    pytest.param(_check(study="orbit"),
                 ["claims.0.check.study:", "'deterrence', 'iran-us' or 'footprint'"],
                 id="unknown-study"),
    pytest.param(_check(expect="x >>> 3"),
                 ["claims.0.check.expect: cannot parse 'x >>> 3'; expected METRIC OP NUMBER, "
                  "OP one of <, <=, ==, >=, >"], id="malformed-expect"),
    pytest.param(_check(expect="margin-rank =< 3"),
                 ["claims.0.check.expect: cannot parse"], id="bad-operator"),
    pytest.param(_check(expect="margin-rank == nan"),
                 ["claims.0.check.expect: cannot parse"], id="nan"),
    pytest.param(_check(expect="warp-factor > 1"),
                 ["claims.0.check.expect: unknown metric 'warp-factor'", "engageable-routes"],
                 id="unknown-metric"),
    pytest.param(_check(expect="defended-area-km2 > 0"),
                 ["claims.0.check.expect: metric 'defended-area-km2' belongs to the footprint "
                  "study, not iran-us"], id="metric-of-another-study"),
    pytest.param(_check(study="footprint", site=None, among=None,
                        expect="capital:atlantis == 1"),
                 ["claims.0.check.expect: unknown capital 'atlantis'"], id="unknown-capital"),
    pytest.param(_check(interceptor="sm3-ia"),
                 ["claims.0.check.interceptor: 'sm3-ia' is not an interceptor of the selected "
                  "sites"], id="interceptor-not-there"),
    pytest.param(_check(site=None),
                 ["claims.0.check.site: margin-rank ranks one site"], id="rank-without-site"),
    pytest.param(_check(among=["redzikowo", "north-sea"]),
                 ["claims.0.check.among: the ranked site 'deveselu' must be one of the "
                  "compared sites"], id="ranked-site-not-compared"),
    pytest.param(_check(interceptor=[]),
                 ["claims.0.check.interceptor:", "at least 1 item"], id="empty-list"),
    pytest.param(_check(bases=["kozelsk"]),
                 ["claims.0.check.bases: only used with study: deterrence"],
                 id="bases-outside-deterrence"),
    pytest.param(_check(timeline="yesterday"),
                 ["claims.0.check.timeline:", "'scenario', 'ir-cue' or 'kinematic'"],
                 id="unknown-timeline"),
    pytest.param(_check(resolution_deg=0.01),
                 ["claims.0.check.resolution_deg:", "greater than or equal to 0.5"],
                 id="resolution"),
    pytest.param(_set(("claims", 0, "check"), None),
                 ["claims.0: give a check, or check: null and say why in not_checkable"],
                 id="null-check-without-reason"),
    pytest.param(_set(("claims", 1, "id"), "romania-poor"),
                 ["claims.1.id: 'romania-poor' is already the id of claims.0"],
                 id="duplicate-id"),
    pytest.param(_set(("claims", 0, "label"), "rumour"),
                 ["claims.0.label:", "'quoted', 'paraphrased' or 'interpretation'"],
                 id="unknown-label"),
    pytest.param(_set(("paper", "compare_with"), "epaa-phase-9"),
                 ["paper.compare_with: unknown built-in scenario 'epaa-phase-9'"],
                 id="unknown-compare-with"),
    pytest.param(_set(("paper", "doi"), "10.1/x"),
                 ["paper.doi: unknown field"], id="unknown-paper-field"),
    pytest.param(_set(("claims", 0, "check", "colour"), "red"),
                 ["claims.0.check.colour: unknown field"], id="unknown-check-field"),
]


@pytest.mark.parametrize(("edit", "needles"), BAD)
def test_bad_claims_are_one_line_errors(tmp_path, edit, needles):
    data = _paper("gao-13-382r")
    edit(data)
    path = _write(tmp_path, data)
    for argv in (["papers", "--paper", path], ["scenario", "show", path]):
        assert_one_line_error(invoke(argv), *needles)


def test_papers_refuses_what_is_not_a_paper(tmp_path):
    assert_one_line_error(invoke(["papers", "--paper", "shield-today"]),
                          "--paper: shield-today has no paper section")
    assert_one_line_error(invoke(["papers", "--paper", "no-such-paper"]),
                          "--paper: 'no-such-paper' is neither a built-in scenario",
                          "papers/gao-13-382r")
    data = _paper("gao-13-382r")
    del data["paper"]
    assert_one_line_error(invoke(["papers", "--paper", _write(tmp_path, data)]),
                          "claims: a file with claims needs a paper section")


def test_every_paper_file_names_its_fields_the_schema_way():
    # the JSON Schema of the scenario format includes the paper and claims sections
    schema = json.loads(scenario.json_schema())
    assert {"paper", "claims"} <= set(schema["properties"])
