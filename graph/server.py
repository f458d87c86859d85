"""A SPARQL 1.1 Protocol server over an embedded store, on the standard library's HTTP server.

``claimgraph serve --store DIR`` runs :class:`SparqlServer`. It answers

- ``/query`` (also ``/sparql``): SPARQL queries by GET (``?query=``) and POST (form-encoded
  or ``application/sparql-query``), over the union of all graphs, with claimgraph's prefixes
  predeclared. SELECT and ASK results come as JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE
  as Turtle or N-Triples, chosen by the ``Accept`` header or a ``format`` parameter
  (``json``, ``xml``, ``csv``, ``tsv``, ``ttl``, ``nt``, or a media type).
- ``/update``: SPARQL updates by POST, only when updates are allowed.
- ``/store``: the Graph Store Protocol (``?graph=IRI`` or ``?default``): GET always; PUT,
  POST and DELETE only when updates are allowed. This is the layout of Oxigraph's server, so
  :class:`~claimgraph.graph.remote.RemoteStore` can ingest into either.

A query that runs longer than the timeout is answered with 503. pyoxigraph cannot stop a
query once started: the server stops waiting for it, and runs at most ``workers`` queries at
a time, so runaway queries cannot take more than that many threads.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

import pyoxigraph as ox

from claimgraph.errors import StoreError
from claimgraph.graph.rdf import PREFIXES
from claimgraph.graph.store import Store

#: ``format`` parameter values and the media types they stand for.
FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
}
_SOLUTION_FORMATS = (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
                     ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)
_GRAPH_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)
# What clients that ask for plain JSON or XML mean for SELECT and ASK results.
_RESULT_ALIASES = {"application/json": ox.QueryResultsFormat.JSON,
                   "application/xml": ox.QueryResultsFormat.XML,
                   "text/xml": ox.QueryResultsFormat.XML}
_FORM = "application/x-www-form-urlencoded"
Format = TypeVar("Format", ox.QueryResultsFormat, ox.RdfFormat)
_MAX_BODY = 512 * 1024 * 1024  # refuse request bodies above 512 MB


class HttpError(Exception):
    """An HTTP error answer: a status and a one-line message for the client."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful answer: status, media type and body."""

    status: HTTPStatus
    media_type: str = "text/plain"
    body: bytes = b""


class SparqlServer(ThreadingHTTPServer):
    """A SPARQL 1.1 Protocol server over ``store`` (see the module docstring).

    ``address`` is (host, port); port 0 picks a free port (see :attr:`url`). ``timeout`` is
    in seconds. Call :meth:`serve_forever` (in a thread, or until Ctrl-C) then
    :meth:`server_close`.
    """

    daemon_threads = True

    def __init__(self, store: Store, address: tuple[str, int] = ("127.0.0.1", 7878), *,
                 allow_update: bool = False, timeout: float = 30.0, workers: int = 4) -> None:
        super().__init__(address, _Handler)
        self.store = store
        self.allow_update = allow_update
        self.query_timeout = timeout
        self.queries = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparql")
        # Writes go one at a time: a graph replaced by PUT is read, then written.
        self.write_lock = threading.Lock()

    @property
    def url(self) -> str:
        """Return the server's base URL, e.g. ``http://127.0.0.1:7878``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def server_close(self) -> None:
        super().server_close()
        self.queries.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ queries

    def answer_query(self, query: str, params: dict[str, list[str]], accept: str) -> Answer:
        """Run a query with the timeout; return its results in the negotiated format."""
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            raise HttpError(HTTPStatus.BAD_REQUEST, "default-graph-uri and named-graph-uri are "
                            "not supported: the default graph is the union of all graphs")
        wanted = _wanted_media_types(params, accept)
        future = self.queries.submit(self._evaluate, query, wanted)
        try:
            return future.result(timeout=self.query_timeout)
        except FutureTimeout:
            future.cancel()
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE,
                            f"the query ran longer than {self.query_timeout:g} s") from None

    def _evaluate(self, query: str, wanted: list[str]) -> Answer:
        try:
            results = self.store.query(query)
        except StoreError as error:
            raise HttpError(HTTPStatus.BAD_REQUEST, str(error)) from None
        try:
            if isinstance(results, ox.QueryTriples):
                rdf_format = _negotiate(wanted, _GRAPH_FORMATS, ox.RdfFormat.from_media_type,
                                        {})
                body = ox.serialize(results, None, rdf_format, prefixes=PREFIXES)
                return Answer(HTTPStatus.OK, rdf_format.media_type, body)
            results_format = _negotiate(wanted, _SOLUTION_FORMATS,
                                        ox.QueryResultsFormat.from_media_type, _RESULT_ALIASES)
            return Answer(HTTPStatus.OK, results_format.media_type,
                          results.serialize(None, results_format))
        finally:
            # pyoxigraph's results must be freed on the thread that made them; an error's
            # traceback would otherwise carry them to the request's thread.
            del results

    # ------------------------------------------------------------ updates

    def answer_update(self, update: str) -> Answer:
        """Run a SPARQL update (one transaction)."""
        self._check_writable()
        with self.write_lock:
            try:
                self.store.update(update)
            except StoreError as error:
                raise HttpError(HTTPStatus.BAD_REQUEST, str(error)) from error
        return Answer(HTTPStatus.NO_CONTENT)

    def answer_graph_store(self, method: str, params: dict[str, list[str]], accept: str,
                           body: bytes, content_type: str) -> Answer:
        """Answer a Graph Store Protocol request on ``/store``."""
        graph = _target_graph(params)
        store = self.store.oxigraph()
        exists = isinstance(graph, ox.DefaultGraph) or store.contains_named_graph(graph)
        if method == "GET":
            if not exists:
                raise HttpError(HTTPStatus.NOT_FOUND, f"no graph {graph}")
            rdf_format = _negotiate(_wanted_media_types(params, accept), _GRAPH_FORMATS,
                                    ox.RdfFormat.from_media_type, {})
            triples = [ox.Triple(quad.subject, quad.predicate, quad.object)
                       for quad in store.quads_for_pattern(None, None, None, graph)]
            return Answer(HTTPStatus.OK, rdf_format.media_type,
                          ox.serialize(triples, None, rdf_format, prefixes=PREFIXES))
        self._check_writable()
        with self.write_lock:
            if method == "DELETE":
                if not exists:
                    raise HttpError(HTTPStatus.NOT_FOUND, f"no graph {graph}")
                if isinstance(graph, ox.DefaultGraph):
                    store.clear_graph(graph)
                else:
                    store.remove_graph(graph)
                return Answer(HTTPStatus.NO_CONTENT)
            rdf_format = ox.RdfFormat.from_media_type(content_type)
            if rdf_format is None or rdf_format.supports_datasets:
                raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                                f"send a graph as Turtle or N-Triples, not {content_type!r}")
            try:
                triples = ox.serialize(ox.parse(body, rdf_format), None, ox.RdfFormat.N_TRIPLES)
            except SyntaxError as error:
                raise HttpError(HTTPStatus.BAD_REQUEST, f"cannot parse the graph: {error}"
                                ) from error
            target = "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"
            drop = f"DROP SILENT {target} ;\n" if method == "PUT" else ""
            inside = f"{{ {triples.decode()} }}" if target == "DEFAULT" else (
                f"{{ {target} {{ {triples.decode()} }} }}")
            self.store.update(f"{drop}INSERT DATA {inside}")
        return Answer(HTTPStatus.NO_CONTENT if exists else HTTPStatus.CREATED)

    def _check_writable(self) -> None:
        if not self.allow_update:
            raise HttpError(HTTPStatus.FORBIDDEN, "this endpoint is read-only "
                            "(start it with --allow-update to accept updates)")


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into calls of :class:`SparqlServer` and writes the answers."""

    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "claimgraph-sparql"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        pass  # quiet: a busy endpoint would fill the terminal

    def _dispatch(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        accept = self.headers.get("Accept", "*/*")
        try:
            body = self._body()
            content_type = self.headers.get_content_type()
            routes: dict[str, Callable[[], Answer]] = {
                "/query": lambda: self._query(method, params, accept, body, content_type),
                "/sparql": lambda: self._query(method, params, accept, body, content_type),
                "/update": lambda: self._update(method, params, body, content_type),
                "/store": lambda: self.server.answer_graph_store(method, params, accept, body,
                                                                 content_type),
            }
            if url.path not in routes:
                raise HttpError(HTTPStatus.NOT_FOUND, "use /query, /update or /store")
            answer = routes[url.path]()
        except HttpError as error:
            answer = Answer(error.status, "text/plain", f"{error}\n".encode())
        except StoreError as error:
            answer = Answer(HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain",
                            f"{error}\n".encode())
        self._write(answer)

    def _query(self, method: str, params: dict[str, list[str]], accept: str, body: bytes,
               content_type: str) -> Answer:
        if method == "POST" and content_type == "application/sparql-query":
            query = body.decode("utf-8")
        else:
            if method == "POST" and content_type == _FORM:
                params = {**params, **urllib.parse.parse_qs(body.decode("utf-8"),
                                                            keep_blank_values=True)}
            elif method != "GET":
                raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                                "POST a query as application/sparql-query or form-encoded")
            queries = params.get("query", [])
            if len(queries) != 1:
                raise HttpError(HTTPStatus.BAD_REQUEST, "give exactly one query parameter")
            query = queries[0]
        return self.server.answer_query(query, params, accept)

    def _update(self, method: str, params: dict[str, list[str]], body: bytes,
                content_type: str) -> Answer:
        if method != "POST":
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "POST updates")
        if content_type == "application/sparql-update":
            return self.server.answer_update(body.decode("utf-8"))
        if content_type == _FORM:
            updates = urllib.parse.parse_qs(body.decode("utf-8")).get("update", [])
            if len(updates) == 1:
                return self.server.answer_update(updates[0])
        raise HttpError(HTTPStatus.BAD_REQUEST, "POST one update as application/sparql-update "
                        "or as the form field update")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large")
        return self.rfile.read(length) if length else b""

    def _write(self, answer: Answer) -> None:
        self.send_response(answer.status)
        if answer.body or answer.status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Type", f"{answer.media_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)


def _wanted_media_types(params: dict[str, list[str]], accept: str) -> list[str]:
    """Return the media types a client wants, best first: ``format`` before Accept.

    Accept still counts after ``format``: a client asking ``format=json`` of every query
    gets Turtle for a CONSTRUCT when its Accept header allows it.
    """
    requested = [FORMAT_NAMES.get(name.lower(), name) for name in params.get("format", [])[:1]]
    ranked = []
    for position, item in enumerate(accept.split(",")):
        media_type, *options = (part.strip() for part in item.split(";"))
        quality = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type and quality > 0:
            ranked.append((-quality, position, media_type.lower()))
    accepted = [media_type for _quality, _position, media_type in sorted(ranked)]
    return requested + (accepted or ["*/*"])


def _negotiate(wanted: list[str], offered: tuple[Format, ...],
               from_media_type: Callable[[str], Format | None],
               aliases: dict[str, Format]) -> Format:
    """Return the first offered format the client wants (the first offered for ``*/*``)."""
    for media_type in wanted:
        if media_type in ("*/*", "application/*", "text/*"):
            return offered[0]
        chosen = aliases.get(media_type) or from_media_type(media_type)
        if chosen in offered:
            return chosen
    names = ", ".join(getattr(item, "media_type", str(item)) for item in offered)
    raise HttpError(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer in {', '.join(wanted)}; "
                    f"ask for one of {names}")


def _target_graph(params: dict[str, list[str]]) -> ox.NamedNode | ox.DefaultGraph:
    if "default" in params:
        return ox.DefaultGraph()
    graphs = params.get("graph", [])
    if len(graphs) != 1:
        raise HttpError(HTTPStatus.BAD_REQUEST, "name one graph: ?graph=IRI or ?default")
    try:
        return ox.NamedNode(graphs[0])
    except ValueError as error:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"not an IRI: {graphs[0]!r}") from error
