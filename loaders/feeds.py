"""Read RSS and Atom feeds with feedparser: each entry is one article.

An entry's text is its full content where the feed carries it (RSS ``content:encoded``,
Atom ``<content>``), read as an HTML fragment (see :func:`html_document`). An entry with a
summary only is fetched from its link when ``follow_links`` is set, and is an error
otherwise (a summary is not the article). The entry's link is the article's id and URL;
its title, author and date (published, else updated) are the article's metadata, and the
feed's title its publisher.

feedparser reads broken feeds leniently; a document that yields no entries and is not
well-formed XML is one error naming the file or URL.
"""

from __future__ import annotations

import time
import xml.sax
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import feedparser

from claimgraph.errors import InputError
from claimgraph.loaders.html import html_document
from claimgraph.records import Document

#: Fetches a linked page and returns its article; given by the loader that knows how.
FollowLink = Callable[[str, str], Document]


def looks_like_feed(head: bytes) -> bool:
    """Return whether the first bytes of a document look like an RSS, RDF or Atom feed."""
    start = head.lstrip()[:2048].lower()
    return any(tag in start for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


def feed_documents(data: bytes, where: str, *,
                   follow: FollowLink | None = None) -> Iterator[Document | InputError]:
    """Yield a :class:`Document` (or an :class:`InputError`) per entry of a feed.

    ``where`` names the feed (file or URL) in errors, with the entry's number. ``follow``
    fetches an entry's link when the entry has no full text (``--follow-links``).
    """
    parsed = feedparser.parse(data)
    problem = parsed.get("bozo_exception")
    if parsed.bozo and not parsed.entries:
        yield InputError(f"{where}: not an RSS or Atom feed ({_message(problem)})")
        return
    if isinstance(problem, xml.sax.SAXException):
        # feedparser's lenient parser still found entries: say so once, read them.
        yield InputError(f"{where}: not well-formed XML ({_message(problem)}); its entries "
                         "are read leniently")
    if not parsed.entries:
        yield InputError(f"{where}: the feed has no entries")
        return
    publisher = parsed.feed.get("title") or None
    for number, entry in enumerate(parsed.entries, start=1):
        entry_where = f"{where} entry {number}"
        try:
            yield _entry_document(entry, entry_where, publisher, follow)
        except InputError as error:
            yield error


def _entry_document(entry: Any, where: str, publisher: str | None,
                    follow: FollowLink | None) -> Document:
    link = entry.get("link") or None
    document_id = link or entry.get("id")
    if not document_id:
        raise InputError(f"{where}: the entry has neither a link nor an id")
    metadata = {"title": entry.get("title") or None, "author": entry.get("author") or None,
                "date": _entry_date(entry)}
    contents = [content for content in entry.get("content", []) if content.get("value")]
    if contents:
        document = html_document(contents[0]["value"], document_id=document_id,
                                 where=where, url=link, fragment=True)
    elif follow is not None and link:
        document = follow(link, where)
    elif link:
        raise InputError(f"{where}: the entry has a summary only, not the article's text "
                         f"(--follow-links fetches {link})")
    else:
        raise InputError(f"{where}: the entry has no text and no link")
    fields = {key: value for key, value in metadata.items() if value}
    if link:
        fields["url"] = link
    if not document.publisher and publisher:
        fields["publisher"] = publisher
    return replace(document, **fields, id=document_id, path=where)


def _message(problem: BaseException | None) -> str:
    if problem is None:
        return "no entries"
    if isinstance(problem, xml.sax.SAXParseException):
        return f"{problem.getMessage()} at line {problem.getLineNumber()}"
    return str(problem)


def _entry_date(entry: Any) -> str | None:
    """Return the entry's publication (else update) date as ``YYYY-MM-DD``."""
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%d", moment) if moment else None
