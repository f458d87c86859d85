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
import os
import pickle
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

# A worker is this file run as a script: it imports only pyoxigraph, not claimgraph (whose
# package imports spaCy), so it starts in tens of milliseconds and in about 20 MB. Jobs and
# answers cross the pipes as tuples of builtins, which the script can unpickle on its own.


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


def _as_tuple(record: QueryJob | QueryAnswer) -> tuple:
    """Return a job's or answer's fields as a tuple (flat: faster than ``dataclasses.astuple``)."""
    return tuple(getattr(record, name) for name in record.__slots__)


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
    except (OSError, RuntimeError, ValueError, TypeError) as error:
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


def _worker_main(jobs: Connection, answers: Connection, path: str,
                 prefixes: dict[str, str]) -> None:
    """A worker's loop: open the store read-only, answer jobs until the pipe closes."""
    try:
        store = ox.Store.read_only(path)
    except (OSError, RuntimeError) as error:
        greeting = QueryAnswer(error=f"cannot open the store {path}: {error}",
                               error_kind="store")
        store = None
    else:
        greeting = QueryAnswer(media_type="ready")
    try:
        answers.send(_as_tuple(greeting))
    except OSError:  # a replacement started as the endpoint stopped: nobody to greet
        return
    if store is None:
        return
    version = None
    while True:
        try:
            job = QueryJob(*jobs.recv())
        except (EOFError, OSError, KeyboardInterrupt):
            return  # the endpoint is gone: so is this worker
        if job.version != version:
            store, version = _reopen(path, store), job.version
        try:
            answers.send(_as_tuple(run_query(store, job, prefixes)))
        except OSError:  # the endpoint closed the pipe while we answered: it is gone
            return


def _reopen(path: str, current: ox.Store) -> ox.Store:
    """Open the store's newest state read-only; keep ``current`` if that keeps failing.

    While another process writes, a compaction can remove a table file between the moment
    RocksDB lists it and the moment it opens it: trying again a moment later succeeds.
    """
    for attempt in range(5):
        try:
            return ox.Store.read_only(path)
        except (OSError, RuntimeError):
            time.sleep(0.02 * (attempt + 1))
    return current


class _AnswerReader(asyncio.Protocol):
    """Reads a worker's answers on the event loop, as :class:`Connection` frames them.

    Each frame is a 4-byte big-endian length (-1, then 8 bytes, for a large one) and a
    pickle. Reading on the loop itself spares a thread switch per query.
    """

    def __init__(self) -> None:
        self.answers: asyncio.Queue[QueryAnswer | BaseException] = asyncio.Queue()
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= 4:
            (size,) = struct.unpack_from("!i", self._buffer)
            start = 4
            if size == -1:
                if len(self._buffer) < 12:
                    return
                (size,) = struct.unpack_from("!Q", self._buffer, 4)
                start = 12
            if len(self._buffer) < start + size:
                return
            payload = bytes(self._buffer[start:start + size])
            del self._buffer[:start + size]
            self.answers.put_nowait(QueryAnswer(*pickle.loads(payload)))

    def eof_received(self) -> None:
        self.answers.put_nowait(EOFError("the query worker stopped"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.answers.put_nowait(exc or EOFError("the query worker stopped"))

    async def next(self) -> QueryAnswer:
        answer = await self.answers.get()
        if isinstance(answer, BaseException):
            raise answer
        return answer


@dataclass(slots=True)
class _Worker:
    process: subprocess.Popen
    jobs: Connection
    reader: _AnswerReader
    transport: asyncio.ReadTransport
    ready: bool = False  # its "ready" answer (the store opened) has been read


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
        self._replacing: set[asyncio.Task] = set()
        self.stopped_queries = 0

    async def start(self, timeout: float = 60.0) -> None:
        """Start the workers and wait until each has opened the store.

        Raises :class:`OSError` with the worker's message if the store cannot be opened.
        """
        self._idle = asyncio.Queue()
        workers = [await self._spawn() for _ in range(self.size)]
        for worker in workers:
            ready = await asyncio.wait_for(worker.reader.next(), timeout)
            if ready.error is not None:
                self.close()
                raise OSError(ready.error)
            worker.ready = True
            self._idle.put_nowait(worker)

    async def _spawn(self) -> _Worker:
        job_read, job_write = os.pipe()
        answer_read, answer_write = os.pipe()
        process = subprocess.Popen(
            [sys.executable, __file__, str(job_read), str(answer_write), str(self.path),
             pickle.dumps(self.prefixes).hex()], pass_fds=(job_read, answer_write))
        os.close(job_read)
        os.close(answer_write)
        reader = _AnswerReader()
        transport, _ = await asyncio.get_running_loop().connect_read_pipe(
            lambda: reader, os.fdopen(answer_read, "rb", buffering=0))
        worker = _Worker(process, Connection(job_write, readable=False), reader, transport)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait(timeout=5)
        worker.jobs.close()
        worker.transport.close()
        self._workers.remove(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in its place, in the background."""
        self._retire(worker)

        async def replacement() -> None:
            assert self._idle is not None
            self._idle.put_nowait(await self._spawn())

        task = asyncio.get_running_loop().create_task(replacement())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

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
        try:
            if not worker.ready:  # a replacement: wait until it has opened the store
                ready = await asyncio.wait_for(worker.reader.next(),
                                               max(deadline - loop.time(), 0.001))
                if ready.error is not None:
                    raise OSError(ready.error)
                worker.ready = True
            worker.jobs.send(_as_tuple(job))
            answer = await asyncio.wait_for(worker.reader.next(),
                                            max(deadline - loop.time(), 0.001))
        except (TimeoutError, EOFError, OSError, asyncio.CancelledError) as error:
            # Stopped, dead or abandoned mid-query: the worker's state is unknown.
            self._replace(worker)
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
        for task in list(self._replacing):
            task.cancel()
        for worker in list(self._workers):
            self._retire(worker)

    def pids(self) -> list[int]:
        """Return the process ids of the workers (for tests and monitoring)."""
        return [worker.process.pid for worker in self._workers]


if __name__ == "__main__":
    # Ctrl-C in a terminal reaches the whole process group: the endpoint stops its workers
    # itself, and a worker whose endpoint is gone sees its pipe close.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_main(Connection(int(sys.argv[1]), writable=False),
                 Connection(int(sys.argv[2]), readable=False), sys.argv[3],
                 pickle.loads(bytes.fromhex(sys.argv[4])))
