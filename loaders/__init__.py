"""Turn input paths and URLs into :class:`~claimgraph.records.Document` objects.

:func:`iter_documents` is the front door: give it files, folders and URLs, get back a
stream of documents. A file's kind comes from its suffix (``.txt``, ``.jsonl``/``.ndjson``,
``.html``/``.htm``, ``.rss``/``.atom``/``.xml``, ``.warc``/``.warc.gz``, ``.csv``,
``.parquet``) and, where that is ambiguous (``.xml``, an unknown suffix, a URL), from its
content. Bad input never stops the batch: each unreadable file or record comes out of the
stream as an :class:`~claimgraph.errors.InputError` (its message names the file or URL
and the record) and reading goes on. :func:`load_brat_corpus` reads annotated corpora
(PolNeAR) with their gold attributions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from claimgraph.errors import InputError
from claimgraph.loaders.brat import load_brat_corpus
from claimgraph.loaders.feeds import feed_documents, looks_like_feed
from claimgraph.loaders.html import html_document, read_html_document
from claimgraph.loaders.jsonl import read_jsonl_documents
from claimgraph.loaders.shards import ShardReader
from claimgraph.loaders.tables import TableColumns, csv_documents, parquet_documents
from claimgraph.loaders.tally import InputTally
from claimgraph.loaders.text import decode_text, read_text_document
from claimgraph.loaders.warc import warc_documents
from claimgraph.loaders.web import Fetcher, FetchSettings, Page
from claimgraph.records import Document

__all__ = ["JSONL_SUFFIXES", "TEXT_SUFFIXES", "FetchSettings", "InputTally", "LoadOptions",
           "ShardReader", "TableColumns", "is_url", "iter_documents", "load_brat_corpus",
           "read_url_list"]

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
HTML_SUFFIXES = (".html", ".htm")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
WARC_SUFFIXES = (".warc", ".warc.gz")
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet",)
#: Every suffix a folder is searched for.
ALL_SUFFIXES = (TEXT_SUFFIXES + JSONL_SUFFIXES + HTML_SUFFIXES + FEED_SUFFIXES
                + WARC_SUFFIXES + CSV_SUFFIXES + PARQUET_SUFFIXES)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFF_BYTES = 2048


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How inputs are read: table columns, whether feed entries' links are fetched, and
    how pages are fetched."""

    columns: TableColumns = field(default_factory=TableColumns)
    follow_links: bool = False
    fetch: FetchSettings = field(default_factory=FetchSettings)


def is_url(source: str | Path) -> bool:
    """Return whether an input names a web page (``http://`` or ``https://``)."""
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def read_url_list(path: str | Path) -> Iterator[str | InputError]:
    """Yield the URLs of a file holding one a line (blank lines and ``#`` comments skipped);
    a line that is not an http(s) URL, or an unreadable file, is an :class:`InputError`."""
    where = str(path)
    try:
        stream = Path(path).open(encoding="utf-8-sig")  # noqa: SIM115 - "with" below
    except OSError as error:
        yield InputError(f"{where}: cannot read the URL list ({error.strerror or error})")
        return
    with stream:
        for number, line in enumerate(stream, start=1):
            url = line.strip()
            if not url or url.startswith("#"):
                continue
            yield url if is_url(url) else InputError(f"{where} line {number}: not an http(s) "
                                                      f"URL: {url[:80]!r}")


def iter_documents(paths: Iterable[str | Path], options: LoadOptions | None = None, *,
                   tally: InputTally | None = None, url_lists: Iterable[str | Path] = (),
                   shards: ShardReader | None = None) -> Iterator[Document | InputError]:
    """Yield a Document (or an InputError) for every article found in ``paths``.

    Each path is a file, a folder (searched recursively in sorted order for the suffixes
    above) or an http(s) URL (fetched: an HTML page is one article, a feed one per entry).
    A text file is one article (id = file stem), a JSON Lines file one per line (id = the
    record's ``id`` or ``{stem}-{line}``), an HTML file one (id = file stem), a feed one per
    entry, a WARC file one per HTML response (id = the target URI), a CSV or Parquet file
    one per row (id = the ``id`` column, else the URL, else ``{stem}-{row}``); an article
    fetched from a URL has the URL as id. Inside a folder, ids use the path relative to the
    folder without its suffix (``2020/oct/article``) so that equal file names in different
    subfolders stay apart. A named file with another suffix is recognised by its content
    (HTML, a feed, a WARC), else read as text. ``url_lists`` are files of URLs, one a line.

    Errors are yielded, not raised: a missing path, an empty, binary or non-UTF-8 file, a
    malformed record, a page without main text, a failed fetch, a damaged archive, a
    folder with no articles and a repeated document id each give one InputError; the rest
    is read. ``tally`` counts the records read and skipped, by kind. With ``shards``, WARC
    files are read by its worker tasks (the same items, in the same order).
    """
    reader = _Reader(options or LoadOptions(), tally or InputTally(), shards)
    seen: dict[str, str] = {}  # document id -> where it was first read, to refuse duplicates
    try:
        for item in reader.sources(paths, url_lists):
            if isinstance(item, Document):
                if item.id in seen:
                    item = InputError(
                        f"{item.path}: duplicate document id {item.id!r} (first read from "
                        f"{seen[item.id]}); skipped"
                    )
                else:
                    seen[item.id] = item.path or ""
            yield item
    finally:
        reader.close()


class _Reader:
    """Reads each kind of input, counting records on the tally; fetches with one Fetcher."""

    def __init__(self, options: LoadOptions, tally: InputTally,
                 shards: ShardReader | None = None) -> None:
        self.options = options
        self.tally = tally
        self.shards = shards
        self._fetcher: Fetcher | None = None

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self.options.fetch)
        return self._fetcher

    def sources(self, paths: Iterable[str | Path],
                url_lists: Iterable[str | Path]) -> Iterator[Document | InputError]:
        paths = list(paths)
        self._expect(Path(source) for source in paths
                     if not is_url(source) and Path(source).is_file())
        for source in paths:
            if is_url(source):
                yield from self.url(str(source))
            else:
                yield from self.path(Path(source))
        for url_list in url_lists:
            for url in read_url_list(url_list):
                if isinstance(url, InputError):
                    self.tally.skip("URL", "error")
                    yield url
                else:
                    yield from self.url(url)

    def path(self, path: Path) -> Iterator[Document | InputError]:
        """Yield what one user-given path holds: a file's documents or a folder's."""
        if path.is_dir():
            files = sorted(file for file in path.rglob("*")
                           if file.is_file() and file.name.lower().endswith(ALL_SUFFIXES))
            if not files:
                yield InputError(f"{path}: no article files in this folder (looked for "
                                 f"{', '.join(ALL_SUFFIXES)})")
            self._expect(files)
            for file in files:
                yield from self.file(file, _stem(file.relative_to(path)))
        elif not path.exists():
            yield InputError(f"{path}: no such file or folder")
        else:
            yield from self.file(path, _stem(Path(path.name)))

    def file(self, path: Path, name: str) -> Iterator[Document | InputError]:
        """Yield the documents of one file; ``name`` is its id or id prefix."""
        kind = _file_kind(path)
        columns, fetch = self.options.columns, self.fetch_article
        readers: dict[str, Callable[[], Iterator[Document | InputError]]] = {
            "JSON Lines record": lambda: read_jsonl_documents(path, name),
            "HTML page": lambda: _one(read_html_document, path, name),
            "feed entry": lambda: self._feed_file(path),
            "WARC record": lambda: (self.shards.documents(path, self.tally) if self.shards
                                    else warc_documents(path, self.tally)),
            "CSV row": lambda: csv_documents(path, name, columns, fetch),
            "Parquet row": lambda: parquet_documents(path, name, columns, fetch),
            "text file": lambda: _one(read_text_document, path, name),
        }
        yield from self._counted(kind, readers[kind]())

    def _expect(self, files: Iterable[Path]) -> None:
        """Tell the shard reader which WARC files come next, so that it reads ahead."""
        if self.shards is not None:
            self.shards.expect(file for file in files if _file_kind(file) == "WARC record")

    def url(self, url: str) -> Iterator[Document | InputError]:
        """Yield the article of a web page, or the entries of a feed, fetched from ``url``."""
        try:
            page = self.fetcher.fetch(url)
        except InputError as error:
            self.tally.skip("URL", "error")
            yield error
            return
        if _is_feed(page):
            yield from self._counted("feed entry",
                                     feed_documents(page.body, url, follow=self._follow))
        else:
            yield from self._counted("URL", _one(_page_document, page, url))

    def fetch_article(self, url: str, where: str) -> Document:
        """Return the article at ``url`` (for a table row); errors name ``where`` too."""
        try:
            return _page_document(self.fetcher.fetch(url), url)
        except InputError as error:
            raise InputError(f"{where}: {error}") from None

    @property
    def _follow(self) -> Callable[[str, str], Document] | None:
        return self.fetch_article if self.options.follow_links else None

    def _feed_file(self, path: Path) -> Iterator[Document | InputError]:
        try:
            data = path.read_bytes()
        except OSError as error:
            yield InputError(f"{path}: cannot read ({error.strerror or error})")
            return
        yield from feed_documents(data, str(path), follow=self._follow)

    def _counted(self, kind: str, items: Iterator[Document | InputError]
                 ) -> Iterator[Document | InputError]:
        for item in items:
            if isinstance(item, Document):
                self.tally.count(kind)
            else:
                self.tally.skip(kind, "error")
            yield item


def _one(read: Callable[..., Document], *args: object) -> Iterator[Document | InputError]:
    try:
        yield read(*args)
    except InputError as error:
        yield error


def _page_document(page: Page, url: str) -> Document:
    """Return the article of a fetched page (HTML, or plain text); its id is ``url``."""
    if page.content_type == "text/plain":
        text = decode_text(page.body, url)
        if not text.strip():
            raise InputError(f"{url}: empty page")
        return Document(id=url, text=text, url=page.final_url, path=url,
                        retrieved=page.retrieved)
    if page.content_type and page.content_type not in _HTML_TYPES:
        raise InputError(f"{url}: not an HTML page, a feed or text ({page.content_type})")
    document = html_document(page.body, document_id=url, where=url, url=page.final_url,
                             retrieved=page.retrieved)
    return document


def _is_feed(page: Page) -> bool:
    if page.content_type in _HTML_TYPES or page.content_type == "text/plain":
        return False
    return page.content_type.endswith(("rss+xml", "atom+xml", "rdf+xml")) or looks_like_feed(
        page.body[:_SNIFF_BYTES])


def _stem(relative: Path) -> str:
    """Return a file's path without its suffix (both of ``.warc.gz``), as an id."""
    name = relative.as_posix()
    for suffix in ALL_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return relative.with_suffix("").as_posix()


def _file_kind(path: Path) -> str:
    """Name the kind of a file's records from its suffix, else from its first bytes."""
    name = path.name.lower()
    by_suffix = ((JSONL_SUFFIXES, "JSON Lines record"), (HTML_SUFFIXES, "HTML page"),
                 ((".rss", ".atom"), "feed entry"), (WARC_SUFFIXES, "WARC record"),
                 (CSV_SUFFIXES, "CSV row"), (PARQUET_SUFFIXES, "Parquet row"),
                 (TEXT_SUFFIXES, "text file"))
    for suffixes, kind in by_suffix:
        if name.endswith(suffixes):
            return kind
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError:
        return "text file"  # the text reader reports why it cannot be read
    if head.startswith((b"WARC/", b"\x1f\x8b")) and (b"WARC/" in head or "warc" in name):
        return "WARC record"
    if looks_like_feed(head):
        return "feed entry"
    if name.endswith(".xml"):
        return "feed entry"  # the feed reader says why it is not one
    start = head.lstrip()[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "HTML page"
    return "text file"
