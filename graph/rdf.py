"""Turn one article and its attributions into RDF, following claimgraph's RDF model.

Everything about an article goes into one named graph whose name is the article's IRI;
the entities its attributions mention go into the shared entities graph and the
extraction run into the shared runs graph (the store merges those two across articles).
Every IRI is made from the data (hashes of ids and offsets, slugs of entity keys), so the
same input always gives the same quads, and there are no blank nodes.

The builder makes pyoxigraph terms, which the store writes as they are
(:func:`prepare_article`); :func:`build_article` gives the same triples as an rdflib dataset.

**Detail.** By default (``detail="lean"``) a graph leaves out what the rest of it, or the
ontology, gives back: a span is its IRI alone (``…/article/{hash}#char=b,e`` carries its
offsets, and the article's ``nif:isString`` its text: :func:`span_offsets`,
:func:`span_anchor_bindings`), a resolved subject mention's span hangs on its subject role
only, the classes that ``rdfs:subClassOf`` and ``rdfs:range`` give (an attribution's
``schema:Claim`` and ``prov:Entity``, ``cg:SubjectRole``, ``nif:String``,
``nif:OffsetBasedString``) are not written, nor ``cg:hedged false`` (no ``cg:hedged`` means
not hedged), and what an article says of its entities is Turtle with prefixes.
``detail="full"`` writes them all (NIF's ``beginIndex``, ``endIndex``, ``anchorOf`` and
``referenceContext`` on every span), for tools that read NIF without that reasoning: twice
the quads (``benchmarks/graph_size.py``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Literal, get_args

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SDO, SKOS, XSD

from claimgraph.errors import InputError
from claimgraph.graph.terms import OxigraphNamespace, OxTriple, to_oxigraph, to_rdflib
from claimgraph.loaders.jsonl import http_url
from claimgraph.ontology import CG, CGD, GEONAMES, NIF
from claimgraph.records import (
    ENTITY_KINDS,
    UNRESOLVED_RULE,
    Attribution,
    Document,
    Entity,
    Mention,
)

#: The named graph holding every entity, merged across articles.
ENTITIES_GRAPH = CGD["graph/entities"]
#: The named graph holding every extraction run.
RUNS_GRAPH = CGD["graph/runs"]
#: The named graph holding claim clusters (claims repeated across articles) and the
#: matching index (see :mod:`claimgraph.graph.spread`).
CLUSTERS_GRAPH = CGD["graph/claim-clusters"]
#: The language tag of claim texts and entity labels (the pipeline reads English).
TEXT_LANGUAGE = "en"

#: How much of what is derivable a graph spells out (see the module docstring).
Detail = Literal["lean", "full"]
#: The details, the default first.
DETAILS: tuple[str, ...] = get_args(Detail)

#: Prefixes claimgraph binds when it writes Turtle, TriG and query results. Data IRIs
#: (articles, claims, spans) have no prefix: as prefixed names they would need escapes.
PREFIXES: dict[str, str] = {
    "cg": str(CG._NS),
    "nif": str(NIF._NS),
    "schema": str(SDO),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "rdf": str(RDF),
    "owl": str(OWL),
    "entity": str(CGD["entity/"]),
    "run": str(CGD["run/"]),
    "graph": str(CGD["graph/"]),
}

# The vocabularies as pyoxigraph terms: the builder writes its triples with these (see
# Statements for why it does not use rdflib terms).
_CG = OxigraphNamespace(CG)
_NIF = OxigraphNamespace(NIF)
_RDF = OxigraphNamespace(RDF)
_SDO = OxigraphNamespace(SDO)
_DCTERMS = OxigraphNamespace(DCTERMS)
_OWL = OxigraphNamespace(OWL)
_PROV = OxigraphNamespace(PROV)
_SKOS = OxigraphNamespace(SKOS)
_XSD = OxigraphNamespace(XSD)

# The class each entity type adds to cg:Entity ("other" adds none).
_ENTITY_CLASSES: dict[str, ox.NamedNode] = {
    "person": _SDO.Person,
    "organization": _SDO.Organization,
    "place": _SDO.Place,
    "group": _CG.Group,
}
_QUOTE_TYPES: dict[str, ox.NamedNode] = {
    "direct": _CG.DirectQuote,
    "indirect": _CG.IndirectQuote,
    "mixed": _CG.MixedQuote,
}
_ENTITY_CLASS_SET = frozenset(_ENTITY_CLASSES.values())
# An attribution's classes; lean, cg:Attribution alone (rdfs:subClassOf the other two).
_CLAIM_CLASSES = (_SDO.Claim, _PROV.Entity, _CG.Attribution)
_LEAN_CLAIM_CLASSES = (_CG.Attribution,)
# When descriptions of one entity disagree on its type or kind, the first in these orders
# is kept (an unknown value ranks after them, in code point order).
_TYPE_ORDER = ("person", "organization", "place", "group", "other")
_KIND_ORDER = tuple(ENTITY_KINDS)


def _claimgraph_version() -> str:
    try:
        return version("claimgraph")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What produced the attributions: the spaCy pipeline and the claimgraph version."""

    pipeline_name: str
    pipeline_version: str
    software_version: str = field(default_factory=_claimgraph_version)

    @property
    def iri(self) -> URIRef:
        """Return the run's IRI, made from the pipeline name and version and claimgraph's."""
        key = f"{self.pipeline_name}|{self.pipeline_version}|{self.software_version}"
        return CGD[f"run/{_short_hash(key)}"]


# ---------------------------------------------------------------- IRIs


def _short_hash(text: str) -> str:
    """Return the first 16 hex digits of the SHA-256 of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def text_hash(text: str) -> str:
    """Return the SHA-256 of ``text`` (UTF-8) in lowercase hex: an article's ``cg:textHash``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_key(document_id: str) -> str:
    """Return the 16 hex digits that stand for an article in its IRIs."""
    return _short_hash(document_id)


def article_graph_iri(document_id: str) -> URIRef:
    """Return the article's IRI, which also names the graph holding everything about it."""
    return CGD[f"article/{article_key(document_id)}"]


def claim_iri(document_id: str, attribution: Attribution) -> URIRef:
    """Return the IRI of an attribution: its article plus its cue and content offsets."""
    cue, content = attribution.cue, attribution.content
    offsets = f"{cue.start}-{cue.end}|{content.start}-{content.end}"
    return CGD[f"claim/{article_key(document_id)}/{_short_hash(offsets)}"]


def cluster_iri(founder: str) -> URIRef:
    """Return the IRI of a claim cluster founded by the claim ``founder`` (an IRI)."""
    return CGD[f"cluster/{_short_hash(founder)}"]


def span_iri(article: URIRef, start: int, end: int) -> URIRef:
    """Return the IRI of the characters ``start:end`` of an article (NIF's ``#char=``)."""
    return URIRef(f"{article}#char={start},{end}")


_SPAN_OFFSETS = re.compile(r"#char=(\d+),(\d+)$")


def span_offsets(iri: str) -> tuple[int, int]:
    """Return the ``(begin, end)`` character offsets a span IRI (``…#char=b,e``) names.

    Raises :class:`ValueError` for an IRI that names no span.
    """
    found = _SPAN_OFFSETS.search(str(iri))
    if found is None:
        raise ValueError(f"not a span IRI (…#char=BEGIN,END): {iri}")
    return int(found[1]), int(found[2])


def span_anchor_bindings(span: str = "?span", text: str = "?text",
                         anchor: str = "?anchor") -> str:
    """Return SPARQL ``BIND``s that give the variable ``anchor`` the characters the span
    IRI in ``span`` names, out of its article's ``text`` (``nif:isString``): what NIF's
    ``nif:anchorOf`` says, for a store whichever ``detail`` it was written with. The
    offsets also come as ``{anchor}Begin`` and ``{anchor}End`` (SPARQL counts characters
    as Python does: code points)."""
    offsets, begin, end = f"{anchor}Offsets", f"{anchor}Begin", f"{anchor}End"
    return (f'BIND(STRAFTER(STR({span}), "#char=") AS {offsets}) '
            f'BIND(xsd:integer(STRBEFORE({offsets}, ",")) AS {begin}) '
            f'BIND(xsd:integer(STRAFTER({offsets}, ",")) AS {end}) '
            f"BIND(SUBSTR({text}, {begin} + 1, {end} - {begin}) AS {anchor})")


def entity_slug(key: str) -> str:
    """Return ``key`` as lowercase ASCII with each run of other characters turned into '-'.

    A key with no ASCII letters or digits (a name in another script) gets the hash of
    the key instead, so that such keys do not all share one IRI.
    """
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_key.lower()).strip("-")
    return slug or _short_hash(key)


def entity_iri(key: str) -> URIRef:
    """Return the IRI of the entity with this key."""
    return CGD[f"entity/{entity_slug(key)}"]


@lru_cache(maxsize=16384)
def _entity_node(key: str) -> ox.NamedNode:
    """Return :func:`entity_iri` as a pyoxigraph term; an entity recurs in many mentions and
    articles, and its slug takes a Unicode normalisation and a regex."""
    return to_oxigraph(entity_iri(key))


def geonames_iri(geonames_id: int) -> URIRef:
    """Return the GeoNames IRI of a feature (https://sws.geonames.org/{id}/): a place
    entity is ``owl:sameAs`` it."""
    return GEONAMES[f"{geonames_id}/"]


def topic_iri(topic: str) -> URIRef:
    """Return the IRI of the ``cg:Topic`` with this label ("voting fraud")."""
    return CGD[f"topic/{entity_slug(topic)}"]


def subject_role_iri(claim: URIRef, entity_key: str) -> URIRef:
    """Return the IRI of the ``cg:SubjectRole`` of one subject entity in a claim."""
    return URIRef(f"{claim}#subject-{entity_slug(entity_key)}")


#: Resolution rules (``Attribution.extra["resolution"]``) whose mention refers to an entity
#: without naming it: its text is evidence in the span, not a label of the entity.
REFERRING_RULES = ("pronoun", "relative pronoun", "pair", "description")


def mention_entity(mention: Mention) -> Entity:
    """Return the entity a mention refers to; a mention without one stands for itself."""
    return mention.entity or Entity(key=mention.text, label=mention.text)


# ---------------------------------------------------------------- the builder


class Statements:
    """The triples of one graph, as pyoxigraph terms, each once, in the order they were added.

    The builder needs only ``add`` and ``in`` of a graph. It makes pyoxigraph terms rather
    than rdflib ones and keeps them in a dict rather than an rdflib graph: on ingest's hot
    path, rdflib's term constructors and indexed graphs cost several times more, and the
    store takes pyoxigraph terms anyway. :func:`build_article` converts them for rdflib.
    """

    __slots__ = ("_triples",)

    def __init__(self) -> None:
        self._triples: dict[OxTriple, None] = {}

    def add(self, triple: OxTriple) -> None:
        self._triples[triple] = None

    def __contains__(self, triple: object) -> bool:
        return triple in self._triples

    def __iter__(self) -> Iterator[OxTriple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)


@dataclass(frozen=True, slots=True)
class ArticleRdf:
    """One article's RDF, built and ready for a store; small to pickle for ingest workers.

    ``ntriples`` is the article's own graph (named ``iri``) as N-Triples; ``entities`` the
    descriptions of the entities its claims mention (pyoxigraph terms), which the store
    merges into :data:`ENTITIES_GRAPH`; ``run`` goes to :data:`RUNS_GRAPH`.
    """

    iri: URIRef
    text_hash: str
    ntriples: bytes
    entities: tuple[OxTriple, ...]
    run: RunInfo
    attributions: int


def article_statements(document: Document, attributions: list[Attribution],
                       run: RunInfo, detail: Detail = "lean") -> tuple[Statements, Statements]:
    """Return the article's graph and its entity descriptions (see :func:`build_article`).

    Two attributions with the same cue and content offsets are one claim: the first is kept.
    Raises :class:`InputError` when a mention lies outside the text or a date is not ISO 8601.
    """
    builder = _ArticleBuilder(document, Statements(), run, detail)
    builder.add_article()
    for attribution in attributions:
        builder.add_attribution(attribution)
    entities = Statements()
    builder.add_entities(entities)
    builder.add_entity_support(entities)
    return builder.graph, entities


def build_article(document: Document, attributions: list[Attribution],
                  run: RunInfo, detail: Detail = "lean") -> Dataset:
    """Return the RDF of one article as a dataset of three named graphs.

    The article's graph (named :func:`article_graph_iri`) holds the article, its claims
    and their spans; :data:`ENTITIES_GRAPH` the entities the claims' sources and subjects
    refer to; :data:`RUNS_GRAPH` the run. The dataset queries as the union of its graphs.
    ``detail`` says how much of what is derivable is written (see the module docstring).
    Two attributions with the same cue and content offsets are one claim: the first is kept.
    Raises :class:`InputError` when a mention lies outside the text or a date is not ISO 8601.
    """
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    article, entities = article_statements(document, attributions, run, detail)
    for graph_name, statements in ((article_graph_iri(document.id), article),
                                   (ENTITIES_GRAPH, entities), (RUNS_GRAPH, run_statements(run))):
        graph = dataset.graph(graph_name)
        for subject, predicate, obj in statements:
            graph.add((to_rdflib(subject), to_rdflib(predicate), to_rdflib(obj)))
    return dataset


def prepare_article(document: Document, attributions: list[Attribution],
                    run: RunInfo, detail: Detail = "lean") -> ArticleRdf:
    """Build an article's RDF as a store writes it (see :class:`ArticleRdf`), with
    ``detail`` as :func:`build_article` has it.

    Raises :class:`InputError` as :func:`build_article` does.
    """
    article, entities = article_statements(document, attributions, run, detail)
    return ArticleRdf(iri=article_graph_iri(document.id), text_hash=text_hash(document.text),
                      ntriples=ntriples(article), entities=tuple(entities), run=run,
                      attributions=len(attributions))


def prepare_copy(document: Document, original: URIRef, run: RunInfo) -> ArticleRdf:
    """Build the graph of an article whose text is stored already as ``original``.

    The graph records where and when the text appeared again (its id, URL, date,
    publisher, ``schema:sameAs`` the original) but not the text and no claims: each story
    is extracted and counted once. Raises :class:`InputError` for a date that is not ISO.
    """
    builder = _ArticleBuilder(document, Statements(), run)
    builder.add_copy(to_oxigraph(original))
    return ArticleRdf(iri=article_graph_iri(document.id), text_hash=text_hash(document.text),
                      ntriples=ntriples(builder.graph), entities=(), run=run, attributions=0)


def parse_entity_statements(value: str) -> list[OxTriple]:
    """Return the triples of an article's ``cg:entityStatements`` (Turtle; N-Triples, which
    full detail and stores written before the lean graph hold, is Turtle too)."""
    return [(quad.subject, quad.predicate, quad.object)
            for quad in ox.parse(value.encode("utf-8"), ox.RdfFormat.TURTLE)]


# The prefixes of an article's entity statements in Turtle: the terms entities are described with.
_ENTITY_PREFIXES = {name: PREFIXES[name] for name in ("cg", "schema", "skos", "owl", "entity")}


def entity_statements_text(triples: Iterable[OxTriple], detail: Detail = "lean") -> str:
    """Return an article's entity statements as its ``cg:entityStatements`` holds them:
    Turtle with prefixes (a third of the N-Triples' size), N-Triples with full detail."""
    if detail == "full":
        return ntriples(triples).decode("utf-8")
    return ox.serialize((ox.Triple(*triple) for triple in triples), None, ox.RdfFormat.TURTLE,
                        prefixes=_ENTITY_PREFIXES).decode("utf-8")


def ntriples(triples: Iterable[OxTriple]) -> bytes:
    """Return triples as N-Triples (UTF-8), one a line, in the order given."""
    return ox.serialize((ox.Triple(*triple) for triple in triples), None,
                        ox.RdfFormat.N_TRIPLES)


def _text(value: str) -> ox.Literal:
    """Return a text in the pipeline's language (claim texts, entity labels)."""
    return ox.Literal(value, language=TEXT_LANGUAGE)


def _index(value: int) -> ox.Literal:
    """Return a character offset as a literal."""
    return ox.Literal(str(value), datatype=_XSD.nonNegativeInteger)


class _ArticleBuilder:
    """Writes one article's graph and collects the entities its claims refer to."""

    def __init__(self, document: Document, graph: Statements, run: RunInfo,
                 detail: Detail = "lean"):
        if detail not in DETAILS:
            raise ValueError(f"unknown detail {detail!r} (one of {', '.join(DETAILS)})")
        self.full = detail == "full"
        self.document = document
        self.article_iri = article_graph_iri(document.id)
        self.article = to_oxigraph(self.article_iri)
        self.graph = graph
        self.run = to_oxigraph(run.iri)
        # entity IRI -> every description of it the claims give, and every surface form
        # seen (dicts as ordered sets)
        self.entities: dict[ox.NamedNode, dict[Entity, None]] = {}
        self.forms: dict[ox.NamedNode, dict[str, None]] = {}

    def add_article(self) -> None:
        document, article, add = self.document, self.article, self.graph.add
        add((article, _RDF.type, _SDO.NewsArticle))
        add((article, _RDF.type, _NIF.Context))
        add((article, _CG.articleId, ox.Literal(document.id)))
        add((article, _NIF.isString, ox.Literal(document.text)))
        add((article, _CG.textHash, ox.Literal(text_hash(document.text))))
        self.add_metadata()

    def add_copy(self, original: ox.NamedNode) -> None:
        """Describe the article as a copy of ``original``: the same text stored there once."""
        document, article, add = self.document, self.article, self.graph.add
        add((article, _RDF.type, _SDO.NewsArticle))
        add((article, _CG.articleId, ox.Literal(document.id)))
        add((article, _CG.textHash, ox.Literal(text_hash(document.text))))
        add((article, _SDO.sameAs, original))
        self.add_metadata()

    def add_metadata(self) -> None:
        document, article, add = self.document, self.article, self.graph.add
        if document.author:
            add((article, _SDO.author, ox.Literal(document.author)))
        if document.language:
            add((article, _SDO.inLanguage, ox.Literal(document.language)))
        if document.retrieved:
            # When this text was fetched or archived: the copy the offsets index into.
            add((article, _PROV.generatedAtTime,
                 ox.Literal(document.retrieved, datatype=_XSD.dateTime)))
        if document.title:
            add((article, _SDO.headline, ox.Literal(document.title)))
        if document.url:
            url = http_url(document.url, document.path or document.id)
            add((article, _SDO.url, ox.Literal(url, datatype=_XSD.anyURI)))
        if document.date:
            add((article, _SDO.datePublished, ox.Literal(self._iso_date(), datatype=_XSD.date)))
        if document.publisher:
            add((article, _DCTERMS.publisher, ox.Literal(document.publisher)))

    def _iso_date(self) -> str:
        # Loaders give YYYY-MM-DD; a full timestamp keeps its date part.
        value = self.document.date or ""
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            raise InputError(f"{self.document.id}: the date {value!r} is not an ISO 8601 date "
                             "(YYYY-MM-DD)") from None

    def add_attribution(self, attribution: Attribution) -> None:
        claim_name = claim_iri(self.document.id, attribution)
        claim = to_oxigraph(claim_name)
        add = self.graph.add
        if (claim, _RDF.type, _CG.Attribution) in self.graph:
            return  # the same cue and content offsets again: keep the first reading
        for claim_class in _CLAIM_CLASSES if self.full else _LEAN_CLAIM_CLASSES:
            add((claim, _RDF.type, claim_class))
        add((claim, _SDO.text, _text(self._content_text(attribution.content))))
        add((claim, _CG.cueText, ox.Literal(attribution.cue.text)))
        if attribution.cue_lemma:
            add((claim, _CG.cueLemma, ox.Literal(attribution.cue_lemma)))
        if attribution.cue_class:
            add((claim, _CG.cueClass, ox.Literal(attribution.cue_class)))
        add((claim, _CG.quoteType, _QUOTE_TYPES[attribution.quote_type]))
        add((claim, _CG.negated, ox.Literal(bool(attribution.negated))))
        hedges = attribution.extra.get("hedges", ())
        hedged = bool(attribution.extra.get("hedged", hedges))
        if hedged or self.full:  # lean: no cg:hedged means not hedged
            add((claim, _CG.hedged, ox.Literal(hedged)))
        for hedge in hedges:
            add((claim, _CG.hedge, ox.Literal(hedge)))
        # str(float) is the lexical form rdflib gives a double ("1.0", "1e-07").
        add((claim, _CG.confidence, ox.Literal(str(float(attribution.confidence)),
                                               datatype=_XSD.double)))
        if attribution.rule:
            add((claim, _CG.extractionRule, ox.Literal(attribution.rule)))
        add((claim, _SDO.appearance, self.article))
        add((claim, _PROV.wasGeneratedBy, self.run))
        add((claim, _CG.cueSpan, self._span(attribution.cue)))
        add((claim, _CG.contentSpan, self._span(attribution.content)))
        # Why each mention is its entity: resolution's rule for the source and per subject.
        resolution = attribution.extra.get("resolution", {})
        if attribution.source is not None:
            source = attribution.source
            span, entity = self._resolved_span(source, resolution.get("source"))
            add((claim, _CG.sourceText, ox.Literal(source.text)))
            add((claim, _CG.sourceSpan, span))
            if entity is not None:
                add((claim, _PROV.wasAttributedTo, entity))
        subject_rules = resolution.get("subjects", [])
        for index, subject in enumerate(attribution.subjects):
            rule = subject_rules[index] if index < len(subject_rules) else None
            span, entity = self._resolved_span(subject, rule)
            if entity is None or self.full:
                # A resolved mention's span is its subject role's (below); lean, only there.
                add((claim, _CG.subjectSpan, span))
            if entity is None:
                continue
            add((claim, _SDO.about, entity))
            # One role node per subject entity: every mention of it in the content adds
            # its span (and its role, where the parse gives one).
            role = to_oxigraph(subject_role_iri(claim_name, mention_entity(subject).key))
            add((claim, _CG.qualifiedSubject, role))
            if self.full:  # the range of cg:qualifiedSubject
                add((role, _RDF.type, _CG.SubjectRole))
            add((role, _CG.subject, entity))
            add((role, _CG.subjectSpan, span))
            if subject.role:
                add((role, _CG.role, ox.Literal(subject.role)))
        topic = attribution.extra.get("topic")
        if topic:
            node = to_oxigraph(topic_iri(topic))
            add((claim, _CG.topic, node))
            add((node, _RDF.type, _CG.Topic))
            add((node, _SKOS.prefLabel, _text(topic)))

    def _content_text(self, content: Mention) -> str:
        # A quotation interrupted by its cue ("X," he said, "Y") reads as its pieces only.
        if not content.parts:
            return content.text
        return " ".join(self._covered(start, end).strip() for start, end in content.parts)

    def _covered(self, start: int, end: int) -> str:
        text = self.document.text
        if not 0 <= start < end <= len(text):
            raise InputError(f"{self.document.id}: the span {start}-{end} is empty or outside "
                             f"the text ({len(text)} characters)")
        return text[start:end]

    def _span(self, mention: Mention) -> ox.NamedNode:
        """Return the IRI of a mention's span; with full detail, add its NIF string (once).

        The mention is checked to lie in the text either way."""
        span = to_oxigraph(span_iri(self.article_iri, mention.start, mention.end))
        if not self.full:
            self._covered(mention.start, mention.end)
        elif (span, _RDF.type, _NIF.String) not in self.graph:
            add = self.graph.add
            add((span, _RDF.type, _NIF.String))
            add((span, _RDF.type, _NIF.OffsetBasedString))
            add((span, _NIF.beginIndex, _index(mention.start)))
            add((span, _NIF.endIndex, _index(mention.end)))
            add((span, _NIF.anchorOf, ox.Literal(self._covered(mention.start, mention.end))))
            add((span, _NIF.referenceContext, self.article))
        return span

    def _resolved_span(self, mention: Mention, rule: str | None
                       ) -> tuple[ox.NamedNode, ox.NamedNode | None]:
        """Add a source or subject mention's span, the entity it refers to and the rule
        that resolved it; return the span's IRI and the entity's (None when resolution
        left the mention unresolved: a pronoun, "who", "the president" with no referent)."""
        span = self._span(mention)
        if rule:
            self.graph.add((span, _CG.resolutionRule, ox.Literal(rule)))
        if mention.entity is None and rule == UNRESOLVED_RULE:
            return span, None
        entity = self._entity(mention, named=not (rule or "").startswith(REFERRING_RULES))
        self.graph.add((span, _CG.refersTo, entity))
        return span, entity

    def _entity(self, mention: Mention, *, named: bool = True) -> ox.NamedNode:
        """Note the entity a mention refers to and return its IRI; the mention's text
        becomes a label of the entity when it ``named`` it (not "he", "which", "the
        ministry")."""
        iri = self._note_entity(mention_entity(mention))
        if named:
            self.forms[iri][mention.text] = None
        return iri

    def _note_entity(self, entity: Entity) -> ox.NamedNode:
        """Note an entity and the members of a group (entities too); return its IRI."""
        iri = _entity_node(entity.key)
        descriptions = self.entities.setdefault(iri, {})
        self.forms.setdefault(iri, {})
        if entity not in descriptions:
            descriptions[entity] = None
            for member in entity.members:
                self._note_entity(member)
            if entity.affiliation is not None:
                self._note_entity(entity.affiliation)
        return iri

    def add_entities(self, graph: Statements) -> None:
        for iri, descriptions in self.entities.items():
            for triple in entity_description(iri, list(descriptions), list(self.forms[iri])):
                graph.add(triple)

    def add_entity_support(self, entities: Statements) -> None:
        """Record in the article's graph which entities it mentions and what it says of
        them, so that a store can rebuild an entity without this article."""
        for iri in self.entities:
            self.graph.add((self.article, _SDO.mentions, iri))
        if entities:
            self.graph.add((self.article, _CG.entityStatements, ox.Literal(
                entity_statements_text(entities, "full" if self.full else "lean"))))


# ---------------------------------------------------------------- entities


def entity_description(iri: ox.NamedNode, entities: list[Entity],
                       forms: list[str]) -> list[OxTriple]:
    """Return the description of the entity ``iri`` from what ``entities`` (every record
    with this IRI, usually one) and the surface forms of its mentions say about it.

    One value is kept for each single-valued property (see :func:`canonical_entity`);
    titles become ``schema:jobTitle``, a GeoNames id ``owl:sameAs``, a group's members
    ``schema:member`` and an unnamed person's organization ``schema:affiliation``.
    """
    statements: list[OxTriple] = []
    add = statements.append
    for entity in entities:
        add((iri, _RDF.type, _CG.Entity))
        if entity.type in _ENTITY_CLASSES:
            add((iri, _RDF.type, _ENTITY_CLASSES[entity.type]))
        add((iri, _SKOS.prefLabel, _text(entity.label)))
        statements += [(iri, _SKOS.altLabel, _text(label)) for label in entity.alt_labels]
        add((iri, _CG.entityType, ox.Literal(entity.type)))
        add((iri, _CG.entityKey, ox.Literal(entity.key)))
        if entity.kind:
            add((iri, _CG.entityKind, ox.Literal(entity.kind)))
        statements += [(iri, _SDO.jobTitle, _text(title)) for title in entity.titles]
        if entity.geonames_id is not None:
            add((iri, _OWL.sameAs, to_oxigraph(geonames_iri(entity.geonames_id))))
        statements += [(iri, _SDO.member, _entity_node(member.key))
                       for member in entity.members]
        if entity.affiliation is not None:
            add((iri, _SDO.affiliation, _entity_node(entity.affiliation.key)))
    statements += [(iri, _SKOS.altLabel, _text(form)) for form in forms]
    return canonical_entity(iri, statements)


#: An object of an entity's description: a literal or an IRI.
_Value = ox.Literal | ox.NamedNode


def _label_rank(label: _Value) -> tuple[bool, int, int, str]:
    """Rank a candidate preferred label, best first: a name before a lowercase phrase ("The
    ministry" before "the ministry"), then the fewest words ("Donald Trump" before "Donald
    J. Trump"), then the longest ("Nikol Pashinyan" before "N. Pashinyan"), then code
    point order."""
    text = label.value
    return (text[:1].islower(), len(text.split()), -len(text), text)


def _key_rank(key: _Value) -> tuple[bool, str]:
    """Rank a candidate entity key, best first: a lowercase key (made by resolution) before
    a mention's text, then code point order."""
    text = key.value
    return (text != text.lower(), text)


def _order_rank(order: tuple[str, ...]) -> Callable[[_Value], tuple[int, str]]:
    """Return a rank that puts the values of ``order`` first, in that order."""
    def rank(value: _Value) -> tuple[int, str]:
        text = value.value
        return (order.index(text) if text in order else len(order), text)
    return rank


def canonical_entity(iri: ox.NamedNode, statements: Iterable[OxTriple]) -> list[OxTriple]:
    """Return one entity's description with one value for each single-valued property.

    ``statements`` may hold several descriptions of the entity (several mentions, several
    articles, the stored description). Each single-valued property keeps the candidate a
    fixed rank puts first: the preferred label by :func:`_label_rank` (the other
    candidates become alternative labels), the type by :data:`_TYPE_ORDER` (with its
    class), the kind by :data:`_KIND_ORDER` among the kinds of that type, the key by
    :func:`_key_rank`. Other properties keep all their values.

    The best of a set does not depend on the order its members come in, and what is
    dropped could never win again, so describing an entity from this result plus new
    statements gives what describing it from all the statements at once gives: whatever
    the order articles are stored in, an entity ends up with the same description.
    """
    values: dict[ox.NamedNode, dict[_Value, None]] = {}
    for _subject, predicate, obj in statements:
        values.setdefault(predicate, {})[obj] = None

    def take(predicate: ox.NamedNode) -> list[_Value]:
        return list(values.pop(predicate, {}))

    labels = take(_SKOS.prefLabel)
    label = min(labels, key=_label_rank, default=None)
    entity_type = min(take(_CG.entityType), key=_order_rank(_TYPE_ORDER), default=None)
    type_name = entity_type.value if entity_type is not None else "other"
    kinds = [kind for kind in take(_CG.entityKind)
             if ENTITY_KINDS.get(kind.value, type_name) == type_name]
    kind = min(kinds, key=_order_rank(_KIND_ORDER), default=None)
    key = min(take(_CG.entityKey), key=_key_rank, default=None)
    classes = [rdf_class for rdf_class in take(_RDF.type) if rdf_class not in _ENTITY_CLASS_SET]
    if type_name in _ENTITY_CLASSES:
        classes.append(_ENTITY_CLASSES[type_name])
    # SKOS: a label is either preferred or alternative.
    alt_labels = [alt for alt in dict.fromkeys([*labels, *take(_SKOS.altLabel)]) if alt != label]

    result: list[OxTriple] = [(iri, _RDF.type, rdf_class) for rdf_class in classes]
    for predicate, value in ((_SKOS.prefLabel, label), (_CG.entityType, entity_type),
                             (_CG.entityKey, key), (_CG.entityKind, kind)):
        if value is not None:
            result.append((iri, predicate, value))
    result += [(iri, _SKOS.altLabel, alt) for alt in alt_labels]
    result += [(iri, predicate, obj) for predicate, objects in values.items()
               for obj in objects]
    return result


def run_statements(run: RunInfo) -> list[OxTriple]:
    """Return the description of an extraction run (for :data:`RUNS_GRAPH`)."""
    iri = to_oxigraph(run.iri)
    return [(iri, _RDF.type, _PROV.Activity), (iri, _RDF.type, _CG.ExtractionRun),
            (iri, _CG.pipelineName, ox.Literal(run.pipeline_name)),
            (iri, _CG.pipelineVersion, ox.Literal(run.pipeline_version)),
            (iri, _CG.softwareVersion, ox.Literal(run.software_version))]


@dataclass(frozen=True, slots=True)
class EntityMerge:
    """What merging new entity descriptions changes in the stored ones."""

    added: tuple[OxTriple, ...]
    removed: tuple[OxTriple, ...]  # a preferred label, type, kind or key that lost its place


def entity_iris(triples: Iterable[OxTriple]) -> list[ox.NamedNode]:
    """Return the entities (``a cg:Entity``) ``triples`` describe, each once, in order."""
    return list(dict.fromkeys(subject for subject, predicate, obj in triples
                              if predicate == _RDF.type and obj == _CG.Entity))


def merge_entities(new: Iterable[OxTriple], stored: Iterable[OxTriple]) -> EntityMerge:
    """Return the triples to add to and remove from the ``stored`` entity descriptions so
    that each entity ``new`` describes gets the description of both together.

    An entity not stored yet is added whole. For one already stored, each single-valued
    property keeps the value :func:`canonical_entity` ranks first among the stored and the
    new one, and labels that are not preferred become alternative labels. The result
    depends on the set of descriptions seen only: storing articles in another order gives
    the same entities.
    """
    new_by_entity = by_subject(new)
    stored_by_entity = by_subject(stored)
    added: list[OxTriple] = []
    removed: list[OxTriple] = []
    for entity in entity_iris(new):
        before = stored_by_entity.get(entity, [])
        after = canonical_entity(entity, [*before, *new_by_entity[entity]])
        stored_triples, merged_triples = set(before), set(after)
        added += [triple for triple in after if triple not in stored_triples]
        removed += [triple for triple in before if triple not in merged_triples]
    return EntityMerge(tuple(added), tuple(removed))


def by_subject(triples: Iterable[OxTriple]) -> dict[ox.NamedNode, list[OxTriple]]:
    """Return ``triples`` grouped by subject, in order."""
    grouped: dict[ox.NamedNode, list[OxTriple]] = {}
    for triple in triples:
        grouped.setdefault(triple[0], []).append(triple)
    return grouped
