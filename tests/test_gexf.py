"""GEXF 1.3 and GraphML export of the projections: structure, colours, time, round trips."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

import networkx as nx
import pytest
from conftest import assert_valid_gexf, assert_valid_graphml, read_with_graphology
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
    """Write ``graph`` as GEXF, check it against the GEXF 1.3 grammar and parse it."""
    buffer = io.BytesIO()
    write_gexf(graph, buffer)
    assert_valid_gexf(buffer.getvalue())
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
    assert_valid_gexf(path.read_bytes())
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
    assert_valid_graphml(path)
    graph = _by_iri(nx.read_graphml(path))
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
    assert_valid_graphml(sources)
    assert _by_iri(nx.read_graphml(sources)).edges[str(UN), str(RUSSIA)]["weight"] == 2


def _by_iri(graph: nx.Graph) -> nx.Graph:
    """Return a GraphML graph read back with its nodes named by their ``iri`` again."""
    return nx.relabel_nodes(graph, {node: data["iri"] for node, data in graph.nodes(data=True)})


def test_graphml_ids_are_nmtokens_stable_for_the_same_graph(tmp_path):
    first, second = tmp_path / "first.graphml", tmp_path / "second.graphml"
    write_graphml(claim_graph(ROWS), first)
    write_graphml(claim_graph(list(reversed(ROWS))), second)
    ids = [node.get("id") for node in ET.parse(first).getroot().iter(
        "{http://graphml.graphdrawing.org/xmlns}node")]
    assert ids == [f"n{number}" for number in range(5)]
    by_id = {node: data["iri"] for node, data in nx.read_graphml(first).nodes(data=True)}
    assert by_id == {node: data["iri"]
                     for node, data in nx.read_graphml(second).nodes(data=True)}
    assert str(UN) in by_id.values()


def test_graphml_multigraph_edges_get_nmtoken_ids(tmp_path):
    path = tmp_path / "sources.graphml"
    write_graphml(source_subject_graph(ROWS, multigraph=True), path)
    assert_valid_graphml(path)
    graph = _by_iri(nx.read_graphml(path))
    keys = {data["key"] for *_, data in graph.edges(str(UN), data=True)}
    assert keys == {str(CGD["claim/0123456789abcdef/a"]), str(CGD["claim/0123456789abcdef/b"])}


def test_the_graphml_schema_refuses_iri_ids(tmp_path):
    """The check has teeth: networkx's writer with IRI node ids fails the schema."""
    path = tmp_path / "iris.graphml"
    nx.write_graphml(nx.DiGraph([(str(UN), str(RUSSIA))]), path)
    with pytest.raises(AssertionError, match="NMTOKEN"):
        assert_valid_graphml(path, required=True)


def test_gexf_dated_elements_get_a_plain_date_attribute():
    graph = nx.DiGraph()
    graph.add_node("a", label="A", start="2020-10-10")
    graph.add_node("b", label="B")
    graph.add_edge("a", "b", start="2020-10-11")
    root = _parse(graph)
    values = {node.get("id"): {value.get("for"): value.get("value")
                               for value in node.iterfind("g:attvalues/g:attvalue", NS)}
              for node in root.iterfind(".//g:node", NS)}
    assert values["a"]["date"] == "2020-10-10"
    assert "date" not in values.get("b", {})
    edge = root.find(".//g:edge", NS)
    assert edge.get("start") == "2020-10-11"
    assert edge.find("g:attvalues/g:attvalue[@for='date']", NS).get("value") == "2020-10-11"


def test_the_gexf_grammar_refuses_a_schema_location():
    """The check has teeth: the attribute the writer used to add fails the grammar."""
    buffer = io.BytesIO()
    write_gexf(claim_graph(ROWS), buffer)
    located = buffer.getvalue().replace(
        b'version="1.3"', b'version="1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"')
    with pytest.raises(AssertionError, match="not valid GEXF 1.3"):
        assert_valid_gexf(located, required=True)


def test_graphology_reads_nodes_edges_and_dates(tmp_path):
    path = tmp_path / "claims.gexf"
    write_gexf(claim_graph(ROWS), path)
    read = read_with_graphology(path)
    assert (read["type"], read["order"], read["size"]) == ("directed", 5, 5)
    assert read["nodes"][str(UN)]["label"] == "United Nations"
    assert read["nodes"][str(UN)]["date"] == "2020-10-10"
    assert read["datedNodes"] == 5
