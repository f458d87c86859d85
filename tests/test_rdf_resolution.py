"""Resolution in the RDF graph: canonical sources and subjects, subject roles, cue meaning,
the rules that resolved each mention, and entities merged the same whatever the order.

The seed tests ingest ../shared/seed/karabakh-2020.txt (skipped without it) with the
default pipeline and ask the store in SPARQL.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SDO, SKOS
from sample_attributions import RUN, mention, sample_document

from claimgraph import Document, ingest, open_store
from claimgraph.graph.rdf import (
    ENTITIES_GRAPH,
    article_graph_iri,
    build_article,
    entity_iri,
    geonames_iri,
    span_offsets,
)
from claimgraph.graph.remote import RemoteStore
from claimgraph.graph.store import Store
from claimgraph.ontology import CG, shapes_path
from claimgraph.records import Attribution, Entity

#: (canonical source, cue class, canonical subject) of every claim; the subject is
#: unbound for a claim about nobody.
SOURCE_CLASS_SUBJECT = """
SELECT ?source ?class ?subject ?cue WHERE {
  ?claim prov:wasAttributedTo/skos:prefLabel ?source ;
         cg:cueClass ?class ; cg:cueText ?cue .
  OPTIONAL { ?claim schema:about/skos:prefLabel ?subject }
}"""


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory, nlp, seed_text: str):
    """A store holding the seed article, ingested with the default pipeline."""
    with open_store(tmp_path_factory.mktemp("seed") / "seed.store") as store:
        summary = ingest([Document(id="karabakh-2020", text=seed_text)], store, nlp)
        assert summary.added == 1
        yield store


def rows(store, sparql: str) -> list[dict[str, str | None]]:
    """Return the rows of a SELECT with every value as a string (None: unbound)."""
    return [{name: None if value is None else str(value) for name, value in row.items()}
            for row in store.select(sparql)]


def claim_with_cue(store, cue: str) -> URIRef:
    (row,) = store.select(f'SELECT ?claim WHERE {{ ?claim cg:cueText "{cue}" }}')
    return row["claim"]


# ---------------------------------------------------------------- the seed article


def test_canonical_source_cue_class_and_subject(seed_store) -> None:
    found = {(row["source"], row["class"], row["subject"])
             for row in rows(seed_store, SOURCE_CLASS_SUBJECT)}
    assert ("Nikol Pashinyan", "belief", "Turkey") in found  # "Turkish support"
    assert ("Turkey", "assertion", "Azerbaijan") in found  # "Ankara affirmed ... Baku"
    stated = {(row["source"], row["class"]) for row in rows(seed_store, SOURCE_CLASS_SUBJECT)
              if row["cue"] == "stated"}
    assert stated == {("Azerbaijani Foreign Ministry", "assertion")}  # "the ministry stated"


def test_a_filter_on_the_cue_class(seed_store) -> None:
    reports = rows(seed_store, """
        SELECT ?source ?cue WHERE {
          ?claim cg:cueClass ?class ; cg:cueText ?cue ;
                 prov:wasAttributedTo/skos:prefLabel ?source .
          FILTER (?class IN ("report", "belief"))
        } ORDER BY ?cue ?source""")
    assert [(row["source"], row["cue"]) for row in reports] == [
        ("Nikol Pashinyan", "considered"), ("Azerbaijan", "does not announce"),
        ("Armenia", "reported"), ("Armenia and Azerbaijan", "reported")]


def test_negation_and_hedging_are_on_the_claim(seed_store) -> None:
    negated = rows(seed_store, "SELECT ?cue WHERE { ?claim cg:negated true ; cg:cueText ?cue }")
    assert negated == [{"cue": "does not announce"}]
    assert rows(seed_store, "SELECT ?claim WHERE { ?claim cg:hedged true }") == []
    # the lean graph writes cg:hedged only where it is true
    assert rows(seed_store, "SELECT ?claim WHERE { ?claim cg:hedged false }") == []


def test_countries_are_the_same_as_their_geonames_feature(seed_store) -> None:
    turkey = entity_iri("turkey")
    assert bool(seed_store.query(f"ASK {{ <{turkey}> owl:sameAs "
                                 "<https://sws.geonames.org/298795/> }"))
    sameas = seed_store.select(f"SELECT ?iri WHERE {{ <{turkey}> owl:sameAs ?iri }}")
    assert [row["iri"] for row in sameas] == [geonames_iri(298795)]
    kinds = rows(seed_store, f"SELECT ?kind ?type WHERE {{ <{turkey}> cg:entityKind ?kind ; "
                             "cg:entityType ?type }")
    assert kinds == [{"kind": "country", "type": "place"}]


def anchor(text: str, span: str | None) -> str:
    """Return the characters of ``text`` a span IRI (…#char=b,e) names."""
    return text[slice(*span_offsets(span))]


def test_the_pashinyan_claim_has_turkey_as_its_agent(seed_store, seed_text: str) -> None:
    claim = claim_with_cue(seed_store, "considered")
    roles = [{"subject": row["subject"], "role": row["role"],
              "anchor": anchor(seed_text, row["span"])} for row in rows(seed_store, f"""
        SELECT ?subject ?role ?span WHERE {{
          <{claim}> cg:qualifiedSubject ?qualified .
          ?qualified cg:subject/skos:prefLabel ?subject ;
                     cg:role ?role ; cg:subjectSpan ?span .
        }}""")]
    assert {"subject": "Turkey", "role": "agent", "anchor": "Turkish"} in roles
    assert {"subject": "Azerbaijan", "role": "beneficiary", "anchor": "Azerbaijan"} in roles
    # the role node's IRI is the claim's, with the subject entity's slug
    assert bool(seed_store.query(f"ASK {{ <{claim}> cg:qualifiedSubject "
                                 f"<{claim}#subject-turkey> }}"))
    # schema:about stays, one per subject entity
    about = {row["subject"] for row in rows(seed_store, f"SELECT ?subject WHERE {{ <{claim}> "
                                                         "schema:about/skos:prefLabel ?subject }")}
    assert {"Turkey", "Azerbaijan"} <= about


def test_the_person_has_a_title_and_a_group_its_members(seed_store) -> None:
    pashinyan = entity_iri("nikol pashinyan")
    titles = rows(seed_store, f"SELECT ?title WHERE {{ <{pashinyan}> schema:jobTitle ?title }}")
    assert titles == [{"title": "Armenian Prime Minister"}]
    members = rows(seed_store, f"""
        SELECT ?member WHERE {{
          <{entity_iri("armenia and azerbaijan")}> a cg:Group ;
              schema:member/skos:prefLabel ?member }} ORDER BY ?member""")
    assert [row["member"] for row in members] == ["Armenia", "Azerbaijan"]


def test_an_unnamed_correspondent_speaks_for_afp(seed_store) -> None:
    # One SPARQL query: what did AFP report, through unnamed people who work for it?
    found = rows(seed_store, """
        SELECT ?written ?kind ?label ?claim WHERE {
          ?attribution prov:wasAttributedTo ?person ; cg:sourceText ?written ;
                       schema:text ?claim .
          ?person schema:affiliation/skos:prefLabel "AFP"@en ; cg:entityKind ?kind ;
                  skos:prefLabel ?label }""")
    assert [(row["written"], row["kind"], row["label"]) for row in found] == [
        ("an AFP correspondent", "unnamed person", "AFP correspondent")]
    # "A resident" speaks for no one: the claim links no entity and no node is made.
    unresolved = rows(seed_store, """
        SELECT ?person WHERE { ?claim cg:sourceText "A resident" .
                               OPTIONAL { ?claim prov:wasAttributedTo ?person } }""")
    assert unresolved == [{"person": None}]


def test_each_mention_span_says_its_entity_and_why(seed_store, seed_text: str) -> None:
    explained = {anchor(seed_text, row["span"]): (row["entity"], row["rule"])
                 for row in rows(seed_store, """
        SELECT ?span ?entity ?rule WHERE {
          ?claim cg:sourceSpan ?span .
          ?span cg:refersTo/skos:prefLabel ?entity ; cg:resolutionRule ?rule .
        }""")}
    assert explained["the ministry"] == (
        "Azerbaijani Foreign Ministry",
        "description 'the ministry': nearest match 'The Azerbaijani Foreign Ministry'")
    assert explained["which"] == ("Armenia", "relative pronoun: 'the Armenian side'")
    assert explained["Ankara"] == ("Turkey", "capital metonymy: Ankara as agent")
    subject_rules = [row["rule"] for row in rows(seed_store, """
        SELECT ?span ?rule WHERE {
          ?claim cg:cueText "affirmed" ; cg:qualifiedSubject/cg:subjectSpan ?span .
          ?span cg:resolutionRule ?rule }""") if anchor(seed_text, row["span"]) == "Baku"]
    assert subject_rules == ["capital metonymy: Baku as beneficiary"]


def test_the_exported_seed_data_conforms_to_the_shapes(seed_store, tmp_path: Path) -> None:
    turtle = tmp_path / "seed.ttl"
    seed_store.export(turtle)
    union = Graph().parse(turtle, format="turtle")
    conforms, _report, text = pyshacl.validate(union, shacl_graph=str(shapes_path()))
    assert conforms, text
    # and the shapes do check the new nodes: a subject role without its subject fails
    role = next(union.objects(None, CG.qualifiedSubject))
    union.remove((role, CG.subject, None))
    conforms, _report, text = pyshacl.validate(union, shacl_graph=str(shapes_path()))
    assert not conforms and "exactly one entity" in text


# ---------------------------------------------------------------- hedges, built by hand


def test_hedge_words_are_literals_on_the_claim() -> None:
    text = "The ministry reportedly said the border was calm."
    attribution = Attribution(
        cue=mention(text, "said"), content=mention(text, "the border was calm"),
        source=mention(text, "The ministry"), cue_lemma="say", cue_class="assertion",
        extra={"hedges": ["reportedly"], "hedged": True,
               "resolution": {"source": "organization name", "subjects": []}})
    document = replace(sample_document(), text=text)
    graph = build_article(document, [attribution], RUN).graph(article_graph_iri(document.id))
    claim = next(graph.subjects(RDF.type, CG.Attribution))
    assert graph.value(claim, CG.hedged) == Literal(True)
    assert list(graph.objects(claim, CG.hedge)) == [Literal("reportedly")]
    span = graph.value(claim, CG.sourceSpan)
    assert graph.value(span, CG.resolutionRule) == Literal("organization name")
    assert graph.value(span, CG.refersTo) == entity_iri("The ministry")


# ---------------------------------------------------------------- merging, in any order

#: Two articles that describe two entities differently: a person with an initial and no
#: type, then with the full name; a description that is not resolved, in two cases.
FIRST_TEXT = "N. Pashinyan said the ministry had lied."
SECOND_TEXT = "Prime Minister Nikol Pashinyan said The Ministry had lied again."


def conflicting_articles() -> list[tuple[Document, list[Attribution]]]:
    """Return the two articles of FIRST_TEXT and SECOND_TEXT with their attributions."""
    first = Attribution(
        cue=mention(FIRST_TEXT, "said"), content=mention(FIRST_TEXT, "the ministry had lied"),
        source=mention(FIRST_TEXT, "N. Pashinyan",
                       entity=Entity(key="nikol pashinyan", label="N. Pashinyan")),
        subjects=(mention(FIRST_TEXT, "the ministry"),))
    second = Attribution(
        cue=mention(SECOND_TEXT, "said"),
        content=mention(SECOND_TEXT, "The Ministry had lied again"),
        source=mention(SECOND_TEXT, "Prime Minister Nikol Pashinyan", entity=Entity(
            key="nikol pashinyan", label="Nikol Pashinyan", type="person", kind="person",
            titles=("Prime Minister",))),
        subjects=(mention(SECOND_TEXT, "The Ministry"),))
    return [(Document(id="first", text=FIRST_TEXT), [first]),
            (Document(id="second", text=SECOND_TEXT), [second])]


def entities_graph(store) -> set[tuple]:
    """Return the triples of the store's entities graph."""
    graph = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ENTITIES_GRAPH}> "
                            "{ ?s ?p ?o } }")
    return set(graph)


def test_entities_do_not_depend_on_the_order_articles_come_in() -> None:
    articles = conflicting_articles()
    pashinyan, ministry = entity_iri("nikol pashinyan"), entity_iri("the ministry")
    with Store.open(None) as forward, Store.open(None) as backward:
        for document, attributions in articles:
            forward.add_article(document, attributions, RUN)
            if document.id == "first":  # the label the second article will replace
                assert rows(forward, f"SELECT ?label WHERE {{ <{pashinyan}> skos:prefLabel "
                                     "?label }") == [{"label": "N. Pashinyan"}]
        for document, attributions in reversed(articles):
            backward.add_article(document, attributions, RUN)
        assert entities_graph(forward) == entities_graph(backward)
        # storing an article again (its graph replaced) changes no entity either
        document, attributions = articles[0]
        assert backward.add_article(document, attributions, RUN, force=True) == "replaced"
        assert entities_graph(forward) == entities_graph(backward)
        entities = Graph()
        for triple in entities_graph(forward):
            entities.add(triple)
    # In each order, one article's description gave way to the other's.
    assert set(entities.objects(pashinyan, SKOS.prefLabel)) == {Literal("Nikol Pashinyan",
                                                                        lang="en")}
    assert Literal("N. Pashinyan", lang="en") in set(entities.objects(pashinyan, SKOS.altLabel))
    assert set(entities.objects(pashinyan, RDF.type)) == {CG.Entity, SDO.Person}
    assert entities.value(pashinyan, CG.entityType) == Literal("person")
    assert entities.value(pashinyan, SDO.jobTitle) == Literal("Prime Minister", lang="en")
    assert set(entities.objects(ministry, SKOS.prefLabel)) == {Literal("The Ministry",
                                                                       lang="en")}
    assert set(entities.objects(ministry, SKOS.altLabel)) == {Literal("the ministry",
                                                                      lang="en")}
    assert set(entities.objects(ministry, CG.entityKey)) == {Literal("the ministry")}
    assert OWL.sameAs not in set(entities.predicates(ministry))


@pytest.mark.parametrize("server", ["oxigraph_server", "virtuoso_server"])
def test_a_sparql_server_merges_entities_as_the_embedded_store_does(server: str,
                                                                    request) -> None:
    articles = conflicting_articles()
    with Store.open(None) as local, RemoteStore(request.getfixturevalue(server)) as remote:
        for document, attributions in articles:
            local.add_article(document, attributions, RUN)
        # the other order: the server must delete the first article's preferred label
        for document, attributions in reversed(articles):
            remote.add_article(document, attributions, RUN)
        assert entities_graph(remote) == entities_graph(local)


def test_ingesting_in_either_order_gives_the_same_entities(tmp_path: Path, nlp,
                                                           seed_text: str) -> None:
    documents = [Document(id="karabakh-2020", text=seed_text),
                 Document(id="follow-up", text=(
                     "Turkish President Recep Tayyip Erdogan said Ankara would stand by "
                     "Azerbaijan. Pashinyan told reporters that Turkey was behind the war, "
                     "and the ministry in Baku said Armenia had shelled Ganja."))]
    with open_store(tmp_path / "forward") as forward, \
            open_store(tmp_path / "backward") as backward:
        assert ingest(documents, forward, nlp).added == 2
        assert ingest(list(reversed(documents)), backward, nlp).added == 2
        assert entities_graph(forward) == entities_graph(backward)
        assert len(entities_graph(forward)) > 50


def test_pronouns_and_descriptions_are_not_labels_of_entities(nlp, seed_text, tmp_path) -> None:
    from claimgraph import Document, ingest, open_store

    with open_store(tmp_path / "labels.store") as store:
        ingest([Document(id="karabakh-2020", text=seed_text)], store, nlp)
        rows = store.select("""
            SELECT ?key ?label WHERE {
              ?entity cg:entityKey ?key ; skos:altLabel|skos:prefLabel ?label }""")
    labels: dict[str, set[str]] = {}
    for row in rows:
        labels.setdefault(str(row["key"]), set()).add(str(row["label"]))
    assert "Ankara" in labels["turkey"] and "it" not in labels["turkey"]
    assert "which" not in labels["armenia"]
    assert "the ministry" not in labels["azerbaijan foreign ministry"]
