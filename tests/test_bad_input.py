"""Bad input, long texts and misuse: one line naming the file, record or option; the rest
of the batch goes on; nothing stored is lost; the exit status tells (0, 1, 2, 130).

One test (or more) per case of the table of issue 13.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE_ARTICLE
from spacy.language import Language

import claimgraph.cli
from claimgraph import Document, ingest
from claimgraph.cli import main
from claimgraph.graph.store import Store
from claimgraph.pipeline import IngestSummary, extract

ARTICLE = EXAMPLE_ARTICLE.read_text(encoding="utf-8")
IDS_QUERY = ("PREFIX cg: <https://w3id.org/claimgraph/ontology#> "
             "SELECT ?id WHERE { ?a cg:articleId ?id } ORDER BY ?id")


def stored_ids(store: Path) -> list[str]:
    with Store.open(store, read_only=True) as opened:
        return [str(row["id"]) for row in opened.select(IDS_QUERY)]


def one_error_line(err: str, *names: str) -> str:
    """Return the only line of stderr, checking it is a claimgraph line naming ``names``."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    errors = [line for line in lines if line.startswith(("claimgraph: error:",
                                                         "claimgraph: skipped:"))]
    assert len(errors) == 1, err
    for name in names:
        assert name in errors[0], (name, errors[0])
    return errors[0]


def variant(city: str, minister: str) -> str:
    """The example article about another port and another minister (another text)."""
    surname = minister.split()[-1]
    return (ARTICLE.replace("Rotterdam", city).replace("Robert Weber", minister)
            .replace("Weber", surname))


# ---------------------------------------------------------------- long texts


def test_text_pieces_are_paragraph_aligned_and_cover_the_text() -> None:
    from claimgraph.extract.pieces import text_pieces

    text = "".join(f"Paragraph {number} says something.\n\n" for number in range(200))
    pieces = text_pieces(text, limit=500)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    for (_, end), (start, _) in zip(pieces, pieces[1:], strict=False):
        assert end == start  # contiguous
    for start, end in pieces:
        assert 250 <= end - start <= 500 or end == len(text)
        assert end == len(text) or text[start:end].endswith("\n\n")
    # no break anywhere: cut hard at the limit
    assert text_pieces("x" * 1200, limit=500) == [(0, 500), (500, 1000), (1000, 1200)]
    assert text_pieces("short", limit=500) == [(0, 5)]


def test_a_text_longer_than_spacys_max_length_is_an_article_too(nlp: Language,
                                                                tmp_path: Path) -> None:
    # Four articles in one text, longer than max_length: parsed in paragraph-aligned
    # pieces, with offsets into the whole text (spaCy alone raises E088).
    cities = ["Rotterdam", "Hamburg", "Genoa", "Gdansk"]
    long_text = "\n\n".join(variant(city, "Robert Weber") for city in cities)
    short = Document(id="short", text=variant("Lisbon", "Anna Schmidt"))
    max_length = nlp.max_length
    nlp.max_length = len(ARTICLE) + 100
    try:
        assert len(long_text) > nlp.max_length
        [(document, attributions)] = list(extract([long_text], nlp))
        with Store.open(tmp_path / "long.store") as store:
            summary = ingest([Document(id="long", text=long_text), short], store, nlp)
    finally:
        nlp.max_length = max_length
    [(_, alone)] = list(extract([ARTICLE], nlp))
    denials = [a for a in attributions if a.cue.text == "denied"]
    assert len(denials) == 4  # one per article in the text, the last far past max_length
    for attribution in attributions:
        for mention in (attribution.cue, attribution.content, attribution.source,
                        *attribution.subjects):
            if mention is not None:
                assert long_text[mention.start:mention.end] == mention.text
    # the first piece is the first article: the same attributions, offsets and all
    first = [a for a in attributions if a.cue.end <= len(ARTICLE)]
    assert [(a.cue.start, a.content.text) for a in first] == \
        [(a.cue.start, a.content.text) for a in alone]
    assert (summary.added, summary.skipped) == (2, 0)


# ---------------------------------------------------------------- one bad record


@Language.component("claimgraph_test_failure")
def _fail_on_boom(doc):
    if "BOOM" in doc.text:
        raise ValueError("the component met BOOM")
    return doc


@pytest.fixture()
def failing_nlp(nlp: Language) -> Iterator[Language]:
    nlp.add_pipe("claimgraph_test_failure", first=True)
    try:
        yield nlp
    finally:
        nlp.remove_pipe("claimgraph_test_failure")


def test_an_exception_extracting_one_article_costs_only_that_article(
        failing_nlp: Language, tmp_path: Path) -> None:
    documents = [Document(id="before", text=variant("Hamburg", "Anna Schmidt")),
                 Document(id="bad", text="BOOM. The mayor said the bridge was closed.",
                          path="news.jsonl:2"),
                 Document(id="after", text=variant("Genoa", "Peter Braun"))]
    errors = []
    with Store.open(tmp_path / "news.store") as store:
        summary = ingest(documents, store, failing_nlp, on_error=errors.append)
    assert (summary.added, summary.skipped) == (2, 1)
    assert str(errors[0]) == ("news.jsonl:2: cannot extract attributions "
                              "(ValueError: the component met BOOM)")
    assert stored_ids(tmp_path / "news.store") == ["after", "before"]
    # extract() reports it the same way, or raises it when no one listens
    found = [document.id for document, _ in extract(documents, failing_nlp,
                                                    on_error=errors.append)]
    assert found == ["before", "after"] and len(errors) == 2


def test_a_lone_surrogate_in_a_jsonl_record_is_that_records_error(tmp_path: Path,
                                                                  capsys) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("\n".join([
        json.dumps({"id": "one", "text": "The mayor said the bridge would reopen."}),
        '{"id": "two", "text": "Police said \\ud800 the road was closed."}',
        json.dumps({"id": "three", "text": "The council denied that it raised taxes."}),
    ]) + "\n", encoding="utf-8")
    store = tmp_path / "news.store"
    assert main(["ingest", str(news), "--store", str(store), "--quiet"]) == 1
    line = one_error_line(capsys.readouterr().err, f"{news}:2", "'text'", "lone surrogate")
    assert "\\ud800" in line
    assert stored_ids(store) == ["one", "three"]


def test_jsonl_fields_of_the_wrong_type_and_urls_that_are_not_web_addresses(
        tmp_path: Path, capsys) -> None:
    news = tmp_path / "news.jsonl"
    records = [{"id": "number", "text": 42},
               {"id": "script", "text": "Police said the road was closed.",
                "url": "javascript:alert(1)"},
               {"id": "words", "text": "Police said the road was closed.", "url": "not a url"},
               {"id": "relative", "text": "Police said the road was closed.",
                "url": "/news/road"},
               {"id": "good", "text": "Police said the road was closed.",
                "url": "https://example.org/news/road"}]
    news.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    store = tmp_path / "news.store"
    assert main(["ingest", str(news), "--store", str(store), "--quiet"]) == 1
    err = capsys.readouterr().err
    skipped = [line for line in err.splitlines() if line.startswith("claimgraph: skipped:")]
    assert skipped == [
        f"claimgraph: skipped: {news}:1: 'text' must be a string, got a number",
        f"claimgraph: skipped: {news}:2: 'url' must be an absolute http or https URL, "
        "not 'javascript:alert(1)'",
        f"claimgraph: skipped: {news}:3: 'url' must be an absolute http or https URL, "
        "not 'not a url'",
        f"claimgraph: skipped: {news}:4: 'url' must be an absolute http or https URL, "
        "not '/news/road'",
    ]
    assert stored_ids(store) == ["good"]
    # the builder refuses one from the Python API too
    with Store.open(tmp_path / "api.store") as api_store:
        summary = ingest([Document(id="api", text="Police said it.", url="javascript:x")],
                         api_store)
    assert summary.skipped == 1 and "'url' must be an absolute http" in str(summary.errors[0])


# ---------------------------------------------------------------- exit statuses


def test_exit_statuses_tell_skipped_fatal_and_interrupted(tmp_path: Path, capsys,
                                                          monkeypatch) -> None:
    from claimgraph.pipeline import IngestInterrupted

    good = tmp_path / "good.txt"
    good.write_text("The mayor said that the bridge would reopen in May.", encoding="utf-8")
    store = tmp_path / "news.store"
    assert main(["ingest", str(good), "--store", str(store), "--quiet"]) == 0
    assert main(["ingest", str(good), str(tmp_path / "missing.txt"), "--store", str(store),
                 "--quiet"]) == 1
    not_a_store = tmp_path / "file.store"
    not_a_store.write_text("x", encoding="utf-8")
    assert main(["ingest", str(good), "--store", str(not_a_store), "--quiet"]) == 2
    capsys.readouterr()

    def interrupted(*args, **kwargs):
        raise IngestInterrupted(IngestSummary(added=2, attributions=5))

    monkeypatch.setattr(claimgraph.cli, "ingest", interrupted)
    assert main(["ingest", str(good), "--store", str(store), "--quiet"]) == 130
    assert capsys.readouterr().err.strip() == (
        "claimgraph: interrupted; stored until then: 2 articles (2 added, 0 replaced, "
        "0 unchanged), 5 attributions, 0 skipped")
    assert "130 interrupted" in claimgraph.cli.build_parser().format_help()


def test_ctrl_c_during_ingest_keeps_what_was_stored_and_says_so(nlp: Language,
                                                                tmp_path: Path) -> None:
    from claimgraph.pipeline import IngestInterrupted

    def articles() -> Iterator[Document]:
        yield Document(id="one", text=variant("Hamburg", "Anna Schmidt"))
        yield Document(id="two", text=variant("Genoa", "Peter Braun"))
        raise KeyboardInterrupt

    with Store.open(tmp_path / "news.store") as store, \
            pytest.raises(IngestInterrupted) as stop:
        ingest(articles(), store, nlp, batch_size=1)
    assert stop.value.summary.added == 2
    assert stored_ids(tmp_path / "news.store") == ["one", "two"]


# ---------------------------------------------------------------- stores that are not there


@pytest.mark.parametrize("command", [
    ["query", "SELECT * WHERE { ?s ?p ?o }"],
    ["export", "--format", "nq", "-o", "{tmp}/out.nq"],
    ["export", "--format", "gexf", "-o", "{tmp}/out.gexf"],
    ["check"],
    ["remove", "an-article"],
])
def test_a_mistyped_store_is_an_error_never_a_new_empty_store(command: list[str],
                                                              tmp_path: Path, capsys) -> None:
    mistyped = tmp_path / "demo.stor"
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    assert main([*args, "--store", str(mistyped)]) == 2
    one_error_line(capsys.readouterr().err, str(mistyped), "no such directory")
    assert not mistyped.exists()
    assert not (tmp_path / "out.nq").exists()


@pytest.fixture(scope="module")
def example_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("example") / "example.store"
    assert main(["ingest", str(EXAMPLE_ARTICLE), "--store", str(store), "--quiet"]) == 0
    return store


def test_query_and_export_work_while_an_ingest_holds_the_store(example_store: Path,
                                                               tmp_path: Path,
                                                               capsys) -> None:
    with Store.open(example_store):  # the writer's lock, as a running ingest holds it
        assert main(["query", "--store", str(example_store), "--format", "csv",
                     IDS_QUERY]) == 0
        assert capsys.readouterr().out.split() == ["id", "harbour-strike"]
        assert main(["export", "--store", str(example_store), "--format", "nq",
                     "-o", str(tmp_path / "all.nq")]) == 0
        assert "Port officials" in (tmp_path / "all.nq").read_text(encoding="utf-8")
        assert main(["check", "--store", str(example_store), "--no-shacl"]) == 0


def test_a_store_on_read_only_media_can_be_queried(example_store: Path, tmp_path: Path,
                                                   capsys) -> None:
    mounted = tmp_path / "readonly"
    mounted.mkdir()
    bind = subprocess.run(["mount", "--bind", str(example_store), str(mounted)],
                          capture_output=True)
    if bind.returncode != 0:
        pytest.skip("cannot bind-mount here (needs root): " + bind.stderr.decode().strip())
    try:
        remount = subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)],
                                 capture_output=True)
        if remount.returncode != 0:
            pytest.skip("cannot remount read-only: " + remount.stderr.decode().strip())
        with pytest.raises(OSError):
            (mounted / "probe").write_text("x")
        assert main(["query", "--store", str(mounted), "--format", "csv", IDS_QUERY]) == 0
        assert capsys.readouterr().out.split() == ["id", "harbour-strike"]
        assert main(["ingest", str(EXAMPLE_ARTICLE), "--store", str(mounted), "--quiet"]) == 2
        one_error_line(capsys.readouterr().err, str(mounted), "read-only media")
    finally:
        subprocess.run(["umount", str(mounted)], check=False)


def test_read_only_store_refuses_writes_with_a_store_error(example_store: Path) -> None:
    from claimgraph.errors import StoreError

    with Store.open(example_store, read_only=True) as store:
        assert store.article_count() == 1
        with pytest.raises(StoreError, match="open read-only"):
            store.update("CLEAR ALL")
        with pytest.raises(StoreError, match="open read-only"):
            store.remove_article("harbour-strike")


# ---------------------------------------------------------------- no tracebacks


@pytest.mark.parametrize("output", ["{tmp}/no/such/folder/out.{format}", "{tmp}"])
@pytest.mark.parametrize("export_format", ["gexf", "graphml", "ttl"])
def test_export_to_a_bad_path_is_one_line(example_store: Path, tmp_path: Path, capsys,
                                          output: str, export_format: str) -> None:
    path = output.format(tmp=tmp_path, format=export_format)
    assert main(["export", "--store", str(example_store), "--format", export_format,
                 "-o", path]) == 2
    one_error_line(capsys.readouterr().err, path, "cannot write the export")


def test_a_long_query_string_is_a_query_not_a_file_name(example_store: Path, capsys) -> None:
    # over 255 characters and no "/": the old CLI tried it as a file name (ENAMETOOLONG)
    query = "ASK { ?claim cg:cueText 'denied' " + " " * 300 + "}"
    assert main(["query", "--store", str(example_store), query]) == 0
    assert capsys.readouterr().out == "true\n"
    described = "DESCRIBE <https://w3id.org/claimgraph/id/entity/" + "x" * 300 + ">"
    assert main(["query", "--store", str(example_store), described]) == 0


def test_extract_into_a_pipe_closed_early_ends_quietly(tmp_path: Path) -> None:
    for number in range(4):
        (tmp_path / f"port-{number}.txt").write_text(variant(f"Port{number}", "Anna Schmidt"),
                                                      encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "claimgraph.cli", "extract",
                                str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10) == b'{"id": "po'
    process.stdout.close()  # `| head -c 10`
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_control_characters_are_escaped_in_tables(nlp: Language, tmp_path: Path,
                                                  capsys) -> None:
    text = "The mayor said \x1b[31mthe bridge\x07 would reopen\u202e in May."
    with Store.open(tmp_path / "ctl.store") as store:
        ingest([Document(id="ctl", text=text)], store, nlp)
    assert main(["query", "--store", str(tmp_path / "ctl.store"),
                 "SELECT ?text WHERE { ?a nif:isString ?text }"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "said \\x1b[31mthe bridge\\x07 would reopen\\u202e in" in out


def test_options_that_do_not_apply_are_errors(example_store: Path, tmp_path: Path,
                                              capsys) -> None:
    assert main(["export", "--store", str(example_store), "--format", "ttl", "--view",
                 "sources", "-o", str(tmp_path / "all.ttl")]) == 2
    one_error_line(capsys.readouterr().err, "--view", "--format ttl")
    assert not (tmp_path / "all.ttl").exists()
    assert main(["query", "--store", str(example_store), "--format", "csv",
                 "CONSTRUCT { ?e a cg:Entity } WHERE { ?e a cg:Entity }"]) == 2
    one_error_line(capsys.readouterr().err, "--format csv", "CONSTRUCT")


@pytest.mark.parametrize("query", ["SELECT ?id WHERE { ?a cg:articleId ?id }",
                                   "ASK { ?a cg:articleId ?id }",
                                   "CONSTRUCT { ?a cg:articleId ?id } "
                                   "WHERE { ?a cg:articleId ?id }"])
@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_json_and_xml_output_ends_with_a_newline(example_store: Path, capsys, query: str,
                                                 output_format: str) -> None:
    assert main(["query", "--store", str(example_store), "--format", output_format,
                 query]) == 0
    out = capsys.readouterr().out
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_version_and_the_help_examples_name_files_that_exist(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == "claimgraph 0.1.0"
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    example = capsys.readouterr().out.split("Example:")[1].split()
    named = [Path(word) for word in example if word.startswith("examples/")]
    assert named and all((EXAMPLE_ARTICLE.parents[1] / path).is_file() for path in named)


def test_a_skipped_line_is_never_glued_to_the_progress_bar(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("The mayor said that the bridge would reopen in May.", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "claimgraph.cli", "ingest",
                             str(tmp_path / "missing.txt"), str(good), "--store",
                             str(tmp_path / "s.store")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    segments = [segment for line in result.stderr.split("\n") for segment in line.split("\r")]
    assert any(segment.startswith("claimgraph: skipped:") and "missing.txt" in segment
               for segment in segments), result.stderr


def test_demo_store_is_ignored_by_git() -> None:
    ignored = (EXAMPLE_ARTICLE.parents[1] / ".gitignore").read_text(encoding="utf-8")
    assert "demo.store/" in ignored.split()
