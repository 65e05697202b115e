"""Scenarios choose the architecture (issue 9 §3): the ``architecture:`` field through the
command line and the deterrence study.

Bad input (``scenario show FILE`` and ``deterrence --scenario FILE``): one line naming the field
path, exit code 2, no traceback. Good input: ``architecture: n-detections`` reproduces the old
rule's study exactly (same rule by definition), a built-in architecture runs the deterrence
study with launch times per shooter, and the engage stage uses each shooter's own column.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from cli_support import invoke

from euroshield import scenario
from euroshield.defense.engagement import Reason
from euroshield.studies.deterrence import deterrence

PREFIX = "euroshield: error:"
BASE = """name: test
sites: [{site: deveselu, interceptors: [sm3-ib]}, {site: redzikowo, interceptors: [sm3-iia]}]
radars: [spy1-redzikowo, spy1-deveselu]
threats: {bases: [kozelsk, teykovo], targets: [washington, new-york]}
"""
NATO = ("{name: nato, side: nato, sensors: [scenario], cue_sensors: [sbirs], "
        "shooters: [scenario], command_node: ramstein}")
RUSSIA = "{name: russia, side: russia, sensors: [voronezh-dm-kaliningrad], command_node: moscow}"


def _one_line(o, *needles):
    assert o.code == 2, (o.code, o.err)
    assert o.out == ""
    assert "Traceback" not in o.err
    assert o.err.startswith(PREFIX) and len(o.err.splitlines()) == 1, repr(o.err)
    for needle in needles:
        assert needle in o.err, (needle, o.err)


BAD = {
    "unknown-name": ("architecture: shared\n", ["architecture: unknown architecture 'shared'",
                                                "known: n-detections", "independent",
                                                "exchange", "joint", "sectoral"]),
    "negative-latency": (
        f"architecture: {{kind: exchange, systems: [{NATO}, {RUSSIA}], links: [{{from: russia, "
        "to: nato, latency_s: -5}]}\n", ["architecture.links.0.latency_s", "greater than or "
                                         "equal to 0"]),
    "unknown-system": (
        f"architecture: {{kind: exchange, systems: [{NATO}, {RUSSIA}], links: [{{from: china, "
        "to: nato}]}\n", ["architecture.links.0.from", "unknown system 'china'"]),
    "unknown-sharing": (
        f"architecture: {{kind: exchange, systems: [{NATO}, {RUSSIA}], links: [{{from: russia, "
        "to: nato, sharing: everything}]}\n",
        ["architecture.links.0.sharing", "unknown sharing level 'everything'",
         "launch-on-remote"]),
    "bad-sector": (
        f"architecture: {{kind: sectoral, systems: [{NATO}, {RUSSIA}], sectors: {{nato: "
        "{outside: true, builtin: russia-2012}, russia: {polygons: [[[50, 30], [91, 40], "
        "[55, 45]]]}}}\n", ["architecture.sectors.russia.polygons.0", "latitude 91"]),
    "no-field-of-regard": (
        "architecture: {kind: independent, systems: [{name: nato, side: nato, sensors: [sbirs], "
        "shooters: [scenario], command_node: x}]}\n",
        ["architecture.systems.0.sensors.0", "no field of regard"]),
    "unknown-sensor": (
        "architecture: {kind: independent, systems: [{name: nato, side: nato, sensors: "
        "[scenario, gbx-czech], shooters: [scenario], command_node: x}]}\n",
        ["architecture.systems.0.sensors.1", "unknown radar 'gbx-czech'"]),
    "shooter-not-a-site": (
        "architecture: {kind: independent, systems: [{name: nato, side: nato, sensors: "
        "[scenario], shooters: [deveselu, redzikowo, north-sea], command_node: x}]}\n",
        ["architecture.systems.0.shooters.2", "'north-sea' is not a site of this scenario"]),
    "site-without-system": (
        "architecture: {kind: independent, systems: [{name: nato, side: nato, sensors: "
        "[scenario], shooters: [deveselu], command_node: x}]}\n",
        ["architecture.systems", "site 'redzikowo' belongs to no system"]),
    "not-a-mapping-or-name": ("architecture: [exchange]\n", ["architecture"]),
    "bad-seed": ("architecture: exchange\ntracking: {seed: -1}\n", ["tracking.seed"]),
}


@pytest.mark.parametrize("command", ["show", "deterrence"])
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_architecture_is_one_line(tmp_path, case, command):
    text, needles = BAD[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(BASE + text, encoding="utf-8")
    argv = (["scenario", "show", str(path)] if command == "show"
            else ["deterrence", "--scenario", str(path)])
    _one_line(invoke(argv), str(path), *needles)


@pytest.mark.parametrize("name", ["n-detections", "independent", "exchange", "joint",
                                  "sectoral"])
def test_good_architecture_shows(tmp_path, name):
    path = tmp_path / "ok.yaml"
    path.write_text(BASE + f"architecture: {name}\n", encoding="utf-8")
    o = invoke(["scenario", "show", str(path)])
    assert o.code == 0, o.err
    assert f"architecture: {name}" in o.out


@pytest.fixture(scope="module")
def studies():
    base = scenario.parse(yaml.safe_load(BASE), "test")
    old = deterrence(base, ladder_kms=())
    named = deterrence(base.model_copy(update={"architecture": "n-detections"}), ladder_kms=())
    exch = deterrence(base.model_copy(update={"architecture": "exchange"}), ladder_kms=())
    return old, named, exch


def test_n_detections_reproduces_the_old_study(studies):
    """``architecture: n-detections`` is the old rule by definition: every array equal."""
    old, named, _ = studies
    a, b = old.engagements, named.engagements
    for f in ("engageable", "reason", "intercept_time_s", "margin_s", "earliest_launch_s",
              "latest_launch_s", "shots"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    for f in ("first_detection_s", "track_time_s", "tracked_by", "cue_s", "launch_allowed_s"):
        np.testing.assert_array_equal(getattr(a.picture, f), getattr(b.picture, f), err_msg=f)
    assert b.picture.architecture is None and b.picture.launch_allowed_s.ndim == 1


def test_architecture_study_uses_each_shooters_column(studies):
    """With an architecture, launch times are per shooter (n, J), and the engage stage reads
    each shooter's column: a shooter never launches before its own allowed time, and a row
    whose column is NaN (no launch-quality track at that command node) is NO_TRACK when a
    trajectory exists."""
    _, _, exch = studies
    e, pic = exch.engagements, exch.picture
    n, n_j = e.engageable.shape
    assert pic.launch_allowed_s.shape == (n, n_j) and pic.architecture == "exchange"
    allowed = pic.launch_allowed_s
    flown = e.looks.trajectories.flown
    never = ~np.isfinite(allowed) & flown[:, None]
    assert np.all(e.reason[never] == Reason.NO_TRACK)
    ok = e.engageable
    launch = e.intercept_time_s - e.flyout_time_s
    assert np.all(launch[ok] >= allowed[ok] - 1e-6)  # engage: launch no earlier than allowed
    # the decision delay (60 s) from the launch-quality track: allowed >= track + 0 and, with
    # the SBIRS cue at 60 s, allowed >= cue + delay = 120 s (the timeline rule)
    fin = np.isfinite(allowed)
    assert np.all(allowed[fin] >= 60.0 + 60.0 - 1e-9)
    assert np.all(allowed[fin] >= pic.launch_quality_s[fin] - 1e-9)


def test_overrides_keep_the_architecture():
    """Campaign draws (Scenario.with_overrides, frozen copies) keep a named or inline
    architecture, expanded the same way."""
    data = yaml.safe_load(BASE)
    for arch in ("joint", yaml.safe_load(f"{{kind: independent, systems: [{NATO}]}}")):
        sc = scenario.parse({**data, "architecture": arch}, "test")
        drawn = sc.with_overrides({"timeline.decision_delay_s": 30.0})
        assert scenario.is_frozen(drawn)
        assert drawn.architecture_model() == sc.architecture_model()
        nato = drawn.architecture_model().system("nato")
        assert nato.shooters == ["deveselu", "redzikowo"]  # 'scenario': the sites, in order
        assert nato.sensors[:2] == ["spy1-redzikowo", "spy1-deveselu"]  # the radars first
