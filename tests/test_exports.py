"""Exports of a real store read by the tools users have: Gephi Lite's graphology-gexf, the
GEXF 1.3 grammar, the GraphML schema with networkx, JSON-LD processors; dates from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from conftest import (
    EXAMPLE_ARTICLE,
    EXAMPLE_DATE,
    assert_valid_gexf,
    assert_valid_graphml,
    read_with_graphology,
)
from rdflib import Dataset

from claimgraph import export_network, network
from claimgraph.cli import main
from claimgraph.graph.network import VIEWS
from claimgraph.graph.serialize import JSONLD_CONTEXT

#: The views of attributions (the clusters view needs claims repeated across articles:
#: tests/test_spread.py exports it).
ATTRIBUTION_VIEWS = [view for view in VIEWS if view != "clusters"]


@pytest.mark.parametrize("view", ATTRIBUTION_VIEWS)
def test_gexf_of_every_view_is_valid_and_graphology_reads_it_whole(dated_store, view,
                                                                     tmp_path) -> None:
    path = tmp_path / f"{view}.gexf"
    export_network(dated_store, path, format="gexf", view=view)
    assert_valid_gexf(path.read_bytes())
    graph = network(dated_store, view)
    read = read_with_graphology(path)
    assert read["order"] == graph.number_of_nodes() > 0
    assert read["size"] == graph.number_of_edges() > 0
    dated = sum(1 for _, data in graph.nodes(data=True) if "start" in data)
    assert read["datedNodes"] == dated > 0
    assert read["type"] == ("directed" if graph.is_directed() else "undirected")
    example = [data for data in read["nodes"].values()
               if data.get("label") == "Robert Weber"]
    assert example and example[0]["date"] == EXAMPLE_DATE


@pytest.mark.parametrize("view", ATTRIBUTION_VIEWS)
@pytest.mark.parametrize("multigraph", [False, True])
def test_graphml_of_every_view_is_valid_and_networkx_reads_it_back(dated_store, view,
                                                                   multigraph, tmp_path) -> None:
    from claimgraph.graph.graphml import write_graphml

    path = tmp_path / f"{view}.graphml"
    graph = network(dated_store, view, multigraph=multigraph)
    write_graphml(graph, path)
    assert_valid_graphml(path)
    read = nx.read_graphml(path, force_multigraph=multigraph)
    assert set(read) == {f"n{number}" for number in range(graph.number_of_nodes())}
    by_iri = {data["iri"]: data for _, data in read.nodes(data=True)}
    assert set(by_iri) == set(graph)
    assert read.number_of_edges() == graph.number_of_edges()
    weber = next(data for data in by_iri.values() if data["label"] == "Robert Weber")
    assert weber["date"] == EXAMPLE_DATE


def test_graphml_ids_are_the_same_for_the_same_store(dated_store, tmp_path) -> None:
    first, second = tmp_path / "first.graphml", tmp_path / "second.graphml"
    export_network(dated_store, first, format="graphml", view="claims")
    export_network(dated_store, second, format="graphml", view="claims")
    assert first.read_bytes() == second.read_bytes()


def test_jsonld_is_compacted_and_expands_to_the_nquads(dated_store, tmp_path) -> None:
    jsonld, nquads = tmp_path / "store.jsonld", tmp_path / "store.nq"
    dated_store.export(jsonld, "jsonld")
    dated_store.export(nquads, "nq")
    document = json.loads(jsonld.read_text(encoding="utf-8"))
    context = document["@context"]
    for prefix in ("cg", "schema", "prov", "nif", "skos", "dcterms", "owl", "xsd"):
        assert prefix in context
    assert context == JSONLD_CONTEXT
    text = jsonld.read_text(encoding="utf-8")
    assert '"schema:text"' in text and '"cg:cueClass"' in text and '"@type"' in text
    assert "http://www.w3.org/ns/prov#" not in text.replace(context["prov"], "", 1)
    from_jsonld = Dataset()
    from_jsonld.parse(jsonld, format="json-ld")
    from_nquads = Dataset()
    from_nquads.parse(nquads, format="nquads")
    quads = set(from_nquads.quads())
    assert len(quads) > 500
    assert set(from_jsonld.quads()) == quads


def test_ingest_date_dates_undated_files_and_jsonl_dates_win(tmp_path: Path, capsys) -> None:
    records = tmp_path / "news.jsonl"
    records.write_text(
        json.dumps({"id": "dated", "date": "2023-01-02",
                    "text": "The mayor said that the bridge would reopen in May."}) + "\n"
        + json.dumps({"id": "undated",
                      "text": "The minister said that taxes would not rise."}) + "\n",
        encoding="utf-8")
    store = tmp_path / "store"
    status = main(["ingest", str(EXAMPLE_ARTICLE), str(records), "--store", str(store),
                   "--quiet", "--date", EXAMPLE_DATE])
    assert status == 0
    capsys.readouterr()
    assert main(["query", "--store", str(store), "--format", "json",
                 "SELECT ?id ?date WHERE { ?a cg:articleId ?id ; "
                 "schema:datePublished ?date } ORDER BY ?id"]) == 0
    rows = json.loads(capsys.readouterr().out)["results"]["bindings"]
    dates = {row["id"]["value"]: row["date"]["value"] for row in rows}
    assert dates == {"dated": "2023-01-02", "harbour-strike": EXAMPLE_DATE,
                     "undated": EXAMPLE_DATE}


def test_ingest_refuses_a_date_that_is_not_iso(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["ingest", str(EXAMPLE_ARTICLE), "--store", str(tmp_path / "s"),
              "--date", "07/10/2020"])
    assert stopped.value.code == 2
    assert "not a date in YYYY-MM-DD form: '07/10/2020'" in capsys.readouterr().err


DEV = Path(__file__).resolve().parents[2] / "shared" / "polnear" / "dev"


def test_dev_articles_gexf_is_valid_and_graphology_keeps_their_dates(nlp, tmp_path) -> None:
    """A few PolNeAR dev articles, dated and published as the corpus metadata says (read
    from ../shared, never copied): the GEXF validates and graphology-gexf reads every node,
    edge and date networkx has."""
    from itertools import islice

    from claimgraph import ingest, open_store
    from claimgraph.loaders import load_brat_corpus

    if not DEV.is_dir():
        pytest.skip(f"{DEV} is absent")
    documents = [document for document, _ in islice(load_brat_corpus(DEV), 6)]
    assert all(document.date and document.publisher for document in documents)
    with open_store(tmp_path / "dev.store") as store:
        ingest(documents, store, nlp)
        graph = network(store, "claims")
        export_network(store, tmp_path / "dev.gexf", format="gexf", view="claims")
    assert_valid_gexf((tmp_path / "dev.gexf").read_bytes())
    read = read_with_graphology(tmp_path / "dev.gexf")
    dated = {node: data["date"] for node, data in graph.nodes(data=True) if "date" in data}
    assert (read["order"], read["size"]) == (graph.number_of_nodes(), graph.number_of_edges())
    assert read["datedNodes"] == len(dated) == graph.number_of_nodes()
    assert {node: data["date"] for node, data in read["nodes"].items()} == dated
    publishers = {data.get("publisher") for _, data in graph.nodes(data=True)
                  if data["type"] == "claim"}
    assert publishers == {document.publisher for document in documents}
