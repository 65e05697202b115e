"""Campaign results as a document (JSON keys are a stable interface), tables, a probability
map and tornado charts.

Plain data in, rows/figures out: the reductions come from
:mod:`euroshield.studies.campaign`; rounding, sentences and files live here. Intervals are
Wilson score 95 % intervals of binomial proportions (draws in which the route is engageable,
out of the draws). Probabilities are fractions (0..1); speeds km/s, times s, ranges km.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from euroshield import __version__
from euroshield.studies import campaign as cp

INTERVAL = "Wilson score interval, 95 %"


def _r(x, nd: int = 4):
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


def _ci(k, n) -> list:
    lo, hi = cp.wilson(k, n)
    return [_r(lo), _r(hi)]


def _value(v):
    return round(v, 6) if isinstance(v, float) else v


def _head(study: str, o, nominal) -> dict:
    """The first keys of a campaign document (either study)."""
    return {"study": study, "runs": o.runs, "requested_runs": o.requested_runs, "seed": o.seed,
            "converged": o.converged, "interval": INTERVAL, "scenario": nominal.name}


def _parameter_rows(plan) -> list[dict]:
    """The uncertain parameters: distribution, source, nominal value, fast path or not."""
    from euroshield.studies.distributions import get_value

    return [{"parameter": d.parameter, "distribution": d.describe(), "source": d.source,
             "nominal": _value(get_value(plan.nominal, d.parameter)),
             "fast_path": cp.fast_path(d.parameter)} for d in plan.dists]


def _sensitivity(o, plan, headline: str) -> tuple[list[dict], dict]:
    """Sobol rows of each figure, largest total index first: the ``headline`` figure's rows
    and the others' by figure."""
    sens, others = [], {}
    for fig, s in o.sobol.items():
        rows = [{"parameter": d.parameter, "figure": fig, "first_order": _r(s["S1"][j]),
                 "total": _r(s["ST"][j]), "first_order_ci95": _r(s["S1_conf"][j]),
                 "total_ci95": _r(s["ST_conf"][j])} for j, d in enumerate(plan.dists)]
        rows.sort(key=lambda r: -(r["total"] if r["total"] is not None else -1))
        if fig == headline:
            sens = rows
        else:
            others[fig] = rows
    return sens, others


def _sobol_method(o, plan, of: str) -> str:
    """How the Sobol indices of ``of`` were computed (or that they were not)."""
    if not o.sobol:
        return "not computed (fewer than 2 Sobol base draws)"
    return ("Sobol first-order and total indices (SALib sobol.analyze, Saltelli 2010 / Jansen "
            f"estimators, 95 % bootstrap half-widths) of {of} over {o.sobol_draws} base draws "
            f"x {plan.n_params + 2} evaluations")


TORNADO_METHOD = ("one at a time: each parameter at its 5th and 95th percentile, the others as "
                  "the scenario gives them")


def _tornado_rows(o, plan, number) -> list[dict]:
    """One-at-a-time rows: per figure and parameter, the parameter's nominal, low and high
    values and the figure at each; ``number(figure, value)`` writes a figure's value."""
    from euroshield.studies.distributions import get_value

    rows = []
    for fig, y in o.tornado.items():
        for j, d in enumerate(plan.dists):
            rows.append({"figure": fig, "parameter": d.parameter,
                         "nominal_value": _value(get_value(plan.nominal, d.parameter)),
                         "low_value": _value(o.tornado_values[1 + 2 * j].get(d.parameter)),
                         "high_value": _value(o.tornado_values[2 + 2 * j].get(d.parameter)),
                         "base": number(fig, y[0]), "low": number(fig, y[1 + 2 * j]),
                         "high": number(fig, y[2 + 2 * j])})
    return rows


def _share_values(d) -> dict:
    """The ends of the lowest and highest conditional share of a distribution."""
    return {"low_values": [_value(x) for x in d.quantiles([0.0, cp.CONDITIONAL_SHARE])],
            "high_values": [_value(x) for x in d.quantiles([1 - cp.CONDITIONAL_SHARE, 1.0])]}


def _evaluation(c, fast_note: str, tables: str, **more) -> dict:
    """How the draws were evaluated: counts, the path (``fast_note`` when the fast path was
    available; ``tables``: what its speeds are interpolated on), executor and times."""
    o, plan, info = c.outcome, c.plan, c.info
    if c.fast:
        note = fast_note
    elif not cp.fast_sensing(plan.nominal):
        note = (f"exact pipeline for every draw: the scenario's {plan.nominal.architecture_name}"
                " architecture (tracking) is outside the fast path (slow but exact)")
    else:
        note = ("exact pipeline for every draw: "
                + ", ".join(d.parameter for d in plan.dists if not cp.fast_path(d.parameter))
                + " is outside the fast path (slow but exact)")
    if c.fast and o.exact_draws:
        note += f"; {o.exact_draws} evaluations outside the speed {tables} used the exact pipeline"
    return {"fast_path": c.fast, "fast_evaluations": o.fast_draws,
            "exact_evaluations": o.exact_draws, "evaluations": o.exact_draws + o.fast_draws,
            **more, "note": note, "executor": info.executor,
            "computed_now": info.computed_keys, "reused_from_store": info.stored_keys,
            "seconds": _r(info.seconds, 2), "precompute_s": _r(info.precompute_s, 2)}


def _aim_place(name: str):
    """The catalogue place (or capital) a route aims at."""
    from euroshield import catalog

    places = catalog.places()
    return places[name] if name in places else catalog.capitals()[name]


def campaign_doc(c, meta: dict | None = None) -> dict:
    """The campaign as one JSON-ready document (see ``euroshield campaign --json``)."""
    o, plan = c.outcome, c.plan
    n = o.runs
    nominal = plan.nominal
    results = []
    for i, (b, t) in enumerate(zip(c.launch_names, c.aim_names, strict=True)):
        k = int(o.route_hits[i])
        results.append({"route": f"{b} -> {t}", "base": b, "target": t,
                        "flown": bool(c.flown[i]), "p_engageable": _r(k / n),
                        "ci95": _ci(k, n), "engageable_draws": k})
    for g, name in enumerate(o.aim_points):
        ka, ky = int(o.aim_all_hits[g]), int(o.aim_any_hits[g])
        place = _aim_place(name)
        point = {"name": name, "lat_deg": round(float(place.lat), 4),
                 "lon_deg": round(float(place.lon), 4)}
        results.append({"aim_point": point, "p_engageable": _r(ka / n), "ci95": _ci(ka, n),
                        "p_any_route": _r(ky / n), "ci95_any_route": _ci(ky, n)})
    heads = o.headlines
    any_route = int((heads["engageable_routes"] > 0).sum())
    routes = heads["engageable_routes"].astype(float)
    sd = float(routes.std(ddof=1)) if n > 1 else 0.0
    half = cp.Z95 * sd / np.sqrt(n)
    summary = [
        {"figure": "any_route_engageable", "text": "at least one route engageable",
         "p": _r(any_route / n), "ci95": _ci(any_route, n)},
        {"figure": "engageable_routes", "text": cp.HEADLINES["engageable_routes"],
         "of": len(c.launch_names), "mean": _r(routes.mean(), 3),
         "ci95": [_r(routes.mean() - half, 3), _r(routes.mean() + half, 3)],
         "ci95_method": "normal approximation of the mean",
         "p05": _r(np.percentile(routes, 5), 1), "median": _r(np.median(routes), 1),
         "p95": _r(np.percentile(routes, 95), 1)},
    ]
    by_shooter = []
    for j, name in enumerate(c.shooter_names):
        k_routes = o.pair_hits[:, j]  # per route: draws in which this shooter engages it
        by_shooter.append({"shooter": name, "mean_engageable_routes": _r(k_routes.sum() / n, 3),
                           "routes_ever_engageable": int((k_routes > 0).sum())})
    sens, others = _sensitivity(o, plan, "engageable_routes")
    tornado = _tornado_rows(o, plan, lambda _fig, v: int(v))
    conditional = []
    for j, d in enumerate(plan.dists):
        (kl, kh), (nl, nh) = o.conditional_hits[j], o.conditional_draws[j]
        conditional.append({
            "parameter": d.parameter, "share": cp.CONDITIONAL_SHARE, **_share_values(d),
            "p_low": _r(kl / nl) if nl else None, "ci95_low": _ci(kl, nl) if nl else None,
            "draws_low": int(nl),
            "p_high": _r(kh / nh) if nh else None, "ci95_high": _ci(kh, nh) if nh else None,
            "draws_high": int(nh)})
    doc = {
        **_head("deterrence", o, nominal),
        "parameters": _parameter_rows(plan), "results": results, "summary": summary,
        "by_shooter": by_shooter, "sensitivity": sens,
        "sensitivity_method": _sobol_method(o, plan, "the number of engageable routes"),
        "sensitivity_other": others, "tornado": tornado, "conditional": conditional,
        "conditional_method": (
            f"P(at least one route engageable) among the draws with the parameter in the "
            f"lowest / highest {cp.CONDITIONAL_SHARE:.0%} of its distribution, the others "
            "drawn as usual (from the Monte Carlo draws: no extra evaluations)"),
        "tornado_method": TORNADO_METHOD,
        "evaluation": _evaluation(
            c, "fast path: precomputed trajectories, radar visibility and fly-out tables; a "
               "varied interceptor speed is evaluated between exact single-speed fly-out tables "
               f"{cp.SPEED_QUANTUM_KMS:g} km/s apart (latest launch linear in 1/v; at a reach "
               "edge the nearer table's)", "grids"),
        "store": c.store_path,
    }
    if meta:
        doc["meta"] = meta
    return doc


# ---- tables ---------------------------------------------------------------------------------


def _write_csv(rows: list[dict], path: Path, columns: list[str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r.get(k) is None else
                        ";".join(str(x) for x in r[k]) if isinstance(r.get(k), list) else r[k]
                        for k in columns])
    return path


SENSITIVITY_COLUMNS = ["figure", "parameter", "first_order", "first_order_ci95", "total",
                       "total_ci95"]
TORNADO_COLUMNS = ["figure", "parameter", "nominal_value", "low_value", "high_value", "base",
                   "low", "high"]
PARAMETER_COLUMNS = ["parameter", "distribution", "nominal", "fast_path", "source"]


def _write_shared(doc: dict, folder: Path) -> None:
    """What both studies write: campaign.json, sensitivity.csv, tornado.csv, parameters.csv."""
    (folder / "campaign.json").write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n",
                                          encoding="utf-8")
    sens = doc["sensitivity"] + [r for rows in doc["sensitivity_other"].values() for r in rows]
    _write_csv(sens, folder / "sensitivity.csv", SENSITIVITY_COLUMNS)
    _write_csv(doc["tornado"], folder / "tornado.csv", TORNADO_COLUMNS)
    _write_csv(doc["parameters"], folder / "parameters.csv", PARAMETER_COLUMNS)


def route_rows(doc: dict) -> list[dict]:
    return [dict(r, ci95_low=r["ci95"][0], ci95_high=r["ci95"][1]) for r in doc["results"]
            if "route" in r]


def aim_rows(doc: dict) -> list[dict]:
    return [dict(r, aim_point=r["aim_point"]["name"], lat_deg=r["aim_point"]["lat_deg"],
                 lon_deg=r["aim_point"]["lon_deg"], ci95_low=r["ci95"][0],
                 ci95_high=r["ci95"][1]) for r in doc["results"] if "aim_point" in r]


def write_outputs(doc: dict, c, folder: Path, radars=()) -> list[str]:
    """campaign.json, routes.csv, aim-points.csv, sensitivity.csv, tornado.csv, parameters.csv,
    probability-map.png and tornado-*.png into ``folder``; returns the names written."""
    folder = Path(folder)
    _write_shared(doc, folder)
    _write_csv(route_rows(doc), folder / "routes.csv",
               ["route", "base", "target", "flown", "p_engageable", "ci95_low", "ci95_high",
                "engageable_draws"])
    _write_csv(aim_rows(doc), folder / "aim-points.csv",
               ["aim_point", "lat_deg", "lon_deg", "p_engageable", "ci95_low", "ci95_high",
                "p_any_route"])
    names = ["campaign.json", "routes.csv", "aim-points.csv", "sensitivity.csv", "tornado.csv",
             "parameters.csv"]
    probability_map(doc, c, folder / "probability-map.png", radars=radars)
    names.append("probability-map.png")
    conditional_chart(doc, folder / "tornado-any-route.png")
    names.append("tornado-any-route.png")
    _write_csv(doc["conditional"], folder / "conditional.csv",
               ["parameter", "share", "low_values", "p_low", "ci95_low", "draws_low",
                "high_values", "p_high", "ci95_high", "draws_high"])
    names.append("conditional.csv")
    for fig in dict.fromkeys(r["figure"] for r in doc["tornado"]):
        name = f"tornado-{fig.replace('_', '-')}.png"
        tornado_chart(doc, fig, folder / name)
        names.append(name)
    return names


# ---- figures --------------------------------------------------------------------------------


def _site_rows(nominal) -> list[dict]:
    """The scenario's sites as maps.py draws them (name, position in degrees, kind)."""
    from euroshield.report.deterrence import catalog_kinds

    kinds = catalog_kinds()
    return [{"name": s.site, "lat_deg": nominal.site_position(s)[0],
             "lon_deg": nominal.site_position(s)[1],
             "kind": kinds.get(s.site, "defence-site") if s.lat is None else "defence-site"}
            for s in nominal.sites]


def _radar_rows(radars, rcs_m2: float) -> list[dict]:
    """Radar models as maps.py draws them: position and sector in degrees, nominal range [km]
    against a target of ``rcs_m2``."""
    return [{"name": r.name, "lat_deg": r.lat, "lon_deg": r.lon,
             "boresight_deg": r.boresight_azimuth_deg,
             "half_width_deg": (r.half_width_deg if r.boresight_azimuth_deg is not None
                                else None),
             "range_km": float(r.max_range_m(rcs_m2)) / 1e3} for r in radars]


def probability_map(doc: dict, c, path, radars=()) -> Path:
    """Threat ground tracks coloured by P(engageable by at least one shooter), sites and the
    radars (nominal ranges); Lambert azimuthal equal-area as the deterrence maps."""
    import matplotlib.style
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.patches import PathPatch

    from euroshield.report import maps

    proj = maps._projection()
    p = {r["route"]: r["p_engageable"] for r in doc["results"] if "route" in r}
    tracks = []
    for i, (b, t) in enumerate(zip(c.launch_names, c.aim_names, strict=True)):
        lat, lon = c.tracks[i]
        if len(lat):
            tracks.append((p.get(f"{b} -> {t}") or 0.0, {"lat_deg": lat, "lon_deg": lon}))
    tracks.sort(key=lambda x: x[0])  # likely routes drawn on top
    sites = _site_rows(c.plan.nominal)
    radars = _radar_rows(radars, c.plan.nominal.threats.rcs_m2)
    xy_all = [maps._polyline(proj, [t]) for _, t in tracks]
    site_xy = maps._points(proj, sites)
    radar_xy = maps._radar_outlines(proj, radars)
    every = np.concatenate([*xy_all, site_xy, *radar_xy, np.empty((0, 2))])
    limits = (maps._auto_limits(every) if np.isfinite(every).any()
              else maps._box_limits(proj, maps._DEFAULT_EXTENT_DEG))
    cmap = colormaps["plasma_r"]
    top = max([pv for pv, _ in tracks] + [0.0])
    vmax = 1.0  # a round upper end of the colour scale, so rare engagements still show
    for m in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0):
        if top <= m:
            vmax = m
            break
    norm = Normalize(0.0, vmax)
    s0 = doc["summary"][0]
    with matplotlib.style.context("default"):
        fig, ax, data, border_path = maps._map_figure(proj, limits, (0.02, 0.06, 0.86, 0.84))
        ax.add_patch(PathPatch(border_path, facecolor="none", edgecolor="#b3ad9f",
                               linewidth=0.3, transform=data, zorder=1))
        ax.gridlines(color="#c9d3dc", linewidth=0.3, zorder=1.5)
        for (pv, _), xy in zip(tracks, xy_all, strict=True):
            if pv > 0:
                ax.plot(*xy.T, color=cmap(norm(pv)), linewidth=0.9 + 1.2 * pv / vmax,
                        alpha=0.95, transform=data, zorder=2.5 + pv / vmax)
            else:  # never engageable in any draw
                ax.plot(*xy.T, color="#9e9e9e", linewidth=0.4, alpha=0.6, transform=data,
                        zorder=2)
        for r, xy in zip(radars, radar_xy, strict=True):
            ax.plot(*xy.T, color="#2e7d32", linewidth=0.6, transform=data, zorder=4)
            at = maps._points(proj, [r])[0]
            if np.isfinite(at).all():
                ax.annotate(r["name"], xy=tuple(at), xytext=(4, -8), textcoords="offset points",
                            fontsize=5.5, color="#2e7d32", zorder=6)
        for s, xy in zip(sites, site_xy, strict=True):
            if np.isfinite(xy).all():
                ax.plot(*xy, marker="^" if s["kind"] == "defence-site" else "D",
                        markersize=5.5, color="black", markerfacecolor="#ffd54f",
                        transform=data, zorder=5)
                ax.annotate(s["name"], xy=tuple(xy), xytext=(5, 4), textcoords="offset points",
                            fontsize=6.5, zorder=6)
        cax = fig.add_axes((0.9, 0.15, 0.02, 0.6))
        cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax)
        cb.set_label("P(engageable by at least one site); grey: in no draw", fontsize=8)
        cb.ax.tick_params(labelsize=7)
        fig.suptitle(f"euroshield campaign: {doc['scenario']}", fontsize=12, y=0.975,
                     parse_math=False)
        lo, hi = s0["ci95"]
        fig.text(0.5, 0.925, f"{doc['runs']:,} draws (seed {doc['seed']}); P(at least one route "
                 f"engageable) = {s0['p']:.3f} [{lo:.3f}, {hi:.3f}] (Wilson 95 %)",
                 ha="center", fontsize=8.5, color="#444444", parse_math=False)
        fig.text(0.99, 0.015, maps._FOOTER, ha="right", fontsize=6, color="#666666")
        path = Path(path)
        maps._save_png(fig, path)
    return path


_LOW, _HIGH = "#5b7aa6", "#c62828"  # bars of a parameter at the low / high end


def _bar_axes(labels: list[str], title: str, subtitle: str, head_in: float, row_in: float,
              top_in: float, bottom_in: float):
    """A chart of one row of bars per label (call inside ``charts._style()``): (figure, axes)."""
    from euroshield.report import charts

    n = max(len(labels), 2)
    fig = charts._figure(head_in + row_in * n + 0.8)
    left = min(0.25 + charts._label_width_in(fig, labels, 8), 0.45 * charts._WIDTH_IN)
    ax = charts._axes(fig, left_in=left, right_in=0.4, top_in=top_in, bottom_in=bottom_in)
    charts._titles(fig, title, subtitle)
    return fig, ax


def _paired_bars(ax, rows: list[dict], base: float, key: str) -> None:
    """Per row, the ``key``_low and ``key``_high bars from ``base`` with their 95 % whiskers."""
    for y, r in enumerate(rows):
        for dy, side, colour in ((-0.17, "low", _LOW), (0.17, "high", _HIGH)):
            v, (lo, hi) = r[f"{key}_{side}"], r[f"ci95_{side}"]
            ax.barh(y + dy, v - base, left=base, height=0.32, color=colour, alpha=0.85)
            if lo is not None and hi is not None:
                ax.plot([lo, hi], [y + dy] * 2, color="#212121", lw=0.8)


def _finish_bars(fig, ax, path, base: float, labels: list[str], xlabel: str,
                 legend: tuple[str, str], thousands: bool = True, xlim=None) -> Path:
    """Base line, row labels, x axis (``xlim`` if given), the low/high legend; saves."""
    from matplotlib.patches import Patch

    from euroshield.report import charts

    ax.axvline(base, color="#212121", lw=1.0)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8, parse_math=False)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(xlabel, fontsize=8.5)
    if thousands:
        _thousands(ax)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    ax.set_axisbelow(True)
    if xlim is not None:
        ax.set_xlim(*xlim)
    h = fig.get_size_inches()[1]
    fig.legend(handles=[Patch(color=_LOW, label=legend[0]), Patch(color=_HIGH, label=legend[1])],
               loc="lower center", bbox_to_anchor=(0.5, 0.15 / h), ncol=2, fontsize=7,
               frameon=False)
    return charts._save(fig, path)


def tornado_chart(doc: dict, figure: str, path) -> Path:
    """One-at-a-time tornado of headline ``figure``: per parameter, bars from the scenario's
    value of the figure to its value at the parameter's 5th and 95th percentiles."""
    from euroshield.report import charts

    rows = [r for r in doc["tornado"] if r["figure"] == figure]
    rows.sort(key=lambda r: -abs(r["high"] - r["low"]))
    base = rows[0]["base"] if rows else 0
    labels = [charts._cut(r["parameter"], 48) for r in rows]
    with charts._style():
        fig, ax = _bar_axes(labels, f"{doc['scenario']}: what drives the "
                                    f"{figure_short(figure)}?",
                            f"one at a time: each parameter at its 5th / 95th percentile, the "
                            f"others as the scenario gives them (base: {base})",
                            1.2, 0.42, top_in=1.0, bottom_in=0.9)
        if not rows:
            charts._empty(ax, "No uncertain parameters.")
            return charts._save(fig, path)
        for y, r in enumerate(rows):
            for val, colour in ((r["low"], _LOW), (r["high"], _HIGH)):
                ax.barh(y, val - base, left=base, height=0.6, color=colour, alpha=0.85)
            ax.text(max(r["low"], r["high"], base), y, f"  {r['low_value']} .. {r['high_value']}",
                    va="center", fontsize=6.5, color="#333333", parse_math=False)
        ends = [r["low"] for r in rows] + [r["high"] for r in rows] + [base]
        hi_x = max(ends)
        return _finish_bars(fig, ax, path, base, labels, figure_text(figure),
                            ("parameter at its 5th percentile", "parameter at its 95th percentile"),
                            xlim=(min(ends) - 0.5, hi_x + 0.25 * max(hi_x, 1) + 1))


def conditional_chart(doc: dict, path) -> Path:
    """Tornado of P(at least one route engageable): per parameter, the probability among the
    draws with the parameter in the lowest / highest share of its distribution (others drawn
    as usual), with Wilson 95 % intervals, around the overall probability."""
    from euroshield.report import charts

    rows = [r for r in doc["conditional"] if r["p_low"] is not None and r["p_high"] is not None]
    rows.sort(key=lambda r: -abs(r["p_high"] - r["p_low"]))
    base = doc["summary"][0]["p"]
    share = f"{100 * doc['conditional'][0]['share']:.0f} %" if doc["conditional"] else ""
    labels = [charts._cut(r["parameter"], 48) for r in rows]
    with charts._style():
        fig, ax = _bar_axes(labels, f"{doc['scenario']}: which assumption drives P(at least one "
                                    "route engageable)?",
                            f"{doc['runs']:,} draws; bars: the draws with the parameter in its "
                            f"lowest / highest {share}, the others drawn as usual; whiskers: "
                            f"Wilson 95\u00a0%; line: all draws ({base:.3f})",
                            1.3, 0.46, top_in=1.05, bottom_in=0.95)
        if not rows:
            charts._empty(ax, "No uncertain parameters.")
            return charts._save(fig, path)
        _paired_bars(ax, rows, base, "p")
        top = max([r["ci95_high"][1] for r in rows] + [r["ci95_low"][1] for r in rows] + [base])
        return _finish_bars(fig, ax, path, base, labels, "P(at least one route engageable)",
                            (f"parameter in its lowest {share}",
                             f"parameter in its highest {share}"),
                            thousands=False, xlim=(0, min(1.0, top * 1.1 + 1e-3)))


def summary_lines(doc: dict) -> list[str]:
    """Plain sentences of a campaign for the terminal."""
    s0, s1 = doc["summary"]
    ev = doc["evaluation"]
    lines = [f"{doc['scenario']}: {doc['runs']:,} draws (seed {doc['seed']}"
             + (", converged" if doc["converged"] else "") + ")",
             f"P(at least one route engageable) = {s0['p']:.4f} "
             f"[{s0['ci95'][0]:.4f}, {s0['ci95'][1]:.4f}] ({INTERVAL})",
             f"engageable routes: mean {s1['mean']:.2f} of {s1['of']} "
             f"(5th-95th percentile {s1['p05']:g}-{s1['p95']:g})",
             f"evaluations: {ev['evaluations']:,} ({ev['fast_evaluations']:,} fast path, "
             f"{ev['exact_evaluations']:,} exact); {ev['computed_now']:,} computed now, "
             f"{ev['reused_from_store']:,} from the store; {ev['executor']}"]
    return lines


def versions() -> dict:
    import numpy
    import pyarrow

    out = {"euroshield": __version__, "numpy": numpy.__version__, "pyarrow": pyarrow.__version__}
    try:
        from importlib.metadata import version

        out["SALib"] = version("SALib")
    except Exception:  # pragma: no cover
        pass
    return out


# ---- the "Uncertainty" section of euroshield study -----------------------------------------

STUDY_RUNS = 500  # Monte Carlo draws of the report's campaign
STUDY_SOBOL_DRAWS = 128  # its Sobol base draws
STUDY_SEED = 1


def uncertainty_section(sc, study, out_dir: Path, progress=print):
    """Run a small campaign over ``sc``'s distributions in this process (the deterrence
    study's trajectories reused) and write its files; returns the report section and the files
    written (name -> what)."""
    from euroshield.executors import Executor, execute
    from euroshield.report.html import Figure, Finding, P, Section, Table, code

    plan = cp.Plan(sc, STUDY_SEED, STUDY_RUNS, STUDY_SOBOL_DRAWS)
    c = execute(plan, Executor(), None, say=lambda m: progress(f"  campaign: {m}"),
                looks=study.looks)
    doc = campaign_doc(c, meta={"versions": versions()})
    folder = Path(out_dir) / "uncertainty"
    folder.mkdir(exist_ok=True)
    names = write_outputs(doc, c, folder, radars=sc.nominal().radar_models())
    files = {f"uncertainty/{n}": "campaign over the scenario's distributions" for n in names}
    s0, s1 = doc["summary"]
    top = sorted((r for r in doc["results"] if "route" in r and r["p_engageable"]),
                 key=lambda r: -r["p_engageable"])[:10]
    blocks = [
        P([f"The scenario declares {len(doc['parameters'])} uncertain parameters. "
           f"{doc['runs']} seeded draws (seed {doc['seed']}), each a full deterrence matrix "
           f"under the scenario's timeline; intervals: {INTERVAL}. Rerun or extend it with ",
           code(f"euroshield campaign scenario.yaml --runs N --seed {doc['seed']}"), "."]),
        Finding(f"P(at least one route engageable) = {s0['p']:.3f} "
                f"[{s0['ci95'][0]:.3f}, {s0['ci95'][1]:.3f}]; engageable routes per draw: mean "
                f"{s1['mean']:.2f} of {s1['of']} (5th-95th percentile {s1['p05']:g}-"
                f"{s1['p95']:g})."),
        Table(["parameter", "distribution", "source"],
              [[p["parameter"], p["distribution"], p["source"]] for p in doc["parameters"]],
              left=3),
        Figure(folder / "probability-map.png", "Routes by probability of being engageable by "
                                              "at least one site"),
        Table(["route", "P(engageable)", "95 % interval"],
              [[r["route"], f"{r['p_engageable']:.3f}",
                f"{r['ci95'][0]:.3f} - {r['ci95'][1]:.3f}"] for r in top]
              or [["(no route engageable in any draw)", "0", ""]], left=1),
        Figure(folder / "tornado-any-route.png", "Which assumption drives the answer: the "
               "probability among the draws with each parameter at the low or high end of its "
               "distribution"),
    ]
    if doc["sensitivity"]:
        blocks.append(Table(
            ["parameter", "Sobol first order", "Sobol total"],
            [[r["parameter"], "-" if r["first_order"] is None else
              f"{r['first_order']:.3f} ± {r['first_order_ci95']:.3f}",
              "-" if r["total"] is None else f"{r['total']:.3f} ± {r['total_ci95']:.3f}"]
             for r in doc["sensitivity"]], left=1))
        blocks.append(P(doc["sensitivity_method"] + "."))
    blocks.append(P(doc["evaluation"]["note"] + "."))
    return Section("Uncertainty: the disputed parameters as distributions", blocks), files


# ---- footprint campaigns ----------------------------------------------------------------------


def _figure_parts(figure: str) -> tuple[str, str | None]:
    """"defended_area_km2:MISSILE" -> ("defended_area_km2", "MISSILE")."""
    head, _, missile = figure.partition(":")
    return head, missile or None


def figure_text(figure: str) -> str:
    """A headline figure's words (either study)."""
    head, missile = _figure_parts(figure)
    text = cp.FOOTPRINT_HEADLINES.get(head) or cp.HEADLINES.get(head, head)
    return f"{text}, {missile}" if missile else text


def figure_short(figure: str) -> str:
    """A headline figure in a few words, for chart titles."""
    head, missile = _figure_parts(figure)
    short = {"defended_area_km2": "defended area", "engageable_area_km2": "engageable area",
             "capitals_defended": "capitals defended"}.get(head)
    if short is None:
        return cp.HEADLINES.get(head, head)
    return f"{short} against {missile}" if missile else short


def _thousands(ax) -> None:
    """Plain numbers with thousands separators on the x axis (areas in km²), not 1e6."""
    from matplotlib.ticker import FuncFormatter

    lo, hi = ax.get_xlim()
    if max(abs(lo), abs(hi)) >= 1e4:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"{x:,.0f}"))


def _mean_ci(y: np.ndarray, nd: int) -> tuple[float | None, list]:
    """Mean and its 95 % interval (normal approximation) of per-draw values."""
    y = np.asarray(y, dtype=float)
    if not len(y):
        return None, [None, None]
    mean = float(y.mean())
    half = cp.Z95 * float(y.std(ddof=1)) / np.sqrt(len(y)) if len(y) > 1 else 0.0
    return _r(mean, nd), [_r(mean - half, nd), _r(mean + half, nd)]


def _nd(figure: str) -> int:
    return 0 if "area" in figure else 3


def footprint_doc(c, meta: dict | None = None) -> dict:
    """A footprint campaign as one JSON-ready document (``euroshield campaign --study
    footprint --json``): per (missile, aim point) the probability of being defended, the
    defended-area figures, sensitivities, tornado and conditional means."""
    from euroshield import catalog

    o, plan, cells = c.outcome, c.plan, c.cells
    n = o.runs
    nominal = plan.nominal
    a_all, n_cells = cells.n_aims, cells.n_cells
    lat, lon = cells.aim_lat_deg, cells.aim_lon_deg
    area = cells.grid.area_m2 / 1e6
    caps = catalog.capitals()
    results, capitals = [], []
    for g, m in enumerate(cells.missiles):
        for a in range(a_all):
            gi = g * a_all + a
            if not o.threatened[gi]:
                continue
            kd, ke = int(o.defended_hits[gi]), int(o.partly_hits[gi])
            point = {"lat_deg": round(float(lat[a]), 4), "lon_deg": round(float(lon[a]), 4)}
            if a < n_cells:
                extra = {"kind": "cell", "area_km2": _r(area[a], 1)}
            else:
                name = cells.capitals[a - n_cells]
                point = {"name": name, **point}
                extra = {"kind": "capital", "label": caps[name].label,
                         "country": caps[name].country}
            row = {"aim_point": point, "missile": m, **extra, "p_engageable": _r(kd / n),
                   "ci95": _ci(kd, n), "defended_draws": kd,
                   "p_any_launch_point": _r(ke / n), "ci95_any_launch_point": _ci(ke, n)}
            results.append(row)
            if a >= n_cells:
                capitals.append({"capital": point["name"], "label": extra["label"],
                                 "country": extra["country"], "missile": m,
                                 "p_defended": row["p_engageable"], "ci95": row["ci95"],
                                 "p_any_launch_point": row["p_any_launch_point"]})
    summary = []
    for g, m in enumerate(cells.missiles):
        thr = o.threatened[g * a_all:(g + 1) * a_all]
        for head in ("defended_area_km2", "engageable_area_km2", "capitals_defended"):
            fig = f"{head}:{m}"
            y = o.headlines[fig]
            nd = _nd(head)
            mean, ci = _mean_ci(y, nd)
            row = {"figure": head, "missile": m, "text": cp.FOOTPRINT_HEADLINES[head],
                   "mean": mean, "ci95": ci, "ci95_method": "normal approximation of the mean",
                   "p05": _r(np.percentile(y, 5), nd), "median": _r(np.median(y), nd),
                   "p95": _r(np.percentile(y, 95), nd)}
            if head == "capitals_defended":
                row["of"] = int(thr[n_cells:].sum())
            else:
                row["threatened_area_km2"] = _r(float(area[thr[:n_cells]].sum()), 0)
            summary.append(row)
    sens, others = _sensitivity(o, plan, f"defended_area_km2:{cells.missiles[0]}")
    tornado = _tornado_rows(o, plan, lambda fig, v: _r(v, _nd(fig)))
    conditional = []
    for fig, cond in o.conditional.items():
        nd = _nd(fig)
        base, _ = _mean_ci(o.headlines[fig], nd)
        for j, d in enumerate(plan.dists):
            row = {"figure": fig, "parameter": d.parameter, "share": cp.CONDITIONAL_SHARE,
                   "base": base, **_share_values(d)}
            for side, key in enumerate(("low", "high")):
                k, mean, sd = cond[j, side]
                half = cp.Z95 * sd / np.sqrt(k) if k > 1 else np.nan
                row[f"mean_{key}"] = _r(mean, nd)
                row[f"ci95_{key}"] = [_r(mean - half, nd), _r(mean + half, nd)]
                row[f"draws_{key}"] = int(k)
            conditional.append(row)
    g = cells.grid
    doc = {
        **_head("footprint", o, nominal),
        "grid": {"resolution_deg": g.resolution_deg, "cells": len(g),
                 "capitals": len(cells.capitals), "land_only": g.land_only,
                 "region": g.region.model_dump()},
        "missiles": list(cells.missiles), "launch_areas": list(cells.launch_areas),
        "launch_points": [{"name": p[0], "lat_deg": p[1], "lon_deg": p[2]}
                          for p in cells.launch_points],
        "rcs_m2": nominal.footprint.rcs_m2,
        "parameters": _parameter_rows(plan), "results": results, "capitals": capitals,
        "summary": summary, "sensitivity": sens, "sensitivity_other": others,
        "sensitivity_method": _sobol_method(o, plan, "each figure"),
        "tornado": tornado, "conditional": conditional,
        "conditional_method": (
            f"mean of the figure among the draws with the parameter in the lowest / highest "
            f"{cp.CONDITIONAL_SHARE:.0%} of its distribution, the others drawn as usual (from "
            "the Monte Carlo draws: no extra evaluations); 95 % intervals: normal "
            "approximation"),
        "tornado_method": TORNADO_METHOD,
        "definitions": {
            "p_engageable": "probability that the aim point is defended: engageable by at "
                            "least one site from every launch point whose missile reaches it "
                            "(the footprint study's 'defended')",
            "p_any_launch_point": "probability that it is engageable from at least one such "
                                  "launch point",
            "results": "threatened aim points only (reached by the missile from at least one "
                       "launch point; the trajectories do not change between draws)"},
        "evaluation": _evaluation(
            c, "fast path: trajectories, radar visibility and fly-out tables computed once; a "
               "varied interceptor speed is evaluated between exact fly-out tables "
               f"{cp.SPEED_QUANTUM_KMS:g} km/s apart (latest launch linear in 1/v; at a reach "
               "edge the nearer table's)", "grids", trajectories=len(cells.threats)),
        "store": c.store_path,
    }
    if meta:
        doc["meta"] = meta
    return doc


def footprint_summary_lines(doc: dict) -> list[str]:
    """Plain sentences of a footprint campaign for the terminal."""
    g, ev = doc["grid"], doc["evaluation"]
    lines = [f"{doc['scenario']}: footprint campaign, {doc['runs']:,} draws (seed "
             f"{doc['seed']}" + (", converged" if doc["converged"] else "") + f"); "
             f"{g['cells']:,} aim points every {g['resolution_deg']:g}° and {g['capitals']} "
             f"capitals, {len(doc['launch_points'])} launch point"
             f"{'' if len(doc['launch_points']) == 1 else 's'} "
             f"({', '.join(doc['launch_areas'])})"]
    for m in doc["missiles"]:
        rows = {r["figure"]: r for r in doc["summary"] if r["missile"] == m}
        d, e, k = (rows["defended_area_km2"], rows["engageable_area_km2"],
                   rows["capitals_defended"])
        lines.append(
            f"{m}: defended area: mean {d['mean']:,.0f} km² [{d['ci95'][0]:,.0f}, "
            f"{d['ci95'][1]:,.0f}] of {d['threatened_area_km2']:,.0f} km² threatened "
            f"(5th-95th percentile {d['p05']:,.0f}-{d['p95']:,.0f})")
        lines.append(f"  engageable from at least one launch point: {e['mean']:,.0f} km²; "
                     f"capitals defended: {k['mean']:.2f} of {k['of']} (means over the draws)")
    lines.append(f"evaluations: {ev['evaluations']:,} ({ev['fast_evaluations']:,} fast path, "
                 f"{ev['exact_evaluations']:,} exact) over {ev['trajectories']:,} "
                 f"trajectories; {ev['computed_now']:,} computed now, "
                 f"{ev['reused_from_store']:,} from the store; {ev['executor']}")
    return lines


def write_footprint_outputs(doc: dict, c, folder: Path, radars=()) -> list[str]:
    """campaign.json, aim-points.csv, capitals.csv, summary.csv, sensitivity.csv, tornado.csv,
    conditional.csv, parameters.csv and, per missile, probability-map-MISSILE.png,
    tornado-defended-area-MISSILE.png and conditional-defended-area-MISSILE.png."""
    from euroshield.report.footprint import slug

    folder = Path(folder)
    _write_shared(doc, folder)
    rows = [{**r, "name": r["aim_point"].get("name"), "lat_deg": r["aim_point"]["lat_deg"],
             "lon_deg": r["aim_point"]["lon_deg"], "ci95_low": r["ci95"][0],
             "ci95_high": r["ci95"][1]} for r in doc["results"]]
    _write_csv(rows, folder / "aim-points.csv",
               ["missile", "kind", "name", "lat_deg", "lon_deg", "area_km2", "p_engageable",
                "ci95_low", "ci95_high", "defended_draws", "p_any_launch_point"])
    _write_csv([{**r, "ci95_low": r["ci95"][0], "ci95_high": r["ci95"][1]}
                for r in doc["capitals"]], folder / "capitals.csv",
               ["capital", "label", "country", "missile", "p_defended", "ci95_low",
                "ci95_high", "p_any_launch_point"])
    _write_csv(doc["summary"], folder / "summary.csv",
               ["missile", "figure", "mean", "ci95", "p05", "median", "p95",
                "threatened_area_km2", "of"])
    _write_csv(doc["conditional"], folder / "conditional.csv",
               ["figure", "parameter", "share", "base", "low_values", "mean_low", "ci95_low",
                "draws_low", "high_values", "mean_high", "ci95_high", "draws_high"])
    names = ["campaign.json", "aim-points.csv", "capitals.csv", "summary.csv",
             "sensitivity.csv", "tornado.csv", "conditional.csv", "parameters.csv"]
    for m in doc["missiles"]:
        name = f"probability-map-{slug(m)}.png"
        footprint_probability_map(doc, c, m, folder / name, radars=radars)
        fig = f"defended_area_km2:{m}"
        tornado_chart(doc, fig, folder / f"tornado-defended-area-{slug(m)}.png")
        conditional_mean_chart(doc, fig, folder / f"conditional-defended-area-{slug(m)}.png")
        names += [name, f"tornado-defended-area-{slug(m)}.png",
                  f"conditional-defended-area-{slug(m)}.png"]
    return names


def footprint_probability_map(doc: dict, c, missile: str, path, radars=()) -> Path:
    """P(defended) of every threatened aim point against ``missile`` on the offline map."""
    from euroshield import catalog
    from euroshield.report.maps import probability_map

    cells = c.cells
    g = cells.grid
    p = np.full(len(g), np.nan)
    key = {(r["aim_point"]["lat_deg"], r["aim_point"]["lon_deg"]): r["p_engageable"]
           for r in doc["results"] if r["missile"] == missile and r["kind"] == "cell"}
    for i, (la, lo) in enumerate(zip(g.lat_deg, g.lon_deg, strict=True)):
        p[i] = key.get((round(float(la), 4), round(float(lo), 4)), np.nan)
    caps = catalog.capitals()
    capitals = [{"name": r["capital"], "label": r["label"], "lat_deg": caps[r["capital"]].lat,
                 "lon_deg": caps[r["capital"]].lon, "probability": r["p_defended"]}
                for r in doc["capitals"] if r["missile"] == missile]
    nominal = c.plan.nominal
    d = next(r for r in doc["summary"] if r["missile"] == missile
             and r["figure"] == "defended_area_km2")
    reg = g.region
    return probability_map(
        path, title=f"euroshield campaign: P(defended) against {missile}",
        subtitle=(f"{doc['scenario']}, {doc['runs']:,} draws (seed {doc['seed']}): defended "
                  f"area mean {d['mean']:,.0f} km² [{d['ci95'][0]:,.0f}, {d['ci95'][1]:,.0f}] "
                  f"of {d['threatened_area_km2']:,.0f} km² threatened\n"
                  f"from {', '.join(doc['launch_areas'])}; cells every {g.resolution_deg:g}° "
                  "(threatened cells only); radar circles: nominal ranges"),
        cells_lat_deg=g.lat_deg, cells_lon_deg=g.lon_deg, probability=p,
        resolution_deg=g.resolution_deg,
        colour_label="P(defended from every launch point)", capitals=capitals,
        sites=_site_rows(nominal), launch_points=doc["launch_points"],
        radars=_radar_rows(radars, nominal.footprint.rcs_m2),
        extent_deg=(reg.lon_min_deg, reg.lon_max_deg, reg.lat_min_deg, reg.lat_max_deg))


def conditional_mean_chart(doc: dict, figure: str, path) -> Path:
    """Per parameter, the mean of ``figure`` among the draws with the parameter in the lowest /
    highest share of its distribution (others drawn as usual), with 95 % intervals, around
    the overall mean."""
    from euroshield.report import charts

    rows = [r for r in doc["conditional"] if r["figure"] == figure
            and r["mean_low"] is not None and r["mean_high"] is not None]
    rows.sort(key=lambda r: -abs(r["mean_high"] - r["mean_low"]))
    base = rows[0]["base"] if rows else 0.0
    share = f"{100 * cp.CONDITIONAL_SHARE:.0f} %"
    labels = [charts._cut(r["parameter"], 48) for r in rows]
    with charts._style():
        fig, ax = _bar_axes(labels, f"{doc['scenario']}: which assumption drives the "
                                    f"{figure_short(figure)}?",
                            f"{doc['runs']:,} draws; bars: mean over the draws with the parameter "
                            f"in its lowest / highest {share}, the others drawn as usual; "
                            f"whiskers: 95\u00a0%; line: all draws ({base:,.0f})",
                            1.3, 0.46, top_in=1.05, bottom_in=0.95)
        if not rows:
            charts._empty(ax, "No uncertain parameters.")
            return charts._save(fig, path)
        _paired_bars(ax, rows, base, "mean")
        return _finish_bars(fig, ax, path, base, labels, figure_text(figure),
                            (f"parameter in its lowest {share}",
                             f"parameter in its highest {share}"))
