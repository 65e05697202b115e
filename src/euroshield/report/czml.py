"""CZML export of a deterrence study for the offline 3-D globe (CesiumJS).

One document: a clock spanning the longest flight; per threat route a time-tagged trajectory
(WGS84, Earth-fixed, seconds after a common launch epoch) drawn as a path, red when some site
can engage the route and grey-blue otherwise; per engageable (route, site, interceptor) a
schematic fly-out and a marker at the study's intercept point; the sites; and each radar's
detection range for the study's RCS as a ground outline of its sector; optionally, footprints
of the defence of Europe as ground-clamped filled polygons (one packet per polygon, under one
parent packet per footprint, coloured by status, shown the whole time).

Cesium renders descriptions as HTML (in a sandboxed frame), so every text from user data in a
description (scenario, place and radar names, reasons) is HTML-escaped. Names and label texts are
plain text in Cesium (the info box title is bound as text, labels are drawn on a canvas), so
they are written unescaped: an escaped name would show as "kozelsk -&gt; washington".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from pathlib import Path

import numpy as np
from czml3 import Document, Packet
from czml3.enums import (
    ArcTypes,
    ClockRanges,
    ClockSteps,
    ExtrapolationTypes,
    HeightReferences,
    HorizontalOrigins,
    InterpolationAlgorithms,
    LabelStyles,
    VerticalOrigins,
)
from czml3.properties import (
    Clock,
    Color,
    HeightReference,
    Label,
    Material,
    Point,
    Polygon,
    Polyline,
    PolylineMaterial,
    Position,
    PositionList,
    PositionListOfLists,
    SolidColorMaterial,
)
from czml3.properties import Path as PathGraphic
from czml3.types import Cartesian2Value, TimeInterval
from pyproj import Geod

from euroshield.report.deterrence import missile_text

DEFAULT_EPOCH = "2030-01-01T00:00:00Z"
ENGAGEABLE_RGBA = [220, 40, 40, 255]  # red: some site can engage the route
FREE_RGBA = [120, 150, 190, 255]  # grey-blue: no site can
FLYOUT_RGBA = [60, 220, 120, 255]
INTERCEPT_RGBA = [255, 230, 60, 255]
RADAR_RGBA = [80, 200, 255, 255]
SITE_RGBA = {"defence-site": [255, 200, 40, 255], "ship-station": [60, 200, 230, 255]}
FOOTPRINT_RGBA = {  # fill of a defence-of-Europe footprint, by status (translucent)
    "defended": [46, 125, 50, 110],
    "partly-defended": [139, 195, 74, 90],
    "threatened": [239, 108, 0, 90],
}
FLYOUT_SAMPLES = 8  # segments of the schematic fly-out
FLYOUT_NOTE = ("schematic: straight line in time from the site at launch to the intercept "
               "point; times and point from the study")
_GEOD = Geod(ellps="WGS84")


def _t(s: str) -> str:
    """HTML-escaped text (Cesium renders names and descriptions as HTML)."""
    return escape(str(s), quote=True)


def _epoch(epoch: str | dt.datetime) -> dt.datetime:
    if isinstance(epoch, dt.datetime):
        e = epoch
    else:
        e = dt.datetime.fromisoformat(str(epoch).replace("Z", "+00:00"))
    return e.replace(tzinfo=dt.UTC) if e.tzinfo is None else e.astimezone(dt.UTC)


def _iso(epoch: dt.datetime, seconds: float) -> str:
    return (epoch + dt.timedelta(seconds=float(seconds))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _interval(epoch: dt.datetime, t0: float, t1: float) -> TimeInterval:
    return TimeInterval(start=_iso(epoch, t0), end=_iso(epoch, t1))


def _table(rows: list[tuple[str, str]]) -> str:
    """A two-column HTML table; values must already be escaped."""
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="cesium-infoBox-defaultTable">{body}</table>'


def _fmt(x, nd=0, unit="") -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "-"
    return f"{float(x):,.{nd}f}{unit}"


def route_verdicts(result) -> dict[tuple[str, str], list[dict]]:
    """Rows of ``result.routes`` grouped by (base, target), in study order."""
    out: dict[tuple[str, str], list[dict]] = {}
    for r in result.routes:
        out.setdefault((r["base"], r["target"]), []).append(r)
    return out


def route_description(key: tuple[str, str], rows: list[dict], path, assumptions: dict) -> str:
    """HTML verdict of one route: one line per site x interceptor."""
    t, _, _, h = path
    ok = [r for r in rows if r["engageable"]]
    verdict = (f"engageable by {len(ok)} of {len(rows)} site/interceptor pairs"
               if ok else "not engageable by any site of the scenario")
    head = _table([
        ("route", _t(f"{key[0]} -> {key[1]}")),
        ("missile", _t(next((r["missile"] for r in rows if r.get("missile")),
                            assumptions.get("missile", "-")))),  # the base's own missile
        ("flight time", _fmt(t[-1], 0, " s")),
        ("apogee", _fmt(np.nanmax(h) / 1e3, 0, " km")),
        ("launch rule", _t(assumptions.get("launch_rule", "-"))),
        ("verdict", f"<b>{_t(verdict)}</b>"),
    ])
    lines = []
    for r in rows:
        if r["engageable"]:
            what = (f"engageable: intercept at {_fmt(r['intercept_time_s'])} s, "
                    f"{_fmt(r['intercept_altitude_km'])} km altitude, margin "
                    f"{_fmt(r['margin_s'])} s")
        else:
            what = f"not engageable: {r['reason']}"
        lines.append(f"<li>{_t(r['site'])} / {_t(r['interceptor'])}: {_t(what)}</li>")
    return f"{head}<ul>{''.join(lines)}</ul>"


def document_description(result, epoch_s: str, footprints: bool = False) -> str:
    """HTML summary of the study for the document packet."""
    a = result.assumptions
    n_routes = len(result.paths)
    n_ok = len({(r["base"], r["target"]) for r in result.routes if r["engageable"]})
    return (f"<p>euroshield deterrence study of scenario <b>{_t(result.scenario)}</b>: "
            f"{n_ok} of {n_routes} routes engageable by some site "
            f"({len(result.intercepts)} site/interceptor intercepts).</p>"
            + _table([
                ("missile", _t(missile_text(a) if "missile" in a else "-")),
                ("launch rule", _t(a.get("launch_rule", "-"))),
                ("RCS", _t(f"{a.get('rcs_m2', '-')} m2")),
                ("time axis", _t(f"seconds after a common threat launch at {epoch_s} "
                                 "(a display convention, not a date)")),
                ("colours", "red: route engageable by some site; grey-blue: by none; green: "
                            "schematic interceptor fly-out; yellow: intercept point"
                            + ("; footprints on the ground: dark green defended, light "
                               "green partly defended, orange threatened"
                               if footprints else "")),
            ]))


def _samples(t, lat, lon, h) -> list[float]:
    """[t, lon, lat, h, ...] rounded to 1 ms, 1e-6 deg (0.1 m) and 0.1 m."""
    a = np.column_stack([np.round(t, 3), np.round(lon, 6), np.round(lat, 6), np.round(h, 1)])
    a[:, 3] = np.where(np.abs(a[:, 3]) < 0.05, 0.0, a[:, 3])  # no -0.0 at launch
    return [float(v) for v in a.ravel()]


def flyout_samples(ic: dict, n: int = FLYOUT_SAMPLES) -> list[float]:
    """Schematic fly-out [t, lon, lat, h, ...]: from the site (h = 0) at launch to the intercept
    point at intercept time, uniform in time along the ground geodesic, height linear in time."""
    t0, t1 = float(ic["launch_time_s"]), float(ic["intercept_time_s"])
    lon0, lat0 = float(ic["site_lon_deg"]), float(ic["site_lat_deg"])
    lon1, lat1 = float(ic["lon_deg"]), float(ic["lat_deg"])
    az, _, dist = _GEOD.inv(lon0, lat0, lon1, lat1)
    f = np.linspace(0.0, 1.0, n + 1)
    lon, lat, _ = _GEOD.fwd(np.full(f.shape, lon0), np.full(f.shape, lat0),
                            np.full(f.shape, az), f * dist)
    lon[-1], lat[-1] = lon1, lat1
    return _samples(t0 + f * (t1 - t0), lat, lon, f * float(ic["altitude_km"]) * 1e3)


def radar_outline(radar, rcs_m2: float, step_deg: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of the ground outline of a radar's detection range for ``rcs_m2``: a geodesic
    wedge (radar, arc, radar) for a sector radar, a closed circle for full coverage."""
    rng = float(radar.max_range_m(rcs_m2))
    if radar.boresight_azimuth_deg is None or radar.half_width_deg >= 180:
        az = np.linspace(0.0, 360.0, int(np.ceil(360.0 / step_deg)) + 1)
    else:
        hw = float(radar.half_width_deg)
        az = radar.boresight_azimuth_deg + np.linspace(-hw, hw, int(np.ceil(2 * hw / step_deg)) + 1)
    lon, lat, _ = _GEOD.fwd(np.full(az.shape, radar.lon), np.full(az.shape, radar.lat),
                            az, np.full(az.shape, rng))
    lon, lat = np.asarray(lon), np.asarray(lat)
    if radar.boresight_azimuth_deg is None or radar.half_width_deg >= 180:
        return lon, lat
    return (np.concatenate([[radar.lon], lon, [radar.lon]]),
            np.concatenate([[radar.lat], lat, [radar.lat]]))


def footprint_polygons(geometry: dict | None) -> list[list[list[tuple[float, float]]]]:
    """Polygons of a GeoJSON MultiPolygon (or Polygon) as lists of rings of (lon, lat), the
    first ring the exterior and the others holes; rings as given (closed, as in GeoJSON).
    Empty for None or an empty geometry; other geometry types are a ValueError."""
    if not geometry:
        return []
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        raise ValueError(f"footprint geometry: expected a GeoJSON MultiPolygon, got {kind!r}")
    return [[[(float(c[0]), float(c[1])) for c in ring] for ring in poly if len(ring)]
            for poly in coords if len(poly) and len(poly[0])]


def footprint_rgba(status: str) -> list[int]:
    """Fill colour [r, g, b, a] of a footprint status; an unknown status is a ValueError."""
    try:
        return list(FOOTPRINT_RGBA[status])
    except KeyError:
        raise ValueError(f"footprint status: expected one of {', '.join(FOOTPRINT_RGBA)}, "
                         f"got {status!r}") from None


def _ring_degrees(ring) -> list[float]:
    """[lon, lat, 0, ...] of a ring, without the closing point (Cesium closes polygons)."""
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    return [float(v) for x, y in ring for v in (round(x, 6), round(y, 6), 0.0)]


def footprint_description(fp: dict, part: tuple[int, int] | None = None) -> str:
    """HTML description of a footprint (``part``: (k, n), polygon k of n)."""
    rows = [("footprint", _t(fp.get("name", "-"))),
            ("status", _t(fp.get("status", "-"))),
            ("area", _fmt(fp.get("area_km2"), 0, " km2"))]
    if part is not None and part[1] > 1:
        rows.append(("polygon", f"{part[0] + 1} of {part[1]}"))
    text = fp.get("description") or ""
    return _table(rows) + (f"<p>{_t(text)}</p>" if text else "")


def footprint_packets(footprints: Sequence[dict]) -> list[Packet]:
    """Per footprint with a geometry, a parent packet ``footprint-<n>`` (n: its index in
    ``footprints``) and one ground-clamped filled polygon packet ``footprint-<n>-<k>`` per
    polygon, holes included; no availability (shown the whole time)."""
    packets = []
    for n, fp in enumerate(footprints):
        polys = footprint_polygons(fp.get("geometry"))
        if not polys:
            continue
        rgba = footprint_rgba(fp.get("status", ""))
        name = str(fp.get("name", f"footprint {n}"))
        parent = f"footprint-{n}"
        packets.append(Packet(id=parent, name=name, description=footprint_description(fp)))
        for k, rings in enumerate(polys):
            holes = [_ring_degrees(r) for r in rings[1:]]
            packets.append(Packet(
                id=f"{parent}-{k}", parent=parent, name=name,
                description=footprint_description(fp, (k, len(polys))),
                polygon=Polygon(
                    positions=PositionList(cartographicDegrees=_ring_degrees(rings[0])),
                    holes=PositionListOfLists(cartographicDegrees=holes) if holes else None,
                    heightReference=HeightReference(
                        heightReference=HeightReferences.CLAMP_TO_GROUND),
                    material=Material(solidColor=SolidColorMaterial(color=Color(rgba=rgba))),
                    fill=True, outline=False),
            ))
    return packets


def _label(text: str, rgba, left: bool = False) -> Label:
    """A label right of its point (``left``: left of it, for radars next to sites)."""
    return Label(text=str(text), font="13px sans-serif", style=LabelStyles.FILL_AND_OUTLINE,
                 fillColor=Color(rgba=list(rgba)), outlineColor=Color(rgba=[0, 0, 0, 255]),
                 outlineWidth=2,
                 horizontalOrigin=HorizontalOrigins.RIGHT if left else HorizontalOrigins.LEFT,
                 verticalOrigin=VerticalOrigins.CENTER,
                 pixelOffset=Cartesian2Value(values=[-8 if left else 8, 0]))


def build_czml(result, radars=(), epoch: str | dt.datetime = DEFAULT_EPOCH,
               footprints: Sequence[dict] = (), extra_packets: Sequence[Packet] = ()
               ) -> Document:
    """The czml3 Document of a :class:`~euroshield.studies.deterrence.DeterrenceResult`, with
    the ``footprints`` (plain dicts: name, status, GeoJSON MultiPolygon geometry or None,
    area_km2, description) as ground polygons, and ``extra_packets`` (e.g. the architecture
    comparison's tracks, :func:`euroshield.report.architectures.track_packets`) appended."""
    e = _epoch(epoch)
    fp_packets = footprint_packets(footprints)
    epoch_s = _iso(e, 0.0)
    rcs = float(result.assumptions.get("rcs_m2", 1.0))
    verdicts = route_verdicts(result)
    t_end = max((float(p[0][-1]) for p in result.paths.values()), default=0.0)
    t_end = max([t_end, *(float(i["intercept_time_s"]) for i in result.intercepts)]) or 1.0
    # open at the last intercept: trails, fly-outs and intercept points all on screen
    t_now = max((float(i["intercept_time_s"]) for i in result.intercepts), default=0.0)

    packets = [Packet(
        id="document", version="1.0",
        name=f"euroshield deterrence: {result.scenario}",
        description=document_description(result, epoch_s, bool(fp_packets)),
        clock=Clock(interval=_interval(e, 0.0, t_end), currentTime=_iso(e, t_now), multiplier=30,
                    range=ClockRanges.LOOP_STOP, step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER),
    )]

    for key, path in result.paths.items():
        t, lat, lon, h = (np.asarray(a, dtype=float) for a in path)
        rows = verdicts.get(key, [])
        rgba = ENGAGEABLE_RGBA if any(r["engageable"] for r in rows) else FREE_RGBA
        name = f"{key[0]} -> {key[1]}"
        packets.append(Packet(
            id=f"trajectory/{key[0]}/{key[1]}", name=name,
            description=route_description(key, rows, (t, lat, lon, h), result.assumptions),
            availability=_interval(e, t[0], t[-1]),
            position=Position(epoch=epoch_s, cartographicDegrees=_samples(t, lat, lon, h),
                              interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
                              interpolationDegree=5),
            path=PathGraphic(material=PolylineMaterial(
                solidColor=SolidColorMaterial(color=Color(rgba=rgba))),
                width=2, leadTime=0, trailTime=float(t[-1] - t[0]) + 1.0, resolution=10),
            point=Point(color=Color(rgba=rgba), pixelSize=5),
        ))

    for k, ic in enumerate(result.intercepts):
        name = f"{ic['site']} {ic['interceptor']} vs {ic['base']} -> {ic['target']}"
        desc = _table([
            ("site / interceptor", f"{_t(ic['site'])} / {_t(ic['interceptor'])}"),
            ("threat route", _t(f"{ic['base']} -> {ic['target']}")),
            ("interceptor launch", _fmt(ic["launch_time_s"], 1, " s after threat launch")),
            ("intercept", _fmt(ic["intercept_time_s"], 1, " s after threat launch")),
            ("intercept point", f"{ic['lat_deg']:.3f}, {ic['lon_deg']:.3f}, "
                                f"{ic['altitude_km']:,.0f} km"),
        ])
        t0, t1 = float(ic["launch_time_s"]), float(ic["intercept_time_s"])
        packets.append(Packet(  # drawn from launch on; held at the intercept point afterwards
            id=f"flyout/{k}", name=f"fly-out: {name}",
            description=f"<p>{_t(FLYOUT_NOTE)}</p>{desc}",
            availability=_interval(e, t0, t_end),
            position=Position(epoch=epoch_s, cartographicDegrees=flyout_samples(ic),
                              interpolationAlgorithm=InterpolationAlgorithms.LINEAR,
                              forwardExtrapolationType=ExtrapolationTypes.HOLD,
                              forwardExtrapolationDuration=t_end - t1 + 1.0),
            path=PathGraphic(material=PolylineMaterial(
                solidColor=SolidColorMaterial(color=Color(rgba=FLYOUT_RGBA))),
                width=2, leadTime=0, trailTime=t_end + 1.0, resolution=5),
            point=Point(color=Color(rgba=FLYOUT_RGBA), pixelSize=4),
        ))
        packets.append(Packet(
            id=f"intercept/{k}", name=f"intercept: {name}", description=desc,
            availability=_interval(e, t1, t_end),
            position=Position(cartographicDegrees=[
                round(float(ic["lon_deg"]), 6), round(float(ic["lat_deg"]), 6),
                round(float(ic["altitude_km"]) * 1e3, 1)]),
            point=Point(color=Color(rgba=INTERCEPT_RGBA), pixelSize=9,
                        outlineColor=Color(rgba=[0, 0, 0, 255]), outlineWidth=1),
        ))

    for s in result.sites:
        rgba = SITE_RGBA.get(s.get("kind", ""), [255, 255, 255, 255])
        packets.append(Packet(
            id=f"site/{s['name']}", name=str(s["name"]),
            description=_table([
                ("site", _t(s["name"])),
                ("kind", _t(s.get("kind", "-"))),
                ("interceptors", _t(", ".join(s.get("interceptors", [])))),
                ("inventory", _t(s.get("inventory", "-"))),
                ("engageable routes", _t(s.get("engageable_routes", "-"))),
                ("position", f"{s['lat_deg']:.3f}, {s['lon_deg']:.3f}"),
            ]),
            position=Position(cartographicDegrees=[round(float(s["lon_deg"]), 6),
                                                   round(float(s["lat_deg"]), 6), 0.0]),
            point=Point(color=Color(rgba=rgba), pixelSize=10,
                        outlineColor=Color(rgba=[0, 0, 0, 255]), outlineWidth=1),
            label=_label(s["name"], rgba),
        ))

    for radar in radars:
        lon, lat = radar_outline(radar, rcs)
        sector = ("full azimuth" if radar.boresight_azimuth_deg is None
                  or radar.half_width_deg >= 180 else
                  f"{radar.boresight_azimuth_deg:g} +/- {radar.half_width_deg:g} deg from north")
        desc = _table([
            ("radar", _t(radar.name)),
            ("detection range", _t(f"{float(radar.max_range_m(rcs)) / 1e3:,.0f} km for RCS "
                                   f"{rcs:g} m2 (radar equation, R ~ RCS^(1/4))")),
            ("sector", _t(sector)),
            ("note", _t("ground outline of the range; low targets are also limited by the "
                        "horizon (line of sight)")),
        ])
        packets.append(Packet(
            id=f"radar/{radar.name}", name=radar.name, description=desc,
            position=Position(cartographicDegrees=[round(float(radar.lon), 6),
                                                   round(float(radar.lat), 6),
                                                   float(radar.height_m)]),
            point=Point(color=Color(rgba=RADAR_RGBA), pixelSize=8),
            label=_label(radar.name, RADAR_RGBA, left=True),
        ))
        coords = [float(v) for v in np.column_stack(
            [np.round(lon, 6), np.round(lat, 6), np.zeros(lon.shape)]).ravel()]
        packets.append(Packet(
            id=f"radar-coverage/{radar.name}", name=f"{radar.name} coverage",
            description=desc,
            polyline=Polyline(positions=PositionList(cartographicDegrees=coords),
                              arcType=ArcTypes.GEODESIC, width=2, clampToGround=True,
                              material=PolylineMaterial(
                                  solidColor=SolidColorMaterial(color=Color(rgba=RADAR_RGBA)))),
        ))
    return Document(packets=packets + fp_packets + list(extra_packets))


def write_czml(result, radars, path, epoch: str | dt.datetime = DEFAULT_EPOCH,
               footprints: Sequence[dict] = (), extra_packets: Sequence[Packet] = ()) -> Path:
    """Write the study as CZML to ``path`` (parent folders created); returns the path.
    ``footprints``, ``extra_packets``: see :func:`build_czml` (None geometries skipped)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_czml(result, radars, epoch, footprints, extra_packets).save(path, indent=None)
    return path
