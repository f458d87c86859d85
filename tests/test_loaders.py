"""Tests for claimgraph.loaders.iter_documents: text files, folders and JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

from claimgraph.errors import InputError
from claimgraph.loaders import iter_documents
from claimgraph.loaders.jsonl import iso_date
from claimgraph.records import Document


def split(items: list[Document | InputError]) -> tuple[list[Document], list[str]]:
    """Separate documents from error messages."""
    documents = [item for item in items if isinstance(item, Document)]
    errors = [str(item) for item in items if isinstance(item, InputError)]
    return documents, errors


def test_text_file_is_one_document_with_its_stem_as_id(tmp_path: Path) -> None:
    path = tmp_path / "karabakh.txt"
    path.write_text("Aliyev said the talks had failed.\n", encoding="utf-8")

    [document] = iter_documents([path])

    assert document.id == "karabakh"
    assert document.text == "Aliyev said the talks had failed.\n"
    assert document.path == str(path)


def test_crlf_text_is_kept_and_offsets_stay_exact(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbfFirst line.\r\nPashinyan said \xe2\x80\x9cno.\xe2\x80\x9d\r\n")

    [document] = iter_documents([str(path)])

    # The BOM is dropped, the CRLF newlines are not normalised.
    assert document.text == "First line.\r\nPashinyan said “no.”\r\n"
    start = document.text.index("Pashinyan")
    assert start == 13
    assert document.text[start:start + 9] == "Pashinyan"


def test_folder_is_read_recursively_sorted_with_relative_ids(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "story.txt").write_text("B story.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("A story.", encoding="utf-8")
    (tmp_path / "story.txt").write_text("Top story.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("Not an article.", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text('{"text": "Fed story."}\n', encoding="utf-8")

    documents, errors = split(list(iter_documents([tmp_path])))

    assert errors == []
    assert [document.id for document in documents] == ["a", "b/story", "feed-1", "story"]
    assert [document.text for document in documents] == [
        "A story.", "B story.", "Fed story.", "Top story."]


def test_bad_text_files_give_errors_and_the_batch_goes_on(tmp_path: Path) -> None:
    good_first = tmp_path / "first.txt"
    good_first.write_text("The minister said so.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Erdoğan a déclaré".encode("latin-1", errors="replace"))
    missing = tmp_path / "missing.txt"
    good_last = tmp_path / "last.txt"
    good_last.write_text("The spokesman denied it.", encoding="utf-8")

    items = list(iter_documents([good_first, empty, binary, latin1, missing, good_last]))

    documents, errors = split(items)
    assert [document.id for document in documents] == ["first", "last"]
    assert [type(item).__name__ for item in items] == [
        "Document", "InputError", "InputError", "InputError", "InputError", "Document"]
    assert errors[0] == f"{empty}: empty file"
    assert errors[1].startswith(f"{binary}: binary file")
    assert errors[2] == f"{latin1}: not UTF-8 (byte 0xe9 at offset 11)"
    assert errors[3] == f"{missing}: no such file or folder"
    assert all("\n" not in message for message in errors)


def test_jsonl_records_with_metadata_and_default_ids(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    records = [
        {"id": "a1", "text": "Baku said the town was taken.", "title": "Town taken",
         "url": "https://example.org/a1", "date": "2020-10-04T09:30:00+04:00",
         "publisher": "Example News"},
        {"text": "Yerevan denied it.\r\nNo comment.", "date": "2020-10-05"},
        {"id": 7, "text": "A third story."},
    ]
    path.write_text("\n".join(json.dumps(record) for record in records) + "\n\n",
                    encoding="utf-8")

    documents, errors = split(list(iter_documents([path])))

    assert errors == []
    first, second, third = documents
    assert first.id == "a1"
    assert first.metadata() == {"title": "Town taken", "url": "https://example.org/a1",
                                "date": "2020-10-04", "publisher": "Example News"}
    assert first.path == f"{path}:1"
    assert second.id == "news-2"
    assert second.text == "Yerevan denied it.\r\nNo comment."
    assert second.date == "2020-10-05"
    assert third.id == "7"


def test_bad_jsonl_lines_give_errors_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\n".join([
        b'{"id": "ok-1", "text": "First good record."}',
        b'{"id": "broken" "text": "missing comma"}',
        b'{"id": "no-text", "title": "Only a title"}',
        b'["not", "an", "object"]',
        b'{"id": "bad-date", "text": "Some text.", "date": "last Tuesday"}',
        b'{"id": "latin", "text": "caf\xe9"}',
        b"[" * 100_000,
        b'{"id": "ok-2", "text": "Second good record."}',
    ]))

    documents, errors = split(list(iter_documents([path])))

    assert [document.id for document in documents] == ["ok-1", "ok-2"]
    assert errors == [
        f"{path}:2: malformed JSON (Expecting ',' delimiter)",
        f"{path}:3: record has no text",
        f"{path}:4: expected a JSON object, got an array",
        f"{path}:5: unparseable date 'last Tuesday' (expected ISO 8601, e.g. 2020-10-01)",
        f"{path}:6: not UTF-8 (byte 0xe9 at offset 28)",
        f"{path}:7: JSON nested too deeply to read",
    ]


def test_binary_and_empty_jsonl_give_one_error_each(tmp_path: Path) -> None:
    binary = tmp_path / "utf16.jsonl"
    binary.write_bytes('{"text": "hello"}\n{"text": "again"}\n'.encode("utf-16"))
    empty = tmp_path / "empty.ndjson"
    empty.write_text("\n\n", encoding="utf-8")

    errors = [str(item) for item in iter_documents([binary, empty])]

    assert len(errors) == 2
    assert errors[0].startswith(f"{binary}: binary file")
    assert errors[1] == f"{empty}: empty file"


def test_duplicate_ids_are_refused_after_the_first(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_text('{"id": "same", "text": "One."}\n{"id": "same", "text": "Two."}\n',
                    encoding="utf-8")

    documents, errors = split(list(iter_documents([path])))

    assert [document.text for document in documents] == ["One."]
    assert errors == [f"{path}:2: duplicate document id 'same' (first read from {path}:1); "
                      "skipped"]


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "readme.md").write_text("nothing here", encoding="utf-8")

    [error] = iter_documents([tmp_path])

    assert isinstance(error, InputError)
    assert str(error).startswith(f"{tmp_path}: no article files in this folder")


def test_iso_date_keeps_the_date_part() -> None:
    assert iso_date("2020-10-04", "x") == "2020-10-04"
    assert iso_date(" 2020-10-04T23:59:00Z ", "x") == "2020-10-04"
    assert iso_date("2020-10-04 08:00", "x") == "2020-10-04"
