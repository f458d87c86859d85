"""The lean graph: about half the quads of the full one, the same answers to every README
query, a store that passes ``claimgraph check``; ``--detail full`` on the command line.

On the seed article (../shared/seed/karabakh-2020.txt, skipped without it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claimgraph import Document, extract
from claimgraph.cli import main
from claimgraph.graph.check import check_store
from claimgraph.graph.rdf import (
    CLUSTERS_GRAPH,
    article_statements,
    entity_iris,
    prepare_article,
)
from claimgraph.graph.store import Store
from claimgraph.pipeline import run_info

ROOT = Path(__file__).resolve().parents[1]
#: Quads per attribution of the seed article's graph and entity descriptions: the model
#: before the lean graph wrote 79 (68.5 in the article's graph); the lean one writes 43.
QUADS_PER_ATTRIBUTION = 45


@pytest.fixture(scope="module")
def seed(nlp, seed_text: str):
    """The seed article, its attributions and the run that found them."""
    ((document, attributions),) = extract([Document(id="karabakh-2020", text=seed_text)], nlp)
    return document, attributions, run_info(nlp)


@pytest.fixture(scope="module")
def stores(seed):
    """The seed article stored lean and full (as ingest stores it: then the merge step)."""
    document, attributions, run = seed
    opened = {}
    for detail in ("lean", "full"):
        store = Store.open(None)
        article = prepare_article(document, attributions, run, detail)
        store.put_article(article)
        store.merge_across_store([iri.value for iri in entity_iris(article.entities)],
                                 [str(article.iri)])
        opened[detail] = store
    yield opened
    for store in opened.values():
        store.close()


def readme_queries() -> dict[str, str]:
    """Return the README's SPARQL examples and the example query files."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sparql\n(.*?)^```", readme, flags=re.MULTILINE | re.DOTALL)
    queries = {f"README block {number}": block for number, block in enumerate(blocks, 1)}
    queries.update({path.name: path.read_text(encoding="utf-8")
                    for path in (ROOT / "examples" / "queries").glob("*.rq")})
    return queries


def test_the_lean_graph_is_about_half_the_full_one(seed) -> None:
    document, attributions, run = seed
    per_attribution = {}
    for detail in ("lean", "full"):
        graph, entities = article_statements(document, attributions, run, detail)
        per_attribution[detail] = (len(graph) + len(entities)) / len(attributions)
    assert per_attribution["lean"] < QUADS_PER_ATTRIBUTION < per_attribution["full"]
    assert per_attribution["lean"] < 0.6 * per_attribution["full"]


def test_every_readme_query_answers_the_same_on_the_lean_graph(stores) -> None:
    queries = readme_queries()
    assert len(queries) >= 4
    answered = 0
    for name, query in queries.items():
        rows = {detail: sorted(tuple(str(value) for value in row.values())
                               for row in store.select(query))
                for detail, store in stores.items()}
        assert rows["lean"] == rows["full"], name
        answered += bool(rows["lean"])
    # On the seed article: Turkey's claims about Azerbaijan, AFP's, the story.
    assert answered >= 3


def test_the_lean_and_the_full_store_pass_the_check(stores) -> None:
    for detail, store in stores.items():
        check = check_store(store)
        assert check.problems == [], detail


def test_the_check_finds_a_span_outside_the_text(stores) -> None:
    store = stores["lean"]
    (row,) = store.select("SELECT ?claim ?article WHERE { GRAPH ?article { ?claim "
                          'cg:cueText "affirmed" } }')
    claim, article = row["claim"], row["article"]
    bad = f"<{article}#char=100000,100006>"
    (old,) = store.select(f"SELECT ?span WHERE {{ <{claim}> cg:cueSpan ?span }}")
    store.update(f"DELETE DATA {{ GRAPH <{article}> {{ <{claim}> cg:cueSpan <{old['span']}> }} }};"
                 f"INSERT DATA {{ GRAPH <{article}> {{ <{claim}> cg:cueSpan {bad} }} }}")
    try:
        dangling = check_store(store, shacl=False).dangling
        assert dangling == [f"span that is no span of its article's text: {bad}"]
    finally:
        store.update(f"DELETE DATA {{ GRAPH <{article}> {{ <{claim}> cg:cueSpan {bad} }} }};"
                     f"INSERT DATA {{ GRAPH <{article}> {{ <{claim}> cg:cueSpan "
                     f"<{old['span']}> }} }}")


def test_ingest_detail_full_on_the_command_line(tmp_path: Path) -> None:
    lean, full = tmp_path / "lean.store", tmp_path / "full.store"
    example = str(ROOT / "examples" / "harbour-strike.txt")
    assert main(["ingest", example, "--store", str(lean), "--quiet"]) == 0
    assert main(["ingest", example, "--store", str(full), "--quiet", "--detail", "full"]) == 0
    anchors = "SELECT (COUNT(*) AS ?n) WHERE { ?span nif:anchorOf ?text }"
    # the claim matching index is the same in both: the model is what differs
    model = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
             f"FILTER (?g != <{CLUSTERS_GRAPH}>) }}")
    with Store.open(lean, read_only=True) as store:
        lean_quads = int(store.select(model)[0]["n"])
        assert int(store.select(anchors)[0]["n"]) == 0
    with Store.open(full, read_only=True) as store:
        assert int(store.select(anchors)[0]["n"]) > 0
        assert int(store.select(model)[0]["n"]) > 1.7 * lean_quads
