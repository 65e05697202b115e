"""Bad input on the command line: the contract of ``euroshield.cli`` (module docstring).

Every bad input must print exactly ONE line to stderr, starting with ``euroshield: error:``, that
names the offending field or option and the allowed range or the known names; nothing on stdout;
no traceback; exit code 2.

Most cases run in-process (``euroshield.cli.main``); two run the installed console script as a
subprocess, end to end.

"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml
from cli_support import Outcome, invoke

PREFIX = "euroshield: error:"
KNOWN_MISSILES = ("minuteman3-like", "topol-m-like", "yars-like", "ss18-like", "shahab3-like",
                  "sejjil2-like", "ghadr1-like", "khorramshahr-like", "irbm-hypothetical",
                  "iran-icbm-notional")
EXE = Path(sys.executable).with_name("euroshield")


# ---- helpers ---------------------------------------------------------------------------------


def assert_rejected(o: Outcome, *needles: str) -> str:
    """Exit 2, empty stdout, no traceback, the error prefix, and every needle in the message."""
    assert o.code == 2, f"exit code {o.code} for {o.argv}; stderr={o.err!r}"
    assert o.out == "", f"stdout not empty for {o.argv}: {o.out!r}"
    assert "Traceback" not in o.err
    assert o.err.startswith(PREFIX), o.err
    for needle in needles:
        assert needle in o.message, f"{needle!r} not in {o.message!r}"
    return o.message


def assert_one_line(o: Outcome) -> None:
    """Exactly one line on stderr, however long the message and narrow the console."""
    assert o.err.endswith("\n") and o.err.count("\n") >= 1, repr(o.err)
    assert len(o.lines) == 1, f"{len(o.lines)} lines on stderr: {o.err!r}"


def builtin_entry(name: str = "shahab3-like") -> dict:
    """A deep copy of a built-in catalogue entry (YAML anchors resolved, so it has its own
    ``drag:`` mapping), renamed so it adds a missile rather than replacing one."""
    text = resources.files("euroshield.catalog").joinpath("missiles.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    entry = copy.deepcopy(next(m for m in data["missiles"] if m["name"] == name))
    entry["name"] = "test-mrbm"
    return entry


def write_catalog(path: Path, entry: dict) -> Path:
    path.write_text(yaml.safe_dump({"missiles": [entry]}, sort_keys=False), encoding="utf-8")
    return path


# ---- command-line values: one table, two tests -------------------------------------------------
W = ["--target", "38.9,-77.0"]  # a valid target to pair with a bad launch point
K = ["--launch", "54.03,35.77"]  # a valid launch point to pair with a bad target
FF = ["free-flight"]
OPTION_CASES = [
    # latitude / longitude ranges
    pytest.param(["fly", "--launch", "95,30", *W], ["--launch", "latitude", "[-90, 90]"],
                 id="lat-95"),
    pytest.param(["fly", "--launch", "-95,30", *W], ["--launch", "latitude", "[-90, 90]"],
                 id="lat-minus-95"),
    pytest.param(["fly", *K, "--target", "91,0"], ["--target", "latitude", "[-90, 90]"],
                 id="target-lat-91"),
    pytest.param(["fly", "--launch", "50,400", *W], ["--launch", "longitude", "[-180, 360]"],
                 id="lon-400"),
    pytest.param(["fly", "--launch", "50,-200", *W], ["--launch", "longitude", "[-180, 360]"],
                 id="lon-minus-200"),
    pytest.param(["reach", "--launch", "35.7,999", "--azimuth-deg", "300"],
                 ["--launch", "longitude", "[-180, 360]"], id="reach-lon-999"),
    # malformed LAT,LON
    pytest.param(["fly", "--launch", "abc", *W], ["--launch", "LAT,LON", "'abc'"], id="pt-abc"),
    pytest.param(["fly", "--launch", "54.0", *W], ["--launch", "LAT,LON", "'54.0'"],
                 id="pt-one-number"),
    pytest.param(["fly", "--launch", "54,30,1", *W], ["--launch", "LAT,LON", "'54,30,1'"],
                 id="pt-three-numbers"),
    pytest.param(["fly", "--launch", "", *W], ["--launch", "LAT,LON"], id="pt-empty"),
    pytest.param(["fly", "--launch", "54,", *W], ["--launch", "LAT,LON"], id="pt-missing-lon"),
    pytest.param(["fly", *K, "--target", "north,west"], ["--target", "LAT,LON"],
                 id="target-words"),
    # NaN / infinity anywhere
    pytest.param(["fly", "--launch", "nan,30", *W], ["--launch", "latitude", "finite"],
                 id="nan-lat"),
    pytest.param(["fly", "--launch", "30,nan", *W], ["--launch", "longitude", "finite"],
                 id="nan-lon"),
    pytest.param(["fly", *K, "--target", "inf,0"], ["--target", "latitude", "finite"],
                 id="inf-target-lat"),
    pytest.param([*FF, "--speed-kms", "nan", "--gamma-deg", "30"], ["--speed-kms", "finite"],
                 id="nan-speed"),
    pytest.param([*FF, "--speed-kms", "7", "--gamma-deg", "nan"], ["--gamma-deg", "finite"],
                 id="nan-gamma"),
    pytest.param([*FF, "--altitude-km", "nan", "--speed-kms", "7", "--gamma-deg", "30"],
                 ["--altitude-km", "finite"], id="nan-altitude"),
    pytest.param([*FF, "--range-km", "nan", "--minimum-energy"], ["--range-km", "finite"],
                 id="nan-range"),
    pytest.param(["fly", *K, *W, "--shape", "lofted", "--apogee-km", "nan"],
                 ["--apogee-km", "finite"], id="nan-apogee"),
    pytest.param(["fly", *K, *W, "--shape", "depressed", "--gamma-deg", "nan"],
                 ["--gamma-deg", "finite"], id="nan-fly-gamma"),
    pytest.param(["reach", "--launch", "35.7,51.4", "--azimuth-deg", "nan"],
                 ["--azimuth-deg", "finite"], id="nan-azimuth"),
    # unknown names
    pytest.param(["fly", *K, *W, "--missile", "scud-z"], ["'scud-z'", *KNOWN_MISSILES],
                 id="unknown-missile-fly"),
    pytest.param(["reach", "--missile", "scud-z", "--launch", "35.7,51.4", "--azimuth-deg", "1"],
                 ["'scud-z'", *KNOWN_MISSILES], id="unknown-missile-reach"),
    pytest.param(["catalog", "satellites"], ["KIND", "'satellites'", "missiles"],
                 id="unknown-kind"),
    # trajectory shape parameters
    pytest.param(["fly", *K, *W, "--shape", "lofted"], ["--apogee-km", "lofted"],
                 id="lofted-without-apogee"),
    pytest.param(["fly", *K, *W, "--shape", "depressed"], ["--gamma-deg", "depressed"],
                 id="depressed-without-gamma"),
    pytest.param(["fly", *K, *W, "--shape", "lofted", "--apogee-km", "20"],
                 ["--apogee-km", "[50, 10000]"], id="apogee-too-low"),
    pytest.param(["fly", *K, *W, "--shape", "depressed", "--gamma-deg", "0"],
                 ["--gamma-deg", "(0, 60]"], id="depressed-gamma-zero"),
    pytest.param(["fly", *K, "--target", "54.1,35.8"], ["--target", "50 km"],
                 id="target-too-close"),
    # free flight
    pytest.param([*FF, "--speed-kms", "-3", "--gamma-deg", "30"], ["--speed-kms", "(0, 11]"],
                 id="negative-speed"),
    pytest.param([*FF, "--speed-kms", "11.5", "--gamma-deg", "30"], ["--speed-kms", "(0, 11]"],
                 id="speed-above-11"),
    pytest.param([*FF, "--speed-kms", "7", "--gamma-deg", "120"], ["--gamma-deg", "[-90, 90]"],
                 id="gamma-120"),
    pytest.param([*FF, "--altitude-km", "-1", "--speed-kms", "7", "--gamma-deg", "30"],
                 ["--altitude-km", "[0, 5000]"], id="negative-altitude"),
    pytest.param([*FF, "--speed-kms", "7"], ["--speed-kms", "--gamma-deg"],
                 id="speed-without-gamma"),
    pytest.param([*FF, "--minimum-energy"], ["--range-km"], id="minimum-energy-without-range"),
    pytest.param([*FF, "--range-km", "30000", "--minimum-energy"], ["--range-km"],
                 id="range-beyond-half-circumference"),
    # escape: v_esc at 1000 km altitude is sqrt(2 mu / 7371 km) = 10.4 km/s < 10.9 km/s
    pytest.param([*FF, "--altitude-km", "1000", "--speed-kms", "10.9", "--gamma-deg", "45"],
                 ["--speed-kms", "--gamma-deg", "escape"], id="escape"),
    # orbit: horizontal 7.9 km/s at 200 km exceeds circular speed 7.79 km/s -> perigee at 200 km
    pytest.param([*FF, "--altitude-km", "200", "--speed-kms", "7.9", "--gamma-deg", "0"],
                 ["--speed-kms", "orbit"], id="orbit"),
    pytest.param([*FF, "--altitude-km", "200", "--speed-kms", "7.9", "--gamma-deg", "0",
                  "--numeric"], ["--speed-kms", "orbit"], id="orbit-numeric"),
]


@pytest.mark.parametrize(("argv", "needles"), OPTION_CASES)
def test_bad_option_is_rejected_naming_the_field(argv, needles):
    """Bad option values exit 2 with the error prefix, nothing on stdout, no traceback, and a
    message naming the option (and its allowed range or the known names)."""
    assert_rejected(invoke(argv), *needles)


@pytest.mark.parametrize(("argv", "needles"), OPTION_CASES)
def test_bad_option_error_is_one_line(argv, needles):
    """The error for a bad option value is exactly one line on stderr."""
    o = invoke(argv)
    assert o.code == 2
    assert_one_line(o)


def test_escape_case_of_the_brief_is_actually_a_ballistic_shot():
    """11 km/s at 45 deg from the surface is NOT an escape: Q = r v^2 / mu = 1.93 < 2, a bound
    ellipse that comes back down ~176 deg downrange; the CLI accepts it (<= 11 km/s is allowed).
    Kept so the escape cases above stay the ones that really escape."""
    o = invoke([*FF, "--speed-kms", "11", "--gamma-deg", "45", "--json"])
    assert o.code == 0, o.err
    rec = json.loads(o.out)
    assert 170.0 < rec["range_angle_deg"] < 180.0


# ---- usage errors from the option parser (click/typer) -----------------------------------------
USAGE_CASES = [
    pytest.param(["fly", *K, *W, "--bogus"], ["--bogus"], id="unknown-option-fly"),
    pytest.param(["catalog", "--bogus"], ["--bogus"], id="unknown-option-catalog"),
    pytest.param(["fly", *K, *W, "--shape", "sideways"], ["--shape", "minimum-energy"],
                 id="bad-shape-choice"),
    pytest.param([*FF, "--speed-kms", "fast", "--gamma-deg", "30"], ["--speed-kms"],
                 id="speed-not-a-number"),
    pytest.param(["fly", *K], ["--target"], id="missing-target"),
    pytest.param([*FF, "--speed-kms", "7", "--gamma-deg", "30", "--earth", "mars"], ["--earth"],
                 id="bad-earth-choice"),
]


@pytest.mark.parametrize(("argv", "needles"), USAGE_CASES)
def test_usage_error_is_one_line_exit_2(argv, needles):
    """Usage errors (unknown option, bad choice, non-number, missing option) follow the same
    contract: one ``euroshield: error:`` line naming the option, exit 2, no traceback."""
    o = invoke(argv)
    assert_rejected(o, *needles)
    assert len(o.lines) == 1


# ---- user catalogue files ----------------------------------------------------------------------
def _mutate(path: str, value):
    """An edit of the copied entry: set the dotted ``path`` (list indices as digits)."""

    def edit(entry: dict) -> dict:
        *head, last = path.split(".")
        obj = entry
        for part in head:
            obj = obj[int(part)] if part.isdigit() else obj[part]
        obj[int(last) if last.isdigit() else last] = value
        return entry

    return edit


def _add_range(key: str, lo: float, hi: float):
    def edit(entry: dict) -> dict:
        entry["ranges"][key] = [lo, hi]
        return entry

    return edit


ENTRY_CASES = [
    pytest.param(_mutate("stages.0.propellant_mass_kg", -5.0),
                 ["stages.0.propellant_mass_kg", "greater than 0", "-5"], id="negative-propellant"),
    pytest.param(_mutate("stages.0.burn_time_s", -10.0),
                 ["stages.0.burn_time_s", "greater than 0"], id="negative-burn-time"),
    pytest.param(_mutate("stages.0.dry_mass_kg", 0.0),
                 ["stages.0.dry_mass_kg", "greater than 0"], id="zero-dry-mass"),
    pytest.param(_mutate("stages.0.propellant_mass_kg", float("nan")),
                 ["stages.0.propellant_mass_kg", "nan"], id="nan-propellant"),
    pytest.param(_mutate("reentry_vehicle.ballistic_coefficient_kg_m2", float("inf")),
                 ["reentry_vehicle.ballistic_coefficient_kg_m2"], id="inf-beta"),
    pytest.param(_mutate("colour", "red"), ["colour", "unknown field"], id="unknown-field"),
    pytest.param(_mutate("stages.0.thrust_kn", 300.0), ["stages.0.thrust_kn", "unknown field"],
                 id="unknown-stage-field"),
    pytest.param(_mutate("stages.0.isp_sl_s", 260.0), ["isp_sl_s", "isp_vac_s", "stages.0"],
                 id="isp-sl-above-vac"),
    pytest.param(_add_range("stages.0.thrust_kn", 1.0, 2.0),
                 ["ranges", "'stages.0.thrust_kn'", "does not name a field"],
                 id="ranges-unknown-field"),
    pytest.param(_add_range("stages.5.burn_time_s", 1.0, 2.0),
                 ["ranges", "'stages.5.burn_time_s'", "does not name a field"],
                 id="ranges-unknown-stage"),
    pytest.param(_add_range("stages.0.burn_time_s", 10.0, 20.0),
                 ["ranges", "stages.0.burn_time_s", "110", "[10.0, 20.0]"],
                 id="central-value-outside-range"),
    pytest.param(_add_range("stages.0.burn_time_s", 120.0, 100.0),
                 ["ranges", "stages.0.burn_time_s", "min"], id="range-min-above-max"),
    pytest.param(_mutate("missile_class", "icmb"), ["missile_class", "icmb"],
                 id="bad-missile-class"),
]


def _entry_outcome(tmp_path, monkeypatch, edit) -> Outcome:
    monkeypatch.chdir(tmp_path)  # relative file names keep the messages short
    write_catalog(tmp_path / "cat.yaml", edit(builtin_entry()))
    return invoke(["catalog", "--catalog", "cat.yaml"])


@pytest.mark.parametrize(("edit", "needles"), ENTRY_CASES)
def test_bad_catalogue_entry_is_rejected_naming_the_field(tmp_path, monkeypatch, edit, needles):
    """A user catalogue entry breaking the schema is rejected with the file, the missile name,
    the dotted field path and what is allowed."""
    assert_rejected(_entry_outcome(tmp_path, monkeypatch, edit), "cat.yaml", "test-mrbm",
                    *needles)


@pytest.mark.parametrize(("edit", "needles"), ENTRY_CASES)
def test_bad_catalogue_entry_error_is_one_line(tmp_path, monkeypatch, edit, needles):
    """The error for a bad catalogue entry is exactly one line on stderr."""
    o = _entry_outcome(tmp_path, monkeypatch, edit)
    assert o.code == 2
    assert_one_line(o)


FILE_CASES = [
    pytest.param("missiles: [\n  - name: x\n", ["cat.yaml", "malformed YAML", "line 2"],
                 id="unbalanced-bracket"),
    pytest.param("missiles:\n  - {name: x, stages: [1, 2}\n", ["cat.yaml", "malformed YAML"],
                 id="mismatched-bracket"),
    pytest.param("", ["cat.yaml", "'missiles:' list"], id="empty-file"),
    pytest.param("rockets: []\nmissiles: []\n", ["cat.yaml", "rockets", "allowed: missiles"],
                 id="unknown-top-level-key"),
    pytest.param(None, ["nope.yaml", "cannot read file"], id="missing-file"),
]


def _file_outcome(tmp_path, monkeypatch, text) -> Outcome:
    monkeypatch.chdir(tmp_path)
    if text is None:
        return invoke(["catalog", "--catalog", "nope.yaml"])
    (tmp_path / "cat.yaml").write_text(text, encoding="utf-8")
    return invoke(["catalog", "--catalog", "cat.yaml"])


@pytest.mark.parametrize(("text", "needles"), FILE_CASES)
def test_bad_catalogue_file_is_rejected(tmp_path, monkeypatch, text, needles):
    """A missing, malformed or wrongly laid-out catalogue file is rejected naming the file and
    the problem (line number for malformed YAML)."""
    assert_rejected(_file_outcome(tmp_path, monkeypatch, text), *needles)


@pytest.mark.parametrize(("text", "needles"), FILE_CASES)
def test_bad_catalogue_file_error_is_one_line(tmp_path, monkeypatch, text, needles):
    """The error for a bad catalogue file is exactly one line on stderr."""
    o = _file_outcome(tmp_path, monkeypatch, text)
    assert o.code == 2
    assert_one_line(o)


def test_duplicate_name_in_catalogue_file_is_rejected(tmp_path, monkeypatch):
    """Two entries with the same name in one file are an error naming the missile."""
    monkeypatch.chdir(tmp_path)
    e = builtin_entry()
    (tmp_path / "cat.yaml").write_text(yaml.safe_dump({"missiles": [e, e]}), encoding="utf-8")
    assert_rejected(invoke(["catalog", "--catalog", "cat.yaml"]), "'test-mrbm'", "twice")


def test_bad_catalogue_file_is_rejected_by_fly_too(tmp_path, monkeypatch):
    """``fly --catalog`` validates the file the same way before flying anything."""
    monkeypatch.chdir(tmp_path)
    write_catalog(tmp_path / "cat.yaml",
                  _mutate("stages.0.burn_time_s", -1.0)(builtin_entry()))
    o = invoke(["fly", *K, *W, "--missile", "test-mrbm", "--catalog", "cat.yaml"])
    assert_rejected(o, "stages.0.burn_time_s", "greater than 0")


def test_valid_catalogue_file_adds_a_missile(tmp_path, monkeypatch):
    """A valid user file (a renamed copy of a built-in entry) adds a missile that
    ``catalog --json`` lists next to the four built-in ones."""
    monkeypatch.chdir(tmp_path)
    write_catalog(tmp_path / "cat.yaml", builtin_entry())
    o = invoke(["catalog", "--json", "--catalog", "cat.yaml"])
    assert o.code == 0, o.err
    names = [m["name"] for m in json.loads(o.out)]
    assert "test-mrbm" in names
    assert set(KNOWN_MISSILES) <= set(names)
    assert len(names) == len(KNOWN_MISSILES) + 1


def test_nan_in_drag_table_is_rejected(tmp_path, monkeypatch):
    """NaN anywhere in a catalogue entry, including the drag table, is bad input."""
    monkeypatch.chdir(tmp_path)
    entry = builtin_entry()
    entry["drag"] = {"mach": [0.0, 1.0, 2.0], "cd": [0.2, float("nan"), 0.3]}
    write_catalog(tmp_path / "cat.yaml", entry)
    assert_rejected(invoke(["catalog", "--catalog", "cat.yaml"]), "drag", "cd")


def _cannot_lift_off(tmp_path: Path) -> Path:
    """A copy of shahab3-like with a 50 t payload: lift-off thrust 287 kN < weight 645 kN."""
    entry = builtin_entry()
    entry["reentry_vehicle"]["payload_mass_kg"] = 50000.0
    entry["ranges"] = {}
    return write_catalog(tmp_path / "cat.yaml", entry)


def test_reach_of_a_missile_that_cannot_lift_off_is_an_error(tmp_path, monkeypatch):
    """A missile whose thrust is below its weight is rejected when the catalogue loads (exit 2,
    naming the first stage), never NaN in the JSON output."""
    monkeypatch.chdir(tmp_path)
    _cannot_lift_off(tmp_path)
    o = invoke(["reach", "--missile", "test-mrbm", "--launch", "35.7,51.4",
                "--azimuth-deg", "300", "--catalog", "cat.yaml", "--json"])
    assert_rejected(o, "test-mrbm")


def test_fly_of_a_missile_that_cannot_lift_off_says_why(tmp_path, monkeypatch):
    """``fly`` with a missile that cannot lift off is rejected without a meaningless NaN."""
    monkeypatch.chdir(tmp_path)
    _cannot_lift_off(tmp_path)
    o = invoke(["fly", "--missile", "test-mrbm", "--launch", "35.7,51.4",
                "--target", "38.0,46.0", "--catalog", "cat.yaml"])
    assert o.code == 2
    assert not re.search(r"\bnan\b", o.message, re.IGNORECASE), o.message
    assert_rejected(o, "test-mrbm")


# ---- unreachable target ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def unreachable() -> Outcome:
    """Shahab-3-like from Tehran at Washington (~10,200 km): far beyond a 1,000-1,500 km MRBM."""
    return invoke(["fly", "--missile", "shahab3-like", "--launch", "35.7,51.4",
                   "--target", "38.9,-77.0"])


def test_unreachable_target_states_the_maximum_range(unreachable):
    """The message names the missile and states the maximum range on that azimuth in km, which
    lies in the published band for a Shahab-3-class MRBM (1,000-1,500 km, catalogue
    ``published_range``)."""
    msg = assert_rejected(unreachable, "shahab3-like", "maximum range", "azimuth")
    m = re.search(r"maximum range on azimuth ([\d.]+) deg is ([\d,]+) km", msg)
    assert m, msg
    assert 1000.0 <= float(m.group(2).replace(",", "")) <= 1500.0
    # the azimuth is the initial geodesic heading Tehran -> Washington (north-west)
    assert 300.0 < float(m.group(1)) < 340.0


def test_unreachable_target_error_is_one_line(unreachable):
    """The unreachable-target error is exactly one line on stderr."""
    assert_one_line(unreachable)


# ---- end to end: the installed console script ---------------------------------------------------
def _run_exe(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_console_script_bad_latitude():
    """The installed ``euroshield`` script: exit 2, one stderr line, no traceback, empty
    stdout for a latitude of 95 deg."""
    r = _run_exe("fly", "--launch", "95,30", "--target", "38.9,-77.0")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith(PREFIX)
    assert r.stderr.count("\n") == 1, r.stderr
    assert "--launch latitude" in r.stderr and "[-90, 90]" in r.stderr


def test_console_script_unknown_option():
    """The installed script turns an unknown option into one line and exit 2, no traceback."""
    r = _run_exe("fly", "--launch", "54,35", "--target", "38.9,-77.0", "--bogus")
    assert "Traceback" not in r.stderr
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith(PREFIX) and r.stderr.count("\n") == 1
    assert "--bogus" in r.stderr
