"""Presentation of the defence-of-Europe footprint study: the JSON document, the ten-second
summary, CSV tables, GeoJSON areas and the map.

:func:`footprint_doc` turns the study's arrays (:class:`~euroshield.studies.footprint.Footprint`,
one per launch area x missile, and the Iran -> United States engagements) into rounded rows;
the writers read those rows or the study's boolean masks. Computes nothing physical: areas are
the study's exact WGS84 ellipsoidal cell areas, only summed and rounded here.

Status classes of an aim point (for one site, or for the union of sites) are disjoint:

* ``defended``: engageable from every launch point of the area that threatens it;
* ``partly-defended``: engageable from at least one such launch point, but not from all;
* ``threatened``: reached from a launch point and engageable from none (threatened, undefended);
* ``out-of-reach``: no launch point of the area reaches it (nothing drawn, no feature).

``threatened_area_km2`` of the document is the whole threatened area (all three classes).

"Engageable" uses interceptor fly-out tables that hold ascending branches only (up to each
fly-out's apogee; ``assumptions.interceptor_flyouts``): an aim point whose threat trajectory an
interceptor could meet only on its descending branch (late, low intercepts far from the site)
counts as not engageable by that site, so defended areas are lower bounds in this respect.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from euroshield.report.deterrence import (
    FLYOUT_BRANCHES,
    launch_rule_text,
    reason_key,
    reason_text,
    write_csv,
)

STATUSES = ("defended", "partly-defended", "threatened")  # drawn classes, best first
UNION = "union"
DEFINITIONS = {
    "threatened": "an aim point is threatened when the missile, flown on a minimum-energy "
                  "trajectory, reaches it from at least one launch point of the area "
                  "(threatened_area_km2 counts every threatened cell, defended or not)",
    "defended": "a threatened aim point is defended when the site (or, for 'union', at least "
                "one site) can engage the missile from every launch point that threatens it",
    "partly_defended": "a threatened aim point is partly defended when it can be engaged from "
                       "at least one but not every launch point that threatens it (disjoint "
                       "from defended)",
    "shoot_look_shoot": "the part of the defended area where, from every launch point that "
                        "threatens it, one shooter has time for a second shot after a kill "
                        "assessment (assessment delay 0 s: the second launch after the first "
                        "intercept)",
    "capitals_threatened": "capitals threatened from at least one launch point and engageable "
                           "from none (disjoint from the defended and partly defended lists)",
}
FOOTPRINT_COLUMNS = (
    "launch_area", "missile", "site", "threatened_area_km2", "defended_area_km2",
    "partly_defended_area_km2", "shoot_look_shoot_area_km2", "defended_share",
    "capitals_defended",
    "capitals_partly_defended", "capitals_threatened", "capitals_out_of_reach",
)
CAPITAL_COLUMNS = ("capital", "country", "launch_area", "missile", "site", "status")
US_ROUTE_COLUMNS = (
    "launch_point", "target", "site", "interceptor", "engageable", "reason", "reason_code",
    "margin_s", "intercept_time_s", "intercept_altitude_km", "phase", "shots",
)


def _round(x, nd=1):
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


def _km2(x: float) -> int:
    """An area [km²] rounded to a whole km² (the only place areas are rounded)."""
    return int(round(float(x)))


def cell_classes(result, site: str | None = None) -> dict[str, np.ndarray]:
    """Status class -> (k,) mask over the grid cells (capitals excluded), disjoint."""
    k = len(result.grid)
    threatened = result.threatened_any()[:k]
    full = result.defended(site)[:k]
    part = result.defended(site, every=False)[:k] & ~full
    return {"defended": full, "partly-defended": part,
            "threatened": threatened & ~full & ~part}


def _entry(result, site: str | None) -> dict:
    cls = cell_classes(result, site)
    status = result.capital_status(site)

    def caps(s):
        return sorted(n for n, v in status.items() if v == s)

    return {
        "launch_area": result.launch_area,
        "missile": result.missile,
        "site": UNION if site is None else site,
        "defended_area_km2": _km2(result.area_km2(cls["defended"])),
        "partly_defended_area_km2": _km2(result.area_km2(cls["partly-defended"])),
        "threatened_area_km2": _km2(result.area_km2(result.threatened_any())),
        "shoot_look_shoot_area_km2": _km2(result.area_km2(
            result.defended(site, min_shots=2)[: len(result.grid)])),
        "capitals_defended": caps("defended"),
        "capitals_partly_defended": caps("partly-defended"),
        "capitals_threatened": caps("threatened"),
        "capitals_out_of_reach": caps("out-of-reach"),
    }


def _launch_rule(sc) -> str:
    from euroshield.studies.pipeline import launch_rule

    return launch_rule_text(launch_rule(sc.timeline.fire_control, sc.early_warning.enabled))


def _phase(intercept_time_s: float, after_apogee: bool) -> str | None:
    if not np.isfinite(intercept_time_s):
        return None
    return "descent" if after_apogee else "ascent"


def us_route_rows(us) -> list[dict]:
    """One row per (launch point, U.S. target, site, interceptor), rounded, with sentences."""
    if us is None:
        return []
    th, e = us
    allowed = e.picture.launch_allowed_s
    rows = []
    for i in range(len(th)):
        for j, s in enumerate(e.shooters):
            ic = s.interceptor
            rows.append({
                "launch_point": str(th.launch_name[i]),
                "target": str(th.aim_name[i]),
                "site": s.site,
                "interceptor": ic.name,
                "engageable": bool(e.engageable[i, j]),
                "reason": reason_text(e.reason[i, j], ic, e.margin_s[i, j],
                                      allowed[i, j] if allowed.ndim == 2 else allowed[i]),
                "reason_code": reason_key(e.reason[i, j]),
                "margin_s": _round(e.margin_s[i, j]),
                "intercept_time_s": _round(e.intercept_time_s[i, j]),
                "intercept_altitude_km": _round(e.intercept_altitude_m[i, j] / 1e3),
                "phase": _phase(e.intercept_time_s[i, j], bool(e.intercept_after_apogee[i, j])),
                "shots": int(e.shots[i, j]),
            })
    return rows


def assumptions(sc, results, us) -> dict:
    """The assumptions block: grid, launch points, missiles, sensors, rule, definitions."""
    fp = sc.footprint
    grid = results[0].grid if results else None
    region = (grid.region if grid is not None else fp.region).model_dump()
    res = grid.resolution_deg if grid is not None else fp.resolution_deg
    land_only = grid.land_only if grid is not None else fp.land_only
    points: dict[str, list[dict]] = {}
    for r in results:
        points.setdefault(r.launch_area, [
            {"name": n, "lat_deg": lat, "lon_deg": lon} for n, lat, lon in r.launch_points])
    shape = us[0].shape if us is not None else "minimum-energy"
    return {
        "grid_resolution_deg": res,
        "region": region,
        "land_mask": "Natural Earth 1:110m land" if land_only else None,
        "aim_points": len(grid) if grid is not None else 0,
        "capitals": len(results[0].capitals) if results else 0,
        "launch_points": points,
        "missiles": list(dict.fromkeys(r.missile for r in results)),
        "trajectory_shape": shape,
        "sites": [{"site": s.site, "interceptors": list(s.interceptors)} for s in sc.sites],
        "radars": [r.name for r in sc.radar_models()],
        "rcs_m2": fp.rcs_m2,
        "early_warning_delay_s": (sc.early_warning.detection_delay_s
                                  if sc.early_warning.enabled else None),
        "decision_delay_s": sc.timeline.decision_delay_s,
        "fire_control": sc.timeline.fire_control,
        "launch_rule": _launch_rule(sc),
        "definitions": dict(DEFINITIONS),
        "areas": "sums of exact cell areas on the WGS84 ellipsoid (closed form, Snyder 1987 "
                 "eq. 3-12) of the grid cells whose centre is the aim point, rounded to whole "
                 "km²; capitals are extra aim points at their exact coordinates and add no area",
        "us_routes": {"missile": fp.us_missile, "targets": list(fp.us_targets),
                      "trajectory_shape": shape},
        "interceptor_flyouts": FLYOUT_BRANCHES,
    }


def footprint_doc(scenario, results: list, us=None, meta: dict | None = None) -> dict:
    """The study as one JSON-ready object (see the module docstring for the classes): one
    ``footprints`` entry per (launch area, missile, site) and one with site ``"union"``."""
    entries = []
    for r in results:
        entries += [_entry(r, s) for s in r.sites]
        entries.append(_entry(r, None))
    if meta is None:
        from euroshield import __version__

        meta = {"euroshield_version": __version__, "numpy_version": np.__version__,
                "scenario": scenario.model_dump(mode="json")}
    return {"scenario": scenario.name, "assumptions": assumptions(scenario, results, us),
            "footprints": entries, "us_routes": us_route_rows(us), "meta": meta}


# ---- the ten-second summary -----------------------------------------------------------------


def _best_route_rows(rows: list[dict]) -> list[dict]:
    """Per (launch point, target): the engageable row with the largest margin, else the least
    late one, else the first."""
    best: dict[tuple[str, str], dict] = {}

    def score(r):
        m = r["margin_s"]
        return (bool(r["engageable"]), m is not None, m if m is not None else 0.0)

    for r in rows:
        key = (r["launch_point"], r["target"])
        if key not in best or score(r) > score(best[key]):
            best[key] = r
    return list(best.values())


def summary_renderable(doc: dict) -> Group:
    """What a reader takes in within ten seconds: per launch area and missile the threatened
    and defended areas, the capitals defended and the best single site; then the Iran -> U.S.
    routes; then the assumptions."""
    a = doc["assumptions"]
    n_pts = sum(len(v) for v in a["launch_points"].values())
    head = Text()
    head.append(f"{doc['scenario']}: ", style="bold")
    head.append(f"defence of Europe against {', '.join(a['missiles']) or 'no missile'} from "
                f"{len(a['launch_points'])} launch area(s) ({n_pts} launch points), "
                f"{a['aim_points']:,} aim points every {a['grid_resolution_deg']:g}°")
    t = Table(header_style="bold", show_edge=False)
    for c, j in (("launch area", "left"), ("missile", "left"), ("threatened km²", "right"),
                 ("defended km² (union)", "right"), ("share", "right"),
                 ("capitals defended", "right"), ("best site (defended km²)", "left")):
        t.add_column(c, justify=j, no_wrap=c in ("launch area", "missile"))
    fps = doc["footprints"]
    for u in (f for f in fps if f["site"] == UNION):
        same = [f for f in fps if f["site"] != UNION and f["launch_area"] == u["launch_area"]
                and f["missile"] == u["missile"]]
        top = max(same, key=lambda f: f["defended_area_km2"], default=None)
        best = ("-" if top is None or top["defended_area_km2"] == 0
                else f"{top['site']} ({top['defended_area_km2']:,})")
        thr, dfd = u["threatened_area_km2"], u["defended_area_km2"]
        n_thr = sum(len(u[k]) for k in ("capitals_defended", "capitals_partly_defended",
                                        "capitals_threatened"))
        t.add_row(u["launch_area"], u["missile"], f"{thr:,}", f"{dfd:,}",
                  f"{100 * dfd / thr:.0f} %" if thr else "-",
                  f"{len(u['capitals_defended'])} of {n_thr}", best)
    parts: list = [head, t]
    routes = _best_route_rows(doc["us_routes"])
    if routes:
        r_t = Table(title=f"Iran -> United States ({a['us_routes']['missile']}): best site "
                          "per route", header_style="bold", show_edge=False)
        for c, j in (("launch point", "left"), ("target", "left"),
                     ("best site / interceptor", "left"), ("engageable", "left"),
                     ("phase", "left"), ("margin s", "right")):
            r_t.add_column(c, justify=j)
        for r in routes:
            m = r["margin_s"]
            r_t.add_row(r["launch_point"], r["target"], f"{r['site']} / {r['interceptor']}",
                        "yes" if r["engageable"] else "no", r["phase"] or "-",
                        "-" if m is None else f"{m:+.0f}")
        parts.append(r_t)
    ew = a["early_warning_delay_s"]
    parts.append(Text(
        f"assumptions: minimum-energy trajectories; radars {', '.join(a['radars']) or 'none'} "
        f"(RCS {a['rcs_m2']:g} m²); IR cue {f'at T+{ew:g} s' if ew is not None else 'off'}; "
        f"decision delay {a['decision_delay_s']:g} s; launch rule: {a['launch_rule']}. "
        "Defended: engageable from every launch point that threatens the aim point; partly "
        "defended: from some; areas: exact WGS84 cell areas"
        f"{' on land (Natural Earth 1:110m)' if a['land_mask'] else ''}, rounded to km². "
        "Interceptor fly-outs: ascending branches only (a lower bound on the defended area; "
        "see interceptor_flyouts).",
        style="dim"))
    return Group(*parts)


# ---- tables ---------------------------------------------------------------------------------


def write_footprints_csv(doc: dict, path) -> Path:
    """The area table: one row per (launch area, missile, site|union); capitals as counts."""
    rows = []
    for f in doc["footprints"]:
        thr = f["threatened_area_km2"]
        rows.append({**{k: f[k] for k in ("launch_area", "missile", "site",
                                            "threatened_area_km2", "defended_area_km2",
                                            "partly_defended_area_km2")},
                     "defended_share": round(f["defended_area_km2"] / thr, 4) if thr else None,
                     **{k: len(f[k]) for k in ("capitals_defended", "capitals_partly_defended",
                                               "capitals_threatened", "capitals_out_of_reach")}})
    return write_csv(rows, FOOTPRINT_COLUMNS, Path(path))


def write_capitals_csv(doc: dict, path) -> Path:
    """One row per (capital, launch area, missile, site|union) with its status."""
    from euroshield import catalog

    known = catalog.capitals()
    rows = []
    for f in doc["footprints"]:
        status = {n: s for s, key in (("defended", "capitals_defended"),
                                      ("partly-defended", "capitals_partly_defended"),
                                      ("threatened", "capitals_threatened"),
                                      ("out-of-reach", "capitals_out_of_reach"))
                  for n in f[key]}
        for name in sorted(status):
            rows.append({"capital": name, "country": known[name].country if name in known
                         else "", "launch_area": f["launch_area"], "missile": f["missile"],
                         "site": f["site"], "status": status[name]})
    return write_csv(rows, CAPITAL_COLUMNS, Path(path))


def write_us_routes_csv(doc: dict, path) -> Path:
    return write_csv(doc["us_routes"], US_ROUTE_COLUMNS, Path(path))


def write_json(doc: dict, path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


# ---- GeoJSON --------------------------------------------------------------------------------


def _coords(c, nd=4):
    """Nested coordinate tuples -> lists, rounded to ``nd`` decimals (1e-4 deg ~ 11 m)."""
    if isinstance(c[0], int | float):
        return [round(float(c[0]), nd), round(float(c[1]), nd)]
    return [_coords(x, nd) for x in c]


def cells_multipolygon(lat_deg, lon_deg, resolution_deg: float) -> dict | None:
    """The union of the square cells centred on the points, as a GeoJSON MultiPolygon
    (lon/lat, exterior rings counter-clockwise; edges split every ``resolution_deg`` so
    that they follow parallels and meridians whatever edge interpolation a reader uses);
    None when there is no cell."""
    import shapely
    from shapely.geometry import mapping

    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    if lat.size == 0:
        return None
    h = resolution_deg / 2.0
    boxes = shapely.box(np.round(lon - h, 4), np.round(lat - h, 4), np.round(lon + h, 4),
                        np.round(lat + h, 4))
    geom = shapely.union_all(boxes)
    geom = shapely.orient_polygons(shapely.segmentize(geom, resolution_deg * 1.0001))
    polys = list(getattr(geom, "geoms", [geom]))
    polys = [p for p in polys if p.geom_type == "Polygon" and not p.is_empty]
    return {"type": "MultiPolygon",
            "coordinates": [_coords(mapping(p)["coordinates"]) for p in polys]}


def _point(lon, lat, props: dict) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": _coords((lon, lat))},
            "properties": props}


def geojson(result, site: str | None = None) -> dict:
    """The footprint of one launch area x missile for ``site`` (None: the union of sites) as a
    GeoJSON FeatureCollection (RFC 7946: WGS84 lon/lat)."""
    from euroshield import catalog

    g = result.grid
    name = UNION if site is None else site
    scen = result.defence.scenario.name
    common = {"launch_area": result.launch_area, "missile": result.missile, "site": name,
              "scenario": scen}
    feats = []
    for status, mask in cell_classes(result, site).items():
        feats.append({"type": "Feature",
                      "geometry": cells_multipolygon(g.lat_deg[mask], g.lon_deg[mask],
                                                     g.resolution_deg),
                      "properties": {"status": status, "area_km2": _km2(result.area_km2(mask)),
                                     **common}})
    caps = catalog.capitals()
    for (cap, status), lat, lon in zip(result.capital_status(site).items(),
                                       result.capital_lat_deg, result.capital_lon_deg,
                                       strict=True):
        c = caps.get(cap)
        feats.append(_point(lon, lat, {"kind": "capital", "name": cap,
                                       "label": c.label if c else cap,
                                       "country": c.country if c else "", "status": status,
                                       **common}))
    for p, lat, lon in result.launch_points:
        feats.append(_point(lon, lat, {"kind": "launch-point", "name": p, **common}))
    for s in _sites(result, site):
        feats.append(_point(s["lon_deg"], s["lat_deg"], {
            "kind": "site", "name": s["name"], "interceptors": s["interceptors"],
            "scenario": scen}))
    return {"type": "FeatureCollection", "features": feats}


def write_geojson(result, path, site: str | None = None) -> Path:
    """Write :func:`geojson` (valid JSON, no NaN: opens in QGIS and geojson.io)."""
    path = Path(path)
    path.write_text(json.dumps(geojson(result, site), allow_nan=False, separators=(",", ":"))
                    + "\n", encoding="utf-8")
    return path


def _sites(result, site: str | None) -> list[dict]:
    """Sites of the defence (only ``site`` when given) with position and interceptors."""
    from euroshield.report.deterrence import catalog_kinds

    kinds = catalog_kinds()
    out: dict[str, dict] = {}
    for s in result.shooters:
        if site is not None and s.site != site:
            continue
        d = out.setdefault(s.site, {"name": s.site, "lat_deg": float(s.lat_deg),
                                    "lon_deg": float(s.lon_deg),
                                    "kind": kinds.get(s.site, "site"), "interceptors": []})
        d["interceptors"].append(s.interceptor.name)
    return list(out.values())


# ---- the map --------------------------------------------------------------------------------


def write_footprint_map(result, path, site: str | None = None, radars=()) -> Path:
    """The footprint on the offline map (see :func:`euroshield.report.maps.footprint_map`):
    cells coloured by status, capitals by status, launch points, sites and (optional) radars
    (:class:`~euroshield.defense.radar.Radar` objects, coverage at the study's RCS)."""
    from euroshield import catalog
    from euroshield.report.maps import footprint_map

    g = result.grid
    cls = cell_classes(result, site)
    status = np.full(len(g), "", dtype=object)
    for s in reversed(STATUSES):
        status[cls[s]] = s
    areas = {s: _km2(result.area_km2(m)) for s, m in cls.items()}
    thr = _km2(result.area_km2(result.threatened_any()))
    caps = catalog.capitals()
    capitals = [{"name": n, "label": caps[n].label if n in caps else n, "lat_deg": float(la),
                 "lon_deg": float(lo), "status": st}
                for (n, st), la, lo in zip(result.capital_status(site).items(),
                                           result.capital_lat_deg, result.capital_lon_deg,
                                           strict=True)]
    rcs = result.defence.scenario.footprint.rcs_m2
    radar_rows = [{"name": r.name, "lat_deg": r.lat, "lon_deg": r.lon,
                   "boresight_deg": r.boresight_azimuth_deg,
                   "half_width_deg": (r.half_width_deg if r.boresight_azimuth_deg is not None
                                      else None),
                   "range_km": float(r.max_range_m(rcs)) / 1e3} for r in radars]
    reg = g.region
    name = "all sites" if site is None else site
    share = f"{100 * areas['defended'] / thr:.0f} %" if thr else "-"
    return footprint_map(
        path, title=f"euroshield footprint: {result.missile} from {result.launch_area}",
        subtitle=(f"{result.defence.scenario.name}, {name}: {areas['defended']:,} of "
                  f"{thr:,} km² threatened defended ({share}); {len(g):,} aim points every "
                  f"{g.resolution_deg:g}°"),
        cells_lat_deg=g.lat_deg, cells_lon_deg=g.lon_deg, status=status,
        resolution_deg=g.resolution_deg, areas_km2=areas, sites=_sites(result, site),
        capitals=capitals,
        launch_points=[{"name": n, "lat_deg": la, "lon_deg": lo}
                       for n, la, lo in result.launch_points],
        radars=radar_rows,
        extent_deg=(reg.lon_min_deg, reg.lon_max_deg, reg.lat_min_deg, reg.lat_max_deg))


# ---- the output folder ----------------------------------------------------------------------


def slug(*parts: str) -> str:
    """A file-name-safe join of the parts (lower case, [a-z0-9.-] only)."""
    s = "-".join(re.sub(r"[^a-z0-9.]+", "-", str(p).lower()).strip("-.") for p in parts)
    return re.sub(r"-{2,}", "-", s) or "footprint"


def write_outputs(doc: dict, results: list, out_dir, radars=()) -> list[Path]:
    """footprint.json, footprints.csv, capitals.csv, us-routes.csv, one GeoJSON per (launch
    area, missile, site|union) and one PNG map per (launch area, missile) (union)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [write_json(doc, out_dir / "footprint.json"),
             write_footprints_csv(doc, out_dir / "footprints.csv"),
             write_capitals_csv(doc, out_dir / "capitals.csv"),
             write_us_routes_csv(doc, out_dir / "us-routes.csv")]
    for r in results:
        for s in [None, *r.sites]:
            name = slug("footprint", r.launch_area, r.missile, UNION if s is None else s)
            paths.append(write_geojson(r, out_dir / f"{name}.geojson", site=s))
        paths.append(write_footprint_map(
            r, out_dir / f"{slug('footprint', r.launch_area, r.missile)}.png", radars=radars))
    return paths
