"""A claimgraph store on a SPARQL server: SPARQL 1.1 Protocol, Update and Graph Store Protocol.

A team shares one graph by ingesting into a server (Oxigraph server, ``claimgraph serve
--allow-update``, Fuseki, Virtuoso, GraphDB) instead of a folder. :class:`RemoteStore`
has the methods of the embedded :class:`~claimgraph.graph.store.Store`, so the rest of
claimgraph does not care which one it has:

    with RemoteStore("http://127.0.0.1:7878") as store:
        store.add_article(document, attributions, run)   # PUT of the article's graph
        rows = store.select("SELECT ?text WHERE { ?claim schema:text ?text }")

Each article is one named graph, written whole with a Graph Store Protocol ``PUT``;
entities and runs are merged into the shared graphs with one SPARQL update (``DELETE
DATA`` of entity values that give way, ``INSERT DATA`` of the new ones). Queries ask
for the union of all graphs as the default graph with Oxigraph's
``union-default-graph`` parameter; other servers need it set in their configuration
(Fuseki: ``tdb2:unionDefaultGraph``) for queries without ``GRAPH`` to see the articles.

Servers differ where the standards leave room; a :class:`Dialect` says how to talk to
one. The store tells Virtuoso (its ``Server`` header) from the others on its first
request, or is told (``dialect="virtuoso"``). With Virtuoso (see :data:`VIRTUOSO`):

- updates go to the query URL (``/sparql``), the Graph Store to ``/sparql-graph-crud``;
- a query without ``FROM`` already reads every graph, so no union parameter is sent;
- Virtuoso keeps graphs of its own (its schemas, ``…/DAV/``) and has no default graph
  apart from them: counting, listing and exporting see claimgraph's graphs only (IRIs
  under :data:`~claimgraph.ontology.CGD`);
- ``GRAPH ?g { }`` matches no graph name there: graphs are listed from their quads;
- it compiles an update into SQL of at most 10,000 lines: the store-wide steps send
  their changes in updates of at most 500 quads there (:attr:`RemoteStore.update_quads`);
- it answers a CONSTRUCT in the format the ``Accept`` header prefers, SPARQL results
  (bindings of ?s ?p ?o) included: the store asks for N-Triples or for results by the
  query's form (:func:`query_form`);
- it answers some typed literals in another lexical form than was written (``true`` as
  ``1``, a double as written rather than canonical, a double its bulk loader stored with
  six significant digits): they are read back in the canonical form Oxigraph gives (and
  exports read each literal's whole lexical form), so both servers give the same terms;
- it cuts every result at its ``ResultSetMaxRows`` (and its HTTP answers at 1,048,576
  rows), and sorts at most ``MaxSortedTopRows`` (10,000 by default) for a sorted
  ``LIMIT``: a whole graph is read in sorted pages of 10,000 rows
  (:attr:`Dialect.page_rows`), fewer when a cut answer's ``X-SPARQL-MaxRows`` header
  names a lower limit (:meth:`RemoteStore._graph_quads_by_query`).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from http.client import HTTPResponse

import pyoxigraph as ox
from rdflib.namespace import RDF, XSD

from claimgraph.errors import StoreError
from claimgraph.graph.rdf import PREFIXES, ArticleRdf
from claimgraph.graph.results import QueryResults
from claimgraph.graph.store import BaseStore, shared_graphs_update
from claimgraph.ontology import CGD

#: Media types asked for: W3C JSON results for SELECT and ASK, N-Triples for graphs.
_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_RESULTS = "application/sparql-results+json"
# Whitespace, comments, PREFIX and BASE declarations before a query's form keyword.
_PROLOGUE_PATTERN = re.compile(
    r"(?:\s+|#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.IGNORECASE)
_NTRIPLES = "application/n-triples"
# Counts, lists and exports on Virtuoso: claimgraph's graphs only (see Dialect).
_OWN_GRAPHS = f'FILTER(STRSTARTS(STR(?g), "{CGD}"))'
_PLAIN_DATATYPES = frozenset({str(XSD.string), str(RDF.langString)})
_SCRATCH = ox.NamedNode("urn:x-claimgraph:scratch")
# The prologue declaring claimgraph's prefixes, as the embedded store predeclares them.
_PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


@dataclass(frozen=True, slots=True)
class Dialect:
    """How to talk to one kind of SPARQL server (see the module docstring).

    ``update_path`` and ``graph_store_path`` are the update and Graph Store URLs beside
    the query URL (None: the query URL itself); ``union_parameter`` the query parameter
    that makes the default graph the union of all graphs (None: the server does so
    already); ``own_graphs_only`` restricts counts, graph lists and exports to
    claimgraph's graphs; ``canonical_literals`` reads typed literals back in canonical form;
    ``accept_by_form`` asks for N-Triples or for SPARQL results by the query's form;
    ``update_quads`` is the most quads one update request may write (None: no limit);
    ``page_rows`` the most rows one page of a whole graph's read asks for (None: the graph
    is read in one request).
    """

    name: str
    query_path: str = "query"
    update_path: str | None = "update"
    graph_store_path: str = "store"
    union_parameter: str | None = "union-default-graph"
    own_graphs_only: bool = False
    canonical_literals: bool = False
    accept_by_form: bool = False
    update_quads: int | None = None
    page_rows: int | None = None


#: SPARQL 1.1 as Oxigraph server and ``claimgraph serve`` speak it.
STANDARD = Dialect("standard")
#: Virtuoso Open Source 7.
VIRTUOSO = Dialect("virtuoso", query_path="sparql", update_path=None,
                   graph_store_path="sparql-graph-crud", union_parameter=None,
                   own_graphs_only=True, canonical_literals=True, accept_by_form=True,
                   update_quads=500, page_rows=10_000)
DIALECTS = {dialect.name: dialect for dialect in (STANDARD, VIRTUOSO)}


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The URLs of one SPARQL server: query, update and Graph Store Protocol."""

    query: str
    update: str
    graph_store: str

    @classmethod
    def from_url(cls, url: str, *, update: str | None = None,
                 graph_store: str | None = None, dialect: Dialect = STANDARD) -> Endpoints:
        """Return the endpoints of a server given its base or query URL.

        ``http://host:7878`` (Oxigraph's and ``claimgraph serve``'s layout) or its query
        URL ``http://host:7878/query`` give ``/query``, ``/update`` and ``/store``; other
        servers name their update and graph store URLs with ``update`` and ``graph_store``,
        or have a ``dialect`` that knows them (Virtuoso's ``http://host:8890/sparql``
        gives ``/sparql`` for updates and ``/sparql-graph-crud``).
        """
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise StoreError(f"not an http(s) URL of a SPARQL endpoint: {url!r}")
        base = url.rstrip("/")
        query = base
        if base.rsplit("/", 1)[-1] in ("query", "sparql"):
            base = base.rsplit("/", 1)[0]
        else:
            query = f"{base}/{dialect.query_path}"
        default_update = f"{base}/{dialect.update_path}" if dialect.update_path else query
        return cls(query=query, update=update or default_update,
                   graph_store=graph_store or f"{base}/{dialect.graph_store_path}")


class RemoteStore(BaseStore):
    """A claimgraph store on a SPARQL 1.1 server (see the module docstring).

    ``timeout`` (seconds) bounds each HTTP request. ``dialect`` names the kind of server
    (a key of :data:`DIALECTS`); None tells it from the server's first answer. Raises
    :class:`StoreError` when the server cannot be reached or refuses a request, with the
    server's own message.
    """

    def __init__(self, url: str, *, update_url: str | None = None,
                 graph_store_url: str | None = None, timeout: float = 60.0,
                 dialect: str | None = None) -> None:
        Endpoints.from_url(url)  # refuses what is no http(s) URL now, not on first use
        if dialect is not None and dialect not in DIALECTS:
            raise StoreError(f"unknown SPARQL server dialect {dialect!r}: "
                             f"one of {', '.join(DIALECTS)}")
        self.url = url
        self.timeout = timeout
        self._urls = (update_url, graph_store_url)
        self._dialect = DIALECTS[dialect] if dialect is not None else None
        self._endpoints: Endpoints | None = None
        self._closed = False
        # Rows per page of a whole graph's read, lowered to a server's limit once it cuts one.
        self._page_rows: int | None = None

    @property
    def dialect(self) -> Dialect:
        """The server's dialect, told from its ``Server`` header on first use."""
        if self._dialect is None:
            self._dialect = self._detect_dialect()
        return self._dialect

    @property
    def update_quads(self) -> int | None:
        """The most quads one update request may write on this server (None: any)."""
        return self.dialect.update_quads

    @property
    def endpoints(self) -> Endpoints:
        """The server's query, update and Graph Store URLs."""
        if self._endpoints is None:
            update, graph_store = self._urls
            self._endpoints = Endpoints.from_url(self.url, update=update,
                                                 graph_store=graph_store, dialect=self.dialect)
        return self._endpoints

    def _detect_dialect(self) -> Dialect:
        """Ask the server a trivial query; its ``Server`` header (on any answer, an error's
        too) says whether it is Virtuoso."""
        probe = Endpoints.from_url(self.url).query + "?" + urllib.parse.urlencode(
            {"query": "ASK {}"})
        request = urllib.request.Request(probe, headers={"Accept": _ACCEPT})
        try:
            with self._open(request) as response:
                server = response.headers.get("Server", "")
        except urllib.error.HTTPError as error:
            server = error.headers.get("Server", "")
        return VIRTUOSO if server.startswith("Virtuoso") else STANDARD

    def close(self) -> None:
        """Mark the store closed (each request has its own connection)."""
        self._closed = True

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    # ------------------------------------------------------------ reading

    def query(self, sparql: str) -> QueryResults:
        """Run a SPARQL query on the server over the union of all graphs.

        Returns pyoxigraph results, as the embedded store does. The claimgraph prefixes
        are predeclared. Raises :class:`StoreError` for an invalid query.
        """
        return self._query(sparql, union=True)

    def __len__(self) -> int:
        """Return the number of quads on the server (default graph and named graphs; with
        Virtuoso, claimgraph's graphs)."""
        if self.dialect.own_graphs_only:
            sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OWN_GRAPHS} }}"
        else:
            sparql = ("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION "
                      "{ GRAPH ?g { ?s ?p ?o } } }")
        (row,) = self._select_values(sparql, "n", union=False)
        return int(row.value)

    def _graph_names(self) -> list[ox.NamedNode]:
        if self.dialect.own_graphs_only:
            sparql = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OWN_GRAPHS} }}"
        else:
            sparql = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
        names = self._select_values(sparql, "g", union=False)
        return [name for name in names if isinstance(name, ox.NamedNode)]

    def _graph_quads(self, graph_name: ox.NamedNode | ox.DefaultGraph) -> Iterable[ox.Quad]:
        if self.dialect.own_graphs_only and isinstance(graph_name, ox.DefaultGraph):
            return []  # Virtuoso's "default graph" is every graph: claimgraph writes none
        if self.dialect.canonical_literals and isinstance(graph_name, ox.NamedNode):
            return self._graph_quads_by_query(graph_name)
        selector = "default" if isinstance(graph_name, ox.DefaultGraph) else (
            "graph=" + urllib.parse.quote(graph_name.value, safe=""))
        request = urllib.request.Request(f"{self.endpoints.graph_store}?{selector}",
                                         headers={"Accept": _NTRIPLES})
        try:
            body, _media_type = self._send(request)
        except StoreError as error:
            if "HTTP 404" in str(error):  # an empty default graph may not exist at all
                return []
            raise
        return [ox.Quad(triple.subject, triple.predicate, triple.object, graph_name)
                for triple in ox.parse(body, ox.RdfFormat.N_TRIPLES)]

    def _graph_quads_by_query(self, graph_name: ox.NamedNode) -> list[ox.Quad]:
        """Return a graph's quads read with SELECTs of each literal's lexical form, page by
        page (keyset paging: Virtuoso refuses a sorted OFFSET past its row limit).

        Each page asks for the rows of the subjects from ``start`` on, in the string order
        of the subjects, at most a page of them; of a full page the last subject's rows may
        be incomplete: they are left for the next page, which starts at that subject.
        Raises :class:`StoreError` when one subject alone fills a page.
        """
        quads: list[ox.Quad] = []
        start: str | None = None
        while True:
            page, page_rows = self._graph_page(graph_name, start)
            if len(page) < page_rows:
                return quads + [quad for _key, quad in page]
            start = page[-1][0]
            complete = [quad for key, quad in page if key != start]
            if not complete:
                raise StoreError(f"the subject {start} has {page_rows} or more statements in "
                                 f"the graph {graph_name}: more than one page of a read")
            quads += complete

    def _graph_page(self, graph_name: ox.NamedNode, start: str | None
                    ) -> tuple[list[tuple[str, ox.Quad]], int]:
        """Return one page of a graph's quads (subjects from ``start`` on, each quad with
        its subject's string), and the rows the page asked for.

        Virtuoso writes a double it stored as a number with six significant digits
        (0.8032069970845481 as 0.803207) in every serialisation, and ``STR`` gives 16
        (not always enough to read the same double back); its SQL ``sprintf`` with
        ``%.17g`` gives the double exactly. The literals are then put in canonical form.
        A page the server cuts is asked again in pages of the rows it says it allows.
        """
        since = f"FILTER(STR(?s) >= {ox.Literal(start)})" if start is not None else ""
        while True:
            page_rows = self._page_rows or self.dialect.page_rows or 0
            limit = f"ORDER BY ?key LIMIT {page_rows}" if page_rows else ""
            try:
                rows = self._query(f"SELECT ?s ?p ?o (STR(?s) AS ?key) "
                                   f"(IF(DATATYPE(?o) = xsd:double, "
                                   f'bif:sprintf("%.17g", ?o), STR(?o)) AS ?lexical) '
                                   f"WHERE {{ GRAPH {graph_name} {{ ?s ?p ?o }} {since} }} "
                                   f"{limit}", union=False)
                break
            except ResultsCut as cut:
                # a full answer of ResultSetMaxRows rows is cut too: a page one row fewer
                if not page_rows or cut.rows - 1 >= page_rows or cut.rows < 2:
                    raise
                self._page_rows = cut.rows - 1
        page = []
        for row in rows:
            obj = row["o"]
            if isinstance(obj, ox.Literal) and obj.datatype.value not in _PLAIN_DATATYPES:
                value, datatype = _canonical_literal(row["lexical"].value, obj.datatype.value)
                obj = ox.Literal(value, datatype=ox.NamedNode(datatype))
            page.append((row["key"].value, ox.Quad(row["s"], row["p"], obj, graph_name)))
        return page, page_rows or len(page) + 1

    def _query(self, sparql: str, *, union: bool) -> QueryResults:
        dialect = self.dialect
        fields = {"query": _PROLOGUE + sparql}
        if union and dialect.union_parameter:
            fields[dialect.union_parameter] = ""
        accept = _ACCEPT
        if dialect.accept_by_form:
            accept = _NTRIPLES if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else _RESULTS
        request = urllib.request.Request(
            self.endpoints.query, data=urllib.parse.urlencode(fields).encode(),
            headers={"Accept": accept,
                     "Content-Type": "application/x-www-form-urlencoded"})
        body, media_type = self._send(request, what="SPARQL query")
        if dialect.canonical_literals and media_type == "application/sparql-results+json":
            body = _canonical_json_results(body)
        return _parse_results(body, media_type)

    def _select_values(self, sparql: str, variable: str, *, union: bool) -> list[ox.Term]:
        results = self._query(sparql, union=union)
        if not isinstance(results, ox.QuerySolutions):
            raise StoreError(f"the server did not answer a SELECT query with solutions: {sparql}")
        return [solution[variable] for solution in results if solution[variable] is not None]

    # ------------------------------------------------------------ writing

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update on the server; the claimgraph prefixes are declared."""
        request = urllib.request.Request(
            self.endpoints.update, data=(_PROLOGUE + sparql).encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"})
        self._send(request, what="SPARQL update")

    def _write_article(self, article: ArticleRdf, shared: list[ox.Quad],
                       removed: list[ox.Quad], replace: bool) -> None:
        # The shared graphs first: the article's graph, which has_article reads, is
        # written last, so an interrupted write is redone by the next ingest. Deleting
        # the entity values that lost their place and inserting the new ones is one
        # update request, which a SPARQL server runs as one transaction.
        if shared or removed:
            self.update(shared_graphs_update(shared, removed))
        # PUT replaces the graph whole, in one transaction on the server.
        target = urllib.parse.quote(str(article.iri), safe="")
        request = urllib.request.Request(
            f"{self.endpoints.graph_store}?graph={target}", data=article.ntriples,
            method="PUT", headers={"Content-Type": _NTRIPLES})
        self._send(request, what="graph store PUT")

    # ------------------------------------------------------------ HTTP

    def _send(self, request: urllib.request.Request, what: str = "request"
              ) -> tuple[bytes, str]:
        """Send a request; return the body and its media type, or raise a StoreError."""
        try:
            with self._open(request) as response:
                if limit := response.headers.get("X-SPARQL-MaxRows"):
                    # Virtuoso cut the results at its ResultSetMaxRows: never use a part
                    raise ResultsCut(int(limit), f"the SPARQL server {self.url} cut the "
                                     f"results of a {what} at {limit} rows: raise "
                                     "ResultSetMaxRows in its virtuoso.ini")
                return response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace").strip()[:500]
            if error.code == 400 and what.startswith("SPARQL"):
                raise StoreError(f"invalid {what}: {message}") from error
            raise StoreError(f"the SPARQL server {self.url} refused the {what} "
                             f"(HTTP {error.code}): {message}") from error

    def _open(self, request: urllib.request.Request) -> HTTPResponse:
        """Send a request; return the response (an HTTP error status raises HTTPError),
        or raise a StoreError when the store is closed or the server cannot be reached."""
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise StoreError(f"cannot reach the SPARQL server {self.url}: {reason}") from error


class ResultsCut(StoreError):
    """The server cut a query's results at ``rows`` rows (Virtuoso's ResultSetMaxRows)."""

    def __init__(self, rows: int, message: str) -> None:
        super().__init__(message)
        self.rows = rows


def query_form(sparql: str) -> str:
    """Return the form of a SPARQL query, upper case: SELECT, ASK, CONSTRUCT or DESCRIBE
    (the first keyword after the prologue's comments, PREFIX and BASE declarations)."""
    rest = sparql[_PROLOGUE_PATTERN.match(sparql).end():]
    keyword = re.match(r"[A-Za-z]+", rest)
    return keyword.group().upper() if keyword else ""


def _canonical_json_results(body: bytes) -> bytes:
    """Return SPARQL JSON results with each typed literal in canonical form (see
    :func:`_canonical_literal`)."""
    results = json.loads(body)
    for binding in results.get("results", {}).get("bindings", []):
        for term in binding.values():
            datatype = term.get("datatype")
            if term.get("type") in ("literal", "typed-literal") and datatype \
                    and datatype not in _PLAIN_DATATYPES:
                term["value"], term["datatype"] = _canonical_literal(term["value"], datatype)
    return json.dumps(results).encode("utf-8")


@lru_cache(maxsize=65_536)
def _canonical_literal(value: str, datatype: str) -> tuple[str, str]:
    """Return the lexical form and datatype Oxigraph stores a typed literal in ("1" as
    a boolean is "true"; "3" as a nonNegativeInteger is an integer)."""
    scratch = ox.Store()
    scratch.add(ox.Quad(_SCRATCH, _SCRATCH, ox.Literal(value, datatype=ox.NamedNode(datatype))))
    (quad,) = scratch
    return quad.object.value, quad.object.datatype.value


def _parse_results(body: bytes, media_type: str) -> QueryResults:
    """Return a server's answer as pyoxigraph results, like the embedded store's."""
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is not None:
        return ox.parse_query_results(body, results_format)
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise StoreError(f"the SPARQL server answered in an unexpected format: {media_type}")
    # QueryTriples come only from a query: load the triples and ask for them back.
    triples = ox.Store()
    triples.load(body, rdf_format)
    return triples.query("CONSTRUCT WHERE { ?s ?p ?o }")
