"""Scenario files: which shield (sites, interceptors, radars, timeline) faces which threats.

A scenario is a validated pydantic object (``extra="forbid"``, units in field names) loaded from
YAML with the safe loader. It selects catalogue entries by name and may override any interceptor
parameter. Every study is a pure function of a resolved scenario, so campaigns can rerun it with
perturbed parameters in other processes.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from euroshield import catalog
from euroshield.errors import InputError
from euroshield.papers import Claim, Paper
from euroshield.studies.distributions import Distribution

BUILTIN_DIR = "scenarios"
DEFAULT_SCENARIO = "shield-today"


class _Strict(BaseModel):
    """Strict types: a boolean or a string is not a number, a number is not a string (an
    integer is a valid float); text is stripped of surrounding white space."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True,
                              str_strip_whitespace=True)


def _printable(v: str) -> str:
    if not v.isprintable():
        raise ValueError("must not contain control characters (line breaks, tabs, escapes)")
    return v


# a name or label the user writes: not blank (after stripping), one printable line
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]


class SiteSpec(_Strict):
    """An interceptor launch site: a catalogue place or an explicit point."""

    site: Name = Field(description="place name (defence-site or ship-station), or a label")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    interceptors: list[Name] = Field(min_length=1)
    inventory: int = Field(default=24, ge=0, le=10_000, description="interceptors on hand")

    @model_validator(mode="after")
    def _both_or_neither(self) -> SiteSpec:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither (then site names a place)")
        return self


class RadarSpec(_Strict):
    """A catalogue radar, optionally moved or re-pointed (e.g. a second AN/TPY-2)."""

    radar: Name = Field(description="catalogue radar name")
    label: Name | None = Field(default=None, description="name in outputs (default: radar)")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    height_m: float | None = Field(default=None, ge=-500, le=9000)
    boresight_azimuth_deg: float | None = Field(default=None, ge=0, lt=360)
    half_width_deg: float | None = Field(default=None, gt=0, le=180)
    reference_range_km: float | None = Field(
        default=None, gt=0, le=20000, description="detection range [km] at the catalogue "
        "radar's reference RCS (a disputed value: see the catalogue's ranges)")

    @model_validator(mode="after")
    def _both_or_neither(self) -> RadarSpec:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class EarlyWarning(_Strict):
    """Space-based infrared early warning: a cue after the stated delay, not a track."""

    enabled: bool = True
    detection_delay_s: float = Field(default=60.0, ge=0, le=600)


class Timeline(_Strict):
    decision_delay_s: float = Field(default=60.0, ge=0, le=3600,
                                    description="from launch-quality track to launch")
    fire_control: Literal["radar-track", "ir-cue"] = Field(
        default="radar-track",
        description="what interceptors may launch on: a launch-quality radar track, or (a "
                    "what-if: an ideal forward sensor) the space-based infrared cue itself")


N_DETECTIONS = "n-detections"  # the old sensor rule's name (scenario ``architecture:``)


class Tracking(_Strict):
    """Settings of the measuring and tracking sense stage (used only with an architecture)."""

    seed: int = Field(default=0, ge=0, le=2**63 - 1,
                      description="seed of the measurement noise and detection draws (each "
                                  "sensor draws from its own stream, keyed by its name)")
    grid_step_s: float = Field(default=2.0, gt=0, le=60,
                               description="epochs [s] on which fused own + remote tracks are "
                                           "judged (exchange and sectoral links)")


class Threats(_Strict):
    missile: Name = Field(
        default=catalog.BY_BASE,
        description="'by-base': each base flies its own missile (catalog/forces.yaml 'flies'); "
                    "or one catalogue missile for every base (e.g. topol-m-like, the old rule)")
    missiles: dict[Name, Name] = Field(
        default_factory=dict, description="per-base override: base -> catalogue missile")
    bases: list[Name] = Field(min_length=1)
    targets: list[Name] = Field(min_length=1)
    rcs_m2: float = Field(default=0.1, gt=0, le=100, description="warhead radar cross-section")

    def missile_by_base(self) -> dict[str, str]:
        """Base -> the catalogue missile its routes fly: the ``missiles`` override, else the
        base's own missile (``missile: by-base``) or the one ``missile`` named."""
        own = catalog.base_missiles() if self.missile == catalog.BY_BASE else {}
        return {b: self.missiles.get(b) or own.get(b) or self.missile for b in self.bases}

    def check_missiles(self) -> None:
        """``missile`` is 'by-base' or a catalogue missile; every ``missiles`` key is one of
        the bases and every value a catalogue missile (one InputError line otherwise)."""
        known = ", ".join(sorted(catalog.missiles()))
        if self.missile != catalog.BY_BASE and self.missile not in catalog.missiles():
            raise InputError(f"threats.missile: unknown missile {self.missile!r}; known: "
                             f"{catalog.BY_BASE} (each base's own missile), {known}")
        for base, name in self.missiles.items():
            if base not in self.bases:
                raise InputError(f"threats.missiles.{base}: {base!r} is not one of the "
                                 f"scenario's bases ({', '.join(self.bases)})")
            if name not in catalog.missiles():
                raise InputError(f"threats.missiles.{base}: unknown missile {name!r}; known: "
                                 f"{known}")


class Region(_Strict):
    """A latitude/longitude box [deg, WGS84]; ``lon_min_deg > lon_max_deg`` is not allowed
    (boxes across the antimeridian are not supported)."""

    lat_min_deg: float = Field(ge=-90, le=90)
    lat_max_deg: float = Field(ge=-90, le=90)
    lon_min_deg: float = Field(ge=-180, le=180)
    lon_max_deg: float = Field(ge=-180, le=180)

    @model_validator(mode="after")
    def _ordered(self) -> Region:
        if self.lat_min_deg >= self.lat_max_deg:
            raise ValueError("lat_min_deg must be below lat_max_deg")
        if self.lon_min_deg >= self.lon_max_deg:
            raise ValueError("lon_min_deg must be below lon_max_deg")
        return self


# interceptor fields that change the equivalent booster (see defense.interceptors)
BOOSTER_FIELDS = frozenset({"burnout_speed_kms", "burn_time_s", "launch_mass_kg", "diameter_m"})
EUROPE = {"lat_min_deg": 34.0, "lat_max_deg": 72.0, "lon_min_deg": -25.0, "lon_max_deg": 45.0}
MAX_GRID_POINTS = 5_000_000  # aim points per footprint without --force
MAX_ROUTES = 8_000  # routes of a deterrence study (measured: 11,000 routes peak at 3.7 GB)
MAX_SITES = 200  # interceptor sites per scenario: one fly-out table per site and interceptor


class Footprint(_Strict):
    """The defence-of-Europe study: missiles from launch areas at a grid of aim points."""

    launch_areas: list[Name] = Field(
        default_factory=lambda: ["iran-north-west", "iran-west", "iran-north"], min_length=1,
        description="launch areas: catalogue names (euroshield catalog launch-areas) or names "
                    "defined in launch_area_definitions")
    launch_area_definitions: list[catalog.LaunchArea] = Field(
        default_factory=list, description="the scenario's own launch areas: {name, "
        "description, points: [{name, lat, lon, uncertainty_km}], source}; a name here "
        "replaces a catalogue area of the same name")
    missiles: list[Name] = Field(
        default_factory=lambda: ["khorramshahr-like", "irbm-hypothetical"], min_length=1,
        description="catalogue missiles flown at every aim point (minimum energy)")
    region: Region = Field(default_factory=lambda: Region(**EUROPE))
    resolution_deg: float = Field(default=0.25, gt=0, le=10,
                                  description="aim-point grid spacing in latitude and longitude")
    land_only: bool = Field(default=True, description="aim points on land only (Natural "
                                                      "Earth 1:110m)")
    rcs_m2: float = Field(default=0.1, gt=0, le=100, description="warhead radar cross-section")
    us_targets: list[Name] = Field(
        default_factory=lambda: ["washington", "new-york", "boston", "chicago"],
        description="U.S. targets for the Iran -> United States routes (EPAA Phase 4)")
    us_missile: Name = Field(default="iran-icbm-notional",
                             description="missile of the Iran -> United States routes")


@functools.lru_cache(maxsize=256)
def _off_boresight_deg(lat_deg: float, lon_deg: float, boresight_deg: float,
                       lats: tuple, lons: tuple) -> np.ndarray:
    """|bearing - boresight| [deg, 0-180] from a radar to each point (WGS84 geodesics).
    Cached: a campaign re-validates the same radar against the same bases every draw."""
    from euroshield.earth import geodesy

    n = len(lats)
    _, az, _ = geodesy.inverse(np.full(n, lat_deg), np.full(n, lon_deg), np.array(lats),
                               np.array(lons))
    out = np.abs((np.asarray(az) - boresight_deg + 180) % 360 - 180)
    out.flags.writeable = False
    return out


class Scenario(_Strict):
    name: Name
    description: str = ""
    year: int | None = Field(default=None, ge=1950, le=2100)
    sites: list[SiteSpec] = Field(min_length=1, max_length=MAX_SITES)
    radars: list[Name | RadarSpec] = Field(
        default_factory=list, description="radar names, or {radar: name, lat, lon, ...}")
    early_warning: EarlyWarning = Field(default_factory=EarlyWarning)
    timeline: Timeline = Field(default_factory=Timeline)
    threats: Threats
    footprint: Footprint = Field(default_factory=Footprint)
    architecture: Name | dict[str, Any] | None = Field(
        default=None,
        description="the sensor and fire-control rule: 'n-detections' (or absent: the old "
                    "rule, N detections make a track), a built-in architecture (euroshield "
                    "catalog architectures: independent, exchange, joint, sectoral), or a "
                    "mapping {kind, systems, links, sectors, sector_point, track_quality}")
    tracking: Tracking | None = Field(
        default=None, description="measurement and tracking settings used with an "
                                  "architecture: {seed, grid_step_s}")
    interceptor_overrides: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="interceptor name -> {field: value}")
    sources: list[str] = Field(default_factory=list)
    distributions: list[Distribution] = Field(
        default_factory=list, max_length=100,
        description="uncertain parameters for campaigns: {parameter: dotted path, kind: "
                    "uniform|normal|triangular|lognormal|choice, its fields, source}")
    paper: Paper | None = Field(
        default=None, description="the published analysis this file reproduces (see "
                                  "euroshield.papers): title, authors, year, url, ...")
    claims: list[Claim] = Field(
        default_factory=list, max_length=100,
        description="the paper's conclusions: {id, text, source, label, check: {study, site, "
                    "interceptor, timeline, expect: METRIC OP NUMBER} or null}")

    def resolve(self, check_boosters: bool = True) -> Scenario:
        """Check every catalogue reference and everything a study would refuse later (so that
        ``scenario show`` and the studies accept the same files); raises InputError naming the
        field. Returns self."""
        from euroshield.defense.interceptors import interceptors
        from euroshield.defense.radar import radars

        if self.timeline.fire_control == "ir-cue" and not self.early_warning.enabled:
            raise InputError("timeline.fire_control: 'ir-cue' needs early_warning.enabled: true "
                             "(the infrared cue comes from early warning)")
        known_ic = interceptors()
        for i, s in enumerate(self.sites):
            if s.lat is None:
                p = catalog.places().get(s.site)
                if p is None or p.kind not in ("defence-site", "ship-station"):
                    sites = sorted(n for n, q in catalog.places().items()
                                   if q.kind in ("defence-site", "ship-station"))
                    raise InputError(f"sites.{i}.site: unknown site {s.site!r}; known: "
                                     f"{', '.join(sites)} (or give lat and lon)")
            for name in s.interceptors:
                if name not in known_ic:
                    raise InputError(f"sites.{i}.interceptors: unknown interceptor {name!r}; "
                                     f"known: {', '.join(sorted(known_ic))}")
        for i, r in enumerate(self.radars):
            name = r if isinstance(r, str) else r.radar
            if name not in radars():
                raise InputError(f"radars.{i}: unknown radar {name!r}; known: "
                                 f"{', '.join(sorted(radars()))}")
        self.threats.check_missiles()
        n_routes = len(self.threats.bases) * len(self.threats.targets)
        if n_routes > MAX_ROUTES:
            raise InputError(f"threats: {len(self.threats.bases)} bases x "
                             f"{len(self.threats.targets)} targets = {n_routes:,} routes, more "
                             f"than the {MAX_ROUTES:,} a study holds in memory; split the "
                             "scenario")
        # bases: ICBM bases only (the raid needs each base's warheads); targets: targets, or
        # launch-area places (e.g. a strike on Tehran)
        for field, kinds in (("bases", ("icbm-base",)), ("targets", ("target", "launch-area"))):
            for i, name in enumerate(getattr(self.threats, field)):
                if any(name in catalog.places(k) for k in kinds):
                    continue
                other = catalog.places().get(name)
                what = (f"{name!r} is a {other.kind}, not an {kinds[0]}" if other else
                        f"unknown {kinds[0]} {name!r}")
                raise InputError(f"threats.{field}.{i}: {what}; known: "
                                 f"{', '.join(sorted(catalog.places(kinds[0])))}")
        for name, fields in self.interceptor_overrides.items():
            if name not in known_ic:
                raise InputError(f"interceptor_overrides: unknown interceptor {name!r}; "
                                 f"known: {', '.join(sorted(known_ic))}")
            try:
                type(known_ic[name]).model_validate(
                    {**known_ic[name].model_dump(), **fields})
            except ValidationError as exc:
                raise InputError(catalog.format_validation_error(
                    exc, f"interceptor_overrides.{name}")) from None
        fp = self.footprint
        names = [a.name for a in fp.launch_area_definitions]
        if len(set(names)) != len(names):
            raise InputError("footprint.launch_area_definitions: a launch area name appears "
                             "twice")
        known_areas = self.launch_areas()
        for i, name in enumerate(fp.launch_areas):
            if name not in known_areas:
                raise InputError(f"footprint.launch_areas.{i}: unknown launch area {name!r}; "
                                 f"known: {', '.join(sorted(known_areas))}")
        for i, name in enumerate([*fp.missiles, fp.us_missile]):
            if name not in catalog.missiles():
                field = f"missiles.{i}" if i < len(fp.missiles) else "us_missile"
                raise InputError(f"footprint.{field}: unknown missile {name!r}; known: "
                                 f"{', '.join(sorted(catalog.missiles()))}")
        for i, name in enumerate(fp.us_targets):
            if name not in catalog.places("target"):
                raise InputError(f"footprint.us_targets.{i}: unknown target {name!r}; known: "
                                 f"{', '.join(sorted(catalog.places('target')))}")
        self._check_radar_sectors()
        self.architecture_model()
        if check_boosters:
            self._check_overridden_boosters()
        self._check_distributions()
        if self.paper is not None or self.claims:
            from euroshield.papers import check_claims

            check_claims(self)
        return self

    def nominal(self) -> Scenario:
        """This scenario without its distributions: the parameters as written."""
        return self.model_copy(update={"distributions": []}) if self.distributions else self

    def with_overrides(self, values, where: str = "scenario",
                       check_boosters: bool = True) -> Scenario:
        """A new scenario with ``values`` (dotted parameter path -> value, see
        :func:`euroshield.studies.distributions.parameter_paths`) set, validated and resolved
        like a file; ``self`` is not changed. The result is frozen (see :func:`freeze`): what
        was validated cannot be changed afterwards, so a campaign draw stays a valid scenario.
        Bad values or paths raise one InputError line that starts with ``where`` and names the
        path. ``check_boosters=False`` skips flying the equivalent booster of an overridden
        interceptor speed (campaigns check both ends of each speed distribution once instead
        of every draw)."""
        from euroshield.studies.distributions import apply_overrides

        lead = f"{where}: " if where else ""
        try:
            data = apply_overrides(self, self.model_dump(exclude_none=True), values)
        except ValueError as exc:
            raise InputError(f"{lead}{exc}") from None
        try:
            sc = Scenario.model_validate(data)
        except ValidationError as exc:
            raise InputError(catalog.format_validation_error(exc, where).lstrip(": ")) from None
        try:
            sc.resolve(check_boosters=check_boosters)
        except InputError as exc:
            raise InputError(f"{lead}{exc}") from None
        return freeze(sc)

    def _check_distributions(self) -> None:
        """Every distribution addresses a parameter of this scenario (once), and every end of
        its support gives a valid scenario (so no draw can fail on one parameter alone)."""
        from euroshield.studies.distributions import check_path

        seen: dict[str, int] = {}
        base = self.nominal()
        for i, d in enumerate(self.distributions):
            try:
                check_path(self, d.parameter)
            except ValueError as exc:
                raise InputError(f"distributions.{i}.parameter: {exc}") from None
            if d.parameter in seen:
                raise InputError(f"distributions.{i}.parameter: {d.parameter} already has a "
                                 f"distribution (distributions.{seen[d.parameter]})")
            seen[d.parameter] = i
            for v in d.support():
                try:
                    base.with_overrides({d.parameter: v}, where="")
                except InputError as exc:
                    shown_v = f"{v:g}" if isinstance(v, float) else repr(v)
                    if isinstance(v, float) and not np.isfinite(v):
                        raise InputError(
                            f"distributions.{i}: the {d.kind} distribution of {d.parameter} "
                            f"is unbounded (reaches {shown_v}); give low and high inside the "
                            f"allowed range ({exc})") from None
                    raise InputError(
                        f"distributions.{i}: {d.parameter} = {shown_v} (an end of the "
                        f"{d.kind} distribution's support) is not allowed: {exc}; bound the "
                        "distribution (low, high) or change its values") from None

    def _check_overridden_boosters(self) -> None:
        """An interceptor whose overrides change its booster (speed, burn time, mass or
        diameter) must still have an equivalent booster that flies (the calibration a study
        would run anyway; its result is cached for the process)."""
        from euroshield.defense.interceptors import ISP_MAX_S, PROP_FRACTION_BOUNDS, boosters

        names = [n for n, f in self.interceptor_overrides.items() if set(f) & BOOSTER_FIELDS]
        ics = [self.interceptor(n) for n in names]
        for name, ic, booster in zip(names, ics, boosters(ics) if ics else [], strict=True):
            if booster is None:
                raise InputError(
                    f"interceptor_overrides.{name}: burnout speed {ic.burnout_speed_kms:g} km/s "
                    f"with a {ic.burn_time_s:g} s burn and {ic.launch_mass_kg:g} kg at launch is "
                    "outside what an equivalent booster can fly (propellant fraction <= "
                    f"{PROP_FRACTION_BOUNDS[1]}, Isp <= {ISP_MAX_S:g} s, thrust above weight); "
                    "change burnout_speed_kms, burn_time_s or launch_mass_kg")

    def _check_radar_sectors(self) -> None:
        """A sector radar must face the threats: some threat base or target must lie within
        90 deg of its sector's edges (else it sits on the wrong side of the world)."""

        ends = [catalog.get_place(n) for n in (*self.threats.bases, *self.threats.targets)]
        lat = tuple(p.lat for p in ends)
        lon = tuple(p.lon for p in ends)
        for i, radar in enumerate(self.radar_models()):
            if radar.boresight_azimuth_deg is None or radar.half_width_deg >= 90:
                continue
            off = _off_boresight_deg(radar.lat, radar.lon, radar.boresight_azimuth_deg, lat, lon)
            if off.min() > radar.half_width_deg + 90:
                raise InputError(
                    f"radars.{i}: sector radar {radar.name} at {radar.lat:.2f}, "
                    f"{radar.lon:.2f} faces {radar.boresight_azimuth_deg:g} +/- "
                    f"{radar.half_width_deg:g} deg, but every threat base and target lies "
                    f"behind it (at least {off.min():.0f} deg off boresight): move it "
                    "(lat, lon) or turn it (boresight_azimuth_deg)")

    # ---- the sensor architecture -------------------------------------------------------

    @property
    def architecture_name(self) -> str:
        """``n-detections`` (the old rule), a built-in architecture's name, or ``inline``."""
        a = self.architecture
        if a is None:
            return N_DETECTIONS
        return a if isinstance(a, str) else "inline"

    @property
    def tracking_settings(self) -> Tracking:
        """The ``tracking`` section, or its defaults."""
        return self.tracking if self.tracking is not None else Tracking()

    def architecture_model(self, spec=None, where: str = "architecture"):
        """The scenario's architecture (or ``spec``: a built-in name, ``n-detections``, a
        mapping or an :class:`~euroshield.network.architecture.Architecture`) as a validated
        Architecture with the ``scenario`` placeholders expanded; None for the old rule.

        Placeholders: in a system's ``sensors`` the word ``scenario`` stands for the
        scenario's radars (after its moves, by label), in order, then the others listed
        (duplicates dropped); in ``shooters`` for every scenario site. Checks (one InputError
        line starting with ``where`` and naming the field): a known name, the architecture
        format (links to known systems, latencies >= 0, known sharing levels, sectors that
        parse), tracking sensors that are known radars with a field of regard and a
        measurement model, cue sensors that are space sensors, shooters that are sites of
        this scenario, every site in some system's shooters, ``sector_point: aim``."""
        spec = self.architecture if spec is None else spec
        if spec is None or (isinstance(spec, str) and spec == N_DETECTIONS):
            return None  # the old rule: nothing to check (and no tracker to import)
        from euroshield.defense.radar import radars, space_sensors
        from euroshield.network.architecture import (
            Architecture,
            check_sensors,
            parse_architecture,
        )

        if isinstance(spec, Architecture):
            spec = spec.model_dump(by_alias=True)
        if isinstance(spec, str):
            known = catalog.architectures()
            if spec not in known:
                raise InputError(f"{where}: unknown architecture {spec!r}; known: "
                                 f"{N_DETECTIONS} (the old rule), {', '.join(known)} (or a "
                                 "mapping: kind, systems, links, sectors, track_quality)")
            spec = known[spec].architecture
        arch = _parse_arch(parse_architecture, spec, where)
        scenario_radars = {r.name: r for r in self.radar_models()}
        known_radars = {**radars(), **scenario_radars}
        stand_in = next(iter(scenario_radars.values()), None) or next(
            r for r in radars().values() if r.measures)
        check_sensors(arch, {**known_radars, "scenario": stand_in}, space_sensors(), where)
        sites = list(dict.fromkeys(s.site for s in self.sites))
        for i, system in enumerate(arch.systems):
            for j, name in enumerate(system.shooters):
                if name != "scenario" and name not in sites:
                    raise InputError(f"{where}.systems.{i}.shooters.{j}: {name!r} is not a "
                                     f"site of this scenario; sites: {', '.join(sites)} (or "
                                     "'scenario': every site)")
        if arch.kind == "sectoral" and arch.sector_point != "aim":
            raise InputError(f"{where}.sector_point: {arch.sector_point!r} is not supported by "
                             "the studies (the sense stage runs before intercept points are "
                             "known); use 'aim'")
        data = arch.model_dump(by_alias=True)
        for system in data["systems"]:
            system["sensors"] = list(dict.fromkeys(
                x for name in system["sensors"]
                for x in (scenario_radars if name == "scenario" else [name])))
            system["shooters"] = list(dict.fromkeys(
                x for name in system["shooters"] for x in (sites if name == "scenario"
                                                           else [name])))
        arch = _parse_arch(parse_architecture, data, where)
        owned = arch.shooter_systems()
        for site in sites:
            if site not in owned:
                raise InputError(f"{where}.systems: site {site!r} belongs to no system's "
                                 "shooters; list it (or 'scenario': every site) under a "
                                 "system's shooters")
        return arch

    def launch_areas(self) -> dict:
        """Launch areas by name: the catalogue's, and the scenario's own definitions."""
        out = dict(catalog.launch_areas())
        out.update({a.name: a for a in self.footprint.launch_area_definitions})
        return out

    def radar_models(self) -> list:
        """The scenario's radars as :class:`~euroshield.defense.radar.Radar` objects, with the
        scenario's moves and re-pointings applied."""
        from euroshield.defense.radar import get_radar

        out = []
        for r in self.radars:
            if isinstance(r, str):
                out.append(get_radar(r))
                continue
            base = get_radar(r.radar)
            upd = {k: v for k, v in (("lat", r.lat), ("lon", r.lon), ("height_m", r.height_m),
                                      ("boresight_azimuth_deg", r.boresight_azimuth_deg),
                                      ("half_width_deg", r.half_width_deg),
                                      ("name", r.label),
                                      ("reference_range_km", r.reference_range_km))
                   if v is not None}
            out.append(base.model_copy(update=upd))
        return out

    def site_position(self, spec: SiteSpec) -> tuple[float, float]:
        """(lat_deg, lon_deg) of a site: its explicit point or its catalogue place."""
        if spec.lat is not None:
            return spec.lat, spec.lon
        p = catalog.get_place(spec.site)
        return p.lat, p.lon

    def interceptor(self, name: str):
        """The catalogue interceptor with this scenario's overrides applied."""
        from euroshield.defense.interceptors import get_interceptor

        base = get_interceptor(name)
        fields = self.interceptor_overrides.get(name)
        return base if not fields else type(base).model_validate({**base.model_dump(), **fields})


def _parse_arch(parse_architecture, data, where: str):
    """``parse_architecture`` with its messages' field paths joined to ``where``
    (``architecture.links.0.latency_s: ...``)."""
    try:
        return parse_architecture(data, where)
    except InputError as exc:
        msg = str(exc)
        head = f"{where}: "
        rest = msg[len(head):] if msg.startswith(head) else None
        if rest is not None and re.match(r"^[\w.\-]+: ", rest):
            msg = f"{where}.{rest}"
        raise InputError(msg) from None


# ---- frozen scenarios ----------------------------------------------------------------------
#
# The scenario models themselves stay mutable: the Python API documents changing a loaded
# scenario and rerunning a study (README: sc.timeline.fire_control = "ir-cue"), and tests build
# variants that way. Scenarios that must not change after validation (Scenario.with_overrides,
# hence every campaign draw) are frozen copies instead: every model in the tree is an instance
# of a frozen subclass (assignment raises pydantic's "Instance is frozen" ValidationError) and
# every list and dict a read-only subclass (changing one in place raises TypeError). They
# serialise, validate, pickle and compute exactly as the unfrozen scenario;
# model_copy(update=...) and with_overrides still make changed copies.


class _FrozenList(list):
    """A list of a frozen scenario: read-only (still a list for pydantic and isinstance)."""

    def _frozen(self, *args, **kwargs):
        raise TypeError("a frozen scenario cannot be changed in place; use "
                        "Scenario.with_overrides or model_copy(update=...)")

    append = extend = insert = remove = pop = clear = sort = reverse = _frozen
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _frozen

    def __reduce__(self):
        return (_FrozenList, (list(self),))


class _FrozenDict(dict):
    """A dict of a frozen scenario: read-only."""

    _frozen = _FrozenList._frozen
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _frozen
    __ior__ = _frozen

    def __reduce__(self):
        return (_FrozenDict, (dict(self),))


_FROZEN_TYPES: dict[type, type] = {}


def _frozen_type(cls: type) -> type:
    """``cls`` with ``frozen=True``: one subclass per model class, made on first use (pickled
    by value, see ``__reduce__``, so no process needs to have made it before)."""
    if getattr(cls, "_frozen_base", None) is not None:
        return cls
    t = _FROZEN_TYPES.get(cls)
    if t is None:
        t = type(cls)(f"Frozen{cls.__name__}", (cls,), {
            "__module__": cls.__module__, "model_config": ConfigDict(frozen=True),
            "__doc__": f"A frozen {cls.__name__} (see euroshield.scenario.freeze).",
            "__reduce__": lambda self: (freeze, (thaw(self),))})
        t._frozen_base = cls
        _FROZEN_TYPES[cls] = t
    return t


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _convert(value, make, frozen: bool):
    t = type(value)
    if t in _LEAVES:
        return value
    if isinstance(value, list):
        items = [_convert(v, make, frozen) for v in value]
        return _FrozenList(items) if frozen else items
    if isinstance(value, dict):
        items = {k: _convert(v, make, frozen) for k, v in value.items()}
        return _FrozenDict(items) if frozen else items
    if isinstance(value, BaseModel):
        return make(value)
    return value


def _rebuilt(model: BaseModel, cls: type, make, frozen: bool) -> BaseModel:
    """``model``'s values as an instance of ``cls`` (a copy, as ``BaseModel.__copy__`` makes
    one: the values are already validated, so none is validated again)."""
    new = cls.__new__(cls)
    object.__setattr__(new, "__dict__", {k: _convert(v, make, frozen)
                                         for k, v in model.__dict__.items()})
    object.__setattr__(new, "__pydantic_fields_set__", set(model.__pydantic_fields_set__))
    object.__setattr__(new, "__pydantic_extra__", model.__pydantic_extra__)
    object.__setattr__(new, "__pydantic_private__", model.__pydantic_private__)
    return new


def freeze(model: BaseModel) -> BaseModel:
    """A frozen copy of a validated model (a Scenario, or any of its sections): the same
    values, but nothing can be assigned or changed in place. Not validated again (about
    0.1 ms for a scenario, a tenth of validating it)."""
    return _rebuilt(model, _frozen_type(type(model)), freeze, True)


def thaw(model: BaseModel) -> BaseModel:
    """A mutable copy of a frozen model (the inverse of :func:`freeze`)."""
    cls = getattr(type(model), "_frozen_base", None) or type(model)
    return _rebuilt(model, cls, thaw, False)


def is_frozen(model: BaseModel) -> bool:
    """True for a copy made by :func:`freeze`."""
    return getattr(type(model), "_frozen_base", None) is not None


ASSEMBLED = "scenario"  # ``where`` of data the command line assembled from options


def parse(data, where: str) -> Scenario:
    """Validate and resolve scenario data; every error is one InputError line that starts
    with ``where`` (the file) and names the field. Data the command line assembled from a
    loaded scenario and its options (``where == ASSEMBLED``) keeps the bare field in the
    catalogue-reference errors, so that the caller can name the option instead."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping (a scenario), got {type(data).__name__}")
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(catalog.format_validation_error(exc, where)) from None
    except RecursionError:  # a guard: the YAML loader limits nesting to catalog.MAX_NESTING
        raise InputError(f"{where}: nested too deeply") from None
    if where == ASSEMBLED:
        return sc.resolve()
    try:
        return sc.resolve()
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def builtin_names() -> list[str]:
    d = resources.files("euroshield.catalog").joinpath(BUILTIN_DIR)
    return sorted(p.name[:-5] for p in d.iterdir() if p.name.endswith(".yaml"))


PAPERS_DIR = "papers"  # published analyses: catalog/scenarios/papers/NAME.yaml, "papers/NAME"


def paper_names() -> list[str]:
    """The built-in published-analysis scenarios, as ``papers/NAME``."""
    d = resources.files("euroshield.catalog").joinpath(BUILTIN_DIR).joinpath(PAPERS_DIR)
    if not d.is_dir():
        return []
    return sorted(f"{PAPERS_DIR}/{p.name[:-5]}" for p in d.iterdir() if p.name.endswith(".yaml"))


CAMPAIGNS_DIR = "campaigns"  # stochastic scenarios: catalog/scenarios/campaigns/NAME.yaml


def campaign_names() -> list[str]:
    """The built-in stochastic scenarios (with distributions), as ``campaigns/NAME``."""
    d = resources.files("euroshield.catalog").joinpath(BUILTIN_DIR).joinpath(CAMPAIGNS_DIR)
    if not d.is_dir():
        return []
    return sorted(f"{CAMPAIGNS_DIR}/{p.name[:-5]}" for p in d.iterdir()
                  if p.name.endswith(".yaml"))


def load(name_or_file: str | Path | None = None, option: str = "--scenario") -> Scenario:
    """A built-in scenario by name, or a YAML file; None gives the default (shield today).
    ``option`` is what the error messages call the argument."""
    ref = os.fspath(name_or_file) if name_or_file is not None else DEFAULT_SCENARIO
    if ref in builtin_names() or ref in paper_names() or ref in campaign_names():
        text = resources.files("euroshield.catalog").joinpath(
            f"{BUILTIN_DIR}/{ref}.yaml").read_text("utf-8")
        return parse(catalog.load_yaml_text(text, f"scenario {ref}"), f"scenario {ref}")
    builtins = ", ".join(builtin_names()) + (f"; papers: {', '.join(paper_names())}"
                                             if paper_names() else "") + (
        f"; campaigns: {', '.join(campaign_names())}" if campaign_names() else "")
    if ref == "":
        raise InputError(f"{option}: empty name; give a built-in scenario ({builtins}) or a "
                         "YAML file")
    try:
        os.stat(ref)
    except ValueError:  # a NUL character in the name: read_yaml_file says so
        pass
    except OSError as exc:  # other failures (name too long, symlink loop) are read errors
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise InputError(f"{option}: {catalog.shown(repr(ref))} is neither a built-in "
                             f"scenario ({builtins}) nor an existing file") from None
    return parse(catalog.read_yaml_file(ref), catalog.shown(ref))


def json_schema() -> str:
    """JSON Schema of the scenario format (for editors)."""
    return json.dumps(Scenario.model_json_schema(), indent=2)
