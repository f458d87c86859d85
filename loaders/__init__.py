"""Turn input paths into :class:`~claimgraph.records.Document` objects.

:func:`iter_documents` is the front door: give it files and folders, get back a stream of
documents. Bad input never stops the batch: each unreadable file or record comes out of the
stream as an :class:`~claimgraph.errors.InputError` (its message names the file, and the line
for JSON Lines) and reading goes on. :func:`load_brat_corpus` reads annotated corpora
(PolNeAR) with their gold attributions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from claimgraph.errors import InputError
from claimgraph.loaders.brat import load_brat_corpus
from claimgraph.loaders.jsonl import read_jsonl_documents
from claimgraph.loaders.text import read_text_document
from claimgraph.records import Document

__all__ = ["JSONL_SUFFIXES", "TEXT_SUFFIXES", "iter_documents", "load_brat_corpus"]

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Document | InputError]:
    """Yield a Document (or an InputError) for every article found in ``paths``.

    Each path is a text file (one article; id = file stem), a JSON Lines file (``.jsonl``
    or ``.ndjson``: one article per line; id = the record's ``id`` or ``{stem}-{line}``) or a
    folder, searched recursively in sorted order for ``.txt``, ``.jsonl`` and ``.ndjson``
    files. Inside a folder, ids use the path relative to the folder without its suffix
    (``2020/oct/article``) so that equal file names in different subfolders stay apart.
    A named file with any other suffix is read as text.

    Errors are yielded, not raised: a missing path, an empty, binary or non-UTF-8 file, a
    malformed JSON line, a record without text or with an unparseable date, a folder with
    no articles and a repeated document id each give one InputError; the rest is read.
    """
    seen: dict[str, str] = {}  # document id -> where it was first read, to refuse duplicates
    for path in map(Path, paths):
        for item in _iter_path(path):
            if isinstance(item, Document):
                if item.id in seen:
                    item = InputError(
                        f"{item.path}: duplicate document id {item.id!r} (first read from "
                        f"{seen[item.id]}); skipped"
                    )
                else:
                    seen[item.id] = item.path or ""
            yield item


def _iter_path(path: Path) -> Iterator[Document | InputError]:
    """Yield what one user-given path holds: a file's documents or a folder's."""
    if path.is_dir():
        files = sorted(
            file for file in path.rglob("*")
            if file.is_file() and file.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES
        )
        if not files:
            yield InputError(f"{path}: no .txt, .jsonl or .ndjson files in this folder")
        for file in files:
            name = file.relative_to(path).with_suffix("").as_posix()
            yield from _iter_file(file, name)
    elif not path.exists():
        yield InputError(f"{path}: no such file or folder")
    else:
        yield from _iter_file(path, path.stem)


def _iter_file(path: Path, name: str) -> Iterator[Document | InputError]:
    """Yield the documents of one file; ``name`` is its id (text) or id prefix (JSON Lines)."""
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from read_jsonl_documents(path, name)
        return
    try:
        yield read_text_document(path, name)
    except InputError as error:
        yield error
