"""The store holds only what its articles say: replacing or removing an article takes away
the entities and labels only it gave, and `claimgraph check` finds what is left dangling."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import EXAMPLE_ARTICLE, claim_clusters
from spacy.language import Language

from claimgraph import Document, ingest
from claimgraph.cli import main
from claimgraph.graph.rdf import CLUSTERS_GRAPH, ENTITIES_GRAPH
from claimgraph.graph.store import Store

ARTICLE = EXAMPLE_ARTICLE.read_text(encoding="utf-8")
# The corrected article: Weber's paragraph and the Antwerp denial are gone.
CHANGED = "\n".join(line for line in ARTICLE.splitlines()
                    if "Weber" not in line and "Antwerp" not in line) + "\n"
OTHER = (ARTICLE.replace("Rotterdam", "Hamburg").replace("Robert Weber", "Anna Schmidt")
         .replace("Weber", "Schmidt").replace("Antwerp", "Bremen"))
LABELS_QUERY = (f"SELECT ?label WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?entity skos:prefLabel|"
                "skos:altLabel ?label } }")


def nquads(store: Store) -> str:
    """The store as N-Quads, its claim clusters left out: their matching order and cluster
    names follow the order articles came in; :func:`clusters` compares what they hold."""
    buffer = io.BytesIO()
    store.export(buffer, "nq")
    return "".join(line for line in buffer.getvalue().decode("utf-8").splitlines(True)
                   if not line.rstrip().endswith(f"<{CLUSTERS_GRAPH}> ."))




def labels(store: Store) -> set[str]:
    return {str(row["label"]) for row in store.select(LABELS_QUERY)}


def clean_store(nlp: Language, path: Path, *documents: Document
                ) -> tuple[str, set[frozenset[str]]]:
    with Store.open(path) as store:
        ingest(list(documents), store, nlp)
        return nquads(store), claim_clusters(store)


def test_a_changed_article_takes_its_old_entities_and_labels_away(nlp: Language,
                                                                  tmp_path: Path) -> None:
    with Store.open(tmp_path / "news.store") as store:
        ingest([Document(id="port", text=ARTICLE)], store, nlp)
        assert {"Robert Weber", "Weber", "Antwerp"} <= labels(store)
        summary = ingest([Document(id="port", text=CHANGED)], store, nlp)
        assert summary.replaced == 1
        assert not {"Robert Weber", "Weber", "Antwerp", "German Economy Minister"} & labels(store)
        replaced = nquads(store), claim_clusters(store)
    assert replaced == clean_store(nlp, tmp_path / "clean.store", Document(id="port",
                                                                           text=CHANGED))


def test_replace_and_remove_leave_what_a_clean_ingest_of_the_rest_gives(
        nlp: Language, tmp_path: Path) -> None:
    port, other = Document(id="port", text=ARTICLE), Document(id="other", text=OTHER)
    changed = Document(id="port", text=CHANGED)
    with Store.open(tmp_path / "news.store") as store:
        ingest([port, other], store, nlp)
        shared = labels(store)
        assert {"Marieke de Vries", "Germany", "Antwerp", "Bremen"} <= shared
        assert claim_clusters(store)  # the two versions of one story repeat each other's claims
        ingest([changed], store, nlp)
        assert (nquads(store), claim_clusters(store)) == clean_store(nlp, tmp_path / "a.store",
                                                               other, changed)
        # "Marieke de Vries", "Germany" stay: the other article still names them
        assert {"Marieke de Vries", "Germany", "Bremen"} <= labels(store)
        assert store.remove_article("port") is True
        assert store.remove_article("port") is False
        assert (nquads(store), claim_clusters(store)) == clean_store(nlp, tmp_path / "b.store",
                                                                     other)
        assert not claim_clusters(store)
        assert store.remove_article("other") is True
        assert len(store) == len([line for line in nquads(store).splitlines()
                                  if "/graph/runs>" in line])  # only the run is left
        assert not store.select(f"SELECT * WHERE {{ GRAPH <{CLUSTERS_GRAPH}> {{ ?s ?p ?o }} }}")


def test_check_finds_nothing_after_replace_and_remove_and_finds_what_breaks(
        nlp: Language, tmp_path: Path, capsys) -> None:
    from claimgraph.graph.check import check_store

    path = tmp_path / "news.store"
    with Store.open(path) as store:
        ingest([Document(id="port", text=ARTICLE), Document(id="other", text=OTHER)],
               store, nlp)
        ingest([Document(id="port", text=CHANGED)], store, nlp)
        store.remove_article("other")
        check = check_store(store)
        assert check.problems == [], check.problems
        assert str(check) == "0 orphans, 0 dangling references, 0 SHACL violations"
    assert main(["check", "--store", str(path)]) == 0
    capsys.readouterr()

    with Store.open(path) as store:
        # an entity no article mentions, and a claim's source entity described nowhere
        store.update(f"INSERT DATA {{ GRAPH <{ENTITIES_GRAPH}> {{ entity:nobody a cg:Entity ; "
                     "skos:prefLabel 'Nobody'@en ; cg:entityType 'person' ; "
                     "cg:entityKey 'nobody' ; a schema:Person } }")
        store.update(f"DELETE WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ "
                     "entity:marieke-de-vries ?p ?o } }")
        check = check_store(store)
    nobody = "<https://w3id.org/claimgraph/id/entity/nobody>"
    marieke = "<https://w3id.org/claimgraph/id/entity/marieke-de-vries>"
    assert check.orphans == [f"entity no article mentions: {nobody}"]
    assert f"reference to an undescribed entity: {marieke}" in check.dangling
    assert any(marieke in line and "SHACL violation" in line for line in check.violations)
    assert main(["check", "--store", str(path)]) == 1
    out = capsys.readouterr().out
    assert nobody in out and marieke in out


def test_remove_from_the_command_line(tmp_path: Path, capsys) -> None:
    store = tmp_path / "news.store"
    assert main(["ingest", str(EXAMPLE_ARTICLE), "--store", str(store), "--quiet"]) == 0
    assert main(["remove", "harbour-strike", "no-such-article", "--store", str(store)]) == 1
    err = capsys.readouterr().err
    assert "claimgraph: removed harbour-strike" in err
    assert "claimgraph: skipped: no-such-article: no such article in the store" in err
    with Store.open(store, read_only=True) as opened:
        assert opened.article_count() == 0
        assert not opened.select(LABELS_QUERY)


@pytest.mark.parametrize("remote", [False])
def test_remove_is_one_update(remote: bool, nlp: Language, tmp_path: Path,
                              monkeypatch) -> None:
    updates: list[str] = []
    with Store.open(tmp_path / "news.store") as store:
        ingest([Document(id="port", text=ARTICLE)], store, nlp)
        original = store.update
        monkeypatch.setattr(store, "update", lambda sparql: (updates.append(sparql),
                                                             original(sparql)))
        store.remove_article("port")
    assert len(updates) == 1 and updates[0].startswith("DROP SILENT GRAPH")
