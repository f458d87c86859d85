"""Which gold cues the rules never propose: counts by kind, part of speech, parse pattern
and lemma (not a test; counts and categories only, no corpus text).

    python benchmarks/missed_cues.py [GOLD_DIR] [--model NAME] [--top N]

The extractor runs with the cue classifier replaced by the gold answer (as in
``accuracy_ceiling.py``), so that a gold attribution it misses is one with no candidate at all
(or one whose candidate a later rule drops), not one a classifier turned down. A gold
attribution is *missed* when no found cue overlaps its cue. Each missed one is put in one
kind, by its cue's head word (the word of the cue whose parent lies outside it):

* inside a found content: the cue lies inside the content of a found attribution (an
  over-long content, "…, before adding that …", or a nested cue the rules drop);
* a candidate lost later: the head word has a frame reaching the gold content that the
  lexicon finds plausible (a later rule dropped it);
* a rare pair: a frame reaches the gold content, but the lexicon finds the pair implausible
  (below the classifier's threshold) or never saw it;
* no frame reaching the content: the word has frames, none overlapping the gold content;
* no frame: the word has no complement frame (or its part of speech is no cue's);

and counted by its part of speech, its relation label with the relation of the gold
content's head word to it, and its lemma. Defaults to the train split (tune on train and
dev only).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from _common import parsed_gold_split
from accuracy_ceiling import GoldCueScorer
from spacy.tokens import Doc, Span, Token

from claimgraph import load_pipeline
from claimgraph.extract.attributions import CANDIDATE_PRECISION, find_attributions
from claimgraph.extract.frames import CANDIDATE_POS, complement_frames
from claimgraph.extract.learn import is_gold_cue
from claimgraph.extract.lexicon import CueLexicon
from claimgraph.records import Attribution, Document, Mention

DEFAULT_GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "train"
COMPONENT = "claim_attribution"
KINDS = ("inside a found content", "a candidate lost later", "a rare pair",
         "no frame reaching the content", "no frame")


def head_word(span: Span) -> Token:
    """Return the word of ``span`` whose parent lies outside it (the first such word)."""
    return next((token for token in span if not span.start <= token.head.i < span.end
                 or token.head == token), span.root)


def content_relation(cue: Token, content: Span) -> str:
    """Return how the gold content's head word hangs off the cue's head word: its relation
    label when a child, "parent" or "ancestor" when above, else "elsewhere"."""
    word = head_word(content)
    if word.head == cue and word != cue:
        return word.dep_
    if cue.head == word:
        return "parent"
    if word.is_ancestor(cue):
        return "ancestor"
    if cue.is_ancestor(word):
        return "descendant"
    return "elsewhere"


def overlaps(one: Mention, other: Mention) -> bool:
    """Return whether two mentions share a character of their pieces."""
    return any(a < d and c < b for a, b in one.pieces() for c, d in other.pieces())


def missed_kind(cue: Token, gold: Attribution, found: Sequence[Attribution],
                lexicon: CueLexicon) -> str:
    """Return the kind (one of :data:`KINDS`) of a gold attribution no found cue overlaps."""
    if any(start <= cue.idx < end for attribution in found
           for start, end in attribution.content.pieces()):
        return KINDS[0]
    if cue.pos_ not in CANDIDATE_POS and cue.dep_ != "ROOT":
        return KINDS[4]
    frames = list(complement_frames(cue))
    if not frames:
        return KINDS[4]
    reaching = [frame for frame, head in frames if is_gold_cue(cue, frame, head, [gold])]
    if not reaching:
        return KINDS[3]
    if any(lexicon.precision(cue.lemma_, frame) >= CANDIDATE_PRECISION for frame in reaching):
        return KINDS[1]
    return KINDS[2]


def missed_counts(corpus: Iterable[tuple[Document, list[Attribution]]], docs: Iterable[Doc],
                  component) -> tuple[int, list[tuple[str, str, str, str]]]:
    """Run the gold-informed extractor over ``docs`` and return the number of gold
    attributions and, for each missed one, (kind, part of speech, parse pattern, lemma)."""
    total = 0
    missed = []
    for (_document, gold), doc in zip(corpus, docs, strict=True):
        found = find_attributions(
            doc, lexicon=component.lexicon, min_precision=component.min_precision,
            unseen_clause_precision=component.unseen_clause_precision,
            classifier=GoldCueScorer(gold), boundaries=component.boundaries)
        total += len(gold)
        for attribution in gold:
            if any(overlaps(attribution.cue, other.cue) for other in found):
                continue
            start, end = attribution.cue.pieces()[0]
            cue_span = doc.char_span(start, end, alignment_mode="expand")
            content_pieces = attribution.content.pieces()
            content = doc.char_span(content_pieces[0][0], content_pieces[-1][1],
                                    alignment_mode="expand")
            if cue_span is None or not len(cue_span) or content is None or not len(content):
                continue
            cue = head_word(cue_span)
            pattern = f"{cue.dep_} <- {content_relation(cue, content)}"
            missed.append((missed_kind(cue, attribution, found, component.lexicon),
                           cue.pos_, pattern, cue.lemma_.lower()))
    return total, missed


def print_table(title: str, counter: Counter, top: int) -> None:
    """Print ``counter``'s ``top`` most common entries under ``title``."""
    print(f"\n{title}")
    for key, count in counter.most_common(top):
        print(f"  {count:5d}  {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold_dir", nargs="?", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--model", help="spaCy pipeline (default: claimgraph's default)")
    parser.add_argument("--top", type=int, default=15, help="rows per table (default 15)")
    args = parser.parse_args()
    nlp = load_pipeline(args.model, resolve=False)
    corpus, parsed = parsed_gold_split(nlp, args.gold_dir)
    report(*missed_counts(corpus, parsed, nlp.get_pipe(COMPONENT)), top=args.top)


def report(total: int, missed: list[tuple[str, str, str, str]], *, top: int) -> None:
    """Print the missed gold attributions by kind, and by part of speech, parse pattern and
    lemma within the kinds that have a word to look at."""
    print(f"gold attributions: {total}; missed (no found cue overlaps): {len(missed)} "
          f"({len(missed) / max(total, 1):.1%})")
    print_table("by kind", Counter(kind for kind, *_ in missed), top)
    print_table("by kind and part of speech",
                Counter(f"{kind} | {pos}" for kind, pos, *_ in missed), top)
    outside = [row for row in missed if row[0] != KINDS[0]]
    print_table("outside found contents: part of speech and parse pattern "
                "(cue relation <- content relation)",
                Counter(f"{pos} | {pattern}" for _, pos, pattern, _ in outside), top)
    print_table("outside found contents: lemma",
                Counter(f"{pos} {lemma}" for _, pos, _, lemma in outside), top)
    inside = [row for row in missed if row[0] == KINDS[0]]
    print_table("inside found contents: part of speech and parse pattern",
                Counter(f"{pos} | {pattern}" for _, pos, pattern, _ in inside), top)


if __name__ == "__main__":
    main()
