"""CZML and KML exports of a deterrence study, on a small synthetic result.

Checks: the files parse (JSON; XML), the CZML document packet carries a clock spanning the
longest flight, there is one packet per route, per intercept (fly-out and marker), per site
and per radar outline, the time-tagged samples are exactly the study's path samples (to the
rounding of the export), colours follow the verdicts, and text from user data is HTML-escaped
in every description (a scenario or place named ``<script>alert(1)</script>``). With
footprints of the defence of Europe: one ground-clamped polygon packet per polygon (holes
kept) under one parent packet per footprint, and a KML folder per footprint with its polygons;
None geometries skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from pyproj import Geod

from euroshield.defense.radar import get_radar
from euroshield.report import czml, kml
from euroshield.report.deterrence import DeterrenceView as DeterrenceResult
from euroshield.report.footprint import cells_multipolygon

XSS = "<script>alert(1)</script>"
EPOCH = "2030-01-01T00:00:00Z"
EPOCH_DT = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
NS = {"k": "http://www.opengis.net/kml/2.2", "gx": "http://www.google.com/kml/ext/2.2"}
GEOD = Geod(ellps="WGS84")


def _path(lat0, lon0, lat1, lon1, flight_s, apogee_m):
    """A ballistic-looking path: every 10 s plus the impact sample, height a half sine."""
    t = np.append(np.arange(0.0, flight_s, 10.0), flight_s)
    f = t / flight_s
    return (t, lat0 + f * (lat1 - lat0), lon0 + f * (lon1 - lon0),
            apogee_m * np.sin(np.pi * f))


def _route(base, target, site, interceptor, ok, t_int=None):
    return {"base": base, "target": target, "site": site, "interceptor": interceptor,
            "interceptor_speed_kms": 4.5, "engageable": ok,
            "reason": "" if ok else f"no point within reach of {XSS}",
            "intercept_time_s": t_int, "intercept_altitude_km": 900.0 if ok else None,
            "intercept_ground_range_km": None, "flyout_time_s": 300.0 if ok else None,
            "closing_speed_kms": None, "margin_s": 12.0 if ok else None,
            "earliest_launch_s": None, "latest_launch_s": None, "track_time_s": None,
            "tracked_by": "", "launch_allowed_s": 120.0, "threshold_speed_kms": None}


@pytest.fixture(scope="module")
def result() -> DeterrenceResult:
    r = DeterrenceResult(scenario=f"evil {XSS}",
                         assumptions={"missile": "topol-m-like", "rcs_m2": 0.1,
                                      "launch_rule": "IR cue + decision delay"})
    r.paths[("kozelsk", "washington")] = _path(54.03, 35.77, 38.91, -77.04, 1786.6, 1.35e6)
    r.paths[("uzhur", "new-york")] = _path(55.3, 89.8, 40.71, -74.0, 2006.1, 1.44e6)
    r.paths[(XSS, "boston")] = _path(60.0, 40.0, 42.36, -71.06, 1500.0, 1.2e6)
    r.routes = [
        _route("kozelsk", "washington", "north-sea", "sm3-iia", True, 508.0),
        _route("kozelsk", "washington", "deveselu", "sm3-ib", False),
        _route("uzhur", "new-york", "north-sea", "sm3-iia", False),
        _route("uzhur", "new-york", "deveselu", "sm3-ib", False),
        _route(XSS, "boston", "north-sea", "sm3-iia", False),
        _route(XSS, "boston", "deveselu", "sm3-ib", False),
    ]
    r.intercepts = [{"base": "kozelsk", "target": "washington", "site": "north-sea",
                     "interceptor": "sm3-iia", "site_lat_deg": 56.5, "site_lon_deg": 3.0,
                     "launch_time_s": 129.6, "intercept_time_s": 508.0, "lat_deg": 61.06,
                     "lon_deg": 3.99, "altitude_km": 997.9}]
    r.sites = [
        {"name": "north-sea", "lat_deg": 56.5, "lon_deg": 3.0, "kind": "ship-station",
         "interceptors": ["sm3-iia"], "inventory": 8, "engageable_routes": 1},
        {"name": XSS, "lat_deg": 44.07, "lon_deg": 24.4, "kind": "defence-site",
         "interceptors": ["sm3-ib"], "inventory": 24, "engageable_routes": 0},
    ]
    return r


@pytest.fixture(scope="module")
def radars():
    sector = get_radar("tpy2-kurecik")
    assert sector.boresight_azimuth_deg is not None
    full = sector.model_copy(update={"name": "full-circle", "boresight_azimuth_deg": None,
                                     "half_width_deg": 180.0, "lat": 50.0, "lon": 10.0})
    return [sector, full]


@pytest.fixture(scope="module")
def packets(result, radars, tmp_path_factory):
    path = czml.write_czml(result, radars, tmp_path_factory.mktemp("czml") / "t.czml",
                           epoch=EPOCH)
    return json.loads(path.read_text(encoding="utf-8"))


def _by_prefix(packets, prefix):
    return [p for p in packets if p["id"].startswith(prefix)]


def _iso_s(s: str) -> float:
    """Seconds after EPOCH of an ISO time."""
    return (dt.datetime.fromisoformat(s.replace("Z", "+00:00")) - EPOCH_DT).total_seconds()


def test_document_packet_first_with_clock_over_longest_flight(packets, result):
    doc = packets[0]
    assert doc["id"] == "document" and doc["version"] == "1.0"
    start, end = doc["clock"]["interval"].split("/")
    longest = max(p[0][-1] for p in result.paths.values())
    assert _iso_s(start) == 0.0
    assert _iso_s(end) == pytest.approx(longest, abs=1e-3)
    assert 0.0 <= _iso_s(doc["clock"]["currentTime"]) <= longest


def test_one_packet_per_route_intercept_site_and_radar(packets, result, radars):
    assert len(_by_prefix(packets, "trajectory/")) == len(result.paths) == 3
    assert len(_by_prefix(packets, "flyout/")) == len(result.intercepts) == 1
    assert len(_by_prefix(packets, "intercept/")) == len(result.intercepts)
    assert len(_by_prefix(packets, "site/")) == len(result.sites)
    assert len(_by_prefix(packets, "radar-coverage/")) == len(radars)
    assert len({p["id"] for p in packets}) == len(packets)  # ids unique


def test_trajectory_samples_are_the_study_path(packets, result):
    (p,) = [q for q in packets if q["id"] == "trajectory/uzhur/new-york"]
    t, lat, lon, h = result.paths[("uzhur", "new-york")]
    pos = p["position"]
    assert _iso_s(pos["epoch"]) == 0.0
    assert pos["interpolationAlgorithm"] == "LAGRANGE"
    s = np.array(pos["cartographicDegrees"]).reshape(-1, 4)  # t, lon, lat, h
    assert len(s) == len(t)
    np.testing.assert_allclose(s[:, 0], t, atol=1e-3)
    np.testing.assert_allclose(s[:, 1], lon, atol=1e-6)
    np.testing.assert_allclose(s[:, 2], lat, atol=1e-6)
    np.testing.assert_allclose(s[:, 3], h, atol=0.1)
    k = 37  # spot check one sample: t = 370 s
    assert s[k, 0] == 370.0
    assert (s[k, 1], s[k, 2], s[k, 3]) == pytest.approx((lon[k], lat[k], h[k]), abs=1e-6 + 0.1)
    start, end = p["availability"].split("/")
    assert (_iso_s(start), _iso_s(end)) == pytest.approx((0.0, t[-1]), abs=1e-3)
    assert p["name"] == "uzhur -> new-york"
    assert "trailTime" in p["path"]


def test_colour_follows_the_verdict(packets):
    rgba = {p["id"]: p["path"]["material"]["solidColor"]["color"]["rgba"]
            for p in _by_prefix(packets, "trajectory/")}
    assert rgba["trajectory/kozelsk/washington"] == czml.ENGAGEABLE_RGBA
    others = [v for k, v in rgba.items() if k != "trajectory/kozelsk/washington"]
    assert others and all(v == czml.FREE_RGBA != czml.ENGAGEABLE_RGBA for v in others)
    (p,) = [q for q in packets if q["id"] == "trajectory/kozelsk/washington"]
    assert "engageable by 1 of 2" in p["description"]


def test_flyout_is_schematic_site_to_intercept_point(packets, result):
    ic = result.intercepts[0]
    (fly,) = _by_prefix(packets, "flyout/")
    s = np.array(fly["position"]["cartographicDegrees"]).reshape(-1, 4)
    assert len(s) >= 4
    assert tuple(s[0]) == pytest.approx((ic["launch_time_s"], 3.0, 56.5, 0.0), abs=1e-3)
    assert tuple(s[-1]) == pytest.approx(
        (ic["intercept_time_s"], ic["lon_deg"], ic["lat_deg"], ic["altitude_km"] * 1e3),
        abs=1e-3)
    assert np.all(np.diff(s[:, 0]) > 0) and np.all(np.diff(s[:, 3]) > 0)
    assert czml.FLYOUT_NOTE in fly["description"] and "schematic" in fly["description"]
    (mark,) = _by_prefix(packets, "intercept/")
    assert _iso_s(mark["availability"].split("/")[0]) == pytest.approx(ic["intercept_time_s"])
    assert mark["position"]["cartographicDegrees"] == pytest.approx(
        [ic["lon_deg"], ic["lat_deg"], ic["altitude_km"] * 1e3])


def test_radar_outline_is_the_range_for_the_study_rcs(packets, radars):
    sector, full = radars
    rng = float(sector.max_range_m(0.1))
    (p,) = [q for q in packets if q["id"] == f"radar-coverage/{sector.name}"]
    c = np.array(p["polyline"]["positions"]["cartographicDegrees"]).reshape(-1, 3)
    assert tuple(c[0, :2]) == pytest.approx((sector.lon, sector.lat), abs=1e-6)
    assert tuple(c[-1, :2]) == pytest.approx((sector.lon, sector.lat), abs=1e-6)
    assert np.all(c[:, 2] == 0.0)
    n = len(c) - 2
    az, _, dist = GEOD.inv([sector.lon] * n, [sector.lat] * n, c[1:-1, 0], c[1:-1, 1])
    np.testing.assert_allclose(dist, rng, rtol=1e-6)
    off = (np.asarray(az) - sector.boresight_azimuth_deg + 180) % 360 - 180
    assert np.abs(off).max() == pytest.approx(sector.half_width_deg, abs=1e-3)
    lon, lat = czml.radar_outline(full, 0.1)
    assert (lon[0], lat[0]) == pytest.approx((lon[-1], lat[-1]), abs=1e-6)  # closed circle
    _, _, d = GEOD.inv([full.lon] * len(lon), [full.lat] * len(lon), lon, lat)
    np.testing.assert_allclose(d, float(full.max_range_m(0.1)), rtol=1e-6)


def test_user_text_is_html_escaped_in_descriptions(packets):
    text = json.dumps(packets)
    descriptions = [p["description"] for p in packets if "description" in p]
    assert len(descriptions) == len(packets)
    for d in descriptions:
        assert "<script" not in d.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in packets[0]["description"]  # scenario
    assert any("&lt;script&gt;" in p["description"] for p in _by_prefix(packets, "site/"))
    # names and labels are plain text in Cesium (info box title bound as text, canvas
    # labels): written as given, so "a -> b" does not show as "a -&gt; b"
    assert any(p.get("name") == f"{XSS} -> boston" for p in packets)
    assert "https://" not in text and "http://" not in text  # nothing to fetch


def test_kml_parses_with_one_track_per_route(result, radars, tmp_path):
    path = kml.write_kml(result, radars, tmp_path / "t.kml", epoch=EPOCH)
    root = ET.parse(path).getroot()
    tracks = root.findall(".//gx:Track", NS)
    assert len(tracks) == len(result.paths)
    names = [pm.findtext("k:name", namespaces=NS) for pm in root.iter(f"{{{NS['k']}}}Placemark")
             if pm.find("gx:Track", NS) is not None]
    assert names == [f"{b} -> {t}" for b, t in result.paths]
    for trk, (t, lat, lon, h) in zip(tracks, result.paths.values(), strict=True):
        whens = [w.text for w in trk.findall("k:when", NS)]
        coords = [c.text.split() for c in trk.findall("gx:coord", NS)]
        assert len(whens) == len(coords) == len(t)
        assert trk.findtext("k:altitudeMode", namespaces=NS) == "absolute"
        assert _iso_s(whens[5]) == pytest.approx(t[5], abs=1e-3)
        assert [float(v) for v in coords[5]] == pytest.approx([lon[5], lat[5], h[5]],
                                                              abs=1e-6 + 0.1)
    points = root.findall(".//k:Placemark/k:Point", NS)
    assert len(points) == len(result.intercepts) + len(result.sites) + len(radars)
    assert len(root.findall(".//k:Placemark/k:LineString", NS)) == len(radars)


def test_kml_escapes_user_text_and_stays_offline(result, radars, tmp_path):
    path = kml.write_kml(result, radars, tmp_path / "t.kml")
    raw = path.read_text(encoding="utf-8")
    root = ET.fromstring(raw)
    descriptions = [d.text or "" for d in root.iter(f"{{{NS['k']}}}description")]
    assert len(descriptions) >= len(result.paths) + len(result.sites)
    for d in descriptions:  # the HTML a KML viewer renders: user text escaped inside it
        assert "<script" not in d.lower()
    assert any("&lt;script&gt;" in d for d in descriptions)
    # no icon or other URL that an offline viewer would try to fetch
    urls = {u for u in raw.split('"') if u.startswith("http")}
    assert urls <= {NS["k"], NS["gx"]}


# --- footprints of the defence of Europe --------------------------------------------------


@pytest.fixture(scope="module")
def footprints():
    """Three footprints: two polygons (a 3 x 3 block of 1-deg cells without its centre, i.e.
    one hole, and an isolated cell) named with a script tag; a None geometry; one cell."""
    lat, lon = np.meshgrid([50.0, 51.0, 52.0], [10.0, 11.0, 12.0], indexing="ij")
    ring = ~((lat == 51.0) & (lon == 11.0))
    holed = cells_multipolygon(np.append(lat[ring], 45.0), np.append(lon[ring], 20.0), 1.0)
    return [
        {"name": f"epaa-phase-3: {XSS} - defended", "status": "defended", "geometry": holed,
         "area_km2": 95000.0, "description": f"defended from every launch point {XSS}"},
        {"name": "epaa-phase-3: nothing - partly-defended", "status": "partly-defended",
         "geometry": None, "area_km2": 0.0, "description": "no cell"},
        {"name": "epaa-phase-3: one cell - threatened", "status": "threatened",
         "geometry": cells_multipolygon([40.0], [30.0], 1.0), "area_km2": 9400.0,
         "description": "threatened, undefended"},
    ]


@pytest.fixture(scope="module")
def fp_packets(result, radars, footprints, tmp_path_factory):
    path = czml.write_czml(result, radars, tmp_path_factory.mktemp("czml") / "fp.czml",
                           epoch=EPOCH, footprints=footprints)
    return json.loads(path.read_text(encoding="utf-8"))


def _rings(geometry):
    """{exterior ring as (lon, lat) without the closing point: holes likewise}."""
    return {tuple(map(tuple, poly[0][:-1])): [list(map(tuple, h[:-1])) for h in poly[1:]]
            for poly in geometry["coordinates"]}


def test_czml_footprints_one_ground_polygon_per_polygon_under_a_parent(
        fp_packets, packets, footprints):
    assert [p["id"] for p in fp_packets[:len(packets)]] == [p["id"] for p in packets]
    assert len({p["id"] for p in fp_packets}) == len(fp_packets)  # ids unique
    fp = _by_prefix(fp_packets, "footprint-")
    assert [p["id"] for p in fp] == ["footprint-0", "footprint-0-0", "footprint-0-1",
                                     "footprint-2", "footprint-2-0"]  # None geometry skipped
    assert all(p["id"] != "footprint-1" and p.get("parent") != "footprint-1"
               for p in fp_packets)
    parents = {p["id"]: p for p in fp if "polygon" not in p}
    assert parents["footprint-0"]["name"] == footprints[0]["name"]  # plain text, as given
    polys = [p for p in fp if "polygon" in p]
    assert len(polys) == 3
    seen = {}
    for p in polys:
        n = int(p["id"].split("-")[1])
        assert p["parent"] == f"footprint-{n}" and p["name"] == footprints[n]["name"]
        assert "availability" not in p  # shown the whole time
        g = p["polygon"]
        assert g["material"]["solidColor"]["color"]["rgba"] == \
            czml.FOOTPRINT_RGBA[footprints[n]["status"]]
        assert g["outline"] is False and g["fill"] is True
        assert g["heightReference"] == {"heightReference": "CLAMP_TO_GROUND"}
        ext = np.array(g["positions"]["cartographicDegrees"]).reshape(-1, 3)
        assert np.all(ext[:, 2] == 0.0)
        holes = [np.array(h).reshape(-1, 3) for h in
                 g.get("holes", {}).get("cartographicDegrees", [])]
        seen[tuple(map(tuple, ext[:, :2]))] = [list(map(tuple, h[:, :2])) for h in holes]
    assert seen == {**_rings(footprints[0]["geometry"]), **_rings(footprints[2]["geometry"])}
    (holed,) = [p for p in polys if "holes" in p["polygon"]]
    (hole,) = holed["polygon"]["holes"]["cartographicDegrees"]
    h = np.array(hole).reshape(-1, 3)
    assert len(h) == 4  # the missing centre cell, closing point dropped
    assert (h[:, 0].min(), h[:, 0].max(), h[:, 1].min(), h[:, 1].max()) == \
        (10.5, 11.5, 50.5, 51.5)
    assert czml.FOOTPRINT_RGBA == {"defended": [46, 125, 50, 110],
                                   "partly-defended": [139, 195, 74, 90],
                                   "threatened": [239, 108, 0, 90]}


def test_czml_footprint_descriptions_are_escaped(fp_packets):
    assert all("description" in p for p in fp_packets)
    for p in fp_packets:
        assert "<script" not in p["description"].lower()
    fp = _by_prefix(fp_packets, "footprint-0")
    assert len(fp) == 3
    for p in fp:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in p["description"]
        assert "95,000 km2" in p["description"] and "defended" in p["description"]
    assert "footprints on the ground" in fp_packets[0]["description"]


def test_footprint_unknown_status_or_geometry_is_a_value_error(footprints):
    with pytest.raises(ValueError, match="footprint status"):
        czml.footprint_packets([{**footprints[2], "status": "safe"}])
    with pytest.raises(ValueError, match="MultiPolygon"):
        czml.footprint_packets([{**footprints[2], "geometry": {"type": "Point",
                                                               "coordinates": [0, 0]}}])
    assert czml.footprint_packets([footprints[1]]) == []


def test_kml_footprints_folder_with_polygons_and_holes(result, radars, footprints, tmp_path):
    path = kml.write_kml(result, radars, tmp_path / "fp.kml", epoch=EPOCH,
                         footprints=footprints)
    raw = path.read_text(encoding="utf-8")
    root = ET.fromstring(raw)
    doc = root.find("k:Document", NS)
    (top,) = [f for f in doc.findall("k:Folder", NS)
              if f.findtext("k:name", namespaces=NS) == "Defence of Europe"]
    subs = top.findall("k:Folder", NS)
    assert [f.findtext("k:name", namespaces=NS) for f in subs] == \
        [footprints[0]["name"], footprints[2]["name"]]  # None geometry skipped, name as given
    styles = {st.get("id"): st for st in root.iter(f"{{{NS['k']}}}Style")}
    seen = {}
    for sub, fp in zip(subs, (footprints[0], footprints[2]), strict=True):
        pms = sub.findall("k:Placemark", NS)
        assert len(pms) == len(fp["geometry"]["coordinates"])
        for pm in pms:
            pol = pm.find("k:Polygon", NS)
            assert pol.findtext("k:altitudeMode", namespaces=NS) == "clampToGround"
            assert pol.findtext("k:tessellate", namespaces=NS) == "1"
            st = styles[pm.findtext("k:styleUrl", namespaces=NS).lstrip("#")]
            r, g, b, a = czml.FOOTPRINT_RGBA[fp["status"]]
            assert st.findtext("k:PolyStyle/k:color", namespaces=NS) == \
                f"{a:02x}{b:02x}{g:02x}{r:02x}"
            assert st.findtext("k:PolyStyle/k:outline", namespaces=NS) == "0"

            def ring(lr):
                c = [tuple(float(v) for v in xyz.split(",")[:2])
                     for xyz in lr.findtext("k:coordinates", namespaces=NS).split()]
                assert c[0] == c[-1]  # KML rings are closed
                return c[:-1]

            outer = ring(pol.find("k:outerBoundaryIs/k:LinearRing", NS))
            seen[tuple(outer)] = [ring(lr) for lr in
                                  pol.findall("k:innerBoundaryIs/k:LinearRing", NS)]
    assert seen == {**_rings(footprints[0]["geometry"]), **_rings(footprints[2]["geometry"])}
    assert sum(len(v) for v in seen.values()) == 1  # the one hole
    # the rest of the document is unchanged
    assert len(root.findall(".//gx:Track", NS)) == len(result.paths)
    assert len(root.findall(".//k:Placemark/k:Polygon", NS)) == 3
    # descriptions: user text escaped in the HTML, nothing to fetch
    descriptions = [d.text or "" for d in root.iter(f"{{{NS['k']}}}description")]
    for d in descriptions:
        assert "<script" not in d.lower()
    fp_desc = [d.text or "" for d in subs[0].iter(f"{{{NS['k']}}}description")]
    assert len(fp_desc) == 1 + 2  # the sub-folder and its two polygons
    assert all("&lt;script&gt;alert(1)&lt;/script&gt;" in d for d in fp_desc)
    urls = {u for u in raw.split('"') if u.startswith("http")}
    assert urls <= {NS["k"], NS["gx"]}


def test_kml_without_footprints_has_no_defence_folder(result, radars, tmp_path):
    root = ET.parse(kml.write_kml(result, radars, tmp_path / "t.kml",
                                  footprints=[{"name": "x", "status": "defended",
                                               "geometry": None, "area_km2": 0.0,
                                               "description": ""}])).getroot()
    names = [f.findtext("k:name", namespaces=NS) for f in root.iter(f"{{{NS['k']}}}Folder")]
    assert "Defence of Europe" not in names and "sites" in names
