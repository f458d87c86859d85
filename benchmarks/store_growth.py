"""Cost per article as a store grows: write time, merge step, disk, memory, query latency.

    nice python benchmarks/store_growth.py [--articles 20000] [--step 1000] [--detail lean]

The 84 PolNeAR dev articles are extracted once (cached); then they are stored again and
again, each round under new ids (``ID#copyN``, the text with a line ``[copy N]`` added at
its end, so that each round is new articles with new text hashes), one round an ``ingest``
batch (``put_article`` for each article, then the store-wide merge step), so that spaCy's
time does not hide the store's. After each ``--step`` articles it prints one row:

- write: ms per article to build and write its RDF, over the step: CPU time of the process
  (RocksDB's threads included; a shared machine bends wall-clock time) and wall-clock (a
  batch's wall-clock time split between writing and merging as its CPU time is);
- merge: the store-wide merge step's ms per article, CPU time and wall-clock;
- disk: the store directory's bytes (RocksDB's data files and logs) per article;
- memory: the process's resident and peak memory;
- queries (at the ``--query-at`` sizes): each README query's latency, with its rows (the
  median of ``--repeat`` runs where one run takes under a second).

Copies repeat their claims, so every query's answer grows with the store: latency per
1,000 rows is printed beside. Copied claim texts and labels are stored once by Oxigraph
(strings are interned), so disk per article is a little below that of as many distinct
articles.

Goal: write time per article and query latency (per row) at 20,000 articles within 1.3x
of those at 1,000.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _common import DEFAULT_CACHE, extracted_dev, median_ms, store_batch
from graph_size import dev_labels, on_dev, readme_queries, rows_of

from claimgraph.graph.rdf import DETAILS
from claimgraph.graph.store import Store


def renamed(extracted, copy: int):
    """Return the extracted articles as new articles: new ids, a line added to each text."""
    return [(replace(document, id=f"{document.id}#copy{copy}",
                     text=f"{document.text}\n[copy {copy}]"), attributions)
            for document, attributions in extracted]


def directory_bytes(path: Path) -> int:
    """Return the bytes of every file in ``path``."""
    return sum(file.stat().st_size for file in path.iterdir() if file.is_file())


def memory_mib() -> tuple[float, float]:
    """Return this process's resident and peak resident memory, in MiB (Linux)."""
    status = Path("/proc/self/status").read_text()
    def field(name: str) -> float:
        return int(status.split(f"{name}:")[1].split()[0]) / 1024
    return field("VmRSS"), field("VmHWM")


def timed_query(store: Store, query: str, repeat: int) -> str:
    """Return a query's latency in ms, its rows and the ms per 1,000 rows, as a cell."""
    start = time.perf_counter()
    rows = len(rows_of(store, query))
    ms = (time.perf_counter() - start) * 1000
    if ms < 1000:
        ms = median_ms(lambda: rows_of(store, query), repeat)
    return f"{ms:.0f} ({rows:,}; {ms / max(rows, 1) * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--step", type=int, default=1_000)
    parser.add_argument("--detail", choices=DETAILS, default=DETAILS[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--query-at", default="1000,2000,5000,10000,15000,20000",
                        help="store sizes (articles) at which the queries are timed")
    parser.add_argument("--store", type=Path, help="store folder (default: a new temp one)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    extracted, run = extracted_dev(args.cache)
    path = args.store or Path(tempfile.mkdtemp(prefix="claimgraph-growth-")) / "store"
    queries = readme_queries()
    print(f"{args.detail} graph, {len(extracted)} articles a batch, into {path}; "
          f"queries: {', '.join(queries)}", flush=True)
    print("| articles | quads | write CPU (wall) ms/article | merge CPU (wall) ms/article "
          "| disk KB/article "
          "| RSS / peak MiB | " + " | ".join(f"{name} ms (rows; ms per 1k rows)"
                                             for name in queries) + " |", flush=True)
    copy = 0
    stored = 0
    write = merge = write_cpu = merge_cpu = 0.0
    in_step = 0
    next_step = args.step
    labels: dict[str, str] | None = None
    query_at = sorted(int(size) for size in args.query_at.split(","))
    try:
        with Store.open(path) as store:
            while stored < args.articles:
                batch = renamed(extracted, copy)
                start_cpu, start = time.process_time(), time.perf_counter()
                written_cpu, merged_cpu = store_batch(store, batch, run, detail=args.detail,
                                                      cpu=True)
                elapsed = time.perf_counter() - start
                # wall-clock time split as the CPU time is
                written = elapsed * written_cpu / max(time.process_time() - start_cpu, 1e-9)
                merged = elapsed - written
                write_cpu += written_cpu
                merge_cpu += merged_cpu
                copy += 1
                stored += len(batch)
                in_step += len(batch)
                write += written
                merge += merged
                if stored < next_step:
                    continue
                cells = []
                if query_at and stored >= query_at[0]:
                    while query_at and stored >= query_at[0]:
                        query_at.pop(0)
                    labels = labels or dev_labels(store)
                    for query in queries.values():
                        cells.append(timed_query(store, on_dev(query, labels), args.repeat))
                resident, peak = memory_mib()
                print(f"| {stored:,} | {len(store):,} | {write_cpu / in_step * 1000:.1f} "
                      f"({write / in_step * 1000:.0f}) | {merge_cpu / in_step * 1000:.1f} "
                      f"({merge / in_step * 1000:.0f}) "
                      f"| {directory_bytes(path) / stored / 1000:.0f} "
                      f"| {resident:.0f} / {peak:.0f} | " + " | ".join(cells) + " |",
                      flush=True)
                write = merge = write_cpu = merge_cpu = 0.0
                in_step = 0
                next_step += args.step
    finally:
        if args.store is None:
            shutil.rmtree(path.parent, ignore_errors=True)
    print(f"done at {time.strftime('%H:%M:%S')}", file=sys.stderr)


if __name__ == "__main__":
    main()
