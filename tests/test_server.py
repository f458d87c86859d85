"""claimgraph's SPARQL 1.1 Protocol server, queried with a real client (SPARQLWrapper)."""

from __future__ import annotations

import csv
import io
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS
from sample_attributions import (
    DIRECT_CONTENT,
    INDIRECT_CONTENT,
    RUN,
    changed_sample,
    sample_attributions,
    sample_document,
)

from claimgraph.errors import StoreError
from claimgraph.graph.remote import RemoteStore
from claimgraph.graph.server import SparqlServer
from claimgraph.graph.store import Store
from claimgraph.ontology import CG, CGD

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, URLENCODED, XML  # noqa: E402

CUES = "SELECT ?cue ?text WHERE { ?claim cg:cueText ?cue ; schema:text ?text } ORDER BY ?cue"


def running(store: Store, **options: object) -> Iterator[SparqlServer]:
    """Run a server on a free loopback port in a thread; stop it afterwards."""
    server = SparqlServer(store, ("127.0.0.1", 0), **options)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "claims.db") as store:
        store.add_article(sample_document(), sample_attributions(), RUN)
        yield store


@pytest.fixture
def server(store: Store) -> Iterator[SparqlServer]:
    yield from running(store, timeout=10)


def client(server: SparqlServer, query: str, return_format: str) -> SPARQLWrapper.SPARQLWrapper:
    sparql = SPARQLWrapper.SPARQLWrapper(f"{server.url}/query",
                                         updateEndpoint=f"{server.url}/update")
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    return sparql


def test_select_by_get_as_json(server: SparqlServer) -> None:
    results = client(server, CUES, JSON).queryAndConvert()
    assert results["head"]["vars"] == ["cue", "text"]
    rows = [(row["cue"]["value"], row["text"]["value"]) for row in results["results"]["bindings"]]
    assert rows == [("said", INDIRECT_CONTENT), ("told", DIRECT_CONTENT)]
    assert results["results"]["bindings"][0]["text"]["xml:lang"] == "en"


def test_select_by_post_as_xml_csv_and_tsv(server: SparqlServer) -> None:
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


def test_ask_and_construct_as_turtle_and_ntriples(server: SparqlServer) -> None:
    ask = client(server, "ASK { ?claim cg:quoteType cg:DirectQuote }", JSON).queryAndConvert()
    assert ask["boolean"] is True
    entities = "CONSTRUCT { ?e a cg:Entity ; skos:prefLabel ?label } WHERE { ?e a cg:Entity ; " \
               "skos:prefLabel ?label }"
    turtle = client(server, entities, TURTLE).queryAndConvert()
    graph = Graph().parse(data=turtle, format="turtle")
    assert set(graph.subjects(RDF.type, CG.Entity)) == {
        CGD["entity/nikol-pashinyan"], CGD["entity/turkey"], CGD["entity/azerbaijan"]}
    # N-Triples by Accept header, then by the format parameter
    for headers, parameters in (({"Accept": "application/n-triples"}, {}), ({}, {"format": "nt"})):
        url = f"{server.url}/query?" + urllib.parse.urlencode({"query": entities, **parameters})
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            assert response.headers.get_content_type() == "application/n-triples"
            ntriples = Graph().parse(data=response.read(), format="nt")
        assert (CGD["entity/turkey"], SKOS.prefLabel, Literal("Turkey", lang="en")) in ntriples


def test_errors_are_http_statuses_with_messages(server: SparqlServer) -> None:
    def status(url: str, **request: object) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, **request)) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    code, message = status(f"{server.url}/query?query=SELECT+%3Fx+WHERE+%7B")
    assert code == 400 and "invalid SPARQL query" in message
    code, message = status(f"{server.url}/query?" + urllib.parse.urlencode({"query": CUES}),
                           headers={"Accept": "image/png"})
    assert code == 406 and "application/sparql-results+json" in message
    code, _ = status(f"{server.url}/nothing")
    assert code == 404


def test_read_only_unless_updates_are_allowed(server: SparqlServer, store: Store) -> None:
    quads = len(store)
    sparql = client(server, 'INSERT DATA { <urn:x> <urn:p> "x" }', JSON)
    sparql.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as refused:
        sparql.query()
    assert refused.value.code == 403 and b"read-only" in refused.value.read()
    with pytest.raises(StoreError, match="HTTP 403"):
        RemoteStore(server.url).add_article(*changed_sample(), RUN)
    assert len(store) == quads


def test_a_query_over_the_timeout_is_answered_503(store: Store) -> None:
    # about 2 million solutions: long enough to pass 10 ms, short enough to end soon after
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    for server in running(store, timeout=0.01):
        with pytest.raises(urllib.error.HTTPError) as timed_out:
            client(server, slow, JSON).query()
        assert timed_out.value.code == 503
        assert timed_out.value.read() == b"the query ran longer than 0.01 s\n"
        # the server goes on answering
        assert client(server, "ASK { ?s ?p ?o }", JSON).queryAndConvert()["boolean"] is True


def test_remote_store_ingests_through_the_server_with_updates_allowed(
        store: Store, tmp_path: Path) -> None:
    document, attributions = changed_sample()
    for server in running(store, allow_update=True, timeout=10):
        with RemoteStore(server.url) as remote:
            assert remote.has_article(sample_document())
            assert remote.add_article(document, attributions, RUN) == "replaced"
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


def test_claimgraph_serve_runs_until_interrupted(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from conftest import free_port, wait_until_listening

    with Store.open(tmp_path / "served.db") as store:
        store.add_article(sample_document(), sample_attributions(), RUN)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "serve", "--store", str(tmp_path / "served.db"),
         "--port", str(port), "--timeout", "5"], stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_listening(url, process)
        sparql = SPARQLWrapper.SPARQLWrapper(f"{url}/query")
        sparql.setQuery("SELECT ?source WHERE { ?c prov:wasAttributedTo/skos:prefLabel ?source }")
        sparql.setReturnFormat(JSON)
        rows = sparql.queryAndConvert()["results"]["bindings"]
        assert {row["source"]["value"] for row in rows} == {"Nikol Pashinyan"}
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"SPARQL endpoint {url}/query (read-only, 5 s query timeout)" in stderr.decode()
