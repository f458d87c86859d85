"""Write networkx graphs as GraphML (for Gephi, Cytoscape, yEd and most graph libraries).

networkx's GraphML writer does the work; this module first makes the graph fit the GraphML
schema, whose ids are ``xs:NMTOKEN`` s (an IRI, with its ``/``, is not one):

- nodes are renamed ``n0``, ``n1``, … in the sorted order of their ids, so a given graph
  (a given store) always gets the same ids, and each node keeps its old id as its ``iri``
  attribute (the ``iri`` it had wins, for graphs whose ids are not IRIs);
- in a multigraph, edges are renamed ``e0``, ``e1``, … in the order of their source, target
  and key, the key kept as the ``key`` attribute;
- attributes are cleaned (:func:`claimgraph.graph.projection.clean_attributes`), because the
  writer rejects ``None`` and writes lists as their Python ``repr``.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import networkx as nx

from claimgraph.graph.projection import Timeline, clean_attributes


def write_graphml(graph: nx.Graph, path_or_file: str | os.PathLike[str] | BinaryIO) -> None:
    """Write ``graph`` as GraphML (UTF-8) to a path or a binary file object.

    Node ids become ``n0``, ``n1``, … with the old id in the ``iri`` attribute (see the
    module doc). Attribute types are declared per key; integers and floats under the same
    key are written as one numeric type so that every key has a single declaration.
    """
    nx.write_graphml(schema_ids(_timeless(clean_attributes(graph))), path_or_file,
                     infer_numeric_types=True)


def _timeless(graph: nx.Graph) -> nx.Graph:
    """Give every :class:`Timeline` attribute its last value: GraphML has no time."""
    for data in [*(data for _, data in graph.nodes(data=True)),
                 *(data for *_, data in graph.edges(data=True))]:
        for key, value in data.items():
            if isinstance(value, Timeline):
                data[key] = value.last
    return graph


def schema_ids(graph: nx.Graph) -> nx.Graph:
    """Return a copy of ``graph`` whose node ids are ``n0, n1, …`` (the old id kept as the
    ``iri`` attribute) and, in a multigraph, whose edge keys are ``e0, e1, …``."""
    ids = {node: f"n{number}" for number, node in enumerate(sorted(graph, key=str))}
    renamed = graph.__class__()
    renamed.graph.update(graph.graph)
    for node in sorted(graph, key=str):
        renamed.add_node(ids[node], **{"iri": str(node), **graph.nodes[node]})
    if graph.is_multigraph():
        edges = sorted(graph.edges(keys=True, data=True),
                       key=lambda edge: (str(edge[0]), str(edge[1]), str(edge[2])))
        renamed.add_edges_from((ids[source], ids[target], f"e{number}", {"key": str(key), **data})
                               for number, (source, target, key, data) in enumerate(edges))
    else:
        renamed.add_edges_from((ids[source], ids[target], data)
                               for source, target, data in graph.edges(data=True))
    return renamed
