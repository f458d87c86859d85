"""GEXF 1.3 and GraphML export of the projections: structure, colours, time, round trips."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

import networkx as nx
import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from claimgraph.graph.gexf import (
    GEXF_NAMESPACE,
    NODE_COLORS,
    VIZ_NAMESPACE,
    write_gexf,
)
from claimgraph.graph.graphml import write_graphml
from claimgraph.graph.projection import claim_graph, source_subject_graph
from claimgraph.ontology import CG, CGD

NS = {"g": GEXF_NAMESPACE, "viz": VIZ_NAMESPACE}
UN = CGD["entity/united-nations"]
RUSSIA = CGD["entity/russia"]
ARTICLE = CGD["article/0123456789abcdef"]


def _row(claim: str, text: str, subject, day: str | None = "2020-10-10") -> dict:
    """One query row as ``Store.select`` returns it: the UN says ``text`` about ``subject``."""
    return {
        "claim": CGD[f"claim/0123456789abcdef/{claim}"], "article": ARTICLE,
        "text": Literal(text, lang="en"), "cue": Literal("called"),
        "quoteType": CG.IndirectQuote, "negated": Literal(False),
        "date": Literal(day, datatype=XSD.date) if day else None,
        "source": UN, "sourceLabel": Literal("United Nations", lang="en"),
        "sourceType": Literal("organization"),
        "subject": subject, "subjectLabel": Literal("Russia", lang="en") if subject else None,
    }


ROWS = [
    _row("a", "all sides should respect the truce", RUSSIA),
    _row("b", "the mediation by Russia was welcome", RUSSIA, day="2020-10-12"),
    _row("c", "civilians must be protected", None),
]


def _parse(graph: nx.DiGraph) -> ET.Element:
    buffer = io.BytesIO()
    write_gexf(graph, buffer)
    return ET.fromstring(buffer.getvalue())


def test_gexf_is_version_1_3_with_dynamic_date_graph():
    root = _parse(claim_graph(ROWS))
    assert root.tag == f"{{{GEXF_NAMESPACE}}}gexf"
    assert root.get("version") == "1.3"
    graph = root.find("g:graph", NS)
    assert graph.get("defaultedgetype") == "directed"
    assert graph.get("mode") == "dynamic"
    assert graph.get("timeformat") == "date"
    declared = {(attributes.get("class"), attribute.get("title"), attribute.get("type"))
                for attributes in graph.findall("g:attributes", NS)
                for attribute in attributes.findall("g:attribute", NS)}
    assert {("node", "type", "string"), ("node", "negated", "boolean"),
            ("edge", "relation", "string")} <= declared


def test_gexf_nodes_have_labels_types_colours_and_dates():
    root = _parse(claim_graph(ROWS))
    nodes = {node.get("id"): node for node in root.iterfind(".//g:node", NS)}
    assert len(nodes) == 5  # UN, Russia, three claims
    for node in nodes.values():
        assert node.get("label")
        values = {value.get("for"): value.get("value")
                  for value in node.iterfind("g:attvalues/g:attvalue", NS)}
        assert values["type"] in NODE_COLORS
        assert "None" not in values.values()
        color = node.find("viz:color", NS)
        assert tuple(int(color.get(channel)) for channel in "rgb") == NODE_COLORS[values["type"]]

    un = nodes[str(UN)]
    assert un.get("label") == "United Nations"
    assert un.get("start") == "2020-10-10"
    truce = next(node for node in nodes.values()
                 if node.get("label") == "all sides should respect the truce")
    assert truce.get("start") == "2020-10-10"
    assert truce.find("viz:color", NS).get("r") == str(NODE_COLORS["claim"][0])


def test_gexf_round_trips_through_networkx():
    buffer = io.BytesIO()
    write_gexf(source_subject_graph(ROWS), buffer)
    buffer.seek(0)
    graph = nx.read_gexf(buffer, version="1.3")
    assert graph.is_directed()
    assert graph.nodes[str(UN)]["type"] == "source"
    assert graph.nodes[str(RUSSIA)]["type"] == "subject"
    assert graph.nodes[str(RUSSIA)]["label"] == "Russia"
    assert graph.edges[str(UN), str(RUSSIA)]["weight"] == 2.0
    assert graph.edges[str(UN), str(RUSSIA)]["claims"] == 2
    assert graph.edges[str(UN), str(RUSSIA)]["start"] == "2020-10-10"


def test_gexf_written_to_a_path(tmp_path):
    path = tmp_path / "claims.gexf"
    write_gexf(claim_graph(ROWS), path, description="UN statements")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml")
    assert 'xmlns="http://gexf.net/1.3"' in text and 'xmlns:viz="http://gexf.net/1.3/viz"' in text
    meta = ET.parse(path).getroot().find("g:meta", NS)
    assert meta.find("g:description", NS).text == "UN statements"
    assert nx.read_gexf(path, version="1.3").number_of_edges() == 5


def test_gexf_without_dates_is_static():
    undated = [_row("a", "all sides should respect the truce", RUSSIA, day=None)]
    graph = _parse(claim_graph(undated)).find("g:graph", NS)
    assert graph.get("mode") == "static"
    assert graph.get("timeformat") is None
    assert all(node.get("start") is None for node in graph.iterfind(".//g:node", NS))


def test_gexf_rejects_mixed_time_formats():
    graph = nx.DiGraph()
    graph.add_node("a", start="2020-10-10")
    graph.add_node("b", start=3)
    with pytest.raises(ValueError, match="mix time formats"):
        write_gexf(graph, io.BytesIO())


def test_graphml_round_trips_through_networkx(tmp_path):
    path = tmp_path / "claims.graphml"
    write_graphml(claim_graph(ROWS), path)
    graph = nx.read_graphml(path)
    assert graph.nodes[str(UN)]["type"] == "source"
    assert graph.nodes[str(UN)]["entity_type"] == "organization"
    claims = [data for _, data in graph.nodes(data=True) if data["type"] == "claim"]
    assert sorted(data["label"] for data in claims) == [
        "all sides should respect the truce", "civilians must be protected",
        "the mediation by Russia was welcome"]
    assert all(data["negated"] is False for data in claims)
    assert all(data["cue"] == "called" for data in claims)
    assert "None" not in path.read_text(encoding="utf-8")

    sources = tmp_path / "sources.graphml"
    write_graphml(source_subject_graph(ROWS), sources)
    assert nx.read_graphml(sources).edges[str(UN), str(RUSSIA)]["weight"] == 2
