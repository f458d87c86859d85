"""Project the RDF attribution graph onto networkx graphs for network analysis and Gephi.

The RDF model (one named graph per article, see ``claimgraph.graph.rdf``) is rich but awkward
to draw. This module asks it two SPARQL questions: :data:`CLAIM_ROWS_QUERY`, which returns
one row per (claim, source entity, subject entity), and :data:`MEMBER_ROWS_QUERY`, the members
of group entities ("both sides"). It turns those rows into two views:

- :func:`claim_graph`: ``source -> claim -> subject``, one node per claim;
- :func:`source_subject_graph`: ``source -> subject``, one edge per pair summing up its
  claims, or one edge per claim in a multigraph.

(:mod:`claimgraph.graph.coverage` builds two more views from the same rows, and
:mod:`claimgraph.graph.network` runs the queries and picks a view.)

Rows are plain mappings from variable name to rdflib term (or ``None`` / missing when a
variable is unbound), exactly what ``Store.select`` returns and what
``row.asdict()`` gives for rdflib query results, so the functions here are pure and need no
store.

Node ids are the RDF IRIs as plain strings. Every node has a ``label`` and a ``type``:
``"source"``, ``"claim"`` or ``"subject"`` (``"member"`` for a group's member that is neither).
An entity that is a source of some claim and the subject of another is one node whose
``type`` is ``"source"`` (speaking is what the graph is about); its ``role`` attribute then
says ``"both"``. Claim nodes and the edges standing for claims carry the cue, its class,
the quote type, negation, hedging, confidence, the article (IRI, id, headline), publisher
and date. Dates are ISO strings (``YYYY-MM-DD``) twice: in ``start``, the attribute Gephi's
timeline reads, and in ``date``, a plain attribute that readers ignoring GEXF's ``start``
(graphology-gexf, so Gephi Lite) keep. A claim is dated by its article, an entity by its
earliest claim.

Attribute values are scalars only (``str``, ``int``, ``float``, ``bool``), never ``None`` or
lists, because networkx's GEXF and GraphML writers fail on or misread anything else;
:func:`clean_attributes` is the one place that enforces this, and the writers call it too.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import networkx as nx
from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, SDO, SKOS
from rdflib.term import Node

from claimgraph.ontology import CG

Row = Mapping[str, Node | None]

#: One row per (claim, source entity, subject entity). ``?source`` is unbound for a claim
#: without a source entity, ``?subject`` for a claim about no entity; ``?date`` and
#: ``?headline`` when the article has none. Ordered so that projections are deterministic.
CLAIM_ROWS_QUERY = f"""\
PREFIX schema: <{SDO}>
PREFIX prov: <{PROV}>
PREFIX skos: <{SKOS}>
PREFIX cg: <{CG}>
PREFIX dcterms: <{DCTERMS}>

SELECT ?claim ?text ?cue ?cueClass ?quoteType ?negated ?hedged ?confidence
       ?article ?articleId ?headline ?date ?publisher
       ?source ?sourceLabel ?sourceType ?subject ?subjectLabel ?subjectType
WHERE {{
  ?claim a cg:Attribution ;
         schema:appearance ?article .
  OPTIONAL {{ ?claim schema:text ?text }}
  OPTIONAL {{ ?claim cg:cueText ?cue }}
  OPTIONAL {{ ?claim cg:cueClass ?cueClass }}
  OPTIONAL {{ ?claim cg:quoteType ?quoteType }}
  OPTIONAL {{ ?claim cg:negated ?negated }}
  OPTIONAL {{ ?claim cg:hedged ?hedged }}
  OPTIONAL {{ ?claim cg:confidence ?confidence }}
  OPTIONAL {{ ?article cg:articleId ?articleId }}
  OPTIONAL {{ ?article schema:headline ?headline }}
  OPTIONAL {{ ?article schema:datePublished ?date }}
  OPTIONAL {{ ?article dcterms:publisher ?publisher }}
  OPTIONAL {{
    ?claim prov:wasAttributedTo ?source .
    OPTIONAL {{ ?source skos:prefLabel ?sourceLabel }}
    OPTIONAL {{ ?source cg:entityType ?sourceType }}
  }}
  OPTIONAL {{
    ?claim schema:about ?subject .
    OPTIONAL {{ ?subject skos:prefLabel ?subjectLabel }}
    OPTIONAL {{ ?subject cg:entityType ?subjectType }}
  }}
}}
ORDER BY ?date ?article ?claim ?source ?subject ?sourceLabel ?subjectLabel
"""

#: One row per (group, member) entity pair ("both sides": Armenia, Azerbaijan).
MEMBER_ROWS_QUERY = f"""\
PREFIX schema: <{SDO}>
PREFIX skos: <{SKOS}>
PREFIX cg: <{CG}>

SELECT DISTINCT ?group ?member ?memberLabel ?memberType
WHERE {{
  ?group schema:member ?named .
  # a member's short name merged store-wide ("obama") is the entity it was merged into
  OPTIONAL {{ ?named cg:mergedInto ?merged }}
  BIND (COALESCE(?merged, ?named) AS ?member)
  OPTIONAL {{ ?member skos:prefLabel ?memberLabel }}
  OPTIONAL {{ ?member cg:entityType ?memberType }}
}}
ORDER BY ?group ?member ?memberLabel
"""

_QUOTE_TYPES = {CG.DirectQuote: "direct", CG.IndirectQuote: "indirect", CG.MixedQuote: "mixed"}
_CLAIM_LABEL_WIDTH = 80  # characters; long quotations make unreadable node labels
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Characters XML 1.0 forbids; news text scraped from the web sometimes carries them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class EntityRef:
    """An entity as one row names it."""

    iri: str
    label: str
    entity_type: str | None


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """A claim's own attributes, the same on every row of that claim."""

    iri: str
    text: str | None
    cue: str | None
    cue_class: str | None
    quote_type: str | None
    negated: bool | None
    hedged: bool
    confidence: float | None
    article: str
    article_id: str | None
    article_title: str | None
    publisher: str | None
    date: str | None

    def attributes(self) -> dict[str, Any]:
        """Return the claim's node attributes (``None`` values are dropped later)."""
        return {"label": _claim_label(self.text, self.cue, self.iri), "type": "claim",
                "text": self.text, **self.edge_attributes()}

    def edge_attributes(self) -> dict[str, Any]:
        """Return what an edge standing for this claim carries: how it was said, where
        and when (``start`` for Gephi's timeline, ``date`` for readers that ignore it)."""
        return {
            "claim": self.iri,
            "cue": self.cue,
            "cue_class": self.cue_class,
            "quote_type": self.quote_type,
            "negated": self.negated,
            "hedged": self.hedged,
            "confidence": self.confidence,
            "article": self.article,
            "article_id": self.article_id,
            "article_title": self.article_title,
            "publisher": self.publisher,
            **dated(self.date),
        }


@dataclass(frozen=True, slots=True)
class Link:
    """One parsed row: a claim with at most one source and one subject."""

    claim: ClaimRef
    source: EntityRef | None
    subject: EntityRef | None


@dataclass(frozen=True, slots=True)
class Membership:
    """A group entity and one of its members."""

    group: str
    member: EntityRef


def dated(day: str | None) -> dict[str, str | None]:
    """Return the time attributes of something that happened on ``day`` (ISO or None):
    ``start``, which Gephi's timeline reads, and ``date``, which Gephi Lite keeps."""
    return {"start": day, "date": day}


def claim_graph(rows: Iterable[Row], member_rows: Iterable[Row] = (), *,
                multigraph: bool = False) -> nx.DiGraph:
    """Build the claim view: ``source -> claim -> subject``.

    Takes rows of :data:`CLAIM_ROWS_QUERY` and of :data:`MEMBER_ROWS_QUERY`; returns a
    DiGraph (a MultiDiGraph with ``multigraph``, for a uniform API: a claim is one node, so
    no edge repeats) whose nodes are sources, claims and subjects (IRI strings). Edges carry
    ``relation`` (``"says"`` from a source to its claim, ``"about"`` from a claim to a
    subject, ``"member"`` from a group to each member), ``weight`` 1 and the claim's
    attributes (:meth:`ClaimRef.edge_attributes`). A claim without a source entity or
    subject is still a node.
    """
    links = parse_claim_rows(rows)
    graph = nx.MultiDiGraph(view="claims") if multigraph else nx.DiGraph(view="claims")
    _add_entities(graph, links, parse_member_rows(member_rows))
    for link in links:
        claim = link.claim
        graph.add_node(claim.iri, **claim.attributes())
        if link.source is not None and not graph.has_edge(link.source.iri, claim.iri):
            graph.add_edge(link.source.iri, claim.iri, relation="says", weight=1,
                           **claim.edge_attributes())
        if link.subject is not None and not graph.has_edge(claim.iri, link.subject.iri):
            graph.add_edge(claim.iri, link.subject.iri, relation="about", weight=1,
                           **claim.edge_attributes())
    return clean_attributes(graph)


def source_subject_graph(rows: Iterable[Row], member_rows: Iterable[Row] = (), *,
                         multigraph: bool = False) -> nx.DiGraph:
    """Build the source view: ``source -> subject``.

    Takes rows of :data:`CLAIM_ROWS_QUERY` and of :data:`MEMBER_ROWS_QUERY`; returns a
    DiGraph of entities (IRI strings) that are at either end of at least one edge. Each
    edge (``relation`` ``"about"``) stands for the claims by the source about the subject:
    ``weight`` and ``claims`` count them (GraphML and GEXF readers turn ``weight`` into a
    float), ``negated_claims`` and ``hedged_claims`` count those negated and hedged,
    ``articles`` the articles they come from, ``cue_classes`` lists their cue classes and
    ``start``/``date`` is the earliest of their article dates. With ``multigraph``, a
    MultiDiGraph instead, with one edge per claim (keyed by the claim's IRI) carrying that
    claim's attributes. Groups link to their members (``relation`` ``"member"``).
    """
    links = parse_claim_rows(rows)
    graph = nx.MultiDiGraph(view="sources") if multigraph else nx.DiGraph(view="sources")
    _add_entities(graph, links, parse_member_rows(member_rows))
    claims_by_pair: dict[tuple[str, str], dict[str, ClaimRef]] = {}
    for link in links:
        if link.source is not None and link.subject is not None:
            pair = (link.source.iri, link.subject.iri)
            claims_by_pair.setdefault(pair, {})[link.claim.iri] = link.claim
    add_claim_edges(graph, claims_by_pair, "about")
    # Entities seen only next to a missing source or subject have no edge in this view.
    graph.remove_nodes_from([node for node in list(graph) if graph.degree(node) == 0])
    return clean_attributes(graph)


def add_claim_edges(graph: nx.Graph,
                    claims_by_pair: Mapping[tuple[str, str], Mapping[str, ClaimRef]],
                    relation: str) -> None:
    """Add an edge for the claims of each (node, node) pair: in a multigraph, one per claim
    (keyed by its IRI, with its :meth:`ClaimRef.edge_attributes`); otherwise one with
    :func:`summary_attributes`."""
    for (one, other), claims in claims_by_pair.items():
        if graph.is_multigraph():
            for iri, claim in claims.items():
                graph.add_edge(one, other, key=iri, relation=relation, weight=1,
                               **claim.edge_attributes())
        else:
            graph.add_edge(one, other, relation=relation, **summary_attributes(claims.values()))


def summary_attributes(claims: Iterable[ClaimRef]) -> dict[str, Any]:
    """Return the attributes of an edge standing for several claims (see
    :func:`source_subject_graph`)."""
    claims = list(claims)
    dates = [claim.date for claim in claims if claim.date]
    return {
        "weight": len(claims),
        "claims": len(claims),
        "negated_claims": sum(bool(claim.negated) for claim in claims),
        "hedged_claims": sum(bool(claim.hedged) for claim in claims),
        "articles": len({claim.article for claim in claims}),
        "cue_classes": sorted({claim.cue_class for claim in claims if claim.cue_class}),
        **dated(min(dates) if dates else None),
    }


def clean_attributes(graph: nx.Graph) -> nx.Graph:
    """Return a copy of ``graph`` whose graph, node and edge attributes are plain scalars.

    ``None`` values are dropped; ``bool``, ``int`` and ``float`` are kept; rdflib literals
    become their Python value where that is one of those, dates become ISO strings, lists,
    tuples and sets become ``"; "``-joined strings, anything else its ``str``. Characters
    XML 1.0 forbids are removed from strings, since every export format here is XML.
    Node ids are turned into plain ``str`` (rdflib IRIs hash differently from strings).
    """
    cleaned = graph.__class__()
    cleaned.graph.update(_clean_mapping(graph.graph))
    for node, data in graph.nodes(data=True):
        cleaned.add_node(_clean_text(str(node)), **_clean_mapping(data))
    if graph.is_multigraph():
        for source, target, key, data in graph.edges(keys=True, data=True):
            cleaned.add_edge(_clean_text(str(source)), _clean_text(str(target)), key=key,
                             **_clean_mapping(data))
    else:
        for source, target, data in graph.edges(data=True):
            cleaned.add_edge(_clean_text(str(source)), _clean_text(str(target)),
                             **_clean_mapping(data))
    return cleaned


def _clean_mapping(data: Mapping[str, Any]) -> dict[str, str | int | float | bool | Timeline]:
    cleaned = {}
    for key, value in data.items():
        scalar = _scalar(value)
        if scalar is not None:
            cleaned[str(key)] = scalar
    return cleaned


@dataclass(frozen=True, slots=True)
class Timeline:
    """An attribute whose value changes over time: ``(start, value)`` steps in time order,
    each value holding from its start (an ISO date) until the next step's. The GEXF writer
    writes it as a dynamic attribute (Gephi's timeline shows it change); GraphML, which has
    no time, gets the last value."""

    steps: tuple[tuple[str, int | float | str], ...]

    @property
    def last(self) -> int | float | str | None:
        """The value at the end of the timeline."""
        return self.steps[-1][1] if self.steps else None


def _scalar(value: Any) -> str | int | float | bool | Timeline | None:
    """Turn one attribute value into a scalar a graph writer accepts, or ``None`` to drop it
    (a :class:`Timeline` is kept for the writers that know time)."""
    if isinstance(value, Timeline):
        return value if value.steps else None
    if isinstance(value, RDFLiteral):
        value = value.toPython()  # may still be a Literal when rdflib has no Python type
        if isinstance(value, RDFLiteral):
            value = str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = [_scalar(item) for item in value]
        return "; ".join(str(item) for item in items if item is not None) or None
    return _clean_text(str(value))


def _clean_text(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def parse_claim_rows(rows: Iterable[Row]) -> list[Link]:
    """Turn rows of :data:`CLAIM_ROWS_QUERY` into :class:`Link` records (rows without a
    claim are skipped)."""
    links = []
    for row in rows:
        claim, article = row.get("claim"), row.get("article")
        if claim is None or article is None:
            continue
        claim_ref = ClaimRef(
            iri=str(claim),
            text=_text(row.get("text")),
            cue=_text(row.get("cue")),
            cue_class=_text(row.get("cueClass")),
            quote_type=_quote_type(row.get("quoteType")),
            negated=_boolean(row.get("negated")),
            # The lean graph writes cg:hedged only where it is true.
            hedged=bool(_boolean(row.get("hedged"))),
            confidence=_number(row.get("confidence")),
            article=str(article),
            article_id=_text(row.get("articleId")),
            article_title=_text(row.get("headline")),
            publisher=_text(row.get("publisher")),
            date=_iso_date(row.get("date")),
        )
        links.append(Link(claim_ref, _entity(row, "source"), _entity(row, "subject")))
    return links


def parse_member_rows(rows: Iterable[Row]) -> list[Membership]:
    """Turn rows of :data:`MEMBER_ROWS_QUERY` into memberships."""
    return [Membership(str(row["group"]), member) for row in rows
            if row.get("group") is not None
            and (member := _entity(row, "member")) is not None]


def _entity(row: Row, role: str) -> EntityRef | None:
    iri = row.get(role)
    if iri is None:
        return None
    label = _text(row.get(f"{role}Label")) or _iri_tail(str(iri))
    return EntityRef(str(iri), label, _text(row.get(f"{role}Type")))


def _add_entities(graph: nx.DiGraph, links: Sequence[Link],
                  memberships: Sequence[Membership] = ()) -> None:
    """Add every source and subject entity as a node with its label, type, role and dates,
    and the members of the groups among them: each member is a node of its own (``type``
    ``"member"`` unless it is also a source or subject) with an edge from its group
    (``relation`` ``"member"``), so that "both sides" reaches Armenia and Azerbaijan."""
    roles: dict[str, set[str]] = {}
    entities: dict[str, EntityRef] = {}
    dates: dict[str, list[str]] = {}
    for link in links:
        for role, entity in (("source", link.source), ("subject", link.subject)):
            if entity is None:
                continue
            entities.setdefault(entity.iri, entity)  # rows are ordered: first label wins
            roles.setdefault(entity.iri, set()).add(role)
            if link.claim.date:
                dates.setdefault(entity.iri, []).append(link.claim.date)
    for iri, entity in entities.items():
        entity_roles = roles[iri]
        graph.add_node(
            iri,
            label=entity.label,
            # The documented rule: an entity that is ever a source is typed "source".
            type="source" if "source" in entity_roles else "subject",
            role="both" if len(entity_roles) == 2 else next(iter(entity_roles)),
            entity_type=entity.entity_type,
            **dated(min(dates[iri]) if iri in dates else None),
        )
    for membership in memberships:
        if membership.group not in entities:
            continue
        member = membership.member
        if member.iri not in graph:
            graph.add_node(member.iri, label=member.label, type="member", role="member",
                           entity_type=member.entity_type)
        graph.add_edge(membership.group, member.iri, relation="member", weight=1)


def _claim_label(text: str | None, cue: str | None, iri: str) -> str:
    if text:
        return textwrap.shorten(text, width=_CLAIM_LABEL_WIDTH, placeholder=" …")
    return cue or _iri_tail(iri)


def _quote_type(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef) and term in _QUOTE_TYPES:
        return _QUOTE_TYPES[term]
    return _iri_tail(str(term))


def _iso_date(term: Node | None) -> str | None:
    """Return ``YYYY-MM-DD`` for an xsd:date or xsd:dateTime literal, else ``None``."""
    match = _ISO_DATE.match(str(term)) if term is not None else None
    return match.group(0) if match else None


def _boolean(term: Node | None) -> bool | None:
    value = term.toPython() if isinstance(term, RDFLiteral) else None
    return value if isinstance(value, bool) else None


def _number(term: Node | None) -> float | None:
    value = term.toPython() if isinstance(term, RDFLiteral) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _text(term: Node | None) -> str | None:
    return str(term) if term is not None and str(term) else None


def _iri_tail(iri: str) -> str:
    """Return the last path segment (or fragment) of an IRI, a readable fallback label."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
