"""Presentation of the deterrence study: the ten-second summary, CSV/JSON files and the map.

Reads plain results (:class:`~euroshield.studies.deterrence.DeterrenceResult` rows and dicts);
computes nothing physical.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text

ROUTE_COLUMNS = (
    "base", "target", "site", "interceptor", "interceptor_speed_kms", "engageable", "reason",
    "intercept_time_s", "intercept_altitude_km", "intercept_ground_range_km", "flyout_time_s",
    "closing_speed_kms", "margin_s", "earliest_launch_s", "latest_launch_s", "track_time_s",
    "tracked_by", "launch_allowed_s", "threshold_speed_kms",
)


def short_reason(reason: str) -> str:
    """The reason without its numbers' context, for counting."""
    return str(reason).split(" (")[0].split(";")[0]


def commonest_reason(doc: dict, site: str, interceptor: str) -> str:
    """The most frequent (short) reason among the site/interceptor's non-engageable routes."""
    reasons = Counter(short_reason(r["reason"]) for r in doc["routes"]
                      if r["site"] == site and r["interceptor"] == interceptor and r["reason"])
    return reasons.most_common(1)[0][0] if reasons else ""


def tracked_routes(doc: dict) -> int:
    """Routes (base, target) with a launch-quality radar track."""
    return len({(r["base"], r["target"]) for r in doc["routes"]
                if r["track_time_s"] is not None})


def summary_renderable(doc: dict) -> Group:
    """What a reader takes in within ten seconds: the verdict per site and interceptor, the
    flip speeds, the commonest reason, and the assumptions."""
    s, a = doc["summary"], doc["assumptions"]
    head = Text()
    head.append(f"{doc['scenario']}: ", style="bold")
    head.append(f"{s['engageable_by_any_site']} of {s['routes']} routes (ICBM base -> U.S. "
                "target) engageable by at least one site")
    if a.get("interceptor_speed_kms") is not None:
        head.append(f" with every interceptor at {a['interceptor_speed_kms']:g} km/s")
    t = Table(header_style="bold", show_edge=False)
    for c, j in (("site / interceptor", "left"), ("km/s", "right"), ("engageable", "right"),
                 ("flips by 8 km/s", "right"), ("lowest flip", "right"),
                 ("median flip", "right"), ("commonest reason otherwise", "left")):
        t.add_column(c, justify=j)
    for key, v in s["by_site"].items():
        common = commonest_reason(doc, v["site"], v["interceptor"])

        def kms(x):
            return "-" if x is None else f"{x:.2f}"

        t.add_row(key, f"{v['nominal_speed_kms']:g}", f"{v['engageable']} / {v['routes']}",
                  str(v["flip_routes"]), kms(v["min_threshold_speed_kms"]),
                  kms(v["median_threshold_speed_kms"]), common)
    tracked = tracked_routes(doc)
    ew = a.get("early_warning_delay_s")
    foot = Text(
        f"assumptions: {a['missile']} on minimum-energy trajectories; radars "
        f"{', '.join(a['radars']) or 'none'} (RCS {a['rcs_m2']:g} m²) track {tracked} of "
        f"{s['routes']} routes; IR cue "
        f"{f'at T+{ew:g} s' if ew is not None else 'off'}; decision delay "
        f"{a['decision_delay_s']:g} s; launch rule: {a['launch_rule']}. 'flips': the lowest "
        "burnout speed (same burn time) that makes a route engageable with this timeline.",
        style="dim")
    return Group(head, t, foot)


def write_routes_csv(routes: list[dict], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=ROUTE_COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in routes:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in ROUTE_COLUMNS})
    return path


def write_rows_csv(rows: list[dict], path: Path) -> Path:
    cols = list(rows[0]) if rows else []
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({k: (";".join(v) if isinstance(v, list | tuple) else v)
                        for k, v in r.items()})
    return path


def write_json(doc: dict, path: Path) -> Path:
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def write_map(result, radars: list, path: Path) -> Path:
    """Routes coloured by verdict (engageable by any site), sites and radar coverage."""
    from euroshield.report.maps import route_map

    doc = result.to_json()
    ok = {(r["base"], r["target"]) for r in doc["routes"] if r["engageable"]}
    tracks = [{"lat_deg": lat, "lon_deg": lon, "engageable": key in ok,
               "label": f"{key[0]}-{key[1]}"} for key, (lat, lon) in result.tracks.items()]
    rcs = doc["assumptions"]["rcs_m2"]
    radar_rows = [{"name": r.name, "lat_deg": r.lat, "lon_deg": r.lon,
                   "boresight_deg": r.boresight_azimuth_deg,
                   "half_width_deg": (r.half_width_deg if r.boresight_azimuth_deg is not None
                                      else None),
                   "range_km": float(r.max_range_m(rcs)) / 1e3} for r in radars]
    s = doc["summary"]
    return route_map(path, title=f"euroshield deterrence: {doc['scenario']}",
                     subtitle=(f"{s['engageable_by_any_site']} of {s['routes']} routes "
                               "engageable by at least one site"),
                     tracks=tracks, sites=result.sites, radars=radar_rows)


def attrition_table(rows: list[dict], title: str) -> Table:
    t = Table(title=title, header_style="bold", show_edge=False)
    for c in ("interceptor", "sites", "inventory x", "speed km/s", "raid", "engaged",
              "intercepted", "share"):
        t.add_column(c, justify="right")
    for r in rows:
        t.add_row(r["interceptor"], str(r["n_sites"]), f"{r['inventory_multiplier']:g}",
                  f"{r['speed_kms']:g}", f"{r['raid']:.0f}", f"{r['engaged']:.1f}",
                  f"{r['intercepted']:.1f}", f"{100 * r['fraction_intercepted']:.1f} %")
    return t
