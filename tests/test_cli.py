"""The claimgraph command line: help, extract, ingest with bad input, query, export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from conftest import EXAMPLE_ARTICLE, assert_valid_gexf

from claimgraph.cli import build_parser, main

COMMANDS = ["ingest", "extract", "query", "export", "remove", "check", "serve", "report",
            "evaluate", "merge"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    help_text = capsys.readouterr().out
    assert "Example:" in help_text and f"claimgraph {command}" in help_text


def test_the_parser_knows_every_command() -> None:
    choices = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    assert set(choices) == set(COMMANDS)


def test_extract_prints_one_json_object_per_article_with_exact_offsets(capsys) -> None:
    assert main(["extract", str(EXAMPLE_ARTICLE), "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["id"] == "harbour-strike"
    text = EXAMPLE_ARTICLE.read_text(encoding="utf-8")
    for attribution in record["attributions"]:
        for role in ("source", "cue", "content"):
            span = attribution[role]
            if span is not None:
                assert text[span["start"]:span["end"]] == span["text"]
        assert attribution["quote_type"] in {"direct", "indirect", "mixed"}
    by_cue = {a["cue"]["text"]: a for a in record["attributions"]}
    assert by_cue["told"]["source"]["text"] == "Union leader Marieke de Vries"
    assert by_cue["denied"]["content"]["text"] == "that cargo was being diverted to Antwerp"
    quoted = [a for a in record["attributions"] if a["quote_type"] == "direct"]
    assert any(a["content"]["text"].startswith("“We cannot keep ships waiting") for a in quoted)


@pytest.fixture()
def inputs(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "The mayor said that the bridge would reopen in May.", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04")
    (folder / "latin1.txt").write_bytes("Le maire a déclaré".encode("latin-1"))
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text(
        json.dumps({"id": "n1", "text": "Police said the road was closed.",
                    "date": "2024-05-01"}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "n3", "text": "The council denied that it had raised taxes."})
        + "\n", encoding="utf-8")
    return {"folder": folder, "jsonl": jsonl, "missing": tmp_path / "missing.txt"}


def test_ingest_skips_bad_input_names_it_and_keeps_the_rest(inputs, tmp_path: Path,
                                                            capsys) -> None:
    store = tmp_path / "news.store"
    status = main(["ingest", str(inputs["folder"]), str(inputs["jsonl"]),
                   str(inputs["missing"]), "--store", str(store), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1  # something was skipped
    skipped = [line for line in err.splitlines() if line.startswith("claimgraph: skipped:")]
    assert len(skipped) == 5
    for name in ("empty.txt", "binary.txt", "latin1.txt", "news.jsonl:2", "missing.txt"):
        assert sum(name in line for line in skipped) == 1, name
    assert "3 articles (3 added" in err

    # What is stored survives a later batch that fails entirely.
    assert main(["ingest", str(inputs["missing"]), "--store", str(store), "--quiet"]) == 1
    capsys.readouterr()
    assert main(["query", "--store", str(store), "--format", "csv",
                 "PREFIX cg: <https://w3id.org/claimgraph/ontology#> "
                 "SELECT ?id WHERE { ?a cg:articleId ?id } ORDER BY ?id"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["id"] for row in rows] == ["good", "n1", "n3"]


def test_query_json_export_and_gephi_from_the_command_line(tmp_path: Path, capsys) -> None:
    store = str(tmp_path / "example.store")
    assert main(["ingest", str(EXAMPLE_ARTICLE), "--store", store, "--quiet"]) == 0
    query = tmp_path / "about.rq"
    query.write_text("""
        PREFIX schema: <https://schema.org/>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX cg: <https://w3id.org/claimgraph/ontology#>
        SELECT ?source ?entity WHERE {
          ?claim cg:sourceText ?source ;
                 schema:about/skos:prefLabel "Antwerp"@en .
          OPTIONAL { ?claim prov:wasAttributedTo ?entity } }""", encoding="utf-8")
    capsys.readouterr()
    assert main(["query", "--store", store, str(query), "--format", "json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["head"]["vars"] == ["source", "entity"]
    # Unnamed officials resolve to no entity: the claim keeps its source text, no node.
    assert results["results"]["bindings"] == [
        {"source": {"type": "literal", "value": "Port officials"}}]

    gexf = tmp_path / "sources.gexf"
    assert main(["export", "--store", store, "--format", "gexf", "--view", "sources",
                 "-o", str(gexf)]) == 0
    assert_valid_gexf(gexf.read_bytes())
    graph = nx.read_gexf(gexf)
    labels = {data["label"] for _, data in graph.nodes(data=True)}
    assert {"Robert Weber", "Germany", "Belgium"} <= labels  # "Weber" resolved
    nquads = tmp_path / "all.nq"
    assert main(["export", "--store", store, "--format", "nq", "-o", str(nquads)]) == 0
    assert "Port officials" in nquads.read_text(encoding="utf-8")


def test_a_query_file_that_cannot_be_read_is_one_line_error(tmp_path: Path, capsys) -> None:
    store = str(tmp_path / "empty.store")
    status = main(["query", "--store", store, str(tmp_path / "nothing.rq")])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("claimgraph: error:") and "nothing.rq" in err and "\n" not in err


def test_evaluate_scores_a_small_brat_corpus(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "gold"
    (corpus / "text").mkdir(parents=True)
    (corpus / "attributions").mkdir()
    text = "The mayor said that the bridge would reopen in May. The sun was out."
    (corpus / "text" / "a.txt").write_text(text, encoding="utf-8")

    def span(label: str, phrase: str, number: int) -> str:
        start = text.index(phrase)
        return f"T{number}\t{label} {start} {start + len(phrase)}\t{phrase}"

    (corpus / "attributions" / "a_x.ann").write_text("\n".join([
        span("Source", "The mayor", 1), span("Cue", "said", 2),
        span("Content", "that the bridge would reopen in May", 3),
        span("Attribution", "said", 4),
        "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3", ""]), encoding="utf-8")
    assert main(["evaluate", str(corpus), "--format", "json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    for role in ("source", "cue", "content"):
        assert scores[role]["exact"]["f1"] == 1.0, role
    assert scores["attribution"]["f1"] == 1.0
