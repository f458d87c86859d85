"""The on-disk store: add, replace, query, persist, export; and query result formats."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SH, SKOS
from sample_attributions import (
    DIRECT_CONTENT,
    INDIRECT_CONTENT,
    RUN,
    changed_sample,
    sample_attributions,
    sample_document,
)

from claimgraph.errors import ClaimgraphError, StoreError
from claimgraph.graph.rdf import (
    ENTITIES_GRAPH,
    RUNS_GRAPH,
    RunInfo,
    article_graph_iri,
    build_article,
)
from claimgraph.graph.results import write_results
from claimgraph.graph.store import Store
from claimgraph.ontology import CG, CGD, shapes_path

CLAIMS_QUERY = """
SELECT ?text ?cue ?source (GROUP_CONCAT(?subject; separator="|") AS ?subjects)
WHERE {
  ?claim a cg:Attribution ; schema:text ?text ; cg:cueText ?cue ;
         prov:wasAttributedTo/skos:prefLabel ?source .
  OPTIONAL { ?claim schema:about/skos:prefLabel ?subject }
}
GROUP BY ?text ?cue ?source
ORDER BY ?cue
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "claims.db") as store:
        assert store.add_article(sample_document(), sample_attributions(), RUN) == "added"
        yield store


def claims(store: Store) -> list[tuple[str, str, str, set[str]]]:
    """Return (cue, content, source label, subject labels) of each stored claim."""
    return [(str(row["cue"]), str(row["text"]), str(row["source"]),
             set(str(row["subjects"]).split("|")))
            for row in store.select(CLAIMS_QUERY)]


def test_query_finds_the_claim_its_source_and_subjects(store: Store) -> None:
    assert claims(store) == [
        ("said", INDIRECT_CONTENT, "Nikol Pashinyan", {"Turkey", "Azerbaijan"}),
        ("told", DIRECT_CONTENT, "Nikol Pashinyan", {"Turkey"}),
    ]
    (row,) = store.select('SELECT ?text WHERE { ?c cg:cueText "said" ; schema:text ?text }')
    assert row["text"] == Literal(INDIRECT_CONTENT, lang="en")
    assert store.article_count() == 1


def test_select_maps_unbound_variables_to_none(store: Store) -> None:
    rows = store.select("SELECT ?claim ?class WHERE { ?claim cg:cueText \"told\" "
                        "OPTIONAL { ?claim cg:negated true . BIND(1 AS ?class) } }")
    assert rows == [{"claim": rows[0]["claim"], "class": None}]
    assert isinstance(rows[0]["claim"], URIRef)


def test_adding_the_same_article_again_changes_nothing(store: Store) -> None:
    quads = len(store)
    assert store.add_article(sample_document(), sample_attributions(), RUN) == "unchanged"
    assert len(store) == quads
    assert store.has_article(sample_document())
    # forced, it is written again, to the same quads
    assert store.add_article(sample_document(), sample_attributions(), RUN,
                             force=True) == "replaced"
    assert len(store) == quads


def test_a_changed_text_replaces_the_article_graph(store: Store) -> None:
    document, attributions = changed_sample()
    assert not store.has_article(document)
    assert store.add_article(document, attributions, RUN) == "replaced"
    assert [(cue, text) for cue, text, _source, _subjects in claims(store)] == [
        ("said", INDIRECT_CONTENT), ("told", "\"Ankara is behind this war,\"")]
    assert not store.query('ASK { ?claim schema:text ?t . FILTER(CONTAINS(?t, "Turkey is")) }')
    assert not store.query('ASK { ?span nif:anchorOf "\\"Turkey is behind this war,\\"" }')
    assert store.article_count() == 1
    # the article graph holds exactly what the builder writes for the new text
    article = article_graph_iri(document.id)
    built = build_article(document, attributions, RUN).graph(article)
    stored = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{article}> {{ ?s ?p ?o }} }}")
    assert stored[0]["n"].toPython() == len(built) > 50
    # entities are merged: "Ankara" is now another name of Turkey
    turkey_names = store.select("SELECT ?name WHERE { entity:turkey skos:altLabel ?name }")
    assert {str(row["name"]) for row in turkey_names} == {"Turkish", "Ankara"}


def test_store_persists_across_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    store = Store.open(path)
    store.add_article(sample_document(), sample_attributions(), RUN)
    quads = len(store)
    store.close()
    assert store.closed
    with pytest.raises(StoreError, match="is closed"):
        len(store)
    with Store.open(path) as reopened:
        assert len(reopened) == quads
        assert reopened.article_count() == 1
        assert claims(reopened)[0][:3] == ("said", INDIRECT_CONTENT, "Nikol Pashinyan")
        assert reopened.add_article(sample_document(), sample_attributions(),
                                    RUN) == "unchanged"


def test_an_open_store_is_locked(store: Store) -> None:
    with pytest.raises(StoreError, match="in use by another claimgraph command"):
        Store.open(store.path)


def test_a_directory_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database")
    with pytest.raises(StoreError, match="not a claimgraph store"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="is a file"):
        Store.open(tmp_path / "notes.txt")


def test_invalid_sparql_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="invalid SPARQL query"):
        store.query("SELECT ?x WHERE { ?x ")
    with pytest.raises(StoreError, match="needs a SELECT query"):
        store.select("ASK { ?s ?p ?o }")


def test_in_memory_store_and_entity_merge_across_articles() -> None:
    store = Store.open(None)
    store.add_article(sample_document(), sample_attributions(), RUN)
    document, attributions = changed_sample()
    other = type(document)(id="karabakh-2020-follow-up", text=document.text)
    newer_run = RunInfo("core_web_sm", "3.8.1", "0.1.0")
    assert store.add_article(other, attributions, newer_run) == "added"
    assert store.article_count() == 2
    pashinyan = store.select("SELECT ?label WHERE { entity:nikol-pashinyan skos:prefLabel "
                             "?label }")
    assert [str(row["label"]) for row in pashinyan] == ["Nikol Pashinyan"]
    runs = store.select("SELECT ?version WHERE { ?run a cg:ExtractionRun ; "
                        "cg:pipelineVersion ?version } ORDER BY ?version")
    assert [str(row["version"]) for row in runs] == ["3.8.0", "3.8.1"]


def test_construct_and_dataset_return_rdflib_objects(store: Store) -> None:
    graph = store.construct("CONSTRUCT { ?e skos:prefLabel ?l } WHERE { GRAPH graph:entities "
                            "{ ?e skos:prefLabel ?l } }")
    assert set(graph.objects(CGD["entity/turkey"], SKOS.prefLabel)) == {
        Literal("Turkey", lang="en")}
    dataset = store.dataset()
    names = {graph.identifier for graph in dataset.graphs() if len(graph)}
    assert names == {article_graph_iri(sample_document().id), ENTITIES_GRAPH, RUNS_GRAPH}
    assert len(set(dataset.quads())) == len(store)
    # the union default graph answers across graphs, as the store does
    rows = dataset.query("SELECT ?label WHERE { ?c prov:wasAttributedTo ?e . "
                         "?e skos:prefLabel ?label }", initNs={"prov": PROV, "skos": SKOS})
    assert {str(row[0]) for row in rows} == {"Nikol Pashinyan"}


def test_no_blank_nodes_anywhere(store: Store) -> None:
    for subject, predicate, obj, graph in store.dataset().quads():
        assert not any(isinstance(term, BNode) for term in (subject, predicate, obj, graph))


# ---------------------------------------------------------------- exports

QUAD_FORMATS = {"trig": "trig", "nq": "nquads", "jsonld": "json-ld"}
TRIPLE_FORMATS = {"ttl": "turtle", "nt": "nt"}


@pytest.mark.parametrize("name", [*QUAD_FORMATS, *TRIPLE_FORMATS])
def test_export_parses_back_with_rdflib_and_pyoxigraph(store: Store, tmp_path: Path,
                                                       name: str) -> None:
    path = tmp_path / f"claims.{name}"
    store.export(path)
    with_oxigraph = set(ox.parse(path=path, format=ox.RdfFormat.from_extension(name)))
    if name in QUAD_FORMATS:
        with_rdflib = Dataset()
        with_rdflib.parse(path, format=QUAD_FORMATS[name])
        quads = set(with_rdflib.quads())
        assert len(quads) == len(with_oxigraph) == len(store)
        assert (CGD["entity/nikol-pashinyan"], RDF.type, CG.Entity, ENTITIES_GRAPH) in quads
        graph_names = {quad.graph_name.value for quad in with_oxigraph}
        assert graph_names == {str(article_graph_iri(sample_document().id)),
                               str(ENTITIES_GRAPH), str(RUNS_GRAPH)}
    else:
        with_rdflib = Graph().parse(path, format=TRIPLE_FORMATS[name])
        union = {(s, p, o) for s, p, o, _graph in store.dataset().quads()}
        assert len(with_rdflib) == len(with_oxigraph) == len(union)
        assert (CGD["entity/nikol-pashinyan"], RDF.type, CG.Entity) in with_rdflib


def test_export_to_a_stream_needs_a_format(store: Store) -> None:
    buffer = io.BytesIO()
    store.export(buffer, "nt")
    assert buffer.getvalue().count(b"\n") == len(store)
    with pytest.raises(StoreError, match="say which format"):
        store.export(io.BytesIO())
    with pytest.raises(StoreError, match="unknown export format 'rdfxml'"):
        store.export(buffer, "rdfxml")


def test_exports_are_deterministic(store: Store, tmp_path: Path) -> None:
    store.export(tmp_path / "first.trig")
    store.export(tmp_path / "second.trig")
    assert (tmp_path / "first.trig").read_bytes() == (tmp_path / "second.trig").read_bytes()


def exported_graph(store: Store, tmp_path: Path) -> Graph:
    store.export(tmp_path / "claims.ttl")
    return Graph().parse(tmp_path / "claims.ttl", format="turtle")


def validate(graph: Graph) -> tuple[bool, Graph]:
    conforms, report, _text = pyshacl.validate(graph, shacl_graph=str(shapes_path()))
    return conforms, report


def test_exported_data_conforms_to_the_shapes(store: Store, tmp_path: Path) -> None:
    conforms, report = validate(exported_graph(store, tmp_path))
    assert conforms, report.serialize(format="turtle")


def test_shapes_catch_a_missing_cue_text_and_a_half_source(store: Store,
                                                           tmp_path: Path) -> None:
    graph = exported_graph(store, tmp_path)
    said = graph.value(predicate=CG.cueText, object=Literal("said"))
    told = graph.value(predicate=CG.cueText, object=Literal("told"))
    graph.remove((said, CG.cueText, None))
    graph.remove((told, CG.sourceSpan, None))  # a source text and entity, but no span
    conforms, report = validate(graph)
    assert not conforms
    focus = {(report.value(result, SH.focusNode), report.value(result, SH.resultPath))
             for result in report.subjects(RDF.type, SH.ValidationResult)}
    assert focus == {(said, CG.cueText), (told, None)}


# ---------------------------------------------------------------- query results


def test_json_results_are_sparql_json(store: Store) -> None:
    buffer = io.BytesIO()
    write_results(store.query(CLAIMS_QUERY), "json", buffer)
    results = json.loads(buffer.getvalue())
    assert results["head"]["vars"] == ["text", "cue", "source", "subjects"]
    first, second = results["results"]["bindings"]
    assert first["cue"] == {"type": "literal", "value": "said"}
    assert first["text"] == {"type": "literal", "value": INDIRECT_CONTENT, "xml:lang": "en"}
    assert second["source"]["value"] == "Nikol Pashinyan"


def test_table_results_are_aligned_text(store: Store) -> None:
    text = io.StringIO()
    write_results(store.query("SELECT ?entity ?label WHERE { ?entity skos:prefLabel ?label } "
                              "ORDER BY ?label"), "table", text)
    lines = text.getvalue().splitlines()
    cells = [re.split(r"\s{2,}", line) for line in lines]
    assert cells[0] == ["entity", "label"]
    assert cells[2] == ["entity:azerbaijan", "Azerbaijan"]
    assert cells[3] == ["entity:nikol-pashinyan", "Nikol Pashinyan"]
    assert lines[2].index("Azerbaijan") == lines[0].index("label")  # aligned
    assert lines[-1] == "(3 rows)"


def test_long_values_are_cut_in_tables(store: Store) -> None:
    text = io.StringIO()
    write_results(store.query("SELECT ?text WHERE { ?c cg:cueText 'said' ; schema:text ?text }"),
                  "table", text, max_width=20)
    assert text.getvalue().splitlines()[2] == INDIRECT_CONTENT[:19] + "…"


def test_csv_tsv_xml_ask_and_construct_results(store: Store) -> None:
    query = "SELECT ?cue WHERE { ?c cg:cueText ?cue } ORDER BY ?cue"
    buffer = io.BytesIO()
    write_results(store.query(query), "csv", buffer)
    assert list(csv.reader(io.StringIO(buffer.getvalue().decode()))) == [
        ["cue"], ["said"], ["told"]]
    buffer = io.BytesIO()
    write_results(store.query(query), "tsv", buffer)
    assert buffer.getvalue().decode().splitlines() == ["?cue", '"said"', '"told"']
    buffer = io.BytesIO()
    write_results(store.query(query), "xml", buffer)
    assert b"<literal>told</literal>" in buffer.getvalue()
    text = io.StringIO()
    write_results(store.query("ASK { ?c cg:quoteType cg:DirectQuote }"), "table", text)
    write_results(store.query("ASK { ?c cg:quoteType cg:MixedQuote }"), "table", text)
    assert text.getvalue() == "true\nfalse\n"
    text = io.StringIO()
    write_results(store.query("CONSTRUCT { ?e a cg:Entity } WHERE { ?e a cg:Entity }"),
                  "table", text)
    turtle = Graph().parse(data=text.getvalue(), format="turtle")
    assert set(turtle.subjects(RDF.type, CG.Entity)) == {
        CGD["entity/nikol-pashinyan"], CGD["entity/turkey"], CGD["entity/azerbaijan"]}
    with pytest.raises(ClaimgraphError, match="unknown result format 'yaml'"):
        write_results(store.query(query), "yaml", io.BytesIO())
