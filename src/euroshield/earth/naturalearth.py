"""Natural Earth 1:110m land and countries, decoded from the TopoJSON files of world-atlas
vendored in ``euroshield/report/data`` (public domain shapes; ISC-licensed packaging, licence
beside the files). Data, not drawing: the footprint study masks its aim-point grid to land with
:func:`land`, and the report's maps draw the same shapes.

Coordinates are geodetic (longitude, latitude) in degrees. shapely is imported inside the
functions (it costs a noticeable import time).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources

import numpy as np

_DATA = "data"


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
