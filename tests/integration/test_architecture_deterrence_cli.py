"""`euroshield deterrence` on scenarios that choose an architecture (issue 9): the study runs
with the architecture's fire-control rule, per shooter, and records it; the expectations are
relations the architectures imply, not numbers from the code's output."""

from __future__ import annotations

import pytest
import yaml
from cli_support import invoke_json

SCENARIO = {
    "name": "arch-cli",
    "sites": [{"site": "redzikowo", "interceptors": ["sm3-ib", "sm3-iia"]},
              {"site": "norwegian-sea", "interceptors": ["sm3-iia"]}],
    "radars": ["tpy2-kurecik", "spy1-deveselu", "spy1-redzikowo"],
    "early_warning": {"enabled": True, "detection_delay_s": 60},
    "timeline": {"decision_delay_s": 60},
    "threats": {"bases": ["kozelsk", "yoshkar-ola"], "targets": ["washington", "minot"]},
}


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    out = {}
    folder = tmp_path_factory.mktemp("arch")
    for name in ("n-detections", "independent", "exchange", "joint", "sectoral"):
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump({**SCENARIO, "architecture": name}))
        out[name] = invoke_json(["deterrence", "--scenario", str(path), "--json"])
    return out


def test_every_architecture_runs_and_is_recorded(docs):
    """Each run names its architecture and how it sensed; 2 bases x 2 targets x 3 shooters."""
    for name, d in docs.items():
        assert d["assumptions"]["architecture"] == name
        assert d["assumptions"]["sensing"].startswith(
            "n-detections" if name == "n-detections" else "tracking")
        assert len(d["routes"]) == 12


def test_tracks_exist_with_the_early_warning_radars(docs):
    """With the U.S. early-warning radars in the NATO system (Fylingdales looks over the
    Arctic routes from Russia to the United States), the tracking architectures hold a
    launch-quality track on some route, while the scenario's three southern radars alone
    (n-detections) track none of these northern routes (the README's 0 of 110)."""
    assert all(r["track_time_s"] is None for r in docs["n-detections"]["routes"])
    for name in ("independent", "exchange", "joint"):
        assert any(r["track_time_s"] is not None for r in docs[name]["routes"]), name


def test_joint_is_never_later_than_independent(docs):
    """One fused picture of every sensor cannot allow a launch later than one system alone
    (the joint fire-control rule takes the earliest of the central and every single track)."""
    ind = {(r["base"], r["target"], r["site"], r["interceptor"]): r["launch_allowed_s"]
           for r in docs["independent"]["routes"]}
    for r in docs["joint"]["routes"]:
        a = ind[(r["base"], r["target"], r["site"], r["interceptor"])]
        if a is not None:
            assert r["launch_allowed_s"] is not None and r["launch_allowed_s"] <= a + 1e-6
