"""KML export of a deterrence study (Google Earth, or the offline Cesium page's KmlDataSource).

Folders: threat trajectories as gx:Track (one <when> and one <gx:coord> per stored sample,
absolute altitude, seconds after the launch epoch), intercept points, sites and radar coverage
outlines (detection range for the study's RCS, as a ground LineString).

Descriptions are HTML in KML viewers: every text from user data inside them is HTML-escaped
first (simplekml then XML-escapes the whole string for the file). Names are plain text in KML
viewers and are written as given (simplekml XML-escapes them).
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import numpy as np
import simplekml

from euroshield.report.czml import (
    DEFAULT_EPOCH,
    ENGAGEABLE_RGBA,
    FREE_RGBA,
    INTERCEPT_RGBA,
    RADAR_RGBA,
    SITE_RGBA,
    _epoch,
    _iso,
    radar_outline,
    route_verdicts,
)


def _color(rgba) -> str:
    """KML colour aabbggrr from [r, g, b, a]."""
    r, g, b, a = (int(v) for v in rgba)
    return simplekml.Color.rgb(r, g, b, a)


def _desc(rows: list[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th align='left'>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in rows)
    return f"<table>{body}</table>"


def build_kml(result, radars=(), epoch: str | dt.datetime = DEFAULT_EPOCH) -> simplekml.Kml:
    """The simplekml document of a :class:`~euroshield.studies.deterrence.DeterrenceResult`."""
    e = _epoch(epoch)
    rcs = float(result.assumptions.get("rcs_m2", 1.0))
    kml = simplekml.Kml(name=f"euroshield deterrence: {result.scenario}")
    kml.document.description = _desc([
        ("scenario", result.scenario),
        ("missile", result.assumptions.get("missile", "-")),
        ("launch rule", result.assumptions.get("launch_rule", "-")),
        ("time axis", f"seconds after a common threat launch at {_iso(e, 0.0)}"),
    ])
    verdicts = route_verdicts(result)
    # shared styles (written once); points get no IconStyle: simplekml would then add an online
    # icon URL (maps.google.com), which an offline viewer cannot fetch
    styles = {}
    for key, rgba in (("engageable", ENGAGEABLE_RGBA), ("free", FREE_RGBA),
                      ("radar", RADAR_RGBA), ("intercept", INTERCEPT_RGBA),
                      *SITE_RGBA.items()):
        st = simplekml.Style()
        st.linestyle.color = _color(rgba)
        st.linestyle.width = 2
        st.labelstyle.color = _color(rgba)
        styles[key] = st
    plain = simplekml.Style()

    trk_folder = kml.newfolder(name="threat trajectories")
    for key, path in result.paths.items():
        t, lat, lon, h = (np.asarray(a, dtype=float) for a in path)
        rows = verdicts.get(key, [])
        ok = [r for r in rows if r["engageable"]]
        trk = trk_folder.newgxtrack(name=f"{key[0]} -> {key[1]}")
        trk.altitudemode = simplekml.AltitudeMode.absolute
        trk.newwhen([_iso(e, s) for s in t])
        trk.newgxcoord([(round(float(x), 6), round(float(y), 6), round(float(z), 1))
                        for x, y, z in zip(lon, lat, h, strict=True)])
        trk.description = _desc([
            ("route", f"{key[0]} -> {key[1]}"),
            ("verdict", f"engageable by {len(ok)} of {len(rows)} site/interceptor pairs"
                        if ok else "not engageable by any site of the scenario"),
            *((f"{r['site']} / {r['interceptor']}",
               f"intercept at {r['intercept_time_s']} s, {r['intercept_altitude_km']} km"
               if r["engageable"] else r["reason"]) for r in rows),
        ])
        trk.style = styles["engageable" if ok else "free"]

    ic_folder = kml.newfolder(name="intercept points")
    for ic in result.intercepts:
        p = ic_folder.newpoint(
            name=f"{ic['site']} {ic['interceptor']} vs {ic['base']} -> {ic['target']}",
            coords=[(round(float(ic["lon_deg"]), 6), round(float(ic["lat_deg"]), 6),
                     round(float(ic["altitude_km"]) * 1e3, 1))])
        p.altitudemode = simplekml.AltitudeMode.absolute
        p.timestamp.when = _iso(e, ic["intercept_time_s"])
        p.description = _desc([
            ("threat route", f"{ic['base']} -> {ic['target']}"),
            ("site / interceptor", f"{ic['site']} / {ic['interceptor']}"),
            ("interceptor launch", f"{ic['launch_time_s']:.1f} s after threat launch"),
            ("intercept", f"{ic['intercept_time_s']:.1f} s after threat launch"),
            ("altitude", f"{ic['altitude_km']:,.0f} km"),
        ])
        p.style = styles["intercept"]

    site_folder = kml.newfolder(name="sites")
    for s in result.sites:
        p = site_folder.newpoint(name=str(s["name"]), coords=[(round(float(s["lon_deg"]), 6),
                                                               round(float(s["lat_deg"]), 6))])
        p.description = _desc([
            ("kind", s.get("kind", "-")),
            ("interceptors", ", ".join(s.get("interceptors", []))),
            ("inventory", s.get("inventory", "-")),
            ("engageable routes", s.get("engageable_routes", "-")),
        ])
        p.style = styles.get(s.get("kind", ""), plain)

    radar_folder = kml.newfolder(name="radar coverage")
    for radar in radars:
        lon, lat = radar_outline(radar, rcs)
        ls = radar_folder.newlinestring(
            name=f"{radar.name} coverage",
            coords=[(round(float(x), 6), round(float(y), 6))
                    for x, y in zip(lon, lat, strict=True)])
        ls.altitudemode = simplekml.AltitudeMode.clamptoground
        ls.tessellate = 1
        ls.description = _desc([
            ("radar", radar.name),
            ("detection range", f"{float(radar.max_range_m(rcs)) / 1e3:,.0f} km for RCS "
                                f"{rcs:g} m2"),
        ])
        ls.style = styles["radar"]
        p = radar_folder.newpoint(name=radar.name, coords=[(round(float(radar.lon), 6),
                                                            round(float(radar.lat), 6))])
        p.style = styles["radar"]
    return kml


def write_kml(result, radars, path, epoch: str | dt.datetime = DEFAULT_EPOCH) -> Path:
    """Write the study as KML to ``path`` (parent folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_kml(result, radars, epoch).save(str(path), format=False)
    return path
