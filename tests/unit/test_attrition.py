"""Attrition arithmetic (studies/attrition.py) against closed-form layered-defence formulas.

Where the expected numbers come from:
* salvo: P_k = 1 - (1-p)^k, the probability that at least one of k independent shots kills
  (elementary probability). p = 0.7, k = 2 gives 1 - 0.3^2 = 0.91.
* layers: P = 1 - prod(1 - P_i) for independent layers. Three layers of 0.5 give 1 - 0.5^3 = 0.875.
  n identical layers of a k-shot salvo give 1 - (1-p)^(n k): D. Wilkening, "A simple model for
  calculating ballistic missile defense effectiveness", Science & Global Security 8:2 (2000).
* shoot-look-shoot, two looks of k shots: kill 1 - (1-p)^(2k); the second salvo is fired only at
  the survivors of the first, so the expected interceptors are k + (1-p)^k k (same model).
* inventory-limited: with I interceptors and k per warhead, at most I/k warheads are engaged,
  and each is killed with P_k: intercepted = (I/k) P_k.
"""

import math
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from euroshield import catalog
from euroshield.errors import InputError
from euroshield.studies import attrition as at


def _full(n_routes, sites, engageable=True, sls=False):
    """A routes table where every site can (or cannot) engage every route."""
    r, s = np.meshgrid(np.arange(n_routes), np.arange(len(sites)), indexing="ij")
    return {"route_id": r.ravel(), "site": np.asarray(sites)[s.ravel()],
            "engageable": np.full(r.size, engageable), "sls_possible": np.full(r.size, sls)}


# ---- closed forms --------------------------------------------------------------------------

def test_salvo_closed_form():
    assert at.salvo_kill_probability(0.7, 2) == pytest.approx(0.91, abs=1e-12)  # 1 - 0.3^2
    assert at.salvo_kill_probability(0.5, 1) == pytest.approx(0.5)
    np.testing.assert_allclose(at.salvo_kill_probability(np.array([0.5, 0.9]), 3),
                               [0.875, 0.999])


def test_layered_closed_form():
    assert at.layered_kill_probability([0.5, 0.5, 0.5]) == pytest.approx(0.875)  # 1 - 0.5^3
    assert at.layered_kill_probability([0.91, 0.5]) == pytest.approx(1 - 0.09 * 0.5)


def test_sls_closed_forms():
    # p = 0.7, k = 2: kill 1 - 0.3^4 = 0.9919; interceptors 2 + 0.09 * 2 = 2.18
    assert at.sls_kill_probability(0.7, 2) == pytest.approx(0.9919)
    assert at.sls_expected_interceptors(0.7, 2) == pytest.approx(2.18)
    assert at.sls_kill_probability(0.6, 1) == pytest.approx(1 - 0.4**2)


def test_sls_possible_window_rule():
    """window_s >= flyout_s + assess_delay_s; NaN (no window) is False."""
    np.testing.assert_array_equal(
        at.sls_possible([300.0, 299.0, np.nan, 500.0], [200.0, 200.0, 100.0, np.nan], 100.0),
        [True, False, False, False])
    assert at.sls_possible(100.0, 100.0, 0.0) is True


def test_bad_probability_is_input_error():
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        at.salvo_kill_probability(1.5, 2)


# ---- raid_attrition against the closed forms -----------------------------------------------

@pytest.mark.parametrize("n, k, p", [(1, 1, 0.5), (2, 2, 0.7), (3, 1, 0.5), (4, 3, 0.3),
                                     (6, 2, 0.85)])
def test_unlimited_inventory_reproduces_wilkening_layers(n, k, p):
    """n independent sites, each firing a salvo of k at every warhead: P = 1 - (1-p)^(n k)."""
    sites = [f"site{i}" for i in range(n)]
    res = at.raid_attrition(_full(1, sites), [10.0], {s: math.inf for s in sites},
                            at.Doctrine(salvo=k, sspk=p))
    assert res.intercepted == pytest.approx(10.0 * (1 - (1 - p) ** (n * k)), rel=1e-12)
    assert res.engaged == pytest.approx(10.0)
    assert all(u == pytest.approx(10.0 * k) for u in res.interceptors_used.values())


def test_inventory_limited_single_site():
    """1 site, I = 10, salvo k = 2, N = 20 warheads (N k = 40 > I): engaged I/k = 5,
    intercepted (I/k)(1 - (1-p)^k) = 5 x 0.91."""
    res = at.raid_attrition(_full(1, ["a"]), [20.0], {"a": 10.0},
                            at.Doctrine(salvo=2, sspk=0.7))
    assert res.engaged == pytest.approx(5.0)
    assert res.intercepted == pytest.approx(5.0 * 0.91)
    assert res.interceptors_used["a"] == pytest.approx(10.0)
    assert res.interceptor_demand["a"] == pytest.approx(40.0)
    assert res.engaged_fraction["a"] == pytest.approx(0.25)


def test_inventory_spread_in_proportion_over_routes():
    """Demand 2 x (10 + 30) = 80 against 20 interceptors: a quarter of each route's warheads is
    engaged (2.5 and 7.5), not the first route first."""
    res = at.raid_attrition(_full(2, ["a"]), [10.0, 30.0], {"a": 20.0},
                            at.Doctrine(salvo=2, sspk=0.5))
    np.testing.assert_allclose(res.route_engaged, [2.5, 7.5])
    np.testing.assert_allclose(res.route_intercepted, [2.5 * 0.75, 7.5 * 0.75])


def test_two_limited_sites_engage_independently():
    """Site a engages 1/2 and site b 1/4 of the same warheads, independently: engaged
    1 - (1/2)(3/4) = 5/8; survival (1 - P/2)(1 - P/4) with P = 0.75."""
    res = at.raid_attrition(_full(1, ["a", "b"]), [8.0], {"a": 4.0, "b": 2.0},
                            at.Doctrine(salvo=1, sspk=0.75))
    assert res.engaged == pytest.approx(8 * 5 / 8)
    assert res.intercepted == pytest.approx(8 * (1 - (1 - 0.375) * (1 - 0.1875)))


def test_shoot_look_shoot_uses_expected_interceptors_and_two_looks():
    """Unlimited inventory, SLS possible and wanted: per warhead k (1 + (1-p)^k) interceptors and
    kill probability 1 - (1-p)^(2k)."""
    p, k, n = 0.6, 2, 7.0
    res = at.raid_attrition(_full(1, ["a"], sls=True), [n], {"a": math.inf},
                            at.Doctrine(salvo=k, sspk=p, shoot_look_shoot=True))
    assert res.interceptors_used["a"] == pytest.approx(n * k * (1 + (1 - p) ** k))
    assert res.intercepted == pytest.approx(n * (1 - (1 - p) ** (2 * k)))


@pytest.mark.parametrize("sls_window, wanted", [(False, True), (True, False)])
def test_no_second_look_unless_window_and_doctrine_allow(sls_window, wanted):
    res = at.raid_attrition(_full(1, ["a"], sls=sls_window), [1.0], {"a": math.inf},
                            at.Doctrine(salvo=2, sspk=0.7, shoot_look_shoot=wanted))
    assert res.intercepted == pytest.approx(0.91)
    assert res.interceptors_used["a"] == pytest.approx(2.0)


def test_sls_inventory_limited_fraction():
    """Demand per warhead 2.18 (p 0.7, k 2); 10 warheads, 10.9 interceptors: half engaged."""
    res = at.raid_attrition(_full(1, ["a"], sls=True), [10.0], {"a": 10.9},
                            at.Doctrine(salvo=2, sspk=0.7, shoot_look_shoot=True))
    assert res.engaged == pytest.approx(5.0)
    assert res.intercepted == pytest.approx(5.0 * 0.9919)


def test_unengageable_routes_survive_and_rows_combine():
    """Route 1 cannot be engaged. Two rows for (route 0, a), one per interceptor, combine by OR."""
    routes = [{"route_id": 0, "site": "a", "engageable": False, "interceptor": "x"},
              {"route_id": 0, "site": "a", "engageable": True, "interceptor": "y"},
              {"route_id": 1, "site": "a", "engageable": False, "interceptor": "y"}]
    res = at.raid_attrition(routes, [1.0, 3.0], {"a": math.inf, "b": 5.0},
                            at.Doctrine(sspk=0.5), route_bases=["kozelsk", "uzhur"])
    assert res.intercepted == pytest.approx(0.5)
    assert res.unengaged == pytest.approx(3.0)
    assert res.per_base["uzhur"] == {"warheads": 3.0, "engaged": 0.0, "intercepted": 0.0,
                                     "surviving": 3.0, "fraction_intercepted": 0.0}
    assert res.per_base["kozelsk"]["intercepted"] == pytest.approx(0.5)
    assert res.interceptors_used["b"] == 0.0
    assert res.to_dict()["route_intercepted"] == pytest.approx([0.5, 0.0])


def test_bad_inputs_are_one_line_input_errors():
    d = at.Doctrine(sspk=0.5)
    with pytest.raises(InputError, match="no inventory; known sites: a") as e:
        at.raid_attrition(_full(1, ["zz"]), [1.0], {"a": 1.0}, d)
    assert "\n" not in str(e.value)
    with pytest.raises(InputError, match="route_id"):
        at.raid_attrition({"route_id": [3], "site": ["a"], "engageable": [True]}, [1.0],
                          {"a": 1.0}, d)
    with pytest.raises(InputError, match="missing column"):
        at.raid_attrition({"route_id": [0], "site": ["a"]}, [1.0], {"a": 1.0}, d)
    with pytest.raises(InputError, match="inventories"):
        at.raid_attrition(_full(1, ["a"]), [1.0], {"a": -1.0}, d)
    with pytest.raises(InputError, match="raid"):
        at.raid_attrition(_full(1, ["a"]), [-1.0], {"a": 1.0}, d)


def test_doctrine_validation():
    with pytest.raises(InputError, match="salvo") as e:
        at.Doctrine.parse({"salvo": 0, "sspk": 0.5})
    assert "\n" not in str(e.value)
    with pytest.raises(InputError, match="sspk"):
        at.Doctrine.parse({"sspk": 0.0})
    with pytest.raises(InputError, match="unknown field"):
        at.Doctrine.parse({"sspk": 0.5, "salvos": 2})
    with pytest.raises(InputError, match="assess_delay_s"):
        at.Doctrine.parse({"sspk": 0.5, "assess_delay_s": -1})
    assert at.Doctrine.parse({"sspk": 1.0, "salvo": 3}).salvo == 3


# ---- properties ----------------------------------------------------------------------------

@st.composite
def problems(draw):
    R = draw(st.integers(1, 5))
    S = draw(st.integers(1, 4))
    sites = [f"s{i}" for i in range(S)]
    E = draw(st.lists(st.booleans(), min_size=R * S, max_size=R * S))
    sls = draw(st.lists(st.booleans(), min_size=R * S, max_size=R * S))
    raid = draw(st.lists(st.floats(0, 20), min_size=R, max_size=R))
    inv = draw(st.lists(st.floats(0, 60), min_size=S, max_size=S))
    doctrine = at.Doctrine(salvo=draw(st.integers(1, 3)), sspk=draw(st.floats(0.05, 1.0)),
                           shoot_look_shoot=draw(st.booleans()))
    table = _full(R, sites)
    table["engageable"], table["sls_possible"] = np.array(E), np.array(sls)
    return table, np.array(raid), dict(zip(sites, inv, strict=True)), doctrine


@settings(max_examples=200, deadline=None)
@given(problems())
def test_conservation(problem):
    table, raid, inv, doctrine = problem
    res = at.raid_attrition(table, raid, inv, doctrine)
    tol = 1e-9 * (1 + raid.sum())
    assert res.engaged + res.unengaged == pytest.approx(res.raid, abs=tol)
    assert res.intercepted + res.surviving == pytest.approx(res.raid, abs=tol)
    assert res.raid == pytest.approx(raid.sum())
    assert -tol <= res.intercepted <= res.engaged + tol
    for s in inv:
        assert 0 <= res.interceptors_used[s] <= inv[s] + 1e-9
        assert res.interceptors_used[s] <= res.interceptor_demand[s] + 1e-9


@settings(max_examples=200, deadline=None)
@given(problems(), st.lists(st.floats(1.0, 10.0), min_size=4, max_size=4))
def test_more_inventory_never_reduces_intercepted(problem, factors):
    table, raid, inv, doctrine = problem
    more = {s: v * factors[i] for i, (s, v) in enumerate(inv.items())}
    a = at.raid_attrition(table, raid, inv, doctrine)
    b = at.raid_attrition(table, raid, more, doctrine)
    assert b.intercepted >= a.intercepted - 1e-9 * (1 + a.raid)
    assert b.engaged >= a.engaged - 1e-9 * (1 + a.raid)


@st.composite
def threshold_problems(draw):
    R = draw(st.integers(1, 5))
    S = draw(st.integers(1, 3))
    n_i = draw(st.integers(1, 2))
    rows = []
    for r in range(R):
        for s in range(S):
            for i in range(n_i):
                thr = draw(st.one_of(st.none(), st.floats(2.0, 9.0)))
                rows.append({"route_id": r, "site": f"s{s}", "interceptor": f"i{i}",
                             "threshold_speed_kms": thr, "sls_possible": draw(st.booleans())})
    raid = draw(st.lists(st.floats(0, 20), min_size=R, max_size=R))
    inv = {f"s{s}": draw(st.floats(0, 40)) for s in range(S)}
    doctrine = at.Doctrine(salvo=draw(st.integers(1, 3)), sspk=draw(st.floats(0.05, 1.0)),
                           shoot_look_shoot=draw(st.booleans()))
    return rows, np.array(raid), inv, doctrine


def _grid(rows):
    return {(r["interceptor"], r["n_sites"], r["inventory_multiplier"], r["speed_kms"]): r
            for r in rows}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(threshold_problems())
def test_sweep_monotone_in_speed_sites_and_inventory(problem):
    rows, raid, inv, doctrine = problem
    out = at.sweep(rows, raid, inv, doctrine, multipliers=(1, 2, 4), speeds_kms=(3, 4.5, 6, 8))
    g = _grid(out)
    tol = 1e-9 * (1 + raid.sum())
    for (ic, n, m, v), row in g.items():
        for nxt in ((ic, n, m, {3: 4.5, 4.5: 6, 6: 8}.get(v)), (ic, n + 1, m, v),
                    (ic, n, {1: 2, 2: 4}.get(m), v)):
            if nxt in g:
                assert g[nxt]["intercepted"] >= row["intercepted"] - tol, (row, g[nxt])
        assert row["intercepted"] + row["surviving"] == pytest.approx(row["raid"], abs=tol)
        assert row["interceptors_used"] <= row["inventory"] + 1e-9
        assert row["plan_speed_kms"] <= row["speed_kms"]


# ---- the sweep -----------------------------------------------------------------------------

def test_uniform_spreading_alone_is_not_monotone_in_speed():
    """Why sweep declines worse plans. Site a has unlimited inventory and reaches route 0. Site
    b has one salvo (k = 1) and reaches route 1, and, at the faster speed, route 0 as well. With
    proportional spreading the faster b splits its shot: 0.5 + 0.5 (P = 0.5) becomes
    1 - 0.5 x 0.75 + 0.25 = 0.875. Declining the new engagements keeps 1.0."""
    rows = [{"route_id": 0, "site": "a", "interceptor": "x", "threshold_speed_kms": 3.0},
            {"route_id": 1, "site": "b", "interceptor": "x", "threshold_speed_kms": 3.0},
            {"route_id": 0, "site": "b", "interceptor": "x", "threshold_speed_kms": 5.0}]
    inv, d = {"a": math.inf, "b": 1.0}, at.Doctrine(salvo=1, sspk=0.5)
    raw = _grid(at.sweep(rows, [1.0, 1.0], inv, d, multipliers=(1,), speeds_kms=(4, 6),
                         interceptors=["x"], decline_worse_plans=False))
    assert raw[("x", 2, 1.0, 4.0)]["intercepted"] == pytest.approx(1.0)
    assert raw[("x", 2, 1.0, 6.0)]["intercepted"] == pytest.approx(0.875)
    env = _grid(at.sweep(rows, [1.0, 1.0], inv, d, multipliers=(1,), speeds_kms=(4, 6),
                         interceptors=["x"]))
    assert env[("x", 2, 1.0, 6.0)]["intercepted"] == pytest.approx(1.0)
    assert env[("x", 2, 1.0, 6.0)]["plan_speed_kms"] == 4.0


def _random_thresholds(R=110, S=6, n_i=4, seed=7):
    rng = np.random.default_rng(seed)
    r, s, i = np.meshgrid(np.arange(R), np.arange(S), np.arange(n_i), indexing="ij")
    thr = rng.uniform(2.5, 9.5, r.size)
    thr[rng.random(r.size) < 0.3] = np.nan
    sites = [f"site{j}" for j in range(S)]
    table = {"route_id": r.ravel(), "site": np.asarray(sites)[s.ravel()],
             "interceptor": np.asarray([f"ic{j}" for j in range(n_i)])[i.ravel()],
             "threshold_speed_kms": thr, "sls_possible": rng.random(r.size) < 0.5}
    return table, rng.uniform(0, 12, R), {x: 24.0 for x in sites}


def test_sweep_rows_match_raid_attrition():
    """Each sweep row (without the decline envelope) equals raid_attrition at that speed, on the
    first n sites, with the inventory multiplied."""
    table, raid, inv = _random_thresholds(R=12, S=3, n_i=2)
    d = at.Doctrine(salvo=2, sspk=0.6, shoot_look_shoot=True)
    order = ["site2", "site0", "site1"]
    g = _grid(at.sweep(table, raid, inv, d, site_order=order, multipliers=(1, 4),
                       speeds_kms=(4.0, 7.0), decline_worse_plans=False))
    for ic in ("ic0", "ic1", "any"):
        for n in (1, 2, 3):
            for m in (1.0, 4.0):
                for v in (4.0, 7.0):
                    sub = {s: inv[s] * m for s in order[:n]}
                    keep = np.isin(table["site"], order[:n])
                    tab = at.routes_at_speed({k: np.asarray(c)[keep] for k, c in table.items()},
                                             v, len(raid), order[:n], ic)
                    ref = at.raid_attrition(tab, raid, sub, d)
                    row = g[(ic, n, m, v)]
                    assert row["intercepted"] == pytest.approx(ref.intercepted, rel=1e-12)
                    assert row["engaged"] == pytest.approx(ref.engaged, rel=1e-12)
                    assert row["interceptors_used"] == pytest.approx(
                        sum(ref.interceptors_used.values()), rel=1e-12)


def test_sweep_default_grid_and_speed():
    """110 routes x 6 sites x 4 interceptors over 5 choices x 6 site counts x 4 multipliers x
    11 speeds (3.0..8.0 km/s by 0.5): 1,320 rows, in well under a second."""
    table, raid, inv = _random_thresholds()
    d = at.Doctrine(salvo=2, sspk=0.7, shoot_look_shoot=True)
    at.sweep(table, raid, inv, d)  # warm-up
    t0 = time.perf_counter()
    rows = at.sweep(table, raid, inv, d)
    elapsed = time.perf_counter() - t0
    assert len(rows) == 5 * 6 * 4 * 11
    assert elapsed < 0.5, elapsed
    assert at.SWEEP_SPEEDS_KMS == (3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0)
    assert set(rows[0]) == {"interceptor", "n_sites", "sites", "inventory_multiplier",
                            "speed_kms", "plan_speed_kms", "inventory", "raid", "engaged",
                            "intercepted", "surviving", "fraction_intercepted",
                            "interceptors_used"}


def test_sweep_input_errors():
    table, raid, inv = _random_thresholds(R=3, S=2, n_i=1)
    d = at.Doctrine(sspk=0.5)
    with pytest.raises(InputError, match="site_order"):
        at.sweep(table, raid, inv, d, site_order=["site0", "nowhere"])
    with pytest.raises(InputError, match="unknown interceptor 'gbi'"):
        at.sweep(table, raid, inv, d, interceptors=["gbi"])
    with pytest.raises(InputError, match="speeds_kms"):
        at.sweep(table, raid, inv, d, speeds_kms=(5.0, 4.0))


# ---- the forces catalogue ------------------------------------------------------------------

def test_forces_load_match_places_and_are_sourced():
    forces = at.forces()
    bases = catalog.places("icbm-base")
    assert set(forces) == set(bases)  # all 11 bases, no other names
    for f in forces.values():
        assert f.sources and all(s.title and s.year for s in f.sources)
        assert f.label == "unverified"  # reconstruction, not a test oracle
        lo, hi = f.ranges.get("warheads", (f.warheads, f.warheads))
        assert 0 < lo <= f.warheads <= hi
        assert f.warheads_estimate("low") == lo and f.warheads_estimate("high") == hi
    # order-of-magnitude sanity only (not an oracle): Russia deploys ~300 ICBMs, ~1,000 warheads
    assert 250 <= sum(f.launchers for f in forces.values()) <= 400
    assert 700 <= sum(f.warheads for f in forces.values()) <= 1400


def test_unknown_base_is_one_line_input_error():
    with pytest.raises(InputError, match="unknown ICBM base 'atlantis'; known bases: .*kozelsk") \
            as e:
        at.get_force("atlantis")
    assert "\n" not in str(e.value)
    assert at.get_force("uzhur").warheads > 0


def test_forces_schema_is_strict():
    src = [{"title": "t", "year": 2024}]
    ok = {"name": "kozelsk", "description": "d", "missile": "Yars", "launchers": 1,
          "warheads": 3, "label": "unverified", "sources": src}
    assert at.parse_forces({"forces": [ok]}, "x")["kozelsk"].warheads == 3
    with pytest.raises(InputError, match="unknown field"):
        at.parse_forces({"forces": [ok | {"yield_kt": 100}]}, "x")
    with pytest.raises(InputError, match="not an icbm-base.*known bases"):
        at.parse_forces({"forces": [ok | {"name": "washington"}]}, "x")
    with pytest.raises(InputError, match="outside its range"):
        at.parse_forces({"forces": [ok | {"ranges": {"warheads": [10, 20]}}]}, "x")


def test_split_raid_divides_each_base_evenly():
    bases = ["kozelsk", "kozelsk", "uzhur", "kozelsk"]
    raid = at.split_raid(bases)
    k, u = at.get_force("kozelsk").warheads, at.get_force("uzhur").warheads
    np.testing.assert_allclose(raid, [k / 3, k / 3, u, k / 3])
    np.testing.assert_allclose(at.split_raid(["a", "b", "b"], {"a": 4, "b": 6}), [4, 3, 3])
    hi = at.split_raid(["uzhur"], estimate="high")
    assert hi[0] == at.get_force("uzhur").ranges["warheads"][1]
    with pytest.raises(InputError, match="unknown ICBM base"):
        at.split_raid(["atlantis"])
