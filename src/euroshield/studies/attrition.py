"""Attrition of a Russian ICBM raid by the shield's interceptor inventory: the expansion question.

Expected-value arithmetic in NumPy. The module does no trajectory work. The deterrence study
says, for each route (base -> target, one ICBM trajectory) and each site, whether the site can
engage and whether the engagement window allows shoot-look-shoot. This module turns that into
expected warheads engaged, intercepted and surviving for a given interceptor inventory and firing
doctrine. Every function is pure (no I/O except the cached catalogue loader ``forces()``), so a
Monte Carlo campaign can call it many times with perturbed inputs.

Allocation model (deterministic, expected values)
--------------------------------------------------
* **Engagement.** One engagement of a warhead is a salvo of ``k = doctrine.salvo`` interceptors,
  each of which kills independently with probability ``p = doctrine.sspk``. Its kill probability
  is ``P1 = 1 - (1-p)^k`` and it costs ``k`` interceptors.
* **Shoot-look-shoot** is used by a site on a route when ``doctrine.shoot_look_shoot`` is set and
  the window allows it (``sls_possible``: window_s >= flyout_s + assess_delay_s). The site fires a
  second salvo only at warheads that survive the first, so one engagement kills with
  ``P2 = 1 - (1-p)^(2k)`` and costs ``k (1 + (1-p)^k)`` interceptors on average.
* **Layers.** A warhead is engaged by every site that can engage it (the sites are layers), with
  no kill assessment between sites: each site fires at every warhead it can reach, whatever the
  other sites do. With unlimited inventories this gives the standard layered-defence result
  ``P = 1 - prod_s (1 - P_s)`` (Wilkening 2000), and ``1 - (1-p)^(n k)`` for n identical layers.
  Because the sites do not interact, their order does not matter.
* **Limited inventory.** Site ``s`` needs ``D_s = sum_r raid_r c_rs`` interceptors to engage
  every warhead it can reach, where ``c_rs`` is the cost of one engagement. If its inventory
  ``I_s`` is smaller, it spreads the inventory in proportion: it engages the same fraction
  ``f_s = I_s / D_s`` of the warheads on each of its routes and uses all ``I_s``. Which warheads
  one site engages is independent of which warheads another site engages. So a warhead on route
  r survives with probability ``prod_s (1 - f_s P_rs)`` and is engaged by at least one site with
  probability ``1 - prod_s (1 - f_s)`` (over the sites that can reach route r).

Monotonicity. More inventory, or more sites, never lowers the expected number intercepted. Under
proportional spreading, however, enlarging a site's engagement set (a faster interceptor) can
lower it. The site then moves part of a scarce inventory from warheads that only it can reach to
warheads that other sites already cover. ``test_attrition.py`` shows a case. A defender is never
obliged to fire at a warhead it could engage. So :func:`sweep` by default gives, at each speed,
the best plan among the engagement sets of the grid speeds up to that speed. Every such set is
also engageable at the faster speed. The row's ``plan_speed_kms`` says which set was used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from euroshield import catalog
from euroshield.errors import InputError
from euroshield.flight.vehicles import Source

ANY = "any"  # sweep choice: a site engages if any of its interceptors can
SWEEP_SPEEDS_KMS = tuple(float(v) for v in np.round(np.arange(3.0, 8.0 + 1e-9, 0.5), 3))
SWEEP_MULTIPLIERS = (1.0, 2.0, 4.0, 8.0)
ESTIMATES = ("value", "low", "high")
OPTIONAL = ("sls_possible",)  # optional input columns
THRESHOLD = "threshold_speed_kms"  # the deterrence rows' name for the flip-threshold speed


# ---- the forces catalogue ------------------------------------------------------------------


class Force(BaseModel):
    """Deployed ICBM warheads of one Russian missile division (an approximate public estimate)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    description: str
    missile: str = Field(min_length=3)
    flies: str | None = Field(default=None, description="catalogue missile of the base's "
                              "routes (scenario threats.missile: by-base)")
    flies_note: str = ""
    elements: list[catalog.ForceElement] = Field(
        default_factory=list, description="a mixed base's types with their launchers and "
        "warheads; an element with missile: null is not flown")
    launchers: int = Field(ge=0, le=1000)
    warheads: float = Field(ge=0, le=10_000)
    label: str = Field(pattern=r"^(quoted|paraphrased|own-calculation|unverified)$")
    note: str = ""
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    sources: list[Source] = Field(min_length=1)

    def warheads_estimate(self, estimate: str = "value") -> float:
        """The central value, or the low or high end of the ``ranges`` entry for warheads
        (the central value when the sources agree and no range is given)."""
        if estimate not in ESTIMATES:
            raise InputError(f"unknown estimate {estimate!r}; known: {', '.join(ESTIMATES)}")
        if estimate == "value" or "warheads" not in self.ranges:
            return float(self.warheads)
        lo, hi = self.ranges["warheads"]
        return float(lo if estimate == "low" else hi)

    def flown_warheads_estimate(self, estimate: str = "value") -> float:
        """:meth:`warheads_estimate` less the warheads of elements the model does not fly
        (e.g. Avangard glide vehicles): the warheads of the base's routes."""
        unflown = sum(e.warheads for e in self.elements if e.missile is None)
        return max(self.warheads_estimate(estimate) - unflown, 0.0)


def parse_forces(data: Any, where: str) -> dict[str, Force]:
    """Validate a ``forces:`` mapping. Every name must be an icbm-base in places.yaml."""
    out = catalog.parse_entries(data, where, "forces", Force, "force")
    bases = catalog.places("icbm-base")
    for name in out:
        if name not in bases:
            raise InputError(f"{where}: force {name!r} is not an icbm-base in places.yaml; "
                             f"known bases: {', '.join(sorted(bases))}")
        catalog.check_force_missiles(out[name], where)
    return out


@lru_cache(maxsize=1)
def forces() -> dict[str, Force]:
    """Built-in warheads per Russian ICBM base (``catalog/forces.yaml``)."""
    where = "catalog/forces.yaml"
    text = resources.files("euroshield.catalog").joinpath("forces.yaml").read_text("utf-8")
    return parse_forces(catalog.load_yaml_text(text, where), where)


def get_force(name: str) -> Force:
    known = forces()
    if name not in known:
        raise InputError(f"unknown ICBM base {name!r}; known bases: {', '.join(sorted(known))}")
    return known[name]


def split_raid(route_bases: Sequence[str], warheads: Mapping[str, float] | None = None,
               estimate: str = "value") -> np.ndarray:
    """Warheads per route, indexed by route_id: each base's warheads are split evenly over
    that base's routes. The result can be fractional, since these are expected values.

    ``warheads`` maps base -> warheads. By default it comes from the forces catalogue, using
    ``estimate`` ("value", "low" or "high"), without the elements the model does not fly
    (Avangard). Bases that have no route add nothing to the raid."""
    if warheads is None:
        warheads = {n: f.flown_warheads_estimate(estimate) for n, f in forces().items()}
    names = [str(b) for b in route_bases]
    unknown = sorted(set(names) - set(warheads))
    if unknown:
        raise InputError(f"unknown ICBM base(s) {', '.join(map(repr, unknown))}; "
                         f"known bases: {', '.join(sorted(warheads))}")
    counts: dict[str, int] = {}
    for b in names:
        counts[b] = counts.get(b, 0) + 1
    raid = np.array([float(warheads[b]) / counts[b] for b in names])
    if not np.all(np.isfinite(raid) & (raid >= 0)):
        raise InputError("warheads per base must be finite and >= 0")
    return raid


# ---- doctrine and closed forms -------------------------------------------------------------


class Doctrine(BaseModel):
    """How the defence fires: ``salvo`` interceptors per engagement opportunity, each with
    single-shot kill probability ``sspk``. Shoot-look-shoot (a second salvo at survivors, where
    the window allows it) is optional. ``assess_delay_s`` is the kill-assessment time between
    the first intercept and the second launch."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
    salvo: int = Field(default=1, ge=1, le=64)
    shoot_look_shoot: bool = False
    sspk: float = Field(gt=0.0, le=1.0)
    assess_delay_s: float = Field(default=0.0, ge=0.0, le=3600.0)

    @classmethod
    def parse(cls, data: Mapping[str, Any], where: str = "doctrine") -> Doctrine:
        """Validate user input; a bad field becomes one InputError line."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise InputError(catalog.format_validation_error(exc, where)) from None


def _out(x: np.ndarray, *inputs: Any) -> Any:
    return float(x) if all(np.ndim(i) == 0 for i in inputs) else x


def _check_p(p: Any) -> np.ndarray:
    a = np.asarray(p, dtype=float)
    if not np.all((a >= 0) & (a <= 1)):
        raise InputError("kill probabilities must lie in [0, 1]")
    return a


def salvo_kill_probability(p: Any, k: Any) -> Any:
    """Kill probability of a salvo of ``k`` independent shots of SSPK ``p``: 1 - (1-p)^k."""
    return _out(1.0 - (1.0 - _check_p(p)) ** np.asarray(k, dtype=float), p, k)


def layered_kill_probability(p_layers: Any, axis: int = -1) -> Any:
    """Kill probability of independent layers with kill probabilities P_i: 1 - prod(1 - P_i)."""
    out = 1.0 - np.prod(1.0 - _check_p(p_layers), axis=axis)
    return float(out) if np.ndim(out) == 0 else out


def sls_kill_probability(p: Any, k: Any) -> Any:
    """Shoot-look-shoot with two looks of ``k`` shots each: 1 - (1-p)^(2k)."""
    return _out(1.0 - (1.0 - _check_p(p)) ** (2.0 * np.asarray(k, dtype=float)), p, k)


def sls_expected_interceptors(p: Any, k: Any) -> Any:
    """Expected interceptors per warhead under shoot-look-shoot: k + (1-p)^k k."""
    k_ = np.asarray(k, dtype=float)
    return _out(k_ * (1.0 + (1.0 - _check_p(p)) ** k_), p, k)


def sls_possible(window_s: Any, flyout_s: Any, assess_delay_s: float) -> Any:
    """Whether the engagement window allows a second look. The window is latest launch minus
    earliest launch, and it must hold the fly-out of the first shot plus the assessment delay:
    ``window_s >= flyout_s + assess_delay_s``. NaN (no window) means False."""
    w, t = np.asarray(window_s, dtype=float), np.asarray(flyout_s, dtype=float)
    ok = np.isfinite(w) & np.isfinite(t) & (w >= t + float(assess_delay_s))
    return bool(ok) if ok.ndim == 0 else ok


# ---- input tables --------------------------------------------------------------------------


def _columns(table: Any, required: Sequence[str], what: str) -> dict[str, np.ndarray]:
    """A dict of equal-length 1-D arrays from a dict of sequences or a list of row dicts.
    Columns that are not needed are ignored, so deterrence rows can be passed as they are."""
    if isinstance(table, Mapping):
        cols = {str(k): np.atleast_1d(np.asarray(v)) for k, v in table.items()}
    elif (isinstance(table, Sequence) and not isinstance(table, str)
          and all(isinstance(r, Mapping) for r in table)):
        keys = dict.fromkeys(k for r in table for k in r)
        cols = {str(k): np.asarray([r.get(k) for r in table]) for k in keys}
    else:
        raise InputError(f"{what}: expected a dict of equal-length arrays or a list of row dicts")
    if all(len(v) == 0 for v in cols.values()):
        return {k: np.empty(0) for k in required}
    missing = [k for k in required if k not in cols]
    if missing:
        raise InputError(f"{what}: missing column(s) {', '.join(missing)}; "
                         f"required: {', '.join(required)}")
    if len({len(cols[k]) for k in (*required, *(k for k in cols if k in OPTIONAL))}) > 1:
        raise InputError(f"{what}: columns {', '.join(required)} differ in length")
    return cols


def _bool(col: np.ndarray) -> np.ndarray:
    return np.array([bool(x) and not (isinstance(x, float) and np.isnan(x)) for x in col],
                    dtype=bool) if col.dtype == object else col.astype(bool)


def _route_ids(col: np.ndarray, n_routes: int, what: str) -> np.ndarray:
    a = np.asarray(col, dtype=float)
    if a.size and (not np.all(np.isfinite(a)) or np.any(a != np.round(a))
                   or a.min() < 0 or a.max() >= n_routes):
        raise InputError(f"{what}: route_id must be integers in [0, {n_routes - 1}] "
                         f"(the raid has {n_routes} routes)")
    return a.astype(np.int64)


def _raid(raid: Any) -> np.ndarray:
    r = np.atleast_1d(np.asarray(raid, dtype=float))
    if r.ndim != 1 or not np.all(np.isfinite(r) & (r >= 0)):
        raise InputError("raid: warheads per route must be a 1-D array of finite numbers >= 0")
    return r


def _inventory(inventories: Mapping[str, float], sites: Sequence[str]) -> np.ndarray:
    inv = np.array([float(inventories[s]) for s in sites], dtype=float)
    if np.any(np.isnan(inv) | (inv < 0)):
        bad = [s for s, v in zip(sites, inv, strict=True) if not v >= 0]
        raise InputError(f"inventories: interceptors per site must be >= 0 (inf allowed); "
                         f"bad: {', '.join(bad)}")
    return inv


def _site_index(site_col: np.ndarray, sites: Sequence[str], what: str) -> np.ndarray:
    pos = {s: i for i, s in enumerate(sites)}
    names = [str(s) for s in site_col]
    unknown = sorted(set(names) - set(pos))
    if unknown:
        raise InputError(f"{what}: site(s) {', '.join(map(repr, unknown))} have no inventory; "
                         f"known sites: {', '.join(sites)}")
    return np.array([pos[s] for s in names], dtype=np.int64)


# ---- the core (broadcasts over leading axes; last two axes are route, site) -----------------


def _engagement_terms(E: np.ndarray, sls: np.ndarray, d: Doctrine) -> tuple[np.ndarray, ...]:
    """Kill probability and interceptor cost of one engagement per (..., route, site)."""
    q = (1.0 - d.sspk) ** d.salvo
    two = E & sls & d.shoot_look_shoot
    P = np.where(two, 1.0 - q * q, 1.0 - q) * E
    c = np.where(two, d.salvo * (1.0 + q), float(d.salvo)) * E
    return P, c


def _demand(raid: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Interceptors each site needs to engage every warhead it can reach: sum_r raid_r c_rs."""
    return np.einsum("r,...rs->...s", raid, c)


def _fraction(demand: np.ndarray, inv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share of its reachable warheads each site engages, min(1, I/D), and interceptors used,
    min(I, D). A site with no demand engages nothing and uses nothing."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f = np.where(demand > 0, np.minimum(1.0, inv / demand), 0.0)
    return f, np.minimum(inv, demand)


# ---- one raid ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttritionResult:
    """Expected outcome of one raid against one defence. All counts are expected values."""

    doctrine: Doctrine
    sites: tuple[str, ...]
    raid: float  # warheads in the raid
    engaged: float  # engaged by at least one site
    unengaged: float
    intercepted: float
    surviving: float
    fraction_intercepted: float
    inventory: dict[str, float]
    interceptor_demand: dict[str, float]  # interceptors needed to engage all it can reach
    interceptors_used: dict[str, float]
    engaged_fraction: dict[str, float]  # f_s: share of its reachable warheads a site engages
    per_base: dict[str, dict[str, float]] = field(default_factory=dict)
    route_raid: np.ndarray = field(default_factory=lambda: np.empty(0))
    route_engaged: np.ndarray = field(default_factory=lambda: np.empty(0))
    route_intercepted: np.ndarray = field(default_factory=lambda: np.empty(0))

    def to_dict(self) -> dict:
        """JSON-ready summary (per-route arrays as lists)."""
        return {
            "doctrine": self.doctrine.model_dump(), "sites": list(self.sites),
            "raid": self.raid, "engaged": self.engaged, "unengaged": self.unengaged,
            "intercepted": self.intercepted, "surviving": self.surviving,
            "fraction_intercepted": self.fraction_intercepted,
            "inventory": self.inventory, "interceptor_demand": self.interceptor_demand,
            "interceptors_used": self.interceptors_used,
            "engaged_fraction": self.engaged_fraction, "per_base": self.per_base,
            "route_raid": self.route_raid.tolist(),
            "route_engaged": self.route_engaged.tolist(),
            "route_intercepted": self.route_intercepted.tolist(),
        }


def raid_attrition(routes: Any, raid: Any, inventories: Mapping[str, float], doctrine: Doctrine,
                   route_bases: Sequence[str] | None = None) -> AttritionResult:
    """Expected attrition of ``raid`` by the sites of ``inventories`` (see the module docstring
    for the allocation model).

    ``routes``: per (route, site) rows, as a dict of equal-length arrays or a list of dicts, with
    ``route_id`` (int, an index into ``raid``), ``site`` (str), ``engageable`` (bool) and,
    optionally, ``sls_possible`` (bool, default False). Several rows for the same (route, site),
    for example one per interceptor, are combined: the site can engage if any row says so, and
    shoot-look-shoot is possible if any engageable row allows it. Other columns are ignored.
    ``raid``: warheads per route (may be fractional). ``inventories``: interceptors per site
    (``math.inf`` means unlimited). Every site in ``routes`` must have an inventory.
    ``route_bases``: optional base name per route_id, for the per-base breakdown."""
    if not isinstance(doctrine, Doctrine):
        raise InputError("doctrine: expected a Doctrine (see Doctrine.parse)")
    cols = _columns(routes, ("route_id", "site", "engageable"), "routes")
    raid_r = _raid(raid)
    R, sites = len(raid_r), tuple(inventories)
    rid = _route_ids(cols["route_id"], R, "routes")
    sid = _site_index(cols["site"], sites, "routes")
    eng = _bool(cols["engageable"])
    sls = _bool(cols["sls_possible"]) if "sls_possible" in cols else np.zeros(len(eng), bool)
    inv = _inventory(inventories, sites)

    E = np.zeros((R, len(sites)), dtype=bool)
    S = np.zeros_like(E)
    np.logical_or.at(E, (rid, sid), eng)
    np.logical_or.at(S, (rid, sid), eng & sls)
    P, c = _engagement_terms(E, S, doctrine)
    demand = _demand(raid_r, c)
    f, used = _fraction(demand, inv)
    survive = np.prod(1.0 - f * P, axis=-1)
    unengaged = np.prod(1.0 - f * E, axis=-1)
    r_int, r_eng = raid_r * (1.0 - survive), raid_r * (1.0 - unengaged)

    per_base: dict[str, dict[str, float]] = {}
    if route_bases is not None:
        bases = [str(b) for b in route_bases]
        if len(bases) != R:
            raise InputError(f"route_bases: {len(bases)} names for a raid of {R} routes")
        for b in dict.fromkeys(bases):
            m = np.array([x == b for x in bases])
            w, i = float(raid_r[m].sum()), float(r_int[m].sum())
            per_base[b] = {"warheads": w, "engaged": float(r_eng[m].sum()), "intercepted": i,
                           "surviving": w - i, "fraction_intercepted": i / w if w > 0 else 0.0}

    total, n_int, n_eng = float(raid_r.sum()), float(r_int.sum()), float(r_eng.sum())
    return AttritionResult(
        doctrine=doctrine, sites=sites, raid=total, engaged=n_eng, unengaged=total - n_eng,
        intercepted=n_int, surviving=total - n_int,
        fraction_intercepted=n_int / total if total > 0 else 0.0,
        inventory=dict(zip(sites, inv.tolist(), strict=True)),
        interceptor_demand=dict(zip(sites, demand.tolist(), strict=True)),
        interceptors_used=dict(zip(sites, used.tolist(), strict=True)),
        engaged_fraction=dict(zip(sites, f.tolist(), strict=True)),
        per_base=per_base, route_raid=raid_r, route_engaged=r_eng, route_intercepted=r_int)


# ---- the expansion sweep -------------------------------------------------------------------


@dataclass(frozen=True)
class _Thresholds:
    names: tuple[str, ...]  # interceptors
    T: np.ndarray  # (interceptor, route, site) flip-threshold speed, inf = never
    sls: np.ndarray  # (interceptor, route, site) shoot-look-shoot possible


def _thresholds(table: Any, n_routes: int, sites: Sequence[str]) -> _Thresholds:
    cols = _columns(table, ("route_id", "site", "interceptor", THRESHOLD), "thresholds")
    rid = _route_ids(cols["route_id"], n_routes, "thresholds")
    sid = _site_index(cols["site"], sites, "thresholds")
    inames = [str(x) for x in cols["interceptor"]]
    if ANY in inames:
        raise InputError(f"thresholds: interceptor name {ANY!r} is reserved for the sweep")
    names = tuple(dict.fromkeys(inames))
    iid = np.array([names.index(x) for x in inames], dtype=np.int64)
    try:
        thr = np.array([np.nan if x is None else x for x in cols[THRESHOLD]], dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"thresholds: {THRESHOLD} must be numbers (NaN/None = never)") from None
    if np.any(thr <= 0):
        raise InputError(f"thresholds: {THRESHOLD} must be > 0 (NaN = never engageable)")
    T = np.full((len(names), n_routes, len(sites)), np.inf)
    np.minimum.at(T, (iid, rid, sid), np.where(np.isnan(thr), np.inf, thr))
    S = np.zeros(T.shape, dtype=bool)
    if "sls_possible" in cols:
        np.logical_or.at(S, (iid, rid, sid), _bool(cols["sls_possible"]))
    return _Thresholds(names, T, S)


def routes_at_speed(thresholds: Any, speed_kms: float, n_routes: int, sites: Sequence[str],
                    interceptor: str = ANY) -> dict[str, np.ndarray]:
    """The (route, site) table that :func:`raid_attrition` takes, at one interceptor burnout
    speed. A pair is engageable iff its flip threshold is <= speed_kms, for ``interceptor`` or,
    with ``"any"``, for any of the site's interceptors."""
    th = _thresholds(thresholds, n_routes, sites)
    sel = _select(th, interceptor)
    E = th.T[sel] <= speed_kms
    S = (E & th.sls[sel]).any(axis=0)
    E = E.any(axis=0)
    r, s = np.meshgrid(np.arange(n_routes), np.arange(len(sites)), indexing="ij")
    return {"route_id": r.ravel(), "site": np.asarray(sites, dtype=object)[s.ravel()],
            "engageable": E.ravel(), "sls_possible": S.ravel()}


def _select(th: _Thresholds, choice: str) -> list[int]:
    if choice == ANY:
        return list(range(len(th.names)))
    if choice not in th.names:
        raise InputError(f"unknown interceptor {choice!r} in the thresholds; known: "
                         f"{', '.join((*th.names, ANY))}")
    return [th.names.index(choice)]


def sweep(thresholds: Any, raid: Any, inventories: Mapping[str, float], doctrine: Doctrine,
          site_order: Sequence[str] | None = None,
          multipliers: Sequence[float] = SWEEP_MULTIPLIERS,
          speeds_kms: Sequence[float] = SWEEP_SPEEDS_KMS,
          interceptors: Sequence[str] | None = None,
          decline_worse_plans: bool = True) -> list[dict]:
    """Expected attrition over (interceptor, number of sites, inventory multiplier, speed).

    ``thresholds``: per (route, site, interceptor) rows (dict of arrays or list of dicts, e.g.
    the deterrence rows with a ``route_id`` added) with ``route_id``, ``site``, ``interceptor``,
    ``threshold_speed_kms`` (the flip-threshold burnout speed; NaN/None = never engageable in
    the searched range) and, optionally, ``sls_possible``. That flag comes from the caller's
    window evaluation and is applied at every speed where the pair is engageable. At burnout
    speed v a pair is engageable iff threshold <= v.

    Dimensions: ``interceptors`` (default: each interceptor in the table, then ``"any"``: a site
    engages if any of its interceptors can), the first n sites of ``site_order`` for n = 1..N
    (default: the order of ``inventories``), inventory x multiplier, and speed.

    If ``decline_worse_plans`` is True (the default), each row uses the best plan among the
    engagement sets of the grid speeds <= v. So the expected intercepted never falls with speed
    (see the module docstring). Its ``plan_speed_kms`` names the set. Rows are plain dicts:
    interceptor, n_sites, sites, inventory_multiplier, speed_kms, plan_speed_kms, inventory,
    raid, engaged, intercepted, surviving, fraction_intercepted, interceptors_used."""
    if not isinstance(doctrine, Doctrine):
        raise InputError("doctrine: expected a Doctrine (see Doctrine.parse)")
    raid_r = _raid(raid)
    order = tuple(inventories) if site_order is None else tuple(str(s) for s in site_order)
    missing = [s for s in order if s not in inventories]
    if missing or len(set(order)) != len(order) or not order:
        raise InputError(f"site_order: every site must appear once and have an inventory; "
                         f"known sites: {', '.join(inventories)}")
    th = _thresholds(thresholds, len(raid_r), tuple(inventories))
    keep = [tuple(inventories).index(s) for s in order]
    th = _Thresholds(th.names, th.T[:, :, keep], th.sls[:, :, keep])
    inv0 = _inventory(inventories, order)
    mult = np.asarray(multipliers, dtype=float)
    V = np.asarray(speeds_kms, dtype=float)
    if mult.ndim != 1 or not mult.size or np.any(~np.isfinite(mult) | (mult < 0)):
        raise InputError("multipliers: expected finite numbers >= 0")
    if V.ndim != 1 or not V.size or np.any(~np.isfinite(V)) or np.any(np.diff(V) <= 0):
        raise InputError("speeds_kms: expected finite, strictly increasing speeds")
    choices = list((*th.names, ANY)) if interceptors is None else [str(x) for x in interceptors]

    # engagement sets per (choice, speed, route, site)
    E_i = th.T[:, None] <= V[None, :, None, None]  # (interceptor, V, R, S)
    ES_i = E_i & th.sls[:, None]
    E = np.stack([E_i[_select(th, ch)].any(axis=0) for ch in choices])  # (C, V, R, S)
    ES = np.stack([ES_i[_select(th, ch)].any(axis=0) for ch in choices])
    P, c = _engagement_terms(E, ES, doctrine)
    inv = mult[:, None] * inv0[None, :]  # (M, S)
    f, used = _fraction(_demand(raid_r, c)[:, :, None, :], inv)  # (C, V, M, S)
    survive = np.cumprod(1.0 - f[:, :, :, None, :] * P[:, :, None], axis=-1)  # (C,V,M,R,N)
    unengaged = np.cumprod(1.0 - f[:, :, :, None, :] * E[:, :, None], axis=-1)
    intercepted = np.einsum("r,cvmrn->cvmn", raid_r, 1.0 - survive)
    engaged = np.einsum("r,cvmrn->cvmn", raid_r, 1.0 - unengaged)
    used_n = np.cumsum(used, axis=-1)  # (C,V,M,N)
    inv_n = np.cumsum(inv, axis=-1)  # (M,N)

    plan = np.broadcast_to(np.arange(len(V))[None, :, None, None], intercepted.shape).copy()
    if decline_worse_plans:
        best = intercepted[:, 0].copy()
        for j in range(1, len(V)):  # ties keep the current (faster) engagement set
            better = intercepted[:, j] >= best
            best = np.where(better, intercepted[:, j], best)
            plan[:, j] = np.where(better, j, plan[:, j - 1])
    idx = np.ix_(*(np.arange(n) for n in intercepted.shape))
    pick = (idx[0], plan, idx[2], idx[3])
    intercepted, engaged, used_n = intercepted[pick], engaged[pick], used_n[pick]

    total = float(raid_r.sum())
    rows = []
    for ci, ch in enumerate(choices):
        for n in range(len(order)):
            names = "+".join(order[: n + 1])
            for mi, m in enumerate(mult):
                for vi, v in enumerate(V):
                    i = float(intercepted[ci, vi, mi, n])
                    rows.append({
                        "interceptor": ch, "n_sites": n + 1, "sites": names,
                        "inventory_multiplier": float(m), "speed_kms": float(v),
                        "plan_speed_kms": float(V[plan[ci, vi, mi, n]]),
                        "inventory": float(inv_n[mi, n]), "raid": total,
                        "engaged": float(engaged[ci, vi, mi, n]), "intercepted": i,
                        "surviving": total - i,
                        "fraction_intercepted": i / total if total > 0 else 0.0,
                        "interceptors_used": float(used_n[ci, vi, mi, n]),
                    })
    return rows
