"""The report's "Defence of Europe" section: footprints of the scenario and of every EPAA phase
against the scenario's Iranian threats, the area and capitals tables, the Iran -> United
States routes of the scenario and of Phase 4, maps, GeoJSON and layers for the globe.

Orchestration and presentation only: the numbers come from
:mod:`euroshield.studies.footprint`. Every phase is evaluated on the same trajectories (the
footprint study flies each chunk once for all defences).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from euroshield.report import footprint as fprep
from euroshield.report.html import Figure, Finding, P, Section, Table, code

PHASES = ("epaa-phase-1", "epaa-phase-2", "epaa-phase-3", "epaa-phase-4")
REPORT_RESOLUTION_DEG = 2.0  # the report's grid; `euroshield footprint` runs the full one
ALL_AREAS = "all launch areas"


@dataclass
class Europe:
    """What the report shows: per defence (scenario first, then the EPAA phases), per
    missile, the footprint from all launch areas together and from each area."""

    scenario: object
    defences: list
    merged: dict = field(default_factory=dict)  # (defence name, missile) -> Footprint
    by_area: dict = field(default_factory=dict)  # (defence name, missile, area) -> Footprint
    us: dict = field(default_factory=dict)  # defence name -> (threats, engagements)
    resolution_deg: float = REPORT_RESOLUTION_DEG


def compute(sc, progress=print) -> Europe:
    from euroshield import catalog, scenario
    from euroshield.studies import footprint as fp

    scs = [sc] + [scenario.load(n) for n in PHASES if n != sc.name]
    f = sc.footprint
    res_deg = max(f.resolution_deg, REPORT_RESOLUTION_DEG)
    grid = fp.aim_grid(f.region, res_deg, f.land_only, force=True)
    defences = [fp.defence_of(s) for s in scs]
    caps = sorted(catalog.capitals())
    eu = Europe(sc, defences, resolution_deg=res_deg)
    tables: dict = {}  # fly-out tables shared by every area and missile
    for m in f.missiles:
        progress(f"defence of Europe: {m} from {', '.join(f.launch_areas)} against "
                 f"{len(defences)} defences ({len(grid)} aim points every {res_deg:g} deg)")
        per_area = {a: fp.footprints(defences, a, m, grid, caps, tables=tables)
                    for a in f.launch_areas}
        for k, d in enumerate(defences):
            name = d.scenario.name
            for a in f.launch_areas:
                eu.by_area[(name, m, a)] = per_area[a][k]
            eu.merged[(name, m)] = fp.merge([per_area[a][k] for a in f.launch_areas],
                                            ALL_AREAS)
    for s in (sc, next((x for x in scs if x.name == "epaa-phase-4"), None)):
        if s is not None and s.name not in eu.us:
            progress(f"Iran -> United States routes: {s.name}")
            eu.us[s.name] = fp.us_routes(s)
    return eu


def _deg(v: float, pos: str, neg: str) -> str:
    return f"{abs(v):g}° {pos if v >= 0 else neg}"


def region_text(region) -> str:
    """E.g. "34° N–72° N, 25° W–45° E"."""
    return (f"{_deg(region.lat_min_deg, 'N', 'S')}–{_deg(region.lat_max_deg, 'N', 'S')}, "
            f"{_deg(region.lon_min_deg, 'E', 'W')}–{_deg(region.lon_max_deg, 'E', 'W')}")


def _km2(x: float) -> str:
    return f"{x:,.0f}"


def area_rows(eu: Europe) -> list[list]:
    rows = []
    for (name, m), r in eu.merged.items():
        cls = fprep.cell_classes(r)
        thr = r.area_km2(r.threatened_any())
        dfd, part = r.area_km2(cls["defended"]), r.area_km2(cls["partly-defended"])
        caps = r.capital_status()
        n_def = sum(v == "defended" for v in caps.values())
        n_thr = sum(v != "out-of-reach" for v in caps.values())
        rows.append([name, m, _km2(thr), _km2(dfd), _km2(part),
                     f"{100 * dfd / thr:.0f} %" if thr else "-", f"{n_def} of {n_thr}"])
    return rows


def site_rows(eu: Europe) -> list[list]:
    """Defended area per site of the scenario, per missile (all launch areas)."""
    rows = []
    for (name, m), r in eu.merged.items():
        if name != eu.scenario.name:
            continue
        for site in r.sites:
            rows.append([site, m, _km2(r.area_km2(r.defended(site))),
                         _km2(r.area_km2(r.defended(site, every=False)))])
    return rows


def capital_rows(eu: Europe) -> list[list]:
    from euroshield import catalog

    caps = catalog.capitals()
    missiles = [m for (n, m) in eu.merged if n == eu.scenario.name]
    status = {m: eu.merged[(eu.scenario.name, m)].capital_status() for m in missiles}
    rows = []
    for c in sorted(caps, key=lambda n: caps[n].label):
        sts = [status[m][c] for m in missiles]
        if all(s == "out-of-reach" for s in sts):
            continue
        rows.append([caps[c].label, caps[c].country, *sts])
    return rows


def us_rows(eu: Europe) -> list[list]:
    rows = []
    for name, us in eu.us.items():
        best = fprep._best_route_rows(fprep.us_route_rows(us))
        for r in best:
            rows.append([name, r["launch_point"], r["target"],
                         f"{r['site']} / {r['interceptor']}",
                         "yes" if r["engageable"] else "no", r["phase"] or "-",
                         "-" if r["margin_s"] is None else f"{r['margin_s']:+.0f}",
                         r["reason"] or "-"])
    return rows


def findings(eu: Europe) -> list[str]:
    """Sentences generated from the numbers."""
    from euroshield import catalog

    sc = eu.scenario
    caps = catalog.capitals()
    out = []
    for m in sc.footprint.missiles:
        parts = []
        for d in eu.defences:
            r = eu.merged[(d.scenario.name, m)]
            thr = r.area_km2(r.threatened_any())
            dfd = r.area_km2(r.defended())
            parts.append(f"{d.scenario.name} {dfd:,.0f} km² ({100 * dfd / thr:.0f} %)"
                         if thr else f"{d.scenario.name} -")
        r = eu.merged[(sc.name, m)]
        out.append(f"Against the {m} missile from {ALL_AREAS} "
                   f"({r.area_km2(r.threatened_any()):,.0f} km² of the region within its "
                   f"reach), the area defended from every launch point is: "
                   + "; ".join(parts) + ".")
        open_caps = sorted(caps[c].label for c, v in r.capital_status().items()
                           if v in ("threatened", "partly-defended"))
        if open_caps:
            out.append(f"Capitals within reach of the {m} that {sc.name} does not defend from "
                       f"every launch point: {', '.join(open_caps)}.")
    for name, (th, e) in eu.us.items():
        ok = e.engageable.any(axis=1)
        asc = (e.engageable & ~e.intercept_after_apogee).any(axis=1)
        out.append(f"Iran -> United States under {name}: {int(ok.sum())} of {len(ok)} routes "
                   f"({', '.join(sorted(set(th.aim_name.tolist())))}) can be engaged by at "
                   f"least one site, {int(asc.sum())} of them in the ascent phase.")
    return out


def write(eu: Europe, out_dir: Path, radars=()) -> tuple[Section, dict, list[dict]]:
    """Maps, GeoJSON and JSON into ``out_dir``; returns the report section, the files written
    (name -> what) and footprint layers for the globe and the KML."""
    files: dict[str, str] = {}
    figures = []
    sc = eu.scenario
    longest = sc.footprint.missiles[-1]
    for d in eu.defences:
        name = d.scenario.name
        r = eu.merged[(name, longest)]
        png = out_dir / f"footprint-{fprep.slug(name, longest)}.png"
        fprep.write_footprint_map(r, png, radars=d.scenario.radar_models())
        figures.append(Figure(png, f"{name}: {longest} from {ALL_AREAS}, defended by any "
                                   "site (green), partly defended (light green), threatened "
                                   "and undefended (orange)"))
    layers = []
    for m in sc.footprint.missiles:
        r = eu.merged[(sc.name, m)]
        gj = out_dir / f"footprint-{fprep.slug(sc.name, m)}.geojson"
        fprep.write_geojson(r, gj)
        files[gj.name] = f"GeoJSON: defended / partly defended / threatened area, {m}"
        cls = fprep.cell_classes(r)
        for status in fprep.STATUSES:
            mask = cls[status][: len(r.grid)]
            layers.append({
                "name": f"{sc.name}: {m} from {ALL_AREAS} - {status}", "status": status,
                "geometry": fprep.cells_multipolygon(r.grid.lat_deg[mask], r.grid.lon_deg[mask],
                                                     r.grid.resolution_deg),
                "area_km2": r.area_km2(cls[status]),
                "description": f"{status}: {r.area_km2(cls[status]):,.0f} km²"})
    results = [eu.by_area[(sc.name, m, a)] for m in sc.footprint.missiles
               for a in sc.footprint.launch_areas]
    doc = fprep.footprint_doc(sc, results, eu.us.get(sc.name))
    fprep.write_json(doc, out_dir / "footprint.json")
    files["footprint.json"] = "defence of Europe, as `euroshield footprint --json` (report grid)"
    fprep.write_footprints_csv(doc, out_dir / "footprints.csv")
    files["footprints.csv"] = "area per launch area, missile and site"
    f = sc.footprint
    blocks = [
        *(Finding(t) for t in findings(eu)),
        P(f"What area of Europe does the shield defend against missiles launched from Iran? "
          f"Aim points every {eu.resolution_deg:g}° on land in "
          f"{region_text(f.region)}; launch areas "
          f"{', '.join(f.launch_areas)}; missiles {', '.join(f.missiles)} on minimum-energy "
          "trajectories. An aim point is defended when some site can engage the missile from "
          "every launch point that reaches it, partly defended when from some; areas are exact "
          "WGS84 cell areas. Each EPAA phase is evaluated against the same threats."),
        P(["The report uses a coarse grid to stay fast; ", code("euroshield footprint"),
           f" computes the scenario's own grid ({f.resolution_deg:g}°) with maps, GeoJSON and "
           "tables per launch area."]),
        Table(["defence", "missile", "threatened km²", "defended km²", "partly km²",
               "defended share", "capitals defended"], area_rows(eu), left=2),
        *figures,
        P(f"Defended area per site of {sc.name} (all launch areas together):"),
        Table(["site", "missile", "defended km²", "at least partly km²"], site_rows(eu)),
        P(f"Capitals within reach ({sc.name}; all launch areas together):"),
        Table(["capital", "country", *[m for (n, m) in eu.merged if n == sc.name]],
              capital_rows(eu), left=2),
        P("Iran -> United States (the EPAA Phase 4 question): the best site per route "
          "(largest launch margin), under the defence's own timeline:"),
        Table(["defence", "launch point", "target", "best site / interceptor", "engageable",
               "phase", "margin s", "reason otherwise"], us_rows(eu), left=4),
    ]
    return Section("Defence of Europe", blocks), files, layers
