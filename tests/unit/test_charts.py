"""The deterrence charts: valid, byte-stable PNGs from small synthetic results; empty inputs
and hostile names draw; the timeline shows engageable routes first, best margin first."""

from types import SimpleNamespace

import numpy as np
import pytest

from euroshield.report import charts

PNG = b"\x89PNG\r\n\x1a\n"


def _route(base, target, site="north-sea", ic="sm3-iia", *, ok=False, margin=None,
           threshold=None, speed=4.5, track=None, e0=None, e1=None, t_int=None, fly=None,
           reason=""):
    return {"base": base, "target": target, "site": site, "interceptor": ic,
            "interceptor_speed_kms": speed, "engageable": ok,
            "reason": "" if ok else (reason or "interceptor arrives late at the best point"),
            "intercept_time_s": t_int, "intercept_altitude_km": None, "flyout_time_s": fly,
            "margin_s": margin, "earliest_launch_s": e0, "latest_launch_s": e1,
            "track_time_s": track, "launch_allowed_s": 120.0, "threshold_speed_kms": threshold}


def _result(name="test scenario", bases=("kozelsk", "teykovo", "vypolzovo"),
            targets=("washington", "chicago"), sites=(("north-sea", "sm3-iia", 4.5),
                                                       ("deveselu", "sm3-ib", 3.0)),
            ew=60.0):
    routes, paths = [], {}
    k = 0
    for b in bases:
        for t in targets:
            paths[(b, t)] = (np.arange(0.0, 1800.0 + 1, 10.0 * (1 + k % 2)), None, None, None)
            for s, ic, v in sites:
                k += 1
                margin = (k % 7) * 10.0 - 30.0
                ok = margin >= 0 and ic == "sm3-iia"
                routes.append(_route(
                    b, t, s, ic, ok=ok, margin=margin if k % 5 else None, speed=v,
                    threshold=None if k % 3 == 0 else round(3.5 + 0.37 * (k % 9), 2),
                    track=None if k % 2 else 300.0 + k, e0=121.0 if ok else None,
                    e1=121.0 + margin if ok else None, t_int=480.0 + k, fly=350.0 - k))
    return SimpleNamespace(
        scenario=name, routes=routes, paths=paths, intercepts=[],
        assumptions={"early_warning_delay_s": ew, "decision_delay_s": 60.0,
                     "launch_rule": "max(radar track, IR cue + decision delay)",
                     "threshold_ladder_kms": [2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5,
                                              7.0, 7.5, 8.0]})


def _sweep(interceptors=("sm3-ib", "any"), n_sites=(1, 2), sites="north-sea+deveselu"):
    rows = []
    for ic in interceptors:
        for n in n_sites:
            for m in (1.0, 2.0, 4.0):
                for v in np.arange(3.0, 8.01, 0.5):
                    got = m * n * 10.0 * max(0.0, min(1.0, (v - 4.0) / 2.0))
                    rows.append({"interceptor": ic, "n_sites": n, "sites": sites,
                                 "inventory_multiplier": m, "speed_kms": float(v),
                                 "plan_speed_kms": float(v), "inventory": 32.0 * m,
                                 "raid": 500.0, "engaged": got, "intercepted": got,
                                 "surviving": 500.0 - got, "fraction_intercepted": got / 500.0,
                                 "interceptors_used": got})
    return rows


DRAW = {
    "timeline": lambda data, p: charts.engagement_timeline(data, p),
    "thresholds": lambda data, p: charts.threshold_bars(data, p),
    "sweep": lambda data, p: charts.speed_sweep(data, p),
}


def _data(kind, **kw):
    return _sweep(**kw) if kind == "sweep" else _result(**kw)


def _is_png(path, min_bytes=5000):
    b = path.read_bytes()
    assert b[:8] == PNG
    assert len(b) > min_bytes
    width, height = int.from_bytes(b[16:20], "big"), int.from_bytes(b[20:24], "big")
    assert 850 <= width <= 950 and height > 300
    return b


@pytest.mark.parametrize("kind", sorted(DRAW))
def test_chart_writes_valid_png(kind, tmp_path):
    out = DRAW[kind](_data(kind), tmp_path / "sub" / f"{kind}.png")
    assert out == tmp_path / "sub" / f"{kind}.png"
    _is_png(out)


@pytest.mark.parametrize("kind", sorted(DRAW))
def test_same_input_same_bytes(kind, tmp_path):
    a = DRAW[kind](_data(kind), tmp_path / "a.png").read_bytes()
    b = DRAW[kind](_data(kind), tmp_path / "b.png").read_bytes()
    assert a == b
    assert b"Software" not in a and b"matplotlib" not in a.lower()


@pytest.mark.parametrize("kind", sorted(DRAW))
def test_empty_inputs_draw_an_explanation(kind, tmp_path):
    empty = [] if kind == "sweep" else SimpleNamespace(scenario="empty", routes=[], paths={},
                                                       intercepts=[], assumptions={})
    _is_png(DRAW[kind](empty, tmp_path / "empty.png"), min_bytes=3000)


def test_nothing_engageable_and_no_thresholds(tmp_path):
    r = _result()
    for row in r.routes:
        row.update(engageable=False, margin_s=None, threshold_speed_kms=None,
                   earliest_launch_s=None, latest_launch_s=None)
    assert charts._timeline_rows(r, 12) == []
    _is_png(charts.engagement_timeline(r, tmp_path / "t.png"), min_bytes=3000)
    _is_png(charts.threshold_bars(r, tmp_path / "b.png"))
    # no IR cue (early warning off), no assumptions at all
    r = _result(ew=None)
    r.assumptions = {}
    _is_png(charts.engagement_timeline(r, tmp_path / "t2.png"))


def test_rows_with_missing_values_still_draw(tmp_path):
    r = _result()
    for row in r.routes[::2]:
        row.update(track_time_s=None, launch_allowed_s=None, flyout_time_s=None,
                   intercept_time_s=None, latest_launch_s=None)
    r.paths.pop(("kozelsk", "washington"))
    r.paths[("teykovo", "chicago")] = (np.array([]), None, None, None)
    _is_png(charts.engagement_timeline(r, tmp_path / "t.png"))
    r.routes[0]["threshold_speed_kms"] = float("nan")
    r.routes[1]["interceptor_speed_kms"] = None
    _is_png(charts.threshold_bars(r, tmp_path / "b.png"))


@pytest.mark.parametrize("name", ["$x$", "a$b", "cost $5 and $6", "<script>alert(1)</script>",
                                  r"\frac{1}{0} $\undefined$", "_^{}"])
def test_user_strings_are_not_parsed(name, tmp_path):
    r = _result(name=name, bases=(name, "kozelsk"), targets=(f"{name}-t",),
                sites=((name, name, 4.5), ("deveselu", "sm3-ib", 3.0)))
    _is_png(charts.engagement_timeline(r, tmp_path / "t.png"))
    _is_png(charts.threshold_bars(r, tmp_path / "b.png"))
    rows = _sweep(interceptors=(name, "any"), sites=f"{name}+{name}")
    _is_png(charts.speed_sweep(rows, tmp_path / "s.png", title=name))
    _is_png(charts.speed_sweep(_sweep(interceptors=(name,)), tmp_path / "s2.png"))


def test_timeline_rows_engageable_first_then_closest_misses():
    rows = [
        _route("a", "x", margin=-5.0),                    # miss, 5 s late
        _route("b", "x", ok=True, margin=10.0),
        _route("c", "x", margin=None),                    # no timeline: left out
        _route("d", "x", ok=True, margin=40.0),
        _route("e", "x", margin=-50.0),                   # miss, 50 s late
        _route("f", "x", margin=30.0, reason="the missile cannot reach this target"),
        _route("b", "x", site="other", margin=-1.0),      # route b again: shown once
        _route("g", "x", margin=-1.0),
        _route("h", "x", ok=True, margin=None),           # engageable, margin unknown: last
    ]
    r = SimpleNamespace(routes=rows)
    order = [(x["base"], x["site"]) for x in charts._timeline_rows(r, 20)]
    assert order == [("d", "north-sea"), ("b", "north-sea"), ("h", "north-sea"),
                     ("g", "north-sea"), ("a", "north-sea"), ("e", "north-sea"),
                     ("f", "north-sea")]
    assert [x["base"] for x in charts._timeline_rows(r, 3)] == ["d", "b", "h"]
    assert charts._timeline_rows(r, 0) == []
    assert charts._timeline_rows(SimpleNamespace(routes=[]), 12) == []


def test_sweep_selection_takes_any_and_most_sites():
    ic, n, rows = charts._sweep_selection(_sweep())
    assert (ic, n) == ("any", 2)
    assert {r["interceptor"] for r in rows} == {"any"} and {r["n_sites"] for r in rows} == {2}
    assert [(r["inventory_multiplier"], r["speed_kms"]) for r in rows] == sorted(
        (r["inventory_multiplier"], r["speed_kms"]) for r in rows)
    assert charts._sweep_selection(_sweep(interceptors=("sm3-ib",)))[0] == "sm3-ib"
    assert charts._sweep_selection([]) == (None, None, [])


def test_threshold_groups_count_never():
    r = SimpleNamespace(routes=[_route("a", "x", threshold=5.0), _route("b", "x"),
                                _route("c", "x", threshold=4.0),
                                _route("a", "x", site="s2", ic="i2", speed=3.0)])
    g = charts._threshold_groups(r)
    assert [(x["site"], x["values"], x["never"], x["routes"], x["nominal"]) for x in g] == [
        ("north-sea", [4.0, 5.0], 1, 3, 4.5), ("s2", [], 1, 1, 3.0)]
