"""Interceptors: catalogue entries and their equivalent boosters for the trajectory engine.

Most public interceptor data is a burnout speed and, at best, a burn time. euroshield turns such
a "burnout-speed + burn-time" description into an equivalent two-stage point-mass booster (half
the burn time each, Isp 270 s, kill vehicle 2 % of launch mass, the stated launch mass and
diameter for drag) whose propellant fraction is solved so that the booster, flown through
gravity and drag on a reference fly-out, burns out at exactly the stated speed (if even a 0.92
propellant fraction is too little, as for a 9 km/s GBI, the Isp is raised instead). The
same calibration gives any other burnout speed with the same burn time (``with_speed``), so a
claim can be replayed at the speed its author assumed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from euroshield.errors import InputError
from euroshield.flight.engine import Physics, fly_missiles
from euroshield.flight.vehicles import Missile, Source, pack_vehicles

KV_FRACTION = 0.02  # kill vehicle / launch mass of the equivalent booster (assumed)
ISP_S = 270.0  # specific impulse of the equivalent solid motors (assumed)
PROP_FRACTION_BOUNDS = (0.2, 0.92)  # propellant / stage mass search interval
STAGE1_SHARE = 0.66  # share of the non-KV mass in the first stage (assumed)
REFERENCE_KICK_DEG = 8.0  # pitch-over of the calibration fly-out
ISP_MAX_S = 480.0  # beyond this no equivalent booster is offered


class Interceptor(BaseModel):
    """A catalogue interceptor (burnout-speed + burn-time description)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    description: str
    burnout_speed_kms: float = Field(gt=0.5, le=12.0)
    speed_label: str = Field(pattern=r"^(quoted|widely-cited|assumed)$")
    burn_time_s: float = Field(gt=1.0, le=400.0)
    launch_mass_kg: float = Field(gt=10.0, le=100_000.0)
    diameter_m: float = Field(gt=0.05, le=5.0)
    min_intercept_altitude_km: float = Field(ge=0.0, le=2000.0)
    max_intercept_altitude_km: float = Field(gt=0.0, le=5000.0)
    max_flyout_time_s: float = Field(gt=10.0, le=3600.0)
    divert_kms: float | None = Field(default=None, ge=0.0, le=5.0)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _altitudes(self) -> Interceptor:
        if self.min_intercept_altitude_km >= self.max_intercept_altitude_km:
            raise ValueError("min_intercept_altitude_km must be below max_intercept_altitude_km")
        return self

    def with_speed(self, burnout_speed_kms: float) -> Interceptor:
        """The same interceptor with another burnout speed (same burn time and mass)."""
        v = float(burnout_speed_kms)
        if not 0.5 < v <= 12.0:
            raise InputError(f"interceptor burnout speed {v:g} km/s is outside the allowed "
                             "range (0.5, 12] km/s")
        return self.model_copy(update={"burnout_speed_kms": v})

    def booster(self) -> Missile:
        """The calibrated equivalent booster (cached per parameter set)."""
        return _booster(self.model_dump_json())


def _booster_with(ic: Interceptor, prop_fraction: float, isp_s: float) -> Missile:
    m0 = ic.launch_mass_kg
    kv = KV_FRACTION * m0
    s1 = STAGE1_SHARE * (m0 - kv)
    s2 = (1.0 - STAGE1_SHARE) * (m0 - kv)
    stage = {"isp_vac_s": isp_s, "diameter_m": ic.diameter_m, "burn_time_s": ic.burn_time_s / 2}
    return Missile(
        name=f"{ic.name}-booster",
        description=f"equivalent booster of {ic.name}",
        missile_class="srbm",
        propellant="solid",
        stages=[
            {**stage, "propellant_mass_kg": prop_fraction * s1,
             "dry_mass_kg": (1 - prop_fraction) * s1},
            {**stage, "propellant_mass_kg": prop_fraction * s2,
             "dry_mass_kg": (1 - prop_fraction) * s2},
        ],
        reentry_vehicle={"payload_mass_kg": kv, "ballistic_coefficient_kg_m2": 5000.0},
        guidance={"vertical_rise_s": 2.0, "pitchover_s": 5.0},
        drag={"mach": [0.0, 0.8, 1.2, 2.0, 4.0, 8.0], "cd": [0.15, 0.2, 0.4, 0.3, 0.2, 0.15]},
        published_range={"value_km": 1.0},
        sources=ic.sources,
    )


def reference_burnout_speed(missiles: list[Missile]) -> np.ndarray:
    """Inertial burnout speed [m/s] of each booster on the calibration fly-out (non-rotating
    WGS84 Earth with J2 and drag, launch at 40 N heading north, pitch-over REFERENCE_KICK_DEG)."""
    tables = pack_vehicles(missiles)
    burn = np.array([m.total_burn_time_s for m in missiles])
    # only the burnout state is needed: stop shortly after it
    ph = Physics(rotating=False, t_max_s=float(burn.max()) + 1.0)
    b = fly_missiles(tables, np.arange(len(missiles)), 40.0, 0.0, 0.0, REFERENCE_KICK_DEG, burn,
                     physics=ph)
    return np.where(np.isfinite(b.burnout_time_s), b.burnout_speed_m_s(), np.nan)


def _bisect(speed_of, target: float, lo: float, hi: float) -> float:
    """Parameter in [lo, hi] whose reference burnout speed is ``target`` (speed increasing)."""
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        v = speed_of(mid)
        if not np.isfinite(v) or v < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-6 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


@lru_cache(maxsize=256)
def _booster(ic_json: str) -> Missile:
    ic = Interceptor.model_validate_json(ic_json)
    target = ic.burnout_speed_kms * 1e3
    f_lo, f_hi = PROP_FRACTION_BOUNDS

    def speed(f, isp):
        try:
            v = reference_burnout_speed([_booster_with(ic, f, isp)])[0]
        except ValidationError:  # too little thrust to lift off
            return 0.0
        return v if np.isfinite(v) else 0.0

    v_min, v_max = speed(f_lo, ISP_S), speed(f_hi, ISP_MAX_S)
    if not (v_min <= target <= v_max):
        raise InputError(
            f"{ic.name}: burnout speed {ic.burnout_speed_kms:g} km/s with a {ic.burn_time_s:g} s "
            f"burn is outside what an equivalent booster can fly: {v_min / 1e3:.1f}-"
            f"{v_max / 1e3:.1f} km/s for this burn time, mass and diameter")
    if target <= speed(f_hi, ISP_S):
        m = _booster_with(ic, _bisect(lambda f: speed(f, ISP_S), target, f_lo, f_hi), ISP_S)
    else:
        m = _booster_with(ic, f_hi, _bisect(lambda i: speed(f_hi, i), target, ISP_S, ISP_MAX_S))
    return m


def parse_interceptors(data, where: str) -> dict[str, Interceptor]:
    from euroshield.catalog import parse_entries

    return parse_entries(data, where, "interceptors", Interceptor, "interceptor")


@lru_cache(maxsize=1)
def interceptors() -> dict[str, Interceptor]:
    from euroshield.catalog import load_yaml_text

    text = resources.files("euroshield.catalog").joinpath("interceptors.yaml").read_text("utf-8")
    where = "catalog/interceptors.yaml"
    return parse_interceptors(load_yaml_text(text, where), where)


def get_interceptor(name: str) -> Interceptor:
    known = interceptors()
    if name not in known:
        raise InputError(f"unknown interceptor {name!r}; known interceptors: "
                         f"{', '.join(sorted(known))}")
    return known[name]
