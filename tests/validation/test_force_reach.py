"""The real force reaches its targets (issue 10): with each base flying its own missile, every
route that the published range of that missile covers is flown, and every route left out of
reach is explained by the physics (the longest range on its launch heading is shorter than the
great-circle distance).

With topol-m-like at every base, 15 of the 110 routes of shield-today were out of reach,
although Yars, with a published range of 11,000-12,000 km, flies from most of those bases."""

import numpy as np
import pytest

from euroshield import catalog, scenario
from euroshield.earth import geodesy
from euroshield.studies.deterrence import deterrence

# Yars: 11,000-12,000 km (Russian claims; public-parameters.md E3). Every route of a Yars base
# shorter than the lower end must be reachable, whatever the heading.
YARS_MIN_KM = 11_000.0


@pytest.fixture(scope="module")
def result():
    data = scenario.load("shield-today").model_dump(mode="json", exclude_none=True)
    data["sites"] = [{"site": "deveselu", "interceptors": ["sm3-ib"]}]  # routes only matter
    return deterrence(scenario.parse(data, "shield-today, one site"))


def test_every_yars_route_within_the_published_range_is_flown(result):
    th, flown = result.threats, result.looks.trajectories.flown
    places = catalog.places()
    yars = np.flatnonzero(th.missile == "yars-like")
    assert len(yars) == 8 * 10  # eight Yars bases (Teykovo included) x ten targets
    for i in yars:
        a, b = places[str(th.launch_name[i])], places[str(th.aim_name[i])]
        d_km = float(np.asarray(geodesy.inverse(a.lat, a.lon, b.lat, b.lon)[0])) / 1e3
        assert d_km < YARS_MIN_KM  # the oracle applies to every Yars route of this scenario
        assert flown[i], f"{a.name} -> {b.name} ({d_km:,.0f} km) not flown by yars-like"


def test_every_route_out_of_reach_is_explained(result):
    """Each route without a trajectory carries its missile, its distance and the longest range
    on its launch heading, and that range is shorter than the distance (it is out of reach,
    not a failed aim). Distances are checked against an independent geodesic (Vincenty-type
    inverse on WGS84, geodesy.inverse) to 1 km."""
    th, flown = result.threats, result.looks.trajectories.flown
    far = result.out_of_reach
    assert set(far) == set(np.flatnonzero(~flown).tolist())
    assert len(far) < 15  # fewer than with topol-m-like at every base (issue 10)
    for i, f in far.items():
        assert f["missile"] == catalog.base_missiles()[str(th.launch_name[i])]
        d = float(np.asarray(geodesy.inverse(th.launch_lat_deg[i], th.launch_lon_deg[i],
                                             th.aim_lat_deg[i], th.aim_lon_deg[i])[0]))
        assert abs(f["distance_m"] - d) < 1e3
        assert f["max_range_m"] < f["distance_m"]
        # only missiles whose published band does not clearly cover the route are left out:
        # the distance exceeds the lower end of the band
        pr = catalog.get_missile(f["missile"]).published_range
        assert f["distance_m"] / 1e3 > (pr.min_km or pr.value_km)


def test_gao_conclusion_holds_with_the_real_kozelsk_missile(engage):
    """GAO-13-382R (public-parameters.md C4; test_published_conclusions.py flies topol-m-like):
    a Polish SM-3 IIA meets a Kozelsk -> Washington ICBM only if launched before the ICBM burns
    out. Kozelsk holds silo Yars (E3): the conclusion must hold for yars-like too."""
    res, _, _, win = engage("yars-like", "kozelsk", "washington", "redzikowo", "sm3-iia")
    assert win.engageable[0]
    assert win.latest_launch_s[0] < res.batch.burnout_time_s[0]
