"""What the benchmark scripts share: the PolNeAR texts, cached extractions, timers and
peak-memory measurement of a child process.

The corpus is read from ../shared/polnear (never copied into the repository); extractions
are cached outside the repository (``--cache``, default a folder in the system's temp dir).
"""

from __future__ import annotations

import argparse
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from claimgraph import Document, extract, iter_documents, load_pipeline
from claimgraph.graph.rdf import Detail, RunInfo, entity_iris, prepare_article
from claimgraph.graph.spread import update_spread
from claimgraph.graph.store import BaseStore
from claimgraph.loaders import load_brat_corpus
from claimgraph.pipeline import run_info
from claimgraph.records import Attribution

REPOSITORY = Path(__file__).resolve().parents[1]
POLNEAR = REPOSITORY.parent / "shared" / "polnear"
#: The folders of PolNeAR's train and dev texts (840 + 84 articles).
POLNEAR_TEXTS = [POLNEAR / "train" / "text", POLNEAR / "dev" / "text"]
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "claimgraph-benchmarks"

Extracted = list[tuple[Document, list[Attribution]]]


def polnear_documents(limit: int | None = None) -> list[Document]:
    """Return the PolNeAR train and dev articles (the first ``limit`` of them), ids = file names."""
    if not POLNEAR.is_dir():
        sys.exit(f"the PolNeAR corpus is not at {POLNEAR}")
    documents = [item for item in iter_documents(POLNEAR_TEXTS) if isinstance(item, Document)]
    return documents[:limit]


def extracted_corpus(cache: Path = DEFAULT_CACHE, workers: int = 2) -> tuple[Extracted, RunInfo]:
    """Return every PolNeAR train and dev article with its extracted attributions.

    Extraction runs once (in ``workers`` processes) and is cached as a pickle in ``cache``.
    """
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "polnear-extracted.pickle"
    if (cached := _cached(path)) is not None:
        return cached
    nlp = load_pipeline()
    print(f"extracting {len(polnear_documents())} PolNeAR articles once (cached in {path}) …",
          file=sys.stderr)
    result = (list(_extract_in_parallel(nlp, polnear_documents(), workers)), run_info(nlp))
    with path.open("wb") as file:
        pickle.dump(result, file)
    return result


def extracted_dev(cache: Path = DEFAULT_CACHE, workers: int = 2) -> tuple[Extracted, RunInfo]:
    """Return the 84 PolNeAR dev articles (with the metadata the brat loader reads: title,
    date, publisher) and their extracted attributions.

    Extraction runs once (in ``workers`` processes) and is cached as a pickle in ``cache``.
    """
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "polnear-dev-extracted.pickle"
    if (cached := _cached(path)) is not None:
        return cached
    if not POLNEAR.is_dir():
        sys.exit(f"the PolNeAR corpus is not at {POLNEAR}")
    nlp = load_pipeline()
    documents = [document for document, _ in load_brat_corpus(POLNEAR / "dev",
                                                               on_error=lambda error: None)]
    print(f"extracting the {len(documents)} PolNeAR dev articles once (cached in {path}) …",
          file=sys.stderr)
    result = (list(_extract_in_parallel(nlp, documents, workers)), run_info(nlp))
    with path.open("wb") as file:
        pickle.dump(result, file)
    return result


def _cached(path: Path) -> tuple[Extracted, RunInfo] | None:
    """Return the extraction pickled at ``path``; None when there is none, or when another
    version of claimgraph wrote it (extract again)."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except (AttributeError, ImportError, pickle.UnpicklingError):
        return None


def _extract_in_parallel(nlp, documents: list[Document], workers: int) -> Extracted:
    from claimgraph.parallel import map_in_order

    return list(map_in_order(_Extractor(nlp), documents, workers=workers))


class _Extractor:
    """Picklable: extracts a batch of documents in a worker process."""

    def __init__(self, nlp) -> None:
        self.nlp = nlp

    def __call__(self, documents: list[Document]) -> Extracted:
        return list(extract(documents, self.nlp))


def store_batch(store: BaseStore, extracted: Extracted, run: RunInfo, *,
                detail: Detail = "lean", cpu: bool = False, match_claims: bool = False,
                index_in_store: bool | None = None) -> tuple[float, float]:
    """Store already extracted articles as one ``ingest`` batch does: each article's RDF
    built and written, then the store-wide merge step once (and, with ``match_claims``,
    the claim matching; ``index_in_store`` keeps its index in the store, as a SPARQL server
    does, rather than in the store's file). Returns the seconds of the writing (building
    included) and of the store-wide steps: wall-clock time, or with ``cpu`` the process's
    CPU time (RocksDB's threads included), which a busy machine bends less."""
    clock = time.process_time if cpu else time.perf_counter
    touched: set[str] = set()
    articles: list[str] = []
    start = clock()
    for document, attributions in extracted:
        article = prepare_article(document, attributions, run, detail)
        store.put_article(article)
        touched.update(iri.value for iri in entity_iris(article.entities))
        articles.append(str(article.iri))
    written = clock()
    store.merge_across_store(touched, articles)
    if match_claims:
        update_spread(store, articles, index_in_store=index_in_store)
    return written - start, clock() - written


def seconds(function: Callable[[], object]) -> float:
    """Return how long one call of ``function`` takes, in seconds."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_ms(function: Callable[[], object], repeat: int) -> float:
    """Return the median time of ``repeat`` calls of ``function``, in milliseconds."""
    return statistics.median(seconds(function) for _ in range(repeat)) * 1000


_MEASURE = """
import resource, runpy, sys, time
sys.argv = sys.argv[1:]
start = time.perf_counter()
code = 0
try:
    runpy.run_module(sys.argv[0], run_name="__main__")
except SystemExit as stop:
    code = stop.code or 0
elapsed = time.perf_counter() - start
try:  # Linux: the high-water mark of this process's own memory
    status = open("/proc/self/status").read()
    peak_kib = int(status.split("VmHWM:")[1].split()[0])
except (OSError, IndexError):  # ru_maxrss counts the parent's memory at fork on Linux
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"MEASURED {elapsed} {peak_kib} {code}", file=sys.stderr)
"""


def measure_command(module: str, *arguments: str) -> tuple[float, float]:
    """Run ``python -m module arguments`` in a child process; return (seconds, peak MiB).

    The peak is the child's maximum resident set size (VmHWM), interpreter included.
    Exits when the command fails.
    """
    result = subprocess.run([sys.executable, "-c", _MEASURE, module, *arguments],
                            stderr=subprocess.PIPE, text=True)
    line = next((line for line in result.stderr.splitlines() if line.startswith("MEASURED")),
                None)
    if line is None or line.split()[3] not in ("0", "1"):
        sys.exit(f"{module} {' '.join(arguments)} failed:\n{result.stderr[-2000:]}")
    _, elapsed, peak_kib, _code = line.split()
    return float(elapsed), int(peak_kib) / 1024


def peak_memory_mib() -> float:
    """Return this process's peak resident set size so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def gold_split_arguments(description: str, default: Path) -> argparse.Namespace:
    """Parse the arguments of a script scoring a brat split: ``[GOLD_DIR] [--model NAME]``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("gold_dir", nargs="?", type=Path, default=default,
                        help=f"brat corpus folder (default: {default})")
    parser.add_argument("--model", help="spaCy pipeline (default: claimgraph's default)")
    return parser.parse_args()


def parsed_gold_split(nlp: Language, gold_dir: Path
                      ) -> tuple[list[tuple[Document, list[Attribution]]], list[Doc]]:
    """Return a brat split's ``(document, gold attributions)`` pairs and their Docs, parsed
    by ``nlp`` with claimgraph's own components left out."""
    corpus = list(load_brat_corpus(gold_dir, on_error=lambda error: None))
    parsers = [name for name in nlp.pipe_names if not name.startswith("claim_")]
    with nlp.select_pipes(enable=parsers):
        parsed = list(nlp.pipe(document.text for document, _ in corpus))
    return corpus, parsed
