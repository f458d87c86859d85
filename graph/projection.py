"""Project the RDF attribution graph onto networkx graphs for network analysis and Gephi.

The RDF model (one named graph per article, see ``claimgraph.graph.rdf``) is rich but awkward
to draw. This module asks it one SPARQL question, :data:`CLAIM_ROWS_QUERY`, which returns one
row per (claim, source entity, subject entity), and turns those rows into two views:

- :func:`claim_graph`: ``source -> claim -> subject``, one node per claim;
- :func:`source_subject_graph`: ``source -> subject``, the edge ``weight`` counting the
  distinct claims that source made about that subject.

Rows are plain mappings from variable name to rdflib term (or ``None`` / missing when a
variable is unbound), exactly what ``Store.select`` returns and what
``row.asdict()`` gives for rdflib query results, so the functions here are pure and need no
store. :func:`project` runs the query through any select callable and builds a view.

Node ids are the RDF IRIs as plain strings. Every node has a ``label`` and a ``type``:
``"source"``, ``"claim"`` or ``"subject"``. An entity that is a source of some claim and the
subject of another is one node whose ``type`` is ``"source"`` (speaking is what the graph is
about); its ``role`` attribute then says ``"both"``. Dates are ISO strings (``YYYY-MM-DD``) in
``start``, the attribute Gephi's timeline reads: a claim starts on its article's date, an
entity on the date of its earliest claim.

Attribute values are scalars only (``str``, ``int``, ``float``, ``bool``), never ``None`` or
lists, because networkx's GEXF and GraphML writers fail on or misread anything else;
:func:`clean_attributes` is the one place that enforces this, and the writers call it too.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import networkx as nx
from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.namespace import PROV, SDO, SKOS
from rdflib.term import Node

from claimgraph.ontology import CG

View = Literal["claims", "sources"]
Row = Mapping[str, Node | None]
Select = Callable[[str], Sequence[Row]]

#: One row per (claim, source entity, subject entity). ``?source`` is unbound for a claim
#: without a source entity, ``?subject`` for a claim about no entity; ``?date`` and
#: ``?headline`` when the article has none. Ordered so that projections are deterministic.
CLAIM_ROWS_QUERY = f"""\
PREFIX schema: <{SDO}>
PREFIX prov: <{PROV}>
PREFIX skos: <{SKOS}>
PREFIX cg: <{CG}>

SELECT ?claim ?text ?cue ?quoteType ?negated ?article ?headline ?date
       ?source ?sourceLabel ?sourceType ?subject ?subjectLabel ?subjectType
WHERE {{
  ?claim a cg:Attribution ;
         schema:appearance ?article .
  OPTIONAL {{ ?claim schema:text ?text }}
  OPTIONAL {{ ?claim cg:cueText ?cue }}
  OPTIONAL {{ ?claim cg:quoteType ?quoteType }}
  OPTIONAL {{ ?claim cg:negated ?negated }}
  OPTIONAL {{ ?article schema:headline ?headline }}
  OPTIONAL {{ ?article schema:datePublished ?date }}
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

VIEWS: tuple[View, ...] = ("claims", "sources")

_QUOTE_TYPES = {CG.DirectQuote: "direct", CG.IndirectQuote: "indirect", CG.MixedQuote: "mixed"}
_CLAIM_LABEL_WIDTH = 80  # characters; long quotations make unreadable node labels
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Characters XML 1.0 forbids; news text scraped from the web sometimes carries them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class _EntityRef:
    """An entity as one row names it."""

    iri: str
    label: str
    entity_type: str | None


@dataclass(frozen=True, slots=True)
class _ClaimRef:
    """A claim's own attributes, the same on every row of that claim."""

    iri: str
    text: str | None
    cue: str | None
    quote_type: str | None
    negated: bool | None
    article: str
    article_title: str | None
    date: str | None

    def attributes(self) -> dict[str, Any]:
        """Return the claim's node attributes (``None`` values are dropped later)."""
        return {
            "label": _claim_label(self.text, self.cue, self.iri),
            "type": "claim",
            "text": self.text,
            "cue": self.cue,
            "quote_type": self.quote_type,
            "negated": self.negated,
            "article": self.article,
            "article_title": self.article_title,
            "start": self.date,
        }


@dataclass(frozen=True, slots=True)
class _Link:
    """One parsed row: a claim with at most one source and one subject."""

    claim: _ClaimRef
    source: _EntityRef | None
    subject: _EntityRef | None


def claim_graph(rows: Iterable[Row]) -> nx.DiGraph:
    """Build the claim view: ``source -> claim -> subject``.

    Takes rows of :data:`CLAIM_ROWS_QUERY`; returns a DiGraph whose nodes are sources, claims
    and subjects (IRI strings) and whose edges carry ``relation`` (``"says"`` from a source
    to its claim, ``"about"`` from a claim to a subject), ``weight`` 1 and ``start`` (the
    article date, where known). A claim without a source entity or subject is still a node.
    """
    links = _parse(rows)
    graph = nx.DiGraph(view="claims")
    _add_entities(graph, links)
    for link in links:
        claim = link.claim
        graph.add_node(claim.iri, **claim.attributes())
        if link.source is not None:
            graph.add_edge(link.source.iri, claim.iri, relation="says", weight=1,
                           start=claim.date)
        if link.subject is not None:
            graph.add_edge(claim.iri, link.subject.iri, relation="about", weight=1,
                           start=claim.date)
    return clean_attributes(graph)


def source_subject_graph(rows: Iterable[Row]) -> nx.DiGraph:
    """Build the source view: ``source -> subject``, weighted by the number of claims.

    Takes rows of :data:`CLAIM_ROWS_QUERY`; returns a DiGraph of entities (IRI strings) that
    are at either end of at least one such edge. Edge ``weight`` is the number of distinct
    claims by the source about the subject, ``claims`` the same count (GraphML and GEXF
    readers turn ``weight`` into a float), ``start`` the earliest of their article dates.
    """
    links = _parse(rows)
    claims_by_pair: dict[tuple[str, str], set[str]] = {}
    dates_by_pair: dict[tuple[str, str], list[str]] = {}
    for link in links:
        if link.source is None or link.subject is None:
            continue
        pair = (link.source.iri, link.subject.iri)
        claims_by_pair.setdefault(pair, set()).add(link.claim.iri)
        if link.claim.date:
            dates_by_pair.setdefault(pair, []).append(link.claim.date)

    graph = nx.DiGraph(view="sources")
    _add_entities(graph, links)
    for (source, subject), claims in claims_by_pair.items():
        dates = dates_by_pair.get((source, subject))
        graph.add_edge(source, subject, weight=len(claims), claims=len(claims),
                       start=min(dates) if dates else None)
    # Entities seen only next to a missing source or subject have no edge in this view.
    graph.remove_nodes_from([node for node in list(graph) if graph.degree(node) == 0])
    return clean_attributes(graph)


def project(select: Select, view: View = "claims") -> nx.DiGraph:
    """Run :data:`CLAIM_ROWS_QUERY` through ``select`` and build the named view.

    ``select`` takes a SPARQL SELECT string and returns rows as mappings from variable name
    to rdflib term (``Store.select`` does). ``view`` is ``"claims"`` (:func:`claim_graph`)
    or ``"sources"`` (:func:`source_subject_graph`). Raises ValueError for another view.
    """
    builders = {"claims": claim_graph, "sources": source_subject_graph}
    if view not in builders:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    return builders[view](select(CLAIM_ROWS_QUERY))


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


def _clean_mapping(data: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    cleaned = {}
    for key, value in data.items():
        scalar = _scalar(value)
        if scalar is not None:
            cleaned[str(key)] = scalar
    return cleaned


def _scalar(value: Any) -> str | int | float | bool | None:
    """Turn one attribute value into a scalar a graph writer accepts, or ``None`` to drop it."""
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


def _parse(rows: Iterable[Row]) -> list[_Link]:
    """Turn query rows into :class:`_Link` records (rows without a claim are skipped)."""
    links = []
    for row in rows:
        claim, article = row.get("claim"), row.get("article")
        if claim is None or article is None:
            continue
        claim_ref = _ClaimRef(
            iri=str(claim),
            text=_text(row.get("text")),
            cue=_text(row.get("cue")),
            quote_type=_quote_type(row.get("quoteType")),
            negated=_boolean(row.get("negated")),
            article=str(article),
            article_title=_text(row.get("headline")),
            date=_iso_date(row.get("date")),
        )
        links.append(_Link(claim_ref, _entity(row, "source"), _entity(row, "subject")))
    return links


def _entity(row: Row, role: str) -> _EntityRef | None:
    iri = row.get(role)
    if iri is None:
        return None
    label = _text(row.get(f"{role}Label")) or _iri_tail(str(iri))
    return _EntityRef(str(iri), label, _text(row.get(f"{role}Type")))


def _add_entities(graph: nx.DiGraph, links: Sequence[_Link]) -> None:
    """Add every source and subject entity as a node with its label, type, role and start."""
    roles: dict[str, set[str]] = {}
    entities: dict[str, _EntityRef] = {}
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
            start=min(dates[iri]) if iri in dates else None,
        )


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


def _text(term: Node | None) -> str | None:
    return str(term) if term is not None and str(term) else None


def _iri_tail(iri: str) -> str:
    """Return the last path segment (or fragment) of an IRI, a readable fallback label."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
