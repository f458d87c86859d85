"""Web inputs: HTML extraction against spaCy's parse, and a WARC ingested by 1 and 2 workers.

    python benchmarks/web_inputs.py [--articles 300]

PolNeAR's texts (from ../shared, never copied) are laid out as news pages: navigation, a
sidebar with links and an advertisement, the article as paragraphs, reader comments, a
footer. Measured side by side in one run:

1. trafilatura's main-text and metadata extraction of each page (``html_document``)
   against spaCy's parse of the same article text (the bare ``en_core_web_sm`` pipeline,
   ``nlp.pipe``) and against claimgraph's whole extraction pipeline: ratios per article;
2. a ``.warc.gz`` of the pages (plus a request record per page, which is skipped) ingested
   into a fresh store with 1 process and with ``--workers 2``, against ingesting the same
   articles given as ready-made documents (what reading the archive adds).

Goal: HTML extraction costs a small share of the parse (ratio well below 1), so reading
an archive barely slows ingest (WARC / documents close to 1, with 1 worker and with 2).
"""

from __future__ import annotations

import argparse
import html
import io
import os
import tempfile
from pathlib import Path

import spacy
from _common import polnear_documents, seconds
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from claimgraph import ingest, load_pipeline, open_store
from claimgraph.loaders.html import html_document
from claimgraph.records import Document

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Daily Record</title>
<meta property="og:site_name" content="The Daily Record">
<meta name="author" content="Staff reporter">
<meta property="article:published_time" content="2016-10-{day:02d}T08:00:00Z">
<link rel="canonical" href="{url}"></head>
<body><header><nav><a href="/">Home</a> <a href="/politics">Politics</a>
<a href="/world">World</a> <a href="/opinion">Opinion</a></nav></header>
<aside class="sidebar"><h3>Most read</h3><ul>{links}</ul>
<div class="ad">Advertisement: subscribe today and read every story for a year.</div></aside>
<main><article><h1>{title}</h1>{paragraphs}</article></main>
<section id="comments"><h3>Comments</h3>{comments}</section>
<footer>Copyright The Daily Record. All rights reserved.</footer></body></html>"""


def news_page(document: Document, number: int) -> tuple[str, bytes]:
    """Return a URL and a news page laid out around one article's text."""
    lines = [line for line in document.text.split("\n") if line.strip()]
    title, body = (lines[0], lines[1:]) if len(lines) > 1 else (document.id, lines)
    url = f"https://daily.example.org/2016/10/{number}-{document.id}"
    page = PAGE.format(
        title=html.escape(title), url=url, day=number % 28 + 1,
        links="".join(f'<li><a href="/s/{n}">Another story number {n} of the day</a></li>'
                      for n in range(8)),
        paragraphs="".join(f"<p>{html.escape(line)}</p>" for line in body),
        comments="".join(f'<div class="comment"><p>Reader {n} wrote that this was a '
                         f'fine piece of reporting, or not.</p></div>' for n in range(5)))
    return url, page.encode("utf-8")


def _paragraphs(text: str) -> list[str]:
    # Whitespace collapsed, as HTML renders it; a stray byte-order mark and soft hyphens
    # are not text (trafilatura drops them).
    return [" ".join(line.replace("\ufeff", "").replace("\xad", "").split())
            for line in text.split("\n") if line.strip()]


def write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    """Write the pages as a gzipped WARC: a request and a response record per page."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, body in pages:
            request = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "daily.example.org")],
                                       is_http_request=True)
            writer.write_record(writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), http_headers=request))
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles to use")
    parser.add_argument("--repeat", type=int, default=2,
                        help="rounds of each run; the best time of each is kept")
    args = parser.parse_args()

    documents = polnear_documents(args.articles)
    pages = [news_page(document, number) for number, document in enumerate(documents)]
    nlp = load_pipeline()
    parser_only = spacy.load(nlp.meta["lang"] + "_" + nlp.meta["name"])
    extracted = [html_document(body, document_id=url, where=url, url=url)
                 for url, body in pages]
    texts = [document.text for document in extracted]
    # The page holds the article's non-blank lines, title first: do they come back (HTML
    # collapses runs of spaces, so compare paragraphs with whitespace collapsed), with no
    # menu, sidebar or comment leaking in?
    wanted = [_paragraphs(document.text) for document in documents]
    found = [_paragraphs(text) for text in texts]
    exact = sum(want == got for want, got in zip(wanted, found, strict=True))
    lost = sum(len(set(want) - set(got)) for want, got in zip(wanted, found, strict=True))
    leaked = sum(any(word in text for word in ("Most read", "Advertisement", "Reader 0"))
                 for text in texts)
    list(parser_only.pipe(texts[:8]))  # warm up
    list(nlp.pipe(texts[:8]))
    print(f"{len(pages)} PolNeAR articles as news pages, {sum(len(b) for _, b in pages):,} "
          f"bytes of HTML, {sum(map(len, texts)):,} characters of main text, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before")
    print(f"main text = the article's paragraphs: {exact} of {len(pages)} pages; "
          f"{lost} of {sum(map(len, wanted))} paragraphs lost; boilerplate in {leaked} pages")

    def extract_html() -> None:
        for url, body in pages:
            html_document(body, document_id=url, where=url, url=url)

    def parse() -> None:
        for _doc in parser_only.pipe(texts, batch_size=16):
            pass

    def claimgraph_pipeline() -> None:
        for _doc in nlp.pipe(texts, batch_size=16):
            pass

    html_time = parse_time = full_time = float("inf")
    for _ in range(args.repeat):
        html_time = min(html_time, seconds(extract_html))
        parse_time = min(parse_time, seconds(parse))
        full_time = min(full_time, seconds(claimgraph_pipeline))
    count = len(pages)
    print(f"trafilatura main text + metadata  {html_time / count * 1000:7.2f} ms/article")
    print(f"spaCy parse ({parser_only.meta['name']})       "
          f"{parse_time / count * 1000:7.2f} ms/article")
    print(f"claimgraph pipeline               {full_time / count * 1000:7.2f} ms/article")
    print(f"HTML extraction / spaCy parse:          {html_time / parse_time:.2f}")
    print(f"HTML extraction / claimgraph pipeline:  {html_time / full_time:.2f}")

    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "pages.warc.gz"
        write_warc(archive, pages)
        print(f"WARC: {2 * count} records ({count} HTML responses), "
              f"{archive.stat().st_size:,} bytes gzipped")

        def ingest_into(name: str, workers: int, sources: list) -> None:
            with open_store(Path(folder) / name) as store:
                summary = ingest(sources, store, nlp, workers=workers)
            assert summary.added == count and not summary.errors, summary

        # The same articles as ready-made documents (their main text and metadata): what
        # reading the archive adds to ingest.
        runs = {("WARC", 1): [archive], ("WARC", 2): [archive],
                ("documents", 1): extracted, ("documents", 2): extracted}
        best = dict.fromkeys(runs, float("inf"))
        for round_ in range(args.repeat):
            for (kind, workers), sources in runs.items():
                name = f"{kind}-{workers}-{round_}"
                best[kind, workers] = min(best[kind, workers], seconds(
                    lambda name=name, workers=workers, sources=sources:
                    ingest_into(name, workers, sources)))
    for (kind, workers), elapsed in best.items():
        print(f"ingest {kind:9}, {workers} worker(s)  {elapsed:7.1f} s  "
              f"{count / elapsed:6.2f} articles/s")
    for workers in (1, 2):
        print(f"WARC / documents, {workers} worker(s):  "
              f"{best['WARC', workers] / best['documents', workers]:.2f}")
    print(f"WARC, 2 workers / 1:  {best['WARC', 1] / best['WARC', 2]:.2f}x   documents, 2 "
          f"workers / 1:  {best['documents', 1] / best['documents', 2]:.2f}x")
    print(f"load average {os.getloadavg()[0]:.1f} after (other processes compete for the CPUs)")


if __name__ == "__main__":
    main()
