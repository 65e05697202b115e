"""Offline static maps: Natural Earth shapes vendored from world-atlas, on a cartopy map.

Frames and units: every coordinate here is geodetic WGS84 latitude/longitude in degrees,
Earth-fixed; distances are km. Nothing is ever downloaded: land and borders come from the
TopoJSON files in ``report/data`` (decoded here), never from ``ax.coastlines()``/``cfeature``,
which fetch Natural Earth zips at draw time. cartopy supplies the projection, the map frame
and the graticule; the shapes are projected here (see ``_compound_path``).

This module takes plain data (dicts of arrays) so that the report layer depends on the physics
and never the reverse. matplotlib, cartopy and shapely are imported inside the functions: they
cost about a second and the command line must not pay for them unless it draws a map.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from euroshield import __version__

_DATA = "data"
_FOOTER = f"Natural Earth via world-atlas; euroshield {__version__}"
_ENGAGEABLE_COLOUR = "#c62828"
_SAFE_COLOUR = "#5b7aa6"
_DEFAULT_EXTENT_DEG = (-130.0, 100.0, 25.0, 90.0)  # lon0, lon1, lat0, lat1: when nothing drawn


# --------------------------------------------------------------------------- TopoJSON decoding


@functools.cache
def _topology(name: str) -> tuple[dict, list[np.ndarray]]:
    """The parsed TopoJSON file and its decoded arcs (see ``_decode_arcs``)."""
    text = resources.files("euroshield.report").joinpath(f"{_DATA}/{name}").read_text("utf-8")
    topo = json.loads(text)
    return topo, _decode_arcs(topo)


def _decode_arcs(topo: dict) -> list[np.ndarray]:
    """Absolute (lon, lat) degree arrays of every arc: undo delta encoding, then quantisation."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0)
        out.append(np.column_stack([q[:, 0] * sx + tx, q[:, 1] * sy + ty]))
    return out


def _ring(arcs: list[np.ndarray], indices: Sequence[int]) -> np.ndarray:
    """Join the arcs of one ring; a negative index ~i means arc i reversed (TopoJSON spec)."""
    parts = []
    for k, i in enumerate(indices):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if k == 0 else a[1:])  # consecutive arcs share their end point
    return np.concatenate(parts)


def _polygon_arcs(g: dict) -> list:
    """Arc indices of a (Multi)Polygon geometry as [polygon][ring][arc]."""
    return g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]


@functools.cache
def _rings(name: str, obj: str) -> tuple:
    """Raw closed rings, lon/lat deg on the sphere (not cut), as [geometry][polygon][ring]."""
    topo, arcs = _topology(name)
    return tuple([[_ring(arcs, r) for r in poly] for poly in _polygon_arcs(g)]
                 for g in topo["objects"][obj]["geometries"])


@functools.cache
def _shared_arcs(name: str, obj: str) -> tuple:
    """Arcs used by two rings of ``obj``: land borders (TopoJSON's mesh with a != b)."""
    topo, arcs = _topology(name)
    uses = np.zeros(len(arcs), dtype=np.int64)
    for g in topo["objects"][obj]["geometries"]:
        for poly in _polygon_arcs(g):
            for ring in poly:
                for i in ring:
                    uses[i if i >= 0 else ~i] += 1
    return tuple(arcs[i] for i in np.flatnonzero(uses > 1))


def _unwrap_lon(lon: np.ndarray) -> np.ndarray:
    """Longitudes made continuous (no step beyond +-180 deg), starting in the original branch."""
    return np.rad2deg(np.unwrap(np.deg2rad(lon)))


def _split_lon(geom):
    """Cut a geometry in unwrapped longitudes into pieces inside [-180, 180], shifted back.

    world-atlas follows d3's spherical conventions, so a ring may run past +-180 deg; drawn
    naively it streaks across the whole map. Intersecting with the three 360-deg windows and
    translating each piece home gives a planar geometry with seams on the antimeridian.
    """
    import shapely
    from shapely import affinity

    pieces = []
    for shift in (0.0, 360.0, -360.0):
        window = shapely.box(-180.0 - shift, -90.0, 180.0 - shift, 90.0)
        part = geom.intersection(window)
        if not part.is_empty:
            pieces.append(affinity.translate(part, xoff=shift))
    return shapely.union_all(pieces)


def _ring_polygon(xy: np.ndarray):
    """Planar polygon of one spherical ring, closed through a pole if it encircles one."""
    from shapely.geometry import Polygon

    lon = _unwrap_lon(xy[:, 0])
    lat = xy[:, 1]
    if abs(lon[-1] - lon[0]) > 180.0:  # net 360-deg turn: the ring goes round a pole
        pole = -90.0 if lat.mean() < 0.0 else 90.0  # the nearer one (Antarctica: south)
        lon = np.concatenate([lon, [lon[-1], lon[0]]])
        lat = np.concatenate([lat, [pole, pole]])
    poly = Polygon(np.column_stack([lon, lat]))
    if not poly.is_valid:
        poly = poly.buffer(0)
    return _split_lon(poly) if np.abs(lon).max() > 180.0 else poly


@functools.cache
def _polygons(name: str, obj: str) -> tuple:
    """Decoded polygons (shapely, lon/lat deg) of one TopoJSON object, one per geometry."""
    import shapely

    out = []
    for polys in _rings(name, obj):
        parts = []
        for shell, *holes in polys:
            poly = _ring_polygon(shell)
            for hole in holes:  # holes cut separately: each may sit in its own lon branch
                poly = poly.difference(_ring_polygon(hole))
            parts.append(poly)
        out.append(shapely.union_all(parts))
    return tuple(out)


def land() -> tuple:
    """Natural Earth 1:110m land (world-atlas ``land-110m.json``) as shapely geometries.

    Coordinates: (longitude, latitude) in degrees, all within [-180, 180] x [-90, 90];
    rings crossing the antimeridian are cut there and Antarctica is closed through the South
    Pole. Decoded once per process.
    """
    return _polygons("land-110m.json", "land")


def countries() -> tuple:
    """Natural Earth 1:110m admin-0 countries (lon/lat degrees), in the file's order."""
    return _polygons("countries-110m.json", "countries")


@functools.cache
def borders():
    """Land borders between countries, 1:110m, one shapely MultiLineString (lon/lat degrees).

    Only arcs shared by two countries, so coastlines are not drawn twice; cut at +-180 deg.
    """
    import shapely
    from shapely.geometry import LineString

    lines = []
    for xy in _shared_arcs("countries-110m.json", "countries"):
        lon = _unwrap_lon(xy[:, 0])
        line = LineString(np.column_stack([lon, xy[:, 1]]))
        lines.extend(shapely.get_parts(_split_lon(line) if np.abs(lon).max() > 180.0 else line))
    # drop zero-length pieces (a 2-point arc quantised onto one point, at a tri-border)
    return shapely.MultiLineString([g for g in lines if g.geom_type == "LineString" and g.length])


# --------------------------------------------------------------------------- drawing


def _projection():
    """Lambert azimuthal equal-area centred at 60 N, 20 W (WGS84).

    It shows Europe, Russia, the Arctic and North America in one view, areas are true (the
    defended-area questions depend on that), and its only discontinuity is the antipode in
    the Southern Ocean, so Arctic and antimeridian crossings need no special handling.
    """
    import cartopy.crs as ccrs

    return ccrs.LambertAzimuthalEqualArea(central_longitude=-20.0, central_latitude=60.0)


def _compound_path(proj, lines: Sequence[np.ndarray], closed: bool):
    """One matplotlib Path, in map metres, of many lon/lat (deg) polylines or closed rings.

    Vertices are projected one by one and joined straight in the map plane (1:110m segments
    are short enough). In this azimuthal projection the antimeridian is no seam, so the raw,
    uncut TopoJSON rings are used and no cut edges can show; Antarctica's ring simply encloses
    the South Pole's image. A ring enclosing the projection's antipode (60 S, 160 E, open
    ocean) would fail; no land ring does.
    """
    from matplotlib.path import Path as MplPath

    codes = []
    for xy in lines:
        c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
        c[0] = MplPath.MOVETO
        if closed:
            c[-1] = MplPath.CLOSEPOLY  # TopoJSON rings repeat their first point
        codes.append(c)
    lonlat = np.concatenate(lines)
    return MplPath(_project(proj, lonlat[:, 0], lonlat[:, 1]), np.concatenate(codes))


@functools.cache
def _basemap_paths():
    """(land, borders) as matplotlib Paths in the map projection's metres; built once."""
    proj = _projection()
    rings = [r for g in _rings("land-110m.json", "land") for poly in g for r in poly]
    return (_compound_path(proj, rings, closed=True),
            _compound_path(proj, _shared_arcs("countries-110m.json", "countries"), closed=False))


def _project(proj, lon_deg, lat_deg) -> np.ndarray:
    """(n, 2) projected metres of lon/lat degrees; non-finite where the projection fails."""
    import cartopy.crs as ccrs

    lon = np.asarray(lon_deg, dtype=float).ravel()
    lat = np.asarray(lat_deg, dtype=float).ravel()
    xy = proj.transform_points(ccrs.Geodetic(), lon, lat)[:, :2]
    xy[~np.isfinite(xy).all(axis=1)] = np.nan
    return xy


def _polyline(proj, tracks: Sequence[dict], max_step_m: float = 5.0e6) -> np.ndarray:
    """All tracks as one NaN-separated projected polyline, in map metres (one artist: fast).

    Points are projected one by one and joined by straight segments in the map plane, which is
    accurate for dense tracks (steps of tens of km). Projecting points ourselves is also
    seconds faster than letting cartopy re-project 50,000-point paths. A step longer than
    ``max_step_m`` in the plane can only be a jump across the projection's seam (near the
    antipode of the centre, in the Southern Ocean), so the line is broken there, not streaked.
    """
    chunks = []
    for t in tracks:
        xy = _project(proj, t["lon_deg"], t["lat_deg"])
        jump = np.hypot(*np.diff(xy, axis=0).T) > max_step_m
        if jump.any():
            xy = np.insert(xy, np.flatnonzero(jump) + 1, np.nan, axis=0)
        chunks += [xy, np.full((1, 2), np.nan)]
    return np.concatenate(chunks) if chunks else np.empty((0, 2))


def _wedge(lat_deg: float, lon_deg: float, boresight_deg, half_width_deg, range_km: float):
    """Lon/lat (deg) outline of a radar's coverage: geodesic wedge on WGS84, or a circle.

    ``range_km`` is drawn as a ground (geodesic) distance from the radar; the outline shows the
    azimuth sector and the reach, not an altitude-dependent detection footprint.
    """
    from pyproj import Geod

    full = boresight_deg is None or half_width_deg is None or half_width_deg >= 180.0
    if full:
        az = np.linspace(0.0, 360.0, 181)
    else:
        az = np.linspace(boresight_deg - half_width_deg, boresight_deg + half_width_deg, 91)
    lon, lat, _ = Geod(ellps="WGS84").fwd(
        np.full(az.size, lon_deg), np.full(az.size, lat_deg), az, np.full(az.size, range_km * 1e3)
    )
    if not full:
        lon = np.concatenate([[lon_deg], lon, [lon_deg]])
        lat = np.concatenate([[lat_deg], lat, [lat_deg]])
    return lon, lat


def _box_limits(proj, extent_deg: Sequence[float]):
    """Axis limits (map metres) holding the lon/lat box (lon0, lon1, lat0, lat1), degrees.

    The box is sampled densely rather than by its corners: in an azimuthal view a box may
    contain the pole, and cartopy's set_extent shows only half the disc for a global box.
    """
    lon0, lon1, lat0, lat1 = extent_deg
    lon, lat = np.meshgrid(np.linspace(lon0, lon1, 181), np.linspace(lat0, lat1, 91))
    return _auto_limits(_project(proj, lon, lat), margin=0.0)


def _auto_limits(xy: np.ndarray, margin: float = 0.06):
    """Axis limits (x0, x1, y0, y1) in projected metres around the finite points, with margin."""
    xy = xy[np.isfinite(xy).all(axis=1)]
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    dx, dy = max(x1 - x0, 1e6) * margin, max(y1 - y0, 1e6) * margin
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def route_map(
    path,
    *,
    title: str,
    tracks: Sequence[dict],
    sites: Sequence[dict],
    radars: Sequence[dict] = (),
    extent_deg: Sequence[float] | None = None,
    subtitle: str = "",
) -> Path:
    """Draw threat ground tracks, defence sites and radar coverage on an offline map; write PNG.

    tracks: ``{"lat_deg": array, "lon_deg": array, "engageable": bool, "label": str}``; the
        Earth-fixed (geodetic WGS84, degrees) ground track of one trajectory; longitudes may be
        in any branch and may cross the antimeridian or pass over the pole. Red when
        ``engageable`` by any site, blue-grey otherwise. ``label`` is written at the track's end
        only when there are at most 10 tracks (more would be unreadable).
    sites: ``{"name", "lat_deg", "lon_deg", "kind": "defence-site" | "ship-station",
        "engageable_routes": int}``; drawn as markers labelled "name (routes)".
    radars: ``{"name", "lat_deg", "lon_deg", "boresight_deg", "half_width_deg", "range_km"}``;
        azimuth sector (degrees from north) or, when either angle is None, a full circle, of
        geodesic radius ``range_km``.
    extent_deg: ``(lon_min, lon_max, lat_min, lat_max)`` in degrees; by default the view is
        fitted to everything drawn.

    Lambert azimuthal equal-area projection centred at 60 N, 20 W. The PNG (150 dpi) carries
    no timestamp or software tag, so the same inputs give byte-identical files. Returns the path.
    """
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch

    path = Path(path)
    proj = _projection()
    tracks, sites, radars = list(tracks), list(sites), list(radars)
    n_eng = sum(bool(t["engageable"]) for t in tracks)
    safe_xy = _polyline(proj, [t for t in tracks if not t["engageable"]])
    eng_xy = _polyline(proj, [t for t in tracks if t["engageable"]])
    site_xy = _project(proj, [s["lon_deg"] for s in sites], [s["lat_deg"] for s in sites])
    radar_xy = [_project(proj, *_wedge(r["lat_deg"], r["lon_deg"], r.get("boresight_deg"),
                                        r.get("half_width_deg"), r["range_km"])) for r in radars]
    radar_at = _project(proj, [r["lon_deg"] for r in radars], [r["lat_deg"] for r in radars])
    everything = np.concatenate([safe_xy, eng_xy, site_xy, *radar_xy, np.empty((0, 2))])
    if extent_deg is None and np.isfinite(everything).any():
        limits = _auto_limits(everything)
    else:
        limits = _box_limits(proj, extent_deg or _DEFAULT_EXTENT_DEG)

    # The default style, whatever the user's matplotlibrc says: reproducible bytes.
    with matplotlib.style.context("default"):
        fig = Figure(figsize=(9.0, 7.5), dpi=150)
        FigureCanvasAgg(fig)  # Agg canvas attached explicitly: no pyplot, no GUI backend
        ax = fig.add_axes((0.02, 0.06, 0.96, 0.84), projection=proj)
        data = ax.transData  # map metres: everything below is already projected
        ax.set_xlim(limits[:2])
        ax.set_ylim(limits[2:])
        ax.set_facecolor("#eef3f7")
        # Land and borders as two native-coordinate paths: not cartopy's add_geometries, which
        # spends ~0.6 s re-projecting the shapes (and never downloads either way).
        land_path, border_path = _basemap_paths()
        ax.add_patch(PathPatch(land_path, facecolor="#e4e0d6", edgecolor="#9a9486",
                               linewidth=0.4, transform=data, zorder=1))
        ax.add_patch(PathPatch(border_path, facecolor="none", edgecolor="#b3ad9f",
                               linewidth=0.3, transform=data, zorder=1))
        ax.gridlines(color="#c9d3dc", linewidth=0.3, zorder=1.5)

        ax.plot(*safe_xy.T, color=_SAFE_COLOUR, linewidth=0.6, alpha=0.55, transform=data,
                zorder=2)
        ax.plot(*eng_xy.T, color=_ENGAGEABLE_COLOUR, linewidth=0.8, alpha=0.85, transform=data,
                zorder=3)
        if 0 < len(tracks) <= 10:
            for t in tracks:
                end = _project(proj, np.atleast_1d(t["lon_deg"])[-1:],
                               np.atleast_1d(t["lat_deg"])[-1:])[0]
                if np.isfinite(end).all() and t.get("label"):
                    ax.annotate(t["label"], xy=tuple(end), xytext=(3, -6),
                                textcoords="offset points", fontsize=5.5, color="#333333",
                                zorder=6)

        for r, xy, at in zip(radars, radar_xy, radar_at, strict=True):
            if not np.isfinite(at).all():
                continue
            ax.fill(*xy[np.isfinite(xy).all(axis=1)].T, facecolor="#2e7d32", alpha=0.07,
                    edgecolor="none", transform=data, zorder=2.5)
            ax.plot(*xy.T, color="#2e7d32", linewidth=0.7, transform=data, zorder=4)
            ax.plot(*at, marker="s", markersize=3.5, color="#2e7d32", transform=data,
                    zorder=5)
            ax.annotate(r["name"], xy=tuple(at), xytext=(4, -8), textcoords="offset points",
                        fontsize=5.5, color="#2e7d32", zorder=6)
        marker = {"defence-site": "^", "ship-station": "D"}
        for s, xy in zip(sites, site_xy, strict=True):
            if not np.isfinite(xy).all():
                continue
            ax.plot(*xy, marker=marker.get(s["kind"], "o"), markersize=6, color="black",
                    markerfacecolor="#ffd54f", transform=data, zorder=5)
            ax.annotate(f"{s['name']} ({s['engageable_routes']})", xy=tuple(xy),
                        xytext=(5, 4), textcoords="offset points", fontsize=6.5, zorder=6)

        n = len(tracks)
        handles = [
            Line2D([], [], color=_ENGAGEABLE_COLOUR, lw=1.5,
                   label=f"engageable by at least one site: {n_eng} of {n} routes"),
            Line2D([], [], color=_SAFE_COLOUR, lw=1.5,
                   label=f"not engageable: {n - n_eng} of {n} routes"),
        ]
        kinds = sorted({s["kind"] for s in sites})
        handles += [Line2D([], [], ls="none", marker=marker.get(k, "o"), color="black",
                           markerfacecolor="#ffd54f",
                           label=f"{k.replace('-', ' ')} (engageable routes)") for k in kinds]
        if radars:
            handles.append(Line2D([], [], color="#2e7d32", lw=1.0,
                                  label="radar coverage (ground range)"))
        ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)

        fig.suptitle(title, fontsize=12, y=0.975)
        if subtitle:
            fig.text(0.5, 0.925, subtitle, ha="center", fontsize=8.5, color="#444444")
        fig.text(0.99, 0.015, _FOOTER, ha="right", fontsize=6, color="#666666")
        path.parent.mkdir(parents=True, exist_ok=True)
        # No "Software" tag (matplotlib version) and Agg writes no date: byte-stable output.
        fig.savefig(path, dpi=150, format="png", metadata={"Software": None})
    return path
