"""Scenario files: built-in EPAA phases validate and resolve; bad files give one precise line."""

import json

import pytest

from euroshield import scenario
from euroshield.cli import main
from euroshield.errors import InputError

PHASES = ["epaa-phase-1", "epaa-phase-2", "epaa-phase-3", "epaa-phase-4", "shield-today"]


@pytest.mark.parametrize("name", PHASES)
def test_builtin_scenarios_resolve(name):
    """Every reference resolves; the phases add what the State Department fact sheet lists
    (public-parameters.md B1): Phase 2 Deveselu, Phase 3 Redzikowo with SM-3 IIA, Phase 4 IIB."""
    sc = scenario.load(name)
    sites = {s.site: s for s in sc.sites}
    assert len(sc.threats.bases) >= 10 and len(sc.threats.targets) >= 10
    if name == "epaa-phase-2":
        assert "deveselu" in sites
    if name == "epaa-phase-3":
        assert "sm3-iia" in sites["redzikowo"].interceptors
    if name == "epaa-phase-4":
        assert any("sm3-iib" in s.interceptors for s in sc.sites)


def test_default_is_the_shield_today():
    assert scenario.load(None).name == "shield-today"


def _write(tmp_path, text):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


BASE = """name: test
sites: [{site: deveselu, interceptors: [sm3-ib]}]
threats: {bases: [kozelsk], targets: [washington]}
"""


@pytest.mark.parametrize("text, needle", [
    (BASE + "colour: blue\n", "colour"),
    (BASE.replace("deveselu", "atlantis"), "sites.0.site"),
    (BASE.replace("sm3-ib", "sm9"), "sites.0.interceptors"),
    (BASE.replace("kozelsk", "paris"), "threats.bases.0"),
    (BASE + "timeline: {decision_delay_s: -5}\n", "decision_delay_s"),
    (BASE + "radars: [aegis-x]\n", "radars.0"),
    (BASE + "interceptor_overrides: {sm3-ib: {burnout_speed_kms: -1}}\n", "burnout_speed_kms"),
    ("name: [unclosed\n", "malformed YAML"),
    (BASE.replace("{site: deveselu,", "{site: x, lat: 45,"), "lat and lon"),
])
def test_bad_scenarios_name_the_field(tmp_path, text, needle):
    with pytest.raises(InputError, match=needle.replace("[", r"\[")):
        scenario.load(_write(tmp_path, text))


def test_cli_scenario_commands(tmp_path, capsys):
    """`scenario schema` prints a JSON Schema; `scenario show` echoes the effective scenario;
    a bad file exits 2 with one line."""
    assert main(["scenario", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"sites", "threats", "timeline"} <= set(schema["properties"])
    assert main(["scenario", "show", "epaa-phase-3"]) == 0
    assert "redzikowo" in capsys.readouterr().out
    bad = _write(tmp_path, BASE + "colour: blue\n")
    assert main(["scenario", "show", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "colour" in err


def test_cli_deterrence_json(capsys):
    """`deterrence --json` prints the documented object: scenario, assumptions, routes with the
    stable keys, summary; a bad speed is one line with exit code 2."""
    assert main(["deterrence", "--scenario", "epaa-phase-1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scenario"] == "epaa-phase-1"
    keys = {"base", "target", "site", "interceptor", "engageable", "reason", "intercept_time_s",
            "intercept_altitude_km", "margin_s", "threshold_speed_kms"}
    assert len(doc["routes"]) == 2 * 110 and keys <= set(doc["routes"][0])
    assert "decision_delay_s" in doc["assumptions"] and doc["summary"]
    assert main(["deterrence", "--interceptor-speed-kms", "50"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--interceptor-speed-kms" in err
