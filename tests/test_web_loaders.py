"""Loaders for web inputs: HTML pages, feeds, WARC archives, CSV and Parquet, URLs.

No spaCy here: what the loaders make of each input (text, metadata, errors, counts).
Fetches go to a local server on 127.0.0.1 that each test starts and stops.
"""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from web_fixtures import (
    ARCHIVED_AT,
    PAGES,
    WEB_DATA,
    local_server,
    page,
    write_shards,
    write_warc,
)
from werkzeug import Response

from claimgraph.errors import InputError
from claimgraph.loaders import (
    FetchSettings,
    InputTally,
    LoadOptions,
    ShardReader,
    TableColumns,
    iter_documents,
)
from claimgraph.loaders.warc import WarcPosition, read_warc_slice, warc_documents
from claimgraph.records import Document

#: Fast fetches for tests: no per-host pause, one retry, a short timeout.
FAST = FetchSettings(timeout=1.0, retries=1, delay=0.0)


@pytest.fixture
def web_server():
    with local_server() as server:
        yield server


def read(paths, options: LoadOptions | None = None, **kwargs
         ) -> tuple[list[Document], list[str], InputTally]:
    tally = InputTally()
    items = list(iter_documents(paths, options or LoadOptions(fetch=FAST), tally=tally,
                                **kwargs))
    documents = [item for item in items if isinstance(item, Document)]
    errors = [str(item) for item in items if isinstance(item, InputError)]
    return documents, errors, tally


# ---------------------------------------------------------------- HTML


def test_an_article_page_keeps_its_text_and_metadata_without_sidebar_or_comments() -> None:
    (document,), errors, tally = read([WEB_DATA / "port-strike.html"])
    assert errors == [] and tally.read == {"HTML page": 1}
    assert document.id == "port-strike"
    assert document.title == "Port strike ends after nine days"
    assert document.url == "https://news.example.org/2024/03/port-strike-ends"  # canonical
    assert (document.date, document.author, document.publisher, document.language) == (
        "2024-03-05", "Mara Quill", "Harbour Times", "en")
    # One paragraph a line, as the extractor's paragraph rules expect.
    assert document.text.split("\n")[2] == ("Union leader Tomas Berg said that the agreement "
                                            "protected jobs for the next three years.")
    for boilerplate in ("Most read", "Advertisement", "harbourwatcher", "The minister claimed",
                        "Copyright", "Business"):
        assert boilerplate not in document.text


def test_a_quote_in_a_blockquote_and_a_live_blog_are_read_as_paragraphs() -> None:
    documents, errors, _ = read([WEB_DATA / "reservoir-blockquote.html",
                                 WEB_DATA / "election-liveblog.html"])
    assert errors == []
    reservoir, live = documents
    assert '"We are asking every household to cut its use by a fifth until the autumn rains ' \
           'arrive," said Priya Lund' in reservoir.text.split("\n")[2]
    assert (reservoir.language, reservoir.date) == ("en-GB", "2023-08-14")
    assert "Related stories" not in reservoir.text and "newsletter" not in reservoir.text
    posts = live.text.split("\n")
    assert posts[1] == "Green Alliance leader Hanna Voss conceded defeat shortly before midnight."
    assert posts[-1].startswith("Polls have closed across the region")
    assert live.date == "2025-05-11" and "Share this live blog" not in live.text


def test_malformed_or_empty_html_is_one_error_naming_the_file(tmp_path: Path) -> None:
    cut = tmp_path / "cut.html"
    cut.write_text('<html><head><title>Budget vote</title><meta name="author" con')
    menu = tmp_path / "menu.htm"
    menu.write_text("<html><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav>"
                    "</body></html>")
    documents, errors, tally = read([cut, menu, WEB_DATA / "port-strike.html"])
    assert [document.id for document in documents] == ["port-strike"]
    assert errors == [f"{cut}: no main text found (fewer than 40 characters of article text "
                      "on the page)",
                      f"{menu}: no main text found (fewer than 40 characters of article text "
                      "on the page)"]
    assert tally.skipped == {("HTML page", "error"): 2}


def test_html_without_an_html_suffix_is_recognised_by_its_content(tmp_path: Path) -> None:
    saved = tmp_path / "story.page"
    saved.write_bytes(page("port-strike.html"))
    (document,), errors, tally = read([saved])
    assert errors == [] and tally.read == {"HTML page": 1}
    assert document.id == "story" and document.author == "Mara Quill"


# ---------------------------------------------------------------- feeds


def test_rss_entries_with_full_text_become_articles_with_the_entry_metadata() -> None:
    documents, errors, tally = read([WEB_DATA / "river-news.rss"])
    (flood,) = documents
    assert flood.id == flood.url == "https://river.example.com/2024/02/flood-barriers"
    assert (flood.title, flood.author, flood.date, flood.publisher) == (
        "Mayor promises new flood barriers", "Leo Marsh", "2024-02-12", "River Valley News")
    assert flood.text == ("Mayor Clara Jensen promised that the city would build new flood "
                          "barriers along the river before next winter.\nResidents of the "
                          "lower town said the water had reached their doorsteps twice this "
                          "month.")
    assert errors == [f"{WEB_DATA / 'river-news.rss'} entry 2: the entry has a summary only, "
                      "not the article's text (--follow-links fetches "
                      "https://river.example.com/2024/02/bakery)"]
    assert tally.read == {"feed entry": 1} and tally.skipped == {("feed entry", "error"): 1}


def test_atom_entries_and_a_feed_named_xml() -> None:
    (moon,), errors, _ = read([WEB_DATA / "science-desk.atom"])
    assert errors == []
    assert (moon.id, moon.title, moon.author, moon.date, moon.publisher) == (
        "https://science.example.org/2024/06/icy-moon", "Telescope finds icy moon",
        "Noor Aydin", "2024-06-01", "Science Desk")
    assert '"The signal was faint, but it did not go away," said lead researcher Anton Vale.' \
        in moon.text


def test_a_feed_that_is_not_xml_is_one_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rss"
    broken.write_text("this is not a feed { at all }\n")
    not_feed = tmp_path / "sitemap.xml"
    not_feed.write_text("<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>")
    documents, errors, _ = read([broken, not_feed, WEB_DATA / "science-desk.atom"])
    assert len(documents) == 1
    assert len(errors) == 2
    assert errors[0].startswith(f"{broken}: not an RSS or Atom feed (")
    assert errors[1] == f"{not_feed}: the feed has no entries"


def test_follow_links_fetches_the_page_of_a_summary_only_entry(web_server, tmp_path) -> None:
    web_server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    web_server.expect_request("/bakery").respond_with_data(
        page("port-strike.html"), content_type="text/html")
    feed = tmp_path / "local.rss"
    feed.write_bytes(page("river-news.rss").replace(
        b"https://river.example.com/2024/02/bakery", web_server.url_for("/bakery").encode()))
    documents, errors, _ = read([feed], LoadOptions(follow_links=True, fetch=FAST))
    assert errors == []
    bakery = documents[1]
    # The entry's metadata, the page's text.
    assert bakery.id == bakery.url == web_server.url_for("/bakery")
    assert bakery.title == "Bakery chain opens third shop" and bakery.date == "2024-02-11"
    assert "Union leader Tomas Berg said" in bakery.text
    assert bakery.retrieved is not None and bakery.retrieved.endswith("Z")


# ---------------------------------------------------------------- WARC


@pytest.mark.parametrize("compressed", [False, True])
def test_a_warc_gives_its_html_responses_and_counts_the_other_records(
        tmp_path: Path, compressed: bool) -> None:
    archive = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    write_warc(archive, gzip=compressed)
    documents, errors, tally = read([archive])
    assert errors == []
    assert [document.id for document in documents] == list(PAGES)
    strike = documents[0]
    assert strike.retrieved == ARCHIVED_AT and strike.date == "2024-03-05"  # the page's date
    assert strike.publisher == "Harbour Times" and "Tomas Berg said" in strike.text
    live = documents[2]
    assert live.url == "https://ledger.example.com/live/regional-election"
    assert tally.read == {"WARC record": 3}
    assert tally.skipped == {("WARC record", "warcinfo record"): 1,
                             ("WARC record", "request record"): 1,
                             ("WARC record", "not HTML: image/png"): 1,
                             ("WARC record", "HTTP status 404"): 1}
    assert "read 3 WARC records; skipped 1 WARC record (HTTP status 404)" in str(tally)


@pytest.mark.parametrize("compressed", [False, True])
def test_a_warc_cut_mid_record_keeps_the_records_before_the_damage(
        tmp_path: Path, compressed: bool) -> None:
    archive = tmp_path / ("cut.warc.gz" if compressed else "cut.warc")
    offsets = write_warc(archive, gzip=compressed)
    # Cut in the middle of the third response (the live blog): records 1-4 survive.
    data = archive.read_bytes()
    archive.write_bytes(data[: (offsets[4] + offsets[5]) // 2])
    documents, errors, _ = read([archive, WEB_DATA / "port-strike.html"])
    assert [document.id for document in documents] == [*list(PAGES)[:2], "port-strike"]
    (error,) = errors
    assert error.startswith(f"{archive} record 5 (offset {offsets[4]})")
    assert "truncated or corrupt" in error and "the records before it are read" in error


@pytest.mark.parametrize("compressed", [False, True])
def test_a_warc_read_in_slices_gives_what_reading_it_whole_gives(
        tmp_path: Path, compressed: bool) -> None:
    archive = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    offsets = write_warc(archive, gzip=compressed, extra_pages=2)
    data = archive.read_bytes()
    # Whole; cut in the middle of the last page; cut just past the start of the image.
    for end in (len(data), (offsets[-3] + offsets[-2]) // 2, offsets[5] + 10):
        archive.write_bytes(data[:end])
        tally = InputTally()
        whole = [_comparable(item) for item in warc_documents(archive, tally)]
        for limit in (1, 2, 4):
            start: WarcPosition | None = WarcPosition()
            sliced, sliced_tally, slices = [], InputTally(), 0
            while start is not None:
                part = read_warc_slice(archive, start, limit, where=str(archive))
                assert len(part.items) <= limit + 1  # and the damage found at the end
                sliced += [_comparable(item) for item in part.items]
                sliced_tally.add(part.tally)
                start, slices = part.next, slices + 1
            assert (sliced, sliced_tally) == (whole, tally), (end, limit)
            assert slices >= sum(isinstance(item, Document) for item in whole) / limit
        assert [item.id for item in whole if isinstance(item, Document)][:3] == list(PAGES)
    # The three pages, then the damage at the image's record.
    assert whole[3].startswith(f"{archive} record 6 (offset {offsets[5]})")


def test_warc_files_read_by_tasks_give_what_one_process_reads(tmp_path: Path) -> None:
    damaged, offset = write_shards(tmp_path / "shards")
    named = tmp_path / "named.warc"
    write_warc(named, gzip=False, extra_pages=1, first_extra=20, fixture_pages=False)
    inputs = [tmp_path / "shards", WEB_DATA / "science-desk.atom", named]
    expected, expected_tally = _read_in_order(inputs)
    started: list[tuple[str, int]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:

        def call(function, path: Path, start: WarcPosition, limit: int, where: str):
            started.append((Path(where).name, start.offset))
            return pool.submit(function, path, start, limit, where)

        shards = ShardReader(call, ahead=2, slice_items=2)
        items = iter_documents(inputs, tally=(tally := InputTally()), shards=shards)
        first = _comparable(next(items))
        started_before_first = [name for name, _ in started]
        assert [first, *map(_comparable, items)] == expected
    assert tally == expected_tally
    assert tally.read["WARC record"] == 10 and tally.read["feed entry"] == 1
    assert tally.skipped[("WARC record", "request record")] == 4
    assert f"{damaged} record 6 (offset {offset}): truncated or corrupt; the records before " \
        "it are read, the rest of the file is not" in expected
    assert expected[0].title == "Port strike ends after nine days"
    # The named file and the folder's first file were started before anything was taken;
    # then each file was read in slices of two pages.
    assert started_before_first[:2] == ["named.warc", "shard-1.warc.gz"]
    first_slices = [name for name, offset in started if offset == 0]
    assert sorted(first_slices) == ["named.warc", "shard-1.warc.gz", "shard-2.warc",
                                    "shard-3.warc.gz"]
    # 5 pages: 3 slices; 3 pages: 2; a page and the damage: 1; a page: 1.
    assert len(started) == 7 and started.count(("shard-1.warc.gz", 0)) == 1


def _read_in_order(paths: list[Path]) -> tuple[list[Document | str], InputTally]:
    tally = InputTally()
    return [_comparable(item) for item in iter_documents(paths, tally=tally)], tally


def _comparable(item: Document | InputError) -> Document | str:
    return item if isinstance(item, Document) else str(item)


# ---------------------------------------------------------------- CSV and Parquet


def test_csv_rows_become_articles_with_their_columns() -> None:
    documents, errors, tally = read([WEB_DATA / "monitoring-export.csv"])
    fares, library = documents
    assert (fares.id, fares.title, fares.url, fares.date, fares.publisher) == (
        "mm-101", "Ferry operator raises fares", "https://ferries.example.com/fares",
        "2024-04-02", "Coastal Post")
    assert fares.text.split("\n")[1] == ("Passenger groups said the increase was unfair to "
                                         "island residents.")
    assert library.date == "2024-04-03"
    assert errors == [f"{WEB_DATA / 'monitoring-export.csv'} row 3: the row has no text "
                      "(column 'text') and no URL (column 'url')"]
    assert tally.read == {"CSV row": 2}


def test_a_csv_without_the_named_column_is_one_error() -> None:
    columns = TableColumns(text="body", url="link")
    documents, errors, tally = read([WEB_DATA / "monitoring-export.csv",
                                     WEB_DATA / "science-desk.atom"],
                                    LoadOptions(columns=columns, fetch=FAST))
    assert [document.title for document in documents] == ["Telescope finds icy moon"]
    assert errors == [f"{WEB_DATA / 'monitoring-export.csv'}: no column 'body' (nor 'link' to "
                      "fetch the text from); the columns are 'id', 'title', 'url', 'date', "
                      "'publisher', 'text'"]
    assert tally.skipped == {("CSV row", "error"): 1}


def test_renamed_columns_and_a_row_with_a_url_only_fetched(web_server, tmp_path) -> None:
    web_server.expect_request("/robots.txt").respond_with_data("", status=404)
    web_server.expect_request("/reservoir").respond_with_data(
        page("reservoir-blockquote.html"), content_type="text/html; charset=utf-8")
    table = tmp_path / "export.csv"
    table.write_text("story_id,headline,link,body\n"
                     "7,Quiet day,,The mayor said that the budget was balanced this year.\n"
                     f"8,Reservoir low,{web_server.url_for('/reservoir')},\n")
    columns = TableColumns(text="body", id="story_id", title="headline", url="link")
    documents, errors, _ = read([table], LoadOptions(columns=columns, fetch=FAST))
    assert errors == []
    quiet, reservoir = documents
    assert (quiet.id, quiet.title, quiet.url) == ("7", "Quiet day", None)
    # The row's id and title win; the page gives text, author and date.
    assert (reservoir.id, reservoir.title, reservoir.author, reservoir.date) == (
        "8", "Reservoir low", "Ines Harrow", "2023-08-14")
    assert reservoir.url == web_server.url_for("/reservoir")
    assert "said Priya Lund" in reservoir.text


def test_parquet_rows_stream_with_typed_columns(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")

    table = pa.table({
        "id": [1, 2, 3],
        "text": ["The minister said that the bridge would open in June.", None,
                 "Officials denied that the dam had cracked."],
        "date": [date(2024, 5, 1), None, date(2024, 5, 3)],
        "publisher": ["Daily Span", "Daily Span", None],
    })
    path = tmp_path / "export.parquet"
    pq.write_table(table, path, row_group_size=2)
    documents, errors, tally = read([path])
    assert [(d.id, d.date, d.publisher) for d in documents] == [
        ("1", "2024-05-01", "Daily Span"), ("3", "2024-05-03", None)]
    assert documents[1].text == "Officials denied that the dam had cracked."
    assert errors == [f"{path} row 2: the row has no text (column 'text') and no URL "
                      "(column 'url')"]
    assert tally.read == {"Parquet row": 2}
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(path.read_bytes()[:-20])  # the footer that says where the rows are
    documents, errors, _ = read([cut, path])
    assert len(documents) == 2 and len(errors) == 2
    assert errors[0].startswith(f"{cut}: not a readable Parquet file (")


# ---------------------------------------------------------------- URLs


def test_urls_fetch_with_a_user_agent_and_failures_are_per_url(web_server, tmp_path) -> None:
    web_server.expect_request("/robots.txt").respond_with_data(
        "User-agent: claimgraph\nDisallow: /private/\n")
    web_server.expect_request("/strike").respond_with_data(
        page("port-strike.html"), content_type="text/html; charset=utf-8")
    web_server.expect_request("/gone").respond_with_data("gone", status=404)
    web_server.expect_request("/broken").respond_with_data("oops", status=500)

    def slow(_request) -> Response:
        time.sleep(3)
        return Response(page("port-strike.html"), content_type="text/html")

    web_server.expect_request("/slow").respond_with_handler(slow)
    web_server.expect_request("/feed").respond_with_data(
        page("science-desk.atom"), content_type="application/atom+xml")
    urls = {name: web_server.url_for(f"/{name}") for name in
            ("strike", "gone", "broken", "slow", "private/memo", "feed")}
    url_list = tmp_path / "urls.txt"
    url_list.write_text(f"# to read\n{urls['feed']}\n\nnot a url\n")
    documents, errors, tally = read([urls[name] for name in
                                     ("strike", "gone", "broken", "slow", "private/memo")],
                                    url_lists=[url_list])
    strike, moon = documents
    assert strike.id == urls["strike"]
    assert strike.url == "https://news.example.org/2024/03/port-strike-ends"  # canonical
    # Retrieved when the server answered (its Date header), to the second, in UTC.
    retrieved = datetime.fromisoformat(strike.retrieved)
    assert strike.retrieved.endswith("Z") and abs(datetime.now(UTC) - retrieved).seconds < 60
    assert strike.author == "Mara Quill"
    assert moon.id == "https://science.example.org/2024/06/icy-moon"
    assert errors == [
        f"{urls['gone']}: HTTP 404 NOT FOUND",
        f"{urls['broken']}: HTTP 500 INTERNAL SERVER ERROR",
        f"{urls['slow']}: timed out after 1 s (1 retries)",
        f"{urls['private/memo']}: robots.txt of {urls['strike'].split('/')[2]} forbids "
        "fetching it",
        f"{url_list} line 4: not an http(s) URL: 'not a url'",
    ]
    assert tally.read == {"URL": 1, "feed entry": 1}
    # One retry of the 500, every request with the descriptive User-Agent.
    log = [request for request, _ in web_server.log]
    assert sum(request.path == "/broken" for request in log) == 2
    assert all(request.headers["User-Agent"].startswith("claimgraph/") for request in log)
    assert sum(request.path == "/robots.txt" for request in log) == 1


def test_requests_to_one_host_are_spaced_by_the_delay(web_server) -> None:
    web_server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    web_server.expect_request("/strike").respond_with_data(page("port-strike.html"),
                                                          content_type="text/html")
    arrivals: list[float] = []
    web_server.expect_request("/reservoir").respond_with_handler(
        lambda _request: arrivals.append(time.monotonic()) or Response(
            page("reservoir-blockquote.html"), content_type="text/html"))
    options = LoadOptions(fetch=FetchSettings(timeout=2.0, retries=0, delay=0.3))
    started = time.monotonic()
    documents, errors, _ = read([web_server.url_for("/strike"),
                                 web_server.url_for("/reservoir")], options)
    assert errors == [] and len(documents) == 2
    # robots.txt, then /strike, then /reservoir: two pauses of 0.3 s at least.
    assert arrivals[0] - started >= 0.6


def test_an_unreadable_robots_txt_forbids_the_host_and_says_why(web_server) -> None:
    web_server.expect_request("/robots.txt").respond_with_data("busy", status=503)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = f"http://127.0.0.1:{closed_port}/story"
    documents, errors, _ = read([web_server.url_for("/story"), down])
    assert documents == []
    assert errors[0] == (f"{web_server.url_for('/story')}: not fetched: robots.txt answered "
                         "HTTP 503")
    assert errors[1].startswith(f"{down}: not fetched: robots.txt unreachable (")
    # Nothing but robots.txt was asked of the server.
    assert [request.path for request, _ in web_server.log] == ["/robots.txt"] * 2
