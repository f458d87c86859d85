"""The attribution graph as a networkx graph: run the projection queries, build a view.

:func:`project` is what :func:`claimgraph.network` and the Gephi exports call. Views:

- ``"claims"``: source → claim → subject (:func:`~claimgraph.graph.projection.claim_graph`);
- ``"sources"``: source → subject, one edge per pair or per claim
  (:func:`~claimgraph.graph.projection.source_subject_graph`);
- ``"coquotation"``: sources quoted in the same article
  (:func:`~claimgraph.graph.coverage.coquotation_graph`);
- ``"articles"``: articles ↔ the sources they quote, bipartite
  (:func:`~claimgraph.graph.coverage.article_source_graph`);
- ``"clusters"``: claims repeated across articles, one node per claim cluster with its
  spread over time, linked to the outlets and sources that carried it
  (:func:`~claimgraph.graph.cluster_view.cluster_graph`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, get_args

import networkx as nx

from claimgraph.graph.cluster_view import CLUSTER_ROWS_QUERY, cluster_graph
from claimgraph.graph.coverage import article_source_graph, coquotation_graph
from claimgraph.graph.projection import (
    CLAIM_ROWS_QUERY,
    MEMBER_ROWS_QUERY,
    Row,
    claim_graph,
    source_subject_graph,
)

View = Literal["claims", "sources", "coquotation", "articles", "clusters"]
Select = Callable[[str], Sequence[Row]]

VIEWS: tuple[View, ...] = get_args(View)
BUILDERS: dict[View, Callable[..., nx.Graph]] = {
    "claims": claim_graph,
    "sources": source_subject_graph,
    "coquotation": coquotation_graph,
    "articles": article_source_graph,
    "clusters": cluster_graph,
}
#: The queries whose rows a view's builder takes (the claim and member rows by default).
QUERIES: dict[View, tuple[str, ...]] = {"clusters": (CLUSTER_ROWS_QUERY,)}


def project(select: Select, view: View = "claims", *, multigraph: bool = False) -> nx.Graph:
    """Run the projection queries through ``select`` and build the named view.

    ``select`` takes a SPARQL SELECT string and returns rows as mappings from variable name
    to rdflib term (``Store.select`` does). ``multigraph`` gives one edge per claim (or per
    shared article, for ``"coquotation"``) instead of one weighted edge per pair. Raises
    ValueError for an unknown view.
    """
    if view not in BUILDERS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    queries = QUERIES.get(view, (CLAIM_ROWS_QUERY, MEMBER_ROWS_QUERY))
    return BUILDERS[view](*(select(query) for query in queries), multigraph=multigraph)
