"""claimgraph's SPARQL 1.1 Protocol endpoint, on Starlette and uvicorn.

``claimgraph serve --store DIR`` runs :func:`serve`. It answers

- ``/query`` (also ``/sparql``): SPARQL queries by GET (``?query=``) and POST (form-encoded
  or ``application/sparql-query``), over the union of all graphs unless ``default-graph-uri``
  or ``named-graph-uri`` say otherwise. claimgraph's prefixes are predeclared (and listed in
  the service description, which ``/query`` without a query returns). SELECT and ASK results
  come as JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE as Turtle, N-Triples, N-Quads, TriG,
  JSON-LD or RDF/XML: by the ``Accept`` header (with q-values) or a ``format`` parameter.
- ``/``: a query page for browsers.
- ``/update``: SPARQL updates by POST, only with ``allow_update``.
- ``/store``: the Graph Store Protocol (``?graph=IRI`` or ``?default``): GET always; PUT,
  POST and DELETE only with ``allow_update``. This is the layout of Oxigraph's server, so
  :class:`~claimgraph.graph.remote.RemoteStore` can ingest into either.

Queries run in worker processes (:mod:`claimgraph.graph.workers`) over the store opened
read-only, so reads never wait for writes, and a query past the timeout is really stopped.
Queries and updates that would fetch a URL (``SERVICE``, ``LOAD``) are refused unless
allowed (:mod:`claimgraph.graph.guard`). With a token, ``/update`` and ``/store`` need
``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hmac
import ipaddress
import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import uvicorn
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, SH, XSD
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from claimgraph.errors import ClaimgraphError, StoreError
from claimgraph.graph.guard import OutboundPolicy, OutboundRequestError, check_sparql
from claimgraph.graph.rdf import PREFIXES
from claimgraph.graph.store import Store, is_store
from claimgraph.graph.workers import QueryJob, QueryPool, QueryTimeout, store_version
from claimgraph.ontology import SD

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
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
}
_RESULT_FORMATS = (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
                   ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)
_GRAPH_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS,
                  ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML)
# What clients that ask for plain JSON or XML (browsers, generic HTTP clients) mean.
_RESULT_ALIASES = {"application/json": "application/sparql-results+json",
                   "application/xml": "application/sparql-results+xml",
                   "text/xml": "application/sparql-results+xml"}
_GRAPH_ALIASES = {"application/json": "application/ld+json",
                  "application/xml": "application/rdf+xml",
                  "text/xml": "application/rdf+xml",
                  "text/plain": "application/n-triples"}
_FORM = "application/x-www-form-urlencoded"
_TOKEN_ENVIRONMENT = "CLAIMGRAPH_TOKEN"
_VERSION_INTERVAL = 0.5  # seconds between two looks at the store's files
log = logging.getLogger("claimgraph.serve")


class HttpError(Exception):
    """An HTTP error answer: a status and a one-line message for the client."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class EndpointOptions:
    """How an endpoint runs. ``timeout`` is in seconds, ``max_body`` in bytes.

    ``service_hosts``: hosts ``SERVICE`` may call (``"*"``: any); ``token``: the Bearer token
    that ``/update`` and ``/store`` require (None: none required, allowed on loopback only
    when updates are on); ``workers``: query processes; ``max_connections``: beyond it new
    connections are answered 503.
    """

    allow_update: bool = False
    timeout: float = 30.0
    workers: int = 2
    cors: bool = False
    service_hosts: tuple[str, ...] = ()
    allow_load: bool = False
    token: str | None = None
    max_body: int = 4 * 1024 * 1024
    max_connections: int = 256
    access_log: bool = True
    #: A folder holding the HTML report (``claimgraph report``), served under ``/report/``.
    report_dir: Path | None = None

    @property
    def policy(self) -> OutboundPolicy:
        return OutboundPolicy(self.service_hosts, self.allow_load)


@dataclass
class _State:
    """What the running endpoint holds: the query pool, the writable store, a version."""

    path: Path
    options: EndpointOptions
    pool: QueryPool
    store: Store | None = None  # open read-write only when updates are allowed
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    description: Graph | None = None
    _version: int = 0
    _version_read: float = float("-inf")

    def version(self) -> int:
        """Return a number that changes when the store's files do (read twice a second).

        Workers reopen the store when it changes: the endpoint's view follows an ingest or
        an update within half a second.
        """
        now = time.monotonic()
        if now - self._version_read > _VERSION_INTERVAL:
            self._version, self._version_read = hash(store_version(self.path)), now
        return self._version

    def changed(self) -> None:
        """Note a write of our own: the next query reads the store's files again."""
        self._version_read = float("-inf")


def create_app(path: str | Path, options: EndpointOptions = EndpointOptions(),
               *, base_url: str = "") -> Starlette:
    """Return the endpoint as an ASGI application over the store in ``path``.

    Raises :class:`StoreError` if ``path`` is not a claimgraph store.
    """
    path = Path(path)
    if not is_store(path):
        raise StoreError(f"{path} is not a claimgraph store (create one with claimgraph ingest)")
    state = _State(path, options, QueryPool(path, PREFIXES, size=options.workers))

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if options.allow_update:
            state.store = Store.open(path)
        await state.pool.start()
        try:
            yield
        finally:
            state.pool.close()
            if state.store is not None:
                state.store.close()

    def route(path_: str, handler: Callable[[Request, _State], Awaitable[Response]],
              methods: list[str]) -> Route:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request, state)
            except HttpError as error:
                return _text(error.status, str(error))
            except OutboundRequestError as error:
                return _text(HTTPStatus.BAD_REQUEST, str(error))
            except ClaimgraphError as error:
                return _text(HTTPStatus.INTERNAL_SERVER_ERROR, str(error))
            except ClientDisconnect:  # it hung up mid-request: nobody to answer, no error
                return Response(status_code=HTTPStatus.BAD_REQUEST)
        return Route(path_, endpoint, methods=methods)

    state.description = service_description(base_url or "/query", options)
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"],
                             allow_methods=["GET", "POST", "PUT", "DELETE"],
                             allow_headers=["*"], max_age=3600)] if options.cors else []
    routes: list[BaseRoute] = [
        route("/", _page, ["GET"]),
        route("/query", _query, ["GET", "POST"]),
        route("/sparql", _query, ["GET", "POST"]),
        route("/update", _update, ["POST"]),
        route("/store", _graph_store, ["GET", "PUT", "POST", "DELETE"]),
    ]
    if options.report_dir is not None:
        # The static report as written on disk; html=True serves index.html for /report/.
        routes.append(Mount("/report", StaticFiles(directory=options.report_dir, html=True),
                            name="report"))
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


# ------------------------------------------------------------------ handlers

async def _page(request: Request, state: _State) -> Response:
    page = resources.files("claimgraph.graph").joinpath("query.html").read_bytes()
    return Response(page, media_type="text/html; charset=utf-8")


async def _query(request: Request, state: _State) -> Response:
    params = _params(request)
    if request.method == "POST":
        content_type = _content_type(request)
        body = await _body(request, state.options.max_body)
        if content_type == "application/sparql-query":
            params["query"] = [_decode(body)]
        elif content_type == _FORM:
            for key, values in urllib.parse.parse_qs(_decode(body),
                                                     keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        else:
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                            "POST a query as application/sparql-query or form-encoded")
    queries = params.get("query", [])
    wanted = wanted_media_types(params, request.headers.get("accept", "*/*"))
    if not queries:
        if request.method == "GET" and _prefers_html(wanted):
            return await _page(request, state)
        return _description(state, wanted)
    if len(queries) != 1:
        raise HttpError(HTTPStatus.BAD_REQUEST, "give exactly one query parameter")
    check_sparql(queries[0], state.options.policy, PREFIXES)
    job = QueryJob(queries[0], negotiate(wanted, _RESULT_FORMATS, _RESULT_ALIASES),
                   negotiate(wanted, _GRAPH_FORMATS, _GRAPH_ALIASES),
                   default_graphs=_default_graphs(params),
                   named_graphs=tuple(params.get("named-graph-uri", [])),
                   version=state.version())
    return await _run(state, job)


async def _run(state: _State, job: QueryJob) -> Response:
    try:
        answer = await state.pool.run(job, state.options.timeout)
    except QueryTimeout:
        raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE,
                        f"the query ran longer than {state.options.timeout:g} s and was "
                        "stopped") from None
    if answer.error_kind == "format":
        raise HttpError(HTTPStatus.NOT_ACCEPTABLE, "cannot answer in the formats asked for; "
                        "ask for one of " + ", ".join(_base(item.media_type) for item in (
                            *_RESULT_FORMATS, *_GRAPH_FORMATS)))
    if answer.error is not None:
        status = (HTTPStatus.BAD_REQUEST if answer.error_kind == "syntax"
                  else HTTPStatus.INTERNAL_SERVER_ERROR)
        raise HttpError(status, answer.error)
    return Response(answer.body, media_type=_with_charset(answer.media_type))


async def _update(request: Request, state: _State) -> Response:
    _check_writable(request, state)
    content_type = _content_type(request)
    body = _decode(await _body(request, state.options.max_body))
    if content_type == "application/sparql-update":
        update = body
    elif content_type == _FORM:
        updates = urllib.parse.parse_qs(body).get("update", [])
        if len(updates) != 1:
            raise HttpError(HTTPStatus.BAD_REQUEST, "POST one update as the form field update")
        update = updates[0]
    else:
        raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                        "POST an update as application/sparql-update or form-encoded")
    check_sparql(update, state.options.policy, PREFIXES)
    await _write(state, lambda store: store.update(update))
    return Response(status_code=HTTPStatus.NO_CONTENT)


async def _graph_store(request: Request, state: _State) -> Response:
    params = _params(request)
    graph = _target_graph(params)
    if request.method == "GET":
        _check_token(request, state)
        where = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        if graph is not None:
            exists = await state.pool.run(QueryJob(
                f"ASK {{ GRAPH <{graph}> {{ }} }}", ("application/sparql-results+json",), (),
                version=state.version()), state.options.timeout)
            if b"true" not in exists.body:
                raise HttpError(HTTPStatus.NOT_FOUND, f"no graph <{graph}>")
        wanted = wanted_media_types(params, request.headers.get("accept", "*/*"))
        return await _run(state, QueryJob(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}", (),
            negotiate(wanted, _GRAPH_FORMATS, _GRAPH_ALIASES),
            default_graphs=(None,) if graph is None else (),
            version=state.version()))
    _check_writable(request, state)
    body = await _body(request, state.options.max_body)
    content_type = _content_type(request)
    return await _write(state, lambda store: _write_graph(store, request.method, graph, body,
                                                          content_type))


def _write_graph(store: Store, method: str, graph: str | None, body: bytes,
                 content_type: str) -> Response:
    """Carry out a Graph Store Protocol write on the read-write store."""
    oxigraph = store.oxigraph()
    target = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    exists = graph is None or oxigraph.contains_named_graph(target)
    if method == "DELETE":
        if not exists:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no graph <{graph}>")
        if graph is None:
            oxigraph.clear_graph(target)
        else:
            oxigraph.remove_graph(target)
        return Response(status_code=HTTPStatus.NO_CONTENT)
    rdf_format = ox.RdfFormat.from_media_type(content_type)
    if rdf_format is None or rdf_format.supports_datasets:
        raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                        f"send a graph as Turtle, N-Triples or RDF/XML, not {content_type!r}")
    try:
        triples = ox.serialize(ox.parse(body, rdf_format), None, ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError) as error:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"cannot parse the graph: {error}") from error
    scope = "DEFAULT" if graph is None else f"GRAPH <{graph}>"
    inside = triples.decode() if graph is None else f"GRAPH <{graph}> {{ {triples.decode()} }}"
    drop = f"DROP SILENT {scope} ;\n" if method == "PUT" else ""
    store.update(f"{drop}INSERT DATA {{ {inside} }}")
    return Response(status_code=HTTPStatus.NO_CONTENT if exists else HTTPStatus.CREATED)


async def _write(state: _State, write: Callable[[Store], Response | None]) -> Response:
    """Run ``write`` on the read-write store, one write at a time, off the event loop."""
    assert state.store is not None

    def locked() -> Response | None:
        with state.write_lock:
            result = write(state.store)
            state.store.oxigraph().flush()  # the query workers reopen and see it
            state.changed()
            return result

    try:
        result = await asyncio.to_thread(locked)
    except StoreError as error:
        raise HttpError(HTTPStatus.BAD_REQUEST, str(error)) from error
    return result if isinstance(result, Response) else Response(
        status_code=HTTPStatus.NO_CONTENT)


def _check_writable(request: Request, state: _State) -> None:
    if not state.options.allow_update:
        raise HttpError(HTTPStatus.FORBIDDEN, "this endpoint is read-only "
                        "(start it with --allow-update to accept updates)")
    _check_token(request, state)


def _check_token(request: Request, state: _State) -> None:
    token = state.options.token
    if token is None:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                             token.encode()):
        raise HttpError(HTTPStatus.UNAUTHORIZED, "send Authorization: Bearer TOKEN")


# ------------------------------------------------------------------ requests

def _params(request: Request) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(request.url.query, keep_blank_values=True)


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _body(request: Request, limit: int) -> bytes:
    """Read the request body, refusing one over ``limit`` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                        f"the request body is over {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                            f"the request body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(HTTPStatus.BAD_REQUEST,
                        f"the request body is not UTF-8 (byte {error.start})") from None


def _default_graphs(params: dict[str, list[str]]) -> tuple[str | None, ...]:
    """Return the graphs ``default-graph-uri`` names; the store's default graph is None.

    rdflib's ``Dataset(store="SPARQLStore")`` names the dataset's default graph with its own
    IRI: for claimgraph, that is the union of all graphs, as when nothing is named.
    """
    names = params.get("default-graph-uri", [])
    if str(DATASET_DEFAULT_GRAPH_ID) in names:
        return ()
    return tuple(names)


def _target_graph(params: dict[str, list[str]]) -> str | None:
    """Return the IRI a Graph Store request names, or None for the default graph."""
    if "default" in params:
        return None
    graphs = params.get("graph", [])
    if len(graphs) != 1:
        raise HttpError(HTTPStatus.BAD_REQUEST, "name one graph: ?graph=IRI or ?default")
    try:
        return ox.NamedNode(graphs[0]).value
    except ValueError as error:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"not an IRI: {graphs[0]!r}") from error


# ------------------------------------------------------------------ content negotiation

def wanted_media_types(params: dict[str, list[str]], accept: str) -> list[str]:
    """Return the media types a client wants, best first: ``format`` before Accept.

    Accept is ranked by q-value, ties in the order given; types with q=0 are dropped.
    """
    requested = [FORMAT_NAMES.get(name.lower(), name.lower())
                 for name in params.get("format", [])[:1]]
    ranked = []
    for position, item in enumerate(accept.split(",")):
        media_type, *options = (part.strip() for part in item.split(";"))
        quality = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type and quality > 0:
            ranked.append((-quality, position, media_type.lower()))
    return requested + ([media_type for *_, media_type in sorted(ranked)] or ["*/*"])


def negotiate(wanted: list[str], offered: tuple, aliases: dict[str, str]) -> tuple[str, ...]:
    """Return the offered media types the client accepts, in its order of preference."""
    offered_types = [_base(item.media_type) for item in offered]
    chosen: list[str] = []
    for media_type in wanted:
        if media_type in ("*/*", "application/*"):
            candidates = offered_types
        elif media_type == "text/*":
            candidates = [name for name in offered_types if name.startswith("text/")]
        else:
            media_type = aliases.get(media_type, media_type)
            candidates = [name for name in offered_types if name == media_type]
        chosen.extend(name for name in candidates if name not in chosen)
    return tuple(chosen)


def _base(media_type: str) -> str:
    """Return a media type without its parameters: ``text/csv`` of ``text/csv; charset=…``."""
    return media_type.split(";")[0].strip()


def _prefers_html(wanted: list[str]) -> bool:
    return bool(wanted) and wanted[0] in ("text/html", "application/xhtml+xml")


def _with_charset(media_type: str) -> str:
    return media_type if "charset" in media_type else f"{media_type}; charset=utf-8"


def _text(status: HTTPStatus, message: str) -> Response:
    return Response(f"{message}\n", status_code=status, media_type="text/plain; charset=utf-8")


# ------------------------------------------------------------------ service description

def service_description(endpoint: str, options: EndpointOptions) -> Graph:
    """Return the SPARQL 1.1 Service Description of an endpoint at ``endpoint``.

    It lists the languages, result formats and features, and claimgraph's predeclared
    prefixes as SHACL prefix declarations (``sh:declare``).
    """
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("sh", SH)
    service = BNode("service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if options.allow_update:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if options.service_hosts:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for item in (*_RESULT_FORMATS, *_GRAPH_FORMATS):
        graph.add((service, SD.resultFormat, URIRef(item.iri)))
    for prefix, namespace in PREFIXES.items():
        declaration = BNode(f"prefix-{prefix}")
        graph.add((service, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(prefix)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    return graph


def _description(state: _State, wanted: list[str]) -> Response:
    formats = negotiate(wanted, _GRAPH_FORMATS, _GRAPH_ALIASES)
    if not formats:
        raise HttpError(HTTPStatus.NOT_ACCEPTABLE, "the service description is RDF: ask for "
                        "Turtle, N-Triples, JSON-LD or RDF/XML")
    assert state.description is not None
    # rdflib registers its serializers under their media types too
    body = state.description.serialize(format=formats[0], encoding="utf-8")
    return Response(body, media_type=_with_charset(formats[0]))


# ------------------------------------------------------------------ running

def check_exposure(host: str, options: EndpointOptions) -> str | None:
    """Refuse unsafe ways to listen; return a warning for risky ones (else None).

    Updates on an address other machines reach need a token; a read-only endpoint there is
    allowed, with a warning that anyone who reaches it can read the whole graph.
    """
    if _is_loopback(host):
        return None
    if options.allow_update and not options.token:
        raise ClaimgraphError(f"refusing --allow-update on {host} without a token: anyone who "
                              f"reaches it could change the graph (set --token or "
                              f"{_TOKEN_ENVIRONMENT})")
    return (f"listening on {host}: anyone who reaches this address can read the whole graph"
            + ("" if options.allow_update else " (read-only)"))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """Bind a listening socket; raise :class:`ClaimgraphError` with the reason if it fails."""
    if not 0 <= port <= 65535:
        raise ClaimgraphError(f"invalid port {port}: use 0 to 65535")
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        address = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)[0][4]
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        raise ClaimgraphError(f"cannot listen on {host}:{port}: "
                              f"{error.strerror or error}") from error
    listener.listen(2048)
    return listener


def make_server(path: str | Path, listener: socket.socket,
                options: EndpointOptions = EndpointOptions()) -> uvicorn.Server:
    """Return a uvicorn server for the endpoint over ``path`` on a bound ``listener``."""
    host, port = listener.getsockname()[:2]
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    app = create_app(path, options, base_url=f"{base}/query")
    config = uvicorn.Config(app, log_config=_logging_config(options.access_log),
                            log_level=None, access_log=options.access_log,
                            limit_concurrency=options.max_connections, lifespan="on",
                            timeout_keep_alive=30, server_header=False)
    return uvicorn.Server(config)


def _logging_config(access_log: bool) -> dict:
    """uvicorn's logging, on stderr: warnings, and one line per request with ``access_log``."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    config["loggers"]["uvicorn.error"]["level"] = "WARNING"
    config["loggers"]["uvicorn.access"]["level"] = "INFO" if access_log else "WARNING"
    return config


@contextlib.contextmanager
def serving(path: str | Path, options: EndpointOptions = EndpointOptions(), *,
            host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run the endpoint in a background thread (tests, benchmarks); yield its base URL."""
    listener = listen(host, port)
    server = make_server(path, listener, options)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise ClaimgraphError("the endpoint did not start")
            threading.Event().wait(0.01)
        yield f"http://{host}:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
