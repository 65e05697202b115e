"""Command line: ``euroshield fly | free-flight | reach | catalog | deterrence | footprint |
study | campaign | papers | architectures | routes | scenario | serve``.

Bad input never shows a traceback: it prints one line naming the field and what is allowed, and
exits with code 2. JSON key names printed with ``--json`` are a stable interface.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from euroshield import __version__
from euroshield.earth.constants import R_MEAN_EARTH
from euroshield.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="euroshield: physics of the U.S.-NATO European missile defence shield.",
    pretty_exceptions_enable=False,
)


class OutputError(Exception):
    """Standard output cannot be written (a full disk, a closed pipe): not the user's input."""

    def __init__(self, exc: OSError):
        super().__init__(exc.strerror or str(exc))
        self.errno = exc.errno


class _Stdout:
    """``sys.stdout`` for rich, looked up at every write (so redirections work); a failed
    write becomes :class:`OutputError`, which ``main`` turns into one line."""

    def __getattr__(self, name):
        return getattr(sys.stdout, name)

    def write(self, text: str) -> int:
        try:
            return sys.stdout.write(text)
        except OSError as exc:
            raise OutputError(exc) from None

    def flush(self) -> None:
        try:
            sys.stdout.flush()
        except OSError as exc:
            raise OutputError(exc) from None


out = Console(file=_Stdout())
if not out.is_terminal:  # piped output: do not squeeze tables into 80 columns
    out = Console(file=_Stdout(), width=160)
# errors are one line whatever the terminal width: never hard-wrap them
err = Console(stderr=True, soft_wrap=True)


def _print_json(text: str) -> None:
    """Print a JSON document: highlighted on a terminal, as plain indented text otherwise
    (rich re-parses and highlights the whole document: 2 s for a deterrence study's)."""
    if out.is_terminal:
        out.print_json(text)
        return
    out.file.write(json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n")
    out.file.flush()


def _step_printer(as_json: bool):
    """A ``progress(message)`` callback printing each step to stderr, indented; silent with
    --json or when stderr is no terminal."""
    quiet = as_json or not err.is_terminal

    def progress(msg: str) -> None:
        if not quiet:
            err.print(f"  {msg}", markup=False, highlight=False)

    return progress


def _write_then_json(doc: dict, out_dir, what: str, write, as_json: bool):
    """The tail every study command shares: ``write(tmp)`` the --out files into a folder that
    appears whole or not at all, then, with --json, print the document. Returns what
    ``write`` returned, or True when the JSON was printed (the caller stops there)."""
    from euroshield.report.folders import atomic_folder, shown

    written = None
    if out_dir is not None:
        with working(f"writing {shown(out_dir)}"), atomic_folder(out_dir, what=what) as tmp:
            written = write(tmp)
    if as_json:
        _print_json(json.dumps(doc, allow_nan=False))
        return True
    return written

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
        low = "-inf" if lo is None else f"{lo:g}"
        high = "inf" if hi is None else f"{hi:g}"
        raise InputError(f"{field}: {value:g} is outside the allowed range {left}{low}, {high}]")
    return value


def integer(text: str | int, field: str, lo: int, hi: int) -> int:
    """A whole number written as digits (``8000``; not ``8000.0``, ``8_000`` or ``1e3``) inside
    [lo, hi]."""
    s = str(text).strip()
    if not re.fullmatch(r"[+-]?[0-9]+", s) or len(s) > 30:
        raise InputError(f"{field}: expected a whole number in [{lo}, {hi}]; got {str(text)!r}")
    value = int(s)
    if not lo <= value <= hi:
        raise InputError(f"{field}: {value} is outside the allowed range [{lo}, {hi}]")
    return value


def path_text(text: str, field: str) -> Path:
    """A file or folder name from the command line; an empty one (which would mean the current
    folder) is refused."""
    if str(text) == "":
        raise InputError(f"{field}: an empty path (it would mean the current folder); give a "
                         "file or folder name")
    return Path(text)


def schema_bounds(model, field: str) -> tuple:
    """The inclusive (ge, le) bounds of a pydantic model field, so that an option states the
    range its schema enforces."""
    lo = hi = None
    for m in model.model_fields[field].metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return lo, hi


def given(ctx: typer.Context, name: str) -> bool:
    """True when the option ``name`` (its parameter name) was set on the command line."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


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


def _check_csv(path: Path) -> None:
    """Before computing: ``--csv`` names a file in an existing folder."""
    try:
        folder = path.resolve().parent
        if path.is_dir():
            raise InputError(f"--csv: {path} is a folder; give a file name")
        if not folder.is_dir():
            raise InputError(f"--csv: directory {folder} does not exist")
    except (OSError, RuntimeError) as exc:  # name too long, a symbolic link loop
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"--csv: cannot use {path}: {reason}") from None


def emit(record: dict | list, as_json: bool, title: str = "") -> None:
    if as_json:
        _print_json(json.dumps(record))
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


# what the launch azimuth of `fly` and `routes` is, and the name it had before
LAUNCH_AZIMUTH_NOTE = (
    "azimuth [deg clockwise from geocentric north at the launch point] of the vertical plane in "
    "which the missile pitches over: the solved guidance command. It is not the great-circle "
    "bearing to the target (it includes the aim-off for the Earth's rotation during the "
    "flight) nor the direction of the velocity later on (the Coriolis force bends the path)")
DEPRECATED_HEADING = ("same value as launch_azimuth_deg, under its old name: kept for one "
                      "release after 0.1.0, then removed")


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
    if apogee_km is not None and shape is not Shape.lofted:
        raise InputError(f"--apogee-km: only used with --shape lofted (not {shape.value})")
    if gamma_deg is not None and shape is not Shape.depressed:
        raise InputError(f"--gamma-deg: only used with --shape depressed (not {shape.value})")
    if shape is Shape.lofted:
        if apogee_km is None:
            raise InputError("--apogee-km is required with --shape lofted")
        finite(apogee_km, "--apogee-km", 50.0, 10000.0)
    if shape is Shape.depressed:
        if gamma_deg is None:
            raise InputError("--gamma-deg is required with --shape depressed")
        finite(gamma_deg, "--gamma-deg", 0.0, 60.0, lo_open=True)
    if csv is not None:
        _check_csv(csv)
    m = catalog.get_missile(missile, catalog_file)
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
        # the solved guidance: azimuth of the pitch-over plane at the launch point (see
        # LAUNCH_AZIMUTH_NOTE); it was called heading_deg, kept below as a deprecated alias
        "launch_azimuth_deg": round(float(res.azimuth_deg[0]), 4),
        "miss_km": round(float(res.miss_m[0]) / 1e3, 4),
        "kick_deg": round(float(res.kick_deg[0]), 4),
        "cutoff_s": round(float(res.cutoff_s[0]), 3),
        "missile": m.name,
        "shape": shape.value,
        "launch": [lat0, lon0],
        "target": [lat1, lon1],
    }
    if as_json:
        rec["heading_deg"] = rec["launch_azimuth_deg"]  # deprecated alias, one release
        rec["deprecated"] = {"heading_deg": DEPRECATED_HEADING}
        rec["meta"] = _meta(physics="rotating WGS84, J2, US76 drag",
                            launch_azimuth_deg=LAUNCH_AZIMUTH_NOTE)
    emit(rec, as_json, title=f"{m.name}: {launch} -> {target} ({shape.value})")


@app.command("free-flight")
def free_flight(
    ctx: typer.Context,
    altitude_km: float = typer.Option(0.0, help="burnout altitude [km]"),
    speed_kms: float = typer.Option(None, help="burnout speed [km/s]"),
    gamma_deg: float = typer.Option(None, help="burnout flight-path angle [deg]"),
    range_km: float = typer.Option(None, help="free-flight ground range [km]"),
    minimum_energy: bool = typer.Option(False, "--minimum-energy",
                                        help="solve the minimum-energy burnout for --range-km"),
    earth_radius_km: float = typer.Option(R_MEAN_EARTH / 1e3, help="sphere radius [km]"),
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

    # every number is checked before anything is computed, whichever branch runs
    finite(earth_radius_km, "--earth-radius-km", 1000.0, 100000.0)
    finite(altitude_km, "--altitude-km", 0.0, 5000.0)
    finite(reentry_altitude_km, "--reentry-altitude-km", 0.0, 5000.0)
    finite(azimuth_deg, "--azimuth-deg", -360.0, 360.0)
    finite(lat, "--lat", -90.0, 90.0)
    finite(lon, "--lon", -180.0, 360.0)
    if not numeric:  # options of the integration only: refuse rather than ignore them
        for name, option in (("earth", "--earth"), ("rotating", "--rotating/--no-rotating"),
                             ("azimuth_deg", "--azimuth-deg"), ("lat", "--lat"),
                             ("lon", "--lon")):
            if given(ctx, name):
                raise InputError(f"{option}: only used with --numeric (the closed form is a "
                                 "non-rotating sphere)")
    if minimum_energy:
        for value, option in ((speed_kms, "--speed-kms"), (gamma_deg, "--gamma-deg")):
            if value is not None:
                raise InputError(f"{option}: not used with --minimum-energy (the burnout state "
                                 "is solved for --range-km)")
        if range_km is None:
            raise InputError("--minimum-energy needs --range-km")
        # below 1 km the burnout speed is a few m/s and the solution is all rounding error
        finite(range_km, "--range-km", 1.0, math.pi * earth_radius_km)
        import numpy as np

        with np.errstate(all="ignore"):  # a degenerate ellipse is reported below, not warned
            rec = summary.minimum_energy_closed(range_km, altitude_km, earth_radius_km,
                                                reentry_altitude_km)
        if any(v is None or (isinstance(v, float) and not math.isfinite(v))
               for v in rec.values()):
            raise InputError(
                f"--range-km: no usable minimum-energy ellipse over {range_km:g} km from "
                f"{altitude_km:g} km down to {reentry_altitude_km:g} km (a nearly vertical "
                "shot); give a longer --range-km or closer --altitude-km and "
                "--reentry-altitude-km")
        if numeric:
            # fly the unrounded burnout state (rounding the speed to 0.1 m/s moves the impact
            # by ~100 m at 10,000 km)
            v, g = summary.minimum_energy_state(range_km, altitude_km, earth_radius_km,
                                                reentry_altitude_km)
            with working("integrating"):
                num = summary.free_flight_numeric(
                    altitude_km, v / 1e3, g, earth.value, rotating,
                    earth_radius_km, reentry_altitude_km, lat, lon, azimuth_deg)
            rec = {**rec, "numeric": num}
        emit(rec, as_json, "minimum-energy free flight")
        return
    if range_km is not None:
        raise InputError("--range-km: only used with --minimum-energy (give --speed-kms and "
                         "--gamma-deg, or add --minimum-energy)")
    if speed_kms is None or gamma_deg is None:
        raise InputError("free-flight needs --speed-kms and --gamma-deg (or --range-km with "
                         "--minimum-energy)")
    finite(speed_kms, "--speed-kms", 0.0, 11.0, lo_open=True)
    finite(gamma_deg, "--gamma-deg", -90.0, 90.0)
    if numeric:
        with working("integrating"):
            rec = summary.free_flight_numeric(altitude_km, speed_kms, gamma_deg, earth.value,
                                              rotating, earth_radius_km, reentry_altitude_km,
                                              lat, lon, azimuth_deg)
    else:
        rec = summary.free_flight_closed(altitude_km, speed_kms, gamma_deg, earth_radius_km,
                                         reentry_altitude_km)
    if rec["range_angle_deg"] is None:
        if numeric and (rotating or earth is not EarthModel.sphere):
            raise InputError("--speed-kms/--gamma-deg: this burnout state does not come back "
                             "down to the re-entry altitude (orbit or escape)")
        raise InputError(_no_reentry_message(altitude_km, speed_kms, gamma_deg, earth_radius_km,
                                             reentry_altitude_km))
    emit(rec, as_json, "free flight")


def _no_reentry_message(altitude_km: float, speed_kms: float, gamma_deg: float,
                        earth_radius_km: float, reentry_altitude_km: float) -> str:
    """One line saying why a burnout state never descends through the re-entry altitude
    (two-body diagnosis on the sphere)."""
    from euroshield.flight.kepler import NoReentry, no_reentry_reason

    r_km = earth_radius_km
    why, value = no_reentry_reason((r_km + altitude_km) * 1e3, speed_kms * 1e3,
                                   math.radians(gamma_deg), (r_km + reentry_altitude_km) * 1e3)
    if why is NoReentry.ESCAPE:
        return (f"--speed-kms/--gamma-deg: {speed_kms:g} km/s is at or above the escape speed "
                f"{value / 1e3:.4f} km/s at {altitude_km:g} km altitude (a parabola or "
                "hyperbola never comes back); give a lower speed")
    if why is NoReentry.ORBIT:
        return (f"--speed-kms/--gamma-deg: an orbit: its perigee, {value / 1e3 - r_km:,.1f} km, "
                f"is not below the re-entry altitude {reentry_altitude_km:g} km")
    if why is NoReentry.BELOW:
        return (f"--reentry-altitude-km: {reentry_altitude_km:g} km is above the apogee, "
                f"{value / 1e3 - r_km:,.1f} km, of this burnout state")
    return (f"--gamma-deg: {gamma_deg:g} deg at {altitude_km:g} km: the burnout is at or below "
            f"the re-entry altitude {reentry_altitude_km:g} km and not climbing, so the "
            "re-entry crossing is behind it")


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
                               help="what to list: missiles, places, interceptors, radars, "
                                    "launch-areas, capitals, architectures"),
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

    def launch_area_row(a):  # one line per point inside the cells
        return (a.name, "\n".join(p.name for p in a.points),
                "\n".join(f"{p.lat:.4f}" for p in a.points),
                "\n".join(f"{p.lon:.4f}" for p in a.points),
                "\n".join(f"{p.uncertainty_km:g}" for p in a.points), a.description, a.source)

    def architecture_row(a):
        arch = a.architecture
        systems = "\n".join(f"{x['name']}: {', '.join(map(str, x.get('sensors', [])))}"
                             for x in arch.get("systems", []))
        links = "\n".join(f"{k['from']} -> {k['to']}: {k.get('sharing', 'none')}"
                           for k in arch.get("links", []))
        return (a.name, str(arch.get("kind", "")), systems, links, a.description, sources(a))

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
        "launch-areas": (catalog.launch_areas,
                         ("name", "points", "lat", "lon", "± km", "description", "source"),
                         launch_area_row),
        "capitals": (catalog.capitals,
                     ("name", "label", "country", "lat", "lon", "NATO", "EU", "source"),
                     lambda c: (c.name, c.label, c.country, f"{c.lat:.3f}", f"{c.lon:.3f}",
                                "yes" if c.nato else "no", "yes" if c.eu else "no", c.source)),
        "architectures": (catalog.architectures,
                          ("name", "kind", "systems", "links", "description", "sources"),
                          architecture_row),
    }
    entries, columns, row = listings[kind]
    items = entries().values()
    if as_json:
        _print_json(json.dumps([e.model_dump(mode="json") for e in items]))
        return
    t = Table(title=kind, header_style="bold")
    for c in columns:
        t.add_column(c)
    for e in items:
        t.add_row(*row(e))
    out.print(t)


class FireControl(StrEnum):
    radar_track = "radar-track"
    ir_cue = "ir-cue"


def _study_scenario(scenario_ref, bases, targets, sites, interceptors_, fire_control,
                    decision_delay_s, early_warning_delay_s):
    """The scenario with the command line's selections and overrides applied (validated)."""
    from euroshield import scenario

    sc = scenario.load(scenario_ref)
    data = sc.model_dump(exclude_none=True)
    if bases or targets or sites or interceptors_:
        data.pop("claims", None)  # a paper's claims name its own sites and routes
    if bases:
        data["threats"]["bases"] = list(bases)
    if targets:
        data["threats"]["targets"] = list(targets)
    if sites:
        have = {s["site"]: s for s in data["sites"]}
        default_ics = sorted({i for s in data["sites"] for i in s["interceptors"]})
        data["sites"] = [have.get(name, {"site": name, "interceptors": default_ics})
                         for name in sites]
    if interceptors_:
        for s in data["sites"]:
            s["interceptors"] = list(interceptors_)
    if fire_control is not None:
        data["timeline"]["fire_control"] = str(fire_control)
    if decision_delay_s is not None:
        data["timeline"]["decision_delay_s"] = decision_delay_s
    if early_warning_delay_s is not None:
        data["early_warning"]["detection_delay_s"] = early_warning_delay_s
    try:
        return scenario.parse(data, "scenario")
    except InputError as exc:  # name the option the user typed, not only the scenario field
        msg = str(exc)
        for given, field, option in ((bases, "threats.bases.", "--base"),
                                     (targets, "threats.targets.", "--target"),
                                     (sites, "sites.", "--site"),
                                     (interceptors_, "sites.", "--interceptor")):
            if given and msg.startswith(field) and (option != "--site" or "site:" in msg):
                raise InputError(f"{option}: {msg}") from None
        raise


@app.command()
def deterrence(
    scenario_refs: list[str] = typer.Option(
        None, "--scenario", help="built-in scenario or YAML file (repeatable: one study each, "
                                 "e.g. the four EPAA phases)"),
    base: list[str] = typer.Option(None, "--base", help="ICBM base (repeatable)"),
    target: list[str] = typer.Option(None, "--target", help="target place (repeatable)"),
    site: list[str] = typer.Option(None, "--site", help="interceptor site (repeatable)"),
    interceptor: list[str] = typer.Option(
        None, "--interceptor", help="interceptor at every selected site (repeatable)"),
    interceptor_speed_kms: list[float] = typer.Option(
        None, help="give every interceptor this burnout speed, same burn time (repeatable: "
                   "one study per speed)"),
    fire_control: FireControl = typer.Option(
        None, help="launch on a radar track, or (what-if) on the infrared cue"),
    decision_delay_s: float = typer.Option(None, help="track (or cue) to launch [s]"),
    early_warning_delay_s: float = typer.Option(None, help="launch to infrared cue [s]"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    out_dir: Path = typer.Option(None, "--out", help="write routes.csv, deterrence.json, "
                                 "map.png (and attrition files) into this folder"),
    sweep: bool = typer.Option(False, "--sweep", help="attrition over sites, inventories and "
                               "interceptor speed (the expansion question)"),
    salvo: str = typer.Option("2", metavar="<int>",
                              help="interceptors per engagement, 1 to 64"),
    sspk: float = typer.Option(0.7, help="single-shot kill probability (an assumption)"),
    shoot_look_shoot: bool = typer.Option(False, help="second salvo where the window allows"),
):
    """Can the shield engage Russian ICBMs flying to the United States? Verdicts, reasons,
    intercept points and flip-threshold speeds for every (base, target, site, interceptor)."""
    from euroshield.studies.attrition import Doctrine

    for v in interceptor_speed_kms or []:
        finite(v, "--interceptor-speed-kms", 0.5, 12.0, lo_open=True)
    if decision_delay_s is not None:
        finite(decision_delay_s, "--decision-delay-s", 0.0, 3600.0)
    if early_warning_delay_s is not None:
        finite(early_warning_delay_s, "--early-warning-delay-s", 0.0, 600.0)
    finite(sspk, "--sspk", 0.0, 1.0, lo_open=True)
    salvo_n = integer(salvo, "--salvo", *schema_bounds(Doctrine, "salvo"))
    doctrine = Doctrine.parse({"salvo": salvo_n, "sspk": sspk,
                               "shoot_look_shoot": shoot_look_shoot}, "doctrine")
    scenarios = [_study_scenario(ref, base, target, site, interceptor, fire_control,
                                 decision_delay_s, early_warning_delay_s)
                 for ref in (scenario_refs or [None])]
    from contextlib import nullcontext

    from euroshield.report.folders import atomic_folder, check_out, unique_names

    if out_dir is not None:
        check_out(out_dir)  # before computing; the folder is replaced as a whole at the end
    # several scenarios: one sub-folder each, named safely (a name cannot leave --out)
    subs = unique_names(sc.name for sc in scenarios) if len(scenarios) > 1 else [None]
    docs = []
    with (atomic_folder(out_dir, what="euroshield deterrence") if out_dir is not None
          else nullcontext()) as tmp:
        for sc, sub in zip(scenarios, subs, strict=True):
            write_to, shown_as = tmp, out_dir
            if out_dir is not None and sub is not None:
                write_to, shown_as = tmp / sub, out_dir / sub
            docs.append(_deterrence_one(sc, interceptor_speed_kms, doctrine, sweep, as_json,
                                        write_to, shown_as))
    if as_json:
        _print_json(json.dumps(docs[0] if len(docs) == 1 else docs))


def _deterrence_one(sc, interceptor_speed_kms, doctrine, sweep, as_json, out_dir,
                    shown_dir=None) -> dict:
    """Run, write and print the deterrence study of one scenario; returns its JSON object.
    Files go into ``out_dir`` (a temporary folder, see ``atomic_folder``); messages name
    ``shown_dir``, where they will be at the end."""
    from euroshield.report import deterrence as rep
    from euroshield.studies.deterrence import deterrence as run_deterrence
    from euroshield.studies.deterrence import expansion

    speeds = list(interceptor_speed_kms or [None])
    studies = []
    with working(f"deterrence study: {sc.name}"):
        for v in speeds:
            studies.append(run_deterrence(sc, v))
    results = [rep.view(x) for x in studies]
    r = results[0]
    doc = r.to_json()
    if len(results) > 1:
        doc["routes"] = [row for x in results for row in x.routes]
        # a new mapping: the first view's own assumptions keep its single speed
        doc["assumptions"] = {**doc["assumptions"], "interceptor_speed_kms": speeds}
        doc["summary"] = {f"{v:g} km/s": x.summary() for v, x in zip(speeds, results,
                                                                      strict=True)}
    doc["attrition"] = expansion(studies[0], doctrine, sweep_rows=sweep)
    doc["meta"] = _meta(scenario=sc.model_dump(mode="json"))
    if out_dir is not None:
        from euroshield.report.folders import write_marker

        out_dir.mkdir(parents=True, exist_ok=True)
        write_marker(out_dir, "euroshield deterrence")
        rep.write_routes_csv(doc["routes"], out_dir / "routes.csv")
        rep.write_json(doc, out_dir / "deterrence.json")
        rep.write_map(r, sc.radar_models(), out_dir / "map.png")
        if sweep:
            rep.write_rows_csv(doc["attrition"]["sweep"], out_dir / "attrition-sweep.csv")
    if as_json:
        return doc
    for x in results:
        out.print(rep.summary_renderable(x.to_json()))
    a, d = doc["attrition"], doctrine
    out.print(f"attrition ({d.salvo} per engagement, SSPK {d.sspk:g}"
              f"{', shoot-look-shoot' if d.shoot_look_shoot else ''}; warheads per base from "
              f"catalog/forces.yaml, unverified): {a['intercepted']:.1f} of "
              f"{a['raid_warheads']:.0f} "
              f"warheads intercepted ({100 * a['fraction_intercepted']:.1f} %), "
              f"{a['engaged']:.1f} engaged", markup=False, highlight=False)
    if sweep:
        n_sites = len(r.sites)
        rows = [x for x in a["sweep"] if x["interceptor"] == "any" and x["n_sites"] == n_sites
                and float(x["speed_kms"]).is_integer()]
        out.print(rep.attrition_table(rows, f"expansion: all {n_sites} sites, any interceptor"))
    if out_dir is not None:
        from euroshield.report.folders import shown

        out.print(f"wrote {shown(shown_dir or out_dir)}/routes.csv, deterrence.json, map.png"
                  f"{', attrition-sweep.csv' if sweep else ''}", markup=False, highlight=False)
    out.print()
    return doc


@app.command()
def footprint(
    scenario_ref: str = typer.Option(None, "--scenario", help="built-in scenario or YAML file"),
    launch_area: list[str] = typer.Option(
        None, "--launch-area", help="catalogue launch area (repeatable; default: the "
                                    "scenario's, see `euroshield catalog launch-areas`)"),
    missile: list[str] = typer.Option(
        None, "--missile", help="catalogue missile (repeatable; default: the scenario's)"),
    site: list[str] = typer.Option(None, "--site", help="interceptor site (repeatable; "
                                   "default: every site of the scenario)"),
    resolution_deg: float = typer.Option(
        None, "--resolution-deg", help="aim-point grid spacing [deg] (default: the "
                                       "scenario's, 0.25)"),
    force: bool = typer.Option(False, "--force", help="allow grids over 5 million aim points"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    out_dir: Path = typer.Option(None, "--out", help="write footprint.json, footprints.csv, "
                                 "capitals.csv, us-routes.csv, GeoJSON areas and PNG maps "
                                 "into this folder"),
):
    """Defence of Europe: which area and capitals can the shield defend against missiles from
    Iranian launch areas (defended, partly defended, threatened km²), and can it engage
    Iran -> United States routes?"""
    from euroshield import catalog, scenario
    from euroshield.report import footprint as rep
    from euroshield.studies import footprint as fp

    if resolution_deg is not None:
        finite(resolution_deg, "--resolution-deg", 0.0, 10.0, lo_open=True)
    sc = (_study_scenario(scenario_ref, None, None, site, None, None, None, None) if site
          else scenario.load(scenario_ref))
    for option, names, known, what in (("--launch-area", launch_area, sc.launch_areas(),
                                        "launch area"),
                                       ("--missile", missile, catalog.missiles(), "missile")):
        for name in names or []:
            if name not in known:
                raise InputError(f"{option}: unknown {what} {name!r}; known: "
                                 f"{', '.join(sorted(known))}")
    data = sc.model_dump(exclude_none=True)
    if launch_area:
        data["footprint"]["launch_areas"] = list(dict.fromkeys(launch_area))
    if missile:
        data["footprint"]["missiles"] = list(dict.fromkeys(missile))
    if resolution_deg is not None:
        data["footprint"]["resolution_deg"] = resolution_deg
    sc = scenario.parse(data, "scenario")
    f = sc.footprint
    try:
        grid = fp.aim_grid(f.region, f.resolution_deg, f.land_only, force=force)
    except InputError as exc:  # name the option the user can change
        msg = str(exc)
        if msg.startswith("resolution_deg:"):
            msg = "--resolution-deg:" + msg[len("resolution_deg:"):]
        raise InputError(msg) from None
    from euroshield.report.folders import check_out, shown

    if out_dir is not None:
        check_out(out_dir)  # before computing; the folder is replaced as a whole at the end
    caps = sorted(catalog.capitals())
    defence = fp.defence_of(sc)
    with working(f"footprint {sc.name}: Iran -> United States routes"):
        us = fp.us_routes(sc)
    results = []
    tables: dict = {}  # fly-out tables shared by every launch area and missile
    with _chunk_progress() as task:
        for area in f.launch_areas:
            for m in f.missiles:
                results += fp.footprints(
                    [defence], area, m, grid, caps, tables=tables,
                    progress=task(f"{area} x {m}: {len(grid):,} aim points") if task else None)
    doc = rep.footprint_doc(sc, results, us, meta=_meta(scenario=sc.model_dump(mode="json"),
                                                        force=force))
    written = _write_then_json(
        doc, out_dir, "euroshield footprint",
        lambda tmp: rep.write_outputs(doc, results, tmp, radars=sc.radar_models()), as_json)
    if written is True:
        return
    out.print(rep.summary_renderable(doc))
    if out_dir is not None:
        out.print(f"wrote {len(written)} files into {shown(out_dir)}: footprint.json, "
                  "footprints.csv, capitals.csv, us-routes.csv, footprint-*.geojson, "
                  "footprint-*.png",
                  markup=False, highlight=False)


@contextmanager
def _chunk_progress():
    """A progress bar on stderr (terminals only): yields ``task(description)``, which returns
    a ``progress(done, total)`` callback for one study, or None when stderr is no terminal."""
    if not err.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TextColumn("chunks"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        def task(description: str):
            tid = bar.add_task(description, total=None)

            def progress(done: int, total: int) -> None:
                bar.update(tid, completed=done, total=total)

            return progress

        yield task


scenario_app = typer.Typer(help="Scenario files: list, show, JSON Schema.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("schema")
def scenario_schema():
    """Print the JSON Schema of the scenario format (for editors)."""
    from euroshield import scenario

    out.print(scenario.json_schema(), markup=False, highlight=False, soft_wrap=True)


@scenario_app.command("list")
def scenario_list():
    """List the built-in scenarios, the published analyses (papers/NAME) and the stochastic
    scenarios for campaigns (campaigns/NAME)."""
    from euroshield import scenario

    for name in scenario.builtin_names() + scenario.paper_names() + scenario.campaign_names():
        sc = scenario.load(name)
        out.print(f"{name}: {sc.description.strip()}", markup=False, highlight=False)


@scenario_app.command("show")
def scenario_show(
    ref: str = typer.Argument("shield-today", help="built-in scenario name or YAML file"),
):
    """Validate a scenario and print it as effective YAML."""
    import yaml

    from euroshield import scenario

    sc = scenario.load(ref, option="REF")
    out.print(yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False), markup=False,
              highlight=False, soft_wrap=True)


@app.command()
def study(
    scenario_ref: str = typer.Option(None, "--scenario", help="built-in scenario or YAML file"),
    out_dir: Path = typer.Option(Path("euroshield-report"), "--out",
                                 help="folder for index.html and the data files"),
    as_json: bool = typer.Option(False, "--json", help="print what was written as JSON"),
):
    """The main job: run every available study on a scenario (default: the shield as built
    today) and write a self-contained HTML report with maps, charts, data files, CZML and KML."""
    from euroshield import scenario
    from euroshield.report.folders import check_out, shown
    from euroshield.report.study import run_study

    sc = scenario.load(scenario_ref)
    check_out(out_dir)  # before computing; run_study replaces the folder as a whole at the end
    progress = _step_printer(as_json)

    with working(f"study: {sc.name}"):
        info = run_study(sc, out_dir, progress=progress)
    if as_json:
        _print_json(json.dumps(info))
        return
    s, w = info["engageable"], info["whatif_engageable"]
    out.print(f"{sc.name}: {s['engageable_by_any_site']} of {s['routes']} routes engageable "
              "under the scenario's timeline"
              + (f"; {w['engageable_by_any_site']} if interceptors could launch on the "
                 "infrared cue" if w else ""), markup=False, highlight=False)
    out.print(f"report: {shown(out_dir / 'index.html')} ({info['seconds']:.1f} s); globe: "
              + (f"euroshield serve {shown(out_dir)}" if info["globe"] else
                 "not built (needs the CesiumJS build: make run)"),
              markup=False, highlight=False)


@app.command()
def campaign(
    scenario_ref: str = typer.Argument(..., metavar="SCENARIO",
                                       help="scenario with distributions: built-in name or "
                                            "YAML file"),
    runs: str = typer.Option(..., "--runs", metavar="<int>",
                             help="Monte Carlo draws, 1 to 100,000"),
    seed: str = typer.Option("1", "--seed", metavar="<int>",
                             help="master seed (draw i uses SeedSequence(seed).spawn(..)[i])"),
    executor: str = typer.Option("local", "--executor", metavar="local|dask",
                                 help="local processes on all cores, or a Dask LocalCluster "
                                      "(single: this process)"),
    scheduler: str = typer.Option(None, "--scheduler", metavar="tcp://HOST:PORT",
                                  help="use an existing Dask cluster"),
    workers: str = typer.Option(None, "--workers", metavar="<int>",
                                help="worker processes (default: one per core)"),
    store_path: str = typer.Option(None, "--store", metavar="PATH",
                                   help="the campaign's store folder (default: "
                                        "euroshield-campaign-NAME-seedS, or "
                                        "...-NAME-footprint-seedS); rerunning resumes"),
    study: str = typer.Option("deterrence", "--study", metavar="deterrence|footprint",
                              help="deterrence: the Russian ICBM routes (threats section); "
                                   "footprint: defence of Europe, every aim point of the "
                                   "footprint section's grid"),
    resolution_deg: float = typer.Option(
        None, "--resolution-deg", help="footprint campaigns: aim-point grid spacing [deg] "
                                       "(default: the scenario's footprint resolution, at "
                                       "least 2)"),
    ci_width: float = typer.Option(None, "--ci-width",
                                   help="stop early once every route's (footprint: aim "
                                        "point's) 95 % interval is narrower than this "
                                        "(0 < w <= 1)"),
    sobol_draws: str = typer.Option(None, "--sobol-draws", metavar="<int>",
                                    help="base draws of the Sobol design, each costing "
                                         "(parameters + 1) more evaluations (default: "
                                         "min(runs, 256); 0: none)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    out_dir: Path = typer.Option(None, "--out", help="write campaign.json, tables, a "
                                 "probability map and tornado charts into this folder"),
):
    """Monte Carlo campaign over the scenario's distributions of disputed parameters: the
    probability that each route and aim point is engageable (Wilson 95 % intervals), Sobol
    sensitivity indices and a tornado; results go to a resumable store as they complete.
    ``--study footprint``: per aim point of Europe the probability of being defended, and the
    defended area."""
    from euroshield import scenario
    from euroshield.executors import cores, execute, make_executor
    from euroshield.report import campaign as rep
    from euroshield.report.folders import check_out, safe_name, shown
    from euroshield.studies import campaign as cp

    n_runs = integer(runs, "--runs", 1, 100_000)
    n_seed = integer(seed, "--seed", 0, 2**63 - 1)
    n_workers = integer(workers, "--workers", 1, 1024) if workers is not None else None
    n_sobol = (integer(sobol_draws, "--sobol-draws", 0, 100_000) if sobol_draws is not None
               else min(n_runs, cp.DEFAULT_SOBOL_DRAWS))
    if n_sobol > n_runs:
        raise InputError(f"--sobol-draws: {n_sobol} is more than --runs ({n_runs}); the Sobol "
                         "design uses the first draws")
    if n_sobol == 1:
        raise InputError("--sobol-draws: 1 is too few for Sobol indices; give 0 (none) or at "
                         "least 2")
    if ci_width is not None:
        finite(ci_width, "--ci-width", 0.0, 1.0, lo_open=True)
    if executor not in ("local", "dask", "single"):
        raise InputError(f"--executor: expected local or dask (or single); got {executor!r}")
    if study not in cp.STUDIES:
        raise InputError(f"--study: expected deterrence or footprint; got {study!r}")
    if resolution_deg is not None:
        if study != "footprint":
            raise InputError("--resolution-deg: applies to --study footprint only")
        finite(resolution_deg, "--resolution-deg", 0.0, 10.0, lo_open=True)
    # --scheduler implies the Dask executor; the address is checked here, reached later
    ex = make_executor(executor, n_workers, scheduler)
    sc = scenario.load(scenario_ref, option="SCENARIO")
    if not sc.distributions:
        raise InputError(f"SCENARIO: {shown(scenario_ref)} declares no distributions; add a "
                         "'distributions:' section (see euroshield scenario show "
                         "campaigns/disputed-parameters)")
    if out_dir is not None:
        check_out(out_dir)
    kind = "-footprint" if study == "footprint" else ""
    store = path_text(store_path, "--store") if store_path is not None else Path(
        f"euroshield-campaign-{safe_name(sc.name)}{kind}-seed{n_seed}")
    quiet = as_json or not err.is_terminal
    say = _step_printer(as_json)

    cells = None
    if study == "footprint":
        say("footprint: the aim points within reach of each missile")
        try:
            cells = cp.footprint_cells(sc.nominal(), resolution_deg)
        except InputError as exc:  # name the option the user can change
            msg = str(exc)
            if msg.startswith("resolution_deg:"):
                msg = "--resolution-deg:" + msg[len("resolution_deg:"):]
            raise InputError(msg) from None
    plan = cp.Plan(sc, n_seed, n_runs, n_sobol, study=study, cells=cells)
    with _campaign_progress(quiet) as progress:
        c = execute(plan, ex, store, ci_width=ci_width, progress=progress, say=say)
    meta = {"versions": rep.versions(), "cores": cores()}
    doc = rep.footprint_doc(c, meta) if cells is not None else rep.campaign_doc(c, meta)
    write = rep.write_footprint_outputs if cells is not None else rep.write_outputs
    if _write_then_json(doc, out_dir, "euroshield campaign",
                        lambda tmp: write(doc, c, tmp, radars=sc.nominal().radar_models()),
                        as_json) is True:
        return
    if cells is not None:
        _print_footprint_campaign(doc)
        out.print(f"store: {shown(store)}" + (f"; wrote {shown(out_dir)}" if out_dir else ""),
                  markup=False, highlight=False)
        return
    for line in rep.summary_lines(doc):
        out.print(line, markup=False, highlight=False)
    t = Table(title="routes most often engageable", header_style="bold")
    for col in ("route", "P(engageable)", "95 % interval"):
        t.add_column(col, justify="left" if col == "route" else "right")
    top = sorted((r for r in doc["results"] if "route" in r),
                 key=lambda r: -r["p_engageable"])[:12]
    for r in top:
        t.add_row(r["route"], f"{r['p_engageable']:.3f}",
                  f"{r['ci95'][0]:.3f} - {r['ci95'][1]:.3f}")
    out.print(t)
    if doc["sensitivity"]:
        s = Table(title="Sobol indices of the number of engageable routes",
                  header_style="bold")
        for col in ("parameter", "first order", "total"):
            s.add_column(col, justify="left" if col == "parameter" else "right")
        for r in doc["sensitivity"]:
            s.add_row(r["parameter"], "—" if r["first_order"] is None
                      else f"{r['first_order']:.3f} ± {r['first_order_ci95']:.3f}",
                      "—" if r["total"] is None else f"{r['total']:.3f} ± {r['total_ci95']:.3f}")
        out.print(s)
    out.print(f"store: {shown(store)}" + (f"; wrote {shown(out_dir)}" if out_dir else ""),
              markup=False, highlight=False)


def _print_footprint_campaign(doc: dict) -> None:
    """The terminal view of a footprint campaign: sentences, capitals, Sobol indices."""
    from euroshield.report import campaign as rep

    for line in rep.footprint_summary_lines(doc):
        out.print(line, markup=False, highlight=False)
    missiles = doc["missiles"]
    by = {}
    for r in doc["capitals"]:
        by.setdefault(r["label"], {})[r["missile"]] = r
    t = Table(title="capitals: P(defended from every launch point), 95 % interval",
              header_style="bold")
    t.add_column("capital")
    for m in missiles:
        t.add_column(m, justify="right")
    def uncertain(c):  # capitals whose answer depends on the draw first, least defended first
        ps = [r["p_defended"] for r in by[c].values()]
        return (not any(0 < p < 1 for p in ps), min(ps), c)

    order = sorted(by, key=uncertain)
    for c in order[:12]:
        t.add_row(c, *[("-" if m not in by[c] else
                        f"{by[c][m]['p_defended']:.3f} ({by[c][m]['ci95'][0]:.3f}-"
                        f"{by[c][m]['ci95'][1]:.3f})") for m in missiles])
    if len(order) > 12:
        t.add_row(f"... {len(order) - 12} more (capitals.csv)", *[""] * len(missiles))
    out.print(t)
    if doc["sensitivity"]:
        figs = [f"defended_area_km2:{m}" for m in missiles]
        rows = {f: {r["parameter"]: r for r in (doc["sensitivity"] if i == 0 else
                                                doc["sensitivity_other"].get(f, []))}
                for i, f in enumerate(figs)}
        s = Table(title="Sobol indices of the defended area (first order / total)",
                  header_style="bold")
        s.add_column("parameter")
        for m in missiles:
            s.add_column(m, justify="right")

        def cell(r):
            if r is None or r["total"] is None:
                return "—"
            a, b = (0.0 if abs(x) < 0.005 else x for x in (r["first_order"], r["total"]))
            return f"{a:.2f} / {b:.2f}"  # estimates a hair below 0 are noise: shown as 0.00

        def top(p):
            return -max((rows[f].get(p) or {}).get("total") or 0.0 for f in figs)

        for p in sorted((r["parameter"] for r in doc["sensitivity"]), key=top):
            s.add_row(p, *[cell(rows[f].get(p)) for f in figs])
        out.print(s)


@contextmanager
def _campaign_progress(quiet: bool):
    """A progress bar on stderr with rate and ETA (terminals only); yields the callback."""
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("campaign"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("evaluations"), TextColumn("{task.fields[rate]}"),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        tid = bar.add_task("campaign", total=None, rate="")
        start: dict = {}

        def progress(done: int, total: int) -> None:
            import time

            now = time.perf_counter()
            start.setdefault("t", now)
            start.setdefault("n", done)
            dt = now - start["t"]
            rate = f"{(done - start['n']) / dt:,.0f}/s" if dt > 0 else ""
            bar.update(tid, completed=done, total=total, rate=rate)

        yield progress


@app.command()
def papers(
    paper: list[str] = typer.Option(
        None, "--paper", help="paper scenario: NAME or papers/NAME (see `euroshield scenario "
                              "list`) or a YAML file with paper and claims sections "
                              "(repeatable; default: every built-in paper)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    out_dir: Path = typer.Option(None, "--out", help="write papers.json, papers.csv and "
                                 "papers.md into this folder"),
):
    """The published analyses replayed: each paper's claims, the paper's answer, euroshield's
    answer under the paper's assumptions and under the default scenario, and the nearest
    flip (speed, launch time, radar range)."""
    from euroshield.report import papers as rep
    from euroshield.report.folders import check_out, shown
    from euroshield.report.study import _versions
    from euroshield.studies.papers import load_paper, run_papers

    for name in paper or []:  # every file is checked before anything is computed
        load_paper(name)
    if out_dir is not None:
        check_out(out_dir)  # before computing; the folder is replaced as a whole at the end
    progress = _step_printer(as_json)

    with working("published analyses"):
        results = run_papers(paper or None, progress=progress)
    doc = rep.papers_doc(results, versions=_versions())
    if _write_then_json(doc, out_dir, "euroshield papers",
                        lambda tmp: rep.write_outputs(doc, tmp), as_json) is True:
        return
    out.print(rep.summary_renderable(doc))
    if out_dir is not None:
        out.print(f"wrote {shown(out_dir)}/papers.json, papers.csv, papers.md", markup=False,
                  highlight=False)


@app.command()
def architectures(
    scenario_ref: str = typer.Option(None, "--scenario", help="built-in scenario or YAML file"),
    architecture: list[str] = typer.Option(
        None, "--architecture", help="n-detections (the old rule), a built-in architecture "
                                     "(euroshield catalog architectures), 'scenario' or a YAML "
                                     "file (repeatable; default: n-detections and every "
                                     "built-in)"),
    resolution_deg: float = typer.Option(
        None, "--resolution-deg", help="Europe grid for the defended area [deg] (default 3)"),
    seed: str = typer.Option(None, "--seed", metavar="<int>",
                             help="measurement noise seed (default: the scenario's, 0)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    out_dir: Path = typer.Option(None, "--out", help="write architectures.json, .csv, .md, "
                                 "architecture-routes.csv, timeline and map PNGs here"),
):
    """Sensor architectures side by side (two independent systems, exchange, one joint
    system, sectoral defence, the old N-detections rule): first detection and first
    fire-control-quality track, launch windows and shot opportunities, defended area of
    Europe, Russian ICBM routes engageable, and what each side's sensors see of the other
    side's missiles."""
    from euroshield import scenario
    from euroshield.report import architectures as rep
    from euroshield.report.folders import check_out, shown
    from euroshield.studies import architectures as st

    res = (st.DEFAULT_RESOLUTION_DEG if resolution_deg is None else
           finite(resolution_deg, "--resolution-deg", 0.0, 10.0, lo_open=True))
    sd = None if seed is None else integer(seed, "--seed", 0, 2**63 - 1)
    sc = scenario.load(scenario_ref)
    if architecture:
        for i, name in enumerate(architecture):
            if not name.strip():
                raise InputError(f"--architecture: empty name (#{i + 1}); give a name or file")
    specs = st.specs_of(sc, architecture or None)  # every name checked before any work
    if out_dir is not None:
        check_out(out_dir)  # before computing; the folder is replaced as a whole at the end
    progress = _step_printer(as_json)

    with working(f"architectures: {sc.name}, {len(specs)} architectures"):
        c = st.compare(sc, architecture or None, resolution_deg=res, seed=sd,
                       progress=progress)
    doc = rep.comparison_doc(c, meta={"architectures_given": list(architecture or [])})
    def write(tmp):
        rep.write_outputs(doc, tmp)
        rep.write_figures(c, tmp)

    if _write_then_json(doc, out_dir, "euroshield architectures", write, as_json) is True:
        return
    out.print(rep.summary_renderable(doc))
    if out_dir is not None:
        out.print(f"wrote {shown(out_dir)}/architectures.json, architectures.csv, "
                  "architectures.md, architecture-routes.csv, architecture-timeline-*.png, "
                  "architecture-map-*.png",
                  markup=False, highlight=False)


@app.command()
def routes(
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
):
    """Fly every catalogue missile on its default routes (a flight-physics check: ranges,
    times, apogees, burnout states)."""
    from euroshield.studies.routes import fly_default_routes

    with working("flying the default routes"):
        rows = fly_default_routes()
    if as_json:
        _print_json(json.dumps({"routes": rows, "deprecated": {
            "heading_deg": DEPRECATED_HEADING}, "meta": _meta(
            launch_azimuth_deg=LAUNCH_AZIMUTH_NOTE)}))
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


@app.command()
def serve(
    directory: str = typer.Argument("euroshield-report", help="report folder"),
    port: str = typer.Option("8000", metavar="<int>", help="port on 127.0.0.1, 1 to 65535"),
):
    """Serve a report folder on http://127.0.0.1 (the 3-D globe needs http, not file://)."""
    from euroshield.report.globe import serve as run_server

    folder = path_text(directory, "DIRECTORY")
    port_n = integer(port, "--port", 1, 65535)
    if not folder.is_dir():
        raise InputError(f"DIRECTORY: {folder} is not a folder (run `euroshield study` "
                         "first)")
    run_server(folder, port=port_n)


def one_line(text: str) -> str:
    """A message as exactly one printable line: newlines, ESC and every other control or
    invisible character (and the undecodable bytes of a file name) written as escapes, so what
    a user typed cannot split the line or reach the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in str(text))


def _say(line: str) -> None:
    """One line on stderr (nothing if stderr itself cannot be written)."""
    try:
        sys.stderr.write(one_line(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _escape_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """Encoding error handler for the output streams: a character the terminal's encoding
    cannot show (``PYTHONIOENCODING=ascii`` and a ± sign, or a lone surrogate from an
    undecodable file name) is written as a ``\\uXXXX`` escape, which is also valid inside JSON
    strings."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    n = ord(exc.object[exc.start])
    if n > 0xFFFF:
        n -= 0x10000
        return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}", exc.start + 1
    return f"\\u{n:04x}", exc.start + 1


def _encoding_safe_streams() -> None:
    """Output never fails on a character the stream's encoding lacks (see
    :func:`_escape_unencodable`)."""
    import codecs

    try:
        codecs.lookup_error("euroshield-escape")
    except LookupError:
        codecs.register_error("euroshield-escape", _escape_unencodable)
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) in ("strict", "surrogateescape") and hasattr(
                stream, "reconfigure"):
            try:
                stream.reconfigure(errors="euroshield-escape")
            except (OSError, ValueError, TypeError, AttributeError):
                pass


def _ending(argv: list[str] | None) -> None:
    """The program is ending (``main`` run as the program: ``argv`` None). A further Ctrl-C
    (e.g. while the interpreter waits for worker threads to finish their kernels) then ends
    the process at once, quietly, with exit code 130, instead of a traceback from the
    interpreter's shutdown (the default SIGINT action would end it with signal status -2:
    seen once in CI after "euroshield: interrupted" had been printed)."""
    if argv is not None:
        return
    import signal
    import threading

    def now(_signum, _frame):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - ending anyway; nothing may be printed now
                pass
        os._exit(130)

    if threading.current_thread() is threading.main_thread():
        try:
            signal.signal(signal.SIGINT, now)
        except (OSError, ValueError):
            pass


def _silence_stdout(argv: list[str] | None) -> None:
    """After a failed write to stdout, send what is still buffered to /dev/null so that the
    interpreter's final flush does not fail a second time (with a traceback-like message)."""
    if argv is not None:
        return
    import os

    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and turn every input problem into one line + exit code 2.

    Problems of the environment rather than the input (standard output on a full disk, other
    operating-system errors) give one line and exit code 1; Ctrl-C gives one line and 130."""
    _encoding_safe_streams()
    try:
        return _run(argv)
    finally:
        _ending(argv)


def _run(argv: list[str] | None) -> int:
    import errno

    try:
        rv = app(args=argv, standalone_mode=False)
        if rv == 130:  # typer turns Ctrl-C inside a command into exit code 130
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        _ending(argv)
        _say("euroshield: interrupted")
        return 130
    except InputError as exc:
        _say(f"euroshield: error: {exc}")
        return 2
    except ValidationError as exc:
        from euroshield.catalog import format_validation_error

        _say(f"euroshield: error: {format_validation_error(exc, 'input')}")
        return 2
    except _ABORT:
        _ending(argv)
        _say("euroshield: aborted")
        return 130
    except _NO_ARGS:
        return 0
    except _CLICK_ERRORS as exc:
        _say("euroshield: error: " + " ".join(exc.format_message().split()))
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except OutputError as exc:
        _silence_stdout(argv)
        if exc.errno != errno.EPIPE:  # a closed pipe (`| head`): the reader has what it wanted
            _say(f"euroshield: error: cannot write to standard output: {exc}")
        return 1
    except OSError as exc:  # the environment, not the input (a full disk, a vanished folder)
        name = f": {exc.filename}" if exc.filename else ""
        _say(f"euroshield: error: {exc.strerror or exc}{name}")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
