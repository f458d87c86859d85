"""Run a function over batches of items in worker processes, yielding results in input order.

Ingest uses it to run spaCy and build each article's RDF in parallel while one process,
the store's single writer, stores the results. Two backends:

- a local pool of processes (:func:`map_in_order` with ``workers``);
- a Dask cluster (``dask=True`` starts a ``LocalCluster``; ``dask="tcp://host:8786"`` uses
  an existing scheduler). Dask is an optional dependency: ``pip install 'claimgraph[dask]'``.

Results come back in the order of the items, whatever order the workers finish in, so
what is stored is exactly what a one-process run stores. At most ``2 × workers`` batches
are in flight: input is read as the workers progress, never all at once. The same workers
also run plain tasks (:meth:`WorkerPool.call`): ingest reads WARC files with them.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from claimgraph.errors import ClaimgraphError

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Environment variables that cap the threads of numpy's BLAS and OpenMP in a worker.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: How often a worker checks that its parent lives, where no pidfd can tell it.
_POLL_SECONDS = 1.0
#: The exit status of a worker whose parent died.
EXIT_ORPHANED = 3

#: The function a worker holds, set once per process by :func:`_hold`.
_function: Callable[[list[Any]], list[Any]] | None = None


class _Future(Protocol[Result]):
    def result(self) -> Result: ...

    def cancel(self) -> object: ...


Submit = Callable[[list[Item]], _Future[list[Result]]]


def map_in_order(function: Callable[[list[Item]], list[Result]], items: Iterable[Item], *,
                 workers: int = 2, dask: bool | str = False,
                 batch_size: int = 8) -> Iterator[Result]:
    """Yield ``function(batch)``'s results for batches of ``items``, in the order of the items.

    ``function`` takes a list of items and returns one result per item; it must pickle
    (it is sent to each worker once). ``workers`` is the number of processes (for Dask, of
    the LocalCluster's workers). ``batch_size`` items go to a worker at a time.
    Raises :class:`ClaimgraphError` when Dask is asked for but not installed.
    """
    with worker_pool(function, workers=workers, dask=dask) as pool:
        yield from pool.map_in_order(items, batch_size)


@dataclass(frozen=True, slots=True)
class WorkerPool:
    """Worker processes (or a Dask cluster) that hold one function, sent to them once, and
    also run plain tasks (:meth:`call`), such as reading a file."""

    workers: int
    _held: Callable[[list[Any]], _Future[list[Any]]]
    _call: Callable[..., _Future[Any]]

    def call(self, function: Callable[..., Result], *arguments: Any) -> _Future[Result]:
        """Start ``function(*arguments)`` on a worker; ``function`` pickles by reference
        (a module-level function), its arguments and result are small."""
        return self._call(function, *arguments)

    def map_in_order(self, items: Iterable[Item], batch_size: int = 8) -> Iterator[Any]:
        """Yield the held function's results for batches of ``items``, in item order,
        with at most ``2 × workers`` batches in flight."""
        pending: deque[_Future[list[Any]]] = deque()
        for batch in batches(items, batch_size):
            pending.append(self._held(batch))
            if len(pending) >= 2 * self.workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


@contextmanager
def worker_pool(function: Callable[[list[Item]], list[Result]], *, workers: int = 2,
                dask: bool | str = False) -> Iterator[WorkerPool]:
    """Start ``workers`` worker processes holding ``function`` (on a Dask cluster when
    ``dask`` is True, a LocalCluster, or a scheduler's address); stop them on leaving.

    Raises :class:`ClaimgraphError` for fewer than one worker, and when Dask is asked for
    but not installed.
    """
    if workers < 1:
        raise ClaimgraphError(f"the number of workers must be at least 1, not {workers}")
    # One BLAS/OpenMP thread per worker: N workers each using every core fight over the
    # cores (measured: 2 workers slower than 1 on 2 cores). Worker processes (the fork
    # server's, a LocalCluster's) start with this process's environment, so set it first.
    for variable in _THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
    backend = _dask_backend(function, dask, workers) if dask else _process_backend(function,
                                                                                   workers)
    with backend as (held, call):
        yield WorkerPool(workers, held, call)


@contextmanager
def _process_backend(function: Callable[[list[Item]], list[Result]],
                     workers: int) -> Iterator[tuple[Submit, Callable[..., Any]]]:
    # Not "fork": the parent holds an open store with RocksDB's threads, and forking a
    # process that has threads can leave their locks held in the child. A fork server is
    # a fresh process that imports claimgraph (and spaCy) once, then forks the workers.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["claimgraph.pipeline"])
    else:  # Windows
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_hold,
                             initargs=(function, os.getpid())) as pool:
        yield (lambda batch: pool.submit(_call_held, batch)), pool.submit


def _hold(function: Callable[[list[Any]], list[Any]], parent: int) -> None:
    global _function
    _function = function
    threading.Thread(target=_exit_with, args=(parent,), name="claimgraph-parent-watch",
                     daemon=True).start()


def _exit_with(parent: int) -> None:
    """Exit this worker as soon as the process ``parent`` (the ingest) is gone.

    A pool worker waits on a queue whose writing end it holds itself, so it would wait
    forever for a parent killed with ``kill -9``, and keep the fork server (which exits
    when its last worker does) alive too. Linux tells of a process's end through a pidfd;
    elsewhere the parent is polled.
    """
    try:
        descriptor = os.pidfd_open(parent)
    except (AttributeError, OSError):  # not Linux 5.3+, or the parent is already gone
        descriptor = None
    if descriptor is not None:
        select.select([descriptor], [], [])
    elif os.name == "nt":
        return  # os.kill(pid, 0) would send Ctrl-C there; Windows has no fork server
    else:
        while _alive(parent):
            time.sleep(_POLL_SECONDS)
    os._exit(EXIT_ORPHANED)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _call_held(batch: list[Any]) -> list[Any]:
    assert _function is not None, "the worker was started without its function"
    return _function(batch)


@contextmanager
def _dask_backend(function: Callable[[list[Item]], list[Result]], scheduler: bool | str,
                  workers: int) -> Iterator[tuple[Submit, Callable[..., Any]]]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as error:
        raise ClaimgraphError("Dask is not installed: pip install 'claimgraph[dask]'") from error
    if isinstance(scheduler, str):
        cluster = None
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        # Sent once to every worker, not once per batch (a spaCy pipeline is megabytes).
        held = client.scatter(function, broadcast=True)
        yield ((lambda batch: client.submit(_call, held, batch, pure=False)),
               lambda task, *arguments: client.submit(task, *arguments, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _call(function: Callable[[list[Any]], list[Any]], batch: list[Any]) -> list[Any]:
    return function(batch)


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Yield lists of ``size`` items (the last one shorter), reading ``items`` lazily."""
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
