"""Output folders (``--out``) of ``study``, ``deterrence`` and ``footprint`` (issue 12):

* a folder is replaced as a whole at the end of a run (``report/folders.py``): an interrupted or
  failed run leaves the earlier folder exactly as it was and no temporary folder behind, and
  files of an earlier run that the new run does not write are gone;
* only folders euroshield wrote (marker file) or empty ones are replaced; anything else is
  refused with one line, before any computation, as is a folder that cannot be written;
* scenario names become safe sub-folder names: nothing is written outside ``--out``;
* the report's globe works from its final place (``euroshield serve``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from cli_support import assert_one_line_error, invoke
from test_study_report import small_scenario

from euroshield.errors import InputError
from euroshield.report import globe
from euroshield.report.folders import MARKER, atomic_folder, check_out, safe_name, unique_names

SMALL_DETERRENCE = ["--base", "kozelsk", "--target", "washington", "--site", "norwegian-sea",
                    "--interceptor", "sm3-iia"]
SMALL_FOOTPRINT = ["--resolution-deg", "2", "--launch-area", "iran-north-west", "--missile",
                   "sejjil2-like"]
STUDY_FILES = {"index.html", "deterrence.json", "scenario.yaml", "globe.html", MARKER}


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path below ``root`` (relative) -> file bytes (None for folders)."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes())
            for p in sorted(root.rglob("*"))}


def write_scenario(path: Path, name: str, **timeline) -> Path:
    data = small_scenario(name).model_dump(mode="json")
    data["timeline"].update(timeline)
    if timeline.get("fire_control") == "ir-cue":
        data["early_warning"]["enabled"] = True
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# ---- the helper ---------------------------------------------------------------------------------
def test_safe_names_stay_inside_the_folder():
    names = unique_names(["../escaped", "/abs/escaped", "..", "", "A b", "a-b", ".hidden",
                          "x" * 300])
    assert names[:7] == ["escaped", "abs-escaped", "scenario", "scenario-2", "a-b", "a-b-2",
                         "hidden"]
    assert names[7] == "x" * 100
    assert safe_name("epaa-phase-1_v2.0") == "epaa-phase-1_v2.0"
    for n in names:
        assert n and not n.startswith((".", "-")) and "/" not in n


def test_atomic_folder_replaces_as_a_whole_and_rolls_back(tmp_path):
    d = tmp_path / "out"
    with atomic_folder(d) as t:  # a new folder
        assert t.parent == tmp_path and t.name.startswith(".out.tmp-") and not d.exists()
        (t / "a.txt").write_text("1")
        (t / "only-first.txt").write_text("x")
    assert set(os.listdir(d)) == {MARKER, "a.txt", "only-first.txt"}
    with atomic_folder(d) as t:  # over our own folder: files of the first run are gone
        (t / "a.txt").write_text("2")
    assert set(os.listdir(d)) == {MARKER, "a.txt"} and (d / "a.txt").read_text() == "2"
    before = tree(d)
    for exc in (RuntimeError, KeyboardInterrupt):  # an error or Ctrl-C: the folder as it was
        with pytest.raises(exc), atomic_folder(d) as t:
            (t / "a.txt").write_text("3")
            (t / "b.txt").write_text("3")
            raise exc()
        assert tree(d) == before
    assert os.listdir(tmp_path) == ["out"]  # no temporary or old folder left behind


def test_an_empty_folder_is_used_and_a_foreign_one_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_folder(empty) as t:
        (t / "a.txt").write_text("1")
    assert (empty / MARKER).is_file() and (empty / "a.txt").is_file()
    foreign = tmp_path / "home"
    (foreign / "docs").mkdir(parents=True)
    (foreign / "notes.txt").write_text("mine")
    before = tree(foreign)
    with pytest.raises(InputError, match="euroshield did not write") as e:
        with atomic_folder(foreign):
            pytest.fail("a foreign folder was accepted")
    assert "\n" not in str(e.value) and tree(foreign) == before
    with pytest.raises(InputError, match="root folder"):
        check_out(Path("/"))
    with pytest.raises(InputError, match="cannot create"):
        check_out(foreign / "notes.txt")
    with pytest.raises(InputError, match="cannot create"):
        check_out(foreign / "notes.txt" / "sub")
    with pytest.raises(InputError, match="control\\\\x1b\\[0m"):  # escaped, one line
        check_out(foreign / "notes.txt" / "control\x1b[0m")
    assert set(os.listdir(tmp_path)) == {"empty", "home"}


def test_the_current_folder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    for p in (Path("."), Path(".."), tmp_path):
        with pytest.raises(InputError, match="current folder"):
            check_out(p)


def test_leftovers_of_killed_runs_are_removed_only_if_ours(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ours, theirs = tmp_path / f".out.tmp-{dead.pid}", tmp_path / f".out.old-{dead.pid}"
    for p in (ours, theirs):
        p.mkdir()
        (p / "x").write_text("x")
    (ours / MARKER).write_text("")
    with atomic_folder(tmp_path / "out"):
        pass
    assert not ours.exists() and (theirs / "x").is_file()


# ---- the commands: checks before computing ----------------------------------------------------
def _must_not_run(*args, **kwargs):
    raise AssertionError("the computation started before --out was checked")


@pytest.mark.parametrize("command", ["study", "deterrence", "footprint"])
@pytest.mark.parametrize("case", ["below-a-file", "foreign-folder"])
def test_bad_out_is_refused_before_computing(tmp_path, monkeypatch, command, case):
    monkeypatch.setattr("euroshield.report.study.run_study", _must_not_run)
    monkeypatch.setattr("euroshield.studies.deterrence.deterrence", _must_not_run)
    monkeypatch.setattr("euroshield.studies.footprint.defence_of", _must_not_run)
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "thesis.tex").write_text("mine")
    before = tree(tmp_path)
    target = tmp_path / ("file/out" if case == "below-a-file" else "folder")
    extra = {"study": [], "deterrence": SMALL_DETERRENCE, "footprint": SMALL_FOOTPRINT}
    o = invoke([command, *extra[command], "--out", str(target)])
    assert_one_line_error(o, "--out:", "cannot create" if case == "below-a-file"
                          else "euroshield did not write")
    assert tree(tmp_path) == before


# ---- deterrence and footprint ------------------------------------------------------------------
def test_deterrence_scenario_names_cannot_leave_out(tmp_path):
    """Several scenarios named ``../escaped`` and an absolute path: sub-folders with safe names
    inside --out, nothing anywhere else; a second run with one scenario and no --sweep leaves
    only its own files."""
    work = tmp_path / "work"
    work.mkdir()
    absolute = str(tmp_path / "abs-escaped")
    a = write_scenario(tmp_path / "a.yaml", "../escaped")
    b = write_scenario(tmp_path / "b.yaml", absolute)
    out = work / "out"
    before = tree(tmp_path)
    o = invoke(["deterrence", "--scenario", str(a), "--scenario", str(b), *SMALL_DETERRENCE,
                "--sweep", "--out", str(out)])
    assert o.code == 0, o.err
    after = tree(tmp_path)
    outside = {p for p in set(after) - set(before) if not p.startswith("work/out")}
    assert outside == set(), outside
    subs = {"escaped", safe_name(absolute)}
    assert set(os.listdir(out)) == {MARKER, *subs}
    for sub in subs:
        assert set(os.listdir(out / sub)) == {MARKER, "routes.csv", "deterrence.json",
                                              "map.png", "attrition-sweep.csv"}
        assert f"wrote{out / sub}/routes.csv" in "".join(o.out.split())  # rich wraps lines
    assert os.listdir(work) == ["out"]

    o = invoke(["deterrence", "--scenario", str(a), *SMALL_DETERRENCE, "--out", str(out)])
    assert o.code == 0, o.err
    assert set(os.listdir(out)) == {MARKER, "routes.csv", "deterrence.json", "map.png"}
    assert os.listdir(work) == ["out"]


def test_footprint_replaces_an_earlier_output_folder(tmp_path):
    out = tmp_path / "out"
    assert invoke(["deterrence", *SMALL_DETERRENCE, "--out", str(out)]).code == 0
    o = invoke(["footprint", *SMALL_FOOTPRINT, "--out", str(out)])
    assert o.code == 0, o.err
    names = set(os.listdir(out))
    assert {MARKER, "footprint.json", "footprints.csv", "capitals.csv", "us-routes.csv"} <= names
    assert "routes.csv" not in names and "deterrence.json" not in names
    assert os.listdir(tmp_path) == ["out"]


# ---- study: interrupted, rerun, globe ---------------------------------------------------------
@pytest.fixture(scope="module")
def fake_cesium(tmp_path_factory):
    src = tmp_path_factory.mktemp("cesium") / "Build" / "Cesium"
    (src / "Widgets").mkdir(parents=True)
    (src / "Cesium.js").write_text("/* fake CesiumJS */ window.Cesium = {};\n")
    (src / "Widgets" / "widgets.css").write_text("/* fake */\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(globe.ENV_CESIUM_DIR, str(src))
        yield src


@pytest.fixture(scope="module")
def first_report(tmp_path_factory, fake_cesium):
    """A small study report with the what-if files and the (fake) globe."""
    work = tmp_path_factory.mktemp("study")
    scenario_file = write_scenario(work / "small.yaml", "small")
    out = work / "report"
    o = invoke(["study", "--scenario", str(scenario_file), "--out", str(out)])
    assert o.code == 0, o.err
    assert STUDY_FILES | {"deterrence-ir-cue.json", "routes-ir-cue.csv", "cesium"} <= set(
        os.listdir(out))
    return work, scenario_file, out, tree(out)


def test_interrupted_study_leaves_the_earlier_report(first_report, fake_cesium):
    """Ctrl-C during a second study over the report: exit 130, one line, the report exactly as
    the first run left it, no temporary folder."""
    work, scenario_file, out, before = first_report
    env = {**os.environ, globe.ENV_CESIUM_DIR: str(fake_cesium)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "euroshield.cli", "study", "--scenario", str(scenario_file),
         "--out", str(out)], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        # a shell without job control starts background jobs with Ctrl-C ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    tmp = work / f".report.tmp-{proc.pid}"
    deadline = time.monotonic() + 60
    while not tmp.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tmp.exists(), "the second run never started writing"
    time.sleep(1.5)  # well inside the computation (about 10 s)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.decode().splitlines() == ["euroshield: interrupted"]
    assert tree(out) == before
    assert set(os.listdir(work)) == {"small.yaml", "report"}


def test_rerun_drops_files_of_the_earlier_report_and_the_globe_serves(first_report, tmp_path):
    """A report whose scenario already fires on the IR cue has no what-if files: those of the
    earlier report are gone. The globe (CesiumJS linked from the earlier copy, not shared
    afterwards) is served from the final folder."""
    import json
    import shutil

    _, _, first, _ = first_report
    out = tmp_path / "report"
    shutil.copytree(first, out, symlinks=True)
    scenario_file = write_scenario(tmp_path / "ir.yaml", "ir", fire_control="ir-cue")
    o = invoke(["study", "--scenario", str(scenario_file), "--out", str(out), "--json"])
    assert o.code == 0, o.err
    info = json.loads(o.out)
    assert info["out_dir"] == str(out) and info["globe"] is True
    names = set(os.listdir(out))
    assert STUDY_FILES | {"cesium"} <= names
    assert not names & {"deterrence-ir-cue.json", "routes-ir-cue.csv", "map-ir-cue.png"}
    assert set(os.listdir(tmp_path)) == {"report", "ir.yaml"}
    assert (out / "cesium" / "Cesium.js").stat().st_nlink == 1
    server, thread, url = globe.start_server(out, port=0)
    try:
        base = url.rsplit("/", 1)[0]
        with urllib.request.urlopen(url, timeout=10) as r:
            assert 'src="cesium/Cesium.js"' in r.read().decode("utf-8")
        for name in ("cesium/Cesium.js", "trajectories.czml", "index.html"):
            with urllib.request.urlopen(f"{base}/{name}", timeout=10) as r:
                assert r.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_a_report_of_an_earlier_version_is_recognised(tmp_path):
    """A report folder written before the marker file existed (index.html and a scenario.yaml
    starting with euroshield's comment) may be replaced; another folder may not."""
    from euroshield.report.folders import is_ours

    old = tmp_path / "old-report"
    old.mkdir()
    (old / "index.html").write_text("<html></html>", encoding="utf-8")
    (old / "scenario.yaml").write_text(
        "# the exact effective scenario of this report: euroshield study --scenario "
        "scenario.yaml repeats it\nname: x\n", encoding="utf-8")
    assert is_ours(old)
    (old / "scenario.yaml").write_text("name: somebody else's\n", encoding="utf-8")
    assert not is_ours(old)
