"""build_article follows the RDF model: IRIs, article, claims, spans, entities, run."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SDO, SH, SKOS, XSD
from sample_attributions import (
    DIRECT_CONTENT,
    INDIRECT_CONTENT,
    RUN,
    TEXT,
    mention,
    sample_attributions,
    sample_document,
)

from claimgraph.errors import InputError
from claimgraph.graph.rdf import (
    ENTITIES_GRAPH,
    RUNS_GRAPH,
    RunInfo,
    article_graph_iri,
    build_article,
    claim_iri,
    entity_iri,
    entity_slug,
    merge_entities,
    prepare_article,
    span_iri,
    span_offsets,
)
from claimgraph.graph.terms import to_oxigraph, to_rdflib
from claimgraph.ontology import CG, CGD, NIF, shapes_path
from claimgraph.records import Attribution, Entity


def sha16(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_article(sample_document(), sample_attributions(), RUN)


@pytest.fixture(scope="module")
def article() -> URIRef:
    return article_graph_iri(sample_document().id)


def claim_with_cue(graph: Graph, cue: str) -> URIRef:
    (claim,) = graph.subjects(CG.cueText, Literal(cue))
    return claim


def test_iris_follow_the_model() -> None:
    key = sha16("karabakh-2020-sample")
    assert article_graph_iri("karabakh-2020-sample") == CGD[f"article/{key}"]
    indirect = sample_attributions()[0]
    offsets = (f"{indirect.cue.start}-{indirect.cue.end}|"
               f"{indirect.content.start}-{indirect.content.end}")
    assert claim_iri("karabakh-2020-sample", indirect) == CGD[f"claim/{key}/{sha16(offsets)}"]
    assert span_iri(CGD[f"article/{key}"], 3, 9) == URIRef(f"{CGD}article/{key}#char=3,9")
    assert entity_iri("Nikol Pashinyan") == CGD["entity/nikol-pashinyan"]
    assert RUN.iri == CGD[f"run/{sha16('core_web_sm|3.8.0|0.1.0')}"]


def test_entity_slugs_are_lowercase_ascii() -> None:
    assert entity_slug("Nikol Pashinyan") == "nikol-pashinyan"
    assert entity_slug("São Tomé & Príncipe") == "sao-tome-principe"
    assert entity_slug("  U.S. State Department ") == "u-s-state-department"
    # no ASCII letters at all: the key's hash, not an empty slug
    assert entity_slug("Россия") == sha16("Россия")


def test_run_defaults_to_the_installed_claimgraph_version() -> None:
    assert RunInfo("core_web_sm", "3.8.0").software_version[0].isdigit()


def test_dataset_has_the_article_entities_and_runs_graphs(dataset: Dataset,
                                                          article: URIRef) -> None:
    names = {graph.identifier for graph in dataset.graphs() if len(graph)}
    assert names == {article, ENTITIES_GRAPH, RUNS_GRAPH}


def test_article_node(dataset: Dataset, article: URIRef) -> None:
    graph = dataset.graph(article)
    assert set(graph.objects(article, RDF.type)) == {SDO.NewsArticle, NIF.Context}
    assert graph.value(article, CG.articleId) == Literal("karabakh-2020-sample")
    assert graph.value(article, NIF.isString) == Literal(TEXT)
    assert graph.value(article, CG.textHash) == Literal(hashlib.sha256(TEXT.encode()).hexdigest())
    assert graph.value(article, SDO.headline) == Literal("Fighting flares in Karabakh")
    assert graph.value(article, SDO.url) == Literal("https://example.org/news/karabakh",
                                                    datatype=XSD.anyURI)
    assert graph.value(article, SDO.datePublished) == Literal("2020-09-27", datatype=XSD.date)
    assert graph.value(article, DCTERMS.publisher) == Literal("Example News")


def test_indirect_claim(dataset: Dataset, article: URIRef) -> None:
    graph = dataset.graph(article)
    claim = claim_with_cue(graph, "said")
    # schema:Claim and prov:Entity are what cg:Attribution is a subclass of (full detail)
    assert set(graph.objects(claim, RDF.type)) == {CG.Attribution}
    full = build_article(sample_document(), sample_attributions(), RUN, "full").graph(article)
    assert set(full.objects(claim, RDF.type)) == {SDO.Claim, PROV.Entity, CG.Attribution}
    assert graph.value(claim, SDO.text) == Literal(INDIRECT_CONTENT, lang="en")
    assert graph.value(claim, CG.cueLemma) == Literal("say")
    assert graph.value(claim, CG.cueClass) == Literal("assertion")
    assert graph.value(claim, CG.quoteType) == CG.IndirectQuote
    assert graph.value(claim, CG.negated) == Literal(False)
    assert graph.value(claim, CG.confidence) == Literal(1.0, datatype=XSD.double)
    assert graph.value(claim, CG.extractionRule) == Literal("reporting-verb-ccomp")
    assert graph.value(claim, CG.sourceText) == Literal("Armenian Prime Minister Nikol Pashinyan")
    assert graph.value(claim, PROV.wasAttributedTo) == CGD["entity/nikol-pashinyan"]
    assert set(graph.objects(claim, SDO.about)) == {CGD["entity/turkey"],
                                                    CGD["entity/azerbaijan"]}
    assert graph.value(claim, SDO.appearance) == article
    assert graph.value(claim, PROV.wasGeneratedBy) == RUN.iri


def test_direct_claim(dataset: Dataset, article: URIRef) -> None:
    graph = dataset.graph(article)
    claim = claim_with_cue(graph, "told")
    assert graph.value(claim, SDO.text) == Literal(DIRECT_CONTENT, lang="en")
    assert graph.value(claim, CG.quoteType) == CG.DirectQuote
    assert graph.value(claim, CG.confidence).toPython() == pytest.approx(0.9)
    assert set(graph.objects(claim, SDO.about)) == {CGD["entity/turkey"]}


def test_spans_are_their_offsets_in_the_text(dataset: Dataset, article: URIRef) -> None:
    """Lean, a span is its IRI: the offsets give back what the text holds there."""
    graph = dataset.graph(article)
    claim = claim_with_cue(graph, "said")
    spans = {CG.cueSpan: "said", CG.contentSpan: INDIRECT_CONTENT,
             CG.sourceSpan: "Armenian Prime Minister Nikol Pashinyan"}
    for prop, covered in spans.items():
        span = graph.value(claim, prop)
        begin, end = span_offsets(span)
        assert span == URIRef(f"{article}#char={begin},{end}")
        assert TEXT[begin:end] == covered
        assert set(graph.predicate_objects(span)) <= {
            (CG.refersTo, entity) for entity in graph.objects(span, CG.refersTo)} | {
            (CG.resolutionRule, rule) for rule in graph.objects(span, CG.resolutionRule)}
    # resolved subject mentions hang on their subject roles
    subjects = {TEXT[slice(*span_offsets(span))]
                for role in graph.objects(claim, CG.qualifiedSubject)
                for span in graph.objects(role, CG.subjectSpan)}
    assert subjects == {"Turkish", "Azerbaijan"}
    assert not list(graph.triples((None, NIF.anchorOf, None)))


def test_full_detail_spans_are_nif_strings_of_the_text(article: URIRef) -> None:
    graph = build_article(sample_document(), sample_attributions(), RUN, "full").graph(article)
    claim = claim_with_cue(graph, "said")
    spans = {
        CG.cueSpan: "said",
        CG.contentSpan: INDIRECT_CONTENT,
        CG.sourceSpan: "Armenian Prime Minister Nikol Pashinyan",
    }
    for prop, covered in spans.items():
        span = graph.value(claim, prop)
        start = TEXT.index(covered)
        assert span == URIRef(f"{article}#char={start},{start + len(covered)}")
        assert set(graph.objects(span, RDF.type)) == {NIF.String, NIF.OffsetBasedString}
        assert graph.value(span, NIF.beginIndex) == Literal(start,
                                                            datatype=XSD.nonNegativeInteger)
        assert graph.value(span, NIF.endIndex).toPython() == start + len(covered)
        assert graph.value(span, NIF.anchorOf) == Literal(covered)
        assert graph.value(span, NIF.referenceContext) == article
    subjects = {str(graph.value(span, NIF.anchorOf)) for span in
                graph.objects(claim, CG.subjectSpan)}
    assert subjects == {"Turkish", "Azerbaijan"}


def test_entities_are_merged_within_the_article(dataset: Dataset) -> None:
    entities = dataset.graph(ENTITIES_GRAPH)
    pashinyan = CGD["entity/nikol-pashinyan"]
    assert set(entities.objects(pashinyan, RDF.type)) == {CG.Entity, SDO.Person}
    assert entities.value(pashinyan, SKOS.prefLabel) == Literal("Nikol Pashinyan", lang="en")
    # both surface forms, from both attributions
    assert set(entities.objects(pashinyan, SKOS.altLabel)) == {
        Literal("Armenian Prime Minister Nikol Pashinyan", lang="en"),
        Literal("Pashinyan", lang="en")}
    assert entities.value(pashinyan, CG.entityType) == Literal("person")
    assert entities.value(pashinyan, CG.entityKey) == Literal("Nikol Pashinyan")
    turkey = CGD["entity/turkey"]
    assert set(entities.objects(turkey, RDF.type)) == {CG.Entity, SDO.Place}
    assert set(entities.objects(turkey, SKOS.altLabel)) == {Literal("Turkish", lang="en")}


def test_run_graph(dataset: Dataset) -> None:
    runs = dataset.graph(RUNS_GRAPH)
    assert set(runs.objects(RUN.iri, RDF.type)) == {PROV.Activity, CG.ExtractionRun}
    assert runs.value(RUN.iri, CG.pipelineName) == Literal("core_web_sm")
    assert runs.value(RUN.iri, CG.pipelineVersion) == Literal("3.8.0")
    assert runs.value(RUN.iri, CG.softwareVersion) == Literal("0.1.0")


def test_building_is_deterministic_and_has_no_blank_nodes(dataset: Dataset) -> None:
    again = build_article(sample_document(), sample_attributions(), RUN)
    assert set(again.quads()) == set(dataset.quads())
    for quad in dataset.quads():
        assert not any(isinstance(term, BNode) for term in quad)


@pytest.mark.parametrize("detail", ["lean", "full"])
def test_built_data_conforms_to_the_shapes(detail: str) -> None:
    union = Graph()
    built = build_article(sample_document(), sample_attributions(), RUN, detail)
    for subject, predicate, obj, _graph in built.quads():
        union.add((subject, predicate, obj))
    conforms, _report, text = pyshacl.validate(union, shacl_graph=str(shapes_path()))
    assert conforms, text


def test_the_shapes_check_a_lean_span_iri(dataset: Dataset, article: URIRef) -> None:
    union = Graph()
    for subject, predicate, obj, _graph in dataset.quads():
        union.add((subject, predicate, obj))
    claim = claim_with_cue(dataset.graph(article), "said")
    union.set((claim, CG.cueSpan, URIRef(f"{article}#offsets-unknown")))
    conforms, _report, text = pyshacl.validate(union, shacl_graph=str(shapes_path()))
    assert not conforms and "#char=BEGIN,END" in text


def test_full_detail_adds_the_derivable_triples(article: URIRef) -> None:
    """--detail full: the lean graph plus NIF strings (offsets, covered text, article) for
    every span, every mention span on its claim, the implied classes, cg:hedged false."""
    document, attributions = sample_document(), sample_attributions()
    lean = set(build_article(document, attributions, RUN).graph(article))
    full = set(build_article(document, attributions, RUN, "full").graph(article))
    # the entity statements differ only in their syntax (Turtle lean, N-Triples full)
    assert {p for _, p, _ in lean - full} == {CG.entityStatements}
    added = full - lean
    spans = {o for _, p, o in full if p in (CG.cueSpan, CG.contentSpan, CG.sourceSpan,
                                            CG.subjectSpan)}
    for span in spans:
        begin, end = span_offsets(span)
        assert (span, NIF.beginIndex, Literal(begin, datatype=XSD.nonNegativeInteger)) in added
        assert (span, NIF.anchorOf, Literal(TEXT[begin:end])) in added
        assert (span, NIF.referenceContext, article) in added
        assert (span, RDF.type, NIF.OffsetBasedString) in added
    said = next(s for s, p, o in full if p == CG.cueText and o == Literal("said"))
    assert {(said, RDF.type, SDO.Claim), (said, RDF.type, PROV.Entity),
            (said, CG.hedged, Literal(False))} <= added
    assert {p for _, p, _ in added} == {RDF.type, NIF.beginIndex, NIF.endIndex, NIF.anchorOf,
                                        NIF.referenceContext, CG.subjectSpan, CG.hedged,
                                        CG.entityStatements}


def test_mention_without_entity_stands_for_itself() -> None:
    text = "The ministry said the border was calm."
    attribution = Attribution(cue=mention(text, "said"),
                              content=mention(text, "the border was calm"),
                              source=mention(text, "The ministry"), quote_type="indirect")
    document = replace(sample_document(), text=text)
    entities = build_article(document, [attribution], RUN).graph(ENTITIES_GRAPH)
    ministry = CGD["entity/the-ministry"]
    assert set(entities.objects(ministry, RDF.type)) == {CG.Entity}
    assert entities.value(ministry, SKOS.prefLabel) == Literal("The ministry", lang="en")
    assert entities.value(ministry, CG.entityType) == Literal("other")


def test_attribution_without_source_has_no_source_statements() -> None:
    text = "Clashes were reported overnight, officials said."
    attribution = Attribution(cue=mention(text, "said"),
                              content=mention(text, "Clashes were reported overnight"))
    document = replace(sample_document(), text=text)
    graph = build_article(document, [attribution], RUN).graph(article_graph_iri(document.id))
    claim = claim_with_cue(graph, "said")
    for prop in (CG.sourceSpan, CG.sourceText, PROV.wasAttributedTo, SDO.about):
        assert graph.value(claim, prop) is None


def test_interrupted_quotation_reads_as_its_pieces() -> None:
    text = "\"We will not retreat,\" he said, \"not one step.\""
    first, second = "\"We will not retreat,\"", "\"not one step.\""
    start, end = 0, len(text)
    content = replace(mention(text, text), parts=((start, len(first)), (end - len(second), end)))
    attribution = Attribution(cue=mention(text, "said"), content=content,
                              source=mention(text, "he"), quote_type="direct")
    document = replace(sample_document(), text=text)
    graph = build_article(document, [attribution], RUN).graph(article_graph_iri(document.id))
    claim = claim_with_cue(graph, "said")
    assert graph.value(claim, SDO.text) == Literal(f"{first} {second}", lang="en")
    assert span_offsets(graph.value(claim, CG.contentSpan)) == (0, len(text))


def test_same_cue_and_content_twice_is_one_claim() -> None:
    indirect = sample_attributions()[0]
    twice = [indirect, replace(indirect, quote_type="mixed", rule="another-rule")]
    graph = build_article(sample_document(), twice, RUN).graph(
        article_graph_iri(sample_document().id))
    assert len(set(graph.subjects(RDF.type, CG.Attribution))) == 1
    assert set(graph.objects(None, CG.quoteType)) == {CG.IndirectQuote}


def test_mention_outside_the_text_is_an_input_error() -> None:
    broken = replace(sample_attributions()[0], cue=replace(
        sample_attributions()[0].cue, start=len(TEXT), end=len(TEXT) + 4))
    with pytest.raises(InputError, match="karabakh-2020-sample: the span"):
        build_article(sample_document(), [broken], RUN)


def test_dates_must_be_iso_8601() -> None:
    timestamp = replace(sample_document(), date="2020-09-27T08:15:00Z")
    article = article_graph_iri(timestamp.id)
    graph = build_article(timestamp, [], RUN).graph(article)
    assert graph.value(article, SDO.datePublished) == Literal("2020-09-27", datatype=XSD.date)
    with pytest.raises(InputError, match="27 September 2020"):
        build_article(replace(sample_document(), date="27 September 2020"), [], RUN)


def test_merge_keeps_the_better_label_and_adds_new_forms() -> None:
    pashinyan = CGD["entity/nikol-pashinyan"]
    stored = [(to_oxigraph(pashinyan), to_oxigraph(SKOS.prefLabel),
               ox.Literal("Nikol Pashinyan", language="en")),
              (to_oxigraph(pashinyan), to_oxigraph(CG.entityType), ox.Literal("person"))]
    text = "Prime Minister Pashinyan said peace was near."
    renamed = Entity(key="nikol pashinyan", label="N. Pashinyan", type="person")
    attribution = Attribution(
        cue=mention(text, "said"), content=mention(text, "peace was near"),
        source=mention(text, "Prime Minister Pashinyan", entity=renamed),
        subjects=(mention(text, "Pashinyan", entity=Entity(key="Nikol Pashinyan",
                                                            label="Nikol Pashinyan")),))
    document = replace(sample_document(), text=text)
    new = prepare_article(document, [attribution], RUN).entities
    merge = merge_entities(new, stored)
    added = Graph()
    for triple in merge.added:
        added.add(tuple(map(to_rdflib, triple)))
    # "Nikol Pashinyan" outranks "N. Pashinyan" (full words before initials): it stays
    assert set(added.objects(pashinyan, SKOS.prefLabel)) == set()
    assert set(added.objects(pashinyan, CG.entityType)) == set()
    assert merge.removed == ()
    assert set(added.objects(pashinyan, SKOS.altLabel)) == {
        Literal("N. Pashinyan", lang="en"), Literal("Prime Minister Pashinyan", lang="en"),
        Literal("Pashinyan", lang="en")}
    # an entity not stored yet comes whole
    whole = merge_entities(new, [])
    assert set(whole.added) == set(new) and whole.removed == ()


def test_shacl_reports_an_attribution_without_cue_text(dataset: Dataset,
                                                       article: URIRef) -> None:
    union = Graph()
    for subject, predicate, obj, _graph in dataset.quads():
        union.add((subject, predicate, obj))
    union.remove((claim_with_cue(dataset.graph(article), "told"), CG.cueText, None))
    conforms, report, _text = pyshacl.validate(union, shacl_graph=str(shapes_path()))
    assert not conforms
    assert set(report.objects(None, SH.resultPath)) == {CG.cueText}


def test_prepared_article_holds_the_triples_of_build_article() -> None:
    """What a store writes (prepare_article) is what build_article returns, term for term."""
    document, attributions = sample_document(), sample_attributions()
    prepared = prepare_article(document, attributions, RUN)
    dataset = build_article(document, attributions, RUN)
    written = {(to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
               for triple in ox.parse(prepared.ntriples, ox.RdfFormat.N_TRIPLES)}
    assert written == set(dataset.graph(prepared.iri))
    assert {tuple(map(to_rdflib, triple)) for triple in prepared.entities} == set(
        dataset.graph(ENTITIES_GRAPH))
    # literals keep rdflib's lexical forms: a double as str(float), a boolean, an offset
    confidence = f'"{float(attributions[0].confidence)}"^^<{XSD.double}>'
    assert confidence.encode() in prepared.ntriples
    assert f'"false"^^<{XSD.boolean}>'.encode() in prepared.ntriples
    cue = attributions[0].cue
    full = prepare_article(document, attributions, RUN, "full")
    assert f'"{cue.start}"^^<{XSD.nonNegativeInteger}>'.encode() in full.ntriples
