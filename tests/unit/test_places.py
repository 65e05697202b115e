"""The places catalogue: schema, and coordinates against the published track geometry.

Truth: shared reference public-parameters.md C10 and B2 (own calculations of that reference on a
6,371 km sphere from the same public coordinates; "recomputing with these inputs reproduces the
table to within a few km"). Tolerance 15 km (our working coordinates differ by up to ~10 km).
"""

import numpy as np
import pytest

from euroshield import catalog
from euroshield.earth import geodesy
from euroshield.errors import InputError

R = 6371e3


def _gc_km(a, b):
    pa, pb = catalog.get_place(a), catalog.get_place(b)
    return float(geodesy.great_circle_distance_sphere(pa.lat, pa.lon, pb.lat, pb.lon, R)) / 1e3


@pytest.mark.parametrize("a, b, km", [
    ("kozelsk", "washington", 7858), ("teykovo", "washington", 7873),
    ("tatishchevo", "washington", 8513), ("yoshkar-ola", "washington", 8202),
    ("dombarovsky", "washington", 9184), ("tehran", "washington", 10177),
    ("tehran", "bucharest", 2349), ("kozelsk", "redzikowo", 1210), ("kozelsk", "deveselu", 1380),
    ("tehran", "deveselu", 2472), ("tehran", "redzikowo", 3353), ("tehran", "kurecik", 1242),
    ("armavir", "tehran", 1352), ("gabala", "tehran", 656),
])
def test_distances_match_reference_geometry(a, b, km):
    assert _gc_km(a, b) == pytest.approx(km, abs=15)


def test_kozelsk_washington_azimuth():
    """C10: the Kozelsk -> Washington great circle leaves on an azimuth of about 310 deg."""
    k, w = catalog.get_place("kozelsk"), catalog.get_place("washington")
    _, az, _ = geodesy.inverse(k.lat, k.lon, w.lat, w.lon)
    assert float(az) % 360 == pytest.approx(310, abs=1.5)


def test_every_kind_is_populated_and_sourced():
    """The deterrence study needs >= 10 bases, >= 10 targets, sites and ship stations."""
    assert len(catalog.places("icbm-base")) >= 10
    assert len(catalog.places("target")) >= 10
    assert len(catalog.places("ship-station")) >= 5
    assert {"deveselu", "redzikowo"} <= set(catalog.places("defence-site"))
    assert all(len(p.source) > 10 for p in catalog.places().values())
    assert all(-90 <= p.lat <= 90 and -180 <= p.lon <= 180 for p in catalog.places().values())


def test_unknown_place_lists_known_names():
    with pytest.raises(InputError, match="known: .*kozelsk"):
        catalog.get_place("atlantis", "icbm-base")


def test_bad_place_entry_names_the_field():
    with pytest.raises(InputError, match="lat"):
        catalog.parse_places({"places": [{"name": "x", "kind": "target", "description": "d",
                                          "lat": 95.0, "lon": 0.0, "uncertainty_km": 1,
                                          "source": "src"}]}, "test")
    with pytest.raises(InputError, match="kind"):
        catalog.parse_places({"places": [{"name": "x", "kind": "moon", "description": "d",
                                          "lat": 5.0, "lon": 0.0, "uncertainty_km": 1,
                                          "source": "src"}]}, "test")
    assert np.isfinite(catalog.get_place("kurecik").height_m)
