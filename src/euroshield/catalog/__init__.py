"""The catalogue: YAML data files shipped with the package, validated on load.

Every entry carries its public sources; disputed numbers carry a ``[min, max]`` range. A user file
with the same layout (``missiles:`` list, optional ``drag_tables:`` anchors) adds entries or
replaces built-in ones with the same name.
"""

from __future__ import annotations

import os
import re
import stat
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from euroshield.errors import InputError
from euroshield.flight.vehicles import Missile, Source

KINDS = ("missiles", "places", "interceptors", "radars", "launch-areas", "capitals",
         "architectures")
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


# a pydantic location part naming a union member (``str``, ``RadarSpec``,
# ``function-after[_both_or_neither(), RadarSpec]``), not a field the user wrote
_MEMBER = re.compile(
    r"^(?:str|int|float|bool|none|bytes|[A-Z][A-Za-z0-9_]*|[a-z][a-z0-9-]*\[.*\])$", re.DOTALL)
_KINDS = {bool: "a boolean", str: "a string", int: "an integer", float: "a number"}


def _message(e: dict) -> str:
    if e.get("type") == "extra_forbidden":
        return "unknown field (not part of the schema)"
    if e.get("type") == "string_too_short" and (e.get("ctx") or {}).get("min_length") == 1:
        return "must not be empty or blank"
    msg = str(e.get("msg", "invalid value")).removeprefix("Value error, ")
    return re.sub(r"a valid dictionary or instance of \w+", "a mapping", msg)


def _is_type_error(e: dict) -> bool:
    """The input has the wrong type (``float_type``, ``model_type``, ...), as opposed to a
    value of the right type outside its bounds or an error deeper inside."""
    return str(e.get("type", "")).endswith("_type")


def format_validation_error(err: ValidationError, where: str) -> str:
    """One line naming the first offending field (as the user wrote it: union members such as
    ``str`` or ``RadarSpec`` that pydantic adds to the location are left out), what is allowed
    and what was given."""
    errs = err.errors()
    chosen, group = errs[0], [errs[0]]
    loc = list(chosen.get("loc", ()))
    member_at: set[int] = set()  # positions of union members in the chosen location
    merge = False  # every member of the first union refused the input's type
    i = 0
    while i < len(loc):
        if isinstance(loc[i], str) and _MEMBER.match(loc[i]):
            same = [e for e in errs if len(e["loc"]) > i and list(e["loc"][:i]) == loc[:i]
                    and isinstance(e["loc"][i], str) and _MEMBER.match(e["loc"][i])]
            if len({e["loc"][i] for e in same}) > 1:  # a union: one error per member
                if not member_at:
                    group = same
                    # a member that took the input's type (and got further) is what the user
                    # meant; if every member refused the type, each one's type is allowed
                    refused = [len(e["loc"]) == i + 1 and _is_type_error(e) for e in same]
                    chosen = max(zip(refused, same, strict=True),
                                 key=lambda r: (not r[0], len(r[1]["loc"])))[1]
                    loc = list(chosen["loc"])
                    merge = all(refused)
                member_at.add(i)
        i += 1
    parts = [shown(p, 80) for j, p in enumerate(loc) if j not in member_at]
    if len(group) > 1 and merge:
        wants = list(dict.fromkeys(_message(e).removeprefix("Input should be ") for e in group))
        msg = "Input should be " + " or ".join(wants)
    else:
        msg = _message(chosen)
    given = chosen.get("input")
    tail = ""
    if not (isinstance(given, dict | list | tuple) or given is None):
        kind = _KINDS.get(type(given)) if str(chosen.get("type", "")).endswith("_type") else None
        tail = f" (got {shown(repr(given), 80)}{', ' + kind if kind else ''})"
    more = len(errs) - len(group)
    extra = f"; {more} more error(s)" if more > 0 else ""
    field = f"{'.'.join(parts)}: " if parts else ""  # a whole-entry check names its fields
    return f"{where}: {field}{msg}{tail}{extra}"


# ---- reading input files: regular UTF-8 text files, bounded in size and nesting ----------------
MAX_FILE_BYTES = 10 * 1024 * 1024  # largest scenario or catalogue file read (10 MB)
MAX_NESTING = 100  # deepest nesting of YAML lists and mappings (aliases included)
_SHOWN_MAX = 200  # longer file names and values are shortened in messages

_MAGIC = (  # what a file that is not UTF-8 text most likely is, from its first bytes
    (b"\xff\xfe", "UTF-16 or UTF-32 text with a byte-order mark; save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text with a byte-order mark; save it as UTF-8"),
    (b"\x00\x00\xfe\xff", "UTF-32 text with a byte-order mark; save it as UTF-8"),
    (b"\x1f\x8b", "gzip-compressed data; decompress it first"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a zip archive"),
    (b"BZh", "bzip2-compressed data; decompress it first"),
    (b"\xfd7zXZ\x00", "xz-compressed data; decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data; decompress it first"),
    (b"%PDF-", "a PDF document"),
)


def shown(text: object, limit: int = _SHOWN_MAX) -> str:
    """``text`` for a one-line message: control and other unprintable characters (newline,
    ESC, undecodable bytes of a file name) escaped, very long text shortened in the middle."""
    s = "".join(c if c.isprintable() else
                (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
                 if ord(c) < 0x10000 else f"\\U{ord(c):08x}") for c in str(text))
    if len(s) > limit:
        s = f"{s[:limit * 2 // 3]}...{s[-(limit // 3):]} ({len(s):,} characters)"
    return s


def _file_kind(mode: int) -> str:
    for test, what in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return "not a regular file"


def _check_regular(st: os.stat_result, where: str) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{where}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{where}: {_file_kind(st.st_mode)}, not a regular file (only regular "
                         f"files of at most {MAX_FILE_BYTES // 2**20} MB are read)")
    if st.st_size > MAX_FILE_BYTES:
        raise InputError(f"{where}: file of {st.st_size / 2**20:,.1f} MB is larger than the "
                         f"limit of {MAX_FILE_BYTES // 2**20} MB")


def decode_text(data: bytes, where: str) -> str:
    """UTF-8 bytes (an optional byte-order mark is dropped) as text; anything else is one
    InputError line saying what the file seems to be."""
    NL = b"\n"  # noqa: N806
    why = next((what for magic, what in _MAGIC if data.startswith(magic)), None)
    if why is None and b"\x00" in data:
        at = data.index(b"\x00")
        why = (f"NUL byte at line {data.count(NL, 0, at) + 1}: binary data, or UTF-16 "
               "text without a byte-order mark")
    if why is None:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            why = (f"byte 0x{data[exc.start]:02x} at line {data.count(NL, 0, exc.start) + 1} "
                   "is not valid UTF-8; if the file is latin-1 or another legacy encoding, "
                   "save it as UTF-8")
    raise InputError(f"{where}: not a UTF-8 text file ({why})")


def read_text_file(path: str | Path) -> str:
    """The text of a regular UTF-8 file of at most MAX_FILE_BYTES. Anything else (a missing
    file, a folder, a named pipe or device, a name too long, a symlink loop, a binary file) is
    one InputError line naming the file. Never opens a FIFO or device: the file type is checked
    before opening, and the open does not block."""
    raw = os.fspath(path)
    where = shown(raw)
    if raw == "":
        raise InputError("empty file name: give the path of a YAML file")
    if "\x00" in raw:
        raise InputError(f"{where}: cannot read file: the name contains a NUL character")
    try:
        _check_regular(os.stat(raw), where)
        fd = os.open(raw, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            _check_regular(os.fstat(f.fileno()), where)  # the file may have been swapped
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{where}: cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{where}: file is larger than the limit of "
                         f"{MAX_FILE_BYTES // 2**20} MB")
    return decode_text(data, where)


class _LimitError(yaml.YAMLError):
    """Well-formed YAML that the schema refuses at parse time (too deep, duplicate key)."""

    def __init__(self, problem: str, mark):
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class Loader(yaml.SafeLoader):
    """The safe loader, plus: a key given twice in one mapping is an error (instead of the last
    one winning silently); lists and mappings nest at most MAX_NESTING deep (counting what
    aliases bring in) and an alias may not refer to a collection that contains it; values the
    safe constructor cannot build (``2023-02-30``, a 5,000-digit integer) are YAML errors with
    their line instead of Python exceptions."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._heights: dict[int, int] = {}  # id(node) -> collection levels in and below it

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                height = self._heights.get(id(node))
                if height is None:
                    raise _LimitError(f"alias *{event.anchor} refers to a list or mapping that "
                                      "contains it (recursive alias)", event.start_mark)
                if self._depth + height > MAX_NESTING:
                    raise _LimitError(f"nesting deeper than {MAX_NESTING} levels of lists and "
                                      "mappings (the limit for input files; aliases count)",
                                      event.start_mark)
            return super().compose_node(parent, index)
        collection = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if collection:
            if self._depth >= MAX_NESTING:
                raise _LimitError(f"nesting deeper than {MAX_NESTING} levels of lists and "
                                  "mappings (the limit for input files)",
                                  self.peek_event().start_mark)
            self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            if collection:
                self._depth -= 1
        if isinstance(node, yaml.SequenceNode):
            kids = node.value
        elif isinstance(node, yaml.MappingNode):
            kids = [n for pair in node.value for n in pair]
        else:
            kids = []
        self._heights[id(node)] = (1 + max((self._heights.get(id(k), 0) for k in kids),
                                           default=0)) if collection else 0
        return node

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value {shown(getattr(node, 'value', ''), 60)!r}: "
                f"{str(exc).split(';')[0]}", node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            first: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                        key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                try:
                    seen = first.setdefault(key, key_node.start_mark)
                except TypeError:  # unhashable: the safe constructor says so below
                    continue
                if seen is not key_node.start_mark:
                    raise _LimitError(f"duplicate key {shown(key, 60)!r} (first given on line "
                                      f"{seen.line + 1}); a key may appear once per mapping",
                                      key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def load_yaml_text(text: str, where: str) -> Any:
    """Parse YAML with the safe loader (duplicate keys and nesting deeper than MAX_NESTING
    refused); malformed YAML becomes one InputError line with the line and column."""
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - Loader is a SafeLoader
    except _LimitError as exc:
        m = exc.problem_mark
        raise InputError(f"{where}: line {m.line + 1}, column {m.column + 1}: "
                         f"{exc.problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise InputError(f"{where}: line {line}: malformed YAML: character "
                         f"#x{exc.character if isinstance(exc.character, int) else 0:04x} is "
                         "not allowed (no control characters except tab and line breaks)"
                         ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}:{pos} malformed YAML: {shown(problem)}") from None
    except RecursionError:  # a guard: MAX_NESTING keeps the loader far from the limit
        raise InputError(f"{where}: nesting deeper than {MAX_NESTING} levels of lists and "
                         "mappings (the limit for input files)") from None


def read_yaml_file(path: str | Path) -> Any:
    """A YAML file (see :func:`read_text_file` for what is accepted)."""
    return load_yaml_text(read_text_file(path), shown(os.fspath(path)))


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

    Each entry is checked field by field in strict mode, where a boolean or a string is not a
    number (one InputError line naming entry and field), its ``ranges`` (if the model has
    them) must name numeric fields holding their central value, and names must be unique."""
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise InputError(f"{where}: expected a mapping with a '{key}:' list")
    unknown = set(data) - {key, *allowed_keys}
    if unknown:
        raise InputError(f"{where}: unknown top-level key(s): {', '.join(sorted(unknown))}; "
                         f"allowed: {', '.join((key, *allowed_keys))}")
    out: dict[str, Any] = {}
    for i, entry in enumerate(data[key]):
        name = entry.get("name") if isinstance(entry, dict) else None
        w = f"{where}: {label} {shown(name, 80) if isinstance(name, str) else f'#{i}'}"
        if isinstance(entry, dict) and isinstance(entry.get("ranges"), dict):
            # YAML has no tuples: a [min, max] list is the way to write one
            entry = {**entry, "ranges": {k: tuple(v) if isinstance(v, list) else v
                                         for k, v in entry["ranges"].items()}}
        try:  # strict: no booleans or strings for numbers
            obj = model.model_validate(entry, strict=True)
        except ValidationError as exc:
            raise InputError(format_validation_error(exc, w)) from None
        except RecursionError:  # a guard: the YAML loader limits nesting to MAX_NESTING
            raise InputError(f"{w}: nested too deeply") from None
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


def lookup(known: dict, name: str, what: str):
    """``known[name]``, or one InputError line naming the known entries of that kind."""
    if name not in known:
        raise InputError(f"unknown {what} {name!r}; known {what}s: {', '.join(sorted(known))}")
    return known[name]


def get_missile(name: str, extra_file: str | Path | None = None) -> Missile:
    return lookup(missiles(extra_file), name, "missile")


DEFAULT_MISSILE = "topol-m-like"  # the `fly`/`reach` default; scenarios fly each base's own
BY_BASE = "by-base"  # scenario threats.missile: each base flies its forces.yaml `flies` missile


class ForceElement(BaseModel):
    """One missile type at an ICBM base (``elements:`` of a mixed base in forces.yaml): its
    launchers and warheads, and the catalogue missile that represents it, or, for a type this
    model cannot fly (a glide vehicle), ``missile: null`` and the reason in ``not_flown``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    type: str = Field(min_length=3, description="the type in prose (designations, basing)")
    missile: str | None = Field(default=None, description="catalogue missile, or null")
    launchers: int = Field(ge=0, le=1000)
    warheads: float = Field(ge=0, le=10_000)
    not_flown: str = Field(default="", description="why it is not flown (with missile: null)")

    @model_validator(mode="after")
    def _flown_or_why_not(self) -> ForceElement:
        if (self.missile is None) != bool(self.not_flown.strip()):
            raise ValueError("give either missile (a catalogue missile) or not_flown (why the "
                             "model cannot fly this type), not both and not neither")
        return self


def check_force_missiles(force, where: str) -> None:
    """A forces.yaml entry's ``flies`` and ``elements`` name catalogue missiles, the flown
    missile is one of its elements, and the elements add up to the base's launchers and
    warheads; else one InputError line naming the field and the known missiles."""
    w = f"{where}: force {force.name}"
    known = missiles()
    names = ", ".join(sorted(known))
    if force.flies is not None and force.flies not in known:
        raise InputError(f"{w}: flies: unknown missile {force.flies!r}; known missiles: {names}")
    for i, e in enumerate(force.elements):
        if e.missile is not None and e.missile not in known:
            raise InputError(f"{w}: elements.{i}.missile: unknown missile {e.missile!r}; "
                             f"known missiles: {names}")
    if not force.elements:
        return
    if force.flies is None or force.flies not in {e.missile for e in force.elements}:
        raise InputError(f"{w}: flies: {force.flies!r} is not the missile of one of its "
                         "elements")
    for field in ("launchers", "warheads"):
        total = sum(getattr(e, field) for e in force.elements)
        if abs(total - getattr(force, field)) > 1e-9:
            raise InputError(f"{w}: elements: {field} add up to {total:g}, but the base has "
                             f"{getattr(force, field):g}")


def base_missiles() -> dict[str, str]:
    """ICBM base -> the catalogue missile its routes fly (``flies`` in forces.yaml): what a
    scenario's ``threats.missile: by-base`` means."""
    from euroshield.studies.attrition import forces  # the forces catalogue and its schema

    out = {n: f.flies for n, f in forces().items() if f.flies is not None}
    missing = sorted(set(places("icbm-base")) - set(out))
    if missing:
        raise InputError(f"catalog/forces.yaml: base(s) {', '.join(missing)} have no 'flies' "
                         "missile")
    return out


def unflown_force() -> list[dict]:
    """The force elements the model does not fly (e.g. Avangard): base, type, launchers,
    warheads and the reason, for the studies' assumptions."""
    from euroshield.studies.attrition import forces

    return [{"base": n, "type": e.type, "launchers": e.launchers, "warheads": e.warheads,
             "reason": e.not_flown}
            for n, f in forces().items() for e in f.elements if e.missile is None]


def parse_places(data: Any, where: str) -> dict[str, Place]:
    return parse_entries(data, where, "places", Place, "place")


def _builtin_places() -> dict[str, Place]:
    return _builtin("places.yaml", parse_places)


_PLACES_BY_KIND: dict = {}  # (id of the built-in places, kind) -> (those places, filtered)


def places(kind: str | None = None) -> dict[str, Place]:
    """Built-in places, optionally of one kind (see ``PLACE_KINDS``). A new dict each call
    (callers may change it); the filtering is kept, since scenario checks call this for every
    name of every campaign draw."""
    if kind is not None and kind not in PLACE_KINDS:
        raise InputError(f"unknown place kind {kind!r}; known: {', '.join(PLACE_KINDS)}")
    every = _builtin_places()
    key = (id(every), kind)
    hit = _PLACES_BY_KIND.get(key)
    if hit is None or hit[0] is not every:
        hit = _PLACES_BY_KIND[key] = (every, {n: p for n, p in every.items()
                                              if kind is None or p.kind == kind})
    return dict(hit[1])


def get_place(name: str, kind: str | None = None) -> Place:
    known = places(kind)
    if name not in known:
        what = f"{kind} " if kind else "place "
        raise InputError(f"unknown {what}{name!r}; known: {', '.join(sorted(known))}")
    return known[name]


class LaunchPoint(BaseModel):
    """One launch point of a launch area (WGS84 degrees)."""

    # strict also where a scenario file defines its own launch areas (no bools for numbers)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    lat: float = Field(ge=-90, le=90, description="WGS84 latitude [deg]")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude [deg]")
    uncertainty_km: float = Field(ge=0, le=1000)


class LaunchArea(BaseModel):
    """A named set of launch points (e.g. the city centres around a region's missile bases)."""

    # strict also where a scenario file defines its own launch areas (no bools for numbers)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
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
    return lookup(launch_areas(), name, "launch area")


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
    return lookup(capitals(), name, "capital")


# ---- architectures (catalog/architectures.yaml) ---------------------------------------------

ARCHITECTURE_NAMES = ("independent", "exchange", "joint", "sectoral")  # the built-ins, in order


class ArchitectureEntry(BaseModel):
    """A built-in architecture: its ``architecture:`` mapping (the format of
    :class:`euroshield.network.architecture.Architecture`, with the ``scenario`` placeholder
    in systems' sensors and shooters, expanded by :meth:`euroshield.scenario.Scenario.
    architecture_model`) and the public sources of the position it models."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    description: str = Field(min_length=3)
    sources: list[Source] = Field(min_length=1)
    architecture: dict[str, Any]


def parse_architectures(data: Any, where: str) -> dict[str, ArchitectureEntry]:
    """Validate an ``architectures:`` mapping: each entry's fields and its ``architecture``
    section (one InputError line naming the entry and field otherwise)."""
    from euroshield.network.architecture import parse_architecture

    out = parse_entries(data, where, "architectures", ArchitectureEntry, "architecture")
    for name, entry in out.items():
        if name == "n-detections":
            raise InputError(f"{where}: architecture n-detections: the name is reserved for "
                             "the old rule (N detections make a track)")
        parse_architecture(entry.architecture, f"{where}: architecture {name}: architecture")
    return out


def architectures() -> dict[str, ArchitectureEntry]:
    """The built-in architectures (``catalog/architectures.yaml``), by name."""
    return dict(_builtin("architectures.yaml", parse_architectures))
