"""Peak memory while ingesting every PolNeAR train and dev article (924) into a new store.

    python benchmarks/ingest_memory.py [--workers 1]

Runs ``claimgraph ingest ../shared/polnear/train/text ../shared/polnear/dev/text`` in a
child process and prints its time, throughput and peak resident memory (the parent's; with
``--workers`` the workers' peaks are reported by the operating system separately).
Goal: <= 1.5 GB (ingest streams: nothing is kept per article once it is stored).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import POLNEAR_TEXTS, measure_command, polnear_documents

from claimgraph.graph.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    articles = len(polnear_documents())
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "polnear.store"
        elapsed, peak = measure_command(
            "claimgraph.cli", "ingest", *map(str, POLNEAR_TEXTS), "--store", str(store),
            "--quiet", "--workers", str(args.workers))
        with Store.open(store) as opened:
            stored, quads = opened.article_count(), len(opened)
    print(f"{stored} of {articles} articles ingested, {quads:,} quads, in {elapsed:.0f} s "
          f"({stored / elapsed:.1f} articles/s, --workers {args.workers})")
    print(f"peak memory of the ingest process: {peak:,.0f} MiB  (goal <= 1536 MiB)")


if __name__ == "__main__":
    main()
