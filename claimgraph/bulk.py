"""The bulk path: extraction into N-Quads shards, bulk loading, then the store-wide steps.

An ingest writes each article into the store as it comes, merging its entities with the
stored ones: one writer, whose per-article cost grows with the store. The bulk path
splits that in three:

1. :func:`write_shards` extracts articles (in worker processes or on a Dask cluster) and
   each worker appends the quads of its articles to a shard of its own,
   ``DIR/part-HOST-PID.nq``: each article's graph as the RDF writer builds it, plus the
   descriptions of its entities (in the entities graph) and its run (in the runs graph),
   not yet merged with any other article's;
2. a triple store's bulk loader loads the shards (``oxigraph load``, which parses files
   in parallel; Virtuoso's ``ld_dir`` + ``rdf_loader_run``, see
   :func:`claimgraph.graph.virtuoso.bulk_load`);
3. :func:`finish_store` runs the store-wide steps as SPARQL on whichever store holds them
   (embedded or remote): each entity's descriptions become one (:func:`describe_entities`,
   as ingest merges them article by article), then short names are merged across the
   store (:func:`claimgraph.graph.merging.merge_across_store`), then the claims of the
   articles not matched yet are matched (:func:`claimgraph.graph.spread.update_spread`).

The store then holds exactly the quads an ingest of the same articles gives. The bulk
path adds articles: it is for articles the store does not hold yet (an article loaded
again under the same id with another text would mix both versions; ingest replaces it).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from spacy.language import Language
from tqdm import tqdm

from claimgraph.errors import ClaimgraphError, InputError
from claimgraph.graph.merging import MergeSummary, merge_across_store
from claimgraph.graph.rdf import (
    ENTITIES_GRAPH,
    RUNS_GRAPH,
    ArticleRdf,
    Detail,
    article_graph_iri,
    by_subject,
    canonical_entity,
    prepare_copy,
    run_statements,
    text_hash,
)
from claimgraph.graph.spread import SpreadSummary, unmatched_articles, update_spread
from claimgraph.graph.store import BaseStore, shared_graphs_update
from claimgraph.graph.terms import to_oxigraph
from claimgraph.loaders import LoadOptions
from claimgraph.parallel import batches, map_in_order
from claimgraph.pipeline import ArticlePreparer, IngestSummary, _documents, load_pipeline, run_info
from claimgraph.records import Document

#: The file name ending of shards (N-Quads, UTF-8).
SHARD_SUFFIX = ".nq"
#: Changed entity statements per update request of :func:`describe_entities` (a request
#: of a few hundred kilobytes, which every SPARQL server takes).
UPDATE_QUADS = 5_000
_ENTITIES = to_oxigraph(ENTITIES_GRAPH)
_RUNS = to_oxigraph(RUNS_GRAPH)


def article_nquads(article: ArticleRdf) -> bytes:
    """Return an article as N-Quads: its graph as the RDF writer serialised it, its
    entity descriptions in the entities graph and its run in the runs graph."""
    graph = f" <{article.iri}> .\n".encode()
    # N-Triples escape line breaks inside literals: every b" .\n" ends a statement.
    own = article.ntriples.replace(b" .\n", graph)
    shared = [ox.Quad(*triple, _ENTITIES) for triple in article.entities]
    shared += [ox.Quad(*triple, _RUNS) for triple in run_statements(article.run)]
    return own + ox.serialize(shared, None, ox.RdfFormat.N_QUADS)


def shard_path(directory: Path) -> Path:
    """Return the shard this process writes in ``directory`` (one per host and process,
    so that workers on several machines can share a folder)."""
    return directory / f"part-{socket.gethostname()}-{os.getpid()}{SHARD_SUFFIX}"


def append_to_shard(directory: Path, articles: Iterable[ArticleRdf]) -> None:
    """Append the articles' quads to this process's shard, in one write."""
    data = b"".join(article_nquads(article) for article in articles)
    if data:
        with shard_path(directory).open("ab") as shard:
            shard.write(data)


@dataclass(frozen=True, slots=True)
class WrittenArticle:
    """What a worker tells of an article it wrote to its shard."""

    iri: URIRef
    attributions: int


@dataclass(frozen=True, slots=True)
class ShardWriter:
    """Extracts a batch of articles and appends their quads to this process's shard: the
    work :func:`write_shards` hands to each worker (it pickles, the pipeline included)."""

    preparer: ArticlePreparer
    directory: Path

    def __call__(self, documents: list[Document]) -> list[WrittenArticle | InputError]:
        """Return, for each document, what was written, or the error that stopped it."""
        prepared = list(self.preparer.prepare(documents))
        append_to_shard(self.directory,
                        [item for item in prepared if isinstance(item, ArticleRdf)])
        return [item if isinstance(item, InputError)
                else WrittenArticle(item.iri, item.attributions) for item in prepared]


def write_shards(
    sources: Iterable[str | Path | Document],
    directory: str | Path,
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
    detail: Detail = "lean",
) -> IngestSummary:
    """Extract articles into N-Quads shards in ``directory``; return a summary.

    Sources, ``workers``, ``dask``, ``default_date``, ``options``, ``url_lists`` and
    ``detail`` are as for :func:`claimgraph.ingest`; each worker process writes a shard of
    its own (this process writes the copies: articles whose text came earlier in the input
    under another id). An id that comes again is skipped (its first text is kept; with
    another text it is reported). Raises :class:`ClaimgraphError` when ``directory``
    holds shards already: loading old and new ones together would mix two runs.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if old := sorted(directory.glob(f"*{SHARD_SUFFIX}")):
        raise ClaimgraphError(f"{directory}: holds shards already ({old[0].name}, …): "
                              "load them and remove them, or write into another folder")
    nlp = nlp or load_pipeline()
    writer = ShardWriter(ArticlePreparer(nlp, run_info(nlp), batch_size, detail), directory)
    summary = IngestSummary()

    def report(error: InputError) -> None:
        summary.errors.append(error)
        if on_error is not None:
            on_error(error)

    first_with_text: dict[str, URIRef] = {}
    text_of: dict[URIRef, str] = {}

    def readable() -> Iterator[Document]:
        for item in _documents(sources, options, summary.inputs, url_lists):
            if isinstance(item, InputError):
                report(item)
                continue
            if default_date and not item.date:
                item = replace(item, date=default_date)
            iri, digest = article_graph_iri(item.id), text_hash(item.text)
            if iri in text_of:
                if text_of[iri] == digest:
                    summary.unchanged += 1
                else:
                    report(InputError(f"{item.path or item.id}: the id {item.id!r} came "
                                      "earlier with another text; the first is kept"))
                continue
            text_of[iri] = digest
            original = first_with_text.setdefault(digest, iri)
            if original != iri:
                try:
                    append_to_shard(directory, [prepare_copy(item, original, writer.preparer.run)])
                except InputError as error:
                    report(error)
                    continue
                summary.copies += 1
                continue
            yield item

    if workers > 1 or dask:
        written = map_in_order(writer, readable(), workers=workers, dask=dask,
                               batch_size=min(batch_size, 8))
    else:
        written = (result for batch in batches(readable(), batch_size)
                   for result in writer(batch))
    with tqdm(desc="extract", unit=" articles", disable=not progress) as bar:
        for result in written:
            if isinstance(result, InputError):
                report(result)
                continue
            summary.added += 1
            summary.attributions += result.attributions
            bar.update()
    return summary


@dataclass(frozen=True, slots=True)
class FinishSummary:
    """What :func:`finish_store` did: entities whose descriptions were merged, and the
    store-wide merge of short names."""

    entities: int
    merge: MergeSummary
    spread: SpreadSummary

    def __str__(self) -> str:
        return (f"{self.entities} entities described from their articles; "
                f"{self.merge.merged} short names merged, {self.merge.apart} left apart, "
                f"{self.merge.relinked} claim links changed; repeated claims: {self.spread}")


def finish_store(store: BaseStore) -> FinishSummary:
    """Run the store-wide steps after a bulk load, as SPARQL on ``store``: describe each
    entity once from all the descriptions its articles gave (:func:`describe_entities`),
    merge short names across the store, then match the claims of the articles not yet
    matched against the others (:func:`~claimgraph.graph.spread.update_spread`, as ingest
    does after each batch). Running it again changes nothing."""
    entities = describe_entities(store)
    merge = merge_across_store(store, None)
    return FinishSummary(entities, merge, update_spread(store, unmatched_articles(store)))


def describe_entities(store: BaseStore) -> int:
    """Replace every entity's descriptions in the entities graph by the one description
    :func:`~claimgraph.graph.rdf.canonical_entity` makes of them all (one preferred label,
    type, kind and key); return the number of entities changed.

    It is what ingest does article by article, at once: the result does not depend on
    the order the descriptions came in. Each update request holds whole entities (their
    removed and added statements together), so an interrupted run leaves each entity
    either as it was or done, and running it again finishes the rest.
    """
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}")
    triples = [(row["s"], row["p"], row["o"]) for row in rows
               if isinstance(row["s"], ox.NamedNode)]
    changed = 0
    limit = min(UPDATE_QUADS, store.update_quads or UPDATE_QUADS)
    added: list[ox.Quad] = []
    removed: list[ox.Quad] = []
    for entity, statements in sorted(by_subject(triples).items(), key=lambda item: item[0].value):
        after = set(canonical_entity(entity, statements))
        before = set(statements)
        if after == before:
            continue
        changed += 1
        added += [ox.Quad(*triple, _ENTITIES) for triple in after - before]
        removed += [ox.Quad(*triple, _ENTITIES) for triple in before - after]
        if len(added) + len(removed) >= limit:
            store.update(shared_graphs_update(added, removed))
            added, removed = [], []
    if added or removed:
        store.update(shared_graphs_update(added, removed))
    return changed
