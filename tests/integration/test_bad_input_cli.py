"""Hardening of the command-line options and of the environment (issue 12).

Options: every number is checked (finite, in a stated range) before anything is computed, in
every branch; options a command would ignore are refused; whole numbers are written as digits;
ranges stated for an option are the ones its schema enforces; empty paths are refused.
Messages: exactly one line, whatever control characters the user's input holds.
Environment (subprocesses): standard output on a full device or a closed pipe, an ASCII-only
output encoding, a kernel-cache folder that cannot be written, and a second Ctrl-C while the
program ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from cli_support import assert_one_line_error, invoke

from euroshield import cli

FF = ["free-flight"]
ME = [*FF, "--minimum-energy", "--numeric", "--range-km", "3000"]
FLY = ["fly", "--launch", "54.03,35.77", "--target", "38.9,-77.0"]
SMALL = ["--base", "kozelsk", "--target", "washington", "--site", "norwegian-sea",
         "--interceptor", "sm3-iia"]


def run(argv: list[str], env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    """The CLI as a program (``python -m euroshield.cli``), with environment overrides."""
    return subprocess.run([sys.executable, "-m", "euroshield.cli", *argv], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300, **kw)


# ---- 1. free-flight: every number checked in every branch, before computing ---------------------
FREE_FLIGHT_CASES = [
    pytest.param([*ME, "--lat", "nan"], ["--lat", "finite"], id="me-numeric-lat-nan"),
    pytest.param([*ME, "--lat", "inf"], ["--lat", "finite"], id="me-numeric-lat-inf"),
    pytest.param([*ME, "--lon", "-inf"], ["--lon", "finite"], id="me-numeric-lon-inf"),
    pytest.param([*ME, "--lon", "nan"], ["--lon", "finite"], id="me-numeric-lon-nan"),
    pytest.param([*ME, "--azimuth-deg", "nan"], ["--azimuth-deg", "finite"],
                 id="me-numeric-azimuth-nan"),
    pytest.param([*ME, "--azimuth-deg", "inf"], ["--azimuth-deg", "finite"],
                 id="me-numeric-azimuth-inf"),
    pytest.param([*ME, "--lat", "91"], ["--lat", "91", "[-90, 90]"], id="me-numeric-lat-91"),
    pytest.param([*ME, "--lon", "400"], ["--lon", "[-180, 360]"], id="me-numeric-lon-400"),
    pytest.param([*ME, "--azimuth-deg", "720"], ["--azimuth-deg", "[-360, 360]"],
                 id="me-numeric-azimuth-720"),
    pytest.param([*FF, "--minimum-energy", "--numeric", "--range-km", "1e-320"],
                 ["--range-km", "[1, 20015.1]"], id="me-numeric-range-denormal"),
    pytest.param([*FF, "--minimum-energy", "--numeric", "--range-km", "0.001"],
                 ["--range-km", "0.001", "[1, 20015.1]"], id="me-numeric-range-1-metre"),
    pytest.param([*FF, "--minimum-energy", "--range-km", "1e-320"], ["--range-km", "[1, "],
                 id="me-closed-range-denormal"),
    pytest.param([*FF, "--minimum-energy", "--range-km", "0"], ["--range-km", "[1, "],
                 id="me-closed-range-zero"),
    # a nearly vertical "ellipse": 1 km downrange, 5,000 km down (was NumPy warnings + dashes)
    pytest.param([*FF, "--minimum-energy", "--range-km", "1", "--altitude-km", "5000",
                  "--earth-radius-km", "100000"], ["--range-km", "nearly vertical"],
                 id="me-degenerate-ellipse"),
    # options the branch would ignore are refused rather than silently dropped
    pytest.param([*FF, "--minimum-energy", "--range-km", "3000", "--lat", "10"],
                 ["--lat", "only used with --numeric"], id="lat-without-numeric"),
    pytest.param([*FF, "--speed-kms", "5", "--gamma-deg", "30", "--azimuth-deg", "10"],
                 ["--azimuth-deg", "only used with --numeric"], id="azimuth-without-numeric"),
    pytest.param([*FF, "--speed-kms", "5", "--gamma-deg", "30", "--earth", "wgs84"],
                 ["--earth", "only used with --numeric"], id="earth-without-numeric"),
    pytest.param([*FF, "--speed-kms", "5", "--gamma-deg", "30", "--rotating"],
                 ["--rotating", "only used with --numeric"], id="rotating-without-numeric"),
    pytest.param([*FF, "--minimum-energy", "--range-km", "3000", "--speed-kms", "5"],
                 ["--speed-kms", "not used with --minimum-energy"], id="speed-with-me"),
    pytest.param([*FF, "--minimum-energy", "--range-km", "3000", "--gamma-deg", "5"],
                 ["--gamma-deg", "not used with --minimum-energy"], id="gamma-with-me"),
    pytest.param([*FF, "--speed-kms", "5", "--gamma-deg", "30", "--range-km", "100"],
                 ["--range-km", "only used with --minimum-energy"], id="range-without-me"),
    # the numeric options are checked even on the closed-form branch
    pytest.param([*FF, "--speed-kms", "5", "--gamma-deg", "30", "--lat", "nan"],
                 ["--lat", "finite"], id="closed-lat-nan"),
]


@pytest.mark.parametrize(("argv", "needles"), FREE_FLIGHT_CASES)
def test_free_flight_numbers_are_checked_in_every_branch(argv, needles):
    assert_one_line_error(invoke(argv), *needles)


def test_free_flight_minimum_energy_numeric_still_works():
    """The valid call of the branch that used to skip the checks: 1,000 km, flown numerically
    from 60 N on a rotating WGS84 Earth; the integrated range matches the requested one."""
    o = invoke([*FF, "--minimum-energy", "--numeric", "--range-km", "1000", "--lat", "60",
                "--lon", "350", "--azimuth-deg", "-45", "--earth", "sphere", "--no-rotating",
                "--json"])
    assert o.code == 0, o.err
    rec = json.loads(o.out)
    assert rec["numeric"]["ground_range_km"] == pytest.approx(1000.0, abs=1.0)
    o = invoke([*FF, "--minimum-energy", "--range-km", "1", "--json"])  # the lower bound
    assert o.code == 0, o.err
    assert json.loads(o.out)["flight_time_s"] > 0


# ---- 3. fly shape options, whole numbers, the salvo range -------------------------------------
OPTION_CASES = [
    pytest.param([*FLY, "--apogee-km", "500"], ["--apogee-km", "only used with --shape lofted"],
                 id="apogee-with-minimum-energy"),
    pytest.param([*FLY, "--shape", "depressed", "--gamma-deg", "10", "--apogee-km", "500"],
                 ["--apogee-km", "only used with --shape lofted"], id="apogee-with-depressed"),
    pytest.param([*FLY, "--gamma-deg", "10"], ["--gamma-deg", "only used with --shape depressed"],
                 id="gamma-with-minimum-energy"),
    pytest.param([*FLY, "--shape", "lofted", "--apogee-km", "900", "--gamma-deg", "10"],
                 ["--gamma-deg", "only used with --shape depressed"], id="gamma-with-lofted"),
    pytest.param(["serve", "--port", "65535.0"], ["--port", "whole number", "[1, 65535]",
                                                  "'65535.0'"], id="port-float-text"),
    pytest.param(["serve", "--port", "8_000"], ["--port", "whole number"], id="port-underscore"),
    pytest.param(["serve", "--port", "0x50"], ["--port", "whole number"], id="port-hex"),
    pytest.param(["serve", "--port", "1e3"], ["--port", "whole number"], id="port-exponent"),
    pytest.param(["serve", "--port", "0"], ["--port", "0", "[1, 65535]"], id="port-0"),
    pytest.param(["serve", "--port", "65536"], ["--port", "65536", "[1, 65535]"],
                 id="port-65536"),
    pytest.param(["serve", "--port", "-1"], ["--port", "[1, 65535]"], id="port-negative"),
    pytest.param(["serve", "--port", "9" * 400], ["--port", "whole number"], id="port-huge"),
    pytest.param(["deterrence", "--salvo", "65"], ["--salvo", "65", "[1, 64]"], id="salvo-65"),
    pytest.param(["deterrence", "--salvo", "100"], ["--salvo", "[1, 64]"], id="salvo-100"),
    pytest.param(["deterrence", "--salvo", "0"], ["--salvo", "[1, 64]"], id="salvo-0"),
    pytest.param(["deterrence", "--salvo", "2.0"], ["--salvo", "whole number"],
                 id="salvo-float-text"),
    pytest.param(["deterrence", "--salvo", ""], ["--salvo", "whole number"], id="salvo-empty"),
]


@pytest.mark.parametrize(("argv", "needles"), OPTION_CASES)
def test_option_is_refused_with_one_line(argv, needles):
    msg = assert_one_line_error(invoke(argv), *needles)
    assert "doctrine" not in msg  # named as the option the user typed


def test_salvo_range_is_the_schema_range():
    """``--salvo`` states and enforces the doctrine schema's range: 64 passes the option check
    (the run then fails on the next problem, an unknown scenario), 65 does not."""
    from euroshield.studies.attrition import Doctrine

    assert cli.schema_bounds(Doctrine, "salvo") == (1, 64)
    o = invoke(["deterrence", "--salvo", "64", "--scenario", "no-such-scenario"])
    assert_one_line_error(o, "no-such-scenario")
    assert "--salvo" not in o.err
    import inspect

    help_text = inspect.signature(cli.deterrence).parameters["salvo"].default.help
    assert help_text.endswith("1 to 64"), help_text


def test_port_in_range_is_accepted_up_to_the_folder_check(tmp_path):
    """A valid port passes; the next check (the folder) is what fails."""
    assert_one_line_error(invoke(["serve", str(tmp_path / "missing"), "--port", "65535"]),
                          "DIRECTORY", "not a folder")


# ---- 5. empty paths and control characters ----------------------------------------------------
def test_empty_paths_are_refused():
    assert_one_line_error(invoke(["serve", ""]), "DIRECTORY", "empty path")
    assert_one_line_error(invoke(["scenario", "show", ""]), "REF", "empty")
    assert_one_line_error(invoke([*FLY, "--csv", ""]), "--csv", "is a folder")


CONTROL = "a\nb\x1b[31mc\rd\u2028e\x85f"  # newline, ESC, CR, line separator, NEL


@pytest.mark.parametrize("argv", [
    pytest.param(["catalog", CONTROL], id="catalog-kind"),
    pytest.param(["serve", "/nonexistent/" + CONTROL], id="serve-folder"),
    pytest.param(["scenario", "show", CONTROL + ".yaml"], id="scenario-file"),
    pytest.param(["catalog", "--catalog", CONTROL + ".yaml"], id="catalog-file"),
    pytest.param([*FLY, "--csv", f"/nonexistent/{CONTROL}/x.csv"], id="fly-csv"),
    pytest.param([*FLY, "--missile", CONTROL], id="missile-name"),
])
def test_control_characters_in_input_are_escaped_in_the_one_line(argv):
    """No control character of the input reaches the terminal: the line has none, it is one
    line by every definition Python knows, and the input is shown escaped."""
    err = assert_one_line_error(invoke(argv))
    assert all(c.isprintable() for c in err[:-1]), repr(err)
    assert "\\x1b" in err and ("\\n" in err or "\\x0a" in err), err


def test_one_line_escapes_every_invisible_character():
    assert cli.one_line("x\ny\x1bz\u2028\u202e\udcff ± ok") == \
        "x\\ny\\x1bz\\u2028\\u202e\\udcff ± ok"


def test_escape_handler_keeps_json_valid():
    """Characters an ASCII stream cannot show become \\uXXXX escapes, valid JSON escapes."""
    import codecs

    codecs.register_error("euroshield-escape", cli._escape_unencodable)  # as main does
    text = "± m² 😀 \udcff"
    encoded = text.encode("ascii", "euroshield-escape").decode("ascii")
    assert encoded.isascii()
    assert json.loads(f'"{encoded}"') == text


# ---- 2. deterrence with several interceptor speeds, summary form ------------------------------
def test_deterrence_with_two_speeds_prints_a_summary_per_speed():
    """The summary renderer (not --json) crashed on the list of speeds."""
    o = invoke(["deterrence", *SMALL, "--interceptor-speed-kms", "3",
                "--interceptor-speed-kms", "6"])
    assert o.code == 0, o.err
    assert "Traceback" not in o.err
    text = " ".join(o.out.split())
    assert "with every interceptor at 3 km/s" in text
    assert "with every interceptor at 6 km/s" in text
    assert "attrition" in text


# ---- 4. the environment (subprocesses) --------------------------------------------------------
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["catalog"], ["catalog", "--json"], ["scenario", "list"]])
def test_stdout_on_a_full_device_is_one_line(argv):
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "euroshield.cli", *argv], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=300)
    assert p.returncode == 1, p.stderr
    assert p.stderr == ("euroshield: error: cannot write to standard output: No space left "
                        "on device\n"), p.stderr


def test_stdout_closed_by_the_reader_is_quiet():
    """``euroshield catalog | head -0``: the reader went away; no traceback, no message."""
    p = subprocess.Popen([sys.executable, "-m", "euroshield.cli", "catalog"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.close()
    err = p.stderr.read()
    p.wait(timeout=300)
    assert p.returncode == 1, err
    assert err == "", err


def test_ascii_output_encoding_does_not_crash():
    """``PYTHONIOENCODING=ascii``: the ± and ² of the catalogue tables are escaped, the JSON
    stays valid JSON with the same text."""
    env = {"PYTHONIOENCODING": "ascii"}
    p = run(["catalog", "radars"], env)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    assert "\\u00b1" in p.stdout and "\\u00b2" in p.stdout
    p = run(["catalog", "radars", "--json"], env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.isascii()
    utf8 = run(["catalog", "radars", "--json"])
    assert json.loads(p.stdout) == json.loads(utf8.stdout)
    p = run(["catalog", "nope\u00b1"], env)  # a non-ASCII error message
    assert p.returncode == 2 and len(p.stderr.splitlines()) == 1, p.stderr


def _no_cache_env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(TMPDIR=str(tmp_path / "tmp"), **extra)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


@pytest.mark.parametrize("where", ["home", "xdg", "numba"])
def test_unwritable_cache_folder_falls_back_to_a_temporary_one(tmp_path, where):
    """The cache folder cannot be created (its parent is a file, which stops root too): one
    warning line, the kernels cache under the temporary directory, and the command works."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    extra = {"home": {"HOME": str(blocker)},
             "xdg": {"XDG_CACHE_HOME": str(blocker / "cache")},
             "numba": {"NUMBA_CACHE_DIR": str(blocker / "numba")}}[where]
    env = _no_cache_env(tmp_path, **extra)
    code = ("import os, sys; from euroshield.cli import main; rc = main(); "
            "print(os.environ['NUMBA_CACHE_DIR'], file=sys.stderr); sys.exit(rc)")
    p = subprocess.run([sys.executable, "-c", code, "free-flight", "--speed-kms", "5",
                        "--gamma-deg", "30", "--json"], capture_output=True, text=True,
                       env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["range_angle_deg"] > 0
    warning, cache_dir = p.stderr.splitlines()
    assert warning.startswith("euroshield: warning: cannot write "), warning
    assert "instead" in warning and "Traceback" not in p.stderr
    cache = Path(cache_dir)
    assert cache.parent == tmp_path / "tmp" and cache.name.startswith("euroshield-numba-")
    assert cache.is_dir() and not cache.stat().st_mode & 0o077  # private to the user


def test_no_writable_folder_at_all_compiles_without_a_cache(tmp_path):
    """Neither the home cache, nor the temporary directory, nor numba's own places: one warning
    line, and the ``cache=True`` kernels still load and run (numba alone raises "no locator
    available" at import)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code = textwrap.dedent(f"""
        import tempfile
        tempfile.tempdir = {str(blocker / 'tmp')!r}
        from numba.core import caching
        caching.CacheImpl._locator_classes = []  # numba finds no writable place either
        from euroshield import _jitcache
        from euroshield.earth import frames
        from numba import njit

        @njit(cache=True)
        def twice(x):
            return 2 * x

        assert twice(21) == 42 and _jitcache.is_cold()
        print("ok")
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=_no_cache_env(tmp_path, HOME=str(blocker)), timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "ok\n"
    assert len(p.stderr.splitlines()) == 1, p.stderr
    assert "without a cache" in p.stderr


# ---- 6. a second Ctrl-C while the program ends --------------------------------------------------
SLEEPY = """
import os, sys, time
os.cpu_count = lambda: 4  # use the thread pool even on a one-core runner
from euroshield import cli, _parallel

@cli.app.command("sleepy")
def sleepy():
    sys.stderr.write("started\\n")
    sys.stderr.flush()
    _parallel.parallel_blocks(lambda rows: time.sleep(20), 16, size=1)

sys.argv = ["euroshield", "sleepy"]
sys.exit(cli.main())
"""


def test_second_ctrl_c_while_the_pool_joins_is_quiet(tmp_path):
    """The first Ctrl-C: one line and exit 130 once the running blocks end. A second one while
    the interpreter waits for the pool's threads (blocks of 20 s here) ends the process at once
    with exit code 130: no traceback from the shutdown."""
    script = tmp_path / "sleepy.py"
    script.write_text(SLEEPY)
    p = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.PIPE, text=True)
    try:
        assert p.stderr.readline() == "started\n"
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        assert p.stderr.readline() == "euroshield: interrupted\n"
        time.sleep(0.3)  # now in the interpreter's shutdown, joining the sleeping threads
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        rest = p.stderr.read()
        p.wait(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
    assert time.monotonic() - t0 < 10  # did not wait for the 20 s blocks
    assert p.returncode == 130, rest
    assert rest == "", rest
