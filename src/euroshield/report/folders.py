"""Output folders (``--out``) that are replaced as a whole, never mixed or half written.

:func:`atomic_folder` yields a temporary sibling folder (``.DIR.tmp-<pid>``, same parent, so on
the same file system); everything is written there, and only when the run ends without an
error is ``DIR`` replaced: the old folder is renamed aside, the new one renamed in, the old one
deleted. On any error or Ctrl-C the temporary folder is removed and ``DIR`` is left as it was.
Files of an earlier run that the new run does not write disappear with the old folder.

Only folders euroshield wrote are ever replaced: every output folder holds the marker file
:data:`MARKER`; an existing folder that is not empty and has no marker is refused (so ``--out
~`` can never wipe a user's folder). :func:`check_out` does the same checks up front, before
any computation, and checks that the parent folder can be written.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from euroshield.errors import InputError

MARKER = ".euroshield-output"
_NAME_MAX = 200  # of DIR's name inside the hidden sibling names (file systems allow 255)


def shown(path) -> str:
    """A path for a one-line message: control characters (newline, ESC, ...) escaped."""
    s = os.fsdecode(os.fspath(path))
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in s)


def safe_name(name: str, taken: Iterable[str] = ()) -> str:
    """A folder name made from ``name`` that stays inside its parent: lower case,
    ``[a-z0-9._-]`` only, no leading dot or dash, not empty, at most 100 characters, and not
    one of ``taken`` (then ``-2``, ``-3``, ... is appended)."""
    s = re.sub(r"[^a-z0-9._-]+", "-", str(name).lower())
    s = re.sub(r"-{2,}", "-", s)[:100].strip(".-") or "scenario"
    taken = set(taken)
    out, n = s, 1
    while out in taken:
        n += 1
        out = f"{s}-{n}"
    return out


def unique_names(names: Iterable[str]) -> list[str]:
    """:func:`safe_name` of each of ``names``, all different."""
    done: list[str] = []
    for name in names:
        done.append(safe_name(name, done))
    return done


def write_marker(folder: Path, what: str = "") -> None:
    """Mark ``folder`` as a euroshield output folder (the next run may replace it)."""
    from euroshield import __version__

    (Path(folder) / MARKER).write_text(
        f"euroshield {__version__} output folder{f' ({what})' if what else ''}.\n"
        "The next euroshield run with --out here replaces this whole folder: keep your own "
        "files elsewhere.\n", encoding="utf-8")


# what the first line of scenario.yaml says in a report written before the marker existed
_LEGACY_REPORT = "# the exact effective scenario of this report: euroshield study"


def is_ours(folder: Path) -> bool:
    """A folder euroshield wrote: it has the marker, or it is a report of an earlier version
    (index.html beside a scenario.yaml that starts with euroshield's own comment line)."""
    folder = Path(folder)
    if (folder / MARKER).is_file():
        return True
    scenario_yaml = folder / "scenario.yaml"
    if (folder / "index.html").is_file() and scenario_yaml.is_file():
        try:
            with open(scenario_yaml, encoding="utf-8") as f:
                return f.readline().startswith(_LEGACY_REPORT)
        except (OSError, UnicodeDecodeError):
            return False
    return False


def _target(path) -> Path:
    return Path(os.path.realpath(os.fspath(path)))


def _is_empty(folder: Path, option: str, given) -> bool:
    try:
        with os.scandir(folder) as it:
            return next(it, None) is None
    except OSError as exc:
        raise InputError(f"{option}: cannot read {shown(given)}: {exc.strerror or exc}") from None


def _check_replaceable(target: Path, option: str, given) -> None:
    if target.is_dir() and not is_ours(target) and not _is_empty(target, option, given):
        raise InputError(f"{option}: {shown(given)} is a folder that euroshield did not write "
                         f"(no {MARKER} file) and is not empty; choose a new or empty folder, "
                         "or delete it yourself")


def check_out(path, option: str = "--out") -> Path:
    """Check, before any computation, that ``path`` can become an output folder: not a file,
    not the current folder or one holding it, new, empty or written by euroshield, and its
    parent folder (created if needed) can be written. Returns the absolute path (symbolic links
    resolved). Raises :class:`InputError` with one line."""
    if not os.fspath(path):
        raise InputError(f"{option}: an empty path; give a folder name")
    target = _target(path)
    if target.parent == target:
        raise InputError(f"{option}: {shown(path)} is the root folder; choose a new folder")
    with contextlib.suppress(OSError):
        cwd = Path.cwd().resolve()
        if cwd == target or target in cwd.parents:
            raise InputError(f"{option}: {shown(path)} holds the current folder; choose "
                             "another folder")
    if target.exists() and not target.is_dir():
        raise InputError(f"{option}: cannot create {shown(path)}: a file of that name exists")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{option}: cannot create {shown(path)}: "
                         f"{exc.strerror or exc}") from None
    _check_replaceable(target, option, path)
    try:  # the new folder is made next to the target, then renamed: the parent must be writable
        probe = _fresh(target, "probe")
        try:
            (probe / "probe").write_bytes(b"")
        finally:
            shutil.rmtree(probe, ignore_errors=True)
    except OSError as exc:
        raise InputError(f"{option}: cannot write into {shown(target.parent)}: "
                         f"{exc.strerror or exc}") from None
    return target


def _sibling(target: Path, kind: str, n: int) -> Path:
    suffix = "" if n == 1 else f"-{n}"
    return target.parent / f".{target.name[:_NAME_MAX]}.{kind}-{os.getpid()}{suffix}"


def _fresh(target: Path, kind: str) -> Path:
    """Create and return a new hidden sibling folder ``.NAME.<kind>-<pid>[-n]``."""
    for n in range(1, 1000):
        p = _sibling(target, kind, n)
        try:
            p.mkdir()
            return p
        except FileExistsError:
            continue
    raise FileExistsError(f"too many {target.parent}/.{target.name}.{kind}-* folders")


def _unused(target: Path, kind: str) -> Path:
    for n in range(1, 1000):
        p = _sibling(target, kind, n)
        if not os.path.lexists(p):
            return p
    raise FileExistsError(f"too many {target.parent}/.{target.name}.{kind}-* folders")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


def _remove(folder: Path) -> None:
    """Delete ``folder``, finishing even if Ctrl-C is pressed again meanwhile."""
    for _ in range(5):
        try:
            shutil.rmtree(folder, ignore_errors=True)
            return
        except KeyboardInterrupt:
            continue


def _clean_stale(target: Path) -> None:
    """Remove our hidden siblings left by runs that were killed (their process is gone)."""
    pattern = re.compile(rf"\.{re.escape(target.name[:_NAME_MAX])}\.(tmp|old)-(\d+)(-\d+)?")
    with contextlib.suppress(OSError):
        for p in target.parent.iterdir():
            m = pattern.fullmatch(p.name)
            if (m and int(m.group(2)) != os.getpid() and not _alive(int(m.group(2)))
                    and p.is_dir() and not p.is_symlink() and is_ours(p)):
                _remove(p)


def _swap(tmp: Path, target: Path, option: str, given) -> None:
    """Replace ``target`` by ``tmp``: rename the old folder aside, the new one in, delete the
    old one. ``target`` is at every moment the old folder or the new one (a rename onto an
    empty folder replaces it in one step)."""
    _check_replaceable(target, option, given)  # it may have changed during the run
    if not target.is_dir() or _is_empty(target, option, given):
        try:
            os.rename(tmp, target)
        except OSError as exc:
            raise InputError(f"{option}: cannot move the new folder into place at "
                             f"{shown(given)}: {exc.strerror or exc}") from None
        return
    old = _unused(target, "old")
    try:
        os.rename(target, old)
        os.rename(tmp, target)
    except BaseException as exc:
        if old.exists() and not target.exists():
            os.rename(old, target)  # put the old folder back
        if isinstance(exc, OSError):
            raise InputError(f"{option}: cannot replace {shown(given)}: "
                             f"{exc.strerror or exc}") from None
        raise
    _remove(old)


@contextlib.contextmanager
def atomic_folder(path, option: str = "--out", what: str = "") -> Iterator[Path]:
    """Yield a new temporary folder next to ``path``; when the block ends without an error it
    replaces ``path`` (see the module docstring), else it is removed and ``path`` is left as it
    was. ``what`` is noted in the marker file (e.g. the command)."""
    target = check_out(path, option)
    _clean_stale(target)
    try:
        tmp = _fresh(target, "tmp")
    except OSError as exc:
        raise InputError(f"{option}: cannot write into {shown(target.parent)}: "
                         f"{exc.strerror or exc}") from None
    try:
        write_marker(tmp, what)
        yield tmp
        _swap(tmp, target, option, path)
    except BaseException:
        _remove(tmp)
        raise
