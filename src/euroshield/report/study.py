"""The main job: run every available study on a scenario and write the report folder.

Studies run today: deterrence under the scenario's own timeline, and the same with the what-if
"fire control on the infrared cue" (which sensor cue would change the answer), plus the
expansion (attrition) sweep. Outputs: ``index.html`` (self-contained), CSV/JSON tables,
``scenario.yaml`` (the exact effective scenario), ``trajectories.czml``, ``study.kml``, PNG
figures, and the offline globe page when the CesiumJS build is available.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from euroshield import __version__, catalog
from euroshield.report import deterrence as rep
from euroshield.report.html import Figure, Finding, P, Pre, Section, Table, Warn, code, render_page

DEFAULT_OUT = "euroshield-report"
SALVO, SSPK = 2, 0.7  # the report's attrition doctrine (assumptions, stated in the page)


def _versions() -> dict:
    import numba
    import numpy
    import pydantic
    import pyproj

    return {"euroshield": __version__, "python": platform.python_version(),
            "numpy": numpy.__version__, "numba": numba.__version__,
            "pydantic": pydantic.__version__, "pyproj": pyproj.__version__}


def _with_timeline(sc, fire_control: str):
    from euroshield import scenario

    data = sc.model_dump(exclude_none=True)
    data["timeline"]["fire_control"] = fire_control
    data["early_warning"]["enabled"] = True
    return scenario.parse(data, "scenario")


def findings(doc: dict, whatif: dict | None) -> list[str]:
    """Plain sentences generated from the numbers (no hand-written conclusions)."""
    s, a, routes = doc["summary"], doc["assumptions"], doc["routes"]
    n = s["routes"]
    tracked = rep.tracked_routes(doc)
    out = [f"Under the scenario's own timeline ({a['launch_rule']}), "
           f"{s['engageable_by_any_site']} of {n} routes from Russian ICBM bases to U.S. "
           "targets can be engaged by at least one site."]
    out.append(f"The scenario's radars ({', '.join(a['radars']) or 'none'}) establish a "
               f"launch-quality track on {tracked} of {n} routes"
               + (": without a track no interceptor may launch, whatever its speed."
                  if tracked == 0 else "."))
    out += [x for x in [rep.decider_sentence(doc)] if x]  # what decides the verdicts
    beyond = {(r["base"], r["target"]) for r in routes
              if r.get("reason_code") == "missile_cannot_reach"}
    if beyond and not a.get("out_of_reach"):  # else the force notes name them, with why
        out.append(f"{len(beyond)} base-target pairs lie beyond the reach of the base's "
                   f"missile ({rep.missile_text(a)}) and are counted as not engageable.")
    out.extend(n[:1].upper() + n[1:] for n in rep.force_notes(a))
    if whatif is not None:
        ws = whatif["summary"]
        best = max(ws["by_site"].values(), key=lambda v: v["engageable"], default=None)
        sentence = (f"If interceptors could launch on the infrared cue alone (a what-if: an "
                    f"ideal forward sensor), {ws['engageable_by_any_site']} of {n} routes "
                    "become engageable")
        if best and best["engageable"]:
            sentence += (f", most from {best['site']} with {best['interceptor']} "
                         f"({best['engageable']} routes)")
        out.append(sentence + ".")
        flips = [(v["min_threshold_speed_kms"], k) for k, v in ws["by_site"].items()
                 if v["min_threshold_speed_kms"] is not None and v["engageable"] == 0]
        if flips:
            v, k = min(flips)
            out.append(f"In that what-if, the nearest flip for a site/interceptor that engages "
                       f"nothing at its own speed is {k} at {v:.2f} km/s burnout speed.")
        att = whatif.get("attrition")
        if att:
            out.append(f"With a salvo of {SALVO} and a single-shot kill probability of "
                       f"{SSPK:g} (assumptions), the what-if defence would intercept "
                       f"{att['intercepted']:.1f} of {att['raid_warheads']:.0f} warheads "
                       f"({100 * att['fraction_intercepted']:.1f} %) within its inventories.")
    return out


def _summary_rows(doc: dict) -> list[list]:
    rows = []
    for key, v in doc["summary"]["by_site"].items():
        rows.append([key, f"{v['nominal_speed_kms']:g}", f"{v['engageable']} / {v['routes']}",
                     v["flip_routes"], "-" if v["min_threshold_speed_kms"] is None
                     else ("≤" if v.get("min_threshold_upper_bound") else "")
                     + f"{v['min_threshold_speed_kms']:.2f}",
                     rep.commonest_reason(doc, v["site"], v["interceptor"])])
    return rows


def _parameter_rows(sc) -> tuple[list[list], list[list], list[list]]:
    def src(entry):
        return "; ".join(", ".join(str(p) for p in (x.author, x.title, x.year) if p)
                         for x in entry.sources)

    ics = {name: sc.interceptor(name) for s in sc.sites for name in s.interceptors}
    ic_rows = [[i.name, f"{i.burnout_speed_kms:g} ({i.speed_label})", f"{i.burn_time_s:g}",
                f"{i.min_intercept_altitude_km:g}-{i.max_intercept_altitude_km:g}",
                f"{i.max_flyout_time_s:g}", src(i)] for i in ics.values()]
    radar_rows = [[r.name, f"{r.lat:.3f}, {r.lon:.3f}",
                   "full" if r.boresight_azimuth_deg is None
                   else f"{r.boresight_azimuth_deg:g} ± {r.half_width_deg:g}",
                   f"{r.reference_range_km:g} km @ {r.reference_rcs_m2:g} m²", src(r)]
                  for r in sc.radar_models()]
    flown = dict.fromkeys(sc.threats.missile_by_base().values())  # each base's missile
    missile_rows = [[m.name, len(m.stages), f"{m.launch_mass_kg:,.0f}",
                     f"{m.published_range.value_km:,.0f}", src(m)]
                    for m in map(catalog.get_missile, flown)]
    return ic_rows, radar_rows, missile_rows


def _place_rows(sc) -> list[list]:
    """Every place the scenario uses (sites, ICBM bases, targets) with its public source."""
    names = [s.site for s in sc.sites if s.lat is None] + list(sc.threats.bases) + list(
        sc.threats.targets)
    rows = []
    for n in dict.fromkeys(names):
        p = catalog.get_place(n)
        rows.append([p.name, p.kind, f"{p.lat:.3f}", f"{p.lon:.3f}", f"{p.uncertainty_km:g}",
                     p.source])
    for s in sc.sites:
        if s.lat is not None:
            rows.append([s.site, "site (scenario point)", f"{s.lat:.3f}", f"{s.lon:.3f}", "",
                         "given in the scenario"])
    return rows


def run_study(sc, out_dir: Path, progress=print) -> dict:
    """Run the studies on scenario ``sc`` and write the report into ``out_dir``; returns a
    dict of what was written and how long it took.

    The folder is replaced as a whole at the end (:func:`~euroshield.report.folders.
    atomic_folder`): an interrupted or failed run leaves ``out_dir`` as it was, and files of an
    earlier report that this one does not write are gone. A folder euroshield did not write is
    refused (:class:`~euroshield.errors.InputError`) unless it is empty."""
    from euroshield.report.folders import atomic_folder

    out_dir = Path(out_dir)
    with atomic_folder(out_dir, what="euroshield study") as tmp:
        info = _run_study(sc, tmp, progress, final_dir=out_dir)
    return {**info, "out_dir": str(out_dir)}


def _run_study(sc, out_dir: Path, progress, final_dir: Path) -> dict:
    from euroshield.studies.attrition import Doctrine
    from euroshield.studies.deterrence import deterrence, expansion, with_timeline

    t0 = time.perf_counter()
    doctrine = Doctrine(salvo=SALVO, sspk=SSPK)
    progress(f"deterrence study ({sc.timeline.fire_control} timeline)")
    study = deterrence(sc)
    res = rep.view(study)
    doc = res.to_json()
    doc["attrition"] = expansion(study, doctrine, sweep_rows=True)
    whatif_res, whatif = None, None
    if sc.timeline.fire_control != "ir-cue":
        progress("deterrence what-if: fire control on the infrared cue (same trajectories "
                 "and fly-out tables)")
        whatif_study = with_timeline(study, _with_timeline(sc, "ir-cue"))
        whatif_res = rep.view(whatif_study)
        whatif = whatif_res.to_json()
        whatif["attrition"] = expansion(whatif_study, doctrine, sweep_rows=True)
    meta = {"versions": _versions(), "seed": None,
            "seed_note": "no random numbers are drawn: the results are deterministic",
            "scenario": sc.model_dump(mode="json")}
    doc["meta"] = meta
    files: dict[str, str] = {}

    def wrote(name, what):
        files[name] = what

    (out_dir / "scenario.yaml").write_text(
        "# the exact effective scenario of this report: euroshield study --scenario "
        "scenario.yaml repeats it\n" + yaml.safe_dump(sc.model_dump(mode="json"),
                                                        sort_keys=False), encoding="utf-8")
    wrote("scenario.yaml", "the effective scenario (rerun with --scenario scenario.yaml)")
    rep.write_json(doc, out_dir / "deterrence.json")
    wrote("deterrence.json", "deterrence study, as `euroshield deterrence --json`")
    rep.write_routes_csv(doc["routes"], out_dir / "routes.csv")
    wrote("routes.csv", "one row per (base, target, site, interceptor)")
    rep.write_rows_csv(doc["attrition"]["sweep"], out_dir / "attrition-sweep.csv")
    wrote("attrition-sweep.csv", "expected attrition over sites, inventories and speeds")
    progress("maps and charts")
    radars = sc.radar_models()
    rep.write_map(res, radars, out_dir / "map.png")
    figs = {"map": out_dir / "map.png"}
    if whatif is not None:
        whatif["meta"] = meta
        rep.write_json(whatif, out_dir / "deterrence-ir-cue.json")
        wrote("deterrence-ir-cue.json", "the what-if: fire control on the infrared cue")
        rep.write_routes_csv(whatif["routes"], out_dir / "routes-ir-cue.csv")
        wrote("routes-ir-cue.csv", "what-if routes")
        rep.write_map(whatif_res, radars, out_dir / "map-ir-cue.png")
        figs["map_ir"] = out_dir / "map-ir-cue.png"
    shown = whatif_res if whatif_res is not None else res
    shown_doc = whatif if whatif is not None else doc
    try:
        from euroshield.report import charts

        charts.engagement_timeline(shown, out_dir / "timeline.png")
        charts.threshold_bars(shown, out_dir / "thresholds.png")
        charts.speed_sweep(shown_doc["attrition"]["sweep"], out_dir / "sweep.png")
        figs.update(timeline=out_dir / "timeline.png", thresholds=out_dir / "thresholds.png",
                    sweep=out_dir / "sweep.png")
    except ImportError:  # pragma: no cover - charts ship with the package
        pass
    from euroshield.report import europe

    eu = europe.compute(sc, progress)
    eu_section, eu_files, layers = europe.write(eu, out_dir, radars)
    files.update(eu_files)
    uncertainty = []  # a campaign over the scenario's distributions, if it declares any
    if sc.distributions:
        from euroshield.report import campaign as camp

        progress("uncertainty: Monte Carlo campaign over the scenario's distributions")
        unc_section, unc_files = camp.uncertainty_section(sc, study, out_dir, progress)
        files.update(unc_files)
        uncertainty.append(unc_section)
    from euroshield.report import papers as papers_rep

    progress("published analyses: the papers' claims (reusing the trajectories and footprints)")
    papers_doc, papers_section = papers_rep.for_study(study, eu, progress, _versions())
    papers_rep.write_outputs(papers_doc, out_dir)
    files.update(papers_rep.FILES)
    arch_tracks = []  # the architecture comparison's tracks, for the globe
    if sc.architecture_name != "n-detections":  # the comparison when the scenario asks for it
        from euroshield.report import architectures as arch_rep

        progress("sensor architectures: the comparison (the deterrence trajectories reused)")
        _, arch_section, arch_files, arch_tracks = arch_rep.for_study(sc, out_dir, progress,
                                                                      study.looks)
        files.update(arch_files)
        uncertainty.append(arch_section)
    globe_ok = False
    progress("3-D globe files (CZML, KML)")
    try:
        from euroshield.report import czml, globe, kml

        czml.write_czml(shown, radars, out_dir / "trajectories.czml", footprints=layers,
                        extra_packets=arch_tracks)
        wrote("trajectories.czml", "time-tagged trajectories and intercepts, and the "
                                   "defended areas, for Cesium")
        kml.write_kml(shown, radars, out_dir / "study.kml", footprints=layers)
        wrote("study.kml", "the same for Google Earth")
        globe.reuse_cesium(final_dir, out_dir)
        globe_ok = globe.write_globe(out_dir, title=f"euroshield: {sc.name}")
    except ImportError:  # pragma: no cover
        pass
    progress("flight check: catalogue missiles on their default routes")
    from euroshield.studies.routes import fly_default_routes

    flight = fly_default_routes()
    elapsed = time.perf_counter() - t0
    html_text = render(sc, doc, whatif, figs, files, globe_ok, elapsed, flight,
                       extra_sections=[eu_section, papers_section, *uncertainty])
    (out_dir / "index.html").write_text(html_text, encoding="utf-8")
    return {"out_dir": str(out_dir), "files": ["index.html", *files], "globe": globe_ok,
            "seconds": round(elapsed, 1), "engageable": doc["summary"],
            "whatif_engageable": whatif["summary"] if whatif else None}


def render(sc, doc, whatif, figs, files, globe_ok, elapsed, flight=(),
           extra_sections: Sequence[Section] = ()) -> str:
    """The report page, as data: a list of :class:`~euroshield.report.html.Section` (heading and
    blocks: ``P``, ``Finding``, ``Warn``, ``Table``, ``Figure``, ``Pre``) rendered by the
    autoescaping templates of :func:`~euroshield.report.html.render_page`. No HTML is written
    here: pass plain strings and numbers, and ``code(...)`` runs for inline code.

    To add a section (e.g. "Defence of Europe": maps, an area table, a capitals table): write a
    function that returns ``Section(heading, [P(...), Figure(path, caption), Table(cols, rows),
    ...])`` from values computed in :func:`run_study`, and pass its result in
    ``extra_sections`` (they come after the study sections, before "Assumptions and
    parameters"), or append it to the list below. See the docstring of report/html.py.
    """
    s = doc["summary"]
    sections = [
        Section("The question", [P(
            "In 2011 Russia objected that the European missile defence shield could threaten "
            "its strategic nuclear forces. This report computes, from public parameters and "
            "first principles (kinematics and geometry only), whether the shield's interceptors "
            "can engage Russian ICBMs flying to the United States: from which site, with which "
            "interceptor and sensor cue, and at what interceptor speed the answer would flip.")]),
        Section("Findings", [Finding(f) for f in findings(doc, whatif)]),
        Section("Deterrence: the scenario as given", [
            P(f"{s['engageable_by_any_site']} of {s['routes']} routes engageable by at least "
              "one site, under the scenario's timeline."),
            Table(SUMMARY_COLUMNS, _summary_rows(doc)),
            Figure(figs.get("map"), "Threat ground tracks by verdict, sites and radar coverage "
                                    "(scenario timeline)")]),
    ]
    if whatif is not None:
        ws = whatif["summary"]
        sections.append(Section("Which sensor cue would change it? (what-if)", [
            P("Interceptors may launch on the space-based infrared cue plus the decision "
              f"delay, as if an ideal forward sensor existed: {ws['engageable_by_any_site']} "
              f"of {ws['routes']} routes engageable."),
            Table(SUMMARY_COLUMNS, _summary_rows(whatif)),
            Figure(figs.get("map_ir"), "Ground tracks by verdict, what-if timeline"),
            Figure(figs.get("timeline"), "Engagement timelines (what-if): cue, track, launch "
                                         "window, intercept, impact"),
            Figure(figs.get("thresholds"), "Flip-threshold speeds per site and interceptor "
                                           "(what-if)")]))
    att = (whatif or doc).get("attrition")
    if att:
        sections.append(Section(
            "Expansion: how much more defence before the deterrent erodes?", [
                P(["Raid: the warheads of each base (approximate public estimates, ",
                   code("catalog/forces.yaml"), ", marked unverified) split evenly over its "
                   f"routes; salvo of {SALVO}, single-shot kill probability {SSPK:g} (both "
                   "assumptions), site inventories as in the scenario. Expected intercepted: "
                   f"{att['intercepted']:.1f} of {att['raid_warheads']:.0f} warheads."]),
                Figure(figs.get("sweep"), "Expansion: expected warheads intercepted against "
                                          "interceptor speed and inventory")]))
    sections.extend(extra_sections)
    sections.append(_assumptions_section(sc, doc))
    if flight:
        sections.append(_flight_section(flight))
    sections.append(_files_section(files, globe_ok))
    sections.append(Section("Versions and reproducibility", [
        Table(["package", "version"], [[k, val] for k, val in _versions().items()], left=1),
        P("Seed: none - no random numbers are drawn; the same inputs give the same outputs. "
          f"Run time: {elapsed:.1f} s.")]))
    return render_page(f"euroshield study: {sc.name}",
                       f"{sc.description or ''} - euroshield {__version__}", sections)


SUMMARY_COLUMNS = ["site / interceptor", "km/s", "engageable", "flips by 8 km/s",
                   "lowest flip km/s", "commonest reason otherwise"]


def _none(v) -> str:
    return "" if v is None else str(v)


def _assumptions_section(sc, doc) -> Section:
    ic_rows, radar_rows, missile_rows = _parameter_rows(sc)
    a = doc["assumptions"]
    ladder = ", ".join(f"{v:g}" for v in a["threshold_ladder_kms"])
    return Section("Assumptions and parameters", [
        P(f"Threat: {rep.missile_text(a)} on minimum-energy trajectories; warhead RCS "
          f"{_none(a['rcs_m2'])} m²; infrared cue at T+{_none(a['early_warning_delay_s'])} s; "
          f"decision delay {_none(a['decision_delay_s'])} s; launch rule: "
          f"{_none(a['launch_rule'])}. Flip thresholds: fly-out tables at {ladder} km/s, "
          "bisection inside the bracket, refined with exact tables for routes engageable at the "
          "nominal speed; '≤' marks thresholds known only from above (engageable already at the "
          "lowest tabulated speed, or a flip inside a ladder step the interpolation cannot "
          "resolve). Interceptor fly-outs: ascending branches only (points reached only after "
          "the interceptor's apogee count as out of reach)."),
        Table(["interceptor", "burnout km/s", "burn s", "intercept altitude km",
               "max fly-out s", "sources"], ic_rows),
        Table(["radar", "position", "sector deg", "range", "sources"], radar_rows),
        Table(["missile", "stages", "launch mass kg", "published range km", "sources"],
              missile_rows),
        Table(["place", "kind", "lat", "lon", "± km", "source"], _place_rows(sc), left=2),
        P(["Effective scenario (", code("scenario.yaml"), "):"]),
        Pre(yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False))])


def _flight_rows(flight) -> list[list]:
    rows = []
    for r in flight:
        m = catalog.get_missile(r["missile"])
        pub = m.published_range
        band = f"{pub.min_km or pub.value_km:,.0f}-{pub.max_km or pub.value_km:,.0f}"
        rows.append([r["missile"], r["route"], f"{r['ground_range_km']:,.0f}",
                     f"{r['flight_time_s']:,.0f}", f"{r['apogee_km']:,.0f}",
                     f"{r['burnout_speed_kms']:.2f}", band])
    return rows


def _flight_section(flight) -> Section:
    return Section("Flight check: the threat missiles", [
        P("Every catalogue missile aimed (minimum energy) and flown on its default routes with "
          "the full model (rotating WGS84 Earth, J2, US76 drag); the last column is the "
          "published range band of the missile, for comparison with its maximum range."),
        Table(["missile", "route", "range km", "flight s", "apogee km", "burnout km/s",
               "published range km"], _flight_rows(flight), left=2)])


def _files_section(files: dict, globe_ok: bool) -> Section:
    if globe_ok:
        globe = P(["3-D globe: run ", code(f"euroshield serve {DEFAULT_OUT}"),
                   " (or the folder you chose) and open ",
                   code("http://127.0.0.1:8000/globe.html"),
                   "; the time slider plays the engagement."])
    else:
        globe = Warn(["The 3-D globe is not included: it needs the CesiumJS build (",
                      code("make run"), " builds it with npm). trajectories.czml and study.kml "
                      "are written anyway."])
    return Section("Data files and the globe", [
        globe, Table(["file", "contents"], [[name, what] for name, what in files.items()],
                     left=2)])


def summary_line(info: dict) -> str:
    return json.dumps({k: info[k] for k in ("out_dir", "files", "globe", "seconds")})
