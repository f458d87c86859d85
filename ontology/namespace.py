"""The vocabularies claimgraph writes, as rdflib namespaces.

``claimgraph.ttl`` (in this package) is the source of truth for the project's own terms;
``tests/test_ontology.py`` checks that :class:`CG` and the Turtle file agree.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

#: Where the project's data IRIs live: article/, claim/, entity/, span/, run/, graph/.
CGD = Namespace("https://w3id.org/claimgraph/id/")

#: The SPARQL 1.1 Service Description vocabulary (the endpoint describes itself with it).
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: GeoNames' own IRIs for its features (https://sws.geonames.org/{id}/): the places an
#: entity is ``owl:sameAs``.
GEONAMES = Namespace("https://sws.geonames.org/")


class CG(DefinedNamespace):
    """claimgraph's own ontology terms."""

    _NS = Namespace("https://w3id.org/claimgraph/ontology#")
    _fail = True

    # classes
    Attribution: URIRef  # a claim as attributed: schema:Claim and prov:Entity
    Entity: URIRef  # a canonical entity (person, organization, place, group)
    Group: URIRef  # a group of people or several actors ("both sides")
    QuoteType: URIRef
    ExtractionRun: URIRef  # a prov:Activity that ran the extraction pipeline
    SubjectRole: URIRef  # one subject of a claim with its role(s) in the claim
    # quote types
    DirectQuote: URIRef
    IndirectQuote: URIRef
    MixedQuote: URIRef
    # attribution properties
    quoteType: URIRef
    cueText: URIRef
    cueLemma: URIRef
    cueClass: URIRef
    negated: URIRef
    confidence: URIRef
    extractionRule: URIRef
    sourceSpan: URIRef  # -> nif:String with offsets of the source mention
    cueSpan: URIRef
    contentSpan: URIRef
    subjectSpan: URIRef
    sourceText: URIRef  # the source mention as written ("the ministry")
    hedged: URIRef  # whether the cue is hedged ("reportedly said")
    hedge: URIRef  # a hedge word on the cue, one per word
    qualifiedSubject: URIRef  # -> cg:SubjectRole
    # subject role properties
    subject: URIRef  # -> the entity
    role: URIRef  # "agent", "patient", "beneficiary", ...
    # mention span properties
    refersTo: URIRef  # -> the canonical entity a source or subject mention refers to
    resolutionRule: URIRef  # the rule that resolved the mention (or merged the entity)
    # store-wide merging
    mergedInto: URIRef  # a short name's entity -> the fuller entity it stands for
    candidateEntity: URIRef  # -> a plausible fuller entity, when several left it apart
    labelEvidence: URIRef  # how many articles write each casing of the label (JSON)
    # run properties
    pipelineName: URIRef
    pipelineVersion: URIRef
    softwareVersion: URIRef
    # entity properties
    entityType: URIRef
    entityKey: URIRef
    entityKind: URIRef  # "country", "city", "person", ...: refines cg:entityType
    # article properties
    articleId: URIRef
    textHash: URIRef  # sha256 hex digest of the article text, to detect changed articles
    entityStatements: URIRef  # what the article says of its entities, as Turtle


class NIF(DefinedNamespace):
    """The NIF 2.0 core terms claimgraph uses for character offsets."""

    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
    _fail = True

    Context: URIRef
    String: URIRef
    OffsetBasedString: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    anchorOf: URIRef
    isString: URIRef
    referenceContext: URIRef
