"""SPARQL queries in worker processes that can be stopped: the endpoint's query pool.

pyoxigraph cannot cancel a query once it runs, and a thread cannot be killed, so a runaway
query on a thread keeps a CPU and its memory until it ends by itself. Here each query runs
in a worker process over the store opened read-only; a query past its timeout is stopped by
killing its worker, which a fresh one replaces. Killing frees the CPU and memory at once.

A worker sees the store as it was when the worker opened it (RocksDB's read-only mode reads
a snapshot). :class:`QueryPool` reopens workers when the store's files change, so the view
follows an ingest or an update within one query.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

# Forked from a small server process that has imported only pyoxigraph: a new worker starts
# in milliseconds, and never inherits the endpoint's threads or event loop.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["pyoxigraph", "claimgraph.graph.workers"])


@dataclass(frozen=True, slots=True)
class QueryJob:
    """One query for a worker: what to run, over which graphs, and how to write the results.

    ``result_formats`` and ``graph_formats`` are media types, best first (already negotiated
    with the client's Accept header and ``format`` parameter); ``None`` in ``default_graphs``
    stands for the store's default graph. No ``default_graphs`` means the union of all graphs.
    """

    query: str
    result_formats: tuple[str, ...]
    graph_formats: tuple[str, ...]
    default_graphs: tuple[str | None, ...] = ()
    named_graphs: tuple[str, ...] = ()
    version: object = None


@dataclass(frozen=True, slots=True)
class QueryAnswer:
    """What a worker sends back: a media type and the serialized results, or an error."""

    media_type: str = ""
    body: bytes = b""
    error: str | None = None
    error_kind: str | None = None  # "syntax" (the client's fault), "format" or "store"


class QueryTimeout(Exception):
    """The query ran past its timeout; its worker was stopped."""


def store_version(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Return a fingerprint of a store's files: it changes whenever RocksDB writes.

    Every write appends to a log file or adds a table file, so names, sizes and times
    together tell whether a reader's snapshot is stale.
    """
    try:
        entries = list(os.scandir(path))
    except OSError:
        return ()
    version = []
    for entry in entries:
        try:
            status = entry.stat()
        except OSError:  # removed by a compaction while we looked
            continue
        version.append((entry.name, status.st_size, status.st_mtime_ns))
    return tuple(sorted(version))


def run_query(store: ox.Store, job: QueryJob, prefixes: Mapping[str, str]) -> QueryAnswer:
    """Run ``job`` on ``store`` and serialize the results in the first format that fits."""
    options: dict[str, object] = {"prefixes": dict(prefixes)}
    if job.default_graphs:
        options["default_graph"] = [ox.DefaultGraph() if name is None else ox.NamedNode(name)
                                    for name in job.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(name) for name in job.named_graphs]
    try:
        results = store.query(job.query, **options)
        if isinstance(results, ox.QueryTriples):
            rdf_format = _first(job.graph_formats, ox.RdfFormat.from_media_type)
            if rdf_format is None:
                return _unacceptable(job.graph_formats, "graph")
            body = ox.serialize(results, None, rdf_format, prefixes=dict(prefixes))
            return QueryAnswer(rdf_format.media_type, body)
        results_format = _first(job.result_formats, ox.QueryResultsFormat.from_media_type)
        if results_format is None:
            return _unacceptable(job.result_formats, "results")
        return QueryAnswer(results_format.media_type, results.serialize(None, results_format))
    except SyntaxError as error:
        return QueryAnswer(error=f"invalid SPARQL query: {error}", error_kind="syntax")
    except (OSError, ValueError, TypeError) as error:
        return QueryAnswer(error=f"cannot answer the query: {error}", error_kind="store")


def _first(media_types: tuple[str, ...], parse):
    for media_type in media_types:
        chosen = parse(media_type)
        if chosen is not None:
            return chosen
    return None


def _unacceptable(media_types: tuple[str, ...], kind: str) -> QueryAnswer:
    return QueryAnswer(error=f"no {kind} format in {', '.join(media_types) or '(none)'}",
                       error_kind="format")


def _worker_main(connection: Connection, path: str, prefixes: dict[str, str]) -> None:
    """A worker's loop: open the store read-only, answer jobs until the pipe closes."""
    store = ox.Store.read_only(path)
    version = None
    while True:
        try:
            job: QueryJob = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return  # the endpoint is gone: so is this worker
        if job.version != version:
            store, version = ox.Store.read_only(path), job.version
        connection.send(run_query(store, job, prefixes))


@dataclass(slots=True)
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    busy_since: float | None = field(default=None)


class QueryPool:
    """``size`` worker processes over the store in ``path``; :meth:`run` answers a job.

    Use from one asyncio event loop. :meth:`close` stops the workers.
    """

    def __init__(self, path: Path, prefixes: Mapping[str, str], *, size: int = 2) -> None:
        self.path = Path(path)
        self.prefixes = dict(prefixes)
        self.size = size
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: list[_Worker] = []
        self.stopped_queries = 0

    async def start(self) -> None:
        """Start the workers (call once, from the event loop)."""
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._idle.put_nowait(self._spawn())

    def _spawn(self) -> _Worker:
        ours, theirs = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=_worker_main, args=(theirs, str(self.path),
                                                              self.prefixes),
                                   name="claimgraph-query", daemon=True)
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()
        self._workers.remove(worker)

    async def run(self, job: QueryJob, timeout: float) -> QueryAnswer:
        """Run ``job`` in an idle worker; raise :class:`QueryTimeout` after ``timeout`` s.

        The wait for an idle worker counts towards the timeout, so a client is never held
        longer than it while runaway queries are being stopped.
        """
        assert self._idle is not None, "call start() first"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise QueryTimeout from None
        received: asyncio.Future[QueryAnswer] = loop.create_future()

        def on_readable() -> None:
            loop.remove_reader(worker.connection.fileno())
            try:
                received.set_result(worker.connection.recv())
            except (EOFError, OSError) as error:
                received.set_exception(error)

        try:
            worker.connection.send(job)
            loop.add_reader(worker.connection.fileno(), on_readable)
            answer = await asyncio.wait_for(received, max(deadline - loop.time(), 0.001))
        except (TimeoutError, EOFError, OSError, asyncio.CancelledError) as error:
            # Stopped, dead or abandoned mid-query: the worker's state is unknown. Replace it.
            if not received.done():
                loop.remove_reader(worker.connection.fileno())
            self._retire(worker)
            self._idle.put_nowait(self._spawn())
            if isinstance(error, TimeoutError):
                self.stopped_queries += 1
                raise QueryTimeout from None
            if isinstance(error, asyncio.CancelledError):
                raise
            return QueryAnswer(error=f"the query worker failed: {error}", error_kind="store")
        self._idle.put_nowait(worker)
        return answer

    def close(self) -> None:
        """Stop every worker."""
        for worker in list(self._workers):
            self._retire(worker)

    def pids(self) -> list[int]:
        """Return the process ids of the workers (for tests and monitoring)."""
        return [worker.process.pid for worker in self._workers if worker.process.pid]
