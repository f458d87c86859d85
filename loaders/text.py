"""Read plain-text articles: one ``.txt`` file is one :class:`Document`.

The text is kept exactly as it is in the file (only a leading byte-order mark is dropped):
newlines are not normalised, so every offset the extractor reports is an offset into the
file's own characters, CRLF files included.
"""

from __future__ import annotations

from pathlib import Path

from claimgraph.errors import InputError
from claimgraph.records import Document


def decode_text(data: bytes, where: str) -> str:
    """Return ``data`` decoded as UTF-8 text, without a leading byte-order mark.

    ``where`` names the file (and line) for the error message. Raises :class:`InputError`
    for binary data (NUL bytes: images, PDFs, UTF-16 text) and for bytes that are not UTF-8.
    """
    if b"\x00" in data:
        raise InputError(f"{where}: binary file (contains NUL bytes; UTF-16 or not text?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad_byte = data[error.start]
        raise InputError(
            f"{where}: not UTF-8 (byte 0x{bad_byte:02x} at offset {error.start})"
        ) from None


def read_text_document(path: Path, document_id: str) -> Document:
    """Read one text file as a :class:`Document` with id ``document_id``.

    Raises :class:`InputError` (naming the file) when it cannot be read, is binary, is not
    UTF-8 or holds no text.
    """
    where = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{where}: no such file") from None
    except OSError as error:
        raise InputError(f"{where}: cannot read ({error.strerror or error})") from None
    text = decode_text(data, where)
    if not text.strip():
        raise InputError(f"{where}: empty file")
    return Document(id=document_id, text=text, path=where)
