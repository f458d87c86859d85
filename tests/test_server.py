"""claimgraph's SPARQL endpoint, queried by the clients people use: SPARQLWrapper, rdflib's
SPARQLStore, curl, a browser (CORS, the query page), and by hostile ones."""

from __future__ import annotations

import csv
import http.client
import io
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port, wait_until_listening
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import RDF, SKOS
from sample_attributions import (
    DIRECT_CONTENT,
    INDIRECT_CONTENT,
    RUN,
    changed_sample,
    sample_attributions,
    sample_document,
)

from claimgraph.errors import ClaimgraphError, StoreError
from claimgraph.graph.rdf import article_graph_iri
from claimgraph.graph.remote import RemoteStore
from claimgraph.graph.server import EndpointOptions, check_exposure, serving
from claimgraph.graph.store import Store
from claimgraph.ontology import CG, CGD, SD

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
from SPARQLWrapper import (  # noqa: E402
    CSV,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
)

CUES = "SELECT ?cue ?text WHERE { ?claim cg:cueText ?cue ; schema:text ?text } ORDER BY ?cue"
DECLARED = ("PREFIX cg: <https://w3id.org/claimgraph/ontology#>\n"
            "PREFIX schema: <https://schema.org/>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
ENTITIES = DECLARED + ("CONSTRUCT { ?e a cg:Entity ; skos:prefLabel ?label } "
                       "WHERE { ?e a cg:Entity ; skos:prefLabel ?label }")
# Six copies of the whole store joined: never done, however small the store
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
           "?m ?n2 ?o . ?p ?q ?r }")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "claims.db"
    with Store.open(path) as store:
        store.add_article(sample_document(), sample_attributions(), RUN)
    return path


@pytest.fixture
def server(store_path: Path) -> Iterator[str]:
    with serving(store_path, EndpointOptions(timeout=10, cors=True)) as url:
        yield url


def client(url: str, query: str, return_format: str) -> SPARQLWrapper.SPARQLWrapper:
    sparql = SPARQLWrapper.SPARQLWrapper(f"{url}/query", updateEndpoint=f"{url}/update")
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    return sparql


def fetch(url: str, *, data: bytes | None = None, method: str | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Return (status, headers, body) of a request, whatever its status."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def raw_request(url: str, request: bytes) -> bytes:
    """Send raw bytes to the server; return what it answers before closing (or timing out)."""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer


# ------------------------------------------------------------------ the client matrix

def test_sparqlwrapper_select_in_every_results_format(server: str) -> None:
    results = client(server, CUES, JSON).queryAndConvert()
    rows = [(row["cue"]["value"], row["text"]["value"]) for row in results["results"]["bindings"]]
    assert rows == [("said", INDIRECT_CONTENT), ("told", DIRECT_CONTENT)]
    assert results["results"]["bindings"][0]["text"]["xml:lang"] == "en"
    sparql = client(server, CUES, XML)
    sparql.setMethod(POST)
    sparql.setRequestMethod(URLENCODED)
    document = sparql.queryAndConvert()
    assert [node.firstChild.data for node in document.getElementsByTagName("literal")] == [
        "said", INDIRECT_CONTENT, "told", DIRECT_CONTENT]
    sparql = client(server, CUES, CSV)
    sparql.setMethod(POST)
    sparql.setRequestMethod(POSTDIRECTLY)  # the body is the query (application/sparql-query)
    rows = list(csv.reader(io.StringIO(sparql.queryAndConvert().decode())))
    assert rows == [["cue", "text"], ["said", INDIRECT_CONTENT], ["told", DIRECT_CONTENT]]
    tsv = client(server, CUES, TSV).queryAndConvert().decode().splitlines()
    assert tsv[0] == "?cue\t?text" and tsv[1].startswith('"said"\t"the renewed fighting')


def test_sparqlwrapper_construct_by_default_and_as_json_ld(server: str) -> None:
    # SPARQLWrapper's default for CONSTRUCT asks for RDF/XML and parses it into a Graph
    graph = client(server, ENTITIES, XML).queryAndConvert()
    assert set(graph.subjects(RDF.type, CG.Entity)) == {
        CGD["entity/nikol-pashinyan"], CGD["entity/turkey"], CGD["entity/azerbaijan"]}
    sparql = client(server, ENTITIES, JSONLD)
    jsonld = sparql.queryAndConvert()
    assert (CGD["entity/turkey"], SKOS.prefLabel, Literal("Turkey", lang="en")) in jsonld
    turtle = client(server, ENTITIES, TURTLE).queryAndConvert()
    graph = Graph().parse(data=turtle, format="turtle")
    assert (CGD["entity/azerbaijan"], RDF.type, CG.Entity) in graph


def test_every_graph_format_by_accept_header_and_format_parameter(server: str) -> None:
    formats = {"text/turtle": "turtle", "application/n-triples": "nt",
               "application/n-quads": "nquads", "application/trig": "trig",
               "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
    for media_type, rdflib_format in formats.items():
        url = f"{server}/query?" + urllib.parse.urlencode({"query": ENTITIES})
        status, headers, body = fetch(url, headers={"Accept": f"{media_type}, */*;q=0.1"})
        assert status == 200 and headers["content-type"].startswith(media_type)
        graph = Dataset().parse(data=body, format=rdflib_format)
        assert (CGD["entity/turkey"], SKOS.prefLabel, Literal("Turkey", lang="en")) in graph
    status, headers, body = fetch(f"{server}/query?" + urllib.parse.urlencode(
        {"query": ENTITIES, "format": "nt"}))
    assert headers["content-type"] == "application/n-triples; charset=utf-8"
    assert b"<https://w3id.org/claimgraph/id/entity/turkey>" in body


def test_rdflib_sparqlstore_graph_and_dataset(server: str) -> None:
    graph = Graph(store="SPARQLStore")
    graph.open(f"{server}/query")
    constructed = graph.query(ENTITIES).graph
    assert (CGD["entity/nikol-pashinyan"], SKOS.prefLabel,
            Literal("Nikol Pashinyan", lang="en")) in constructed
    described = graph.query(f"DESCRIBE <{CGD['entity/turkey']}>").graph
    assert (CGD["entity/turkey"], SKOS.prefLabel, Literal("Turkey", lang="en")) in described
    labels = {str(row[0]) for row in graph.query(
        DECLARED + "SELECT ?label WHERE { ?e a cg:Entity ; skos:prefLabel ?label }")}
    assert labels == {"Nikol Pashinyan", "Turkey", "Azerbaijan"}
    # a Dataset names its default graph with rdflib's own IRI: here, the union of all graphs
    dataset = Dataset(store="SPARQLStore")
    dataset.open(f"{server}/query")
    rows = list(dataset.query(DECLARED + "SELECT ?cue WHERE { ?c cg:cueText ?cue } ORDER BY ?cue"))
    assert [str(row[0]) for row in rows] == ["said", "told"]


def test_default_and_named_graph_parameters(server: str) -> None:
    article = str(article_graph_iri(sample_document().id))
    count = DECLARED + "SELECT (COUNT(*) AS ?n) WHERE { ?c cg:cueText ?cue }"
    def rows(**parameters: str) -> int:
        url = f"{server}/query?" + urllib.parse.urlencode({"query": count, **parameters})
        body = json.loads(fetch(url, headers={"Accept": "application/json"})[2])
        return int(body["results"]["bindings"][0]["n"]["value"])
    assert rows() == 2                                      # the union of all graphs
    assert rows(**{"default-graph-uri": article}) == 2       # the article's graph
    entities = "https://w3id.org/claimgraph/id/graph/entities"
    assert rows(**{"default-graph-uri": entities}) == 0      # no claim in the entities graph
    named = DECLARED + "SELECT ?g WHERE { GRAPH ?g { ?c cg:cueText ?cue } }"
    url = f"{server}/query?" + urllib.parse.urlencode(
        {"query": named, "named-graph-uri": entities})
    assert json.loads(fetch(url, headers={"Accept": "application/json"})[2])[
        "results"]["bindings"] == []


def test_curl_get_post_and_sparql_query_body(server: str) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    query = DECLARED + "SELECT ?label WHERE { ?e a cg:Entity ; skos:prefLabel ?label } " \
                       "ORDER BY ?label"
    expected = "label\r\nAzerbaijan\r\nNikol Pashinyan\r\nTurkey\r\n"
    calls = [
        ["-G", "--data-urlencode", f"query={query}", "-H", "Accept: text/csv"],
        ["--data-urlencode", f"query={query}", "-H", "Accept: text/csv"],
        ["--data-binary", query, "-H", "Content-Type: application/sparql-query",
         "-H", "Accept: text/csv"],
    ]
    for arguments in calls:
        result = subprocess.run([curl, "-s", "-i", f"{server}/query", *arguments],
                                capture_output=True, check=True)
        head, _, body = result.stdout.decode().partition("\r\n\r\n")
        assert body == expected
        # one charset, not two
        assert "content-type: text/csv; charset=utf-8\r\n" in head.lower() + "\r\n"


def test_browser_clients_cors_query_page_and_service_description(server: str) -> None:
    status, headers, _ = fetch(f"{server}/query", method="OPTIONS", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    status, headers, _ = fetch(f"{server}/query?query=ASK%7B%7D",
                               headers={"Origin": "https://yasgui.example"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    # a browser's own Accept header gets XML results, as from other SPARQL servers
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, headers, body = fetch(f"{server}/query?" + urllib.parse.urlencode({"query": CUES}),
                                  headers={"Accept": browser})
    assert headers["content-type"].startswith("application/sparql-results+xml")
    assert INDIRECT_CONTENT.encode() in body
    status, headers, page = fetch(f"{server}/", headers={"Accept": browser})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"<form" in page and b'action="query"' in page
    assert fetch(f"{server}/query", headers={"Accept": browser})[2] == page
    status, headers, body = fetch(f"{server}/query", headers={"Accept": "text/turtle"})
    description = Graph().parse(data=body, format="turtle")
    service = next(description.subjects(RDF.type, SD.Service))
    assert (service, SD.endpoint, None) in description
    assert (service, SD.feature, SD.UnionDefaultGraph) in description
    declared = {str(prefix): str(namespace) for prefix, namespace in description.query(
        "SELECT ?p ?n WHERE { ?s sh:declare [ sh:prefix ?p ; sh:namespace ?n ] }",
        initNs={"sh": "http://www.w3.org/ns/shacl#"})}
    assert declared["cg"] == "https://w3id.org/claimgraph/ontology#"


def test_no_cors_unless_asked(store_path: Path) -> None:
    with serving(store_path, EndpointOptions()) as url:
        _, headers, _ = fetch(f"{url}/query?query=ASK%7B%7D",
                              headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in {key.lower() for key in headers}


def test_errors_are_http_statuses_with_messages(server: str) -> None:
    code, _, message = fetch(f"{server}/query?query=SELECT+%3Fx+WHERE+%7B")
    assert code == 400 and b"invalid SPARQL query" in message
    code, _, message = fetch(f"{server}/query?" + urllib.parse.urlencode({"query": CUES}),
                             headers={"Accept": "image/png"})
    assert code == 406 and b"application/sparql-results+json" in message
    assert fetch(f"{server}/nothing")[0] == 404


def test_read_only_unless_updates_are_allowed(server: str, store_path: Path) -> None:
    sparql = client(server, 'INSERT DATA { <urn:x> <urn:p> "x" }', JSON)
    sparql.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as refused:
        sparql.query()
    assert refused.value.code == 403 and b"read-only" in refused.value.read()
    with pytest.raises(StoreError, match="HTTP 403"):
        RemoteStore(server).add_article(*changed_sample(), RUN)


def test_remote_store_ingests_through_the_server_with_updates_allowed(
        store_path: Path, tmp_path: Path) -> None:
    document, attributions = changed_sample()
    options = EndpointOptions(allow_update=True, timeout=10)
    with serving(store_path, options) as url, RemoteStore(url) as remote:
        assert remote.has_article(sample_document())
        assert remote.add_article(document, attributions, RUN) == "replaced"
        # the query workers see the write at once
        assert remote.add_article(document, attributions, RUN) == "unchanged"
        remote.export(tmp_path / "remote.nq")
        rows = remote.select(CUES)
    ankara = "\"Ankara is behind this war,\""
    assert [str(row["text"]) for row in rows] == [INDIRECT_CONTENT, ankara]
    with Store.open(None) as local:
        local.add_article(sample_document(), sample_attributions(), RUN)
        local.add_article(document, attributions, RUN)
        local.export(tmp_path / "local.nq")
    assert (tmp_path / "remote.nq").read_bytes() == (tmp_path / "local.nq").read_bytes()


def test_reads_do_not_wait_for_a_writer(store_path: Path) -> None:
    # An ingest holds the store open read-write; the endpoint still answers, and sees what
    # the ingest writes.
    with serving(store_path, EndpointOptions(timeout=10)) as url, \
            Store.open(store_path) as writer:
        assert [row["cue"]["value"] for row in client(url, CUES, JSON).queryAndConvert()[
            "results"]["bindings"]] == ["said", "told"]
        writer.add_article(*changed_sample(), RUN)
        writer.oxigraph().flush()
        deadline = time.monotonic() + 5
        texts: list[str] = []
        while time.monotonic() < deadline:
            texts = [row["text"]["value"] for row in client(url, CUES, JSON).queryAndConvert()[
                "results"]["bindings"]]
            if "\"Ankara is behind this war,\"" in texts:
                break
            time.sleep(0.2)
        assert "\"Ankara is behind this war,\"" in texts


# ------------------------------------------------------------------ safety

class _Listener:
    """A TCP listener on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    probe = _Listener()
    yield probe
    probe.close()


def test_service_and_load_make_no_outbound_request(store_path: Path,
                                                   listener: _Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}/sparql"
    attempts = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <http://127.0.0.1:{listener.port}/> "
        "SELECT * WHERE { service x:y { ?s ?p ?o } }",
        # SPARQL processes \\u escapes before parsing: "SERVICE" in disguise
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { BIND(<" + target + "> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ]
    token = "secret-token"
    with serving(store_path, EndpointOptions(allow_update=True, token=token)) as url:
        for query in attempts:
            status, _, message = fetch(f"{url}/query?" + urllib.parse.urlencode(
                {"query": query}))
            assert status == 400 and b"SERVICE" in message and b"not allowed" in message
        status, _, message = fetch(f"{url}/update", data=f"LOAD <{target}>".encode(),
                                   headers={"Content-Type": "application/sparql-update",
                                            "Authorization": f"Bearer {token}"})
        assert status == 400 and b"LOAD is not allowed" in message
        # the words in strings, comments and IRIs are harmless
        harmless = ('SELECT ?x WHERE { BIND("SERVICE <http://x/> LOAD" AS ?x) } # SERVICE\n'
                    "VALUES ?service { <http://example.org/SERVICE> }")
        assert fetch(f"{url}/query?" + urllib.parse.urlencode({"query": harmless}))[0] == 200
    time.sleep(0.3)
    assert listener.connections == 0


def test_service_to_a_listed_host_is_allowed(store_path: Path, listener: _Listener) -> None:
    query = (f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/sparql> "
             "{ ?s ?p ?o } }")
    with serving(store_path, EndpointOptions(service_hosts=("127.0.0.1",))) as url:
        assert fetch(f"{url}/query?" + urllib.parse.urlencode({"query": query}))[0] == 200
        status, _, message = fetch(f"{url}/query?" + urllib.parse.urlencode(
            {"query": query.replace("127.0.0.1", "localhost")}))
        assert status == 400 and b"only SERVICE to 127.0.0.1" in message
    assert listener.connections >= 1


def test_hostile_requests_get_4xx_and_the_server_goes_on(server: str) -> None:
    host = urllib.parse.urlsplit(server).netloc
    # a 100 MB body is refused from its Content-Length, before it is read
    answer = raw_request(server, (
        f"POST /query HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\n"
        f"Content-Length: {100 * 1024 * 1024}\r\n\r\n").encode() + b"x" * 65536)
    assert answer.startswith(b"HTTP/1.1 413") and b"over" in answer
    for request in (
        b"garbage\r\n\r\n",
        f"POST /query HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\n\r\nxyz".encode(),
        f"POST /query HTTP/1.1\r\nHost: {host}\r\nContent-Length: -1\r\n\r\n".encode(),
        f"POST /query HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\n"
        f"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc".encode("latin-1"),
        f"GET /query?query={'x' * 70000} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(),
    ):
        answer = raw_request(server, request)
        assert answer.startswith(b"HTTP/1.1 4"), (request[:60], answer[:100])
    assert client(server, "ASK { ?s ?p ?o }", JSON).queryAndConvert()["boolean"] is True


def test_updates_need_the_token(store_path: Path) -> None:
    options = EndpointOptions(allow_update=True, token="s3cret")
    with serving(store_path, options) as url:
        update = b'INSERT DATA { <urn:x> <urn:p> "x" }'
        headers = {"Content-Type": "application/sparql-update"}
        assert fetch(f"{url}/update", data=update, headers=headers)[0] == 401
        assert fetch(f"{url}/update", data=update,
                     headers={**headers, "Authorization": "Bearer wrong"})[0] == 401
        assert fetch(f"{url}/update", data=update,
                     headers={**headers, "Authorization": "Bearer s3cret"})[0] == 204
        assert client(url, "ASK { <urn:x> <urn:p> \"x\" }", JSON).queryAndConvert()["boolean"]


def test_exposure_rules() -> None:
    assert check_exposure("127.0.0.1", EndpointOptions(allow_update=True)) is None
    assert check_exposure("::1", EndpointOptions(allow_update=True)) is None
    with pytest.raises(ClaimgraphError, match="without a token"):
        check_exposure("0.0.0.0", EndpointOptions(allow_update=True))
    assert "read-only" in check_exposure("0.0.0.0", EndpointOptions())
    assert check_exposure("0.0.0.0", EndpointOptions(allow_update=True, token="t")) is not None


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children so far (Linux /proc), in seconds."""
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for process in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / 100
    return total


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_runaway_queries_are_stopped(store_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "serve", "--store", str(store_path),
         "--port", str(port), "--timeout", "2", "--quiet"], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_listening(url, process)
        statuses: list[int] = []

        def runaway() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/query?" + urllib.parse.urlencode({"query": RUNAWAY}))
            statuses.append(connection.getresponse().status)

        clients = [threading.Thread(target=runaway) for _ in range(10)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        assert statuses == [503] * 10
        started = time.monotonic()
        assert client(url, "ASK { ?s ?p ?o }", JSON).queryAndConvert()["boolean"] is True
        # answered at once, not behind the stopped queries (whose timeout is 2 s); the bound
        # leaves room for a loaded machine
        assert time.monotonic() - started < 5.0
        # within 5 s, the stopped queries' work is gone (their replacements have started):
        # the endpoint is idle again
        time.sleep(2.5)
        before = _cpu_seconds(process.pid)
        time.sleep(2)
        assert _cpu_seconds(process.pid) - before < 0.5
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


def test_claimgraph_serve_runs_until_interrupted(store_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "serve", "--store", str(store_path),
         "--port", str(port), "--timeout", "5"], stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_listening(url, process)
        sparql = SPARQLWrapper.SPARQLWrapper(f"{url}/query")
        sparql.setQuery("SELECT ?source WHERE { ?c prov:wasAttributedTo/skos:prefLabel ?source }")
        sparql.setReturnFormat(JSON)
        rows = sparql.queryAndConvert()["results"]["bindings"]
        assert {row["source"]["value"] for row in rows} == {"Nikol Pashinyan"}
        # clients that hang up, mid-query and mid-request, are no error
        for request in (f"GET /query?query={urllib.parse.quote(RUNAWAY)} HTTP/1.1\r\n"
                        f"Host: x\r\n\r\n", "POST /query HTTP/1.1\r\nHost: x\r\n"
                        "Content-Length: 100\r\n\r\nSELECT"):
            with socket.create_connection(("127.0.0.1", port)) as connection:
                connection.sendall(request.encode())
                time.sleep(0.3)
        assert client(url, "ASK { ?s ?p ?o }", JSON).queryAndConvert()["boolean"] is True
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    log = stderr.decode()
    assert "ERROR" not in log and "Exception" not in log
    assert f"SPARQL endpoint {url}/query (read-only, 5 s query timeout)" in log
    assert "GET /query?query=SELECT" in log and " 200" in log   # the access log
    assert "Traceback" not in log


def test_serve_errors_are_one_line(store_path: Path, tmp_path: Path) -> None:
    def serve(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "claimgraph.cli", "serve", *arguments],
                              capture_output=True, text=True, timeout=60)

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = serve("--store", str(store_path), "--port", port)
    assert result.returncode == 2 and "cannot listen on 127.0.0.1:" in result.stderr
    result = serve("--store", str(store_path), "--port", "70000")
    assert result.returncode == 2 and "invalid port 70000" in result.stderr
    result = serve("--store", str(tmp_path / "missing.db"))
    assert result.returncode == 2 and "is not a claimgraph store" in result.stderr
    result = serve("--store", str(store_path), "--host", "0.0.0.0", "--allow-update")
    assert result.returncode == 2 and "without a token" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_query_refuses_service_and_stops_at_its_timeout(store_path: Path,
                                                            listener: _Listener) -> None:
    def query(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "claimgraph.cli", "query",
                               "--store", str(store_path), *arguments],
                              capture_output=True, text=True, timeout=120)

    service = (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> "
               "{ ?s ?p ?o } }")
    result = query(service)
    assert result.returncode == 2 and "SERVICE" in result.stderr
    assert "not allowed" in result.stderr and listener.connections == 0
    started = time.monotonic()
    result = query(RUNAWAY, "--timeout", "1")
    assert result.returncode == 2 and "ran longer than 1 s" in result.stderr
    assert time.monotonic() - started < 30


def _has_open_file_in(pid: int, folder: Path) -> bool:
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for descriptor in descriptors:
        try:
            if str(descriptor.readlink()).startswith(str(folder)):
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs Linux /proc")
def test_cli_query_stops_on_ctrl_c(store_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "claimgraph.cli", "query", "--store",
                                str(store_path), RUNAWAY], stderr=subprocess.PIPE)
    # Wait until the store is open (its files among the process's), then a moment: the
    # query runs (imports take seconds on a busy machine).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _has_open_file_in(process.pid, store_path):
        time.sleep(0.2)
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    process.communicate(timeout=30)
    assert process.returncode == 130
    assert time.monotonic() - started < 10
