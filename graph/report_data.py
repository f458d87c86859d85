"""What the HTML report shows, read from a store with SPARQL: plain records, one page at a time.

Each function runs a few queries through ``select`` (a SPARQL SELECT string to rows of
rdflib terms, as :meth:`claimgraph.graph.store.BaseStore.select` gives) and returns
dataclasses, so the report never holds more than one article or one entity in memory
besides the lists of names (:func:`article_summaries`, :func:`entity_summaries`).
Article texts come back from the store (``nif:isString``), so an article page is rebuilt
from the store alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from rdflib.namespace import OWL, SDO, SKOS

from claimgraph.graph.projection import Row
from claimgraph.graph.rdf import ENTITIES_GRAPH, PREFIXES, span_anchor_bindings, span_offsets
from claimgraph.ontology import CG

Select = Callable[[str], Sequence[Row]]

# Declared in the queries themselves: a remote store does not predeclare them.
_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


def _text(value: object | None) -> str:
    return "" if value is None else str(value)


def _int(value: object | None) -> int:
    return 0 if value is None else int(value.toPython())  # type: ignore[attr-defined]


def entity_page_name(iri: str) -> str:
    """Return the file stem of an entity's page: the last segment of its IRI (a slug)."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def article_page_name(iri: str) -> str:
    """Return the file stem of an article's page: the hash at the end of its IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------- the whole store


@dataclass(frozen=True, slots=True)
class Ranked:
    """An entity and how many claims count for it (in a top list or a counterpart list)."""

    iri: str
    label: str
    claims: int


@dataclass(slots=True)
class Overview:
    """The counts the index page shows."""

    articles: int = 0
    attributions: int = 0
    entities: int = 0
    cue_classes: list[tuple[str, int]] = field(default_factory=list)
    top_sources: list[Ranked] = field(default_factory=list)
    top_subjects: list[Ranked] = field(default_factory=list)


def _count(select: Select, pattern: str) -> int:
    rows = select(f"{_PREFIXES}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
    return _int(rows[0]["n"]) if rows else 0


def _ranked(select: Select, predicate: str, limit: int) -> list[Ranked]:
    rows = select(f"""{_PREFIXES}
SELECT ?entity (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?claim) AS ?n) WHERE {{
  ?claim a cg:Attribution ; {predicate} ?entity .
  OPTIONAL {{ ?entity skos:prefLabel ?name }}
}} GROUP BY ?entity ORDER BY DESC(?n) ?entity LIMIT {limit}""")
    return [Ranked(str(row["entity"]), _text(row["label"]) or entity_page_name(str(row["entity"])),
                   _int(row["n"])) for row in rows]


def overview(select: Select, *, top: int = 15) -> Overview:
    """Return the store's counts, its claims per cue class and its ``top`` sources and subjects."""
    cue_rows = select(f"""{_PREFIXES}
SELECT ?cueClass (COUNT(DISTINCT ?claim) AS ?n) WHERE {{
  ?claim a cg:Attribution . OPTIONAL {{ ?claim cg:cueClass ?cueClass }}
}} GROUP BY ?cueClass ORDER BY DESC(?n) ?cueClass""")
    return Overview(
        articles=_count(select, "?x a schema:NewsArticle"),
        attributions=_count(select, "?x a cg:Attribution"),
        entities=_count(select, "?x a cg:Entity"),
        cue_classes=[(_text(row["cueClass"]) or "unclassified", _int(row["n"]))
                     for row in cue_rows],
        top_sources=_ranked(select, "prov:wasAttributedTo", top),
        top_subjects=_ranked(select, "schema:about", top),
    )


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """An article as lists show it."""

    iri: str
    title: str
    date: str
    claims: int


def article_summaries(select: Select) -> list[ArticleSummary]:
    """Return every article with its title (headline, else its id), date and claim count,
    newest first."""
    rows = select(f"""{_PREFIXES}
SELECT ?article (SAMPLE(?id) AS ?articleId) (SAMPLE(?headline) AS ?title)
       (SAMPLE(?day) AS ?date) (COUNT(DISTINCT ?claim) AS ?n) WHERE {{
  GRAPH ?article {{
    ?article a schema:NewsArticle .
    OPTIONAL {{ ?article cg:articleId ?id }}
    OPTIONAL {{ ?article schema:headline ?headline }}
    OPTIONAL {{ ?article schema:datePublished ?day }}
    OPTIONAL {{ ?claim a cg:Attribution }}
  }}
}} GROUP BY ?article ORDER BY DESC(?date) ?article""")
    return [ArticleSummary(str(row["article"]),
                           _text(row["title"]) or _text(row["articleId"]),
                           _text(row["date"]), _int(row["n"])) for row in rows]


@dataclass(frozen=True, slots=True)
class EntitySummary:
    """An entity as the index and the search box list it."""

    iri: str
    label: str
    entity_type: str
    said: int
    said_about: int

    @property
    def claims(self) -> int:
        """Return the claims the entity made or is a subject of."""
        return self.said + self.said_about


def entity_summaries(select: Select) -> list[EntitySummary]:
    """Return every entity that is a source or a subject, most claims first."""
    rows = select(f"""{_PREFIXES}
SELECT ?entity (SAMPLE(?name) AS ?label) (SAMPLE(?kind) AS ?type)
       (COUNT(DISTINCT ?said) AS ?saidCount) (COUNT(DISTINCT ?about) AS ?aboutCount) WHERE {{
  {{ ?said prov:wasAttributedTo ?entity }} UNION {{ ?about schema:about ?entity }}
  OPTIONAL {{ ?entity skos:prefLabel ?name }}
  OPTIONAL {{ ?entity cg:entityType ?kind }}
}} GROUP BY ?entity""")
    summaries = [EntitySummary(str(row["entity"]),
                               _text(row["label"]) or entity_page_name(str(row["entity"])),
                               _text(row["type"]) or "other",
                               _int(row["saidCount"]), _int(row["aboutCount"]))
                 for row in rows]
    summaries.sort(key=lambda entity: (-entity.claims, entity.label.casefold(), entity.iri))
    return summaries


# ---------------------------------------------------------------- one article


@dataclass(frozen=True, slots=True)
class SpanRef:
    """A source, cue, content or subject span of an attribution, and its entity if any."""

    role: str  # "SOURCE", "CUE", "CONTENT" or "SUBJECT"
    start: int
    end: int
    entity: str = ""
    entity_label: str = ""


@dataclass(slots=True)
class ClaimView:
    """One attribution of an article, as its page lists it."""

    iri: str
    cue: str
    cue_class: str
    text: str
    spans: list[SpanRef] = field(default_factory=list)

    def first(self, role: str) -> SpanRef | None:
        """Return the first span with ``role``, or ``None``."""
        return next((span for span in self.spans if span.role == role), None)

    @property
    def subjects(self) -> list[SpanRef]:
        """Return the subject spans, one per entity."""
        seen: dict[str, SpanRef] = {}
        for span in self.spans:
            if span.role == "SUBJECT" and span.entity:
                seen.setdefault(span.entity, span)
        return list(seen.values())


@dataclass(slots=True)
class ArticleView:
    """An article's stored text, metadata and attributions."""

    iri: str
    article_id: str
    text: str
    title: str = ""
    date: str = ""
    url: str = ""
    publisher: str = ""
    claims: list[ClaimView] = field(default_factory=list)


# A subject mention's span hangs on its subject role (and on the claim where it resolved to
# no entity, or with full detail).
_SPAN_PREDICATES = {"SOURCE": "cg:sourceSpan", "CUE": "cg:cueSpan", "CONTENT": "cg:contentSpan",
                    "SUBJECT": "cg:subjectSpan|cg:qualifiedSubject/cg:subjectSpan"}


def article_view(select: Select, iri: str) -> ArticleView:
    """Return the article ``iri`` with its text and every attribution's spans."""
    meta = select(f"""{_PREFIXES}
SELECT ?id ?text ?title ?date ?url ?publisher WHERE {{ GRAPH <{iri}> {{
  <{iri}> nif:isString ?text .
  OPTIONAL {{ <{iri}> cg:articleId ?id }}
  OPTIONAL {{ <{iri}> schema:headline ?title }}
  OPTIONAL {{ <{iri}> schema:datePublished ?date }}
  OPTIONAL {{ <{iri}> schema:url ?url }}
  OPTIONAL {{ <{iri}> dcterms:publisher ?publisher }}
}} }} LIMIT 1""")
    if not meta:
        raise LookupError(f"no article text stored for {iri}")
    row = meta[0]
    article = ArticleView(iri, _text(row["id"]), _text(row["text"]), _text(row["title"]),
                          _text(row["date"]), _text(row["url"]), _text(row["publisher"]))
    unions = " UNION ".join(f'{{ ?claim {predicate} ?span BIND("{role}" AS ?role) }}'
                            for role, predicate in _SPAN_PREDICATES.items())
    rows = select(f"""{_PREFIXES}
SELECT DISTINCT ?claim ?cue ?cueClass ?claimText ?role ?span ?entity ?label WHERE {{
  GRAPH <{iri}> {{
    ?claim a cg:Attribution .
    OPTIONAL {{ ?claim cg:cueText ?cue }}
    OPTIONAL {{ ?claim cg:cueClass ?cueClass }}
    OPTIONAL {{ ?claim schema:text ?claimText }}
    {unions}
  }}
  OPTIONAL {{ ?span cg:refersTo ?entity . OPTIONAL {{ ?entity skos:prefLabel ?label }} }}
}}""")
    claims: dict[str, ClaimView] = {}
    # A span's IRI carries its offsets (…#char=begin,end): sorted by claim, then begin.
    for row in sorted(rows, key=lambda row: (str(row["claim"]), span_offsets(row["span"]),
                                             _text(row["role"]))):
        claim = claims.setdefault(str(row["claim"]), ClaimView(
            str(row["claim"]), _text(row["cue"]), _text(row["cueClass"]),
            _text(row["claimText"])))
        begin, end = span_offsets(row["span"])
        span = SpanRef(_text(row["role"]), begin, end, _text(row["entity"]),
                       _text(row["label"]))
        if span not in claim.spans:
            claim.spans.append(span)
    article.claims = sorted(claims.values(), key=_claim_position)
    return article


def _claim_position(claim: ClaimView) -> tuple[int, str]:
    cue = claim.first("CUE")
    return (cue.start if cue else 0, claim.iri)


# ---------------------------------------------------------------- one entity


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """A claim in an entity's lists: its counterpart is the subject (said) or source (about)."""

    claim: str
    cue: str
    cue_class: str
    text: str
    article: str
    article_title: str
    date: str
    counterpart: str
    counterpart_label: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """A rule that resolved mentions to this entity, with an example and how often."""

    rule: str
    example: str
    mentions: int


@dataclass(slots=True)
class EntityView:
    """Everything an entity page shows."""

    iri: str
    label: str
    entity_type: str = ""
    kind: str = ""
    alt_labels: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)
    members: list[Ranked] = field(default_factory=list)
    said: list[ClaimLine] = field(default_factory=list)
    said_about: list[ClaimLine] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)

    def counterparts(self, lines: list[ClaimLine], limit: int = 10) -> list[Ranked]:
        """Return the entities at the other end of ``lines``, most claims first."""
        counts: dict[str, set[str]] = {}
        labels: dict[str, str] = {}
        for line in lines:
            if line.counterpart:
                counts.setdefault(line.counterpart, set()).add(line.claim)
                labels.setdefault(line.counterpart, line.counterpart_label)
        ranked = [Ranked(iri, labels[iri] or entity_page_name(iri), len(claims))
                  for iri, claims in counts.items()]
        ranked.sort(key=lambda entry: (-entry.claims, entry.label.casefold()))
        return ranked[:limit]


def _claim_lines(select: Select, iri: str, own: str, other: str) -> list[ClaimLine]:
    rows = select(f"""{_PREFIXES}
SELECT ?claim ?cue ?cueClass ?text ?article ?title ?articleId ?date ?other ?otherLabel WHERE {{
  ?claim {own} <{iri}> ; schema:appearance ?article .
  OPTIONAL {{ ?claim cg:cueText ?cue }}
  OPTIONAL {{ ?claim cg:cueClass ?cueClass }}
  OPTIONAL {{ ?claim schema:text ?text }}
  OPTIONAL {{ ?article schema:headline ?title }}
  OPTIONAL {{ ?article cg:articleId ?articleId }}
  OPTIONAL {{ ?article schema:datePublished ?date }}
  OPTIONAL {{ ?claim {other} ?other . OPTIONAL {{ ?other skos:prefLabel ?otherLabel }} }}
}} ORDER BY ?date ?article ?claim ?other""")
    return [ClaimLine(str(row["claim"]), _text(row["cue"]), _text(row["cueClass"]),
                      _text(row["text"]), str(row["article"]),
                      _text(row["title"]) or _text(row["articleId"]), _text(row["date"]),
                      _text(row["other"]), _text(row["otherLabel"])) for row in rows]


def entity_view(select: Select, iri: str) -> EntityView:
    """Return what is stored about the entity ``iri``: its description, its claims, the
    claims about it and the resolution rules that made mentions into it."""
    rows = select(f"""{_PREFIXES}
SELECT ?p ?o ?memberLabel WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{
  <{iri}> ?p ?o .
  OPTIONAL {{ ?o skos:prefLabel ?memberLabel }}
}} }}""")
    entity = EntityView(iri, entity_page_name(iri))
    for row in rows:
        predicate, value = str(row["p"]), _text(row["o"])
        if predicate == str(SKOS.prefLabel):
            entity.label = value
        elif predicate == str(SKOS.altLabel):
            entity.alt_labels.append(value)
        elif predicate == str(SDO.jobTitle):
            entity.titles.append(value)
        elif predicate == str(OWL.sameAs):
            entity.same_as.append(value)
        elif predicate == str(CG.entityType):
            entity.entity_type = value
        elif predicate == str(CG.entityKind):
            entity.kind = value
        elif predicate == str(SDO.member):
            entity.members.append(Ranked(value, _text(row["memberLabel"]) or
                                         entity_page_name(value), 0))
    for values in (entity.alt_labels, entity.titles, entity.same_as):
        values.sort()
    entity.members.sort(key=lambda member: member.label.casefold())
    entity.said = _claim_lines(select, iri, "prov:wasAttributedTo", "schema:about")
    entity.said_about = _claim_lines(select, iri, "schema:about", "prov:wasAttributedTo")
    rule_rows = select(f"""{_PREFIXES}
SELECT ?rule (SAMPLE(?anchor) AS ?example) (COUNT(DISTINCT ?span) AS ?n) WHERE {{
  GRAPH ?article {{ ?span cg:refersTo <{iri}> . ?article nif:isString ?text
    OPTIONAL {{ ?span cg:resolutionRule ?given }} }}
  {span_anchor_bindings()}
  BIND(COALESCE(?given, "named in the text") AS ?rule)
}} GROUP BY ?rule ORDER BY DESC(?n) ?rule""")
    entity.resolutions = [Resolution(_text(row["rule"]), _text(row["example"]), _int(row["n"]))
                          for row in rule_rows]
    return entity


def weekly_counts(lines: Sequence[ClaimLine]) -> Iterator[dict[str, str]]:
    """Yield one record per dated claim (its date and cue class), for the timeline chart;
    the chart itself bins the dates by week."""
    seen: set[str] = set()
    for line in lines:
        if line.date and line.claim not in seen:
            seen.add(line.claim)
            yield {"date": line.date, "cue_class": line.cue_class or "unclassified"}
