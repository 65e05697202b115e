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
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from euroshield import __version__

# TopoJSON decoding lives in euroshield.earth.naturalearth (the footprint study uses it too);
# land/countries/borders stay importable from here
from euroshield.earth.naturalearth import _rings, _shared_arcs, borders, countries, land  # noqa: F401

_FOOTER = f"Natural Earth via world-atlas; euroshield {__version__}"
_ENGAGEABLE_COLOUR = "#c62828"
_SAFE_COLOUR = "#5b7aa6"
_DEFAULT_EXTENT_DEG = (-130.0, 100.0, 25.0, 90.0)  # lon0, lon1, lat0, lat1: when nothing drawn


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


def _map_figure(proj, limits, rect):
    """A 9 x 7.5 in figure (Agg canvas attached explicitly: no pyplot, no GUI backend) with
    the map axes at ``rect``, the view ``limits`` (projected metres) and the land drawn;
    returns (figure, axes, the data transform, the border path still to draw)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    fig = Figure(figsize=(9.0, 7.5), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_axes(rect, projection=proj)
    data = ax.transData  # map metres: everything drawn is already projected
    ax.set_xlim(limits[:2])
    ax.set_ylim(limits[2:])
    ax.set_facecolor("#eef3f7")
    # Land and borders as two native-coordinate paths: not cartopy's add_geometries, which
    # spends ~0.6 s re-projecting the shapes (and never downloads either way).
    land_path, border_path = _basemap_paths()
    ax.add_patch(PathPatch(land_path, facecolor="#e4e0d6", edgecolor="#9a9486",
                           linewidth=0.4, transform=data, zorder=1))
    return fig, ax, data, border_path


def _points(proj, rows: Sequence[dict]) -> np.ndarray:
    """(n, 2) projected metres of rows with "lat_deg" and "lon_deg" (degrees)."""
    return _project(proj, [r["lon_deg"] for r in rows], [r["lat_deg"] for r in rows])


def _radar_outlines(proj, radars: Sequence[dict]) -> list[np.ndarray]:
    """Projected coverage outline (see :func:`_wedge`) of each radar row."""
    return [_project(proj, *_wedge(r["lat_deg"], r["lon_deg"], r.get("boresight_deg"),
                                   r.get("half_width_deg"), r["range_km"])) for r in radars]


def _save_png(fig, path: Path) -> None:
    """Write the figure as a 150 dpi PNG. No "Software" tag (matplotlib version) and Agg
    writes no date: byte-stable output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, format="png", metadata={"Software": None})


def _cells_limits(proj, lat: np.ndarray, lon: np.ndarray, resolution_deg: float,
                  extent_deg: Sequence[float] | None, launch_points: Sequence[dict]):
    """Axis limits of a cell map: ``extent_deg`` (lon_min, lon_max, lat_min, lat_max, degrees),
    by default the cells' box grown by one cell, widened to keep the launch points in view."""
    extent = list(extent_deg) if extent_deg is not None else [
        float(lon.min() - resolution_deg), float(lon.max() + resolution_deg),
        float(lat.min() - resolution_deg), float(lat.max() + resolution_deg)
    ] if lat.size else list(_DEFAULT_EXTENT_DEG)
    for p in launch_points:  # keep the launch points in view
        extent = [min(extent[0], p["lon_deg"] - 1.0), max(extent[1], p["lon_deg"] + 1.0),
                  min(extent[2], p["lat_deg"] - 1.0), max(extent[3], p["lat_deg"] + 1.0)]
    return _box_limits(proj, extent)


def _cell_corners(proj, lat: np.ndarray, lon: np.ndarray, resolution_deg: float) -> np.ndarray:
    """(n, 4, 2) projected corners of the cells: lat/lon squares ``resolution_deg`` wide
    centred on (lat, lon) degrees; non-finite where the projection fails."""
    h = resolution_deg / 2.0
    clon = np.stack([lon - h, lon + h, lon + h, lon - h], axis=1)
    clat = np.stack([lat - h, lat - h, lat + h, lat + h], axis=1)
    return _project(proj, clon, clat).reshape(-1, 4, 2)


_SITE_MARKERS = {"defence-site": "^", "ship-station": "D"}


def _draw_cell_overlays(ax, data, proj, *, radars, capitals, capital_face, capital_size,
                        launch_points, sites) -> None:
    """The points over a cell map: radar coverage (blue), capitals (markers filled with
    ``capital_face(row)``, ``capital_size`` points), launch points (red stars) and sites."""
    radar_at = _points(proj, radars)
    for r, wedge, a in zip(radars, _radar_outlines(proj, radars), radar_at, strict=True):
        if np.isfinite(a).all():
            ax.plot(*wedge.T, color="#1565c0", linewidth=0.6, alpha=0.7, transform=data,
                    zorder=3)
            ax.plot(*a, marker="s", markersize=3.5, color="#1565c0", transform=data,
                    zorder=5)
            ax.annotate(r["name"], xy=tuple(a), xytext=(4, -8),
                        textcoords="offset points", fontsize=5.5, color="#1565c0",
                        zorder=6)
    for c, xy in zip(capitals, _points(proj, capitals), strict=True):
        if np.isfinite(xy).all():
            ax.plot(*xy, marker="o", markersize=capital_size, color="black",
                    markeredgewidth=0.5, markerfacecolor=capital_face(c), transform=data,
                    zorder=5)
            ax.annotate(c.get("label") or c.get("name", ""), xy=tuple(xy), xytext=(3, 2),
                        textcoords="offset points", fontsize=4.5, color="#222222", zorder=6)
    for p, xy in zip(launch_points, _points(proj, launch_points), strict=True):
        if np.isfinite(xy).all():
            ax.plot(*xy, marker="*", markersize=9, color="#b71c1c", markeredgecolor="black",
                    markeredgewidth=0.4, transform=data, zorder=5)
            ax.annotate(p["name"], xy=tuple(xy), xytext=(5, -8),
                        textcoords="offset points", fontsize=6, color="#b71c1c", zorder=6)
    for s, xy in zip(sites, _points(proj, sites), strict=True):
        if np.isfinite(xy).all():
            ax.plot(*xy, marker=_SITE_MARKERS.get(s.get("kind"), "o"), markersize=6,
                    color="black", markerfacecolor="#ffd54f", transform=data, zorder=5)
            ax.annotate(s["name"], xy=tuple(xy), xytext=(5, 4),
                        textcoords="offset points", fontsize=6, zorder=6)


def _cell_overlay_handles(capital_label: str, *, launch_points, sites, radars) -> list:
    """Legend entries of :func:`_draw_cell_overlays`' points."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], ls="none", marker="o", color="black", markersize=4,
                      markerfacecolor="#ffffff", label=capital_label)]
    if launch_points:
        handles.append(Line2D([], [], ls="none", marker="*", color="#b71c1c",
                              markeredgecolor="black", markersize=8, label="launch point"))
    for k in sorted({s.get("kind", "site") for s in sites}):
        handles.append(Line2D([], [], ls="none", marker=_SITE_MARKERS.get(k, "o"), color="black",
                              markerfacecolor="#ffd54f", label=k.replace("-", " ")))
    if radars:
        handles.append(Line2D([], [], color="#1565c0", lw=1.0,
                              label="radar coverage (ground range)"))
    return handles


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
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch

    path = Path(path)
    proj = _projection()
    tracks, sites, radars = list(tracks), list(sites), list(radars)
    n_eng = sum(bool(t["engageable"]) for t in tracks)
    safe_xy = _polyline(proj, [t for t in tracks if not t["engageable"]])
    eng_xy = _polyline(proj, [t for t in tracks if t["engageable"]])
    site_xy = _points(proj, sites)
    radar_xy = _radar_outlines(proj, radars)
    radar_at = _points(proj, radars)
    everything = np.concatenate([safe_xy, eng_xy, site_xy, *radar_xy, np.empty((0, 2))])
    if extent_deg is None and np.isfinite(everything).any():
        limits = _auto_limits(everything)
    else:
        limits = _box_limits(proj, extent_deg or _DEFAULT_EXTENT_DEG)

    # The default style, whatever the user's matplotlibrc says: reproducible bytes.
    with matplotlib.style.context("default"):
        fig, ax, data, border_path = _map_figure(proj, limits, (0.02, 0.06, 0.96, 0.84))
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
        marker = _SITE_MARKERS
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
        _save_png(fig, path)
    return path


_STATUS_COLOURS = {  # footprint classes: fill colour, legend label
    "defended": ("#2e7d32", "defended from every launch point"),
    "partly-defended": ("#a5d6a7", "partly defended (from some launch points)"),
    "threatened": ("#e65100", "threatened, not defended"),
}
_CAPITAL_COLOURS = {"defended": "#2e7d32", "partly-defended": "#a5d6a7",
                    "threatened": "#e65100", "out-of-reach": "#ffffff"}


def footprint_map(
    path,
    *,
    title: str,
    cells_lat_deg,
    cells_lon_deg,
    status,
    resolution_deg: float,
    areas_km2: dict | None = None,
    sites: Sequence[dict] = (),
    capitals: Sequence[dict] = (),
    launch_points: Sequence[dict] = (),
    radars: Sequence[dict] = (),
    extent_deg: Sequence[float] | None = None,
    subtitle: str = "",
) -> Path:
    """Draw a footprint (aim-point cells coloured by status) on the offline map; write PNG.

    cells_lat_deg, cells_lon_deg: cell centres (geodetic WGS84, degrees); ``status`` per cell:
        "defended" (green), "partly-defended" (light green), "threatened" (orange: threatened,
        not defended); anything else (out of reach) is not drawn. Each cell is the square
        ``resolution_deg`` wide in latitude and longitude, drawn as its projected corners.
    areas_km2: status -> area [km²] shown in the legend.
    sites: ``{"name", "lat_deg", "lon_deg", "kind"}``; capitals: ``{"label" (or "name"),
        "lat_deg", "lon_deg", "status"}`` (marker filled with the status colour, white when
        out of reach); launch_points: ``{"name", "lat_deg", "lon_deg"}``; radars as in
        :func:`route_map`.
    extent_deg: ``(lon_min, lon_max, lat_min, lat_max)``; launch points outside it widen it.

    Same projection, basemap and byte-stable PNG (150 dpi, no software tag) as
    :func:`route_map`. Returns the path.
    """
    import matplotlib.style
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch, PathPatch

    path = Path(path)
    proj = _projection()
    lat = np.asarray(cells_lat_deg, dtype=float)
    lon = np.asarray(cells_lon_deg, dtype=float)
    status = np.asarray(status, dtype=object)
    sites, capitals, launch_points = list(sites), list(capitals), list(launch_points)
    radars = list(radars)
    areas_km2 = dict(areas_km2 or {})
    limits = _cells_limits(proj, lat, lon, resolution_deg, extent_deg, launch_points)

    corners = {}
    for s in _STATUS_COLOURS:
        m = status == s
        if not m.any():
            continue
        xy = _cell_corners(proj, lat[m], lon[m], resolution_deg)
        corners[s] = xy[np.isfinite(xy).all(axis=(1, 2))]

    with matplotlib.style.context("default"):
        fig, ax, data, border_path = _map_figure(proj, limits, (0.02, 0.13, 0.96, 0.77))
        for s, xy in corners.items():  # edge in the face colour: no hairline seams
            colour = _STATUS_COLOURS[s][0]
            ax.add_collection(PolyCollection(xy, facecolors=colour, edgecolors=colour,
                                             linewidths=0.2, alpha=0.8, transform=data,
                                             zorder=1.2))
        ax.add_patch(PathPatch(border_path, facecolor="none", edgecolor="#8a8476",
                               linewidth=0.3, transform=data, zorder=1.3))
        ax.gridlines(color="#c9d3dc", linewidth=0.3, zorder=1.5)
        _draw_cell_overlays(ax, data, proj, radars=radars, capitals=capitals,
                            capital_face=lambda c: _CAPITAL_COLOURS.get(c.get("status"),
                                                                        "#ffffff"),
                            capital_size=3.2, launch_points=launch_points, sites=sites)

        handles = [Patch(facecolor=colour, edgecolor="none", alpha=0.8,
                         label=label + (f": {areas_km2[s]:,} km²" if s in areas_km2 else ""))
                   for s, (colour, label) in _STATUS_COLOURS.items()]
        handles += _cell_overlay_handles(
            "capital (filled with its status; white: out of reach)",
            launch_points=launch_points, sites=sites, radars=radars)
        # below the map, not over it: the whole box carries data
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.03), ncol=3,
                   fontsize=6.5, frameon=False)

        fig.suptitle(title, fontsize=12, y=0.975)
        if subtitle:
            fig.text(0.5, 0.925, subtitle, ha="center", fontsize=8, color="#444444")
        fig.text(0.99, 0.01, _FOOTER + "; cells: WGS84 lat/lon squares, exact ellipsoidal "
                 "areas", ha="right", fontsize=6, color="#666666")
        _save_png(fig, path)
    return path


def probability_map(
    path,
    *,
    title: str,
    cells_lat_deg,
    cells_lon_deg,
    probability,
    resolution_deg: float,
    colour_label: str,
    capitals: Sequence[dict] = (),
    sites: Sequence[dict] = (),
    launch_points: Sequence[dict] = (),
    radars: Sequence[dict] = (),
    extent_deg: Sequence[float] | None = None,
    subtitle: str = "",
) -> Path:
    """Aim-point cells coloured by a probability (0..1) on the offline map; write PNG.

    cells_lat_deg, cells_lon_deg: cell centres (geodetic WGS84, degrees), each a square
        ``resolution_deg`` wide; ``probability`` per cell, NaN for cells not drawn (e.g. out
        of reach). Colours run from red (0: never) through yellow to green (1: always).
    capitals: ``{"label" (or "name"), "lat_deg", "lon_deg", "probability"}`` (marker filled
        with the probability's colour; white when NaN); sites, launch points and radars as in
        :func:`footprint_map`. Same projection, basemap and byte-stable PNG. Returns the path.
    """
    import matplotlib.style
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import Normalize
    from matplotlib.patches import PathPatch

    path = Path(path)
    proj = _projection()
    lat = np.asarray(cells_lat_deg, dtype=float)
    lon = np.asarray(cells_lon_deg, dtype=float)
    prob = np.asarray(probability, dtype=float)
    capitals, sites, launch_points = list(capitals), list(sites), list(launch_points)
    radars = list(radars)
    limits = _cells_limits(proj, lat, lon, resolution_deg, extent_deg, launch_points)
    cmap, norm = colormaps["RdYlGn"], Normalize(0.0, 1.0)
    drawn = np.isfinite(prob)
    xy = _cell_corners(proj, lat[drawn], lon[drawn], resolution_deg)
    ok = np.isfinite(xy).all(axis=(1, 2))
    colours = cmap(norm(prob[drawn][ok]))

    def capital_face(c):
        pc = c.get("probability")
        return cmap(norm(pc)) if pc is not None and np.isfinite(pc) else "#ffffff"

    with matplotlib.style.context("default"):
        fig, ax, data, border_path = _map_figure(proj, limits, (0.02, 0.1, 0.86, 0.8))
        ax.add_collection(PolyCollection(xy[ok], facecolors=colours, edgecolors=colours,
                                         linewidths=0.2, alpha=0.85, transform=data,
                                         zorder=1.2))
        ax.add_patch(PathPatch(border_path, facecolor="none", edgecolor="#8a8476",
                               linewidth=0.3, transform=data, zorder=1.3))
        ax.gridlines(color="#c9d3dc", linewidth=0.3, zorder=1.5)
        _draw_cell_overlays(ax, data, proj, radars=radars, capitals=capitals,
                            capital_face=capital_face, capital_size=3.4,
                            launch_points=launch_points, sites=sites)
        cax = fig.add_axes((0.9, 0.2, 0.02, 0.6))
        cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax)
        cb.set_label(colour_label, fontsize=8)
        cb.ax.tick_params(labelsize=7)
        handles = _cell_overlay_handles("capital (filled with its probability)",
                                        launch_points=launch_points, sites=sites,
                                        radars=radars)
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.46, 0.025), ncol=4,
                   fontsize=6.5, frameon=False)
        fig.suptitle(title, fontsize=12, y=0.975, parse_math=False)
        if subtitle:
            fig.text(0.46, 0.945, subtitle, ha="center", va="top", fontsize=8,
                     color="#444444", parse_math=False)
        fig.text(0.99, 0.01, _FOOTER + "; cells: WGS84 lat/lon squares", ha="right",
                 fontsize=6, color="#666666")
        _save_png(fig, path)
    return path
