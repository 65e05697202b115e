"""The Russian ICBM force by base (issue 10): which missile each base flies, the scenario rule
``threats.missile: by-base`` with per-base overrides, the force elements that are not flown, and
the one-line errors for unknown missile names (the command line: test_force_by_base_cli.py)."""

import numpy as np
import pytest

from euroshield import catalog, scenario
from euroshield.errors import InputError
from euroshield.studies import attrition as at

# Missile type per base: public-parameters.md E3 (FAS Nuclear Notebook 2025 and the sources it
# cites: TASS, Podvig 2015, Russian MoD). Teykovo holds Topol-M and Yars; it flies Yars, the
# type with most of its warheads.
E3 = {
    "kozelsk": "yars-like", "yoshkar-ola": "yars-like", "nizhny-tagil": "yars-like",
    "novosibirsk": "yars-like", "barnaul": "yars-like", "irkutsk": "yars-like",
    "vypolzovo": "yars-like", "teykovo": "yars-like", "tatishchevo": "topol-m-like",
    "dombarovsky": "ss18-like", "uzhur": "ss18-like",
}


def _force_entry(**extra) -> dict:
    return {"name": "kozelsk", "description": "d", "missile": "Yars", "launchers": 10,
            "warheads": 30, "label": "unverified", "sources": [{"title": "t", "year": 2024}],
            **extra}


def test_each_base_flies_the_type_of_the_public_record():
    assert catalog.base_missiles() == E3


def test_mixed_bases_list_their_elements_and_fly_one_of_them():
    """Teykovo: 18 Topol-M + 18 Yars (forces.yaml note, unverified split); Dombarovsky: SS-18
    and Avangard. The elements add up to the base's launchers and warheads (checked on load)."""
    f = at.forces()
    teykovo = {e.missile: e.launchers for e in f["teykovo"].elements}
    assert teykovo == {"yars-like": 18, "topol-m-like": 18}
    dom = f["dombarovsky"]
    assert {e.missile for e in dom.elements} == {"ss18-like", None}
    for base in ("teykovo", "dombarovsky"):
        assert sum(e.warheads for e in f[base].elements) == f[base].warheads


def test_avangard_is_listed_as_not_flown_and_left_out_of_the_raid():
    """Avangard (a glide vehicle at Dombarovsky, public-parameters.md E3) is outside the model's
    ballistic physics: it is listed with a reason, and its warheads (one per launcher, forces.yaml)
    are not in the raid on the base's ballistic routes."""
    unflown = catalog.unflown_force()
    assert [(e["base"], e["launchers"]) for e in unflown] == [("dombarovsky", 6)]
    assert "glide" in unflown[0]["reason"]
    dom = at.get_force("dombarovsky")
    raid = at.split_raid(["dombarovsky", "dombarovsky"])
    np.testing.assert_allclose(raid, [(dom.warheads - 6) / 2] * 2)
    # the low and high ends lose the same six warheads
    assert dom.flown_warheads_estimate("high") == dom.ranges["warheads"][1] - 6


@pytest.mark.parametrize(("extra", "needle"), [
    ({"flies": "scud-z"}, "force kozelsk: flies: unknown missile 'scud-z'; known missiles: "),
    ({"flies": "yars-like", "elements": [{"type": "Yars silo", "missile": "rs-99",
                                           "launchers": 10, "warheads": 30}]},
     "elements.0.missile: unknown missile 'rs-99'"),
    ({"flies": "yars-like", "elements": [{"type": "Yars silo", "missile": "yars-like",
                                           "launchers": 9, "warheads": 30}]},
     "elements: launchers add up to 9, but the base has 10"),
    ({"flies": "ss18-like", "elements": [{"type": "Yars silo", "missile": "yars-like",
                                           "launchers": 10, "warheads": 30}]},
     "flies: 'ss18-like' is not the missile of one of its elements"),
    ({"flies": "yars-like", "elements": [{"type": "glider", "launchers": 10, "warheads": 30}]},
     "give either missile"),
])
def test_bad_force_missiles_are_one_line_errors(extra, needle):
    with pytest.raises(InputError) as e:
        at.parse_forces({"forces": [_force_entry(**extra)]}, "forces.yaml")
    assert needle in str(e.value) and "\n" not in str(e.value)
    if "known missiles" in needle:
        assert "yars-like" in str(e.value) and "ss18-like" in str(e.value)


def _data(**threats) -> dict:
    data = scenario.load("shield-today").model_dump(mode="json", exclude_none=True)
    data["threats"].update(threats)
    return data


def test_scenarios_fly_each_base_own_missile_by_default():
    for name in scenario.builtin_names():
        sc = scenario.load(name)
        assert sc.threats.missile == catalog.BY_BASE
        assert sc.threats.missile_by_base() == {b: E3[b] for b in sc.threats.bases}
    data = _data()
    del data["threats"]["missile"]  # the default is by-base too
    assert scenario.parse(data, "x").threats.missile_by_base() == E3


def test_one_named_missile_keeps_the_old_rule_and_overrides_apply_per_base():
    old = scenario.parse(_data(missile="topol-m-like"), "x").threats.missile_by_base()
    assert set(old.values()) == {"topol-m-like"} and len(old) == 11
    mixed = scenario.parse(_data(missiles={"uzhur": "yars-like"}), "x").threats
    assert mixed.missile_by_base() == E3 | {"uzhur": "yars-like"}


@pytest.mark.parametrize(("threats", "needle"), [
    ({"missile": "scud-z"}, "threats.missile: unknown missile 'scud-z'; known: by-base"),
    ({"missiles": {"uzhur": "satan-9"}}, "threats.missiles.uzhur: unknown missile 'satan-9'"),
    ({"missiles": {"moscow": "yars-like"}}, "threats.missiles.moscow: 'moscow' is not one of"),
])
def test_bad_threat_missiles_are_one_line_errors(threats, needle):
    with pytest.raises(InputError) as e:
        scenario.parse(_data(**threats), "bad.yaml")
    msg = str(e.value)
    assert msg.startswith("bad.yaml: ") and needle in msg and "\n" not in msg
    if "known" in needle:
        assert all(n in msg for n in ("topol-m-like", "yars-like", "ss18-like"))
