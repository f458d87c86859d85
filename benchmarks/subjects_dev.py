"""Measure claim subjects and cue classes on the PolNeAR dev split (a measurement, not a test).

Run from the repository root (the corpus is read from ../shared/polnear; never copied):

    python benchmarks/subjects_dev.py [--corpus PATH] [--dump FILE.txt] [--sample N]

It takes the annotators' own attributions (source, cue and content spans, so that
extraction errors do not count), gives each content its subjects as the
``claim_attribution`` component does, resolves them as the ``claim_resolution`` component
does, and prints the figures on the hand-checked fixtures ``tests/data/subject_fixture.tsv``
and ``tests/data/cue_class_fixture.tsv`` (see :mod:`tests.test_subject_fixture`'s
docstring for what their rows mean): subject precision, pronoun-subject precision, the
share of attributions whose main subject is missing, cue-class accuracy and the share of
``other``.

``--dump`` writes, for checking by hand, N sampled attributions (at most a few per
article, in a stable pseudo-random order) with their content and every subject and cue
class the pipeline gives: it holds article text, so write it outside the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from spacy.tokens import Doc, DocBin

from claimgraph import load_pipeline
from claimgraph.extract.subjects import subject_mentions
from claimgraph.loaders.brat import load_brat_corpus
from claimgraph.records import Attribution, Document
from claimgraph.resolve import resolve_attributions

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "polnear"
TESTS = Path(__file__).resolve().parents[1] / "tests"
SAMPLE_PER_ARTICLE = 4


def resolved_gold(docs: Iterable[Doc], corpus: list[tuple[Document, list[Attribution]]]
                  ) -> Iterator[tuple[Document, Attribution]]:
    """Yield each gold attribution of ``corpus`` with the subjects, entities and cue class
    the pipeline gives it: subjects from its content as extraction finds them, then
    resolution over the parsed article (``docs``: the articles parsed, in order)."""
    for (document, gold), doc in zip(corpus, docs, strict=True):
        entities = tuple(doc.ents)
        with_subjects = [replace(attribution, subjects=tuple(
            subject_mentions(doc, attribution.content, entities))) for attribution in gold]
        for attribution in resolve_attributions(doc, with_subjects):
            yield document, attribution


def _order(article: str, start: int) -> str:
    return hashlib.sha1(f"{article}:{start}".encode()).hexdigest()


def dump(pairs: list[tuple[Document, Attribution]], path: Path, sample: int) -> None:
    """Write ``sample`` attributions, at most SAMPLE_PER_ARTICLE per article, for checking."""
    chosen, per_article = [], {}
    for document, attribution in sorted(pairs, key=lambda pair: _order(
            pair[0].id, pair[1].cue.start)):
        if per_article.get(document.id, 0) >= SAMPLE_PER_ARTICLE:
            continue
        per_article[document.id] = per_article.get(document.id, 0) + 1
        chosen.append((document, attribution))
        if len(chosen) == sample:
            break
    with path.open("w", encoding="utf-8") as out:
        for document, attribution in sorted(chosen, key=lambda pair: (pair[0].id,
                                                                        pair[1].cue.start)):
            text = document.text
            source = attribution.source
            out.write(f"== {document.id} {attribution.cue.start} {attribution.cue.end}\n")
            if source is not None:
                key = source.entity.key if source.entity else "-"
                out.write(f"  SOURCE {source.text!r} -> {key}\n")
            out.write(f"  CUE {attribution.cue.text!r} class={attribution.cue_class} "
                      f"neg={attribution.negated}\n")
            pieces = " | ".join(text[start:end] for start, end in attribution.content.pieces())
            out.write(f"  CONTENT {pieces}\n")
            out.write(f"  TOPIC {attribution.extra.get('topic', '')}\n")
            hows = attribution.extra.get("resolution", {}).get("subjects", [])
            for subject, how in zip(attribution.subjects, hows, strict=True):
                key = subject.entity.key if subject.entity else "-"
                out.write(f"  S {subject.start} {subject.end} {subject.text!r} -> {key} "
                          f"[{subject.label} {subject.role} | {how}]\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--sample", type=int, default=150)
    parser.add_argument("--cache", type=Path,
                        help="a DocBin of the parsed articles: read when present, else written")
    args = parser.parse_args(argv)
    dev = args.corpus / "dev"
    if not dev.is_dir():
        print(f"{dev} is absent", file=sys.stderr)
        return 1
    corpus = list(load_brat_corpus(dev, on_error=lambda error: None))
    nlp = load_pipeline()
    if args.cache and args.cache.is_file():
        docs = list(DocBin().from_disk(args.cache).get_docs(nlp.vocab))
    else:
        with nlp.select_pipes(enable=["tok2vec", "tagger", "parser", "attribute_ruler",
                                      "lemmatizer", "ner"]):
            docs = list(nlp.pipe(document.text for document, _ in corpus))
        if args.cache:
            DocBin(store_user_data=False, docs=docs).to_disk(args.cache)
    pairs = list(resolved_gold(docs, corpus))
    if args.dump:
        dump(pairs, args.dump, args.sample)
    sys.path.insert(0, str(TESTS))
    from test_subject_fixture import figures  # the test's own scoring, one definition

    for line in figures(pairs):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
