"""What store-wide entity merging costs: ingest throughput beside a baseline, and the merge
step alone on a store of all PolNeAR train and dev articles (about 1.4 M quads).

    python benchmarks/merge_cost.py [--articles 100] [--baseline DIR] [--skip-big]

1. **Ingest, side by side**: the same articles ingested into fresh stores, in interleaved
   rounds (best of each kept), by this tree and, with ``--baseline DIR``, by another
   claimgraph source tree (say ``git archive`` of the commit before merging, unpacked into
   DIR). Each run is a child process that loads the pipeline, then times ``ingest`` only.
   Without a baseline, this tree runs with the merge step switched off instead. Goal:
   this tree / baseline >= 0.95 (throughput within 5 %).
2. **The merge step on a big store**: every train and dev article (extractions cached as
   benchmarks/_common.py does) stored without merging, then ``merge_across_store()`` over
   the whole store, and the step as ingest runs it after a batch of 16 articles. Goal:
   seconds, not minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import POLNEAR_TEXTS, REPOSITORY, extracted_corpus, seconds

#: The packages of a source tree and where each goes under ``claimgraph`` (pyproject's
#: package-dir mapping).
_PACKAGE_DIRS = {"graph": "graph", "loaders": "loaders", "extract": "extract",
                 "resolve": "resolve", "ontology": "ontology"}


def ingest_once(articles: int, store_path: Path, merge: bool) -> float:
    """Ingest the first ``articles`` PolNeAR articles into a new store; return seconds
    taken by ``ingest`` (the pipeline is loaded and warmed up first)."""
    from claimgraph import ingest, iter_documents, load_pipeline
    from claimgraph.graph.store import BaseStore

    if not merge:
        BaseStore.merge_across_store = lambda self, touched=None, articles=None: None  # type: ignore
    paths = sorted(path for folder in POLNEAR_TEXTS for path in folder.glob("*.txt"))
    paths = paths[:articles]
    nlp = load_pipeline()
    list(nlp.pipe(["A warm-up sentence, the minister said."] * 8))
    assert all(not isinstance(item, Exception) for item in iter_documents(paths[:1]))
    from claimgraph import open_store

    with open_store(store_path) as store:
        start = time.perf_counter()
        summary = ingest(paths, store, nlp)
        taken = time.perf_counter() - start
    assert summary.added == len(paths), summary
    return taken


def package_view(tree: Path, folder: Path) -> Path:
    """Return a folder in which ``import claimgraph`` gives the source tree ``tree``
    (symbolic links laid out as pyproject's package-dir mapping does)."""
    package = folder / "claimgraph"
    package.mkdir(parents=True)
    for entry in (tree / "claimgraph").iterdir():
        (package / entry.name).symlink_to(entry)
    for name, directory in _PACKAGE_DIRS.items():
        (package / name).symlink_to(tree / directory)
    return folder


def child(tree: Path | None, articles: int, store: Path, merge: bool) -> float:
    """Run :func:`ingest_once` in a child process, importing claimgraph from ``tree``'s
    package view (None: the installed one); return its seconds."""
    environment = dict(os.environ)
    if tree is not None:
        environment["PYTHONPATH"] = str(tree)
    command = [sys.executable, __file__, "--child", str(articles), str(store),
               "merge" if merge else "no-merge"]
    output = subprocess.run(command, env=environment, check=True, capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout
    return json.loads(output.strip().splitlines()[-1])["seconds"]


def big_store(folder: Path) -> None:
    """Store every train and dev article without merging; time the merge step."""
    from claimgraph import open_store
    from claimgraph.graph.rdf import entity_iris, prepare_article

    extracted, run = extracted_corpus()
    touched: list[list[str]] = []
    with open_store(folder / "big.store") as store:
        start = time.perf_counter()
        for document, attributions in extracted:
            prepared = prepare_article(document, attributions, run)
            store.put_article(prepared)
            touched.append([iri.value for iri in entity_iris(prepared.entities)])
        print(f"stored {len(extracted)} articles, {len(store):,} quads in "
              f"{time.perf_counter() - start:.1f} s (no merging)")
        summary = None

        def whole() -> None:
            nonlocal summary
            summary = store.merge_across_store()

        print(f"merge step over the whole store (first run): {seconds(whole):.2f} s; {summary}")
        print(f"merge step over the whole store (again, nothing to change): "
              f"{seconds(whole):.2f} s")
        batch = sorted({iri for article in touched[-16:] for iri in article})
        taken = seconds(lambda: store.merge_across_store(batch))
        print(f"merge step after a batch of 16 articles ({len(batch)} entities): "
              f"{taken:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="another claimgraph source tree")
    parser.add_argument("--skip-big", action="store_true", help="skip the 1.4 M-quad store")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        this = package_view(REPOSITORY, base / "this")
        baseline = package_view(args.baseline.resolve(), base / "baseline") \
            if args.baseline else None
        ours = theirs = float("inf")
        for round_ in range(args.repeat):
            ours = min(ours, child(this, args.articles, base / f"this-{round_}", True))
            theirs = min(theirs, child(baseline or this, args.articles,
                                       base / f"base-{round_}", baseline is not None))
        what = f"baseline {args.baseline}" if baseline else "this tree without the merge step"
        print(f"ingest {args.articles} articles: this tree {ours:.1f} s, {what} {theirs:.1f} s")
        print(f"throughput this / baseline = {theirs / ours:.3f} (goal >= 0.95)")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        if not args.skip_big:
            big_store(base)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        articles, store, merge = int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "merge"
        print(json.dumps({"seconds": ingest_once(articles, store, merge)}))
    else:
        main()
