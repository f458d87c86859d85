"""Read JSON Lines files (``.jsonl`` / ``.ndjson``): one article per line.

Each line is a JSON object with a required ``text`` and optional ``id``, ``title``, ``url``,
``date`` and ``publisher``. A bad line does not stop the file: it becomes an
:class:`InputError` naming the file and line, and reading goes on with the next line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from claimgraph.errors import InputError
from claimgraph.loaders.text import decode_text
from claimgraph.records import Document

#: Half of a UTF-16 surrogate pair, which JSON can escape but no Unicode text holds.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: The optional string fields a record may carry, copied onto the Document as they are.
METADATA_FIELDS = ("title", "url", "publisher")


def iso_date(value: str, where: str) -> str:
    """Return ``value`` as an ISO date ``YYYY-MM-DD``.

    Accepts an ISO 8601 date or datetime (of which the date part is kept, as written: no
    time-zone conversion). Raises :class:`InputError` naming ``where`` when it is neither.
    """
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        raise InputError(
            f"{where}: unparseable date {value!r} (expected ISO 8601, e.g. 2020-10-01)"
        ) from None


def read_jsonl_documents(path: Path, name: str) -> Iterator[Document | InputError]:
    """Yield a :class:`Document` per line of the JSON Lines file ``path``.

    ``name`` is the file's name for default ids: a record without ``id`` gets
    ``f"{name}-{line number}"``. Blank lines are skipped. Problems come out as
    :class:`InputError` objects in the stream (one for an unreadable, empty or binary file;
    one per bad line otherwise).
    """
    where = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        yield InputError(f"{where}: no such file")
        return
    except OSError as error:
        yield InputError(f"{where}: cannot read ({error.strerror or error})")
        return
    if not data.strip():
        yield InputError(f"{where}: empty file")
        return
    if b"\x00" in data:
        # Checked for the whole file so a binary file gives one error, not one per "line".
        yield InputError(f"{where}: binary file (contains NUL bytes; UTF-16 or not text?)")
        return
    for line_number, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        try:
            yield _read_record(raw_line, f"{where}:{line_number}", f"{name}-{line_number}")
        except InputError as error:
            yield error


def _read_record(raw_line: bytes, where: str, default_id: str) -> Document:
    """Turn one JSON line into a Document; raise InputError naming ``where``."""
    line = decode_text(raw_line, where)
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: malformed JSON ({error.msg})") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply to read") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object, got {_json_type(record)}")
    text = _optional_string(record, "text", where)
    if text is None or not text.strip():
        raise InputError(f"{where}: record has no text")
    record_id = record.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, str | int | None):
        raise InputError(f"{where}: 'id' must be a string or an integer")
    metadata = {field: _optional_string(record, field, where) for field in METADATA_FIELDS}
    if metadata["url"] is not None:
        metadata["url"] = http_url(metadata["url"], where)
    raw_date = _optional_string(record, "date", where)
    return Document(
        id=str(record_id) if record_id not in (None, "") else default_id,
        text=text,
        date=iso_date(raw_date, where) if raw_date else None,
        path=where,
        **metadata,
    )


def _optional_string(record: dict[str, Any], field: str, where: str) -> str | None:
    """Return ``record[field]`` if it is a non-empty string, None if absent or empty."""
    value = record.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: {field!r} must be a string, got {_json_type(value)}")
    surrogate = _SURROGATE.search(value)
    if surrogate:
        # JSON can escape half of a UTF-16 pair ("\ud800"); it is no character of any text.
        raise InputError(f"{where}: {field!r} holds a lone surrogate "
                         f"(\\u{ord(surrogate.group()):04x} at character {surrogate.start()}), "
                         "not Unicode text")
    return value


def http_url(value: str, where: str) -> str:
    """Return ``value`` if it is an absolute http or https URL with a host.

    Raises :class:`InputError` naming ``where`` otherwise (``javascript:…``, a relative
    path, words).
    """
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname \
            or any(character.isspace() for character in value.strip()):
        raise InputError(f"{where}: 'url' must be an absolute http or https URL, "
                         f"not {_shorten(value)!r}")
    return value.strip()


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _json_type(value: Any) -> str:
    """Name a decoded JSON value's type the way JSON does (object, array, number...)."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
