"""Ingest into, query and export a real Oxigraph server (PyPI package `oxigraph`) on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import (
    EXAMPLE_ARTICLE,
    assert_changed_article_replaces_its_graph,
    assert_valid_gexf,
    free_port,
)

from claimgraph import ingest
from claimgraph.cli import main
from claimgraph.errors import StoreError
from claimgraph.graph.remote import Endpoints, RemoteStore
from claimgraph.graph.store import Store

EXAMPLE_QUERY = EXAMPLE_ARTICLE.parent / "queries" / "sources-about.rq"
def test_cli_ingests_queries_and_exports_through_an_oxigraph_server(
        oxigraph_server: str, tmp_path: Path, capsys, nlp) -> None:
    endpoint = ["--endpoint", oxigraph_server]
    assert main(["ingest", str(EXAMPLE_ARTICLE), *endpoint, "--quiet"]) == 0
    assert "1 added" in capsys.readouterr().err
    assert main(["query", str(EXAMPLE_QUERY), *endpoint]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["source", "cue", "claim"]
    assert table[2].startswith("Robert Weber  said  “This dispute is hurting factories in Germany")
    assert main(["export", *endpoint, "--format", "nq", "-o", str(tmp_path / "remote.nq")]) == 0
    gexf = tmp_path / "remote.gexf"
    assert main(["export", *endpoint, "--format", "gexf", "-o", str(gexf)]) == 0
    assert "Marieke de Vries" in gexf.read_text(encoding="utf-8")
    assert_valid_gexf(gexf.read_bytes())
    # the server holds exactly what the embedded store holds after the same ingest
    with Store.open(tmp_path / "local.db") as local:
        ingest([EXAMPLE_ARTICLE], local, nlp)
        local.export(tmp_path / "local.nq")
    assert (tmp_path / "remote.nq").read_bytes() == (tmp_path / "local.nq").read_bytes()
    assert main(["ingest", str(EXAMPLE_ARTICLE), *endpoint, "--quiet"]) == 0
    assert "0 added, 0 replaced, 1 unchanged" in capsys.readouterr().err


def test_a_changed_article_replaces_its_graph_on_the_server(oxigraph_server: str, nlp) -> None:
    with RemoteStore(oxigraph_server) as store:
        assert_changed_article_replaces_its_graph(store, nlp)


def test_endpoint_urls_and_an_unreachable_server() -> None:
    oxigraph = Endpoints.from_url("http://127.0.0.1:7878/")
    assert (oxigraph.query, oxigraph.update, oxigraph.graph_store) == (
        "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store")
    fuseki = Endpoints.from_url("http://host:3030/news/sparql",
                                graph_store="http://host:3030/news/data")
    assert (fuseki.query, fuseki.update, fuseki.graph_store) == (
        "http://host:3030/news/sparql", "http://host:3030/news/update",
        "http://host:3030/news/data")
    with pytest.raises(StoreError, match="not an http"):
        RemoteStore("news.store")
    with pytest.raises(StoreError, match="cannot reach the SPARQL server"):
        len(RemoteStore(f"http://127.0.0.1:{free_port()}", timeout=2))
