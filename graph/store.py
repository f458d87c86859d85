"""claimgraph's RDF stores: what every store does (:class:`BaseStore`) and the embedded
one, a pyoxigraph (RocksDB) database in a directory (:class:`Store`).

Each article is one named graph, replaced whole when the article's text changes; the
entities and runs graphs are merged across articles, and each article records what it says
of its entities, so that replacing or removing it (:meth:`BaseStore.remove_article`) takes
away what only it said. Queries see the union of all graphs as their default graph. One
process at a time can open a store directory for writing: RocksDB locks it, and
:class:`Store` reports that as a :class:`StoreError`; any number can open it read-only
(``Store.open(path, read_only=True)``) alongside, or on read-only media. A shared SPARQL server is
:class:`claimgraph.graph.remote.RemoteStore`, which has the same methods.

    with Store.open("claims.db") as store:
        store.add_article(document, attributions, RunInfo("core_web_sm", "3.8.0"))
        rows = store.select("SELECT ?text WHERE { ?claim schema:text ?text }")
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Literal, Self

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import RDF, SDO

from claimgraph.errors import StoreError
from claimgraph.graph.claim_index import without_index
from claimgraph.graph.merging import MergeSummary, merge_across_store
from claimgraph.graph.rdf import (
    ENTITIES_GRAPH,
    PREFIXES,
    RUNS_GRAPH,
    ArticleRdf,
    Detail,
    EntityMerge,
    RunInfo,
    article_graph_iri,
    by_subject,
    canonical_entity,
    entity_iris,
    merge_entities,
    parse_entity_statements,
    prepare_article,
    run_statements,
    text_hash,
)
from claimgraph.graph.results import QueryResults
from claimgraph.graph.serialize import export_format, statement_sort_key, write_quads
from claimgraph.graph.terms import OxTriple, RdflibTerm, to_oxigraph, to_rdflib
from claimgraph.ontology import CG
from claimgraph.records import Attribution, Document

#: What :meth:`BaseStore.add_article` did with an article.
AddOutcome = Literal["added", "replaced", "unchanged"]
# The shared graphs' names as pyoxigraph terms, the terms articles are written in.
_ENTITIES_GRAPH = to_oxigraph(ENTITIES_GRAPH)
_RUNS_GRAPH = to_oxigraph(RUNS_GRAPH)

# A file RocksDB keeps in every database directory: a directory with other files but
# without it is not a store, and opening it would litter it with database files.
_ROCKSDB_MARKER = "CURRENT"
# Quads written between two flushes of RocksDB's write buffers to disk (about a hundred
# articles): unflushed, the buffers grow by hundreds of megabytes over a long ingest.
_FLUSH_EVERY_QUADS = 100_000


class BaseStore(ABC):
    """What every claimgraph store does, written once over a few primitives.

    A subclass answers SPARQL queries (:meth:`query`), lists and reads named graphs, and
    writes an article; adding, merging entities, SELECT rows, exports and rdflib datasets
    are built on those here. Use a store as a context manager, or call :meth:`close`.
    """

    #: The most quads one update may write (None: any number, in one transaction); a
    #: server that refuses large updates (Virtuoso) gets the store-wide steps in parts.
    update_quads: int | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None:
        """Finish writing and release the store. Closing twice is harmless."""

    # ------------------------------------------------------------ primitives

    @abstractmethod
    def query(self, sparql: str) -> QueryResults:
        """Run a SPARQL query over the union of all graphs; return pyoxigraph's results.

        The claimgraph prefixes (``cg:``, ``schema:``, ``prov:``, ``nif:``, ``skos:``, ...)
        are predeclared. Raises :class:`StoreError` for an invalid query.
        """

    @abstractmethod
    def __len__(self) -> int:
        """Return the number of quads in the store."""

    @abstractmethod
    def _graph_names(self) -> list[ox.NamedNode]:
        """Return the names of the store's named graphs."""

    @abstractmethod
    def _graph_quads(self, graph_name: ox.NamedNode | ox.DefaultGraph) -> Iterable[ox.Quad]:
        """Return the quads of one graph."""

    @abstractmethod
    def _write_article(self, article: ArticleRdf, shared: list[ox.Quad],
                       removed: list[ox.Quad], replace: bool) -> None:
        """Write an article's graph, add ``shared`` (entities, run) to the shared graphs and
        remove ``removed`` from them (entity values that lost their place), the shared
        graphs in one transaction.

        ``replace`` says the article's graph exists and must be emptied first.
        """

    # ------------------------------------------------------------ writing

    def has_article(self, document: Document) -> bool:
        """Return whether this document, with this very text, is stored already."""
        article = article_graph_iri(document.id)
        hash_literal = to_oxigraph(RdfLiteral(text_hash(document.text)))
        return bool(self.query(f"ASK {{ GRAPH <{article}> {{ <{article}> cg:textHash "
                               f"{hash_literal} }} }}"))

    def article_with_text(self, document: Document) -> URIRef | None:
        """Return the stored article (not a copy) whose text is this document's, or None."""
        hash_literal = to_oxigraph(RdfLiteral(text_hash(document.text)))
        for solution in self.query(f"SELECT ?article WHERE {{ GRAPH ?article {{ ?article "
                                   f"cg:textHash {hash_literal} ; a nif:Context }} }} LIMIT 1"):
            return URIRef(solution["article"].value)
        return None

    def add_article(self, document: Document, attributions: list[Attribution],
                    run: RunInfo, *, force: bool = False, detail: Detail = "lean") -> AddOutcome:
        """Store an article and its attributions; return "added", "replaced" or "unchanged".

        An article stored before with the same id and text is left as it is ("unchanged")
        unless ``force`` is set; otherwise its named graph is replaced as a whole, and its
        entities and run are merged into the shared graphs (see :func:`merge_entities`).
        ``detail`` is the RDF's (see :func:`~claimgraph.graph.rdf.prepare_article`).
        """
        if not force and self.has_article(document):
            return "unchanged"
        return self.put_article(prepare_article(document, attributions, run, detail))

    def put_article(self, article: ArticleRdf) -> Literal["added", "replaced"]:
        """Store an article built by :func:`~claimgraph.graph.rdf.prepare_article`.

        Its graph replaces any graph of the same name; its entities are merged with the
        stored ones (see :func:`merge_entities`: a stored preferred label, type or key may
        give way to the new one, whatever order articles come in) and its run added.
        What only the replaced version said of an entity (a label, a kind, the entity
        itself) goes, in the same transaction: each such entity is described again from
        the articles that still mention it (see :meth:`remove_article`).
        Returns "replaced" when the article's graph existed, else "added".
        """
        existed = self._has_graph(article.iri)
        new = by_subject(article.entities)
        lost = self._lost_support(article.iri, new) if existed else set()
        stored = self._stored_entities(entity_iris(article.entities))
        merge = merge_entities([triple for triple in article.entities if triple[0] not in lost],
                               stored)
        added, removed = list(merge.added), list(merge.removed)
        if lost:
            rebuilt = self._entities_without(article.iri, lost, new)
            added += rebuilt.added
            removed += rebuilt.removed
        shared = [ox.Quad(s, p, o, _ENTITIES_GRAPH) for s, p, o in added]
        shared += [ox.Quad(s, p, o, _RUNS_GRAPH) for s, p, o in run_statements(article.run)]
        removed_quads = [ox.Quad(s, p, o, _ENTITIES_GRAPH) for s, p, o in removed]
        self._write_article(article, shared, removed_quads, replace=existed)
        return "replaced" if existed else "added"

    def remove_article(self, document_id: str) -> bool:
        """Remove the article ``document_id`` (its graph) and what only it said of entities.

        Each entity it mentions is described again from the other articles that mention
        it; one no other article mentions is removed whole; its claims leave the claim
        clusters (:func:`claimgraph.graph.spread.spread_changes`). All in one transaction.
        Returns whether the article was stored.
        """
        iri = article_graph_iri(document_id)
        if not self._has_graph(iri):
            return False
        lost = {entity for entity, _ in self._article_entity_statements(iri)}
        lost.update(self._mentioned_entities(iri))
        rebuilt = self._entities_without(iri, lost, {})
        removed = [ox.Quad(s, p, o, _ENTITIES_GRAPH) for s, p, o in rebuilt.removed]
        added = [ox.Quad(s, p, o, _ENTITIES_GRAPH) for s, p, o in rebuilt.added]
        # Its claims leave the claim clusters, which are decided again without them.
        from claimgraph.graph.spread import spread_changes  # spread builds on this module

        changes = spread_changes(self, [str(iri)], removing=True)
        try:
            self.update(f"DROP SILENT GRAPH <{iri}>"
                        + (" ;\n" + shared_graphs_update(added, removed)
                           if added or removed else "")
                        + (" ;\n" + changes.sparql if changes.sparql else ""))
            changes.commit()  # the matching index's own edit, where it has one
        finally:
            changes.close()
        return True

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update in one transaction; the claimgraph prefixes are declared."""

    def _lost_support(self, article: URIRef,
                      new: dict[ox.NamedNode, list[OxTriple]]) -> set[ox.NamedNode]:
        """Return the entities the stored version of ``article`` said something of that the
        new version (``new``: its statements by entity) does not say."""
        lost: set[ox.NamedNode] = set(self._mentioned_entities(article)) - set(new)
        for entity, triple in self._article_entity_statements(article):
            if entity not in new or triple not in new[entity]:
                lost.add(entity)
        return lost

    def _entities_without(self, article: URIRef, entities: set[ox.NamedNode],
                          new: dict[ox.NamedNode, list[OxTriple]]) -> EntityMerge:
        """Return the changes that describe ``entities`` from what the stored articles other
        than ``article`` say of them plus ``new``; an entity no one describes goes."""
        said = self._entity_statements_elsewhere(article, entities)
        stored = by_subject(self._stored_entities(sorted(entities, key=str)))
        added: list[OxTriple] = []
        removed: list[OxTriple] = []
        for entity in sorted(entities, key=str):
            statements = said.get(entity, []) + new.get(entity, [])
            after = canonical_entity(entity, statements) if statements else []
            before = stored.get(entity, [])
            added += [triple for triple in after if triple not in set(before)]
            removed += [triple for triple in before if triple not in set(after)]
        return EntityMerge(tuple(added), tuple(removed))

    def _mentioned_entities(self, article: URIRef) -> list[ox.NamedNode]:
        """Return the entities the stored article's claims refer to."""
        rows = self.query(f"SELECT DISTINCT ?entity WHERE {{ GRAPH <{article}> {{ "
                          f"{{ <{article}> schema:mentions ?entity }} UNION "
                          f"{{ ?span cg:refersTo ?entity }} }} }}")
        return [row["entity"] for row in rows if isinstance(row["entity"], ox.NamedNode)]

    def _article_entity_statements(self, article: URIRef
                                   ) -> list[tuple[ox.NamedNode, OxTriple]]:
        """Return what the stored article says of its entities, as (entity, triple)."""
        rows = self.query(f"SELECT ?statements WHERE {{ GRAPH <{article}> {{ "
                          f"<{article}> cg:entityStatements ?statements }} }}")
        return [(triple[0], triple) for row in rows
                for triple in parse_entity_statements(row["statements"].value)]

    def _entity_statements_elsewhere(self, article: URIRef, entities: set[ox.NamedNode]
                                     ) -> dict[ox.NamedNode, list[OxTriple]]:
        """Return what the stored articles other than ``article`` say of ``entities``."""
        if not entities:
            return {}
        values = " ".join(map(str, entities))
        rows = self.query(f"SELECT DISTINCT ?other ?statements WHERE {{ VALUES ?entity "
                          f"{{ {values} }} GRAPH ?other {{ ?other schema:mentions ?entity ; "
                          f"cg:entityStatements ?statements }} FILTER(?other != <{article}>) }}")
        said: dict[ox.NamedNode, list[OxTriple]] = {}
        for row in rows:
            for triple in parse_entity_statements(row["statements"].value):
                if triple[0] in entities:
                    said.setdefault(triple[0], []).append(triple)
        return said

    def _has_graph(self, graph_name: URIRef) -> bool:
        """Return whether the store has a non-empty graph of this name."""
        return bool(self.query(f"ASK {{ GRAPH <{graph_name}> {{ ?s ?p ?o }} }}"))

    def _stored_entities(self, entities: list[ox.NamedNode]) -> list[OxTriple]:
        """Return what the entities graph says about ``entities`` (one query for all)."""
        if not entities:
            return []
        iris = " ".join(map(str, entities))
        results = self.query(f"CONSTRUCT {{ ?entity ?p ?o }} WHERE {{ GRAPH <{ENTITIES_GRAPH}> "
                             f"{{ VALUES ?entity {{ {iris} }} ?entity ?p ?o }} }}")
        return [(triple.subject, triple.predicate, triple.object) for triple in results]

    # ------------------------------------------------------------ store-wide merging

    def merge_across_store(self, touched: Iterable[str] | None = None,
                           articles: Iterable[str] | None = None) -> MergeSummary:
        """Merge each short name's entity ("Obama", "IMF") into the one fuller entity of
        the store it stands for, and relink the claims (see :mod:`claimgraph.graph.merging`).

        :func:`claimgraph.ingest` calls it after each batch with the IRIs of the entities
        the batch's articles refer to (``touched``) and the articles' IRIs (``articles``);
        None checks every short name.
        """
        return merge_across_store(self, touched, articles)

    # ------------------------------------------------------------ reading

    def select(self, sparql: str) -> list[dict[str, RdflibTerm | None]]:
        """Run a SELECT query; return one dict per solution, variable name -> rdflib term.

        Every variable of the query is a key; an unbound one maps to None.
        """
        results = self.query(sparql)
        if not isinstance(results, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        names = [variable.value for variable in results.variables]
        return [{name: _optional_rdflib(solution[name]) for name in names}
                for solution in results]

    def construct(self, sparql: str) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query; return the triples as an rdflib graph."""
        results = self.query(sparql)
        if not isinstance(results, ox.QueryTriples):
            raise StoreError("construct() needs a CONSTRUCT or DESCRIBE query")
        graph = Graph()
        _bind_prefixes(graph)
        for triple in results:
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate),
                       to_rdflib(triple.object)))
        return graph

    def graph_names(self) -> set[str]:
        """Return the IRIs of the store's named graphs (on a server that keeps graphs of
        its own, such as Virtuoso, claimgraph's graphs only)."""
        return {name.value for name in self._graph_names()}

    def article_count(self) -> int:
        """Return the number of articles stored."""
        # An article is described in the graph named after it.
        (row,) = self.select("SELECT (COUNT(DISTINCT ?article) AS ?n) WHERE { "
                             "GRAPH ?article { ?article a schema:NewsArticle } }")
        return int(row["n"].toPython()) if row["n"] is not None else 0

    def dataset(self) -> Dataset:
        """Return everything stored as an rdflib dataset (one graph per named graph),
        querying as the union of its graphs."""
        dataset = Dataset(default_union=True)
        _bind_prefixes(dataset)
        for quad in self._sorted_quads():
            graph = dataset.graph(to_rdflib(quad.graph_name))
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate),
                       to_rdflib(quad.object)))
        return dataset

    def export(self, destination: str | Path | BinaryIO, format: str | None = None) -> None:
        """Write the store to a file or binary stream as ttl, trig, nq, nt or jsonld.

        ``format`` defaults to the one the destination's extension names. trig, nq and
        jsonld keep the named graphs; ttl and nt hold their union. The claim matching index,
        which a store rebuilds, is left out (:func:`claimgraph.graph.claim_index.without_index`).
        """
        write_quads(without_index(self, self._sorted_quads()), destination,
                    export_format(format, destination))

    def _sorted_quads(self) -> Iterator[ox.Quad]:
        """Yield every quad graph by graph, each graph sorted by subject, predicate, object.

        Sorted output groups each subject's statements in Turtle and TriG and makes two
        exports of the same data identical; sorting one graph at a time bounds memory.
        """
        graph_names = sorted(self._graph_names(), key=lambda name: name.value)
        for graph_name in [ox.DefaultGraph(), *graph_names]:
            yield from sorted(self._graph_quads(graph_name), key=statement_sort_key)


class Store(BaseStore):
    """An RDF store on disk (or in memory when ``path`` is None) holding claimgraph data.

    Use it as a context manager, or call :meth:`close` so that another process (the next
    CLI command) can open the directory.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False,
                 create: bool = True) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._store: ox.Store | None = _open_oxigraph(self.path, read_only=read_only,
                                                      create=create)
        self._unflushed_quads = 0

    @classmethod
    def open(cls, path: str | Path | None = None, *, read_only: bool = False,
             create: bool = True) -> Self:
        """Open the store in directory ``path``; None keeps it in memory.

        ``read_only`` opens an existing store for reading only: any number of readers can
        do so while one writer (an ingest) works on it, and on read-only media; a reader
        sees the store as it was when opened. Writes then raise :class:`StoreError`.
        Without ``create`` (implied by ``read_only``), a path that holds no store is a
        :class:`StoreError`, never a new empty store.
        """
        return cls(path, read_only=read_only, create=create)

    def close(self) -> None:
        """Write everything to disk and release the directory. Closing twice is harmless."""
        if self._store is not None and self.read_only:
            self._store = None
        elif self._store is not None:
            try:
                self._store.flush()
            except OSError as error:
                raise StoreError(f"cannot write the store {self._where()}: {error}") from error
            finally:
                self._store = None  # dropping the last reference closes RocksDB

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._store is None

    def has_article(self, document: Document) -> bool:
        """Return whether this document, with this very text, is stored already."""
        article = to_oxigraph(article_graph_iri(document.id))
        stored = self._oxigraph().quads_for_pattern(article, to_oxigraph(CG.textHash), None,
                                                     article)
        return any(quad.object.value == text_hash(document.text) for quad in stored)

    # Direct lookups instead of the generic SPARQL: ingest does these for every article.

    def _has_graph(self, graph_name: URIRef) -> bool:
        return self._oxigraph().contains_named_graph(to_oxigraph(graph_name))

    def _write_article(self, article: ArticleRdf, shared: list[ox.Quad],
                       removed: list[ox.Quad], replace: bool) -> None:
        store = self._writable()
        try:
            if replace:
                store.update(_replace_graph_update(article, shared, removed))
            else:
                # A new article: loading its N-Triples is atomic too, and much faster than
                # parsing an update. The shared graphs go first: the article's graph, which
                # has_article reads, is written only once they are. A change to a stored
                # entity (rare) is one update, a transaction, so that no reader sees the
                # entity with two preferred labels or none.
                if removed:
                    store.update(shared_graphs_update(shared, removed))
                else:
                    store.extend(shared)
                # lenient: the N-Triples were written by pyoxigraph from terms it checked
                # when they were made; checking every IRI again costs a tenth of the load.
                store.load(article.ntriples, ox.RdfFormat.N_TRIPLES,
                           to_graph=to_oxigraph(article.iri), lenient=True)
        except OSError as error:
            raise StoreError(f"cannot write to the store {self._where()}: {error}") from error
        self._unflushed_quads += article.ntriples.count(b"\n")
        if self._unflushed_quads >= _FLUSH_EVERY_QUADS and self.path is not None:
            self._unflushed_quads = 0
            try:
                store.flush()
            except OSError as error:
                raise StoreError(f"cannot write the store {self._where()}: {error}") from error

    def query(self, sparql: str) -> QueryResults:
        """Run a SPARQL query over the union of all graphs; return pyoxigraph's results.

        The claimgraph prefixes (``cg:``, ``schema:``, ``prov:``, ``nif:``, ``skos:``, ...)
        are predeclared. SELECT results are consumed lazily: use them before closing.
        Raises :class:`StoreError` for an invalid query.
        """
        try:
            return self._oxigraph().query(sparql, prefixes=PREFIXES,
                                          use_default_graph_as_union=True)
        except SyntaxError as error:
            raise StoreError(f"invalid SPARQL query: {error}") from error
        except OSError as error:
            raise StoreError(f"cannot read the store {self._where()}: {error}") from error

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update (in one transaction); the claimgraph prefixes are declared.

        Raises :class:`StoreError` for an invalid update.
        """
        try:
            self._writable().update(sparql, prefixes=PREFIXES)
        except SyntaxError as error:
            raise StoreError(f"invalid SPARQL update: {error}") from error
        except OSError as error:
            raise StoreError(f"cannot write to the store {self._where()}: {error}") from error

    def __len__(self) -> int:
        """Return the number of quads in the store."""
        return len(self._oxigraph())

    def article_count(self) -> int:
        """Return the number of articles stored."""
        # An article is described in the graph named after it.
        typed = self._oxigraph().quads_for_pattern(None, to_oxigraph(RDF.type),
                                                   to_oxigraph(SDO.NewsArticle), None)
        return sum(1 for quad in typed if quad.subject == quad.graph_name)

    def oxigraph(self) -> ox.Store:
        """Return the open pyoxigraph store underneath (for the SPARQL server and benchmarks)."""
        return self._oxigraph()

    def _graph_names(self) -> list[ox.NamedNode]:
        return [name for name in self._oxigraph().named_graphs()
                if isinstance(name, ox.NamedNode)]

    def _graph_quads(self, graph_name: ox.NamedNode | ox.DefaultGraph) -> Iterable[ox.Quad]:
        try:
            return list(self._oxigraph().quads_for_pattern(None, None, None, graph_name))
        except OSError as error:
            raise StoreError(f"cannot read the store {self._where()}: {error}") from error

    def _oxigraph(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"the store {self._where()} is closed")
        return self._store

    def _writable(self) -> ox.Store:
        if self.read_only:
            raise StoreError(f"the store {self._where()} is open read-only")
        return self._oxigraph()

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "(in memory)"


def is_store(path: str | Path) -> bool:
    """Return whether ``path`` is a store's directory (RocksDB's files are in it)."""
    return (Path(path) / _ROCKSDB_MARKER).is_file()


def _open_oxigraph(path: Path | None, *, read_only: bool = False,
                   create: bool = True) -> ox.Store:
    """Open pyoxigraph's store in ``path``, turning failures into clear StoreErrors."""
    if path is None:
        if read_only:
            raise StoreError("a store in memory cannot be opened read-only")
        return ox.Store()
    if path.exists() and not path.is_dir():
        raise StoreError(f"cannot open the store {path}: it is a file, not a directory")
    if (read_only or not create) and not is_store(path):
        reason = "no such directory" if not path.exists() else "not a claimgraph store"
        raise StoreError(f"cannot open the store {path}: {reason} (ingest creates a store)")
    if path.is_dir() and any(path.iterdir()) and not (path / _ROCKSDB_MARKER).exists():
        raise StoreError(f"cannot open the store {path}: the directory holds other files "
                         "and is not a claimgraph store")
    try:
        # A read-only instance takes no lock: it reads alongside the writer.
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except (OSError, RuntimeError) as error:
        if "read-only file system" in str(error).lower():
            raise StoreError(f"cannot write to the store {path}: it is on read-only media "
                             "(query, export and check can read it)") from error
        if "lock" in str(error).lower():
            raise StoreError(f"the store {path} is in use by another claimgraph command "
                             "(its directory is locked); wait for it to finish") from error
        raise StoreError(f"cannot open the store {path}: {error}") from error


def _replace_graph_update(article: ArticleRdf, shared: list[ox.Quad],
                          removed: list[ox.Quad]) -> str:
    """Return a SPARQL update that empties an article's graph, fills it again, removes
    ``removed`` from the shared graphs and adds ``shared`` to them.

    One update is one transaction in pyoxigraph: a reader never sees the article half
    replaced, and a failure leaves the store as it was.
    """
    delete = f"{delete_data(quad_lines(removed))} ;\n" if removed else ""
    return (f"DROP SILENT GRAPH <{article.iri}> ;\n{delete}"
            f"INSERT DATA {{ GRAPH <{article.iri}> {{\n{article.ntriples.decode()}}}\n"
            f"{insert_data_body(shared)} }}")


def shared_graphs_update(added: list[ox.Quad], removed: list[ox.Quad]) -> str:
    """Return one SPARQL update (one transaction) that deletes ``removed`` quads, then
    inserts ``added`` ones."""
    operations = []
    if removed:
        operations.append(delete_data(quad_lines(removed)))
    if added:
        operations.append(f"INSERT DATA {{\n{insert_data_body(added)}\n}}")
    return " ;\n".join(operations)


def insert_data_body(quads: Iterable[ox.Quad]) -> str:
    """Return quads as the body of a SPARQL ``INSERT DATA { ... }`` (or ``DELETE DATA``),
    one a line."""
    return "\n".join(quad_lines(quads))


def quad_lines(quads: Iterable[ox.Quad]) -> list[str]:
    """Return each quad as one line of an ``INSERT DATA`` or ``DELETE DATA`` body."""
    return [f"GRAPH {quad.graph_name} {{ {quad.subject} {quad.predicate} {quad.object} }}"
            for quad in quads]


#: A body line whose object is a language-tagged literal ("Peña Nieto"@en).
_LANGUAGE_TAGGED = re.compile(r'"@[A-Za-z]+(?:-[A-Za-z0-9]+)* \}$')


def delete_data(lines: Iterable[str]) -> str:
    """Return the SPARQL update operations (``;``-separated) that delete the quads of
    ``lines`` (see :func:`quad_lines`).

    Virtuoso 7 deletes nothing of a language-tagged literal with a non-ASCII character
    ("Peña Nieto"@en) when one ``DELETE DATA`` holds other quads too (it does delete it
    alone, whatever follows in the request): each such quad gets an operation of its
    own, the others share one."""
    together: list[str] = []
    alone: list[str] = []
    for line in lines:
        (together if line.isascii() or not _LANGUAGE_TAGGED.search(line) else alone).append(line)
    operations = [f"DELETE DATA {{\n{line}\n}}" for line in alone]
    if together or not operations:
        operations.insert(0, "DELETE DATA {\n" + "\n".join(together) + "\n}")
    return " ;\n".join(operations)


def _optional_rdflib(term: object | None) -> RdflibTerm | None:
    return None if term is None else to_rdflib(term)


def _bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
