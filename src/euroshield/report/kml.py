"""KML export of a deterrence study (Google Earth, or the offline Cesium page's KmlDataSource).

Folders: threat trajectories as gx:Track (one <when> and one <gx:coord> per stored sample,
absolute altitude, seconds after the launch epoch), intercept points, sites and radar coverage
outlines (detection range for the study's RCS, as a ground LineString); optionally a folder
"Defence of Europe" with one sub-folder per footprint holding its polygons (outer boundary and
holes, clamped to the ground, filled by status without outline).

Descriptions are HTML in KML viewers: every text from user data inside them is HTML-escaped
first (simplekml then XML-escapes the whole string for the file). Names are plain text in KML
viewers and are written as given (simplekml XML-escapes them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from pathlib import Path

import numpy as np
import simplekml

from euroshield.report.czml import (
    DEFAULT_EPOCH,
    ENGAGEABLE_RGBA,
    FOOTPRINT_RGBA,
    FREE_RGBA,
    INTERCEPT_RGBA,
    RADAR_RGBA,
    SITE_RGBA,
    _epoch,
    _iso,
    footprint_polygons,
    footprint_rgba,
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


def _ring(ring) -> list[tuple[float, float]]:
    """(lon, lat) of a ring, closed (KML LinearRings repeat the first point last)."""
    pts = [(round(x, 6), round(y, 6)) for x, y in ring]
    return pts if pts[0] == pts[-1] else [*pts, pts[0]]


def add_footprints(kml: simplekml.Kml, footprints: Sequence[dict]) -> simplekml.Folder | None:
    """Folder "Defence of Europe": per footprint with a geometry, a sub-folder holding one
    ground-clamped polygon per polygon of its MultiPolygon (holes as inner boundaries), filled
    with the status colour; None geometries skipped. None when nothing is drawn."""
    drawn = [(fp, footprint_polygons(fp.get("geometry"))) for fp in footprints]
    drawn = [(fp, polys) for fp, polys in drawn if polys]
    if not drawn:
        return None
    styles = {}
    for status, rgba in FOOTPRINT_RGBA.items():
        st = simplekml.Style()
        st.polystyle.color = _color(rgba)
        st.polystyle.fill = 1
        st.polystyle.outline = 0
        st.linestyle.color = _color(rgba)
        styles[status] = st
    top = kml.newfolder(name="Defence of Europe")
    top.description = _desc([("colours", "dark green: defended; light green: partly "
                                         "defended; orange: threatened, undefended")])
    for fp, polys in drawn:
        status = str(fp.get("status", ""))
        footprint_rgba(status)  # an unknown status is a ValueError
        style = styles[status]
        name = str(fp.get("name", "footprint"))
        rows = [("footprint", name), ("status", status),
                ("area", f"{float(fp.get('area_km2') or 0.0):,.0f} km2")]
        if fp.get("description"):
            rows.append(("note", fp["description"]))
        desc = _desc(rows)
        folder = top.newfolder(name=name)
        folder.description = desc
        for k, rings in enumerate(polys):
            pol = folder.newpolygon(
                name=name if len(polys) == 1 else f"{name} ({k + 1} of {len(polys)})",
                outerboundaryis=_ring(rings[0]))
            if len(rings) > 1:
                pol.innerboundaryis = [_ring(r) for r in rings[1:]]
            pol.altitudemode = simplekml.AltitudeMode.clamptoground
            pol.tessellate = 1
            pol.description = desc
            pol.style = style
    return top


def build_kml(result, radars=(), epoch: str | dt.datetime = DEFAULT_EPOCH,
              footprints: Sequence[dict] = ()) -> simplekml.Kml:
    """The simplekml document of a :class:`~euroshield.studies.deterrence.DeterrenceResult`,
    with the ``footprints`` (plain dicts: name, status, GeoJSON MultiPolygon geometry or None,
    area_km2, description) as ground polygons."""
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
    add_footprints(kml, footprints)
    return kml


def write_kml(result, radars, path, epoch: str | dt.datetime = DEFAULT_EPOCH,
              footprints: Sequence[dict] = ()) -> Path:
    """Write the study as KML to ``path`` (parent folders created); returns the path.
    ``footprints``: see :func:`build_kml` (None geometries skipped)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_kml(result, radars, epoch, footprints).save(str(path), format=False)
    return path
