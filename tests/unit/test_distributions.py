"""Distributions of disputed parameters, seeded draws, parameter paths and with_overrides.

Moments are checked against closed forms (not against the code's own output): the inverse
CDF evaluated on a fine midpoint grid of uniforms integrates the distribution, so its mean and
variance must match the textbook formulas to the grid's accuracy."""

import numpy as np
import pytest
from scipy.special import ndtr
from scipy.stats import norm

from euroshield import scenario
from euroshield.errors import InputError
from euroshield.studies.campaign import Plan
from euroshield.studies.distributions import (
    Distribution,
    draw_seed,
    get_value,
    parameter_paths,
    uniforms,
)

U = (np.arange(400_000) + 0.5) / 400_000  # midpoint rule on (0, 1)


def _moments(d: Distribution) -> tuple[float, float]:
    x = d.ppf(U)
    return float(x.mean()), float(x.var())


def _d(**kw) -> Distribution:
    return Distribution(parameter="timeline.decision_delay_s", source="test", **kw)


def test_uniform_moments():
    # mean (a + b) / 2, variance (b - a)^2 / 12
    m, v = _moments(_d(kind="uniform", low=2.0, high=5.0))
    assert m == pytest.approx(3.5, abs=1e-9)
    assert v == pytest.approx(9 / 12, rel=1e-6)


def test_triangular_moments():
    # mean (a + b + c) / 3, variance (a² + b² + c² - ab - ac - bc) / 18
    a, c, b = 30.0, 60.0, 120.0
    m, v = _moments(_d(kind="triangular", low=a, mode=c, high=b))
    assert m == pytest.approx((a + b + c) / 3, rel=1e-6)
    assert v == pytest.approx((a * a + b * b + c * c - a * b - a * c - b * c) / 18, rel=1e-4)


def test_truncated_normal_moments():
    # truncated to [lo, hi]: mean mu + s (phi(al) - phi(be)) / Z,
    # var s² [1 + (al phi(al) - be phi(be)) / Z - ((phi(al) - phi(be)) / Z)²]
    mu, s, lo, hi = 60.0, 20.0, 20.0, 120.0
    al, be = (lo - mu) / s, (hi - mu) / s
    z = ndtr(be) - ndtr(al)
    pa, pb = norm.pdf(al), norm.pdf(be)
    mean = mu + s * (pa - pb) / z
    var = s * s * (1 + (al * pa - be * pb) / z - ((pa - pb) / z) ** 2)
    m, v = _moments(_d(kind="normal", mean=mu, sigma=s, low=lo, high=hi))
    assert m == pytest.approx(mean, rel=1e-6)
    assert v == pytest.approx(var, rel=1e-4)


def test_lognormal_moments():
    # untruncated: mean exp(mu + s²/2), variance (exp(s²) - 1) exp(2 mu + s²), mu = ln(median);
    # the midpoint grid stops 4.9 sigma into each tail: relative error < 1e-3
    med, s = 0.1, 0.5
    mu = np.log(med)
    m, v = _moments(Distribution(parameter="threats.rcs_m2", kind="lognormal", median=med,
                                 sigma=s, source="t"))
    assert m == pytest.approx(np.exp(mu + s * s / 2), rel=1e-4)
    assert v == pytest.approx((np.exp(s * s) - 1) * np.exp(2 * mu + s * s), rel=2e-3)


def test_choice_probabilities_and_values():
    d = Distribution(parameter="timeline.fire_control", kind="choice",
                     values=["radar-track", "ir-cue"], weights=[3.0, 1.0], source="t")
    idx = d.ppf(U)
    assert np.mean(idx == 0) == pytest.approx(0.75, abs=1e-5)
    assert d.values_at([0.1, 0.9]) == ["radar-track", "ir-cue"]
    # numeric choice: mean = sum w v
    n = _d(kind="choice", values=[30.0, 60.0, 90.0])
    assert np.mean([n.values[i] for i in n.ppf(U)]) == pytest.approx(60.0, abs=1e-3)


def test_ppf_is_monotone_and_stays_in_the_support():
    for d in (_d(kind="uniform", low=0, high=1), _d(kind="triangular", low=0, mode=0, high=2),
              _d(kind="normal", mean=0, sigma=1, low=-1, high=3)):
        x = d.ppf(U)
        assert np.all(np.diff(x) >= 0)
        lo, hi = d.support()
        assert x.min() >= lo and x.max() <= hi


@pytest.mark.parametrize("kw, words", [
    ({"kind": "normal", "mean": 1.0, "sigma": -2.0}, ["sigma", "greater than 0"]),
    ({"kind": "uniform", "low": 5.0, "high": 3.0}, ["low (5) must be below high (3)"]),
    ({"kind": "triangular", "low": 1.0, "mode": 9.0, "high": 3.0}, ["mode (9)"]),
    ({"kind": "uniform", "low": 1.0}, ["needs low, high"]),
    ({"kind": "uniform", "low": 1.0, "high": 2.0, "mean": 3.0}, ["mean is not a field"]),
    ({"kind": "choice", "values": [1.0, 2.0], "weights": [1.0]}, ["one weight per value"]),
    ({"kind": "lognormal", "median": 0.0, "sigma": 1.0}, ["median", "greater than 0"]),
])
def test_impossible_distributions_are_one_line_naming_the_field(kw, words):
    data = scenario.load("shield-today").model_dump(exclude_none=True)
    data["distributions"] = [{"parameter": "timeline.decision_delay_s", "source": "t", **kw}]
    with pytest.raises(InputError) as exc:
        scenario.parse(data, "my.yaml")
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("my.yaml: distributions.0")
    for w in words:
        assert w in msg


def test_unknown_path_lists_the_nearest_valid_paths():
    data = scenario.load("shield-today").model_dump(exclude_none=True)
    data["distributions"] = [{"parameter": "radars.spy1-redzikow.reference_range_km",
                              "kind": "uniform", "low": 300.0, "high": 800.0, "source": "t"}]
    with pytest.raises(InputError) as exc:
        scenario.parse(data, "my.yaml")
    assert "distributions.0.parameter: unknown parameter" in str(exc.value)
    assert "radars.spy1-redzikowo.reference_range_km" in str(exc.value)


def test_unbounded_support_outside_the_field_is_refused():
    # a normal delay reaches negative values: the field allows [0, 3600]
    data = scenario.load("shield-today").model_dump(exclude_none=True)
    data["distributions"] = [{"parameter": "timeline.decision_delay_s", "kind": "normal",
                              "mean": 60.0, "sigma": 20.0, "source": "t"}]
    with pytest.raises(InputError, match="unbounded .*give low and high"):
        scenario.parse(data, "my.yaml")


def test_draw_seed_is_the_spawned_child():
    # SeedSequence(seed).spawn(n)[i] and the directly built child give the same stream
    kids = np.random.SeedSequence(42).spawn(50)
    for i in (0, 1, 17, 49):
        assert np.array_equal(draw_seed(42, i).generate_state(8), kids[i].generate_state(8))


def test_uniforms_depend_only_on_seed_and_draw_index():
    a, b = uniforms(7, np.arange(20), 4)
    a2, b2 = uniforms(7, [13, 2, 19], 4)  # another order, another subset
    assert np.array_equal(a2, a[[13, 2, 19]]) and np.array_equal(b2, b[[13, 2, 19]])
    assert not np.array_equal(uniforms(8, [0], 4)[0], a[:1])


def test_plan_values_are_the_same_whatever_the_chunking():
    sc = scenario.load("campaigns/disputed-parameters")
    small, large = Plan(sc, 3, 100, 10, chunk_draws=7), Plan(sc, 3, 100, 10, chunk_draws=64)
    ks = np.concatenate(small.chunks())
    kl = np.concatenate(large.chunks())
    assert sorted(ks.tolist()) == sorted(kl.tolist())
    order = np.argsort(ks)
    vs = [small.values(c) for c in small.chunks()]
    flat = [v for chunk in vs for v in chunk]
    assert [flat[i] for i in order] == large.values(np.sort(kl))


def test_sobol_rows_mix_a_and_b():
    sc = scenario.load("campaigns/disputed-parameters")
    plan = Plan(sc, 5, 4, 4)
    p, v = plan.n_params, plan.variants
    a, b = uniforms(5, [2], p)
    rows = plan.values(2 * v + np.arange(v))
    dists = plan.dists
    for j in range(p):  # row j + 1 is A with column j from B
        want = [d.values_at(b[0, k] if k == j else a[0, k])[0] for k, d in enumerate(dists)]
        assert [rows[j + 1][d.parameter] for d in dists] == want
    assert [rows[-1][d.parameter] for d in dists] == [d.values_at(b[0, k])[0]
                                                       for k, d in enumerate(dists)]


def test_with_overrides_is_a_new_validated_scenario():
    sc = scenario.load("epaa-phase-3")
    new = sc.with_overrides({"timeline.decision_delay_s": 90.0,
                             "radars.spy1-redzikowo.reference_range_km": 700.0,
                             "interceptors.sm3-iia.burnout_speed_kms": 5.0,
                             "sites.north-sea.inventory": 4})
    assert sc.timeline.decision_delay_s == 60.0  # unchanged
    assert new.timeline.decision_delay_s == 90.0
    assert get_value(new, "radars.spy1-redzikowo.reference_range_km") == 700.0
    assert get_value(new, "radars.spy1-deveselu.reference_range_km") == 500.0
    assert new.interceptor("sm3-iia").burnout_speed_kms == 5.0
    assert get_value(new, "sites.north-sea.inventory") == 4
    with pytest.raises(InputError, match="timeline.decision_delay_s: Input should be greater"):
        sc.with_overrides({"timeline.decision_delay_s": -1.0})
    with pytest.raises(InputError, match="nearest valid paths: timeline.decision_delay_s"):
        sc.with_overrides({"timeline.decision_delay": 1.0})
    with pytest.raises(InputError, match="ir-cue' needs early_warning.enabled"):
        sc.with_overrides({"timeline.fire_control": "ir-cue", "early_warning.enabled": False})


def test_paths_cover_the_scenario():
    sc = scenario.load("epaa-phase-3")
    paths = parameter_paths(sc)
    assert "interceptors.sm3-iia.burnout_speed_kms" in paths
    assert "radars.tpy2-kurecik.reference_range_km" in paths
    assert "interceptors.sm3-iib.burnout_speed_kms" not in paths  # not carried by a site
    for p in paths:
        get_value(sc, p)  # every listed path can be read


def test_with_overrides_returns_a_frozen_scenario():
    import pickle

    from pydantic import ValidationError

    sc = scenario.load("epaa-phase-3")
    new = sc.with_overrides({"timeline.decision_delay_s": 90.0})
    assert scenario.is_frozen(new) and not scenario.is_frozen(sc)
    # assignment anywhere in the tree raises; so does changing a list or dict in place
    for obj, field, value in ((new, "name", "x"), (new.timeline, "decision_delay_s", 5.0),
                              (new.sites[0], "inventory", 1), (new.footprint.region,
                                                               "lat_min_deg", 0.0)):
        with pytest.raises(ValidationError, match="frozen"):
            setattr(obj, field, value)
    with pytest.raises(TypeError, match="frozen scenario"):
        new.sites.append(new.sites[0])
    with pytest.raises(TypeError, match="frozen scenario"):
        new.threats.bases[0] = "teykovo"
    with pytest.raises(TypeError, match="frozen scenario"):
        new.interceptor_overrides["sm3-iia"] = {"burnout_speed_kms": 5.0}
    assert new.timeline.decision_delay_s == 90.0 and new.name == sc.name
    # the same data as the mutable scenario, through JSON, pickling (worker processes) and
    # model_copy; the loaded scenario stays mutable (the Python API changes it in place)
    want = sc.model_copy(update={"timeline": sc.timeline.model_copy(
        update={"decision_delay_s": 90.0})}).model_dump(mode="json")
    assert new.model_dump(mode="json") == want
    back = pickle.loads(pickle.dumps(new))
    assert scenario.is_frozen(back) and back.model_dump(mode="json") == want
    assert scenario.thaw(new).model_dump(mode="json") == want
    sc.timeline.decision_delay_s = 30.0
    assert sc.timeline.decision_delay_s == 30.0 and new.timeline.decision_delay_s == 90.0
    # a draw of a draw is frozen too, and the first is unchanged
    again = new.with_overrides({"timeline.decision_delay_s": 10.0})
    assert scenario.is_frozen(again) and new.timeline.decision_delay_s == 90.0
