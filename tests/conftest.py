"""Shared test helpers."""

import pytest

from euroshield import catalog
from euroshield.defense.engagement import engagement_windows
from euroshield.defense.flyout import flyout_table
from euroshield.defense.interceptors import get_interceptor
from euroshield.flight import aiming


def _engage(missile: str, launch: str, target: str, site: str, interceptor: str,
            launch_allowed_s: float = 0.0):
    """Aim a catalogue missile between two catalogue places (minimum energy, recorded) and
    evaluate the engagement window of an interceptor at a catalogue site.
    Returns (aim result, fly-out table, interceptor, window)."""
    m = catalog.get_missile(missile)
    a, b, s = (catalog.get_place(n) for n in (launch, target, site))
    res = aiming.aim(m, a.lat, a.lon, b.lat, b.lon, record=True)
    ic = get_interceptor(interceptor)
    table = flyout_table(ic, s.lat, s.lon)
    return res, table, ic, engagement_windows(res.batch, table, ic, launch_allowed_s)


@pytest.fixture(scope="session")
def engage():
    return _engage
