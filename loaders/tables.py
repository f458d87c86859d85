"""Read tables of articles: CSV files and Parquet files, one article a row.

Media-monitoring tools export a text column or a URL column (or both) with the metadata
beside them; :class:`TableColumns` names the columns (``--text-column`` and friends). A row
with text is an article as it is; a row with a URL and no text is fetched (the caller
gives ``fetch``) and the row's own metadata wins over the page's. Rows stream: the CSV
module reads a line at a time and Parquet is read a record batch at a time with pyarrow
(an optional dependency: ``pip install 'claimgraph[parquet]'``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from claimgraph.errors import InputError
from claimgraph.loaders.jsonl import iso_date
from claimgraph.records import Document

#: Fetches a URL and returns its article (see :class:`~claimgraph.loaders.web.Fetcher`).
FetchArticle = Callable[[str, str], Document]
#: Rows of a Parquet file are read this many at a time.
PARQUET_BATCH_ROWS = 256

# Articles are longer than the csv module's default field limit (128 KiB).
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True, slots=True)
class TableColumns:
    """The names of the columns that hold each field of an article."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    url: str = "url"
    date: str = "date"
    publisher: str = "publisher"


def csv_documents(path: Path, name: str, columns: TableColumns,
                  fetch: FetchArticle | None) -> Iterator[Document | InputError]:
    """Yield a :class:`Document` (or an :class:`InputError`) per row of a CSV file.

    The first line names the columns. ``name`` makes default ids (``{name}-{row}``).
    """
    where = str(path)
    try:
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        yield InputError(f"{where}: cannot read ({error.strerror or error})")
        return
    with stream:
        reader = csv.DictReader(stream)
        try:
            header = reader.fieldnames or []
            yield from _table_documents(header, reader, where, name, columns, fetch)
        except UnicodeDecodeError as error:
            yield InputError(f"{where} line {reader.line_num + 1}: not UTF-8 "
                             f"(byte 0x{error.object[error.start]:02x}); the rest of the file "
                             "is not read")
        except csv.Error as error:
            yield InputError(f"{where} line {reader.line_num}: malformed CSV ({error}); the "
                             "rest of the file is not read")


def parquet_documents(path: Path, name: str, columns: TableColumns,
                      fetch: FetchArticle | None) -> Iterator[Document | InputError]:
    """Yield a :class:`Document` (or an :class:`InputError`) per row of a Parquet file."""
    where = str(path)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield InputError(f"{where}: reading Parquet needs pyarrow: "
                         "pip install 'claimgraph[parquet]'")
        return
    try:
        table = pq.ParquetFile(path)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        yield InputError(f"{where}: not a readable Parquet file ({error})")
        return
    header = table.schema_arrow.names
    wanted = [column for column in _column_names(columns) if column in header]
    rows = (row for batch in table.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted)
            for row in batch.to_pylist())
    documents = _table_documents(header, rows, where, name, columns, fetch)
    read = 0
    try:
        for item in documents:
            read += 1
            yield item
    except (OSError, ValueError) as error:  # a damaged page of the file
        yield InputError(f"{where} row {read + 1}: cannot read ({error}); the rows before it "
                         "are read, the rest of the file is not")


def _column_names(columns: TableColumns) -> list[str]:
    return [columns.text, columns.id, columns.title, columns.url, columns.date,
            columns.publisher]


def _table_documents(header: list[str], rows: Iterator[dict[str, Any]], where: str,
                     name: str, columns: TableColumns,
                     fetch: FetchArticle | None) -> Iterator[Document | InputError]:
    if columns.text not in header and columns.url not in header:
        yield InputError(f"{where}: no column {columns.text!r} (nor {columns.url!r} to fetch "
                         f"the text from); the columns are {', '.join(map(repr, header))}")
        return
    for number, row in enumerate(rows, start=1):
        try:
            yield _row_document(row, f"{where} row {number}", f"{name}-{number}", columns,
                                fetch)
        except InputError as error:
            yield error


def _row_document(row: dict[str, Any], where: str, default_id: str, columns: TableColumns,
                  fetch: FetchArticle | None) -> Document:
    text, url = _cell(row, columns.text), _cell(row, columns.url)
    raw_date = row.get(columns.date)
    metadata = {
        "title": _cell(row, columns.title), "url": url,
        "publisher": _cell(row, columns.publisher),
        "date": _cell_date(raw_date, where) if raw_date not in (None, "") else None,
    }
    document_id = _cell(row, columns.id) or url or default_id
    if text is not None and text.strip():
        return Document(id=document_id, text=text, path=where, **metadata)
    if url is None:
        raise InputError(f"{where}: the row has no text (column {columns.text!r}) and no URL "
                         f"(column {columns.url!r})")
    if fetch is None:
        raise InputError(f"{where}: the row has no text; fetching {url} was not allowed")
    page = fetch(url, where)
    return replace(page, id=document_id, path=where,
                   **{key: value for key, value in metadata.items() if value})


def _cell(row: dict[str, Any], column: str) -> str | None:
    value = row.get(column)
    if value is None or value == "":
        return None
    return str(value)


def _cell_date(value: Any, where: str) -> str:
    if isinstance(value, datetime | date):  # Parquet dates and timestamps
        return value.isoformat()[:10]
    return iso_date(str(value), where)
