"""Campaigns on a scenario that senses with a tracking architecture (issues 9 and 11): the
fast path models only the n-detections rule, so every draw must run the exact pipeline, and
each draw's verdicts must equal a deterrence study of the drawn scenario (the reference:
``Scenario.with_overrides`` + ``deterrence``, computed here independently of the campaign's
evaluator)."""

from __future__ import annotations

import numpy as np

from euroshield import scenario
from euroshield.studies.campaign import Plan, build_evaluator, fast_sensing
from euroshield.studies.deterrence import deterrence

SCENARIO = {
    "name": "arch-campaign",
    "sites": [{"site": "norwegian-sea", "interceptors": ["sm3-iia"]}],
    "radars": ["tpy2-kurecik", "spy1-redzikowo"],
    "early_warning": {"enabled": True, "detection_delay_s": 60},
    # the ir-cue what-if (launch on the cue from the architecture's cue sensors + the delay):
    # the radar-track rule engages none of these routes at any delay
    "timeline": {"decision_delay_s": 60, "fire_control": "ir-cue"},
    "threats": {"bases": ["kozelsk", "yoshkar-ola"], "targets": ["washington", "minot"]},
    "architecture": "joint",
    # delays from none to 150 s (margins at no delay: 7.6-113 s): some draws engage, some not
    "distributions": [{"parameter": "timeline.decision_delay_s", "kind": "uniform",
                       "low": 0, "high": 150, "source": "test"}],
}


def test_tracking_campaign_runs_every_draw_exactly():
    sc = scenario.parse(SCENARIO, "test")
    assert not fast_sensing(sc.nominal())
    plan = Plan(sc, seed=7, runs=8, sobol_draws=0)
    ev = build_evaluator(plan)
    assert ev.fast is None
    keys = plan.draw_keys(0, plan.runs)
    got = ev.evaluate(keys)
    assert got.exact.all()
    per_draw = got.engageable.reshape(len(keys), -1).sum(axis=1)
    assert per_draw.max() > per_draw.min(), per_draw  # the delay changes verdicts
    for k, vals, eng in zip(keys, plan.values(keys), got.engageable, strict=True):
        ref = deterrence(plan.nominal.with_overrides(vals, where="")).engagements.engageable
        np.testing.assert_array_equal(eng, ref, err_msg=f"draw {k}: {vals}")


def test_tracking_seed_is_a_campaign_parameter():
    """The measurement-noise seed of a tracking architecture can be drawn (choice of seeds),
    so a campaign can average over noise realisations; each draw gets the seed it names."""
    data = {**SCENARIO, "distributions": [
        {"parameter": "tracking.seed", "kind": "choice", "values": [3, 5], "source": "test"}]}
    sc = scenario.parse(data, "test")
    plan = Plan(sc, seed=1, runs=4, sobol_draws=0)
    for vals in plan.values(plan.draw_keys(0, plan.runs)):
        seed = vals["tracking.seed"]
        assert seed in (3, 5)
        assert plan.nominal.with_overrides(vals, where="").tracking_settings.seed == seed
