"""Write networkx graphs as GraphML (for Gephi, Cytoscape, yEd and most graph libraries).

networkx's GraphML writer does the work; this module only cleans the attributes first
(:func:`claimgraph.graph.projection.clean_attributes`), because that writer rejects ``None``
and writes lists as their Python ``repr``.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import networkx as nx

from claimgraph.graph.projection import clean_attributes


def write_graphml(graph: nx.Graph, path_or_file: str | os.PathLike[str] | BinaryIO) -> None:
    """Write ``graph`` as GraphML (UTF-8) to a path or a binary file object.

    Attribute types are declared per key; integers and floats under the same key are
    written as one numeric type so that every key has a single declaration.
    """
    nx.write_graphml(clean_attributes(graph), path_or_file, infer_numeric_types=True)
