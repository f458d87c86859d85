"""Who repeats whose claims: claims matched across articles into clusters, incrementally,
and how each cluster spread (first appearance, repeats, credit, outlets).

The articles are the project's own (examples/repeated-claims.jsonl): batch 1 (its first
three) holds one statement quoted verbatim by two outlets and a near-miss (the same words
about another country); batch 2 quotes it verbatim a third time and paraphrases it.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from unittest import mock
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from conftest import assert_valid_gexf, assert_valid_graphml

from claimgraph import ingest, open_store
from claimgraph.cli import main
from claimgraph.graph import claim_index, spread
from claimgraph.graph.check import check_store
from claimgraph.graph.rdf import CLUSTERS_GRAPH, article_graph_iri
from claimgraph.graph.spread import ClaimRecord, cluster_spreads, same_claim
from claimgraph.loaders import iter_documents
from claimgraph.ontology import CG

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "repeated-claims.jsonl"
QUERIES = ROOT / "examples" / "queries"
STATEMENT = "Turkey is sending mercenaries from Syria to fight alongside Azerbaijani forces"


def cluster_quads(store) -> set[tuple[str, str, str]]:
    return {(str(row["s"]), str(row["p"]), str(row["o"])) for row in store.select(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{CLUSTERS_GRAPH}> {{ ?s ?p ?o }} }}")}


INDEX_PREDICATES = {str(CG.lshBand), str(CG.indexedArticle), str(CG.matchOrder)}


def without_index(quads: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The clusters graph of a store that holds its matching index (a server), as an
    embedded store holds it: without the index but its members' matching order."""
    members = {o for _, p, o in quads if p == str(CG.memberClaim)}
    return {(s, p, o) for s, p, o in quads if p not in INDEX_PREDICATES
            or (p == str(CG.matchOrder) and s in members)}


def index_entries(quads: set[tuple[str, str, str]]) -> set[tuple]:
    """The index entries of a clusters graph: (claim, order, article, band keys)."""
    found: dict[str, dict] = {}
    for s, p, o in quads:
        if p in INDEX_PREDICATES:
            found.setdefault(s, {"keys": set()})
            if p == str(CG.lshBand):
                found[s]["keys"].add(claim_index.key_number(o))
            else:
                found[s][p] = o
    return {(claim, int(entry[str(CG.matchOrder)]), entry[str(CG.indexedArticle)],
             frozenset(entry["keys"])) for claim, entry in found.items()
            if str(CG.indexedArticle) in entry}


def file_index_entries(path: Path) -> set[tuple]:
    """The index entries of an embedded store's index file."""
    with closing(sqlite3.connect(path / claim_index.INDEX_FILE)) as db:
        return {(claim, order, article, frozenset(claim_index.unpack_keys(keys)))
                for claim, order, article, keys in db.execute(
                    "SELECT claim.iri, claim.ord, article.iri, claim.keys FROM claim "
                    "JOIN article ON article.id = claim.article")}


@pytest.fixture(scope="module")
def batches(nlp, tmp_path_factory):
    """Ingest batch 1, then batch 2 (recording every pair the matcher decides); return the
    store's path, the two summaries, the clusters graph after batch 1 and the pairs."""
    path = tmp_path_factory.mktemp("spread") / "store"
    decided: list[tuple[str, str]] = []

    def recording(one: ClaimRecord, other: ClaimRecord):
        decided.append((one.article, other.article))
        return same_claim(one, other)

    documents = list(iter_documents([EXAMPLE]))
    with open_store(path) as store:
        first = ingest(documents[:3], store, nlp)
        after_first = cluster_quads(store)
        with mock.patch.object(spread, "same_claim", recording):
            second = ingest(documents[3:], store, nlp)
    return path, first, second, after_first, decided


def test_verbatim_repeats_and_a_paraphrase_cluster_and_the_near_miss_does_not(batches):
    path, *_ = batches
    with open_store(path, read_only=True) as store:
        (cluster,) = cluster_spreads(store)
    assert [item.publisher for item in cluster.appearances] == [
        "Caspian Herald", "Yerevan Daily", "Anatolia Monitor", "Geneva Wire"]
    assert cluster.articles == 4
    assert "Baku Courier" not in cluster.outlets  # "Russia is sending…": another subject
    methods = {item.publisher: item.method for item in cluster.appearances}
    assert methods["Anatolia Monitor"] == "verbatim"
    assert methods["Geneva Wire"] == "paraphrase"
    assert all(STATEMENT in item.text for item in cluster.appearances[:3])
    assert "beside the Azerbaijani forces" in cluster.appearances[3].text


def test_first_appearance_is_the_earliest_date_and_repeats_say_whom_they_credit(batches):
    path, *_ = batches
    with open_store(path, read_only=True) as store:
        (cluster,) = cluster_spreads(store)
        (row,) = store.select(f"""SELECT ?date ?articles WHERE {{ GRAPH <{CLUSTERS_GRAPH}> {{
            <{cluster.iri}> cg:firstAppearance ?date ; cg:articleCount ?articles }} }}""")
    assert (cluster.first.date, cluster.first.publisher) == ("2020-09-28", "Caspian Herald")
    assert cluster.first.source_label == "Nikol Pashinyan"
    assert str(row["date"]) == "2020-09-28" and int(row["articles"]) == 4
    credits = {item.publisher: (item.source_label, item.credits_first_source)
               for item in cluster.repeats}
    assert credits == {"Yerevan Daily": ("Nikol Pashinyan", True),
                       "Anatolia Monitor": ("Zohrab Mnatsakanyan", False),
                       "Geneva Wire": ("Nikol Pashinyan", True)}


def test_a_second_batch_joins_the_cluster_without_matching_the_first_again(batches):
    path, first, second, after_first, decided = batches
    assert first.spread.indexed >= 3 and first.spread.links == 1  # Caspian–Yerevan
    # only batch 2's claims are matched: each with both stored repeats and with the other
    assert (second.spread.indexed, second.spread.links) == (2, 5)
    # every pair decided in batch 2 holds a batch-2 claim: batch 1 was not matched again
    batch2 = {str(article_graph_iri(name)) for name in ("anatolia-monitor-1002",
                                                        "geneva-wire-1003")}
    assert decided and all(one in batch2 or other in batch2 for one, other in decided)
    with open_store(path, read_only=True) as store:
        after_second = cluster_quads(store)
    # batch 1's cluster kept its IRI and every statement but its article count
    changed = {quad for quad in after_first - after_second}
    assert {predicate.rsplit("#", 1)[-1] for _, predicate, _ in changed} == {"articleCount"}


def test_removal_keeps_clusters_consistent(batches, tmp_path: Path):
    path, *_ = batches
    copy = tmp_path / "store"
    shutil.copytree(path, copy)  # the fixture's store is closed
    assert main(["remove", "caspian-herald-0928", "--store", str(copy)]) == 0
    with open_store(copy, read_only=True) as store:
        (cluster,) = cluster_spreads(store)
        assert [item.publisher for item in cluster.appearances] == [
            "Yerevan Daily", "Anatolia Monitor", "Geneva Wire"]
        assert cluster.first.date == "2020-09-30"
        assert not check_store(store).problems
    assert main(["remove", "yerevan-daily-0930", "anatolia-monitor-1002", "--store",
                 str(copy)]) == 0
    with open_store(copy, read_only=True) as store:
        assert cluster_spreads(store) == []  # one claim left: no cluster
        assert not store.select("SELECT ?m WHERE { ?m a cg:ClusterMembership }")
        assert not check_store(store, shacl=False).problems


def test_an_embedded_store_keeps_its_index_in_its_file_and_only_member_orders(batches):
    """The index costs the store one quad per claim in a cluster (its matching order), none
    per other claim: band keys, orders and articles are in the store's index file."""
    path, first, second, *_ = batches
    with open_store(path, read_only=True) as store:
        quads = cluster_quads(store)
        (cluster,) = cluster_spreads(store)
    predicates = Counter(predicate for _, predicate, _ in quads)
    assert predicates[str(CG.lshBand)] == predicates[str(CG.indexedArticle)] == 0
    members = {claim for _, predicate, claim in quads if predicate == str(CG.memberClaim)}
    assert {appearance.claim for appearance in cluster.appearances} == members
    orders = {claim: int(order) for claim, predicate, order in quads
              if predicate == str(CG.matchOrder)}
    assert orders.keys() == members
    entries = file_index_entries(path)
    assert len(entries) == first.spread.indexed + second.spread.indexed
    assert all(len(keys) == spread.BANDS for *_, keys in entries)
    assert {claim: order for claim, order, *_ in entries if claim in members} == orders
    assert [appearance.order for appearance in cluster.appearances] == [
        orders[appearance.claim] for appearance in cluster.appearances]


def test_a_lost_index_file_is_rebuilt_from_the_store(batches, tmp_path: Path):
    path, *_ = batches
    copy = tmp_path / "store"
    shutil.copytree(path, copy)
    before = file_index_entries(copy)
    (copy / claim_index.INDEX_FILE).unlink()  # a store copied without it
    with open_store(copy) as store:
        claim_index.claim_index(store).close()
        clusters = cluster_quads(store)
    after = file_index_entries(copy)
    # the same claims, articles and band keys; the claims in clusters keep their order
    assert {(claim, article, keys) for claim, _, article, keys in after} == {
        (claim, article, keys) for claim, _, article, keys in before}
    orders = {claim: int(order) for claim, predicate, order in clusters
              if predicate == str(CG.matchOrder)}
    assert {claim: order for claim, order, *_ in after if claim in orders} == orders
    assert len({order for _, order, *_ in after}) == len(after)
    assert main(["remove", "caspian-herald-0928", "--store", str(copy)]) == 0
    with open_store(copy, read_only=True) as store:
        (cluster,) = cluster_spreads(store)
    assert [item.publisher for item in cluster.appearances] == [
        "Yerevan Daily", "Anatolia Monitor", "Geneva Wire"]


def test_an_index_in_an_embedded_store_moves_into_its_file(batches, nlp, tmp_path: Path):
    """A store written with its index in it (as before the index file) gets the file on
    its next matching, the same as a store matched with the file all along; the index
    leaves the store."""
    path, *_ = batches
    documents = list(iter_documents([EXAMPLE]))
    with open_store(tmp_path / "store") as store:
        for batch in (documents[:3], documents[3:]):
            ingest(batch, store, nlp, match_claims=False)
            spread.update_spread(store, [str(article_graph_iri(document.id))
                                         for document in batch], index_in_store=True)
        in_store = index_entries(cluster_quads(store))
        assert not (tmp_path / "store" / claim_index.INDEX_FILE).exists()
        assert spread.unmatched_articles(store) == []  # the move
        migrated = cluster_quads(store)
    with open_store(path, read_only=True) as local:
        assert migrated == cluster_quads(local)
    assert in_store == file_index_entries(tmp_path / "store") == file_index_entries(path)


def clusters_without_orders(store) -> set[tuple[str, str, str]]:
    return {quad for quad in without_index(cluster_quads(store))
            if quad[1] != str(CG.matchOrder)}


def test_an_index_matched_through_an_endpoint_moves_into_the_file(batches, tmp_path: Path):
    """Ingest through a SPARQL endpoint on the store's folder (`claimgraph serve
    --allow-update`) keeps the index in the store: it matches the articles the file knew
    again, and the next matching on disk moves that index into the file."""
    path, *_ = batches
    copy = tmp_path / "store"
    shutil.copytree(path, copy)
    before = file_index_entries(copy)
    with open_store(copy) as store:
        clusters = clusters_without_orders(store)
        in_store = claim_index.claim_index(store, in_store=True)
        unmatched = spread.unmatched_articles(store, in_store)
        assert len(unmatched) == 5
        spread.update_spread(store, unmatched, index_in_store=True)
        assert index_entries(cluster_quads(store))  # the endpoint's index, in the store
        assert spread.unmatched_articles(store) == []  # on disk: it moves into the file
        assert not index_entries(cluster_quads(store))
        assert clusters_without_orders(store) == clusters
        assert not check_store(store, shacl=False).problems
    after = file_index_entries(copy)
    assert {(claim, article, keys) for claim, _, article, keys in after} == {
        (claim, article, keys) for claim, _, article, keys in before}


def test_an_export_leaves_the_index_out_and_a_server_loading_it_matches_again(batches):
    path, *_ = batches
    with open_store(path, read_only=True) as local:
        exported = io.BytesIO()
        local.export(exported, "nq")
        clusters = clusters_without_orders(local)
    assert b"lshBand" not in exported.getvalue()
    with open_store(None) as server:  # a store without a folder: the index in the store
        server.oxigraph().load(exported.getvalue(), ox.RdfFormat.N_QUADS)
        unmatched = spread.unmatched_articles(server)
        assert len(unmatched) == 5
        spread.update_spread(server, unmatched)
        assert clusters_without_orders(server) == clusters
        assert spread.unmatched_articles(server) == []


def test_the_store_with_clusters_passes_its_checks(batches):
    path, *_ = batches
    with open_store(path, read_only=True) as store:
        assert not check_store(store).problems


def record(iri: str, text: str, *, source: str | None = None, subjects: tuple = ()
           ) -> ClaimRecord:
    entity = "https://w3id.org/claimgraph/id/entity/"
    return ClaimRecord(iri, f"article-{iri}", text, source=source and entity + source,
                       subjects=frozenset(entity + subject for subject in subjects))


def test_same_words_about_another_subject_are_not_the_same_claim() -> None:
    turkey = record("a", f'"{STATEMENT} in Nagorno Karabakh."',
                    subjects=("turkey", "syria", "azerbaijan", "nagorno-karabakh"))
    russia = record("b", f'"{STATEMENT.replace("Turkey", "Russia")} in Nagorno Karabakh."',
                    subjects=("russia", "syria", "azerbaijan", "nagorno-karabakh"))
    assert same_claim(turkey, russia) is None
    # without subjects the same texts are near-verbatim repeats
    assert same_claim(record("a", turkey.text), record("b", russia.text)).method == \
        "near-verbatim"
    # a subject named more fully on one side is the same subject
    fuller = record("c", turkey.text, subjects=("turkey", "karabakh"))
    assert same_claim(turkey, fuller).method == "verbatim"


def test_a_looser_paraphrase_needs_a_shared_source_or_subject() -> None:
    original = record("a", f"{STATEMENT} in Nagorno Karabakh", source="nikol-pashinyan")
    loose = record("b", "that Ankara was sending mercenaries from Syria to fight beside the "
                        "Azerbaijani forces in Karabakh", source="nikol-pashinyan")
    anonymous = record("c", loose.text)
    match = same_claim(original, loose)
    assert match is not None and match.method == "paraphrase" and 0.4 <= match.similarity < 0.6
    assert same_claim(original, anonymous) is None
    assert same_claim(original, record("d", "Turkey is sending")) is None  # too short
    assert same_claim(original, record("a", original.text)) is None  # its own article


def query(store, name: str) -> list[dict[str, str]]:
    rows = store.select((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))
    return [{key: str(value) for key, value in row.items() if value is not None}
            for row in rows]


def test_the_readme_queries_answer_on_the_example(batches):
    path, *_ = batches
    with open_store(path, read_only=True) as store:
        (repeated,) = query(store, "repeated-claims")
        (first,) = query(store, "first-said")
        (turkey,) = query(store, "turkey-spread")
    assert STATEMENT in repeated["claim"] and repeated["first"] == "2020-09-28"
    assert (repeated["outlets"], repeated["sources"]) == ("4", "2")
    assert set(repeated["carriedBy"].split(", ")) == {
        "Caspian Herald", "Yerevan Daily", "Anatolia Monitor", "Geneva Wire"}
    assert first == {"firstSaidBy": "Nikol Pashinyan", "firstDate": "2020-09-28",
                     "firstOutlet": "Caspian Herald", "repeatDate": "2020-10-02",
                     "repeatOutlet": "Anatolia Monitor", "claim": first["claim"]}
    assert STATEMENT in first["claim"]
    assert (turkey["articles"], turkey["first"], turkey["latest"]) == (
        "4", "2020-09-28", "2020-10-03")


def test_the_clusters_view_is_a_gexf_timeline_of_the_spread(batches, tmp_path: Path):
    path, *_ = batches
    target = tmp_path / "clusters.gexf"
    assert main(["export", "--store", str(path), "--format", "gexf", "--view", "clusters",
                 "-o", str(target)]) == 0
    assert_valid_gexf(target.read_bytes())
    root = ElementTree.parse(target).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    graph = root.find("g:graph", ns)
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    (cluster,) = [node for node in graph.iter("{http://gexf.net/1.3}node")
                  if "/cluster/" in node.get("id")]
    assert cluster.get("start") == "2020-09-28" and STATEMENT[:40] in cluster.get("label")
    spread_steps = [(value.get("start"), value.get("value")) for value in
                    cluster.iter("{http://gexf.net/1.3}attvalue") if value.get("for") == "spread"]
    assert spread_steps == [("2020-09-28", "1"), ("2020-09-30", "2"), ("2020-10-02", "3"),
                            ("2020-10-03", "4")]
    labels = {node.get("id"): node.get("label") for node in graph.iter("{http://gexf.net/1.3}node")}
    edges = {(labels[edge.get("source")], edge.get("start"))
             for edge in graph.iter("{http://gexf.net/1.3}edge")}
    assert {("Caspian Herald", "2020-09-28"), ("Geneva Wire", "2020-10-03"),
            ("Zohrab Mnatsakanyan", "2020-10-02"), ("Nikol Pashinyan", "2020-09-28")} <= edges
    assert "Baku Courier" not in labels.values()
    # GraphML has no time: the spread is its final value
    graphml = tmp_path / "clusters.graphml"
    assert main(["export", "--store", str(path), "--format", "graphml", "--view", "clusters",
                 "-o", str(graphml)]) == 0
    assert_valid_graphml(graphml)


def test_the_report_has_a_page_per_repeated_claim(batches, tmp_path: Path):
    from claimgraph.graph.report import write_report

    path, *_ = batches
    with open_store(path, read_only=True) as store:
        summary = write_report(store, tmp_path / "site")
        assert write_report(store, tmp_path / "few", min_cluster_articles=5).cluster_pages == 0
    assert summary.cluster_pages == 1
    (page,) = (tmp_path / "site" / "claims").glob("*.html")
    text = page.read_text(encoding="utf-8")
    first = text[text.index('id="first-appearance"'):text.index("</tr>", text.index(
        'id="first-appearance"'))]
    assert "2020-09-28" in first and "Caspian Herald" in first and "Nikol Pashinyan" in first
    rows = text[text.index('id="spread"'):].split("<tr>")[2:]
    assert [row.split('class="outlet">')[1].split("<")[0] for row in rows] == [
        "Caspian Herald", "Yerevan Daily", "Anatolia Monitor", "Geneva Wire"]
    assert [row.split('class="credits">')[1].split("<")[0] for row in rows] == [
        "first appearance", "yes", "no", "yes"]
    assert "Baku Courier" not in text
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f'href="claims/{page.name}"' in index


def test_matching_works_the_same_on_a_sparql_server(batches, oxigraph_server: str, nlp):
    """A server (--endpoint) keeps the index in the store: it gets the same clusters and
    the same index entries as the embedded store's file, batch after batch, and removal
    keeps them consistent there too."""
    path, *_ = batches
    documents = list(iter_documents([EXAMPLE]))
    with open_store(endpoint=oxigraph_server) as remote:
        ingest(documents[:3], remote, nlp)
        ingest(documents[3:], remote, nlp)
        with open_store(path, read_only=True) as local:
            there = cluster_quads(remote)
            assert without_index(there) == cluster_quads(local)
        # the same index: in the server's store there, in the store's file here
        assert index_entries(there) == file_index_entries(path)
        remote.remove_article("caspian-herald-0928")
        (cluster,) = cluster_spreads(remote)
        assert cluster.first.publisher == "Yerevan Daily" and cluster.articles == 3
