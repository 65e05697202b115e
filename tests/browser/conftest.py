"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and one study run.

The tests need Debian's ``chromium`` (``apt-get install chromium``) and the Python package
``playwright`` (the ``test`` extra); ``playwright install`` is never needed, the system browser
is launched through ``executable_path``. Without them the tests are skipped with a visible
reason, except under ``CI=true``, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"

# Flags known to work on this machine and in CI (no sandbox as root, no background networking,
# a fresh profile: Playwright's launch() makes a new temporary --user-data-dir every time).
# WebGL for the Cesium globe runs on SwiftShader, so --disable-gpu is NOT passed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if path is None:
        if in_ci():
            pytest.fail("CI needs Debian's chromium: apt-get install chromium "
                        "(the browser tests drive it through Playwright)")
        pytest.skip("no Chromium installed: browser tests skipped (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci():
            pytest.fail("CI needs the Python package playwright: pip install -e '.[test]'")
        pytest.skip("playwright not installed: browser tests skipped (pip install -e '.[test]')")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True,
                               args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def context(browser):
    """A fresh browser context per test (own cookies, cache and storage)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def ci() -> bool:
    """True under CI=true: there a missing browser or globe fails instead of skipping."""
    return in_ci()


@pytest.fixture(scope="session")
def run_study():
    """The study command as a function: ``run_study(out_dir, scenario_file=None)``."""
    return run_study_cli


def run_study_cli(out_dir: Path, scenario_file: Path | None = None) -> float:
    """``euroshield study [--scenario FILE] --out DIR``; returns the seconds it took."""
    from euroshield import cli

    args = ["study", "--out", str(out_dir)]
    if scenario_file is not None:
        args[1:1] = ["--scenario", str(scenario_file)]
    t0 = time.perf_counter()
    code = cli.main(args)
    assert code == 0, f"euroshield {' '.join(args)} exited with {code}"
    assert (out_dir / "index.html").is_file()
    return time.perf_counter() - t0


@pytest.fixture(scope="session")
def study_dir(tmp_path_factory, browser) -> Path:
    """The default scenario's report folder, written ONCE per session (15-30 s).

    Depends on ``browser`` so that a machine without Chromium or Playwright skips at once
    instead of running the study for nothing."""
    out = tmp_path_factory.mktemp("study") / "report"
    seconds = run_study_cli(out)
    print(f"\nbrowser tests: default study written in {seconds:.1f} s")
    return out
