"""Ingest into, query and export a real Virtuoso Open Source 7 (Debian's package) on
loopback, and compare with a real Oxigraph server given the same articles."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import (
    EXAMPLE_ARTICLE,
    SEED_ARTICLE,
    assert_changed_article_replaces_its_graph,
    assert_valid_gexf,
    free_port,
)
from rdflib.namespace import SKOS

from claimgraph.cli import main
from claimgraph.errors import StoreError
from claimgraph.graph import virtuoso
from claimgraph.graph.rdf import (
    CLUSTERS_GRAPH,
    ENTITIES_GRAPH,
    RUNS_GRAPH,
    TEXT_LANGUAGE,
    article_graph_iri,
)
from claimgraph.graph.remote import STANDARD, VIRTUOSO, Endpoints, RemoteStore
from claimgraph.graph.store import shared_graphs_update

QUERIES = EXAMPLE_ARTICLE.parent / "queries"


def _run_everything(endpoint: str, output: Path, capsys) -> dict[str, object]:
    """Ingest the example (and the seed article, where ../shared has it) through the CLI,
    run the README's queries, export; return what each step printed or wrote."""
    output.mkdir()
    articles = [str(EXAMPLE_ARTICLE)] + ([str(SEED_ARTICLE)] if SEED_ARTICLE.is_file() else [])
    where = ["--endpoint", endpoint]
    seen: dict[str, object] = {}
    assert main(["ingest", *articles, *where, "--date", "2024-03-05", "--quiet"]) == 0
    seen["ingest"] = capsys.readouterr().err
    for query in ("sources-about.rq", "stories.rq"):
        assert main(["query", str(QUERIES / query), *where, "--format", "csv"]) == 0
        seen[query] = capsys.readouterr().out
    for name, arguments in (("nq", ["--format", "nq"]),
                            ("gexf", ["--format", "gexf", "--view", "sources"])):
        assert main(["export", *where, *arguments, "-o", str(output / f"export.{name}")]) == 0
        seen[name] = (output / f"export.{name}").read_bytes()
    assert main(["check", *where]) == 0
    seen["check"] = capsys.readouterr().err
    assert main(["ingest", *articles, *where, "--quiet"]) == 0
    seen["again"] = capsys.readouterr().err
    return seen


def test_cli_gives_the_same_results_on_virtuoso_as_on_oxigraph_server(
        virtuoso_server: str, oxigraph_server: str, tmp_path: Path, capsys, nlp) -> None:
    on_virtuoso = _run_everything(virtuoso_server, tmp_path / "via-virtuoso", capsys)
    on_oxigraph = _run_everything(oxigraph_server, tmp_path / "via-oxigraph", capsys)
    articles = 2 if SEED_ARTICLE.is_file() else 1
    assert f"{articles} articles ({articles} added" in on_virtuoso["ingest"]
    assert f"0 added, 0 replaced, {articles} unchanged" in on_virtuoso["again"]
    rows = on_virtuoso["sources-about.rq"].splitlines()
    assert rows[0] == "source,cue,claim"
    assert rows[1].startswith("Robert Weber,said,")
    assert "hurting factories in Germany" in rows[1]
    assert "0 orphans, 0 dangling references, 0 SHACL violations" in on_virtuoso["check"]
    assert b"Robert Weber" in on_virtuoso["gexf"] and b"Germany" in on_virtuoso["gexf"]
    assert_valid_gexf(on_virtuoso["gexf"])
    # the same quads, the same query results, the same network: step by step (rows that
    # tie on the ORDER BY keys come in any order: SPARQL leaves it open)
    for step in on_oxigraph:
        if step.endswith(".rq"):
            assert sorted(on_virtuoso[step].splitlines()) == sorted(
                on_oxigraph[step].splitlines()), step
        else:
            assert on_virtuoso[step] == on_oxigraph[step], step
    quads = list(ox.parse(on_virtuoso["nq"], ox.RdfFormat.N_QUADS))
    assert len(quads) > 500
    negated = {str(quad.object) for quad in quads if quad.predicate.value.endswith("#negated")}
    assert negated <= {'"false"^^<http://www.w3.org/2001/XMLSchema#boolean>',
                       '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'}


def test_a_changed_article_replaces_its_graph_on_virtuoso(virtuoso_server: str, nlp) -> None:
    with RemoteStore(virtuoso_server) as store:
        assert store.dialect is VIRTUOSO
        assert_changed_article_replaces_its_graph(store, nlp)
        # Virtuoso's own graphs (its schemas, DAV) are not claimgraph's
        every = {str(row["g"]) for row in store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
        assert "http://www.openlinksw.com/schemas/virtrdf#" in every
        # (besides the graph of the claim matching index)
        assert store.graph_names() - {str(CLUSTERS_GRAPH)} == {
            str(article_graph_iri("statement")), str(RUNS_GRAPH)}
        assert len(store) == sum(1 for _ in store._sorted_quads())
        assert store.remove_article("statement")
        assert store.article_count() == 0
        assert not store.select("SELECT ?e WHERE { ?e a cg:Entity }")


def test_labels_with_accents_are_deleted_among_other_quads_on_virtuoso(
        virtuoso_server: str) -> None:
    # Virtuoso 7 keeps such a label when its DELETE DATA holds other quads: a bulk load's
    # entities, described once, kept a second preferred label ("Peña Nieto").
    entity = ox.NamedNode("https://w3id.org/claimgraph/id/entity/pena-nieto")
    graph = ox.NamedNode(str(ENTITIES_GRAPH))
    labels = [(SKOS.prefLabel, "Peña Nieto"), (SKOS.prefLabel, "PEÑA NIETO"),
              (SKOS.altLabel, "Pena Nieto"), (SKOS.altLabel, "Enrique Peña Nieto")]
    quads = [ox.Quad(entity, ox.NamedNode(str(predicate)),
                     ox.Literal(label, language=TEXT_LANGUAGE), graph)
             for predicate, label in labels]
    with RemoteStore(virtuoso_server) as store:
        store.update(shared_graphs_update(quads, []))
        store.update(shared_graphs_update([], quads[1:]))
        rows = store.select(f"SELECT ?p ?label WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ "
                            f"{entity} ?p ?label }} }}")
    assert [(str(row["p"]), str(row["label"])) for row in rows] == [
        (str(SKOS.prefLabel), "Peña Nieto")]


def test_the_dialect_is_told_from_the_server(virtuoso_server: str, oxigraph_server: str) -> None:
    base = virtuoso_server.rsplit("/", 1)[0]
    for url in (virtuoso_server, base, base + "/"):
        store = RemoteStore(url)
        assert store.dialect is VIRTUOSO
        assert (store.endpoints.query, store.endpoints.update, store.endpoints.graph_store) == (
            f"{base}/sparql", f"{base}/sparql", f"{base}/sparql-graph-crud")
    assert RemoteStore(oxigraph_server).dialect is STANDARD
    assert Endpoints.from_url("http://host:8890", dialect=VIRTUOSO).query == (
        "http://host:8890/sparql")
    assert RemoteStore("http://host:8890/sparql", dialect="virtuoso").dialect is VIRTUOSO


def test_results_virtuoso_cuts_short_are_an_error_not_a_part(tmp_path: Path) -> None:
    if not virtuoso.available():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    # Debian's virtuoso.ini answers at most 10,000 rows and drops the rest silently
    with virtuoso.VirtuosoInstance.start(tmp_path, free_port(), free_port(),
                                         result_rows=3) as server:
        store = RemoteStore(server.sparql_url)
        every = "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 10"
        with pytest.raises(StoreError, match="cut the results of a SPARQL query at 3 rows"):
            store.select(every)
        assert len(store.select(every.replace("10", "2"))) == 2


def test_graphs_larger_than_virtuosos_row_limit_are_read_in_pages(
        virtuoso_server: str, tmp_path: Path, capsys, nlp) -> None:
    if not virtuoso.available():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    # The articles ingested and exported on a Virtuoso without a limit ...
    seen = _run_everything(virtuoso_server, tmp_path / "unlimited", capsys)
    quads = list(ox.parse(seen["nq"], ox.RdfFormat.N_QUADS))
    entities = [quad for quad in quads if quad.graph_name.value == str(ENTITIES_GRAPH)]
    assert len(entities) > 100
    # ... written into one that answers at most 100 rows, exported again: the same bytes
    with virtuoso.VirtuosoInstance.start(tmp_path / "limited", free_port(), free_port(),
                                         result_rows=100) as server:
        store = RemoteStore(server.sparql_url)
        for first in range(0, len(quads), 500):
            store.update(shared_graphs_update(quads[first:first + 500], []))
        with pytest.raises(StoreError, match="cut the results"):
            store.select(f"SELECT * WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}")
        output = tmp_path / "limited.nq"
        assert main(["export", "--endpoint", server.sparql_url, "--format", "nq",
                     "-o", str(output)]) == 0
        assert output.read_bytes() == seen["nq"]
        assert "Robert Weber" in output.read_text(encoding="utf-8")
        # pages of 99 rows (one fewer than the limit), learned from the cut answer
        graph = ox.NamedNode(str(ENTITIES_GRAPH))
        assert sorted(map(str, store._graph_quads_by_query(graph))) == sorted(map(str, entities))
        assert store._page_rows == 99
        # a subject with a page's rows or more cannot be read in pages: said, not cut
        store._page_rows = max(sum(1 for quad in entities if quad.subject == subject)
                               for subject in {quad.subject for quad in entities})
        with pytest.raises(StoreError, match="or more statements in the graph"):
            store._graph_quads_by_query(graph)
        store._page_rows += 1
        assert sorted(map(str, store._graph_quads_by_query(graph))) == sorted(map(str, entities))
        assert len(entities) > store._page_rows
