"""Command line: ``euroshield fly | free-flight | reach | catalog | study``.

Bad input never shows a traceback: it prints one line naming the field and what is allowed, and
exits with code 2. JSON key names printed with ``--json`` are a stable interface.
"""

from __future__ import annotations

import json
import math
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from euroshield import __version__
from euroshield.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="euroshield: physics of the U.S.-NATO European missile defence shield.",
    pretty_exceptions_enable=False,
)
out = Console()
if not out.is_terminal:  # piped output: do not squeeze tables into 80 columns
    out = Console(width=160)
# errors are one line whatever the terminal width: never hard-wrap them
err = Console(stderr=True, soft_wrap=True)

# typer >= 0.2x vendors its own copy of click (and no longer installs click); older typer
# releases use click itself
try:  # pragma: no cover - depends on the installed typer
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx

_CLICK_ERRORS: tuple = (_cx.ClickException,)
_NO_ARGS: tuple = tuple(getattr(_cx, n) for n in ("NoArgsIsHelpError",) if hasattr(_cx, n))
_ABORT: tuple = (typer.Abort,) + ((_cx.Abort,) if hasattr(_cx, "Abort") else ())


class Shape(StrEnum):
    minimum_energy = "minimum-energy"
    lofted = "lofted"
    depressed = "depressed"


class EarthModel(StrEnum):
    sphere = "sphere"
    wgs84 = "wgs84"


# ---- input parsing ---------------------------------------------------------------------------
def finite(value: float, field: str, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False) -> float:
    """Check a number is finite and inside [lo, hi] (or (lo, hi] with ``lo_open``)."""
    if value is None or not math.isfinite(value):
        raise InputError(f"{field}: must be a finite number; got {value}")
    bad_lo = lo is not None and (value <= lo if lo_open else value < lo)
    bad_hi = hi is not None and value > hi
    if bad_lo or bad_hi:
        left = "(" if lo_open else "["
        raise InputError(f"{field}: {value:g} is outside the allowed range {left}{lo:g}, {hi:g}]")
    return value


def parse_point(text: str, field: str) -> tuple[float, float]:
    """'LAT,LON' in degrees (WGS84), or a catalogue place name -> (lat, lon), lon in
    [-180, 180)."""
    if "," not in str(text) and str(text).strip() and str(text).strip()[0] not in "+-.0123456789":
        from euroshield import catalog

        name = str(text).strip().lower()
        known = catalog.places()
        if name not in known:
            raise InputError(f"{field}: expected LAT,LON in degrees or a place name; unknown "
                             f"place {text!r} (see `euroshield catalog places`)")
        return known[name].lat, known[name].lon
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 2:
        raise InputError(f"{field}: expected LAT,LON in degrees (e.g. 54.03,35.77); got {text!r}")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(
            f"{field}: expected LAT,LON in degrees (e.g. 54.03,35.77); got {text!r}"
        ) from None
    finite(lat, f"{field} latitude", -90.0, 90.0)
    finite(lon, f"{field} longitude", -180.0, 360.0)
    if not -180.0 <= lon < 180.0:
        lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon


@contextmanager
def working(message: str):
    """A spinner on stderr for anything that may take more than a moment (first runs compile the
    numerical kernels, which takes tens of seconds once)."""
    if not err.is_terminal:
        yield
        return
    from euroshield._jitcache import is_cold

    if is_cold():
        message += " — first run: compiling the numerical kernels (about 40 s, once)"
    with err.status(message):
        yield


def write_trajectory_csv(traj, path: Path) -> None:
    """Time series of one trajectory: time, geodetic position, Earth-fixed state, speeds."""
    import numpy as np

    t = traj.times_s
    lat, lon, h = traj.geodetic()
    e = traj.ecef()
    cols = np.column_stack([t, lat, lon, h / 1e3, e[:, :3] / 1e3, e[:, 3:] / 1e3,
                            np.linalg.norm(e[:, 3:], axis=1) / 1e3, traj.speed_m_s() / 1e3])
    header = ("time_s,lat_deg,lon_deg,altitude_km,x_ecef_km,y_ecef_km,z_ecef_km,vx_ecef_kms,"
              "vy_ecef_kms,vz_ecef_kms,speed_ecef_kms,speed_eci_kms")
    try:
        np.savetxt(path, cols, delimiter=",", header=header, comments="", fmt="%.6f")
    except OSError as exc:
        raise InputError(f"--csv: cannot write {path}: {exc.strerror or exc}") from None


def emit(record: dict | list, as_json: bool, title: str = "") -> None:
    if as_json:
        out.print_json(json.dumps(record))
        return
    table = Table(title=title or None, show_header=True, header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in record.items():
        if isinstance(v, dict | list):
            v = json.dumps(v)
        table.add_row(k, "—" if v is None else f"{v:,}" if isinstance(v, int | float) else str(v))
    out.print(table)


def _meta(**params) -> dict:
    import numpy

    return {"euroshield_version": __version__, "numpy_version": numpy.__version__, **params}


# ---- commands --------------------------------------------------------------------------------
@app.command()
def fly(
    launch: str = typer.Option(..., help="launch point LAT,LON (degrees, WGS84) or place name"),
    target: str = typer.Option(..., help="target point LAT,LON (degrees, WGS84) or place name"),
    missile: str = typer.Option("topol-m-like", help="catalogue missile name"),
    shape: Shape = typer.Option(Shape.minimum_energy, help="trajectory shape"),
    apogee_km: float = typer.Option(None, help="apogee height for --shape lofted [km]"),
    gamma_deg: float = typer.Option(None, help="burnout flight-path angle for --shape depressed"),
    catalog_file: Path = typer.Option(None, "--catalog", help="extra catalogue YAML file"),
    csv: Path = typer.Option(None, help="also write the trajectory samples to this CSV file"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
):
    """Aim a missile at a target on the rotating Earth and fly it (boost, free flight, re-entry)."""
    from euroshield import catalog
    from euroshield.earth import geodesy
    from euroshield.flight import aiming
    from euroshield.flight.summary import flight_record

    lat0, lon0 = parse_point(launch, "--launch")
    lat1, lon1 = parse_point(target, "--target")
    if shape is Shape.lofted:
        if apogee_km is None:
            raise InputError("--apogee-km is required with --shape lofted")
        finite(apogee_km, "--apogee-km", 50.0, 10000.0)
    if shape is Shape.depressed:
        if gamma_deg is None:
            raise InputError("--gamma-deg is required with --shape depressed")
        finite(gamma_deg, "--gamma-deg", 0.0, 60.0, lo_open=True)
    m = catalog.get_missile(missile, catalog_file)
    if csv is not None and not csv.resolve().parent.is_dir():
        raise InputError(f"--csv: directory {csv.resolve().parent} does not exist")
    dist, _, _ = geodesy.inverse(lat0, lon0, lat1, lon1)
    if float(dist) < 50e3:
        raise InputError(f"--target: {float(dist) / 1e3:.1f} km from the launch point; "
                         "ballistic shots need at least 50 km")
    with working(f"aiming {m.name} ({shape.value})"):
        res = aiming.aim_one(m, (lat0, lon0), (lat1, lon1), shape=shape.value,
                             apogee_km=apogee_km, gamma_deg=gamma_deg, record=csv is not None)
    if csv is not None:
        write_trajectory_csv(res.batch[0], csv)
    rec = flight_record(res.batch, 0)
    rec = {
        **rec,
        "heading_deg": round(float(res.azimuth_deg[0]), 4),
        "miss_km": round(float(res.miss_m[0]) / 1e3, 4),
        "kick_deg": round(float(res.kick_deg[0]), 4),
        "cutoff_s": round(float(res.cutoff_s[0]), 3),
        "missile": m.name,
        "shape": shape.value,
        "launch": [lat0, lon0],
        "target": [lat1, lon1],
    }
    if as_json:
        rec["meta"] = _meta(physics="rotating WGS84, J2, US76 drag")
    emit(rec, as_json, title=f"{m.name}: {launch} -> {target} ({shape.value})")


@app.command("free-flight")
def free_flight(
    altitude_km: float = typer.Option(0.0, help="burnout altitude [km]"),
    speed_kms: float = typer.Option(None, help="burnout speed [km/s]"),
    gamma_deg: float = typer.Option(None, help="burnout flight-path angle [deg]"),
    range_km: float = typer.Option(None, help="free-flight ground range [km]"),
    minimum_energy: bool = typer.Option(False, "--minimum-energy",
                                        help="solve the minimum-energy burnout for --range-km"),
    earth_radius_km: float = typer.Option(6371.0088, help="sphere radius [km]"),
    reentry_altitude_km: float = typer.Option(0.0, help="altitude where free flight ends [km]"),
    numeric: bool = typer.Option(False, "--numeric", help="integrate instead of the closed form"),
    earth: EarthModel = typer.Option(EarthModel.sphere, help="Earth model for --numeric"),
    rotating: bool = typer.Option(
        False, "--rotating/--no-rotating",
        help="rotating Earth for --numeric (speed is then Earth-relative)"),
    azimuth_deg: float = typer.Option(90.0, help="heading for --numeric [deg]"),
    lat: float = typer.Option(0.0, help="burnout sub-point latitude for --numeric"),
    lon: float = typer.Option(0.0, help="burnout sub-point longitude for --numeric"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
):
    """Free flight from burnout: Kepler closed form on a sphere, or --numeric integration."""
    from euroshield.flight import summary

    finite(earth_radius_km, "--earth-radius-km", 1000.0, 100000.0)
    finite(altitude_km, "--altitude-km", 0.0, 5000.0)
    finite(reentry_altitude_km, "--reentry-altitude-km", 0.0, 5000.0)
    if minimum_energy:
        if range_km is None:
            raise InputError("--minimum-energy needs --range-km")
        finite(range_km, "--range-km", 0.0, math.pi * earth_radius_km, lo_open=True)
        rec = summary.minimum_energy_closed(range_km, altitude_km, earth_radius_km,
                                            reentry_altitude_km)
        if numeric:
            # fly the unrounded burnout state (rounding the speed to 0.1 m/s moves the impact
            # by ~100 m at 10,000 km)
            v, g = summary.minimum_energy_state(range_km, altitude_km, earth_radius_km,
                                                reentry_altitude_km)
            num = summary.free_flight_numeric(
                altitude_km, v / 1e3, g, earth.value, rotating,
                earth_radius_km, reentry_altitude_km, lat, lon, azimuth_deg)
            rec = {**rec, "numeric": num}
        emit(rec, as_json, "minimum-energy free flight")
        return
    if speed_kms is None or gamma_deg is None:
        raise InputError("free-flight needs --speed-kms and --gamma-deg (or --range-km with "
                         "--minimum-energy)")
    finite(speed_kms, "--speed-kms", 0.0, 11.0, lo_open=True)
    finite(gamma_deg, "--gamma-deg", -90.0, 90.0)
    finite(azimuth_deg, "--azimuth-deg", -360.0, 360.0)
    finite(lat, "--lat", -90.0, 90.0)
    finite(lon, "--lon", -180.0, 360.0)
    if numeric:
        with working("integrating"):
            rec = summary.free_flight_numeric(altitude_km, speed_kms, gamma_deg, earth.value,
                                              rotating, earth_radius_km, reentry_altitude_km,
                                              lat, lon, azimuth_deg)
    else:
        rec = summary.free_flight_closed(altitude_km, speed_kms, gamma_deg, earth_radius_km,
                                         reentry_altitude_km)
    if rec["range_angle_deg"] is None:
        raise InputError("--speed-kms/--gamma-deg: this burnout state does not come back down to "
                         "the re-entry altitude (orbit or escape)")
    emit(rec, as_json, "free flight")


@app.command()
def reach(
    missile: str = typer.Option("topol-m-like", help="catalogue missile name"),
    launch: str = typer.Option(..., help="launch point LAT,LON or place name"),
    azimuth_deg: float = typer.Option(..., help="launch heading [deg from north]"),
    catalog_file: Path = typer.Option(None, "--catalog", help="extra catalogue YAML file"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
):
    """Maximum ground range on a launch heading (best full-burn shot, rotating Earth)."""
    from euroshield import catalog
    from euroshield.flight import aiming
    from euroshield.flight.summary import flight_record

    lat0, lon0 = parse_point(launch, "--launch")
    finite(azimuth_deg, "--azimuth-deg", -360.0, 360.0)
    m = catalog.get_missile(missile, catalog_file)
    with working(f"searching the best shot of {m.name}"):
        r = aiming.reach(m, lat0, lon0, azimuth_deg)
    if not math.isfinite(float(r.max_ground_range_m[0])):
        raise InputError(f"--missile {m.name}: no full-burn shot on azimuth {azimuth_deg:g} deg "
                         "comes back to the ground (every trial failed during boost)")
    rec = {"max_ground_range_km": round(float(r.max_ground_range_m[0]) / 1e3, 3),
           **flight_record(r.batch, 0), "kick_deg": round(float(r.kick_deg[0]), 4),
           "missile": m.name, "launch": [lat0, lon0], "azimuth_deg": azimuth_deg}
    emit(rec, as_json, f"reach of {m.name} on azimuth {azimuth_deg:g} deg")


@app.command("catalog")
def catalog_cmd(
    kind: str = typer.Argument("missiles",
                               help="what to list: missiles, places, interceptors, radars"),
    catalog_file: Path = typer.Option(None, "--catalog", help="extra catalogue YAML file"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
):
    """List catalogue entries with their sources."""
    from euroshield import catalog

    if kind not in catalog.KINDS:
        raise InputError(f"KIND: unknown catalogue kind {kind!r}; known: "
                         f"{', '.join(catalog.KINDS)}")
    from euroshield.defense.interceptors import interceptors
    from euroshield.defense.radar import radars

    def sources(entry, width=70):
        return "; ".join(src.title[:width] + (f" ({src.year})" if src.year else "")
                         for src in entry.sources)

    def missile_row(m):
        pr = m.published_range
        rng = f"{pr.value_km:,.0f}" + (f" ({pr.min_km:,.0f}–{pr.max_km:,.0f})"
                                       if pr.min_km and pr.max_km else "")
        return (m.name, f"{m.missile_class} {m.propellant}", str(len(m.stages)),
                f"{m.launch_mass_kg:,.0f}", rng, sources(m, 60))

    def radar_row(r):
        sector = ("full" if r.boresight_azimuth_deg is None
                  else f"{r.boresight_azimuth_deg:g} ± {r.half_width_deg:g}")
        return (r.name, f"{r.lat:.4f}", f"{r.lon:.4f}", sector,
                f"{r.reference_range_km:,.0f} @ {r.reference_rcs_m2:g} m²", r.description,
                sources(r))

    listings = {  # kind -> (entries, columns, row)
        "missiles": (lambda: catalog.missiles(catalog_file),
                     ("name", "class", "stages", "launch mass kg", "published range km",
                      "sources"), missile_row),
        "places": (catalog.places,
                   ("name", "kind", "lat", "lon", "± km", "description", "source"),
                   lambda p: (p.name, p.kind, f"{p.lat:.4f}", f"{p.lon:.4f}",
                              f"{p.uncertainty_km:g}", p.description, p.source)),
        "interceptors": (interceptors,
                         ("name", "burnout km/s", "label", "burn s", "intercept altitude km",
                          "description", "sources"),
                         lambda i: (i.name, f"{i.burnout_speed_kms:g}", i.speed_label,
                                    f"{i.burn_time_s:g}",
                                    f"{i.min_intercept_altitude_km:g}-"
                                    f"{i.max_intercept_altitude_km:g}", i.description,
                                    sources(i))),
        "radars": (radars, ("name", "lat", "lon", "sector deg", "range km @ RCS",
                            "description", "sources"), radar_row),
    }
    entries, columns, row = listings[kind]
    items = entries().values()
    if as_json:
        out.print_json(json.dumps([e.model_dump(mode="json") for e in items]))
        return
    t = Table(title=kind, header_style="bold")
    for c in columns:
        t.add_column(c)
    for e in items:
        t.add_row(*row(e))
    out.print(t)


@app.command()
def deterrence(
    scenario_ref: str = typer.Option(None, "--scenario", help="built-in scenario or YAML file"),
    interceptor_speed_kms: float = typer.Option(
        None, help="give every interceptor this burnout speed (same burn time)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
):
    """Can the shield engage Russian ICBMs flying to the United States? (first version: verdicts,
    reasons and intercept points; flip thresholds, attrition and the map are still to come)."""
    from euroshield import scenario
    from euroshield.studies.deterrence import deterrence as run_deterrence

    if interceptor_speed_kms is not None:
        finite(interceptor_speed_kms, "--interceptor-speed-kms", 0.5, 12.0, lo_open=True)
    sc = scenario.load(scenario_ref)
    with working(f"deterrence study: {sc.name}"):
        r = run_deterrence(sc, interceptor_speed_kms)
    if as_json:
        out.print_json(json.dumps({"scenario": r.scenario, "assumptions": r.assumptions,
                                   "routes": r.routes, "summary": r.summary(),
                                   "meta": _meta()}))
        return
    t = Table(title=f"{r.scenario}: engageable routes (of {len(sc.threats.bases)} bases x "
                    f"{len(sc.threats.targets)} targets)", header_style="bold")
    for c in ("site / interceptor", "engageable", "most common reason otherwise"):
        t.add_column(c)
    from collections import Counter

    for key, v in r.summary().items():
        site, ic = key.split("/")
        reasons = Counter(x["reason"].split(" (")[0] for x in r.routes
                          if x["site"] == site and x["interceptor"] == ic and x["reason"])
        common = reasons.most_common(1)[0][0] if reasons else ""
        t.add_row(key, f"{v['engageable']} / {v['routes']}", common)
    out.print(t)
    a = r.assumptions
    out.print(f"assumptions: missile {a['missile']}, radars {', '.join(a['radars']) or 'none'}, "
              f"RCS {a['rcs_m2']} m², decision delay {a['decision_delay_s']} s after a "
              "launch-quality track", markup=False, highlight=False)


scenario_app = typer.Typer(help="Scenario files: list, show, JSON Schema.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("schema")
def scenario_schema():
    """Print the JSON Schema of the scenario format (for editors)."""
    from euroshield import scenario

    out.print(scenario.json_schema(), markup=False, highlight=False, soft_wrap=True)


@scenario_app.command("list")
def scenario_list():
    """List the built-in scenarios."""
    from euroshield import scenario

    for name in scenario.builtin_names():
        sc = scenario.load(name)
        out.print(f"{name}: {sc.description.strip()}", markup=False, highlight=False)


@scenario_app.command("show")
def scenario_show(
    ref: str = typer.Argument("shield-today", help="built-in scenario name or YAML file"),
):
    """Validate a scenario and print it as effective YAML."""
    import yaml

    from euroshield import scenario

    sc = scenario.load(ref)
    out.print(yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False), markup=False,
              highlight=False, soft_wrap=True)


@app.command()
def study(
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
):
    """The main job on the built-in default: fly every catalogue missile on its default routes."""
    from euroshield.studies.routes import fly_default_routes

    with working("flying the default routes"):
        rows = fly_default_routes()
    if as_json:
        out.print_json(json.dumps({"routes": rows, "meta": _meta()}))
        return
    t = Table(title="default routes (minimum-energy, rotating WGS84 Earth, J2, US76 drag)",
              header_style="bold")
    cols = [("missile", "missile"), ("route", "route"), ("range km", "ground_range_km"),
            ("flight s", "flight_time_s"), ("apogee km", "apogee_km"),
            ("burnout s", "burnout_time_s"), ("burnout km/s", "burnout_speed_kms"),
            ("gamma deg", "burnout_gamma_deg"), ("miss km", "miss_km")]
    for c, _ in cols:
        t.add_column(c, justify="left" if c in ("missile", "route") else "right")
    for r in rows:
        t.add_row(*[("—" if r.get(k) is None else f"{r[k]:,.3f}" if k == "miss_km"
                     else f"{r[k]:,.1f}" if isinstance(r[k], float) else str(r[k]))
                    for _, k in cols])
    out.print(t)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and turn every input problem into one line + exit code 2."""
    try:
        app(args=argv, standalone_mode=False)
    except InputError as exc:
        err.print(f"euroshield: error: {exc}", markup=False, highlight=False)
        return 2
    except ValidationError as exc:
        from euroshield.catalog import format_validation_error

        err.print(f"euroshield: error: {format_validation_error(exc, 'input')}", markup=False)
        return 2
    except _ABORT:
        err.print("euroshield: aborted", markup=False)
        return 130
    except _NO_ARGS:
        return 0
    except _CLICK_ERRORS as exc:
        msg = " ".join(exc.format_message().split())
        err.print(f"euroshield: error: {msg}", markup=False, highlight=False)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
