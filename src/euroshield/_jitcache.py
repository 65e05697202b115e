"""Where numba keeps its compiled-kernel cache.

numba invalidates a cached function when its own source file changes, but not when a kernel it
calls (in another module) changes, so a stale cache can silently run old physics. The cache
therefore lives in a directory named after a hash of every numeric-core source file: any edit
gives a fresh directory. A user's own NUMBA_CACHE_DIR is respected.

When that folder cannot be written (no home directory, a read-only ``XDG_CACHE_HOME``), the
cache goes to a private folder in the temporary directory (``euroshield-numba-<uid>-<hash>``),
and when nothing can be written at all the kernels are compiled on every run without a cache.
Either way one warning line goes to stderr and the program works (numba itself would otherwise
refuse to import a ``cache=True`` kernel: "no locator available").
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path

_CORE = ("earth", "flight")
_NO_CACHE = False  # True when no cache folder could be written (kernels compile on every run)


def is_cold() -> bool:
    """True when the kernel cache is empty (the next numerical call will compile)."""
    if _NO_CACHE:
        return True
    d = os.environ.get("NUMBA_CACHE_DIR")
    if not d:
        return False
    p = Path(d)
    return not p.exists() or not any(p.rglob("*.nbi"))


def _digest() -> str:
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for sub in _CORE:
        for p in sorted((root / sub).glob("*.py")):
            digest.update(p.name.encode())
            digest.update(p.read_bytes())
    return digest.hexdigest()[:16]


def _writable(folder: Path) -> str | None:
    """None if ``folder`` exists (created if needed) and a file can be written in it, else
    the reason."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _user_cache_base() -> Path | None:
    """``$XDG_CACHE_HOME`` or ``~/.cache`` (None when neither is an absolute path)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg)
    home = os.path.expanduser("~")
    return Path(home) / ".cache" if os.path.isabs(home) else None


def _private_temp_folder(digest: str) -> tuple[Path | None, str | None]:
    """A folder in the temporary directory that only this user can write (cached kernels are
    loaded as code: a folder another user could plant files in is not used)."""
    try:
        uid = os.getuid() if hasattr(os, "getuid") else None
        name = f"euroshield-numba-{'' if uid is None else f'{uid}-'}{digest}"
        tmp = Path(tempfile.gettempdir())
        if tmp.resolve() == Path.cwd().resolve():  # tempfile's last resort: not the user's folder
            return None, "no writable temporary directory"
        folder = tmp / name
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
    except OSError as exc:
        return None, exc.strerror or str(exc)
    if not stat.S_ISDIR(st.st_mode):
        return None, f"{folder} is not a folder"
    if uid is not None and (st.st_uid != uid or st.st_mode & 0o022):
        return None, f"{folder} belongs to another user or can be written by others"
    reason = _writable(folder)
    return (None, reason) if reason else (folder, None)


def _shown(path) -> str:
    """A path for the one-line warning: ASCII only, control characters escaped."""
    return "".join(c if c.isascii() and c.isprintable()
                   else c.encode("unicode_escape").decode("ascii") for c in str(path))


def _warn(message: str) -> None:
    try:
        sys.stderr.write(f"euroshield: warning: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # no usable stderr: stay silent
        pass


def _use(folder: Path) -> None:
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    if "numba" in sys.modules:  # numba already read its configuration: update it too
        import numba

        numba.config.CACHE_DIR = str(folder)


def _compile_without_cache() -> None:
    """Let ``cache=True`` kernels load without any writable cache folder (numba would raise
    "cannot cache function ...: no locator available"): they compile on every run instead."""
    global _NO_CACHE
    from numba.core import dispatcher

    _NO_CACHE = True
    enable = dispatcher.Dispatcher.enable_caching
    if getattr(enable, "_euroshield_tolerant", False):
        return

    def enable_caching(self):
        try:
            enable(self)
        except RuntimeError:  # no locator: keep the NullCache set by the dispatcher
            pass

    enable_caching._euroshield_tolerant = True
    dispatcher.Dispatcher.enable_caching = enable_caching


def configure() -> None:
    """Point numba at a writable cache folder (see the module docstring)."""
    user = os.environ.get("NUMBA_CACHE_DIR")
    if user:
        problem = _writable(Path(user))
        if problem is None:
            return
        what = f"NUMBA_CACHE_DIR={_shown(user)}"
    digest = _digest()
    if not user:
        base = _user_cache_base()
        if base is None:
            what, problem = "the kernel cache", "no home folder"
        else:
            wanted = base / "euroshield" / "numba" / digest
            problem = _writable(wanted)
            if problem is None:
                _use(wanted)
                return
            what = f"the kernel cache in {_shown(wanted)}"
    folder, tmp_problem = _private_temp_folder(digest)
    if folder is not None:
        _use(folder)
        _warn(f"cannot write {what} ({problem}); using {_shown(folder)} instead")
        return
    _warn(f"cannot write {what} ({problem}) nor a folder in the temporary directory "
          f"({tmp_problem}); compiling the numerical kernels on every run, without a cache")
    _compile_without_cache()
