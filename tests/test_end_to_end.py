"""The whole path on the user's example article: text -> spaCy -> RDF store -> SPARQL -> Gephi."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pyshacl
import pytest
from conftest import assert_valid_gexf
from rdflib import Dataset, Graph

from claimgraph import Document, export_network, ingest, open_store
from claimgraph.ontology import shapes_path

SOURCES_ABOUT = """
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cg: <https://w3id.org/claimgraph/ontology#>
SELECT ?claim ?source ?cue ?text (GROUP_CONCAT(?subject; separator="|") AS ?subjects)
WHERE {
  ?claim a cg:Attribution ; schema:text ?text ; cg:cueText ?cue ;
         prov:wasAttributedTo/skos:prefLabel ?source .
  OPTIONAL { ?claim schema:about/skos:prefLabel ?subject }
}
GROUP BY ?claim ?source ?cue ?text
"""


@pytest.fixture()
def seed_store(tmp_path: Path, nlp, seed_text: str):
    with open_store(tmp_path / "seed.store") as store:
        summary = ingest([Document(id="karabakh-2020", text=seed_text, date="2020-10-07")],
                         store, nlp)
        assert summary.added == 1 and summary.attributions >= 8
        yield store


def claims_by_cue(store) -> dict[str, dict[str, str]]:
    return {str(row["cue"]): {key: str(value) for key, value in row.items()}
            for row in store.select(SOURCES_ABOUT)}


def test_sparql_returns_the_pashinyan_claim_with_source_and_subjects(seed_store) -> None:
    pashinyan = claims_by_cue(seed_store)["considered"]
    assert "Nikol Pashinyan" in pashinyan["source"]
    assert "caused by Turkish support for Azerbaijan" in pashinyan["text"]
    assert "Ankara" not in pashinyan["text"]
    subjects = set(pashinyan["subjects"].split("|"))
    assert "Azerbaijan" in subjects
    assert "Nagorno Karabakh" in subjects


def test_the_ankara_claim_is_its_own_attribution(seed_store) -> None:
    ankara = claims_by_cue(seed_store)["affirmed"]
    assert ankara["source"] in {"Ankara", "Turkey"}
    assert "it stood by Baku in the conflict" in ankara["text"]


def test_ingesting_the_same_article_twice_changes_nothing(seed_store, nlp, seed_text) -> None:
    before = len(seed_store)
    again = ingest([Document(id="karabakh-2020", text=seed_text, date="2020-10-07")],
                   seed_store, nlp)
    assert again.unchanged == 1 and again.added == 0
    assert len(seed_store) == before


def test_export_parses_with_two_parsers_and_conforms_to_the_shapes(seed_store,
                                                                  tmp_path: Path) -> None:
    trig = tmp_path / "seed.trig"
    seed_store.export(trig, "trig")
    dataset = Dataset()
    dataset.parse(trig, format="trig")
    rdflib_count = len(list(dataset.quads()))
    oxigraph_count = len(list(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)))
    assert rdflib_count == oxigraph_count == len(seed_store)

    union = Graph()
    union.parse(data=dataset.serialize(format="nquads"), format="nquads")
    shapes = Graph().parse(shapes_path(), format="turtle")
    conforms, _, report = pyshacl.validate(union, shacl_graph=shapes)
    assert conforms, report


def test_gephi_views_read_back_with_networkx(seed_store, tmp_path: Path) -> None:
    claims_file, sources_file = tmp_path / "claims.gexf", tmp_path / "sources.gexf"
    export_network(seed_store, claims_file, format="gexf", view="claims")
    export_network(seed_store, sources_file, format="gexf", view="sources")
    for written in (claims_file, sources_file):
        assert_valid_gexf(written.read_bytes())
    claims = nx.read_gexf(claims_file)
    types = {data["type"] for _, data in claims.nodes(data=True)}
    assert types == {"source", "claim", "subject"}
    labels = {data["label"] for _, data in claims.nodes(data=True)}
    assert any("Nikol Pashinyan" in label for label in labels)
    assert all(data.get("start") == "2020-10-07" for _, data in claims.nodes(data=True)
               if data["type"] == "claim")

    sources = nx.read_gexf(sources_file)
    assert {data["type"] for _, data in sources.nodes(data=True)} <= {"source", "subject"}
    by_label = {data["label"]: node for node, data in sources.nodes(data=True)}
    pashinyan = next(node for label, node in by_label.items() if "Pashinyan" in label)
    targets = {sources.nodes[target]["label"]: data["weight"]
               for _, target, data in sources.out_edges(pashinyan, data=True)}
    assert targets.get("Azerbaijan") == 1
