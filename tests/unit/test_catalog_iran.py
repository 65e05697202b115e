"""Threats from Iran: launch areas, European capitals and the Iranian missile entries.

Truth for the coordinates: shared reference public-parameters.md E2 (launch-area city centres,
unverified; bases lie 10-40 km away) and E1 (great-circle distances from Tabriz). The flown
ranges of the new missiles against their published bands are checked for every catalogue missile
by tests/validation/test_catalog_ranges.py; here only the extra Iranian launch geometry.
"""

import json

import pytest

from euroshield import catalog
from euroshield.cli import main
from euroshield.earth import geodesy
from euroshield.errors import InputError
from euroshield.flight import aiming

IRAN_MISSILES = ("ghadr1-like", "khorramshahr-like", "irbm-hypothetical", "iran-icbm-notional")


# ---- launch areas ------------------------------------------------------------------------------
def test_launch_areas_load_and_every_area_has_points():
    areas = catalog.launch_areas()
    assert {"iran-north-west", "iran-west", "iran-north", "iran-all"} <= set(areas)
    for a in areas.values():
        assert len(a.points) >= 1, a.name
        assert len(a.source) > 10
        assert all(p.uncertainty_km == 40 for p in a.points)


def test_iran_all_is_the_union_of_the_regional_areas():
    regional = {(p.name, p.lat, p.lon) for n in ("iran-north-west", "iran-west", "iran-north")
                for p in catalog.get_launch_area(n).points}
    assert {(p.name, p.lat, p.lon) for p in catalog.get_launch_area("iran-all").points} == regional
    assert len(regional) == 5


def test_launch_area_points_match_reference_e2():
    pts = {p.name: (p.lat, p.lon) for p in catalog.get_launch_area("iran-all").points}
    assert pts == {"tabriz": (38.08, 46.29), "kermanshah": (34.31, 47.07),
                   "khorramabad": (33.49, 48.36), "semnan": (35.23, 53.92),
                   "shahroud": (36.20, 55.33)}


def test_unknown_launch_area_lists_the_known_ones():
    with pytest.raises(InputError, match=r"unknown launch area 'atlantis'; known launch areas: "
                                         r"iran-all, iran-north, iran-north-west, iran-west"):
        catalog.get_launch_area("atlantis")


def _area(**changes):
    entry = {"name": "my-area", "description": "user area",
             "points": [{"name": "p1", "lat": 35.0, "lon": 50.0, "uncertainty_km": 10}],
             "source": "own choice"}
    entry.update(changes)
    return {"launch_areas": [entry]}


def test_user_launch_areas_parse():
    areas = catalog.parse_launch_areas(_area(), "user.yaml")
    assert areas["my-area"].points[0].lat == 35.0


@pytest.mark.parametrize("changes, field", [
    ({"points": []}, "points"),
    ({"points": [{"name": "p1", "lat": 95.0, "lon": 50.0, "uncertainty_km": 10}]},
     "points.0.lat"),
    ({"radius_km": 5}, "radius_km"),
    ({"points": [{"name": "p1", "lat": 35.0, "lon": 50.0, "uncertainty_km": 10, "alt": 1}]},
     "points.0.alt"),
    ({"points": [{"name": "p1", "lat": 35.0, "lon": 50.0, "uncertainty_km": 10},
                 {"name": "p1", "lat": 36.0, "lon": 51.0, "uncertainty_km": 10}]}, "points"),
    ({"source": ""}, "source"),
])
def test_malformed_user_launch_area_is_one_line_naming_the_field(changes, field):
    with pytest.raises(InputError) as exc:
        catalog.parse_launch_areas(_area(**changes), "user.yaml")
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"user.yaml: launch area my-area: {field}: "), msg


def test_user_launch_areas_need_the_list_key():
    with pytest.raises(InputError, match="launch_areas"):
        catalog.parse_launch_areas({"areas": []}, "user.yaml")


# ---- capitals ----------------------------------------------------------------------------------
NATO_EUROPE = {"tirana", "brussels", "sofia", "zagreb", "prague", "copenhagen", "tallinn",
               "helsinki", "paris", "berlin", "athens", "budapest", "reykjavik", "rome", "riga",
               "vilnius", "luxembourg", "podgorica", "amsterdam", "skopje", "oslo", "warsaw",
               "lisbon", "bucharest", "bratislava", "ljubljana", "madrid", "stockholm", "ankara",
               "london"}
EU_ONLY = {"vienna", "nicosia", "dublin", "valletta"}
OTHERS = {"kyiv", "chisinau", "minsk", "moscow", "belgrade", "sarajevo", "bern"}


def test_capitals_load_with_membership():
    caps = catalog.capitals()
    assert set(caps) == NATO_EUROPE | EU_ONLY | OTHERS
    assert {n for n, c in caps.items() if c.nato} == NATO_EUROPE
    assert sum(c.eu for c in caps.values()) == 27
    assert {n for n, c in caps.items() if c.eu and not c.nato} == EU_ONLY
    assert caps["london"].label == "London" and caps["london"].country == "United Kingdom"
    assert all("unverified" in c.source for c in caps.values())


def test_unknown_capital_lists_the_known_ones():
    with pytest.raises(InputError, match="known capitals: .*london"):
        catalog.get_capital("atlantis")


@pytest.mark.parametrize("name, km", [
    ("ankara", 1177), ("athens", 1971), ("bucharest", 1823), ("warsaw", 2508),
    ("berlin", 2993), ("paris", 3684), ("london", 3877), ("madrid", 4255),
])
def test_capitals_reproduce_e1_distances_from_tabriz(name, km):
    """public-parameters.md E1 ("calc, from Tabriz (38.08 N, 46.29 E)") lists great-circle
    distances; here the WGS84 geodesic distance (euroshield.earth.geodesy.inverse) from the
    Tabriz launch point, which exceeds the great-circle figure by ~0.2-0.3 % on these paths, so
    the tolerance is 1 %."""
    t = catalog.get_launch_area("iran-north-west").points[0]
    c = catalog.capitals()[name]
    d, _, _ = geodesy.inverse(t.lat, t.lon, c.lat, c.lon)
    assert float(d) / 1e3 == pytest.approx(km, rel=0.01)


# ---- missiles ----------------------------------------------------------------------------------
def test_iranian_missiles_are_in_the_catalogue_with_sources():
    known = catalog.missiles()
    for name in IRAN_MISSILES:
        m = known[name]
        assert len(m.sources) >= 2, name
        assert any("own estimate" in s.note for s in m.sources), name
    assert "HYPOTHETICAL" in known["irbm-hypothetical"].description
    assert "NOTIONAL" in known["iran-icbm-notional"].description
    assert known["khorramshahr-like"].reentry_vehicle.payload_mass_kg == 1500


@pytest.mark.parametrize("name", ["ghadr1-like", "khorramshahr-like", "irbm-hypothetical"])
def test_regional_missiles_from_tabriz_toward_europe_stay_in_band(name):
    """From Tabriz on azimuth 300 deg (toward Europe) the flown range still lies in the band."""
    m = catalog.get_missile(name)
    km = float(aiming.reach(m, 38.08, 46.29, 300.0).max_ground_range_m[0]) / 1e3
    pr = m.published_range
    assert pr.min_km <= km <= pr.max_km, f"{name}: {km:,.0f} km"


@pytest.mark.parametrize("area_point", ["semnan", "shahroud"])
def test_notional_icbm_reaches_washington_from_north_iran(area_point):
    """The notional ICBM's defining requirement (EPAA Phase 4): Washington D.C. (38.907 N,
    77.037 W; public-parameters.md C10) is within reach of a shot from north Iran on the
    target's bearing (rotating Earth), with a margin of at least 3 %."""
    m = catalog.get_missile("iran-icbm-notional")
    p = next(q for q in catalog.get_launch_area("iran-north").points if q.name == area_point)
    w = (38.907, -77.037)
    best, _ = aiming.reach_toward(m, p.lat, p.lon, *w)
    dist, _, _ = geodesy.inverse(p.lat, p.lon, *w)
    assert float(best.max_ground_range_m[0]) >= 1.03 * float(dist)


# ---- command line ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, names", [
    ("launch-areas", ["iran-all", "tabriz", "semnan"]),
    ("capitals", ["london", "ankara", "kyiv"]),
])
def test_cli_catalog_lists_new_kinds(capsys, kind, names):
    assert main(["catalog", kind]) == 0
    table = capsys.readouterr().out
    assert kind in table
    for n in names:
        assert n in table
    assert main(["catalog", kind, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {e["name"] for e in data} == set(getattr(catalog, kind.replace("-", "_"))())
