"""Where work runs: in this process, in local worker processes, or on a Dask cluster.

An executor maps a function over tasks and yields (task, result) as results arrive, keeping only
a bounded number of tasks in flight so that memory does not grow with the size of the sweep. The
model never knows which executor runs it (EMA Workbench's habit): results are the same on all.

Local worker processes (`process_pool`, used by sweeps and by `simulate`) ignore Ctrl-C, which
the main process handles for them by stopping the pool, and exit by themselves when the main
process dies (a watchdog thread waits on it), so a killed run leaves no workers behind.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Generic, Protocol, TypeVar

from model.errors import InputError, Problem
from model.io import process_exists

T = TypeVar("T")
R = TypeVar("R")
IN_FLIGHT_PER_WORKER = 2


class Executor(Protocol):
    workers: int

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]: ...

    def close(self, abort: bool = False) -> None: ...

    def describe(self) -> str: ...


_INBOX: Any = None   # in a worker of `early_pool`: the pipe its waiting task's input comes by


def _worker_start(parent: int, inbox: Any = None) -> None:
    """In each worker: leave Ctrl-C to the main process, and exit when the main process dies.

    SIGTERM gets its default action back (a forked worker inherits the CLI's handler), so that
    stopping the pool ends a worker even in the middle of a task.
    """
    global _INBOX
    _INBOX = inbox
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(parent,), name="insats-watchdog",
                     daemon=True).start()


def _watch_parent(pid: int) -> None:
    """Block until process `pid` ends, then end this worker at once (its results have no reader)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (not Linux 5.3+): look every half second
        while os.getppid() != 1 and process_exists(pid):
            time.sleep(0.5)
        os._exit(1)
    select.select([fd], [], [])
    os._exit(1)


class Started(Generic[T]):
    """A computation written as steps (a generator that yields once its work is in flight on a
    pool, and returns its result), run up to that point: several can then keep one pool busy
    together, e.g. the next scenario's chunks queued while this one's tables are built.
    `result()` runs it to the end (at once, if it never yielded)."""

    def __init__(self, steps: Generator[None, None, T]):
        self._steps = steps
        self._done = False
        self._value: T | None = None
        self._error: BaseException | None = None
        self._step()

    def _step(self) -> None:
        try:
            next(self._steps)
        except StopIteration as stop:
            self._done, self._value = True, stop.value
        except BaseException as exc:
            self._done, self._error = True, exc
            raise

    def result(self) -> T:
        while not self._done:
            self._step()
        if self._error is not None:  # asked again after it failed: the same error
            raise self._error
        return self._value  # type: ignore[return-value]

    def close(self) -> None:
        """Give up the steps where they stand (their `finally` blocks run)."""
        self._steps.close()


def process_pool(workers: int, mp_context: Any = None, inbox: Any = None) -> ProcessPoolExecutor:
    """A pool of worker processes that ignore Ctrl-C and die with this process (`inbox`: see
    `early_pool`)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp_context,
                               initializer=_worker_start, initargs=(os.getpid(), inbox))


def quiet_cancelled_race(previous: Callable[[threading.ExceptHookArgs], Any]
                         ) -> Callable[[threading.ExceptHookArgs], Any]:
    """`previous` (a threading.excepthook) without one known CPython 3.11 race: when a pool
    breaks, its manager thread marks the pending futures failed and raises InvalidStateError for
    a future cancelled meanwhile (`Executor.map` cancels the rest when Ctrl-C or SIGTERM stops
    its caller), printing a traceback after our one line. Python 3.12 ignores that error there
    (gh-107219, python/cpython#108974); every other thread exception is passed on."""
    from concurrent.futures import InvalidStateError, process

    def hook(args: threading.ExceptHookArgs) -> Any:
        if isinstance(args.thread, process._ExecutorManagerThread) \
                and args.exc_type is not None and issubclass(args.exc_type, InvalidStateError):
            return None
        return previous(args)

    hook.quiet_cancelled_race = True  # type: ignore[attr-defined]
    hook.previous = previous  # type: ignore[attr-defined]
    return hook


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once (after Ctrl-C or an error): drop queued work, end running workers.

    concurrent.futures has no public way to end running tasks, so this reaches into the pool:
    its processes are terminated, and its manager thread (taken before `shutdown` forgets it) is
    let finish. A worker ended in the middle of sending a result leaves half a message that the
    manager thread would wait for for ever, keeping the process from exiting: closing this
    process's end of the result pipe turns that wait into end-of-file. The stopped pool is then
    taken off concurrent.futures' exit hook, which would otherwise wake the thread through a pipe
    it may be closing (Python 3.11 prints "OSError: Bad file descriptor" after our one line)."""
    if not getattr(threading.excepthook, "quiet_cancelled_race", False):
        threading.excepthook = quiet_cancelled_race(threading.excepthook)
    procs = list(getattr(pool, "_processes", {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout=5)
    if results is not None:
        with contextlib.suppress(Exception):
            results._writer.close()
    if manager is not None:
        from concurrent.futures import process

        manager.join(timeout=10)
        process._threads_wakeups.pop(manager, None)


@contextlib.contextmanager
def worker_pool(workers: int, mp_context: Any = None, inbox: Any = None
                ) -> Iterator[ProcessPoolExecutor]:
    """`process_pool` as a context: waits for the workers on success, stops them on any error."""
    pool = process_pool(workers, mp_context, inbox)
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


# what a run's tasks import on first use (engine, pricing, pandas): imported before workers are
# forked, or preloaded by the fork server, so that each worker does not import them again
WORKER_MODULES = ("pandas", "model.simulation.run", "model.economics", "model.evaluate")


class EarlyPool:
    """Worker processes started before their work is known, one of them already running a task
    that waits for its input (`send`): what that task prepares first (slow imports) overlaps what
    this process does meanwhile, e.g. reading the scenarios. Made by `early_pool`."""

    def __init__(self, pool: ProcessPoolExecutor, inbox: Any, first: Future[Any]):
        self.pool = pool
        self._inbox = inbox   # the writing end of the pipe the waiting task reads
        self.task = first
        self.sent = False

    def send(self, value: Any) -> Future[Any]:
        """Give the waiting task its input (once); its future. None tells it there is nothing to
        do. The value is pickled here (an error is raised here), then written by a thread: a
        value larger than a pipe holds (two scenarios) waits until the worker has prepared and
        reads it, and this process goes on meanwhile. A worker that died never reads it: its
        future fails, and the daemon thread does not hold up the exit."""
        from multiprocessing.reduction import ForkingPickler

        if self.sent:
            raise RuntimeError("the waiting task has had its input")
        data = ForkingPickler.dumps(value)
        self.sent = True
        threading.Thread(target=self._inbox.send_bytes, args=(data,), name="insats-send",
                         daemon=True).start()
        return self.task


def _waiting(task: Callable[[Any], R], prepare: Callable[[], None] | None) -> R:
    """In a worker of `early_pool`: `prepare()`, then `task` of the input sent (`EarlyPool.send`).
    The input is read even when `prepare` fails, so that its sender is never left writing."""
    try:
        if prepare is not None:
            prepare()
    finally:
        value = _INBOX.recv()
    return task(value)


@contextlib.contextmanager
def early_pool(workers: int, task: Callable[[Any], R], prepare: Callable[[], None] | None = None,
               modules: Iterable[str] = WORKER_MODULES, freeze: bool = False
               ) -> Iterator[EarlyPool]:
    """`worker_pool` started now, with `task` submitted first: one worker runs `prepare()` at
    once, then waits for the input `EarlyPool.send` gives it. `modules` are imported here first:
    forked workers (Linux's default start) have them; workers started otherwise (spawn,
    forkserver) import them again, and the overlap is smaller. Leaving the context normally
    sends None if nothing was sent (so the waiting task ends) and closes the pipe; on an error
    the pool is stopped, the waiting task with it. The workers are forked before any thread of
    the pool starts, as for `worker_pool`.

    `freeze`: every object of this process is first moved out of the garbage collector's reach
    (`gc.freeze`), the part of Python's gc documentation's advice for a fork without exec that
    needs no change to the workers (it also disables collection early): a collection,
    in a worker or later here, then neither walks the imported modules' objects nor writes to
    their pages (which a forked worker would have to copy). What is frozen is never collected,
    so this is for a short process: the console command (`model.answer.answer_workers`)."""
    import gc
    import importlib

    for name in modules:
        importlib.import_module(name)
    if freeze:
        gc.freeze()
    reader, writer = multiprocessing.Pipe(duplex=False)
    with worker_pool(workers, inbox=reader) as pool:
        early = EarlyPool(pool, writer, pool.submit(_waiting, task, prepare))
        yield early
        if not early.sent:
            early.send(None)
    # the pool has shut down: every worker read what it was sent (on an error the send thread
    # may still be blocked on the pipe, so it is left open then: closing it under the thread
    # would print that thread's error)
    reader.close()
    writer.close()


class SerialExecutor:
    """Everything in this process, in order (one worker)."""

    workers = 1

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        for t in tasks:
            yield t, fn(t)

    def close(self, abort: bool = False) -> None:
        return None

    def describe(self) -> str:
        return "1 local process"


class LocalExecutor:
    """A pool of local worker processes (concurrent.futures, forkserver start)."""

    def __init__(self, workers: int):
        self.workers = workers
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([*WORKER_MODULES, "model.sweep.run"])
        self.pool = process_pool(workers, ctx)

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        it = iter(tasks)
        running: dict[Future[R], T] = {}

        def fill() -> None:
            while len(running) < self.workers * IN_FLIGHT_PER_WORKER:
                try:
                    t = next(it)
                except StopIteration:
                    return
                running[self.pool.submit(fn, t)] = t

        fill()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: id(f)):
                t = running.pop(fut)
                yield t, fut.result()
            fill()

    def close(self, abort: bool = False) -> None:
        if abort:
            stop_pool(self.pool)
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"{self.workers} local processes"


class DaskExecutor:
    """A Dask distributed cluster: an existing scheduler, or a LocalCluster on 127.0.0.1."""

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler is None:
            self.cluster = LocalCluster(n_workers=local_workers or 1, threads_per_worker=1,
                                        processes=True, host="127.0.0.1", dashboard_address=None,
                                        silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
            self.address = self.cluster.scheduler_address
        else:
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:  # ValueError: not an address
                raise InputError([Problem("--scheduler", "", f"cannot reach the Dask scheduler "
                                          f"({exc})", scheduler)]) from None
            self.address = scheduler
        self.workers = max(1, sum(w.get("nthreads", 1) for w in
                                  self.client.scheduler_info()["workers"].values()))

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        from distributed import as_completed

        it = iter(tasks)
        owner: dict[str, T] = {}
        window = self.workers * IN_FLIGHT_PER_WORKER

        def submit() -> Any:
            t = next(it, None)
            if t is None:
                return None
            fut = self.client.submit(fn, t, pure=False)
            owner[fut.key] = t
            return fut

        first = [f for f in (submit() for _ in range(window)) if f is not None]
        if not first:
            return
        queue = as_completed(first)
        for fut in queue:
            t = owner.pop(fut.key)
            result = fut.result()
            fut.release()
            nxt = submit()
            if nxt is not None:
                queue.add(nxt)
            yield t, result

    def close(self, abort: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def describe(self) -> str:
        where = "a local Dask cluster" if self.cluster is not None else f"Dask at {self.address}"
        return f"{where} ({self.workers} worker threads)"


def make_executor(workers: int | None = None, scheduler: str | None = None,
                  dask_local: int | None = None, tasks: int | None = None) -> Executor:
    """Dask if a scheduler address or a local Dask cluster is asked for, else local processes.

    Local workers (and a local Dask cluster's) are capped at the `tasks` there are and at the
    cores this process may use (`model.limits.usable_workers`); a remote scheduler is not.
    """
    from model.limits import usable_workers

    if scheduler is not None and dask_local is not None:
        raise InputError([Problem("--scheduler", "", "give either --scheduler or --dask-local, "
                                  "not both")])
    most = tasks if tasks is not None else 1 << 30
    if scheduler is not None or dask_local is not None:
        local = None if dask_local is None else usable_workers(dask_local, most)
        return DaskExecutor(scheduler=scheduler, local_workers=local)
    n = usable_workers(workers, most)
    return SerialExecutor() if n <= 1 else LocalExecutor(n)
