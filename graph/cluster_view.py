"""The claim clusters as a network for Gephi: each repeated claim a node whose timeline
shows its spread.

:func:`cluster_graph` builds a DiGraph from the rows of :data:`CLUSTER_ROWS_QUERY` (one per
cluster member; :mod:`claimgraph.graph.spread` makes the clusters):

- a node per claim cluster (``type`` ``"claim cluster"``): ``label`` its first wording
  (shortened), ``text``, ``articles``, ``outlets`` and ``sources`` (counts), ``first_source``,
  ``start`` its first appearance, and ``spread``, a
  :class:`~claimgraph.graph.projection.Timeline` of the number of articles that carried it
  so far: Gephi's timeline shows it grow (a dynamic attribute in GEXF);
- a node per outlet (``type`` ``"outlet"``, the article's publisher) with an edge
  ``outlet -> cluster`` (``relation`` ``"carried"``, ``weight`` the articles, ``start`` the
  outlet's first one, ``first`` whether it carried the first appearance);
- a node per source entity (``type`` ``"source"``) with an edge ``source -> cluster``
  (``relation`` ``"said"``, ``start`` its first time, ``first`` whether it is the first
  appearance's source, ``credits_first_source`` whether it repeats that source's claim
  with credit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from claimgraph.graph.projection import Row, Timeline, clean_attributes
from claimgraph.graph.rdf import CLUSTERS_GRAPH, ENTITIES_GRAPH, PREFIXES

#: One row per member claim of a cluster: the cluster, its first claim, the member's
#: article (publisher, date), source entity and label, and whether it credits the first source.
CLUSTER_ROWS_QUERY = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items()) \
    + f"""SELECT ?cluster ?first ?claim ?text ?article ?publisher ?date ?source ?sourceLabel
       ?credits ?order WHERE {{
  GRAPH <{CLUSTERS_GRAPH}> {{ ?cluster a cg:ClaimCluster ; cg:firstClaim ?first .
    ?membership cg:inCluster ?cluster ; cg:memberClaim ?claim .
    OPTIONAL {{ ?membership cg:creditsFirstSource ?credits }}
    OPTIONAL {{ ?claim cg:matchOrder ?order }} }}
  GRAPH ?article {{ ?claim schema:appearance ?article ; schema:text ?text .
    OPTIONAL {{ ?article dcterms:publisher ?publisher }}
    OPTIONAL {{ ?article schema:datePublished ?date }} }}
  OPTIONAL {{ GRAPH ?article {{ ?claim prov:wasAttributedTo ?source }}
    OPTIONAL {{ GRAPH <{ENTITIES_GRAPH}> {{ ?source skos:prefLabel ?sourceLabel }} }} }}
}} ORDER BY ?cluster ?date ?order ?claim"""

_LABEL_LENGTH = 80


def cluster_graph(rows: Iterable[Row], member_rows: Iterable[Row] = (), *,
                  multigraph: bool = False) -> nx.DiGraph:
    """Build the clusters view (see the module docstring) from :data:`CLUSTER_ROWS_QUERY`
    rows. ``member_rows`` and ``multigraph`` are accepted for the views' common signature
    and not used: each outlet or source has one edge per cluster."""
    members: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        members[str(row["cluster"])].append({key: _python(value) for key, value in row.items()})
    graph = nx.DiGraph()
    for cluster, found in members.items():
        found.sort(key=lambda item: (item.get("date") is None, item.get("date") or "",
                                     item.get("order") or 0, item["claim"]))
        first = next((item for item in found if item["claim"] == item["first"]), found[0])
        articles: dict[str, str | None] = {}
        for item in found:
            articles.setdefault(str(item["article"]), item.get("date"))
        dates = sorted(date for date in articles.values() if date)
        steps = tuple((date, sum(1 for other in dates if other <= date))
                      for date in dict.fromkeys(dates))
        text = str(first["text"]).strip()
        graph.add_node(cluster, type="claim cluster", text=text,
                       label=text if len(text) <= _LABEL_LENGTH
                       else text[:_LABEL_LENGTH - 1] + "…",
                       articles=len(articles),
                       outlets=len({item["publisher"] for item in found if item.get("publisher")}),
                       sources=len({item["source"] for item in found if item.get("source")}),
                       first_source=first.get("sourceLabel"), first_outlet=first.get("publisher"),
                       start=first.get("date"), spread=Timeline(steps))
        for item in found:
            is_first = item["claim"] == first["claim"]
            if item.get("publisher"):
                _link(graph, f"outlet:{item['publisher']}", cluster, item, is_first,
                      type="outlet", label=item["publisher"], relation="carried")
            if item.get("source"):
                _link(graph, str(item["source"]), cluster, item, is_first, type="source",
                      label=item.get("sourceLabel") or str(item["source"]), relation="said",
                      credits_first_source=item.get("credits"))
    return clean_attributes(graph)


def _link(graph: nx.DiGraph, node: str, cluster: str, item: dict[str, object], is_first: bool,
          *, type: str, label: object, relation: str, **data: object) -> None:
    """Add ``node`` and its edge to ``cluster`` for one member claim; an edge seen before
    counts one more article and keeps its earliest date."""
    if node not in graph:
        graph.add_node(node, type=type, label=label)
    date = item.get("date")
    if date and (graph.nodes[node].get("start") is None or date < graph.nodes[node]["start"]):
        graph.nodes[node]["start"] = date
    if graph.has_edge(node, cluster):
        edge = graph.edges[node, cluster]
        edge["weight"] += 1
        edge["first"] = edge["first"] or is_first
        if date and (edge.get("start") is None or date < edge["start"]):
            edge["start"] = date
        return
    graph.add_edge(node, cluster, relation=relation, weight=1, first=is_first, start=date,
                   **{key: value for key, value in data.items() if value is not None})


def _python(value: object) -> object:
    """Return an rdflib term's Python value (a string for IRIs and dates)."""
    if value is None:
        return None
    python = value.toPython() if hasattr(value, "toPython") else value
    if hasattr(python, "isoformat"):
        return python.isoformat()
    return python if isinstance(python, bool | int | float) else str(python)
