"""Web inputs the tests build: WARC files written with warcio, and a local HTTP server.

The HTML pages, feeds and the CSV file are the project's own, in tests/data/web/; the
archives are written here, from those pages, so that a test can cut them where it likes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pytest_httpserver import HTTPServer
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WEB_DATA = Path(__file__).parent / "data" / "web"
PAGES = {
    "https://news.example.org/2024/03/port-strike-ends": "port-strike.html",
    "https://courier.example.net/news/reservoir-record-low": "reservoir-blockquote.html",
    "https://ledger.example.com/live/regional-election": "election-liveblog.html",
}
ARCHIVED_AT = "2024-03-06T10:15:00Z"


def page(name: str) -> bytes:
    """Return one of the fixture pages' bytes."""
    return (WEB_DATA / name).read_bytes()


def write_warc(path: Path, *, gzip: bool, extra_pages: int = 0, first_extra: int = 0,
               fixture_pages: bool = True) -> list[int]:
    """Write a WARC of the fixture pages with the records a crawl also holds: a warcinfo,
    a request, an image response and a 404 page. ``extra_pages`` more HTML responses
    (numbered copies of the port-strike page with a changed sentence, numbers from
    ``first_extra``) follow; without ``fixture_pages``, the three pages are left out.

    Returns the byte offset where each record starts, and the file's size, last.
    """
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    offsets = [0]

    def response(uri: str, body: bytes, content_type: str, status: str = "200 OK") -> None:
        headers = StatusAndHeaders(status, [("Content-Type", content_type)],
                                   protocol="HTTP/1.1")
        record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                           http_headers=headers,
                                           warc_headers_dict={"WARC-Date": ARCHIVED_AT})
        writer.write_record(record)
        offsets.append(buffer.tell())

    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "tests"}))
    offsets.append(buffer.tell())
    request = StatusAndHeaders("GET /2024/03/port-strike-ends HTTP/1.1",
                               [("Host", "news.example.org")], is_http_request=True)
    writer.write_record(writer.create_warc_record(
        "https://news.example.org/2024/03/port-strike-ends", "request",
        payload=io.BytesIO(b""), http_headers=request))
    offsets.append(buffer.tell())
    for uri, name in PAGES.items() if fixture_pages else ():
        response(uri, page(name), "text/html; charset=utf-8")
    response("https://news.example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64),
             "image/png")
    response("https://news.example.org/missing", b"<html><body>Not found</body></html>",
             "text/html", status="404 Not Found")
    template = page("port-strike.html")
    for number in range(first_extra, first_extra + extra_pages):
        body = template.replace(b"nine days", f"{number + 10} days".encode()).replace(
            b"northern harbour of Eastmouth", f"harbour of Port {number}".encode())
        response(f"https://news.example.org/2024/03/strike-{number}", body, "text/html")
    path.write_bytes(buffer.getvalue())
    return offsets


def write_shards(folder: Path) -> tuple[Path, int]:
    """Write a folder of three WARC files of distinct pages, as a crawl's shards: the
    fixture pages and two more (gzipped), three pages (plain), and three pages (gzipped)
    cut in the middle of the second (record 6); return the cut file's path and the
    offset of its cut record."""
    folder.mkdir(parents=True, exist_ok=True)
    write_warc(folder / "shard-1.warc.gz", gzip=True, extra_pages=2)
    write_warc(folder / "shard-2.warc", gzip=False, extra_pages=3, first_extra=2,
               fixture_pages=False)
    damaged = folder / "shard-3.warc.gz"
    offsets = write_warc(damaged, gzip=True, extra_pages=3, first_extra=5,
                         fixture_pages=False)
    damaged.write_bytes(damaged.read_bytes()[: (offsets[-3] + offsets[-2]) // 2])
    return damaged, offsets[-3]


@contextmanager
def local_server() -> Iterator[HTTPServer]:
    """Run a local HTTP server on 127.0.0.1 (threaded, so a slow answer blocks no other)
    for the length of the ``with`` block."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        if server.is_running():
            server.stop()
