"""The networkx projections of the RDF model, over a small dataset built by hand.

The dataset follows the RDF model claimgraph writes (one named graph per article, a shared
entities graph): two articles with dates, three claims, and the Azerbaijani Defence Ministry
making two claims about Armenia. Spans and runs are left out; the projection does not read them.
The last test tells the same story through claimgraph's RDF builder and store instead.
"""

from __future__ import annotations

import hashlib

import networkx as nx
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SDO, SKOS, XSD

from claimgraph.graph.network import project
from claimgraph.graph.projection import (
    CLAIM_ROWS_QUERY,
    claim_graph,
    clean_attributes,
    source_subject_graph,
)
from claimgraph.graph.rdf import RunInfo
from claimgraph.graph.store import Store
from claimgraph.ontology import CG, CGD, NIF
from claimgraph.records import Attribution, Document, Entity, Mention

ENTITIES_GRAPH = CGD["graph/entities"]
MINISTRY = CGD["entity/azerbaijani-defence-ministry"]
ARMENIA = CGD["entity/armenia"]
PASHINYAN = CGD["entity/nikol-pashinyan"]
ENTITY_TYPES = {MINISTRY: (SDO.Organization, "organization"), ARMENIA: (SDO.Place, "place"),
                PASHINYAN: (SDO.Person, "person")}
LABELS = {MINISTRY: "Azerbaijani Defence Ministry", ARMENIA: "Armenia",
          PASHINYAN: "Nikol Pashinyan"}

CUE_LEMMAS = {"said": "say", "accused": "accuse"}

FIRST_TEXT = "The Azerbaijani Defence Ministry said Armenian forces shelled Tartar overnight."
SECOND_TEXT = ("Armenia violated the ceasefire again, the ministry said on Monday. "
               "Pashinyan accused the ministry of spreading lies.")


def _hex16(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _article(dataset: Dataset, doc_id: str, text: str, day: str, title: str) -> URIRef:
    """Add an article's own triples to its named graph; return its IRI."""
    article = CGD[f"article/{_hex16(doc_id)}"]
    graph = dataset.graph(article)
    graph.add((article, RDF.type, SDO.NewsArticle))
    graph.add((article, RDF.type, NIF.Context))
    graph.add((article, CG.articleId, Literal(doc_id)))
    graph.add((article, NIF.isString, Literal(text)))
    graph.add((article, SDO.headline, Literal(title)))
    graph.add((article, SDO.datePublished, Literal(day, datatype=XSD.date)))
    graph.add((article, DCTERMS.publisher, Literal("Example News")))
    graph.add((article, CG.textHash, Literal(hashlib.sha256(text.encode()).hexdigest())))
    return article


def _claim(dataset: Dataset, article: URIRef, text: str, cue: str, content: str,
           source: URIRef, subject: URIRef, quote_type: URIRef) -> URIRef:
    """Add one claim to its article's graph; return its IRI."""
    cue_start, content_start = text.index(cue), text.index(content)
    offsets = (f"{cue_start}-{cue_start + len(cue)}|"
               f"{content_start}-{content_start + len(content)}")
    claim = CGD[f"claim/{str(article).rsplit('/', 1)[1]}/{_hex16(offsets)}"]
    graph = dataset.graph(article)
    for rdf_type in (SDO.Claim, PROV.Entity, CG.Attribution):
        graph.add((claim, RDF.type, rdf_type))
    graph.add((claim, SDO.text, Literal(content, lang="en")))
    graph.add((claim, CG.cueText, Literal(cue)))
    graph.add((claim, CG.cueLemma, Literal(CUE_LEMMAS[cue])))
    graph.add((claim, CG.quoteType, quote_type))
    graph.add((claim, CG.negated, Literal(False)))
    graph.add((claim, CG.confidence, Literal(1.0, datatype=XSD.double)))
    graph.add((claim, CG.extractionRule, Literal("hand-built")))
    graph.add((claim, PROV.wasAttributedTo, source))
    graph.add((claim, SDO.about, subject))
    graph.add((claim, SDO.appearance, article))
    return claim


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    dataset = Dataset(default_union=True)
    entities = dataset.graph(ENTITIES_GRAPH)
    for entity, (rdf_type, type_name) in ENTITY_TYPES.items():
        entities.add((entity, RDF.type, CG.Entity))
        entities.add((entity, RDF.type, rdf_type))
        entities.add((entity, SKOS.prefLabel, Literal(LABELS[entity], lang="en")))
        entities.add((entity, CG.entityType, Literal(type_name)))
        entities.add((entity, CG.entityKey, Literal(LABELS[entity])))
    entities.add((MINISTRY, SKOS.altLabel, Literal("the ministry", lang="en")))

    first = _article(dataset, "doc-1", FIRST_TEXT, "2020-10-01", "Shelling reported in Tartar")
    second = _article(dataset, "doc-2", SECOND_TEXT, "2020-10-05", "Ceasefire under strain")
    _claim(dataset, first, FIRST_TEXT, "said", "Armenian forces shelled Tartar overnight",
           MINISTRY, ARMENIA, CG.IndirectQuote)
    _claim(dataset, second, SECOND_TEXT, "said", "Armenia violated the ceasefire again",
           MINISTRY, ARMENIA, CG.DirectQuote)
    _claim(dataset, second, SECOND_TEXT, "accused", "the ministry of spreading lies",
           PASHINYAN, MINISTRY, CG.IndirectQuote)
    return dataset


@pytest.fixture(scope="module")
def rows(dataset: Dataset) -> list[dict]:
    return [row.asdict() for row in dataset.query(CLAIM_ROWS_QUERY)]


def _claim_node(graph, text: str) -> str:
    matches = [node for node, data in graph.nodes(data=True) if data.get("text") == text]
    assert len(matches) == 1, matches
    return matches[0]


def test_query_returns_one_row_per_claim_source_and_subject(rows):
    assert len(rows) == 3
    pairs = sorted((str(row["sourceLabel"]), str(row["subjectLabel"])) for row in rows)
    assert pairs == [("Azerbaijani Defence Ministry", "Armenia"),
                     ("Azerbaijani Defence Ministry", "Armenia"),
                     ("Nikol Pashinyan", "Azerbaijani Defence Ministry")]
    assert {str(row["date"]) for row in rows} == {"2020-10-01", "2020-10-05"}


def test_claim_graph_links_source_claim_and_subject(rows):
    graph = claim_graph(rows)
    shelling = _claim_node(graph, "Armenian forces shelled Tartar overnight")
    ceasefire = _claim_node(graph, "Armenia violated the ceasefire again")
    lies = _claim_node(graph, "the ministry of spreading lies")

    assert graph.number_of_nodes() == 6  # three entities, three claims
    assert set(graph.edges()) == {
        (str(MINISTRY), shelling), (shelling, str(ARMENIA)),
        (str(MINISTRY), ceasefire), (ceasefire, str(ARMENIA)),
        (str(PASHINYAN), lies), (lies, str(MINISTRY)),
    }
    assert graph.edges[str(MINISTRY), shelling]["relation"] == "says"
    assert graph.edges[shelling, str(ARMENIA)]["relation"] == "about"
    assert graph.edges[lies, str(MINISTRY)]["start"] == "2020-10-05"


def test_claim_graph_node_types_labels_and_claim_attributes(rows):
    graph = claim_graph(rows)
    types = {node: data["type"] for node, data in graph.nodes(data=True)}
    # The ministry speaks and is spoken about: one node, typed "source" by the documented rule.
    assert types[str(MINISTRY)] == "source"
    assert graph.nodes[str(MINISTRY)]["role"] == "both"
    assert types[str(PASHINYAN)] == "source"
    assert types[str(ARMENIA)] == "subject"
    assert sorted(types.values()).count("claim") == 3

    assert graph.nodes[str(MINISTRY)]["label"] == "Azerbaijani Defence Ministry"
    assert graph.nodes[str(PASHINYAN)]["entity_type"] == "person"
    assert graph.nodes[str(MINISTRY)]["start"] == "2020-10-01"  # its earliest claim
    assert graph.nodes[str(PASHINYAN)]["start"] == "2020-10-05"

    lies = graph.nodes[_claim_node(graph, "the ministry of spreading lies")]
    assert lies["label"] == "the ministry of spreading lies"
    assert lies["cue"] == "accused"
    assert lies["quote_type"] == "indirect"
    assert lies["negated"] is False
    assert lies["start"] == "2020-10-05"
    assert lies["article_title"] == "Ceasefire under strain"
    assert lies["article"].startswith(str(CGD["article/"]))
    ceasefire = graph.nodes[_claim_node(graph, "Armenia violated the ceasefire again")]
    assert ceasefire["quote_type"] == "direct"


def test_source_subject_graph_weights_count_distinct_claims(rows):
    graph = source_subject_graph(rows)
    assert set(graph.nodes) == {str(MINISTRY), str(ARMENIA), str(PASHINYAN)}
    assert set(graph.edges) == {(str(MINISTRY), str(ARMENIA)), (str(PASHINYAN), str(MINISTRY))}
    assert graph.edges[str(MINISTRY), str(ARMENIA)]["weight"] == 2
    assert graph.edges[str(MINISTRY), str(ARMENIA)]["start"] == "2020-10-01"
    assert graph.edges[str(PASHINYAN), str(MINISTRY)]["weight"] == 1
    assert graph.nodes[str(ARMENIA)]["type"] == "subject"
    assert graph.nodes[str(MINISTRY)]["type"] == "source"


def test_project_runs_the_query_through_a_select_callable(dataset):
    def select(query: str) -> list[dict]:
        return [row.asdict() for row in dataset.query(query)]

    sources = project(select, "sources")
    assert sources.edges[str(MINISTRY), str(ARMENIA)]["weight"] == 2
    claims = project(select)
    assert claims.number_of_nodes() == 6
    with pytest.raises(ValueError, match="unknown view"):
        project(select, "everything")  # type: ignore[arg-type]


def test_claim_without_source_or_subject_is_still_a_labelled_node():
    claim = CGD["claim/abc/def"]
    long_text = "The talks " + "went on and on " * 10 + "without result"
    rows = [{"claim": claim, "article": CGD["article/abc"], "text": Literal(long_text),
             "cue": Literal("reported"), "source": None, "subject": None}]
    graph = claim_graph(rows)
    assert list(graph.nodes) == [str(claim)]
    node = graph.nodes[str(claim)]
    assert node["type"] == "claim"
    assert node["label"].startswith("The talks went on") and node["label"].endswith("…")
    assert len(node["label"]) <= 80
    assert "start" not in node  # no article date: no time, and no None value either
    assert source_subject_graph(rows).number_of_nodes() == 0


def test_entity_without_label_falls_back_to_its_iri():
    rows = [{"claim": CGD["claim/abc/1"], "article": CGD["article/abc"],
             "source": CGD["entity/the-un"], "subject": ARMENIA,
             "subjectLabel": Literal("Armenia", lang="en")}]
    graph = source_subject_graph(rows)
    assert graph.nodes[str(CGD["entity/the-un"])]["label"] == "the-un"
    assert graph.nodes[str(ARMENIA)]["label"] == "Armenia"


def test_clean_attributes_leaves_only_scalars():
    graph = nx.DiGraph(name=None)
    graph.add_node(URIRef("urn:x"), label=Literal("X\x0b"), tags=["a", None, "b"],
                   count=Literal(3), missing=None, day=Literal("2020-10-01", datatype=XSD.date))
    graph.add_edge(URIRef("urn:x"), "urn:y", weight=2, start=None)
    cleaned = clean_attributes(graph)
    assert cleaned.graph == {}
    assert cleaned.nodes["urn:x"] == {"label": "X", "tags": "a; b", "count": 3,
                                      "day": "2020-10-01"}
    assert all(type(node) is str for node in cleaned)
    assert cleaned.edges["urn:x", "urn:y"] == {"weight": 2}


def test_projection_over_the_store_built_by_the_rdf_builder():
    """The same story through claimgraph's own builder and pyoxigraph store."""
    ministry = Entity("Azerbaijani Defence Ministry", "Azerbaijani Defence Ministry",
                      "organization")
    armenia = Entity("Armenia", "Armenia", "place")
    pashinyan = Entity("Nikol Pashinyan", "Nikol Pashinyan", "person")

    def mention(text: str, phrase: str, entity: Entity | None = None) -> Mention:
        start = text.index(phrase)
        return Mention(start, start + len(phrase), phrase, entity=entity)

    def attribution(text: str, source: tuple[str, Entity], cue: str, content: str,
                    subject: tuple[str, Entity]) -> Attribution:
        return Attribution(cue=mention(text, cue), content=mention(text, content),
                           source=mention(text, *source), subjects=(mention(text, *subject),))

    first = Document("doc-1", FIRST_TEXT, title="Shelling reported in Tartar", date="2020-10-01")
    second = Document("doc-2", SECOND_TEXT, title="Ceasefire under strain", date="2020-10-05")
    run = RunInfo("core_web_sm", "3.8.0")
    with Store.open(None) as store:
        store.add_article(first, [attribution(
            FIRST_TEXT, ("The Azerbaijani Defence Ministry", ministry), "said",
            "Armenian forces shelled Tartar overnight", ("Armenian", armenia))], run)
        store.add_article(second, [
            attribution(SECOND_TEXT, ("the ministry", ministry), "said",
                        "Armenia violated the ceasefire again", ("Armenia", armenia)),
            attribution(SECOND_TEXT, ("Pashinyan", pashinyan), "accused",
                        "the ministry of spreading lies", ("the ministry", ministry)),
        ], run)
        claims = project(store.select, "claims")
        sources = project(store.select, "sources")

    assert sorted(data["type"] for _, data in claims.nodes(data=True)) == [
        "claim", "claim", "claim", "source", "source", "subject"]
    lies = _claim_node(claims, "the ministry of spreading lies")
    assert set(claims.in_edges(lies)) == {(str(PASHINYAN), lies)}
    assert set(claims.out_edges(lies)) == {(lies, str(MINISTRY))}
    assert claims.nodes[lies]["cue"] == "accused"
    assert claims.nodes[lies]["start"] == "2020-10-05"
    assert claims.nodes[str(MINISTRY)]["label"] == "Azerbaijani Defence Ministry"
    assert claims.nodes[str(MINISTRY)]["start"] == "2020-10-01"

    assert sources.edges[str(MINISTRY), str(ARMENIA)]["weight"] == 2
    assert sources.edges[str(PASHINYAN), str(MINISTRY)]["weight"] == 1
    assert sources.nodes[str(ARMENIA)]["entity_type"] == "place"
