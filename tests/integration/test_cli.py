"""Happy paths of the command line: exit code 0 and the stable JSON keys of ``--json``.

Each command runs once (module-scoped fixtures, in-process through ``euroshield.cli.main``);
``fly`` and ``reach`` take a few seconds, ``study`` about half a minute.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml
from geographiclib.geodesic import Geodesic

from euroshield.cli import main

EXE = Path(sys.executable).with_name("euroshield")
KOZELSK = (54.03, 35.77)
WASHINGTON = (38.91, -77.04)
KNOWN_MISSILES = {"minuteman3-like", "topol-m-like", "yars-like", "ss18-like", "shahab3-like",
                  "sejjil2-like", "ghadr1-like", "khorramshahr-like", "irbm-hypothetical",
                  "iran-icbm-notional"}


def _reject_nan(token: str):
    raise ValueError(f"non-JSON constant {token} in output")


def run(argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def run_json(argv: list[str]):
    """Run a ``--json`` command: exit 0, nothing on stderr, stdout is one strict JSON document
    (no NaN/Infinity, which are not JSON)."""
    code, out, err = run(argv)
    assert code == 0, err
    assert err == ""
    return json.loads(out, parse_constant=_reject_nan)


# ---- fly -------------------------------------------------------------------------------------
FLY_KEYS = {"ground_range_km", "flight_time_s", "apogee_km", "launch_azimuth_deg",
            "heading_deg", "burnout_time_s",
            "burnout_speed_kms", "burnout_gamma_deg", "burnout_altitude_km", "impact_lat",
            "impact_lon", "miss_km"}


@pytest.fixture(scope="module")
def fly_rec() -> dict:
    """Default missile (topol-m-like), minimum energy, Kozelsk -> Washington."""
    return run_json(["fly", "--launch", "{},{}".format(*KOZELSK),
                     "--target", "{},{}".format(*WASHINGTON), "--json"])


def test_fly_is_reproducible_across_processes(fly_rec):
    """Same inputs -> identical outputs: the in-process run (which, on a fresh machine, compiled
    the kernels itself) and a new process (which loads them from the JIT cache) agree to the last
    printed digit. Non-IEEE optimisations such as FMA contraction broke this once."""
    r = subprocess.run([str(EXE), "fly", "--launch", "{},{}".format(*KOZELSK),
                        "--target", "{},{}".format(*WASHINGTON), "--json"],
                       capture_output=True, text=True, check=True)
    other = json.loads(r.stdout)
    assert {k: v for k, v in other.items() if k != "meta"} == {
        k: v for k, v in fly_rec.items() if k != "meta"}


def test_fly_json_has_the_stable_keys(fly_rec):
    """``fly --json`` carries (at least) the documented key names."""
    assert FLY_KEYS <= set(fly_rec), FLY_KEYS - set(fly_rec)
    assert fly_rec["missile"] == "topol-m-like"
    assert fly_rec["shape"] == "minimum-energy"


def test_fly_hits_the_target(fly_rec):
    """The aimed shot lands on Washington: miss < 1 km, impact within 0.01 deg of the target."""
    assert fly_rec["miss_km"] < 1.0
    assert abs(fly_rec["impact_lat"] - WASHINGTON[0]) < 0.01
    assert abs(fly_rec["impact_lon"] - WASHINGTON[1]) < 0.01


def test_fly_ground_range_is_the_geodesic_distance(fly_rec):
    """Launch-to-impact ground range equals the WGS84 geodesic Kozelsk -> Washington
    (GeographicLib, ~7,878 km) to within 1 km, and the record is physically consistent."""
    d_km = Geodesic.WGS84.Inverse(*KOZELSK, *WASHINGTON)["s12"] / 1e3
    assert abs(fly_rec["ground_range_km"] - d_km) < 1.0
    assert 0.0 < fly_rec["burnout_time_s"] < fly_rec["flight_time_s"]
    assert fly_rec["burnout_altitude_km"] < fly_rec["apogee_km"]
    assert 0.0 < fly_rec["burnout_gamma_deg"] < 90.0
    # ICBM at ~7,900 km: burnout speed 6-7.5 km/s (public-parameters.md A2 lists 6.80 km/s for a
    # free-flight range of 8,000 km; here part of the range is flown during boost)
    assert 6.0 < fly_rec["burnout_speed_kms"] < 7.5
    # launch azimuth: Washington lies north-west of Kozelsk on the great circle
    assert 270.0 < fly_rec["launch_azimuth_deg"] < 340.0


def test_fly_launch_azimuth_is_the_azimuth_of_the_flight_plane(fly_rec):
    """``launch_azimuth_deg`` (formerly ``heading_deg``, kept as a deprecated alias) is the
    azimuth at the launch point of the vertical plane the missile pitches over in. Flying the
    same guidance (azimuth, kick, cutoff) on a non-rotating sphere without J2, where no force
    leaves that plane, the initial great-circle bearing from the launch point to the missile's
    position equals it within 0.005 deg at every time (measured 0.0012 deg: the pitch-over
    holds the azimuth at the current point, whose north turns by ~0.01 deg over the first km).
    It is not the great-circle bearing to the target: GeographicLib gives 310.56 deg for
    Kozelsk -> Washington, 5.7 deg more, the aim-off for the Earth's rotation."""
    import numpy as np

    from euroshield import catalog
    from euroshield.flight.engine import Physics, fly_missiles
    from euroshield.flight.vehicles import pack_vehicles

    az = fly_rec["launch_azimuth_deg"]
    assert fly_rec["heading_deg"] == az and "heading_deg" in fly_rec["deprecated"]
    r_sphere = 6371.0088e3
    b = fly_missiles(pack_vehicles([catalog.get_missile("topol-m-like")]), 0, *KOZELSK, az,
                     fly_rec["kick_deg"], fly_rec["cutoff_s"], record=True,
                     physics=Physics(rotating=False, j2=False, sphere_radius_m=r_sphere))
    p1, l1 = np.radians(KOZELSK)
    for t in (20.0, 60.0, float(b.burnout_time_s[0]), 1000.0):
        r = b[0].at(t)[:3]
        p2, l2 = np.arcsin(r[2] / np.linalg.norm(r)), np.arctan2(r[1], r[0])
        bearing = np.degrees(np.arctan2(
            np.sin(l2 - l1) * np.cos(p2),
            np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(l2 - l1))) % 360.0
        assert bearing == pytest.approx(az, abs=0.005), t
    gc = Geodesic.WGS84.Inverse(*KOZELSK, *WASHINGTON)["azi1"] % 360.0
    assert gc - az == pytest.approx(5.7, abs=0.2)


# ---- free-flight -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ff_rec() -> dict:
    return run_json(["free-flight", "--altitude-km", "0", "--speed-kms", "7.2",
                     "--gamma-deg", "22.5", "--json"])


@pytest.fixture(scope="module")
def me_rec() -> dict:
    return run_json(["free-flight", "--range-km", "10000", "--minimum-energy", "--json"])


def test_free_flight_json_keys_and_values(ff_rec):
    """Closed-form free flight from 7.2 km/s at 22.5 deg has the stable keys and reproduces the
    10,000 km row of shared/reference/public-parameters.md A2 (own calculation from the A1
    formulas: 10,000 km, apogee 1,319 km, 32.2 min; the table rounds v to 0.01 km/s)."""
    assert {"range_angle_deg", "ground_range_km", "flight_time_s", "apogee_km"} <= set(ff_rec)
    assert abs(ff_rec["ground_range_km"] - 10000.0) < 150.0
    assert abs(ff_rec["apogee_km"] - 1319.0) < 10.0
    assert abs(ff_rec["flight_time_s"] / 60.0 - 32.2) < 0.2
    # range angle and ground range agree on the default sphere (R = 6371.0088 km)
    assert abs(math.radians(ff_rec["range_angle_deg"]) * 6371.0088
               - ff_rec["ground_range_km"]) < 0.01


def test_minimum_energy_json_matches_published_table(me_rec):
    """Minimum-energy burnout for 10,000 km: speed 7.20 +/- 0.03 km/s, gamma 22.5 deg, apogee
    1,319 km, 32.2 min. Reference: shared/reference/public-parameters.md A2 (own calculation,
    burnout at zero altitude, non-rotating spherical Earth, no drag)."""
    assert {"speed_kms", "gamma_deg", "flight_time_s", "apogee_km"} <= set(me_rec)
    assert abs(me_rec["speed_kms"] - 7.20) <= 0.03
    assert abs(me_rec["gamma_deg"] - 22.5) < 0.1
    assert abs(me_rec["apogee_km"] - 1319.0) < 5.0
    assert abs(me_rec["flight_time_s"] / 60.0 - 32.2) < 0.1


def test_minimum_energy_gamma_is_45_minus_quarter_range_angle(me_rec):
    """A1: with burnout and re-entry at the same radius, gamma = 45 deg - psi/4."""
    psi_deg = math.degrees(10000.0 / 6371.0088)
    assert abs(me_rec["gamma_deg"] - (45.0 - psi_deg / 4.0)) < 1e-3


def test_numeric_free_flight_matches_closed_form(ff_rec):
    """``--numeric`` on a non-rotating sphere integrates the same two-body problem as the Kepler
    closed form: range angle within 0.01 deg, flight time within 1 s, apogee within 1 km."""
    rec = run_json(["free-flight", "--altitude-km", "0", "--speed-kms", "7.2",
                    "--gamma-deg", "22.5", "--numeric", "--earth", "sphere", "--no-rotating",
                    "--json"])
    assert abs(rec["range_angle_deg"] - ff_rec["range_angle_deg"]) < 0.01
    assert abs(rec["flight_time_s"] - ff_rec["flight_time_s"]) < 1.0
    assert abs(rec["apogee_km"] - ff_rec["apogee_km"]) < 1.0


@pytest.mark.parametrize("gamma", ["-5", "0", "-30"])
def test_free_flight_at_or_past_apogee_matches_numeric(gamma):
    """Issue 10: a burnout at gamma <= 0 gave 180 or 360 deg too much (gamma -5 deg, 500 km,
    7 km/s: 392.9 deg instead of 32.9 deg). The closed form now agrees with ``--numeric`` (the
    integrator, non-rotating sphere) within 0.01 deg and 1 s."""
    args = ["free-flight", "--altitude-km", "500", "--speed-kms", "7", "--gamma-deg", gamma]
    closed = run_json([*args, "--json"])
    num = run_json([*args, "--numeric", "--json"])
    assert abs(closed["range_angle_deg"] - num["range_angle_deg"]) < 0.01
    assert abs(closed["flight_time_s"] - num["flight_time_s"]) < 1.0
    assert closed["range_angle_deg"] < 180.0


@pytest.mark.parametrize("args, message", [
    (["--altitude-km", "500", "--speed-kms", "10.9", "--gamma-deg", "10"],
     "10.9 km/s is at or above the escape speed 10.7714 km/s"),
    (["--altitude-km", "500", "--speed-kms", "7.8", "--gamma-deg", "0"],
     "an orbit: its perigee, 500.0 km, is not below the re-entry altitude 0 km"),
    (["--speed-kms", "3", "--gamma-deg", "45", "--reentry-altitude-km", "1000"],
     "--reentry-altitude-km: 1000 km is above the apogee"),
    (["--altitude-km", "100", "--speed-kms", "3", "--gamma-deg", "-10",
      "--reentry-altitude-km", "100"], "the re-entry crossing is behind it"),
])
def test_free_flight_without_reentry_says_why(args, message):
    """No descending crossing of the re-entry altitude: one line naming the cause, exit 2.
    Escape speed sqrt(2 mu / r) at 500 km is 10.7714 km/s; 7.8 km/s level at 500 km is above
    circular speed (7.61 km/s), so the burnout point is the perigee."""
    code, out, err = run(["free-flight", *args])
    assert code == 2 and out == ""
    assert message in " ".join(err.split()), err
    assert len(err.strip().splitlines()) <= 3  # one message (rich may wrap it)


# ---- reach -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reach_rec() -> dict:
    return run_json(["reach", "--missile", "shahab3-like", "--launch", "35.7,51.4",
                     "--azimuth-deg", "300", "--json"])


def test_reach_is_inside_the_published_band(reach_rec):
    """Shahab-3-like maximum range from Tehran on azimuth 300 deg lies in the published band
    1,000-1,500 km (catalogue ``published_range``: ACA 2002, AFP 2003)."""
    assert "max_ground_range_km" in reach_rec
    assert 1000.0 <= reach_rec["max_ground_range_km"] <= 1500.0
    assert reach_rec["missile"] == "shahab3-like"


def test_reach_record_is_consistent(reach_rec):
    """The reported best shot is a full burn whose ground range is the maximum range."""
    assert reach_rec["ground_range_km"] == pytest.approx(reach_rec["max_ground_range_km"],
                                                         abs=0.01)
    assert reach_rec["burnout_time_s"] == pytest.approx(110.0, abs=0.5)  # single 110 s stage


# ---- catalog -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def catalog_list() -> list:
    return run_json(["catalog", "--json"])


def test_catalog_json_lists_four_sourced_missiles(catalog_list):
    """The built-in catalogue has the four generic missiles, every one with public sources."""
    assert isinstance(catalog_list, list)
    assert {m["name"] for m in catalog_list} == KNOWN_MISSILES
    assert len(catalog_list) == len(KNOWN_MISSILES)
    for m in catalog_list:
        assert m["sources"], m["name"]
        assert all(s["title"] for s in m["sources"])


def test_catalog_json_round_trips_the_yaml(catalog_list):
    """``catalog --json`` reports the packaged YAML numbers unchanged (first-stage propellant
    mass and published range of each entry)."""
    text = resources.files("euroshield.catalog").joinpath("missiles.yaml").read_text("utf-8")
    src = {m["name"]: m for m in yaml.safe_load(text)["missiles"]}
    for m in catalog_list:
        s = src[m["name"]]
        assert m["stages"][0]["propellant_mass_kg"] == s["stages"][0]["propellant_mass_kg"]
        assert m["published_range"]["value_km"] == s["published_range"]["value_km"]


def test_catalog_table_exits_zero():
    """``catalog`` without ``--json`` prints a table naming every missile and exits 0."""
    code, out, err = run(["catalog"])
    assert code == 0, err
    for name in KNOWN_MISSILES:
        assert name in out


def test_catalog_json_end_to_end():
    """The installed console script prints the same catalogue as strict JSON."""
    r = subprocess.run([str(EXE), "catalog", "--json"], capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout, parse_constant=_reject_nan)
    assert {m["name"] for m in data} == KNOWN_MISSILES


def test_no_arguments_prints_help():
    """``euroshield`` with no arguments prints the help and exits 0 (``no_args_is_help``)."""
    code, out, _ = run([])
    assert code == 0
    assert "fly" in out and "catalog" in out


# ---- study -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def study_doc() -> dict:
    return run_json(["routes", "--json"])


def test_study_routes_all_converge(study_doc):
    """Every default route of catalog/routes.yaml is flown, converged, and lands < 1 km from
    its target."""
    text = resources.files("euroshield.catalog").joinpath("routes.yaml").read_text("utf-8")
    routes = yaml.safe_load(text)["routes"]
    rows = study_doc["routes"]
    assert len(rows) == sum(len(rs) for rs in routes.values())
    assert {r["missile"] for r in rows} == set(routes)
    for r in rows:
        assert r["converged"] is True, r["route"]
        assert r["miss_km"] is not None and r["miss_km"] < 1.0, r["route"]
        assert {"ground_range_km", "flight_time_s", "apogee_km", "launch_azimuth_deg",
                "heading_deg"} <= set(r)
        assert r["heading_deg"] == r["launch_azimuth_deg"]  # the deprecated alias


def test_study_agrees_with_fly(study_doc, fly_rec):
    """The study's Kozelsk -> Washington route (coordinates rounded differently by < 0.004 deg)
    matches the stand-alone ``fly`` shot: same range within 2 km, same flight time within 5 s."""
    row = next(r for r in study_doc["routes"] if r["route"] == "kozelsk -> washington")
    assert abs(row["ground_range_km"] - fly_rec["ground_range_km"]) < 2.0
    assert abs(row["flight_time_s"] - fly_rec["flight_time_s"]) < 5.0


def test_fly_csv_time_series(tmp_path):
    """``fly --csv`` writes the trajectory: time increasing from 0, the first row on the launch
    point at the ground, the last row on the target (within 0.01 deg) at the ground."""
    import numpy as np

    path = tmp_path / "traj.csv"
    run_json(["fly", "--launch", "{},{}".format(*KOZELSK), "--target",
              "{},{}".format(*WASHINGTON), "--csv", str(path), "--json"])
    data = np.genfromtxt(path, delimiter=",", names=True)
    assert data["time_s"][0] == 0.0 and np.all(np.diff(data["time_s"]) > 0)
    assert data["lat_deg"][0] == pytest.approx(KOZELSK[0], abs=1e-6)
    assert abs(data["altitude_km"][0]) < 1e-6 and abs(data["altitude_km"][-1]) < 1e-3
    assert data["lat_deg"][-1] == pytest.approx(WASHINGTON[0], abs=0.01)
    assert data["lon_deg"][-1] == pytest.approx(WASHINGTON[1], abs=0.01)
    assert data["altitude_km"].max() > 1000.0
