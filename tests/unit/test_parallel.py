"""Row blocks on the thread pool: every row exactly once, exceptions reach the caller, and a
batch integrated in blocks equals the same batch integrated row by row (bit for bit)."""

import numpy as np
import pytest

from euroshield import catalog
from euroshield._parallel import parallel_blocks
from euroshield.flight.engine import fly_missiles
from euroshield.flight.vehicles import pack_vehicles


@pytest.mark.parametrize("n", [0, 1, 15, 16, 17, 1000])
def test_every_row_once(n):
    seen = np.zeros(n, dtype=int)

    def fn(b):
        seen[b] += 1

    parallel_blocks(fn, n)
    assert np.all(seen == 1)


def test_exception_propagates():
    def fn(b):
        if b.start > 0:
            raise ValueError("block failed")

    with pytest.raises(ValueError, match="block failed"):
        parallel_blocks(fn, 200, size=10)


def test_blocked_batch_equals_single_rows():
    """Threads change nothing: 40 ICBM shots in one batch (blocks on two threads) and one at a
    time give identical events."""
    m = catalog.get_missile("topol-m-like")
    tables = pack_vehicles([m])
    az = np.linspace(0.0, 350.0, 40)
    kick = np.linspace(3.0, 12.0, 40)
    b = fly_missiles(tables, 0, 54.0, 35.8, az, kick, m.total_burn_time_s)
    one = [fly_missiles(tables, 0, 54.0, 35.8, az[i], kick[i], m.total_burn_time_s).events[0]
           for i in range(0, 40, 7)]
    assert np.array_equal(b.events[::7], np.array(one), equal_nan=True)
