"""Running numba kernels on all cores from Python threads.

The kernels are compiled ``nogil=True`` and serial; callers split a batch into row blocks and run
them here on one thread per core. This gives the parallelism of numba's ``prange`` without its
compile-time cost (the trajectory kernel took 39 s to compile with ``parallel=True``, 24 s
without) and without numba's threading layer.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

_POOL: ThreadPoolExecutor | None = None
THREADS_ENV = "EUROSHIELD_THREADS"  # set by campaign executors: processes x threads <= cores


def threads() -> int:
    """Kernel threads of this process: ``EUROSHIELD_THREADS`` if set (worker processes of a
    campaign), else one per core."""
    try:
        n = int(os.environ.get(THREADS_ENV, "0"))
    except ValueError:
        n = 0
    return n if n > 0 else (os.cpu_count() or 1)


def parallel_blocks(fn, n: int, min_block: int = 16, size: int | None = None) -> None:
    """Call ``fn(slice)`` on blocks of rows 0..n on one thread per core. The kernels release
    the GIL (``nogil=True``); several small blocks per thread balance rows of unequal cost (a
    block finishes, the thread takes the next). ``size`` fixes the block size."""
    global _POOL
    workers = threads()
    if size is None:
        size = max(min_block, -(-n // (4 * workers)))
    blocks = [slice(a, min(a + size, n)) for a in range(0, n, size)]
    if workers == 1 or len(blocks) <= 1:
        for b in blocks:
            fn(b)
        return
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="euroshield")
    for _ in _POOL.map(fn, blocks):  # re-raises the first exception of a block
        pass
