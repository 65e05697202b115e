"""Bad input FILES: scenario files (``scenario show FILE``, ``--scenario FILE``) and catalogue files
(``--catalog FILE``) that are not what they should be.

The contract is the one of ``test_bad_input.py``: exactly one ``euroshield: error:`` line on
stderr naming the file and the field (and what is allowed), nothing on stdout, no traceback,
exit code 2, and no hang. Files are read only if they are regular UTF-8 text files of at most
10 MB whose YAML nests at most 100 levels deep and has no key twice in one mapping; scenario and
catalogue values have strict types (a boolean or a string is not a number).
"""

from __future__ import annotations

import copy
import gzip
import os
import random
import threading
import time
from importlib import resources
from pathlib import Path

import pytest
import yaml
from cli_support import Outcome, invoke
from cli_support import assert_one_line_error as one_line_error

from euroshield import catalog, scenario
from euroshield.errors import InputError

BASE = """name: test
sites: [{site: deveselu, interceptors: [sm3-ib]}]
threats: {bases: [kozelsk], targets: [washington]}
"""
BUILTIN_SCENARIOS = ", ".join(scenario.builtin_names())


def assert_one_line_error(o: Outcome, *needles: str) -> str:
    """The one-line contract (cli_support) and no doubled colon (an empty field or position)."""
    err = one_line_error(o, *needles)
    assert "::" not in err, err
    return err


def _commands(path: str) -> dict[str, list[str]]:
    """The three ways a file reaches the program (the study commands read the scenario before
    computing anything)."""
    return {"scenario-show": ["scenario", "show", path],
            "deterrence-scenario": ["deterrence", "--scenario", path],
            "catalog": ["catalog", "missiles", "--catalog", path]}


COMMANDS = ["scenario-show", "deterrence-scenario", "catalog"]


# ---- 1. files that are not UTF-8 text -----------------------------------------------------------
def _random_bytes() -> bytes:
    rng = random.Random(12)  # no NUL byte (that is reported first); 0xff never occurs in UTF-8
    return b"\xff" + bytes(rng.randrange(1, 256) for _ in range(300))


NOT_UTF8 = [
    pytest.param(_random_bytes(), "not valid UTF-8", id="random-bytes"),
    pytest.param(("name: caf\u00e9\n" + BASE).encode("latin-1"), "byte 0xe9 at line 1",
                 id="latin-1"),
    pytest.param(BASE.encode("utf-16"), "UTF-16", id="utf-16-bom"),
    pytest.param(BASE.encode("utf-16-le"), "NUL byte", id="utf-16-no-bom"),
    pytest.param(gzip.compress(BASE.encode()), "gzip", id="gzip"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG", id="png"),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("content", "needle"), NOT_UTF8)
def test_file_that_is_not_utf8_text_is_one_line(tmp_path, monkeypatch, command, content, needle):
    """Binary files and other encodings: '<file>: not a UTF-8 text file (what it looks like)'."""
    monkeypatch.chdir(tmp_path)
    Path("s.yaml").write_bytes(content)
    assert_one_line_error(invoke(_commands("s.yaml")[command]),
                          "s.yaml: not a UTF-8 text file (", needle)


def test_utf8_with_byte_order_mark_is_read(tmp_path):
    """A UTF-8 byte-order mark (as some editors write) is not an error."""
    p = tmp_path / "s.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert scenario.load(p).name == "test"


# ---- 2. deep nesting ---------------------------------------------------------------------------
def _nested(depth: int, kind: str) -> str:
    if kind == "flow-list":
        return "name: " + "[" * depth + "]" * depth + "\n"
    if kind == "flow-map":
        return "name: " + "{a: " * depth + "1" + "}" * depth + "\n"
    if kind == "block-list":  # compact nested block sequences: "- - - 1"
        return "name:\n" + "- " * depth + "1\n"
    # aliases: each anchor holds the previous one, so the data nests deeper than the text
    lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("depth", [101, 1000, 5000])
@pytest.mark.parametrize("kind", ["flow-list", "flow-map", "block-list", "aliases"])
def test_deep_nesting_is_one_line(tmp_path, monkeypatch, command, depth, kind):
    """Hundreds to thousands of nested lists or mappings (a RecursionError before): one line
    naming the file, the line and the limit."""
    monkeypatch.chdir(tmp_path)
    Path("s.yaml").write_text(_nested(depth, kind), encoding="utf-8")
    assert_one_line_error(invoke(_commands("s.yaml")[command]),
                          "s.yaml: line ", "nesting deeper than 100 levels")


def test_nesting_limit_is_exact():
    """100 levels are read; 101 are not (flow lists, and through aliases)."""
    assert catalog.load_yaml_text("[" * 100 + "]" * 100, "x") is not None
    with pytest.raises(InputError, match="nesting deeper than 100 levels"):
        catalog.load_yaml_text("[" * 101 + "]" * 101, "x")
    ok = _nested(99, "aliases")  # a mapping holding 99 nested lists: 100 levels
    assert catalog.load_yaml_text(ok, "x")["a98"] is not None
    with pytest.raises(InputError, match="nesting deeper than 100 levels"):
        catalog.load_yaml_text(_nested(100, "aliases"), "x")


def test_recursive_alias_is_one_line(tmp_path):
    """An alias inside the list it names (a self-containing structure) is refused."""
    p = tmp_path / "s.yaml"
    p.write_text(BASE + "sources: &s [*s]\n", encoding="utf-8")
    assert_one_line_error(invoke(["scenario", "show", str(p)]), "line 4",
                          "alias *s refers to a list or mapping that contains it")


# ---- 3. names that are not files: too long, missing, a folder, a symlink loop ----------------
def _path_case(tmp_path: Path, case: str) -> str:
    if case == "name-too-long":
        return str(tmp_path / ("x" * 300 + ".yaml"))
    if case == "path-too-long":
        return str(tmp_path / "/".join(["d" * 200] * 30))
    if case == "missing":
        return str(tmp_path / "nope.yaml")
    if case == "folder":
        return str(tmp_path)
    if case == "symlink-loop":
        os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
        os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
        return str(tmp_path / "a.yaml")
    if case == "below-a-file":
        (tmp_path / "f").write_text("x", encoding="utf-8")
        return str(tmp_path / "f" / "s.yaml")
    raise AssertionError(case)


PATH_CASES = {"name-too-long": "File name too long", "path-too-long": "File name too long",
              "missing": "", "folder": "is a folder, not a file",
              "symlink-loop": "Too many levels of symbolic links", "below-a-file": ""}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", list(PATH_CASES))
def test_path_that_is_not_a_readable_file_is_one_line(tmp_path, command, case):
    """OSError (name too long, symlink loop, ...) never escapes: one line naming the file (a
    long name shortened in the middle) and the reason."""
    path = _path_case(tmp_path, case)
    o = invoke(_commands(path)[command])
    reason = PATH_CASES[case]
    if case in ("missing", "below-a-file") and command != "catalog":
        reason = "is neither a built-in scenario"
    elif case in ("missing", "below-a-file"):
        reason = "cannot read file"
    msg = assert_one_line_error(o, reason)
    assert path[:40] in msg
    assert len(msg) < 1000


def test_missing_scenario_names_the_argument_and_the_builtins(tmp_path):
    """`scenario show` names its argument REF, the study commands --scenario."""
    missing = str(tmp_path / "nope.yaml")
    assert_one_line_error(invoke(["scenario", "show", missing]), "REF:", BUILTIN_SCENARIOS)
    assert_one_line_error(invoke(["deterrence", "--scenario", missing]), "--scenario:",
                          BUILTIN_SCENARIOS)


def test_empty_scenario_name_is_refused():
    """'' is not the current folder."""
    assert_one_line_error(invoke(["scenario", "show", ""]), "REF: empty name", BUILTIN_SCENARIOS)


def test_control_characters_in_a_file_name_are_escaped(tmp_path):
    """A newline or ESC in a file name would split the line or reach the terminal: escaped;
    undecodable bytes of a file name too."""
    for name in ("bad\nname\x1b[31m.yaml", os.fsdecode(b"\xff\xfe.yaml")):
        path = str(tmp_path / name)
        for argv in (["scenario", "show", path], ["catalog", "missiles", "--catalog", path]):
            msg = assert_one_line_error(invoke(argv))
            assert "\x1b" not in msg and "\udcff" not in msg
    msg = assert_one_line_error(invoke(["scenario", "show", str(tmp_path / "a\nb.yaml")]))
    assert "a\\nb.yaml" in msg
    assert_one_line_error(invoke(["scenario", "show", "a\x00b.yaml"]), "a\\x00b.yaml",
                          "NUL character")
    assert_one_line_error(invoke(["catalog", "--catalog", "a\x00b.yaml"]), "--catalog")


# ---- 4. special files: devices, named pipes, too large -----------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/full", "/dev/null"])
def test_device_is_refused(command, device):
    """A device would be read forever (/dev/zero, /dev/full): only regular files are read."""
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    assert_one_line_error(invoke(_commands(device)[command]), device, "a character device",
                          "not a regular file", "10 MB")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize("command", COMMANDS)
def test_named_pipe_is_refused_without_blocking(tmp_path, command):
    """A named pipe is refused before it is opened (opening it would block until a writer
    comes). Should the program ever open it, a watchdog opens the writing end after 20 s so
    that the test fails instead of hanging."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    hung = []

    def unblock():
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # succeeds only if a reader waits
        except OSError:
            return
        hung.append(True)
        os.close(fd)

    watchdog = threading.Timer(20.0, unblock)
    watchdog.start()
    try:
        o = invoke(_commands(str(fifo))[command])
    finally:
        watchdog.cancel()
    assert not hung, "the named pipe was opened"
    assert_one_line_error(o, "pipe.yaml", "a named pipe", "not a regular file", "10 MB")


@pytest.mark.parametrize("command", COMMANDS)
def test_file_above_10_mb_is_refused(tmp_path, monkeypatch, command):
    """The size limit is stated in the error (a sparse file: nothing is written)."""
    monkeypatch.chdir(tmp_path)
    with open("big.yaml", "wb") as f:
        f.truncate(10 * 2**20 + 1)
    assert_one_line_error(invoke(_commands("big.yaml")[command]), "big.yaml", "larger than",
                          "10 MB")


# ---- 5. duplicate keys ---------------------------------------------------------------------------
DUPLICATES = [
    pytest.param(BASE + "name: other\n", "duplicate key 'name' (first given on line 1)",
                 "line 4", id="top-level"),
    pytest.param(BASE.replace("interceptors: [sm3-ib]",
                              "interceptors: [sm3-ib], inventory: 4, inventory: 400"),
                 "duplicate key 'inventory'", "line 2", id="nested-flow"),
    pytest.param(BASE + "timeline:\n  decision_delay_s: 60\n  decision_delay_s: 30\n",
                 "duplicate key 'decision_delay_s' (first given on line 5)", "line 6",
                 id="nested-block"),
]


@pytest.mark.parametrize(("text", "needle", "line"), DUPLICATES)
def test_duplicate_key_in_scenario_is_one_line(tmp_path, text, needle, line):
    """The last of two equal keys no longer wins silently: the key and both lines."""
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    for argv in (["scenario", "show", str(p)], ["deterrence", "--scenario", str(p)]):
        assert_one_line_error(invoke(argv), "s.yaml", needle, line)


def _builtin_entry(name: str = "shahab3-like") -> dict:
    text = resources.files("euroshield.catalog").joinpath("missiles.yaml").read_text("utf-8")
    entry = copy.deepcopy(next(m for m in yaml.safe_load(text)["missiles"]
                               if m["name"] == name))
    entry["name"] = "test-mrbm"
    entry["ranges"] = {}
    return entry


def _catalog_file(tmp_path: Path, entry: dict) -> str:
    p = tmp_path / "cat.yaml"
    p.write_text(yaml.safe_dump({"missiles": [entry]}, sort_keys=False), encoding="utf-8")
    return str(p)


def test_duplicate_key_in_catalogue_is_one_line(tmp_path):
    text = Path(_catalog_file(tmp_path, _builtin_entry())).read_text("utf-8")
    text = text.replace("  description:", "  name: test-other\n  description:", 1)
    (tmp_path / "cat.yaml").write_text(text, encoding="utf-8")
    assert_one_line_error(invoke(["catalog", "missiles", "--catalog", str(tmp_path / "cat.yaml")]),
                          "cat.yaml", "duplicate key 'name'")


def test_merge_keys_are_not_duplicates():
    """YAML merge keys (``<<: *anchor``) may be overridden by an explicit key: no error."""
    data = catalog.load_yaml_text("a: &a {x: 1, y: 2}\nb: {<<: *a, x: 3}\n", "x")
    assert data["b"] == {"x": 3, "y": 2}


def test_builtin_files_have_no_duplicate_keys():
    """Every built-in catalogue and scenario file loads with the duplicate-key check."""
    root = resources.files("euroshield.catalog")
    names = [p.name for p in root.iterdir() if p.name.endswith(".yaml")]
    names += [f"scenarios/{p.name}" for p in root.joinpath("scenarios").iterdir()
              if p.name.endswith(".yaml")]
    assert len(names) > 10
    for name in names:
        catalog.load_yaml_text(root.joinpath(name).read_text("utf-8"), name)


# ---- 6. strict types and blank names ---------------------------------------------------------
STRICT_SCENARIO = [
    pytest.param(BASE.replace("interceptors: [sm3-ib]", "interceptors: [sm3-ib], inventory: true"),
                 ["sites.0.inventory", "valid integer", "a boolean"], id="inventory-true"),
    pytest.param(BASE.replace("interceptors: [sm3-ib]", "interceptors: [sm3-ib], inventory: 4.0"),
                 ["sites.0.inventory", "valid integer"], id="inventory-float"),
    pytest.param(BASE + "timeline: {decision_delay_s: \"60\"}\n",
                 ["timeline.decision_delay_s", "valid number", "'60', a string"],
                 id="delay-numeric-string"),
    pytest.param(BASE + "timeline: {decision_delay_s: true}\n",
                 ["timeline.decision_delay_s", "valid number", "a boolean"], id="delay-true"),
    pytest.param(BASE + "early_warning: {enabled: \"yes\"}\n",
                 ["early_warning.enabled", "valid boolean"], id="enabled-string"),
    pytest.param(BASE + "early_warning: {enabled: 1}\n",
                 ["early_warning.enabled", "valid boolean"], id="enabled-one"),
    pytest.param(BASE.replace("targets: [washington]", "targets: [washington], rcs_m2: true"),
                 ["threats.rcs_m2", "valid number"], id="rcs-true"),
    pytest.param(BASE + "interceptor_overrides: {sm3-ib: {burnout_speed_kms: true}}\n",
                 ["interceptor_overrides.sm3-ib.burnout_speed_kms", "valid number"],
                 id="override-true"),
    pytest.param(BASE + "footprint: {launch_area_definitions: [{name: x, description: d, "
                 "source: abc, points: [{name: p, lat: true, lon: 1, uncertainty_km: 1}]}]}\n",
                 ["footprint.launch_area_definitions.0.points.0.lat", "valid number"],
                 id="launch-point-true"),
    pytest.param(BASE.replace("name: test", "name: \"   \""), ["name", "empty or blank"],
                 id="blank-name"),
    pytest.param(BASE.replace("name: test", "name: \"a\\nb\""), ["name", "control characters"],
                 id="newline-in-name"),
    pytest.param(BASE.replace("{site: deveselu,", "{site: \" \", lat: 45, lon: 25,"),
                 ["sites.0.site", "empty or blank"], id="blank-site-label"),
    pytest.param(BASE.replace("[kozelsk]", "[kozelsk, \"  \"]"),
                 ["threats.bases.1", "empty or blank"], id="blank-base"),
    pytest.param(BASE + "radars: [{radar: tpy2-kurecik, label: \"  \"}]\n",
                 ["radars.0.label", "empty or blank"], id="blank-radar-label"),
]


@pytest.mark.parametrize(("text", "needles"), STRICT_SCENARIO)
def test_scenario_types_are_strict(tmp_path, text, needles):
    """A boolean or a string is not a number, a number is not a boolean, a blank name is not a
    name: one line naming the file and the field."""
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    assert_one_line_error(invoke(["scenario", "show", str(p)]), "s.yaml: ", *needles)


def test_integers_are_valid_floats(tmp_path):
    """Strict mode still takes an integer where a number is expected (and strips names)."""
    p = tmp_path / "s.yaml"
    p.write_text(BASE.replace("name: test", "name: \"  test \"")
                 + "timeline: {decision_delay_s: 30}\nearly_warning: {detection_delay_s: 45}\n"
                 + "radars: [{radar: tpy2-kurecik, lat: 38, lon: 37}]\n", encoding="utf-8")
    sc = scenario.load(p)
    assert sc.name == "test"
    assert sc.timeline.decision_delay_s == 30.0 and isinstance(sc.timeline.decision_delay_s,
                                                                float)


@pytest.mark.parametrize("name", scenario.builtin_names())
def test_builtin_scenarios_pass_strict_validation(name):
    """The built-in scenarios, and their command-line round trip (dump and re-parse)."""
    sc = scenario.load(name)
    assert scenario.parse(sc.model_dump(exclude_none=True), "scenario") == sc


STRICT_CATALOGUE = [
    pytest.param(("stages", 0, "burn_time_s"), True, "a boolean", id="burn-time-true"),
    pytest.param(("stages", 0, "dry_mass_kg"), "500", "'500', a string", id="mass-string"),
    pytest.param(("reentry_vehicle", "payload_mass_kg"), False, "a boolean", id="payload-false"),
]


@pytest.mark.parametrize(("path", "value", "needle"), STRICT_CATALOGUE)
def test_catalogue_types_are_strict(tmp_path, path, value, needle):
    entry = _builtin_entry()
    obj = entry
    for part in path[:-1]:
        obj = obj[part]
    obj[path[-1]] = value
    o = invoke(["catalog", "missiles", "--catalog", _catalog_file(tmp_path, entry)])
    assert_one_line_error(o, "cat.yaml", "test-mrbm", ".".join(map(str, path)), "valid number",
                          needle)


def test_catalogue_ranges_are_still_lists(tmp_path):
    """``ranges: {field: [min, max]}`` (a YAML list for a tuple) stays valid in strict mode; a
    boolean inside it does not."""
    entry = _builtin_entry()
    entry["ranges"] = {"stages.0.burn_time_s": [100, 120]}
    o = invoke(["catalog", "--json", "--catalog", _catalog_file(tmp_path, entry)])
    assert o.code == 0, o.err
    entry["ranges"] = {"stages.0.burn_time_s": [True, 120]}
    o = invoke(["catalog", "missiles", "--catalog", _catalog_file(tmp_path, entry)])
    assert_one_line_error(o, "ranges", "valid number")


# ---- 7. messages name the file and the field the user wrote ------------------------------------
MESSAGES = [
    pytest.param(BASE.replace("targets: [washington]", "targets: [washington], missile: ''"),
                 ["s.yaml: threats.missile: ", "empty or blank"], id="missile-empty"),
    pytest.param(BASE.replace("targets: [washington]", "targets: [washington], missile: scud-z"),
                 ["s.yaml: threats.missile: unknown missile 'scud-z'; known: ", "shahab3-like"],
                 id="missile-unknown"),
    pytest.param(BASE + "radars: [5]\n",
                 ["s.yaml: radars.0: Input should be a valid string or a mapping (got 5"],
                 id="radar-number"),
    pytest.param(BASE + "radars: [[gabala]]\n", ["s.yaml: radars.0: ", "valid string",
                                                  "a mapping"], id="radar-list"),
    pytest.param(BASE + "radars: [{radar: tpy2-kurecik, lat: north, lon: 3}]\n",
                 ["s.yaml: radars.0.lat: Input should be a valid number"], id="radar-lat-word"),
    pytest.param(BASE + "radars: [{radar: tpy2-kurecik, colour: red}]\n",
                 ["s.yaml: radars.0.colour: unknown field"], id="radar-unknown-field"),
    pytest.param(BASE + "radars: [{radar: tpy2-kurecik, lat: 40}]\n",
                 ["s.yaml: radars.0: give both lat and lon"], id="radar-lat-only"),
    pytest.param(BASE.replace("[sm3-ib]", "[sm9]"),
                 ["s.yaml: sites.0.interceptors: unknown interceptor 'sm9'"], id="interceptor"),
    pytest.param(BASE + "year: 1.5\n", ["s.yaml: year: Input should be a valid integer"],
                 id="year-float"),
    pytest.param("name: [unclosed\n", ["s.yaml: line 2, column 1: malformed YAML: "],
                 id="malformed"),
    pytest.param("name: t\x1b\n", ["s.yaml: line 1: malformed YAML: character #x001b"],
                 id="control-character"),
    pytest.param(BASE + "year: 2023-02-30\n", ["s.yaml: line 4, column 7: malformed YAML: ",
                                                "'2023-02-30'", "day is out of range"],
                 id="impossible-date"),
    pytest.param(BASE + "year: " + "9" * 5000 + "\n", ["s.yaml: line 4, column 7: ",
                                                        "cannot read the value"],
                 id="huge-integer"),
]


@pytest.mark.parametrize(("text", "needles"), MESSAGES)
def test_message_names_file_and_field(tmp_path, text, needles):
    """The file, then the dotted field as written in the file (no union member such as ``str``
    or ``RadarSpec``, no internal name), then what is allowed."""
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    msg = assert_one_line_error(invoke(["scenario", "show", str(p)]), *needles)
    for internal in (".str", "RadarSpec", "function-after", "instance of", "Value error"):
        assert internal not in msg


def test_yaml_error_without_position_has_no_doubled_colon(monkeypatch):
    """A YAML error without a line mark reads 'file: malformed YAML: ...'."""
    def boom(*args, **kwargs):
        raise yaml.YAMLError("something odd")

    monkeypatch.setattr(yaml, "load", boom)
    with pytest.raises(InputError) as info:
        catalog.load_yaml_text("a: 1", "f.yaml")
    assert str(info.value) == "f.yaml: malformed YAML: something odd"


# ---- 8. one validation path: `scenario show` rejects what the studies reject -------------------
SAME_PATH = [
    pytest.param(BASE + "timeline: {fire_control: ir-cue}\nearly_warning: {enabled: false}\n",
                 ["timeline.fire_control: 'ir-cue' needs early_warning.enabled: true"],
                 id="ir-cue-without-early-warning"),
    pytest.param(BASE.replace("[kozelsk]", "[tehran]"),
                 ["threats.bases.0: 'tehran' is a launch-area, not an icbm-base; known: ",
                  "kozelsk"], id="base-not-an-icbm-base"),
    pytest.param(BASE.replace("[kozelsk]", "[washington]"),
                 ["threats.bases.0: 'washington' is a target, not an icbm-base"],
                 id="base-is-a-target"),
    pytest.param(BASE + "interceptor_overrides: {sm3-ib: {burnout_speed_kms: 12, "
                 "burn_time_s: 400}}\n",
                 ["interceptor_overrides.sm3-ib: burnout speed 12 km/s with a 400 s burn",
                  "equivalent booster"],
                 id="override-outside-booster-envelope"),
    pytest.param(BASE + "interceptor_overrides: {sm3-ib: {burn_time_s: 3}}\n",
                 ["interceptor_overrides.sm3-ib", "burn_time_s", "15"],
                 id="override-burn-too-short"),
]


@pytest.mark.parametrize(("text", "needles"), SAME_PATH)
def test_scenario_show_rejects_what_the_studies_reject(tmp_path, text, needles):
    """`scenario show` (validate) and `deterrence`/`study` give the same line, naming the
    file and the field, before any study runs."""
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    messages = set()
    for argv in (["scenario", "show", str(p)], ["deterrence", "--scenario", str(p)],
                 ["study", "--scenario", str(p), "--out", str(tmp_path / "out")]):
        messages.add(assert_one_line_error(invoke(argv), "s.yaml: ", *needles))
    assert len(messages) == 1


def test_launch_area_places_stay_valid_targets(tmp_path):
    """Targets may be launch-area places (a strike on Tehran), as the deterrence study
    accepts them."""
    p = tmp_path / "s.yaml"
    p.write_text(BASE.replace("[washington]", "[tehran]"), encoding="utf-8")
    assert scenario.load(p).threats.targets == ["tehran"]


def test_override_inside_booster_envelope_is_accepted(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(BASE + "interceptor_overrides: {sm3-ib: {burnout_speed_kms: 4}}\n",
                 encoding="utf-8")
    assert scenario.load(p).interceptor("sm3-ib").burnout_speed_kms == 4.0


# ---- 9. burn times: bounded in the schema, rejected at once --------------------------------------
BURNS = [
    pytest.param({"burn_time_s": 1e-6}, ["stages.0.burn_time_s", "at least 1 s",
                                         "[1, 1000] s"], id="burn-1e-6"),
    pytest.param({"burn_time_s": 0.5}, ["stages.0.burn_time_s", "at least 1 s"], id="burn-0.5"),
    pytest.param({"burn_time_s": 1.0}, ["stages.0: thrust acceleration", "exceeds 150 g"],
                 id="burn-1-heavy"),
    pytest.param({"burn_time_s": 12.0}, ["guidance: vertical_rise_s + pitchover_s = 18 s",
                                         "stages.0.burn_time_s 12"], id="burn-before-turn"),
]


@pytest.mark.parametrize(("stage", "needles"), BURNS)
def test_impossible_burn_is_rejected_at_once(tmp_path, stage, needles):
    """A 1e-6 s burn took 109 s to fail; now the catalogue load refuses it (and burns so short
    that the thrust or the guidance makes no sense) within seconds."""
    entry = _builtin_entry()
    entry["stages"][0].update(stage)
    t0 = time.perf_counter()
    o = invoke(["fly", "--missile", "test-mrbm", "--catalog", _catalog_file(tmp_path, entry),
                "--launch", "35.7,51.4", "--target", "38.0,46.0"])
    assert_one_line_error(o, "cat.yaml", "test-mrbm", *needles)
    assert time.perf_counter() - t0 < 30.0


def test_builtin_catalogue_passes_the_new_bounds():
    """Every built-in missile and interceptor (and its equivalent booster) is still valid."""
    from euroshield.defense.interceptors import boosters, interceptors

    assert len(catalog.missiles()) >= 8
    assert all(b is not None for b in boosters(list(interceptors().values())))
