"""How far two PolNeAR annotators agree with each other: the yardstick for the extractor.

    python benchmarks/human_agreement.py [CORPUS_SPLIT] [--system] [--model NAME]

Some articles of PolNeAR's train split were annotated by several people, each in their own
``NAME_ANNOTATOR.ann`` file. Every pair of annotators of one article is scored with the
project's own scorer (:func:`claimgraph.extract.scoring.score_document`: one annotator as
"gold", the other as "predicted"; exact and overlap match, the same trimming), and the counts
are summed over all pairs (micro average). F1 does not depend on which of the two is called
gold, so each unordered pair counts once.

With ``--system``, the extractor is scored on the same articles against each of their
annotators in turn (counts summed the same way), so that the two tables compare like with
like. Prints plain-text tables (see :func:`format_report`); the corpus is read from
../shared/polnear and never copied.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

from claimgraph.extract.scoring import (
    CorpusScore,
    DocumentScore,
    aggregate,
    format_report,
    score_document,
)
from claimgraph.loaders.brat import (
    ANNOTATION_FOLDER,
    TEXT_FOLDER,
    _annotation_files,
    read_annotations,
)
from claimgraph.loaders.text import read_text_document
from claimgraph.records import Attribution, Document

DEFAULT_SPLIT = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "train"


def multi_annotated(folder: Path) -> Iterator[tuple[Document, dict[str, list[Attribution]]]]:
    """Yield each article of a brat split that has two or more annotators' files.

    Returns ``(document, {annotator: attributions})``; files that cannot be read, or whose
    spans do not match the text, are reported on stderr and the rest of them is used.
    """
    files = _annotation_files(folder / ANNOTATION_FOLDER)
    for text_path in sorted((folder / TEXT_FOLDER).glob("*.txt")):
        by_annotator = {annotator: path for annotator, path in files.get(text_path.stem, {}).items()
                        if annotator}
        if len(by_annotator) < 2:
            continue
        document = read_text_document(text_path, text_path.stem)
        annotations = {}
        for annotator, path in sorted(by_annotator.items()):
            attributions, errors = read_annotations(path, document)
            for error in errors:
                print(error, file=sys.stderr)
            annotations[annotator] = attributions
        yield document, annotations


def pair_scores(articles: list[tuple[Document, dict[str, list[Attribution]]]]
                ) -> list[DocumentScore]:
    """Score every unordered pair of annotators of each article; one DocumentScore a pair."""
    return [score_document(document, annotations[first], annotations[second])
            for document, annotations in articles
            for first, second in combinations(sorted(annotations), 2)]


def system_scores(articles: list[tuple[Document, dict[str, list[Attribution]]]],
                  model: str | None = None) -> list[DocumentScore]:
    """Run the extractor on each article and score it against each of its annotators."""
    from claimgraph import extract, load_pipeline

    nlp = load_pipeline(model, resolve=False)
    documents = [document for document, _ in articles]
    predictions = [attributions for _, attributions in extract(documents, nlp)]
    return [score_document(document, gold, predicted)
            for (document, annotations), predicted in zip(articles, predictions, strict=True)
            for gold in annotations.values()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="?", type=Path, default=DEFAULT_SPLIT,
                        help="brat split folder (default: the PolNeAR train split)")
    parser.add_argument("--system", action="store_true",
                        help="also score the extractor against each annotator")
    parser.add_argument("--model", help="spaCy pipeline for --system (default: claimgraph's)")
    args = parser.parse_args()
    if not (args.split / TEXT_FOLDER).is_dir():
        sys.exit(f"no brat split at {args.split} (expected {TEXT_FOLDER}/ and "
                 f"{ANNOTATION_FOLDER}/)")

    articles = list(multi_annotated(args.split))
    pairs = pair_scores(articles)
    agreement: CorpusScore = aggregate(pairs)
    print(f"human agreement: {len(pairs)} annotator pairs in {len(articles)} articles")
    print(format_report(agreement))
    if args.system:
        system = aggregate(system_scores(articles, args.model))
        print(f"\nclaimgraph against each annotator of the same {len(articles)} articles "
              f"({len(system.documents)} article-annotator pairs)")
        print(format_report(system))


if __name__ == "__main__":
    main()
