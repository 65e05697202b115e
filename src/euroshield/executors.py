"""Executors for campaigns, and the loop that runs a campaign into its store.

* ``single``: this process evaluates the chunks one after another;
* ``local`` (default): a pool of worker processes on this machine (``spawn``: a fresh
  interpreter each, so no thread pool or kernel state is inherited half-alive);
* ``dask``: a ``dask.distributed.LocalCluster`` (no dashboard), or an existing Dask cluster
  given by its scheduler address (``tcp://HOST:PORT``): the same command on a cluster.

Work goes out in chunks of vectorised draws (not one task per draw). The campaign's evaluator
(with the fast path's precomputed arrays) is built once here and shipped once to each worker.
Worker processes get ``EUROSHIELD_THREADS`` (the kernels' thread pool), ``NUMBA_NUM_THREADS``
and the BLAS thread counts set to ``cores // workers`` so that processes x threads does not
oversubscribe the cores.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from euroshield import __version__
from euroshield.errors import InputError

KINDS = ("local", "dask", "single")
THREAD_VARS = ("EUROSHIELD_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS",
               "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SCHEDULER_RE = re.compile(r"^(tcp|tls|ws|wss|inproc)://[^\s/]+$")


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# Dask workers sample their task threads' stacks every 10 ms by default: measured 30-40 %
# slower chunks with it on
PROFILER_ENV = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"


@contextlib.contextmanager
def _thread_env(threads: int, extra: dict | None = None):
    """Worker processes started inside inherit these thread counts (and ``extra``)."""
    new = {**{k: str(threads) for k in THREAD_VARS}, **(extra or {})}
    old = {k: os.environ.get(k) for k in new}
    os.environ.update(new)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _workers_ignore_sigint():
    """Worker processes started inside begin with Ctrl-C ignored (an ignored signal stays
    ignored across exec, and Python then installs no KeyboardInterrupt handler): Ctrl-C in a
    terminal reaches the whole process group, and only this process must answer it, with one
    line. Ctrl-C pressed meanwhile is lost (the block only starts processes)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


# ---- worker side ---------------------------------------------------------------------------

_EVALUATOR = None  # the campaign's evaluator in a local worker process


def _init_local(payload: bytes) -> None:
    import signal

    global _EVALUATOR
    # Ctrl-C reaches the whole process group: the parent stops the pool and says so in one
    # line; the workers must not print tracebacks of their own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _EVALUATOR = pickle.loads(payload)


def _local_chunk(keys: np.ndarray):
    return _EVALUATOR.evaluate(keys)


WARM_KEYS = np.array([0], dtype=np.int64)  # draw 0: one evaluation warms every code path


def run_chunk(evaluator, keys: np.ndarray):
    """Evaluate one chunk of keys (the Dask task)."""
    return evaluator.evaluate(keys)


# ---- executors ----------------------------------------------------------------------------


class Executor:
    """Submit chunks, wait for the first ones done. ``workers`` runs in parallel."""

    kind = "single"
    workers = 1

    def connect(self) -> None:
        """Reach the workers before any work (an unreachable scheduler fails here)."""

    def start(self, evaluator) -> None:
        self._evaluator = evaluator

    def submit(self, keys: np.ndarray) -> Future:
        f: Future = Future()
        try:
            f.set_result(self._evaluator.evaluate(keys))
        except Exception as exc:  # delivered by result(), like the other executors
            f.set_exception(exc)
        return f

    def wait_first(self, pending: set) -> tuple[set, set]:
        done, rest = wait(pending, return_when=FIRST_COMPLETED)
        return set(done), set(rest)

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "single process"


class LocalExecutor(Executor):
    kind = "local"

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or cores())
        self.threads = max(1, cores() // self.workers)
        self._pool: ProcessPoolExecutor | None = None
        self._env = None

    def start(self, evaluator) -> None:
        import multiprocessing

        payload = pickle.dumps(evaluator, protocol=pickle.HIGHEST_PROTOCOL)
        self._env = _thread_env(self.threads)
        self._env.__enter__()
        self._pool = ProcessPoolExecutor(self.workers, multiprocessing.get_context("spawn"),
                                         initializer=_init_local, initargs=(payload,))
        # start every worker (imports, the evaluator unpickled, one evaluation) before work
        with _workers_ignore_sigint():
            warm = [self._pool.submit(_local_chunk, WARM_KEYS) for _ in range(self.workers)]
        for f in warm:
            f.result()

    def submit(self, keys: np.ndarray) -> Future:
        return self._pool.submit(_local_chunk, keys)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._env is not None:
            self._env.__exit__(None, None, None)
            self._env = None

    def describe(self) -> str:
        return f"local: {_n(self.workers, 'worker process')} x {_n(self.threads, 'thread')}"


class DaskExecutor(Executor):
    kind = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.scheduler = scheduler
        self.workers = max(1, workers or cores())
        self.threads = max(1, cores() // self.workers)
        self._client = self._cluster = self._ev = None
        self._env = None

    def connect(self) -> None:
        import logging

        from distributed import Client, LocalCluster

        if self._client is not None:
            return
        if self.scheduler:
            _probe(self.scheduler)
            try:
                self._client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"--scheduler: cannot connect to {self.scheduler}: "
                                 f"{' '.join(str(exc).split()) or type(exc).__name__}") from None
            info = self._client.scheduler_info()
            self.workers = max(1, len(info.get("workers", {})))
        else:
            self._env = _thread_env(self.threads, {PROFILER_ENV: "False"})
            self._env.__enter__()
            with _workers_ignore_sigint():
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             silence_logs=logging.ERROR)
            self._client = Client(self._cluster)

    def start(self, evaluator) -> None:
        self.connect()
        self._ev = self._client.scatter(evaluator, broadcast=True)
        workers = list(self._client.scheduler_info().get("workers", {}))
        warm = [self._client.submit(run_chunk, self._ev, WARM_KEYS, workers=[w], pure=False)
                for w in workers]
        self._client.gather(warm)  # every worker has imported and evaluated once

    def submit(self, keys: np.ndarray):
        return self._client.submit(run_chunk, self._ev, keys, pure=False)

    def wait_first(self, pending: set) -> tuple[set, set]:
        from distributed import wait as dwait

        done, rest = dwait(list(pending), return_when="FIRST_COMPLETED")
        return set(done), set(rest)

    def close(self) -> None:
        for obj in (self._client, self._cluster):
            if obj is not None:
                with contextlib.suppress(Exception):
                    obj.close()
        self._client = self._cluster = self._ev = None
        if self._env is not None:
            self._env.__exit__(None, None, None)
            self._env = None

    def describe(self) -> str:
        if self.scheduler:
            return f"dask cluster at {self.scheduler}: {_n(self.workers, 'worker')}"
        return (f"dask LocalCluster: {_n(self.workers, 'worker process')} x "
                f"{_n(self.threads, 'thread')}")


def _probe(address: str, timeout_s: float = 5.0) -> None:
    """A plain TCP connection to a tcp:// scheduler first: a refused or unroutable address
    fails at once with the system's reason instead of after Dask's retries."""
    import socket

    m = re.match(r"^tcp://(\[[^\]]+\]|[^:]+):(\d+)$", address)
    if not m:
        return
    host, port = m.group(1).strip("[]"), int(m.group(2))
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(f"--scheduler: cannot connect to {address}: {reason}") from None


def _n(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "es" if word.endswith("s") else "s")


def check_scheduler(address: str) -> str:
    """A Dask scheduler address such as tcp://HOST:PORT (one line otherwise)."""
    if not SCHEDULER_RE.match(address or ""):
        raise InputError(f"--scheduler: expected a Dask scheduler address such as "
                         f"tcp://HOST:PORT; got {address!r}")
    return address


def make_executor(kind: str, workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    if scheduler is not None:
        return DaskExecutor(workers, check_scheduler(scheduler))
    if kind == "local":
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers)
    if kind == "single":
        return Executor()
    raise InputError(f"--executor: expected one of {', '.join(KINDS)}; got {kind!r}")


# ---- the campaign loop ---------------------------------------------------------------------


@dataclass
class RunInfo:
    """What a run did (for the report and the benchmark)."""

    computed_keys: int
    stored_keys: int  # already in the store when the run started
    runs_used: int
    converged: bool | None
    seconds: float  # the draw phase: workers started, chunks evaluated and stored
    precompute_s: float
    executor: str
    start_s: float = 0.0  # of ``seconds``: starting the workers (evaluator shipped, warm-up)
    worker_s: float = 0.0  # evaluation time summed over the chunks (inside the workers)
    worker_cpu_s: float = 0.0  # the workers' CPU time meanwhile (worker_s minus waiting)


def _key_columns(keys: np.ndarray, variants: int, exact: np.ndarray) -> dict:
    """The store columns that say what a row is: its key, draw, variant and path."""
    return {"key": keys, "draw": np.where(keys >= 0, keys // variants, -1),
            "variant": np.where(keys >= 0, keys % variants, -1 - keys).astype(np.int16),
            "exact": exact}


def chunk_columns(plan, result, versions: dict) -> dict:
    """Store columns of an evaluated chunk of a deterrence campaign (see
    :mod:`euroshield.store`)."""
    keys = result.keys
    v = plan.variants
    eng = result.engageable
    k, n, j = eng.shape
    cols: dict = {
        **_key_columns(keys, v, result.exact),
        "engageable_routes": eng.any(axis=2).sum(axis=1).astype(np.int32),
        "engageable_pairs": eng.sum(axis=(1, 2)).astype(np.int32),
        "routes": [bytes(b) for b in np.packbits(eng.any(axis=2), axis=1)],
        "pairs": [bytes(b) for b in np.packbits(eng.reshape(k, n * j), axis=1)],
    }
    return _parameter_columns(plan, result, versions, cols)


def _parameter_columns(plan, result, versions: dict, cols: dict) -> dict:
    """``cols`` plus each key's parameter values, the seed and the version."""
    from euroshield.studies.distributions import get_value

    k = len(result.keys)
    nominal = plan.nominal
    for d in plan.dists:
        base = get_value(nominal, d.parameter)
        vals = [vals.get(d.parameter, base) for vals in result.values]
        cols[f"p:{d.parameter}"] = ([float(x) for x in vals] if d.numeric
                                    else [str(x) for x in vals])
    cols["seed"] = np.full(k, plan.seed, dtype=np.int64)
    cols["euroshield_version"] = [versions.get("euroshield", __version__)] * k
    return cols


def _unpack(t, column: str, width: int) -> np.ndarray:
    raw = np.frombuffer(b"".join(t.column(column).to_pylist()), dtype=np.uint8)
    return np.unpackbits(raw.reshape(t.num_rows, -1), axis=1, count=width).astype(bool)


def stored_results(store, n: int, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, engageable (K, n, J), exact) of every row in a deterrence campaign's store."""
    t = store.read(["key", "pairs", "exact"])
    if t is None:
        return (np.empty(0, np.int64), np.zeros((0, n, j), bool), np.zeros(0, bool))
    keys = t.column("key").to_numpy()
    eng = _unpack(t, "pairs", n * j)
    return keys, eng.reshape(len(keys), n, j), t.column("exact").to_numpy(zero_copy_only=False)


class DeterrenceRecords:
    """How a deterrence campaign stores a chunk and what its convergence check watches: per
    draw, each route engageable by any shooter (and at least one route)."""

    def __init__(self, plan, n_routes: int, n_shooters: int):
        self.plan, self.n, self.j = plan, n_routes, n_shooters
        self.width = n_routes

    def record(self, result, versions: dict) -> tuple[dict, np.ndarray]:
        return chunk_columns(self.plan, result, versions), result.engageable.any(axis=2)

    def stored(self, store) -> tuple[np.ndarray, np.ndarray]:
        keys, eng, _ = stored_results(store, self.n, self.j)
        return keys, eng.any(axis=2)

    def hits(self, verdict: np.ndarray) -> np.ndarray:
        return np.r_[verdict.sum(axis=0), verdict.any(axis=1).sum()]


class FootprintRecords:
    """A footprint campaign's store rows: per key the (missile, aim point) groups defended
    and engageable from at least one launch point (bits), and the headline figures; the
    convergence check watches every threatened aim point's P(defended)."""

    def __init__(self, plan, flown: np.ndarray):
        from euroshield.studies.campaign import footprint_status

        self.plan, self.cells, self.flown = plan, plan.cells, flown
        self.groups = len(self.cells.missiles) * self.cells.n_aims
        self.width = self.groups
        self.threatened = footprint_status(self.cells, flown,
                                           np.zeros((0, len(flown)), bool))[2]

    def record(self, result, versions: dict) -> tuple[dict, np.ndarray]:
        from euroshield.studies.campaign import footprint_headlines, footprint_status

        keys, v = result.keys, self.plan.variants
        defended, partly, _ = footprint_status(self.cells, self.flown,
                                               result.engageable.any(axis=2))
        cols: dict = {
            **_key_columns(keys, v, result.exact),
            "defended": [bytes(b) for b in np.packbits(defended, axis=1)],
            "engageable": [bytes(b) for b in np.packbits(partly, axis=1)],
        }
        for f, y in footprint_headlines(self.cells, defended, partly).items():
            cols[f"figure:{f}"] = np.asarray(y, dtype=float)
        return _parameter_columns(self.plan, result, versions, cols), defended

    def stored_all(self, store) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(keys, defended (K, G), engageable from one launch point (K, G), exact)."""
        t = store.read(["key", "defended", "engageable", "exact"])
        if t is None:
            e = np.zeros((0, self.groups), bool)
            return np.empty(0, np.int64), e, e, np.zeros(0, bool)
        return (t.column("key").to_numpy(), _unpack(t, "defended", self.groups),
                _unpack(t, "engageable", self.groups),
                t.column("exact").to_numpy(zero_copy_only=False))

    def stored(self, store) -> tuple[np.ndarray, np.ndarray]:
        keys, defended, _, _ = self.stored_all(store)
        return keys, defended

    def hits(self, verdict: np.ndarray) -> np.ndarray:
        return verdict[:, self.threatened].sum(axis=0)


def run(plan, evaluator, store, executor: Executor, n_routes: int, n_shooters: int,
        ci_width: float | None = None, progress: Callable[[int, int], None] | None = None,
        versions: dict | None = None, precompute_s: float = 0.0, records=None) -> RunInfo:
    """Evaluate every key of ``plan`` missing from ``store``, writing each chunk as it
    completes. With ``ci_width``, stop at the first checkpoint (in draw order, so the same
    whatever the completion order) where every route's and aim point's Wilson 95 % interval
    is narrower. ``records`` says what is stored and watched (default: a deterrence
    campaign's :class:`DeterrenceRecords`)."""
    from euroshield.studies.campaign import interval_width

    t0 = time.perf_counter()
    versions = versions or {}
    records = records or DeterrenceRecords(plan, n_routes, n_shooters)
    have = set(store.completed_keys().tolist())
    chunks = [c[~np.isin(c, list(have))] if have else c for c in plan.chunks()]
    chunks = [c for c in chunks if len(c)]
    total = sum(len(c) for c in plan.chunks())
    done_n = len(have)
    v = plan.variants
    # per draw: what the convergence check watches (routes or aim points)
    verdict = np.zeros((plan.runs, records.width), dtype=bool)
    got = np.zeros(plan.runs, dtype=bool)
    if have:
        keys, ver = records.stored(store)
        mc = (keys >= 0) & (keys % v == 0) & (keys // v < plan.runs)
        verdict[keys[mc] // v] = ver[mc]
        got[keys[mc] // v] = True
    checkpoints = plan.checkpoints()
    stop_at: int | None = None
    converged: bool | None = None if ci_width is None else False

    def check() -> None:
        nonlocal stop_at, converged
        while checkpoints and got[:checkpoints[0]].all():
            m = checkpoints.pop(0)
            if ci_width is not None and stop_at is None:
                w = interval_width(records.hits(verdict[:m]), m)
                if w <= ci_width:
                    stop_at, converged = m, True

    check()
    if progress:
        progress(done_n, total)
    t_start = time.perf_counter()
    if chunks and stop_at is None:
        executor.start(evaluator)
    start_s = time.perf_counter() - t_start
    pending: set = set()
    todo = iter(chunks)
    computed = 0
    worker_s = worker_cpu_s = 0.0
    try:
        while True:
            while stop_at is None and len(pending) < 2 * executor.workers:
                nxt = next(todo, None)
                if nxt is None:
                    break
                pending.add(executor.submit(nxt))
            if not pending:
                break
            done, pending = executor.wait_first(pending)
            for f in done:
                res = f.result()
                cols, ver = records.record(res, versions)
                store.write(cols)
                computed += len(res.keys)
                done_n += len(res.keys)
                worker_s += res.seconds
                worker_cpu_s += res.cpu_seconds
                mc = (res.keys >= 0) & (res.keys % v == 0)
                verdict[res.keys[mc] // v] = ver[mc]
                got[res.keys[mc] // v] = True
                if progress:
                    progress(done_n, total)
            check()
            if stop_at is not None:
                for f in pending:
                    f.cancel()
                pending = set()
    finally:
        executor.close()
    return RunInfo(computed, len(have), stop_at or plan.runs, converged,
                   time.perf_counter() - t0, precompute_s, executor.describe(), start_s,
                   worker_s, worker_cpu_s)


@dataclass
class Campaign:
    """A finished campaign: its plan, reductions, route labels and how it ran."""

    plan: object
    outcome: object
    info: RunInfo
    launch_names: list[str]
    aim_names: list[str]
    shooter_names: list[str]
    flown: np.ndarray
    fast: bool  # the fast path was available (every parameter is a fast-path one)
    store_path: str | None
    tracks: list  # per route: (lat_deg, lon_deg) ground track of the nominal trajectory
    study: str = "deterrence"
    cells: object = None  # a footprint campaign's rows (studies.campaign.FootprintCells)


def identity(plan) -> dict:
    """What a campaign's store must match (see :func:`euroshield.store.identity`)."""
    from euroshield import store as st
    from euroshield.studies import campaign as cp

    # /2: deterrence draws read exact single-speed tables SPEED_QUANTUM_KMS apart (a store
    # written by /1, which interpolated between ladder tables, is refused, not mixed in)
    method = {"evaluator": "fast-path+exact/2", "ladder_step_kms": cp.LADDER_STEP_KMS,
              "speed_quantum_kms": cp.SPEED_QUANTUM_KMS}
    if plan.study == "footprint":
        g = plan.cells.grid
        method = {**method, "study": "footprint",
                  "resolution_deg": g.resolution_deg, "aim_points": len(g),
                  "capitals": list(plan.cells.capitals)}
    return st.identity(plan.scenario.model_dump(mode="json"), plan.seed,
                       [d.parameter for d in plan.dists], method)


@contextlib.contextmanager
def _closing_on_error(executor: Executor):
    """Close ``executor`` (its worker processes or cluster) if the block raises, then re-raise."""
    try:
        yield
    except BaseException:
        executor.close()
        raise


def _shooter_names(nominal) -> list[str]:
    """The campaign's shooters as ``site/interceptor``, in the scenario's order."""
    return [f"{s.site}/{name}" for s in nominal.sites for name in s.interceptors]


def _open_store(store_path, ident: dict, executor: Executor):
    """The campaign's store (in memory when ``store_path`` is None); the executor is closed if it
    cannot be opened."""
    from euroshield import store as st

    with _closing_on_error(executor):
        return (st.open_store(store_path, ident) if store_path is not None
                else st.MemoryStore(ident))


def execute(plan, executor: Executor, store_path=None, ci_width: float | None = None,
            progress: Callable[[int, int], None] | None = None,
            say: Callable[[str], None] | None = None, looks=None) -> Campaign:
    """Run a campaign: check the store (before any work), precompute, evaluate the missing
    keys, then reduce everything the store holds. ``store_path`` None keeps results in
    memory."""
    from euroshield import store as st
    from euroshield.studies import campaign as cp
    from euroshield.studies.deterrence import threats_of
    from euroshield.studies.pipeline import fly, look

    ident = identity(plan)
    if store_path is not None:
        st.check_store(store_path, ident)  # refuse before computing anything
    say = say or (lambda _m: None)
    with _closing_on_error(executor):
        executor.connect()
    if plan.study == "footprint":
        return _execute_footprint(plan, executor, store_path, ident, ci_width, progress, say)
    t0 = time.perf_counter()
    if looks is None:
        say("flying the threat trajectories")
        looks = look(fly(threats_of(plan.nominal)))
    with _closing_on_error(executor):
        evaluator = cp.build_evaluator(plan, progress=say, looks=looks)
    pre = time.perf_counter() - t0
    th = looks.threats
    shooter_names = _shooter_names(plan.nominal)
    n, j = len(th), len(shooter_names)
    store = _open_store(store_path, ident, executor)
    try:
        info = run(plan, evaluator, store, executor, n, j, ci_width=ci_width, progress=progress,
                   precompute_s=pre)
        keys, eng, exact = stored_results(store, n, j)
    finally:
        store.close()
    flown = looks.trajectories.flown
    lat, lon = looks.points.lat_deg[:, ::5], looks.points.lon_deg[:, ::5]
    tracks = [(a[np.isfinite(a)], b[np.isfinite(a)]) for a, b in zip(lat, lon, strict=True)]
    outcome = cp.reduce(plan, keys, eng, exact, th.aim_name.tolist(), flown, info.runs_used,
                        info.converged)
    return Campaign(plan, outcome, info, th.launch_name.tolist(), th.aim_name.tolist(),
                    shooter_names, flown, evaluator.fast is not None,
                    None if store_path is None else str(store_path), tracks)


def _execute_footprint(plan, executor: Executor, store_path, ident: dict,
                       ci_width: float | None, progress, say) -> Campaign:
    """:func:`execute` for a footprint campaign (``plan.cells`` set)."""
    from euroshield.studies import campaign as cp

    t0 = time.perf_counter()
    with _closing_on_error(executor):
        evaluator = cp.build_evaluator(plan, progress=say)
        if evaluator.fast is not None:
            flown = evaluator.fast.flown
        else:  # exact pipeline for every draw: fly here too for the threatened aim points
            say("flying the footprint trajectories")
            flown = evaluator.exact.footprint_looks(plan.cells).trajectories.flown
    pre = time.perf_counter() - t0
    shooter_names = _shooter_names(plan.nominal)
    records = FootprintRecords(plan, flown)
    store = _open_store(store_path, ident, executor)
    try:
        info = run(plan, evaluator, store, executor, len(flown), len(shooter_names),
                   ci_width=ci_width, progress=progress, precompute_s=pre, records=records)
        keys, defended, partly, exact = records.stored_all(store)
    finally:
        store.close()
    outcome = cp.reduce_footprint(plan, keys, defended, partly, exact, records.threatened,
                                  info.runs_used, info.converged)
    th = plan.cells.threats
    return Campaign(plan, outcome, info, th.launch_name.tolist(), th.aim_name.tolist(),
                    shooter_names, flown, evaluator.fast is not None,
                    None if store_path is None else str(store_path), [], study="footprint",
                    cells=plan.cells)
