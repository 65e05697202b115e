"""Distributions over disputed scenario parameters, and the seeded draws of a campaign.

A scenario's ``distributions:`` section gives any parameter, addressed by a dotted path
(``timeline.decision_delay_s``, ``interceptors.sm3-iia.burnout_speed_kms``,
``radars.spy1-redzikowo.reference_range_km``; :func:`parameter_paths` lists them), a
distribution with a source note: uniform, normal, triangular, log-normal (both optionally
truncated to [low, high]) or a discrete choice.

Every draw is made by inverse transform from independent uniforms ``u`` in [0, 1): the value
of parameter p is ``ppf_p(u_p)``. Draw ``i`` of a campaign takes its uniforms from
``numpy.random.SeedSequence(seed).spawn(...)[i]`` (built directly as
``SeedSequence(seed, spawn_key=(i,))``, the same object), so a draw's values depend only on
the seed and its index: not on the number of workers, the chunking or the order in which
chunks complete. Sensitivity analysis works on the uniforms too (Sobol indices are invariant
under the monotone maps ``ppf_p``), so one SALib problem over the unit cube serves every kind
of distribution, discrete choices included.

Units: the parameter's own (those in its field name).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

KINDS = ("uniform", "normal", "triangular", "lognormal", "choice")


class Distribution(BaseModel):
    """One uncertain parameter: its dotted path, its distribution and where the numbers come
    from. Fields by kind (others must be left out):

    * ``uniform``: ``low`` < ``high``;
    * ``normal``: ``mean``, ``sigma`` > 0, optionally truncated to [``low``, ``high``];
    * ``triangular``: ``low`` <= ``mode`` <= ``high``, ``low`` < ``high``;
    * ``lognormal``: ``median`` > 0 and ``sigma`` > 0 of the natural logarithm, optionally
      truncated to [``low``, ``high``] (``low`` >= 0);
    * ``choice``: ``values`` (numbers, text or true/false), optional ``weights`` (>= 0, same
      length, not all zero; default equal).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True,
                              str_strip_whitespace=True, frozen=True)

    parameter: str = Field(min_length=1, max_length=200,
                           description="dotted path of a scenario parameter")
    kind: Literal["uniform", "normal", "triangular", "lognormal", "choice"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    median: float | None = Field(default=None, gt=0)
    sigma: float | None = Field(default=None, gt=0)
    values: list[float | bool | str] | None = Field(default=None, min_length=1, max_length=100)
    weights: list[float] | None = Field(default=None, min_length=1, max_length=100)
    source: str = Field(min_length=1, max_length=2000,
                        description="where the distribution comes from (or 'own estimate')")

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Distribution:
        need = {"uniform": ("low", "high"), "normal": ("mean", "sigma"),
                "triangular": ("low", "mode", "high"), "lognormal": ("median", "sigma"),
                "choice": ("values",)}[self.kind]
        allowed = set(need) | {"normal": {"low", "high"}, "lognormal": {"low", "high"},
                               "choice": {"weights"}}.get(self.kind, set())
        for f in ("low", "high", "mode", "mean", "median", "sigma", "values", "weights"):
            v = getattr(self, f)
            if f in need and v is None:
                raise ValueError(f"a {self.kind} distribution needs {', '.join(need)}; "
                                 f"{f} is missing")
            if f not in allowed and v is not None:
                raise ValueError(f"{f} is not a field of a {self.kind} distribution (its "
                                 f"fields: {', '.join(sorted(allowed))})")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.kind == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode:g}) must lie in [low, high] = "
                             f"[{self.low:g}, {self.high:g}]")
        if self.kind == "lognormal" and self.low is not None and self.low < 0:
            raise ValueError(f"low ({self.low:g}) of a lognormal distribution must be >= 0")
        if self.kind in ("normal", "lognormal") and self._mass() <= 1e-12:
            raise ValueError("the truncation [low, high] holds no probability (it lies "
                             "far in the tail)")
        if self.kind == "choice":
            if self.weights is not None:
                if len(self.weights) != len(self.values):
                    raise ValueError(f"weights has {len(self.weights)} entries, values "
                                     f"{len(self.values)}: give one weight per value")
                if min(self.weights) < 0 or sum(self.weights) <= 0:
                    raise ValueError("weights must be >= 0 and not all zero")
            if len({repr(v) for v in self.values}) != len(self.values):
                raise ValueError("values: a value appears twice")
        return self

    # ---- the distribution ------------------------------------------------------------------

    def _loc_scale(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal (of ln X for a lognormal)."""
        if self.kind == "lognormal":
            return float(np.log(self.median)), float(self.sigma)
        return float(self.mean), float(self.sigma)

    def _std_bounds(self) -> tuple[float, float]:
        """Truncation bounds of a normal / lognormal in standard units."""
        mu, s = self._loc_scale()
        lo, hi = self.low, self.high
        if self.kind == "lognormal":
            lo = None if lo is None or lo <= 0 else float(np.log(lo))
            hi = None if hi is None else float(np.log(hi))
        a = -np.inf if lo is None else (lo - mu) / s
        b = np.inf if hi is None else (hi - mu) / s
        return float(a), float(b)

    def _mass(self) -> float:
        from scipy.special import ndtr

        a, b = self._std_bounds()
        return float(ndtr(b) - ndtr(a))

    @property
    def probabilities(self) -> np.ndarray:
        """Choice weights normalised to sum 1."""
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights,
                                                                               float)
        return w / w.sum()

    def ppf(self, u) -> np.ndarray:
        """Inverse cumulative distribution at ``u`` in [0, 1] (arrays). A choice returns the
        indices into ``values`` (see :meth:`values_at`)."""
        u = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return self.low + u * (self.high - self.low)
        if self.kind == "triangular":
            a, c, b = self.low, self.mode, self.high
            fc = (c - a) / (b - a)
            left = a + np.sqrt(np.clip(u, 0, 1) * (b - a) * (c - a))
            right = b - np.sqrt(np.clip(1 - u, 0, 1) * (b - a) * (b - c))
            return np.where(u < fc, left, right)
        if self.kind in ("normal", "lognormal"):
            from scipy.stats import truncnorm

            a, b = self._std_bounds()
            mu, s = self._loc_scale()
            z = truncnorm.ppf(u, a, b, loc=mu, scale=s)
            return np.exp(z) if self.kind == "lognormal" else z
        cum = np.cumsum(self.probabilities)
        cum[-1] = 1.0
        return np.minimum(np.searchsorted(cum, u, side="right"), len(self.values) - 1)

    def values_at(self, u) -> list:
        """Parameter values (Python scalars, as the scenario takes them) at uniforms ``u``."""
        x = self.ppf(u)
        if self.kind == "choice":
            return [self.values[int(i)] for i in np.atleast_1d(x)]
        return [float(v) for v in np.atleast_1d(x)]

    def support(self) -> list:
        """The extreme values a draw can take (both ends; every value of a choice)."""
        if self.kind == "choice":
            return list(self.values)
        if self.kind in ("normal", "lognormal"):
            ends = self.ppf(np.array([0.0, 1.0]))
            return [float(v) for v in ends]
        return [float(self.low), float(self.high)]

    def quantiles(self, p: Sequence[float]) -> list:
        return self.values_at(np.asarray(p, dtype=float))

    @property
    def numeric(self) -> bool:
        return self.kind != "choice" or all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)

    def describe(self) -> str:
        """A short text of the distribution, for tables (no source)."""
        if self.kind == "uniform":
            return f"uniform [{self.low:g}, {self.high:g}]"
        if self.kind == "triangular":
            return f"triangular [{self.low:g}, {self.mode:g}, {self.high:g}]"
        cut = ("" if self.low is None and self.high is None else
               f", truncated to [{'-inf' if self.low is None else f'{self.low:g}'}, "
               f"{'inf' if self.high is None else f'{self.high:g}'}]")
        if self.kind == "normal":
            return f"normal (mean {self.mean:g}, sigma {self.sigma:g}{cut})"
        if self.kind == "lognormal":
            return f"log-normal (median {self.median:g}, sigma of ln {self.sigma:g}{cut})"
        w = self.probabilities
        return "choice " + ", ".join(f"{v} ({p:.2g})" for v, p in zip(self.values, w,
                                                                        strict=True))


# ---- seeded uniforms ---------------------------------------------------------------------


def draw_seed(seed: int, index: int) -> np.random.SeedSequence:
    """The seed sequence of draw ``index``: ``SeedSequence(seed).spawn(n)[index]`` for any
    n > index, built without spawning the ones before it."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(index),))


def uniforms(seed: int, draws, n_params: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniforms of the given draws: (A, B), each (len(draws), n_params). Row i of A is the
    Monte Carlo draw; row i of B its independent partner for the Sobol estimators (the
    radial "A, B, A_B^j" design). Each row depends only on (seed, draw index)."""
    draws = np.atleast_1d(np.asarray(draws, dtype=np.int64))
    a = np.empty((len(draws), n_params))
    b = np.empty((len(draws), n_params))
    for r, i in enumerate(draws):
        x = np.random.default_rng(draw_seed(seed, int(i))).random(2 * n_params)
        a[r], b[r] = x[:n_params], x[n_params:]
    return a, b


def salib_problem(names: Sequence[str]) -> dict:
    """The SALib problem over the unit cube of the draws' uniforms (see the module text), one
    variable per parameter path in ``names``."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


# ---- parameter paths ---------------------------------------------------------------------

# scalar fields of the scenario sections a distribution may address
SECTION_FIELDS = {
    "timeline": ("decision_delay_s", "fire_control"),
    "early_warning": ("enabled", "detection_delay_s"),
    "threats": ("missile", "rcs_m2"),
    "footprint": ("rcs_m2",),  # the warhead RCS of the defence-of-Europe study
    "tracking": ("seed",),  # measurement noise of a tracking architecture (choice of seeds)
}
INTERCEPTOR_FIELDS = ("burnout_speed_kms", "burn_time_s", "launch_mass_kg", "diameter_m",
                      "min_intercept_altitude_km", "max_intercept_altitude_km",
                      "max_flyout_time_s", "divert_kms")
RADAR_FIELDS = ("reference_range_km", "lat", "lon", "height_m", "boresight_azimuth_deg",
                "half_width_deg")
SITE_FIELDS = ("lat", "lon", "inventory")
INTEGER_FIELDS = ("seed", "inventory")


def _radar_names(sc) -> list[str]:
    return [r if isinstance(r, str) else (r.label or r.radar) for r in sc.radars]


def parameter_paths(sc) -> list[str]:
    """Every dotted path a distribution (or :meth:`Scenario.with_overrides`) may address in
    scenario ``sc``: section fields, ``interceptors.NAME.FIELD`` of the interceptors its sites
    carry, ``radars.NAME.FIELD`` of its radars (by label if they have one) and
    ``sites.NAME.FIELD``."""
    out = [f"{s}.{f}" for s, fs in SECTION_FIELDS.items() for f in fs]
    ics = dict.fromkeys(n for s in sc.sites for n in s.interceptors)
    out += [f"interceptors.{n}.{f}" for n in ics for f in INTERCEPTOR_FIELDS]
    out += [f"radars.{n}.{f}" for n in _radar_names(sc) for f in RADAR_FIELDS]
    out += [f"sites.{s.site}.{f}" for s in sc.sites for f in SITE_FIELDS]
    return out


def check_path(sc, path: str, valid: Sequence[str] | None = None) -> None:
    """Raise ValueError (one line) unless ``path`` addresses a parameter of ``sc`` (``valid``:
    its :func:`parameter_paths`, if already known); the message lists the nearest valid
    paths."""
    if path in (parameter_paths(sc) if valid is None else valid):
        return
    valid = parameter_paths(sc)  # in order: the message must not depend on set order
    near = difflib.get_close_matches(path, valid, n=4, cutoff=0.55)
    if not near:  # same section, then anything
        head = path.split(".")[0]
        near = [p for p in valid if p.startswith(head + ".")][:4] or valid[:4]
    raise ValueError(f"unknown parameter {path!r}; nearest valid paths: {', '.join(near)} "
                     "(sections: timeline, early_warning, threats, footprint, tracking, "
                     "interceptors.NAME, radars.NAME, sites.NAME)")


def apply_overrides(sc, data: dict, values: Mapping[str, Any]) -> dict:
    """Write ``values`` (dotted path -> value) into ``data`` (``sc.model_dump(
    exclude_none=True)``) and return it; raises ValueError naming an unknown path."""
    radar_names = _radar_names(sc)
    valid = set(parameter_paths(sc)) if values else set()
    for path, value in values.items():
        check_path(sc, path, valid)
        parts = path.split(".")
        head, field = parts[0], parts[-1]
        if field in INTEGER_FIELDS and isinstance(value, float) and value.is_integer():
            value = int(value)  # choice values arrive as floats; these fields are integers
        name = ".".join(parts[1:-1])
        if head in SECTION_FIELDS:
            data.setdefault(head, {})[field] = value
        elif head == "interceptors":
            over = data.setdefault("interceptor_overrides", {})
            over[name] = {**over.get(name, {}), field: value}
        elif head == "radars":
            for i in [i for i, n in enumerate(radar_names) if n == name]:
                entry = data["radars"][i]
                entry = {"radar": entry} if isinstance(entry, str) else dict(entry)
                entry[field] = value
                data["radars"][i] = entry
        elif head == "sites":
            for entry in data["sites"]:
                if entry["site"] == name:
                    if field in ("lat", "lon"):  # a moved site keeps both coordinates
                        lat, lon = sc.site_position(next(s for s in sc.sites
                                                         if s.site == name))
                        entry.setdefault("lat", lat)
                        entry.setdefault("lon", lon)
                    entry[field] = value
    return data


def get_value(sc, path: str):
    """The value of parameter ``path`` in scenario ``sc`` (as a study uses it: catalogue
    values with the scenario's overrides applied)."""
    check_path(sc, path)
    parts = path.split(".")
    head, field = parts[0], parts[-1]
    name = ".".join(parts[1:-1])
    if head == "tracking":  # an optional section: its defaults when absent
        return getattr(sc.tracking_settings, field)
    if head in SECTION_FIELDS:
        return getattr(getattr(sc, head), field)
    if head == "interceptors":
        return getattr(sc.interceptor(name), field)
    if head == "radars":
        return getattr(sc.radar_models()[_radar_names(sc).index(name)], field)
    spec = next(s for s in sc.sites if s.site == name)
    if field in ("lat", "lon"):
        return sc.site_position(spec)[0 if field == "lat" else 1]
    return getattr(spec, field)
