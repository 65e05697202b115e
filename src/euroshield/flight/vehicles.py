"""Vehicle descriptions: point-mass multi-stage ballistic missiles and their re-entry vehicles.

These are data types (validated with pydantic, units in field names). The integrator never sees
them: :func:`pack_vehicles` flattens them into the float tables of
:mod:`euroshield.flight.integrator`.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from euroshield.earth.constants import G0
from euroshield.flight import integrator as ig

MIN_BURN_TIME_S = 1.0  # shortest stage burn (a 1e-6 s burn took minutes to fail)
MAX_BOOST_G = 150.0  # largest thrust acceleration (vacuum thrust / burnout mass) [g]: the
# catalogue's missiles stay below 16 g, the equivalent interceptor boosters below 130 g even at
# 12 km/s; a 195 g missile broke the integrator after 20 s


class Source(BaseModel):
    """A public, unclassified source for a catalogue entry."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    title: str
    author: str = ""
    year: int | str = ""
    url: str = ""
    note: str = ""


class Stage(BaseModel):
    """One rocket stage (burns after the one below it has burnt out and separated)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = ""
    propellant_mass_kg: float = Field(gt=0, description="propellant burnt by this stage")
    dry_mass_kg: float = Field(gt=0, description="inert mass dropped at staging")
    burn_time_s: float = Field(gt=0, le=1000, description=f"at least {MIN_BURN_TIME_S:g} s")
    isp_vac_s: float = Field(gt=50, le=500, description="vacuum specific impulse")
    isp_sl_s: float | None = Field(
        default=None, gt=0, le=500, description="sea-level specific impulse, if known"
    )
    diameter_m: float = Field(gt=0, le=10, description="sets the drag reference area")

    @field_validator("burn_time_s")
    @classmethod
    def _burn_time(cls, v: float) -> float:
        if v < MIN_BURN_TIME_S:  # shorter burns need time steps too small to fly in time
            raise ValueError(f"burn time must be at least {MIN_BURN_TIME_S:g} s (allowed range "
                             f"[{MIN_BURN_TIME_S:g}, 1000] s)")
        return v

    @model_validator(mode="after")
    def _isp_order(self) -> Stage:
        if self.isp_sl_s is not None and self.isp_sl_s > self.isp_vac_s:
            raise ValueError(
                f"isp_sl_s ({self.isp_sl_s}) must not exceed isp_vac_s ({self.isp_vac_s})"
            )
        return self

    @property
    def reference_area_m2(self) -> float:
        return float(np.pi * 0.25 * self.diameter_m**2)


class ReentryVehicle(BaseModel):
    """The payload that flies on after thrust ends (bus and RVs are one point mass here)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    payload_mass_kg: float = Field(gt=0, description="mass above the last stage during boost")
    ballistic_coefficient_kg_m2: float = Field(
        gt=0, le=1e6, description="beta = m / (Cd A) of the re-entry vehicle"
    )


class Guidance(BaseModel):
    """Vertical rise, linear pitch-over, then gravity turn."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    vertical_rise_s: float = Field(gt=0, le=60)
    pitchover_s: float = Field(gt=0, le=60, description="duration of the pitch-over manoeuvre")


class DragTable(BaseModel):
    """Boost drag coefficient versus Mach number (reference area: stage cross-section)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    mach: list[float]
    cd: list[float]

    @model_validator(mode="after")
    def _check(self) -> DragTable:
        if len(self.mach) != len(self.cd) or len(self.mach) < 2:
            raise ValueError("mach and cd need the same length, at least 2")
        if any(b <= a for a, b in zip(self.mach, self.mach[1:], strict=False)):
            raise ValueError("mach must increase strictly")
        if any(c < 0 or c > 5 for c in self.cd):
            raise ValueError("cd must lie in [0, 5]")
        return self


class PublishedRange(BaseModel):
    """A published range figure, kept for validation only: flown ranges come from the physics."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    value_km: float = Field(gt=0)
    min_km: float | None = Field(default=None, gt=0)
    max_km: float | None = Field(default=None, gt=0)
    note: str = ""

    @model_validator(mode="after")
    def _order(self) -> PublishedRange:
        lo = self.min_km if self.min_km is not None else self.value_km
        hi = self.max_km if self.max_km is not None else self.value_km
        if not lo <= self.value_km <= hi:
            raise ValueError(f"need min_km <= value_km <= max_km; got {lo}, {self.value_km}, {hi}")
        return self


class Missile(BaseModel):
    """A generic, publicly sourced ballistic missile."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    description: str
    missile_class: str = Field(pattern=r"^(srbm|mrbm|irbm|icbm)$")
    propellant: str = Field(pattern=r"^(solid|liquid)$")
    stages: list[Stage] = Field(min_length=1, max_length=ig.MAX_STAGES)
    reentry_vehicle: ReentryVehicle
    guidance: Guidance
    drag: DragTable
    published_range: PublishedRange
    ranges: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="disputed parameters: dotted field path -> [min, max] across sources",
    )
    sources: list[Source] = Field(min_length=1)

    @field_validator("ranges")
    @classmethod
    def _ranges_ordered(cls, v: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for key, (lo, hi) in v.items():
            if lo > hi:
                raise ValueError(f"range for {key!r} has min {lo} > max {hi}")
        return v

    @model_validator(mode="after")
    def _lifts_off(self) -> Missile:
        s0 = self.stages[0]
        isp_sl = s0.isp_sl_s if s0.isp_sl_s is not None else s0.isp_vac_s
        thrust_n = s0.propellant_mass_kg / s0.burn_time_s * G0 * isp_sl
        weight_n = self.launch_mass_kg * G0
        if thrust_n <= 1.05 * weight_n:
            raise ValueError(
                f"stages.0: sea-level thrust {thrust_n / 1e3:,.0f} kN must exceed 1.05 x the "
                f"launch weight {weight_n / 1e3:,.0f} kN (the missile would not lift off)"
            )
        return self

    @model_validator(mode="after")
    def _flyable(self) -> Missile:
        """Bounds that keep a flight quick to compute and aimable: a thrust acceleration of
        at most MAX_BOOST_G, and the pitch-over over before the first stage burns out."""
        above = self.launch_mass_kg  # mass when each stage ignites
        for k, s in enumerate(self.stages):
            burnout_kg = above - s.propellant_mass_kg
            g = s.propellant_mass_kg / s.burn_time_s * s.isp_vac_s / burnout_kg
            if g > MAX_BOOST_G:
                raise ValueError(
                    f"stages.{k}: thrust acceleration at burnout of {g:,.0f} g exceeds "
                    f"{MAX_BOOST_G:g} g (burn_time_s {s.burn_time_s:g} is too short for "
                    f"{s.propellant_mass_kg:g} kg of propellant)"
                )
            above = burnout_kg - s.dry_mass_kg
        turn_s = self.guidance.vertical_rise_s + self.guidance.pitchover_s
        burn0_s = self.stages[0].burn_time_s
        if turn_s >= burn0_s:
            raise ValueError(
                f"guidance: vertical_rise_s + pitchover_s = {turn_s:g} s must end before the "
                f"first stage burns out (stages.0.burn_time_s {burn0_s:g} s), else the "
                "missile cannot be aimed"
            )
        return self

    @property
    def launch_mass_kg(self) -> float:
        return self.reentry_vehicle.payload_mass_kg + sum(
            s.propellant_mass_kg + s.dry_mass_kg for s in self.stages
        )

    @property
    def total_burn_time_s(self) -> float:
        return sum(s.burn_time_s for s in self.stages)


class VehicleTables:
    """Float tables the integrator reads; row ``v`` describes vehicle ``v``."""

    def __init__(self, missiles: list[Missile]):
        n = len(missiles)
        ncd = max(len(m.drag.mach) for m in missiles)
        self.names = [m.name for m in missiles]
        self.stage_tab = np.zeros((n, ig.MAX_STAGES, ig.N_STAGE_FIELDS))
        self.veh_tab = np.zeros((n, ig.N_VEH_FIELDS))
        self.cd_mach = np.zeros((n, ncd))
        self.cd_val = np.zeros((n, ncd))
        self.n_cd = np.zeros(n, dtype=np.int64)
        for v, m in enumerate(missiles):
            for k, s in enumerate(m.stages):
                row = self.stage_tab[v, k]
                row[ig.S_PROP] = s.propellant_mass_kg
                row[ig.S_DRY] = s.dry_mass_kg
                row[ig.S_BURN] = s.burn_time_s
                row[ig.S_ISPV] = s.isp_vac_s
                row[ig.S_ISPSL] = s.isp_sl_s if s.isp_sl_s is not None else s.isp_vac_s
                row[ig.S_AREA] = s.reference_area_m2
            self.veh_tab[v, ig.V_NSTAGES] = len(m.stages)
            self.veh_tab[v, ig.V_PAYLOAD] = m.reentry_vehicle.payload_mass_kg
            self.veh_tab[v, ig.V_BETA] = m.reentry_vehicle.ballistic_coefficient_kg_m2
            self.veh_tab[v, ig.V_TVERT] = m.guidance.vertical_rise_s
            self.veh_tab[v, ig.V_TKICK] = m.guidance.pitchover_s
            k = len(m.drag.mach)
            self.cd_mach[v, :k] = m.drag.mach
            self.cd_val[v, :k] = m.drag.cd
            # pad by repeating the last entry so every row is monotone
            self.cd_mach[v, k:] = m.drag.mach[-1] + np.arange(1, ncd - k + 1)
            self.cd_val[v, k:] = m.drag.cd[-1]
            self.n_cd[v] = k


def pack_vehicles(missiles: list[Missile]) -> VehicleTables:
    return VehicleTables(missiles)


def ballistic_rv(beta_kg_m2: float = 0.0, name: str = "rv") -> VehicleTables:
    """Tables for an unpowered body (free flight / re-entry only); beta <= 0 means no drag."""
    t = VehicleTables.__new__(VehicleTables)
    t.names = [name]
    t.stage_tab = np.zeros((1, ig.MAX_STAGES, ig.N_STAGE_FIELDS))
    t.veh_tab = np.zeros((1, ig.N_VEH_FIELDS))
    t.veh_tab[0, ig.V_BETA] = beta_kg_m2
    t.cd_mach = np.array([[0.0, 1.0]])
    t.cd_val = np.zeros((1, 2))
    t.n_cd = np.array([2], dtype=np.int64)
    return t
