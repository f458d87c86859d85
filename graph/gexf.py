"""Write networkx graphs as GEXF 1.3, the format Gephi reads natively.

networkx's own writer targets the 1.1/1.2 drafts (its "1.3" mode declares a wrong XML Schema
instance namespace and attributes the schema does not define), so this module writes GEXF 1.3
directly with ``xml.etree``, following the schema at http://gexf.net/1.3:

- ``<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">``;
- ``<attributes class="node|edge">`` declarations for every data attribute, typed from the
  values (``string``, ``integer``, ``double``, ``boolean``);
- nodes with ``label``, ``<attvalues>`` and a ``<viz:color r g b a>`` chosen by node ``type``;
- edges with ``weight`` (and ``label`` where set);
- a :class:`~claimgraph.graph.projection.Timeline` value becomes a dynamic attribute
  (declared in ``<attributes mode="dynamic">``): one ``<attvalue>`` per step, with its
  ``start`` and the next step's date as ``end``; Gephi's timeline shows it change;
- time: a node or edge ``start`` / ``end`` attribute becomes the element's ``start`` /
  ``end``, and the graph becomes ``mode="dynamic"`` with the matching ``timeformat``
  (``"date"`` for ``YYYY-MM-DD``), which is what Gephi's timeline needs. graphology-gexf,
  Gephi Lite's reader, ignores ``start``; so a dated element also gets a plain ``date``
  attribute (its ``start``, unless it has a ``date`` already), which Gephi Lite can filter
  on.

The root element declares no ``xsi:schemaLocation``: the GEXF 1.3 grammar (RELAX NG) allows
no attribute there but ``version`` and ``variant``, and the tests validate every file this
module writes against that grammar.

Attributes are cleaned first with :func:`claimgraph.graph.projection.clean_attributes`, so any
networkx graph can be written, not only claimgraph's projections.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, BinaryIO
from xml.etree import ElementTree as ET

import networkx as nx

from claimgraph.graph.projection import Timeline, clean_attributes

GEXF_NAMESPACE = "http://gexf.net/1.3"
VIZ_NAMESPACE = "http://gexf.net/1.3/viz"
GEXF_VERSION = "1.3"

Color = tuple[int, int, int]

#: Node colours by ``type``: a colour-blind-safe orange / purple pair for the two entity
#: roles and a neutral grey for claims, so the people and institutions stand out.
NODE_COLORS: Mapping[str, Color] = {
    "source": (230, 97, 1),
    "subject": (94, 60, 153),
    "claim": (160, 160, 160),
    "claim cluster": (27, 158, 119),
    "outlet": (117, 112, 179),
}
DEFAULT_COLOR: Color = (200, 200, 200)

# Data keys GEXF stores as XML attributes of the element itself, not as <attvalue>s.
_NODE_RESERVED = frozenset({"label", "start", "end"})
_EDGE_RESERVED = frozenset({"label", "weight", "start", "end"})
_TIME_KEYS = ("start", "end")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def write_gexf(graph: nx.Graph, path_or_file: str | os.PathLike[str] | BinaryIO, *,
               colors: Mapping[str, Color] = NODE_COLORS,
               description: str | None = None) -> None:
    """Write ``graph`` as a GEXF 1.3 file (UTF-8) to a path or a binary file object.

    Node ids and labels are written as strings; nodes are coloured by their ``type``
    attribute through ``colors`` (others get :data:`DEFAULT_COLOR`); ``description`` goes
    into the file's ``<meta>``. Raises ValueError when the graph's ``start``/``end`` values
    mix time formats.
    """
    tree = ET.ElementTree(_gexf_root(graph, colors, description))
    ET.indent(tree)
    tree.write(path_or_file, encoding="utf-8", xml_declaration=True)


def _gexf_root(graph: nx.Graph, colors: Mapping[str, Color],
               description: str | None) -> ET.Element:
    """Build the ``<gexf>`` element, ready to serialise.

    Tags are written unqualified under a declared default namespace (and ``viz:`` tags
    with their declared prefix) rather than in ElementTree's ``{uri}tag`` form: ElementTree
    can only emit a default namespace through its process-wide prefix registry, which
    networkx's GEXF writer also changes.
    """
    if graph.is_multigraph():
        raise ValueError("write_gexf takes a Graph or DiGraph, not a multigraph")
    graph = clean_attributes(graph)
    nodes = [(node, _with_date(data)) for node, data in graph.nodes(data=True)]
    edges = [(source, target, _with_date(data))
             for source, target, data in graph.edges(data=True)]

    root = ET.Element("gexf", {
        "xmlns": GEXF_NAMESPACE,
        "xmlns:viz": VIZ_NAMESPACE,
        "version": GEXF_VERSION,
    })
    meta = ET.SubElement(root, "meta", lastmodifieddate=date.today().isoformat())
    ET.SubElement(meta, "creator").text = "claimgraph"
    if description:
        ET.SubElement(meta, "description").text = description

    graph_element = ET.SubElement(root, "graph", defaultedgetype=(
        "directed" if graph.is_directed() else "undirected"))
    timeformat = _timeformat([*(data.get(key) for _, data in nodes for key in _TIME_KEYS),
                              *(start for _, data in nodes for value in data.values()
                                if isinstance(value, Timeline) for start, _ in value.steps)])
    edge_timeformat = _timeformat(data.get(key) for *_, data in edges for key in _TIME_KEYS)
    if timeformat and edge_timeformat and timeformat != edge_timeformat:
        raise ValueError(f"nodes use {timeformat} times but edges use {edge_timeformat}")
    timeformat = timeformat or edge_timeformat
    graph_element.set("mode", "dynamic" if timeformat else "static")
    if timeformat:
        graph_element.set("timeformat", timeformat)

    node_types = _declare(graph_element, "node", (data for _, data in nodes), _NODE_RESERVED)
    edge_types = _declare(graph_element, "edge", (data for *_, data in edges), _EDGE_RESERVED)

    nodes_element = ET.SubElement(graph_element, "nodes", count=str(len(nodes)))
    for node, data in nodes:
        element = ET.SubElement(nodes_element, "node", id=node,
                                label=str(data.get("label", node)))
        _set_times(element, data)
        _add_attvalues(element, data, node_types)
        red, green, blue = colors.get(str(data.get("type")), DEFAULT_COLOR)
        ET.SubElement(element, "viz:color", r=str(red), g=str(green), b=str(blue), a="1.0")

    edges_element = ET.SubElement(graph_element, "edges", count=str(len(edges)))
    for number, (source, target, data) in enumerate(edges):
        element = ET.SubElement(edges_element, "edge", id=str(number), source=source,
                                target=target)
        if "weight" in data:
            element.set("weight", _format(float(data["weight"])))
        if "label" in data:
            element.set("label", str(data["label"]))
        _set_times(element, data)
        _add_attvalues(element, data, edge_types)
    return root


def _with_date(data: dict[str, Any]) -> dict[str, Any]:
    """Return an element's data with a plain ``date`` attribute where it has a ``start``."""
    if "start" in data and "date" not in data:
        return {**data, "date": data["start"]}
    return data


def _declare(graph_element: ET.Element, attribute_class: str,
             records: Iterable[Mapping[str, Any]], reserved: frozenset[str]) -> dict[str, str]:
    """Declare the data attributes of nodes or edges; return their GEXF types by title.

    Attribute ids are the titles themselves (the schema allows string ids), which keeps
    ``<attvalue for="type">`` readable.
    """
    values_by_title: dict[str, list[Any]] = {}
    for record in records:
        for title, value in record.items():
            if title not in reserved:
                values_by_title.setdefault(title, []).append(value)
    types = {title: _gexf_type(values) for title, values in values_by_title.items()}
    for mode in ("static", "dynamic"):
        titles = [title for title in types
                  if any(isinstance(value, Timeline) for value in values_by_title[title])
                  == (mode == "dynamic")]
        if titles:
            declarations = ET.SubElement(graph_element, "attributes",
                                         {"class": attribute_class, "mode": mode})
            for title in titles:
                ET.SubElement(declarations, "attribute", id=title, title=title,
                              type=types[title])
    return types


def _add_attvalues(element: ET.Element, data: Mapping[str, Any],
                   types: Mapping[str, str]) -> None:
    present = [title for title in types if title in data]
    if not present:
        return
    attvalues = ET.SubElement(element, "attvalues")
    for title in present:
        value = data[title]
        if isinstance(value, Timeline):
            ends = [start for start, _ in value.steps[1:]]
            for (start, step), end in zip(value.steps, [*ends, None], strict=True):
                step = float(step) if types[title] == "double" else step
                element_value = {"for": title, "value": _format(step), "start": start}
                if end is not None:
                    element_value["end"] = end
                ET.SubElement(attvalues, "attvalue", element_value)
            continue
        if types[title] == "double":
            value = float(value)
        ET.SubElement(attvalues, "attvalue", {"for": title, "value": _format(value)})


def _set_times(element: ET.Element, data: Mapping[str, Any]) -> None:
    for key in _TIME_KEYS:
        if key in data:
            element.set(key, _format(data[key]))


def _gexf_type(values: list[Any]) -> str:
    """Return the one GEXF attribute type that holds all ``values`` (a timeline's steps)."""
    values = [step for value in values for step in (
        [item for _, item in value.steps] if isinstance(value, Timeline) else [value])]
    if all(isinstance(value, bool) for value in values):
        return "boolean"
    if any(isinstance(value, bool) for value in values):
        return "string"
    if all(isinstance(value, int) for value in values):
        return "integer"
    if all(isinstance(value, int | float) for value in values):
        return "double"
    return "string"


def _timeformat(values: Iterable[Any]) -> str | None:
    """Return the GEXF ``timeformat`` all time values share, ``None`` when there are none."""
    formats = {_time_kind(value) for value in values if value is not None}
    if not formats:
        return None
    if formats == {"integer", "double"}:
        return "double"
    if len(formats) > 1:
        raise ValueError(f"start/end values mix time formats: {', '.join(sorted(formats))}")
    return formats.pop()


def _time_kind(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError(f"not a time value: {value!r}")
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    text = str(value)
    if _ISO_DATE.fullmatch(text):
        return "date"
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time value: {value!r}") from None
    return "dateTime"


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
