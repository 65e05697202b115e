"""The first deterrence computations against published conclusions (public-parameters.md C4/C5).

- GAO-13-382R (2013): for defending the United States, "the Poland site may require the
  development of the ability to launch the interceptor earlier", i.e. during the attacker's boost
  phase. Here: from Redzikowo, an SM-3 IIA (4.5 km/s) can meet a Kozelsk -> Washington ICBM only
  if it is launched before the ICBM burns out, even with a launch allowed at once (T+0).
- Sankaran (Arms Control Today 2013; RAND RR-957 2015): the restructured system (SM-3 IB at
  Deveselu, Phase 2) "will not be able to intercept Russian ICBMs". Here: no route of Phase 2 is
  engageable.
"""

import numpy as np

from euroshield import scenario
from euroshield.report.deterrence import view
from euroshield.studies.deterrence import deterrence


def test_poland_needs_launch_during_the_icbm_boost(engage):
    res, _, _, win = engage("topol-m-like", "kozelsk", "washington", "redzikowo", "sm3-iia")
    assert win.engageable[0]
    assert win.latest_launch_s[0] < res.batch.burnout_time_s[0]


def test_phase_2_engages_no_russian_icbm():
    r = view(deterrence(scenario.load("epaa-phase-2")))
    assert len(r.routes) == 3 * 110
    assert not any(x["engageable"] for x in r.routes)
    assert all(x["reason"] for x in r.routes)
    assert np.all([x["interceptor"] == "sm3-ib" for x in r.routes])
