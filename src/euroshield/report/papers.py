"""Presentation of the published analyses (``euroshield papers``): the claim table as rows,
sentences, a terminal table, JSON, CSV, Markdown and a report section.

Reads :class:`~euroshield.studies.papers.PaperResult` s; computes nothing physical. Every
sentence is generated from the numbers.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from euroshield.studies.deterrence import LADDER_KMS
from euroshield.studies.papers import ATTRITION_SALVO, ATTRITION_SSPK, Evaluation, PaperResult

# short phrases for route-level reasons (euroshield.defense.engagement.Reason names)
REASON_PHRASES = {
    "missile_cannot_reach": "beyond the missile's reach",
    "no_reachable_point": "no point within the interceptor's fly-out reach",
    "outside_altitude_band": "reachable only outside the intercept altitude band",
    "flyout_too_long": "fly-out too long",
    "no_track": "no launch-quality track",
    "too_late": "interceptor too late",
}
# which assumption decides (euroshield.studies.flips.Decider names)
DECIDER_PHRASES = {"kinematics": "kinematics", "timeline": "the timeline's delays",
                   "sensor": "radar range", "coverage": "radar coverage"}

ASSUMPTIONS = [
    "Each paper's scenario file holds the paper's assumptions where they are known; every other "
    "figure is the project's default, labelled 'assumed (not from the paper)' in the file's "
    "sources (euroshield scenario show papers/NAME).",
    "Claims are quoted, paraphrased or interpreted as labelled; each check says how it reads "
    "the claim. Claims about costs, discrimination or politics are listed as not checkable.",
    "The default column runs the same check on the built-in scenario of the EPAA phase the "
    "paper discusses (paper.compare_with), with its own sites, sensors and threats.",
    "Timelines: 'scenario' is the file's own (launch on a radar track and the infrared cue "
    "plus the decision delay); 'ir-cue' launches on the space-based infrared cue plus the "
    "decision delay (an ideal forward sensor); 'kinematic' allows launch at the threat's "
    "launch (no sensor or decision delay: the kinematic upper bound).",
    "Nearest flip, for claims that count engageable routes, under the paper's assumptions: "
    "speed, every selected interceptor at one burnout speed (same burn time and mass), from "
    "the routes' flip thresholds; launch, the interceptor launch time moved earlier (-) or "
    "later (+) than the timeline allows; radar, one radar's detection range at the scenario's "
    "RCS (studies/flips.py). 'decided by' counts which assumption decides each route's "
    "verdict.",
    f"Attrition: salvo of {ATTRITION_SALVO}, single-shot kill probability {ATTRITION_SSPK:g} "
    "(assumptions), warheads per base from catalog/forces.yaml (unverified), the scenario's "
    "inventories.",
    "Footprint checks use a coarse aim-point grid (2 deg unless the check says otherwise).",
]


def _n(x: float) -> str:
    """A count or area with thousands separators."""
    return f"{x:,.0f}"


def _s(x) -> str:
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.0f}"


def _timeline_note(check) -> str:
    return {"scenario": "", "ir-cue": " (ir-cue timeline)",
            "kinematic": " (kinematic timeline)"}[check.timeline]


def answer(ev: Evaluation | None, check) -> str:
    """The model's answer to a check as a short phrase (with its key numbers)."""
    if ev is None:
        return ""
    if ev.missing:
        return f"n/a: {ev.missing}"
    d, m, v = ev.detail, check.expectation.metric, ev.value
    if m in ("engageable-routes", "engageable-iran-us-routes"):
        text = f"{d['engageable']} of {d['routes']} routes engageable"
    elif m == "engageable-fraction":
        text = f"{v:.2f} ({d['engageable']} of {d['routes']} routes engageable)"
    elif m == "routes":
        text = f"{d['routes']} routes"
    elif m in ("tracked-routes", "tracked-fraction"):
        text = f"{d['tracked']} of {d['routes']} routes tracked"
    elif m == "boost-launch-routes":
        text = (f"{v:.0f} of {d['engageable']} engageable routes need launch before the "
                f"threat burns out (median latest launch T+{_s(d['median_latest_launch_s'])} "
                f"s, burnout T+{_s(d['median_burnout_s'])} s)")
    elif m == "boost-intercept-routes":
        text = (f"{v:.0f} of {d['routes']} routes with an intercept before the threat burns "
                f"out (T+{_s(d['median_burnout_s'])} s)")
    elif m in ("min-flip-speed-kms", "median-flip-speed-kms"):
        text = ("no flip by the ladder's top" if not math.isfinite(v) else
                f"{'lowest' if m.startswith('min') else 'median'} flip speed {v:.2f} km/s")
    elif m == "median-margin-s":
        text = f"median launch margin {_s(v)} s"
    elif m in ("margin-rank", "flip-speed-rank"):
        by = d["by_site"]
        unit = "s" if d["rank_by"] == "margin" else "km/s"
        fmt = _s if unit == "s" else (lambda x: "-" if not math.isfinite(x) else f"{x:.2f}")
        what = "median launch margin" if unit == "s" else "median flip speed"
        text = (f"rank {v:.0f} of {len(by)} by {what} ("
                + ", ".join(f"{k} {fmt(x)} {unit}" for k, x in by.items()) + ")")
    elif m in ("intercepted-warheads", "intercepted-fraction"):
        frac = d["intercepted"] / d["raid_warheads"] if d["raid_warheads"] else float("nan")
        text = (f"{d['intercepted']:.1f} of {_n(d['raid_warheads'])} warheads intercepted "
                f"({100 * frac:.1f} %)")
    elif m in ("defended-area-km2", "partly-defended-area-km2", "threatened-area-km2",
               "defended-fraction"):
        text = (f"{_n(d['defended_km2'])} km² defended of {_n(d['threatened_km2'])} km² "
                f"threatened ({d['missile']})")
    elif m == "defended-capitals":
        text = (f"{d['defended_capitals']} of {d['threatened_capitals']} threatened capitals "
                "defended")
    elif m.startswith("capital:"):
        text = f"{d['capital']}: " + ({1.0: "defended", 0.5: "partly defended",
                                       0.0: "threatened, not defended"}.get(v, "out of reach"))
    else:  # pragma: no cover - the schema's metric check rejects the rest
        text = f"{m} = {v:g}"
    return text + _timeline_note(check)


def _reasons(d: dict) -> str:
    parts = [f"{REASON_PHRASES.get(k, k)} on {n}" for k, n in
             sorted(d.get("reasons", {}).items(), key=lambda kv: -kv[1]) if k != "engageable"]
    return "; ".join(parts)


def reason(ev: Evaluation | None, check) -> str:
    """Why the model disagrees with the claim: a sentence from the evaluation's numbers."""
    if ev is None or ev.holds is not False:
        return "" if ev is None or ev.holds is not None else "the metric is undefined here"
    d, m = ev.detail, check.expectation.metric
    flip = ev.flip
    if m in ("engageable-routes", "engageable-iran-us-routes", "engageable-fraction"):
        if d["engageable"] == 0 or (flip and flip.routes_needed and flip.routes_needed > 0):
            text = f"not engageable: {_reasons(d)}"
        else:
            text = (f"{d['engageable']} routes engageable (e.g. {d.get('example', '-')}), "
                    f"median launch margin {_s(d['median_margin_s'])} s; otherwise "
                    f"{_reasons(d) or 'none'}")
        if flip and flip.deciders:
            text += "; decided by " + ", ".join(
                f"{DECIDER_PHRASES.get(k, k)} on {n}" for k, n in
                sorted(flip.deciders.items(), key=lambda kv: -kv[1]))
        return text
    if m == "boost-launch-routes":
        speeds = "/".join(f"{v:g}" for v in d["speeds_kms"])
        return (f"at {speeds} km/s the latest launch that still intercepts (median "
                f"T+{_s(d['median_latest_launch_s'])} s) comes after the threat's burnout "
                f"(T+{_s(d['median_burnout_s'])} s): no launch during boost is needed")
    if m in ("margin-rank", "flip-speed-rank"):
        return f"the compared sites rank otherwise: {answer(ev, check)}"
    return f"the model gives {answer(ev, check)}"


def flip_text(ev: Evaluation | None) -> str:
    """The nearest flip as a short phrase ("-" when none)."""
    f = ev.flip if ev is not None else None
    if f is None or f.routes_needed is None:
        return "-"
    parts = []
    if f.speed_kms is not None:
        parts.append(f"speed {'≥' if f.speed_direction == 'up' else '<'} {f.speed_kms:.2f} "
                     "km/s")
    if f.delay_s is not None:
        parts.append(f"launch {abs(f.delay_s):.0f} s {'earlier' if f.delay_s < 0 else 'later'}"
                     + (" and a radar track by then" if f.delay_needs_track else ""))
    if f.sensor_range_km is not None:
        sign = "≥" if f.routes_needed > 0 else "<"
        parts.append(f"{f.sensor_radar} range {sign} {_n(f.sensor_range_km)} km (studied "
                     f"{_n(f.sensor_studied_km)} km)")
    if not parts:
        return (f"none by speed (up to {max(LADDER_KMS):g} km/s), launch time or one radar's "
                "range")
    return "; ".join(parts)


def _round(x, nd):
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def flip_doc(ev: Evaluation | None) -> dict | None:
    f = ev.flip if ev is not None else None
    if f is None:
        return None
    return {"routes_needed": f.routes_needed, "speed_kms": _round(f.speed_kms, 2),
            "speed_direction": f.speed_direction, "delay_s": _round(f.delay_s, 1),
            "delay_needs_track": f.delay_needs_track,
            "sensor_range_km": _round(f.sensor_range_km, 1), "sensor_radar": f.sensor_radar,
            "sensor_studied_km": _round(f.sensor_studied_km, 1), "deciders": dict(f.deciders)}


def agreement(ev: Evaluation | None) -> str:
    if ev is None:
        return "not checkable"
    if ev.missing or ev.holds is None:
        return "undetermined"
    return "agrees" if ev.holds else "disagrees"


def claim_doc(cr, compare: str) -> dict:
    c, ev, dv = cr.claim, cr.model, cr.default
    check = c.check
    return {
        "id": c.id, "text": c.text, "source": c.source, "label": c.label, "reading": c.reading,
        "check": check.model_dump(exclude_none=True) if check is not None else None,
        "paper_answer": c.paper_answer,
        "model_answer": answer(ev, check) if check is not None else "",
        "model_value": _round(ev.value, 4) if ev is not None and not ev.missing else None,
        "default_scenario": compare if check is not None else None,
        "default_answer": answer(dv, check) if check is not None else "",
        "default_value": _round(dv.value, 4) if dv is not None and not dv.missing else None,
        "default_agreement": agreement(dv) if check is not None else "not checkable",
        "agrees": None if ev is None or ev.holds is None or ev.missing else bool(ev.holds),
        "agreement": agreement(ev),
        "reason": c.not_checkable if check is None else reason(ev, check),
        "nearest_flip": flip_doc(ev),
        "nearest_flip_text": flip_text(ev) if check is not None else "",
    }


def papers_doc(results: list[PaperResult], versions: dict | None = None) -> dict:
    """The ``euroshield papers --json`` object."""
    papers = []
    for p in results:
        pa = p.scenario.paper
        papers.append({
            "name": p.name, "title": pa.title, "authors": list(pa.authors), "year": pa.year,
            "venue": pa.venue, "url": pa.url, "not_extracted": pa.not_extracted,
            "scenario": p.scenario.name, "compare_with": pa.compare_with,
            "sources": list(p.scenario.sources),
            "claims": [claim_doc(cr, p.compare.name) for cr in p.claims]})
    claims = [c for p in papers for c in p["claims"]]
    summary = {k: sum(c["agreement"] == k for c in claims)
               for k in ("agrees", "disagrees", "not checkable", "undetermined")}
    return {"papers": papers, "summary": {"claims": len(claims), **summary},
            "assumptions": list(ASSUMPTIONS), "versions": versions or {}}


# ---- outputs -------------------------------------------------------------------------------

CSV_COLUMNS = ("paper", "claim", "label", "text", "check", "paper_answer", "model_answer",
               "default_scenario", "default_answer", "agreement", "reason", "flip_speed_kms",
               "flip_speed_direction", "flip_delay_s", "flip_sensor_radar",
               "flip_sensor_range_km", "decided_by", "source")


def _check_text(check: dict | None) -> str:
    if not check:
        return ""
    extra = [f"{k}={v if not isinstance(v, list) else '/'.join(v)}"
             for k, v in check.items() if k not in ("study", "expect")]
    return f"{check['study']}: {check['expect']}" + (f" [{', '.join(extra)}]" if extra else "")


def csv_rows(doc: dict) -> list[dict]:
    rows = []
    for p in doc["papers"]:
        for c in p["claims"]:
            f = c["nearest_flip"] or {}
            rows.append({
                "paper": p["name"], "claim": c["id"], "label": c["label"], "text": c["text"],
                "check": _check_text(c["check"]), "paper_answer": c["paper_answer"],
                "model_answer": c["model_answer"],
                "default_scenario": c["default_scenario"] or "",
                "default_answer": c["default_answer"], "agreement": c["agreement"],
                "reason": c["reason"], "flip_speed_kms": f.get("speed_kms"),
                "flip_speed_direction": f.get("speed_direction"),
                "flip_delay_s": f.get("delay_s"), "flip_sensor_radar": f.get("sensor_radar"),
                "flip_sensor_range_km": f.get("sensor_range_km"),
                "decided_by": "; ".join(f"{k} {n}" for k, n in
                                        (f.get("deciders") or {}).items()),
                "source": c["source"]})
    return rows


def write_csv(doc: dict, path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS))
        w.writeheader()
        for r in csv_rows(doc):
            w.writerow({k: "" if v is None else v for k, v in r.items()})
    return path


def write_json(doc: dict, path: Path) -> Path:
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def _md(text) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    return " ".join(str("" if text is None else text).split()).replace("|", "\\|")


def markdown(doc: dict) -> str:
    s = doc["summary"]
    out = ["# Published analyses replayed by euroshield", "",
           f"{s['claims']} claims: {s['agrees']} agree, {s['disagrees']} disagree, "
           f"{s['not checkable']} not checkable"
           + (f", {s['undetermined']} undetermined" if s["undetermined"] else "") + ".", ""]
    for p in doc["papers"]:
        out += [f"## {_md(p['title'])} ({p['year']})", "",
                f"{_md(', '.join(p['authors']))}. {_md(p['venue'] or '')} <{p['url']}>", "",
                f"Scenario `{p['name']}`; default column: `{p['compare_with']}`. Not extracted: "
                f"{_md(p['not_extracted'])}", "",
                "| claim | paper | euroshield (paper's assumptions) | euroshield (default) | "
                "agreement | nearest flip |", "|---|---|---|---|---|---|"]
        for c in p["claims"]:
            why = f" — {c['reason']}" if c["reason"] and c["agreement"] != "agrees" else ""
            out.append(f"| **{c['id']}**: “{_md(c['text'])}” ({c['label']}; "
                       f"{_md(c['source'])}) `{_md(_check_text(c['check']))}` | "
                       f"{_md(c['paper_answer'])} | {_md(c['model_answer'])} | "
                       f"{_md(c['default_answer'])} | {c['agreement']}{_md(why)} | "
                       f"{_md(c['nearest_flip_text'] or '-')} |")
        out.append("")
    out += ["## Assumptions", ""] + [f"- {_md(a)}" for a in doc["assumptions"]] + [""]
    return "\n".join(out)


def write_markdown(doc: dict, path: Path) -> Path:
    path.write_text(markdown(doc), encoding="utf-8")
    return path


FILES = {"papers.json": "the published analyses' claims replayed, as `euroshield papers "
                        "--json`",
         "papers.csv": "one row per claim", "papers.md": "the claim table in Markdown"}


def write_outputs(doc: dict, folder: Path) -> list[str]:
    folder = Path(folder)
    write_json(doc, folder / "papers.json")
    write_csv(doc, folder / "papers.csv")
    write_markdown(doc, folder / "papers.md")
    return list(FILES)


TABLE_COLUMNS = ["paper / claim", "paper says", "euroshield, paper's assumptions",
                 "euroshield, default scenario", "agreement", "nearest flip"]


def _short(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " ..."


def table_rows(doc: dict, text_limit: int | None = None) -> list[list[str]]:
    """One row per claim (plain strings): for the terminal (claim texts shortened to
    ``text_limit`` characters) and the report."""
    rows = []
    for p in doc["papers"]:
        for c in p["claims"]:
            why = f": {c['reason']}" if c["reason"] and c["agreement"] != "agrees" else ""
            default = (f"{c['default_scenario']}: {c['default_answer']}"
                       if c["default_scenario"] else "")
            rows.append([f"{p['scenario']} / {c['id']}: “{_short(c['text'], text_limit)}”",
                         c["paper_answer"],
                         c["model_answer"], default, f"{c['agreement']}{why}",
                         c["nearest_flip_text"] or "-"])
    return rows


def summary_renderable(doc: dict):
    """The terminal table (rich) with a one-line summary above it."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    s = doc["summary"]
    t = Table(show_header=True, header_style="bold", show_lines=True)
    for c in TABLE_COLUMNS:
        t.add_column(c, overflow="fold")
    for r in table_rows(doc, text_limit=90):
        t.add_row(*r)
    head = Text(f"{s['claims']} claims from {len(doc['papers'])} published analyses: "
                f"{s['agrees']} agree, {s['disagrees']} disagree, {s['not checkable']} not "
                "checkable" + (f", {s['undetermined']} undetermined" if s["undetermined"]
                               else ""))
    return Group(head, t)


STUDY_NOTE = ("The report skips the flip-threshold speed ladder here to stay fast: the nearest "
              "flips shown are launch time and radar range; `euroshield papers` adds the "
              "speed flips.")


def for_study(study, eu, progress=lambda msg: None, versions: dict | None = None):
    """The papers' table for the study report, reusing what the report computed: the
    deterrence study's trajectories (``study``, a DeterrenceResult) and the footprints of every
    EPAA phase (``eu``, :class:`~euroshield.report.europe.Europe`); without the speed ladder.
    Returns (document, section)."""
    from euroshield.studies.papers import Runner, run_papers

    runner = Runner(progress, speed_flips=False)
    runner.seed_looks(study.looks)
    for (name, missile), merged in eu.merged.items():
        d = next(d for d in eu.defences if d.scenario.name == name)
        runner.seed_footprint(d, eu.scenario, missile, eu.resolution_deg, merged)
    doc = papers_doc(run_papers(runner=runner), versions)
    doc["assumptions"].append(STUDY_NOTE)
    return doc, section(doc)


def section(doc: dict):
    """The report's section: the claim table and its assumptions."""
    from euroshield.report.html import P, Section, Table, code

    s = doc["summary"]
    return Section("Published analyses: their claims replayed", [
        P(["Each published analysis is a scenario file (", code("euroshield scenario list"),
           ") holding the paper's assumptions and its claims; ", code("euroshield papers"),
           " reruns them. ", f"{s['claims']} claims: {s['agrees']} agree with the model under "
           f"the paper's assumptions, {s['disagrees']} disagree, {s['not checkable']} are not "
           "checkable by a kinematic and geometric model."]),
        Table(TABLE_COLUMNS, table_rows(doc), left=6),
        *[P(a) for a in doc["assumptions"]]])
