"""The deterrence campaign's fast path at the edge of an interceptor's reach, against the exact
pipeline (``Scenario.with_overrides`` then ``deterrence`` with the drawn speed's own fly-out
table).

Fly-out tables hold ascending branches only, so which look points an interceptor reaches changes
with its burnout speed, not only how fast it gets there. The scenario below has a route whose
verdict rests on such points: Dombarovsky to Bucharest against SM-3 IIA at Redzikowo, which the
exact pipeline finds engageable with 70-200 s to spare at burnout speeds of about 5.0-5.2 km/s
(measured with ``Scenario.with_overrides`` + ``deterrence``, independently of the fast path).
The fast path that interpolated arrival times between the tables of a 0.1 km/s ladder lost
those points (they are not reached by the slower bracketing table) and called the route not
engageable: measured before the fix, 7 of the 288 verdicts of the 16 draws below disagreed with
the exact pipeline (and 23 of 33,600 over 200 draws of a larger version of this scenario), and
margins at the ladder's own speeds were up to 4 ms off (a ladder slice of a multi-speed table
has the fastest speed's cells). The fast path now evaluates the exact single-speed tables of a
grid of speeds ``SPEED_QUANTUM_KMS`` apart: 0 of 288 differ.
"""

import numpy as np
import pytest

from euroshield import scenario
from euroshield.studies import campaign as cp
from euroshield.studies.deterrence import deterrence

IIA = "interceptors.sm3-iia.burnout_speed_kms"
DRAWS = 16


def _scenario():
    data = scenario.load("epaa-phase-3").model_dump(exclude_none=True)
    data["name"] = "fast-path-reach-edge"
    data["sites"] = [{"site": "redzikowo", "interceptors": ["sm3-iia", "sm3-ib"]},
                     {"site": "deveselu", "interceptors": ["sm3-ib"]}]
    data["radars"] = ["tpy2-kurecik", "spy1-deveselu"]
    data["threats"] = {"missile": "by-base", "bases": ["dombarovsky", "yoshkar-ola",
                                                       "tatishchevo"],
                       "targets": ["bucharest", "ankara"]}
    src = "validation test"
    data["distributions"] = [
        {"parameter": IIA, "kind": "uniform", "low": 4.9, "high": 5.3, "source": src},
        {"parameter": "radars.tpy2-kurecik.reference_range_km", "kind": "uniform",
         "low": 300.0, "high": 3000.0, "source": src},
        {"parameter": "timeline.decision_delay_s", "kind": "uniform", "low": 0.0,
         "high": 120.0, "source": src},
    ]
    return scenario.parse(data, "test")


def _grid_speed(v: float, up: bool) -> float:
    q = cp.SPEED_QUANTUM_KMS
    return round(float((np.floor(v / q + 1e-9) + (1 if up else 0)) * q), 6)


@pytest.fixture(scope="module")
def case():
    sc = _scenario()
    plan = cp.Plan(sc, seed=7, runs=DRAWS, sobol_draws=0)
    ev = cp.build_evaluator(plan)
    assert ev.fast is not None
    return plan, ev


def _exact(s):
    return deterrence(s, ladder_kms=()).engagements


def test_fast_path_is_exact_at_the_speeds_of_its_tables(case):
    # at a grid speed the fast path reads that speed's own single-speed table: margins equal the
    # exact pipeline's (same table, same look points; measured: bit for bit)
    plan, ev = case
    values = plan.values(plan.draw_keys(0, 4))
    for i, v in enumerate(values):
        v[IIA] = _grid_speed(v[IIA], up=bool(i % 2))
    draws = [plan.nominal.with_overrides(v) for v in values]
    fast = ev.fast.margins(draws)
    for d, s in enumerate(draws):
        e = _exact(s)
        have = np.isfinite(e.margin_s)
        np.testing.assert_array_equal(np.isfinite(fast[d]), have)
        np.testing.assert_allclose(fast[d][have], e.margin_s[have], rtol=0, atol=1e-6)
        np.testing.assert_array_equal(fast[d] >= 0, e.engageable)


def test_fast_path_keeps_reach_edge_verdicts_between_tables(case):
    plan, ev = case
    keys = plan.draw_keys(0, DRAWS)
    draws = [plan.nominal.with_overrides(v) for v in plan.values(keys)]
    fast = ev.fast.margins(draws)
    got = ev.evaluate(keys)
    assert not got.exact.any()  # every draw on the fast path
    iia = list(ev.fast.shooter_names).index("redzikowo/sm3-iia")
    differ = edge_engageable = 0
    diffs = []
    for d, s in enumerate(draws):
        e = _exact(s)
        edge_row = 0  # bases x targets, base-major
        assert (e.threats.launch_name[edge_row], e.threats.aim_name[edge_row]) == (
            "dombarovsky", "bucharest")
        np.testing.assert_array_equal(got.engageable[d], fast[d] >= 0)
        differ += int((e.engageable != got.engageable[d]).sum())
        edge_engageable += bool(e.engageable[edge_row, iia])
        both = np.isfinite(e.margin_s) & np.isfinite(fast[d])
        diffs.append(fast[d][both] - e.margin_s[both])
    diff = np.abs(np.concatenate(diffs))
    total = DRAWS * ev.fast.n_routes * ev.fast.n_shooters
    print(f"fast vs exact between table speeds: {differ} of {total} verdicts differ; the reach-"
          f"edge route is engageable in {edge_engageable} of {DRAWS} draws; margin difference "
          f"median {np.median(diff):.2f} s")
    assert edge_engageable >= 8  # the draws exercise the reach edge (measured: 9 of 16)
    assert differ == 0
    # latest launch linear in 1/v between tables 0.05 km/s apart: well under a second typically
    assert np.median(diff) < 1.0
