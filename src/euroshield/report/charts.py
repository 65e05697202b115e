"""Static charts of the deterrence study: engagement timelines, flip thresholds, speed sweep.

Plain data in, PNG out; nothing physical is computed here. Times are seconds after threat
launch, speeds are interceptor burnout speeds in km/s, counts are warheads (expected values).

House style as in :mod:`euroshield.report.maps`: matplotlib is imported inside the functions
(the command line must not pay for it unless it draws), figures are ``Figure`` objects on an
explicit Agg canvas (no pyplot state, no GUI backend), drawn in the default style whatever the
user's matplotlibrc says, and saved without a Software tag (Agg writes no date), so the same
inputs give byte-identical files. Scenario, site, base and interceptor names are user strings:
every text carrying one is drawn with ``parse_math=False``, so a ``$`` is printed, not parsed.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

from euroshield import __version__
from euroshield.report.deterrence import reason_label

_DPI = 110
_WIDTH_IN = 8.2  # 902 px at _DPI
_FOOTER = f"euroshield {__version__}"
_MAX_LABEL = 58  # characters of a row label before it is cut with an ellipsis

_THREAT = "#d9d9d9"
_CUE = "#ef6c00"
_TRACK = "#2e7d32"
_ALLOWED = "#212121"
_WINDOW = "#1565c0"
_INTERCEPT = "#c62828"
_IMPACT = "#212121"
_DOT = "#5b7aa6"


# --------------------------------------------------------------------------- plain helpers


def _num(x) -> float | None:
    """A finite float, or None for None/NaN/inf/non-numbers."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _cut(s: str, n: int = _MAX_LABEL) -> str:
    s = str(s)
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def _route_key(r: dict) -> tuple:
    return (r.get("base"), r.get("target"))


def _row_label(r: dict) -> str:
    return _cut(f"{r.get('base')} \u2192 {r.get('target')} / {r.get('site')} "
                f"{r.get('interceptor')}")


def _timeline_rows(result, max_routes: int = 12) -> list[dict]:
    """The route rows the timeline shows, top to bottom: at most ``max_routes``, one per
    (base, target) route.

    Order: engageable (route, site, interceptor) rows, best (largest) margin first; then, for
    routes no site engages, the closest misses: rows with a negative margin (the interceptor
    arrives late), closest to zero first; then not-engageable rows that still carry a margin
    (not engageable for another reason, e.g. the missile cannot reach the target). Rows
    without a margin have no timeline to compare and are left out. Each route appears once,
    with its first row in this order; ties keep the order of ``result.routes``.
    """
    tiers: list[tuple[int, float, int, dict]] = []
    for i, r in enumerate(getattr(result, "routes", None) or ()):
        m = _num(r.get("margin_s"))
        if r.get("engageable"):
            tier = 0
        elif m is None:
            continue
        else:
            tier = 1 if m < 0 else 2
        tiers.append((tier, -(m if m is not None else -math.inf), i, r))
    tiers.sort(key=lambda x: x[:3])
    out, seen = [], set()
    for *_, r in tiers:
        if len(out) >= max(0, int(max_routes)):
            break
        if _route_key(r) in seen:
            continue
        seen.add(_route_key(r))
        out.append(r)
    return out


def _impact_time(result, r: dict) -> float | None:
    p = (getattr(result, "paths", None) or {}).get(_route_key(r))
    if p is None or len(p) == 0 or len(p[0]) == 0:
        return None
    return _num(p[0][-1])


# --------------------------------------------------------------------------- figure helpers


def _figure(height_in: float):
    """A Figure on an explicit Agg canvas (call inside the default style context)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(_WIDTH_IN, height_in), dpi=_DPI)
    FigureCanvasAgg(fig)
    return fig


def _axes(fig, left_in: float, right_in: float, top_in: float, bottom_in: float):
    w, h = fig.get_size_inches()
    return fig.add_axes((left_in / w, bottom_in / h, max(0.05, (w - left_in - right_in) / w),
                         max(0.05, (h - top_in - bottom_in) / h)))


def _titles(fig, title: str, subtitle: str = "") -> None:
    h = fig.get_size_inches()[1]
    fig.text(0.5, 1.0 - 0.12 / h, _cut(title, 110), ha="center", va="top", fontsize=11.5,
             parse_math=False)
    if subtitle:
        subtitle = "\n".join(textwrap.fill(line, 125, break_on_hyphens=False)
                             for line in subtitle.split("\n"))
        fig.text(0.5, 1.0 - 0.42 / h, subtitle, ha="center", va="top", fontsize=7.5,
                 color="#444444", parse_math=False)
    fig.text(0.99, 0.06 / h, _FOOTER, ha="right", va="bottom", fontsize=6, color="#666666",
             parse_math=False)


def _empty(ax, message: str) -> None:
    """Explain in the plot area why there is nothing to draw."""
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_color("#bbbbbb")
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=9,
            color="#555555", wrap=True, parse_math=False)


def _label_width_in(fig, labels: Iterable[str], fontsize: float) -> float:
    """Width [in] of the widest label as the Agg renderer will draw it (deterministic)."""
    from matplotlib.text import Text

    r = fig.canvas.get_renderer()
    widths = [0.0]
    for s in labels:
        t = Text(0, 0, s, fontsize=fontsize, parse_math=False)
        t.set_figure(fig)
        widths.append(t.get_window_extent(r).width / fig.dpi)
    return max(widths)


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # No "Software" tag (matplotlib version) and Agg writes no date: byte-stable output.
    fig.savefig(path, dpi=_DPI, format="png", metadata={"Software": None})
    return path


def _style():
    import matplotlib.style

    # the default style (reproducible whatever the matplotlibrc says), never TeX
    return matplotlib.style.context(["default", {"text.usetex": False}])


# --------------------------------------------------------------------------- charts


def engagement_timeline(result, path, max_routes: int = 12) -> Path:
    """Timelines of the best engageable routes and the closest misses; write a PNG.

    ``result``: a :class:`~euroshield.studies.deterrence.DeterrenceResult` or any object with
    ``scenario``, ``assumptions`` (``early_warning_delay_s``, ``decision_delay_s``, optional
    ``launch_rule``), ``routes`` (dicts) and ``paths`` ((base, target) -> (t_s, ...)). One row
    per route, chosen by :func:`_timeline_rows`, on a time axis in seconds after threat
    launch: the threat's flight (launch to the last path time, its impact), the IR cue, the
    radar track time, the time launch is allowed, the interceptor launch window (engageable
    rows), the fly-out to the intercept (or best) point, and the intercept. Values that are
    None are simply not drawn. Returns the path.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = _timeline_rows(result, max_routes)
    a = getattr(result, "assumptions", None) or {}
    cue = _num(a.get("early_warning_delay_s"))
    delay = _num(a.get("decision_delay_s"))
    routes = getattr(result, "routes", None) or []
    n_eng = len({_route_key(r) for r in routes if r.get("engageable")})
    n_all = len({_route_key(r) for r in routes})
    labels = [_row_label(r) for r in rows]

    bits = [f"IR cue at T+{cue:g} s" if cue is not None else "no IR cue"]
    if delay is not None:
        bits.append(f"decision delay {delay:g} s")
    if a.get("launch_rule"):
        bits.append(f"launch rule: {a['launch_rule']}")
    subtitle = (f"{n_eng} of {n_all} routes engageable; {len(rows)} shown (engageable first, "
                f"best margin first, then the closest misses)\n" + "; ".join(bits))

    with _style():
        n = max(len(rows), 2)
        fig = _figure(1.0 + 0.34 * n + 1.25)
        left = min(0.25 + _label_width_in(fig, labels, 7.5), 0.45 * _WIDTH_IN) if rows else 0.3
        ax = _axes(fig, left_in=left, right_in=1.15 if rows else 0.3, top_in=1.0,
                   bottom_in=1.25)
        _titles(fig, f"{getattr(result, 'scenario', '')}: engagement timelines", subtitle)
        if not rows:
            _empty(ax, "No route to show: no (route, site, interceptor) is engageable and no "
                       "miss has a timing margin." if routes else "The result has no routes.")
            return _save(fig, path)

        t_max = 0.0
        drawn: set[str] = set()  # legend entries of what is on the chart
        for y, r in enumerate(rows):
            imp = _impact_time(result, r)
            track = _num(r.get("track_time_s"))
            allowed = _num(r.get("launch_allowed_s"))
            t_int = _num(r.get("intercept_time_s"))
            fly = _num(r.get("flyout_time_s"))
            e0, e1 = _num(r.get("earliest_launch_s")), _num(r.get("latest_launch_s"))
            ok = bool(r.get("engageable"))
            t_max = max([t_max, *(v for v in (imp, track, allowed, t_int, cue, e1)
                                  if v is not None)])
            if imp is not None:
                ax.plot([0.0, imp], [y, y], color=_THREAT, lw=7, solid_capstyle="butt",
                        zorder=1)
                ax.plot([imp], [y], marker="X", ms=8, color=_IMPACT, ls="none", zorder=5)
                drawn.add("impact")
            if cue is not None:
                ax.plot([cue], [y], marker="D", ms=5.5, color=_CUE, ls="none", zorder=4)
                drawn.add("cue")
            if track is not None:
                ax.plot([track], [y], marker="s", ms=5.5, color=_TRACK, ls="none", zorder=4)
                drawn.add("track")
            if allowed is not None:
                ax.plot([allowed], [y], marker="|", ms=14, mew=2.2, color=_ALLOWED, ls="none",
                        zorder=4)
                drawn.add("allowed")
            if ok and e0 is not None and e1 is not None:
                ax.plot([e0, max(e1, e0 + 1e-6)], [y, y], color=_WINDOW, lw=7,
                        solid_capstyle="butt", zorder=3)
                drawn.add("window")
            if t_int is not None and fly is not None:
                ax.plot([t_int - fly, t_int], [y - 0.22, y], color=_WINDOW, lw=1.0, ls="--",
                        zorder=2)
                drawn.add("flyout")
            if t_int is not None:
                ax.plot([t_int], [y], marker="*", ms=12, ls="none", zorder=6,
                        color=_INTERCEPT if ok else "white", markeredgecolor=_INTERCEPT)
                drawn.add("intercept" if ok else "best")
            m = _num(r.get("margin_s"))
            if ok:
                note = f"margin {m:+.0f} s" if m is not None else "engageable"
            elif m is not None and m < 0:
                note = f"{-m:.0f} s late"
            else:
                note = _cut(reason_label(r) or "not engageable", 26)
            ax.text(1.01, y, note, transform=ax.get_yaxis_transform(), va="center",
                    fontsize=7, color=_INTERCEPT if ok else "#555555", parse_math=False)

        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(labels, fontsize=7.5, parse_math=False)
        ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
        ax.set_xlim(0.0, max(t_max, 1.0) * 1.03)
        ax.set_xlabel("time after threat launch [s]", fontsize=8.5)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)
        handles = [h for key, h in (
            ("impact", Patch(color=_THREAT, label="threat flight (launch to impact)")),
            ("impact", Line2D([], [], marker="X", ms=8, color=_IMPACT, ls="none",
                              label="impact")),
            ("cue", Line2D([], [], marker="D", ms=5.5, color=_CUE, ls="none", label="IR cue")),
            ("track", Line2D([], [], marker="s", ms=5.5, color=_TRACK, ls="none",
                             label="radar track (launch quality)")),
            ("allowed", Line2D([], [], marker="|", ms=12, mew=2.2, color=_ALLOWED, ls="none",
                               label="interceptor launch allowed")),
            ("window", Patch(color=_WINDOW, label="interceptor launch window")),
            ("flyout", Line2D([], [], color=_WINDOW, lw=1.0, ls="--",
                              label="interceptor fly-out")),
            ("intercept", Line2D([], [], marker="*", ms=11, color=_INTERCEPT, ls="none",
                                 label="intercept")),
            ("best", Line2D([], [], marker="*", ms=11, color="white",
                            markeredgecolor=_INTERCEPT, ls="none",
                            label="best point (not engageable)")),
        ) if key in drawn]
        h = fig.get_size_inches()[1]
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.2 / h),
                   ncol=3, fontsize=7, frameon=False)
        return _save(fig, path)


def _threshold_groups(result) -> list[dict]:
    """Per (site, interceptor), in first-seen order: nominal speed, finite thresholds (sorted),
    routes, and routes with no threshold."""
    groups: dict[tuple, dict] = {}
    for r in getattr(result, "routes", None) or ():
        g = groups.setdefault((r.get("site"), r.get("interceptor")),
                              {"site": r.get("site"), "interceptor": r.get("interceptor"),
                               "nominal": _num(r.get("interceptor_speed_kms")),
                               "values": [], "routes": 0})
        g["routes"] += 1
        v = _num(r.get("threshold_speed_kms"))
        if v is not None:
            g["values"].append(v)
    for g in groups.values():
        g["values"].sort()
        g["never"] = g["routes"] - len(g["values"])
    return list(groups.values())


def threshold_bars(result, path) -> Path:
    """Flip-threshold speeds per (site, interceptor) as strips of dots; write a PNG.

    One row per (site, interceptor) in the order of ``result.routes``: a dot per route at its
    flip threshold (``threshold_speed_kms``: the lowest burnout speed at which it becomes
    engageable), a box over the middle half with the median, a vertical bar at the
    interceptor's nominal speed (``interceptor_speed_kms``), and at the right the number of
    routes with no threshold up to the top of the ladder (``assumptions``'
    ``threshold_ladder_kms``). Returns the path.
    """
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    groups = _threshold_groups(result)
    a = getattr(result, "assumptions", None) or {}
    ladder = [v for v in (_num(x) for x in (a.get("threshold_ladder_kms") or ())) if v is not None]
    top = max(ladder) if ladder else None
    labels = [_cut(f"{g['site']} / {g['interceptor']}", 40) for g in groups]
    n_flip = sum(len(g["values"]) for g in groups)
    n_routes = sum(g["routes"] for g in groups)
    upto = f" up to {top:g} km/s" if top is not None else ""
    subtitle = (f"{n_flip} of {n_routes} (route, site, interceptor) rows become engageable at "
                f"some burnout speed{upto}; dots: one route each; right: routes that never do")

    with _style():
        n = max(len(groups), 2)
        fig = _figure(0.95 + 0.42 * n + 1.0)
        left = min(0.25 + _label_width_in(fig, labels, 8), 0.4 * _WIDTH_IN) if groups else 0.3
        ax = _axes(fig, left_in=left, right_in=1.25 if groups else 0.3, top_in=0.95,
                   bottom_in=1.0)
        _titles(fig, f"{getattr(result, 'scenario', '')}: flip-threshold burnout speeds",
                subtitle)
        if not groups:
            _empty(ax, "No route rows: nothing to show.")
            return _save(fig, path)

        xs = [v for g in groups for v in g["values"]] + ladder
        xs += [g["nominal"] for g in groups if g["nominal"] is not None]
        x0, x1 = (min(xs), max(xs)) if xs else (0.0, 10.0)
        pad = max(0.25, 0.03 * (x1 - x0))
        ax.set_xlim(x0 - pad, x1 + pad)
        golden = 0.6180339887498949
        for y, g in enumerate(groups):
            v = np.asarray(g["values"], dtype=float)
            if v.size:
                q1, med, q3 = np.percentile(v, [25.0, 50.0, 75.0])
                ax.add_patch(Rectangle((q1, y - 0.3), max(q3 - q1, 1e-9), 0.6,
                                       facecolor="#e8eef6", edgecolor="#9fb3cf", lw=0.8,
                                       zorder=1))
                ax.plot([med, med], [y - 0.3, y + 0.3], color="#3f5f8f", lw=1.6, zorder=2)
                # deterministic spread: the sorted dots follow a golden-ratio sequence in y
                jitter = ((np.arange(v.size) * golden) % 1.0 - 0.5) * 0.5
                ax.plot(v, y + jitter, ls="none", marker="o", ms=3.2, color=_DOT, alpha=0.8,
                        markeredgewidth=0, zorder=3)
            elif n_flip:
                ax.text(0.5, y, "no route flips", transform=ax.get_yaxis_transform(),
                        ha="center", va="center", fontsize=7, color="#888888")
            if g["nominal"] is not None:
                ax.plot([g["nominal"]] * 2, [y - 0.42, y + 0.42], color=_INTERCEPT, lw=2.0,
                        zorder=4)
            ax.text(1.015, y, f"{g['never']} of {g['routes']}",
                    transform=ax.get_yaxis_transform(), va="center", fontsize=7.5,
                    color="#333333")
        ax.text(1.015, -0.55, "never flips" + (f"\n(up to {top:g} km/s)" if top else ""),
                transform=ax.get_yaxis_transform(), va="bottom", fontsize=7, color="#333333",
                fontweight="bold")
        ax.set_yticks(range(len(groups)))
        ax.set_yticklabels(labels, fontsize=8, parse_math=False)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        for y in range(1, len(groups)):
            ax.axhline(y - 0.5, color="#eeeeee", lw=0.6, zorder=0)
        ax.set_xlabel("flip-threshold burnout speed [km/s] (same burn time)", fontsize=8.5)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", color="#eeeeee", lw=0.6)
        ax.set_axisbelow(True)
        if not n_flip:
            ax.text(0.5, 0.5, "No route flips within the speed ladder.", transform=ax.transAxes,
                    ha="center", va="center", fontsize=9, color="#555555",
                    bbox={"facecolor": "white", "edgecolor": "#cccccc"}, parse_math=False)
        handles = [
            Line2D([], [], ls="none", marker="o", ms=4, color=_DOT,
                   label="route's flip threshold"),
            Patch(facecolor="#e8eef6", edgecolor="#9fb3cf", label="middle half (quartiles)"),
            Line2D([], [], color="#3f5f8f", lw=1.6, label="median"),
            Line2D([], [], color=_INTERCEPT, lw=2.0, label="nominal burnout speed"),
        ]
        h = fig.get_size_inches()[1]
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.2 / h), ncol=4,
                   fontsize=7, frameon=False)
        return _save(fig, path)


def _sweep_selection(rows: Sequence[dict]) -> tuple[str | None, int | None, list[dict]]:
    """Interceptor "any" (else the first one listed), its largest number of sites, and its
    rows sorted by (inventory multiplier, speed)."""
    rows = [r for r in rows if _num(r.get("speed_kms")) is not None
            and _num(r.get("intercepted")) is not None]
    names = list(dict.fromkeys(str(r.get("interceptor")) for r in rows))
    if not names:
        return None, None, []
    ic = "any" if "any" in names else names[0]
    mine = [r for r in rows if str(r.get("interceptor")) == ic]
    n_sites = max(int(r.get("n_sites") or 0) for r in mine)
    mine = [r for r in mine if int(r.get("n_sites") or 0) == n_sites]
    mine.sort(key=lambda r: (_num(r.get("inventory_multiplier")) or 0.0, _num(r["speed_kms"])))
    return ic, n_sites, mine


def speed_sweep(sweep_rows: Sequence[dict], path, title: str | None = None) -> Path:
    """Expected warheads intercepted against interceptor burnout speed; write a PNG.

    ``sweep_rows``: the rows of :func:`euroshield.studies.attrition.sweep` (interceptor,
    n_sites, sites, inventory_multiplier, speed_kms, inventory, raid, intercepted,
    fraction_intercepted, ...). Drawn: interceptor ``"any"`` (a site engages if any of its
    interceptors can; else the first interceptor listed) with the largest number of sites, one
    line per inventory multiplier. When every drawn row has the same raid, a right-hand axis
    gives the fraction of the raid intercepted. Returns the path.
    """
    import numpy as np

    ic, n_sites, rows = _sweep_selection(list(sweep_rows or ()))
    raids = {round(_num(r.get("raid")) or 0.0, 6) for r in rows}
    raid = raids.pop() if len(raids) == 1 else None
    sites = rows[0].get("sites") if rows else None
    sites = ", ".join(map(str, sites)) if isinstance(sites, list | tuple) else str(sites or "")
    sub = [f"interceptor: {ic}" + (" (a site engages if any of its interceptors can)"
                                   if ic == "any" else "")]
    if n_sites is not None:
        sub.append(f"{n_sites} site{'s' if n_sites != 1 else ''}"
                   + (f" ({_cut(sites, 90)})" if sites else ""))
    if raid:
        sub.append(f"raid {raid:.0f} warheads")

    with _style():
        fig = _figure(5.0)
        ax = _axes(fig, left_in=0.85, right_in=0.85 if raid else 0.3, top_in=0.9, bottom_in=0.6)
        _titles(fig, title or "Expected warheads intercepted vs interceptor burnout speed",
                "; ".join(sub) if rows else "")
        if not rows:
            _empty(ax, "No sweep rows: run the expansion study with the sweep to draw this.")
            return _save(fig, path)
        mults = list(dict.fromkeys(_num(r.get("inventory_multiplier")) for r in rows))
        colours = ["#1b5e20", "#1565c0", "#6a1b9a", "#c62828", "#ef6c00", "#00838f", "#5d4037"]
        markers = ["o", "s", "^", "D", "v", "P", "X"]
        for k, m in enumerate(mults):
            mine = [r for r in rows if _num(r.get("inventory_multiplier")) == m]
            v = np.array([_num(r["speed_kms"]) for r in mine])
            y = np.array([_num(r["intercepted"]) for r in mine])
            inv = _num(mine[0].get("inventory"))
            lab = (f"inventory \u00d7{m:g}" if m is not None else "inventory") + (
                f" ({inv:.0f} interceptors)" if inv is not None else "")
            ax.plot(v, y, color=colours[k % len(colours)], marker=markers[k % len(markers)],
                    ms=4.5, lw=1.6, label=lab)
        ax.set_xlabel("interceptor burnout speed [km/s] (same burn time)", fontsize=8.5)
        ax.set_ylabel("expected warheads intercepted", fontsize=8.5)
        ax.set_ylim(bottom=0.0, top=max(1.0, ax.get_ylim()[1]))
        ax.tick_params(labelsize=8)
        ax.grid(color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)
        if raid:
            sec = ax.secondary_yaxis("right", functions=(lambda x: 100.0 * x / raid,
                                                         lambda p: p * raid / 100.0))
            sec.set_ylabel("fraction of the raid intercepted [%]", fontsize=8.5)
            sec.tick_params(labelsize=8)
        ax.legend(loc="upper left", fontsize=7.5, framealpha=0.9)
        return _save(fig, path)
