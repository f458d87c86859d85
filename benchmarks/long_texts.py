"""Cost per character of ingesting one long text, from 10 thousand to 2 million characters.

    python benchmarks/long_texts.py [--sizes 10000 100000 500000 1000000 2000000]

Each text is PolNeAR articles (train, then dev) joined by blank lines and cut to the size,
ingested as ONE article (reading aside: pieces, extraction, resolution, RDF, store) into a
new store. Printed side by side: CPU seconds (of this process: on a shared machine, less
disturbed by other jobs than the wall-clock time, also printed), CPU µs per character,
the ratio of that to the smallest size's (goal: flat, about 1), the attributions found and
this process's peak memory so far. For contrast, the same texts up to 160,000 characters
parsed as one spaCy doc (what ingest did before pieces), whose cost per character grows
with the length. Run it with OPENBLAS_NUM_THREADS=1: BLAS threads waiting for work count
as CPU time too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import peak_memory_mib, polnear_documents

from claimgraph import Document, ingest, load_pipeline
from claimgraph.extract.pieces import PIECE_CHARACTERS
from claimgraph.graph.store import Store

WHOLE_DOC_SIZES = (10_000, 40_000, 160_000)


def corpus_text(length: int) -> str:
    """Return PolNeAR's texts joined by blank lines, repeated if needed, cut to ``length``."""
    text = "\n\n".join(document.text.strip() for document in polnear_documents())
    return (text * (length // len(text) + 1))[:length]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[10_000, 100_000, 500_000, 1_000_000, 2_000_000])
    parser.add_argument("--no-whole-doc", action="store_true",
                        help="skip the contrast with one spaCy doc per text")
    args = parser.parse_args()
    nlp = load_pipeline()
    text = corpus_text(max(args.sizes))
    with Store.open() as warm_up:  # loads what the components load lazily (gazetteers)
        ingest([Document(id="warm-up", text=text[:5_000])], warm_up, nlp)
    print(f"pieces of at most {PIECE_CHARACTERS:,} characters; spaCy max_length "
          f"{nlp.max_length:,}")
    print(f"{'characters':>12} {'CPU s':>8} {'wall s':>8} {'µs/char':>8} {'ratio':>6} "
          f"{'attributions':>12} {'peak MiB':>9}")
    base = None
    with tempfile.TemporaryDirectory() as folder:
        for number, size in enumerate(sorted(args.sizes)):
            with Store.open(Path(folder) / f"long-{number}.store") as store:
                start, start_cpu = time.perf_counter(), time.process_time()
                summary = ingest([Document(id=f"long-{size}", text=text[:size])], store, nlp)
                elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            if summary.skipped:
                raise SystemExit(f"{size:,} characters: {summary.errors[0]}")
            per_character = cpu / size * 1e6
            base = base or per_character
            print(f"{size:>12,} {cpu:>8.1f} {elapsed:>8.1f} {per_character:>8.1f} "
                  f"{per_character / base:>6.2f} {summary.attributions:>12,} "
                  f"{peak_memory_mib():>9,.0f}", flush=True)
    if args.no_whole_doc:
        return
    print("\none spaCy doc per text (no pieces), for contrast:")
    print(f"{'characters':>12} {'CPU s':>8} {'wall s':>8} {'µs/char':>8} {'ratio':>6}")
    base = None
    for size in WHOLE_DOC_SIZES:
        start, start_cpu = time.perf_counter(), time.process_time()
        nlp(text[:size])
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        per_character = cpu / size * 1e6
        base = base or per_character
        print(f"{size:>12,} {cpu:>8.1f} {elapsed:>8.1f} {per_character:>8.1f} "
              f"{per_character / base:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
