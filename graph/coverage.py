"""Who is quoted where: the co-quotation and article ↔ source views of the attribution graph.

Two views media researchers ask for, built from the same rows as
:mod:`claimgraph.graph.projection` (:data:`~claimgraph.graph.projection.CLAIM_ROWS_QUERY`
and :data:`~claimgraph.graph.projection.MEMBER_ROWS_QUERY`):

- :func:`coquotation_graph`: sources linked when one article quotes both (undirected);
- :func:`article_source_graph`: articles and the sources they quote (bipartite).

Here a group source ("both sides") counts through the group: each of its members is quoted
wherever the group is, and the group itself is no node (so the article view stays bipartite).
A source is a node with ``type`` ``"source"``; an article a node with ``type``
``"article"``, its headline as ``label``, its id, publisher and ``start``/``date``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import networkx as nx

from claimgraph.graph.projection import (
    ClaimRef,
    EntityRef,
    Link,
    Membership,
    Row,
    add_claim_edges,
    clean_attributes,
    dated,
    parse_claim_rows,
    parse_member_rows,
)


def coquotation_graph(rows: Iterable[Row], member_rows: Iterable[Row] = (), *,
                      multigraph: bool = False) -> nx.Graph:
    """Build the co-quotation view: an undirected edge between two sources quoted in the
    same article.

    Edge ``weight`` and ``articles`` count the articles quoting both, ``start``/``date`` is
    the earliest of them. With ``multigraph``, a MultiGraph with one edge per shared article
    (keyed by its IRI) carrying the article's id, headline, publisher and date. Nodes carry
    ``claims`` (how many claims the source makes) and ``articles`` (in how many articles).
    """
    quoted = _quoted_sources(parse_claim_rows(rows), parse_member_rows(member_rows))
    graph = nx.MultiGraph(view="coquotation") if multigraph else nx.Graph(view="coquotation")
    _add_sources(graph, quoted)
    shared: dict[tuple[str, str], dict[str, ClaimRef]] = {}
    for article, sources in _sources_by_article(quoted).items():
        for one, other in combinations(sorted(sources), 2):
            shared.setdefault((one, other), {})[article.article] = article
    for (one, other), articles in shared.items():
        if multigraph:
            for iri, article in articles.items():
                graph.add_edge(one, other, key=iri, relation="quoted with", weight=1,
                               **_article_attributes(article))
        else:
            dates = [article.date for article in articles.values() if article.date]
            graph.add_edge(one, other, relation="quoted with", weight=len(articles),
                           articles=len(articles), **dated(min(dates) if dates else None))
    return clean_attributes(graph)


def article_source_graph(rows: Iterable[Row], member_rows: Iterable[Row] = (), *,
                         multigraph: bool = False) -> nx.Graph:
    """Build the article ↔ source view: a bipartite graph of articles (``bipartite`` 0)
    and the sources they quote (``bipartite`` 1).

    An edge's ``weight`` and ``claims`` count the source's claims in the article, with the
    same summary as :func:`~claimgraph.graph.projection.source_subject_graph` (negated and
    hedged claims, cue classes). With ``multigraph``, a MultiGraph with one edge per claim
    (keyed by its IRI) carrying the claim's attributes.
    """
    quoted = _quoted_sources(parse_claim_rows(rows), parse_member_rows(member_rows))
    graph = nx.MultiGraph(view="articles") if multigraph else nx.Graph(view="articles")
    _add_sources(graph, quoted, bipartite=1)
    claims_by_pair: dict[tuple[str, str], dict[str, ClaimRef]] = {}
    for claim, source in quoted:
        if claim.article not in graph:
            graph.add_node(claim.article, **_article_attributes(claim), type="article",
                           label=claim.article_title or claim.article_id or claim.article,
                           bipartite=0)
        claims_by_pair.setdefault((claim.article, source.iri), {})[claim.iri] = claim
    add_claim_edges(graph, claims_by_pair, "quotes")
    return clean_attributes(graph)


def _quoted_sources(links: Sequence[Link], memberships: Sequence[Membership]
                    ) -> list[tuple[ClaimRef, EntityRef]]:
    """Return each (claim, source) once, a group source replaced by its members."""
    members: dict[str, list[EntityRef]] = {}
    for membership in memberships:
        members.setdefault(membership.group, []).append(membership.member)
    pairs: dict[tuple[str, str], tuple[ClaimRef, EntityRef]] = {}
    for link in links:
        if link.source is None:
            continue
        for source in members.get(link.source.iri, [link.source]):
            pairs.setdefault((link.claim.iri, source.iri), (link.claim, source))
    return list(pairs.values())


def _sources_by_article(quoted: Sequence[tuple[ClaimRef, EntityRef]]
                        ) -> dict[ClaimRef, set[str]]:
    """Return the sources quoted in each article, keyed by one claim of the article (which
    carries the article's attributes)."""
    first_claim: dict[str, ClaimRef] = {}
    sources: dict[str, set[str]] = {}
    for claim, source in quoted:
        first_claim.setdefault(claim.article, claim)
        sources.setdefault(claim.article, set()).add(source.iri)
    return {first_claim[article]: iris for article, iris in sources.items()}


def _add_sources(graph: nx.Graph, quoted: Sequence[tuple[ClaimRef, EntityRef]],
                 **extra: object) -> None:
    """Add every quoted source with its label, entity type, claim and article counts and
    the date of its earliest claim."""
    claims: dict[str, set[str]] = {}
    articles: dict[str, set[str]] = {}
    dates: dict[str, list[str]] = {}
    entities: dict[str, EntityRef] = {}
    for claim, source in quoted:
        entities.setdefault(source.iri, source)
        claims.setdefault(source.iri, set()).add(claim.iri)
        articles.setdefault(source.iri, set()).add(claim.article)
        if claim.date:
            dates.setdefault(source.iri, []).append(claim.date)
    for iri, source in entities.items():
        graph.add_node(iri, label=source.label, type="source", entity_type=source.entity_type,
                       claims=len(claims[iri]), articles=len(articles[iri]),
                       **dated(min(dates[iri]) if iri in dates else None), **extra)


def _article_attributes(claim: ClaimRef) -> dict[str, object]:
    """Return the attributes of the article a claim appears in."""
    return {"article": claim.article, "article_id": claim.article_id,
            "article_title": claim.article_title, "publisher": claim.publisher,
            **dated(claim.date)}
