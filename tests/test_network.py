"""claimgraph.network: the four networkx views of a store, with the claims' attributes."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import EXAMPLE_DATE
from rdflib import Literal

from claimgraph import network
from claimgraph.graph.coverage import article_source_graph, coquotation_graph
from claimgraph.graph.projection import claim_graph, source_subject_graph
from claimgraph.ontology import CG, CGD

WEBER = str(CGD["entity/robert-weber"])
DE_VRIES = str(CGD["entity/marieke-de-vries"])


def _by_label(graph: nx.Graph, label: str) -> str:
    nodes = [node for node, data in graph.nodes(data=True) if data.get("label") == label]
    assert len(nodes) == 1, nodes
    return nodes[0]


def test_claims_view_nodes_and_edges_carry_the_claim_attributes(dated_store) -> None:
    graph = network(dated_store, "claims")
    assert isinstance(graph, nx.DiGraph)
    denied = [data for _, data in graph.nodes(data=True)
              if data["type"] == "claim" and data.get("cue") == "denied"]
    assert len(denied) == 1
    claim = denied[0]
    assert claim["text"] == "that cargo was being diverted to Antwerp"
    assert claim["cue_class"] == "denial"
    assert claim["quote_type"] == "indirect"
    assert claim["negated"] is False and claim["hedged"] is False
    assert 0 < claim["confidence"] <= 1
    assert claim["article_id"] == "harbour-strike"
    assert claim["start"] == claim["date"] == EXAMPLE_DATE
    # "Port officials" name no one: an unresolved source is no node of the network
    assert not [node for node, data in graph.nodes(data=True)
                if data.get("label") == "Port officials"]
    says = [(target, data) for _, target, data in graph.out_edges(WEBER, data=True)
            if data["relation"] == "says"]
    assert says and all(data["date"] == EXAMPLE_DATE for _, data in says)
    quoted = [graph.nodes[target] for target, data in says if data["quote_type"] == "direct"]
    assert any(node["cue"] == "said" and "Germany" in node["text"] for node in quoted)


def test_sources_view_one_edge_per_pair_or_per_claim(dated_store) -> None:
    simple = network(dated_store, "sources")
    edge = simple.edges[WEBER, _by_label(simple, "Germany")]
    assert (edge["weight"], edge["claims"], edge["articles"]) == (1, 1, 1)
    assert edge["cue_classes"] == "assertion"
    assert edge["negated_claims"] == 0
    assert edge["date"] == EXAMPLE_DATE
    multi = network(dated_store, "sources", multigraph=True)
    assert isinstance(multi, nx.MultiDiGraph)
    # Weber's quotation is about Germany and Belgium: one claim, one edge to each.
    germany = _by_label(multi, "Germany")
    (key, data), = multi[WEBER][germany].items()
    assert key == data["claim"]
    assert data["cue"] == "said" and data["quote_type"] == "direct"
    assert multi.number_of_edges() >= simple.number_of_edges()


def test_coquotation_view_links_sources_of_one_article(dated_store) -> None:
    graph = network(dated_store, "coquotation")
    assert not graph.is_directed()
    assert graph.has_edge(WEBER, DE_VRIES)
    edge = graph.edges[WEBER, DE_VRIES]
    assert edge["articles"] == edge["weight"] == 1
    assert edge["date"] == EXAMPLE_DATE
    assert graph.nodes[DE_VRIES]["claims"] == 2
    multi = network(dated_store, "coquotation", multigraph=True)
    (article, data), = multi[WEBER][DE_VRIES].items()
    assert data["article_id"] == "harbour-strike"


def test_articles_view_is_bipartite(dated_store) -> None:
    graph = network(dated_store, "articles")
    articles = {node for node, data in graph.nodes(data=True) if data["bipartite"] == 0}
    assert nx.is_bipartite(graph)
    example = next(node for node in articles
                   if graph.nodes[node]["article_id"] == "harbour-strike")
    assert graph.nodes[example]["type"] == "article"
    assert graph.nodes[example]["date"] == EXAMPLE_DATE
    assert graph.edges[example, DE_VRIES]["claims"] == 2
    multi = network(dated_store, "articles", multigraph=True)
    assert multi.number_of_edges(example, DE_VRIES) == 2


def test_unknown_view_is_refused(dated_store) -> None:
    with pytest.raises(ValueError, match="unknown view 'everything'"):
        network(dated_store, "everything")  # type: ignore[arg-type]


# --- groups, on rows made by hand --------------------------------------------------------

GROUP = CGD["entity/armenia-and-azerbaijan"]
ARMENIA, AZERBAIJAN = CGD["entity/armenia"], CGD["entity/azerbaijan"]
MEDIATOR = CGD["entity/osce"]


def _row(claim: str, article: str, source, subject=None) -> dict:
    return {"claim": CGD[f"claim/{article}/{claim}"], "article": CGD[f"article/{article}"],
            "articleId": Literal(article), "text": Literal("the fighting goes on"),
            "cue": Literal("vowed"), "cueClass": Literal("commitment"),
            "quoteType": CG.IndirectQuote, "negated": Literal(False),
            "hedged": Literal(False), "confidence": Literal(0.9),
            "publisher": Literal("Example News"), "source": source, "subject": subject}


ROWS = [_row("a", "one", GROUP, MEDIATOR), _row("b", "one", MEDIATOR, GROUP)]
MEMBER_ROWS = [{"group": GROUP, "member": ARMENIA, "memberLabel": Literal("Armenia")},
               {"group": GROUP, "member": AZERBAIJAN, "memberLabel": Literal("Azerbaijan")}]


def test_group_members_are_nodes_with_member_edges() -> None:
    for graph in (claim_graph(ROWS, MEMBER_ROWS), source_subject_graph(ROWS, MEMBER_ROWS)):
        assert graph.nodes[str(ARMENIA)]["label"] == "Armenia"
        assert graph.nodes[str(ARMENIA)]["type"] == "member"
        assert graph.edges[str(GROUP), str(AZERBAIJAN)]["relation"] == "member"
    claims = claim_graph(ROWS, MEMBER_ROWS)
    claim = claims.nodes[str(CGD["claim/one/a"])]
    assert (claim["cue_class"], claim["publisher"], claim["confidence"]) == (
        "commitment", "Example News", 0.9)


def test_group_sources_count_through_their_members() -> None:
    coquoted = coquotation_graph(ROWS, MEMBER_ROWS)
    assert str(GROUP) not in coquoted
    assert coquoted.has_edge(str(ARMENIA), str(MEDIATOR))
    assert coquoted.has_edge(str(ARMENIA), str(AZERBAIJAN))
    bipartite = article_source_graph(ROWS, MEMBER_ROWS)
    assert set(bipartite[str(CGD["article/one"])]) == {str(ARMENIA), str(AZERBAIJAN),
                                                       str(MEDIATOR)}
    assert bipartite.nodes[str(CGD["article/one"])]["publisher"] == "Example News"
