"""``euroshield campaign``: the JSON document, identical results whatever the executor, a real
SIGKILL and resume, store refusal, bad input (one line, exit code 2, results untouched).

A small scenario (12 routes, 3 shooters, 4 uncertain parameters) keeps every run to seconds."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from cli_support import assert_one_line_error, invoke, invoke_json

from euroshield.studies import campaign as cp

RUNS = "1000"
SCENARIO = """\
name: campaign-test
sites:
  - {site: redzikowo, interceptors: [sm3-ib, sm3-iia]}
  - {site: north-sea, interceptors: [sm3-iia]}
radars: [spy1-redzikowo, tpy2-kurecik]
threats:
  missile: topol-m-like
  bases: [kozelsk, vypolzovo, teykovo]
  targets: [washington, new-york, boston, chicago]
distributions:
  - {parameter: interceptors.sm3-iia.burnout_speed_kms, kind: uniform, low: 4.0, high: 5.5,
     source: test}
  - {parameter: radars.spy1-redzikowo.reference_range_km, kind: uniform, low: 300, high: 1500,
     source: test}
  - {parameter: timeline.decision_delay_s, kind: DELAY_KIND, low: 0, high: 120, source: test}
  - {parameter: timeline.fire_control, kind: choice, values: [radar-track, ir-cue],
     source: test}
"""
SAME = ("results", "summary", "sensitivity", "tornado", "conditional", "runs", "seed")


def _write(folder: Path, text: str = SCENARIO, name: str = "small.yaml") -> Path:
    path = folder / name
    path.write_text(text.replace("DELAY_KIND", "uniform"), encoding="utf-8")
    return path


def _args(yaml: Path, store: Path, *more: str) -> list[str]:
    return ["campaign", str(yaml), "--runs", RUNS, "--sobol-draws", "64", "--store", str(store),
            "--json", *more]


def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _assert_same(got: dict, doc: dict, keys=SAME) -> None:
    """The results (``keys`` of the document) equal the reference run's."""
    for k in keys:
        assert got[k] == doc[k], k


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted single-process run (also writes --out)."""
    d = tmp_path_factory.mktemp("campaign")
    yaml = _write(d)
    return d, yaml, invoke_json(_args(yaml, d / "store", "--executor", "single", "--out",
                                      str(d / "out")))


def test_json_document(reference):
    d, _, doc = reference
    assert doc["runs"] == 1000 and doc["seed"] == 1 and doc["converged"] is None
    routes = [r for r in doc["results"] if "route" in r]
    aims = [r for r in doc["results"] if "aim_point" in r]
    assert len(routes) == 12 and len(aims) == 4
    # aim points as objects (the footprint campaign's form): name and WGS84 coordinates
    points = {a["aim_point"]["name"]: a["aim_point"] for a in aims}
    assert set(points) == {"washington", "new-york", "boston", "chicago"}
    assert abs(points["washington"]["lat_deg"] - 38.9) < 0.1  # Washington DC, 38.9 N 77.0 W
    assert abs(points["washington"]["lon_deg"] + 77.0) < 0.1
    for r in routes:
        # the stated interval is the Wilson interval of the stated counts
        lo, hi = cp.wilson(r["engageable_draws"], doc["runs"])
        assert r["ci95"] == [round(float(lo), 4), round(float(hi), 4)]
        assert r["p_engageable"] == round(r["engageable_draws"] / doc["runs"], 4)
        assert r["ci95"][0] <= r["p_engageable"] <= r["ci95"][1]
    assert {s["parameter"] for s in doc["sensitivity"]} == {
        "interceptors.sm3-iia.burnout_speed_kms", "radars.spy1-redzikowo.reference_range_km",
        "timeline.decision_delay_s", "timeline.fire_control"}
    for s in doc["sensitivity"]:
        assert set(s) >= {"parameter", "first_order", "total"}
    # in this small scenario interceptors launch on the infrared cue in half the draws:
    # fire control must be among the two largest total indices
    assert "timeline.fire_control" in [s["parameter"] for s in doc["sensitivity"][:2]]
    ev = doc["evaluation"]
    assert ev["fast_path"] and ev["exact_evaluations"] == 0
    assert ev["evaluations"] == 1000 + 64 * 5 + 9  # draws, Sobol rows, tornado rows
    for name in ("campaign.json", "routes.csv", "aim-points.csv", "sensitivity.csv",
                 "tornado.csv", "probability-map.png", "tornado-any-route.png",
                 "tornado-engageable-routes.png"):
        assert (d / "out" / name).stat().st_size > 0, name
    assert json.loads((d / "out" / "campaign.json").read_text())["results"] == doc["results"]


def test_local_processes_give_identical_results(reference, tmp_path):
    _, yaml, doc = reference
    got = invoke_json(_args(yaml, tmp_path / "store", "--executor", "local", "--workers", "2"))
    assert got["evaluation"]["executor"].startswith("local: 2 worker processes")
    _assert_same(got, doc)


def test_dask_local_cluster_gives_identical_results(reference, tmp_path):
    _, yaml, doc = reference
    got = invoke_json(_args(yaml, tmp_path / "store", "--executor", "dask", "--workers", "1"))
    assert got["evaluation"]["executor"].startswith("dask LocalCluster")
    _assert_same(got, doc)


def test_sigkill_then_resume_equals_an_uninterrupted_run(reference, tmp_path):
    _, yaml, doc = reference
    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "euroshield.cli", *_args(yaml, store, "--executor", "single")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=tmp_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(store.glob("part-*.parquet"))) >= 2:  # tornado + a chunk written
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the campaign ended before the kill: make it longer"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    kept = len(list(store.glob("part-*.parquet")))
    got = invoke_json(_args(yaml, store, "--executor", "single"))
    ev = got["evaluation"]
    assert ev["reused_from_store"] > 0 and ev["computed_now"] > 0
    # nothing completed is lost or computed twice
    assert ev["reused_from_store"] + ev["computed_now"] == doc["evaluation"]["evaluations"]
    assert len(list(store.glob("part-*.parquet"))) > kept
    assert not list(store.glob(".part-*"))  # no half-written chunk left
    _assert_same(got, doc)
    # the store holds every key exactly once
    import pyarrow.parquet as pq

    keys = np.concatenate([pq.read_table(p, columns=["key"]).column("key").to_numpy()
                           for p in store.glob("part-*.parquet")])
    assert len(keys) == len(np.unique(keys)) == doc["evaluation"]["evaluations"]


def test_store_of_another_scenario_seed_or_version_is_refused_untouched(reference, tmp_path):
    d, _, _ = reference
    store = d / "store"
    before = _snapshot(store)
    other = _write(tmp_path, SCENARIO.replace("high: 120", "high: 90"), "other.yaml")
    assert_one_line_error(invoke(_args(other, store)), "--store", "another scenario",
                          "left untouched")
    assert_one_line_error(invoke(_args(_write(tmp_path), store, "--seed", "2")),
                          "another seed (1;")
    assert _snapshot(store) == before
    # a store written by another euroshield version
    copy = tmp_path / "copy"
    copy.mkdir()
    for name, data in before.items():
        (copy / name).write_bytes(data)
    m = json.loads((copy / "manifest.json").read_text())
    m["euroshield_version"] = "0.0.1"
    (copy / "manifest.json").write_text(json.dumps(m))
    kept = _snapshot(copy)
    assert_one_line_error(invoke(_args(_write(tmp_path), copy)),
                          "another euroshield version (0.0.1;")
    assert _snapshot(copy) == kept
    # a folder that is not a store
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("mine")
    assert_one_line_error(invoke(_args(_write(tmp_path), tmp_path / "notes")),
                          "not a euroshield campaign")


@pytest.mark.parametrize("edit, words", [
    (("kind: uniform, low: 300, high: 1500", "kind: normal, mean: 900, sigma: -5"),
     ["distributions.1.sigma", "greater than 0"]),
    (("low: 300, high: 1500", "low: 1500, high: 300"),
     ["distributions.1: low (1500) must be below high (300)"]),
    (("timeline.decision_delay_s", "timeline.decision_delay"),
     ["distributions.2.parameter: unknown parameter", "timeline.decision_delay_s"]),
])
def test_bad_distributions(reference, tmp_path, edit, words):
    d, _, _ = reference
    before = _snapshot(d / "store")
    bad = _write(tmp_path, SCENARIO.replace(*edit), "bad.yaml")
    assert_one_line_error(invoke(_args(bad, d / "store")), *words)
    assert _snapshot(d / "store") == before


@pytest.mark.parametrize("swap, words", [
    (("--runs", "0"), ["--runs: 0 is outside the allowed range [1, 100000]"]),
    (("--runs", "1e3"), ["--runs: expected a whole number"]),
    (("--sobol-draws", "5000"), ["--sobol-draws: 5000 is more than --runs"]),
    (("--ci-width", "0"), ["--ci-width: 0 is outside the allowed range (0, 1]"]),
    (("--executor", "gpu"), ["--executor: expected local or dask"]),
])
def test_bad_options(reference, swap, words):
    d, yaml, _ = reference
    args = _args(yaml, d / "store")
    if swap[0] in args:
        args[args.index(swap[0]) + 1] = swap[1]
    else:
        args += list(swap)
    before = _snapshot(d / "store")
    assert_one_line_error(invoke(args), *words)
    assert _snapshot(d / "store") == before


def test_unreachable_scheduler(reference, tmp_path):
    d, yaml, _ = reference
    before = _snapshot(d / "store")
    assert_one_line_error(invoke(_args(yaml, d / "store", "--scheduler", "tcp://127.0.0.1:1")),
                          "--scheduler: cannot connect to tcp://127.0.0.1:1")
    assert_one_line_error(invoke(_args(yaml, tmp_path / "new", "--scheduler", "not-an-address")),
                          "--scheduler: expected a Dask scheduler address")
    assert _snapshot(d / "store") == before
    assert not (tmp_path / "new").exists()


def test_a_scenario_without_distributions_is_refused():
    assert_one_line_error(invoke(["campaign", "shield-today", "--runs", "10"]),
                          "declares no distributions")


def test_study_report_gains_an_uncertainty_section(tmp_path, monkeypatch):
    from euroshield import scenario
    from euroshield.report import campaign as camp
    from euroshield.report.html import render_page
    from euroshield.studies.deterrence import deterrence

    monkeypatch.setattr(camp, "STUDY_RUNS", 60)
    monkeypatch.setattr(camp, "STUDY_SOBOL_DRAWS", 8)
    sc = scenario.parse(__import__("yaml").safe_load(SCENARIO.replace("DELAY_KIND", "uniform")),
                        "test")
    study = deterrence(sc, ladder_kms=())
    section, files = camp.uncertainty_section(sc, study, tmp_path, progress=lambda m: None)
    assert section.heading.startswith("Uncertainty")
    for name in ("uncertainty/campaign.json", "uncertainty/probability-map.png",
                 "uncertainty/tornado-any-route.png"):
        assert name in files and (tmp_path / name).stat().st_size > 0
    doc = json.loads((tmp_path / "uncertainty" / "campaign.json").read_text())
    assert doc["runs"] == 60 and doc["seed"] == camp.STUDY_SEED
    html = render_page("t", "s", [section])
    assert "P(at least one route engageable)" in html and "timeline.fire_control" in html


def test_stop_early_at_a_target_interval_width(reference, tmp_path):
    _, yaml, _ = reference
    base = ["campaign", str(yaml), "--sobol-draws", "0", "--executor", "single", "--json"]
    early = invoke_json([*base, "--runs", RUNS, "--ci-width", "0.1", "--store",
                         str(tmp_path / "a")])
    n = early["runs"]
    assert early["converged"] is True and n < 1000 and n % cp.CHUNK_DRAWS == 0
    widths = [x["ci95"][1] - x["ci95"][0] for x in early["results"] if "route" in x]
    assert max(widths) <= 0.1
    # the checkpoint is the first in draw order that meets the target: the same answer as a
    # campaign of exactly that many draws
    plain = invoke_json([*base, "--runs", str(n), "--store", str(tmp_path / "b")])
    assert plain["results"] == early["results"] and plain["summary"] == early["summary"]


def test_an_existing_dask_cluster_by_scheduler_address(reference, tmp_path):
    from distributed import LocalCluster

    _, yaml, doc = reference
    # a cluster with its worker in this process (cheap), reached over TCP like a remote one
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                      dashboard_address=None) as cluster:
        got = invoke_json(_args(yaml, tmp_path / "store", "--scheduler",
                                cluster.scheduler_address))
    assert got["evaluation"]["executor"].startswith("dask cluster at tcp://")
    _assert_same(got, doc)


# ---- footprint campaigns ----------------------------------------------------------------------

FP_SCENARIO = """\
name: campaign-footprint-test
sites:
  - {site: deveselu, interceptors: [sm3-ib]}
  - {site: redzikowo, interceptors: [sm3-iia]}
radars: [tpy2-kurecik, spy1-deveselu]
threats: {missile: topol-m-like, bases: [kozelsk], targets: [washington]}
footprint: {launch_areas: [iran-north-west], missiles: [irbm-hypothetical], resolution_deg: 5}
distributions:
  - {parameter: interceptors.sm3-ib.burnout_speed_kms, kind: uniform, low: 2.9, high: 3.1,
     source: test}
  - {parameter: radars.tpy2-kurecik.reference_range_km, kind: uniform, low: 300, high: 3000,
     source: test}
  - {parameter: footprint.rcs_m2, kind: lognormal, median: 0.1, sigma: 0.8, low: 0.01,
     high: 1.0, source: test}
  - {parameter: timeline.fire_control, kind: choice, values: [radar-track, ir-cue],
     source: test}
"""
FP_RUNS = 300


def _fp_args(yaml: Path, store: Path, *more: str) -> list[str]:
    return ["campaign", str(yaml), "--study", "footprint", "--runs", str(FP_RUNS),
            "--sobol-draws", "32", "--executor", "single", "--store", str(store), "--json",
            *more]


@pytest.fixture(scope="module")
def footprint_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("footprint-campaign")
    yaml = d / "fp.yaml"
    yaml.write_text(FP_SCENARIO, encoding="utf-8")
    return d, yaml, invoke_json(_fp_args(yaml, d / "store", "--out", str(d / "out")))


def test_footprint_campaign_document(footprint_run):
    d, _, doc = footprint_run
    assert doc["study"] == "footprint" and doc["runs"] == FP_RUNS
    assert doc["grid"]["resolution_deg"] == 5.0 and doc["missiles"] == ["irbm-hypothetical"]
    assert [p["name"] for p in doc["launch_points"]] == ["tabriz"]
    cells = [r for r in doc["results"] if r["kind"] == "cell"]
    caps = [r for r in doc["results"] if r["kind"] == "capital"]
    assert cells and caps and len(doc["capitals"]) == len(caps)
    for r in doc["results"]:
        point = r["aim_point"]
        assert -90 <= point["lat_deg"] <= 90 and -180 <= point["lon_deg"] <= 180
        assert ("name" in point) == (r["kind"] == "capital")
        # the stated interval is the Wilson interval of the stated count
        lo, hi = cp.wilson(r["defended_draws"], FP_RUNS)
        assert r["ci95"] == [round(float(lo), 4), round(float(hi), 4)]
        assert r["ci95"][0] <= r["p_engageable"] <= r["ci95"][1]
        # one launch point: defended from every launch point = from at least one
        assert r["p_engageable"] == r["p_any_launch_point"]
    (area,) = [s for s in doc["summary"] if s["figure"] == "defended_area_km2"]
    # linearity of expectation: the mean defended area is the sum over the cells of
    # P(defended) x cell area (probabilities rounded to 1e-4 in the document)
    total = sum(r["area_km2"] for r in cells)
    assert sum(r["p_engageable"] * r["area_km2"] for r in cells) == pytest.approx(
        area["mean"], abs=1e-4 * total / 2 + 1)
    assert area["ci95"][0] <= area["mean"] <= area["ci95"][1]
    assert area["p05"] <= area["median"] <= area["p95"] <= area["threatened_area_km2"]
    assert 0 < area["mean"] < area["threatened_area_km2"]
    assert {s["parameter"] for s in doc["sensitivity"]} == {
        "interceptors.sm3-ib.burnout_speed_kms", "radars.tpy2-kurecik.reference_range_km",
        "footprint.rcs_m2", "timeline.fire_control"}
    ev = doc["evaluation"]
    assert ev["fast_path"] and ev["exact_evaluations"] == 0
    assert ev["evaluations"] == FP_RUNS + 32 * 5 + 9
    for name in ("campaign.json", "aim-points.csv", "capitals.csv", "summary.csv",
                 "sensitivity.csv", "tornado.csv", "conditional.csv",
                 "probability-map-irbm-hypothetical.png",
                 "tornado-defended-area-irbm-hypothetical.png",
                 "conditional-defended-area-irbm-hypothetical.png"):
        assert (d / "out" / name).stat().st_size > 0, name


def test_footprint_campaign_resumes_from_its_store(footprint_run):
    d, yaml, doc = footprint_run
    got = invoke_json(_fp_args(yaml, d / "store"))
    assert got["evaluation"]["computed_now"] == 0
    assert got["evaluation"]["reused_from_store"] == doc["evaluation"]["evaluations"]
    _assert_same(got, doc, ("results", "summary", "sensitivity", "tornado", "conditional",
                            "capitals"))


def test_footprint_campaign_bad_input(footprint_run, tmp_path):
    d, yaml, _ = footprint_run
    before = _snapshot(d / "store")
    # the footprint store is refused for a deterrence campaign (another method), untouched
    r = invoke(["campaign", str(yaml), "--runs", str(FP_RUNS), "--sobol-draws", "32",
                "--store", str(d / "store"), "--json"])
    assert_one_line_error(r, "--store", "another kind of campaign (footprint, 5.0 deg grid",
                          "this campaign: deterrence", "left untouched")
    assert_one_line_error(invoke(["campaign", str(yaml), "--runs", "10", "--resolution-deg", "2"]),
                          "--resolution-deg: applies to --study footprint only")
    assert_one_line_error(invoke(["campaign", str(yaml), "--runs", "10", "--study", "europe"]),
                          "--study: expected deterrence or footprint")
    assert_one_line_error(invoke(_fp_args(yaml, tmp_path / "s", "--resolution-deg", "0")),
                          "--resolution-deg: 0 is outside the allowed range (0, 10]")
    assert_one_line_error(invoke(_fp_args(yaml, tmp_path / "s", "--resolution-deg", "0.1")),
                          "--resolution-deg: 0.1 deg gives", "more than the 8,000")
    assert _snapshot(d / "store") == before
    assert not (tmp_path / "s").exists()
