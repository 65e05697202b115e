"""Where numba keeps its compiled-kernel cache.

numba invalidates a cached function when its own source file changes, but not when a kernel it
calls (in another module) changes, so a stale cache can silently run old physics. The cache
therefore lives in a directory named after a hash of every numeric-core source file: any edit
gives a fresh directory. A user's own NUMBA_CACHE_DIR is respected.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_CORE = ("earth", "flight")


def is_cold() -> bool:
    """True when the kernel cache is empty (the next numerical call will compile)."""
    d = os.environ.get("NUMBA_CACHE_DIR")
    if not d:
        return False
    p = Path(d)
    return not p.exists() or not any(p.rglob("*.nbi"))


def configure() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for sub in _CORE:
        for p in sorted((root / sub).glob("*.py")):
            digest.update(p.name.encode())
            digest.update(p.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cache = base / "euroshield" / "numba" / digest.hexdigest()[:16]
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only home: keep numba's default (next to the sources)
        return
    os.environ["NUMBA_CACHE_DIR"] = str(cache)
    import sys

    if "numba" in sys.modules:  # numba already read its configuration: update it too
        import numba

        numba.config.CACHE_DIR = str(cache)
