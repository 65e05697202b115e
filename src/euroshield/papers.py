"""Published analyses as scenario files: the ``paper:`` and ``claims:`` sections.

A paper's scenario file is a normal scenario (its sites, interceptors, radars, timeline and
threats are the paper's assumptions, or the project's defaults labelled "assumed (not from the
paper)" in its sources) with two more sections:

* ``paper``: title, authors, year, venue, url, what could not be extracted from the full text,
  and ``compare_with``, the built-in scenario whose answer the table shows next to the paper's
  (the EPAA phase the paper discusses);
* ``claims``: each a quoted (or paraphrased) conclusion with its source and either a ``check``
  that the model can evaluate, or ``check: null`` with ``not_checkable`` saying why.

A check names a study, optional filters, and ``expect``: ``METRIC OP NUMBER`` (e.g.
``engageable-routes > 0``). Studies and their metrics (:data:`METRICS`):

* ``deterrence``: the scenario's Russian ICBM routes (base x target) against its shooters;
* ``iran-us``: Iran -> United States routes (the footprint section's launch areas, U.S.
  targets and missile; the EPAA Phase 4 question);
* ``footprint``: the defended area of Europe against one missile from the scenario's launch
  areas, on a coarse aim-point grid (``resolution_deg``, 2 deg by default).

Filters select the shooters (``site``, ``interceptor``: one name or a list), routes (``bases``,
``targets``, deterrence only) and a timeline what-if (``timeline``: ``scenario``, the file's
own; ``ir-cue``, launch on the infrared cue plus the decision delay; ``kinematic``, launch
allowed at the threat's launch: the kinematic upper bound). Rank metrics compare the check's
one site with the sites in ``among`` (default: every site of the scenario that has the
check's interceptors).

This module holds the schema and its checks only (no physics): the evaluation is
:mod:`euroshield.studies.papers`, the table :mod:`euroshield.report.papers`.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from euroshield.errors import InputError

STUDIES = ("deterrence", "iran-us", "footprint")
TIMELINES = ("scenario", "ir-cue", "kinematic")
OPS = ("<", "<=", "==", ">=", ">")
ROUTE_STUDIES = ("deterrence", "iran-us")

# metric -> (studies it belongs to, what it is, unit); ``capital:NAME`` is footprint too
METRICS: dict[str, tuple[tuple[str, ...], str]] = {
    "routes": (ROUTE_STUDIES, "routes of the study (base x target)"),
    "engageable-routes": (ROUTE_STUDIES, "routes engageable by at least one selected shooter"),
    "engageable-iran-us-routes": (("iran-us",), "the same, for the Iran -> U.S. study"),
    "engageable-fraction": (ROUTE_STUDIES, "engageable routes / routes"),
    "tracked-routes": (ROUTE_STUDIES, "routes with a launch-quality radar track"),
    "tracked-fraction": (ROUTE_STUDIES, "tracked routes / routes"),
    "boost-launch-routes": (ROUTE_STUDIES, "engageable routes on which every engageable "
                                           "selected shooter must launch before the threat "
                                           "burns out"),
    "boost-intercept-routes": (ROUTE_STUDIES, "routes with a feasible intercept before the "
                                              "threat burns out"),
    "min-flip-speed-kms": (ROUTE_STUDIES, "lowest flip-threshold burnout speed [km/s] of the "
                                          "selected shooters over the routes"),
    "median-flip-speed-kms": (ROUTE_STUDIES, "median flip-threshold speed [km/s] over the "
                                             "routes that flip by the ladder's top"),
    "median-margin-s": (ROUTE_STUDIES, "median launch margin [s] at the best point, over "
                                       "routes with a reachable point"),
    "margin-rank": (ROUTE_STUDIES, "rank of the site by median launch margin among the "
                                   "compared sites (1 = most margin)"),
    "flip-speed-rank": (ROUTE_STUDIES, "rank of the site by median flip speed among the "
                                       "compared sites (1 = lowest speed)"),
    "intercepted-warheads": (("deterrence",), "expected warheads intercepted (salvo 2, SSPK "
                                              "0.7, the scenario's inventories)"),
    "intercepted-fraction": (("deterrence",), "intercepted warheads / raid warheads"),
    "defended-area-km2": (("footprint",), "area [km²] defended from every launch point that "
                                          "threatens it"),
    "partly-defended-area-km2": (("footprint",), "area [km²] defended from at least one "
                                                 "threatening launch point"),
    "threatened-area-km2": (("footprint",), "area [km²] the missile reaches"),
    "defended-fraction": (("footprint",), "defended / threatened area"),
    "defended-capitals": (("footprint",), "capitals defended"),
}
CAPITAL_PREFIX = "capital:"  # capital:NAME: 1 defended, 0.5 partly defended, 0 not; footprint
RANK_METRICS = ("margin-rank", "flip-speed-rank")
EXPECT_HELP = "expected METRIC OP NUMBER, OP one of <, <=, ==, >=, >"
_EXPECT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*(?::[A-Za-z0-9_-]+)?)\s*(<=|>=|==|<|>)\s*"
                     r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
SLUG = r"^[a-z0-9][a-z0-9-]*$"


def _printable(v: str) -> str:
    if not v.isprintable():
        raise ValueError("must not contain control characters (line breaks, tabs, escapes)")
    return v


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]
Names = Annotated[list[Name], Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True,
                              str_strip_whitespace=True)


class Paper(_Strict):
    """The published analysis a scenario file reproduces."""

    title: Text
    authors: list[Name] = Field(min_length=1, max_length=50)
    year: int = Field(ge=1950, le=2100)
    venue: Name | None = None
    url: Name = Field(description="where the text can be read (or its summary)")
    not_extracted: Text = Field(description="what could not be extracted from the full text "
                                            "(its figures are then the project's defaults)")
    compare_with: Name = Field(default="shield-today",
                               description="built-in scenario of the table's default column")


class Expectation(BaseModel):
    """A parsed ``expect``: METRIC OP NUMBER."""

    model_config = ConfigDict(frozen=True)
    metric: str
    op: str
    value: float

    def holds(self, x: float) -> bool | None:
        """The comparison on a metric value; None when the value is undefined (NaN)."""
        if x is None or not math.isfinite(x):
            return None
        v = self.value
        return {"<": x < v, "<=": x <= v, "==": math.isclose(x, v, rel_tol=1e-9, abs_tol=1e-9),
                ">=": x >= v, ">": x > v}[self.op]

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def parse_expect(text: str, field: str = "expect") -> Expectation:
    """``METRIC OP NUMBER`` -> :class:`Expectation` (syntax only); one InputError line."""
    m = _EXPECT.match(str(text))
    if not m:
        raise InputError(f"{field}: cannot parse {str(text)!r}; {EXPECT_HELP}")
    value = float(m.group(3))
    if not math.isfinite(value):
        raise InputError(f"{field}: {m.group(3)!r} is not a finite number; {EXPECT_HELP}")
    return Expectation(metric=m.group(1), op=m.group(2), value=value)


class Check(_Strict):
    """What the model computes for a claim; see the module docstring."""

    study: Literal["deterrence", "iran-us", "footprint"]
    site: Name | Names | None = Field(
        default=None, description="site(s) whose shooters count (default: every site)")
    interceptor: Name | Names | None = Field(
        default=None, description="interceptor(s) that count (default: every interceptor)")
    among: list[Name] | None = Field(
        default=None, min_length=2, description="sites compared by the rank metrics")
    bases: list[Name] | None = Field(default=None, min_length=1,
                                     description="deterrence: only these ICBM bases")
    targets: list[Name] | None = Field(default=None, min_length=1,
                                       description="deterrence: only these targets")
    timeline: Literal["scenario", "ir-cue", "kinematic"] = Field(
        default="scenario", description="scenario: the file's own; ir-cue: launch on the "
        "infrared cue + decision delay; kinematic: launch allowed at the threat's launch")
    missile: Name | None = Field(default=None, description="footprint: the missile (default: "
                                                           "the footprint section's first)")
    resolution_deg: float = Field(default=2.0, ge=0.5, le=10,
                                  description="footprint: aim-point grid spacing [deg]")
    expect: Name = Field(description="METRIC OP NUMBER, e.g. engageable-routes > 0")

    @property
    def sites(self) -> list[str] | None:
        return [self.site] if isinstance(self.site, str) else self.site

    @property
    def interceptors(self) -> list[str] | None:
        return [self.interceptor] if isinstance(self.interceptor, str) else self.interceptor

    @property
    def expectation(self) -> Expectation:
        return parse_expect(self.expect)


class Claim(_Strict):
    """A published conclusion and how the model checks it."""

    id: str = Field(pattern=SLUG, max_length=80)
    text: Text = Field(description="the claim, quoted where the source allows")
    source: Text = Field(description="where the text comes from")
    label: Literal["quoted", "paraphrased", "interpretation"] = Field(
        description="how the text relates to the source (public-parameters.md conventions)")
    answer: Name | None = Field(default=None,
                                description="the paper's answer in a few words (default: "
                                            "the expectation)")
    reading: str = Field(default="", max_length=4000,
                         description="how the check reads the claim, and its limits")
    check: Check | None = None
    not_checkable: Text | None = Field(default=None,
                                       description="why the model cannot check it "
                                                   "(required with check: null)")

    @model_validator(mode="after")
    def _check_or_reason(self) -> Claim:
        if self.check is None and not self.not_checkable:
            raise ValueError("give a check, or check: null and say why in not_checkable")
        if self.check is not None and self.not_checkable:
            raise ValueError("give a check or not_checkable, not both")
        return self

    @property
    def paper_answer(self) -> str:
        if self.answer:
            return self.answer
        return str(self.check.expectation) if self.check is not None else ""


def metric_study_error(metric: str, study: str) -> str | None:
    """Why ``metric`` is not a metric of ``study`` (None if it is)."""
    if metric.startswith(CAPITAL_PREFIX):
        return None if study == "footprint" else (
            f"metric {metric!r} belongs to the footprint study, not {study}")
    if metric not in METRICS:
        known = sorted(m for m, (st, _) in METRICS.items() if study in st)
        extra = [f"{CAPITAL_PREFIX}NAME"] if study == "footprint" else []
        return f"unknown metric {metric!r}; {study} metrics: {', '.join(known + extra)}"
    studies = METRICS[metric][0]
    if study not in studies:
        return f"metric {metric!r} belongs to the {' and '.join(studies)} study, not {study}"
    return None


def check_claims(sc) -> None:
    """Every claim of scenario ``sc`` refers to what the scenario and the catalogue have:
    sites and interceptors of the scenario, its bases and targets, a known metric of the
    check's study, a built-in ``paper.compare_with``. Raises one InputError line naming the
    field (``claims.N.check.FIELD``)."""
    from euroshield import catalog
    from euroshield import scenario as scenario_mod

    if sc.paper is not None:
        names = scenario_mod.builtin_names()
        if sc.paper.compare_with not in names:
            raise InputError(f"paper.compare_with: unknown built-in scenario "
                             f"{sc.paper.compare_with!r}; known: {', '.join(names)}")
    if sc.claims and sc.paper is None:
        raise InputError("claims: a file with claims needs a paper section (title, authors, "
                         "year, url, not_extracted)")
    seen: dict[str, int] = {}
    site_names = [s.site for s in sc.sites]
    for i, claim in enumerate(sc.claims):
        where = f"claims.{i}"
        if claim.id in seen:
            raise InputError(f"{where}.id: {claim.id!r} is already the id of claims."
                             f"{seen[claim.id]}")
        seen[claim.id] = i
        c = claim.check
        if c is None:
            continue
        e = parse_expect(c.expect, f"{where}.check.expect")
        bad = metric_study_error(e.metric, c.study)
        if bad:
            raise InputError(f"{where}.check.expect: {bad}")
        if e.metric.startswith(CAPITAL_PREFIX):
            cap = e.metric[len(CAPITAL_PREFIX):]
            if cap not in catalog.capitals():
                raise InputError(f"{where}.check.expect: unknown capital {cap!r}; known: "
                                 f"{', '.join(sorted(catalog.capitals()))}")
        for field, values in (("site", c.sites), ("among", c.among)):
            for name in values or []:
                if name not in site_names:
                    raise InputError(f"{where}.check.{field}: {name!r} is not a site of this "
                                     f"scenario; sites: {', '.join(site_names)}")
        chosen = [s for s in sc.sites if c.sites is None or s.site in c.sites]
        carried = list(dict.fromkeys(n for s in chosen for n in s.interceptors))
        for name in c.interceptors or []:
            if name not in carried:
                raise InputError(f"{where}.check.interceptor: {name!r} is not an interceptor "
                                 f"of the selected sites; they carry: {', '.join(carried)}")
        if e.metric in RANK_METRICS and (c.sites is None or len(c.sites) != 1):
            raise InputError(f"{where}.check.site: {e.metric} ranks one site: give exactly "
                             "one site")
        if e.metric in RANK_METRICS and c.among is not None and c.sites[0] not in c.among:
            raise InputError(f"{where}.check.among: the ranked site {c.sites[0]!r} must be "
                             "one of the compared sites")
        if e.metric in ("intercepted-warheads", "intercepted-fraction"):
            for field in ("bases", "targets"):
                if getattr(c, field) is not None:
                    raise InputError(f"{where}.check.{field}: {e.metric} counts the whole "
                                     "raid: leave the routes unfiltered")
        if c.study != "deterrence":
            for field in ("bases", "targets"):
                if getattr(c, field) is not None:
                    raise InputError(f"{where}.check.{field}: only used with study: "
                                     f"deterrence (not {c.study})")
        for field, values, known in (("bases", c.bases, sc.threats.bases),
                                     ("targets", c.targets, sc.threats.targets)):
            for name in values or []:
                if name not in known:
                    raise InputError(f"{where}.check.{field}: {name!r} is not one of the "
                                     f"scenario's {field}: {', '.join(known)}")
        if c.study != "footprint" and c.missile is not None:
            raise InputError(f"{where}.check.missile: only used with study: footprint (not "
                             f"{c.study})")
        if c.study == "footprint" and c.missile is not None and \
                c.missile not in sc.footprint.missiles:
            raise InputError(f"{where}.check.missile: {c.missile!r} is not one of the "
                             f"footprint section's missiles: {', '.join(sc.footprint.missiles)}")
        if c.study == "footprint" and c.timeline != "scenario":
            raise InputError(f"{where}.check.timeline: the footprint study uses the scenario's "
                             f"own timeline (not {c.timeline!r})")
