"""Read web pages: the article's main text and metadata, found by trafilatura.

trafilatura drops navigation, sidebars, ads and comments and keeps one paragraph a line
(the extractor's quotation and paragraph rules read those line breaks); its metadata gives
the title, author, publication date, site name and canonical URL, and the ``<html lang>``
attribute the language. The text an article gets is exactly what trafilatura returns
(stripped), and every offset indexes into it; the store keeps that text.

A page whose main text cannot be found (a menu, an error page, a file cut before its body)
is an :class:`InputError`, never an empty article.
"""

from __future__ import annotations

from copy import deepcopy
from functools import cache
from pathlib import Path

import trafilatura
from trafilatura.settings import DEFAULT_CONFIG

from claimgraph.errors import InputError
from claimgraph.records import Document

#: The fewest characters of main text a page must have to be an article.
MIN_TEXT_CHARACTERS = 40


@cache
def _config():  # noqa: ANN202 - trafilatura's configparser
    config = deepcopy(DEFAULT_CONFIG)
    config["DEFAULT"]["MIN_OUTPUT_SIZE"] = str(MIN_TEXT_CHARACTERS)
    return config


def html_document(html: bytes | str, *, document_id: str, where: str,
                  url: str | None = None, retrieved: str | None = None,
                  fragment: bool = False) -> Document:
    """Return the article of one HTML page as a :class:`Document` with id ``document_id``.

    ``where`` names the page for errors (file, URL or archive record); ``url`` is where it
    was fetched from (the page's canonical URL, when it names one, takes its place);
    ``retrieved`` when it was fetched or archived. ``fragment`` says ``html`` is an HTML
    fragment (a feed entry's content), read as a whole without looking for the main part.
    Raises :class:`InputError` when the page has no main text.
    """
    try:
        tree = trafilatura.load_html(html)
        if tree is None:
            raise InputError(f"{where}: not an HTML page (nothing to parse)")
        language = tree.get("lang") or None
        result = trafilatura.bare_extraction(
            tree, url=url, with_metadata=not fragment, include_comments=False,
            include_tables=False, fast=fragment, config=_config())
    except InputError:
        raise
    except Exception as error:  # noqa: BLE001 - one odd page must not stop an archive
        raise InputError(f"{where}: the page could not be read ({type(error).__name__}: "
                         f"{error})") from error
    text = (result.text or "").strip() if result is not None else ""
    if not text:
        raise InputError(f"{where}: no main text found (fewer than {MIN_TEXT_CHARACTERS} "
                         "characters of article text on the page)")
    if fragment:
        return Document(id=document_id, text=text, url=url, path=where, retrieved=retrieved)
    return Document(id=document_id, text=text, title=result.title or None,
                    url=result.url or url, date=result.date or None,
                    publisher=result.sitename or None, path=where,
                    author=result.author or None, language=language, retrieved=retrieved)


def read_html_document(path: Path, document_id: str) -> Document:
    """Read one saved HTML page (``.html``, ``.htm``) as a :class:`Document`.

    Raises :class:`InputError` naming the file when it cannot be read or has no main text.
    """
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{where}: cannot read ({error.strerror or error})") from None
    if not data.strip():
        raise InputError(f"{where}: empty file")
    return html_document(data, document_id=document_id, where=where)
