"""The campaign store: an embedded, append-only Parquet store of evaluated draws, keyed by draw.

Layout of a store folder::

    manifest.json          what the store holds: format, euroshield version, scenario (its
                           SHA-256 and name), seed, parameters, method; written once
    part-<first key>.parquet   one file per completed chunk: rows keyed by ``key`` (draw and
                           variant, see :mod:`euroshield.studies.campaign`) with the draw's
                           parameter values, its outputs and how it was evaluated
    .lock                  held (flock) while a campaign writes to the store

A chunk's file is written to a temporary name, flushed to disk and renamed into place, so a
killed campaign (even SIGKILL) leaves only whole chunks: rerunning the same command reads the
keys already present, computes only the others, and gives the same results as an
uninterrupted run. A store written by another euroshield version, another scenario or another
seed is refused with one line and left untouched.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from euroshield import __version__
from euroshield.errors import InputError

FORMAT = "euroshield-campaign-store/1"
MANIFEST = "manifest.json"


def _fail(path: Path, why: str) -> InputError:
    return InputError(f"--store: {path} {why}")


@dataclass
class Store:
    """An open store (see the module text). Use :func:`open_store`."""

    path: Path
    identity: dict
    _lock_fd: int | None = None

    def part_files(self) -> list[Path]:
        return sorted(self.path.glob("part-*.parquet"))

    def completed_keys(self) -> np.ndarray:
        """Keys of every stored row (sorted)."""
        import pyarrow.parquet as pq

        parts = [pq.read_table(p, columns=["key"]).column("key").to_numpy()
                 for p in self.part_files()]
        return np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def write(self, columns: dict[str, list | np.ndarray]) -> Path:
        """Write one chunk of rows (column name -> values; must hold ``key``) atomically."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        keys = np.asarray(columns["key"], dtype=np.int64)
        name = f"part-{int(keys.min()):+013d}-{len(keys)}.parquet"
        final = self.path / name
        tmp = self.path / f".{name}.{os.getpid()}.tmp"
        table = pa.table({k: (pa.array(v) if not isinstance(v, pa.Array) else v)
                          for k, v in columns.items()})
        pq.write_table(table, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, final)
        _fsync_dir(self.path)
        return final

    def read(self, columns: list[str] | None = None):
        """Every stored row as one pyarrow Table (None if the store is empty)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = [pq.read_table(p, columns=columns) for p in self.part_files()]
        return pa.concat_tables(parts) if parts else None

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def identity(scenario_doc: dict, seed: int, parameters: list[str], method: dict) -> dict:
    """What a store must match to be reused: format, version, scenario hash, seed, method."""
    import hashlib

    text = json.dumps(scenario_doc, sort_keys=True, separators=(",", ":"))
    return {"format": FORMAT, "euroshield_version": __version__,
            "scenario_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "scenario": scenario_doc.get("name"), "seed": int(seed),
            "parameters": list(parameters), "method": method}


def check_store(path: Path, ident: dict) -> bool:
    """Check, without changing anything, that ``path`` can hold this campaign: it does not
    exist, is an empty folder, or is a store with the same identity. Returns True if it is an
    existing store; raises InputError (one line) otherwise."""
    path = Path(path)
    try:
        if not path.exists():
            if not path.parent.resolve().is_dir():
                raise _fail(path, f"cannot be created: folder {path.parent} does not exist")
            return False
        if not path.is_dir():
            raise _fail(path, "is a file, not a campaign store folder")
        manifest = path / MANIFEST
        if not manifest.is_file():
            if any(path.iterdir()):
                raise _fail(path, "is a folder that is not a euroshield campaign store (no "
                                  f"{MANIFEST}); give a new or empty folder")
            return False
        try:
            have = json.loads(manifest.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _fail(path, f"has an unreadable {MANIFEST}; not a campaign store this "
                              "version can use") from None
    except PermissionError as exc:
        raise _fail(path, f"cannot be read: {exc.strerror}") from None
    if not isinstance(have, dict) or have.get("format") != FORMAT:
        raise _fail(path, f"is not a {FORMAT} store (format {have.get('format')!r}); left "
                          "untouched")
    for key, what in (("euroshield_version", "euroshield version"),
                      ("scenario_sha256", "scenario"), ("seed", "seed"),
                      ("parameters", "parameters"), ("method", "kind of campaign")):
        if have.get(key) != ident[key]:
            mine, theirs = ident[key], have.get(key)
            if key == "scenario_sha256":
                mine, theirs = (f"{ident['scenario']!r} ({ident[key][:12]})",
                                f"{have.get('scenario')!r} ({str(theirs)[:12]})")
            if key == "method":
                mine, theirs = _method_text(mine), _method_text(theirs)
            raise _fail(path, f"was written for another {what} ({theirs}; this campaign: "
                              f"{mine}); left untouched: give another --store or delete it")
    return True


def _method_text(method) -> str:
    """A campaign's method in a few words (for the refusal line)."""
    if not isinstance(method, dict):
        return repr(method)
    if method.get("study") == "footprint":
        return (f"footprint, {method.get('resolution_deg')} deg grid of "
                f"{method.get('aim_points')} aim points and {len(method.get('capitals', []))} "
                f"capitals, {method.get('evaluator')}")
    return f"deterrence, {method.get('evaluator')}"


def open_store(path, ident: dict) -> Store:
    """Open (or create) the store at ``path`` for this campaign identity, holding its lock.
    Leftover temporary files of a killed run are removed; nothing else is touched."""
    import fcntl

    path = Path(path)
    existing = check_store(path, ident)
    try:
        path.mkdir(exist_ok=True)
        fd = os.open(path / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _fail(path, f"cannot be written: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise _fail(path, "is in use by another running campaign") from None
        raise
    if not existing:
        tmp = path / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(ident, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path / MANIFEST)
        _fsync_dir(path)
    for stale in path.glob(".part-*.tmp"):  # a chunk a killed run did not finish
        with contextlib.suppress(OSError):
            stale.unlink()
    return Store(path, ident, fd)


class MemoryStore(Store):
    """A store held in memory (studies that run a small campaign inside a report)."""

    def __init__(self, ident: dict):
        super().__init__(Path("."), ident)
        self._tables: list = []

    def part_files(self) -> list[Path]:
        return []

    def completed_keys(self) -> np.ndarray:
        keys = [t.column("key").to_numpy() for t in self._tables]
        return np.sort(np.concatenate(keys)) if keys else np.empty(0, dtype=np.int64)

    def write(self, columns: dict) -> Path:
        import pyarrow as pa

        self._tables.append(pa.table({k: pa.array(v) for k, v in columns.items()}))
        return self.path

    def read(self, columns: list[str] | None = None):
        import pyarrow as pa

        if not self._tables:
            return None
        t = pa.concat_tables(self._tables)
        return t.select(columns) if columns else t
