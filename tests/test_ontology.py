"""The ontology (claimgraph.ttl) and the CG namespace agree; the SHACL shapes load."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SDO, SH, XSD

from claimgraph.ontology import CG, NIF, ontology_path, shapes_path

ONTOLOGY_IRI = URIRef("https://w3id.org/claimgraph/ontology")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def cg_terms() -> set[URIRef]:
    return {CG[name] for name in CG.__annotations__}


def test_namespace_and_turtle_list_the_same_terms(ontology: Graph) -> None:
    defined = {subject for subject in ontology.subjects()
               if isinstance(subject, URIRef) and subject.startswith(str(CG._NS))}
    assert defined == cg_terms()


def test_every_term_has_a_label_and_a_comment(ontology: Graph) -> None:
    for term in cg_terms():
        assert ontology.value(term, RDFS.label) is not None, term
        assert len(str(ontology.value(term, RDFS.comment))) > 20, term


def test_terms_are_typed_and_properties_have_domain_and_range(ontology: Graph) -> None:
    for term in cg_terms():
        types = set(ontology.objects(term, RDF.type))
        assert types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, CG.QuoteType}, term
        if types & {OWL.ObjectProperty, OWL.DatatypeProperty}:
            assert ontology.value(term, RDFS.domain) is not None, term
            assert ontology.value(term, RDFS.range) is not None, term


def test_ontology_reuses_schema_org_prov_and_nif(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert set(ontology.objects(CG.Attribution, RDFS.subClassOf)) == {SDO.Claim, PROV.Entity}
    assert (CG.ExtractionRun, RDFS.subClassOf, PROV.Activity) in ontology
    assert (CG.Group, RDFS.subClassOf, CG.Entity) in ontology
    assert ontology.value(CG.contentSpan, RDFS.range) == NIF.OffsetBasedString
    assert ontology.value(CG.confidence, RDFS.range) == XSD.double
    assert ontology.value(CG.articleId, RDFS.domain) == SDO.NewsArticle
    quote_types = {CG.DirectQuote, CG.IndirectQuote, CG.MixedQuote}
    assert set(ontology.subjects(RDF.type, CG.QuoteType)) == quote_types


def test_shapes_cover_each_kind_of_node_we_write(shapes: Graph) -> None:
    targets = set(shapes.objects(None, SH.targetClass))
    assert {SDO.NewsArticle, CG.Attribution, NIF.OffsetBasedString, CG.Entity,
            CG.ExtractionRun} <= targets
    # an attribution has exactly one cue text
    cue_text = shapes.value(predicate=SH.path, object=CG.cueText)
    assert shapes.value(cue_text, SH.minCount).toPython() == 1
    assert shapes.value(cue_text, SH.maxCount).toPython() == 1


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    # pyshacl validates the shapes graph against the SHACL-SHACL meta shapes.
    conforms, _report, text = pyshacl.validate(shapes, shacl_graph=shapes, meta_shacl=True)
    assert conforms, text
