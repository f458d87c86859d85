"""Read WARC files in worker tasks, so that a folder of archive shards spreads over workers.

With ``--workers N`` or Dask, ingest hands each WARC file to tasks on its workers: a task
opens the file, reads its records with :func:`~claimgraph.loaders.warc.warc_documents`
(warcio, then trafilatura's main text: the costly part of reading) and returns the
articles, the per-record errors (they name the file and record) and the counts of skipped
records. This process takes them file by file, in the order a one-process ingest reads the
files, so the store and the summary come out the same. The store's checks (already stored,
a copy of a stored text) stay here, with the store's one writer; the articles go on to the
workers' spaCy in batches, so one file also uses every worker.

Memory stays bounded, whatever the size of a shard: a task reads a slice of at most
:data:`SLICE_ITEMS` articles and says where the next record starts. A file's next slice is
asked for when its previous one is taken (reading runs one slice ahead of ingest), and the
first slices of at most ``ahead`` files wait ahead of their turn. So at most
``ahead + 2`` slices are held at once, never a whole shard.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from claimgraph.errors import InputError
from claimgraph.loaders.tally import InputTally
from claimgraph.loaders.warc import WarcPosition, WarcSlice, read_warc_slice
from claimgraph.records import Document

#: The most articles (and per-record errors) one task reads and returns: a few MB of text,
#: and a few seconds of trafilatura, so that tasks stay short and results small.
SLICE_ITEMS = 64


class _Future(Protocol):
    def result(self) -> WarcSlice: ...

    def cancel(self) -> object: ...


class ShardReader:
    """Reads WARC files with tasks started by ``call(read_warc_slice, path, start, limit,
    where)`` (:meth:`claimgraph.parallel.WorkerPool.call`), up to ``ahead`` files ahead."""

    def __init__(self, call: Callable[..., Any], *, ahead: int,
                 slice_items: int | None = None) -> None:
        self._call = call
        self._ahead = ahead
        self._limit = slice_items or SLICE_ITEMS
        self._expected: deque[Path] = deque()  # to be read, not yet started
        self._started: dict[Path, deque[_Future]] = {}  # first slices, ahead of their turn

    def expect(self, paths: Iterable[Path]) -> None:
        """Say which WARC files will be read, in order: their first slices start ahead."""
        self._expected.extend(paths)
        self._start_ahead()

    def documents(self, path: Path, tally: InputTally) -> Iterator[Document | InputError]:
        """Yield the articles and errors of the WARC file ``path``, as
        :func:`~claimgraph.loaders.warc.warc_documents` does, counting skipped records on
        ``tally``; its slices are read by the workers."""
        future: _Future | None = self._take(path)
        self._start_ahead()  # another file's first slice in the place of this one
        try:
            while future is not None:
                part = future.result()
                future = self._slice(path, part.next) if part.next is not None else None
                tally.add(part.tally)
                yield from part.items
        finally:
            if future is not None:  # the reader stopped early
                future.cancel()
            self._start_ahead()

    def close(self) -> None:
        """Cancel the slices started ahead and not taken."""
        for futures in self._started.values():
            for future in futures:
                future.cancel()
        self._started.clear()
        self._expected.clear()

    def _take(self, path: Path) -> _Future:
        """Return the first slice of ``path``: the one started ahead, else a new one."""
        started = self._started.get(path)
        if started:
            future = started.popleft()
            if not started:
                del self._started[path]
            return future
        if path in self._expected:
            self._expected.remove(path)
        return self._slice(path, WarcPosition())

    def _start_ahead(self) -> None:
        waiting = sum(map(len, self._started.values()))
        while self._expected and waiting < self._ahead:
            path = self._expected.popleft()
            self._started.setdefault(path, deque()).append(self._slice(path, WarcPosition()))
            waiting += 1

    def _slice(self, path: Path, start: WarcPosition) -> _Future:
        # The worker opens the file by its absolute path (a worker's folder may differ);
        # messages name it as it was given.
        return self._call(read_warc_slice, path.absolute(), start, self._limit, str(path))
