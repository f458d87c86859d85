"""Web inputs through the command line: ingest and extract read pages, feeds, archives,
tables and URLs; attributions, metadata, provenance and one identity per story."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph
from web_fixtures import ARCHIVED_AT, WEB_DATA, local_server, page, write_warc

from claimgraph.cli import main
from claimgraph.graph.rdf import span_anchor_bindings
from claimgraph.graph.store import Store
from claimgraph.ontology import shapes_path

EXAMPLE_QUERIES = Path(__file__).parents[1] / "examples" / "queries"


@pytest.fixture
def web_inputs(tmp_path: Path) -> dict[str, Path]:
    """The fixture pages, feeds and CSV in a folder, a WARC of the same pages, and bad input."""
    folder = tmp_path / "web"
    shutil.copytree(WEB_DATA, folder)
    archive = tmp_path / "crawl.warc.gz"
    offsets = write_warc(archive, gzip=True)
    archive.write_bytes(archive.read_bytes()[: offsets[4] + 40])  # cut in the live blog
    broken_feed = tmp_path / "broken.rss"
    broken_feed.write_text("Headlines of the day, as plain words\n")
    return {"folder": folder, "warc": archive, "broken_feed": broken_feed}


def attributions(store: Store) -> set[tuple[str, str, str, str]]:
    """Return (article id, source, cue, content) of every stored claim."""
    rows = store.select("""
        SELECT ?id ?source ?cue ?content WHERE {
          ?claim schema:appearance ?article ; cg:cueText ?cue ; schema:text ?content ;
                 cg:sourceText ?source .
          ?article cg:articleId ?id }""")
    return {(str(row["id"]), str(row["source"]), str(row["cue"]), str(row["content"]))
            for row in rows}


def test_ingest_reads_every_kind_with_metadata_and_one_identity_per_story(
        web_inputs, tmp_path: Path, capsys) -> None:
    store_path = tmp_path / "web.store"
    status = main(["ingest", str(web_inputs["folder"]), str(web_inputs["warc"]),
                   str(web_inputs["broken_feed"]), "--store", str(store_path), "--quiet"])
    assert status == 1
    stderr = capsys.readouterr().err
    errors = [line for line in stderr.splitlines() if line.startswith("claimgraph: skipped:")]
    assert len(errors) == 4, stderr
    assert any(f"{web_inputs['warc']} record 5" in line and "truncated or corrupt" in line
               for line in errors)
    assert any(line.startswith(f"claimgraph: skipped: {web_inputs['broken_feed']}: not an RSS "
                               "or Atom feed") for line in errors)
    assert any("monitoring-export.csv row 3: the row has no text" in line for line in errors)
    assert any("river-news.rss entry 2: the entry has a summary only" in line
               for line in errors)
    # The WARC's two pages are the saved pages again: recorded as copies, not re-extracted.
    assert "9 articles (7 added, 0 replaced, 0 unchanged, 2 copies of a stored text)" in stderr
    assert "inputs: read 2 CSV rows, 3 HTML pages, 2 WARC records, 2 feed entries" in stderr
    assert "1 WARC record (warcinfo record)" in stderr

    with Store.open(store_path) as store:
        found = attributions(store)
        # this source, this cue, this content, in each kind of input
        assert ("port-strike", "Union leader Tomas Berg", "said",
                "that the agreement protected jobs for the next three years") in found
        assert ("reservoir-blockquote", "Priya Lund, the chief engineer of the water company",
                "said", '"We are asking every household to cut its use by a fifth until the '
                'autumn rains arrive,"') in found
        assert ("election-liveblog", "The electoral commission", "said",
                "that turnout had reached 64 percent, the highest in twenty years") in found
        assert ("https://river.example.com/2024/02/flood-barriers", "Mayor Clara Jensen",
                "promised", "that the city would build new flood barriers along the river "
                "before next winter") in found
        assert ("https://science.example.org/2024/06/icy-moon", "lead researcher Anton Vale",
                "said", '"The signal was faint, but it did not go away,"') in found
        assert ("mm-101", "The ferry operator", "announced",
                "that fares would rise by eight percent in May") in found
        # Nothing from the comments under the article.
        assert not any("minister claimed" in content for *_, content in found)

        (metadata,) = store.select("""
            SELECT * WHERE { ?a cg:articleId "port-strike" ; schema:headline ?title ;
              schema:author ?author ; schema:inLanguage ?language ; schema:url ?url ;
              schema:datePublished ?date ; dcterms:publisher ?publisher }""")
        assert {key: str(value) for key, value in metadata.items() if key != "a"} == {
            "title": "Port strike ends after nine days", "author": "Mara Quill",
            "language": "en", "url": "https://news.example.org/2024/03/port-strike-ends",
            "date": "2024-03-05", "publisher": "Harbour Times"}

        # The WARC's copy: its own URL and archive date, sameAs the article with the text.
        (copy,) = store.select("""
            SELECT ?original ?archived ?text WHERE {
              ?copy cg:articleId "https://news.example.org/2024/03/port-strike-ends" ;
                    schema:sameAs ?original ; prov:generatedAtTime ?archived .
              OPTIONAL { ?copy nif:isString ?text } }""")
        assert copy["text"] is None
        assert copy["archived"].toPython() == datetime.fromisoformat(ARCHIVED_AT)
        (original,) = store.select(f"SELECT ?id WHERE {{ <{copy['original']}> cg:articleId ?id }}")
        assert str(original["id"]) == "port-strike"

        # Each story counted once by the example query, with every place it appeared.
        stories = store.select((EXAMPLE_QUERIES / "stories.rq").read_text())
        assert len(stories) == 7
        places = {str(row["headline"]): int(row["places"].toPython()) for row in stories}
        assert places["Port strike ends after nine days"] == 1  # one URL, twice
        assert places["Reservoir levels fall to record low"] == 1
        assert places["Live: regional election results as they come in"] == 0  # no URL
        (count,) = store.select("SELECT (COUNT(?a) AS ?n) WHERE { ?a a schema:NewsArticle "
                                "FILTER NOT EXISTS { ?a schema:sameAs ?first } }")
        assert int(count["n"].toPython()) == 7

        # Provenance: every span re-reads from the text the store keeps, in SPARQL alone:
        # its IRI names its characters, which are the cue and the source as written.
        (check,) = store.select(f"""
            SELECT (COUNT(*) AS ?spans) (SUM(IF(?anchor = ?written, 1, 0)) AS ?rereadable)
            WHERE {{ GRAPH ?article {{ ?article nif:isString ?text .
                       {{ ?claim cg:cueSpan ?span ; cg:cueText ?written }} UNION
                       {{ ?claim cg:sourceSpan ?span ; cg:sourceText ?written }} }}
                    {span_anchor_bindings()} }}""")
        assert int(check["spans"].toPython()) > 30
        assert check["rereadable"].toPython() == check["spans"].toPython()

        # Articles, copies and their metadata conform to the shapes.
        union = Graph()
        for subject, predicate, obj, _graph in store.dataset().quads():
            union.add((subject, predicate, obj))
        conforms, _, report = pyshacl.validate(union, shacl_graph=str(shapes_path()))
        assert conforms, report

    # Ingesting again changes nothing: same ids and texts, copies included.
    assert main(["ingest", str(web_inputs["folder"]), str(web_inputs["warc"]),
                 "--store", str(store_path), "--quiet"]) == 1
    assert "9 articles (0 added, 0 replaced, 9 unchanged)" in capsys.readouterr().err


def test_a_parquet_export_ingests_with_its_columns_and_attributions(tmp_path: Path,
                                                                     capsys) -> None:
    pv = pytest.importorskip("pyarrow.csv")
    pq = pytest.importorskip("pyarrow.parquet")
    # The monitoring export again, as a media-monitoring tool writes it in Parquet (the
    # date a typed timestamp), with the text column renamed.
    table = pv.read_csv(WEB_DATA / "monitoring-export.csv").rename_columns(
        ["id", "title", "url", "date", "publisher", "body"])
    path = tmp_path / "export.parquet"
    pq.write_table(table, path)
    store_path = tmp_path / "parquet.store"
    assert main(["ingest", str(path), "--text-column", "body", "--store", str(store_path),
                 "--quiet"]) == 1
    stderr = capsys.readouterr().err
    assert (f"claimgraph: skipped: {path} row 3: the row has no text (column 'body') and no "
            "URL (column 'url')") in stderr
    assert "inputs: read 2 Parquet rows; skipped 1 Parquet row (error)" in stderr
    with Store.open(store_path) as store:
        found = attributions(store)
        assert ("mm-101", "The ferry operator", "announced",
                "that fares would rise by eight percent in May") in found
        assert ("mm-102", "the council", "said", "The city library will stay open until ten "
                "on weekdays") in found
        (row,) = store.select("""
            SELECT ?title ?url ?date ?publisher WHERE { ?a cg:articleId "mm-102" ;
              schema:headline ?title ; schema:url ?url ; schema:datePublished ?date ;
              dcterms:publisher ?publisher }""")
        assert {key: str(value) for key, value in row.items()} == {
            "title": "Library to stay open late", "url": "https://city.example.com/library",
            "date": "2024-04-03", "publisher": "City Bulletin"}


def test_extract_and_ingest_read_urls_and_report_failed_fetches(tmp_path: Path,
                                                                 capsys) -> None:
    with local_server() as server:
        server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
        server.expect_request("/strike").respond_with_data(page("port-strike.html"),
                                                           content_type="text/html")
        server.expect_request("/gone").respond_with_data("gone", status=404)
        server.expect_request("/broken").respond_with_data("oops", status=500)
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{server.url_for('/gone')}\n{server.url_for('/broken')}\n")
        fast = ["--delay", "0", "--retries", "1", "--fetch-timeout", "2"]
        status = main(["extract", server.url_for("/strike"), "--urls", str(urls), *fast])
        assert status == 1
        captured = capsys.readouterr()
        (record,) = [json.loads(line) for line in captured.out.splitlines()]
        assert record["id"] == server.url_for("/strike")
        assert any(item["source"]["text"] == "Union leader Tomas Berg"
                   and item["cue"]["text"] == "said" for item in record["attributions"])
        assert captured.err.splitlines() == [
            f"claimgraph: skipped: {server.url_for('/gone')}: HTTP 404 NOT FOUND",
            f"claimgraph: skipped: {server.url_for('/broken')}: HTTP 500 INTERNAL SERVER ERROR",
        ]

        store_path = tmp_path / "urls.store"
        assert main(["ingest", server.url_for("/strike"), "--urls", str(urls), *fast,
                     "--store", str(store_path), "--quiet"]) == 1
        assert "1 articles (1 added" in capsys.readouterr().err
    with Store.open(store_path) as store:
        (row,) = store.select("SELECT ?url ?retrieved WHERE { ?a a nif:Context ; "
                              "schema:url ?url ; prov:generatedAtTime ?retrieved }")
        assert str(row["url"]) == "https://news.example.org/2024/03/port-strike-ends"
        assert row["retrieved"].toPython().utcoffset().total_seconds() == 0


def test_nothing_to_read_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["extract"]) == 2
    assert main(["ingest", "--store", str(tmp_path / "s")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "claimgraph: error: nothing to read: give files, folders or URLs, or --urls FILE"] * 2
    assert not (tmp_path / "s").exists()
