"""Read web archives (``.warc``, ``.warc.gz``) with warcio: each HTML response is an article.

A record becomes an article when it is a ``response`` with HTTP status 200 and an HTML
body; its id is the record's target URI, its retrieval time the ``WARC-Date``, and its
date the page's publication date (else the ``WARC-Date``'s day). Every other record
(``warcinfo``, ``request``, ``metadata``, ``revisit``, images, redirects) is skipped and
counted by reason on the :class:`~claimgraph.loaders.tally.InputTally`.

Damage costs only what lies past it: warcio reads a truncated file's last record short
without complaint, so the loader compares what it read with what the record announced,
and the end of the last whole record with the file's size; the first damage found is one
:class:`InputError` naming the file, the record's number and its byte offset.

A file can also be read in slices (:func:`read_warc_slice`), each starting at a record's
byte offset, as worker tasks do: WARC files are plain or gzipped record by record, so a
record's offset is a place to start reading. The slices of a file give exactly the
articles, errors and counts that reading it whole gives.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from claimgraph.errors import InputError
from claimgraph.loaders.html import html_document
from claimgraph.loaders.tally import InputTally
from claimgraph.records import Document

#: What the tally calls one record of an archive.
KIND = "WARC record"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class WarcPosition:
    """Where reading a WARC file starts: a record's byte offset, and how many records
    come before it (records are numbered from 1 in messages)."""

    offset: int = 0
    number: int = 0


@dataclass(slots=True)
class WarcSlice:
    """What one slice of a WARC file held: its articles and errors in order, the records
    it skipped (on ``tally``), and where the next slice starts (None: the file is done)."""

    items: list[Document | InputError]
    tally: InputTally
    next: WarcPosition | None


def warc_documents(path: Path, tally: InputTally, *, start: WarcPosition = WarcPosition(),
                   limit: int | None = None, where: str | None = None
                   ) -> Generator[Document | InputError, None, WarcPosition | None]:
    """Yield a :class:`Document` per HTML response in the WARC file ``path``, and an
    :class:`InputError` per record whose page has no main text and for damage.

    Reading starts at ``start`` and stops before the next record once ``limit`` items are
    yielded; the generator then returns that record's position (None when it read to the
    end of the file or to damage). ``where`` names the file in messages (default ``path``).
    """
    where = where or str(path)
    try:
        stream = path.open("rb")
    except OSError as error:
        yield InputError(f"{where}: cannot read ({error.strerror or error})")
        return None
    with stream:
        size = path.stat().st_size
        stream.seek(start.offset)
        records = ArchiveIterator(stream)  # its offsets count from the file's start
        number, given = start.number, 0
        try:
            for record in records:
                if limit is not None and given >= limit:
                    # Stop here, not after the last item: warcio has checked that the
                    # previous record ended cleanly (a gzip member per record) by now.
                    return WarcPosition(records.offset, number)
                number += 1
                record_where = f"{where} record {number} (offset {records.offset})"
                if record.rec_type is None:
                    raise _Damaged(record_where)
                reason = _skip_reason(record)
                if reason:
                    tally.skip(KIND, reason)
                    continue
                body = record.content_stream().read()
                if getattr(record.raw_stream, "limit", 0) > 0:
                    raise _Damaged(record_where)
                given += 1
                yield _record_document(record, body, record_where)
        except _Damaged as damage:
            yield InputError(f"{damage}: truncated or corrupt; the records before it are read, "
                             "the rest of the file is not")
            return None
        except Exception as error:  # noqa: BLE001 - warcio raises many kinds on damaged input
            yield InputError(f"{where} record {number + 1} (offset {records.offset}): cannot "
                             f"read ({type(error).__name__}: {error}); the records before it "
                             "are read, the rest of the file is not")
            return None
        if records.offset < size:
            yield InputError(f"{where} record {number + 1} (offset {records.offset}): truncated "
                             f"or corrupt ({size - records.offset} bytes past the last whole "
                             "record); the records before it are read")
    return None


def read_warc_slice(path: Path, start: WarcPosition, limit: int,
                    where: str | None = None) -> WarcSlice:
    """Read at most ``limit`` articles (and per-record errors) of the WARC file ``path``
    from ``start``, and the error of damage found at the end of the file: the work of one
    task. ``where`` names the file in messages."""
    tally = InputTally()
    reader = warc_documents(path, tally, start=start, limit=limit, where=where)
    items: list[Document | InputError] = []
    while True:
        try:
            items.append(next(reader))
        except StopIteration as stop:
            return WarcSlice(items, tally, stop.value)


class _Damaged(Exception):
    """A record cut short: its message names it."""


def _skip_reason(record: ArcWarcRecord) -> str | None:
    """Return why a record is not an article, or None when it is an HTML page."""
    if record.rec_type != "response":
        return f"{record.rec_type} record"
    if record.http_headers is None:
        return "response without HTTP headers"
    status = record.http_headers.get_statuscode()
    if status != "200":
        return f"HTTP status {status}"
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
    if content_type.strip().lower() not in _HTML_TYPES:
        return f"not HTML: {content_type.strip() or 'no Content-Type'}"
    return None


def _record_document(record: ArcWarcRecord, body: bytes,
                     where: str) -> Document | InputError:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    archived = record.rec_headers.get_header("WARC-Date") or None
    if not uri:
        return InputError(f"{where}: response without a WARC-Target-URI")
    try:
        document = html_document(body, document_id=uri, where=f"{where} <{uri}>", url=uri,
                                 retrieved=archived)
    except InputError as error:
        return error
    if document.date is None and archived:
        document = replace(document, date=archived[:10])
    return document
