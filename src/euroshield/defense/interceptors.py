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
from pydantic import BaseModel, ConfigDict, Field, model_validator

from euroshield.earth.constants import G0
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
    # the equivalent booster burns half of it per stage and pitches over in its first 7 s
    burn_time_s: float = Field(ge=15.0, le=400.0)
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
        m = boosters([self])[0]
        if m is None:
            raise _out_of_range(self)
        return m


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


def _log_mass_ratio(ic: Interceptor, prop_fraction):
    """Sum over both stages of ln(m_start / m_burnout) of the equivalent booster: its ideal
    (gravity- and drag-free) speed gain is ``isp * G0 *`` this."""
    m0 = ic.launch_mass_kg
    kv = KV_FRACTION * m0
    s1 = STAGE1_SHARE * (m0 - kv)
    s2 = (1.0 - STAGE1_SHARE) * (m0 - kv)
    f = np.asarray(prop_fraction, dtype=float)
    return np.log(m0 / (m0 - f * s1)) + np.log((s2 + kv) / (s2 + kv - f * s2))


def _design(ic: Interceptor, ideal_m_s: float) -> tuple[float, float]:
    """(propellant fraction, Isp) whose ideal speed gain is ``ideal_m_s``: the fraction at the
    nominal Isp if it suffices, else the largest fraction with a higher Isp."""
    need = ideal_m_s / (ISP_S * G0)
    f_lo, f_hi = PROP_FRACTION_BOUNDS
    if need > _log_mass_ratio(ic, f_hi):
        return f_hi, ideal_m_s / (G0 * float(_log_mass_ratio(ic, f_hi)))
    lo, hi = f_lo, f_hi  # the log mass ratio grows with the fraction: bisect (cheap, scalar)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _log_mass_ratio(ic, mid) < need else (lo, mid)
    return 0.5 * (lo + hi), ISP_S


def calibrate(ics: list[Interceptor], tol_m_s: float = 0.05) -> list[Missile | None]:
    """Equivalent boosters of several interceptors, calibrated together.

    Fixed-point iteration on the gravity and drag losses: design the booster whose ideal speed
    gain is the target plus the losses of the previous guess, fly all of them in one batch on
    the reference fly-out, update each loss; the losses change little with the design, so a
    few batches reach ``tol_m_s``. None marks a speed no equivalent booster flies.
    """
    target = np.array([ic.burnout_speed_kms * 1e3 for ic in ics])
    loss = 0.1 * target
    done = np.zeros(len(ics), dtype=bool)
    out: list[Missile | None] = [None] * len(ics)
    failed = np.zeros(len(ics), dtype=bool)
    for _ in range(30):
        todo = np.flatnonzero(~done & ~failed)
        if len(todo) == 0:
            break
        designs, ideal, flown = [], [], []
        for i in todo:
            f, isp = _design(ics[i], target[i] + loss[i])
            try:
                if isp > ISP_MAX_S:
                    raise ValueError
                designs.append(_booster_with(ics[i], f, isp))
            except ValueError:  # beyond the Isp bound, or too little thrust to lift off
                failed[i] = True
                continue
            ideal.append(isp * G0 * float(_log_mass_ratio(ics[i], f)))
            flown.append(i)
        v = reference_burnout_speed(designs) if designs else np.array([])
        for j, i in enumerate(flown):
            if not np.isfinite(v[j]):  # fell back before burnout
                failed[i] = True
                continue
            loss[i] = ideal[j] - v[j]
            if abs(v[j] - target[i]) < tol_m_s:
                done[i] = True
                out[i] = designs[j]
    return out


def _out_of_range(ic: Interceptor) -> InputError:
    return InputError(
        f"{ic.name}: burnout speed {ic.burnout_speed_kms:g} km/s with a {ic.burn_time_s:g} s "
        f"burn is outside what an equivalent booster of {ic.launch_mass_kg:g} kg can fly "
        f"(propellant fraction <= {PROP_FRACTION_BOUNDS[1]}, Isp <= {ISP_MAX_S:g} s, and enough "
        "thrust to lift off)")


_BOOSTERS: dict[str, Missile | None] = {}  # interceptor JSON -> calibrated booster (or None)


def boosters(ics: list[Interceptor]) -> list[Missile | None]:
    """Equivalent boosters (None where no equivalent booster flies the speed), calibrating the
    ones not seen before in one batch and remembering all of them for this process."""
    keys = [ic.model_dump_json() for ic in ics]
    new = {k: ic for k, ic in zip(keys, ics, strict=True) if k not in _BOOSTERS}
    if new:
        for k, m in zip(new, calibrate(list(new.values())), strict=True):
            _BOOSTERS[k] = m
    return [_BOOSTERS[k] for k in keys]


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
    from euroshield.catalog import lookup

    return lookup(interceptors(), name, "interceptor")
