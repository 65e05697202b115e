"""Campaign physics and statistics against independent truths.

* The fast evaluator (precomputed radar visibility, exact fly-out tables on a grid of speeds,
  the latest launch interpolated in 1/v between them) against the exact pipeline
  (``Scenario.with_overrides`` then ``deterrence``) on 20 seeded draws: the same launch times,
  the same margins for interceptors whose speed does not vary, margins within the
  interpolation tolerance for the one that does, and the same verdicts except within that
  tolerance of a verdict's edge (reach edges: tests/validation/test_campaign_fast_path.py).
* Wilson and Clopper-Pearson intervals: their defining equations, and their exact coverage of a
  Bernoulli proportion (summed over the binomial distribution, no simulation).
* Sobol indices (SALib on our seeded radial design) of the Ishigami function against the
  analytic values, and of an additive model (S1 = ST = a_j² / sum a²).
"""

import numpy as np
import pytest
from scipy.stats import binom

from euroshield import scenario
from euroshield.studies import campaign as cp
from euroshield.studies.deterrence import deterrence
from euroshield.studies.distributions import uniforms

SPEED_TOL_S = 4.0  # margin error of the 1/v interpolation between tables 0.05 km/s apart
EDGE_S = 30.0  # "near a verdict's edge": |margin| below this


def _scenario():
    data = scenario.load("epaa-phase-3").model_dump(exclude_none=True)
    data["name"] = "fast-vs-exact"
    data["sites"] = [{"site": "redzikowo", "interceptors": ["sm3-ib", "sm3-iia"]},
                     {"site": "north-sea", "interceptors": ["sm3-iia"]}]
    data["threats"].update(missile="topol-m-like", bases=["kozelsk", "teykovo", "vypolzovo",
                                                         "tatishchevo"],
                           targets=["washington", "new-york", "chicago", "seattle", "minot"])
    src = "validation test"
    data["distributions"] = [
        {"parameter": "interceptors.sm3-iia.burnout_speed_kms", "kind": "uniform", "low": 4.0,
         "high": 5.5, "source": src},
        {"parameter": "radars.spy1-redzikowo.reference_range_km", "kind": "uniform",
         "low": 300.0, "high": 1500.0, "source": src},
        {"parameter": "threats.rcs_m2", "kind": "lognormal", "median": 0.1, "sigma": 0.8,
         "low": 0.01, "high": 1.0, "source": src},
        {"parameter": "timeline.decision_delay_s", "kind": "uniform", "low": 0.0,
         "high": 120.0, "source": src},
        {"parameter": "early_warning.detection_delay_s", "kind": "triangular", "low": 30.0,
         "mode": 60.0, "high": 90.0, "source": src},
        {"parameter": "timeline.fire_control", "kind": "choice",
         "values": ["radar-track", "ir-cue"], "source": src},
    ]
    return scenario.parse(data, "test")


def test_fast_path_agrees_with_the_exact_pipeline():
    sc = _scenario()
    plan = cp.Plan(sc, seed=11, runs=20, sobol_draws=0)
    ev = cp.build_evaluator(plan)
    assert ev.fast is not None
    keys = plan.draw_keys(0, 20)
    values = plan.values(keys)
    draws = [plan.nominal.with_overrides(v) for v in values]
    allowed = ev.fast.launch_allowed(draws)
    margins = ev.fast.margins(draws)
    fast = ev.evaluate(keys).engageable
    iia = np.array([s.endswith("sm3-iia") for s in ev.fast.shooter_names])
    agree = total = 0
    diffs, margins_exact = [], []
    for d, s2 in enumerate(draws):
        e = deterrence(s2, ladder_kms=()).engagements  # the exact pipeline, own tables
        np.testing.assert_array_equal(allowed[d], e.picture.launch_allowed_s)
        exact_m = e.margin_s
        have = np.isfinite(exact_m)
        # no candidate point / no launch: the fast path says -inf / NaN, never a number, but at
        # a reach edge inside a grid interval, where the nearer grid speed's table decides: then
        # far from a verdict's edge
        edge = ~have & np.isfinite(margins[d])
        assert not (edge & ~iia[None, :]).any()
        assert np.all(margins[d][edge] < -EDGE_S), margins[d][edge]
        fixed = have & ~iia[None, :]
        np.testing.assert_allclose(margins[d][fixed], exact_m[fixed], rtol=0, atol=1e-6)
        var = have & iia[None, :] & np.isfinite(margins[d])
        diffs.append(margins[d][var] - exact_m[var])
        margins_exact.append(exact_m[var])
        # a point the exact table reaches but the lower ladder table does not is left out
        # (conservative): only far from the edge
        lost = have & iia[None, :] & ~np.isfinite(margins[d])
        assert np.all(exact_m[lost] < -EDGE_S), exact_m[lost]
        differ = fast[d] != e.engageable
        # verdicts differ only within the interpolation tolerance of the edge
        assert np.all(np.abs(exact_m[differ]) <= SPEED_TOL_S), (d, exact_m[differ])
        agree += int((~differ).sum())
        total += differ.size
    diff, em = np.concatenate(diffs), np.concatenate(margins_exact)
    near = np.abs(em) <= EDGE_S
    print(f"fast vs exact: {agree}/{total} verdicts agree ({agree / total:.4f}); interpolated "
          f"speed: margin difference median {np.median(np.abs(diff)):.2f} s, 99th percentile "
          f"{np.percentile(np.abs(diff), 99):.2f} s, worst {np.abs(diff).max():.2f} s (worst "
          f"within {EDGE_S:g} s of the edge: {np.abs(diff[near]).max(initial=0):.2f} s)")
    assert np.all(np.abs(diff[near]) <= SPEED_TOL_S)
    assert agree / total >= 0.99
    assert 0 < fast.sum() < fast.size  # the draws exercise both verdicts


def test_exact_path_reuses_what_a_draw_does_not_change():
    sc = _scenario()
    ex = cp.ExactEvaluator()
    a = sc.nominal()
    b = a.with_overrides({"timeline.decision_delay_s": 10.0})
    ex.evaluate_one(a)
    looks, tables = ex.looks_of(a), dict(ex._tables)
    ex.evaluate_one(b)  # a new delay: same trajectories and fly-out tables
    assert ex.looks_of(b) is looks
    assert ex._tables.keys() == tables.keys()
    assert all(ex._tables[k] is tables[k] for k in tables)
    c = a.with_overrides({"interceptors.sm3-iia.burnout_speed_kms": 5.0})
    ex.evaluate_one(c)  # a new speed: new tables for that interceptor only, same trajectories
    assert ex.looks_of(c) is looks
    new = ex._tables.keys() - tables.keys()
    assert len(new) == 2  # the two sm3-iia shooters
    assert all(k in ex._tables for k in tables)


# ---- intervals -------------------------------------------------------------------------------


def test_wilson_and_clopper_pearson_solve_their_defining_equations():
    k, n, z = np.array([0, 3, 81, 50]), np.array([20, 20, 263, 50]), cp.Z95
    lo, hi = cp.wilson(k, n)
    p = k / n
    # Wilson: the p with |p_hat - p| = z sqrt(p (1 - p) / n)
    for bound in (lo, hi):
        np.testing.assert_allclose(np.abs(p - bound), z * np.sqrt(bound * (1 - bound) / n),
                                   atol=1e-12)
    # Newcombe (1998), Stat. Med. 17:857, example 81/263: Wilson 0.2553 to 0.3662
    assert (round(float(lo[2]), 4), round(float(hi[2]), 4)) == (0.2553, 0.3662)
    # Clopper-Pearson: P(X >= k | lo) = 2.5 % and P(X <= k | hi) = 2.5 %
    clo, chi = cp.clopper_pearson(k, n)
    inner = (k > 0)
    np.testing.assert_allclose(binom.sf(k[inner] - 1, n[inner], clo[inner]), 0.025, rtol=1e-6)
    inner = (k < n)
    np.testing.assert_allclose(binom.cdf(k[inner], n[inner], chi[inner]), 0.025, rtol=1e-6)


def _coverage(interval, n: int, p: float) -> float:
    k = np.arange(n + 1)
    lo, hi = interval(k, np.full(n + 1, n))
    return float(binom.pmf(k, n, p)[(lo <= p) & (p <= hi)].sum())


def test_interval_coverage_of_a_known_bernoulli():
    ps = np.linspace(0.02, 0.98, 97)
    for n in (30, 100, 400):
        cpc = np.array([_coverage(cp.clopper_pearson, n, p) for p in ps])
        wil = np.array([_coverage(cp.wilson, n, p) for p in ps])
        assert cpc.min() >= 0.95 - 1e-9  # Clopper-Pearson never covers less (exact test)
        # Wilson: close to nominal on average (Brown, Cai & DasGupta 2001, Stat. Sci. 16:101)
        assert abs(wil.mean() - 0.95) < 0.01
        assert wil.min() > 0.83


# ---- Sobol indices ---------------------------------------------------------------------------


def _radial(seed: int, n: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs in SALib's layout (A, A_B^1..A_B^p, B per base draw) from our seeded uniforms."""
    a, b = uniforms(seed, np.arange(n), p)
    rows = []
    for i in range(n):
        rows.append(a[i])
        for j in range(p):
            r = a[i].copy()
            r[j] = b[i, j]
            rows.append(r)
        rows.append(b[i])
    return np.array(rows), a


def test_sobol_indices_of_the_ishigami_function():
    # Ishigami & Homma (1990), a = 7, b = 0.1, x uniform on [-pi, pi]: analytic
    # S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437) (Saltelli et al. 2008, "Global
    # Sensitivity Analysis. The Primer", sec. 4.6)
    u, _ = _radial(2024, 8192, 3)
    x = -np.pi + 2 * np.pi * u
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    s = cp.sobol_indices(y, 3, ["x1", "x2", "x3"], seed=1)
    np.testing.assert_allclose(s["S1"], [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(s["ST"], [0.5576, 0.4424, 0.2437], atol=0.03)


def test_sobol_indices_of_an_additive_model():
    # y = sum a_j x_j, x_j uniform: no interactions, S1_j = ST_j = a_j² / sum a²
    a = np.array([1.0, 2.0, 0.5, 0.0])
    u, _ = _radial(7, 4096, 4)
    s = cp.sobol_indices(u @ a, 4, list("abcd"), seed=1)
    want = a**2 / (a**2).sum()
    np.testing.assert_allclose(s["S1"], want, atol=0.03)
    np.testing.assert_allclose(s["ST"], want, atol=0.03)


def test_sobol_of_a_constant_output_is_undefined_not_an_error():
    s = cp.sobol_indices(np.zeros(40), 2, ["a", "b"])
    assert np.isnan(s["S1"]).all() and np.isnan(s["ST"]).all()


# ---- footprint campaigns ----------------------------------------------------------------------

FP_CAPITALS = ("warsaw", "bucharest", "berlin", "rome", "athens", "london")


def _footprint_scenario():
    """One launch point (Tabriz), one missile, a 5 deg grid, two shooters, six parameters: the
    footprint campaign's fast path against the footprint study's own pipeline."""
    data = scenario.load("epaa-phase-3").model_dump(exclude_none=True)
    data["name"] = "footprint-fast-vs-exact"
    data["sites"] = [{"site": "deveselu", "interceptors": ["sm3-ib"]},
                     {"site": "redzikowo", "interceptors": ["sm3-iia"]}]
    data["radars"] = ["tpy2-kurecik", "spy1-deveselu"]
    data["footprint"].update(launch_areas=["iran-north-west"], missiles=["irbm-hypothetical"],
                             resolution_deg=5.0)
    src = "validation test"
    data["distributions"] = [
        {"parameter": "interceptors.sm3-ib.burnout_speed_kms", "kind": "uniform", "low": 2.8,
         "high": 3.2, "source": src},
        {"parameter": "interceptors.sm3-iia.burnout_speed_kms", "kind": "uniform", "low": 4.3,
         "high": 4.7, "source": src},
        {"parameter": "radars.tpy2-kurecik.reference_range_km", "kind": "uniform",
         "low": 300.0, "high": 3000.0, "source": src},
        {"parameter": "footprint.rcs_m2", "kind": "lognormal", "median": 0.1, "sigma": 0.8,
         "low": 0.01, "high": 1.0, "source": src},
        {"parameter": "timeline.decision_delay_s", "kind": "uniform", "low": 0.0,
         "high": 120.0, "source": src},
        {"parameter": "timeline.fire_control", "kind": "choice",
         "values": ["radar-track", "ir-cue"], "source": src},
    ]
    return scenario.parse(data, "test")


@pytest.fixture(scope="module")
def footprint_case():
    sc = _footprint_scenario()
    cells = cp.footprint_cells(sc.nominal(), capitals=FP_CAPITALS)
    plan = cp.Plan(sc, seed=5, runs=16, sobol_draws=0, study="footprint", cells=cells)
    ev = cp.build_evaluator(plan)
    ex = cp.ExactEvaluator()
    return plan, ev, ex, ex.footprint_looks(cells)


def _grid_speed(v: float, up: bool) -> float:
    q = cp.SPEED_QUANTUM_KMS
    k = np.floor(v / q + 1e-9) + (1 if up else 0)
    return round(float(k * q), 6)


def test_footprint_fast_path_is_exact_at_the_speeds_of_its_tables(footprint_case):
    # each speed of the grid has its own exact single-speed table: there the fast path must
    # reproduce the footprint study's pipeline (sense, reach_of, engage) to rounding
    from euroshield.studies import footprint as fp

    plan, ev, ex, looks = footprint_case
    assert ev.fast is not None and np.array_equal(ev.fast.flown, looks.trajectories.flown)
    values = plan.values(plan.draw_keys(0, 8))
    for i, v in enumerate(values):
        for p in ("interceptors.sm3-ib.burnout_speed_kms",
                  "interceptors.sm3-iia.burnout_speed_kms"):
            v[p] = _grid_speed(v[p], up=bool(i % 2))
    draws = [plan.nominal.with_overrides(v) for v in values]
    fast = ev.fast.margins(draws)
    allowed = ev.fast.launch_allowed(draws)
    for d, s in enumerate(draws):
        e = fp.engage_rows(looks, fp.defence_of(s), ex._tables, tracks=ex._tracks)
        np.testing.assert_array_equal(allowed[d], e.picture.launch_allowed_s)
        have = np.isfinite(e.margin_s)
        np.testing.assert_array_equal(np.isfinite(fast[d]), have)
        np.testing.assert_allclose(fast[d][have], e.margin_s[have], rtol=0, atol=1e-6)
        np.testing.assert_array_equal(fast[d] >= 0, e.engageable)
    assert 0 < (fast >= 0).sum() < fast.size  # both verdicts occur


def test_footprint_fast_path_between_tables_against_the_exact_pipeline(footprint_case):
    # speeds between two tables: the latest launch is interpolated (linear in 1/v); a verdict
    # may differ from the exact pipeline's only where the exact pipeline itself gives that
    # verdict at one of the two bracketing table speeds (a reach edge inside the interval)
    from euroshield.studies import footprint as fp

    plan, ev, ex, looks = footprint_case
    keys = plan.draw_keys(0, 16)
    values = plan.values(keys)
    draws = [plan.nominal.with_overrides(v) for v in values]
    fast = ev.fast.margins(draws)
    got = ev.evaluate(keys).engageable
    agree = total = 0
    diffs = []
    for d, s in enumerate(draws):
        e = fp.engage_rows(looks, fp.defence_of(s), ex._tables, tracks=ex._tracks)
        np.testing.assert_array_equal(got[d], fast[d] >= 0)
        both = np.isfinite(e.margin_s) & np.isfinite(fast[d])
        diffs.append(fast[d][both] - e.margin_s[both])
        differ = np.argwhere((fast[d] >= 0) != e.engageable)
        for r, j in differ:
            ends = []
            for up in (False, True):
                v = dict(values[d])
                for p in ("interceptors.sm3-ib.burnout_speed_kms",
                          "interceptors.sm3-iia.burnout_speed_kms"):
                    v[p] = _grid_speed(v[p], up)
                ends.append(fp.engage_rows(looks, fp.defence_of(
                    plan.nominal.with_overrides(v)), ex._tables,
                    tracks=ex._tracks).engageable[r, j])
            assert bool(fast[d][r, j] >= 0) in ends, (d, r, j)
        agree += e.engageable.size - len(differ)
        total += e.engageable.size
    diff = np.concatenate(diffs)
    print(f"footprint fast vs exact: {agree}/{total} verdicts agree; margin difference median "
          f"{np.median(np.abs(diff)):.2f} s, 90th percentile "
          f"{np.percentile(np.abs(diff), 90):.2f} s")
    assert agree / total >= 0.99
    assert np.median(np.abs(diff)) < 1.0  # the interpolation in 1/v: well under a second


def test_footprint_status_is_the_footprint_studys_defended(footprint_case):
    # the campaign's reduction of one draw's verdicts against Footprint.defended of the
    # footprint study run on its own (own flights, own chunks) for the same defence
    from euroshield.studies import footprint as fp

    plan, ev, _, _ = footprint_case
    v = plan.values(plan.draw_keys(0, 1))[0]
    for p in ("interceptors.sm3-ib.burnout_speed_kms", "interceptors.sm3-iia.burnout_speed_kms"):
        v[p] = _grid_speed(v[p], up=False)
    s = plan.nominal.with_overrides(v)
    cells = plan.cells
    (study,) = fp.footprints([fp.defence_of(s)], "iran-north-west", "irbm-hypothetical",
                             cells.grid, cells.capitals)
    routes = ev.fast.evaluate([s]).any(axis=2)
    defended, partly, threatened = cp.footprint_status(cells, ev.fast.flown, routes)
    np.testing.assert_array_equal(threatened, study.threatened_any())
    np.testing.assert_array_equal(defended[0], study.defended())
    np.testing.assert_array_equal(partly[0], study.defended(every=False))
    area = cp.footprint_headlines(cells, defended, partly)
    assert area["defended_area_km2:irbm-hypothetical"][0] == pytest.approx(
        study.area_km2(study.defended()), rel=1e-12)
    assert 0 < defended.sum() < threatened.sum()  # a partial footprint: a real test


def test_footprint_exact_path_for_parameters_outside_the_fast_path(footprint_case):
    # a draw the fast path does not cover goes through the footprint study's own stages on the
    # same trajectories: the verdicts agree with the fast path's but at reach edges
    plan, ev, _, _ = footprint_case
    keys = plan.draw_keys(0, 3)
    exact = cp.Evaluator(plan, None).evaluate(keys)
    fast = ev.evaluate(keys)
    assert exact.exact.all() and not fast.exact.any()
    assert exact.engageable.shape == fast.engageable.shape
    assert (exact.engageable == fast.engageable).mean() >= 0.99
