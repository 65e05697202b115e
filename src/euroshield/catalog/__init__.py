"""The catalogue: YAML data files shipped with the package, validated on load.

Every entry carries its public sources; disputed numbers carry a ``[min, max]`` range. A user file
with the same layout (``missiles:`` list, optional ``drag_tables:`` anchors) adds entries or
replaces built-in ones with the same name.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from euroshield.errors import InputError
from euroshield.flight.vehicles import Missile

KINDS = ("missiles", "places", "interceptors", "radars", "launch-areas", "capitals")
PLACE_KINDS = ("defence-site", "radar-site", "ship-station", "icbm-base", "target", "launch-area")


class Place(BaseModel):
    """A named point on the WGS84 ellipsoid with its public source."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    kind: str
    description: str
    lat: float = Field(ge=-90, le=90, description="WGS84 latitude [deg]")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude [deg]")
    height_m: float = Field(default=0.0, ge=-500, le=9000, description="ellipsoidal height")
    uncertainty_km: float = Field(ge=0, le=1000)
    source: str = Field(min_length=3)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in PLACE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(PLACE_KINDS)}")
        return v


def format_validation_error(err: ValidationError, where: str) -> str:
    """One line naming the first offending field, what is allowed and what was given."""
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e.get("loc", ())) or "entry"
    msg = e.get("msg", "invalid value")
    if e.get("type") == "extra_forbidden":
        msg = "unknown field (not part of the schema)"
    given = e.get("input")
    tail = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
    more = len(err.errors()) - 1
    extra = f"; {more} more error(s)" if more > 0 else ""
    return f"{where}: {loc}: {msg}{tail}{extra}"


def load_yaml_text(text: str, where: str) -> Any:
    """Parse YAML with the safe loader; malformed YAML becomes one InputError line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}:{pos}: malformed YAML: {problem}") from None


def read_yaml_file(path: str | Path) -> Any:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{p}: cannot read file: {exc.strerror or exc}") from None
    return load_yaml_text(text, str(p))


def check_ranges(model: BaseModel, ranges: dict, where: str) -> None:
    """Every ``ranges`` key must name a numeric field, and the central value lie inside it."""
    for key, (lo, hi) in ranges.items():
        obj: Any = model
        for part in key.split("."):
            if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
                obj = obj[int(part)]
            elif isinstance(obj, BaseModel) and part in type(obj).model_fields:
                obj = getattr(obj, part)
            else:
                raise InputError(f"{where}: ranges: {key!r} does not name a field of the entry")
        if not isinstance(obj, int | float):
            raise InputError(f"{where}: ranges: {key!r} is not a numeric field")
        if not lo <= obj <= hi:
            raise InputError(f"{where}: ranges: {key} = {obj} lies outside its range [{lo}, {hi}]")


def parse_entries(data: Any, where: str, key: str, model: type[BaseModel], label: str,
                  allowed_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate the ``key:`` list of a catalogue mapping into ``model`` objects keyed by name.

    Each entry is checked field by field (one InputError line naming entry and field), its
    ``ranges`` (if the model has them) must name numeric fields holding their central value,
    and names must be unique."""
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise InputError(f"{where}: expected a mapping with a '{key}:' list")
    unknown = set(data) - {key, *allowed_keys}
    if unknown:
        raise InputError(f"{where}: unknown top-level key(s): {', '.join(sorted(unknown))}; "
                         f"allowed: {', '.join((key, *allowed_keys))}")
    out: dict[str, Any] = {}
    for i, entry in enumerate(data[key]):
        name = entry.get("name", f"#{i}") if isinstance(entry, dict) else f"#{i}"
        w = f"{where}: {label} {name}"
        try:
            obj = model.model_validate(entry)
        except ValidationError as exc:
            raise InputError(format_validation_error(exc, w)) from None
        check_ranges(obj, getattr(obj, "ranges", {}), w)
        if obj.name in out:
            raise InputError(f"{where}: {label} name {obj.name!r} appears twice")
        out[obj.name] = obj
    return out


@cache
def _builtin(filename: str, parse) -> dict:
    """A built-in catalogue file, parsed once per process by ``parse(data, where)``."""
    text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    where = f"catalog/{filename}"
    return parse(load_yaml_text(text, where), where)


def parse_missiles(data: Any, where: str) -> dict[str, Missile]:
    return parse_entries(data, where, "missiles", Missile, "missile", ("drag_tables",))


def _builtin_missiles() -> dict[str, Missile]:
    return _builtin("missiles.yaml", parse_missiles)


def missiles(extra_file: str | Path | None = None) -> dict[str, Missile]:
    """Built-in missiles, plus (overriding by name) those of a user catalogue file."""
    out = dict(_builtin_missiles())
    if extra_file is not None:
        out.update(parse_missiles(read_yaml_file(extra_file), str(extra_file)))
    return out


def get_missile(name: str, extra_file: str | Path | None = None) -> Missile:
    known = missiles(extra_file)
    if name not in known:
        raise InputError(f"unknown missile {name!r}; known missiles: {', '.join(sorted(known))}")
    return known[name]


DEFAULT_MISSILE = "topol-m-like"


def parse_places(data: Any, where: str) -> dict[str, Place]:
    return parse_entries(data, where, "places", Place, "place")


def _builtin_places() -> dict[str, Place]:
    return _builtin("places.yaml", parse_places)


def places(kind: str | None = None) -> dict[str, Place]:
    """Built-in places, optionally of one kind (see ``PLACE_KINDS``)."""
    if kind is not None and kind not in PLACE_KINDS:
        raise InputError(f"unknown place kind {kind!r}; known: {', '.join(PLACE_KINDS)}")
    return {n: p for n, p in _builtin_places().items() if kind is None or p.kind == kind}


def get_place(name: str, kind: str | None = None) -> Place:
    known = places(kind)
    if name not in known:
        what = f"{kind} " if kind else "place "
        raise InputError(f"unknown {what}{name!r}; known: {', '.join(sorted(known))}")
    return known[name]


class LaunchPoint(BaseModel):
    """One launch point of a launch area (WGS84 degrees)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    lat: float = Field(ge=-90, le=90, description="WGS84 latitude [deg]")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude [deg]")
    uncertainty_km: float = Field(ge=0, le=1000)


class LaunchArea(BaseModel):
    """A named set of launch points (e.g. the city centres around a region's missile bases)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    description: str
    points: list[LaunchPoint] = Field(min_length=1)
    source: str = Field(min_length=3)

    @field_validator("points")
    @classmethod
    def _unique_points(cls, v: list[LaunchPoint]) -> list[LaunchPoint]:
        seen: set[str] = set()
        for p in v:
            if p.name in seen:
                raise ValueError(f"point name {p.name!r} appears twice")
            seen.add(p.name)
        return v


def parse_launch_areas(data: Any, where: str) -> dict[str, LaunchArea]:
    """Validate a ``launch_areas:`` mapping (built-in or user-supplied) into LaunchArea objects."""
    return parse_entries(data, where, "launch_areas", LaunchArea, "launch area")


def _builtin_launch_areas() -> dict[str, LaunchArea]:
    return _builtin("launch_areas.yaml", parse_launch_areas)


def launch_areas() -> dict[str, LaunchArea]:
    """Built-in launch areas, by name."""
    return dict(_builtin_launch_areas())


def get_launch_area(name: str) -> LaunchArea:
    known = launch_areas()
    if name not in known:
        raise InputError(f"unknown launch area {name!r}; known launch areas: "
                         f"{', '.join(sorted(known))}")
    return known[name]


class Capital(BaseModel):
    """A capital city (city-centre point) with its NATO / EU membership and source."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    label: str = Field(min_length=1)
    country: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90, description="WGS84 latitude [deg]")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude [deg]")
    nato: bool
    eu: bool
    source: str = Field(min_length=3)


def parse_capitals(data: Any, where: str) -> dict[str, Capital]:
    return parse_entries(data, where, "capitals", Capital, "capital")


def _builtin_capitals() -> dict[str, Capital]:
    return _builtin("capitals.yaml", parse_capitals)


def capitals() -> dict[str, Capital]:
    """Built-in European capitals, by name slug (e.g. ``london``)."""
    return dict(_builtin_capitals())


def get_capital(name: str) -> Capital:
    known = capitals()
    if name not in known:
        raise InputError(f"unknown capital {name!r}; known capitals: {', '.join(sorted(known))}")
    return known[name]
