"""Parallel ingest (worker processes, Dask) stores exactly what a one-process ingest stores,
web archives read by the workers included."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE_ARTICLE
from web_fixtures import write_shards

from claimgraph import Document, ingest
from claimgraph.errors import ClaimgraphError
from claimgraph.graph.store import Store
from claimgraph.loaders import ShardReader, shards
from claimgraph.loaders.warc import WarcPosition
from claimgraph.parallel import map_in_order

# The same people under other names, so that which article names an entity first matters.
EXTRA_TEXTS = [
    "Port officials denied on Monday that ships were being turned away. \"The harbour is "
    "open,\" said Jan Peeters, a spokesman for the port authority.",
    "Peeters said the strike would cost the port millions. Union leader Marieke de Vries told "
    "reporters that the workers would not give in.",
    "\"We will stay out until the port listens,\" De Vries said on Tuesday. The mayor said she "
    "hoped for talks.",
]


def documents() -> list[Document]:
    text = EXAMPLE_ARTICLE.read_text(encoding="utf-8")
    paragraphs = [paragraph for paragraph in text.split("\n\n") if paragraph.strip()]
    articles = [Document(id="harbour-strike", text=text)]
    articles += [Document(id=f"paragraph-{number}", text=paragraph)
                 for number, paragraph in enumerate(paragraphs)]
    articles += [Document(id=f"follow-up-{number}", text=extra, date=f"2024-03-0{number + 1}")
                 for number, extra in enumerate(EXTRA_TEXTS)]
    return articles


def ingested(tmp_path: Path, name: str, nlp, **options: object) -> tuple[bytes, str]:
    """Ingest the documents into a new store; return its N-Quads export and the summary."""
    with Store.open(tmp_path / name) as store:
        summary = ingest(documents(), store, nlp, batch_size=2, **options)
        store.export(tmp_path / f"{name}.nq")
    return (tmp_path / f"{name}.nq").read_bytes(), str(summary)


def test_workers_and_dask_store_the_same_quads_as_one_process(tmp_path: Path, nlp) -> None:
    one, summary = ingested(tmp_path, "one", nlp)
    # The example has one paragraph block, so "paragraph-0" repeats the whole article's
    # text: stored once, the second id recorded as a copy (the same with workers and Dask).
    count = len(documents())
    assert summary.startswith(f"{count} articles ({count - 1} added, 0 replaced, 0 unchanged, "
                              "1 copies of a stored text)")
    assert b"\"denied\"" in one and b"Marieke de Vries" in one
    assert ingested(tmp_path, "workers", nlp, workers=2) == (one, summary)
    pytest.importorskip("dask.distributed")
    assert ingested(tmp_path, "dask", nlp, dask=True, workers=2) == (one, summary)


def test_map_in_order_keeps_the_order_of_the_items() -> None:
    squares = map_in_order(_squares, range(23), workers=2, batch_size=3)
    assert list(squares) == [number * number for number in range(23)]
    with pytest.raises(ClaimgraphError, match="at least 1"):
        list(map_in_order(_squares, range(3), workers=0))


def _squares(numbers: list[int]) -> list[int]:
    return [number * number for number in numbers]


def test_a_folder_of_warc_files_is_read_by_the_workers_as_one_process_reads_it(
        tmp_path: Path, nlp, monkeypatch) -> None:
    damaged, offset = write_shards(tmp_path / "shards")
    # Slices of two pages: each file is read by several tasks.
    monkeypatch.setattr(shards, "SLICE_ITEMS", 2)
    slices: list[tuple[Path, int]] = []
    read_slice = ShardReader._slice

    def counted(reader: ShardReader, path: Path, start: WarcPosition):
        slices.append((path, start.offset))
        return read_slice(reader, path, start)

    monkeypatch.setattr(ShardReader, "_slice", counted)

    def ingested(name: str, **options: object) -> tuple[bytes, str, list[str]]:
        errors: list[str] = []
        with Store.open(tmp_path / name) as store:
            summary = ingest([tmp_path / "shards"], store, nlp,
                             on_error=lambda error: errors.append(str(error)), **options)
            store.export(tmp_path / f"{name}.nq")
        return (tmp_path / f"{name}.nq").read_bytes(), str(summary), errors

    one = ingested("one")
    assert slices == []  # one process reads the files itself
    quads, summary, errors = one
    assert errors == [f"{damaged} record 6 (offset {offset}): truncated or corrupt; the "
                      "records before it are read, the rest of the file is not"]
    assert summary.startswith("9 articles (9 added, 0 replaced, 0 unchanged), ")
    assert ("\n  inputs: read 9 WARC records; skipped 3 WARC records (HTTP status 404), 1 WARC "
            "record (error), 3 WARC records (not HTML: image/png), 3 WARC records (request "
            "record), 3 WARC records (warcinfo record)\n") in summary
    # this source, this cue, this content, from the first shard's fixture page and from a
    # page of the damaged shard read before the damage
    assert (b'"Union leader Tomas Berg"' in quads and b'"said"' in quads
            and b'"that the agreement protected jobs for the next three years"' in quads)
    assert b'"https://news.example.org/2024/03/strike-5"' in quads  # its article id
    assert b"Port 5" in quads and b"Port 6" not in quads

    assert ingested("workers", workers=2) == one
    assert {path.name for path, _ in slices} == {"shard-1.warc.gz", "shard-2.warc",
                                                 "shard-3.warc.gz"}
    assert len(slices) == 6  # 5 pages: 3 slices; 3 pages: 2; a page and the damage: 1
    pytest.importorskip("dask.distributed")
    slices.clear()
    assert ingested("dask", dask=True, workers=2) == one
    assert len(slices) == 6
