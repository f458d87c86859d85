"""Read attribution corpora in brat standoff format, such as PolNeAR.

A corpus folder holds ``text/NAME.txt`` (the articles) and ``attributions/NAME_ANNOTATOR.ann``
(or ``attributions/NAME.ann``); PolNeAR adds ``metadata.tsv`` (title, publisher, date and the
annotators of each article) at the corpus root, above its ``train/`` and ``dev/`` splits.

In an ``.ann`` file, ``T`` lines are spans (label, ``start end`` offsets, pieces of a
discontinuous span separated by ``;``, and the covered text, which may run over several lines
when the span covers a newline); ``E`` lines tie a trigger (``Attribution`` or
``Attribution-no-source``) to its ``Source``, ``Cue`` and ``Content`` spans (``Content2`` and
the like add pieces to the same role). Every attribution becomes the same
:class:`~claimgraph.records.Attribution` record the extractor produces, with ``rule="gold"``.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from claimgraph.errors import InputError
from claimgraph.loaders.jsonl import iso_date
from claimgraph.loaders.text import decode_text, read_text_document
from claimgraph.records import Attribution, Document, Mention

logger = logging.getLogger(__name__)

#: The span labels that are attribution roles, with the role each fills.
ROLES = {"Source": "source", "Cue": "cue", "Content": "content"}
#: The trigger labels of attribution events (the trigger covers the cue).
TRIGGER_LABELS = ("Attribution", "Attribution-no-source")
#: A content starting with one of these is a direct quotation (straight, curly, guillemets).
QUOTE_MARKS = "\"'“”‘’«»„‚‹›"

TEXT_FOLDER = "text"
ANNOTATION_FOLDER = "attributions"
METADATA_FILE = "metadata.tsv"

# A brat annotation line starts with its id: T1, E1, R1, A1, M1, N1, #1 or "*".
_ANNOTATION_START = re.compile(r"^(?:[TERAMN#]\d+|\*)\t")

ErrorHandler = Callable[[InputError], None]


@dataclass(frozen=True, slots=True)
class ArticleMetadata:
    """One row of ``metadata.tsv``: what the corpus says about an article."""

    annotators: tuple[str, ...] = ()
    title: str | None = None
    publisher: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class _Span:
    """A ``T`` line: its label and (start, end) pieces, and the line it starts on."""

    label: str
    pieces: tuple[tuple[int, int], ...]
    line: int


def load_brat_corpus(
    root: str | Path,
    split: str | None = None,
    *,
    on_error: ErrorHandler | None = None,
) -> Iterator[tuple[Document, list[Attribution]]]:
    """Yield ``(document, gold attributions)`` for each article of a brat corpus.

    ``root`` is a folder with ``text/`` and ``attributions/`` (e.g. ``polnear/dev``), or a
    corpus root whose ``split`` subfolder is one (``root="polnear", split="dev"``).
    ``metadata.tsv`` is looked for in that folder and one level up; without it, documents
    have no metadata and the first ``.ann`` file (sorted) of each article is used.
    Articles come in file-name order; one annotator per article (the first listed in the
    metadata that has a file).

    Problems with single articles or annotations (an unreadable file, a span whose text does
    not match the article, an attribution without content) are passed to ``on_error`` (by
    default: logged as warnings) and skipped; the rest is read. Raises :class:`InputError`
    when the folder itself is not a brat corpus.
    """
    report = on_error or _log_error
    folder = find_corpus_folder(root, split)
    metadata_path = next(
        (path for path in (folder / METADATA_FILE, folder.parent / METADATA_FILE)
         if path.is_file()),
        None,
    )
    metadata = read_metadata(metadata_path, report) if metadata_path else {}
    annotations = _annotation_files(folder / ANNOTATION_FOLDER)
    for text_path in sorted((folder / TEXT_FOLDER).glob("*.txt")):
        name = text_path.stem
        article = metadata.get(name, ArticleMetadata())
        ann_path = choose_annotation(annotations.get(name, {}), article.annotators)
        if ann_path is None:
            report(InputError(f"{text_path}: no annotation file in {ANNOTATION_FOLDER}/; "
                              "article skipped"))
            continue
        try:
            document = read_text_document(text_path, name)
        except InputError as error:
            report(error)
            continue
        document = replace(document, title=article.title, date=article.date,
                           publisher=article.publisher)
        attributions, errors = read_annotations(ann_path, document)
        for error in errors:
            report(error)
        yield document, attributions


def find_corpus_folder(root: str | Path, split: str | None = None) -> Path:
    """Return the folder holding ``text/`` and ``attributions/``: ``root`` or ``root/split``.

    Raises :class:`InputError` when there is no such folder, naming the splits available
    when ``root`` is a corpus root and no split was given.
    """
    folder = Path(root) / split if split else Path(root)
    if (folder / TEXT_FOLDER).is_dir() and (folder / ANNOTATION_FOLDER).is_dir():
        return folder
    if not folder.exists():
        raise InputError(f"{folder}: no such folder")
    splits = sorted(child.name for child in folder.iterdir()
                    if (child / TEXT_FOLDER).is_dir())
    hint = f" (choose a split: {', '.join(splits)})" if splits else ""
    raise InputError(
        f"{folder}: not a brat corpus: needs {TEXT_FOLDER}/ and {ANNOTATION_FOLDER}/{hint}"
    )


def read_metadata(path: Path, on_error: ErrorHandler | None = None) -> dict[str, ArticleMetadata]:
    """Read PolNeAR's ``metadata.tsv``: article file name -> :class:`ArticleMetadata`.

    Columns used: ``filename``, ``annotators`` (``|``-separated), ``title``, ``publisher``,
    ``publication_date``. A date that is not ISO is reported to ``on_error`` and dropped.
    """
    report = on_error or _log_error
    try:
        text = decode_text(path.read_bytes(), str(path))
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    # QUOTE_NONE: titles contain quotation marks that are part of the title, not TSV quoting.
    rows = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    if "filename" not in (rows.fieldnames or ()):
        raise InputError(f"{path}: no 'filename' column in the header")
    metadata = {}
    for line_number, row in enumerate(rows, start=2):
        raw_date = _cell(row, "publication_date")
        date = None
        if raw_date:
            try:
                date = iso_date(raw_date, f"{path}:{line_number}")
            except InputError as error:
                report(error)
        annotators = tuple(name for name in (_cell(row, "annotators") or "").split("|") if name)
        metadata[row["filename"]] = ArticleMetadata(
            annotators=annotators, title=_cell(row, "title"),
            publisher=_cell(row, "publisher"), date=date,
        )
    return metadata


def choose_annotation(files: dict[str, Path], annotators: tuple[str, ...]) -> Path | None:
    """Pick one annotation file of an article: the first of ``annotators`` that has one.

    ``files`` maps annotator (``""`` for a plain ``NAME.ann``) to file. Without a listed
    annotator that has a file, the first file in name order is used; None when there is none.
    """
    for annotator in annotators:
        if annotator in files:
            return files[annotator]
    return min(files.values(), default=None)


def read_annotations(path: Path, document: Document) -> tuple[list[Attribution], list[InputError]]:
    """Read the attributions of ``document`` from the ``.ann`` file ``path``.

    Returns the attributions (in the file's order) and the problems found, each naming the
    file and line: a span whose text differs from the article slice at its offsets (skipped,
    with any attribution using it), an attribution without cue or content (skipped), a
    malformed line (skipped).
    """
    try:
        text = decode_text(path.read_bytes(), str(path))
    except OSError as error:
        return [], [InputError(f"{path}: cannot read ({error.strerror or error})")]
    except InputError as error:
        return [], [error]
    errors: list[InputError] = []
    spans: dict[str, _Span] = {}
    skipped_spans: set[str] = set()
    events = []
    # Two passes: an E line may refer to a T line further down the file.
    for line_number, line in _annotation_lines(text):
        where = f"{path}:{line_number}"
        annotation_id, _, rest = line.partition("\t")
        if annotation_id.startswith("T"):
            try:
                spans[annotation_id] = _read_span(rest, document.text, where, line_number)
            except InputError as error:
                errors.append(error)
                skipped_spans.add(annotation_id)
        elif annotation_id.startswith("E"):
            events.append((annotation_id, rest, where))
    attributions = []
    for event_id, rest, where in events:
        try:
            attribution = _read_event(event_id, rest, spans, skipped_spans, document, where)
        except InputError as error:
            errors.append(error)
            continue
        if attribution is not None:
            attributions.append(attribution)
    return attributions, errors


def _annotation_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, annotation)`` for each annotation of an ``.ann`` file's text.

    A span covering a newline has its text column run over several lines: lines that do
    not start with an annotation id are joined to the annotation before them.
    """
    current: tuple[int, str] | None = None
    for line_number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if _ANNOTATION_START.match(line):
            if current is not None:
                yield current
            current = (line_number, line)
        elif current is not None:
            current = (current[0], current[1] + "\n" + line)
    if current is not None:
        yield current


def _read_span(rest: str, article: str, where: str, line_number: int) -> _Span:
    """Parse a ``T`` line (after its id) and check its text against the article."""
    label_and_offsets, _, given_text = rest.partition("\t")
    label, _, offsets = label_and_offsets.partition(" ")
    try:
        pieces = tuple(
            (int(start), int(end))
            for start, end in (piece.split() for piece in offsets.split(";"))
        )
    except ValueError:
        raise InputError(f"{where}: malformed span offsets {offsets!r}; skipped") from None
    if any(not 0 <= start < end <= len(article) for start, end in pieces):
        raise InputError(f"{where}: span {offsets} is outside the article "
                         f"({len(article)} characters); skipped")
    actual_text = " ".join(article[start:end] for start, end in pieces)
    # The article may have CRLF line ends and the .ann file LF ones (or the other way round).
    if actual_text.replace("\r", "").rstrip("\n") != given_text.replace("\r", "").rstrip("\n"):
        raise InputError(f"{where}: span text {_shorten(given_text)} does not match the "
                         f"article at {offsets} ({_shorten(actual_text)}); skipped")
    return _Span(label=label, pieces=pieces, line=line_number)


def _read_event(event_id: str, rest: str, spans: dict[str, _Span], skipped_spans: set[str],
                document: Document, where: str) -> Attribution | None:
    """Build the Attribution of an ``E`` line; None for events that are not attributions."""
    arguments = [argument.partition(":") for argument in rest.split()]
    if not arguments or arguments[0][0] not in TRIGGER_LABELS:
        return None
    pieces_by_role: dict[str, list[tuple[int, int]]] = {role: [] for role in ROLES.values()}
    for name, _, span_id in arguments:
        span = spans.get(span_id)
        if span is None:
            problem = "was skipped" if span_id in skipped_spans else "does not exist"
            raise InputError(f"{where}: {event_id} refers to {span_id}, which {problem}; "
                             "attribution skipped")
        # "Content2" adds a second stretch of text to the content, "Source2" to the source.
        role = ROLES.get(name.rstrip("0123456789"))
        if role is not None:
            pieces_by_role[role].extend(span.pieces)
    if not pieces_by_role["cue"]:
        # The trigger is annotated on the cue words: it stands in for a missing Cue span.
        pieces_by_role["cue"].extend(spans[arguments[0][2]].pieces)
    if not pieces_by_role["content"]:
        raise InputError(f"{where}: {event_id} has no content; attribution skipped")
    mentions = {role: _mention(pieces, document.text, label)
                for label, role in ROLES.items()
                if (pieces := pieces_by_role[role])}
    content = mentions["content"]
    return Attribution(
        cue=mentions["cue"],
        content=content,
        source=mentions.get("source"),
        quote_type="direct" if content.text.lstrip().startswith(tuple(QUOTE_MARKS))
        else "indirect",
        rule="gold",
        extra={"event": event_id, "annotation": where},
    )


def _mention(pieces: list[tuple[int, int]], article: str, label: str) -> Mention:
    """Make a Mention of one or more pieces: it spans from the first start to the last end."""
    ordered = tuple(sorted(set(pieces)))
    start = ordered[0][0]
    end = max(piece_end for _, piece_end in ordered)
    return Mention(start=start, end=end, text=article[start:end], label=label,
                   parts=ordered if len(ordered) > 1 else ())


def _annotation_files(folder: Path) -> dict[str, dict[str, Path]]:
    """Map article name -> annotator -> ``.ann`` file, from ``NAME_ANNOTATOR.ann`` names.

    A file named after the article alone (``NAME.ann``) has annotator ``""``. Which part of
    a name is the article is settled later against the text files, so here both readings of
    ``a_b_c.ann`` are kept: article ``a_b_c`` (annotator "") and article ``a_b`` (``c``).
    """
    files: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.glob("*.ann")):
        files.setdefault(path.stem, {})[""] = path
        article, separator, annotator = path.stem.rpartition("_")
        if separator:
            files.setdefault(article, {})[annotator] = path
    return files


def _cell(row: dict[str, str | None], column: str) -> str | None:
    """Return a metadata cell stripped, or None when it is empty or says ``None``."""
    value = (row.get(column) or "").strip()
    return value if value and value != "None" else None


def _shorten(text: str, limit: int = 60) -> str:
    """Quote ``text`` on one line, cut to ``limit`` characters for an error message."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _log_error(error: InputError) -> None:
    logger.warning("%s", error)
