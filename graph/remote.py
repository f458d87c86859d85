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
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from claimgraph.errors import StoreError
from claimgraph.graph.rdf import PREFIXES, ArticleRdf
from claimgraph.graph.results import QueryResults
from claimgraph.graph.store import BaseStore, shared_graphs_update

#: Media types asked for: W3C JSON results for SELECT and ASK, N-Triples for graphs.
_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_NTRIPLES = "application/n-triples"
# The prologue declaring claimgraph's prefixes, as the embedded store predeclares them.
_PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The URLs of one SPARQL server: query, update and Graph Store Protocol."""

    query: str
    update: str
    graph_store: str

    @classmethod
    def from_url(cls, url: str, *, update: str | None = None,
                 graph_store: str | None = None) -> Endpoints:
        """Return the endpoints of a server given its base or query URL.

        ``http://host:7878`` (Oxigraph's and ``claimgraph serve``'s layout) or its query
        URL ``http://host:7878/query`` give ``/query``, ``/update`` and ``/store``; other
        servers name their update and graph store URLs with ``update`` and ``graph_store``.
        """
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise StoreError(f"not an http(s) URL of a SPARQL endpoint: {url!r}")
        base = url.rstrip("/")
        query = base
        if base.rsplit("/", 1)[-1] in ("query", "sparql"):
            base = base.rsplit("/", 1)[0]
        else:
            query = f"{base}/query"
        return cls(query=query, update=update or f"{base}/update",
                   graph_store=graph_store or f"{base}/store")


class RemoteStore(BaseStore):
    """A claimgraph store on a SPARQL 1.1 server (see the module docstring).

    ``timeout`` (seconds) bounds each HTTP request. Raises :class:`StoreError` when the
    server cannot be reached or refuses a request, with the server's own message.
    """

    def __init__(self, url: str, *, update_url: str | None = None,
                 graph_store_url: str | None = None, timeout: float = 60.0) -> None:
        self.url = url
        self.endpoints = Endpoints.from_url(url, update=update_url, graph_store=graph_store_url)
        self.timeout = timeout
        self._closed = False

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
        """Return the number of quads on the server (default graph and named graphs)."""
        (row,) = self._select_values(
            "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            "n", union=False)
        return int(row.value)

    def _graph_names(self) -> list[ox.NamedNode]:
        names = self._select_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", "g",
                                    union=False)
        return [name for name in names if isinstance(name, ox.NamedNode)]

    def _graph_quads(self, graph_name: ox.NamedNode | ox.DefaultGraph) -> Iterable[ox.Quad]:
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

    def _query(self, sparql: str, *, union: bool) -> QueryResults:
        fields = {"query": _PROLOGUE + sparql}
        if union:
            fields["union-default-graph"] = ""
        request = urllib.request.Request(
            self.endpoints.query, data=urllib.parse.urlencode(fields).encode(),
            headers={"Accept": _ACCEPT,
                     "Content-Type": "application/x-www-form-urlencoded"})
        body, media_type = self._send(request, what="SPARQL query")
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
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace").strip()[:500]
            if error.code == 400 and what.startswith("SPARQL"):
                raise StoreError(f"invalid {what}: {message}") from error
            raise StoreError(f"the SPARQL server {self.url} refused the {what} "
                             f"(HTTP {error.code}): {message}") from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise StoreError(f"cannot reach the SPARQL server {self.url}: {reason}") from error


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
