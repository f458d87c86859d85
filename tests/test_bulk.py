"""The bulk path: N-Quads shards from ingest --to-nquads, loaded with `oxigraph load` (and
Virtuoso's bulk loader), then claimgraph merge, hold exactly what a normal ingest stores."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EXAMPLE_ARTICLE, OXIGRAPH, SHARED

from claimgraph.bulk import SHARD_SUFFIX, article_nquads, finish_store
from claimgraph.cli import main
from claimgraph.graph import merging
from claimgraph.graph.rdf import ENTITIES_GRAPH, RunInfo, prepare_article
from claimgraph.graph.remote import RemoteStore
from claimgraph.graph.store import Store
from claimgraph.graph.virtuoso import bulk_load
from claimgraph.records import Document

# Our own articles: a short name ("Lindqvist") that the store-wide step merges into the
# full one, a copy of a text under another id, and a record without text.
RECORDS = [
    {"id": "tariffs", "date": "2024-05-06",
     "text": "Maria Lindqvist, Sweden's trade minister, said on Monday that the new tariffs "
             "would hurt exporters in Gothenburg. Lindqvist added that talks with the "
             "European Commission would continue."},
    {"id": "port-fees", "date": "2024-05-07",
     "text": "Ms. Lindqvist said that the port fees were unfair to farmers. The European "
             "Commission denied that the fees broke any rule."},
    {"id": "tariffs-again", "date": "2024-05-08",
     "text": "Maria Lindqvist, Sweden's trade minister, said on Monday that the new tariffs "
             "would hurt exporters in Gothenburg. Lindqvist added that talks with the "
             "European Commission would continue."},
    {"id": "no-text", "date": "2024-05-08"},
]
DEV_TEXTS = SHARED / "polnear" / "dev" / "text"


@dataclass(frozen=True)
class BulkRun:
    shards: list[Path]
    loaded: Path  # the store the shards were loaded into with `oxigraph load`, then merged
    normal: Path  # the same inputs ingested the usual way
    outputs: dict[str, str]


@pytest.fixture(scope="module")
def bulk_run(tmp_path_factory, nlp) -> BulkRun:
    if not Path(OXIGRAPH).is_file():
        pytest.skip("the oxigraph command is not installed (pip install oxigraph)")
    work = tmp_path_factory.mktemp("bulk")
    records = work / "own.jsonl"
    records.write_text("".join(json.dumps(record) + "\n" for record in RECORDS),
                       encoding="utf-8")
    # and a dozen PolNeAR dev articles where ../shared has them: more names to merge
    dev = sorted(map(str, DEV_TEXTS.glob("*.txt")))[:12] if DEV_TEXTS.is_dir() else []
    inputs = [str(EXAMPLE_ARTICLE), str(records), *dev]
    outputs = {}

    def run(name: str, *arguments: str) -> int:
        error = io.StringIO()
        with contextlib.redirect_stderr(error):
            status = main(list(arguments))
        outputs[name] = error.getvalue()
        return status

    shards = work / "shards"
    assert run("shards", "ingest", *inputs, "--to-nquads", str(shards), "--workers", "2",
               "--quiet") == 1  # the record without text is skipped
    files = sorted(shards.glob(f"*{SHARD_SUFFIX}"))
    loaded = work / "loaded"
    subprocess.run([OXIGRAPH, "load", "--location", str(loaded),
                    "--file", *map(str, files)], check=True, capture_output=True)
    assert run("merge", "merge", "--store", str(loaded)) == 0
    normal = work / "normal"
    assert run("ingest", "ingest", *inputs, "--store", str(normal), "--quiet") == 1
    return BulkRun(files, loaded, normal, outputs)


def _quads(path: Path) -> set[ox.Quad]:
    with Store.open(path, read_only=True) as store:
        return set(store.oxigraph())


def test_shards_loaded_with_oxigraph_load_then_merged_equal_a_normal_ingest(
        bulk_run: BulkRun) -> None:
    # the example, three records with text (one a copy), the dev articles
    articles = 4 + (len(sorted(DEV_TEXTS.glob("*.txt"))[:12]) if DEV_TEXTS.is_dir() else 0)
    assert f"{articles} articles ({articles - 1} added, 0 replaced, 0 unchanged, 1 copies " \
           "of a stored text)" in bulk_run.outputs["shards"]
    assert "own.jsonl:4: record has no text" in bulk_run.outputs["shards"]
    assert "1 skipped" in bulk_run.outputs["shards"]
    # one shard per worker (2), and this process's for the copy
    assert 2 <= len(bulk_run.shards) <= 3
    assert "short names merged" in bulk_run.outputs["merge"]
    bulk, normal = _quads(bulk_run.loaded), _quads(bulk_run.normal)
    # no blank nodes anywhere: the quads compare as they are
    assert not any(isinstance(term, ox.BlankNode) for quad in normal
                   for term in (quad.subject, quad.object, quad.graph_name))
    assert len(normal) > 1000
    assert bulk == normal
    # the short name was merged, and the claims relinked to the full name
    with Store.open(bulk_run.loaded, read_only=True) as store:
        rows = store.select("""SELECT ?label ?target WHERE { GRAPH ?entities {
            ?short cg:entityKey "lindqvist" ; cg:mergedInto ?full . ?full skos:prefLabel ?target }
            ?claim prov:wasAttributedTo ?full ; schema:text ?label }""")
        assert {str(row["target"]) for row in rows} == {"Maria Lindqvist"}
        assert any("unfair to farmers" in str(row["label"]) for row in rows)


def test_merge_again_changes_nothing(bulk_run: BulkRun) -> None:
    before = _quads(bulk_run.loaded)
    assert main(["merge", "--store", str(bulk_run.loaded)]) == 0
    assert _quads(bulk_run.loaded) == before


def test_merging_in_small_queries_and_updates_gives_the_same_store(
        bulk_run: BulkRun, tmp_path: Path, monkeypatch) -> None:
    # a large store's entity lists go to the server in blocks (VALUES_BLOCK terms a query)
    monkeypatch.setattr(merging, "VALUES_BLOCK", 2)
    subprocess.run([OXIGRAPH, "load", "--location", str(tmp_path / "again"),
                    "--file", *map(str, bulk_run.shards)], check=True, capture_output=True)
    with Store.open(tmp_path / "again") as store:
        store.update_quads = 3  # and its changes in updates of three quads, as Virtuoso's
        summary = finish_store(store)
    assert summary.merge.merged >= 1 and summary.merge.relinked >= 1
    assert _quads(tmp_path / "again") == _quads(bulk_run.normal)


def test_shards_loaded_into_virtuoso_then_merged_equal_a_normal_ingest(
        bulk_run: BulkRun, virtuoso_instance, virtuoso_server: str, tmp_path: Path) -> None:
    # the bulk loader reads the shards from their folder (an allowed folder of the server)
    assert bulk_load(virtuoso_instance, bulk_run.shards[0].parent) == len(bulk_run.shards)
    assert main(["merge", "--endpoint", virtuoso_server]) == 0
    assert main(["export", "--endpoint", virtuoso_server, "--format", "nq",
                 "-o", str(tmp_path / "virtuoso.nq")]) == 0
    with Store.open(bulk_run.normal, read_only=True) as store:
        store.export(tmp_path / "normal.nq")
    assert (tmp_path / "virtuoso.nq").read_bytes() == (tmp_path / "normal.nq").read_bytes()
    with RemoteStore(virtuoso_server) as store:
        assert store.select('SELECT ?full WHERE { ?short cg:entityKey "lindqvist" ; '
                            'cg:mergedInto ?full }')


def test_an_article_as_n_quads_is_its_graph_its_entities_and_its_run() -> None:
    document = Document(id="note", text="The mayor said that the bridge was safe.")
    article = prepare_article(document, [], RunInfo("en_test", "1.0"))
    quads = list(ox.parse(article_nquads(article), ox.RdfFormat.N_QUADS))
    own = {(quad.subject, quad.predicate, quad.object) for quad in quads
           if quad.graph_name.value == str(article.iri)}
    assert own == {(triple.subject, triple.predicate, triple.object)
                   for triple in ox.parse(article.ntriples, ox.RdfFormat.N_TRIPLES)}
    graphs = {quad.graph_name.value for quad in quads}
    assert graphs == {str(article.iri), "https://w3id.org/claimgraph/id/graph/runs"}
    assert str(ENTITIES_GRAPH) not in graphs  # no attributions, no entities


def test_shards_are_not_written_over(tmp_path: Path, capsys) -> None:
    (tmp_path / f"part-old{SHARD_SUFFIX}").write_text("", encoding="utf-8")
    assert main(["ingest", str(EXAMPLE_ARTICLE), "--to-nquads", str(tmp_path), "--quiet"]) == 2
    assert "holds shards already (part-old.nq" in capsys.readouterr().err
