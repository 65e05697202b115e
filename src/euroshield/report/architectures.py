"""The architecture comparison as documents: JSON, a side-by-side table (rich, Markdown, CSV),
timeline charts of representative routes, maps of the defended area per architecture and the
study report's section.

The numbers come from :mod:`euroshield.studies.architectures`; here they are rounded (times to
0.1 s, areas to whole km²) and turned into rows, sentences and files. JSON key names are a
stable interface: ``{"scenario", "architectures": [{"name", "first_track_s", "window_s",
"defended_area_km2", "russian_routes_engageable", "routes": [..], ...}], "assumptions": [..],
"meta": {..}}``.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

from euroshield import catalog

SET_LABELS = {"russia-icbm": "Russian ICBMs -> United States",
              "iran-us": "Iran -> United States", "iran-europe": "Iran -> European capitals"}
ACCESS_KEYS = {0: "own-track", 1: "fused-track", 2: "remote-track", 3: "joint-track",
               4: "no-quality-track", 5: "not-in-sector"}
TABLE_COLUMNS = ["architecture", "Iran: median first track [s]", "Iran: median window [s]",
                 "Iran: routes engageable", "defended area [km²]",
                 "Russian routes engageable", "Russian routes NATO tracks (launch quality)",
                 "Iranian routes Russia tracks (launch quality)"]
FILES = ("architectures.json", "architectures.csv", "architectures.md",
         "architecture-routes.csv")  # plus architecture-timeline-*.png, architecture-map-*.png


def _r(x, nd: int = 1):
    """A finite float rounded, else None (JSON null)."""
    if x is None:
        return None
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _km2(x: float) -> int:
    return int(round(float(x)))


def _versions() -> dict:
    from euroshield.report.study import _versions as v

    return v()


# ---- the document ---------------------------------------------------------------------------


def _route_rows(c, a) -> list[dict]:
    rows = []
    for key, o in a.sets.items():
        rs = c.route_sets[key]
        th = rs.threats
        flown = rs.looks.trajectories.flown
        shooters = rs.reach.shooters
        for i in range(len(rs)):
            b = int(o.best[i])
            rows.append({
                "set": key, "launch": str(th.launch_name[i]), "target": str(th.aim_name[i]),
                "missile": str(th.missile[i]), "flown": bool(flown[i]),
                "first_detection_s": _r(o.first_detection_s[i]),
                "first_track_s": _r(o.first_track_s[i]),
                "launch_allowed_s": _r(o.launch_allowed_s[i]),
                "engageable": bool(o.engageable[i]), "window_s": _r(o.window_s[i]),
                "shots": int(o.shots[i]),
                "best_site": shooters[b].site if b >= 0 else None,
                "best_interceptor": shooters[b].interceptor.name if b >= 0 else None,
                "intercept_time_s": _r(o.engagements.intercept_time_s[i, b]) if b >= 0 else None,
                "access": ACCESS_KEYS.get(int(o.access[i])),
            })
    return rows


def _view_doc(v, flown: np.ndarray) -> dict:
    n = int(flown.sum())

    def count(t):
        return int(np.isfinite(np.asarray(t)[flown]).sum())

    def med(t):
        t = np.asarray(t)[flown]
        t = t[np.isfinite(t)]
        return _r(np.median(t)) if t.size else None

    return {"system": v.system, "side": v.side, "route_set": v.route_set, "routes": n,
            "sensors": list(v.sensors), "detected": count(v.detected_s),
            "detected_by_own_sensors": count(v.own_detected_s),
            "cue_tracked": count(v.cue_track_s), "launch_tracked": count(v.launch_track_s),
            "median_detection_s": med(v.detected_s),
            "median_launch_track_s": med(v.launch_track_s)}


def _set_doc(c, a, keys) -> dict:
    from euroshield.studies.architectures import medians

    m = medians(a, keys)
    return {"routes": m["routes"], "detected": m["detected"], "tracked": m["tracked"],
            "engageable": m["engageable"], "first_detection_s": _r(m["first_detection_s"]),
            "first_track_s": _r(m["first_track_s"]), "window_s": _r(m["window_s"]),
            "shots_median": _r(_median_shots(a, keys))}


def _median_shots(a, keys) -> float:
    s = np.concatenate([a.sets[k].shots[a.sets[k].engageable] for k in keys])
    return float(np.median(s)) if s.size else float("nan")


def architecture_doc(c, a) -> dict:
    """One architecture's entry (see the module docstring)."""
    from euroshield.studies.architectures import IRAN_SETS

    iran = _set_doc(c, a, IRAN_SETS)
    russia = _set_doc(c, a, ["russia-icbm"])
    entry = {"name": a.name, "kind": a.kind,
             "description": _description(a),
             "first_track_s": iran["first_track_s"], "window_s": iran["window_s"],
             "first_detection_s": iran["first_detection_s"],
             "defended_area_km2": None, "partly_defended_area_km2": None,
             "threatened_area_km2": None,
             "russian_routes_engageable": russia["engageable"],
             "iranian": iran, "russian": russia,
             "by_set": {k: _set_doc(c, a, [k]) for k in a.sets},
             "transparency": [_view_doc(v, c.route_sets[v.route_set].looks.trajectories.flown)
                              for v in a.transparency]}
    if a.europe is not None:
        cls = a.europe.classes()
        entry["defended_area_km2"] = _km2(a.europe.area_km2(cls["defended"]))
        entry["partly_defended_area_km2"] = _km2(a.europe.area_km2(cls["partly-defended"]))
        entry["threatened_area_km2"] = _km2(a.europe.area_km2(
            cls["defended"] | cls["partly-defended"] | cls["threatened"]))
    if a.architecture is not None:
        entry["architecture"] = a.architecture.model_dump(mode="json", by_alias=True)
    entry["routes"] = _route_rows(c, a)
    return entry


def _description(a) -> str:
    from euroshield.studies.architectures import N_DETECTIONS

    if a.name == N_DETECTIONS:
        return ("the old rule: a radar's track is established at its N-th detection; the "
                "scenario's radars only, no exchange")
    known = catalog.architectures()
    if isinstance(a.spec.value, str) and a.spec.value in known:
        return " ".join(known[a.spec.value].description.split())
    return f"{a.kind} architecture from {a.spec.source}"


def assumptions(c) -> list[str]:
    """The comparison's assumptions, as sentences (the doc's ``assumptions``)."""
    sc = c.scenario
    f = sc.footprint
    out = [
        "first_track_s and window_s (top level) are medians over the Iranian routes (Iran -> "
        "United States and Iran -> European capitals, flown routes only): first_track_s over "
        "the routes with a launch-quality (fire-control-quality) track at any shooter's "
        "command node, window_s over the routes some shooter can engage; null when there is "
        "none. The same medians for each route set are under by_set, the Russian ICBM routes' "
        "under russian.",
        "first_track_s: with an architecture, the first time a track meeting the launch "
        "thresholds (track_quality; defaults 1 km and 50 m/s root-sum-square 1-sigma, own "
        "assumptions) is available at the shooter's command node (own sensors, fused with "
        "received tracks, received, or the joint picture); with n-detections, the N-th "
        "detection of a scenario radar (the old rule).",
        "window_s: for the engageable shooter with the longest window, latest minus earliest "
        "interceptor launch time at which it still intercepts; shots: its shoot-look-shoot "
        "opportunities.",
        "first_detection_s: earliest detection by any sensor of the architecture (every "
        "system's, including the other side's); what reaches each command node is under "
        "transparency.",
        f"defended_area_km2: land cells of a {c.resolution_deg:g} deg grid over the "
        f"footprint region (exact ellipsoidal cell areas) engageable from every launch point "
        f"of {', '.join(f.launch_areas)} whose missile ({', '.join(f.missiles)}) threatens "
        "them; a coarse grid (the study report's is 2 deg, `euroshield footprint` 0.25 deg): "
        "areas are accurate to about the boundary cells' area."
        if c.resolution_deg is not None else "defended_area_km2: not computed (no grid).",
        f"Iran -> European capitals: every launch point x every catalogue capital within the "
        f"reach of each of {', '.join(f.missiles)} (minimum energy); Iran -> United States: "
        f"{f.us_missile} to {', '.join(f.us_targets)}; Russian ICBM routes: "
        f"{len(sc.threats.bases)} bases x {len(sc.threats.targets)} targets, each base's "
        "missile.",
        "transparency: per system command node and route set, how many routes its sensors "
        "detect (detected_by_own_sensors), and what reaches the node including the other "
        "side's data the architecture shares (links at cueing-tracks or above, after the "
        "link delay; every sensor in a joint system): detected, cue-quality track "
        "(10 km, 500 m/s), launch-quality track. A system without shooters (Russia in the "
        "built-ins) is judged as a shooter at its node would be.",
        f"Measurement noise and detections are random draws with seed {c.seed} (each sensor "
        "its own stream); the same sensor gives the same tracks in every architecture, so "
        "differences between architectures come from what is shared, not from the draw.",
        "Sectoral: NATO's shooters engage only threats aimed outside Russia's 2012 sector "
        "(an own approximation of the General Staff's slide); Russia has no shooters in these "
        "studies, so threats aimed into its sector are not engaged at all.",
    ]
    return out


def comparison_doc(c, meta: dict | None = None) -> dict:
    """The comparison as the JSON document of ``euroshield architectures --json``."""
    doc = {"scenario": c.scenario.name,
           "architectures": [architecture_doc(c, a) for a in c.architectures],
           "assumptions": assumptions(c)}
    m = {"versions": _versions(), "seed": c.seed, "resolution_deg": c.resolution_deg,
         "grid_cells": len(c.grid) if c.grid is not None else None,
         "route_sets": {k: len(v) for k, v in c.route_sets.items()},
         "seconds": {k: round(v, 2) for k, v in c.seconds.items()},
         "scenario": c.scenario.model_dump(mode="json")}
    m.update(meta or {})
    doc["meta"] = m
    return doc


# ---- the table --------------------------------------------------------------------------------


def _node(entry: dict, side: str, route_set: str) -> dict | None:
    return next((v for v in entry["transparency"] if v["side"] == side
                 and v["route_set"] == route_set), None)


def _n(x, unit: str = "") -> str:
    return "-" if x is None else (f"{x:,.0f}{unit}" if isinstance(x, int | float) else str(x))


def table_rows(doc: dict) -> list[list[str]]:
    """The side-by-side table: one row per architecture (:data:`TABLE_COLUMNS`)."""
    rows = []
    for e in doc["architectures"]:
        i, r = e["iranian"], e["russian"]
        nato = _node(e, "nato", "russia-icbm")
        rus = [v for v in e["transparency"] if v["side"] == "russia"
               and v["route_set"] in ("iran-us", "iran-europe")]
        rus_txt = (f"{sum(v['launch_tracked'] for v in rus)} / {sum(v['routes'] for v in rus)}"
                   if rus else "-")
        rows.append([e["name"], _n(i["first_track_s"]), _n(i["window_s"]),
                     f"{i['engageable']} / {i['routes']}", _n(e["defended_area_km2"]),
                     f"{e['russian_routes_engageable']} / {r['routes']}",
                     f"{nato['launch_tracked']} / {nato['routes']}" if nato else "-", rus_txt])
    return rows


def summary_renderable(doc: dict):
    """A rich renderable: the side-by-side table and the assumptions' key line."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    t = Table(title=f"euroshield architectures: {doc['scenario']}", title_justify="left")
    for i, col in enumerate(TABLE_COLUMNS):
        t.add_column(col, justify="left" if i == 0 else "right", overflow="fold")
    for row in table_rows(doc):
        t.add_row(*row)
    note = Text("Iran: medians over the Iranian routes (first track: routes with a "
                "launch-quality track; window: engageable routes). Tracks: routes with a "
                "launch-quality track at that side's command node. --json for every number and "
                "the assumptions.", style="dim")
    return Group(t, note)


def markdown(doc: dict) -> str:
    """The side-by-side table and the assumptions as Markdown."""
    def cell(x) -> str:
        return str(x).replace("|", "\\|")

    lines = [f"# euroshield architectures: {doc['scenario']}", "",
             "| " + " | ".join(TABLE_COLUMNS) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(TABLE_COLUMNS) - 1)) + "|"]
    lines += ["| " + " | ".join(cell(x) for x in r) + " |" for r in table_rows(doc)]
    lines += ["", "## Assumptions", ""] + [f"- {a}" for a in doc["assumptions"]]
    return "\n".join(lines) + "\n"


ROUTE_COLUMNS = ["architecture", "set", "launch", "target", "missile", "flown",
                 "first_detection_s", "first_track_s", "launch_allowed_s", "engageable",
                 "window_s", "shots", "best_site", "best_interceptor", "intercept_time_s",
                 "access"]


def write_outputs(doc: dict, out_dir) -> list[Path]:
    """architectures.json, architectures.csv (the table), architectures.md,
    architecture-routes.csv (one row per architecture and route)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    p = out_dir / "architectures.json"
    p.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    with open(out_dir / "architectures.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(TABLE_COLUMNS)
        w.writerows(table_rows(doc))
    (out_dir / "architectures.md").write_text(markdown(doc), encoding="utf-8")
    with open(out_dir / "architecture-routes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ROUTE_COLUMNS)
        w.writeheader()
        for e in doc["architectures"]:
            for r in e["routes"]:
                w.writerow({"architecture": e["name"], **r})
    return [out_dir / f for f in FILES]


# ---- charts ------------------------------------------------------------------------------------


def representative_row(c, key: str) -> int | None:
    """The route of ``key`` shown in its timeline chart: among flown routes tracked to launch
    quality by the most architectures, the one whose first track under the first tracking
    architecture is closest to that architecture's median (ties: the first)."""
    outs = [a.sets[key] for a in c.architectures if a.architecture is not None]
    if not outs:
        outs = [a.sets[key] for a in c.architectures]
    flown = c.route_sets[key].looks.trajectories.flown
    if not flown.any():
        return None
    tracked = np.sum([np.isfinite(o.first_track_s) for o in outs], axis=0)
    cand = np.flatnonzero(flown & (tracked == tracked[flown].max()))
    t = outs[0].first_track_s[cand]
    if not np.isfinite(t).any():
        return int(cand[0])
    med = np.median(t[np.isfinite(t)])
    return int(cand[np.nanargmin(np.abs(t - med))])


def timeline_chart(c, key: str, path) -> Path | None:
    """One representative route of route set ``key``: top, the 1-sigma position uncertainty
    (root-sum-square) of every sensor's track (and the joint central track) on a log axis with
    each sensor's detections as ticks and the launch threshold; bottom, per architecture, the
    first detection, the first launch-quality track, the allowed launch, the launch window
    and the intercept. Returns the path, or None when the set has no flown route."""
    from matplotlib.lines import Line2D

    from euroshield.report import charts as ch

    i = representative_row(c, key)
    if i is None:
        return None
    rs = c.route_sets[key]
    th = rs.threats
    tracked = next((a for a in c.architectures if a.sets[key].picture.tracks), None)
    with ch._style():
        fig = ch._figure(6.4)
        top = ch._axes(fig, 0.9, 1.9, 0.95, 2.75)
        bot = ch._axes(fig, 0.9, 1.9, 4.05, 0.55)
        impact = float(rs.looks.trajectories.impact_time_s[i])
        ch._titles(fig, f"{c.scenario.name}: {SET_LABELS.get(key, key)}",
                   f"representative route {th.launch_name[i]} -> {th.aim_name[i]} "
                   f"({th.missile[i]}; impact T+{impact:.0f} s): each sensor's track; a "
                   "system fuses its own sensors' tracks, so its first launch-quality track "
                   "can come before any single sensor's")
        colours = ["#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#c62828",
                   "#5d4037", "#558b2f", "#283593", "#ad1457"]
        handles = []
        if tracked is not None:
            pic = tracked.sets[key].picture
            items = [(n, t) for n, t in pic.tracks.items() if t.valid[i].any()]
            joint = next((a.sets[key].picture.central_tracks for a in c.architectures
                          if a.sets[key].picture.central_tracks is not None), None)
            if joint is not None and joint.valid[i].any():
                items.append(("joint (central)", joint))
            for k, (name, t) in enumerate(items):
                ok = t.valid[i]
                col = "black" if name.startswith("joint") else colours[k % len(colours)]
                top.semilogy(t.times_s[i, ok], t.position_sigma_m[i, ok], lw=1.2, color=col,
                             ls="--" if name.startswith("joint") else "-", zorder=3)
                handles.append(Line2D([], [], color=col, lw=1.2, label=name,
                                      ls="--" if name.startswith("joint") else "-"))
            for k, (name, t) in enumerate(items):  # measurements: ticks along the bottom
                if name.startswith("joint"):
                    continue
                ok = t.valid[i]
                top.plot(t.times_s[i, ok], np.full(ok.sum(), 0.03 + 0.035 * k), ls="none",
                         marker="|", ms=5, color=colours[k % len(colours)], alpha=0.45,
                         zorder=2, transform=top.get_xaxis_transform())  # under the tracks
            arch = tracked.architecture
            thr = arch.track_quality.launch_position_sigma_m
            top.axhline(thr, color="#c62828", lw=0.9, ls=":")
            handles.append(Line2D([], [], color="#c62828", lw=0.9, ls=":",
                                  label=f"launch threshold {thr:g} m"))
            if not items:
                ch._empty(top, "No sensor of any architecture tracks this route.")
        else:
            ch._empty(top, "Only the old rule (no measurement model): no covariances to draw.")
        top.set_xlim(0.0, impact * 1.02)
        top.set_ylabel("track position 1-sigma (RSS) [m]", fontsize=8)
        top.tick_params(labelsize=7.5)
        top.grid(color="#e5e5e5", lw=0.6, which="both")
        if handles:
            top.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       fontsize=6.5, frameon=False)

        names = [a.name for a in c.architectures]
        for y, a in enumerate(c.architectures):
            o = a.sets[key]
            bot.plot([0.0, impact], [y, y], color=ch._THREAT, lw=6, solid_capstyle="butt",
                     zorder=1)
            det, trk, alw = (float(v[i]) for v in (o.first_detection_s, o.first_track_s,
                                                   o.launch_allowed_s))
            if np.isfinite(det):
                bot.plot([det], [y], marker="o", ms=4.5, color=ch._CUE, ls="none", zorder=4)
            if np.isfinite(trk):
                bot.plot([trk], [y], marker="s", ms=5, color=ch._TRACK, ls="none", zorder=4)
            if np.isfinite(alw):
                bot.plot([alw], [y], marker="|", ms=12, mew=2, color=ch._ALLOWED, ls="none",
                         zorder=4)
            b = int(o.best[i])
            if b >= 0:
                e = o.engagements
                e0, e1 = float(e.earliest_launch_s[i, b]), float(e.latest_launch_s[i, b])
                bot.plot([e0, max(e1, e0 + 1e-6)], [y, y], color=ch._WINDOW, lw=6,
                         solid_capstyle="butt", zorder=3)
                bot.plot([float(e.intercept_time_s[i, b])], [y], marker="*", ms=10,
                         color=ch._INTERCEPT, ls="none", zorder=5)
                note = f"{o.shots[i]} shot(s)"
            else:
                note = "not engageable"
            bot.text(1.01, y, note, transform=bot.get_yaxis_transform(), va="center",
                     fontsize=7, color="#555555", parse_math=False)
        bot.set_yticks(range(len(names)))
        bot.set_yticklabels(names, fontsize=7.5, parse_math=False)
        bot.set_ylim(len(names) - 0.5, -0.5)
        bot.set_xlim(0.0, impact * 1.02)
        bot.set_xlabel("time after threat launch [s]", fontsize=8)
        bot.tick_params(axis="x", labelsize=7.5)
        bot.grid(axis="x", color="#e5e5e5", lw=0.6)
        leg = [Line2D([], [], marker="o", ms=4.5, color=ch._CUE, ls="none",
                      label="first detection"),
               Line2D([], [], marker="s", ms=5, color=ch._TRACK, ls="none",
                      label="first launch-quality track"),
               Line2D([], [], marker="|", ms=10, mew=2, color=ch._ALLOWED, ls="none",
                      label="launch allowed"),
               Line2D([], [], color=ch._WINDOW, lw=6, label="launch window"),
               Line2D([], [], marker="*", ms=9, color=ch._INTERCEPT, ls="none",
                      label="intercept")]
        bot.legend(handles=leg, loc="lower center", bbox_to_anchor=(0.5, 1.02), ncol=5,
                   fontsize=6.5, frameon=False)
        return ch._save(fig, path)


def defended_map(c, a, path) -> Path | None:
    """The defended area of architecture ``a`` on the offline map (every footprint missile
    from every launch area; :func:`euroshield.report.maps.footprint_map`)."""
    from euroshield.report.footprint import _sites
    from euroshield.report.maps import footprint_map

    if a.europe is None:
        return None
    g = c.grid
    cls = a.europe.classes()
    status = np.full(len(g), "", dtype=object)
    for s in ("threatened", "partly-defended", "defended"):
        status[cls[s]] = s
    areas = {s: _km2(a.europe.area_km2(m)) for s, m in cls.items()}
    first = next(iter(a.europe.merged.values()))
    reg = g.region
    thr = sum(areas.values())
    share = f"{100 * areas['defended'] / thr:.0f} %" if thr else "-"
    return footprint_map(
        path, title=f"defended area: {a.name} ({c.scenario.name})",
        subtitle=(f"{', '.join(a.europe.merged)} from every launch area: {areas['defended']:,} "
                  f"of {thr:,} km² threatened defended ({share}); {len(g):,} aim points every "
                  f"{g.resolution_deg:g}°"),
        cells_lat_deg=g.lat_deg, cells_lon_deg=g.lon_deg, status=status,
        resolution_deg=g.resolution_deg, areas_km2=areas, sites=_sites(first, None),
        launch_points=[{"name": n, "lat_deg": la, "lon_deg": lo}
                       for n, la, lo in first.launch_points],
        extent_deg=(reg.lon_min_deg, reg.lon_max_deg, reg.lat_min_deg, reg.lat_max_deg))


def write_figures(c, out_dir) -> dict[str, tuple[Path, str]]:
    """architecture-timeline-<set>.png per route set and architecture-map-<name>.png per
    architecture; returns file name -> (path, caption)."""
    from euroshield.report.footprint import slug

    out_dir = Path(out_dir)
    figs: dict[str, tuple[Path, str]] = {}
    for key in c.route_sets:
        name = f"architecture-timeline-{key}.png"
        p = timeline_chart(c, key, out_dir / name)
        if p is not None:
            figs[name] = (p, f"Timeline of a representative route, {SET_LABELS.get(key, key)}: "
                             "track uncertainty per sensor, and per architecture the first "
                             "detection, first launch-quality track, launch and intercept")
    for a in c.architectures:
        name = f"{slug('architecture-map', a.name)}.png"
        p = defended_map(c, a, out_dir / name)
        if p is not None:
            figs[name] = (p, f"Defended area of Europe under {a.name}")
    return figs


# ---- the globe --------------------------------------------------------------------------------


TRACK_RGBA = [255, 193, 7, 255]  # amber: estimated positions
JOINT_RGBA = [255, 255, 255, 255]


def track_packets(c, epoch: str | None = None) -> list:
    """CZML packets (czml3) of the tracks of each route set's representative route
    (:func:`representative_row`): per sensor that tracks it, and the joint central track, the
    estimated positions (time-tagged, seconds after the threat's launch on the report's
    epoch) with the 1-sigma position uncertainty (RSS) in the description."""
    from czml3 import Packet
    from czml3.properties import Color, Point, PolylineMaterial, Position, SolidColorMaterial
    from czml3.properties import Path as PathGraphic

    from euroshield.earth.frames import ecef_to_geodetic
    from euroshield.report import czml

    e = czml._epoch(epoch or czml.DEFAULT_EPOCH)
    epoch_s = czml._iso(e, 0.0)
    out = [Packet(id="architecture-tracks", name="architecture comparison: tracks",
                  description="Estimated positions of each sensor's track (and the joint "
                              "central track) of a representative route per route set")]
    tracked = next((a for a in c.architectures if a.architecture is not None), None)
    if tracked is None:
        return []
    for key in c.route_sets:
        i = representative_row(c, key)
        if i is None:
            continue
        th = c.route_sets[key].threats
        pic = tracked.sets[key].picture
        items = list(pic.tracks.items())
        joint = next((a.sets[key].picture.central_tracks for a in c.architectures
                      if a.sets[key].picture.central_tracks is not None), None)
        if joint is not None:
            items.append(("joint (central)", joint))
        for name, t in items:
            ok = t.valid[i]
            if ok.sum() < 2:
                continue
            ts = t.times_s[i, ok]
            # several sensors measuring at one epoch (the joint track): the last estimate
            _, last = np.unique(ts[::-1], return_index=True)
            k = np.flatnonzero(ok)[len(ts) - 1 - last]
            ts = t.times_s[i, k]
            lat, lon, h = ecef_to_geodetic(t.state[i, k, :3])
            sig = t.position_sigma_m[i, k]
            rgba = JOINT_RGBA if name.startswith("joint") else TRACK_RGBA
            out.append(Packet(
                id=f"architecture-track/{key}/{name}", parent="architecture-tracks",
                name=f"track {name}: {th.launch_name[i]} -> {th.aim_name[i]}",
                description=(f"{SET_LABELS.get(key, key)}; {name}: {ts.size} estimates from "
                             f"T+{ts[0]:.0f} s to T+{ts[-1]:.0f} s; position 1-sigma (RSS) "
                             f"{sig[0]:,.0f} m at the first, {sig.min():,.0f} m at best"),
                availability=czml._interval(e, float(ts[0]), float(ts[-1])),
                position=Position(epoch=epoch_s, cartographicDegrees=czml._samples(
                    ts, np.asarray(lat), np.asarray(lon), np.asarray(h))),
                path=PathGraphic(material=PolylineMaterial(
                    solidColor=SolidColorMaterial(color=Color(rgba=rgba))), width=1,
                    leadTime=0, trailTime=float(ts[-1] - ts[0]) + 1.0),
                point=Point(color=Color(rgba=rgba), pixelSize=4)))
    return out


# ---- the study report's section ----------------------------------------------------------------


def findings(doc: dict) -> list[str]:
    """Plain sentences generated from the numbers."""
    out = []
    by = {e["name"]: e for e in doc["architectures"]}
    for e in doc["architectures"]:
        i = e["iranian"]
        nato = _node(e, "nato", "russia-icbm")
        s = (f"{e['name']}: median first launch-quality track on the Iranian routes "
             + (f"T+{i['first_track_s']:g} s" if i["first_track_s"] is not None else "never")
             + f", {i['engageable']} of {i['routes']} Iranian routes engageable")
        if e["defended_area_km2"] is not None:
            s += f", {e['defended_area_km2']:,} km² of Europe defended"
        s += f"; {e['russian_routes_engageable']} Russian ICBM routes engageable"
        if nato is not None:
            s += (f"; NATO's command node holds a launch-quality track of "
                  f"{nato['launch_tracked']} of {nato['routes']} Russian ICBM routes")
        out.append(s + ".")
    if "independent" in by and "joint" in by:
        a, b = by["independent"]["iranian"], by["joint"]["iranian"]
        if a["first_track_s"] is not None and b["first_track_s"] is not None:
            out.append(f"One joint picture instead of two independent systems moves the median "
                       f"first launch-quality track on the Iranian routes from T+"
                       f"{a['first_track_s']:g} s to T+{b['first_track_s']:g} s.")
    return out


def section(doc: dict, figs: dict[str, Path]):
    """The report section: findings, the side-by-side table, charts and maps, assumptions."""
    from euroshield.report.html import Figure, Finding, P, Section, Table, code

    blocks = [P(["How the way NATO's and Russia's sensors are organised changes what the shield "
                 "can do and what it learns about the other side: the old rule (",
                 code("n-detections"), ") and each architecture (", code("euroshield catalog "
                 "architectures"), ") on the same trajectories and the same sensor draws. ",
                 code("euroshield architectures"), " runs this comparison alone."])]
    blocks += [Finding(f) for f in findings(doc)]
    blocks.append(Table(TABLE_COLUMNS, table_rows(doc)))
    blocks += [Figure(p, caption) for p, caption in figs.values()]
    blocks += [P(a) for a in doc["assumptions"]]
    return Section("Sensor architectures: independent, exchange, joint, sectoral", blocks)


STUDY_RESOLUTION_DEG = 6.0  # the study report's comparison grid: 38 cells, a few seconds


def for_study(sc, out_dir, progress=lambda msg: None, looks=None,
              resolution_deg: float = STUDY_RESOLUTION_DEG):
    """The comparison for the study report, reusing the deterrence study's ``looks`` (its
    Russian ICBM trajectories), written into ``out_dir``; returns (document, section, files
    written: name -> what, CZML packets of the tracks for the globe)."""
    from euroshield.studies.architectures import compare, seed_looks

    cache: dict = {}
    if looks is not None:
        seed_looks(cache, looks)
    c = compare(sc, resolution_deg=resolution_deg, progress=progress, cache=cache)
    doc = comparison_doc(c)
    out = Path(out_dir)
    files = {}
    write_outputs(doc, out)
    files.update({"architectures.json": "the architecture comparison (euroshield "
                                        "architectures --json)",
                  "architectures.csv": "the side-by-side table",
                  "architectures.md": "the side-by-side table and assumptions (Markdown)",
                  "architecture-routes.csv": "per architecture and route: detection, track, "
                                             "launch, window"})
    figs = write_figures(c, out)
    files.update({name: caption for name, (_, caption) in figs.items()})
    return doc, section(doc, figs), files, track_packets(c)
