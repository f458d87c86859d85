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
    Topic: URIRef  # what a claim speaks of when no entity names it (a skos:Concept)
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
    topic: URIRef  # -> cg:Topic (a subproperty of schema:about)
    # subject role properties
    subject: URIRef  # -> the entity
    role: URIRef  # "agent", "patient", "beneficiary", ...
    # mention span properties
    refersTo: URIRef  # -> the canonical entity a source or subject mention refers to
    resolutionRule: URIRef  # the rule that resolved the mention (or merged the entity)
    # store-wide merging
    mergedInto: URIRef  # a short name's entity -> the fuller entity it stands for
    candidateEntity: URIRef  # -> a plausible fuller entity, when several left it apart
    # claims repeated across articles (claimgraph.graph.spread)
    ClaimCluster: URIRef  # the claims of several articles that state the same claim
    ClusterMembership: URIRef  # one claim's place in a cluster, with how it matched
    memberClaim: URIRef  # membership -> the claim
    inCluster: URIRef  # membership -> the cluster
    matchedClaim: URIRef  # membership -> the claim it was matched with
    similarity: URIRef  # membership -> the Jaccard similarity of the two texts' shingles
    matchMethod: URIRef  # membership -> "verbatim", "near-verbatim" or "paraphrase"
    creditsFirstSource: URIRef  # membership -> attributed to the first appearance's source
    firstClaim: URIRef  # cluster -> its first appearance
    firstAppearance: URIRef  # cluster -> the date of its first appearance
    articleCount: URIRef  # cluster -> the number of articles its claims appear in
    lshBand: URIRef  # claim -> a band key of its MinHash (the matching index)
    matchOrder: URIRef  # claim -> its place in the order claims were matched in
    indexedArticle: URIRef  # claim -> the article it was matched for (the index's)
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
